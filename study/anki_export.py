"""The learner's flashcards as an Anki package (``.apkg``), written with genanki, for review on any device.

One note type with four fields (Front, Back, the entity's Definition, a Link back to the
entity's page or the passage in the studykg app) and tags for the exam, its domain and task
statement (``MLA-C01``, ``MLA-C01::domain-1``, ``MLA-C01::domain-1::task-1.2``), so Anki's
browser can filter cards the way the Exam map groups them.

Re-exporting must update the notes already in Anki, not add copies: Anki matches an
imported note by its GUID and note type, so the GUID comes from the card's key (stable for
as long as the card exists) and the note type and deck ids are fixed numbers that never
change between releases.
"""

from __future__ import annotations

import html
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from kg.exams import ExamProfile, task_coverage

from .errors import AnkiExportError

__all__ = ["DEFAULT_APP_URL", "FIELDS", "AnkiNote", "anki_bytes", "anki_notes", "write_anki"]

# Never change these: Anki would treat every re-exported note as new (a duplicate).
MODEL_ID = 1_733_400_117
DECK_ID = 1_733_400_118
DEFAULT_APP_URL = "http://127.0.0.1:8501"
FIELDS = ("Front", "Back", "Definition", "Link")
_CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background-color: white; }
.definition, .link { font-size: 16px; margin-top: 1em; color: #444; }"""
_ANSWER = ("{{FrontSide}}<hr id=answer>{{Back}}"
           "{{#Definition}}<details class=definition><summary>Definition</summary>{{Definition}}</details>{{/Definition}}"
           "{{#Link}}<div class=link>{{Link}}</div>{{/Link}}")


@dataclass(frozen=True)
class AnkiNote:
    """One Anki note as exported: its GUID, its fields in ``FIELDS`` order (HTML) and its tags."""

    guid: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]


def anki_notes(cards: Sequence, kg, exam: ExamProfile, *, app_url: str = DEFAULT_APP_URL) -> list[AnkiNote]:
    """The notes for ``cards`` (``study.learner.StudyCard``), tagged with ``exam``'s domains and task statements."""
    import genanki

    coverage = task_coverage(kg, exam)
    tasks = {task.iri: task for task in exam.tasks}
    domains = {domain.iri: domain for domain in exam.domains}
    notes = []
    for card in cards:
        entity = next((kg.entities[iri] for iri in card.entities if iri in kg.entities), None)
        tags = ["studykg", f"studykg::{card.kind}"]
        covered = sorted({t for iri in card.entities for t in coverage.get(iri, ())} & tasks.keys(), key=lambda t: tasks[t].number)
        for task_iri in covered:
            task = tasks[task_iri]
            domain = domains.get(task.domain)
            number = domain.number if domain else task.number.split(".")[0]
            tags += [exam.code, f"{exam.code}::domain-{number}", f"{exam.code}::domain-{number}::task-{task.number}"]
        fields = (_html(card.front), _html(card.back), _html(_definition(entity, card.lang)), _link(card, entity, app_url))
        notes.append(AnkiNote(genanki.guid_for("studykg", card.key), fields, tuple(dict.fromkeys(tags))))
    return notes


def write_anki(cards: Sequence, kg, exam: ExamProfile, path: Path, *, app_url: str = DEFAULT_APP_URL) -> int:
    """Write the cards to an ``.apkg`` file (through a temporary file, so a failed write leaves no half file); return the note count.

    Raises:
        AnkiExportError: the file cannot be written.
    """
    import genanki

    notes = anki_notes(cards, kg, exam, app_url=app_url)
    model = genanki.Model(
        MODEL_ID, "studykg card", fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": _ANSWER}], css=_CSS,
    )
    deck = genanki.Deck(DECK_ID, "studykg")
    for note in notes:
        deck.add_note(genanki.Note(model=model, fields=list(note.fields), tags=list(note.tags), guid=note.guid))
    path = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(handle)
        try:
            genanki.Package(deck).write_to_file(temporary)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError as exc:
        raise AnkiExportError(f"{path}: cannot write the Anki package ({exc.strerror or exc})") from None
    return len(notes)


def anki_bytes(cards: Sequence, kg, exam: ExamProfile, *, app_url: str = DEFAULT_APP_URL) -> bytes:
    """The ``.apkg`` file's bytes, for a download button."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "studykg.apkg"
        write_anki(cards, kg, exam, path, app_url=app_url)
        return path.read_bytes()


def _html(text: str) -> str:
    return html.escape(text or "").replace("\n", "<br>")


def _definition(entity, lang: str) -> str:
    if entity is None:
        return ""
    return next((text for code, text in entity.definitions if code == lang), entity.definition)


def _link(card, entity, app_url: str) -> str:
    """A link to the passage a passage card came from, else to the card's entity page; "" when it has neither."""
    base = app_url.rstrip("/")
    if card.source:
        doc_id = card.source.rsplit("#", 1)[0]
        url, text = f"{base}/note?{urlencode({'doc': doc_id, 'chunk': card.source})}", f"Open the passage in studykg ({doc_id})"
    elif entity is not None:
        url, text = f"{base}/browse?entity={quote(entity.name)}", f"{entity.label} in studykg"
    else:
        return ""
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>'
