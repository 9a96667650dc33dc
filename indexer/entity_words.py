"""Entities found by the words of their names and definitions (BM25), in any language.

A question that words a definition ("synthetic samples of the minority class") names no
entity the linker could find; the graph's definitions still point at SMOTE. Words are
matched by their English and Italian stems, so "versionare i modelli" finds "versioni dei
modelli" and "oscillating" finds "oscillates". Adjacent words also count as one term (a word
pair): a Vietnamese word is most often two syllables, each common across the graph's
definitions ("lưu", "lượng"), while the pair ("lưu lượng", traffic) is as telling as an English word.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import Stemmer

from kg.folding import surface_words, words

from .store import any_of

# Vietnamese does not inflect; a stemmer per language would need each word's language,
# and the English and Italian stems of a word rarely collide with another word's.
# Snowball's C stemmers (PyStemmer) are fifty times faster than its pure-Python port, which
# made stemming the graph most of a build; a stemmer object keeps state while it works, so
# there is one pair per thread (the app's sessions search at the same time).
_LOCAL = threading.local()


def _stemmers() -> tuple:
    if not hasattr(_LOCAL, "stemmers"):
        _LOCAL.stemmers = (Stemmer.Stemmer("english"), Stemmer.Stemmer("italian"))
    return _LOCAL.stemmers


# Words of the question, not of its topic: rare in definitions, so left in they would rank
# the one entity whose definition happens to say "who did what" or "wants" ("muốn").
# Matched before accents are folded: "nên" (should) is not "nén" (compress).
QUESTION_WORDS = frozenset(
    """
    what which who whom whose when where why how should would could can does do did i me my we our you your want wants
    gì nào sao đâu thế nên muốn tôi mình bạn hãy vậy thì nhé ạ chúng
    quale quali qual come perché cosa quando dove chi quanto quanti mio mia miei mie devo posso voglio vorrei conviene
    """.split()
)


# Punctuation ends a phrase: the words on either side of it make no pair.
_PHRASE_END = re.compile(r"[;,.:!?()\[\]{}\n\"]")
# Joins a word pair into one term; FTS5 is told it belongs to words (tokenchars), and no folded word contains it.
PAIR_JOINER = "_"


def stems(text: str) -> list[str]:
    """The English and Italian stems of every word of ``text`` but question words, accents folded, then its word pairs.

    A pair is two neighbouring words of one phrase, neither a question word, each reduced to its
    English stem ("quá khớp" -> "qua_khop", "training errors" -> "train_error").
    """
    english, italian = _stemmers()
    found: list[str] = []
    pairs: list[str] = []
    for phrase in _PHRASE_END.split(text.casefold()):
        previous = None
        for surface in surface_words(phrase):
            if surface in QUESTION_WORDS:
                previous = None
                continue
            for word in words(surface):
                stem = english.stemWord(word)
                found += (stem, italian.stemWord(word))
                if previous is not None:
                    pairs.append(previous + PAIR_JOINER + stem)
                previous = stem
    return found + pairs


class EntityWords:
    """BM25 over the entities' names, definitions and keywords: a question that words a definition finds its entity.

    Words in more than ``FREQUENT_SHARE`` of the entities ("amazon", "data", "mô hình") are
    left out of queries; they match everything and rank nothing.
    """

    FREQUENT_SHARE = 0.08
    FILE = "entity_stems.json"

    def __init__(self, texts: Sequence[str]) -> None:
        self._init([" ".join(stems(t)) for t in texts])

    @classmethod
    def load(cls, folder: Path) -> EntityWords:
        """The stems a build saved, so every reader of a version matches against the terms that version was built with."""
        self = cls.__new__(cls)
        self._init(json.loads((Path(folder) / cls.FILE).read_text(encoding="utf-8")))
        return self

    def save(self, folder: Path) -> None:
        (Path(folder) / self.FILE).write_text(json.dumps(self.stemmed, ensure_ascii=False), encoding="utf-8")

    def _init(self, stemmed: list[str]) -> None:
        self.stemmed = stemmed
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.executescript(
            f"CREATE VIRTUAL TABLE entities USING fts5(text, tokenize=\"unicode61 remove_diacritics 2 tokenchars '{PAIR_JOINER}'\");"
            "CREATE VIRTUAL TABLE entity_vocab USING fts5vocab(entities, 'row');"
        )
        self.db.executemany("INSERT INTO entities (rowid, text) VALUES (?, ?)", enumerate(stemmed))
        limit = max(1.0, self.FREQUENT_SHARE * len(stemmed))  # a word of one entity always ranks
        self.frequent = {term for term, docs in self.db.execute("SELECT term, doc FROM entity_vocab") if docs > limit}

    def search(self, query: str, k: int) -> list[int]:
        """Positions (in the texts given) of the ``k`` best matches, best first."""
        return [position for position, _ in self.scored(query, k)]

    def scored(self, query: str, k: int) -> list[tuple[int, float]]:
        """(position, BM25 score) of the ``k`` best matches, best first; scores are positive."""
        terms = [t for t in dict.fromkeys(stems(query)) if t not in self.frequent]
        if not terms:
            return []
        rows = self.db.execute("SELECT rowid, rank FROM entities WHERE entities MATCH ? ORDER BY rank LIMIT ?", (any_of(terms), k))
        return [(row[0], -float(row[1])) for row in rows]
