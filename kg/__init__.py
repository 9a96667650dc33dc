"""studykg's knowledge graph: vocabulary, loading, entity linking and navigation.

`KnowledgeGraph` is the entry object; everything it returns is a frozen record from
`kg.records`, and every error a user can fix is a `KGError`.
"""

from .errors import (
    GraphLoadError,
    GraphSaveError,
    GraphShapeError,
    KGError,
    QueryRefusedError,
    UnknownDocumentError,
    UnknownEntityError,
    UnknownTypeError,
)
from .folding import fold, fold_with_offsets, label_key
from .records import Entity, EntityRef, Mention, PathResult, PathStep, RelatedTopic, Relation
from .store import KnowledgeGraph, new_graph
from .vocab import CHUNK, DOC, ENTITY_TYPES, KG, SKG

__all__ = [
    "CHUNK",
    "DOC",
    "ENTITY_TYPES",
    "KG",
    "SKG",
    "Entity",
    "EntityRef",
    "GraphLoadError",
    "GraphSaveError",
    "GraphShapeError",
    "KGError",
    "KnowledgeGraph",
    "Mention",
    "PathResult",
    "PathStep",
    "QueryRefusedError",
    "RelatedTopic",
    "Relation",
    "UnknownDocumentError",
    "UnknownEntityError",
    "UnknownTypeError",
    "fold",
    "fold_with_offsets",
    "label_key",
    "new_graph",
]
