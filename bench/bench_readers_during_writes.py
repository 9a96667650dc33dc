"""Readers during writes: how many `StudyIndex.open` + search calls fail while `add` publishes new versions.

Issue 13 measured 12 failures in 18 concurrent `studykg ask` runs during an add: publishing
deleted the old version while readers that had read CURRENT were still opening it. This runs
reader threads that open the index and ask one question in a loop, while the main thread adds
a folder of notes several times (each add publishes a new version), and prints the counts.

    python bench/bench_readers_during_writes.py --index /tmp/studykg-index --readers 4 --adds 4

The index is copied to a temporary folder first; yours is never changed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer import StudyIndex  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="an index to copy (e.g. one built from tests/fixtures/corpus)")
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--adds", type=int, default=4)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="studykg-readers-"))
    index_path = work / "index"
    shutil.copytree(args.index, index_path)
    notes = work / "notes"
    notes.mkdir()
    done = threading.Event()
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def reader() -> None:
        while not done.is_set():
            try:
                index = StudyIndex.open(index_path)
                index.search("which service converts text to speech?", 3)
                index.close()
                outcome = "ok"
            except Exception as error:  # every failure counts, whatever its type
                outcome = f"{type(error).__name__}: {' '.join(str(error).split())[:120]}"
            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=reader, daemon=True) for _ in range(args.readers)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    for n in range(args.adds):
        (notes / f"note-{n}.md").write_text(f"# Note {n}\nAmazon Polly turns text into speech, take {n}.\n", encoding="utf-8")
        StudyIndex.add(notes, index_path)
    done.set()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    failures = sum(count for outcome, count in outcomes.items() if outcome != "ok")
    print(f"{args.adds} adds in {seconds:.1f} s; {sum(outcomes.values())} reader opens+searches, {failures} failed")
    for outcome, count in outcomes.most_common():
        print(f"  {count:5d}  {outcome}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
