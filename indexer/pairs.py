"""Training texts and contrastive pairs for the default encoder, drawn from the graph and the chunks.

The pairs teach the encoder what co-occurrence cannot: that "sintesi vocale" and
"text to speech" mean the same, that "RCF" is Random Cut Forest, and that a service is
close to the task it is used for.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from kg import KnowledgeGraph
from kg.entities import local_name

from .identifiers import with_identifier_words
from .records import Chunk

MAX_SECTION_PAIRS = 10_000
# Relations whose two ends a learner's question often swaps ("which service does X" -> service).
_TASK_RELATIONS = ("usedFor", "supports", "partOf", "remedyFor", "measures")


def chunk_text_for_encoding(chunk: Chunk) -> str:
    """The text that is embedded for a chunk: its title and heading path give a passage its topic."""
    context = " > ".join(part for part in (chunk.title, chunk.heading) if part)
    return with_identifier_words(f"{context}\n{chunk.text}" if context else chunk.text)


def entity_texts(graph: KnowledgeGraph) -> list[str]:
    """Labels, aliases and definitions, so every entity name is in the tokenizer's vocabulary."""
    texts: list[str] = []
    for entity in graph.entities.values():
        names = [entity.label, *entity.aliases, *(label for _, label in entity.labels)]
        texts.append(" ; ".join(dict.fromkeys(names)))
        if entity.keywords:
            texts.append(" ; ".join(keyword for _, keyword in entity.keywords))
        texts.extend(text for _, text in entity.definitions)
    return texts


def training_pairs(graph: KnowledgeGraph, chunks: Sequence[Chunk]) -> list[tuple[str, str]]:
    """(anchor, positive) pairs: label/definition, across languages, alias/label, typed neighbours, heading/section."""
    pairs: list[tuple[str, str]] = []
    for entity in graph.entities.values():
        definition = entity.definition or entity.label
        pairs.append((entity.label, definition))
        for _lang, label in entity.labels:
            if label != entity.label:
                pairs.append((label, entity.label))
                pairs.append((label, definition))
        for alias in entity.aliases:
            if alias != entity.label:
                pairs.append((alias, entity.label))
        for _lang, keyword in entity.keywords:
            pairs.append((keyword, f"{entity.label}: {definition}"))
        for _lang, text in entity.definitions:
            if text != definition:
                pairs.append((text, definition))
        for neighbour_iri, predicate in graph.typed_neighbours(entity.iri):
            if local_name(predicate) in _TASK_RELATIONS and neighbour_iri in graph.entities:
                neighbour = graph.entities[neighbour_iri]
                pairs.append((f"{neighbour.label}", f"{entity.label}: {definition}"))
    sections = list(_section_pairs(chunks))
    if len(sections) > MAX_SECTION_PAIRS:  # keep the graph's pairs the majority on a large corpus
        sections = random.Random(13).sample(sections, MAX_SECTION_PAIRS)
    return pairs + sections


def _section_pairs(chunks: Iterable[Chunk]) -> Iterable[tuple[str, str]]:
    for chunk in chunks:
        heading = chunk.heading.rsplit(" > ", 1)[-1] if chunk.heading else ""
        if heading and len(chunk.text.split()) >= 8:
            yield (f"{chunk.title} {heading}", chunk.text)
