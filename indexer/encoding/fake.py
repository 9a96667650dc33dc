"""A deterministic encoder without a model, for tests of everything but ranking quality."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from kg.folding import words

from .protocol import Encoder

FAKE_MODEL = "studykg/hashing-trigrams"  # the model name an index built with ``HashingEncoder`` records


class HashingEncoder(Encoder):
    """Character trigrams of each folded word, hashed with a sign into ``DIM`` buckets: a deterministic fake for tests.

    Texts that share words or word parts get similar vectors (like a bag of trigrams), so
    searching a fixture index still finds the passage that uses the question's words; it
    knows nothing of meaning or translation, so tests of ranking quality keep the real model.
    """

    DIM = 128
    FINGERPRINT = f"hashing-trigrams-{DIM}-v2"  # v2: words folded by kg.folding, as the search folds them

    def __init__(self) -> None:
        self.name = FAKE_MODEL
        self.dim = self.DIM
        self.source = "character trigrams hashed into 128 dimensions (the test encoder)"

    def fingerprint(self) -> str:
        return self.FINGERPRINT

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str], *, cached: bool = True) -> np.ndarray:
        return self._encode(texts)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in words(text):
                padded = f" {word} "
                for start in range(len(padded) - 2):
                    code = zlib.crc32(padded[start : start + 3].encode())
                    out[row, code % self.dim] += 1.0 if code & 0x80000000 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)
