"""The build: sources -> chunks -> entity links -> vectors -> stored index, published atomically.

``build_index`` makes a whole new index; ``add_folder`` updates the live index with one
folder of a user's notes, re-embedding only files whose content changed. The encoder is
not stored in the index (the default one is 470 MB): the manifest names it and records its
fingerprint, and every later add or search must load the same model.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .embedding import encode_chunks, encode_entities, export_for_questions, load_encoder_reporting
from .encoding import Encoder
from .ingest import Progress, chunk_documents, graph_folder_of, nothing_indexable_error, read_documents, silent
from .layout import current_version, default_graph_path, write_lock, writing
from .linking import link_fact_sources, store_documents
from .manifest import Manifest, revised
from .records import Skipped
from .roots import added_roots_of, inside_any, previously_added
from .sources import assign_prefixes, file_fingerprints
from .store import ChunkStore
from .vectors import EXACT_SEARCH_LIMIT, VectorIndex, load_vector_arrays

# The graph (rdflib, Oxigraph, networkx) is imported by the steps that use it, and the encoder
# module loads torch only when a model is loaded: an add with nothing new needs neither.
if TYPE_CHECKING:
    from kg import KnowledgeGraph

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class BuildReport:
    """What a build or an add did, for the one-screen summary."""

    index_path: str
    documents: int
    chunks: int
    embedded: int
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    languages: dict[str, int]
    skipped: tuple[Skipped, ...]
    warnings: tuple[str, ...]
    model: str
    vector_index: str
    seconds: float
    published: bool = True
    extra: dict = field(default_factory=dict)


def build_index(corpus_dirs: Sequence[Path], index_path: Path, **options) -> BuildReport:
    """Build a complete index from ``corpus_dirs`` and publish it at ``index_path`` (see ``_build_index``).

    The whole build, from reading the folders added earlier to publishing, holds the write
    lock, so an ``add`` that starts meanwhile waits and then adds to the new version.
    """
    with write_lock(index_path, on_wait=announce_waiting(options.get("progress"))):
        return _build_index(corpus_dirs, index_path, **options)


def announce_waiting(progress: Progress | None) -> Callable[[], None]:
    """Tell the user a write is waiting for another one, as a stage of its progress."""
    return lambda: (progress or silent)("waiting for another write to this index to finish", 0, 1)


def _build_index(
    corpus_dirs: Sequence[Path],
    index_path: Path,
    *,
    model: str | None = None,
    graph_dir: Path | None = None,
    exact_limit: int = EXACT_SEARCH_LIMIT,
    progress: Progress | None = None,
    keep_added: bool = True,
) -> BuildReport:
    """Build a complete index from ``corpus_dirs`` and publish it at ``index_path``.

    ``keep_added``: the folders earlier added to the index at ``index_path`` with ``add`` are
    read again, so a rebuild never drops a user's notes; False builds from ``corpus_dirs`` only.

    Raises:
        SourceError: a folder is missing, or no file in them could be indexed.
        ModelError: ``model`` cannot be loaded.
        KGError: the curated graph is malformed or breaks its SHACL shapes.
    """
    from kg import KnowledgeGraph

    started = time.perf_counter()
    report = progress or silent
    roots = [Path(r).expanduser().resolve() for r in corpus_dirs]
    graph_dir = Path(graph_dir or graph_folder_of(roots) or default_graph_path())
    report("checking the knowledge graph", 0, 1)
    graph = KnowledgeGraph.load_curated(graph_dir)
    graph.check_shapes()
    graph.check_sources()
    report("checking the knowledge graph", 1, 1)
    encoder = load_encoder_reporting(model, report)  # a wrong --model fails before any file is read
    added_roots, taken, warnings = previously_added(index_path, roots) if keep_added else ([], {}, [])
    prefixes = assign_prefixes([*roots, *added_roots], taken)
    # The graph is loaded as a graph, the quiz bank (corpus/quiz beside it) by study mode, and corpus/vectors by the
    # embedding cache (see shipped_vectors): none is read as notes.
    documents, skipped = read_documents(roots, exclude=(graph_dir, graph_dir.parent / "quiz", graph_dir.parent / "vectors"), default_kind="note", progress=report, prefixes=prefixes)
    if added_roots:
        user_documents, user_skipped = read_documents(added_roots, exclude=None, default_kind="user", progress=report, prefixes=prefixes)
        documents.update(user_documents)
        skipped.extend(user_skipped)
    if not documents:
        raise nothing_indexable_error(roots, skipped)
    chunks_by_doc, chunk_warnings = chunk_documents(documents, graph, report)
    warnings.extend(chunk_warnings)
    all_chunks = [c for chunks in chunks_by_doc.values() for c in chunks]
    vectors, from_cache = encode_chunks(encoder, all_chunks, report)
    entity_vectors, entity_words = encode_entities(encoder, graph, report)
    export_for_questions(encoder, report)
    with writing(index_path) as folder:
        store = ChunkStore(folder / "chunks.db")
        rowids = store_documents(store, documents, chunks_by_doc, graph, report)
        link_fact_sources(graph, chunks_by_doc, prefixes.get(str(graph_dir.parent.resolve())))
        store.set_skipped(skipped)
        store.commit()
        report("writing the vector index", 0, 1)
        index = VectorIndex(np.asarray(rowids, dtype=np.int64), vectors, exact_limit=exact_limit)
        index.save(folder)
        entity_vectors.save(folder)
        entity_words.save(folder)
        report("writing the vector index", 1, 1)
        report("saving the knowledge graph", 0, 1)
        graph.save(folder / "graph")
        report("saving the knowledge graph", 1, 1)
        manifest = revised(
            _model_manifest(encoder), store, index, graph_triples=len(graph.graph),
            roots=tuple(str(Path(r).resolve()) for r in [*roots, *added_roots]), added_roots=tuple(map(str, added_roots)), started=started,
        )
        store.close()
        manifest.save(folder)
    return BuildReport(
        index_path=str(index_path),
        documents=len(documents),
        chunks=len(all_chunks),
        embedded=len(all_chunks),
        added=tuple(documents),
        changed=(),
        removed=(),
        unchanged=0,
        languages=manifest.languages,
        skipped=tuple(skipped),
        warnings=tuple(warnings),
        model=encoder.name,
        vector_index=index.kind,
        seconds=round(time.perf_counter() - started, 2),
        extra={"added_roots": [str(r) for r in added_roots], "from_cache": from_cache},
    )


def add_folder(folder: Path, index_path: Path, *, progress: Progress | None = None) -> BuildReport:
    """Index one folder of a user's notes into the live index incrementally (see ``_add_folder``).

    The live version is read, the change worked out, written and published under one write
    lock: a second add or a build waits for this one instead of publishing a copy without it.
    """
    with write_lock(index_path, on_wait=announce_waiting(progress)):
        return _add_folder(folder, index_path, progress=progress)


def _add_folder(folder: Path, index_path: Path, *, progress: Progress | None = None) -> BuildReport:
    """Index one folder of a user's notes into the live index incrementally.

    Unchanged files (same content hash) are left alone, changed files replace their old
    chunks, files gone from the folder are removed. When nothing changed no new version is
    written, so running it twice does no work the second time.

    Raises:
        SourceError: the folder holds no indexable file and none of it was indexed before.
        IndexMismatchError: the encoder the index was built with is no longer the one that loads.
    """
    started = time.perf_counter()
    report = progress or silent
    root = Path(folder).expanduser().resolve()
    live = current_version(index_path)
    manifest = Manifest.load(live)
    load_vector_arrays(live)  # a damaged live file is named now, not as the copy this add would make of it
    live_store = ChunkStore(live / "chunks.db", readonly=True)
    known_rows = live_store.documents(root=str(root))
    prefixes = assign_prefixes([root], live_store.root_prefixes())
    added_roots = added_roots_of(manifest, live_store)
    live_store.close()
    known = {doc_id: row["sha256"] for doc_id, row in known_rows.items()}
    # Fingerprints first: a file whose bytes hash to what the index holds is not parsed again,
    # so an add with nothing new reads each file once and loads no encoder.
    report("checking fingerprints", 0, len(known))
    same = {d for d, sha in file_fingerprints(root, known, prefixes.get(str(root))).items() if known[d] == sha}
    report("checking fingerprints", len(known), len(known))
    documents, skipped = read_documents([root], exclude=None, default_kind="user", progress=report, prefixes=prefixes, skip=same)
    if not documents and not known:
        # An emptied folder that was indexed before is a removal; one never indexed is a mistake.
        raise nothing_indexable_error([root], skipped)
    unreadable = [s.path for s in skipped if s.unreadable]
    added = [d for d in documents if d not in known]
    changed = [d for d in documents if d in known and known[d] != documents[d].sha256]
    # A file that could not be read, or sits in a folder that could not be listed, is not gone.
    removed = [d for d in known if d not in documents and d not in same and not inside_any(known_rows[d]["path"], unreadable)]
    unchanged = len(same) + len(documents) - len(added) - len(changed)
    reasons = {s.path: s.reason for s in skipped}
    left = [f"{known_rows[d]['path']}: left the index: {reasons[known_rows[d]['path']]}" for d in removed if known_rows[d]["path"] in reasons]
    folder_languages = Counter(d.lang for d in documents.values()) + Counter(known_rows[d]["lang"] for d in same)
    if not (added or changed or removed):
        return _report_unchanged(index_path, manifest, len(same) + len(documents), folder_languages, skipped, unchanged, started)
    from kg import KnowledgeGraph

    encoder = load_encoder_reporting(manifest.model_name, report).require_fingerprint(manifest.model_fingerprint, index_path)
    with writing(index_path) as new:
        report("copying the live index", 0, 1)
        copy_version(live, new)
        graph = KnowledgeGraph.load(new / "graph")
        report("copying the live index", 1, 1)
        store = ChunkStore(new / "chunks.db")
        gone: set[int] = set()
        # Added ids too: should one exist under another root after all, its vectors go with it.
        for doc_id in changed + removed + added:
            gone.update(store.delete_document(doc_id))
            graph.remove_document(doc_id)
        fresh = {d: documents[d] for d in added + changed}
        chunks_by_doc, warnings = chunk_documents(fresh, graph, report)
        new_chunks = [c for chunks in chunks_by_doc.values() for c in chunks]
        rowids = store_documents(store, fresh, chunks_by_doc, graph, report)
        store.set_skipped(skipped, under=[str(root)])
        store.commit()
        vectors, from_cache = encode_chunks(encoder, new_chunks, report)
        export_for_questions(encoder, report)
        report("writing the vector index", 0, 1)
        index = VectorIndex.load(live, exact_limit=manifest.exact_limit).without(gone).plus(np.asarray(rowids, dtype=np.int64), vectors)
        index.save(new)
        report("writing the vector index", 1, 1)
        report("saving the knowledge graph", 0, 1)
        graph.save(new / "graph")
        report("saving the knowledge graph", 1, 1)
        updated = revised(
            manifest, store, index, graph_triples=len(graph.graph), roots=tuple(dict.fromkeys([*manifest.roots, str(root)])),
            added_roots=tuple(dict.fromkeys([*added_roots, str(root)])), started=started,
        )
        store.close()
        updated.save(new)
    return BuildReport(
        index_path=str(index_path),
        documents=len(documents) + len(same),
        chunks=len(new_chunks),
        embedded=len(new_chunks),
        added=tuple(added),
        changed=tuple(changed),
        removed=tuple(removed),
        unchanged=unchanged,
        languages=dict(folder_languages.most_common()),
        skipped=tuple(skipped),
        warnings=(*left, *warnings),
        model=manifest.model_name,
        vector_index=index.kind,
        seconds=round(time.perf_counter() - started, 2),
        extra={"from_cache": from_cache},
    )


# What every add and remove rewrites from the live arrays: copying them first was wasted I/O.
VECTOR_FILES = ("ids.npy", "vectors.npy", "vectors.faiss")


def copy_version(live: Path, new: Path) -> None:
    """Copy the live version into the new folder but its vector files (see ``VECTOR_FILES``); SQLite through its
    backup API, so a reader never blocks it."""
    for item in live.iterdir():
        if item.name in VECTOR_FILES:
            continue
        if item.name == "chunks.db":
            source = sqlite3.connect(f"file:{item}?mode=ro", uri=True)
            target = sqlite3.connect(new / "chunks.db")
            source.backup(target)
            source.close()
            target.close()
        elif item.is_dir():
            shutil.copytree(item, new / item.name)
        else:
            shutil.copy2(item, new / item.name)


def _model_manifest(encoder: Encoder) -> Manifest:
    """A new index's manifest before ``revised`` reads its contents from the store: the encoder it was built with."""
    return Manifest(
        model_name=encoder.name, model_source=encoder.source, model_fingerprint=encoder.fingerprint(), dim=encoder.dim,
        documents=0, chunks=0, languages={}, corpus_fingerprint="", vector_index="flat", roots=(), built_at="", build_seconds=0.0,
    )


def _report_unchanged(
    index_path: Path, manifest: Manifest, documents: int, languages: Counter, skipped: list[Skipped], unchanged: int, started: float
) -> BuildReport:
    return BuildReport(
        index_path=str(index_path),
        documents=documents,
        chunks=0,
        embedded=0,
        added=(),
        changed=(),
        removed=(),
        unchanged=unchanged,
        languages=dict(languages.most_common()),
        skipped=tuple(skipped),
        warnings=(),
        model=manifest.model_name,
        vector_index=manifest.vector_index,
        seconds=round(time.perf_counter() - started, 2),
        published=False,
    )


__all__ = ["BuildReport", "Progress", "add_folder", "build_index"]
