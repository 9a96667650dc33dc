"""The build: sources -> chunks -> entity links -> vectors -> a whole new index version, as one ``revision``.

The encoder is not stored in the index (the default one is 470 MB): the manifest names it
and records its fingerprint, and every later add or search must load the same model.
``add.py`` and ``remove.py`` change the live index through the same ``revision``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from .embedding import encode_chunks, encode_entities, export_for_questions, load_encoder_reporting
from .encoding import Encoder
from .encoding.pretrained import cache_dir
from .ingest import Progress, chunk_documents, graph_folder_of, not_notes, nothing_indexable_error, read_documents, silent
from .layout import default_graph_path
from .linking import link_fact_sources
from .manifest import Manifest
from .records import BuildReport
from .revision import revision
from .roots import previously_added
from .sources import assign_prefixes
from .vectors import EXACT_SEARCH_LIMIT


def build_index(
    corpus_dirs: Sequence[Path],
    index_path: Path,
    *,
    model: str | None = None,
    graph_dir: Path | None = None,
    exact_limit: int = EXACT_SEARCH_LIMIT,
    progress: Progress | None = None,
    keep_added: bool = True,
) -> BuildReport:
    """Build a complete index from ``corpus_dirs`` and publish it at ``index_path``, as one ``revision``.

    ``keep_added``: the folders earlier added to the index at ``index_path`` with ``add`` are
    read again, so a rebuild never drops a user's notes; False builds from ``corpus_dirs`` only.
    They are read inside the write lock: an ``add`` that starts meanwhile waits and then adds
    to the new version.

    Raises:
        SourceError: a folder is missing, or no file in them could be indexed.
        ModelError: ``model`` cannot be loaded.
        KGError: the curated graph is malformed or breaks its SHACL shapes.
    """
    from kg import KnowledgeGraph
    from kg.checked import check_once

    report = progress or silent
    roots = [Path(r).expanduser().resolve() for r in corpus_dirs]
    graph_dir = Path(graph_dir or graph_folder_of(roots) or default_graph_path())
    with revision(index_path, progress=report) as rev:
        report("checking the knowledge graph", 0, 1)
        graph = KnowledgeGraph.load_curated(graph_dir)
        check_once(graph, graph_dir, remembered_in=cache_dir() / "graph-checks")
        report("checking the knowledge graph", 1, 1)
        encoder = load_encoder_reporting(model, report)  # a wrong --model fails before any file is read
        added_roots, taken, warnings = previously_added(index_path, roots) if keep_added else ([], {}, [])
        prefixes = assign_prefixes([*roots, *added_roots], taken)
        reading = read_documents(roots, exclude=not_notes(graph_dir), default_kind="note", progress=report, prefixes=prefixes)
        if added_roots:
            reading.extend(read_documents(added_roots, exclude=None, default_kind="user", progress=report, prefixes=prefixes))
        if not reading.documents:
            raise nothing_indexable_error(roots, reading.skipped)
        chunks_by_doc, chunk_warnings = chunk_documents(reading.documents, graph, report)
        warnings.extend(chunk_warnings)
        all_chunks = [c for chunks in chunks_by_doc.values() for c in chunks]
        vectors, from_cache = encode_chunks(encoder, all_chunks, report)
        entities = encode_entities(encoder, graph, report)
        export_for_questions(encoder, report)
        rev.start_empty(graph, model_manifest(encoder), entities, exact_limit=exact_limit)
        rev.add_documents(reading.documents, chunks_by_doc, vectors)
        link_fact_sources(graph, chunks_by_doc, prefixes.get(str(graph_dir.parent.resolve())))
        rev.set_skipped(reading.skipped)
        rev.set_roots([*roots, *added_roots], added_roots)
    return BuildReport(
        index_path=str(index_path),
        documents=len(reading.documents),
        chunks=len(all_chunks),
        embedded=len(all_chunks),
        added=tuple(reading.documents),
        changed=(),
        removed=(),
        unchanged=0,
        languages=rev.manifest.languages,
        skipped=tuple(reading.skipped),
        warnings=tuple(warnings),
        model=encoder.name,
        vector_index=rev.manifest.vector_index,
        seconds=round(time.perf_counter() - rev.started, 2),
        extra={"added_roots": [str(r) for r in added_roots], "from_cache": from_cache},
    )


def model_manifest(encoder: Encoder) -> Manifest:
    """A new index's manifest before ``revised`` reads its contents from the store: the encoder it was built with."""
    return Manifest(
        model_name=encoder.name, model_source=encoder.source, model_fingerprint=encoder.fingerprint(), dim=encoder.dim,
        documents=0, chunks=0, languages={}, corpus_fingerprint="", vector_index="flat", roots=(), built_at="", build_seconds=0.0,
    )


__all__ = ["BuildReport", "Progress", "build_index"]
