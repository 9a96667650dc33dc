"""Direction words: "speech audio into text" asks for speech to text, "il testo in voce" for text to speech.

Bag-of-words retrievers, sentence embeddings and the graph's exact-name linker all blur the
order of two words, so a question that names both ends of a conversion in its own phrasing
("turns speech audio into text") found the reverse service about half the time. The graph
already says which conversions exist and in which direction: a pair of entities whose names
read "A to B" and "B to A" (Text to speech / Speech to text, in every language the graph names
them: "da testo a voce", "chuyển văn bản thành giọng nói"). A question that mentions an end of
such a pair before the other names the entity whose source comes first; nothing is added when
the question mentions only one end, or both ends in both orders.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from kg.folding import words

# "<source> to <target>" in the names, per language: en "text to speech", it "da testo a voce",
# vi "chuyển văn bản thành giọng nói" / "văn bản sang giọng nói".
_NAME_PATTERNS = (
    re.compile(r"^(?:from )?(?P<source>.+?) (?:to|into) (?P<target>.+)$"),
    re.compile(r"^da (?P<source>.+?) a (?P<target>.+)$"),
    re.compile(r"^(?:chuyen |bien )?(?P<source>.+?) (?:thanh|sang) (?P<target>.+)$"),
)

Ends = tuple[tuple[str, ...], tuple[str, ...]]  # (source words, target words), folded


class Directions:
    """The directed pairs of the graph, and which of them a question asks for by word order."""

    def __init__(self, names: dict[str, Iterable[str]]) -> None:
        """``names``: every name of each entity (labels and aliases in any language)."""
        ends: dict[str, set[Ends]] = defaultdict(set)
        for iri, entity_names in names.items():
            for name in entity_names:
                parsed = _ends(" ".join(words(name)))
                if parsed:
                    ends[iri].add(parsed)
        # Only entities whose reverse is another entity: "Sequence to Sequence" has no reverse.
        reversed_of = {(target, source): iri for iri, pairs in ends.items() for source, target in pairs}
        self._ends = {
            iri: tuple(pairs) for iri, pairs in ends.items() if any(reversed_of.get(pair, iri) != iri for pair in pairs)
        }

    def named(self, question: str) -> list[str]:
        """The directed entities the question asks for: one end of a pair mentioned before the other, never the reverse too."""
        tokens = words(question)
        found = []
        for iri, pairs in self._ends.items():
            forward = any(_before(tokens, source, target) for source, target in pairs)
            backward = any(_before(tokens, target, source) for source, target in pairs)
            if forward and not backward:
                found.append(iri)
        return found


def _ends(name: str) -> Ends | None:
    for pattern in _NAME_PATTERNS:
        match = pattern.match(name)
        if match:
            source, target = tuple(match["source"].split()), tuple(match["target"].split())
            if source and target and source != target:
                return source, target
    return None


def _before(tokens: Sequence[str], first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """Whether ``first`` occurs in the tokens and ``second`` occurs somewhere after it."""
    start = _find(tokens, first, 0)
    return start is not None and _find(tokens, second, start + len(first)) is not None


def _find(tokens: Sequence[str], phrase: tuple[str, ...], start: int) -> int | None:
    for i in range(start, len(tokens) - len(phrase) + 1):
        if tuple(tokens[i : i + len(phrase)]) == phrase:
            return i
    return None
