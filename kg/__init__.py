"""studykg's knowledge graph: vocabulary, loading, entity linking and navigation.

`KnowledgeGraph` is the entry object; everything it returns is a frozen record from
`kg.records`, and every error a user can fix is a `KGError`.

The names below are imported on first use (PEP 562 ``__getattr__``), so importing
``kg.errors`` (as every caller that reports errors does) does not load rdflib and Oxigraph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy_exports import lazy_exports

# name -> the submodule that defines it
_EXPORTS = {
    "GraphLoadError": "errors",
    "GraphSaveError": "errors",
    "GraphShapeError": "errors",
    "KGError": "errors",
    "QueryRefusedError": "errors",
    "UnknownDocumentError": "errors",
    "UnknownEntityError": "errors",
    "UnknownTypeError": "errors",
    "fold": "folding",
    "fold_with_offsets": "folding",
    "label_key": "folding",
    "Entity": "records",
    "EntityRef": "records",
    "Mention": "records",
    "PathResult": "records",
    "PathStep": "records",
    "RelatedTopic": "records",
    "Relation": "records",
    "KnowledgeGraph": "store",
    "new_graph": "oxigraph",
    "CHUNK": "vocab",
    "DOC": "vocab",
    "ENTITY_TYPES": "vocab",
    "KG": "vocab",
    "SKG": "vocab",
    "DomainProfile": "exams",
    "ExamProfile": "exams",
    "TaskProfile": "exams",
    "UnknownExamError": "exams",
    "exam_profiles": "exams",
    "find_exam": "exams",
    "explain_path": "phrases",
    "relation_phrase": "phrases",
    "together_phrase": "phrases",
}

if TYPE_CHECKING:
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
    from .exams import DomainProfile, ExamProfile, TaskProfile, UnknownExamError, exam_profiles, find_exam
    from .folding import fold, fold_with_offsets, label_key
    from .phrases import explain_path, relation_phrase, together_phrase
    from .records import Entity, EntityRef, Mention, PathResult, PathStep, RelatedTopic, Relation
    from .oxigraph import new_graph
    from .store import KnowledgeGraph
    from .vocab import CHUNK, DOC, ENTITY_TYPES, KG, SKG


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


__all__ = sorted(_EXPORTS)
