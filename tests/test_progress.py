"""Build progress: stage times, the estimate of the time left, the terminal's bars and log lines,
and the status file through which one build is followed by every other caller."""

import io
import threading
import time

import pytest

from indexer.first_run import BackgroundBuild, build_once, index_busy, wait_for_writer
from indexer.layout import write_lock
from indexer.progress import Fanout, LogProgress, StageClock, StatusFile, TqdmProgress, describe, format_seconds, read_status


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


# ---- terminal bars, the shared status file, one build joined by all -------------------------
class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_stage_that_reports_only_at_its_end_still_shows_the_seconds_it_took():
    screen = Terminal()
    bars = TqdmProgress(stream=screen)
    bars("linking entities", 7, 7)
    time.sleep(1.2)  # the embedding runs, and reports only when its one batch is done
    bars("embedding chunks", 216, 216)
    bars.close()
    drawn = screen.getvalue()
    assert "embedding chunks: 100%" in drawn and "216/216 [00:01<00:00]" in drawn


def test_no_bars_are_written_into_a_pipe():
    pipe = io.StringIO()  # isatty() is False, as for `studykg remove ... | cat`
    bars = TqdmProgress(stream=pipe)
    bars("removing documents", 1, 2)
    bars("removing documents", 2, 2)
    bars.close()
    assert bars.disable and pipe.getvalue() == ""


def test_the_status_file_carries_the_stage_to_another_reader(tmp_path):
    with write_lock(tmp_path), StatusFile(tmp_path, every=0) as status:
        status("embedding chunks", 0, 100)
        status("embedding chunks", 40, 100)
        published = read_status(tmp_path)
        assert published.state == "running" and published.timing.stage == "embedding chunks"
        assert (published.timing.done, published.timing.total) == (40, 100)
        # Between two reports the stage's seconds go on counting for the reader.
        later = published.timing_now(published.updated + 5)
        assert later.elapsed == pytest.approx(published.timing.elapsed + 5)
    finished = read_status(tmp_path)
    assert finished.state == "done" and finished.timing is None
    assert [stage for stage, _ in finished.finished] == ["embedding chunks"]


def test_a_writer_waiting_for_the_lock_does_not_overwrite_the_status_of_the_one_holding_it(tmp_path):
    with write_lock(tmp_path), StatusFile(tmp_path, every=0) as holder:
        holder("chunking", 3, 10)
    waiting = StatusFile(tmp_path, every=0)
    waiting("waiting for another write to this index to finish", 0, 1)  # not holding the lock: not published
    waiting.finish("failed", "gave up")
    assert read_status(tmp_path).state == "done"


def test_a_failed_build_says_why_in_the_status_file(tmp_path):
    with pytest.raises(RuntimeError), write_lock(tmp_path), StatusFile(tmp_path) as status:
        status("checking the knowledge graph", 0, 1)
        raise RuntimeError("shapes.ttl: a label is missing")
    assert read_status(tmp_path).state == "failed" and read_status(tmp_path).error == "shapes.ttl: a label is missing"


def _hold_lock(path, release: threading.Event, holding: threading.Event, stages=()):
    with write_lock(path), StatusFile(path, every=0) as status:
        for stage in stages:
            status(*stage)
        holding.set()
        release.wait(10)


def test_a_build_elsewhere_is_joined_not_repeated(tmp_path):
    release, holding = threading.Event(), threading.Event()
    writer = threading.Thread(target=_hold_lock, args=(tmp_path, release, holding, [("embedding chunks", 64, 128)]))
    writer.start()
    try:
        holding.wait(10)
        assert index_busy(tmp_path)
        # A second caller neither builds nor waits for the lock: it joins.
        assert build_once(tmp_path) is False
        assert not BackgroundBuild.for_index(tmp_path).start()
        seen = []

        def tick(_seconds):
            release.set()
            writer.join(10)

        wait_for_writer(tmp_path, lambda *stage: seen.append(stage), sleep=tick)
        assert seen == [("embedding chunks", 64, 128)]
    finally:
        release.set()
        writer.join(10)
    assert not index_busy(tmp_path)


def test_an_index_folder_that_does_not_exist_has_no_writer(tmp_path):
    assert not index_busy(tmp_path / "nothing-here")


def test_fanout_feeds_every_reporter():
    seen_a, seen_b = [], []
    Fanout(lambda *s: seen_a.append(s), lambda *s: seen_b.append(s))("chunking", 1, 2)
    assert seen_a == seen_b == [("chunking", 1, 2)]


def test_the_app_labels_a_removal_by_what_it_does_and_marks_it_done_only_at_the_end():
    from streamlit.testing.v1 import AppTest

    def page():
        import streamlit as st

        from app_pages.common import ProgressBar

        bar = ProgressBar("Removing /notes…")
        bar("removing documents", 1, 2)
        if st.session_state.get("finish"):
            bar.done("Removed 2 documents")

    def status(at):
        return next(e for e in at.main if type(e).__name__ == "Status").proto

    at = AppTest.from_function(page, default_timeout=60).run()
    assert not at.exception
    working = status(at)
    assert working.label == "Removing documents…" and working.icon == "spinner"
    at.session_state["finish"] = True
    at.run()
    finished = status(at)
    assert finished.label == "Removed 2 documents" and finished.icon != "spinner"
