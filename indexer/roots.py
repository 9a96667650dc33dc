"""The folders an index is read from: which a rebuild reads again, and what a failed read must keep.

A rebuild reads the folders added with ``add`` again (their notes would be lost otherwise),
keeping each folder's document-id prefix so ids stay stable. A file or folder that could
not be read is not the same as one that was deleted: its notes stay in the index.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from .errors import IndexerError
from .layout import current_version, has_index
from .manifest import Manifest
from .records import Skipped
from .store import ChunkStore


def nothing_indexable(roots: Sequence[Path], skipped: Sequence[Skipped], shown: int = 3) -> str:
    """The one-line error for folders without a single indexable file, naming the first skipped files and why."""
    where = ", ".join(map(str, roots))
    if not skipped:
        return f"no indexable files in {where} (it holds no .md, .txt or .html file)"
    named = "; ".join(f"{item.path}: {item.reason}" for item in skipped[:shown])
    more = f"; and {len(skipped) - shown} more" if len(skipped) > shown else ""
    return f"no indexable files in {where} ({len(skipped)} skipped: {named}{more})"


def inside_any(path: str, places: Sequence[str]) -> bool:
    """Whether ``path`` is one of ``places`` or inside one of them."""
    return any(path == place or path.startswith(place.rstrip(os.sep) + os.sep) for place in places)


def added_roots_of(manifest: Manifest, store: ChunkStore) -> tuple[str, ...]:
    """The folders added with ``add``; indexes made before the manifest recorded them: the roots of "user" documents."""
    return manifest.added_roots or tuple(store.roots(kind="user"))


def previously_added(index_path: Path, build_roots: Sequence[Path]) -> tuple[list[Path], dict[str, str], list[str]]:
    """The folders added to the live index with ``add`` that a rebuild reads again, their id prefixes, and warnings."""
    if not has_index(index_path):
        return [], {}, []
    live = current_version(index_path)
    try:
        manifest = Manifest.load(live, check_format=False)  # a rebuild after a format change keeps them too
        store = ChunkStore(live / "chunks.db", readonly=True)
    except (IndexerError, OSError, sqlite3.Error) as exc:
        return [], {}, [f"the folders added to the old index could not be read ({exc}); add them again with 'studykg add'"]
    try:
        added = added_roots_of(manifest, store)
        prefixes = store.root_prefixes()
    finally:
        store.close()
    keep: list[Path] = []
    warnings: list[str] = []
    for root in added:
        if Path(root) in build_roots:
            continue
        if Path(root).is_dir():
            keep.append(Path(root))
        else:
            warnings.append(f"{root}: this folder, added with 'studykg add', is gone; its notes are not in the new index")
    wanted = {str(r) for r in [*build_roots, *keep]}
    return keep, {prefix: root for prefix, root in prefixes.items() if root in wanted}, warnings


__all__ = ["added_roots_of", "inside_any", "nothing_indexable", "previously_added"]
