"""What every encoder on one export shares in a process: its onnxruntime session and its tokenizer.

Opening the default export maps its 470 MB of weights into memory (0.1 s; reading them
took 0.9 s, most of it in the kernel) and parses its 16 MB tokenizer (0.8 s). Every ``StudyIndex`` opens a question
encoder, so the app paid both again after each publish (it opens the new version) and a
process that built and then searched paid them twice. Question sessions (one thread) and
tokenizers are kept for the life of the process: a process searches with one model. Passage
sessions (every core) are kept only while an encoder holds them, so the app keeps no second
copy of the model after an add.
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

_QUESTION_THREADS = 1
_LOCK = threading.Lock()
_KEY_LOCKS: dict[tuple, threading.Lock] = {}
_KEPT: dict[tuple, object] = {}
_HELD: weakref.WeakValueDictionary[tuple, object] = weakref.WeakValueDictionary()


def shared_session(path: Path, threads: int) -> InferenceSession:
    """The onnxruntime ``InferenceSession`` for the model file at ``path`` with ``threads`` intra-op threads.

    A file rewritten since (another size or modification time) gets a new one.
    """
    keep = threads == _QUESTION_THREADS
    return _shared(("session", *_identity(path), threads), lambda: _open_session(path, threads), keep=keep)


def shared_tokenizer(path: Path, max_length: int) -> Tokenizer:
    """The ``tokenizers.Tokenizer`` of the file at ``path``, truncating at ``max_length`` and padding nothing.

    Shared only after it is set up: encoding does not change it, so threads may use it at once.
    """
    return _shared(("tokenizer", *_identity(path), max_length), lambda: _open_tokenizer(path, max_length), keep=True)


def _shared(key: tuple, open_, *, keep: bool):
    with _LOCK:  # one lock per key: a session and a tokenizer load at the same time, in their own threads
        key_lock = _KEY_LOCKS.setdefault(key, threading.Lock())
    with key_lock:
        found = _KEPT.get(key)
        if found is None:
            found = _HELD.get(key)
        if found is None:
            found = open_()
            (_KEPT if keep else _HELD)[key] = found
    return found


def _identity(path: Path) -> tuple:
    stat = Path(path).stat()
    return str(path), stat.st_size, stat.st_mtime_ns


def _open_session(path: Path, threads: int):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _open_tokenizer(path: Path, max_length: int):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.no_padding()  # padded per batch by the encoder
    return tokenizer
