"""A persistent cache of passage vectors, keyed by the model's fingerprint and the text's hash.

A transformer embeds about a hundred passages a second on a laptop CPU, so rebuilding an
index whose text barely changed (a new graph label, a fixed typo, the tests' fixture
corpora) would spend minutes recomputing the same vectors. Like ``llm``'s embedding store,
content hashes say what is already known; a vector is only ever reused for the exact same
text, prompt and model files. After its own store it reads the vectors shipped with the
corpus for this model (``shipped_vectors.py``), so a first build embeds only the learner's text.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .shipped_vectors import cache_key, shipped_vectors

log = logging.getLogger(__name__)


class EmbeddingCache:
    """Vectors by (text, prompt) for one model, in ``folder/embeddings-<fingerprint>.sqlite``.

    The cache is an optimisation: when its file cannot be opened or written (read-only
    home, full disk), encoding goes on without it.
    """

    def __init__(self, folder: Path, fingerprint: str, dim: int) -> None:
        self.dim = dim
        self.fingerprint = fingerprint
        self.reused = 0  # vectors taken from the cache, and computed, since this cache was opened (what `add` reports)
        self.computed = 0
        self._db: sqlite3.Connection | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(folder / f"embeddings-{fingerprint}.sqlite", timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
        except (OSError, sqlite3.Error) as exc:
            log.warning("embedding cache unavailable in %s (%s); embedding everything", folder, exc)
            self._db = None

    def encode(self, texts: Sequence[str], prompt: str, compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Vectors for ``texts``: known ones from the cache, the rest from ``compute`` (then stored)."""
        keys = [cache_key(prompt, text) for text in texts]
        found = self._lookup(keys)
        shipped = shipped_vectors(self.fingerprint)
        found.update((key, shipped[key]) for key in keys if key not in found and key in shipped)
        missing = [n for n, key in enumerate(keys) if key not in found]
        self.reused += len(texts) - len(missing)
        self.computed += len(missing)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if missing:
            computed = compute([texts[n] for n in missing])
            out[missing] = computed
            self._store([(keys[n], computed[i]) for i, n in enumerate(missing)])
        for n, key in enumerate(keys):
            if key in found:
                out[n] = found[key]
        return out

    def _lookup(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        if self._db is None:
            return {}
        found: dict[bytes, np.ndarray] = {}
        try:
            for start in range(0, len(keys), 500):
                batch = keys[start : start + 500]
                rows = self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(batch))})", batch)
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape == (self.dim,):
                        found[key] = vector
        except sqlite3.Error as exc:
            log.warning("embedding cache lookup failed (%s)", exc)
        return found

    def _store(self, items: list[tuple[bytes, np.ndarray]]) -> None:
        if self._db is None:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                    ((key, np.ascontiguousarray(vector, dtype=np.float32).tobytes()) for key, vector in items),
                )
        except sqlite3.Error as exc:
            log.warning("embedding cache write failed (%s)", exc)
