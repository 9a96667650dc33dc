"""Progress of a build or an add: stage timing with an estimate of the time left, tqdm bars for
the CLI, and plain log lines on stderr for the app's terminal.

Every reporter is a ``progress(stage, done, total)`` callable fed by the build; ``total`` is 0
when a stage does not know its size (reading files), and then no estimate is given.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
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
    """One line for a stage: 'training encoder: 45 of 100 · 12 s, about 15 s left'."""
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
BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}]"
COUNTER_FORMAT = "{desc}: {n_fmt} [{elapsed}]"


class TqdmProgress:
    """A ``progress(stage, done, total)`` callable that draws a tqdm bar (with its own time estimate) per stage."""

    def __init__(self, *, disable: bool = False) -> None:
        self.disable = disable
        self._bar = None
        self._stage: str | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.disable:
            return
        from tqdm import tqdm

        if stage != self._stage:
            self.close()
            self._stage = stage
            self._bar = tqdm(
                total=total or None, desc=stage, leave=False, dynamic_ncols=True,
                bar_format=BAR_FORMAT if total else COUNTER_FORMAT,
            )
        bar = self._bar
        if total and bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> TqdmProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
