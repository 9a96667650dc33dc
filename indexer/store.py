"""The chunk store: SQLite holds documents, chunks, their linked entities and an FTS5 table for BM25.

Every text goes into FTS5 already split and folded by ``kg.folding.words`` (the project's one
tokenizer), and every query is split the same way, so "phat hien" finds "phát hiện", "perche"
finds "perché", "ø" meets "o" and "data_capture" meets "data capture" in both directions.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from kg.folding import words as folded_words

from .errors import IndexCorruptError
from .identifiers import identifier_words, with_identifier_words
from .records import Chunk, Document, Skipped

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, path TEXT, kind TEXT, title TEXT, lang TEXT, entity TEXT,
    tags TEXT, sha256 TEXT, size INTEGER, root TEXT
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    source TEXT, kind TEXT, title TEXT, heading TEXT, text TEXT, lang TEXT,
    line_start INTEGER, line_end INTEGER, ordinal INTEGER,
    text_words TEXT, heading_words TEXT, title_words TEXT
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS chunk_entities (iri TEXT NOT NULL, chunk INTEGER NOT NULL, PRIMARY KEY (iri, chunk)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS chunk_entities_chunk ON chunk_entities(chunk);
CREATE TABLE IF NOT EXISTS skipped (path TEXT PRIMARY KEY, reason TEXT);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, heading, title, text_words, heading_words, title_words, content='chunks', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
"""

# Terms in more than this share of chunks say little about relevance and make OR queries slow.
COMMON_TERM_SHARE = 0.2
POSTINGS_BUDGET_MIN = 20_000
POSTINGS_BUDGET_SHARE = 0.25
PHRASE_WORDS = 3  # a run of three words is rarely shared by chance, and survives a partly quoted line
# BM25 column weights: words in a heading or title say more about a passage than words in its body.
# The *_words columns hold each field's camel-case names spelled as words ("Stop Endpoint"), weighted as the field.
_FIELD_WEIGHTS = (1.0, 2.0, 1.5)
COLUMN_WEIGHTS = _FIELD_WEIGHTS * 2
_FTS_COLUMNS = "text, heading, title, text_words, heading_words, title_words"


