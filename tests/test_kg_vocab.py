"""The vocabulary module mirrors the ontology file term for term."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from kg import ENTITY_TYPES, SKG
from kg.vocab import entity_class

ONTOLOGY = Path(__file__).parent.parent / "corpus" / "graph" / "ontology.ttl"


def _ontology_terms() -> set[URIRef]:
    graph = Graph().parse(ONTOLOGY, format="turtle")
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind) if str(s).startswith(str(SKG._NS))}


def test_every_ontology_term_is_in_the_vocabulary():
    for term in _ontology_terms():
        assert SKG[term.removeprefix(str(SKG._NS))] == term


def test_vocabulary_has_no_term_the_ontology_lacks():
    declared = {SKG[name] for name in SKG.__annotations__}
    assert declared == _ontology_terms()


def test_misspelt_term_raises_instead_of_minting_an_iri():
    with pytest.raises(AttributeError, match="usedfor"):
        SKG.usedfor  # noqa: B018


def test_entity_types_are_ontology_classes():
    assert {entity_class(t) for t in ENTITY_TYPES} <= _ontology_terms()
