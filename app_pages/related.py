"""Related topics: what to study next to an entity, each with the reason the graph and the notes give."""

from __future__ import annotations

import streamlit as st

from app_pages import common
from app_pages.markup import escape_inline

index = common.get_index()
st.title("Related topics")
st.caption("Close in the graph, or discussed together in the same passages: good things to revise side by side.")

left, right = st.columns([4, 1], vertical_alignment="bottom")
name = common.entity_picker(index, "related_pick", container=left)
k = right.number_input("How many", min_value=3, max_value=30, value=10, key="related_k")

if not name:
    st.info("Pick an entity to see its related topics.", icon=":material/join:")
    st.stop()

entity = index.entity(name)
try:
    topics = index.related(entity.iri, k=int(k))
except common.USER_ERRORS as exc:
    common.fail(exc)

st.subheader(f"Related to {escape_inline(entity.label)}", anchor=False)
common.entity_link(entity.iri, f"Open the page of {entity.label}", entity.type)
if not topics:
    st.caption("Nothing related in the graph yet.")
best = max((t.score for t in topics), default=1.0) or 1.0
for rank, topic in enumerate(topics, 1):
    with st.container(border=True, key=f"related_{rank}"):
        link, bar = st.columns([3, 2], vertical_alignment="center")
        with link:
            common.entity_link(topic.entity.iri, topic.entity.label, topic.entity.type)
        bar.progress(min(topic.score / best, 1.0), text=f"score {topic.score:.3f}")
        aliases = f" Also called {', '.join(topic.aliases[:4])}." if topic.aliases else ""
        st.caption("Why: " + escape_inline(f"{topic.why.rstrip('.')}.{aliases}"))
