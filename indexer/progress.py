"""Progress of a build or an add: stage timing with an estimate of the time left, tqdm bars for
the CLI, plain log lines on stderr for the app's terminal, and a status file in the index
folder through which the app and ``studykg app`` follow a build another process runs.

Every reporter is a ``progress(stage, done, total)`` callable fed by the build; ``total`` is 0
when a stage does not know its size (reading files), and then no estimate is given.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO


@dataclass(frozen=True)
class StageTiming:
    """Where the current stage stands: counts, seconds spent, and seconds left when they can be estimated."""

    stage: str
    done: int
    total: int
    elapsed: float
    left: float | None

    @property
    def fraction(self) -> float:
        return min(self.done / self.total, 1.0) if self.total else 0.0


class StageClock:
    """Times each stage of a build; estimates the time left of the current one from its rate so far.

    A linear estimate is crude for the first percent of a stage, so none is given until a
    stage has run a moment and done some of its work.
    """

    MIN_ELAPSED = 1.0  # seconds before the first estimate

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.stage: str | None = None
        self._started = 0.0
        self.finished: list[tuple[str, float]] = []  # (stage, seconds) in the order they ran

    def update(self, stage: str, done: int, total: int) -> StageTiming:
        now = self._clock()
        if stage != self.stage:
            self.close(now)
            self.stage, self._started = stage, now
        elapsed = now - self._started
        left = None
        if total and 0 < done < total and elapsed >= self.MIN_ELAPSED:
            left = elapsed * (total - done) / done
        elif total and done >= total:
            left = 0.0
        return StageTiming(stage, done, total, elapsed, left)

    def close(self, now: float | None = None) -> None:
        """End the current stage (a new one starts, or the work is over)."""
        if self.stage is not None:
            self.finished.append((self.stage, (self._clock() if now is None else now) - self._started))
            self.stage = None


def format_seconds(seconds: float) -> str:
    """'8 s', '2 min 5 s': short enough for a progress line."""
    seconds = max(0, round(seconds))
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60} s"


def describe(timing: StageTiming) -> str:
    """One line for a stage: 'embedding chunks: 256 of 1,642 · 22 s, about 2 min left'."""
    counts = f"{timing.done:,} of {timing.total:,}" if timing.total else f"{timing.done:,}"
    text = f"{timing.stage}: {counts} · {format_seconds(timing.elapsed)}"
    if timing.left is not None and timing.done < timing.total:
        text += f", about {format_seconds(timing.left)} left"
    return text


class LogProgress:
    """Plain progress lines on stderr: each stage's start and end, and a line with the estimate every few seconds.

    The app uses it so that ``studykg app`` says in the terminal what its first start is doing.
    """

    def __init__(self, *, stream: TextIO | None = None, every: float = 5.0, prefix: str = "studykg") -> None:
        self.stream = stream
        self.every = every
        self.prefix = prefix
        self.clock = StageClock()
        self._written = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        new_stage = stage != self.clock.stage
        if new_stage:
            self._end_stage()
        timing = self.clock.update(stage, done, total)
        now = time.monotonic()
        if new_stage:
            self._write(f"{stage}…")
            self._written = now
        elif now - self._written >= self.every:
            self._write(describe(timing))
            self._written = now

    def finish(self, message: str | None = None) -> None:
        self._end_stage()
        if message:
            self._write(message)

    def _end_stage(self) -> None:
        if self.clock.stage is not None:
            self.clock.close()
            stage, seconds = self.clock.finished[-1]
            self._write(f"{stage}: done in {format_seconds(seconds)}")

    def _write(self, text: str) -> None:
        stream = self.stream or sys.stderr
        print(f"{self.prefix}: {text}", file=stream, flush=True)


# No rate: the build reports progress in jumps (a batch of 2048 chunks at once, a stage that
# starts at its last step), so tqdm's rate read like "108752310 chunks/s". Counts and elapsed
# time are what a reader can use.
BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]"
COUNTER_FORMAT = "{desc}: {n_fmt} [{elapsed}]"
REDRAW_SECONDS = 0.1  # a stage of 10,000 files must not spend its time redrawing a bar


class TqdmProgress:
    """A ``progress(stage, done, total)`` callable that draws a tqdm bar (with its own time estimate) per stage.

    A stage's clock starts when the previous stage last reported, not when this one first
    does: a stage that reports only at its end still shows the seconds it took, and the
    previous bar is closed as soon as the next stage speaks. Without a terminal on stderr
    (a pipe, a log file) nothing is drawn: raw bars are unreadable there, and every command
    prints its own summary line.
    """

    def __init__(self, *, disable: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.disable = disable or not _is_terminal(self.stream)
        self._bar = None
        self._stage: str | None = None
        self._last = time.time()
        self._drawn = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.disable:
            return
        from tqdm import tqdm

        now = time.time()
        if stage != self._stage:
            self.close()
            self._stage = stage
            self._bar = tqdm(
                total=total or None, desc=stage, leave=False, dynamic_ncols=True, file=self.stream,
                bar_format=BAR_FORMAT if total else COUNTER_FORMAT,
            )
            self._bar.start_t = min(self._last, now)
            self._drawn = 0.0
        self._last = now
        bar = self._bar
        if total and bar.total != total:
            bar.total = total
        bar.n = done
        if now - self._drawn >= REDRAW_SECONDS or (total and done >= total):
            bar.refresh()
            self._drawn = now

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
            self._stage = None

    def __enter__(self) -> TqdmProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream
        return False


class Fanout:
    """One ``progress`` callable that feeds several (a terminal bar and the shared status file)."""

    def __init__(self, *reporters: Callable[[str, int, int], None]) -> None:
        self.reporters = reporters

    def __call__(self, stage: str, done: int, total: int) -> None:
        for reporter in self.reporters:
            reporter(stage, done, total)


STATUS_FILE = ".progress.json"  # in the index folder, beside the write lock


class StatusFile:
    """Publishes a writer's progress to ``<index>/.progress.json`` so that other processes and app
    sessions can show the one running build instead of starting their own.

    A ``progress(stage, done, total)`` callable; the file is replaced atomically (never read
    half-written) at most every ``every`` seconds, and at each new stage, stage end and finish.
    """

    def __init__(self, index_path: Path, *, every: float = 0.25, clock: Callable[[], float] = time.monotonic) -> None:
        self.index_path = Path(index_path).resolve()
        self.path = self.index_path / STATUS_FILE
        self.every = every
        self.clock = StageClock(clock)
        self._written = 0.0
        self._started = time.time()
        self._timing: StageTiming | None = None
        self._published = False  # whether this writer ever published (it held the lock): only then does it finish

    def __call__(self, stage: str, done: int, total: int) -> None:
        new_stage = stage != self.clock.stage
        self._timing = self.clock.update(stage, done, total)
        now = time.monotonic()
        if new_stage or (total and done >= total) or now - self._written >= self.every:
            self._write("running")
            self._written = now

    def finish(self, state: str = "done", error: str = "") -> None:
        """The write is over: ``done`` or ``failed`` (with the one-line ``error``)."""
        self.clock.close()
        self._timing = None
        self._write(state, error)

    def __enter__(self) -> StatusFile:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if error is None:
            self.finish("done")
        elif not isinstance(error, (KeyboardInterrupt, GeneratorExit)):
            self.finish("failed", " ".join(str(error).split()) or kind.__name__)
        else:
            self.finish("failed", "stopped")

    def _write(self, state: str, error: str = "") -> None:
        from .layout import holds_write_lock

        if not (holds_write_lock(self.index_path) or (self._published and state != "running")):
            return  # a writer still waiting for the lock must not overwrite the status of the one holding it
        self._published = True
        timing = self._timing
        data = {
            "pid": os.getpid(), "state": state, "error": error, "started": self._started, "updated": time.time(),
            "stage": timing.stage if timing else None, "done": timing.done if timing else 0,
            "total": timing.total if timing else 0, "elapsed": timing.elapsed if timing else 0.0,
            "left": timing.left if timing else None,
            "finished": [[stage, seconds] for stage, seconds in self.clock.finished],
        }
        tmp = self.path.with_name(f"{STATUS_FILE}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:  # progress is a courtesy: a full disk fails the build itself with a clear line
            tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class BuildStatus:
    """What a writer last published: its current stage (a ``StageTiming``), the finished stages, its state."""

    state: str
    timing: StageTiming | None
    finished: tuple[tuple[str, float], ...]
    started: float
    updated: float = 0.0
    error: str = ""

    def timing_now(self, now: float | None = None) -> StageTiming | None:
        """The current stage as of ``now`` (wall clock): a stage between two reports still counts its seconds."""
        if self.timing is None:
            return None
        since = max(0.0, (time.time() if now is None else now) - self.updated) if self.state == "running" else 0.0
        left = None if self.timing.left is None else max(0.0, self.timing.left - since)
        return StageTiming(self.timing.stage, self.timing.done, self.timing.total, self.timing.elapsed + since, left)


def read_status(index_path: Path) -> BuildStatus | None:
    """The last status published in ``index_path`` (None when no writer ever published one, or it is unreadable)."""
    try:
        data = json.loads((Path(index_path) / STATUS_FILE).read_text(encoding="utf-8"))
        timing = None
        if data.get("stage"):
            timing = StageTiming(data["stage"], int(data["done"]), int(data["total"]), float(data["elapsed"]), data.get("left"))
        finished = tuple((str(stage), float(seconds)) for stage, seconds in data.get("finished", ()))
        return BuildStatus(str(data["state"]), timing, finished, float(data.get("started", 0.0)), float(data.get("updated", 0.0)),
                           str(data.get("error", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
