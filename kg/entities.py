"""Read the curated entities out of an rdflib graph into `Entity` records.

Done once per loaded graph: every lookup, link and navigation step then works on plain
records instead of going back to the store triple by triple.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from .languages import STUDY_LANGUAGES
from .oxigraph import Term, subject_objects
from .records import Entity
from .vocab import ENTITY_TYPES, SKG, entity_class

__all__ = ["local_name", "read_entities"]


def local_name(iri: str) -> str:
    """The part of an IRI after its last '#' or '/': ".../kg#RandomCutForest" -> "RandomCutForest"."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# The study languages first, in the order the product lists them.
def _language_rank(lang: str | None) -> tuple[int, str]:
    lang = lang or ""
    return (STUDY_LANGUAGES.index(lang) if lang in STUDY_LANGUAGES else len(STUDY_LANGUAGES), lang)


def _by_language(terms: Iterable[Term]) -> tuple[tuple[str, str], ...]:
    ordered = sorted(terms, key=lambda term: (_language_rank(term.language), term.text))
    return tuple((term.language or "", term.text) for term in ordered)


def _english(pairs: tuple[tuple[str, str], ...]) -> str | None:
    for lang, text in pairs:
        if lang == "en":
            return text
    return None


def _typed_subjects(graph: Graph) -> dict[str, str]:
    """Every subject typed with an entity class, with its type (the first in ENTITY_TYPES order).

    Asked class by class: a scan of every rdf:type triple would also read each chunk and document.
    """
    types: dict[str, str] = {}
    for type_ in reversed(ENTITY_TYPES):
        for subject in graph.subjects(RDF.type, entity_class(type_)):
            if isinstance(subject, URIRef):
                types[str(subject)] = type_
    return types


def read_entities(graph: Graph) -> dict[str, Entity]:
    """Every curated entity of `graph`, keyed by IRI, in IRI order.

    A graph that fails validation still loads: a missing English label falls back to
    another label or the local name, a missing definition to "", so a half-written file
    never stops the app.
    """
    types = _typed_subjects(graph)
    closed = {subject for subject, flag in subject_objects(graph, SKG.closedToNewCustomers) if flag.is_true}
    facts: dict[str, dict[URIRef, list[Term]]] = {iri: defaultdict(list) for iri in types}
    wanted = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.definition, SKG.formerName, SKG.inDomain, SKG.coversTask)
    for predicate in wanted:
        for subject, obj in subject_objects(graph, predicate):
            if subject in facts:
                facts[subject][predicate].append(obj)

    def domains_of(iri: str) -> set[str]:
        return {d.text for d in facts[iri][SKG.inDomain] if types.get(d.text) == "ExamDomain"}

    entities: dict[str, Entity] = {}
    for iri in sorted(types):
        entity_facts = facts[iri]
        labels = _by_language(term for term in entity_facts[SKOS.prefLabel] if term.literal)
        definitions = _by_language(term for term in entity_facts[SKOS.definition] if term.literal)
        name = local_name(iri)
        label = _english(labels) or (labels[0][1] if labels else name)
        others = [text for _, text in labels]
        others += [text for _, text in _by_language(entity_facts[SKOS.altLabel])]
        others += sorted(term.text for term in entity_facts[SKG.formerName])
        aliases = tuple(dict.fromkeys(text for text in others if text != label))
        domains = domains_of(iri)
        if types[iri] != "ExamDomain":
            for task in entity_facts[SKG.coversTask]:
                if task.text in facts:
                    domains |= domains_of(task.text)
        entities[iri] = Entity(
            iri=iri,
            name=name,
            label=label,
            type=types[iri],
            definition=_english(definitions) or "",
            aliases=aliases,
            labels=labels,
            definitions=definitions,
            keywords=_by_language(term for term in entity_facts[SKOS.hiddenLabel] if term.literal),
            domains=tuple(sorted(domains)),
            closed_to_new_customers=iri in closed,
        )
    return entities
