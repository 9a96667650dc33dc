"""What every page shares: the cached study index, one-line errors, links to entities, URL state.

Only the app imports Streamlit; answers come from ``indexer.StudyIndex`` and kg records.
"""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import streamlit as st

from indexer import IndexerError, StudyIndex
from indexer.layout import current_version, default_index_path, index_path_or_default
from indexer.progress import LogProgress, StageClock
from kg.errors import KGError
from kg.entities import local_name
from kg.exams import ExamProfile, exam_profiles
from study.errors import StudyError
from study.learner import LEARNER_ENV, Learner
from study.practice import StudySession
from study.quiz import QuizMaker

from . import first_run
from .errors import error_markdown, toast_text
from .charts import type_title
from .i18n import N_, _, ngettext
from .markup import escape_inline
from .progress_text import describe, finished_lines, stage_name

# Errors a learner can fix: shown as one line, never as a traceback.
USER_ERRORS = (IndexerError, KGError, StudyError)

ASK = "app_pages/ask.py"
BROWSE = "app_pages/browse.py"
PATH = "app_pages/path.py"
RELATED = "app_pages/related.py"
EXAM_MAP = "app_pages/exam_map.py"
MY_NOTES = "app_pages/my_notes.py"
NOTE = "app_pages/note.py"
PRACTICE = "app_pages/practice.py"
REVIEW = "app_pages/review.py"

TYPE_ICONS = {
    "Service": ":material/cloud:",
    "Algorithm": ":material/function:",
    "Concept": ":material/lightbulb:",
    "ExamDomain": ":material/school:",
    "TaskStatement": ":material/checklist:",
}
TYPE_BADGE_COLORS = {"Service": "blue", "Algorithm": "green", "Concept": "orange", "ExamDomain": "violet", "TaskStatement": "violet"}
LANGUAGES = {"en": "English", "vi": "Tiếng Việt", "it": "Italiano"}
EXAM_STATUSES = (N_("current"), N_("retired"))  # the words of ExamProfile.status(), translated where shown


# ---- the index ---------------------------------------------------------------
def index_location() -> str:
    """The index folder as configured (``$STUDYKG_INDEX``, or "" for the default ``index/``)."""
    return os.environ.get("STUDYKG_INDEX", "")


@st.cache_resource(show_spinner=False, on_release=lambda index: index.close())
def _open_index(location: str) -> StudyIndex:
    # Keyed by the configured location, so tests (and users) pointing elsewhere get their own.
    # Everything opens now, so the first question does not wait for the encoder.
    index = StudyIndex.open(location or None).load_all()
    # Streamlit runs a full garbage collection after every rerun; with the encoder, FAISS
    # and the graph loaded, walking their millions of objects took ~400 ms a rerun, during
    # which no message reached the browser. Frozen objects are skipped by the collector.
    gc.freeze()
    return index


def get_index() -> StudyIndex:
    """The study index, opened once per process and again when a newer version is published.

    A build, add or remove from the command line publishes a new version while the app runs;
    each page run compares the live version's name (one small file) with the open one, so
    the next question sees the new notes and never a version deleted from disk. A problem
    with the index stops the page with one line.
    """
    try:
        first_run.ensure_ready(index_location())  # no index yet: join (or start) the one first build
        index = _open_with_spinner(index_location())
        if current_version(index_path_or_default(index_location() or None)).name != index.folder.name:
            forget_index()
            index = _open_with_spinner(index_location())
        return index
    except USER_ERRORS as exc:
        fail(exc, _("Could not open the study index:"))


_OPENED: set[str] = set()  # locations whose index this process holds open (cleared with the cache)


def _open_with_spinner(location: str) -> StudyIndex:
    """The cached index; the first open says so in the learner's language (a cache's own spinner text is fixed at import)."""
    if location in _OPENED:
        return _open_index(location)
    with st.spinner(_("Opening the study index…")):
        index = _open_index(location)
    _OPENED.add(location)
    return index


def forget_index() -> None:
    """Drop the cached index and everything computed from it (after a build or an add)."""
    _open_index.clear()
    _OPENED.clear()
    _quiz_maker.clear()  # its questions link the old index's passages
    st.cache_data.clear()
    gc.unfreeze()  # let the old index's objects be collected; the next open freezes the new one


def fail(exc: Exception, framing: str | None = None) -> None:
    """Show an error the user can fix and stop the page: ``framing`` (translated: what failed), what to do, the detail.

    The detail is the library's English message, escaped: it may quote a path, a question, a URL.
    """
    st.error(error_markdown(framing or _("This page cannot continue:"), exc), icon=":material/error:")
    st.stop()


# ---- entities ----------------------------------------------------------------
def entity_link(iri: str, label: str, type_: str, *, page: str = BROWSE) -> None:
    """A link that opens the entity's page (in the same session, so back and forward work)."""
    st.page_link(
        page,
        label=escape_inline(label),
        icon=TYPE_ICONS.get(type_),
        query_params={"entity": local_name(iri)},
    )


