"""Reading around a passage: the whole note, the notes most about an entity, notes like this one.

The study index stores passages for search; a learner also wants to read: open the note a
passage came from, see which notes are *about* an entity (not just which name it once),
and move on to notes on the same topics. These are small read-only queries over the chunk
store and the graph's entity links; the app caches them per index version.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from kg import fold

from .records import Chunk, IndexedDocument

__all__ = ["NotePassage", "SimilarNote", "document_chunks", "document_entities", "notes_about", "similar_notes"]

# How much each sign of "this passage is about the entity" counts (see notes_about).
OWN_PAGE, IN_HEADING, SHARE = 3.0, 1.5, 1.0


@dataclass(frozen=True)
class NotePassage:
    """A note's best passage about an entity, and how many of its passages mention it."""

    chunk_id: str
    doc_id: str
    score: float
    passages: int


@dataclass(frozen=True)
class SimilarNote:
    """A note that shares topics with another one; ``shared`` are entity IRIs, most telling first."""

    doc: IndexedDocument
    score: float
    shared: tuple[str, ...]


def document_chunks(index, doc_id: str) -> list[Chunk]:
    """Every passage of a document, in reading order (empty for an unknown id)."""
    return [_chunk(row) for row in index.store.chunks_of_document(doc_id)]


def document_entities(index, doc_id: str) -> list[tuple[str, int]]:
    """The entities a document mentions, with the number of its passages that do, most first."""
    counts: Counter[str] = Counter()
    rows = index.store.chunks_of_document(doc_id)
    for iris in index.store.entities_of([row["id"] for row in rows]).values():
        counts.update(iris)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def notes_about(index, iri: str) -> list[NotePassage]:
    """The notes that mention an entity, one entry each (its best passage), those most about it first.

    A passage counts as more about the entity when its note is the entity's own page, when
    a heading above it names the entity, and by the share of the entity's mentions among
    all the entity mentions in it. Sorting by path (what the list did before) put exam
    logistics first for SageMaker and left its own page out of the first dozen.
    """
    entity = index.graph.entities[iri]
    names = {fold(name) for name in (entity.label, *entity.aliases) if len(name) > 2}
    documents = {doc.doc_id: doc for doc in index.documents()}
    best: dict[str, tuple[float, str]] = {}
    passages: Counter[str] = Counter()
    for chunk_id in index.mentioned_in(iri):
        chunk = index.chunk(chunk_id)
        mentions = Counter(m.iri for m in index.graph.link(chunk.text))
        share = mentions[iri] / max(sum(mentions.values()), 1)
        heading = fold(chunk.heading or "")
        own = documents.get(chunk.doc_id) is not None and documents[chunk.doc_id].entity == entity.name
        score = OWN_PAGE * own + IN_HEADING * any(name in heading for name in names) + SHARE * share
        passages[chunk.doc_id] += 1
        if chunk.doc_id not in best or score > best[chunk.doc_id][0]:
            best[chunk.doc_id] = (score, chunk_id)
    # A note with many passages on the entity is more about it than one that names it once.
    ranked = [
        NotePassage(chunk_id, doc_id, round(score + 0.1 * math.log1p(passages[doc_id]), 4), passages[doc_id])
        for doc_id, (score, chunk_id) in best.items()
    ]
    return sorted(ranked, key=lambda p: (-p.score, p.doc_id))


def similar_notes(index, doc_id: str, k: int = 5) -> list[SimilarNote]:
    """Notes that share the most telling entities with ``doc_id``.

    Each shared entity counts by its inverse document frequency: sharing "Amazon SageMaker"
    (in most notes) says little, sharing "Concept drift" says a lot.
    """
    by_doc: dict[str, set[str]] = defaultdict(set)
    for doc, iri, _ in index.store.document_entities():
        by_doc[doc].add(iri)
    mine = by_doc.get(doc_id, set())
    if not mine:
        return []
    frequency = Counter(iri for iris in by_doc.values() for iri in iris)
    idf = {iri: math.log(len(by_doc) / frequency[iri]) for iri in mine}
    documents = {doc.doc_id: doc for doc in index.documents()}
    found = []
    for other, iris in by_doc.items():
        shared = mine & iris
        if other == doc_id or other not in documents or not shared:
            continue
        # Normalised by the other note's breadth, so a catch-all overview does not win everything.
        score = sum(idf[iri] for iri in shared) / math.sqrt(len(iris))
        if score > 0:
            found.append(SimilarNote(documents[other], round(score, 4), tuple(sorted(shared, key=lambda i: (-idf[i], i)))))
    return sorted(found, key=lambda n: (-n.score, n.doc.doc_id))[:k]


def _chunk(row) -> Chunk:
    return Chunk(**{name: row[name] for name in Chunk.__dataclass_fields__})
