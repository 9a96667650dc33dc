"""Errors in the learner's language: a translated framing sentence and hint around the library's English detail.

The indexer, the graph and study mode compose their messages in English, deep in the
library, and the command line shows them as they are. The app does not translate them:
it says in the learner's language what failed ("Could not add this folder:") and, for the
common error classes, what to do about it, then keeps the original message as the detail,
escaped (it may quote a path, a question or a URL).
"""

from __future__ import annotations

from indexer.concept_ranker import ConceptModelMismatch
from indexer.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    ModelError,
    QueryError,
    SourceError,
)
from kg.errors import GraphLoadError, GraphSaveError, GraphShapeError, QueryRefusedError, UnknownEntityError, UnknownTypeError
from kg.exams import UnknownExamError
from study.errors import AnkiExportError, BankError, LearnerError

from .i18n import N_, _
from .markup import escape_inline

# Most specific class first: the first match gives the hint.
HINTS: tuple[tuple[type[Exception], str], ...] = (
    (SourceError, N_("Check that the folder or file exists, that you can read it, and that it holds notes in a supported format.")),
    (ModelError, N_("The text encoder could not be loaded: check its model files, then rebuild the index with `studykg build`.")),
    (IndexMissingError, N_("There is no study index yet: build one with `studykg build`, or reload this page to build it.")),
    (IndexMismatchError, N_("The study index was made by another version or encoder: rebuild it with `studykg build`.")),
    (ConceptModelMismatch, N_("The study index was made by another version or encoder: rebuild it with `studykg build`.")),
    (IndexCorruptError, N_("A file of the study index is damaged: rebuild it with `studykg build`.")),
    (QueryError, N_("Rephrase the question: use a few words about the topic, and keep it short.")),
    (UnknownEntityError, N_("Check the spelling, or choose one of the suggested names.")),
    (UnknownTypeError, N_("Choose one of the entity types listed.")),
    (UnknownExamError, N_("Choose one of the exams in the sidebar.")),
    (GraphLoadError, N_("A knowledge graph file cannot be read: fix the file named below, or restore the shipped one.")),
    (GraphSaveError, N_("The knowledge graph could not be saved: check the free disk space and the folder's permissions.")),
    (GraphShapeError, N_("A curated graph file breaks the graph's rules: fix the node named below.")),
    (QueryRefusedError, N_("Only read-only SPARQL queries are allowed.")),
    (LearnerError, N_("Your study records or the file to import cannot be used: check the file named below.")),
    (AnkiExportError, N_("The Anki package could not be written: check the free disk space and the folder.")),
    (BankError, N_("A question bank file has an error at the line named below: fix that line.")),
)


def hint(exc: BaseException) -> str:
    """What the learner can do about ``exc``, in their language; "" for an error class without a hint."""
    for cls, text in HINTS:
        if isinstance(exc, cls):
            return _(text)
    return ""


def error_markdown(framing: str, detail: str | BaseException) -> str:
    """The translated ``framing`` in bold, the hint for the error's class, then the English detail, escaped.

    ``framing`` and the hints are Markdown from the catalogue; only the detail comes from outside.

    ``detail`` is an exception or a message already composed by the library (a build's status file keeps only text).
    """
    advice = hint(detail) if isinstance(detail, BaseException) else ""
    lines = [f"**{framing}**" + (f" {advice}" if advice else "")]  # our own words, from the catalogue
    message = str(detail).strip()
    if message:
        lines.append(":small[" + _("Details: {message}").format(message=escape_inline(message)) + "]")
    return "  \n".join(lines)


def toast_text(framing: str, exc: BaseException) -> str:
    """A one-line version for a toast: the framing and the English detail, escaped."""
    return escape_inline(f"{framing} {exc}")
