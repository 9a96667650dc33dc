"""The concept card and the hit card, shown on the Ask page (and the concept card elsewhere)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import streamlit as st

from indexer import Hit, StudyIndex
from indexer.formats import is_converted, page_of
from kg import relation_phrase
from kg.exams import ExamProfile, current_exam, exam_of, exam_placement, exam_profiles

from .charts import HUB_TYPES
from .common import LANGUAGES, add_to_cards_button, entity_chips, entity_link, note_link, type_markdown
from .i18n import N_, _, current
from .markup import escape, escape_inline, render

KIND_TITLES = {"service": N_("service page"), "algorithm": N_("algorithm page"), "note": N_("study note"), "user": N_("my notes")}


def grouped_relations(index: StudyIndex, name: str, *, hubs: bool = True, lang: str | None = None) -> dict[str, list]:
    """Neighbours grouped by how the relation reads from this entity ("is supported by"), in graph order.

    Grouping by phrase rather than by predicate label keeps "Random Cut Forest supports …"
    and "… supports Random Cut Forest" apart: they read "supports" and "is supported by".
    """
    groups: dict[str, list] = defaultdict(list)
    lang = lang or current()
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


def exam_lines(index: StudyIndex, entity, exam: ExamProfile | None) -> list[str]:
    """Where the entity sits in the chosen exam ("MLA-C01 · 3. Deployment … (3.1, 3.3)"); other exams' domains marked.

    Without a chosen exam, the current one. An entity the chosen exam does not cover says so,
    and its domains in another exam come with that exam's code (and "retired" when it is).
    """
    exam = exam or current_exam(index.graph)
    lines = []
    for domain, tasks in exam_placement(index.graph, exam, entity.iri):
        numbers = ", ".join(t.number for t in tasks)
        lines.append(f"{exam.code} · {domain.number}. {domain.label} ({numbers})")
    if entity.type in HUB_TYPES:
        owner = exam_of(index.graph, entity.iri)
        if owner is not None:
            template = _("{exam} (retired) exam structure") if owner.is_retired() else _("{exam} exam structure")
            return [template.format(exam=owner.code)]
    if not lines:
        lines.append(_("Not linked to a {exam} task statement").format(exam=exam.code))
        for other in exam_profiles(index.graph):
            if other.code == exam.code:
                continue
            names = [d.label for d in other.domains if d.iri in entity.domains]
            if names:
                code = _("{exam} (retired)").format(exam=other.code) if other.is_retired() else other.code
                lines.append(f"{code}: {' · '.join(names)}")
    return lines


def definition_in(entity, lang: str) -> str:
    """The entity's definition in ``lang`` when the graph has one, else the English one."""
    by_lang = dict(entity.definitions)
    return by_lang.get(lang) or entity.definition


def entity_summary(index: StudyIndex, entity, *, max_names: int, lang: str | None = None,
                   exam: ExamProfile | None = None) -> list[str]:
    """An entity's type, definition (in ``lang`` when the graph has it), other names and place in ``exam``, as Markdown blocks."""
    lines = [type_markdown(entity.type)]
    definition = definition_in(entity, lang or current())
    lines.append(escape(definition) if definition else "_" + _("The graph has no definition for it yet.") + "_")
    if entity.closed_to_new_customers:
        lines.append("**" + _("AWS no longer offers it to new customers.") + "**")
    names = other_names(entity)
    if names:
        lines.append(small(_("Also called:") + " " + ", ".join(escape_inline(n) for n in names[:max_names])))
    lines.append(small(_("Exam:") + " " + " · ".join(escape_inline(line) for line in exam_lines(index, entity, exam))))
    return lines


def small(text: str) -> str:
    """Markdown for a caption-like line inside a larger Markdown block (``text`` already escaped)."""
    return f":small[:gray[{text}]]"


def stated_facts(index: StudyIndex, entity, *, lang: str | None = None) -> None:
    """The entity's teaching facts, each with the passage of our corpus that states it, so a learner can check them."""
    facts = [r for r in index.neighbours(entity.iri) if r.stated_in]
    if not facts:
        return
    lang = lang or current()
    with st.expander(_("Where these facts are stated ({n})").format(n=len(facts)), icon=":material/verified:"):
        for number, relation in enumerate(facts):
            path, _sep, heading = relation.stated_in.partition("#")
            phrase = relation_phrase(relation.predicate, relation.direction, lang, relation.label)
            st.markdown(
                f"{escape_inline(entity.label)} **{escape_inline(phrase)}** {escape_inline(relation.target.label)}  \n"
                + small(f"{escape_inline(path)} › {escape_inline(heading)}")
            )
            if relation.passages:
                chunk_id = relation.passages[0]
                note_link(chunk_id.rsplit("#", 1)[0], chunk_id, label=_("Read the passage"))


