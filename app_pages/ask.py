"""Ask: a question in English, Vietnamese or Italian -> a concept card and the passages that answer it."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.cards import concept_card, focus_entities, hit_card
from app_pages.charts import type_title
from app_pages.i18n import N_, _, current, ngettext
from app_pages.markup import escape_inline
from indexer import SearchFilters

HITS = 8
EXAMPLES = (
    "Which service converts text to speech?",
    "phát hiện bất thường trên dữ liệu streaming",
    "Quale algoritmo per il rilevamento delle anomalie?",
    "Kinesis Data Streams vs Firehose",
)
SOURCES = {"services": N_("Service pages"), "notes": N_("Study notes"), "mine": N_("My notes")}


def use_example() -> None:
    example = st.session_state.get("ask_example")
    if example:
        st.session_state.ask_q = example
        common.to_url("ask_q", "q")
    st.session_state.ask_example = None


@st.cache_data(max_entries=128, show_spinner=False)
def search(version: str, question: str, filters: SearchFilters, lang: str | None, _index):
    """Search once per question, filters and preferred language; back, forward and reruns come from the cache."""
    return _index.search(question, HITS, filters=filters, lang=lang)


index = common.get_index()
exam = common.exam_picker(index)  # the concept card places entities in this exam's domains
st.title(_("Ask"))
st.caption(_("Ask about the AWS machine learning exams (MLA-C01, and the retired MLS-C01) in English, Vietnamese or Italian."))

common.from_url("ask_q", "q")
st.text_input(
    _("Your question"),
    key="ask_q",
    placeholder=_("e.g. which service converts text to speech?"),
    on_change=common.to_url,
    args=("ask_q", "q"),
)
st.pills(_("Try"), EXAMPLES, key="ask_example", on_change=use_example, label_visibility="collapsed")
# A preference, not a filter: passages in this language come first when they are about as good.
common.from_url("ask_lang", "lang")
preferred_options = ["", *sorted(index.manifest.languages)]
if st.session_state.ask_lang not in preferred_options:
    st.session_state.ask_lang = ""
preferred_names = {"": _("The question's language"), **common.LANGUAGES}
st.sidebar.selectbox(
    _("Prefer passages in"),
    preferred_options,
    format_func=lambda c: preferred_names.get(c, c),
    key="ask_lang",
    on_change=common.to_url,
    args=("ask_lang", "lang"),
)

# The chosen exam's domains first; another exam's carry its code (and "retired"), never unmarked.
exam_domains = {d.name: d.label for d in exam.domains}
for other in common.exam_profiles(index.graph):
    if other.code != exam.code:
        mark = _("{exam}, retired").format(exam=other.code) if other.is_retired() else other.code
        exam_domains.update({d.name: f"{d.label} ({mark})" for d in other.domains})
domains = list(exam_domains)
with st.expander(_("Filters"), icon=":material/filter_list:"):
    columns = st.columns(4)
    sources = columns[0].multiselect(
        _("Source"), list(SOURCES), format_func={k: _(v) for k, v in SOURCES.items()}.get, key="ask_sources"
    )
    langs = columns[1].multiselect(
        _("Language"), sorted(index.manifest.languages), format_func=lambda c: common.LANGUAGES.get(c, c), key="ask_langs"
    )
    chosen_domains = columns[2].multiselect(
        _("Exam domain"), domains, format_func=lambda n: exam_domains.get(n, n), key="ask_domains"
    )
    kinds = {t: type_title(t) for t in ("Service", "Algorithm", "Concept")}
    types = columns[3].multiselect(_("Entity type"), list(kinds), format_func=kinds.get, key="ask_types")

question = st.session_state.ask_q
if not question:
    st.info(
        _("Type a question and press Enter, or pick an example. The answer starts with the concept "
          "the question is about, then the passages from the notes and service pages that explain it."),
        icon=":material/lightbulb:",
    )
    st.stop()

filters = SearchFilters(
    sources=tuple(sources),
    langs=tuple(langs),
    domains=tuple(index.entity(name).iri for name in chosen_domains),
    entity_types=tuple(types),
)
try:
    result = search(str(index.folder), question, filters, st.session_state.ask_lang or None, index)
except common.USER_ERRORS as exc:
    common.fail(exc, _("Could not search this question:"))

if not result.in_material:
    st.info(
        "**" + _("Not in your material.") + "** "
        + _("Nothing in the study index is about this question. Ask about the AWS machine learning exams, their "
            "services, algorithms and concepts, or add your own notes on the My notes page."),
        icon=":material/help:",
    )
    st.stop()
if result.entities:
    # The card answers in the preferred or the question's language when the graph has it (definitions exist in en/vi/it).
    asked_in = result.language  # the preferred language, else the question's, as the search decided it
    lang = asked_in if asked_in in common.LANGUAGES else current()
    concept_card(index, result.entities[0].iri, others=result.entities[1:], lang=lang, exam=exam)
    if notes := index.searcher.notes_about(result.entities[0].iri):
        # The learner's own notes on the concept, a click away from its card.
        st.caption(_("Your notes on {name}").format(name=escape_inline(result.entities[0].label)))
        for doc_id, chunk_id, title in notes:
            common.note_link(doc_id, chunk_id, label=title)
if result.from_your_notes:
    st.subheader(_("From your notes ({n})").format(n=len(result.from_your_notes)), anchor="from-your-notes")
    for rank, hit in enumerate(result.from_your_notes, 1):
        hit_card(index, hit, rank, focus_entities(hit, result.entities), key="notes")
if not result.hits:
    st.info(_("No passage matches this question with these filters. Try fewer filters or other words."),
            icon=":material/search_off:")
    st.stop()
shown = {hit.chunk_id for hit in result.from_your_notes}  # a passage shown under "From your notes" is not repeated
passages = [hit for hit in result.hits if hit.chunk_id not in shown]
st.subheader((_("Reference passages ({n})") if shown else _("Passages ({n})")).format(n=len(passages)))
for rank, hit in enumerate(passages, 1):
    hit_card(index, hit, rank, focus_entities(hit, result.entities))
st.caption(
    ngettext("{n} passage for “{question}”", "{n} passages for “{question}”", len(result.hits)).format(
        n=len(result.hits), question=escape_inline(question))
    + " · " + _("searched in {ms} ms").format(ms=f"{result.seconds * 1000:.0f}")
)
