"""Taking a folder out of the study index: its documents, chunks, vectors and graph links.

Like ``add_folder``, a removal is one ``revision``: a reader sees the index with the folder
or without it, never half of it, and a removal that fails leaves the live index as it was.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from .errors import SourceError
from .ingest import Progress
from .layout import current_version
from .manifest import Manifest
from .records import BuildReport
from .revision import revision
from .store import ChunkStore

__all__ = ["indexed_folders", "remove_folder"]


def indexed_folders(index_path: Path) -> dict[str, int]:
    """Every folder the live index was built or added from, with how many documents it holds now."""
    live = current_version(index_path)
    store = ChunkStore(live / "chunks.db", readonly=True)
    try:
        return folder_counts(Manifest.load(live).roots, store)
    finally:
        store.close()


def folder_counts(roots: Sequence[str], store: ChunkStore) -> dict[str, int]:
    """The manifest's ``roots`` and every root the store holds documents of, with how many it holds."""
    counts = Counter(row["root"] for row in store.documents().values())
    return {root: counts.get(root, 0) for root in dict.fromkeys([*roots, *counts])}


def remove_folder(folder: Path, index_path: Path, *, progress: Progress | None = None) -> BuildReport:
    """Remove every document indexed from ``folder`` (as given to build or add) and publish the result, as one ``revision``.

    The files themselves are not touched. The folder is matched after resolving it, the
    way ``add`` recorded it. It leaves ``roots`` and ``added_roots``, so a later build does
    not bring it back.

    Raises:
        SourceError: the folder was never indexed, or removing it would leave the index empty.
    """
    root = str(Path(folder).expanduser().resolve())
    with revision(index_path, progress=progress) as rev:
        manifest = rev.live_manifest()
        with rev.live_store() as live:
            folders = folder_counts(manifest.roots, live)
            if root not in folders:
                known = ", ".join(folders) or "none"
                raise SourceError(f"{root} is not an indexed folder (indexed: {known})")
            if folders[root] and not any(count for other, count in folders.items() if other != root):
                raise SourceError(f"{root} holds every document of the index; build a new one with 'studykg build' instead")
            documents = list(live.documents(root=root))
        rev.remove_documents(documents, stage="removing documents")
        rev.set_skipped((), under=[root])
        rev.set_roots([r for r in manifest.roots if r != root], [r for r in manifest.added_roots if r != root])
    return BuildReport(
        index_path=str(index_path),
        documents=rev.manifest.documents,
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
        vector_index=rev.manifest.vector_index,
        seconds=round(time.perf_counter() - rev.started, 2),
    )
