"""studykg: a study assistant for the AWS machine learning certifications (MLA-C01, and the retired MLS-C01).

Run it with ``streamlit run app.py``. This file lays out the frame: it builds the study
index on the very first start, lists the pages, and hands over to the page the learner
chose. The pages live in app_pages/; every answer comes from ``indexer.StudyIndex``.
"""

from __future__ import annotations

import streamlit as st

from app_pages import common, first_run, i18n
from app_pages.i18n import _
from app_pages.markup import escape_inline
from indexer import StudyIndex

st.set_page_config(page_title=_("studykg · AWS ML exams"), page_icon=":material/school:", layout="wide")


def build_first_index() -> None:
    """No index yet: build one from the shipped corpus, or follow the build already running, instead of failing.

    ``studykg app`` builds in the terminal before it serves; this is for a page opened while that
    build (or any other) still runs, and for ``streamlit run app.py`` on a fresh clone.
    """
    if first_run.ensure_ready(common.index_location()):
        st.toast(_("Study index ready."), icon=":material/check_circle:")


def sidebar_summary(index: StudyIndex) -> None:
    manifest = index.manifest
    # Language codes come from the notes' front matter (lang: ...): escaped, they stay text.
    languages = ", ".join(f"{escape_inline(common.LANGUAGES.get(lang, lang))} {n}" for lang, n in manifest.languages.items())
    st.sidebar.caption(
        _("Study index: {documents:,} documents, {chunks:,} passages, {entities:,} graph entities.").format(
            documents=manifest.documents, chunks=manifest.chunks, entities=len(index.graph.entities))
        + "  \n" + _("Languages: {languages}.").format(languages=languages)
    )


if not StudyIndex.exists(common.index_location() or None):
    build_first_index()

# Chosen before the pages are listed: their titles are in the learner's language too.
i18n.language_picker()
pages = {
    _("Study"): [
        st.Page(common.ASK, title=_("Ask"), icon=":material/search:", default=True),
        st.Page(common.BROWSE, title=_("Browse graph"), icon=":material/hub:", url_path="browse"),
        st.Page(common.PATH, title=_("Find a path"), icon=":material/route:", url_path="path"),
        st.Page(common.RELATED, title=_("Related topics"), icon=":material/join:", url_path="related"),
    ],
    _("Practise"): [
        st.Page(common.PRACTICE, title=_("Practice"), icon=":material/quiz:", url_path="practice"),
        st.Page(common.REVIEW, title=_("Review"), icon=":material/style:", url_path="review"),
    ],
    _("Plan"): [
        st.Page(common.EXAM_MAP, title=_("Exam map"), icon=":material/map:", url_path="exam-map"),
        st.Page(common.MY_NOTES, title=_("My notes"), icon=":material/upload_file:", url_path="my-notes"),
        # Opened from a passage (?doc=…&chunk=…), not from the menu.
        st.Page(common.NOTE, title=_("Note"), icon=":material/article:", url_path="note", visibility="hidden"),
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
