"""Documents, chunks and mentions: what the index build writes into the graph.

Ids are the build's own strings (a source path, a chunk hash); they become IRIs under
`DOC` and `CHUNK` percent-encoded, and come back out unchanged, so the index and the graph
share one id per chunk.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import cast
from urllib.parse import quote, unquote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.query import ResultRow

from .vocab import CHUNK, DOC, SKG

__all__ = [
    "add_chunk",
    "add_document",
    "chunk_iri",
    "chunk_mentions",
    "co_mentions",
    "doc_iri",
    "has_document",
    "mentioned_in",
    "remove_document",
    "chunk_id_of",
]


def _iri(namespace: str, id_: str) -> URIRef:
    # An id that is already one of our IRIs is taken as is, so callers may pass either.
    return URIRef(id_) if id_.startswith(namespace) else URIRef(namespace + quote(id_, safe=""))


def _id(namespace: str, iri: str) -> str:
    return unquote(iri[len(namespace) :]) if iri.startswith(namespace) else iri


def doc_iri(doc_id: str) -> URIRef:
    """The IRI of a document id."""
    return _iri(str(DOC), doc_id)


def chunk_iri(chunk_id: str) -> URIRef:
    """The IRI of a chunk id."""
    return _iri(str(CHUNK), chunk_id)


def chunk_id_of(iri: str) -> str:
    """The chunk id of a chunk IRI (the inverse of `chunk_iri`)."""
    return _id(str(CHUNK), str(iri))


def has_document(graph: Graph, doc_id: str) -> bool:
    """Whether the document was added."""
    return (doc_iri(doc_id), RDF.type, SKG.Document) in graph


def remove_document(graph: Graph, doc_id: str) -> None:
    """Remove a document with its chunks and their mentions; an unknown id is a no-op."""
    doc = doc_iri(doc_id)
    for chunk in list(graph.subjects(SKG.inDocument, doc)):
        graph.remove((chunk, None, None))
        graph.remove((None, SKG.statedInChunk, chunk))
    graph.remove((doc, None, None))


def add_document(graph: Graph, doc_id: str, source: str, title: str, describes: str | None) -> None:
    """Add (or replace, with all its chunks) a document; `describes` is an entity IRI."""
    remove_document(graph, doc_id)
    doc = doc_iri(doc_id)
    triples = [(doc, RDF.type, SKG.Document), (doc, SKG.sourcePath, Literal(source)), (doc, RDFS.label, Literal(title))]
    if describes is not None:
        triples.append((doc, SKG.describes, URIRef(describes)))
    graph.addN([(s, p, o, graph) for s, p, o in triples])


def add_chunk(graph: Graph, chunk_id: str, doc_id: str, entity_iris: Iterable[str]) -> None:
    """Add a chunk of a known document with its mentions (entity IRIs), replacing an older one."""
    chunk = chunk_iri(chunk_id)
    graph.remove((chunk, None, None))
    triples = [(chunk, RDF.type, SKG.Chunk), (chunk, SKG.inDocument, doc_iri(doc_id))]
    triples += [(chunk, SKG.mentions, URIRef(iri)) for iri in dict.fromkeys(entity_iris)]
    # one batch: a store such as Oxigraph writes it in a single transaction
    graph.addN([(s, p, o, graph) for s, p, o in triples])


def mentioned_in(graph: Graph, entity_iri: str) -> tuple[str, ...]:
    """Ids of the chunks that mention an entity, sorted."""
    return tuple(sorted(_id(str(CHUNK), str(c)) for c in graph.subjects(SKG.mentions, URIRef(entity_iri))))


def chunk_mentions(graph: Graph, chunk_id: str) -> tuple[str, ...]:
    """IRIs of the entities a chunk mentions, sorted."""
    return tuple(sorted(str(e) for e in graph.objects(chunk_iri(chunk_id), SKG.mentions)))


_CO_MENTIONS = """
SELECT ?other (COUNT(DISTINCT ?chunk) AS ?n) WHERE {{
    ?chunk skg:mentions {entity} .
    ?chunk skg:mentions ?other .
    FILTER (?other != {entity})
}} GROUP BY ?other
"""


def co_mentions(graph: Graph, entity_iri: str) -> Counter[str]:
    """How many chunks mention each other entity together with this one.

    One grouped SPARQL query: on Oxigraph it runs inside the store, far faster than
    walking mentions triple by triple from Python.
    """
    # The IRI is written into the query: Oxigraph only binds variables that are projected.
    query = _CO_MENTIONS.format(entity=URIRef(entity_iri).n3())
    rows = cast(Iterable[ResultRow], graph.query(query, initNs={"skg": SKG._NS}))
    return Counter({str(row[0]): int(row[1]) for row in rows})


_MENTION_COUNTS = """
SELECT ?entity (COUNT(DISTINCT ?chunk) AS ?n) WHERE { ?chunk skg:mentions ?entity } GROUP BY ?entity
"""
_CHUNK_TOTAL = "SELECT (COUNT(DISTINCT ?chunk) AS ?n) WHERE { ?chunk a skg:Chunk }"


def mention_counts(graph: Graph) -> tuple[Counter[str], int]:
    """How many chunks mention each entity, and how many chunks there are: an entity's document frequency."""
    rows = cast(Iterable[ResultRow], graph.query(_MENTION_COUNTS, initNs={"skg": SKG._NS}))
    counts = Counter({str(row[0]): int(row[1]) for row in rows})
    total = next(iter(cast(Iterable[ResultRow], graph.query(_CHUNK_TOTAL, initNs={"skg": SKG._NS}))))
    return counts, int(total[0])
