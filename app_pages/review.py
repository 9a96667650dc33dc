"""Review: the flashcards that are due, graded Again, Hard, Good or Easy; FSRS picks the next review.

Cards come from quiz answers, from "Add to my cards" on entity pages and passages, and from
new cards on the weakest task statements. The deck can be exported and imported as a file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from app_pages import common
from app_pages.markup import escape, escape_inline
from indexer.anki_export import anki_bytes

GRADES = (("again", "Again", ":material/replay:"), ("hard", "Hard", ":material/sentiment_dissatisfied:"),
          ("good", "Good", ":material/sentiment_satisfied:"), ("easy", "Easy", ":material/bolt:"))


def grade(learner, card_id: int, rating: str) -> None:
    learner.grade(card_id, rating)
    st.session_state.review_shown = False


def remove(learner, card_id: int) -> None:
    """Take the card out of the deck, e.g. one made from a question the learner found wrong."""
    card = learner.card(card_id)
    learner.remove_card(card.key)
    st.session_state.review_shown = False
    st.toast("Card removed.", icon=":material/delete:")


def export_bytes(learner) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "studykg-learner.json"
        learner.export(path)
        return path.read_bytes()


index = common.get_index()
exam = common.exam_picker(index)
session = common.study_session(index, exam)
learner = session.learner
st.title("Review")

due = learner.due_cards()
cards = learner.cards()
left, middle, right = st.columns(3)
left.metric("Due now", len(due), border=True)
middle.metric("Cards", len(cards), border=True)
right.metric("Reviews", sum(c.reviews for c in cards), border=True)

with st.container(horizontal=True, vertical_alignment="bottom"):
    lang = st.segmented_control("Language of new cards", list(common.LANGUAGES), default="en", key="review_lang",
                                format_func=common.LANGUAGES.get) or "en"
    if st.button("Add 5 new cards", icon=":material/add_card:", key="review_new",
                 help=f"Cards on the {exam.code} task statements where you are weakest"):
        added = session.add_new_cards(5, lang)
        st.toast(f"Added {len(added)} cards.", icon=":material/add_card:")
        st.rerun()

if not due:
    upcoming = f" The next card is due {cards[0].due[:16].replace('T', ' ')} UTC." if cards else ""
    st.info("No card is due." + upcoming + " Take a quiz on the Practice page or add new cards.", icon=":material/event_available:")
else:
    card = due[0]
    with st.container(border=True, key="review_card"):
        st.caption(f"{card.kind} card · {common.LANGUAGES.get(card.lang, card.lang)}")
        question, _, options = card.front.partition("\n\n")  # a question card lists its options below the stem
        st.markdown(f"### {escape_inline(question)}")
        if options:
            st.markdown("  \n".join(escape_inline(line) for line in options.splitlines() if line.strip()))
        if not st.session_state.get("review_shown"):
            if st.button("Show answer", key="review_show", type="primary"):
                st.session_state.review_shown = True
                st.rerun()
        else:
            st.markdown(escape(card.back))
            with st.container(horizontal=True):
                for value, label, icon in GRADES:
                    st.button(label, icon=icon, key=f"review_{value}", on_click=grade, args=(learner, card.id, value))
        st.button("Remove this card", icon=":material/delete:", key="review_remove", on_click=remove, args=(learner, card.id),
                  help="For a card you no longer want, such as one made from a question you found wrong")

with st.expander("Export or import your cards and answers", icon=":material/import_export:"):
    st.caption(f"Your learner database: {escape_inline(str(learner.path))} (apart from the index, so a rebuild keeps it).")
    st.download_button("Export as JSON", export_bytes(learner), file_name="studykg-learner.json", mime="application/json",
                       icon=":material/download:", key="review_export", on_click="ignore")
    # Built only when clicked (a callable): an Anki package of every card, tagged for the chosen exam.
    st.download_button("Export cards for Anki (.apkg)", lambda: anki_bytes(learner.cards(), session.kg, session.exam),
                       file_name=f"studykg-{exam.code}.apkg", mime="application/octet-stream", icon=":material/style:",
                       key="review_export_anki", on_click="ignore",
                       help="One note per card with its definition, a link back here, and exam, domain and task tags; "
                            "importing a newer export updates the same notes in Anki")
    upload = st.file_uploader("Import a JSON export", type=["json"], key="review_import")
    if upload is not None and st.button("Import", key="review_import_go"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / Path(upload.name).name
            path.write_bytes(upload.getvalue())
            try:
                counts = learner.import_(path)
            except common.USER_ERRORS as exc:
                common.fail(exc)
        st.success(f"Imported {counts['cards']} new cards, {counts['reviews']} reviews and {counts['answers']} answers.")