def note_link(doc_id: str, chunk_id: str | None = None, label: str | None = None) -> None:
    """A link to the note view, opened at one passage (``?doc=…&chunk=…``, so it can be shared)."""
    params = {"doc": doc_id, **({"chunk": chunk_id} if chunk_id else {})}
    st.page_link(NOTE, label=escape_inline(label or _("Read the whole note")), icon=":material/article:", query_params=params)


def entity_chips(refs, key: str, *, page: str | None = BROWSE, limit: int = 12, label: str | None = None) -> None:
    """A row of clickable entity chips in one element; a click opens the entity's page.

    One ``st.pills`` instead of a link per entity: every element is one more message for
    the browser to draw, and links made the answer to a question ~120 elements long.
    ``page=None`` means the entity page itself, where only ``?entity=`` changes; ``label``
    (Markdown) is shown above the chips.
    """
    refs = list(dict.fromkeys(refs))[:limit]
    if not refs:
        return
    by_name = {local_name(r.iri): r for r in refs}

    def caption(name: str) -> str:
        ref = by_name[name]
        return f"{TYPE_ICONS.get(ref.type, '')} {escape_inline(ref.label)}".strip()

    st.pills(
        label or _("Entities"),
        list(by_name),
        key=key,
        format_func=caption,
        on_change=_open_chip,
        args=(key, page),
        label_visibility="visible" if label else "collapsed",
        wrap=True,  # in a column the default is one scrolling row, which hides chips
    )


def _open_chip(key: str, page: str | None) -> None:
    name = st.session_state.get(key)
    st.session_state[key] = None  # a chip is a link, not a choice: never leave it selected
    if not name:
        return
    if page is None:
        st.query_params["entity"] = name
    else:
        st.session_state["_goto"] = (page, name)


def type_markdown(type_: str) -> str:
    """The entity type as a coloured badge, for use inside Markdown."""
    color = TYPE_BADGE_COLORS.get(type_, "gray")
    return f":{color}-badge[{TYPE_ICONS.get(type_, '')} {type_title(type_)}]"


# ---- state in the URL --------------------------------------------------------
def from_url(key: str, param: str, default: str = "") -> str:
    """Seed widget ``key`` from ``?param=`` whenever the URL changed (first load, a link, back/forward).

    The URL is the source of truth, so the browser's back and forward buttons step
    through what the learner looked at.
    """
    value = st.query_params.get(param, default)
    marker = f"_url:{key}"
    if key not in st.session_state or st.session_state.get(marker) != value:
        st.session_state[key] = value
        st.session_state[marker] = value
    return value


def to_url(key: str, param: str) -> None:
    """Widget callback: write the widget's value into ``?param=`` (a new history entry)."""
    value = st.session_state.get(key)
    if value:
        st.query_params[param] = str(value)
    else:
        st.query_params.pop(param, None)
    st.session_state[f"_url:{key}"] = str(value) if value else ""


def open_clicked_node(chart_key: str, names: tuple[str, ...], page: str | None) -> None:
    """``on_select`` callback of a graph: go to the clicked node's entity page.

    On the entity page itself only ``?entity=`` changes; elsewhere app.py switches page.
    """
    state = st.session_state.get(chart_key)
    if not state:
        return
    for group in state["selection"]["selected"]:
        if group.get("data_type", "node") != "node":
            continue  # an edge was clicked
        for position in group.get("data_indices", []):
            if 0 <= position < len(names):
                if page is None:
                    st.query_params["entity"] = names[position]
                else:
                    st.session_state["_goto"] = (page, names[position])
                return


# ---- progress ----------------------------------------------------------------
class ProgressBar:
    """A ``progress(stage, done, total)`` callable for StudyIndex.build/add/remove: the stages in an ``st.status``.

    The browser sees every finished stage with its time and the current one as a bar with an
    estimate of the time left; the terminal that runs ``studykg app`` gets the same as log lines.
    The status names what runs now ("Removing documents…"), after ``title`` when one is given,
    and spins until ``done`` marks it complete.
    """

    def __init__(self, text: str, *, title: str = "") -> None:
        self.title = title
        self.status = st.status(f"{title}…" if title else text, expanded=True, state="running")
        with self.status:
            self.stages = st.empty()
            self.bar = st.progress(0.0, text=text)
        self.clock = StageClock()
        self.log = LogProgress()
        self._drawn = 0.0
        self._shown_stages = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.log(stage, done, total)
        new_stage = stage != self.clock.stage
        timing = self.clock.update(stage, done, total)
        now = time.monotonic()
        finished = bool(total) and done >= total
        # Redraw on a new stage, at the end of one, or every tenth of a second: each draw is a message to the browser.
        if not (new_stage or finished) and now - self._drawn < 0.1:
            return
        self._drawn = now
        if new_stage:
            self._draw_finished_stages()
            name = stage_name(stage)
            label = f"{self.title}: {name}…" if self.title else f"{name[:1].upper()}{name[1:]}…"
            self.status.update(label=label, state="running")
        self.bar.progress(timing.fraction, text=describe(timing))

    def done(self, text: str) -> None:
        """The work is over: close the last stage and fold the status away under ``text``."""
        self.clock.close()
        self.log.finish(text)
        self._draw_finished_stages()
        self.bar.progress(1.0, text=text)
        self.status.update(label=text, state="complete", expanded=False)

    def failed(self, text: str) -> None:
        self.clock.close()
        self.log.finish(text)
        self.status.update(label=text, state="error", expanded=True)

    def _draw_finished_stages(self) -> None:
        if len(self.clock.finished) == self._shown_stages:
            return
        self._shown_stages = len(self.clock.finished)
        self.stages.markdown(finished_lines(self.clock.finished))


