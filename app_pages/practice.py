"""Practice: reviewed bank items and questions generated from the graph's sourced facts, one at a
time, with feedback, the reason each wrong choice is wrong, and the passages behind the answer.

The exam comes from the sidebar (``?exam=``), the domain from ``?domain=`` (the Exam map's
"Practise" links set it), the language from ``?lang=``. Each answer is stored in the
learner's own database, where it moves readiness and puts the question's card in the deck.
A "choose two" item takes its two picks from a multiselect. The last page lists the missed
questions with their explanations.
"""

from __future__ import annotations

import random

import streamlit as st

from app_pages import common
from app_pages.cards import small, source_line
from app_pages.i18n import _, current
from app_pages.markup import escape_inline, excerpt, render
from study.practice import passages_in_language

LENGTHS = (5, 10, 20)


def start_quiz(session, lang: str, n: int, domain: str | None) -> None:
    try:
        questions = session.quiz(n, lang, domain=domain, seed=random.randrange(1 << 30))
    except common.USER_ERRORS as exc:
        common.fail(exc, _("Could not make a quiz:"))
    st.session_state.quiz = {"questions": questions, "position": 0, "chosen": {}, "right": 0, "exam": session.exam.code}


def evidence(index, question) -> None:
    """Links to the question's entity pages, and the passages that back the answer, in the quiz's language
    first, rendered as the notes were written (a table stays a table)."""
    with st.container(horizontal=True, gap="small"):
        for name in question.evidence:
            entity = index.graph.entities.get(index.entity(name).iri)
            common.entity_link(entity.iri, entity.label, entity.type)
    for chunk in passages_in_language(index, question):
        mentions = [m for m in index.graph.link(chunk.text) if m.iri in question.entities]
        block, spans, before, after = excerpt(chunk.text, mentions, max_chars=700)
        st.markdown(
            small(source_line(chunk.source, chunk.line_start, chunk.line_end, chunk.lang))
            + "\n\n" + ("…\n\n" if before else "") + render(block, spans) + ("\n\n…" if after else "")
        )


def feedback(question, picked: list[int]) -> None:
    """Right or not, the explanation, and for each wrong pick the reason it is wrong."""
    if question.is_right(picked):
        st.success(_("Right.") + " " + escape_inline(question.explanation), icon=":material/check_circle:")
    else:
        answer = _(" and ").join(f"**{escape_inline(label)}**" for label in question.right_labels)
        st.warning(_("Not quite: the answer is {answer}.").format(answer=answer) + " " + escape_inline(question.explanation),
                   icon=":material/cancel:")
    reasons = [(question.choices[i].label, question.why_wrong[i]) for i in range(len(question.choices))
               if i not in question.answers and i < len(question.why_wrong) and question.why_wrong[i]]
    if reasons:
        st.markdown("\n".join(f"- **{escape_inline(label)}**: {escape_inline(reason)}" for label, reason in reasons))


def missed_questions(quiz) -> None:
    """The result page's review: each missed question with the right answer and its explanation."""
    missed = [(n, q) for n, q in enumerate(quiz["questions"]) if n in quiz["chosen"] and not q.is_right(quiz["chosen"][n])]
    if not missed:
        return
    st.subheader(_("Questions you missed"), anchor=False)
    for n, question in missed:
        with st.container(border=True, key=f"practice_missed_{n}"):
            st.markdown(f"**{n + 1}. {escape_inline(question.prompt)}**")
            answer = _(" and ").join(f"**{escape_inline(label)}**" for label in question.right_labels)
            st.markdown(_("Answer: {answer}.").format(answer=answer) + f" {escape_inline(question.explanation)}")


index = common.get_index()
exam = common.exam_picker(index)
session = common.study_session(index, exam)
st.title(_("Practice"))
st.caption(
    _("Questions for {exam} ({title}): reviewed exam-style items, and questions generated from facts the notes state, "
      "each checked against the graph and the answer engine. Every answer links to the facts and passages behind it."
      ).format(exam=escape_inline(exam.code), title=escape_inline(exam.title))
)

common.from_url("practice_lang", "lang", current())  # questions in the app's language unless asked otherwise
common.from_url("practice_domain", "domain", "")
domains = {"": _("All domains"), **{d.number: f"{d.number}. {d.label}" for d in exam.domains}}
if st.session_state.practice_domain not in domains:
    st.session_state.practice_domain = ""
with st.container(horizontal=True, vertical_alignment="bottom"):
    lang = st.segmented_control(
        _("Language of the questions"), list(common.LANGUAGES), key="practice_lang", format_func=common.LANGUAGES.get,
        on_change=common.to_url, args=("practice_lang", "lang"),
    ) or "en"
    domain = st.selectbox(
        _("Domain"), list(domains), key="practice_domain", format_func=domains.get,
        on_change=common.to_url, args=("practice_domain", "domain"),
    )
    n = st.segmented_control(_("Questions"), LENGTHS, default=10, key="practice_n") or 10
    if st.button(_("New quiz"), icon=":material/quiz:", type="primary", key="practice_start"):
        start_quiz(session, lang, n, domain or None)

quiz = st.session_state.get("quiz")
if not quiz or quiz["exam"] != exam.code:
    st.info(_("Pick a language and press **New quiz**. Your answers stay on this computer, in your learner database."),
            icon=":material/quiz:")
    st.stop()

questions = quiz["questions"]
if not questions:
    st.warning(_("The graph has no questions for this choice; try all domains."), icon=":material/search_off:")
    st.stop()

position = quiz["position"]
if position >= len(questions):
    st.success(_("Done: {right} of {total} right.").format(right=quiz["right"], total=len(quiz["chosen"])), icon=":material/emoji_events:")
    weakest = session.readiness()[0].domain
    st.markdown(_("Your weakest domain now: {domain}.").format(domain=f"**{escape_inline(weakest.number)}. {escape_inline(weakest.label)}**"))
    with st.container(horizontal=True):
        st.page_link(common.EXAM_MAP, label=_("See readiness on the Exam map"), icon=":material/map:", query_params={"exam": exam.code})
        st.page_link(common.REVIEW, label=_("Review your cards"), icon=":material/style:", query_params={"exam": exam.code})
    missed_questions(quiz)
    st.stop()

question = questions[position]
st.progress(position / len(questions), text=_("Question {number} of {total} · {right} right so far").format(
    number=position + 1, total=len(questions), right=quiz["right"]))
with st.container(border=True, key="practice_question"):
    st.markdown(f"**{escape_inline(question.prompt)}**")
    answered = position in quiz["chosen"]
    if question.choose > 1:
        picks = st.multiselect(
            _("Your answers (choose {n})").format(n=question.choose),
            range(len(question.choices)),
            format_func=lambda i: question.choices[i].label,
            max_selections=question.choose,
            key=f"practice_choices_{position}_{question.id}",
            disabled=answered,
        )
    else:
        choice = st.radio(
            _("Your answer"),
            range(len(question.choices)),
            format_func=lambda i: question.choices[i].label,
            index=None,
            key=f"practice_choice_{position}_{question.id}",
            disabled=answered,
        )
        picks = [] if choice is None else [choice]
    if not answered:
        if st.button(_("Check"), key="practice_check", disabled=len(picks) != question.choose):
            right = session.answer(question, picks)
            quiz["chosen"][position] = list(picks)
            quiz["right"] += right
            st.rerun()
    else:
        feedback(question, quiz["chosen"][position])
        st.caption(_("Evidence"))
        evidence(index, question)
        if st.button(_("Next"), key="practice_next", type="primary"):
            quiz["position"] += 1
            st.rerun()