class ChunkStore:
    """Documents and chunks in one SQLite file, with BM25 over the chunk text."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        if readonly:
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._check_readable()
        else:
            self.db = sqlite3.connect(self.path, check_same_thread=False)
            self.db.executescript(SCHEMA)
        self.db.row_factory = sqlite3.Row
        self._df_cache: dict[str, int] = {}
        self._chunk_count: int | None = None

    def close(self) -> None:
        self.db.close()

    def _check_readable(self) -> None:
        """Fail at open, in one line, on a file that is not this store: SQLite reads nothing before the first query."""
        try:
            self.db.execute("SELECT doc_id FROM documents LIMIT 1").fetchall()
            self.db.execute("SELECT id FROM chunks LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            cause = " ".join(str(exc).split())
            raise IndexCorruptError(f"{self.path}: damaged, not a studykg chunk database ({cause}); rebuild the index with 'studykg build'") from None

    # ---- writing ---------------------------------------------------------
    def put_document(self, doc: Document, chunks: Sequence[Chunk], entities: Sequence[Sequence[str]]) -> list[int]:
        """Store a document and its chunks (replacing an older version); return the chunks' row ids."""
        self.delete_document(doc.doc_id)
        self.db.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)",
            (doc.doc_id, doc.path, doc.kind, doc.title, doc.lang, doc.entity, json.dumps(list(doc.tags)), doc.sha256, doc.size, doc.root),
        )
        rowids = []
        for chunk, iris in zip(chunks, entities, strict=True):
            fields = (chunk.text, chunk.heading, chunk.title)
            text_words, heading_words, title_words = map(identifier_words, fields)
            # A file's name is part of its title: documentation names files after their topic,
            # often with the service a page title leaves out ("model-monitor-data-capture.md").
            words = (text_words, heading_words, f"{title_words} {path_words(doc.doc_id)}".strip())
            cur = self.db.execute(
                "INSERT INTO chunks (chunk_id, doc_id, source, kind, title, heading, text, lang, line_start, line_end, ordinal,"
                " text_words, heading_words, title_words) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (chunk.chunk_id, chunk.doc_id, chunk.source, chunk.kind, chunk.title, chunk.heading, chunk.text, chunk.lang,
                 chunk.line_start, chunk.line_end, chunk.ordinal, *words),
            )
            rowid = cur.lastrowid
            rowids.append(rowid)
            self.db.execute(f"INSERT INTO chunks_fts (rowid, {_FTS_COLUMNS}) VALUES (?,?,?,?,?,?,?)", (rowid, *_fts_values(*fields, *words)))
            self.db.executemany("INSERT OR IGNORE INTO chunk_entities VALUES (?,?)", [(iri, rowid) for iri in iris])
        return rowids

    def delete_document(self, doc_id: str) -> list[int]:
        """Remove a document with its chunks; return the removed chunks' row ids (their vectors must go too)."""
        rows = self.db.execute(f"SELECT id, {_FTS_COLUMNS} FROM chunks WHERE doc_id = ?", (doc_id,)).fetchall()
        for row in rows:
            self.db.execute(
                f"INSERT INTO chunks_fts (chunks_fts, rowid, {_FTS_COLUMNS}) VALUES ('delete', ?,?,?,?,?,?,?)", (row[0], *_fts_values(*row[1:]))
            )
            self.db.execute("DELETE FROM chunk_entities WHERE chunk = ?", (row["id"],))
        self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return [row["id"] for row in rows]

    def set_skipped(self, skipped: Iterable[Skipped], *, under: Sequence[str] | None = None) -> None:
        """Record the files the last build or add skipped (replacing earlier reasons for the same folders)."""
        if under is None:
            self.db.execute("DELETE FROM skipped")
        else:
            for prefix in under:
                self.db.execute("DELETE FROM skipped WHERE path LIKE ? ESCAPE '\\'", (_like_prefix(prefix),))
        self.db.executemany("INSERT OR REPLACE INTO skipped VALUES (?,?)", [(s.path, s.reason) for s in skipped])

    def commit(self) -> None:
        self.db.commit()
        self._df_cache.clear()
        self._chunk_count = None

    # ---- reading ---------------------------------------------------------
    def documents(self, *, root: str | None = None) -> dict[str, sqlite3.Row]:
        if root is None:
            rows = self.db.execute("SELECT * FROM documents")
        else:
            rows = self.db.execute("SELECT * FROM documents WHERE root = ?", (root,))
        return {row["doc_id"]: row for row in rows}

    def root_prefixes(self) -> dict[str, str]:
        """Document-id prefix -> root folder, for every root the store holds documents of."""
        rows = self.db.execute("SELECT DISTINCT substr(doc_id, 1, instr(doc_id, '/') - 1), root FROM documents WHERE root IS NOT NULL")
        return {prefix: root for prefix, root in rows if prefix}

    def roots(self, *, kind: str | None = None) -> list[str]:
        """The root folders of the stored documents (of one kind), in a stable order."""
        if kind is None:
            rows = self.db.execute("SELECT DISTINCT root FROM documents WHERE root IS NOT NULL ORDER BY root")
        else:
            rows = self.db.execute("SELECT DISTINCT root FROM documents WHERE root IS NOT NULL AND kind = ? ORDER BY root", (kind,))
        return [row[0] for row in rows]

    def skipped(self) -> list[Skipped]:
        return [Skipped(r["path"], r["reason"]) for r in self.db.execute("SELECT path, reason FROM skipped ORDER BY path")]

    def text_index_matches_rows(self) -> bool:
        """Whether the BM25 index holds exactly the folded words of the stored chunks.

        The index keeps folded words, not the rows' text, so SQLite's own integrity check
        (which re-tokenizes the content table) cannot tell; an index built afresh from the
        rows, in a temporary table, can: a 'delete' that passed other values than its insert
        leaves terms behind or removes others.
        """
        self.db.execute(f"CREATE VIRTUAL TABLE temp.fresh_fts USING fts5({_FTS_COLUMNS}, content='', tokenize='unicode61 remove_diacritics 2')")
        try:
            self.db.execute("CREATE VIRTUAL TABLE temp.fresh_vocab USING fts5vocab(temp, fresh_fts, 'row')")
            for row in self.db.execute(f"SELECT id, {_FTS_COLUMNS} FROM chunks").fetchall():
                self.db.execute(f"INSERT INTO fresh_fts (rowid, {_FTS_COLUMNS}) VALUES (?,?,?,?,?,?,?)", (row[0], *_fts_values(*row[1:])))
            stored = self.db.execute("SELECT term, doc, cnt FROM chunks_vocab ORDER BY term").fetchall()
            fresh = self.db.execute("SELECT term, doc, cnt FROM fresh_vocab ORDER BY term").fetchall()
            return [tuple(r) for r in stored] == [tuple(r) for r in fresh]
        finally:
            self.db.execute("DROP TABLE IF EXISTS temp.fresh_vocab")
            self.db.execute("DROP TABLE IF EXISTS temp.fresh_fts")

    def chunk_count(self) -> int:
        if self._chunk_count is None:
            self._chunk_count = self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        return self._chunk_count

    def chunks_by_rowid(self, rowids: Sequence[int]) -> dict[int, sqlite3.Row]:
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        return {row["id"]: row for row in self.db.execute(f"SELECT * FROM chunks WHERE id IN ({marks})", list(rowids))}

    def chunk_by_id(self, chunk_id: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM chunks WHERE chunk_id = ?", (chunk_id,)).fetchone()

    def iter_chunks(self) -> Iterable[sqlite3.Row]:
        return self.db.execute("SELECT * FROM chunks ORDER BY id")

    def chunks_of_document(self, doc_id: str) -> list[sqlite3.Row]:
        """A document's chunks in reading order."""
        return self.db.execute("SELECT * FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,)).fetchall()

    def document_entities(self) -> list[tuple[str, str, int]]:
        """(document id, entity IRI, chunks of the document that mention it) for every pair: for "notes like this one"."""
        return self.db.execute(
            "SELECT c.doc_id, e.iri, count(*) FROM chunk_entities e JOIN chunks c ON c.id = e.chunk GROUP BY c.doc_id, e.iri"
        ).fetchall()

    def documents_of(self, rowids: Sequence[int]) -> dict[int, str]:
        """The document id of each chunk."""
        return self._column_of(rowids, "doc_id")

    def languages(self) -> list[str]:
        """The languages the indexed chunks are written in."""
        return [row[0] for row in self.db.execute("SELECT DISTINCT lang FROM chunks")]

    def languages_of(self, rowids: Sequence[int]) -> dict[int, str]:
        """The language of each chunk."""
        return self._column_of(rowids, "lang")

    def _column_of(self, rowids: Sequence[int], column: str) -> dict[int, str]:
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        return dict(self.db.execute(f"SELECT id, {column} FROM chunks WHERE id IN ({marks})", list(rowids)))

    def chunks_linked_to(self, iri: str) -> list[int]:
        """The row ids of the chunks that mention an entity."""
        return [row[0] for row in self.db.execute("SELECT chunk FROM chunk_entities WHERE iri = ?", (iri,))]

    def entities_of(self, rowids: Sequence[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {r: [] for r in rowids}
        if rowids:
            marks = ",".join("?" * len(rowids))
            for row in self.db.execute(f"SELECT chunk, iri FROM chunk_entities WHERE chunk IN ({marks})", list(rowids)):
                found[row[0]].append(row[1])
        return found

    def lexical_search(self, query: str, k: int) -> list[tuple[int, float]]:
        """BM25 top-k as (rowid, score), higher is better; the question's words are OR-ed, common words dropped."""
        terms = self._query_terms(query)
        return self._bm25(any_of(terms), k) if terms else []

    def phrase_search(self, query: str, k: int, *, length: int = PHRASE_WORDS) -> list[tuple[int, float]]:
        """Chunks holding runs of ``length`` consecutive words of the question, most and rarest runs first.

        Word order is what bag-of-words BM25 and a sentence embedding both blur: a line
        copied from a note, or "text to speech" against "speech to text", is a run of words
        only the right passages hold.
        """
        words = folded_words(query)
        runs = list(dict.fromkeys(" ".join(words[i : i + length]) for i in range(len(words) - length + 1)))
        if not runs:
            return []
        return self._bm25(" OR ".join(f'"{run}"' for run in runs), k)  # words hold no quote

    def _bm25(self, match: str, k: int) -> list[tuple[int, float]]:
        """The top-k chunks for an FTS5 ``match`` expression as (rowid, score), higher is better."""
        rows = self.db.execute(
            f"SELECT rowid, bm25(chunks_fts, {', '.join(map(str, COLUMN_WEIGHTS))}) AS score FROM chunks_fts"
            " WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?",
            (match, k),
        ).fetchall()
        return [(row[0], -row[1]) for row in rows]

    def _query_terms(self, query: str) -> list[str]:
        terms = list(dict.fromkeys(folded_words(with_identifier_words(query))))
        if not terms:
            return []
        total = self.chunk_count()
        frequencies = self._document_frequencies(terms)
        common = {t for t in terms if total >= 50 and frequencies.get(t, 0) > COMMON_TERM_SHARE * total}
        kept = [t for t in terms if t not in common] or terms  # a question of only common words still deserves an answer
        # FTS5 scores every chunk that holds any term before it can sort: on a large index,
        # keep the rarest terms within a postings budget (the common ones add little to BM25).
        budget = max(POSTINGS_BUDGET_MIN, POSTINGS_BUDGET_SHARE * total)
        chosen, postings = [], 0
        for term in sorted(kept, key=lambda t: frequencies.get(t, 0)):
            if chosen and postings + frequencies.get(term, 0) > budget:
                break
            chosen.append(term)
            postings += frequencies.get(term, 0)
        return chosen

    def _document_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        missing = [t for t in terms if t not in self._df_cache]
        if missing:
            marks = ",".join("?" * len(missing))
            found = dict(self.db.execute(f"SELECT term, doc FROM chunks_vocab WHERE term IN ({marks})", missing).fetchall())
            for t in missing:
                self._df_cache[t] = found.get(t, 0)
        return {t: self._df_cache[t] for t in terms}


def path_words(doc_id: str) -> str:
    """The words of a document's folders and file name below its root ("aws-docs/model-monitor/api-x.md" -> "model monitor api x")."""
    inside = doc_id.rsplit(".", 1)[0].split("/", 1)[-1]
    return " ".join(part for part in re.split(r"[/_.\-]+", inside) if part)


def any_of(terms: Sequence[str]) -> str:
    """An FTS5 query matching rows with any of ``terms``, each quoted as a literal word."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


def fts_text(text: str | None) -> str:
    """What the BM25 index holds for a field: its folded words, space-separated (FTS5 then only splits on spaces)."""
    return " ".join(folded_words(text or ""))


def _fts_values(*fields: str | None) -> tuple[str, ...]:
    """The FTS5 values of a chunk's fields; a 'delete' must pass exactly what the insert did."""
    return tuple(fts_text(field) for field in fields)


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
