"""Which encoder a build, an add or a question gets: the ONNX export whenever one exists, so none imports torch."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from ..errors import ModelError
from .fake import FAKE_MODEL, HashingEncoder
from .protocol import Encoder

log = logging.getLogger(__name__)

BACKEND_ENV = "STUDYKG_ENCODER_BACKEND"  # "onnx" (fp32 export), "onnx-int8" (its int8 variant), "torch" (sentence-transformers)
BACKENDS = ("onnx", "onnx-int8", "torch")
DEFAULT_BACKEND = "onnx"  # the one-line switch to int8 ("onnx-int8"): see bench/bench_embedding.py and the quality table in the issue


def encoder_backend() -> str:
    """The backend ``STUDYKG_ENCODER_BACKEND`` names, else ``DEFAULT_BACKEND``.

    Raises:
        ModelError: the variable names no known backend.
    """
    value = os.environ.get(BACKEND_ENV, "").strip().lower() or DEFAULT_BACKEND
    if value not in BACKENDS:
        raise ModelError(f"{BACKEND_ENV}={value!r} is not one of {', '.join(BACKENDS)}")
    return value


def load_encoder(name_or_path: str | Path | None = None) -> Encoder:
    """The encoder for a model name or folder (None: the default e5), torch-free whenever the model has an export.

    The first load of a model converts (the default) and exports it with torch, once; the
    export is kept in the cache under the model's fingerprint. With ``onnx-int8`` the
    encoder is the int8 variant of that export, whose fingerprint is the model's plus
    ``onnx_export.INT8_SUFFIX`` (an index built with it is only added to and questioned with int8).

    Raises:
        ModelError: the path does not hold a model, or the name is not cached and cannot be downloaded.
    """
    if name_or_path is not None and str(name_or_path) == FAKE_MODEL:
        return HashingEncoder()
    from .sentence_transformer import SentenceTransformerEncoder, locate_model, model_fingerprint
    from .onnx_export import OnnxEncoder, find_export
    from .onnx_writer import ensure_export
    from .preparing import preparing_models

    backend = encoder_backend()
    if backend == "torch":
        return SentenceTransformerEncoder.load(name_or_path)

    def exported() -> Encoder | None:
        located = locate_model(name_or_path)  # None for a hub name: only loading it says which files it has
        folder = find_export(model_fingerprint(located.path)) if located is not None else None
        return OnnxEncoder.for_passages(_variant(folder, backend), name=located.name, source=located.source) if folder else None

    if found := exported():
        return found
    with preparing_models():  # a process exporting this model now: wait for it rather than load torch to do it again
        if found := exported():
            return found
        model = SentenceTransformerEncoder.load(name_or_path)
        folder = ensure_export(model)
    if folder is None:
        return model
    return OnnxEncoder.for_passages(_variant(folder, backend), name=model.name, source=model.source, cached=model.path is not None)


def _variant(folder: Path, backend: str) -> Path:
    """The export a backend runs: the fp32 one at ``folder``, or its int8 variant (fp32 when that cannot be made)."""
    if backend != "onnx-int8":
        return folder
    from .onnx_writer import ensure_int8_export

    return ensure_int8_export(folder) or folder


def question_encoder(fingerprint: str, model: Callable[[], Encoder]) -> Encoder:
    """What encodes an index's questions: its model's export on one thread (no torch), else ``model()``.

    An index built before exports existed, or after the cache was cleared, is exported once
    here, so the next process skips torch.
    """
    from .onnx_export import OnnxEncoder
    from .onnx_writer import ensure_export

    if fingerprint == HashingEncoder.FINGERPRINT:
        return model()
    found = OnnxEncoder.find(fingerprint)
    if found is not None:
        return found
    encoder = model()
    log.warning("preparing the question encoder for %s once (about 15 s); later questions start faster", encoder.name)
    ensure_export(encoder)
    return encoder
