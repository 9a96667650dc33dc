"""Adding a folder of a learner's notes to the live index, re-reading and re-embedding only what changed.

One ``revision``: the folder is walked once inside the write lock, each file read once (a
file whose bytes hash to what the index holds is not parsed again), and the new version
holds the live one's documents less the folder's changed and deleted files, plus its new
and changed ones. Nothing new means nothing written and no encoder loaded.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from .embedding import encode_chunks, export_for_questions, load_encoder_reporting
from .ingest import Progress, chunk_documents, nothing_indexable_error, read_documents, silent
from .records import BuildReport
from .revision import revision
from .roots import added_roots_of, inside_any
from .sources import assign_prefixes

__all__ = ["add_folder"]


def add_folder(folder: Path, index_path: Path, *, progress: Progress | None = None) -> BuildReport:
    """Index one folder of a user's notes into the live index incrementally.

    Unchanged files (same content hash) are left alone, changed files replace their old
    chunks, files gone from the folder are removed. When nothing changed no new version is
    written, so running it twice does no work the second time.

    Raises:
        SourceError: the folder holds no indexable file and none of it was indexed before.
        IndexMismatchError: the encoder the index was built with is no longer the one that loads.
    """
    report = progress or silent
    root = Path(folder).expanduser().resolve()
    with revision(index_path, progress=report) as rev:
        manifest = rev.live_manifest()
        with rev.live_store() as live:
            known_rows = live.documents(root=str(root))
            prefixes = assign_prefixes([root], live.root_prefixes())
            added_roots = added_roots_of(manifest, live)
        known = {doc_id: row["sha256"] for doc_id, row in known_rows.items()}
        reading = read_documents([root], exclude=None, default_kind="user", progress=report, prefixes=prefixes, known=known)
        documents, skipped, same = reading.documents, reading.skipped, reading.unchanged
        if not documents and not known:
            # An emptied folder that was indexed before is a removal; one never indexed is a mistake.
            raise nothing_indexable_error([root], skipped)
        unreadable = [s.path for s in skipped if s.unreadable]
        added = [d for d in documents if d not in known]
        changed = [d for d in documents if d in known]
        # A file that could not be read, or sits in a folder that could not be listed, is not gone.
        removed = [d for d in known if d not in documents and d not in same and not inside_any(known_rows[d]["path"], unreadable)]
        reasons = {s.path: s.reason for s in skipped}
        left = [f"{known_rows[d]['path']}: left the index: {reasons[known_rows[d]['path']]}" for d in removed if known_rows[d]["path"] in reasons]
        chunk_warnings: list[str] = []
        new_chunks: list = []
        from_cache = 0
        if added or changed or removed:
            encoder = load_encoder_reporting(manifest.model_name, report).require_fingerprint(manifest.model_fingerprint, index_path)
            # Added ids too: should one exist under another root after all, its vectors go with it.
            rev.remove_documents(changed + removed + added)
            fresh = {d: documents[d] for d in added + changed}
            chunks_by_doc, chunk_warnings = chunk_documents(fresh, rev.graph, report)
            new_chunks = [c for chunks in chunks_by_doc.values() for c in chunks]
            vectors, from_cache = encode_chunks(encoder, new_chunks, report)
            export_for_questions(encoder, report)
            rev.add_documents(fresh, chunks_by_doc, vectors)
            rev.set_skipped(skipped, under=[str(root)])
            rev.set_roots([*manifest.roots, str(root)], [*added_roots, str(root)])
    languages = Counter(d.lang for d in documents.values()) + Counter(known_rows[d]["lang"] for d in same)
    return BuildReport(
        index_path=str(index_path),
        documents=len(documents) + len(same),
        chunks=len(new_chunks),
        embedded=len(new_chunks),
        added=tuple(added),
        changed=tuple(changed),
        removed=tuple(removed),
        unchanged=len(same),
        languages=dict(languages.most_common()),
        skipped=tuple(skipped),
        warnings=(*left, *chunk_warnings),
        model=manifest.model_name,
        vector_index=rev.manifest.vector_index if rev.manifest else manifest.vector_index,
        seconds=round(time.perf_counter() - rev.started, 2),
        published=rev.manifest is not None,
        extra={"from_cache": from_cache},
    )
