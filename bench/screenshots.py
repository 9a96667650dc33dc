"""Screenshots of every page for the README tour, and the time a question takes in a real browser.

Starts `streamlit run app.py` on a copy of the study index ($STUDYKG_INDEX or index/; run
`studykg build` first), drives Debian's chromium with Playwright (never downloads a browser),
saves docs/screenshots/*.png and prints how long each question took from pressing Enter to
the passages on screen. The My notes picture indexes tests/fixtures/app_notes into the
copy, so the real index is never touched. Never run by the tests.

    python bench/screenshots.py
    python bench/screenshots.py --out /tmp/shots --port 8599
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
QUESTIONS = [
    "which service converts text to speech?",
    "thuật toán nào dùng để phát hiện bất thường?",
    "quale servizio per la sintesi vocale?",
    "Kinesis Data Streams vs Firehose",
    "how do I fix overfitting",
    "batch transform vs real-time endpoint",
]
PAGES = [
    ("browse", "/browse?entity=RandomCutForest", "Random Cut Forest"),
    ("mla-bedrock", "/browse?entity=Bedrock&exam=MLA-C01", "Amazon Bedrock"),
    ("path", "/path?from=RandomCutForest&to=KinesisDataAnalytics", None),
    ("related", "/related?entity=KinesisDataFirehose", "Related to Amazon Kinesis Data Firehose"),
    ("exam-map", "/exam-map", "What studykg holds per domain"),
]
SAMPLE_NOTES = REPO / "tests" / "fixtures" / "app_notes"


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"streamlit did not answer at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--port", type=int, default=8599)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="studykg-shots-"))
    index = Path(os.environ.get("STUDYKG_INDEX") or REPO / "index")
    shutil.copytree(index, work / "index")
    shutil.copytree(SAMPLE_NOTES, work / "my-aws-notes")

    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.port", str(args.port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={
            **os.environ, "HF_HUB_OFFLINE": "1", "STUDYKG_INDEX": str(work / "index"),
            # My notes indexes only under the allowed roots; the sample notes sit in the working folder,
            # and the learner's own database is kept out of the pictures.
            "STUDYKG_NOTES_ROOTS": str(work), "STUDYKG_LEARNER_DB": str(work / "learner.db"),
        },
    )
    url = f"http://127.0.0.1:{args.port}"
    try:
        wait_until_healthy(url, server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            page.goto(url)
            box = page.get_by_label("Your question")
            expect(box).to_be_visible(timeout=180_000)
            timings = []
            for question in QUESTIONS:
                box.fill(question)
                started = time.perf_counter()
                box.press("Enter")
                # The page ends with "N passages for “question”": once it shows, the whole answer is drawn.
                # Checked on every animation frame: expect() polls at growing intervals, up to a second.
                page.wait_for_function(
                    "text => document.body.innerText.includes(text)", arg=f"for “{question}”", polling="raf", timeout=30_000
                )
                timings.append(time.perf_counter() - started)
            ms = sorted(t * 1000 for t in timings)
            print(f"question in the browser (Enter -> passages drawn): median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms, n={len(ms)}")
            box.fill(QUESTIONS[0])
            box.press("Enter")
            expect(page.get_by_text(f"for “{QUESTIONS[0]}”")).to_be_visible(timeout=30_000)
            box.blur()
            page.screenshot(path=args.out / "ask.png")
            # The note view, opened from the first passage.
            page.get_by_role("link", name="Read the whole note").first.click()
            expect(page.get_by_text("The passage you came from")).to_be_visible(timeout=60_000)
            page.wait_for_timeout(800)
            page.screenshot(path=args.out / "note.png")
            for name, path, ready in PAGES:
                page.goto(url + path)
                if ready:
                    expect(page.get_by_role("heading", name=ready, exact=True)).to_be_visible(timeout=60_000)
                    if name == "browse":  # the graph draws after the heading
                        expect(page.locator("svg text", has_text="Amazon SageMaker").first).to_be_visible(timeout=60_000)
                else:
                    expect(page.get_by_role("heading", name="Find a path", exact=True)).to_be_visible(timeout=60_000)
                    expect(page.locator("svg text").first).to_be_visible(timeout=60_000)
                page.wait_for_timeout(1500)  # let the charts draw for the picture
                page.screenshot(path=args.out / f"{name}.png")
            page.goto(url + "/my-notes")
            folder = page.get_by_label("Folder", exact=True)
            expect(folder).to_be_visible(timeout=60_000)
            folder.fill(str(work / "my-aws-notes"))
            page.get_by_role("button", name="Index this folder").click()
            expect(page.get_by_role("heading", name="Skipped files (2)")).to_be_visible(timeout=120_000)
            expect(page.get_by_role("heading", name="Indexed folders (2)")).to_be_visible(timeout=60_000)
            page.wait_for_timeout(1500)  # the tables draw on a canvas after they appear
            page.screenshot(path=args.out / "my-notes.png")
            browser.close()
        for shot in sorted(args.out.glob("*.png")):
            print(f"wrote {shot.relative_to(REPO) if shot.is_relative_to(REPO) else shot}")
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
