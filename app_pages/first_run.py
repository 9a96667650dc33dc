"""The page a learner sees while the first study index is built: one build, followed by every tab.

The build runs in a thread of its own (``indexer.first_run.BackgroundBuild``), or in another
process such as ``studykg build``; each page run only reads the status file that build
publishes and draws it: the stages done, with ✓ and their time, and the current one as an
open progress bar with a spinner and the time left. A reload or a second tab draws the same
build again; none starts another.
"""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from indexer.first_run import BackgroundBuild, usable_index
from indexer.layout import index_path_or_default
from indexer.progress import BuildStatus, LogProgress, read_status

from .errors import error_markdown
from .i18n import _
from .progress_text import describe, finished_lines, seconds_text, stage_name

POLL_SECONDS = 0.5


def ensure_ready(location: str) -> bool:
    """Return once the study index at ``location`` exists; until then build it once and show the build.

    Returns whether the page had to wait (so it can say the index is ready). The build
    itself is never tied to this page's run: the learner may reload or close the tab.
    """
    path = index_path_or_default(location or None)
    if usable_index(path):
        return False
    build = BackgroundBuild.for_index(path)
    build.start(LogProgress())
    started = time.monotonic()
    frame = st.empty()
    with frame.container():
        st.title(_("Setting up studykg"))
        st.info(
            _("There is no study index yet, so studykg is building one from the shipped notes, service pages and "
              "knowledge graph. This happens once; later starts open it at once. Reloading this page or opening "
              "another tab follows the same build."),
            icon=":material/construction:",
        )
        stages = st.empty()
        bar = st.progress(0.0, text=_("Starting the build…"))
        with st.spinner(_("Building the study index…")):
            while not usable_index(path):
                if not build.running():
                    _stopped_or_restart(path, build)
                _draw(read_status(path), stages, bar)
                time.sleep(POLL_SECONDS)
        _draw(read_status(path), stages, bar)
        bar.progress(1.0, text=_("Study index ready after {time}").format(time=seconds_text(time.monotonic() - started)))
    frame.empty()
    return True


def _stopped_or_restart(path: Path, build: BackgroundBuild) -> None:
    """No writer is left and there is no index: say why the build failed, or start one (the joined writer died)."""
    status = read_status(path)
    error = build.error or (status.error if status and status.state == "failed" else "")
    if error and not usable_index(path):
        # The build's error is the library's English message (the status file is shared with the CLI).
        st.error(error_markdown(_("The study index could not be built:"), error), icon=":material/error:")
        st.stop()
    build.start(LogProgress())


def _draw(status: BuildStatus | None, stages, bar) -> None:
    """The finished stages with ✓ and their time; the current one as the bar's fraction, counts and time left."""
    if status is None:
        return
    lines = [finished_lines(status.finished)] if status.finished else []
    timing = status.timing_now()
    if timing is not None and status.state == "running":
        lines.append(f"- :material/progress_activity: **{stage_name(timing.stage)}…**")
        whole = _(" · the build has run {time}").format(time=seconds_text(time.time() - status.started)) if status.started else ""
        bar.progress(timing.fraction, text=describe(timing) + whole)
    stages.markdown("\n".join(lines))
