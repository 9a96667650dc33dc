"""What a write stores beside each passage: the entities it mentions (in the chunk store and in the
graph), and, for the graph's own corpus, the passages that state each sourced teaching fact."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.errors import KGError

from .chunking import HEADING_SEPARATOR
from .ingest import Progress
from .records import Chunk, Document
from .store import ChunkStore

if TYPE_CHECKING:
    from kg import KnowledgeGraph


def store_documents(
    store: ChunkStore, documents: dict[str, Document], chunks_by_doc: dict[str, list[Chunk]], graph: KnowledgeGraph, progress: Progress
) -> list[int]:
    """Write documents and chunks to the store and the graph; return row ids in ``chunks_by_doc`` order."""
    rowids: list[int] = []
    progress("linking entities", 0, len(documents))
    for n, doc in enumerate(documents.values(), 1):
        chunks = chunks_by_doc[doc.doc_id]
        page_entity = _page_entity(graph, doc)
        mentions = []
        for chunk in chunks:
            found = [m.iri for m in graph.link(f"{chunk.heading}\n{chunk.text}")]
            if page_entity:
                found.insert(0, page_entity)
            mentions.append(list(dict.fromkeys(found)))
        rowids.extend(store.put_document(doc, chunks, mentions))
        graph.add_document(doc.doc_id, doc.source, doc.title, describes=page_entity)
        for chunk, iris in zip(chunks, mentions, strict=True):
            graph.add_chunk(chunk.chunk_id, doc.doc_id, iris)
        progress("linking entities", n, len(documents))
    return rowids


def link_fact_sources(graph: KnowledgeGraph, chunks_by_doc: dict[str, list[Chunk]], prefix: str | None) -> None:
    """Point each sourced fact at the passages of its section, when the graph's own corpus is being indexed.

    A fact's ``skg:statedIn`` is "path#heading" under the folder holding the graph folder;
    its documents carry that folder's id prefix, and a chunk belongs to the section its
    deepest heading names.
    """
    if prefix is None:
        return
    from kg.provenance import link_fact_chunks

    by_section: dict[str, list[str]] = {}
    for doc_id, chunks in chunks_by_doc.items():
        if not doc_id.startswith(prefix + "/"):
            continue
        path = doc_id[len(prefix) + 1 :]
        for chunk in chunks:
            heading = chunk.heading.rsplit(HEADING_SEPARATOR, 1)[-1].strip()
            by_section.setdefault(f"{path}#{heading}", []).append(chunk.chunk_id)
    link_fact_chunks(graph.graph, by_section)


def _page_entity(graph: KnowledgeGraph, doc: Document) -> str | None:
    if not doc.entity:
        return None
    try:
        return graph.entity(doc.entity).iri
    except KGError:
        return None
