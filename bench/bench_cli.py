"""Benchmark the command line as a user meets it: wall time of each command in a new process.

Measures the issue-14 targets on a built index: graph commands (show, path, related,
sparql), a refused question (`ask ""`), an `add` with nothing new, and a cold `ask`.
Each command runs `--repeat` times in a fresh interpreter; the table gives the median and
the fastest wall time, and the median CPU time (user + system) of the child, which stays
meaningful when other work shares the machine's cores. `--code` points at another checkout (e.g. the main branch) to compare
before and after on the same index. Never run by the tests.

    python bench/bench_cli.py --index /tmp/speed/index
    python bench/bench_cli.py --index /tmp/speed/index --code /tmp/main-checkout --label before
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The CLI entry point, the same for checkouts with or without `python -m indexer.cli`.
RUN_CLI = "import sys; from indexer.cli import cli; cli(sys.argv[1:], prog_name='studykg')"
SPARQL = "SELECT ?s WHERE { ?s a <https://w3id.org/studykg/ontology#Algorithm> }"
NOTE = "# SageMaker Neo\n\nNeo compiles trained models so they run faster on edge devices.\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="a built index (it is copied for the add; never changed)")
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose indexer/kg to run (default: this one)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--label", default="")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="studykg-bench-cli-"))
    try:
        rows = measure(args.index.resolve(), args.code.resolve(), args.repeat, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"== studykg CLI, wall seconds in a new process ({args.label or args.code}; {args.repeat} runs, {os.cpu_count()} CPUs)")
    print(f"   {'command':<30} {'wall median':>12} {'fastest':>8} {'CPU median':>11}  target")
    for name, runs, target in rows:
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"   {name:<30} {statistics.median(walls):>12.2f} {min(walls):>8.2f} {statistics.median(cpus):>11.2f}  {target}")
    print(f"   load average while measuring: {os.getloadavg()[0]:.1f}")


def measure(index: Path, code: Path, repeat: int, work: Path) -> list[tuple[str, list[tuple[float, float]], str]]:
    # The add runs on a copy that already holds the notes, so the timed add has nothing new.
    copy = work / "index"
    shutil.copytree(index, copy)
    notes = work / "notes"
    notes.mkdir()
    (notes / "neo.md").write_text(NOTE, encoding="utf-8")
    cli(code, ["add", str(notes), "--index", str(copy)], check=True)

    commands = [
        ("graph show RCF", ["graph", "show", "RCF", "--index", str(index)], "<= 1 s"),
        ("graph path RCF KDA", ["graph", "path", "RCF", "KDA", "--index", str(index)], "<= 1 s"),
        ("graph related Firehose", ["graph", "related", "Firehose", "--index", str(index)], "<= 1 s"),
        ("graph sparql (algorithms)", ["graph", "sparql", SPARQL, "--index", str(index)], "<= 1 s"),
        ('ask ""', ["ask", "", "--index", str(index)], "at once"),
        ("add (nothing new)", ["add", str(notes), "--index", str(copy)], "<= 2 s"),
        ("ask (cold)", ["ask", "which service converts text to speech?", "--index", str(index)], "<= 3 s"),
    ]
    return [(name, [cli(code, argv) for _ in range(repeat)], target) for name, argv, target in commands]


def cli(code: Path, argv: list[str], *, check: bool = False) -> tuple[float, float]:
    """Run one CLI command in a new interpreter with ``code`` first on the path; its wall and CPU seconds."""
    env = {**os.environ, "PYTHONPATH": str(code), "HF_HUB_OFFLINE": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUN_CLI, *argv], cwd=code, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if check and done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {done.stderr.strip()[-400:]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


if __name__ == "__main__":
    main()
