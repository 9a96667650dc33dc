"""studykg's indexer: sources -> chunks -> vectors + lexical index + graph links; search; CLI.

Study mode (the learner's state, quizzes, flashcards, readiness) lives in ``study``.

The names below are imported on first use (PEP 562 ``__getattr__``): ``import indexer`` stays
cheap, so a graph command or a refused question does not load FAISS, the encoder or the build.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.lazy_exports import lazy_exports

__version__ = "0.1.0"

# name -> the submodule that defines it
_EXPORTS = {
    "BuildReport": "records",
    "add_folder": "add",
    "build_index": "build",
    "IndexerError": "errors",
    "IndexMismatchError": "errors",
    "IndexMissingError": "errors",
    "ModelError": "errors",
    "QueryError": "errors",
    "SourceError": "errors",
    "Chunk": "records",
    "ConceptMatch": "records",
    "Document": "records",
    "EntityTag": "records",
    "Hit": "records",
    "IndexedDocument": "records",
    "SearchResult": "records",
    "Skipped": "records",
    "Why": "records",
    "SearchFilters": "search",
    "StudyIndex": "study_index",
    "check_question": "questions",
    "NotePassage": "reading",
    "SimilarNote": "reading",
    "remove_folder": "remove",
}

if TYPE_CHECKING:
    from .add import add_folder
    from .build import build_index
    from .errors import IndexerError, IndexMismatchError, IndexMissingError, ModelError, QueryError, SourceError
    from .questions import check_question
    from .reading import NotePassage, SimilarNote
    from .records import BuildReport, Chunk, ConceptMatch, Document, EntityTag, Hit, IndexedDocument, SearchResult, Skipped, Why
    from .remove import remove_folder
    from .search import SearchFilters
    from .study_index import StudyIndex


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


__all__ = sorted([*_EXPORTS, "__version__"])
