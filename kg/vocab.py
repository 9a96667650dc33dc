"""The studykg vocabulary: one place for every IRI the code uses.

`SKG` mirrors corpus/graph/ontology.ttl term for term (a test keeps the two in step), and
because it is a `DefinedNamespace` with `_fail = True`, a misspelt term such as
`SKG.usedfor` raises instead of quietly minting a new IRI.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD, DefinedNamespace

__all__ = [
    "BOOKKEEPING_PREDICATES",
    "CHUNK",
    "DEFAULT_PREDICATE_LABELS",
    "DOC",
    "ENTITY_TYPES",
    "HUB_PREDICATES",
    "KG",
    "LABEL_PREDICATES",
    "PREFIXES",
    "RELATION_PREDICATES",
    "SKG",
    "SYMMETRIC_PREDICATES",
    "entity_class",
]


class SKG(DefinedNamespace):
    """Classes and properties of the studykg ontology (corpus/graph/ontology.ttl)."""

    _fail = True
    _NS = Namespace("https://w3id.org/studykg/ontology#")

    # classes
    Entity: URIRef  # Anything a learner can look up in the study graph.
    Service: URIRef  # An AWS service or a named feature of one.
    Algorithm: URIRef  # A SageMaker built-in algorithm.
    Concept: URIRef  # An ML task, technique, metric, data practice, format or operational idea.
    ExamDomain: URIRef  # One of the four weighted content areas of the exam.
    TaskStatement: URIRef  # A numbered skill inside an exam domain.
    Exam: URIRef  # An AWS certification exam with its domains, in-scope services and retirement date.
    Document: URIRef  # A source file that the index build read.
    Chunk: URIRef  # A passage of a document; added by the index build.
    SourcedFact: URIRef  # A reified teaching fact and the corpus section that states it.

    # relations between entities
    partOf: URIRef
    usedFor: URIRef
    supports: URIRef
    integratesWith: URIRef
    readsFrom: URIRef
    deliversTo: URIRef
    comparedWith: URIRef
    alternativeTo: URIRef
    inDomain: URIRef
    coversTask: URIRef
    remedyFor: URIRef
    accepts: URIRef
    measures: URIRef
    continues: URIRef  # a newer exam's task statement -> an older one whose ground it covers

    # exam profiles
    inExam: URIRef
    inScope: URIRef
    replacedBy: URIRef

    # bookkeeping written by the index build
    mentions: URIRef
    describes: URIRef
    inDocument: URIRef
    statedInChunk: URIRef  # a SourcedFact -> the chunks of its section, added by the index build

    # data properties
    formerName: URIRef
    closedToNewCustomers: URIRef  # true: AWS no longer offers the service to new customers
    weight: URIRef
    taskNumber: URIRef
    sourcePath: URIRef
    examCode: URIRef
    retiredOn: URIRef
    statedIn: URIRef  # a SourcedFact -> "path#heading" of the corpus section that states it


KG = Namespace("https://w3id.org/studykg/kg#")
CHUNK = Namespace("https://w3id.org/studykg/chunk/")
DOC = Namespace("https://w3id.org/studykg/doc/")

ENTITY_TYPES: tuple[str, ...] = ("Service", "Algorithm", "Concept", "ExamDomain", "TaskStatement")

# Typed edges between curated entities: what navigation walks. SKOS hierarchy links count,
# because the graph guide uses skos:broader for the concept hierarchy.
RELATION_PREDICATES: tuple[URIRef, ...] = (
    SKG.partOf,
    SKG.usedFor,
    SKG.supports,
    SKG.integratesWith,
    SKG.readsFrom,
    SKG.deliversTo,
    SKG.comparedWith,
    SKG.alternativeTo,
    SKG.inDomain,
    SKG.coversTask,
    SKG.remedyFor,
    SKG.accepts,
    SKG.measures,
    SKG.continues,
    SKOS.broader,
    SKOS.narrower,
    SKOS.related,
)

# Declared owl:SymmetricProperty in the ontology and stated once in the facts, so either end
# reads the edge as its own ("A compared with B" and "B compared with A").
SYMMETRIC_PREDICATES: frozenset[URIRef] = frozenset(
    {SKG.integratesWith, SKG.comparedWith, SKG.alternativeTo, SKOS.related}
)

# Nearly every entity links to an exam domain or task statement, so these edges would turn
# any two entities into a two-hop path; paths and related topics weigh them down.
HUB_PREDICATES: frozenset[URIRef] = frozenset({SKG.inDomain, SKG.coversTask, SKG.continues})

BOOKKEEPING_PREDICATES: frozenset[URIRef] = frozenset({SKG.mentions, SKG.describes, SKG.inDocument, SKG.statedInChunk})

# Every predicate whose literal objects are names a learner may type.
LABEL_PREDICATES: tuple[URIRef, ...] = (SKOS.prefLabel, SKOS.altLabel, SKG.formerName)

# Readings for predicates whose rdfs:label is not in our graph (SKOS is not loaded).
DEFAULT_PREDICATE_LABELS: dict[URIRef, str] = {
    SKOS.broader: "broader",
    SKOS.narrower: "narrower",
    SKOS.related: "related",
}

PREFIXES: dict[str, Namespace] = {
    "skg": Namespace(str(SKG._NS)),
    "kg": KG,
    "chunk": CHUNK,
    "doc": DOC,
    "skos": Namespace(str(SKOS._NS)),
    "rdf": Namespace(str(RDF._NS)),
    "rdfs": Namespace(str(RDFS._NS)),
    "xsd": Namespace(str(XSD._NS)),
    "owl": Namespace("http://www.w3.org/2002/07/owl#"),
}


def entity_class(type_: str) -> URIRef:
    """The class IRI of an entity type name such as "Service" (assumes a valid name)."""
    return URIRef(str(SKG._NS) + type_)
