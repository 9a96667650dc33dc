"""Benchmark the app's pages: how long the server takes to answer a question and to draw each page.

Drives app.py with Streamlit's AppTest on the study index ($STUDYKG_INDEX or index/; run
`studykg build` first). Each question is new to the app, so the search cache never helps;
the index is already open, as it is for a learner after the first page. The figures are
the script's wall time for one rerun, from the widget change to the last element sent:
what the server adds before the browser can draw. Never run by the tests.

    python bench/bench_app.py
    python bench/bench_app.py --rounds 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_index import QUESTIONS as BENCH_QUESTIONS  # noqa: E402

# The benchmark's questions plus more, all different, so no answer comes from a cache.
QUESTIONS = [
    *BENCH_QUESTIONS,
    "which algorithm for time series forecasting",
    "giảm chiều dữ liệu bằng PCA",
    "come scegliere il learning rate",
    "SageMaker Neo compile model for edge devices",
    "detect PII in text",
    "difference between precision and recall",
]
PAGES = [
    ("browse RandomCutForest", "app_pages/browse.py", {"entity": "RandomCutForest"}),
    ("browse SageMaker", "app_pages/browse.py", {"entity": "SageMaker"}),
    ("path RCF -> KDA", "app_pages/path.py", {"from": "RandomCutForest", "to": "KinesisDataAnalytics"}),
    ("related Firehose", "app_pages/related.py", {"entity": "KinesisDataFirehose"}),
    ("exam map", "app_pages/exam_map.py", {}),
    ("my notes", "app_pages/my_notes.py", {}),
]


def timed_run(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    if at.exception or at.error:
        sys.exit(f"the app failed: {[e.value for e in [*at.exception, *at.error]]}")
    return elapsed


def summary(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    return f"median {statistics.median(ms):6.1f} ms   p90 {p90:6.1f} ms   max {ms[-1]:6.1f} ms   (n={len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="times each page is drawn")
    args = parser.parse_args()

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=600)
    started = time.perf_counter()
    at.run()
    print(f"first page, opening the index: {time.perf_counter() - started:.1f} s")

    asked = []
    for question in QUESTIONS:
        at.text_input(key="ask_q").set_value(question)
        asked.append(timed_run(at))
    print(f"Ask, a new question:           {summary(asked)}")
    again = [timed_run(at) for _ in range(args.rounds * 3)]
    print(f"Ask, a rerun of the same page: {summary(again)}")

    for name, page, params in PAGES:
        at.switch_page(page)
        at.query_params.clear()
        at.query_params.update(params)
        runs = [timed_run(at) for _ in range(args.rounds + 1)][1:]  # the first fills the page's caches
        print(f"{name + ':':<31}{summary(runs)}")


if __name__ == "__main__":
    main()
