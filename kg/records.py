"""Records the graph hands out: frozen, tuples only, plain str/int/float fields.

They never hold rdflib terms or a live graph, so `dataclasses.asdict(record)` is all that
JSON output, the CLI and the app need.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Entity",
    "EntityRef",
    "Mention",
    "PathResult",
    "PathStep",
    "RelatedTopic",
    "Relation",
]


@dataclass(frozen=True)
class EntityRef:
    """The short form of an entity used inside relations, paths and related topics."""

    iri: str
    label: str
    type: str


@dataclass(frozen=True)
class Entity:
    """A curated entity with every name a learner may use for it."""

    iri: str
    name: str  # local name, e.g. "RandomCutForest"
    label: str  # English prefLabel
    type: str  # one of ENTITY_TYPES
    definition: str  # English definition, "" when the graph has none
    aliases: tuple[str, ...] = ()  # every other label: other languages, altLabels, former names
    labels: tuple[tuple[str, str], ...] = ()  # (lang, prefLabel)
    definitions: tuple[tuple[str, str], ...] = ()  # (lang, definition)
    keywords: tuple[tuple[str, str], ...] = ()  # (lang, skos:hiddenLabel): words learners search with, never shown
    domains: tuple[str, ...] = ()  # exam domain IRIs, directly or through task statements
    closed_to_new_customers: bool = False  # skg:closedToNewCustomers: said on its card, never a quiz answer or option

    def ref(self) -> EntityRef:
        """The short form of this entity."""
        return EntityRef(self.iri, self.label, self.type)


@dataclass(frozen=True)
class Mention:
    """An entity found in a text; start and end are offsets into the original text."""

    iri: str
    start: int
    end: int
    surface: str


@dataclass(frozen=True)
class Relation:
    """One typed edge seen from an entity: `direction` "out" means entity -predicate-> target."""

    predicate: str
    label: str
    direction: str  # "out" | "in"
    target: EntityRef
    stated_in: str = ""  # a teaching fact's source section, "path#heading" under the corpus folder
    passages: tuple[str, ...] = ()  # ids of the indexed chunks of that section (an index's graph only)


@dataclass(frozen=True)
class PathStep:
    """One edge of a path, read from the node before it to the node after it."""

    predicate: str
    label: str
    direction: str  # "out": previous -predicate-> next; "in": next -predicate-> previous


@dataclass(frozen=True)
class PathResult:
    """The shortest path between two entities, plus a few other short ones.

    `nodes` is empty when the two are not connected; `alternatives` holds
    `(nodes, edges)` pairs of other short paths, best first.
    """

    source: EntityRef
    target: EntityRef
    nodes: tuple[EntityRef, ...]
    edges: tuple[PathStep, ...]
    alternatives: tuple[tuple[tuple[EntityRef, ...], tuple[PathStep, ...]], ...] = ()


@dataclass(frozen=True)
class RelatedTopic:
    """An entity related to another one, with the score and the reason in words.

    `path` and `steps` are the shortest chain of relations from the entity asked about
    (empty when it is too long to explain), and `together` the number of passages that
    mention both: the facts behind `why`, so a caller can word them in another language.
    """

    entity: EntityRef
    aliases: tuple[str, ...]
    score: float
    why: str
    path: tuple[EntityRef, ...] = ()
    steps: tuple[PathStep, ...] = ()
    together: int = 0
