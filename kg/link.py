"""Names to entities: resolve what a user typed, and find entity mentions in running text.

Both work on folded text (see folding.py), so any label in English, Vietnamese or Italian,
with or without accents, in any case, finds its entity. Linking matches whole words only
and uses one Aho-Corasick automaton over every label, so its cost grows with the text,
not with the number of labels.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import accumulate

import ahocorasick

from .entities import local_name
from .errors import UnknownEntityError
from .folding import WORD_RE, fold, fold_with_offsets, label_key, strip_accents
from .records import Entity, Mention
from .vocab import ENTITY_TYPES

__all__ = ["Linker", "Resolver", "case_sensitive_words", "ordinary_words"]

# Entity types whose labels are proper names (products, exam sections): a name that is also
# a common word ("Forecast", "Glue", "Ground Truth", the "Modeling" domain) must be written
# as the name is. Concept names are the words themselves.
NAME_TYPES = frozenset({"Service", "Algorithm", "ExamDomain", "TaskStatement"})

# Ranks of the ways an entity can be named; lower wins when two entities share a name.
RANK_LOCAL_NAME, RANK_LABEL, RANK_OTHER_LABEL, RANK_ALIAS = 0, 1, 2, 3
# A name with its vendor dropped ("AWS Chatbot" -> "Chatbot") ranks below every real name,
# so it never takes a word that is another entity's own label ("chatbot", the concept).
RANK_VENDORLESS = 4

SUGGESTION_CUTOFF = 0.55
# A name that shares no word with what was typed must be a near spelling of it (a typo).
SPELLING_CUTOFF = 0.75
_SPLIT_RE = re.compile(f"({WORD_RE.pattern})")


# Learners drop the vendor: "Kinesis Data Firehose", "Glue" (the case rule still applies).
_VENDOR_RE = re.compile(r"^(?:Amazon|AWS)\s+(?=\S)")


def _names(entity: Entity) -> Iterable[tuple[int, str]]:
    """(rank, name) for every name of an entity, vendor-less variants included."""
    named = [(RANK_LABEL, entity.label)]
    named += [(RANK_OTHER_LABEL, text) for _, text in entity.labels]
    named += [(RANK_ALIAS, alias) for alias in entity.aliases]
    for rank, text in named:
        yield rank, text
        short = _VENDOR_RE.sub("", text)
        if short != text and len(short) > 1:  # "Amazon Q" without its vendor is a letter found everywhere
            yield RANK_VENDORLESS, short


_INFLECTABLE = re.compile(r"^(?:[a-z]{4,}|[A-Z][a-z]{3,})$")


def plural_forms(text: str) -> tuple[str, ...]:
    """The regular English plural of a name's last word ("decision tree" -> "decision trees").

    Questions name concepts in the plural as often as in the singular. Only plain words of
    four letters or more are inflected; a form that makes no English word is never met in
    text, so applying the rule to an Italian or Vietnamese name costs nothing.
    """
    head, _, last = text.rpartition(" ")
    if not _INFLECTABLE.match(last) or last.lower().endswith(("s", "ing")):
        return ()
    if last.endswith("y") and last[-2] not in "aeiou":
        plural = last[:-1] + "ies"
    elif last.endswith(("x", "z", "ch", "sh")):
        plural = last + "es"
    else:
        plural = last + "s"
    return (f"{head} {plural}" if head else plural,)


class Resolver:
    """Turns any name of an entity into the entity, or suggests close names."""

    def __init__(self, entities: Mapping[str, Entity]) -> None:
        self._entities = entities
        best: dict[str, dict[str, int]] = defaultdict(dict)
        for entity in entities.values():
            keyed = [(RANK_LOCAL_NAME, label_key(entity.name))]
            keyed += [(rank, label_key(text)) for rank, text in _names(entity)]
            for rank, key in keyed:
                if key and rank < best[key].get(entity.iri, RANK_VENDORLESS + 1):
                    best[key][entity.iri] = rank
        type_order = {type_: i for i, type_ in enumerate(ENTITY_TYPES)}

        def order(item: tuple[str, int]) -> tuple[int, int, str]:
            iri, rank = item
            return rank, type_order.get(entities[iri].type, len(type_order)), iri

        # key -> IRIs, the best owner of the name first
        self._by_key: dict[str, tuple[str, ...]] = {
            key: tuple(iri for iri, _ in sorted(owners.items(), key=order)) for key, owners in best.items()
        }
        self._key_words = {key: key.split() for key in self._by_key}

    def resolve(self, name: str) -> Entity:
        """The entity named by an IRI, kg:LocalName, local name, label or alias (folded).

        Raises:
            UnknownEntityError: no entity has that name; the error carries suggestions.
        """
        text = name.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1].strip()
        if text in self._entities:
            return self._entities[text]
        if text.startswith("kg:"):
            text = text[3:]
        elif "://" in text:
            text = local_name(text)
        owners = self._by_key.get(label_key(text))
        if owners:
            return self._entities[owners[0]]
        raise UnknownEntityError(name, tuple(entity.label for entity in self.suggest(text)))

    def suggest(self, name: str, n: int = 5) -> tuple[Entity, ...]:
        """Up to `n` entities whose names (labels, aliases, in any language) look like `name`, best first.

        Pickers and "did you mean" both list these, so the order is the quality of the match:
        the whole name, then a name that starts with what was typed, then a name each typed
        word starts a word of ("rừng cắt" -> "rừng cắt ngẫu nhiên", "Kinesis Fire" -> "Kinesis
        Data Firehose"), then a name that contains it, then names with some of the words or
        a close spelling ("Random Cut Forrest"). A spelling match alone must be close: a loose
        one paired "Firehose" with "File mode" and with long task statements.
        """
        query = label_key(name)
        if not query or n <= 0:
            return ()
        query_words = query.split()
        scores: dict[str, float] = {}
        for key, owners in self._by_key.items():
            score = self._similarity(query, query_words, key)
            if score < SUGGESTION_CUTOFF:
                continue
            for iri in owners:
                scores[iri] = max(scores.get(iri, 0.0), score)
        ranked = sorted(scores, key=lambda iri: (-scores[iri], self._entities[iri].label))
        return tuple(self._entities[iri] for iri in ranked[:n])

    def _similarity(self, query: str, query_words: list[str], key: str) -> float:
        """Match quality in tiers: 4 the whole name, 3 its start, 2 every word, 1.5 inside it, below 1 a partial match."""
        if key == query:
            return 4.0
        closeness = len(query) / len(key)  # within a tier, the name that is mostly what was typed first
        if key.startswith(query):
            return 3.0 + closeness / 2
        key_words = self._key_words[key]
        covered = sum(1 for q in query_words if any(w == q or (len(q) > 1 and w.startswith(q)) for w in key_words))
        if covered == len(query_words):
            return 2.0 + closeness / 2
        if len(query) > 2 and query in key:
            return 1.5 + closeness / 2
        coverage = covered / len(query_words)
        matcher = SequenceMatcher(None, query, key, autojunk=False)
        cutoff = SUGGESTION_CUTOFF if coverage else SPELLING_CUTOFF
        if matcher.real_quick_ratio() < cutoff:
            return 0.0
        ratio = matcher.ratio()
        if coverage == 0:
            return ratio if ratio >= SPELLING_CUTOFF else 0.0
        return (ratio + coverage) / 2


def ordinary_words(entities: Mapping[str, Entity]) -> frozenset[str]:
    """Folded words the graph itself writes in lowercase prose (definitions, concept names).

    A word the graph uses as an everyday word ("data", "truth", "gần") is one a learner
    uses that way too, which is what makes an alias made of such words ambiguous.
    """
    written: set[str] = set()
    for entity in entities.values():
        texts = [text for _, text in entity.definitions]
        if entity.type not in NAME_TYPES:
            texts += [text for _, text in entity.labels] + list(entity.aliases)
        for text in texts:
            written.update(word for word in WORD_RE.findall(text) if word.islower())
    return frozenset(fold(word) for word in written)  # each distinct word folded once


def _plain_word(word: str) -> bool:
    return word.isalpha() and (word.islower() or (word[:1].isupper() and word[1:].islower()))


def case_sensitive_words(label: str, type_: str, ordinary: frozenset[str]) -> tuple[str, ...] | None:
    """The accent-stripped words `label` must match case-sensitively, or None to match in any case.

    The rule, one name at a time:

    - a single word with a digit or a capital inside ("S3", "EC2", "XGBoost", "SageMaker")
      looks like nothing else: any case;
    - one or two letters ("AI", "CV", "ML") collide with words in some language: as written;
    - an all-capitals acronym ("RCF", "KNN", "SMOTE") matches in any case, unless the graph
      uses it as an ordinary word (folded "GAN" is Vietnamese "gần"): then as written;
    - a plain word ("Forecast", "Glue", "Modeling") that names a Service, Algorithm, exam
      domain or task: as written; concept names ("Regression", "dropout") are meant as
      words: any case;
    - several words match in any case ("Random Cut Forest", "phát hiện bất thường"), except
      such a proper name made only of ordinary words ("Ground Truth", "Data Pipeline",
      "Data Engineering"): as written.

    Accents never matter. A capitalised product word at the start of a sentence
    ("Forecast the demand") is the accepted cost of the rule.
    """
    raw = WORD_RE.findall(strip_accents(label))
    if not raw:
        return None
    if len(raw) > 1:
        named_by_words = type_ in NAME_TYPES and all(_plain_word(w) and fold(w) in ordinary for w in raw)
        return tuple(raw) if named_by_words else None
    word = raw[0]
    if any(char.isdigit() for char in word):
        return None
    if len(word) <= 2:
        return tuple(raw)
    if word.isupper():
        return tuple(raw) if fold(word) in ordinary else None
    if _plain_word(word):
        return tuple(raw) if type_ in NAME_TYPES else None
    return None


@dataclass(frozen=True)
class _Form:
    iri: str
    rank: int
    exact: tuple[str, ...] | None  # words to match case-sensitively, None for any case


class Linker:
    """Finds entity mentions in text: whole words, longest match first, accents folded.

    Example::

        linker = Linker(graph.entities)
        linker.link("Use RCF (Random Cut Forest) to flag anomalies")
        # (Mention(iri='...#RandomCutForest', start=4, end=7, surface='RCF'), ...)
    """

    def __init__(self, entities: Mapping[str, Entity]) -> None:
        ordinary = ordinary_words(entities)
        forms: dict[str, dict[tuple[str, tuple[str, ...] | None], _Form]] = defaultdict(dict)
        for entity in entities.values():
            for rank, text in _names(entity):
                key = label_key(text)
                if not key:
                    continue
                form = _Form(entity.iri, rank, case_sensitive_words(text, entity.type, ordinary))
                # an entity reaches a key twice when its label and an alias differ only in case
                slot = forms[key]
                known = slot.get((form.iri, form.exact))
                if known is None or form.rank < known.rank:
                    slot[(form.iri, form.exact)] = form
        named = set(forms)
        for entity in entities.values():
            if entity.type in NAME_TYPES:
                continue  # product names are not inflected
            for _, text in _names(entity):
                for plural in plural_forms(text):
                    key = label_key(plural)
                    if key and key not in named:  # a real name always wins over a made-up plural
                        forms[key].setdefault((entity.iri, None), _Form(entity.iri, RANK_ALIAS, None))
        self._automaton: ahocorasick.Automaton | None = None
        if forms:
            automaton = ahocorasick.Automaton()
            for key, by_entity in forms.items():
                padded = f" {key} "
                ordered = tuple(sorted(by_entity.values(), key=lambda f: (f.rank, f.iri)))
                # Most names match in any case: their answer is known now, not per match.
                settled = _best_iris(ordered) if all(f.exact is None for f in ordered) else None
                automaton.add_word(padded, (len(padded), key.count(" ") + 1, settled, ordered))
            automaton.make_automaton()
            self._automaton = automaton

    def link(self, text: str) -> tuple[Mention, ...]:
        """Every entity mention in `text`, in text order, with offsets into `text` itself.

        Overlapping matches resolve to the longest ("Amazon Kinesis Data Firehose" wins over
        "Amazon Kinesis"); a name shared by two entities yields a mention for each of its
        best owners (prefLabel over alias).
        """
        if self._automaton is None:
            return ()
        folded = fold_with_offsets(text)
        # [separator, word, separator, word, ..., separator], split in C
        parts = _SPLIT_RE.split(folded.text)
        words = parts[1::2]
        if not words:
            return ()
        # Words joined by single spaces and padded, so every key " a b " starts and ends on
        # a word boundary: "force" cannot match inside "forecast".
        normalized = " " + " ".join(words) + " "
        raw = list(self._automaton.iter(normalized))
        if not raw:
            return ()
        bounds = list(accumulate(map(len, parts), initial=0))  # bounds[k]: where parts[k] starts
        candidates: list[tuple[int, int, int, int, tuple[str, ...]]] = []
        identity = folded.offsets is None
        for end, (length, n_words, settled, forms) in raw:
            first = normalized.count(" ", 0, end - length + 2) - 1  # index of the first matched word
            start, stop = bounds[2 * first + 1], bounds[2 * (first + n_words)]
            if not identity:
                start, stop = folded.original_span(start, stop)
            iris = settled if settled is not None else _accept(forms, text[start:stop])
            if iris:
                candidates.append((first, n_words, start, stop, iris))
        candidates.sort(key=lambda c: (-c[1], c[0]))
        taken = bytearray(len(words))
        chosen = []
        for first, n_words, start, stop, iris in candidates:
            if any(taken[first : first + n_words]):
                continue
            taken[first : first + n_words] = b"\x01" * n_words
            chosen.append((start, stop, iris))
        chosen.sort()
        return tuple(Mention(iri, start, stop, text[start:stop]) for start, stop, iris in chosen for iri in iris)


def _best_iris(forms: Iterable[_Form]) -> tuple[str, ...]:
    """IRIs of the best-ranked forms, each once (`forms` sorted by rank)."""
    iris: list[str] = []
    best = None
    for form in forms:
        if best is not None and form.rank > best:
            break
        best = form.rank
        if form.iri not in iris:
            iris.append(form.iri)
    return tuple(iris)


def _accept(forms: tuple[_Form, ...], surface: str) -> tuple[str, ...]:
    """IRIs of the best-ranked forms that `surface` satisfies, the case rule included."""
    stripped = strip_accents(surface)
    # a one-word surface is its own word list; only longer names need splitting
    surface_words = (stripped,) if stripped.isalnum() else tuple(WORD_RE.findall(stripped))
    return _best_iris(form for form in forms if form.exact is None or form.exact == surface_words)
