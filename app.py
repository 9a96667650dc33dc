"""studykg: a study assistant for the AWS machine learning certifications (MLA-C01, and the retired MLS-C01).

Run it with ``streamlit run app.py``. This file lays out the frame: it builds the study
index on the very first start, lists the pages, and hands over to the page the learner
chose. The pages live in app_pages/; every answer comes from ``indexer.StudyIndex``.
"""

from __future__ import annotations

import time

import streamlit as st

from app_pages import common
from app_pages.markup import escape_inline
from indexer import StudyIndex
from indexer.progress import format_seconds

st.set_page_config(page_title="studykg · AWS ML exams", page_icon=":material/school:", layout="wide")


def build_first_index() -> None:
    """No index yet: build one from the shipped corpus, showing each stage, instead of failing."""
    started = time.perf_counter()
    placeholder = st.empty()
    with placeholder.container():
        st.title("Setting up studykg")
        st.info(
            "There is no study index yet, so studykg is building one from the shipped notes, "
            "service pages and knowledge graph. This happens once; later starts open it at once.",
            icon=":material/construction:",
        )
        bar = common.ProgressBar("Starting the build…")
        bar.log.finish("no study index yet: building one from the shipped corpus (this happens once)")
        try:
            report = StudyIndex.build(path=common.index_location() or None, progress=bar)
            # Opening the new index (encoder included) is part of the wait: "built" means ready to answer.
            bar("opening the index", 0, 1)
            common.forget_index()
            common.get_index()
            bar("opening the index", 1, 1)
        except common.USER_ERRORS as exc:
            bar.failed("The build stopped")
            common.fail(exc)
        bar.done(f"Study index built in {format_seconds(time.perf_counter() - started)}")
    placeholder.empty()
    st.toast(
        f"Study index built: {report.documents} documents, {report.chunks} passages in {report.seconds:.0f} s.",
        icon=":material/check_circle:",
    )


def sidebar_summary(index: StudyIndex) -> None:
    manifest = index.manifest
    # Language codes come from the notes' front matter (lang: ...): escaped, they stay text.
    languages = ", ".join(f"{escape_inline(common.LANGUAGES.get(lang, lang))} {n}" for lang, n in manifest.languages.items())
    st.sidebar.caption(
        f"Study index: {manifest.documents:,} documents, {manifest.chunks:,} passages, "
        f"{len(index.graph.entities):,} graph entities.  \nLanguages: {languages}."
    )


if not StudyIndex.exists(common.index_location() or None):
    build_first_index()

pages = {
    "Study": [
        st.Page(common.ASK, title="Ask", icon=":material/search:", default=True),
        st.Page(common.BROWSE, title="Browse graph", icon=":material/hub:", url_path="browse"),
        st.Page(common.PATH, title="Find a path", icon=":material/route:", url_path="path"),
        st.Page(common.RELATED, title="Related topics", icon=":material/join:", url_path="related"),
    ],
    "Practise": [
        st.Page(common.PRACTICE, title="Practice", icon=":material/quiz:", url_path="practice"),
        st.Page(common.REVIEW, title="Review", icon=":material/style:", url_path="review"),
    ],
    "Plan": [
        st.Page(common.EXAM_MAP, title="Exam map", icon=":material/map:", url_path="exam-map"),
        st.Page(common.MY_NOTES, title="My notes", icon=":material/upload_file:", url_path="my-notes"),
        # Opened from a passage (?doc=…&chunk=…), not from the menu.
        st.Page(common.NOTE, title="Note", icon=":material/article:", url_path="note", visibility="hidden"),
    ],
}
page = st.navigation(pages)

# A click on a graph node outside the entity page asks for a page switch (callbacks cannot switch).
if goto := st.session_state.pop("_goto", None):
    st.switch_page(goto[0], query_params={"entity": goto[1]})
# A shared link to the front page with only ?entity= means that entity's page.
if page.url_path == "" and "entity" in st.query_params and "q" not in st.query_params:
    st.switch_page(common.BROWSE, query_params={"entity": st.query_params["entity"]})

sidebar_summary(common.get_index())
page.run()
