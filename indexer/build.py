"""The build: sources -> chunks -> entity links -> vectors -> stored index, published atomically.

``build_index`` makes a whole new index (training the default encoder unless a model is
named); ``add_folder`` updates the live index with one folder of a user's notes,
re-embedding only files whose content changed. When a folder is large next to what the
trained encoder learned from (a documentation set on top of the shipped corpus), the add
retrains the encoder on everything the index holds, so the new vocabulary gets vectors too.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from kg import KnowledgeGraph
from kg.errors import KGError

from . import __version__
from .chunking import chunk_document
from .encoder import TRAINED_MODEL_NAME, Encoder, model_fingerprint
from .errors import ModelError, SourceError
from .layout import current_version, default_graph_path, writing
from .manifest import Manifest, corpus_fingerprint
from .pairs import chunk_text_for_encoding, entity_texts, training_pairs
from .records import Chunk, Document, Skipped
from .roots import added_roots_of, inside_any, nothing_indexable, previously_added
from .sources import assign_prefixes, iter_documents
from .store import ChunkStore
from .vectors import EXACT_SEARCH_LIMIT, VectorIndex

log = logging.getLogger(__name__)

# An add retrains the default encoder when the index would hold more than this many times
# the chunks the encoder learned from; below that the encoder already knows most of the words
# and an add only embeds what is new.
RETRAIN_GROWTH = 2.0

# progress(stage, done, total): the CLI draws tqdm bars from it, the app st.progress.
Progress = Callable[[str, int, int], None]


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
    retrained: bool = False
    published: bool = True
    extra: dict = field(default_factory=dict)


def build_index(
    corpus_dirs: Sequence[Path],
    index_path: Path,
    *,
    model: str | None = None,
    graph_dir: Path | None = None,
    tune_encoder: bool = True,
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
    started = time.perf_counter()
    report = progress or _silent
    graph_dir = Path(graph_dir or default_graph_path())
    graph = KnowledgeGraph.load_curated(graph_dir)
    graph.check_shapes()
    roots = [Path(r).expanduser().resolve() for r in corpus_dirs]
    added_roots, taken, warnings = previously_added(index_path, roots) if keep_added else ([], {}, [])
    prefixes = assign_prefixes([*roots, *added_roots], taken)
    documents, skipped = _read(roots, exclude=graph_dir, default_kind="note", progress=report, prefixes=prefixes)
    if added_roots:
        user_documents, user_skipped = _read(added_roots, exclude=None, default_kind="user", progress=report, prefixes=prefixes)
        documents.update(user_documents)
        skipped.extend(user_skipped)
    if not documents:
        raise SourceError(nothing_indexable(roots, skipped))
    chunks_by_doc, chunk_warnings = _chunk_and_link(documents, graph, report)
    warnings.extend(chunk_warnings)
    all_chunks = [c for chunks in chunks_by_doc.values() for c in chunks]
    encoder = _encoder_for_build(model, graph, all_chunks, tune_encoder, report)
    vectors = _encode(encoder, all_chunks, report)
    with writing(index_path) as folder:
        encoder.save(folder / "model")
        store = ChunkStore(folder / "chunks.db")
        rowids = _store_documents(store, documents, chunks_by_doc, graph, report)
        store.set_skipped(skipped)
        store.commit()
        store.close()
        index = VectorIndex(np.asarray(rowids, dtype=np.int64), vectors, exact_limit=exact_limit)
        index.save(folder)
        graph.save(folder / "graph")
        manifest = _manifest(folder, encoder, model is None, documents.values(), len(all_chunks), index, [*roots, *added_roots], started, graph)
        manifest = replace(manifest, added_roots=tuple(map(str, added_roots)))
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
        extra={"added_roots": [str(r) for r in added_roots]},
    )


def add_folder(folder: Path, index_path: Path, *, retrain: bool | None = None, progress: Progress | None = None) -> BuildReport:
    """Index one folder of a user's notes into the live index incrementally.

    Unchanged files (same content hash) are left alone, changed files replace their old
    chunks, files gone from the folder are removed. When nothing changed no new version is
    written, so running it twice does no work the second time.

    ``retrain``: None retrains the trained default encoder when the index outgrows what it
    learned from (``RETRAIN_GROWTH``); True forces a retrain, False never retrains. An index
    built with a pretrained ``--model`` is never retrained.

    Raises:
        SourceError: the folder holds no indexable file and none of it was indexed before.
        ModelError: ``retrain=True`` on an index built with a pretrained model.
    """
    started = time.perf_counter()
    report = progress or _silent
    root = Path(folder).expanduser().resolve()
    live = current_version(index_path)
    manifest = Manifest.load(live)
    if retrain and not manifest.model_trained:
        raise ModelError(
            f"this index uses the pretrained model '{manifest.model_name}', which studykg does not retrain; "
            "rebuild with 'studykg build' to change the encoder"
        )
    live_store = ChunkStore(live / "chunks.db", readonly=True)
    known_rows = live_store.documents(root=str(root))
    prefixes = assign_prefixes([root], live_store.root_prefixes())
    added_roots = added_roots_of(manifest, live_store)
    live_store.close()
    known = {doc_id: row["sha256"] for doc_id, row in known_rows.items()}
    documents, skipped = _read([root], exclude=None, default_kind="user", progress=report, prefixes=prefixes)
    if not documents and not known:
        # An emptied folder that was indexed before is a removal; one never indexed is a mistake.
        raise SourceError(nothing_indexable([root], skipped))
    unreadable = [s.path for s in skipped if s.unreadable]
    added = [d for d in documents if d not in known]
    changed = [d for d in documents if d in known and known[d] != documents[d].sha256]
    # A file that could not be read, or sits in a folder that could not be listed, is not gone.
    removed = [d for d in known if d not in documents and not inside_any(known_rows[d]["path"], unreadable)]
    unchanged = len(documents) - len(added) - len(changed)
    if not (added or changed or removed):
        return _report_unchanged(index_path, manifest, documents, skipped, unchanged, started)
    with writing(index_path) as new:
        _copy_version(live, new)
        graph = KnowledgeGraph.load(new / "graph")
        store = ChunkStore(new / "chunks.db")
        gone: set[int] = set()
        # Added ids too: should one exist under another root after all, its vectors go with it.
        for doc_id in changed + removed + added:
            gone.update(store.delete_document(doc_id))
            graph.remove_document(doc_id)
        fresh = {d: documents[d] for d in added + changed}
        chunks_by_doc, warnings = _chunk_and_link(fresh, graph, report)
        new_chunks = [c for chunks in chunks_by_doc.values() for c in chunks]
        rowids = _store_documents(store, fresh, chunks_by_doc, graph, report)
        store.set_skipped(skipped, under=[str(root)])
        store.commit()
        retrain = _should_retrain(manifest, store.chunk_count(), retrain)
        if retrain:
            all_rowids, all_chunks = _stored_chunks(store)
            encoder = _encoder_for_build(None, graph, all_chunks, True, report)
            shutil.rmtree(new / "model")
            encoder.save(new / "model")
            index = VectorIndex(np.asarray(all_rowids, dtype=np.int64), _encode(encoder, all_chunks, report), exact_limit=EXACT_SEARCH_LIMIT)
        else:
            encoder = Encoder.load(new / "model", name=manifest.model_name)
            vectors = _encode(encoder, new_chunks, report)
            index = VectorIndex.load(new, exact_limit=EXACT_SEARCH_LIMIT).without(gone).plus(np.asarray(rowids, dtype=np.int64), vectors)
        for name in ("ids.npy", "vectors.npy", "vectors.faiss"):
            (new / name).unlink(missing_ok=True)
        index.save(new)
        graph.save(new / "graph")
        all_docs = {row["doc_id"]: row for row in store.documents().values()}
        languages = Counter(row["lang"] for row in all_docs.values())
        chunk_total = store.chunk_count()
        store.close()
        roots = tuple(dict.fromkeys([*manifest.roots, str(root)]))
        updated = replace(
            manifest,
            documents=len(all_docs),
            chunks=chunk_total,
            languages=dict(languages.most_common()),
            corpus_fingerprint=corpus_fingerprint({d: r["sha256"] for d, r in all_docs.items()}),
            vector_index=index.kind,
            roots=roots,
            added_roots=tuple(dict.fromkeys([*added_roots, str(root)])),
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            build_seconds=round(time.perf_counter() - started, 2),
            graph_triples=len(graph.graph),
            studykg_version=__version__,
        )
        if retrain:
            updated = replace(updated, model_fingerprint=model_fingerprint(new / "model"), encoder_chunks=chunk_total)
        updated.save(new)
    return BuildReport(
        index_path=str(index_path),
        documents=len(documents),
        chunks=len(new_chunks),
        embedded=chunk_total if retrain else len(new_chunks),
        added=tuple(added),
        changed=tuple(changed),
        removed=tuple(removed),
        unchanged=unchanged,
        languages=dict(Counter(d.lang for d in documents.values()).most_common()),
        skipped=tuple(skipped),
        warnings=tuple(warnings),
        model=manifest.model_name,
        vector_index=index.kind,
        seconds=round(time.perf_counter() - started, 2),
        retrained=retrain,
    )


# ---- steps -----------------------------------------------------------------
def _silent(stage: str, done: int, total: int) -> None:
    return None


def _read(
    roots: Sequence[Path], *, exclude: Path | None, default_kind: str, progress: Progress, prefixes: dict[str, str] | None = None
) -> tuple[dict[str, Document], list[Skipped]]:
    documents: dict[str, Document] = {}
    skipped: list[Skipped] = []
    excluded = Path(exclude).resolve() if exclude else None
    for item in iter_documents(roots, default_kind=default_kind, prefixes=prefixes):
        if excluded and Path(item.path).resolve().is_relative_to(excluded):
            continue  # the curated graph is loaded as a graph, not read as notes
        if isinstance(item, Skipped):
            skipped.append(item)
        else:
            documents[item.doc_id] = item
        progress("reading files", len(documents) + len(skipped), 0)
    return documents, skipped


def _chunk_and_link(documents: dict[str, Document], graph: KnowledgeGraph, progress: Progress) -> tuple[dict[str, list[Chunk]], list[str]]:
    chunks_by_doc: dict[str, list[Chunk]] = {}
    warnings: list[str] = []
    for n, doc in enumerate(documents.values(), 1):
        chunks_by_doc[doc.doc_id] = chunk_document(doc)
        if doc.entity:
            try:
                graph.entity(doc.entity)
            except KGError as exc:
                warnings.append(f"{doc.path}: front matter names {exc}; indexed without a page link")
        progress("chunking", n, len(documents))
    return chunks_by_doc, warnings


def _encoder_for_build(model: str | None, graph: KnowledgeGraph, chunks: list[Chunk], tune: bool, progress: Progress) -> Encoder:
    if model:
        progress("loading model", 0, 1)
        encoder = Encoder.load(model)
        progress("loading model", 1, 1)
        return encoder
    from .training import train_encoder

    texts = [chunk_text_for_encoding(c) for c in chunks] + entity_texts(graph)
    pairs = training_pairs(graph, chunks)
    trained = train_encoder(texts, pairs, tune=tune, progress=lambda stage, f: progress("training encoder", int(f * 100), 100))
    return Encoder(trained, TRAINED_MODEL_NAME)


def _should_retrain(manifest: Manifest, chunk_total: int, requested: bool | None) -> bool:
    if not manifest.model_trained:
        return False
    if requested is not None:
        return requested
    return chunk_total > RETRAIN_GROWTH * manifest.encoder_chunks


def _stored_chunks(store: ChunkStore) -> tuple[list[int], list[Chunk]]:
    """Every chunk the store holds, with its row id: what a retrained encoder learns from and embeds."""
    rowids, chunks = [], []
    for row in store.iter_chunks():
        rowids.append(row["id"])
        chunks.append(Chunk(**{name: row[name] for name in Chunk.__dataclass_fields__}))
    return rowids, chunks


def _encode(encoder: Encoder, chunks: list[Chunk], progress: Progress) -> np.ndarray:
    texts = [chunk_text_for_encoding(c) for c in chunks]
    parts = []
    step = 2048
    for start in range(0, len(texts), step):
        parts.append(encoder.encode(texts[start : start + step]))
        progress("embedding chunks", min(start + step, len(texts)), len(texts))
    return np.concatenate(parts) if parts else np.zeros((0, encoder.dim), dtype=np.float32)


def _store_documents(
    store: ChunkStore, documents: dict[str, Document], chunks_by_doc: dict[str, list[Chunk]], graph: KnowledgeGraph, progress: Progress
) -> list[int]:
    """Write documents and chunks to the store and the graph; return row ids in ``chunks_by_doc`` order."""
    rowids: list[int] = []
    for n, doc in enumerate(documents.values(), 1):
        chunks = chunks_by_doc[doc.doc_id]
        page_entity = _page_entity(graph, doc)
        mentions = []
        for chunk in chunks:
            found = [m.iri for m in graph.link(f"{chunk.heading}\n{chunk.text}")]
            if page_entity:
                found.insert(0, page_entity)
            mentions.append(list(dict.fromkeys(found)))
        rowids.extend(store.put_document(doc, chunks, mentions))
        graph.add_document(doc.doc_id, doc.source, doc.title, describes=page_entity)
        for chunk, iris in zip(chunks, mentions, strict=True):
            graph.add_chunk(chunk.chunk_id, doc.doc_id, iris)
        progress("linking entities", n, len(documents))
    return rowids


def _page_entity(graph: KnowledgeGraph, doc: Document) -> str | None:
    if not doc.entity:
        return None
    try:
        return graph.entity(doc.entity).iri
    except KGError:
        return None


def _copy_version(live: Path, new: Path) -> None:
    """Copy the live version into the new folder; SQLite through its backup API, so a reader never blocks it."""
    for item in live.iterdir():
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


def _manifest(
    folder: Path,
    encoder: Encoder,
    trained: bool,
    documents: Iterable[Document],
    chunk_count: int,
    index: VectorIndex,
    roots: Sequence[Path],
    started: float,
    graph: KnowledgeGraph,
) -> Manifest:
    documents = list(documents)
    return Manifest(
        model_name=encoder.name,
        model_trained=trained,
        model_fingerprint=model_fingerprint(folder / "model"),
        dim=encoder.dim,
        documents=len(documents),
        chunks=chunk_count,
        languages=dict(Counter(d.lang for d in documents).most_common()),
        corpus_fingerprint=corpus_fingerprint({d.doc_id: d.sha256 for d in documents}),
        vector_index=index.kind,
        roots=tuple(str(Path(r).resolve()) for r in roots),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        build_seconds=round(time.perf_counter() - started, 2),
        graph_triples=len(graph.graph),
        studykg_version=__version__,
        encoder_chunks=chunk_count if trained else 0,
    )


def _report_unchanged(
    index_path: Path, manifest: Manifest, documents: dict[str, Document], skipped: list[Skipped], unchanged: int, started: float
) -> BuildReport:
    return BuildReport(
        index_path=str(index_path),
        documents=len(documents),
        chunks=0,
        embedded=0,
        added=(),
        changed=(),
        removed=(),
        unchanged=unchanged,
        languages=dict(Counter(d.lang for d in documents.values()).most_common()),
        skipped=tuple(skipped),
        warnings=(),
        model=manifest.model_name,
        vector_index=manifest.vector_index,
        seconds=round(time.perf_counter() - started, 2),
        published=False,
    )


__all__ = ["BuildReport", "Progress", "add_folder", "build_index"]
