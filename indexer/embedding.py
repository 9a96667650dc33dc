"""What a build or an add embeds: the chunks and the graph's entities, in steps the progress bar can follow.

The encoder comes from ``encoding`` (its ONNX export whenever one exists, so no torch); the
export for questions is made here once per model, so ``ask`` never waits for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .encoding import Encoder, load_encoder
from .entity_words import EntityWords
from .ingest import Progress
from .passages import chunk_text_for_encoding, entity_text
from .records import Chunk
from .vectors import EntityVectors

if TYPE_CHECKING:
    from kg import KnowledgeGraph


def load_encoder_reporting(model: str | None, progress: Progress) -> Encoder:
    progress("loading the encoder", 0, 1)
    encoder = load_encoder(model)  # the ONNX export once it exists: no torch (see ``encoding``)
    progress("loading the encoder", 1, 1)
    return encoder


def export_for_questions(encoder: Encoder, progress: Progress) -> None:
    """Once per model: the ONNX export that lets `ask` encode questions without torch (see ``question_encoder``)."""
    from .encoding.onnx_export import find_export
    from .encoding.onnx_writer import ensure_export

    if find_export(encoder.fingerprint()) is None:
        progress("exporting the question encoder", 0, 1)
        ensure_export(encoder)
        progress("exporting the question encoder", 1, 1)


def encode_chunks(encoder: Encoder, chunks: list[Chunk], progress: Progress) -> tuple[np.ndarray, int]:
    """The chunks' vectors, and how many of them the embedding cache (or the shipped vectors) gave."""
    reused_before = encoder.cache_hits()
    vectors = _encode_texts(encoder, [chunk_text_for_encoding(c) for c in chunks], "embedding chunks", progress)
    return vectors, encoder.cache_hits() - reused_before


def encode_entities(encoder: Encoder, graph: KnowledgeGraph, progress: Progress) -> tuple[EntityVectors, EntityWords]:
    """Every entity's names, definitions and keywords, embedded and stemmed once at build time, not at every open."""
    iris = sorted(graph.entities)
    texts = [entity_text(graph.entities[iri]) for iri in iris]
    return EntityVectors(tuple(iris), _encode_texts(encoder, texts, "embedding graph entities", progress)), EntityWords(texts)


def _encode_texts(encoder: Encoder, texts: list[str], stage: str, progress: Progress) -> np.ndarray:
    progress(stage, 0, len(texts))  # announced before the work: the previous stage's bar must not stand meanwhile
    parts = []
    step = 256  # small steps keep the progress bar moving: a transformer embeds about 12 passages a second on 2 cores
    for start in range(0, len(texts), step):
        parts.append(encoder.encode_passages(texts[start : start + step]))
        progress(stage, min(start + step, len(texts)), len(texts))
    return np.concatenate(parts) if parts else np.zeros((0, encoder.dim), dtype=np.float32)
