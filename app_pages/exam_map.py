"""Exam map: the chosen exam's domains and weights, the learner's readiness per domain and task
statement (weakest first, with a link to practise it), and what the graph and notes hold for each."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from app_pages import common
from app_pages.charts import DomainCounts, domain_chart_spec
from app_pages.cards import small
from app_pages.i18n import _
from app_pages.markup import escape, escape_inline
from kg.exams import domain_members, exam_profiles, task_coverage
from study.readiness import carried_over, shared_tasks

SKG = "https://w3id.org/studykg/ontology#"
MENTIONS = f"PREFIX skg: <{SKG}> SELECT ?entity (COUNT(?chunk) AS ?n) WHERE {{ ?chunk skg:mentions ?entity }} GROUP BY ?entity"


def _number(value: str | None) -> int | None:
    try:
        return int(float(value)) if value not in (None, "") else None
    except ValueError:
        return None


@st.cache_data(show_spinner=False)
def exam_overview(version: str, exam_code: str, _index, _exam) -> tuple[list[DomainCounts], dict[str, int], dict[str, tuple[str, ...]]]:
    """Per-domain counts, mentions per entity and members per domain; computed once per index version and exam."""
    mentions = {row["entity"]: _number(row["n"]) or 0 for row in _index.sparql(MENTIONS)}
    members = domain_members(_index.graph, _exam, task_coverage(_index.graph, _exam))
    rows = []
    for domain in _exam.domains:
        entities = [_index.graph.entities[iri] for iri in members[domain.iri]]
        chunks = {c for e in entities for c in _index.mentioned_in(e.iri)}
        rows.append(
            DomainCounts(
                name=domain.name,
                label=domain.label,
                weight=domain.weight,
                by_type=dict(Counter(e.type for e in entities)),
                passages=len(chunks),
                documents=len({c.rsplit("#", 1)[0] for c in chunks}),
            )
        )
    return rows, mentions, members


def readiness_line(area) -> str:
    if area.answered:
        accuracy = _("{share:.0%} right ({right}/{answered})").format(share=area.accuracy, right=area.correct, answered=area.answered)
    else:
        accuracy = _("not practised yet")
    return accuracy + " · " + _("{due} of {cards} cards due").format(due=area.due, cards=area.cards)


index = common.get_index()
exam = common.exam_picker(index)
session = common.study_session(index, exam)
st.title(_("Exam map"))
status = _("retired on {date}").format(date=exam.retired_on) if exam.is_retired() else _("the current exam")
st.caption(
    _("{exam}, {title} ({status}), has {n} content domains, weighted by their share of scored questions.").format(
        exam=escape_inline(exam.code), title=escape_inline(exam.title), status=escape_inline(status), n=len(exam.domains))
)
if not exam.domains:
    st.warning(_("The graph has no domains for this exam yet (skg:ExamDomain with skg:inExam)."), icon=":material/map:")
    st.stop()

try:
    with st.spinner(_("Counting what the graph and the notes hold…")):
        rows, mentions, members = exam_overview(str(index.folder), exam.code, index, exam)
except common.USER_ERRORS as exc:
    common.fail(exc, _("Could not draw the exam map:"))

# Cards rather than bare metrics: a metric's label is one line and cut the fourth domain's
# long name short; here the name wraps and the passage counts sit with it.
for number, (column, row) in enumerate(zip(st.columns(len(rows)), rows), 1):
    with column.container(border=True, height="stretch"):
        domain_number = _("Domain {n}").format(n=number)  # outside the f-string, where pybabel extract finds it
        st.markdown(f"{small(domain_number)}  \n**{escape_inline(row.label)}**")
        weight = f"{row.weight} %" if row.weight is not None else "–"
        st.metric(row.label, weight, help=_("Share of the scored questions"), label_visibility="collapsed")
        st.caption(_("{passages:,} passages in {documents:,} documents").format(passages=row.passages, documents=row.documents))

# ---- readiness -----------------------------------------------------------------
st.subheader(_("Your readiness, weakest first"), anchor=False)
st.caption(_("From your quiz answers and flashcards, kept in your learner database; each answer counts once, "
             "for the task statement it was asked for."))
others = {e.code: e for e in exam_profiles(index.graph) if e.code != exam.code}
for code, (counted, total) in carried_over(index.graph, exam, session.learner).items():
    shared = len(shared_tasks(index.graph, exam, others[code])) if code in others else 0
    st.caption(
        _("{counted} of your {total} answers for {other} count here too: an answer moves {exam} readiness only on the "
          "{shared} of its {tasks} task statements both exams share.").format(
            counted=counted, total=total, other=escape_inline(code), exam=escape_inline(exam.code), shared=shared,
            tasks=len(exam.tasks))
    )
for place, ready in enumerate(session.readiness()):
    domain = ready.domain
    with st.container(border=True, key=f"readiness_{domain.name}"):
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.markdown(f"**{escape_inline(domain.number)}. {escape_inline(domain.label)}** ({domain.weight} %)  \n"
                      f":small[{escape_inline(readiness_line(domain))}]")
        right.page_link(common.PRACTICE, label=_("Practise this domain"), icon=":material/quiz:",
                        query_params={"exam": exam.code, "domain": domain.number})
        st.progress(domain.accuracy or 0.0, text=None)  # mastery (Laplace) orders the domains; the bar shows what was answered
        with st.expander(_("Task statements"), expanded=place == 0):
            for task in ready.tasks:
                st.markdown(f"**{escape_inline(task.number)}** {escape_inline(task.label)} · :small[{escape_inline(readiness_line(task))}]")

# ---- what studykg holds ----------------------------------------------------------
st.subheader(_("What studykg holds per domain"), anchor=False)
st.echarts_chart(domain_chart_spec(rows), height=300, alt=_("Entities of the knowledge graph per exam domain, by type"))
st.caption(_("Entities of the knowledge graph tested in each domain, by type. Open a domain below to see where to start."))

st.subheader(_("Where to start"), anchor=False)
for tab, row, profile in zip(st.tabs([r.label for r in rows]), rows, exam.domains):
    with tab:
        domain = index.entity(profile.iri)
        st.markdown(escape(domain.definition))
        st.caption(_("{passages:,} passages in {documents:,} documents mention this domain's entities.").format(
            passages=row.passages, documents=row.documents))
        common.entity_link(domain.iri, _("Open {name} in the graph").format(name=domain.label), domain.type)
        left, right = st.columns(2, gap="large")
        with left:
            st.markdown("**" + _("Task statements") + "**")
            for task in profile.tasks:
                common.entity_link(task.iri, f"{task.number} {task.label}".strip(), "TaskStatement")
        with right:
            st.markdown("**" + _("Most discussed in the notes") + "**")
            topical = [index.graph.entities[iri] for iri in members[profile.iri]]
            topical.sort(key=lambda e: (-mentions.get(e.iri, 0), e.label))
            common.entity_chips([e.ref() for e in topical[:12]], f"topics_{row.name}")
