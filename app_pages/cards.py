"""The concept card and the hit card, shown on the Ask page (and the concept card elsewhere)."""

from __future__ import annotations

from collections import defaultdict

import streamlit as st

from indexer import Hit, StudyIndex
from kg import relation_phrase

from .charts import HUB_TYPES
from .common import LANGUAGES, UI_LANG, add_to_cards_button, entity_chips, entity_link, note_link, type_markdown
from .markup import escape, escape_inline, render

KIND_TITLES = {"service": "service page", "algorithm": "algorithm page", "note": "study note", "user": "my notes"}


def grouped_relations(index: StudyIndex, name: str, *, hubs: bool = True, lang: str = UI_LANG) -> dict[str, list]:
    """Neighbours grouped by how the relation reads from this entity ("is supported by"), in graph order.

    Grouping by phrase rather than by predicate label keeps "Random Cut Forest supports …"
    and "… supports Random Cut Forest" apart: they read "supports" and "is supported by".
    """
    groups: dict[str, list] = defaultdict(list)
    for relation in index.neighbours(name):
        if not hubs and relation.target.type in HUB_TYPES:
            continue
        groups[relation_phrase(relation.predicate, relation.direction, lang, relation.label)].append(relation.target)
    return dict(groups)


def relation_heading(phrase: str, subject: str) -> str:
    """"Random Cut Forest **is supported by** …": the subject, then how the chips below relate to it."""
    return f"{escape_inline(subject)} **{escape_inline(phrase)}** …"


def other_names(entity) -> list[str]:
    """Labels in the other study languages first, then aliases, each once."""
    names = [f"{label} ({lang})" for lang, label in entity.labels if lang != "en"]
    seen = {label.casefold() for _, label in entity.labels} | {entity.label.casefold()}
    names += [alias for alias in entity.aliases if alias.casefold() not in seen]
    return list(dict.fromkeys(names))


def domain_labels(index: StudyIndex, entity) -> list[str]:
    labels = []
    for iri in entity.domains:
        domain = index.graph.entities.get(iri)
        labels.append(domain.label if domain else iri)
    return labels


def definition_in(entity, lang: str) -> str:
    """The entity's definition in ``lang`` when the graph has one, else the English one."""
    by_lang = dict(entity.definitions)
    return by_lang.get(lang) or entity.definition


def entity_summary(index: StudyIndex, entity, *, max_names: int, lang: str = UI_LANG) -> list[str]:
    """An entity's type, definition (in ``lang`` when the graph has it), other names and exam domains, as Markdown blocks."""
    lines = [type_markdown(entity.type)]
    definition = definition_in(entity, lang)
    lines.append(escape(definition) if definition else "_The graph has no definition for it yet._")
    names = other_names(entity)
    if names:
        lines.append(small("Also called: " + ", ".join(escape_inline(n) for n in names[:max_names])))
    domains = domain_labels(index, entity)
    if domains:
        lines.append(small("Exam domain: " + " · ".join(escape_inline(d) for d in domains)))
    return lines


def small(text: str) -> str:
    """Markdown for a caption-like line inside a larger Markdown block (``text`` already escaped)."""
    return f":small[:gray[{text}]]"


def concept_card(index: StudyIndex, iri: str, *, heading: str = "Best matching concept", others=(), lang: str = UI_LANG) -> None:
    """Type, definition, key relations, labels in other languages and exam domains of one entity.

    ``lang`` is the question's language: the definition and the relation phrases use it
    when the graph has them, so a question in Vietnamese gets a Vietnamese answer.
    """
    entity = index.entity(iri)
    with st.container(border=True, key="concept_card"):
        left, right = st.columns([3, 2], gap="large")
        with left:
            lines = [small(heading), f"### {escape_inline(entity.label)}", *entity_summary(index, entity, max_names=10, lang=lang)]
            st.markdown("\n\n".join(lines))
            entity_link(entity.iri, f"Open the page of {entity.label}", entity.type)
        with right:
            st.caption("Key relations")
            groups = grouped_relations(index, entity.iri, hubs=False, lang=lang)
            if not groups:
                st.caption("No relations in the graph.")
            for number, (phrase, targets) in enumerate(list(groups.items())[:5]):
                entity_chips(targets, f"card_relation_{number}", limit=4, label=relation_heading(phrase, entity.label))
        if others:
            entity_chips(others, "card_others", limit=6, label=small("Other matching concepts"))


def heading_tail(title: str, heading: str) -> str:
    """The heading path without the document title it repeats: "Amazon Polly > Limits" -> "Limits"."""
    if not heading or heading == title:
        return ""
    prefix = f"{title} > "
    return heading[len(prefix) :] if heading.startswith(prefix) else heading


def why_text(hit: Hit) -> str:
    """Why a passage matched, in words: its rank in each retriever and the entities it shares with the question."""
    parts = hit.why.reasons() or ["about the concepts the question points to in the graph"]
    return "; ".join(parts) + "."


def source_line(source: str, line_start: int, line_end: int, lang: str, kind: str | None = None) -> str:
    """"notes/kinesis.en.md · lines 3–9 · English · study note", escaped."""
    lines = "" if not line_end else f" · line {line_start}" if line_end == line_start else f" · lines {line_start}–{line_end}"
    parts = [source + lines, LANGUAGES.get(lang, lang)]
    if kind:
        parts.append(KIND_TITLES.get(kind, kind))
    return escape_inline(" · ".join(parts))


def focus_entities(hit: Hit, concepts=()) -> set[str]:
    """The entities worth highlighting in a passage: those it shares with the question, and the best concept.

    Highlighting every linked entity marked nearly every noun; these are the ones the
    learner asked about.
    """
    shared = {tag.iri for tag in hit.entities if tag.label in hit.why.entities}
    return shared | {concept.iri for concept in list(concepts)[:1]}


def hit_card(index: StudyIndex, hit: Hit, rank: int, focus: set[str] = frozenset()) -> None:
    """One passage: where it comes from, its text (Markdown) with the question's entities highlighted, and why it matched.

    The text parts are one Markdown element: each element is a message the browser must
    draw, and eight hits of five elements each made the answer noticeably slower to appear.
    """
    with st.container(border=True, key=f"hit_{rank}"):
        tail = heading_tail(hit.title, hit.heading)
        heading = f" › {escape_inline(tail)}" if tail else ""
        mentions = [m for m in index.graph.link(hit.text) if m.iri in focus]
        st.markdown(
            f"**{rank}. {escape_inline(hit.title or hit.source)}**{heading}  \n"
            f"{small(source_line(hit.source, hit.line_start, hit.line_end, hit.lang, hit.kind))}\n\n"
            f"{render(hit.text, mentions)}\n\n"
            f"{small('Why: ' + escape_inline(why_text(hit)))}"
        )
        left, right = st.columns([4, 1], vertical_alignment="center")
        with left:
            refs = [index.graph.entities[t.iri].ref() for t in hit.entities if t.iri in index.graph.entities]
            entity_chips(refs, f"hit_entities_{rank}", limit=8)
        with right:
            note_link(hit.chunk_id.rsplit("#", 1)[0], hit.chunk_id)
            add_to_cards_button(index, f"hit_add_card_{rank}", chunk_id=hit.chunk_id)
