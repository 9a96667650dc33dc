"""A note: the whole document a passage came from, opened at that passage, with its entities and similar notes.

Reached from every passage (Ask, Browse graph) as ``/note?doc=…&chunk=…``, so a note
at a passage can be shared and back and forward work. The passages before the one asked
for are folded away, so the page opens at it; the rest of the note follows.
"""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.cards import heading_tail, small, source_line
from app_pages.i18n import _
from app_pages.markup import clip, escape_inline, render
from indexer.formats import page_of
from indexer.reading import document_chunks, document_entities, similar_notes

ENTITIES_SHOWN = 16
TITLE_CHARS = 90  # a longer title is clipped with an ellipsis, the whole of it a hover away
LINK_CHARS = 60


@st.cache_data(max_entries=64, show_spinner=False)
def note_parts(version: str, doc_id: str, _index):
    """The note's passages, entities and similar notes; once per index version and note."""
    return document_chunks(_index, doc_id), document_entities(_index, doc_id), similar_notes(_index, doc_id, k=6)


def passage_markdown(chunk, previous_heading: str, spans) -> str:
    """A passage with its heading when the heading changed; the note's headings stay headings."""
    tail = heading_tail(chunk.title, chunk.heading)
    heading = f"#### {escape_inline(tail)}\n\n" if tail and chunk.heading != previous_heading else ""
    return heading + render(chunk.text, spans, headings="keep")


index = common.get_index()
doc_id = st.query_params.get("doc", "")
chunk_id = st.query_params.get("chunk", "")
if not doc_id and chunk_id:
    doc_id = chunk_id.rsplit("#", 1)[0]
chunks, entities, similar = note_parts(str(index.folder), doc_id, index) if doc_id else ([], [], [])
if not chunks:
    st.title(_("Note"))
    if doc_id:
        st.warning(_("No note {doc} in the study index: it may have been removed.").format(doc=escape_inline(doc_id)),
                   icon=":material/article:")
    else:
        st.info(_("Open a note from a passage on the Ask or Browse graph page."), icon=":material/article:")
    st.page_link(common.ASK, label=_("Ask a question"), icon=":material/search:")
    st.stop()

first = chunks[0]
target = next((c for c in chunks if c.chunk_id == chunk_id), None)
if target is None and st.query_params.get("page", "").isdigit():  # a PDF opened at a page: /note?doc=…&page=23
    target = next((c for c in chunks if page_of(c.heading) == int(st.query_params["page"])), None)
title = first.title or first.source
shown = clip(title, TITLE_CHARS)
st.title(escape_inline(shown), anchor=False, help=escape_inline(title) if shown != title else None)
last = chunks[-1]
st.caption(source_line(first.source, first.line_start, last.line_end, first.lang, first.kind))

# The passage the learner came from is highlighted with the entities it shares with the note's topic.
focus = {iri for iri, _ in entities[:3]}
text_column, side = st.columns([2, 1], gap="large")
with text_column:
    position = chunks.index(target) if target else 0
    previous = ""
    if position:
        with st.expander(_("Before this passage ({n} of {total} passages)").format(n=position, total=len(chunks)),
                         icon=":material/unfold_less:"):
            for chunk in chunks[:position]:
                st.markdown(passage_markdown(chunk, previous, ()))
                previous = chunk.heading
    for chunk in chunks[position:]:
        if chunk is target:
            with st.container(border=True, key="note_passage"):
                st.markdown(small(_("The passage you came from")))
                mentions = [m for m in index.graph.link(chunk.text) if m.iri in focus]
                st.markdown(passage_markdown(chunk, "", mentions))
        else:
            st.markdown(passage_markdown(chunk, previous, ()))
        previous = chunk.heading

with side:
    st.subheader(_("In this note"), anchor=False)
    refs = [index.graph.entities[iri].ref() for iri, _ in entities if iri in index.graph.entities]
    if refs:
        common.entity_chips(refs, "note_entities", limit=ENTITIES_SHOWN)
    else:
        st.caption(_("No entity of the graph is named in it."))
    st.subheader(_("Notes like this one"), anchor=False)
    if not similar:
        st.caption(_("No other note shares its topics."))
    for number, note in enumerate(similar):
        labels = [index.graph.entities[iri].label for iri in note.shared[:3] if iri in index.graph.entities]
        common.note_link(note.doc.doc_id, label=clip(note.doc.title or note.doc.path, LINK_CHARS))
        st.caption(_("Also about {names}").format(names=escape_inline(", ".join(labels))))
