"""Build progress: stage times, the estimate of the time left, and the terminal's log lines."""

import io

from indexer.progress import LogProgress, StageClock, describe, format_seconds


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_estimate_follows_the_rate_of_the_stage_so_far():
    clock = FakeClock()
    stages = StageClock(clock)
    stages.update("embedding chunks", 0, 100)
    clock.now += 10
    timing = stages.update("embedding chunks", 25, 100)
    assert timing.elapsed == 10 and timing.left == 30 and timing.fraction == 0.25
    assert describe(timing) == "embedding chunks: 25 of 100 · 10 s, about 30 s left"


def test_no_estimate_without_a_total_or_before_the_stage_has_run_a_moment():
    clock = FakeClock()
    stages = StageClock(clock)
    assert stages.update("reading files", 40, 0).left is None
    stages.update("chunking", 0, 10)
    clock.now += 0.2
    assert stages.update("chunking", 5, 10).left is None


def test_each_finished_stage_keeps_its_time():
    clock = FakeClock()
    stages = StageClock(clock)
    stages.update("reading files", 1, 0)
    clock.now += 2
    stages.update("chunking", 0, 3)
    clock.now += 5
    stages.close()
    assert stages.finished == [("reading files", 2), ("chunking", 5)]


def test_the_terminal_gets_a_line_per_stage_start_and_end():
    out = io.StringIO()
    log = LogProgress(stream=out, every=3600)
    log("reading files", 1, 0)
    log("reading files", 2, 0)
    log("chunking", 1, 2)
    log.finish("ready")
    lines = out.getvalue().splitlines()
    assert lines[0] == "studykg: reading files…" and lines[2] == "studykg: chunking…"
    assert lines[1].startswith("studykg: reading files: done in ") and lines[3].startswith("studykg: chunking: done in ")
    assert lines[-1] == "studykg: ready" and len(lines) == 5


def test_seconds_read_as_minutes_past_one_minute():
    assert format_seconds(8.4) == "8 s" and format_seconds(125) == "2 min 5 s"
