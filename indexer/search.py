"""Search: dense, lexical and graph retrieval fused into hits, and the concepts behind them ranked.

Every retriever returns a ranked list; indexer/fusion.py combines them (dense and BM25 scores
scaled within their lists, reciprocal ranks for the graph's lists, whose counts compare to
nothing), ranking passages among those the filters allow. The graph shapes both rankings: entities
linked in the question, and their typed neighbours (a question about "text to speech"
links the concept, whose provider is Polly), lift the passages that mention them and the
concepts shown on the card.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from kg import KnowledgeGraph

from .concept_ranker import EVIDENCE_PASSAGES, ConceptEvidence, ConceptModel, ConceptTable
from .direction import Directions
from .encoding import Encoder
from .entity_words import EntityWords
from .errors import QueryError
from .fusion import add_document_evidence, add_ranks, add_scores, fuse, prefer, within
from .identifiers import with_identifier_words
from .language import prepare_question_language, question_language
from .questions import check_question
from .records import SEARCH_MODES as MODES
from .records import SOURCE_GROUP_OF_KIND, ConceptMatch, EntityTag, Hit, SearchResult, Why
from .store import ChunkStore
from .vectors import EntityVectors, VectorIndex

# Fusion weights of the retrievers for the passages, and of the two retrievers whose
# top passages are evidence for the concepts (measured with studykg eval on bench/eval/questions.jsonl
# and with bench/aws_docs_bench.py). "phrase" is runs of three words of the question in a passage:
# a line copied from a note finds that note, which bag-of-words retrievers alone may rank 8th.
FUSION_WEIGHTS = {"dense": 1.0, "lexical": 1.0, "phrase": 0.5, "mentions": 1.0, "concept": 2.0}
# The best concept, when the question does not name it, brings its own passages closest to the
# question even if no retriever found them: an Italian question about ReLU meets the English
# passage that explains ReLU. Their weight is scaled by the concept ranking's margin over the
# runner-up, so a doubtful concept hardly moves the passages, and by how rare the concept is:
# the retrievers already reach a service that hundreds of API pages mention. Weight 2 against 1
# (2026-12-06, hybrid hit@5 / MRR@10): dev split .966/.927 -> .968/.940, mla-c01-unseen
# .967/.913 -> .992/.928, unseen-2026-12b .967/.925 -> .980/.947; the API reference bench level
# (file@5 .612, MRR .481 -> .482); learner notes: one answer file of 34 from 5th to 6th. Weights
# 3 and 4 gained more on the question files and moved more learner notes down.
CONCEPT_PASSAGES = 10
OWN_KIND = "user"
# "From your notes": at most this many of the learner's passages, each at least this similar to
# the question (cosine of multilingual-e5 vectors; measured with bench/learner_notes_bench.py).
NOTES_SECTION_SIZE = 3
NOTES_FLOOR = 0.84
# ... and at most this much less similar than the closest passage of the whole index: a learner's
# passage far behind the shipped ones is not what the question is about.
NOTES_GAP = 0.05
# A question that names no entity of the graph, whose words score below MATERIAL_WORDED_FLOOR
# against the entities' words (EntityWords.scored) and whose closest passage is below this cosine
# similarity is not about the material at all ("capital of France"): it gets no concept card.
# Calibrated 2026-12-05 on the shipped corpus: off-topic questions score at most 12.4 on words,
# on-topic questions that name no entity and sit below the similarity floor at least 25; the
# similarity floor sits under every on-topic question that names no entity and scores under 25.
MATERIAL_FLOOR = 0.845
MATERIAL_WORDED_FLOOR = 17.0
CONCEPT_EVIDENCE_WEIGHTS = {"dense": 0.8, "lexical": 1.2}
CANDIDATES = 50


@dataclass(frozen=True)
class SearchFilters:
    """Narrow the hits: source kinds ("services", "notes", "mine"), languages, exam domain IRIs, entity types."""

    sources: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    entity_types: tuple[str, ...] = ()

    def active(self) -> bool:
        return bool(self.sources or self.langs or self.domains or self.entity_types)


class Searcher:
    """Answers questions over one opened index version."""

    def __init__(
        self, store: ChunkStore, vectors: VectorIndex, encoder: Encoder, graph: KnowledgeGraph, entity_vectors: EntityVectors, entity_words: EntityWords
    ) -> None:
        self.store = store
        self.vectors = vectors
        self.encoder = encoder
        self.graph = graph
        self._languages = store.languages()
        prepare_question_language(self._languages)
        self.weights = dict(FUSION_WEIGHTS)
        self._concept_evidence = ConceptEvidence(graph, entity_vectors, entity_words)
        self._directions = Directions({iri: (entity.label, *entity.aliases) for iri, entity in graph.entities.items()})
        # The passages of the folders the learner added: fixed for this index version.
        self._own_rows = frozenset(row[0] for row in store.db.execute("SELECT id FROM chunks WHERE kind = ?", (OWN_KIND,)))
        # Per filter: the passages it allows, their row ids and vectors (for exact dense ranking among them).
        self._filtered: dict[SearchFilters, tuple[frozenset[int], np.ndarray, np.ndarray]] = {}

    def search(
        self, query: str, k: int = 5, *, filters: SearchFilters | None = None, mode: str = "hybrid", lang: str | None = None
    ) -> SearchResult:
        """Top-k hits and the ranked concepts for one question; passages in ``lang`` (default: the question's language) first when as good.

        Raises:
            QueryError: the question is empty, too long, or has nothing searchable in it.
        """
        started = time.perf_counter()
        if mode not in MODES:
            raise QueryError(f"unknown search mode '{mode}': choose from {', '.join(MODES)}")
        query = check_question(query)
        filters = filters or SearchFilters()
        use_dense = mode in ("hybrid", "dense", "nograph")
        use_lexical = mode in ("hybrid", "bm25", "nograph")
        use_graph = mode == "hybrid"
        n = CANDIDATES * (4 if filters.active() else 1)
        asked_in = lang or question_language(query, self._languages)

        q_vec, dense, lexical, phrases, linked = self._retrieve(query, n, use_dense=use_dense, use_lexical=use_lexical, use_graph=use_graph)
        dense_rows, lexical_rows = [rowid for rowid, _ in dense], [rowid for rowid, _ in lexical]
        # The passages are ranked among those the filters allow; the concepts from the whole index.
        allowed = self._allowed(filters)
        passage_dense = self._dense_within(q_vec, filters, n) if use_dense and allowed is not None else dense
        passage_lexical, passage_phrases = within(lexical, allowed), within(phrases, allowed)
        fused = fuse(([r for r, _ in passage_phrases], self.weights["phrase"]))
        add_scores(fused, passage_dense, self.weights["dense"])
        add_scores(fused, passage_lexical, self.weights["lexical"])
        concepts: list[tuple[str, float]] = []
        mentioned = linked
        if use_graph:
            # The retrieved chunks' entities serve both the concept ranking and the re-ranking.
            evidence_rows = _evidence_rows(dense_rows, lexical_rows)
            candidates = sorted(fused, key=fused.get, reverse=True)[:CANDIDATES]
            candidate_entities = self.store.entities_of(_unique(candidates + evidence_rows[:EVIDENCE_PASSAGES]))
            table = self._concept_evidence.table(query, q_vec, linked, evidence_rows, candidate_entities)
            concepts = self._concept_model().rank(table)
            overlap = self._entity_overlap(_passage_focus(linked, concepts), candidates, candidate_entities, fused)
            add_ranks(fused, overlap, self.weights["mentions"])
            if concepts and concepts[0][0] not in linked:
                best = concepts[0][0]
                own, mentioning = self._closest_passages(best, q_vec, allowed)
                rarity = min(1.0, CONCEPT_PASSAGES / max(mentioning, 1))
                add_ranks(fused, own, self.weights["concept"] * _margin(concepts) * rarity)
                mentioned = [*linked, best]  # a hit's "why" names the concept too
        if use_dense and use_lexical:
            add_document_evidence(fused, self.store.documents_of(list(fused)))
            prefer(fused, self.store.languages_of(list(fused)), self._own_rows, asked_in)
        ranked = sorted(fused, key=fused.get, reverse=True)
        hits = self._hits(ranked, fused, passage_dense, passage_lexical, mentioned, filters, k)
        if not use_graph:
            concepts = self._concepts_from_hits(hits)
        in_material = not use_graph or _in_material(linked, dense, self._concept_evidence.best_worded(query))
        matches = self._concept_matches(concepts, filters) if in_material else ()
        notes = self._from_your_notes(ranked, fused, dense, lexical, mentioned, filters, q_vec) if in_material and use_graph else ()
        return SearchResult(
            query=query, entities=matches, hits=hits, seconds=time.perf_counter() - started, from_your_notes=notes, in_material=in_material,
            language=asked_in,
        )

    # ---- concepts --------------------------------------------------------
    def _concept_model(self) -> ConceptModel:
        """The fitted concept ranking, read at the first search: bench/train_concept_ranker.py needs
        ``concept_table`` from an index while the stored model no longer fits the evidence."""
        if not hasattr(self, "_fitted_model"):
            self._fitted_model = ConceptModel.load()
        return self._fitted_model

    def concept_table(self, query: str) -> ConceptTable:
        """The evidence the concept ranking weighs for a question; bench/train_concept_ranker.py fits on it."""
        query = check_question(query)
        q_vec, dense, lexical, _, linked = self._retrieve(query, CANDIDATES, use_dense=True, use_lexical=True, use_graph=True)
        evidence_rows = _evidence_rows([rowid for rowid, _ in dense], [rowid for rowid, _ in lexical])
        return self._concept_evidence.table(query, q_vec, linked, evidence_rows, self.store.entities_of(evidence_rows[:EVIDENCE_PASSAGES]))

    def _retrieve(self, query: str, n: int, *, use_dense: bool, use_lexical: bool, use_graph: bool):
        """The question's vector and what each retriever in use finds: dense, BM25 and phrase-run hits, linked entities."""
        q_vec = self.encoder.encode_queries([with_identifier_words(query)])[0] if use_dense or use_graph else None
        dense = self.vectors.search(q_vec, n) if use_dense else []
        lexical = self.store.lexical_search(query, n) if use_lexical else []
        phrases = self.store.phrase_search(query, n) if use_lexical and use_dense else []
        # The linker finds the names the question spells out; word order finds which way a conversion goes.
        linked = _unique([*(m.iri for m in self.graph.link(query)), *self._directions.named(query)]) if use_graph else []
        return q_vec, dense, lexical, phrases, linked

    def _concepts_from_hits(self, hits: Sequence[Hit]) -> list[tuple[str, float]]:
        scores: dict[str, float] = defaultdict(float)
        for rank, hit in enumerate(hits):
            for tag in hit.entities:
                scores[tag.iri] += 1.0 / (1 + rank)
        return sorted(scores.items(), key=lambda item: item[1], reverse=True)

    def _concept_matches(self, concepts: list[tuple[str, float]], filters: SearchFilters, limit: int = 5) -> tuple[ConceptMatch, ...]:
        matches = []
        for iri, score in concepts:
            entity = self.graph.entities.get(iri)
            if entity is None or (filters.entity_types and entity.type not in filters.entity_types):
                continue
            if filters.domains and not set(entity.domains) & set(filters.domains):
                continue
            matches.append(ConceptMatch(iri=iri, label=entity.label, aliases=tuple(entity.aliases), type=entity.type, score=float(score)))
            if len(matches) == limit:
                break
        return tuple(matches)

    # ---- passages --------------------------------------------------------
    def _entity_overlap(
        self, entities: Iterable[str], candidates: list[int], candidate_entities: dict[int, list[str]], fused: dict[int, float]
    ) -> list[int]:
        """Retrieved chunks ordered by how many of the question's entities they mention (ties: fused score).

        This re-ranks what the retrievers found rather than adding chunks: on a large folder of
        a user's own documents, pulling in every chunk that names an entity drowns the one
        document that answers.
        """
        wanted = set(entities)
        if not wanted:
            return []
        counts = {rowid: len(wanted.intersection(iris)) for rowid, iris in candidate_entities.items()}
        return sorted((r for r in candidates if counts.get(r)), key=lambda r: (-counts[r], -fused[r]))

    def _allowed(self, filters: SearchFilters) -> frozenset[int] | None:
        """The passages the filters let through (None: all); computed once per filter for this index version."""
        if not filters.active():
            return None
        if filters not in self._filtered:
            rows = list(self.store.iter_chunks())
            wanted = filters.domains or filters.entity_types
            entities = self.store.entities_of([row["id"] for row in rows]) if wanted else {}
            allowed = frozenset(row["id"] for row in rows if self._passes(row, entities.get(row["id"], []), filters))
            ids = sorted(allowed)
            vectors = self.vectors.vectors_for(ids)
            ids = [i for i in ids if i in vectors]
            matrix = np.stack([vectors[i] for i in ids]) if ids else np.zeros((0, 0), dtype=np.float32)
            self._filtered[filters] = (allowed, np.asarray(ids, dtype=np.int64), matrix)
        return self._filtered[filters][0]

    def _dense_within(self, q_vec: np.ndarray, filters: SearchFilters, n: int) -> list[tuple[int, float]]:
        """The n passages the filters allow most similar to the question: exact, however far down the whole index they sit."""
        _, ids, matrix = self._filtered[filters]
        if not len(ids):
            return []
        similarity = matrix @ q_vec
        top = np.argsort(-similarity, kind="stable")[:n]
        return [(int(ids[i]), float(similarity[i])) for i in top]

    def _closest_passages(self, iri: str, q_vec: np.ndarray, allowed: frozenset[int] | None = None) -> tuple[list[int], int]:
        """The CONCEPT_PASSAGES chunks that mention ``iri`` (among the allowed ones) most similar to the question, and how many mention it."""
        linked_rows = self.store.chunks_linked_to(iri)
        mentioning = len(linked_rows)
        vectors = self.vectors.vectors_for([r for r in linked_rows if allowed is None or r in allowed])
        if not vectors:
            return [], 0
        rowids = list(vectors)
        similarity = np.stack([vectors[r] for r in rowids]) @ q_vec
        return [rowids[i] for i in np.argsort(-similarity, kind="stable")[:CONCEPT_PASSAGES]], mentioning

    def _hits(self, ranked, fused, dense, lexical, mentioned, filters: SearchFilters, k: int) -> tuple[Hit, ...]:
        """The top k passages, one per source document first: the next passage of a page is a click away.

        Further passages of an already shown document fill in only when fewer than k documents match.
        """
        dense_rank = {rowid: n for n, (rowid, _) in enumerate(dense, 1)}
        lexical_rank = {rowid: n for n, (rowid, _) in enumerate(lexical, 1)}
        hits: list[Hit] = []
        repeats: list[Hit] = []
        sources: set[str] = set()
        for start in range(0, len(ranked), 50):
            window = ranked[start : start + 50]
            rows = self.store.chunks_by_rowid(window)
            entities = self.store.entities_of(window)
            for rowid in window:
                row = rows.get(rowid)
                if row is None or not self._passes(row, entities[rowid], filters):
                    continue
                repeat = row["source"] in sources
                if repeat and len(repeats) >= k:
                    continue
                tags = tuple(EntityTag(iri, self.graph.entities[iri].label) for iri in entities[rowid] if iri in self.graph.entities)
                shared = tuple(self.graph.entities[iri].label for iri in mentioned if iri in entities[rowid] and iri in self.graph.entities)
                hit = Hit(
                    chunk_id=row["chunk_id"], source=row["source"], heading=row["heading"], text=row["text"], lang=row["lang"],
                    score=float(fused[rowid]), entities=tags,
                    why=Why(dense_rank.get(rowid), lexical_rank.get(rowid), shared),
                    kind=row["kind"], title=row["title"], line_start=row["line_start"], line_end=row["line_end"],
                )
                if repeat:
                    repeats.append(hit)
                    continue
                sources.add(row["source"])
                hits.append(hit)
                if len(hits) == k:
                    return tuple(hits)
        return tuple(hits + repeats[: k - len(hits)])

    def notes_about(self, iri: str, limit: int = 5) -> list[tuple[str, str, str]]:
        """The learner's notes that mention an entity, as (document id, first passage mentioning it, title); for the concept card."""
        rowids = sorted(r for r in self.store.chunks_linked_to(iri) if r in self._own_rows)
        rows = self.store.chunks_by_rowid(rowids)
        found: dict[str, tuple[str, str, str]] = {}
        for rowid in rowids:
            row = rows.get(rowid)
            if row is not None and row["doc_id"] not in found:
                found[row["doc_id"]] = (row["doc_id"], row["chunk_id"], row["title"] or row["doc_id"])
        return list(found.values())[:limit]

    def _from_your_notes(self, ranked, fused, dense, lexical, mentioned, filters: SearchFilters, q_vec: np.ndarray) -> tuple[Hit, ...]:
        """The learner's best passages for the question, in the ranking's order, that are close enough to it to show.

        Closeness is the passage's own cosine similarity to the question, measured the same way
        for every question, so a question the notes do not cover gets an empty section rather
        than the least bad of them.
        """
        own = [rowid for rowid in ranked if rowid in self._own_rows]
        if not own:
            return ()
        vectors = self.vectors.vectors_for(own)
        floor = max(NOTES_FLOOR, (dense[0][1] if dense else 0.0) - NOTES_GAP)
        close = [rowid for rowid in own if rowid in vectors and float(vectors[rowid] @ q_vec) >= floor]
        return self._hits(close, fused, dense, lexical, mentioned, filters, NOTES_SECTION_SIZE)

    def _passes(self, row, iris: list[str], filters: SearchFilters) -> bool:
        if filters.sources and SOURCE_GROUP_OF_KIND.get(row["kind"], "notes") not in filters.sources:
            return False
        if filters.langs and row["lang"] not in filters.langs:
            return False
        entities = [self.graph.entities[i] for i in iris if i in self.graph.entities]
        if filters.domains and not any(set(e.domains) & set(filters.domains) for e in entities):
            return False
        if filters.entity_types and not any(e.type in filters.entity_types for e in entities):
            return False
        return True


def _in_material(linked: list[str], dense: list[tuple[int, float]], worded: float) -> bool:
    """Whether the index holds an answer: the question names an entity of the graph, shares enough words with
    the entities' names, definitions and keywords, or has a passage close to it in meaning.

    Each signal alone lets some off-topic questions through (a greeting is close in meaning to
    every short passage; "how many legs does a spider have" shares words with definitions), and
    refusing a real question is worse than answering an odd one, so a question is refused only
    when all three say no. Calibrated on bench/eval/offtopic_questions.jsonl and checked on every
    question file in bench/eval (none of them refused).
    """
    return bool(linked) or worded >= MATERIAL_WORDED_FLOOR or bool(dense and dense[0][1] >= MATERIAL_FLOOR)


def _passage_focus(linked: list[str], concepts: list[tuple[str, float]]) -> list[str]:
    """The entities whose passages come first: those the question names, and its best concept.

    The best concept is usually what the learner asks for, while the named entities are often
    context ("which metric for my house price regression?"), so its passages count too. When a
    named entity is the runner-up, the question is about that entity and the best concept is
    only a facet of it ("is Rekognition HIPAA eligible?"): passages about the facet in general
    would crowd out the entity's own.
    """
    focus = list(linked)
    if concepts and concepts[0][0] not in linked and not any(iri in linked for iri, _ in concepts[1:2]):
        focus.append(concepts[0][0])
    return focus


def _evidence_rows(dense_rows: list[int], lexical_rows: list[int]) -> list[int]:
    """The passages whose entities are evidence for the concepts: dense and lexical results fused, best first."""
    evidence = fuse((dense_rows, CONCEPT_EVIDENCE_WEIGHTS["dense"]), (lexical_rows, CONCEPT_EVIDENCE_WEIGHTS["lexical"]))
    return sorted(evidence, key=evidence.get, reverse=True)[:CANDIDATES]


def _margin(concepts: list[tuple[str, float]]) -> float:
    """How far the best concept's score is ahead of the runner-up's, as a share of it (1: unopposed)."""
    if len(concepts) < 2 or concepts[0][1] <= 0:
        return 1.0
    return max(0.0, 1.0 - concepts[1][1] / concepts[0][1])


def _unique(items) -> list:
    return list(dict.fromkeys(items))
