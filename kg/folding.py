"""Accent and case folding and word splitting, so "Phát hiện bất thường", "phat hien bat thuong" and
"PHÁT HIỆN BẤT THƯỜNG" all look the same to lookup, linking, BM25 and entity words.

This module is the one tokenizer of the project: every part that splits text into words
(linking, the BM25 index and its queries, entity words, language detection, question
checks) calls it, so a name is folded and split the same way everywhere.

Folding works one character at a time through a cached translation table, which keeps it
at C speed (`str.translate`) and makes the way back to the original offsets easy: most
characters fold to exactly one character, and only the rare ones that expand ("ß" -> "ss")
or vanish (a combining accent in decomposed text) need an explicit offset list.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

__all__ = [
    "WORD_RE", "FoldedText", "fold", "fold_with_offsets", "has_word", "label_key", "letter_words", "strip_accents",
    "surface_words", "words",
]

# Combining marks: not word characters to `re`, yet part of a word written in decomposed (NFD) form.
_COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# Letters and digits (with the accents of decomposed text); "_" and every other character separate words.
WORD_RE = re.compile(rf"[^\W_](?:[^\W_]|[{_COMBINING}])*")

# Letters that carry no combining accent, so Unicode decomposition leaves them alone.
_SPECIAL = {"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE"}


def _strip_char(char: str) -> str:
    if char in _SPECIAL:
        return _SPECIAL[char]
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _Table(dict[int, str]):
    """A translation table that fills itself: str.translate calls __missing__ once per new character."""

    def __init__(self, casefold: bool) -> None:
        super().__init__()
        self._casefold = casefold
        self.non_unit: set[str] = set()  # characters that do not fold to exactly one character

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = _strip_char(char.casefold() if self._casefold else char)
        if self._casefold:
            # casefold after stripping too: NFKD can produce capitals ("Ⅸ" -> "IX")
            folded = folded.casefold()
        self[code] = folded
        if len(folded) != 1:
            self.non_unit.add(char)
        return folded


_FOLD = _Table(casefold=True)
_STRIP = _Table(casefold=False)


def fold(text: str) -> str:
    """Casefold and strip accents: "Rilevamento delle Anomalìe" -> "rilevamento delle anomalie"."""
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD)


def strip_accents(text: str) -> str:
    """Strip accents but keep case, for the case-sensitive side of linking ("Đà" -> "Da")."""
    if text.isascii():
        return text
    return text.translate(_STRIP)


class FoldedText(NamedTuple):
    """Folded text and, when lengths differ, the original offset of every folded character."""

    text: str
    offsets: tuple[int, ...] | None  # None: folded offset i is original offset i
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the folded text back to the original text."""
        if self.offsets is None:
            return start, end
        original_start = self.offsets[start]
        # The next kept character marks the end, so accents dropped after the match stay inside it.
        original_end = self.offsets[end] if end < len(self.offsets) else self.original_length
        return original_start, original_end


def fold_with_offsets(text: str) -> FoldedText:
    """Fold `text` and keep the way back to its offsets (identity for almost every text)."""
    if text.isascii():
        return FoldedText(text.lower(), None, len(text))
    folded = text.translate(_FOLD)
    if _FOLD.non_unit.isdisjoint(text):
        return FoldedText(folded, None, len(text))
    offsets: list[int] = []
    for index, char in enumerate(text):
        offsets.extend([index] * len(_FOLD[ord(char)]))
    return FoldedText(folded, tuple(offsets), len(text))


def words(text: str) -> list[str]:
    """The folded words of a text, punctuation dropped: "k-Nearest Neighbors" -> ["k", "nearest", "neighbors"]."""
    return WORD_RE.findall(fold(text))


def surface_words(text: str) -> list[str]:
    """The words of a text as written (accents and case kept, composed to NFC), split like `words`.

    For the few checks that must see a word before folding: "nên" (should) is a question
    word, "nén" (compress) is not, and both fold to "nen".
    """
    return WORD_RE.findall(unicodedata.normalize("NFC", text))


# A run of letters in any script: no digits, no "_".
_LETTERS_RE = re.compile(rf"[^\W\d_](?:[^\W\d_]|[{_COMBINING}])*")


def letter_words(text: str) -> list[str]:
    """The runs of letters of a text, as written: language detection counts words, and "2026" or "S3" say no language."""
    return _LETTERS_RE.findall(text)


def has_word(text: str) -> bool:
    """Whether a text holds any word at all (a letter or digit in any script): "???" or "___" hold none."""
    return WORD_RE.search(text) is not None


def label_key(text: str) -> str:
    """The lookup key of a name: folded words joined by single spaces."""
    return " ".join(words(text))
