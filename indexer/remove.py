"""Taking a folder out of the study index: its documents, chunks, vectors and graph links.

Like ``add_folder``, a removal writes a new index version from a copy of the live one and
publishes it atomically (``layout.writing``): a reader sees the index with the folder or
without it, never half of it, and a removal that fails leaves the live index as it was.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from kg import KnowledgeGraph

from .build import BuildReport, announce_waiting, copy_version
from .errors import SourceError
from .ingest import Progress, silent
from .layout import current_version, write_lock, writing
from .manifest import Manifest, revised
from .store import ChunkStore
from .vectors import VectorIndex

__all__ = ["indexed_folders", "remove_folder"]


def indexed_folders(index_path: Path) -> dict[str, int]:
    """Every folder the live index was built or added from, with how many documents it holds now."""
    live = current_version(index_path)
    manifest = Manifest.load(live)
    store = ChunkStore(live / "chunks.db", readonly=True)
    try:
        counts = Counter(row["root"] for row in store.documents().values())
    finally:
        store.close()
    return {root: counts.get(root, 0) for root in dict.fromkeys([*manifest.roots, *counts])}


def remove_folder(folder: Path, index_path: Path, *, progress: Progress | None = None) -> BuildReport:
    """Remove every document indexed from ``folder`` (as given to build or add) and publish the result.

    Like ``add_folder``, it reads the live version and publishes the new one under one write
    lock, waiting for another writer first.
    """
    with write_lock(index_path, on_wait=announce_waiting(progress)):
        return _remove_folder(folder, index_path, progress=progress)


def _remove_folder(folder: Path, index_path: Path, *, progress: Progress | None = None) -> BuildReport:
    """Remove every document indexed from ``folder`` (as given to build or add) and publish the result.

    The files themselves are not touched. The folder is matched after resolving it, the
    way ``add`` recorded it.

    Raises:
        SourceError: the folder was never indexed, or removing it would leave the index empty.
    """
    started = time.perf_counter()
    report = progress or silent
    root = str(Path(folder).expanduser().resolve())
    live = current_version(index_path)
    manifest = Manifest.load(live)
    folders = indexed_folders(index_path)
    if root not in folders:
        known = ", ".join(folders) or "none"
        raise SourceError(f"{root} is not an indexed folder (indexed: {known})")
    if folders[root] and not any(count for other, count in folders.items() if other != root):
        raise SourceError(f"{root} holds every document of the index; build a new one with 'studykg build' instead")
    with writing(index_path) as new:
        report("copying the live index", 0, 1)
        copy_version(live, new)
        graph = KnowledgeGraph.load(new / "graph")
        report("copying the live index", 1, 1)
        store = ChunkStore(new / "chunks.db")
        documents = store.documents(root=root)
        gone: set[int] = set()
        report("removing documents", 0, len(documents))
        for number, doc_id in enumerate(documents, 1):
            gone.update(store.delete_document(doc_id))
            graph.remove_document(doc_id)
            report("removing documents", number, len(documents))
        store.set_skipped((), under=[root])
        store.commit()
        report("writing the vector index", 0, 1)
        index = VectorIndex.load(live, exact_limit=manifest.exact_limit).without(gone)
        index.save(new)
        report("writing the vector index", 1, 1)
        report("saving the knowledge graph", 0, 1)
        graph.save(new / "graph")
        report("saving the knowledge graph", 1, 1)
        updated = revised(
            manifest, store, index, graph_triples=len(graph.graph), roots=tuple(r for r in manifest.roots if r != root),
            # A later build reads the added folders again: a removed one must not come back.
            added_roots=tuple(r for r in manifest.added_roots if r != root), started=started,
        )
        store.close()
        updated.save(new)
    return BuildReport(
        index_path=str(index_path),
        documents=updated.documents,
        chunks=0,
        embedded=0,
        added=(),
        changed=(),
        removed=tuple(documents),
        unchanged=0,
        languages={},
        skipped=(),
        warnings=(),
        model=manifest.model_name,
        vector_index=index.kind,
        seconds=round(time.perf_counter() - started, 2),
    )
