"""Practice: ten questions generated from the graph, one at a time, with feedback and the evidence behind each.

The exam comes from the sidebar (``?exam=``), the domain from ``?domain=`` (the Exam map's
"Practise" links set it), the language from ``?lang=``. Each answer is stored in the
learner's own database, where it moves readiness and puts the fact's card in the deck.
"""

from __future__ import annotations

import random

import streamlit as st

from app_pages import common
from app_pages.cards import small, source_line
from app_pages.markup import escape, escape_inline

LENGTHS = (5, 10, 20)


def start_quiz(session, lang: str, n: int, domain: str | None) -> None:
    try:
        questions = session.quiz(n, lang, domain=domain, seed=random.randrange(1 << 30))
    except common.USER_ERRORS as exc:
        common.fail(exc)
    st.session_state.quiz = {"questions": questions, "position": 0, "chosen": {}, "right": 0, "exam": session.exam.code}


def evidence(index, question) -> None:
    """Links to the answer's and the topic's entity pages, and the passages that back the answer."""
    with st.container(horizontal=True, gap="small"):
        for name in question.evidence:
            entity = index.graph.entities.get(index.entity(name).iri)
            common.entity_link(entity.iri, entity.label, entity.type)
    for chunk_id in question.passages:
        try:
            chunk = index.chunk(chunk_id)
        except common.USER_ERRORS:
            continue  # the passage left the index since the question was made
        text = " ".join(chunk.text.split())
        st.markdown(
            small(source_line(chunk.source, chunk.line_start, chunk.line_end, chunk.lang))
            + "  \n"
            + escape(text[:280] + ("…" if len(text) > 280 else ""))
        )


index = common.get_index()
exam = common.exam_picker(index)
session = common.study_session(index, exam)
st.title("Practice")
st.caption(
    f"Questions for {escape_inline(exam.code)} ({escape_inline(exam.title)}), generated from the knowledge graph: "
    "each has one right answer and links to the facts and passages behind it."
)

common.from_url("practice_lang", "lang", "en")
common.from_url("practice_domain", "domain", "")
domains = {"": "All domains", **{d.number: f"{d.number}. {d.label}" for d in exam.domains}}
if st.session_state.practice_domain not in domains:
    st.session_state.practice_domain = ""
with st.container(horizontal=True, vertical_alignment="bottom"):
    lang = st.segmented_control(
        "Language", list(common.LANGUAGES), key="practice_lang", format_func=common.LANGUAGES.get,
        on_change=common.to_url, args=("practice_lang", "lang"),
    ) or "en"
    domain = st.selectbox(
        "Domain", list(domains), key="practice_domain", format_func=domains.get,
        on_change=common.to_url, args=("practice_domain", "domain"),
    )
    n = st.segmented_control("Questions", LENGTHS, default=10, key="practice_n") or 10
    if st.button("New quiz", icon=":material/quiz:", type="primary", key="practice_start"):
        start_quiz(session, lang, n, domain or None)

quiz = st.session_state.get("quiz")
if not quiz or quiz["exam"] != exam.code:
    st.info("Pick a language and press **New quiz**. Your answers stay on this computer, in your learner database.",
            icon=":material/quiz:")
    st.stop()

questions = quiz["questions"]
if not questions:
    st.warning("The graph has no questions for this choice; try all domains.", icon=":material/search_off:")
    st.stop()

position = quiz["position"]
if position >= len(questions):
    st.success(f"Done: {quiz['right']} of {len(questions)} right.", icon=":material/emoji_events:")
    weakest = session.readiness()[0].domain
    st.markdown(f"Your weakest domain now: **{escape_inline(weakest.number)}. {escape_inline(weakest.label)}**.")
    with st.container(horizontal=True):
        st.page_link(common.EXAM_MAP, label="See readiness on the Exam map", icon=":material/map:", query_params={"exam": exam.code})
        st.page_link(common.REVIEW, label="Review your cards", icon=":material/style:", query_params={"exam": exam.code})
    st.stop()

question = questions[position]
st.progress(position / len(questions), text=f"Question {position + 1} of {len(questions)} · {quiz['right']} right so far")
with st.container(border=True, key="practice_question"):
    st.markdown(f"**{escape_inline(question.prompt)}**")
    answered = position in quiz["chosen"]
    choice = st.radio(
        "Your answer",
        range(len(question.choices)),
        format_func=lambda i: question.choices[i].label,
        index=None,
        key=f"practice_choice_{position}_{question.id}",
        disabled=answered,
    )
    if not answered:
        if st.button("Check", key="practice_check", disabled=choice is None):
            right = session.answer(question, choice)
            quiz["chosen"][position] = choice
            quiz["right"] += right
            st.rerun()
    else:
        if quiz["chosen"][position] == question.answer:
            st.success("Right. " + escape_inline(question.explanation), icon=":material/check_circle:")
        else:
            st.warning(f"Not quite: the answer is **{escape_inline(question.right.label)}**. " + escape_inline(question.explanation),
                     icon=":material/cancel:")
        st.caption("Evidence")
        evidence(index, question)
        if st.button("Next", key="practice_next", type="primary"):
            quiz["position"] += 1
            st.rerun()
