"""Off-topic bench: does "Not in your material" refuse what the index cannot answer, and nothing else?

A question nothing in the index is about ("how do I bake bread", "capital of France") should get
"Not in your material" (``SearchResult.in_material`` false) instead of a confident concept card;
a question about the material must never get it. bench/eval/offtopic_questions.jsonl holds 30
off-topic and 30 on-topic questions (en, vi, it; "topic": "off" or "on"), written before the
refusal was calibrated. Every other question file given is all on-topic: none of its questions
may be refused.

    python bench/offtopic_bench.py --index /tmp/index
    python bench/offtopic_bench.py --index /tmp/index bench/eval/questions.jsonl bench/eval/train-2026-11.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]

from indexer import StudyIndex  # noqa: E402

OFFTOPIC = REPO / "bench" / "eval" / "offtopic_questions.jsonl"


def refusals(index: StudyIndex, path: Path) -> dict:
    """Counts of refused questions per topic ("off", "on") in one file, and the questions refused wrongly or answered wrongly."""
    counts = {"off": [0, 0], "on": [0, 0]}
    wrong = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        question = json.loads(line)
        topic = question.get("topic", "on")
        refused = not index.search(question["q"], 5).in_material
        counts[topic][0] += refused
        counts[topic][1] += 1
        if refused != (topic == "off"):
            wrong.append(f"{'refused' if refused else 'answered'} ({topic}-topic): {question['q']}")
    return {"refused": {topic: tuple(c) for topic, c in counts.items() if c[1]}, "wrong": wrong}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="a built study index")
    parser.add_argument("files", nargs="*", type=Path, help="more question files, all on-topic (JSON Lines with a 'q' key)")
    args = parser.parse_args()
    if not StudyIndex.exists(args.index):
        sys.exit(f"{args.index}: no study index there; build one with 'studykg build --index {args.index}'")
    index = StudyIndex.open(args.index)
    for path in (OFFTOPIC, *args.files):
        report = refusals(index, path)
        cells = ", ".join(f"{topic}-topic refused {n}/{total}" for topic, (n, total) in report["refused"].items())
        print(f"{path.name}: {cells}")
        for item in report["wrong"]:
            print(f"  {item}")


if __name__ == "__main__":
    main()
