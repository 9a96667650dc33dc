"""First run as a new learner has it: `studykg app` on a fresh copy of the repository, with a cold
model cache and no index, timed until the server answers HTTP 200 on a ready index.

The repository's files (tracked and untracked, not ignored) are copied into a temporary
folder, so no index, model cache or embedding cache of this checkout is reused; the
converted encoder, the embedding cache and the question encoder's ONNX export all start
empty ($STUDYKG_CACHE). `studykg app` builds in the terminal before it serves, so the first
HTTP 200 is a ready index. Each stage's time is read from the build's log lines.

    python bench/bench_first_run.py            # prints the stage table and the total
    python bench/bench_first_run.py --json     # one JSON object

Prints the machine's load average too: on shared cores the numbers move with it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STAGE_DONE = re.compile(r"^studykg: (?P<stage>.+): done in (?P<time>.+)$")
TIMEOUT = 1800.0


def copy_repository(target: Path) -> None:
    """The files a fresh clone would have (plus uncommitted work), without index/, caches or the venv."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def run(workdir: Path) -> dict:
    """Start `studykg app` in ``workdir`` and time it to the first HTTP 200; return the stages and the total."""
    port = free_port()
    env = {**os.environ, "STUDYKG_CACHE": str(workdir / "cache"), "STUDYKG_INDEX": str(workdir / "index"),
           "STUDYKG_LEARNER_DB": str(workdir / "learner.db"), "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    env.pop("PYTHONPATH", None)
    started = time.monotonic()
    # `python -m indexer.cli` from the copy: its indexer/ and app.py, not this checkout's.
    app = subprocess.Popen([sys.executable, "-m", "indexer.cli", "app", "--port", str(port)], cwd=workdir / "repo", env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in app.stdout:
            lines.append((time.monotonic() - started, line.rstrip()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    url = f"http://127.0.0.1:{port}"
    try:
        while not answers(f"{url}/_stcore/health"):
            if app.poll() is not None:
                raise RuntimeError("studykg app exited with %s:\n%s" % (app.returncode, "\n".join(l for _, l in lines[-20:])))
            if time.monotonic() - started > TIMEOUT:
                raise TimeoutError(f"no HTTP 200 within {TIMEOUT:.0f} s")
            time.sleep(0.2)
        ready = time.monotonic() - started
        assert answers(url), "the page itself did not answer 200"
    finally:
        # The whole group: `studykg app` runs Streamlit as a child, which outlives a terminated parent.
        os.killpg(app.pid, signal.SIGTERM)
        app.wait(timeout=30)
        reader.join(timeout=5)
    stages = []
    for at, line in lines:
        if match := STAGE_DONE.match(line):
            stages.append({"stage": match["stage"], "took": match["time"], "ended_at_s": round(at, 1)})
    built = next((at for at, line in lines if line.startswith("Study index built")), None)
    return {"seconds_to_http_200": round(ready, 1), "seconds_to_index_built": round(built, 1) if built else None,
            "stages": stages, "load_average": os.getloadavg(), "cpus": os.cpu_count()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="studykg-first-run-"))
    try:
        load_before = os.getloadavg()
        copy_repository(workdir / "repo")
        result = run(workdir)
        result["load_average_before"] = load_before
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{'stage':40} {'took':>12} {'ended at':>10}")
    for stage in result["stages"]:
        print(f"{stage['stage']:40} {stage['took']:>12} {stage['ended_at_s']:>9.1f}s")
    print(f"index built after {result['seconds_to_index_built']} s; HTTP 200 on a ready index after {result['seconds_to_http_200']} s")
    print(f"{result['cpus']} CPUs; load average {result['load_average_before'][0]:.2f} before, {result['load_average'][0]:.2f} after")


if __name__ == "__main__":
    main()
