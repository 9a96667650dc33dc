"""Which encoder a build, an add or a question gets: the ONNX export whenever one exists, so none imports torch."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from .fake import FAKE_MODEL, HashingEncoder
from .protocol import Encoder

log = logging.getLogger(__name__)

BACKEND_ENV = "STUDYKG_ENCODER_BACKEND"  # "torch" forces sentence-transformers (comparisons, debugging)


def load_encoder(name_or_path: str | Path | None = None) -> Encoder:
    """The encoder for a model name or folder (None: the default e5), torch-free whenever the model has an export.

    The first load of a model converts (the default) and exports it with torch, once; the
    export is kept in the cache under the model's fingerprint.

    Raises:
        ModelError: the path does not hold a model, or the name is not cached and cannot be downloaded.
    """
    if name_or_path is not None and str(name_or_path) == FAKE_MODEL:
        return HashingEncoder()
    from .sentence_transformer import SentenceTransformerEncoder, locate_model, model_fingerprint
    from .onnx_export import OnnxEncoder, ensure_export, find_export

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
    from .onnx_export import OnnxEncoder, ensure_export

    if fingerprint == HashingEncoder.FINGERPRINT:
        return model()
    found = OnnxEncoder.find(fingerprint)
    if found is not None:
        return found
    encoder = model()
    log.warning("preparing the question encoder for %s once (about 15 s); later questions start faster", encoder.name)
    ensure_export(encoder)
    return encoder
