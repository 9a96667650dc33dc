"""Find a path: how two entities connect in the graph, as a chain of labelled edges and a drawing."""

from __future__ import annotations

from functools import partial

import streamlit as st

from app_pages import common
from app_pages.i18n import _, current, ngettext
from app_pages.pickers import entity_picker
from app_pages.charts import chart_height, graph_spec, path_view
from app_pages.markup import escape_inline
from kg import relation_phrase


def chain(nodes, edges) -> str:
    """"**Random Cut Forest** *is supported by* **Amazon Kinesis Data Analytics**": the path read left to right.

    Each step uses the phrase for its real direction, so the chain reads as a sentence
    instead of arrows the learner must turn around.
    """
    parts = [f"**{escape_inline(nodes[0].label)}**"]
    for step, node in zip(edges, nodes[1:]):
        phrase = relation_phrase(step.predicate, step.direction, current(), step.label)
        parts.append(f" → *{escape_inline(phrase)}* → **{escape_inline(node.label)}**")
    return "".join(parts)


def swap() -> None:
    state = st.session_state
    state.path_from, state.path_to = state.get("path_to"), state.get("path_from")
    common.to_url("path_from", "from")
    common.to_url("path_to", "to")


index = common.get_index()
st.title(_("Find a path"))
st.caption(_("How does one thing lead to another? The shortest chain of relations between two entities, and a few other short ones."))

first, second, third = st.columns([5, 5, 2], vertical_alignment="bottom")
source = entity_picker(index, "path_from", "from", label=_("From"), container=first)
target = entity_picker(index, "path_to", "to", label=_("To"), container=second)
third.button(_("Swap"), icon=":material/swap_horiz:", on_click=swap, width="stretch")
alternatives = st.slider(_("Other paths to show"), 0, 5, 3, key="path_alternatives")

if not (source and target):
    st.info(_("Pick two entities, for example:"), icon=":material/route:")
    st.page_link(
        common.PATH, label="Random Cut Forest → Kinesis Data Analytics", icon=":material/route:",
        query_params={"from": "RandomCutForest", "to": "KinesisDataAnalytics"},
    )
    st.stop()

try:
    result = index.path(source, target, alternatives=alternatives)
except common.USER_ERRORS as exc:
    common.fail(exc, _("Could not find a path:"))

if not result.nodes:
    st.warning(
        _("No chain of relations links {source} and {target} in the graph.").format(
            source=escape_inline(result.source.label), target=escape_inline(result.target.label)),
        icon=":material/link_off:",
    )
    st.stop()

steps = len(result.edges)
st.subheader(ngettext("Shortest path: {n} step", "Shortest path: {n} steps", steps).format(n=steps), anchor=False)
st.markdown(chain(result.nodes, result.edges))
common.entity_chips(result.nodes, "path_nodes")

view = path_view(result, width=680)  # leaves room beside it for the end labels
chart_key = f"path:{source}:{target}:{alternatives}"
st.echarts_chart(
    graph_spec(view, center=None),  # each arrow labelled, read the way the chain above reads
    key=chart_key,
    on_select=partial(common.open_clicked_node, chart_key, view.names, common.BROWSE),
    height=chart_height(view, 360),
    renderer="svg",
    alt=_("Paths from {source} to {target}").format(source=result.source.label, target=result.target.label),
)
st.caption(_("Solid arrows: the shortest path; dashed: the other paths. Each arrow reads like the sentences here, "
             "from one entity to the next. Click a node to open its page."))

if result.alternatives:
    st.subheader(_("Other paths"), anchor=False)
    for number, (nodes, edges) in enumerate(result.alternatives, 1):
        st.markdown(f"{number}\\. " + chain(nodes, edges))
