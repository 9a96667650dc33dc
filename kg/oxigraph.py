"""The in-memory Oxigraph store behind rdflib's Graph API, and a native read of one predicate's triples.

rdflib's API keeps the seam for another store; the hot path reads through ``subject_objects``,
which skips rdflib's term objects on our store: building them costs several microseconds a
triple, and every index open reads every entity's labels (``kg/entities.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import pyoxigraph as ox
from oxrdflib.store import OxigraphStore
from rdflib import Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, XSD

from .vocab import PREFIXES

__all__ = ["Term", "new_graph", "subject_objects"]


class _OxigraphStore(OxigraphStore):
    """oxrdflib's store with a constant-time len() and its Oxigraph store at hand.

    oxrdflib counts triples with a SPARQL COUNT(DISTINCT ...) query, 0.3-0.7 s at 150k
    triples, and the index build calls len() on every save. Our graphs keep every triple in
    the default graph, where Oxigraph's own quad count is the answer.
    """

    def __init__(self, store: ox.Store) -> None:
        super().__init__(store=store)
        self.quads = store

    def __len__(self, context: Graph | None = None) -> int:
        if next(iter(self.quads.named_graphs()), None) is None:
            return len(self.quads)
        return super().__len__(context)


def new_graph(store: ox.Store | None = None) -> Graph:
    """A graph on an Oxigraph store (a new in-memory one by default), studykg prefixes bound."""
    graph = Graph(
        store=_OxigraphStore(store if store is not None else ox.Store()),
        identifier=DATASET_DEFAULT_GRAPH_ID,
        bind_namespaces="core",
    )
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


class Term(NamedTuple):
    """The object of a triple as plain strings: an IRI (or blank node id), or a literal's lexical form."""

    text: str
    literal: bool = False
    language: str | None = None
    datatype: str | None = None

    @property
    def is_true(self) -> bool:
        """Whether this is the boolean literal true (``true`` or ``1``)."""
        return self.literal and self.datatype == str(XSD.boolean) and self.text in ("true", "1")


def subject_objects(graph: Graph, predicate: URIRef) -> Iterator[tuple[str, Term]]:
    """(subject IRI, object) for every triple of ``graph`` with ``predicate`` whose subject is an IRI.

    Read straight from Oxigraph when ``graph`` is the default graph of our store (four times
    faster), through rdflib otherwise; both give the same pairs.
    """
    store = graph.store
    if isinstance(store, _OxigraphStore) and graph.identifier == DATASET_DEFAULT_GRAPH_ID:
        for quad in store.quads.quads_for_pattern(None, ox.NamedNode(predicate), None, ox.DefaultGraph()):
            if isinstance(quad.subject, ox.NamedNode):
                obj = quad.object
                if isinstance(obj, ox.Literal):
                    yield quad.subject.value, Term(obj.value, True, obj.language, obj.datatype.value)
                else:
                    yield quad.subject.value, Term(obj.value)
        return
    for subject, obj in graph.subject_objects(predicate):
        if isinstance(subject, URIRef):
            if isinstance(obj, Literal):
                datatype = obj.datatype or (RDF.langString if obj.language else XSD.string)  # as Oxigraph names them
                yield str(subject), Term(str(obj), True, obj.language, str(datatype))
            else:
                yield str(subject), Term(str(obj))
