"""The concept ranking: the evidence for each candidate entity, combined by a small log-linear model fitted on learner questions.

For each candidate entity the search measures seven kinds of evidence (``EVIDENCE``): the
question names it, or a task it does; its names and definitions share the question's words,
or a task's it does; it neighbours a named entity in the graph; its embedding is close to
the question's; the top passages mention it. A few signals (``SIGNALS``) say what kind of answer is wanted:
the question asks for a service or an algorithm, the entity is the exam's own structure, the
entity is named in the question (often the context, not the answer), it is a kind of an
entity the question names ("which activation function": ReLU), it is a category with kinds
of its own (rarely the answer when a kind fits).

The score of an entity is ``scale * log(evidence . shares + floor) + signals . weights``, and the
ranking is its softmax over the candidates, so a concept's score reads as the model's
confidence and the gap between the first two as its margin. The shares sum to one and the
floor is fitted with them: with a fixed floor the fit could trade the size of the shares
against it, drive them all far below it and push a share it did not need to exactly zero.
The shares, floor, scale and weights are fitted by ``bench/train_concept_ranker.py``
(maximum likelihood of the gold concept, L2 on the weights and on the shares' logits) and
stored in ``concept_ranker.json`` with the files they were fitted on and the constants of
this module they were fitted with (``fitted_constants``): a model fitted on other evidence
is refused, not silently misread.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kg.entities import local_name

from .entity_words import PAIR_JOINER
from .errors import IndexerError

if TYPE_CHECKING:
    from kg import Entity, KnowledgeGraph, Relation

    from .entity_words import EntityWords
    from .vectors import EntityVectors

EVIDENCE = ("named", "does_named_task", "worded", "does_worded_task", "neighbours", "similarity", "passages")
SIGNALS = (
    "similarity_gap", "wanted_type", "unwanted_type", "exam_structure", "named_in_question", "named_and_compared", "service", "algorithm",
    "kind_of_named", "category",
)
MODEL_FILE = Path(__file__).with_name("concept_ranker.json")

# Measuring the evidence. A linked entity counts
# less the later it comes; the services and algorithms that do a linked task share its credit,
# the specialised ones (few tasks) before the generalists.
LINK_RANK_DECAY = 0.3
GENERALIST_PENALTY = 0.15
BROAD_TASK_PENALTY = 0.1
ENTITY_WORDS_DEPTH = 5
SIMILAR_ENTITIES = 20
SIMILARITY_TEMPERATURE = 0.02  # twice e5's training temperature: the runners-up keep some credit (chosen on the training files)
EVIDENCE_PASSAGES = 10

# Words that say which type of entity the learner wants ("which service ...", "quale algoritmo ...").
_TYPE_HINTS = {
    "Service": re.compile(r"\b(services?|dịch vụ|dich vu|servizi[oa]?|tool|strumento|công cụ|cong cu)\b", re.I),
    "Algorithm": re.compile(r"\b(algorithms?|thuật toán|thuat toan|algoritm[oi]|built-in)\b", re.I),
    # "What is this problem called?" asks for the name of a concept, never for a service.
    "Concept": re.compile(
        r"\b(called|phenomenon|principle|what is happening|what's going on|whats going on|term for|hiện tượng|hien tuong|gọi là gì|goi la gi|nguyên tắc|nguyen tac|khái niệm|khai niem|si chiama|fenomeno|principio|tipo di dato|concetto)\b",
        re.I,
    ),
    "Chart": re.compile(r"\b(chart|plot|visuali[sz]e|biểu đồ|bieu do|đồ thị|do thi|grafico|diagramma)\b", re.I),
}
_EXAM_WORDS = re.compile(r"\b(exam|domain|task statement|esame|dominio|kỳ thi|ky thi|lĩnh vực|linh vuc|weight|peso|trọng số)\b", re.I)
# "X vs Y", "differenza tra X e Y", "khác nhau giữa X và Y": the entities named are the answer, not the context.
_COMPARISON = re.compile(
    r"\b(vs\.?|versus|difference between|differences between|compared? (?:to|with)|differenza (?:tra|fra)|differenze (?:tra|fra)|confronto"
    r"|khác nhau giữa|khac nhau giua|sự khác nhau|su khac nhau|so sánh|so sanh)\b",
    re.I,
)
_ENTITY_RELATIONS = ("usedFor", "supports", "partOf", "remedyFor", "measures", "accepts", "comparedWith", "alternativeTo", "readsFrom", "deliversTo", "integratesWith", "broader")


@dataclass(frozen=True)
class ConceptTable:
    """Candidate entities of one question, with one row of evidence and signals each."""

    iris: tuple[str, ...]
    evidence: np.ndarray  # len(iris) x len(EVIDENCE), each >= 0
    signals: np.ndarray  # len(iris) x len(SIGNALS)


class ConceptModelMismatch(IndexerError):
    "The fitted concept ranking was fitted with other evidence, signals or constants than this code measures."


def fitted_constants() -> dict[str, object]:
    """What a fitted model depends on: the names and order of its inputs and the constants that measure them.

    The question patterns enter as a digest: they are long, and any change to them means a refit.
    """
    patterns = "\n".join([*(f"{name}={pattern.pattern}" for name, pattern in _TYPE_HINTS.items()), _EXAM_WORDS.pattern, _COMPARISON.pattern, *_ENTITY_RELATIONS])
    return {
        "evidence": list(EVIDENCE),
        "signals": list(SIGNALS),
        "link_rank_decay": LINK_RANK_DECAY,
        "generalist_penalty": GENERALIST_PENALTY,
        "broad_task_penalty": BROAD_TASK_PENALTY,
        "entity_words_depth": ENTITY_WORDS_DEPTH,
        "entity_word_pairs": PAIR_JOINER,  # the words evidence counts word pairs as terms (entity_words.stems)
        "similar_entities": SIMILAR_ENTITIES,
        "similarity_temperature": SIMILARITY_TEMPERATURE,
        "evidence_passages": EVIDENCE_PASSAGES,
        "question_patterns_sha256": hashlib.sha256(patterns.encode("utf-8")).hexdigest()[:16],
    }


@dataclass(frozen=True)
class ConceptModel:
    """The fitted combination; ``rank`` orders a table's entities."""

    shares: np.ndarray  # one per EVIDENCE, > 0, summing to 1
    floor: float  # > 0: keeps log(evidence) finite for an entity with a signal but no evidence
    scale: float
    weights: np.ndarray  # one per SIGNALS

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> ConceptModel:
        """The model stored at ``path``.

        Raises:
            ConceptModelMismatch: it was fitted with other evidence, signals or constants than this code's.
        """
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        expected = fitted_constants()
        recorded = data.get("constants")
        if recorded is None:
            raise ConceptModelMismatch(f"{path}: records no constants it was fitted with; refit it with bench/train_concept_ranker.py")
        differing = [name for name in expected if recorded.get(name) != expected[name]]
        if differing:
            raise ConceptModelMismatch(
                f"{path}: fitted with other {', '.join(differing)} than indexer/concept_ranker.py uses; refit it with bench/train_concept_ranker.py"
            )
        return cls(
            shares=np.array([data["shares"][name] for name in EVIDENCE], dtype=np.float64),
            floor=float(data["floor"]),
            scale=float(data["scale"]),
            weights=np.array([data["weights"][name] for name in SIGNALS], dtype=np.float64),
        )

    def logits(self, table: ConceptTable) -> np.ndarray:
        return self.scale * np.log(table.evidence @ self.shares + self.floor) + table.signals @ self.weights

    def rank(self, table: ConceptTable) -> list[tuple[str, float]]:
        """(IRI, probability) from the most to the least likely answer."""
        if not table.iris:
            return []
        logits = self.logits(table)
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        order = np.argsort(-logits, kind="stable")
        return [(table.iris[i], float(probabilities[i])) for i in order]

    def save(self, path: Path, *, trained_on: Sequence[str], accuracy: dict[str, float]) -> None:
        data = {
            "shares": dict(zip(EVIDENCE, map(float, self.shares), strict=True)),
            "floor": self.floor,
            "scale": self.scale,
            "weights": dict(zip(SIGNALS, map(float, self.weights), strict=True)),
            "constants": fitted_constants(),
            "trained_on": list(trained_on),
            "entity_at_1": accuracy,
        }
        Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def fit(tables: Sequence[ConceptTable], golds: Sequence[set[str]], *, l2: float = 1e-3) -> ConceptModel:
    """Fit shares, floor, scale and weights by maximum likelihood of the gold entities (L-BFGS; torch for the gradients).

    The shares are a softmax of free logits, so they stay positive and sum to one; the L2
    penalty on those logits (centred) and on the floor's logarithm keeps an unhelpful kind of
    evidence, and the floor, small but finite instead of letting a logit run to minus infinity. Questions whose gold is not among
    the candidates carry no information and are skipped.
    """
    import torch

    data = []
    for table, gold in zip(tables, golds, strict=True):
        is_gold = torch.tensor([iri in gold for iri in table.iris], dtype=torch.bool)
        if bool(is_gold.any()):
            data.append((torch.from_numpy(table.evidence).double(), torch.from_numpy(table.signals).double(), is_gold))
    share_logits = torch.zeros(len(EVIDENCE), dtype=torch.float64, requires_grad=True)
    log_floor = torch.tensor(float(np.log(0.1)), dtype=torch.float64, requires_grad=True)
    scale = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    weights = torch.zeros(len(SIGNALS), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([share_logits, log_floor, scale, weights], max_iter=500, line_search_fn="strong_wolfe")

    def loss():
        optimizer.zero_grad()
        total = torch.zeros((), dtype=torch.float64)
        shares, floor = torch.softmax(share_logits, 0), torch.exp(log_floor)
        for evidence, signals, is_gold in data:
            logits = scale * torch.log(evidence @ shares + floor) + signals @ weights
            total = total - (torch.logsumexp(logits[is_gold], 0) - torch.logsumexp(logits, 0))
        centred = share_logits - share_logits.mean()
        total = total / max(len(data), 1) + l2 * (weights @ weights + centred @ centred + log_floor**2)
        total.backward()
        return total

    optimizer.step(loss)
    with torch.no_grad():
        return ConceptModel(
            shares=torch.softmax(share_logits, 0).numpy().copy(),
            floor=float(torch.exp(log_floor)),
            scale=float(scale),
            weights=weights.numpy().copy(),
        )


class ConceptEvidence:
    """Measures, for one question, each kind of evidence for every candidate entity (a ``ConceptTable``).

    Built once per index from its graph and the entity vectors and word statistics stored at build time.
    """

    def __init__(self, graph: KnowledgeGraph, entity_vectors: EntityVectors, entity_words: EntityWords) -> None:
        self.graph = graph
        self._iris = list(entity_vectors.iris)
        self._position = {iri: n for n, iri in enumerate(self._iris)}
        self._entity_vectors = entity_vectors
        self._words = entity_words  # in the order of entity_vectors.iris
        edges = {iri: graph.neighbours(iri) for iri in graph.entities}  # each entity's, read once for the three below
        self._providers = _providers(graph.entities, edges)
        self._task_counts = Counter(p for providers in self._providers.values() for p in providers)
        self._broader = _broader(edges)
        self._kinds = {"Chart": _kinds_of(self._broader, "DataVisualization")}
        self._categories = frozenset(b for kinds in self._broader.values() for b in kinds)

    def table(
        self, query: str, q_vec: np.ndarray, linked: list[str], evidence_rows: list[int], row_entities: dict[int, list[str]]
    ) -> ConceptTable:
        """Score candidate entities on each kind of evidence: the question's links, the words of their names,
        definitions and keywords, their graph neighbours, embedding similarity and the top passages."""
        evidence: dict[str, dict[str, float]] = {name: defaultdict(float) for name in EVIDENCE}
        for rank, iri in enumerate(linked):
            self._credit(evidence["named"], evidence["does_named_task"], iri, 1 / (1 + LINK_RANK_DECAY * rank))
        worded = self._words.scored(query, ENTITY_WORDS_DEPTH)
        for position, score in worded:
            self._credit(evidence["worded"], evidence["does_worded_task"], self._iris[position], score / worded[0][1])
        for iri in linked:
            # Each neighbour once, however many relations tie it.
            related = dict.fromkeys(n for n, predicate in self.graph.typed_neighbours(iri) if local_name(predicate) in _ENTITY_RELATIONS)
            for neighbour in related:
                evidence["neighbours"][neighbour] += 1.0
        similarity = self._entity_vectors.similarities(q_vec)
        best_similarity = float(similarity.max()) if len(similarity) else 0.0
        # Graded by the gap to the closest entity at e5's training temperature, not by rank: a rank
        # turns a cosine difference of 0.003 ("text to speech" vs "speech to text") into a verdict.
        for position in np.argsort(-similarity)[:SIMILAR_ENTITIES]:
            evidence["similarity"][self._iris[position]] += float(np.exp((similarity[position] - best_similarity) / SIMILARITY_TEMPERATURE))
        for rank, rowid in enumerate(evidence_rows[:EVIDENCE_PASSAGES]):
            for iri in row_entities.get(rowid, ()):
                evidence["passages"][iri] += 1 / (1 + rank)

        iris = tuple(iri for iri in dict.fromkeys(i for scores in evidence.values() for i in scores) if iri in self.graph.entities)
        named = set(linked)
        exam_question = bool(_EXAM_WORDS.search(query))
        comparison = bool(_COMPARISON.search(query)) and len(named) >= 2
        wanted = [t for t, pattern in _TYPE_HINTS.items() if pattern.search(query)]
        signals = []
        for iri in iris:
            kind = self.graph.entities[iri].type
            fits = kind in wanted or any(iri in self._kinds.get(t, ()) for t in wanted)
            signals.append([
                float(similarity[self._position[iri]]) - best_similarity if iri in self._position else 0.0,
                float(bool(wanted) and fits),
                float(bool(wanted) and not fits),
                # Domains and task statements answer questions about the exam, not about ML.
                float(kind in ("ExamDomain", "TaskStatement") and not exam_question),
                float(iri in linked),
                float(comparison and iri in named),
                float(kind == "Service"),
                float(kind == "Algorithm"),
                # "which activation function ..." names the kind; its members (ReLU, softmax) are the answers.
                float(iri not in named and bool(self._broader.get(iri, frozenset()) & named)),
                # A category (Activation function, Classification) is rarely the answer when one of its kinds fits.
                float(iri in self._categories),
            ])
        return ConceptTable(
            iris=iris,
            evidence=np.array([[evidence[name].get(iri, 0.0) for name in EVIDENCE] for iri in iris], dtype=np.float64).reshape(len(iris), len(EVIDENCE)),
            signals=np.array(signals, dtype=np.float64).reshape(len(iris), len(SIGNALS)),
        )

    def best_worded(self, query: str) -> float:
        """The best score of any entity's names, definitions and keywords against the question's words (0: no word shared)."""
        worded = self._words.scored(query, 1)
        return worded[0][1] if worded else 0.0

    def _credit(self, direct: dict[str, float], provided: dict[str, float], iri: str, weight: float) -> None:
        """Credit an entity the question names or words, and, when it is a task, what does it.

        "transcribe audio recordings" names the task; the services that do it are likely the
        answer, the specialised ones (few tasks) before the generalists (SageMaker does everything).
        """
        direct[iri] += weight
        providers = self._providers.get(iri, ())
        if not providers:
            return
        specificity = {p: 1 / (1 + GENERALIST_PENALTY * (self._task_counts[p] - 1)) for p in providers}
        best = max(specificity.values())
        breadth = 1.0 / (1 + BROAD_TASK_PENALTY * (len(providers) - 1))  # "classification" hints less than "OCR"
        for provider, value in specificity.items():
            provided[provider] += weight * breadth * value / best


def _providers(entities: Mapping[str, Entity], edges: Mapping[str, tuple[Relation, ...]]) -> dict[str, tuple[str, ...]]:
    """Task IRI -> the services and algorithms made for it (``usedFor``).

    ``supports`` does not make a provider: a question about Bayesian optimization or Pipe
    mode asks about the technique, not about the one service that offers it.
    """
    found: dict[str, list[str]] = defaultdict(list)
    for iri, entity in entities.items():
        if entity.type not in ("Service", "Algorithm"):
            continue
        for relation in edges[iri]:
            made_for = relation.direction == "out" and local_name(relation.predicate) == "usedFor"
            if made_for and relation.target.type == "Concept":
                found[relation.target.iri].append(iri)
    return {target: tuple(dict.fromkeys(providers)) for target, providers in found.items()}


def _broader(edges: Mapping[str, tuple[Relation, ...]]) -> dict[str, frozenset[str]]:
    """Entity IRI -> the entities it is a kind of (its skos:broader ones)."""
    found: dict[str, set[str]] = defaultdict(set)
    for iri, relations in edges.items():
        for r in relations:
            if r.direction == "out" and local_name(r.predicate) == "broader":
                found[iri].add(r.target.iri)
    return {iri: frozenset(targets) for iri, targets in found.items()}


def _kinds_of(broader: Mapping[str, frozenset[str]], category: str) -> set[str]:
    """The entities whose skos:broader is the entity named ``category`` (e.g. the charts of DataVisualization)."""
    return {iri for iri, kinds in broader.items() if any(local_name(kind) == category for kind in kinds)}
