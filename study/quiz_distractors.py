"""Which key a generated question may have, and which wrong options an exam expert would accept.

The last blind audit rejected generated questions for three general reasons, each handled here
by a rule that reads only the graph:

- a key that is not the answer an exam expects: a service AWS no longer offers to new customers
  (`skg:closedToNewCustomers`), a platform whose own part serves the topic (SageMaker for batch
  inference, where Batch Transform is the answer), a topic so broad that many entities serve it
  ("classification": the one right answer is then arbitrary), or a key whose name alone echoes
  the topic (a give-away, checked per language in `QuizMaker.question`);
- distractors ruled out by their name alone (Polly for batch inference). A wrong option must be
  close in purpose: a `comparedWith`/`alternativeTo` neighbour of the key, or an entity whose own
  sourced purpose the graph compares with the topic (real-time endpoints for batch inference) or
  is a sibling of it under a narrow common parent (K-Means for anomaly detection: both
  unsupervised learning);
- two right answers: an option whose purpose sits under a parent topic that is itself judged
  (binary vs multiclass metrics, both for classification), or whose own text names the topic
  or one of its words, may be right too and is not offered.

Mixed into `QuizMaker`, which owns the graph tables these read (`_edges`, `_own`, `right_answers`).
"""

from __future__ import annotations

import random
import re
from functools import cached_property

from rdflib import URIRef
from rdflib.namespace import SKOS

from kg.folding import fold
from kg.vocab import SKG

__all__ = ["DistractorMixin", "KIN_BREADTH", "SPECIFIC"]

CHOICES = 4
SPECIFIC = 4  # a question's topic is served by at most this many entities of the key's kind
KNOWN = 2  # a metric or remedy question needs the graph to know this many answers for the topic
KIN_BREADTH = 5  # siblings under a parent with more narrower topics than this are not "close"
# Words too common in labels to tie a name to a topic ("Amazon SageMaker Data Wrangler" vs "data lake").
_GENERIC = frozenset(fold(w) for w in (
    "amazon", "aws", "sagemaker", "service", "services", "data", "model", "models", "machine", "learning", "using",
    "based", "with", "from", "for", "the", "and", "dati", "modello", "modelli", "dữ", "liệu", "mô", "hình", "della", "delle",
))


# Stems of words every kind of tool does ("processes", "manages", "analyzes"): sharing one says nothing.
_GENERIC_STEMS = frozenset(("proce", "manag", "analy", "syste", "appli", "servi", "using", "model"))


def _stems(text: str) -> set[str]:
    """Content words of a label, cut to five letters so "monitoring" meets "Monitor"."""
    return {w[:5] for w in re.findall(r"\w+", fold(text)) if len(w) > 3 and w not in _GENERIC} - _GENERIC_STEMS


