"""Browse graph: one entity's page, with its neighbourhood drawn, its relations and the notes most about it.

Clicking a node in the drawing opens that node's page; the entity lives in ``?entity=``,
so a link can be shared and the browser's back and forward buttons retrace the walk.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from app_pages import common
from app_pages.cards import entity_summary, grouped_relations, heading_tail, relation_heading, small, source_line, stated_facts
from app_pages.charts import HUB_TYPES, chart_height, graph_spec, neighbourhood
from app_pages.i18n import _, ngettext
from app_pages.markup import escape_inline, excerpt, render
from app_pages.pickers import entity_picker
from indexer.reading import notes_about

NOTES_SHOWN = 8  # notes listed at first, and added by each "Show more"
RELATION_CHIPS = 12
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


@st.cache_data(max_entries=64, show_spinner=False)
def ranked_notes(version: str, iri: str, _index):
    """The notes about an entity, most about it first; once per index version and entity."""
    return notes_about(_index, iri)


def show_more(key: str) -> None:
    st.session_state[key] = st.session_state.get(key, NOTES_SHOWN) + NOTES_SHOWN


def note_card(index, iri: str, item, number: int) -> None:
    """A note's best passage about the entity: the block that mentions it, and a link to the whole note."""
    chunk = index.chunk(item.chunk_id)
    tail = heading_tail(chunk.title, chunk.heading)
    heading = f" › {escape_inline(tail)}" if tail else ""
    found = [m for m in index.graph.link(chunk.text) if m.iri == iri]
    text, spans, before, after = excerpt(chunk.text, found)
    more = " · " + escape_inline(_("{n} passages mention it").format(n=item.passages)) if item.passages > 1 else ""
    with st.container(border=True, key=f"note_{number}"):
        st.markdown(
            f"**{escape_inline(chunk.title or chunk.source)}**{heading}  \n"
            f"{small(source_line(chunk.source, chunk.line_start, chunk.line_end, chunk.lang) + more)}\n\n"
            + ("…\n\n" if before else "")
            + render(text, spans)
            + ("\n\n…" if after else "")
        )
        left, right = st.columns(2)
        with left:
            common.note_link(chunk.doc_id, chunk.chunk_id)
        with right:
            common.add_to_cards_button(index, f"browse_add_passage_{number}", chunk_id=chunk.chunk_id)


index = common.get_index()
exam = common.exam_picker(index)
st.title(_("Browse the graph"))
current = entity_picker(index, "browse_pick")

if not current:
    st.info(_("Pick an entity above, or start from one of these."), icon=":material/hub:")
    starters = []
    for name in STARTERS:
        try:
            starters.append(index.entity(name).ref())
        except common.USER_ERRORS:
            pass  # a graph without this entity still opens
    common.entity_chips(starters, "starters", page=None)
    st.caption(_("The domains of {exam}").format(exam=escape_inline(exam.code)))
    common.entity_chips([index.entity(d.iri).ref() for d in exam.domains], "domains", page=None)
    st.stop()

entity = index.entity(current)
trail = remember(entity.name)
if len(trail) > 1:
    common.entity_chips([index.entity(name).ref() for name in trail[:-1]], "trail", page=None, label=small(_("Visited")))

# ---- what it is ---------------------------------------------------------------
st.header(escape_inline(entity.label), anchor=False)
st.markdown("\n\n".join(entity_summary(index, entity, max_names=12, exam=exam)))
with st.container(horizontal=True, gap="small"):
    st.page_link(common.RELATED, label=_("Related topics"), icon=":material/join:", query_params={"entity": entity.name})
    st.page_link(common.PATH, label=_("Find a path from here"), icon=":material/route:", query_params={"from": entity.name})
    common.add_to_cards_button(index, "browse_add_cards", entity=entity.name)

# ---- neighbourhood ---------------------------------------------------------------
hops = {1: _("Neighbours"), 2: _("Neighbours and theirs")}
depth = st.segmented_control(_("Depth"), list(hops), default=1, key="browse_depth", format_func=hops.get) or 1
exam_hubs = frozenset({d.iri for d in exam.domains} | {t.iri for t in exam.tasks})
view = neighbourhood(index.graph, entity, depth=depth, hubs=None if entity.type in HUB_TYPES else exam_hubs)
chart_key = f"graph:{entity.name}:{depth}"
st.echarts_chart(
    graph_spec(view, center=entity.iri, edge_labels=False),
    key=chart_key,
    on_select=partial(common.open_clicked_node, chart_key, view.names, None),
    height=chart_height(view),
    renderer="svg",  # nodes and labels as SVG elements: crisp, and a browser test can find them
    alt=_("Graph of {name} and its neighbours").format(name=entity.label),
)
more = " " + ngettext(
    "The {n} most general one is left out of the drawing; the relations below list them all.",
    "The {n} most general ones are left out of the drawing; the relations below list them all.", view.hidden,
).format(n=view.hidden) if view.hidden else ""
st.caption(_("The most specific neighbours, grouped by type.") + more + " "
           + _("Click a node to open it; hover a node to see its links."))

# ---- relations and notes -------------------------------------------------------
left, right = st.columns([2, 3], gap="large")
with left:
    st.subheader(_("Relations"), anchor=False)
    groups = grouped_relations(index, entity.iri, hubs=entity.type in HUB_TYPES)  # the exam line above places it
    if not groups:
        st.caption(_("No relations in the graph."))
    for number, (phrase, targets) in enumerate(groups.items()):
        common.entity_chips(targets, f"relation_{number}", page=None, limit=RELATION_CHIPS, label=relation_heading(phrase, entity.label))
        if len(targets) > RELATION_CHIPS:
            st.caption(_("and {n} more").format(n=len(targets) - RELATION_CHIPS))
    stated_facts(index, entity)
with right:
    notes = ranked_notes(str(index.folder), entity.iri, index)
    st.subheader(_("Notes about it ({n})").format(n=len(notes)), anchor=False)
    if not notes:
        st.caption(_("No passage of the notes or service pages mentions it yet."))
    else:
        st.caption(_("Its own page first, then the notes most about it: it in a heading, and how much of each passage is about it."))
    shown_key = f"notes_shown:{entity.name}"
    shown = st.session_state.get(shown_key, NOTES_SHOWN)
    for number, item in enumerate(notes[:shown], 1):
        note_card(index, entity.iri, item, number)
    if len(notes) > shown:
        st.button(
            _("Show more ({n} left)").format(n=len(notes) - shown), icon=":material/expand_more:", key="notes_more",
            on_click=show_more, args=(shown_key,),
        )
