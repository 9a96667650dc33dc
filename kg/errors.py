"""Errors a user can fix; the CLI and the app show each one as a single line."""

from __future__ import annotations

__all__ = [
    "GraphLoadError",
    "GraphSaveError",
    "GraphShapeError",
    "KGError",
    "QueryRefusedError",
    "UnknownDocumentError",
    "UnknownEntityError",
    "UnknownTypeError",
]


class KGError(Exception):
    "Shown to the user as one line."


class UnknownEntityError(KGError):
    """A name that no entity carries; `.suggestions` holds labels of close matches."""

    def __init__(self, name: str, suggestions: tuple[str, ...] = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        if self.suggestions:
            hint = f": did you mean {', '.join(self.suggestions)}?"
        else:
            hint = ": no entity has a similar name (try a label, an acronym or kg:LocalName)"
        super().__init__(f"unknown entity '{name}'{hint}")


class UnknownTypeError(KGError):
    """An entity type name outside ENTITY_TYPES."""

    def __init__(self, type_: str, known: tuple[str, ...]) -> None:
        self.type_ = type_
        super().__init__(f"unknown entity type '{type_}': choose one of {', '.join(known)}")


class UnknownDocumentError(KGError):
    """A chunk names a document that was never added to the graph."""

    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        super().__init__(f"unknown document '{doc_id}': add it with add_document before its chunks")


class GraphLoadError(KGError):
    """A graph file or folder that cannot be read: the message names the file and the cause."""


class GraphSaveError(KGError):
    """A graph file that cannot be written: the message names the file and the cause."""


class GraphShapeError(KGError):
    """A curated graph that breaks its SHACL shapes: the message names the file and the node."""


class QueryRefusedError(KGError):
    """A SPARQL string that is an update, or not a valid query; the graph is left untouched."""
