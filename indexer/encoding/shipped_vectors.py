"""The shipped corpus's passage vectors, shipped with it: a first build embeds only what the learner adds.

Embedding the shipped corpus (about 1,200 passages and the graph's entities) is most of a
first build on a laptop CPU, and its text is the same on every machine. The file
``corpus/vectors/passages-<fingerprint>.npz`` holds, for one model fingerprint, the
SHA-256 key the embedding cache uses (passage prompt + text) and the vector as float16
(cosine to the float32 vector above 0.99999). ``EmbeddingCache`` reads it after its own
store, so a key it holds is never computed; a text that changed simply misses and is
embedded as before. ``tests/test_shipped_vectors.py`` fails when the file no longer covers
the shipped corpus, or was made with another model; regenerate it with::

    python -m indexer.encoding.shipped_vectors
"""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..layout import REPO_ROOT

SHIPPED_DIR = REPO_ROOT / "corpus" / "vectors"


def cache_key(prompt: str, text: str) -> bytes:
    """The key a passage's vector is stored under, here and in ``EmbeddingCache``."""
    return hashlib.sha256(f"{prompt}\0{text}".encode()).digest()


def shipped_file(fingerprint: str) -> Path:
    return SHIPPED_DIR / f"passages-{fingerprint}.npz"


@functools.lru_cache(maxsize=4)
def shipped_vectors(fingerprint: str) -> dict[bytes, np.ndarray]:
    """The shipped vectors of the model with this fingerprint by cache key; empty when none ship for it."""
    path = shipped_file(fingerprint)
    if not path.is_file():
        return {}
    with np.load(path) as data:
        if str(data["fingerprint"]) != fingerprint:
            return {}
        keys, vectors = data["keys"], data["vectors"].astype(np.float32)
    return {bytes(key): vector for key, vector in zip(keys, vectors, strict=True)}


def shipped_passage_texts(*, entities: bool = True) -> list[str]:
    """Every text a build of the shipped corpus embeds as a passage: its chunks, then the graph's entities.

    Read and chunked as the build does it (``ingest.read_documents``, ``ingest.bounded_passages``),
    without an encoder.
    """
    from kg import KnowledgeGraph

    from ..chunking import chunk_document
    from ..ingest import bounded_passages, not_notes, read_documents, silent
    from ..layout import default_corpus_path, default_graph_path
    from ..passages import chunk_text_for_encoding, entity_text
    from ..sources import assign_prefixes

    roots = [default_corpus_path()]
    graph_dir = default_graph_path()
    documents = read_documents(roots, exclude=not_notes(graph_dir), default_kind="note", progress=silent, prefixes=assign_prefixes(roots, {})).documents
    texts = [chunk_text_for_encoding(c) for doc in documents.values() for c in bounded_passages(doc, chunk_document(doc), [])]
    if not entities:
        return list(dict.fromkeys(texts))
    graph = KnowledgeGraph.load_curated(graph_dir)
    texts.extend(entity_text(graph.entities[iri]) for iri in sorted(graph.entities))
    return list(dict.fromkeys(texts))


def write_shipped_vectors(fingerprint: str, prompt: str, texts: Sequence[str], vectors: np.ndarray) -> Path:
    """Write the file for ``fingerprint``, replacing the shipped files of other fingerprints."""
    SHIPPED_DIR.mkdir(parents=True, exist_ok=True)
    for old in SHIPPED_DIR.glob("passages-*.npz"):
        old.unlink()
    keys = np.frombuffer(b"".join(cache_key(prompt, t) for t in texts), dtype=np.uint8).reshape(len(texts), 32)
    path = shipped_file(fingerprint)
    np.savez_compressed(path, fingerprint=np.array(fingerprint), keys=keys, vectors=vectors.astype(np.float16))
    return path


def main() -> int:
    """Embed the shipped corpus with the default encoder and write its vectors file."""
    from .loading import load_encoder

    encoder = load_encoder()
    texts = shipped_passage_texts()
    prompt = encoder.prompt("passage")
    vectors = encoder.encode_passages(texts)
    path = write_shipped_vectors(encoder.fingerprint(), prompt, texts, vectors)
    print(f"{path}: {len(texts)} passages of {encoder.name} ({encoder.fingerprint()}), {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
