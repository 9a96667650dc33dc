"""What a build or an add reads: the documents of its folders, their passages, and the limits on both.

Shared by ``build.py`` and by ``encoding/shipped_vectors.py``, which must see the shipped
corpus's passages exactly as a build does to ship their vectors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KGError
from kg.folding import has_word

from .chunking import chunk_document
from .errors import SourceError
from .records import Chunk, Document, Skipped, Unchanged
from .roots import nothing_indexable
from .sources import iter_documents

if TYPE_CHECKING:
    from kg import KnowledgeGraph

# progress(stage, done, total): the CLI draws tqdm bars from it, the app st.progress.
Progress = Callable[[str, int, int], None]
MAX_PASSAGES_PER_FILE = 300  # a 2 MB note of real prose makes about 1,000; no learner's note comes near 300


def silent(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class Reading:
    """What reading some folders found: the documents, the files skipped and why, and (for an add) those unchanged."""

    documents: dict[str, Document] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    unchanged: dict[str, str] = field(default_factory=dict)  # doc id -> path: same content hash as the index holds

    def extend(self, other: Reading) -> None:
        self.documents.update(other.documents)
        self.skipped.extend(other.skipped)
        self.unchanged.update(other.unchanged)


def read_documents(
    roots: Sequence[Path],
    *,
    exclude: Path | Sequence[Path] | None,
    default_kind: str,
    progress: Progress,
    prefixes: dict[str, str] | None = None,
    known: Mapping[str, str] | None = None,
) -> Reading:
    """Every file under ``roots`` but those in ``exclude``, in one walk (``known``: see ``sources.iter_documents``)."""
    reading = Reading()
    excluded = [Path(p).resolve() for p in ((exclude,) if isinstance(exclude, (str, Path)) else exclude or ())]
    for item in iter_documents(roots, default_kind=default_kind, prefixes=prefixes, known=known):
        if any(Path(item.path).resolve().is_relative_to(folder) for folder in excluded):
            continue  # the curated graph and the quiz bank are loaded as what they are, not read as notes
        if isinstance(item, Skipped):
            reading.skipped.append(item)
        elif isinstance(item, Unchanged):
            reading.unchanged[item.doc_id] = item.path
        else:
            reading.documents[item.doc_id] = item
        progress("reading files", len(reading.documents) + len(reading.skipped) + len(reading.unchanged), 0)
    return reading


def chunk_documents(documents: dict[str, Document], graph: KnowledgeGraph, progress: Progress) -> tuple[dict[str, list[Chunk]], list[str]]:
    chunks_by_doc: dict[str, list[Chunk]] = {}
    warnings: list[str] = []
    progress("chunking", 0, len(documents))
    for n, doc in enumerate(documents.values(), 1):
        chunks_by_doc[doc.doc_id] = bounded_passages(doc, chunk_document(doc), warnings)
        if doc.entity:
            try:
                graph.entity(doc.entity)
            except KGError as exc:
                warnings.append(f"{doc.path}: front matter names {exc}; indexed without a page link")
        progress("chunking", n, len(documents))
    return chunks_by_doc, warnings


def not_notes(graph_dir: Path) -> tuple[Path, ...]:
    """The folders of a corpus read as what they are, never as notes: the graph (loaded as a graph), the quiz bank
    beside it (read by study mode) and the shipped passage vectors (read by the embedding cache)."""
    return (graph_dir, graph_dir.parent / "quiz", graph_dir.parent / "vectors")


def nothing_indexable_error(roots: Sequence[Path], skipped: Sequence[Skipped]) -> SourceError:
    """The error for folders without one indexable file; ``.skipped`` holds every file and why, for --json."""
    error = SourceError(nothing_indexable(roots, skipped))
    error.skipped = tuple(skipped)
    return error


def graph_folder_of(roots: Sequence[Path]) -> Path | None:
    """The ``graph/`` folder of Turtle files inside a corpus being built, so a user's own graph is loaded and checked.

    Raises:
        SourceError: two corpora each hold one (say which with --graph).
    """
    found = [root / "graph" for root in roots if (root / "graph").is_dir() and any((root / "graph").glob("*.ttl"))]
    if len(found) > 1:
        raise SourceError(f"{len(found)} corpora hold a graph folder ({', '.join(map(str, found))}); choose one with --graph")
    return found[0] if found else None


def bounded_passages(doc: Document, chunks: list[Chunk], warnings: list[str]) -> list[Chunk]:
    """A file's passages as they are indexed: those without a word left out, at most ``MAX_PASSAGES_PER_FILE``.

    Embedding is the cost of a passage (a transformer, about 12 passages a second on 2 cores),
    and a hostile file (a line of 200,000 "[", a 200 KB word) made hundreds of passages that
    no question can find: 4 minutes for one file. Each cut is said in a warning.
    """
    kept = [c for c in chunks if has_word(c.text)]
    if len(kept) < len(chunks):
        warnings.append(f"{doc.path}: {len(chunks) - len(kept)} passages without a letter or digit left out")
    if len(kept) > MAX_PASSAGES_PER_FILE:
        warnings.append(f"{doc.path}: only the first {MAX_PASSAGES_PER_FILE} of its {len(kept)} passages are indexed; "
                        "split the file to index the rest")
        kept = kept[:MAX_PASSAGES_PER_FILE]
    if not kept and chunks:
        warnings.append(f"{doc.path}: no text to index (no passage has a word); it is listed without passages")
    return kept
