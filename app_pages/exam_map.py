"""Exam map: the four domains with their weights, what the graph and the notes hold for each, and where to start."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from app_pages import common
from app_pages.charts import DomainCounts, domain_chart_spec
from app_pages.cards import small
from app_pages.markup import escape, escape_inline

SKG = "https://w3id.org/studykg/ontology#"
WEIGHTS = f"PREFIX skg: <{SKG}> SELECT ?domain ?weight WHERE {{ ?domain a skg:ExamDomain . OPTIONAL {{ ?domain skg:weight ?weight }} }}"
TASKS = f"PREFIX skg: <{SKG}> SELECT ?task ?number WHERE {{ ?task a skg:TaskStatement . OPTIONAL {{ ?task skg:taskNumber ?number }} }}"
MENTIONS = f"PREFIX skg: <{SKG}> SELECT ?entity (COUNT(?chunk) AS ?n) WHERE {{ ?chunk skg:mentions ?entity }} GROUP BY ?entity"
# Passages and documents linked to each domain through the entities they mention.
PASSAGES = f"""PREFIX skg: <{SKG}>
SELECT ?domain (COUNT(DISTINCT ?chunk) AS ?passages) (COUNT(DISTINCT ?doc) AS ?documents) WHERE {{
  ?domain a skg:ExamDomain .
  ?entity skg:inDomain|(skg:coversTask/skg:inDomain) ?domain .
  ?chunk skg:mentions ?entity .
  OPTIONAL {{ ?chunk skg:inDocument ?doc }}
}} GROUP BY ?domain"""


def _number(value: str | None) -> int | None:
    try:
        return int(float(value)) if value not in (None, "") else None
    except ValueError:
        return None


@st.cache_data(show_spinner="Counting what the graph and the notes hold…")
def exam_overview(version: str, _index) -> tuple[list[DomainCounts], dict[str, int], dict[str, str]]:
    """Per-domain counts, mentions per entity and task numbers; computed once per index version."""
    weights = {row["domain"]: _number(row.get("weight")) for row in _index.sparql(WEIGHTS)}
    tasks = {row["task"]: row.get("number") or "" for row in _index.sparql(TASKS)}
    mentions = {row["entity"]: _number(row["n"]) or 0 for row in _index.sparql(MENTIONS)}
    passages = {row["domain"]: row for row in _index.sparql(PASSAGES)}
    rows = []
    for domain in sorted(_index.graph.entities_by_type("ExamDomain"), key=lambda d: d.iri):
        members = _index.graph.entities_in_domain(domain.iri)
        found = passages.get(domain.iri, {})
        rows.append(
            DomainCounts(
                name=domain.name,
                label=domain.label,
                weight=weights.get(domain.iri),
                by_type=dict(Counter(e.type for e in members)),
                passages=_number(found.get("passages")) or 0,
                documents=_number(found.get("documents")) or 0,
            )
        )
    # Domains in the exam guide's order: by the task numbers they hold, else by name.
    first_task = {}
    for task_iri, number in tasks.items():
        task = _index.graph.entities.get(task_iri)
        for domain_iri in task.domains if task else ():
            first_task[domain_iri] = min(first_task.get(domain_iri, number or "9"), number or "9")
    rows.sort(key=lambda r: (first_task.get(_index.entity(r.name).iri, "9"), r.name))
    return rows, mentions, tasks


index = common.get_index()
st.title("Exam map")
st.caption("The AWS Certified Machine Learning - Specialty exam has four content domains, weighted by their share of scored questions.")

try:
    rows, mentions, tasks = exam_overview(str(index.folder), index)
except common.USER_ERRORS as exc:
    common.fail(exc)
if not rows:
    st.warning("The graph has no exam domains yet (corpus/graph should define skg:ExamDomain entities).", icon=":material/map:")
    st.stop()

# Cards rather than bare metrics: a metric's label is one line and cut the fourth domain's
# long name short; here the name wraps and the passage counts sit with it.
for number, (column, row) in enumerate(zip(st.columns(len(rows)), rows), 1):
    with column.container(border=True, height="stretch"):
        st.markdown(f"{small(f'Domain {number}')}  \n**{escape_inline(row.label)}**")
        weight = f"{row.weight} %" if row.weight is not None else "–"
        st.metric(row.label, weight, help="Share of the scored questions", label_visibility="collapsed")
        st.caption(f"{row.passages:,} passages in {row.documents:,} documents")

st.subheader("What studykg holds per domain", anchor=False)
st.echarts_chart(domain_chart_spec(rows), height=300, alt="Entities of the knowledge graph per exam domain, by type")
st.caption("Entities of the knowledge graph tested in each domain, by type. Open a domain below to see where to start.")

st.subheader("Where to start", anchor=False)
for tab, row in zip(st.tabs([r.label for r in rows]), rows):
    with tab:
        domain = index.entity(row.name)
        st.markdown(escape(domain.definition))
        st.caption(f"{row.passages:,} passages in {row.documents:,} documents mention this domain's entities.")
        common.entity_link(domain.iri, f"Open {domain.label} in the graph", domain.type)
        members = index.graph.entities_in_domain(domain.iri)
        statements = sorted((e for e in members if e.type == "TaskStatement"), key=lambda e: tasks.get(e.iri, "") or e.label)
        left, right = st.columns(2, gap="large")
        with left:
            st.markdown("**Task statements**")
            for task in statements:
                number = tasks.get(task.iri, "")
                common.entity_link(task.iri, f"{number} {task.label}".strip(), task.type)
        with right:
            st.markdown("**Most discussed in the notes**")
            topical = [e for e in members if e.type in ("Service", "Algorithm", "Concept")]
            topical.sort(key=lambda e: (-mentions.get(e.iri, 0), e.label))
            common.entity_chips([e.ref() for e in topical[:12]], f"topics_{row.name}")
