"""Where an index lives on disk, and how a new version replaces the old one atomically.

An index folder holds ``versions/<name>/`` (each a complete index) and a one-line file
``CURRENT`` naming the live version. A build writes a fresh version and then replaces
``CURRENT`` with ``os.replace``, which is atomic: a reader sees the old index or the new
one, never half of one, and a build killed midway leaves the old one live. Writers take
an exclusive lock so two builds cannot interleave.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from .errors import IndexerError, IndexMissingError

INDEX_ENV = "STUDYKG_INDEX"
REPO_ROOT = Path(__file__).resolve().parent.parent


def default_index_path() -> Path:
    """``$STUDYKG_INDEX``, else ``index/`` at the repository root."""
    return Path(os.environ.get(INDEX_ENV) or REPO_ROOT / "index").expanduser()


def default_corpus_path() -> Path:
    return REPO_ROOT / "corpus"


def default_graph_path() -> Path:
    return REPO_ROOT / "corpus" / "graph"


def current_version(index_path: Path) -> Path:
    """The folder of the live version.

    Raises:
        IndexMissingError: there is no index at ``index_path`` yet.
    """
    pointer = Path(index_path) / "CURRENT"
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexMissingError(f"no study index at {index_path}; run 'studykg build' first") from None
    folder = Path(index_path) / "versions" / name
    if not (folder / "manifest.json").exists():
        raise IndexMissingError(f"{index_path}: CURRENT names version '{name}', which is missing; run 'studykg build'")
    return folder


def has_index(index_path: Path) -> bool:
    try:
        current_version(index_path)
    except IndexMissingError:
        return False
    return True


@contextlib.contextmanager
def writing(index_path: Path) -> Iterator[Path]:
    """Lock the index for writing and yield an empty folder for the new version; publish it on success.

    If the block raises (or the process dies), the new folder is left unpublished and is
    removed by the next writer; the live version is untouched.
    """
    index_path = Path(index_path)
    (index_path / "versions").mkdir(parents=True, exist_ok=True)
    with open(index_path / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexerError(f"{index_path}: another build or add is writing this index; wait for it to finish") from None
        name = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        folder = index_path / "versions" / name
        folder.mkdir()
        try:
            yield folder
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        _publish(index_path, name)
        _remove_old_versions(index_path, keep={name})


def _publish(index_path: Path, name: str) -> None:
    tmp = index_path / f"CURRENT.{os.getpid()}.tmp"
    tmp.write_text(name + "\n", encoding="utf-8")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, index_path / "CURRENT")


def _remove_old_versions(index_path: Path, keep: set[str]) -> None:
    # Readers that opened an old version keep working: their open files outlive the unlink.
    for folder in (index_path / "versions").iterdir():
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
    for stale in index_path.glob("CURRENT.*.tmp"):
        stale.unlink(missing_ok=True)
