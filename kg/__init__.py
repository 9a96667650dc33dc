"""studykg's knowledge graph: vocabulary, loading, entity linking and navigation.

`KnowledgeGraph` is the entry object; everything it returns is a frozen record from
`kg.records`, and every error a user can fix is a `KGError`.
"""

from .errors import (
    GraphLoadError,
    GraphSaveError,
    KGError,
    QueryRefusedError,
    UnknownDocumentError,
    UnknownEntityError,
    UnknownTypeError,
)
from .exams import DomainProfile, ExamProfile, TaskProfile, UnknownExamError, exam_profiles, find_exam
from .flashcards import CardFace, entity_cards
from .folding import fold, fold_with_offsets, label_key
from .phrases import explain_path, relation_phrase, together_phrase
from .quiz import Choice, Fact, Question, QuizMaker
from .records import Entity, EntityRef, Mention, PathResult, PathStep, RelatedTopic, Relation
from .store import KnowledgeGraph, new_graph
from .vocab import CHUNK, DOC, ENTITY_TYPES, KG, SKG

__all__ = [
    "CHUNK",
    "DOC",
    "ENTITY_TYPES",
    "KG",
    "SKG",
    "CardFace",
    "Choice",
    "DomainProfile",
    "Entity",
    "EntityRef",
    "ExamProfile",
    "Fact",
    "GraphLoadError",
    "GraphSaveError",
    "KGError",
    "KnowledgeGraph",
    "Mention",
    "PathResult",
    "PathStep",
    "QueryRefusedError",
    "Question",
    "QuizMaker",
    "RelatedTopic",
    "Relation",
    "TaskProfile",
    "UnknownExamError",
    "UnknownDocumentError",
    "UnknownEntityError",
    "UnknownTypeError",
    "explain_path",
    "entity_cards",
    "exam_profiles",
    "find_exam",
    "fold",
    "fold_with_offsets",
    "label_key",
    "new_graph",
    "relation_phrase",
    "together_phrase",
]
