"""Walking the curated graph: neighbours, paths, related topics, entities by type or domain.

Everything here works on one networkx projection of the typed edges between curated
entities, built once: chunks and documents never enter it, so a 100k-mention index costs
navigation nothing, and per-triple calls into the store stay out of interactive paths.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from itertools import islice, pairwise

import networkx as nx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from .entities import local_name
from .phrases import explain_path, together_phrase
from .provenance import fact_passages, fact_sources
from .records import Entity, EntityRef, PathResult, PathStep, RelatedTopic, Relation
from .vocab import DEFAULT_PREDICATE_LABELS, HUB_PREDICATES, RELATION_PREDICATES, SYMMETRIC_PREDICATES

__all__ = ["Navigator", "predicate_labels"]

# A hub edge (inDomain, coversTask) costs as much as this many ordinary edges on a path, so a
# path goes through an exam domain only when nothing short and specific connects the two.
HUB_WEIGHT = 4.0
# Alternatives may be this much longer (in weight) than the shortest path.
ALTERNATIVE_SLACK = 2.0
# How related() mixes graph proximity and co-mentions, each scaled to 0..1 first.
GRAPH_SHARE, CO_MENTION_SHARE = 0.6, 0.4
# Proximity is divided by degree ** DEGREE_DAMPING, so generic hubs do not crowd out specific neighbours.
DEGREE_DAMPING = 1.0
# Explain a related topic's path in words up to this many hops.
MAX_EXPLAINED_HOPS = 3
HUB_TYPES = frozenset({"ExamDomain", "TaskStatement"})

_Triple = tuple[str, str, str]


def predicate_labels(graph: Graph) -> dict[str, str]:
    """The English reading of every relation predicate: its rdfs:label, else a default."""
    labels: dict[str, str] = {}
    for predicate in RELATION_PREDICATES:
        found = [lit for lit in graph.objects(predicate, RDFS.label) if isinstance(lit, Literal)]
        english = [str(lit) for lit in found if lit.language in ("en", None)]
        fallback = (
            DEFAULT_PREDICATE_LABELS.get(predicate)
            or re.sub(r"(?<!^)(?=[A-Z])", " ", local_name(str(predicate))).lower()
        )
        labels[str(predicate)] = english[0] if english else fallback
    return labels


class Navigator:
    """Neighbours, paths and related topics over the typed edges between entities."""

    def __init__(self, graph: Graph, entities: Mapping[str, Entity]) -> None:
        self._entities = entities
        self._labels = predicate_labels(graph)
        self._order = {str(p): i for i, p in enumerate(RELATION_PREDICATES)}
        self._hub = {str(p) for p in HUB_PREDICATES}
        self._symmetric = {str(p) for p in SYMMETRIC_PREDICATES}
        projection = nx.Graph()
        projection.add_nodes_from(entities)
        for predicate in RELATION_PREDICATES:
            for subject, obj in graph.subject_objects(predicate):
                s, o = str(subject), str(obj)
                if s != o and s in entities and o in entities:
                    self._add_edge(projection, (s, str(predicate), o))
        self._projection = projection
        self._sources = fact_sources(graph)
        self._passages = fact_passages(graph)

    def _add_edge(self, projection: nx.Graph, triple: _Triple) -> None:
        s, p, o = triple
        weight = HUB_WEIGHT if p in self._hub else 1.0
        if projection.has_edge(s, o):
            data = projection[s][o]
            if triple not in data["triples"]:
                data["triples"].append(triple)
            data["weight"] = min(data["weight"], weight)
        else:
            projection.add_edge(s, o, triples=[triple], weight=weight)
        # random walks follow strong links: a hub edge pulls as little as it costs on a path
        projection[s][o]["pull"] = 1.0 / projection[s][o]["weight"]

    def _ref(self, iri: str) -> EntityRef:
        return self._entities[iri].ref()

    def _direction(self, triple: _Triple, seen_from: str) -> str:
        subject, predicate, _ = triple
        return "out" if subject == seen_from or predicate in self._symmetric else "in"

    def neighbours(self, iri: str) -> tuple[Relation, ...]:
        """Every typed edge touching the entity, both directions, sorted by relation label."""
        found: dict[tuple[str, str, str], Relation] = {}
        for other in self._projection[iri]:
            for triple in self._projection[iri][other]["triples"]:
                predicate = triple[1]
                direction = self._direction(triple, iri)
                fact = tuple(URIRef(t) for t in triple)
                sources = self._sources.get(fact, ())
                found[(predicate, direction, other)] = Relation(
                    predicate, self._labels[predicate], direction, self._ref(other),
                    sources[0] if sources else "", self._passages.get(fact, ()),
                )
        return tuple(
            sorted(found.values(), key=lambda r: (r.label, r.direction, r.target.label.casefold(), r.target.iri))
        )

    def typed_neighbours(self, iri: str) -> tuple[tuple[str, str], ...]:
        """(neighbour IRI, predicate IRI) pairs, for expanding a query with graph neighbours."""
        pairs = {
            (other, triple[1]) for other in self._projection[iri] for triple in self._projection[iri][other]["triples"]
        }
        return tuple(sorted(pairs))

    def _step(self, a: str, b: str) -> PathStep:
        """The edge a-b as one step: a specific relation rather than a hub one when both exist."""
        triples = self._projection[a][b]["triples"]
        triple = min(triples, key=lambda t: (t[1] in self._hub, self._order[t[1]], t))
        return PathStep(triple[1], self._labels[triple[1]], self._direction(triple, a))

    def _route(self, nodes: list[str]) -> tuple[tuple[EntityRef, ...], tuple[PathStep, ...]]:
        steps = tuple(self._step(a, b) for a, b in pairwise(nodes))
        return tuple(self._ref(n) for n in nodes), steps

    def _weight(self, nodes: list[str]) -> float:
        return sum(self._projection[a][b]["weight"] for a, b in pairwise(nodes))

    def path(self, source: str, target: str, alternatives: int = 3) -> PathResult:
        """The shortest path between two entities and up to `alternatives` other short ones.

        Edges are walked in both directions and each step says which way it really points.
        Exam domain and task statement links count as HUB_WEIGHT hops, so "both are in the
        Modeling domain" is the answer only when nothing more specific connects the two.
        Unconnected entities give a result with no nodes.
        """
        src, dst = self._ref(source), self._ref(target)
        if source == target:
            return PathResult(src, dst, (src,), ())
        try:
            found = nx.shortest_simple_paths(self._projection, source, target, weight="weight")
            best = next(found)
        except nx.NetworkXNoPath:
            return PathResult(src, dst, (), ())
        limit = self._weight(best) + ALTERNATIVE_SLACK
        others = []
        for nodes in islice(found, max(alternatives, 0)):
            if self._weight(nodes) > limit:
                break
            others.append(self._route(nodes))
        nodes, steps = self._route(best)
        return PathResult(src, dst, nodes, steps, tuple(others))

    def related(
        self,
        iri: str,
        k: int = 10,
        co_mentions: Mapping[str, int] | None = None,
        mention_counts: Mapping[str, int] | None = None,
        chunk_total: int = 0,
    ) -> tuple[RelatedTopic, ...]:
        """Entities near `iri`: personalized PageRank over typed edges, mixed with co-mentions.

        `co_mentions` maps entity IRIs to the number of chunks that mention them together
        with `iri`; `mention_counts` to the number of chunks that mention each at all, out
        of `chunk_total`. Exam domains and task statements are left out unless `iri` is one:
        they are near everything.

        Both signals favour generic hubs (SageMaker, S3, CloudWatch touch everything, so a
        random walk keeps landing on them and every passage names them), and a learner asking
        about model drift wants Clarify before S3. So proximity is damped by the square root
        of a node's degree, and a co-mention count is weighed by how rare the other entity is
        in the notes (its IDF), the same way BM25 weighs words.
        """
        co_mentions = co_mentions or {}
        mention_counts = mention_counts or {}
        # Walk only the seed's component: nodes it cannot reach are unrelated, not "slightly related".
        component = self._projection.subgraph(nx.node_connected_component(self._projection, iri))
        proximity = nx.pagerank(component, alpha=0.85, personalization={iri: 1.0}, weight="pull")
        keep_hubs = self._entities[iri].type in HUB_TYPES

        def wanted(other: str) -> bool:
            if other == iri or other not in self._entities:
                return False
            return keep_hubs or self._entities[other].type not in HUB_TYPES

        candidates = {n for n, score in proximity.items() if score > 0 and wanted(n)}
        candidates |= {n for n, count in co_mentions.items() if count > 0 and wanted(n)}
        if not candidates:
            return ()
        total = max(chunk_total, max(mention_counts.values(), default=0), 1)

        def near(n: str) -> float:
            return proximity.get(n, 0.0) / max(self._projection.degree(n), 1) ** DEGREE_DAMPING

        def together(n: str) -> float:
            count = co_mentions.get(n, 0)
            return count * math.log(1.0 + total / max(mention_counts.get(n, count), 1)) if count else 0.0

        top_near = max(near(n) for n in candidates) or 1.0
        top_together = max(together(n) for n in candidates) or 1.0
        scores = {n: GRAPH_SHARE * near(n) / top_near + CO_MENTION_SHARE * together(n) / top_together for n in candidates}
        ranked = sorted(candidates, key=lambda n: (-scores[n], self._entities[n].label.casefold()))[: max(k, 0)]
        paths = nx.single_source_dijkstra_path(self._projection, iri, weight="weight")
        topics = []
        for n in ranked:
            nodes = paths.get(n)
            route = self._route(nodes) if nodes and len(nodes) - 1 <= MAX_EXPLAINED_HOPS else ((), ())
            count = co_mentions.get(n, 0)
            topics.append(
                RelatedTopic(
                    entity=self._ref(n),
                    aliases=self._entities[n].aliases,
                    score=round(scores[n], 4),
                    why=self._why(route, nodes, count),
                    path=route[0],
                    steps=route[1],
                    together=count,
                )
            )
        return tuple(topics)

    @staticmethod
    def _why(route, nodes: list[str] | None, count: int) -> str:
        """The reason in plain English: the chain of relations, then how often the notes pair them."""
        reasons = []
        if route[1]:
            reasons.append("; ".join(explain_path(route[0], route[1])))
        elif nodes:
            reasons.append(f"{len(nodes) - 1} steps apart in the graph")
        if count:
            reasons.append(together_phrase(count))
        return "; ".join(reasons)

    def entities_by_type(self, type_: str) -> tuple[Entity, ...]:
        """Entities of one type (a name from ENTITY_TYPES), sorted by label."""
        return tuple(sorted((e for e in self._entities.values() if e.type == type_), key=_label_order))

    def entities_in_domain(self, iri: str) -> tuple[Entity, ...]:
        """Entities in an exam domain (directly or through its tasks), or covering a task statement."""
        entity = self._entities[iri]
        if entity.type == "TaskStatement":
            members = {other for other, predicate in self.typed_neighbours(iri) if predicate in self._hub}
            found = (self._entities[m] for m in members if self._entities[m].type != "ExamDomain")
        else:
            found = (e for e in self._entities.values() if iri in e.domains and e.iri != iri)
        return tuple(sorted(found, key=_label_order))


def _label_order(entity: Entity) -> tuple[str, str]:
    return entity.label.casefold(), entity.iri
