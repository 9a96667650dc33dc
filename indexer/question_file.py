"""A question file and its gold answers: reading the JSON Lines, resolving gold names in the graph.

Kept apart from the evaluation itself because the concept ranker's training script reads the
same files: one parser, one notion of what a gold entity is and when a passage mentions it.

A question file is JSON Lines, one question per line::

    {"q": "which service turns text into speech?", "lang": "en", "gold": ["Amazon Polly"], "split": "dev"}
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KGError
from kg.folding import WORD_RE, label_key, strip_accents

from .errors import IndexerError
from .records import ConceptMatch, Hit

SPLITS = ("dev", "heldout", "all")

__all__ = ["SPLITS", "Gold", "Question", "load_questions", "resolve_gold"]


@dataclass(frozen=True)
class Question:
    """One line of a question file; ``line`` points back to it for error messages."""

    q: str
    lang: str
    gold: tuple[str, ...]
    split: str = ""  # "dev", "heldout", or "" when the file does not say
    line: int = 0


@dataclass(frozen=True)
class Gold:
    """The entities a question accepts, with every name they go by.

    Build it with ``Gold.from_names`` when there is no graph (tests), or let ``resolve_gold``
    fill in IRIs and aliases from the index's graph.
    """

    labels: tuple[str, ...]  # as written in the question file, and the entities' English prefLabels
    iris: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # labels and aliases of the gold entities, in any language

    @classmethod
    def from_names(cls, labels: Iterable[str], aliases: Iterable[str] = (), iris: Iterable[str] = ()) -> Gold:
        labels = tuple(labels)
        return cls(labels=labels, iris=tuple(iris), names=tuple(dict.fromkeys([*labels, *aliases])))

    def keys(self) -> frozenset[str]:
        """The folded names: what concept labels and aliases are compared with."""
        return frozenset(k for k in (label_key(n) for n in self.names) if k)

    def matches(self, concept: ConceptMatch) -> bool:
        """Whether a ranked concept is one of the gold entities."""
        if concept.iri and concept.iri in self.iris:
            return True
        keys = self.keys()
        return any(label_key(name) in keys for name in (concept.label, *concept.aliases))

    def mentioned_in(self, hit: Hit) -> bool:
        """Whether a passage mentions a gold entity: linked by the index, or named in its text.

        Names match as whole words, case- and accent-folded, except an alias that is a
        single capitalised word ("Forecast", "Glue", "Neo", "Polly"): it is also an
        ordinary word, so it must appear capitalised as written (accents still ignored),
        as the entity linker does. Labels ("Overfitting", "Recall") always fold.
        """
        keys = self.keys()
        for tag in hit.entities:
            if (tag.iri and tag.iri in self.iris) or label_key(tag.label) in keys:
                return True
        text = f"{hit.heading}\n{hit.text}"
        folded = f" {label_key(text)} "
        cased: str | None = None
        for name in self.names:
            if name not in self.labels and _is_plain_capitalised_word(name):
                if cased is None:
                    cased = f" {' '.join(WORD_RE.findall(strip_accents(text)))} "
                if f" {strip_accents(name)} " in cased:
                    return True
            elif len(name) >= 2 and (key := label_key(name)) and f" {key} " in folded:
                return True
        return False


# ---- loading -------------------------------------------------------------------
def load_questions(path: Path | str, *, split: str = "all") -> tuple[Question, ...]:
    """Read a JSON Lines question file, keeping the questions of ``split`` ("dev", "heldout" or "all").

    Blank lines are ignored. Questions without a ``split`` field count only for "all".

    Raises:
        IndexerError: the file is missing, a line is not a JSON object, a field is missing
            or has the wrong type (the message names the file and the line), or no
            question belongs to ``split``.
    """
    if split not in SPLITS:
        raise IndexerError(f"unknown split '{split}': choose one of {', '.join(SPLITS)}")
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        raise IndexerError(f"{path}: question file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexerError(f"{path}: cannot be read ({exc})") from None
    questions = [_parse_question(path, number, line) for number, line in enumerate(lines, 1) if line.strip()]
    if not questions:
        raise IndexerError(f"{path}: no questions (expected one JSON object per line with q, lang and gold)")
    chosen = tuple(q for q in questions if split == "all" or q.split == split)
    if not chosen:
        raise IndexerError(f"{path}: no question has split '{split}' (use --split all, or add \"split\" to the lines)")
    return chosen


def _parse_question(path: Path, number: int, line: str) -> Question:
    where = f"{path} line {number}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise IndexerError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise IndexerError(f"{where}: expected a JSON object with q, lang and gold, got {type(data).__name__}")
    missing = [key for key in ("q", "lang", "gold") if key not in data]
    if missing:
        raise IndexerError(f"{where}: missing field{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    q, lang, gold, split = data["q"], data["lang"], data["gold"], data.get("split", "")
    if not isinstance(q, str) or not q.strip():
        raise IndexerError(f"{where}: 'q' must be a non-empty string")
    if not isinstance(lang, str) or not lang.strip():
        raise IndexerError(f"{where}: 'lang' must be a language code such as en, vi or it")
    if isinstance(gold, str):
        gold = [gold]
    if not isinstance(gold, list) or not gold or not all(isinstance(g, str) and g.strip() for g in gold):
        raise IndexerError(f"{where}: 'gold' must be a non-empty list of entity labels")
    if split not in ("", "dev", "heldout"):
        raise IndexerError(f"{where}: 'split' must be \"dev\" or \"heldout\", not {split!r}")
    return Question(q=q.strip(), lang=lang.strip().lower(), gold=tuple(g.strip() for g in gold), split=split, line=number)


def resolve_gold(question: Question, index, *, source: str = "questions") -> Gold:
    """Look the gold names up in the index's graph, so aliases and IRIs count too.

    Raises:
        IndexerError: a gold name is not an entity of the graph (with the graph's suggestions).
    """
    iris: list[str] = []
    labels: list[str] = list(question.gold)
    aliases: list[str] = []
    for name in question.gold:
        try:
            entity = index.entity(name)
        except KGError as exc:
            raise IndexerError(f"{source} line {question.line}: gold {exc}") from None
        iris.append(entity.iri)
        labels.append(entity.label)
        aliases.extend(entity.aliases)
    labels = list(dict.fromkeys(labels))
    return Gold(labels=tuple(labels), iris=tuple(dict.fromkeys(iris)), names=tuple(dict.fromkeys([*labels, *aliases])))


def _is_plain_capitalised_word(name: str) -> bool:
    """"Forecast", "Neo": one word, first letter upper, the rest lower (not an acronym like "RCF" or "DeepAR")."""
    plain = strip_accents(name)
    return plain.isalpha() and len(plain) > 1 and plain[0].isupper() and plain[1:].islower()