def concept_card(index: StudyIndex, iri: str, *, heading: str | None = None, others=(), lang: str | None = None,
                 exam: ExamProfile | None = None) -> None:
    """Type, definition, key relations, labels in other languages and exam domains of one entity.

    ``lang`` is the question's language: the definition uses it when the graph has one, so a
    question in Vietnamese gets a Vietnamese answer. The relation phrases ("is used for") are
    the app's own words and follow the app's language, like every other label on the card.
    """
    entity = index.entity(iri)
    lang = lang or current()
    with st.container(border=True, key="concept_card"):
        left, right = st.columns([3, 2], gap="large")
        with left:
            lines = [small(heading or _("Best matching concept")), f"### {escape_inline(entity.label)}",
                     *entity_summary(index, entity, max_names=10, lang=lang, exam=exam)]
            st.markdown("\n\n".join(lines))
            entity_link(entity.iri, _("Open the page of {name}").format(name=entity.label), entity.type)
            stated_facts(index, entity)
        with right:
            st.caption(_("Key relations"))
            groups = grouped_relations(index, entity.iri, hubs=False)
            if not groups:
                st.caption(_("No relations in the graph."))
            for number, (phrase, targets) in enumerate(list(groups.items())[:5]):
                entity_chips(targets, f"card_relation_{number}", limit=4, label=relation_heading(phrase, entity.label))
        if others:
            entity_chips(others, "card_others", limit=6, label=small(_("Other matching concepts")))


def heading_tail(title: str, heading: str) -> str:
    """The heading path without the document title it repeats: "Amazon Polly > Limits" -> "Limits"."""
    if not heading or heading == title:
        return ""
    prefix = f"{title} > "
    return heading[len(prefix) :] if heading.startswith(prefix) else heading


def why_text(hit: Hit) -> str:
    """Why a passage matched, in words: its rank in each retriever and the entities it shares with the question.

    The app's wording of ``Why.reasons()`` (which the CLI prints in English).
    """
    why, parts = hit.why, []
    if why.dense_rank:
        parts.append(_("meaning match #{rank}").format(rank=why.dense_rank))
    if why.lexical_rank:
        parts.append(_("keyword match #{rank}").format(rank=why.lexical_rank))
    if why.entities:
        parts.append(_("mentions {names}").format(names=", ".join(why.entities)))
    return "; ".join(parts or [_("about the concepts the question points to in the graph")]) + "."


def location(source: str, line_start: int, line_end: int, heading: str = "") -> str:
    """Where a passage sits in its file, in the learner's language (``indexer.formats.location`` in words the CLI uses)."""
    if not is_converted(Path(source)):
        if not line_end:
            return ""
        if line_end == line_start:
            return _("line {n}").format(n=line_start)
        return _("lines {start}–{end}").format(start=line_start, end=line_end)
    page = page_of(heading)
    return _("page {n}").format(n=page) if page is not None else ""


def source_line(source: str, line_start: int, line_end: int, lang: str, kind: str | None = None, heading: str = "") -> str:
    """"notes/kinesis.en.md · lines 3–9 · English · study note" ("guide.pdf · page 23 · …" for a PDF passage), escaped."""
    where = location(source, line_start, line_end, heading)
    parts = [source + (f" · {where}" if where else ""), LANGUAGES.get(lang, lang)]
    if kind:
        parts.append(_(KIND_TITLES[kind]) if kind in KIND_TITLES else kind)
    return escape_inline(" · ".join(parts))


def focus_entities(hit: Hit, concepts=()) -> set[str]:
    """The entities worth highlighting in a passage: those it shares with the question, and the best concept.

    Highlighting every linked entity marked nearly every noun; these are the ones the
    learner asked about.
    """
    shared = {tag.iri for tag in hit.entities if tag.label in hit.why.entities}
    return shared | {concept.iri for concept in list(concepts)[:1]}


def hit_card(index: StudyIndex, hit: Hit, rank: int, focus: set[str] = frozenset(), *, key: str = "hit") -> None:
    """One passage: where it comes from, its text (Markdown) with the question's entities highlighted, and why it matched.

    The text parts are one Markdown element: each element is a message the browser must
    draw, and eight hits of five elements each made the answer noticeably slower to appear.
    """
    with st.container(border=True, key=f"{key}_{rank}"):  # key: another list of hits on the page ("notes")
        tail = heading_tail(hit.title, hit.heading)
        heading = f" › {escape_inline(tail)}" if tail else ""
        mentions = [m for m in index.graph.link(hit.text) if m.iri in focus]
        why = _("Why:")  # outside the f-string, where pybabel extract finds it
        st.markdown(
            f"**{rank}. {escape_inline(hit.title or hit.source)}**{heading}  \n"
            f"{small(source_line(hit.source, hit.line_start, hit.line_end, hit.lang, hit.kind, hit.heading))}\n\n"
            f"{render(hit.text, mentions)}\n\n"
            f"{small(why + ' ' + escape_inline(why_text(hit)))}"
        )
        left, right = st.columns([4, 1], vertical_alignment="center")
        with left:
            refs = [index.graph.entities[t.iri].ref() for t in hit.entities if t.iri in index.graph.entities]
            entity_chips(refs, f"{key}_entities_{rank}", limit=8)
        with right:
            note_link(hit.chunk_id.rsplit("#", 1)[0], hit.chunk_id)
            add_to_cards_button(index, f"{key}_add_card_{rank}", chunk_id=hit.chunk_id)
