"""Questions encoded without torch: the index's model exported to ONNX and run by onnxruntime.

A cold ``studykg ask`` spent about 5.5 of its 8 seconds importing sentence-transformers and
torch and loading the model, only to encode one question. The build has the model loaded
anyway, so it also writes an ONNX export of it (the whole sentence-transformers forward:
transformer, pooling and any dense layers) with its tokenizer. A question then needs only
onnxruntime and tokenizers, and loading both runs in background threads while the graph
and the word statistics open.

The export lives in the cache, keyed by the model fingerprint the index records, so an
index can only ever be questioned with the weights it was built with. Before an export is
kept it must give the same vectors as the model on probe sentences; a model the export
cannot reproduce (a tokenizer without a ``tokenizer.json``, lower-casing, a prompt the
pooling leaves out) keeps using sentence-transformers for questions, only more slowly.

Passages go through the same export (``OnnxEncoder``, the ``Encoder`` of ``protocol.py``): a
build or an add with an export never imports torch, and embeds faster than
sentence-transformers on the same cores (``bench/bench_embedding.py`` compares them).

How the export is written, checked and made fast is ``onnx_writer.py``.

Two things make the export fast. It is traced with the model's plain ("eager") attention:
the scaled-dot-product path exports as a graph of masks and NaN checks that runs about 1.4x
slower on 2 cores and that onnxruntime cannot fuse. onnxruntime's transformer optimiser then
fuses each layer's attention, GELU and layer norms into single kernels (about 10% more; same
vectors to 1e-6). A model the optimiser does not recognise keeps the plain export.

``onnx_writer.ensure_int8_export`` adds an opt-in int8 variant (``STUDYKG_ENCODER_BACKEND=onnx-int8``:
per-channel int8 weights in the MatMuls, dynamic quantisation of the fused export): faster
again, but its vectors are not the model's (cosine about 0.997), so it has a fingerprint of
its own (``<model fingerprint>+int8pc``): its own export folder, its own embedding cache,
and never the shipped fp32 corpus vectors.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .embedding_cache import EmbeddingCache
from .onnx_shared import shared_session, shared_tokenizer
from .pretrained import cache_dir
from .protocol import Encoder

log = logging.getLogger(__name__)

# Bump when the files of an export change meaning; 2: passage prompt, passages probed too; 3: eager attention, fused;
# 4: weights in WEIGHTS_FILE beside the graph, which onnxruntime maps into memory instead of reading (0.9 s -> 0.1 s a load).
EXPORT_FORMAT = 4
# The fingerprint of an int8 export: the model's plus this. It names the recipe (per-channel int8 MatMuls):
# change it with ``_quantize_int8``, so vectors of another recipe, cached under the old name, are never reused.
INT8_SUFFIX = "+int8pc"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
BATCH_SIZE = 32  # passages of like length batched together, as sentence-transformers does: padding costs time
ONNX_FILE = "model.onnx"
WEIGHTS_FILE = ONNX_FILE + ".data"  # the name onnx and onnxruntime's quantiser give a model's external data


def export_folder(fingerprint: str) -> Path:
    """Where the export for a model fingerprint lives (hub names contain '/', so the key is hashed)."""
    key = hashlib.sha256(f"{EXPORT_FORMAT}:{fingerprint}".encode()).hexdigest()[:16]
    return cache_dir() / "question-encoders" / key


def int8_fingerprint(fingerprint: str) -> str:
    """The fingerprint of the int8 export of the model with ``fingerprint``: vectors of other weights, kept apart."""
    return fingerprint if fingerprint.endswith(INT8_SUFFIX) else fingerprint + INT8_SUFFIX


def find_export(fingerprint: str) -> Path | None:
    """The folder of the export made for exactly this model fingerprint, or None."""
    folder = export_folder(fingerprint)
    try:
        settings = json.loads((folder / "settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if settings.get("fingerprint") != fingerprint or not all((folder / name).is_file() for name in (ONNX_FILE, WEIGHTS_FILE)):
        return None
    return folder


class OnnxEncoder(Encoder):
    """The ``Encoder`` that runs an export with onnxruntime: questions at search time, passages in a build or an add.

    Loading starts at once, in threads. ``threads``: onnxruntime's intra-op threads, 1 for
    one question at a time (as FAISS in vectors.py: more only contend on 2 cores), every core
    for passages (``for_passages``). ``cached``: passages are looked up in, and added to, the
    embedding cache of the model's fingerprint, which also reads the shipped corpus vectors.

    Example::

        encoder = OnnxEncoder.find(manifest.model_fingerprint)  # None when there is no export
        vectors = encoder.encode_queries(["Which service converts text to speech?"])
    """

    def __init__(
        self, folder: Path, *, threads: int = 1, cached: bool = False, name: str = "", source: str = "", onnx_file: str = ONNX_FILE
    ) -> None:
        self.folder = folder
        self.settings = json.loads((folder / "settings.json").read_text(encoding="utf-8"))
        self.name = name or self.settings["model_name"]  # the same files may be loaded from another folder than the export's
        self.dim = int(self.settings["dim"])
        self.source = source or self.name
        self.threads = max(1, threads)
        self.onnx_file = onnx_file
        self.cache = EmbeddingCache(cache_dir(), self.fingerprint(), self.dim) if cached else None
        self._session = None
        self._input_names: set[str] = set()
        self._tokenizer = None
        self._error: BaseException | None = None
        # Both loads spend their time in native code that releases the GIL. Not daemons: a process
        # that ends while one runs (a BM25-only question) would abort in native code.
        self._threads = [threading.Thread(target=self._guarded(load)) for load in (self._load_session, self._load_tokenizer)]
        for thread in self._threads:
            thread.start()

    @classmethod
    def find(cls, fingerprint: str) -> OnnxEncoder | None:
        """The export made for exactly this model fingerprint, already loading, for questions; None when there is none."""
        folder = find_export(fingerprint)
        return cls(folder) if folder else None

    @classmethod
    def for_passages(cls, folder: Path, *, name: str = "", source: str = "", cached: bool = True) -> OnnxEncoder:
        """The export at ``folder`` on every core, with the embedding cache: what a build or an add embeds with."""
        return cls(folder, threads=os.cpu_count() or 1, cached=cached, name=name, source=source)

    def fingerprint(self) -> str:
        return str(self.settings["fingerprint"])

    def prompt(self, kind: str) -> str:
        """The text put before a "query" or a "passage" ("" when the model defines none)."""
        return str(self.settings.get(f"{kind}_prompt", ""))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length vectors for questions, with the model's query prompt."""
        return self._encode(texts, self.prompt("query"))

    def encode_passages(self, texts: Sequence[str], *, cached: bool = True) -> np.ndarray:
        """Unit-length vectors for passages, with the model's passage prompt; known ones from the cache unless ``cached=False``."""
        prompt = self.prompt("passage")
        if self.cache is None or not cached:
            return self._encode(texts, prompt)
        return self.cache.encode(texts, prompt, lambda missing: self._encode(missing, prompt))

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        """Texts sorted by length and run in batches, so a batch pads to little more than its own longest text."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        self._wait()
        encodings = self._tokenizer.encode_batch([prompt + text for text in texts])
        order = sorted(range(len(texts)), key=lambda n: len(encodings[n].ids))
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            out[batch] = self._run([encodings[n] for n in batch])
        return out

    def _run(self, encodings: list) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        pad = int(self.settings["pad_id"])
        feed = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in INPUTS}
        feed["input_ids"][:] = pad
        for row, e in enumerate(encodings):
            feed["input_ids"][row, : len(e.ids)] = e.ids
            feed["attention_mask"][row, : len(e.ids)] = e.attention_mask
            feed["token_type_ids"][row, : len(e.ids)] = e.type_ids
        vectors = self._session.run(None, {name: value for name, value in feed.items() if name in self._input_names})[0]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    # ---- loading ---------------------------------------------------------
    def _load_session(self) -> None:
        session = shared_session(self.folder / self.onnx_file, self.threads)
        self._input_names = {i.name for i in session.get_inputs()}  # a BERT export takes token_type_ids, e5's does not
        self._session = session

    def _load_tokenizer(self) -> None:
        self._tokenizer = shared_tokenizer(self.folder / "tokenizer.json", int(self.settings["max_length"]))

    def _guarded(self, load):
        def run() -> None:
            try:
                load()
            except BaseException as exc:  # re-raised in the caller's thread by _wait
                self._error = exc

        return run

    def _wait(self) -> None:
        for thread in self._threads:
            thread.join()
        if self._error is not None:
            raise ModelError(f"{self.folder}: cannot load the ONNX encoder ({self._error}); delete the folder and run 'studykg build'")
