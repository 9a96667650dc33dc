"""studykg's study mode: practice questions and flashcards made from the graph, the learner's own
state (FSRS cards, answers) and readiness per exam domain; the ``studykg`` study commands.

It reads the graph (``kg``) and the index (``indexer``); neither imports it, except that the
``studykg`` command line (``indexer/cli.py``) registers the study commands of ``study/cli.py``. The names
below are imported on first use (PEP 562 ``__getattr__``), as in ``kg`` and ``indexer``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.lazy_exports import lazy_exports

# name -> the submodule that defines it
_EXPORTS = {
    "AnkiExportError": "errors",
    "BankError": "errors",
    "LearnerError": "errors",
    "StudyError": "errors",
    "CardFace": "flashcards",
    "entity_cards": "flashcards",
    "Learner": "learner",
    "StudyCard": "learner",
    "StudySession": "practice",
    "Choice": "quiz",
    "Fact": "quiz",
    "Question": "quiz",
    "QuizMaker": "quiz",
    "QuizMix": "quiz_mix",
    "AreaReadiness": "readiness",
    "DomainReadiness": "readiness",
}

if TYPE_CHECKING:
    from .errors import AnkiExportError, BankError, LearnerError, StudyError
    from .flashcards import CardFace, entity_cards
    from .learner import Learner, StudyCard
    from .practice import StudySession
    from .quiz import Choice, Fact, Question, QuizMaker
    from .quiz_mix import QuizMix
    from .readiness import AreaReadiness, DomainReadiness


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


__all__ = sorted(_EXPORTS)
