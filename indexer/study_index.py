"""``StudyIndex``: the one entry point the CLI and the app use to open, build, search and navigate."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import IndexerError, IndexMismatchError, IndexMissingError
from .layout import current_version, default_corpus_path, has_index, index_path_or_default
from .manifest import Manifest
from .records import Chunk, IndexedDocument, SearchResult, Skipped
from .store import ChunkStore

# The heavy parts (the encoder with torch, FAISS, the search's word statistics, the build) are
# imported where they are first used, so a graph command or a refused question never pays for them.
if TYPE_CHECKING:
    from kg import KnowledgeGraph

    from .ingest import Progress
    from .records import BuildReport
    from .encoding import Encoder
    from .search import SearchFilters, Searcher
    from .vectors import VectorIndex

log = logging.getLogger(__name__)

# Opening reads CURRENT, then the version it names; a publish in between is retried once.
OPEN_ATTEMPTS = 2


class StudyIndex:
    """An opened, read-only version of the study index, plus the graph behind it.

    Args:
        folder: the version folder (``index/versions/<name>``); use ``StudyIndex.open``.

    Parts open on first use (the graph for graph commands; encoder, vectors and searcher for
    a search), so a command pays only for what it needs; ``load_all`` opens everything.

    Raises:
        IndexMissingError: there is no index yet (``open``).
        IndexMismatchError: the index was built with another model or format (``open``), or
            its encoder folder was changed since the build (first ``search``).

    Example::

        index = StudyIndex.open()            # $STUDYKG_INDEX or ./index
        result = index.search("which service converts text to speech?", k=5)
        print(result.entities[0].label, result.hits[0].source)
    """

    def __init__(self, folder: Path, *, index_path: Path, model: str | None = None) -> None:
        self.folder = Path(folder)
        self.index_path = Path(index_path)
        if not (self.folder / "manifest.json").exists():
            # Not a model mismatch: the version was replaced and removed while this process opened it.
            raise IndexMissingError(f"{self.folder}: this index version was removed while opening it; run the command again")
        self.manifest = Manifest.load(self.folder)
        if model is not None and model != self.manifest.model_name:
            raise IndexMismatchError(
                f"the index at {self.index_path} was built with model '{self.manifest.model_name}', not '{model}'; "
                f"rebuild it with 'studykg build --model {model}' or drop --model"
            )
        self.store = ChunkStore(self.folder / "chunks.db", readonly=True)

    # Each part opens on first use: graph commands need only the graph, a search needs all of them.
    @cached_property
    def graph(self) -> KnowledgeGraph:
        from kg import KnowledgeGraph

        return KnowledgeGraph.load(self.folder / "graph")

    @cached_property
    def encoder(self) -> Encoder:
        from .encoding import load_encoder

        # Checked here, not at open: a graph command should not load the model.
        return load_encoder(self.manifest.model_name).require_fingerprint(self.manifest.model_fingerprint, self.index_path)

    @cached_property
    def question_encoder(self) -> Encoder:
        """What encodes questions: the build's ONNX export of the index's model (no torch), else the model itself."""
        from .encoding import question_encoder

        return question_encoder(self.manifest.model_fingerprint, lambda: self.encoder)

    @cached_property
    def vectors(self) -> VectorIndex:
        from .vectors import VectorIndex

        return VectorIndex.load(self.folder, exact_limit=self.manifest.exact_limit)

    @cached_property
    def searcher(self) -> Searcher:
        from .entity_words import EntityWords
        from .search import Searcher
        from .vectors import EntityVectors

        questions = self.question_encoder  # first: its model loads in threads while the rest opens
        return Searcher(self.store, self.vectors, questions, self.graph, EntityVectors.load(self.folder), EntityWords.load(self.folder))

    def load_all(self) -> StudyIndex:
        """Open every part now (the app does, so the first question does not wait for the encoder)."""
        _ = self.searcher
        return self

    # ---- lifecycle -------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str | None = None, *, model: str | None = None) -> StudyIndex:
        """Open the live version of the index at ``path`` (default: ``$STUDYKG_INDEX`` or ``index/``).

        A build or add that publishes while this opens is no error: the replaced version stays
        on disk for a grace period (see ``layout``), and should opening fail anyway while
        ``CURRENT`` moved on, the new version is opened instead.
        """
        index_path = index_path_or_default(path)
        for _attempt in range(OPEN_ATTEMPTS - 1):
            folder = current_version(index_path)
            try:
                return cls(folder, index_path=index_path, model=model)
            except Exception:
                if current_version(index_path) == folder:
                    raise  # the index did not change under us: the error is real
        return cls(current_version(index_path), index_path=index_path, model=model)

    @staticmethod
    def exists(path: Path | str | None = None) -> bool:
        return has_index(index_path_or_default(path))

    @staticmethod
    def build(
        corpus: Sequence[Path | str] | None = None,
        path: Path | str | None = None,
        *,
        model: str | None = None,
        progress: Progress | None = None,
        **options,
    ) -> BuildReport:
        """Build a new index from ``corpus`` folders (default: the shipped ``corpus/``) and publish it."""
        from .build import build_index

        folders = [Path(c) for c in corpus] if corpus else [default_corpus_path()]
        return build_index(folders, index_path_or_default(path), model=model, progress=progress, **options)

    @staticmethod
    def add(folder: Path | str, path: Path | str | None = None, *, progress: Progress | None = None) -> BuildReport:
        """Index a folder of the user's own notes incrementally into the live index."""
        from .add import add_folder

        return add_folder(Path(folder), index_path_or_default(path), progress=progress)

    @staticmethod
    def remove(folder: Path | str, path: Path | str | None = None, *, progress: Progress | None = None) -> BuildReport:
        """Take a folder's documents, chunks, vectors and graph links out of the live index (see ``remove_folder``)."""
        from .remove import remove_folder

        return remove_folder(Path(folder), index_path_or_default(path), progress=progress)

    def folders(self) -> dict[str, int]:
        """The folders this index was built or added from, with their document counts."""
        from .remove import indexed_folders

        return indexed_folders(self.index_path)

    def close(self) -> None:
        self.store.close()

    # ---- questions -------------------------------------------------------
    def search(
        self, query: str, k: int = 5, *, filters: SearchFilters | None = None, mode: str = "hybrid", lang: str | None = None
    ) -> SearchResult:
        """Hits and concepts for ``query``; passages in ``lang`` (default: the question's own language) first when as good."""
        return self.searcher.search(query, k, filters=filters, mode=mode, lang=lang)

    def chunk(self, chunk_id: str) -> Chunk:
        row = self.store.chunk_by_id(chunk_id)
        if row is None:
            raise IndexerError(f"no chunk '{chunk_id}' in the index")
        return Chunk(
            chunk_id=row["chunk_id"], doc_id=row["doc_id"], source=row["source"], kind=row["kind"], title=row["title"],
            heading=row["heading"], text=row["text"], lang=row["lang"], line_start=row["line_start"],
            line_end=row["line_end"], ordinal=row["ordinal"],
        )

    def chunk_entities(self, chunk_id: str) -> list[str]:
        row = self.store.chunk_by_id(chunk_id)
        return self.store.entities_of([row["id"]])[row["id"]] if row else []

    def documents(self, kind: str | None = None) -> list[IndexedDocument]:
        """Every indexed document (or those of one kind: "service", "algorithm", "note", "user"), by path."""
        rows = [r for r in self.store.documents().values() if kind is None or r["kind"] == kind]
        return [
            IndexedDocument(r["doc_id"], r["path"], r["root"], r["kind"], r["title"], r["lang"], r["entity"])
            for r in sorted(rows, key=lambda r: r["path"])
        ]

    def skipped(self) -> list[Skipped]:
        """Files the last build or add passed over, with the reason."""
        return self.store.skipped()

    # ---- graph -----------------------------------------------------------
    def entity(self, name: str):
        return self.graph.entity(name)

    def neighbours(self, name: str):
        return self.graph.neighbours(name)

    def path(self, a: str, b: str, alternatives: int = 3):
        return self.graph.path(a, b, alternatives=alternatives)

    def related(self, name: str, k: int = 10):
        return self.graph.related(name, k=k)

    def mentioned_in(self, name: str) -> tuple[str, ...]:
        return self.graph.mentioned_in(name)

    def sparql(self, query: str) -> list[dict[str, str]]:
        return self.graph.sparql(query)

    # ---- export ----------------------------------------------------------
    def export_chunks(self, path: Path) -> int:
        """Write every chunk with its metadata and linked entities as JSON Lines; return the count.

        The file appears whole or not at all: it is written next to ``path`` and renamed.

        Raises:
            IndexerError: ``path`` cannot be written (missing folder, no permission, full disk); no temporary file is left.
        """
        count = 0
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as out:
                for row in self.store.iter_chunks():
                    record = {key: row[key] for key in row.keys() if key != "id"}
                    record["entities"] = self.store.entities_of([row["id"]])[row["id"]]
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    count += 1
            tmp.replace(path)
        except OSError as error:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            where = path.parent if isinstance(error, (FileNotFoundError, NotADirectoryError)) and not path.parent.is_dir() else path
            cause = "no such folder" if where == path.parent else (error.strerror or str(error))
            raise IndexerError(f"{where}: cannot write the chunks ({cause})") from None
        return count

    def export_graph(self, path: Path) -> None:
        """Write the graph as Turtle, or JSON-LD when the file name ends in .jsonld or .json."""
        if Path(path).suffix in (".jsonld", ".json"):
            self.graph.export_jsonld(Path(path))
        else:
            self.graph.export_turtle(Path(path))
