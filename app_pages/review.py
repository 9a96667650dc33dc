"""Review: the flashcards that are due, graded Again, Hard, Good or Easy; FSRS picks the next review.

Cards come from quiz answers, from "Add to my cards" on entity pages and passages, and from
new cards on the weakest task statements. The deck can be exported and imported as a file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from app_pages import common
from app_pages.i18n import N_, _, current, ngettext, relative_time
from app_pages.markup import escape, escape_inline
from study.anki_export import anki_bytes

GRADES = (("again", N_("Again"), ":material/replay:"), ("hard", N_("Hard"), ":material/sentiment_dissatisfied:"),
          ("good", N_("Good"), ":material/sentiment_satisfied:"), ("easy", N_("Easy"), ":material/bolt:"))
CARD_KINDS = {"question": N_("question card"), "definition": N_("definition card"), "uses": N_("uses card"),
              "passage": N_("passage card")}


def grade(learner, card_id: int, rating: str) -> None:
    learner.grade(card_id, rating)
    st.session_state.review_shown = False


def remove(learner, card_id: int) -> None:
    """Take the card out of the deck, e.g. one made from a question the learner found wrong."""
    card = learner.card(card_id)
    learner.remove_card(card.key)
    st.session_state.review_shown = False
    st.toast(_("Card removed."), icon=":material/delete:")


def export_bytes(learner) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "studykg-learner.json"
        learner.export(path)
        return path.read_bytes()


index = common.get_index()
exam = common.exam_picker(index)
session = common.study_session(index, exam)
learner = session.learner
st.title(_("Review"))

due = learner.due_cards()
cards = learner.cards()
left, middle, right = st.columns(3)
left.metric(_("Due now"), len(due), border=True)
middle.metric(_("Cards"), len(cards), border=True)
right.metric(_("Reviews"), sum(c.reviews for c in cards), border=True)

with st.container(horizontal=True, vertical_alignment="bottom"):
    lang = st.segmented_control(_("Language of new cards"), list(common.LANGUAGES), default=current(), key="review_lang",
                                format_func=common.LANGUAGES.get) or "en"
    if st.button(_("Add 5 new cards"), icon=":material/add_card:", key="review_new",
                 help=_("Cards on the {exam} task statements where you are weakest").format(exam=exam.code)):
        added = session.add_new_cards(5, lang)
        st.toast(ngettext("Added {n} card.", "Added {n} cards.", len(added)).format(n=len(added)), icon=":material/add_card:")
        st.rerun()

if not due:
    upcoming = " " + _("The next card is due {when}.").format(when=relative_time(cards[0].due)) if cards else ""
    st.info(_("No card is due.") + upcoming + " " + _("Take a quiz on the Practice page or add new cards."),
            icon=":material/event_available:")
else:
    card = due[0]
    with st.container(border=True, key="review_card"):
        kind = _(CARD_KINDS[card.kind]) if card.kind in CARD_KINDS else card.kind
        st.caption(f"{kind} · {common.LANGUAGES.get(card.lang, card.lang)}")
        question, _sep, options = card.front.partition("\n\n")  # a question card lists its options below the stem
        st.markdown(f"### {escape_inline(question)}")
        if options:
            st.markdown("  \n".join(escape_inline(line) for line in options.splitlines() if line.strip()))
        if not st.session_state.get("review_shown"):
            if st.button(_("Show answer"), key="review_show", type="primary"):
                st.session_state.review_shown = True
                st.rerun()
        else:
            st.markdown(escape(card.back))
            with st.container(horizontal=True):
                for value, label, icon in GRADES:
                    st.button(_(label), icon=icon, key=f"review_{value}", on_click=grade, args=(learner, card.id, value))
        st.button(_("Remove this card"), icon=":material/delete:", key="review_remove", on_click=remove, args=(learner, card.id),
                  help=_("For a card you no longer want, such as one made from a question you found wrong"))

with st.expander(_("Export or import your cards and answers"), icon=":material/import_export:"):
    st.caption(_("Your learner database: {path} (apart from the index, so a rebuild keeps it).").format(path=escape_inline(str(learner.path))))
    st.download_button(_("Export as JSON"), export_bytes(learner), file_name="studykg-learner.json", mime="application/json",
                       icon=":material/download:", key="review_export", on_click="ignore")
    # Built only when clicked (a callable): an Anki package of every card, tagged for the chosen exam.
    st.download_button(_("Export cards for Anki (.apkg)"), lambda: anki_bytes(learner.cards(), session.kg, session.exam),
                       file_name=f"studykg-{exam.code}.apkg", mime="application/octet-stream", icon=":material/style:",
                       key="review_export_anki", on_click="ignore",
                       help=_("One note per card with its definition, a link back here, and exam, domain and task tags; "
                              "importing a newer export updates the same notes in Anki"))
    upload = st.file_uploader(_("Import a JSON export"), type=["json"], key="review_import")
    if upload is not None and st.button(_("Import"), key="review_import_go"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / Path(upload.name).name
            path.write_bytes(upload.getvalue())
            try:
                counts = learner.import_(path)
            except common.USER_ERRORS as exc:
                common.fail(exc, _("Could not import this file:"))
        st.success(_("Imported {cards} new cards, {reviews} reviews and {answers} answers.").format(**counts))
