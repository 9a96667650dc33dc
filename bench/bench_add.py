"""How long `studykg add` takes for a 35-file folder of notes the embedding cache has never seen.

The issue's target: a 35-file notes folder added in 15 s or less on 2 idle cores. The folder
is made at run time, in a temp folder, by splitting each write-up of ``../shared/learner-notes``
(third-party text: read here, never copied into the repository) at paragraph breaks into
``35 / files`` parts of about equal size.

The add runs in a fresh process, as ``studykg add FOLDER`` does (``StudyIndex.add``, with the
app's ``LogProgress`` so each stage's time is logged; the CLI draws bars only on a terminal),
against a fresh index of the shipped corpus (``build``, which takes the shipped vectors) and
a fresh ``STUDYKG_CACHE``: the model and its exports are linked from the real cache, but its
embedding store is empty, so every chunk of the notes is embedded. Prints the add's wall
time, its stages (the CLI's "stage: done in" lines) and the chunks it embedded per second.

    python bench/bench_add.py [--files 35] [--notes ../shared/learner-notes] [--keep /tmp/x1/add]

``STUDYKG_ENCODER_BACKEND`` is passed through (``onnx-int8`` also embeds the corpus in the build).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]

from indexer.encoding.pretrained import cache_dir  # noqa: E402

NOTES = REPO.parent / "shared" / "learner-notes"
NOTE_SUFFIXES = (".txt", ".md")
STAGE = re.compile(r"^studykg: (?P<stage>.+): done in (?P<time>.+)$")
# What `studykg add` runs, with progress lines on stderr and the report as JSON on stdout.
ADD = """
import dataclasses, json, sys
from pathlib import Path
from indexer import StudyIndex
from indexer.progress import LogProgress
progress = LogProgress(every=1e9)
report = StudyIndex.add(Path(sys.argv[1]), None, progress=progress)
progress.finish()
print(json.dumps(dataclasses.asdict(report), default=str))
"""


def split_notes(notes: Path, target: Path, files: int) -> list[Path]:
    """Write ``files`` parts of the notes in ``notes`` (README left out) to ``target``, split at blank lines."""
    sources = sorted(p for p in notes.iterdir() if p.suffix in NOTE_SUFFIXES and p.name != "README.md")
    if not sources:
        raise SystemExit(f"{notes}: no .txt or .md notes to split")
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for n, source in enumerate(sources):
        parts = files // len(sources) + (1 if n < files % len(sources) else 0)
        paragraphs = [p for p in re.split(r"\n\s*\n", source.read_text(encoding="utf-8")) if p.strip()]
        per_part = max(1, -(-len(paragraphs) // parts))
        for part in range(parts):
            text = "\n\n".join(paragraphs[part * per_part : (part + 1) * per_part]) or paragraphs[-1]
            path = target / f"{source.stem}-{part + 1:02d}{source.suffix}"
            path.write_text(text + "\n", encoding="utf-8")
            written.append(path)
    return written


def fresh_cache(target: Path) -> Path:
    """A cache folder with the real cache's models and exports (linked) and no embedding store."""
    real = cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    for name in ("models", "question-encoders"):
        if (real / name).is_dir():
            (target / name).symlink_to((real / name).resolve(), target_is_directory=True)
    return target


def run(args: list[str], env: dict[str, str]) -> tuple[float, str, str]:
    """Wall seconds, stdout and stderr of ``python ARGS`` in the repository."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"python {' '.join(args)[:80]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, done.stdout, done.stderr


def stages(log: str) -> list[tuple[str, str]]:
    return [(m["stage"], m["time"]) for m in map(STAGE.match, log.splitlines()) if m]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=35)
    parser.add_argument("--notes", type=Path, default=NOTES)
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temp folder, removed)")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-add-"))
    if args.keep and work.exists():
        shutil.rmtree(work)
    try:
        notes = split_notes(args.notes, work / "notes", args.files)
        env = {**os.environ, "STUDYKG_INDEX": str(work / "index"), "STUDYKG_CACHE": str(fresh_cache(work / "cache"))}
        size = sum(p.stat().st_size for p in notes)
        build_s, _, _ = run(["-m", "indexer.cli", "build"], env)
        add_s, out, log = run(["-c", ADD, str(work / "notes")], env)
        report = json.loads(out.strip().splitlines()[-1])
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    embedded = report["embedded"] - report["extra"].get("from_cache", 0)
    print(f"{len(notes)} files, {size // 1024} KiB; build of the shipped corpus {build_s:.1f} s")
    print(f"add: {add_s:.1f} s wall (process start included), {report['seconds']} s in the add, {report['chunks']} chunks, "
          f"{embedded} embedded, {embedded / add_s:.1f} chunks/s over the whole add; {report['model']}")
    for stage, seconds in stages(log):
        print(f"  {stage:40} {seconds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
