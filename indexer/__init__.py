"""studykg's indexer: sources -> chunks -> vectors + lexical index + graph links; search; CLI."""

__version__ = "0.1.0"

from .build import BuildReport, add_folder, build_index  # noqa: E402
from .errors import IndexerError, IndexMismatchError, IndexMissingError, ModelError, QueryError, SourceError  # noqa: E402
from .records import Chunk, ConceptMatch, Document, EntityTag, Hit, IndexedDocument, SearchResult, Skipped, Why  # noqa: E402
from .reading import NotePassage, SimilarNote  # noqa: E402
from .remove import remove_folder  # noqa: E402
from .search import SearchFilters  # noqa: E402
from .study_index import StudyIndex  # noqa: E402

__all__ = [
    "BuildReport",
    "Chunk",
    "ConceptMatch",
    "Document",
    "EntityTag",
    "Hit",
    "IndexedDocument",
    "IndexMismatchError",
    "IndexMissingError",
    "IndexerError",
    "ModelError",
    "NotePassage",
    "QueryError",
    "SearchFilters",
    "SearchResult",
    "SourceError",
    "SimilarNote",
    "Skipped",
    "StudyIndex",
    "Why",
    "__version__",
    "add_folder",
    "build_index",
    "remove_folder",
]
