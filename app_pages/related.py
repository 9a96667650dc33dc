"""Related topics: what to study next to an entity, each with the reason the graph and the notes give."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.i18n import _, current
from app_pages.pickers import entity_picker
from app_pages.markup import escape_inline
from kg import explain_path, together_phrase


def reason(topic) -> str:
    """Why, in a learner's words: the chain of relations ("Firehose delivers data to S3"), then how often the notes pair them."""
    parts = []
    if topic.steps:
        sentences = explain_path(topic.path, topic.steps, current())
        if len(topic.steps) == 1:
            lead = _("Directly linked")
        else:
            lead = _("Linked through {names}").format(names=", ".join(n.label for n in topic.path[1:-1]))
        parts.append(f"{lead}: " + "; ".join(sentences))
    elif topic.why:
        parts.append(topic.why)
    if topic.together:
        text = together_phrase(topic.together, current())
        parts.append(text[0].upper() + text[1:])
    return ". ".join(parts) + "."


index = common.get_index()
st.title(_("Related topics"))
st.caption(_(
    "Close in the graph, or discussed together in the same passages: good things to revise side by side. "
    "Specific topics come before the services that touch everything."
))

left, right = st.columns([4, 1], vertical_alignment="bottom")
name = entity_picker(index, "related_pick", container=left)
k = right.number_input(_("How many"), min_value=3, max_value=30, value=10, key="related_k")

if not name:
    st.info(_("Pick an entity to see its related topics."), icon=":material/join:")
    st.stop()

entity = index.entity(name)
try:
    topics = index.related(entity.iri, k=int(k))
except common.USER_ERRORS as exc:
    common.fail(exc, _("Could not find related topics:"))

st.subheader(_("Related to {name}").format(name=escape_inline(entity.label)), anchor=False)
common.entity_link(entity.iri, _("Open the page of {name}").format(name=entity.label), entity.type)
if not topics:
    st.caption(_("Nothing related in the graph yet."))
for rank, topic in enumerate(topics, 1):
    with st.container(border=True, key=f"related_{rank}"):
        common.entity_link(topic.entity.iri, topic.entity.label, topic.entity.type)
        aliases = " " + _("Also called {names}.").format(names=", ".join(topic.aliases[:4])) if topic.aliases else ""
        st.caption(_("Why:") + " " + escape_inline(reason(topic) + aliases))
