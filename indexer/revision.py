"""One change to an index, as one transaction: ``with revision(index_path) as rev: ...``.

Build, add and remove only say what changes (``rev.start_empty`` or the live version as the
base, ``rev.remove_documents``, ``rev.add_documents``, ``rev.set_roots``); the revision does the
rest the same way for all three:

- it takes the write lock first and reads the live version inside it, so a second writer
  waits (saying so) and then works on this one's result instead of publishing a copy that
  misses it;
- it copies only what the change rewrites: the chunk store (through SQLite's backup API, so a
  reader never blocks it); the entity vectors and words, which no add or remove changes, are
  hard-linked (versions are never written once published); the graph is loaded from the
  live version and saved into the new one, the vectors rebuilt from the live arrays;
- it trains the vector index once, when it is saved;
- it derives the manifest (counts, languages, corpus fingerprint, roots, added folders, the
  exact-search limit) from what the new version stores (``manifest.revised``);
- it publishes the new version atomically when the block ends without an error, and
  publishes nothing when the block changed nothing or raised (the live index is untouched).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .ingest import Progress, silent
from .errors import IndexMissingError
from .layout import current_version, write_lock, writing
from .linking import store_documents
from .manifest import Manifest, revised
from .records import Chunk, Document, Skipped
from .store import ChunkStore
from .vectors import EntityVectors, VectorIndex

if TYPE_CHECKING:
    from kg import KnowledgeGraph

    from .entity_words import EntityWords

# Rewritten by every revision, so never copied from the live version: the vectors (rebuilt from the
# live arrays), the graph (loaded from the live version, saved into the new one) and the manifest.
REWRITTEN = ("ids.npy", "vectors.npy", "vectors.faiss", "graph", "manifest.json", "chunks.db")


@contextlib.contextmanager
def revision(index_path: Path, *, progress: Progress | None = None) -> Iterator[Revision]:
    """The one way to change an index: lock, read the live version, stage the change, publish.

    Example::

        with revision(index_path, progress=report) as rev:
            with rev.live_store() as live:
                rev.remove_documents(list(live.documents(root=folder)))
            rev.set_roots(roots, added_roots)
    """
    report = progress or silent
    with write_lock(index_path, on_wait=announce_waiting(report)):
        rev = Revision(Path(index_path), report)
        with contextlib.ExitStack() as staging:
            rev._staging = staging
            try:
                yield rev
                rev._finish()
            finally:
                rev._close()


def announce_waiting(progress: Progress | None) -> Callable[[], None]:
    """Tell the user a write is waiting for another one, as a stage of its progress."""
    return lambda: (progress or silent)("waiting for another write to this index to finish", 0, 1)


class Revision:
    """The change being staged by ``revision``: the live version it starts from and the new one it writes.

    Nothing is staged until the first change (``start_empty``, ``remove_documents``,
    ``add_documents``, ``graph``): a revision that changes nothing publishes nothing.
    """

    def __init__(self, index_path: Path, report: Progress) -> None:
        self.index_path = index_path
        self.report = report
        self.started = time.perf_counter()
        try:
            self.live: Path | None = current_version(index_path)
        except IndexMissingError:
            self.live = None  # a first build; reading the live version raises the missing-index error
        self.manifest: Manifest | None = None  # what was published, once the block has ended
        self._staging: contextlib.ExitStack | None = None
        self._folder: Path | None = None
        self._live_manifest: Manifest | None = None
        self._base: Manifest | None = None
        self._store: ChunkStore | None = None
        self._graph: KnowledgeGraph | None = None
        self._vectors: VectorIndex | None = None
        self._entities: tuple[EntityVectors, EntityWords] | None = None
        self._gone: set[int] = set()
        self._rowids: list[int] = []
        self._new_vectors: list[np.ndarray] = []
        self._roots: tuple[str, ...] | None = None
        self._added_roots: tuple[str, ...] | None = None

    # ---- reading the live version ----------------------------------------
    def live_manifest(self) -> Manifest:
        """The live version's manifest, checked for this studykg's format; read once (the lock keeps it live).

        Raises:
            IndexMissingError: there is no index yet.
            IndexMismatchError, IndexCorruptError: the live version cannot be changed, only rebuilt.
        """
        if self._live_manifest is None:
            self._live_manifest = Manifest.load(self.live_path())
        return self._live_manifest

    @contextlib.contextmanager
    def live_store(self) -> Iterator[ChunkStore]:
        """The live version's chunk store, read-only."""
        store = ChunkStore(self.live_path() / "chunks.db", readonly=True)
        try:
            yield store
        finally:
            store.close()

    def live_path(self) -> Path:
        """The live version's folder; raises ``IndexMissingError`` when there is none yet."""
        return self.live if self.live is not None else current_version(self.index_path)

    # ---- stating the change ----------------------------------------------
    def start_empty(self, graph: KnowledgeGraph, model: Manifest, entities: tuple[EntityVectors, EntityWords], *, exact_limit: int) -> None:
        """Stage a whole new version (a build): ``graph`` is the curated graph, ``model`` names the encoder."""
        folder = self._stage()
        self._base = model
        self._graph = graph
        self._store = ChunkStore(folder / "chunks.db")
        self._vectors = VectorIndex(np.zeros(0, dtype=np.int64), np.zeros((0, model.dim), dtype=np.float32), exact_limit=exact_limit, build=False)
        self._entities = entities

    @property
    def graph(self) -> KnowledgeGraph:
        """The new version's graph (the live one's, staged on first use)."""
        self._from_live()
        return self._graph

    def remove_documents(self, doc_ids: Sequence[str], *, stage: str | None = None) -> None:
        """Take documents out: their chunks, vectors and graph nodes (an unknown id is a no-op)."""
        self._from_live()
        if stage:
            self.report(stage, 0, len(doc_ids))
        for number, doc_id in enumerate(doc_ids, 1):
            self._gone.update(self._store.delete_document(doc_id))
            self._graph.remove_document(doc_id)
            if stage:
                self.report(stage, number, len(doc_ids))

    def add_documents(self, documents: dict[str, Document], chunks_by_doc: dict[str, list[Chunk]], vectors: np.ndarray) -> None:
        """Put documents in, with their chunks (``vectors`` in ``chunks_by_doc`` order) and the entities they mention."""
        self._from_live()
        self._rowids.extend(store_documents(self._store, documents, chunks_by_doc, self._graph, self.report))
        self._new_vectors.append(np.asarray(vectors, dtype=np.float32))

    def set_skipped(self, skipped: Sequence[Skipped], *, under: Sequence[str] | None = None) -> None:
        """Record the files that could not be read (``under``: replacing only those inside these folders)."""
        self._from_live()
        self._store.set_skipped(skipped, under=under)

    def set_roots(self, roots: Sequence[str], added_roots: Sequence[str]) -> None:
        """The folders the new version is read from, and those of them added with ``add`` (a rebuild reads them again)."""
        self._roots = tuple(dict.fromkeys(map(str, roots)))
        self._added_roots = tuple(dict.fromkeys(map(str, added_roots)))

    # ---- staging and publishing -------------------------------------------
    def _stage(self) -> Path:
        if self._folder is None:
            self._folder = self._staging.enter_context(writing(self.index_path))
        return self._folder

    def _from_live(self) -> None:
        """Stage the new version from the live one, copying only what the change rewrites."""
        if self._store is not None:
            return
        from kg import KnowledgeGraph

        self._base = self.live_manifest()
        live = self.live_path()
        # Loaded first: a damaged live vector file is named now, before anything is written.
        self._vectors = VectorIndex.load(live, exact_limit=self._base.exact_limit)
        folder = self._stage()
        self.report("copying the live index", 0, 1)
        _backup_sqlite(live / "chunks.db", folder / "chunks.db")
        for item in live.iterdir():
            if item.name not in REWRITTEN:
                _link_or_copy(item, folder / item.name)
        self._graph = KnowledgeGraph.load(live / "graph")
        self._store = ChunkStore(folder / "chunks.db")
        self.report("copying the live index", 1, 1)

    def _finish(self) -> None:
        """Write what the change left (vectors, graph, manifest) and let ``writing`` publish it."""
        if self._store is None:
            return
        folder = self._folder
        self._store.commit()
        self.report("writing the vector index", 0, 1)
        rowids = np.asarray(self._rowids, dtype=np.int64)
        added = np.concatenate(self._new_vectors) if self._new_vectors else np.zeros((0, self._base.dim), dtype=np.float32)
        vectors = self._vectors.without(self._gone).plus(rowids, added)
        vectors.save(folder)  # the one training of an IVF index, if it is large enough to have one
        if self._entities is not None:
            for part in self._entities:
                part.save(folder)
        self.report("writing the vector index", 1, 1)
        self.report("saving the knowledge graph", 0, 1)
        self._graph.save(folder / "graph")
        self.report("saving the knowledge graph", 1, 1)
        self.manifest = revised(
            self._base, self._store, vectors, graph_triples=len(self._graph.graph),
            roots=self._roots if self._roots is not None else self._base.roots,
            added_roots=self._added_roots if self._added_roots is not None else self._base.added_roots, started=self.started,
        )
        self._store.close()
        self._store = None
        self.manifest.save(folder)

    def _close(self) -> None:
        if self._store is not None:
            self._store.close()


def _backup_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database through its backup API: consistent, and a reader never blocks it."""
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
    finally:
        reader.close()
        writer.close()


def _link_or_copy(source: Path, target: Path) -> None:
    """A file of the live version the change does not touch: a hard link where the file system allows one."""
    if source.is_dir():
        shutil.copytree(source, target, copy_function=_link_or_copy_file)
    else:
        _link_or_copy_file(source, target)


def _link_or_copy_file(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


__all__ = ["Revision", "announce_waiting", "revision"]
