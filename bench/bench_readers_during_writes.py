"""Readers during writes: how many `StudyIndex.open` + search calls fail while `add` publishes new versions.

Issue 13 measured 12 failures in 18 concurrent `studykg ask` runs during an add: publishing
deleted the old version while readers that had read CURRENT were still opening it. This runs
reader processes (as `studykg ask` would be) that open the index and ask one question in a
loop, while this process adds a folder of notes several times (each add publishes a new
version), and prints the counts. Processes, not threads: opening an index in several threads
at once trips a thread-unsafe stemmer in indexer/entity_words.py, another problem.

    python bench/bench_readers_during_writes.py --index /tmp/studykg-index --readers 4 --adds 4

The index is copied to a temporary folder first; yours is never changed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer import StudyIndex  # noqa: E402

READER = """
import json, sys
from collections import Counter
from pathlib import Path
from indexer import StudyIndex
index_path, stop = Path(sys.argv[1]), Path(sys.argv[2])
outcomes = Counter()
while True:
    last = stop.exists()  # one more round after the writer finished
    try:
        index = StudyIndex.open(index_path)
        index.search("which service converts text to speech?", 3)
        index.close()
        outcomes["ok"] += 1
    except Exception as error:  # every failure counts, whatever its type
        outcomes[f"{type(error).__name__}: {' '.join(str(error).split())[:120]}"] += 1
    if last:
        break
print(json.dumps(outcomes))
"""


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
    stop = work / "stop"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, str(index_path), str(stop)], stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(args.readers)
    ]
    started = time.perf_counter()
    for n in range(args.adds):
        (notes / f"note-{n}.md").write_text(f"# Note {n}\nAmazon Polly turns text into speech, take {n}.\n", encoding="utf-8")
        StudyIndex.add(notes, index_path)
    stop.touch()
    outcomes: Counter[str] = Counter()
    for reader in readers:
        out, _ = reader.communicate()
        outcomes.update(json.loads(out.strip().splitlines()[-1]))
    seconds = time.perf_counter() - started
    failures = sum(count for outcome, count in outcomes.items() if outcome != "ok")
    print(f"{args.adds} adds in {seconds:.1f} s; {sum(outcomes.values())} reader opens+searches, {failures} failed")
    for outcome, count in outcomes.most_common():
        print(f"  {count:5d}  {outcome}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
