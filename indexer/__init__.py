"""studykg's indexer: sources -> chunks -> vectors + lexical index + graph links; search; CLI."""

__version__ = "0.1.0"

from .build import BuildReport, add_folder, build_index  # noqa: E402
from .errors import IndexerError, IndexMismatchError, IndexMissingError, ModelError, QueryError, SourceError  # noqa: E402
from .records import Chunk, ConceptMatch, Document, EntityTag, Hit, IndexedDocument, SearchResult, Skipped, Why  # noqa: E402
from .reading import NotePassage, SimilarNote  # noqa: E402
from .remove import remove_folder  # noqa: E402
from .learner import Learner, LearnerError, StudyCard  # noqa: E402
from .practice import StudySession  # noqa: E402
from .readiness import AreaReadiness, DomainReadiness  # noqa: E402
from .search import SearchFilters  # noqa: E402
from .study_index import StudyIndex  # noqa: E402

__all__ = [
    "AreaReadiness",
    "BuildReport",
    "Chunk",
    "ConceptMatch",
    "Document",
    "DomainReadiness",
    "EntityTag",
    "Hit",
    "IndexedDocument",
    "IndexMismatchError",
    "IndexMissingError",
    "IndexerError",
    "Learner",
    "LearnerError",
    "ModelError",
    "NotePassage",
    "QueryError",
    "SearchFilters",
    "SearchResult",
    "SourceError",
    "SimilarNote",
    "Skipped",
    "StudyCard",
    "StudyIndex",
    "StudySession",
    "Why",
    "__version__",
    "add_folder",
    "build_index",
    "remove_folder",
]
