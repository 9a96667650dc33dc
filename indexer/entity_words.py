"""Entities found by the words of their names and definitions (BM25), in any language.

A question that words a definition ("synthetic samples of the minority class") names no
entity the linker could find; the graph's definitions still point at SMOTE.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from .store import any_of, fold

_WORD = re.compile(r"\w+")


class EntityWords:
    """BM25 over the entities' names and definitions: a question that words a definition finds its entity.

    Words in more than ``FREQUENT_SHARE`` of the entities ("amazon", "data", "mô hình") are
    left out of queries; they match everything and rank nothing.
    """

    FREQUENT_SHARE = 0.05

    def __init__(self, texts: Sequence[str]) -> None:
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.executescript(
            "CREATE VIRTUAL TABLE entities USING fts5(text, tokenize='unicode61 remove_diacritics 2');"
            "CREATE VIRTUAL TABLE entity_vocab USING fts5vocab(entities, 'row');"
        )
        self.db.executemany("INSERT INTO entities (rowid, text) VALUES (?, ?)", enumerate(texts))
        limit = self.FREQUENT_SHARE * len(texts)
        self.frequent = {term for term, docs in self.db.execute("SELECT term, doc FROM entity_vocab") if docs > limit}

    def search(self, query: str, k: int) -> list[int]:
        """Positions (in the texts given) of the ``k`` best matches, best first."""
        terms = [t for t in dict.fromkeys(fold(w) for w in _WORD.findall(query)) if t not in self.frequent]
        if not terms:
            return []
        rows = self.db.execute("SELECT rowid FROM entities WHERE entities MATCH ? ORDER BY rank LIMIT ?", (any_of(terms), k))
        return [row[0] for row in rows]
