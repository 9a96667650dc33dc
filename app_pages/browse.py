"""Browse graph: one entity's page, with its relations, the notes that mention it and its neighbourhood drawn.

Clicking a node in the drawing opens that node's page; the entity lives in ``?entity=``,
so a link can be shared and the browser's back and forward buttons retrace the walk.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from app_pages import common
from app_pages.cards import entity_summary, grouped_relations, heading_tail, relation_heading, small, source_line
from app_pages.charts import graph_spec, neighbourhood
from app_pages.markup import escape_inline, highlight, snippet

CAPS = {1: 40, 2: 70}
NOTES_SHOWN = 12
STARTERS = ("SageMaker", "RandomCutForest", "KinesisDataAnalytics", "Polly", "XGBoost", "Overfitting")


def remember(name: str) -> list[str]:
    """The entities visited in this session, latest last (a trail of links back)."""
    trail = st.session_state.setdefault("browse_trail", [])
    if not trail or trail[-1] != name:
        if name in trail:
            trail.remove(name)
        trail.append(name)
        del trail[:-8]
    return trail


index = common.get_index()
st.title("Browse the graph")
current = common.entity_picker(index, "browse_pick")

if not current:
    st.info("Pick an entity above, or start from one of these.", icon=":material/hub:")
    starters = []
    for name in STARTERS:
        try:
            starters.append(index.entity(name).ref())
        except common.USER_ERRORS:
            pass  # a graph without this entity still opens
    common.entity_chips(starters, "starters", page=None)
    st.caption("The exam domains")
    common.entity_chips([index.entity(n).ref() for n in common.entity_names(index, ("ExamDomain",))], "domains", page=None)
    st.stop()

entity = index.entity(current)
trail = remember(entity.name)
if len(trail) > 1:
    common.entity_chips([index.entity(name).ref() for name in trail[:-1]], "trail", page=None, label=small("Visited"))

# ---- what it is ---------------------------------------------------------------
st.header(escape_inline(entity.label), anchor=False)
st.markdown("\n\n".join(entity_summary(index, entity, max_names=12)))
with st.container(horizontal=True, gap="small"):
    st.page_link(common.RELATED, label="Related topics", icon=":material/join:", query_params={"entity": entity.name})
    st.page_link(common.PATH, label="Find a path from here", icon=":material/route:", query_params={"from": entity.name})
    common.add_to_cards_button(index, "browse_add_cards", entity=entity.name)

# ---- neighbourhood and relations ---------------------------------------------
left, right = st.columns([3, 2], gap="large")
with left:
    hops = {1: "1 hop", 2: "2 hops"}
    depth = st.segmented_control("Depth", list(hops), default=1, key="browse_depth", format_func=hops.get) or 1
    view = neighbourhood(index.graph, entity, depth=depth, cap=CAPS[depth])
    chart_key = f"graph:{entity.name}:{depth}"
    st.echarts_chart(
        graph_spec(view, center=entity.iri, edge_labels=depth == 1),
        key=chart_key,
        on_select=partial(common.open_clicked_node, chart_key, view.names, None),
        height=520,
        renderer="svg",  # nodes and labels as SVG elements: crisp, and a browser test can find them
        alt=f"Graph of {entity.label} and its neighbours",
    )
    more = f"; {view.hidden} more left out to keep it readable" if view.hidden else ""
    st.caption(f"{len(view.nodes) - 1} neighbours within {hops[depth]}{more}. Click a node to open it; drag to move, scroll to zoom.")
with right:
    st.subheader("Relations", anchor=False)
    groups = grouped_relations(index, entity.iri)
    if not groups:
        st.caption("No relations in the graph.")
    for number, ((label, direction), targets) in enumerate(groups.items()):
        heading = relation_heading(label, direction, entity.label)
        common.entity_chips(targets, f"relation_{number}", page=None, limit=12, label=heading)
        if len(targets) > 12:
            st.caption(f"and {len(targets) - 12} more")

# ---- notes that mention it ---------------------------------------------------
chunk_ids = index.mentioned_in(entity.iri)
st.subheader(f"Notes that mention it ({len(chunk_ids)})", anchor=False)
if not chunk_ids:
    st.caption("No passage of the notes or service pages mentions it yet.")
for chunk_id in chunk_ids[:NOTES_SHOWN]:
    chunk = index.chunk(chunk_id)
    tail = heading_tail(chunk.title, chunk.heading)
    heading = f" › {escape_inline(tail)}" if tail else ""
    found = [m for m in index.graph.link(chunk.text) if m.iri == entity.iri]
    text, spans = snippet(chunk.text, found)
    with st.container(border=True):
        st.markdown(
            f"**{escape_inline(chunk.title or chunk.source)}**{heading}  \n"
            f"{small(source_line(chunk.source, chunk.line_start, chunk.line_end, chunk.lang))}\n\n{highlight(text, spans)}"
        )
        common.add_to_cards_button(index, f"browse_add_passage_{chunk_id}", chunk_id=chunk_id)
if len(chunk_ids) > NOTES_SHOWN:
    st.caption(f"and {len(chunk_ids) - NOTES_SHOWN} more passages; ask a question to rank them.")
