"""Plain records that flow through the build and the search: ids, text and scores only.

They hold no live objects (no Graph, no arrays), so ``dataclasses.asdict`` is all the
JSON output needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One source file as read: front matter applied, body text ready for chunking."""

    doc_id: str  # "<collection>/<path relative to its root>", stable across machines
    source: str  # same as doc_id; kept separate so records read naturally
    path: str  # absolute path at indexing time
    root: str  # absolute path of the folder it was indexed from (``add`` compares files per root)
    kind: str  # "service", "algorithm", "note" or "user"
    title: str
    lang: str
    entity: str | None  # local name of the graph entity a service page describes
    tags: tuple[str, ...]
    text: str  # body without front matter
    body_line: int  # line number (1-based) in the file where ``text`` starts
    sha256: str
    size: int


@dataclass(frozen=True)
class IndexedDocument:
    """A document as the index holds it, for listings (the app's "My notes")."""

    doc_id: str
    path: str
    root: str
    kind: str
    title: str
    lang: str
    entity: str | None


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why, in words a user can act on."""

    path: str
    reason: str
    # Could not be read at all (a folder that cannot be listed, a read error): what the index
    # already holds from it stays, instead of looking deleted.
    unreadable: bool = False


@dataclass(frozen=True)
class Unchanged:
    """A file an add found with the same content hash as the index holds: read once to hash it, not parsed again."""

    doc_id: str
    path: str


@dataclass(frozen=True)
class Chunk:
    """A passage of a document: the unit that is embedded, indexed and returned."""

    chunk_id: str  # "<doc_id>#<ordinal>", stable while the file is unchanged
    doc_id: str
    source: str
    kind: str
    title: str
    heading: str  # heading path, e.g. "Kinesis > Firehose"
    text: str
    lang: str
    line_start: int
    line_end: int
    ordinal: int


@dataclass(frozen=True)
class EntityTag:
    iri: str
    label: str


@dataclass(frozen=True)
class Why:
    """Why a hit matched: its rank in each retriever (1-based) and the entities it shares with the question."""

    dense_rank: int | None
    lexical_rank: int | None
    entities: tuple[str, ...]

    def reasons(self) -> list[str]:
        """The same facts in words, for the CLI and the app: "meaning match #2", "mentions Amazon Polly"."""
        parts = []
        if self.dense_rank:
            parts.append(f"meaning match #{self.dense_rank}")
        if self.lexical_rank:
            parts.append(f"keyword match #{self.lexical_rank}")
        if self.entities:
            parts.append("mentions " + ", ".join(self.entities))
        return parts


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    source: str
    heading: str
    text: str
    lang: str
    score: float
    entities: tuple[EntityTag, ...]
    why: Why
    kind: str = "note"
    title: str = ""
    line_start: int = 0
    line_end: int = 0


@dataclass(frozen=True)
class ConceptMatch:
    """An entity ranked for a question, as the concept card and ``ask --json`` show it."""

    iri: str
    label: str
    aliases: tuple[str, ...]
    type: str
    score: float


# The search modes ("hybrid" is the full system; the others are the plain baselines and the hybrid without the graph)
# and the groups a source kind belongs to ("--source services|notes|mine"), for the search, the CLI and the evaluation.
SEARCH_MODES = ("hybrid", "bm25", "dense", "nograph")
SOURCE_GROUP_OF_KIND = {"service": "services", "algorithm": "services", "note": "notes", "user": "mine"}
SOURCE_GROUPS = tuple(dict.fromkeys(SOURCE_GROUP_OF_KIND.values()))


@dataclass(frozen=True)
class SearchResult:
    query: str
    entities: tuple[ConceptMatch, ...]
    hits: tuple[Hit, ...]
    seconds: float = 0.0
    # The best passages of the folders the learner added that pass a relevance floor (empty when none do).
    from_your_notes: tuple[Hit, ...] = ()
    # False when nothing in the index answers the question: no concept is offered then.
    in_material: bool = True
    # The language the passages were preferred in: the one asked for, else the question's among the index's
    # languages (None when it cannot tell). The app answers the concept card in it too, so both agree.
    language: str | None = None

    def to_json(self) -> dict:
        """The ``ask --json`` object: the documented keys, nothing internal."""
        return {
            "query": self.query,
            "in_material": self.in_material,
            "entities": [
                {"iri": e.iri, "label": e.label, "aliases": list(e.aliases), "type": e.type, "score": round(e.score, 6)}
                for e in self.entities
            ],
            "from_your_notes": [_hit_json(h) for h in self.from_your_notes],
            "hits": [_hit_json(h) for h in self.hits],
        }


def _hit_json(h: Hit) -> dict:
    return {
        "chunk_id": h.chunk_id,
        "source": h.source,
        "heading": h.heading,
        "text": h.text,
        "lang": h.lang,
        "score": round(h.score, 6),
        "entities": [{"iri": t.iri, "label": t.label} for t in h.entities],
        "why": {
            "dense_rank": h.why.dense_rank,
            "lexical_rank": h.why.lexical_rank,
            "entities": list(h.why.entities),
        },
    }


@dataclass(frozen=True)
class BuildReport:
    """What a build, an add or a remove did, for the one-screen summary."""

    index_path: str
    documents: int
    chunks: int
    embedded: int
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    languages: dict[str, int]
    skipped: tuple[Skipped, ...]
    warnings: tuple[str, ...]
    model: str
    vector_index: str
    seconds: float
    published: bool = True
    extra: dict = field(default_factory=dict)