class DistractorMixin:
    """Key and distractor rules for `QuizMaker` (see the module docstring)."""

    # ---- lifecycle ---------------------------------------------------------------------
    @cached_property
    def closed(self) -> frozenset[str]:
        """Entities AWS no longer offers to new customers: never a key, never an option."""
        return frozenset(iri for iri, entity in self.entities.items() if entity.closed_to_new_customers)

    # ---- the key --------------------------------------------------------------------------
    def direct_right(self, predicate: URIRef, topic: str, *, broader: bool = True) -> set[str]:
        """Entities whose own edge makes them right for the topic (or a narrower one, and a broader one unless
        `broader` is False), without parts and wholes."""
        from .quiz import _ALSO_RIGHT  # the same reading of "right" as the uniqueness check

        topics = self.related_topics(topic) if broader else self._closure(topic, self._inverse(SKOS.broader))
        right: set[str] = set()
        for p in _ALSO_RIGHT[predicate]:
            right |= {s for s, objects in self._edges[p].items() if objects & topics}
        return right

    def _wholes(self, iri: str) -> set[str]:
        return self._closure(iri, self._edges[SKG.partOf]) - {iri}

    def _parts(self, iri: str) -> set[str]:
        return self._closure(iri, self._inverse(SKG.partOf)) - {iri}

    def key_problem(self, fact, predicate: URIRef) -> str | None:
        """Why `fact.answer` is not a key an exam expert accepts for `fact.topic`, or None."""
        answer = self.entities[fact.answer]
        if fact.answer in self.closed:
            return "dropped: the key is closed to new customers"
        right = {i for i in self.direct_right(predicate, fact.topic, broader=False) if self.entities[i].type == answer.type and i not in self.closed}
        if self._parts(fact.answer) & right:
            return "dropped: the key is a platform whose own part serves the topic"
        if fact.kind in ("service", "versus") and len(right - self._wholes(fact.answer)) > SPECIFIC:
            return "dropped: the topic is too broad for one right answer"
        if fact.kind in ("metric", "remedy") and len(right) < KNOWN:
            # With one known remedy (or metric) the graph cannot tell a wrong one from one it does not know.
            return f"dropped: the graph knows fewer than {KNOWN} {fact.kind}s of the topic"
        return None

    def echoes(self, iri: str, topic: str, lang: str) -> bool:
        """True when the option's name shares a content word with the topic's label in the question's language
        (or in English, as service names are): "Machine translation" -> "Amazon Translate"."""
        topic_labels = [t for code, t in self.entities[topic].labels if code in (lang, "en")] or [self.entities[topic].label]
        entity = self.entities[iri]
        names = [t for code, t in entity.labels if code in (lang, "en")] or [entity.label]
        return any(_stems(a) & _stems(b) for a in topic_labels for b in names)

    def rivals(self, fact, predicate: URIRef) -> tuple[str, ...]:
        """Other entities of the key's kind the graph makes right for the topic (not its wholes, not closed):
        the answer engine must rank the key above them, so the key is the most fitting right answer."""
        if fact.kind not in ("service", "versus"):
            return ()  # every right metric or remedy is as fitting as the key; uniqueness keeps them out of the options
        answer = self.entities[fact.answer]
        right = self.direct_right(predicate, fact.topic) - {fact.answer} - self._wholes(fact.answer) - self.closed
        return tuple(sorted(i for i in right if self.entities[i].type == answer.type))

    # ---- distractors ----------------------------------------------------------------------
    @cached_property
    def _texts(self) -> dict[str, str]:
        """Each entity's definitions and keywords in all languages, folded, for `_describes_topic`."""
        return {iri: fold(" ".join(t for _, t in (*e.definitions, *e.keywords))) for iri, e in self.entities.items()}

    def _describes_topic(self, iri: str, topic: str) -> bool:
        """True when an entity's own definition or keywords name the topic (or a broader or narrower one):
        the graph may lack the edge, but the text says the entity is about it, so it is no wrong choice."""
        pattern = self._topic_patterns.get(topic)
        if pattern is None:
            names = {fold(n) for t in self.related_topics(topic) for n in (self.entities[t].label, *self.entities[t].aliases) if len(n) > 3}
            alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
            pattern = self._topic_patterns[topic] = re.compile(rf"\b(?:{alternatives})\b" if alternatives else r"(?!)")
        return bool(pattern.search(self._texts[iri]))

    def _shares_topic_words(self, iri: str, topic: str) -> bool:
        """True when the entity's English definition or keywords use a content word of the topic's English label
        (or two of its synonyms' words): an option that does part of the job may be called right by an expert."""
        entity, about = self.entities[iri], self.entities[topic]
        words = _stems(" ".join(t for code, t in (*entity.definitions, *entity.keywords) if code == "en"))
        if _stems(about.label) & words:
            return True
        # A synonym's words count in pairs ("extract, transform, load": transforms and loads), one alone is chance.
        return len(_stems(" ".join(about.aliases)) & words) >= 2

    def _parents(self, topic: str) -> set[str]:
        return set(self._edges[SKOS.broader].get(topic, ()))

    def _narrow_parents(self, topic: str) -> set[str]:
        """The topic's parents with few narrower topics: siblings under them are close in purpose."""
        narrower = self._inverse(SKOS.broader)
        return {p for p in self._parents(topic) if len(narrower.get(p, ())) <= KIN_BREADTH}

    def _judged_parent(self, topic: str, predicate: URIRef) -> set[str]:
        """Parents that are themselves objects of `predicate` (classification is judged by metrics of its own):
        a sibling's metric or remedy may then serve the topic too."""
        inverse = self._inverse(predicate)
        return {p for p in self._parents(topic) if inverse.get(p)}

    def _close_in_purpose(self, iri: str, fact, predicate: URIRef) -> bool:
        """A neighbour of the key, or an entity with a sourced purpose the graph compares with the topic
        (batch vs real-time inference) or that is a sibling of the topic under a narrow parent."""
        if iri in self._neighbours.get(fact.answer, set()):
            return True
        parents = self._narrow_parents(fact.topic)
        # A problem or task compared with the topic is a fair lure for a metric or remedy (a regression metric for
        # classification); a service built for a compared task often does the topic's job too (Kinesis Data
        # Analytics runs streaming ETL), so for services only siblings under a narrow parent count.
        confusable = self._neighbours.get(fact.topic, set()) if predicate != SKG.usedFor else set()
        return any(o in confusable or self._parents(o) & parents for o in self._own(iri, predicate))

    def _named_for_other(self, iri: str, predicate: URIRef) -> bool:
        """True when the option's English name spells out its own purpose ("Cluster validation" for clustering):
        offered for another topic, it is ruled out by its name alone."""
        return any(self.echoes(iri, o, "en") for o in self._own(iri, predicate))

    def _possibly_right(self, iri: str, fact, predicate: URIRef) -> bool:
        """Graph says wrong, but an expert could defend it: its text names the topic or uses a content word of
        its English label, or its purpose shares a judged parent."""
        if self._describes_topic(iri, fact.topic) or self._shares_topic_words(iri, fact.topic):
            return True
        # A broader or narrower idea of a right answer (feature engineering, when feature selection is right).
        if self.related_topics(iri) & self.right_answers(predicate, fact.topic) - {iri}:
            return True
        if predicate != SKG.usedFor:
            judged = self._judged_parent(fact.topic, predicate)
            if any(self._parents(o) & judged for o in self._own(iri, predicate)):
                return True
        return False

    def _pool(self, fact, predicate: URIRef) -> set[str]:
        answer = self.entities[fact.answer]
        pool = {s for s, p, _ in self.sourced if p == str(predicate) and self.entities.get(s) and self.entities[s].type == answer.type}
        if self.exam and self.exam.in_scope and answer.type == "Service":
            pool &= set(self.exam.in_scope)
        if self._coverage is not None:
            pool &= set(self._coverage)
        return pool - {fact.answer} - self.closed

    def _distractors(self, fact, predicate: URIRef, rng: random.Random) -> list[str] | None:
        """Wrong choices close in purpose, neighbours first; None (and a count) when fewer than three pass."""
        pool = self._pool(fact, predicate)
        plausible = {i for i in pool if self._close_in_purpose(i, fact, predicate) and not self._named_for_other(i, predicate)}
        self.stats["distractors removed: not close in purpose"] += len(pool) - len(plausible)
        if len(plausible) < CHOICES - 1:
            self.stats["dropped: fewer than 3 distractors close in purpose"] += 1
            return None
        wrong = self.right_answers(predicate, fact.topic)
        related = self.related_topics(fact.topic)
        unique = {i for i in plausible if i not in wrong and not self._possibly_right(i, fact, predicate)
                  and [o for o in self._own(i, predicate) if o not in related]}
        self.stats["distractors removed by graph uniqueness"] += len(plausible) - len(unique)
        if len(unique) < CHOICES - 1:
            self.stats["dropped: graph uniqueness (a distractor satisfies the fact)"] += 1
            return None
        neighbours = self._neighbours.get(fact.answer, set())
        answer_tasks = set(self.tasks_of([fact.answer]))
        order = sorted(unique)
        rng.shuffle(order)
        return sorted(order, key=lambda i: (i in neighbours, len(set(self.tasks_of([i])) & answer_tasks)), reverse=True)

    def versus_problem(self, fact, predicate: URIRef) -> str | None:
        """Why the contrast "A or B for the topic?" is unfair, or None: B closed, right, or half-right by its own text."""
        if fact.other in self.closed:
            return "dropped: a distractor is closed to new customers"
        if (fact.other in self.right_answers(predicate, fact.topic) or self._describes_topic(fact.other, fact.topic)
                or self._shares_topic_words(fact.other, fact.topic)):
            return "dropped: graph uniqueness (a distractor satisfies the fact)"
        return None
