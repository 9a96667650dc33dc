"""What every page shares: the cached study index, one-line errors, links to entities, URL state.

Only the app imports Streamlit; answers come from ``indexer.StudyIndex`` and kg records.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable

import streamlit as st

from indexer import IndexerError, StudyIndex
from kg.errors import KGError

from .charts import TYPE_TITLES, local_name
from .markup import escape_inline

# Errors a learner can fix: shown as one line, never as a traceback.
USER_ERRORS = (IndexerError, KGError)

ASK = "app_pages/ask.py"
BROWSE = "app_pages/browse.py"
PATH = "app_pages/path.py"
RELATED = "app_pages/related.py"
EXAM_MAP = "app_pages/exam_map.py"
MY_NOTES = "app_pages/my_notes.py"

TYPE_ICONS = {
    "Service": ":material/cloud:",
    "Algorithm": ":material/function:",
    "Concept": ":material/lightbulb:",
    "ExamDomain": ":material/school:",
    "TaskStatement": ":material/checklist:",
}
TYPE_BADGE_COLORS = {"Service": "blue", "Algorithm": "green", "Concept": "orange", "ExamDomain": "violet", "TaskStatement": "violet"}
LANGUAGES = {"en": "English", "vi": "Tiếng Việt", "it": "Italiano"}


# ---- the index ---------------------------------------------------------------
def index_location() -> str:
    """The index folder as configured (``$STUDYKG_INDEX``, or "" for the default ``index/``)."""
    return os.environ.get("STUDYKG_INDEX", "")


@st.cache_resource(show_spinner="Opening the study index…", on_release=lambda index: index.close())
def _open_index(location: str) -> StudyIndex:
    # Keyed by the configured location, so tests (and users) pointing elsewhere get their own.
    index = StudyIndex.open(location or None)
    # Streamlit runs a full garbage collection after every rerun; with the encoder, FAISS
    # and the graph loaded, walking their millions of objects took ~400 ms a rerun, during
    # which no message reached the browser. Frozen objects are skipped by the collector.
    gc.freeze()
    return index


def get_index() -> StudyIndex:
    """The study index, opened once per process; a problem with it stops the page with one line."""
    try:
        return _open_index(index_location())
    except USER_ERRORS as exc:
        fail(exc)


def forget_index() -> None:
    """Drop the cached index and everything computed from it (after a build or an add)."""
    _open_index.clear()
    st.cache_data.clear()
    gc.unfreeze()  # let the old index's objects be collected; the next open freezes the new one


def fail(exc: Exception) -> None:
    """Show an error the user can fix as one line and stop the page (escaped: it may quote a path, a question, a URL)."""
    st.error(escape_inline(str(exc)), icon=":material/error:")
    st.stop()


# ---- entities ----------------------------------------------------------------
def entity_names(index: StudyIndex, types: tuple[str, ...] = ()) -> list[str]:
    """Local names of the curated entities, ordered by label, for pickers."""
    entities = index.graph.entities.values()
    chosen = [e for e in entities if not types or e.type in types]
    return [e.name for e in sorted(chosen, key=lambda e: e.label.casefold())]


def entity_caption(index: StudyIndex) -> Callable[[str], str]:
    """A picker's format_func: "Amazon Polly · Service"."""
    by_name = {e.name: e for e in index.graph.entities.values()}

    def caption(name: str) -> str:
        entity = by_name.get(name)
        return f"{entity.label} · {TYPE_TITLES.get(entity.type, entity.type)}" if entity else name

    return caption


def resolve_name(index: StudyIndex, name: str | None) -> str | None:
    """The local name of the entity ``name`` resolves to; an unknown name shows its suggestions."""
    if not name:
        return None
    try:
        return index.entity(name).name
    except USER_ERRORS as exc:
        # The message quotes the name, which may come from the URL: escaped, it cannot add links or images.
        st.warning(escape_inline(str(exc)), icon=":material/help:")
        return None


def entity_link(iri: str, label: str, type_: str, *, page: str = BROWSE) -> None:
    """A link that opens the entity's page (in the same session, so back and forward work)."""
    st.page_link(
        page,
        label=escape_inline(label),
        icon=TYPE_ICONS.get(type_),
        query_params={"entity": local_name(iri)},
    )


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
        label or "Entities",
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
    return f":{color}-badge[{TYPE_ICONS.get(type_, '')} {TYPE_TITLES.get(type_, type_)}]"


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


def entity_from_url(index: StudyIndex, key: str, param: str = "entity") -> str | None:
    """Seed entity picker ``key`` from ``?param=`` (a label, alias or local name) when the URL changed."""
    requested = st.query_params.get(param, "")
    marker = f"_url:{key}"
    if key not in st.session_state or st.session_state.get(marker) != requested:
        st.session_state[key] = resolve_name(index, requested)
        st.session_state[marker] = requested
    return st.session_state[key]


def entity_picker(index: StudyIndex, key: str, param: str = "entity", *, label: str = "Entity", container=st) -> str | None:
    """A searchable entity picker whose choice lives in ``?param=``."""
    entity_from_url(index, key, param)
    return container.selectbox(
        label,
        entity_names(index),
        index=None,
        key=key,
        format_func=entity_caption(index),
        placeholder="Type to search: a service, an algorithm, a concept…",
        on_change=to_url,
        args=(key, param),
    )


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
    """A ``progress(stage, done, total)`` callable for StudyIndex.build/add that draws ``st.progress``."""

    def __init__(self, text: str) -> None:
        self.bar = st.progress(0.0, text=text)
        self._stage = ""
        self._drawn = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        finished = bool(total) and done >= total
        # Redraw on a new stage, at the end of one, or every tenth of a second: each draw is a message to the browser.
        if stage == self._stage and not finished and now - self._drawn < 0.1:
            return
        self._stage, self._drawn = stage, now
        if total:
            self.bar.progress(min(done / total, 1.0), text=f"{stage}: {done:,} of {total:,}")
        else:
            self.bar.progress(0.0, text=f"{stage}: {done:,}")

    def done(self, text: str) -> None:
        self.bar.progress(1.0, text=text)
