"""Where an index lives on disk, and how a new version replaces the old one atomically.

An index folder holds ``versions/<name>/`` (each a complete index) and a one-line file
``CURRENT`` naming the live version. A build writes a fresh version and then replaces
``CURRENT`` with ``os.replace``, which is atomic: a reader sees the old index or the new
one, never half of one, and a build killed midway leaves the old one live. Writers take
an exclusive lock so two builds cannot interleave. The replaced version is not deleted at
once: a reader may have read ``CURRENT`` and still be opening it, so it is marked retired
and removed by a later write once ``RETIRED_GRACE_SECONDS`` have passed.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import IndexerError, IndexMissingError

INDEX_ENV = "STUDYKG_INDEX"
REPO_ROOT = Path(__file__).resolve().parent.parent
# How long a replaced version stays on disk: far longer than a reader needs between reading
# CURRENT and opening the version's files (seconds), short enough not to pile up copies.
RETIRED_GRACE_SECONDS = 600.0
RETIRED_MARK = ".retired"


def default_index_path() -> Path:
    """``$STUDYKG_INDEX``, else ``index/`` at the repository root."""
    return Path(os.environ.get(INDEX_ENV) or REPO_ROOT / "index").expanduser()


def index_path_or_default(path: Path | str | None) -> Path:
    """The index folder a caller names, or the default one when it names none."""
    return Path(path) if path else default_index_path()


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


# Index folders whose write lock this thread holds (``write_lock``), so ``writing`` inside the
# same transaction does not try to take it a second time. Per thread: two app sessions adding
# at once are two transactions, and the second must wait like another process would.
_HELD = threading.local()
LOCK_WAIT_SECONDS = 900.0  # how long a second writer waits for the first before giving up
_LOCK_POLL = 0.5


def holds_write_lock(index_path: Path) -> bool:
    """Whether this thread holds the write lock of ``index_path`` (inside ``write_lock``)."""
    return Path(index_path).resolve() in _HELD.__dict__.get("paths", ())


@contextlib.contextmanager
def write_lock(index_path: Path, *, on_wait: Callable[[], None] | None = None,
               wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the index's write lock for a whole transaction: read the live version, work out the
    change, write the new version and publish it, all under one lock.

    A writer that read the live version before taking the lock could publish a copy of it
    that misses what another writer published meanwhile (two adds at once lost one folder).
    A second writer therefore waits here, calling ``on_wait`` once so the user sees why,
    and gives up with one line after ``wait`` seconds. Re-entrant within a process.
    """
    index_path = Path(index_path).resolve()
    held: set[Path] = _HELD.__dict__.setdefault("paths", set())
    if index_path in held:
        yield
        return
    with _write_errors(index_path):
        index_path.mkdir(parents=True, exist_ok=True)
        lock = open(index_path / ".lock", "w")
    with lock:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    waited = f" after {wait:g} s" if wait else ""
                    raise IndexerError(
                        f"{index_path}: another build, add or remove is still writing this index{waited};"
                        " try again when it has finished"
                    ) from None
                if not told and on_wait is not None:
                    on_wait()
                told = True
                time.sleep(_LOCK_POLL)
        held.add(index_path)
        try:
            yield
        finally:
            held.discard(index_path)


@contextlib.contextmanager
def writing(index_path: Path) -> Iterator[Path]:
    """Yield an empty folder for the new version under the write lock; publish it on success.

    Callers that read the live version first hold ``write_lock`` around both; without it this
    takes the lock itself (refusing at once if another writer holds it).

    Leftovers of an earlier write that died (a killed process, a full disk) are removed
    first, so they can neither fill the disk nor block this write. If the block raises, the
    new folder is removed and the live version is untouched; a full disk or another write
    error becomes one ``IndexerError`` line instead of a traceback.
    """
    index_path = Path(index_path)
    with _write_errors(index_path):
        (index_path / "versions").mkdir(parents=True, exist_ok=True)
    with write_lock(index_path, wait=0):
        _remove_old_versions(index_path)
        name = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        folder = index_path / "versions" / name
        with _write_errors(index_path):
            try:
                folder.mkdir()
                yield folder
                _publish(index_path, name)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
        _remove_old_versions(index_path)


_SHORT_WRITE = re.compile(r"\d+ requested and \d+ written")


def disk_full(error: BaseException) -> bool:
    """Whether ``error`` means the disk (or the user's quota) is full, whichever library raised it."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    # SQLite says "database or disk is full"; FAISS raises RuntimeError quoting strerror.
    text = str(error)
    if "database or disk is full" in text or "No space left on device" in text or "Disk quota exceeded" in text:
        return True
    # numpy's short write ("656256 requested and 108512 written") carries no errno: a write the
    # file system cut short is a full disk.
    return isinstance(error, OSError) and _SHORT_WRITE.search(text) is not None


@contextlib.contextmanager
def _write_errors(index_path: Path) -> Iterator[None]:
    """Turn a full disk or an unwritable index folder into one line naming the folder."""
    try:
        yield
    except (OSError, sqlite3.Error, RuntimeError) as error:
        if disk_full(error):
            # Not the library's own words: shutil lists every (source, target, error) it failed on,
            # numpy counts bytes "requested and written".
            raise IndexerError(
                f"the disk is full: no space left on the device holding {index_path}; free some space and run the "
                "command again (the live index is unchanged)"
            ) from None
        if isinstance(error, OSError):
            where = error.filename or index_path
            raise IndexerError(f"{where}: cannot write the index ({_cause(error)}); the live index is unchanged") from None
        raise


def _cause(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return " ".join(str(error).split()) or type(error).__name__


def _publish(index_path: Path, name: str) -> None:
    live = _live_name(index_path)
    tmp = index_path / f"CURRENT.{os.getpid()}.tmp"
    try:
        tmp.write_text(name + "\n", encoding="utf-8")
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, index_path / "CURRENT")
    finally:
        tmp.unlink(missing_ok=True)
    if live and live != name:
        # The version just replaced may still be opening in a reader that read CURRENT a
        # moment ago: mark when it was retired and keep it for RETIRED_GRACE_SECONDS.
        with contextlib.suppress(OSError):
            (index_path / "versions" / live / RETIRED_MARK).touch()


def _live_name(index_path: Path) -> str | None:
    try:
        return (index_path / "CURRENT").read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _remove_old_versions(index_path: Path) -> None:
    """Remove unpublished leftovers, and retired versions no reader can still be opening.

    Called with the write lock held, so no other writer is filling a folder: one that was
    never published is a leftover of a write that died. A retired version stays for
    ``RETIRED_GRACE_SECONDS`` after it stopped being live: a reader reads ``CURRENT`` and
    opens the files within seconds; once open, its files outlive the unlink.
    """
    live = _live_name(index_path)
    now = time.time()
    for folder in (index_path / "versions").iterdir():
        if folder.name == live:
            continue
        mark = folder / RETIRED_MARK
        try:
            retired_at = mark.stat().st_mtime
        except OSError:
            retired_at = None
        if retired_at is None or now - retired_at >= RETIRED_GRACE_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
    for stale in index_path.glob("CURRENT.*.tmp"):
        stale.unlink(missing_ok=True)
