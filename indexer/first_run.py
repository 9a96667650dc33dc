"""The first run: one build of the study index, which every terminal, tab and reload joins.

``studykg app`` builds (or checks) the index in the terminal before it serves, so the page
opens on a ready index. A page opened while a build runs, in this process or another one,
follows that build through the status file it publishes (``progress.StatusFile``) instead
of starting a second build that would only wait for the write lock and then redo the work.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .errors import IndexerError, IndexMismatchError
from .layout import current_version, has_index, index_path_or_default, write_lock
from .manifest import Manifest
from .progress import Fanout, LogProgress, StatusFile, TqdmProgress, read_status
from .terminal import echo as terminal_echo

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
POLL_SECONDS = 0.5


def index_busy(index_path: Path) -> bool:
    """Whether a build, add or remove (in any process or thread) holds the write lock of ``index_path`` now.

    Probed with a non-blocking lock of our own, released at once; an index folder that does not
    exist yet has no writer.
    """
    lock_file = Path(index_path) / ".lock"
    try:
        handle = open(lock_file, "r")  # noqa: SIM115 - closed below; "r" never creates the folder or the file
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def usable_index(index_path: Path) -> bool:
    """Whether ``index_path`` holds an index this studykg can open: one of another format is rebuilt on first run."""
    if not has_index(index_path):
        return False
    try:
        Manifest.load(current_version(index_path))
    except IndexMismatchError:
        return False
    except IndexerError:
        return True  # damaged, not stale: opening it says so in one line
    return True


def build_once(index_path: Path, progress: Progress | None = None, **options) -> bool:
    """Build the shipped index at ``index_path`` unless one exists or another writer is building it.

    Returns whether this call built it. The write lock is taken without waiting, and the
    index checked again under it: of two callers racing here, one builds and one joins.
    Progress goes to ``progress`` and to the status file that joiners read.

    Raises:
        IndexerError, KGError: the build failed (the status file says so too, for joiners).
    """
    from .study_index import StudyIndex

    try:
        with write_lock(index_path, wait=0), StatusFile(index_path) as status:
            if usable_index(index_path):
                return False
            StudyIndex.build(path=index_path, progress=Fanout(*(p for p in (progress, status) if p)), **options)
    except IndexerError:
        if index_busy(index_path):  # another writer took the lock first: join it
            return False
        raise
    return True


def wait_for_writer(index_path: Path, progress: Progress, *, poll: float = POLL_SECONDS,
                    sleep: Callable[[float], None] = time.sleep) -> None:
    """Follow another writer of ``index_path`` until it releases the lock, feeding its stages to ``progress``."""
    while index_busy(index_path):
        status = read_status(index_path)
        if status and status.timing:
            progress(status.timing.stage, status.timing.done, status.timing.total)
        sleep(poll)


def prepare_index(index_path: Path | None = None, *, echo: Callable[[str], None] | None = None) -> str:
    """What ``studykg app`` does before it serves: build the index here with a progress bar, or
    follow the build another process runs, or check that the index is there.

    Returns "ready", "built" or "joined". A build error propagates (one line in the CLI).
    """
    say = echo or (lambda text: terminal_echo(text, err=True))
    path = index_path_or_default(index_path)
    if has_index(path) and not usable_index(path):
        say(f"The study index at {path} was made by an older studykg: rebuilding it (the folders you added are kept).")
    if usable_index(path):
        manifest = Manifest.load(current_version(path))
        say(f"Study index ready at {path}: {manifest.documents:,} documents, {manifest.chunks:,} passages.")
        return "ready"
    if index_busy(path):
        say(f"Another process is building the study index at {path}; following it.")
        with TqdmProgress() as bar:
            wait_for_writer(path, LogOnPipe(bar))
    if usable_index(path):
        say(f"Study index ready at {path}.")
        return "joined"
    say(f"No study index at {path} yet: building it from the shipped corpus (once; later starts skip this).")
    started = time.monotonic()
    with TqdmProgress() as bar:
        progress = LogOnPipe(bar)
        built = build_once(path, progress)
        progress.finish()
    if not built:  # another process took the lock meanwhile
        return prepare_index(path, echo=echo)
    say(f"Study index built in {time.monotonic() - started:.0f} s.")
    return "built"


class LogOnPipe:
    """The tqdm bar in a terminal; without one (``studykg app > log``), a log line per stage instead."""

    def __init__(self, bar: TqdmProgress) -> None:
        self.bar = bar
        self.log = None if not bar.disable else LogProgress()

    def __call__(self, stage: str, done: int, total: int) -> None:
        (self.log or self.bar)(stage, done, total)

    def finish(self) -> None:
        if self.log is not None:
            self.log.finish()


class BackgroundBuild:
    """The app's first build, in a thread of its own: a reload or a closed tab stops a page's
    script, and must not stop the build every other tab is waiting for.

    One per process and index folder (``for_index``); ``start`` is a no-op while it runs.
    """

    _builds: dict[Path, BackgroundBuild] = {}
    _guard = threading.Lock()

    def __init__(self, index_path: Path) -> None:
        self.index_path = index_path
        self.thread: threading.Thread | None = None
        self.error: str = ""

    @classmethod
    def for_index(cls, index_path: Path) -> BackgroundBuild:
        key = Path(index_path).resolve()
        with cls._guard:
            return cls._builds.setdefault(key, cls(key))

    def start(self, progress: Progress | None = None) -> bool:
        """Start the build unless the index exists or a build (here or elsewhere) already runs; True if started."""
        with self._guard:
            if self.running() or usable_index(self.index_path) or index_busy(self.index_path):
                return False
            self.error = ""
            self.thread = threading.Thread(target=self._run, args=(progress,), name="studykg-first-build", daemon=True)
            self.thread.start()
            return True

    def running(self) -> bool:
        """Whether this process's build thread is alive, or another writer holds the lock."""
        return (self.thread is not None and self.thread.is_alive()) or index_busy(self.index_path)

    def _run(self, progress: Progress | None) -> None:
        try:
            build_once(self.index_path, progress)
        except Exception as exc:  # noqa: BLE001 - shown on every waiting page as one line
            self.error = " ".join(str(exc).split()) or type(exc).__name__
            log.error("the first build of %s failed: %s", self.index_path, self.error)


__all__ = ["BackgroundBuild", "build_once", "index_busy", "prepare_index", "wait_for_writer"]
