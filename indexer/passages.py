"""What is embedded for a chunk and for a graph entity: the same text at build time and at search time."""

from __future__ import annotations

from kg.records import Entity

from .identifiers import with_identifier_words
from .records import Chunk


def chunk_text_for_encoding(chunk: Chunk) -> str:
    """A chunk's title and heading path, then its text: the heading gives a passage its topic."""
    context = " > ".join(part for part in (chunk.title, chunk.heading) if part)
    return with_identifier_words(f"{context}\n{chunk.text}" if context else chunk.text)


def entity_text(entity: Entity) -> str:
    """What an entity is matched on: its names in every language, its definitions and its search keywords."""
    names = list(dict.fromkeys([entity.label, *entity.aliases, *(label for _, label in entity.labels)]))
    definitions = list(dict.fromkeys([entity.definition, *(text for _, text in entity.definitions)]))
    text = f"{' ; '.join(names)}\n" + "\n".join(d for d in definitions if d)
    if entity.keywords:
        text += "\n" + " ; ".join(word for _, word in entity.keywords)
    return text
