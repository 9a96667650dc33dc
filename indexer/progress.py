"""Progress bars for the CLI: one tqdm bar per build stage, fed by the build's progress callback."""

from __future__ import annotations

from tqdm import tqdm


# No rate: the build reports progress in jumps (a batch of 2048 chunks at once, a stage that
# starts at its last step), so tqdm's rate read like "108752310 chunks/s". Counts and elapsed
# time are what a reader can use.
BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}]"
COUNTER_FORMAT = "{desc}: {n_fmt} [{elapsed}]"


class TqdmProgress:
    """A ``progress(stage, done, total)`` callable that draws a tqdm bar for the current stage."""

    def __init__(self, *, disable: bool = False) -> None:
        self.disable = disable
        self._bar: tqdm | None = None
        self._stage: str | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.disable:
            return
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
