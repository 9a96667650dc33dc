"""Accent and case folding, so "Phát hiện bất thường", "phat hien bat thuong" and
"PHÁT HIỆN BẤT THƯỜNG" all look the same to lookup and linking.

Folding works one character at a time through a cached translation table, which keeps it
at C speed (`str.translate`) and makes the way back to the original offsets easy: most
characters fold to exactly one character, and only the rare ones that expand ("ß" -> "ss")
or vanish (a combining accent in decomposed text) need an explicit offset list.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

__all__ = ["WORD_RE", "FoldedText", "fold", "fold_with_offsets", "label_key", "strip_accents", "words"]

# Letters and digits; "_" and every other character separate words.
WORD_RE = re.compile(r"[^\W_]+")

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


def label_key(text: str) -> str:
    """The lookup key of a name: folded words joined by single spaces."""
    return " ".join(words(text))