# ---- study mode: the learner's database and the chosen exam ---------------------------
def learner_location() -> str:
    """The learner database as configured (``$STUDYKG_LEARNER_DB``, or "" for the user data folder)."""
    return os.environ.get(LEARNER_ENV, "")


@st.cache_resource(show_spinner=False, on_release=lambda learner: learner.close())
def _open_learner(location: str, index: str) -> Learner:
    return Learner.open(location or None, index_path=Path(index) if index else default_index_path())


def get_learner() -> Learner:
    """The learner's own database, kept apart from the index; a problem with it stops the page with one line."""
    try:
        return _open_learner(learner_location(), index_location())
    except USER_ERRORS as exc:
        fail(exc, _("Could not open your study records:"))


def exam_picker(index: StudyIndex) -> ExamProfile:
    """The exam the learner prepares for, chosen in the sidebar and kept in ``?exam=`` (default: the current one)."""
    exams = {exam.code: exam for exam in exam_profiles(index.graph)}
    if not exams:
        fail(KGError("the graph defines no exam (corpus/graph/exams.ttl should define skg:Exam profiles)"),
             _("The knowledge graph is incomplete:"))
    default = next(iter(exams))  # current exams come first
    wanted = from_url("exam_pick", "exam", default)
    if wanted not in exams:
        st.sidebar.warning(_("Unknown exam '{exam}', showing {default}.").format(exam=escape_inline(wanted), default=default),
                           icon=":material/help:")
        st.session_state["exam_pick"] = default
    status = {c: _(exam.status()) for c, exam in exams.items()}  # translated now: a format_func may run after the page
    code = st.sidebar.selectbox(
        _("Exam"),
        list(exams),
        key="exam_pick",
        format_func=lambda c: f"{c} · {status[c]}",
        on_change=to_url,
        args=("exam_pick", "exam"),
        help=_("Practice questions, readiness and the exam map follow this exam."),
    )
    exam = exams[code]
    if exam.is_retired():
        if exam.replaced_by:
            text = _("{exam} was retired on {date}; its successor is {successor}.")
        else:
            text = _("{exam} was retired on {date}.")
        st.sidebar.caption(text.format(exam=exam.code, date=exam.retired_on, successor=exam.replaced_by))
    return exam


@st.cache_resource(show_spinner=False, max_entries=4)
def _quiz_maker(location: str, exam_code: str, _index: StudyIndex, _exam: ExamProfile) -> QuizMaker:
    # One per index and exam: it reads the graph's facts once, and asks the answer engine about each
    # generated question once, so later quizzes are quick.
    from study.practice import engine_checker

    return QuizMaker(_index.graph, _exam, checker=engine_checker(_index))


def study_session(index: StudyIndex, exam: ExamProfile) -> StudySession:
    """Quiz, cards and readiness for this learner and exam (cheap: the heavy parts are cached)."""
    try:
        return StudySession(index.graph, get_learner(), exam.code, maker=_quiz_maker(str(index.folder), exam.code, index, exam))
    except USER_ERRORS as exc:
        fail(exc, _("Could not start study mode:"))


def add_to_cards_button(index: StudyIndex, key: str, *, entity: str | None = None, chunk_id: str | None = None) -> None:
    """"Add to my cards" for an entity (its definition and uses) or a passage; a toast confirms."""
    st.button(_("Add to my cards"), key=key, icon=":material/add_card:", type="tertiary",
              on_click=_add_cards, args=(index, entity, chunk_id))


def _add_cards(index: StudyIndex, entity: str | None, chunk_id: str | None) -> None:
    from study.practice import passage_card
    from study.flashcards import entity_cards

    learner = get_learner()
    lang = st.session_state.get("practice_lang") or "en"
    try:
        if chunk_id:
            faces = [passage_card(index.chunk(chunk_id), index.chunk_entities(chunk_id))]
        else:
            faces = list(entity_cards(index.graph, entity, lang))
        cards = [learner.add_card(face) for face in faces]
    except USER_ERRORS as exc:
        st.toast(toast_text(_("Could not add the cards:"), exc), icon=":material/error:")
        return
    st.toast(ngettext("Added {n} card to your deck.", "Added {n} cards to your deck.", len(cards)).format(n=len(cards)),
             icon=":material/add_card:")

