"""Encoding: turn passages and questions into normalized float32 vectors.

Two kinds of encoder sit behind one class: the model the build trains from the corpus
(saved in the index as an ordinary sentence-transformers folder) and any pretrained
sentence-transformers model a user names with ``--model``.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import socket
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from .errors import ModelError

log = logging.getLogger(__name__)

TRAINED_MODEL_NAME = "studykg-static"  # what the manifest records for the encoder the build trains


class Encoder:
    """A loaded sentence-transformers model plus the name the index records for it.

    Example::

        encoder = Encoder.load("index/current/model", name="studykg-static")
        vectors = encoder.encode(["Which service converts text to speech?"])
    """

    def __init__(self, model, name: str) -> None:
        self.model = model
        self.name = name
        self.dim = int(model.get_embedding_dimension())
        self._static = _static_module(model)

    @classmethod
    def load(cls, name_or_path: str | Path, *, name: str | None = None) -> Encoder:
        """Load a model folder or a hub name; fail fast with the fix when it cannot be had.

        Raises:
            ModelError: the path does not hold a model, or the name is not cached and cannot be downloaded.
        """
        from sentence_transformers import SentenceTransformer

        target = str(name_or_path)
        path = Path(target).expanduser()
        if path.exists():
            if not (path / "modules.json").exists() and not (path / "config.json").exists():
                raise ModelError(f"{path}: not a sentence-transformers model folder (no modules.json or config.json)")
            try:
                model = SentenceTransformer(str(path), device="cpu")
            except Exception as exc:  # a broken folder can fail in many libraries' ways
                raise ModelError(f"{path}: cannot load the model ({_one_line(exc)})") from None
            return cls(model, name or target)
        if target.startswith((".", "/", "~")) or target.count("/") > 1:  # hub names are "name" or "org/name"
            raise ModelError(f"model folder '{target}' not found; pass an existing folder, or omit --model to use the encoder the build trains")
        return cls(_load_from_hub(target), name or target)

    def encode(self, texts: Sequence[str], *, batch_size: int = 512, show_progress: bool = False) -> np.ndarray:
        """Vectors of unit length, so inner product is cosine similarity."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._static is not None:
            return self._encode_static(texts)
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _encode_static(self, texts: Sequence[str]) -> np.ndarray:
        """The same vectors ``model.encode`` gives for a StaticEmbedding model, about twice as fast.

        sentence-transformers asks the tokenizer for character offsets and flattens token
        ids in Python; neither is needed for a bag of embeddings.
        """
        import torch

        encodings = self._static.tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        ids = np.fromiter(itertools.chain.from_iterable(e.ids for e in encodings), dtype=np.int64, count=int(lengths.sum()))
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        with torch.inference_mode():
            vectors = self._static.embedding(torch.from_numpy(ids), torch.from_numpy(offsets)).numpy()
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)

    def save(self, path: Path) -> None:
        self.model.save(str(path))


def _static_module(model):
    """The StaticEmbedding module when the model is exactly StaticEmbedding (+ Normalize), else None."""
    from sentence_transformers.sentence_transformer.modules import Normalize, StaticEmbedding

    modules = list(model)
    if modules and isinstance(modules[0], StaticEmbedding) and all(isinstance(m, Normalize) for m in modules[1:]):
        return modules[0]
    return None


def _load_from_hub(name: str):
    """Try the local cache first, then the hub only if it answers within seconds: never hang offline."""
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(name, device="cpu", local_files_only=True)
    except Exception:
        log.info("model %s is not in the local cache; trying to download it", name)
    fix = "pass the path of a downloaded sentence-transformers folder, or omit --model to use the encoder the build trains"
    unreachable = _hub_unreachable()
    if unreachable:
        raise ModelError(f"cannot load model '{name}': it is not in the local cache and {unreachable}; {fix}")
    try:
        return SentenceTransformer(name, device="cpu")
    except Exception as exc:
        raise ModelError(f"cannot load model '{name}': it could not be downloaded ({_one_line(exc)}); {fix}") from None


def _hub_unreachable(timeout: float = 3.0) -> str | None:
    """Why the model hub cannot be used right now, or None; the hub client's own retries take minutes."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        return "HF_HUB_OFFLINE is set"
    endpoint = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    host, port = endpoint.hostname or "huggingface.co", endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        return f"{host} cannot be reached ({exc.strerror or exc})"
    return None


def model_fingerprint(path: Path) -> str:
    """A hash of a saved model folder's files, so an index can tell its own encoder from another."""
    digest = hashlib.sha256()
    for file in sorted(p for p in Path(path).rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return (text[:200] + "…") if len(text) > 200 else text or type(exc).__name__
