"""Practice questions generated from the graph's sourced facts, each checked before it is shown.

A question stands on one fact the corpus states: `usedFor`, `measures` or `remedyFor` with a
`skg:SourcedFact` reification naming the section that says it (`skg:statedIn`). A fact
without one is never asked: a loose link taught as a fact is how learners were marked wrong
when they were right. The stem is the topic (a requirement, a task, a problem) and what it
means, in the learner's language, phrased by the templates in `quiz_text`.

Distractors are the options an exam would offer: the answer's `comparedWith`/`alternativeTo`
neighbours first, then entities of its kind that serve the same exam tasks. Each must have a
sourced purpose of its own, which the feedback states as the reason it is wrong. Before a
question is made it passes two checks, and `stats` counts what each drops:

- graph uniqueness: no wrong choice is used for (supports, measures, remedies) the topic, a
  broader or narrower topic, or is a part or whole of such an entity, or says so in its text;
- the answer engine agrees (when a `checker` is given, e.g. the study index's concept
  ranking): asking the stem ranks the key above every distractor.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import cached_property

from rdflib import URIRef
from rdflib.namespace import SKOS

from kg import documents
from kg.entities import local_name
from kg.exams import ExamProfile, task_coverage
from kg.folding import fold
from kg.languages import STUDY_LANGUAGES
from kg.provenance import fact_passages, fact_sources
from kg.records import Entity
from kg.vocab import SKG

from .quiz_distractors import CHOICES as _CHOICES
from .quiz_distractors import DistractorMixin
from .quiz_records import Choice, Fact, Question
from .quiz_text import as_clause, it_article, lower_first, template, upper_first

__all__ = ["KINDS", "QUIZ_KINDS", "Choice", "Fact", "Question", "QuizMaker"]

KINDS = ("service", "metric", "remedy", "versus")
# What a quiz serves by default. A "versus" question names both options in its stem and offers
# only those two: a look-up, not an exam item (the blind audit of 2026-12-05 judged every one a
# give-away), so it is made only when asked for by kind.
QUIZ_KINDS = ("service", "metric", "remedy")
_PREDICATE = {"service": SKG.usedFor, "versus": SKG.usedFor, "metric": SKG.measures, "remedy": SKG.remedyFor}
# What else makes an entity right for a topic: offering the task counts like being used for it.
# A metric "evaluates" a task, which a learner also reads as being used for it.
_ALSO_RIGHT = {SKG.usedFor: (SKG.usedFor, SKG.supports, SKG.measures), SKG.measures: (SKG.measures,), SKG.remedyFor: (SKG.remedyFor,)}
_PASSAGES = 8  # candidates; the front end shows the first few in the quiz's language
_SPECIFIC = 4  # a contrast question's purpose is served by at most this many entities

Checker = Callable[[Question], bool]


class QuizMaker(DistractorMixin):
    """Builds questions over one loaded graph (curated, or an index's graph with its passages).

    Args:
        kg: a `KnowledgeGraph`.
        exam: the exam whose tasks and in-scope services bound the questions.
        checker: called on each made question; False drops it (the answer-engine check).

    Example::

        maker = QuizMaker(kg, exam=find_exam(kg, "MLA-C01"))
        question = maker.question(maker.facts()[0], "vi")
        maker.stats        # candidates dropped by each check
    """

    def __init__(self, kg, exam: ExamProfile | None = None, checker: Checker | None = None) -> None:
        self.kg = kg
        self.exam = exam
        self.checker = checker
        self.entities = kg.entities
        self.stats: Counter[str] = Counter()
        self._inverses: dict[URIRef, dict[str, set[str]]] = {}
        self._right: dict[tuple[URIRef, str], frozenset[str]] = {}
        self._topic_patterns: dict[str, re.Pattern] = {}

    # ---- the graph, read once -------------------------------------------------------
    @cached_property
    def _edges(self) -> dict[URIRef, dict[str, set[str]]]:
        """predicate -> subject IRI -> object IRIs, for the predicates questions use."""
        edges: dict[URIRef, dict[str, set[str]]] = {}
        wanted = (SKG.usedFor, SKG.supports, SKG.measures, SKG.remedyFor, SKG.comparedWith, SKG.alternativeTo, SKG.partOf, SKOS.broader)
        for predicate in wanted:
            table: dict[str, set[str]] = defaultdict(set)
            for s, o in self.kg.graph.subject_objects(predicate):
                if str(s) in self.entities and str(o) in self.entities:
                    table[str(s)].add(str(o))
            edges[predicate] = table
        return edges

    @cached_property
    def sourced(self) -> dict[tuple[str, str, str], tuple[str, ...]]:
        """(subject, predicate, object) IRIs -> the corpus sections that state the fact."""
        return {tuple(map(str, fact)): where for fact, where in fact_sources(self.kg.graph).items()}

    @cached_property
    def _stating(self) -> dict[tuple[str, str, str], tuple[str, ...]]:
        """(subject, predicate, object) IRIs -> the indexed passages of the sections that state it."""
        return {tuple(map(str, fact)): chunks for fact, chunks in fact_passages(self.kg.graph).items()}

    def _own(self, iri: str, predicate: URIRef) -> list[str]:
        """The sourced purposes (targets) of `iri` for `predicate`, by label."""
        targets = [o for o in self._edges[predicate].get(iri, ()) if (iri, str(predicate), o) in self.sourced]
        return sorted(targets, key=lambda o: self.entities[o].label)

    def _inverse(self, predicate: URIRef) -> dict[str, set[str]]:
        if predicate not in self._inverses:
            inverse: dict[str, set[str]] = defaultdict(set)
            for s, objects in self._edges[predicate].items():
                for o in objects:
                    inverse[o].add(s)
            self._inverses[predicate] = inverse
        return self._inverses[predicate]

    @cached_property
    def _neighbours(self) -> dict[str, set[str]]:
        """comparedWith and alternativeTo, read both ways (they are symmetric)."""
        table: dict[str, set[str]] = defaultdict(set)
        for predicate in (SKG.comparedWith, SKG.alternativeTo):
            for s, objects in self._edges[predicate].items():
                for o in objects:
                    table[s].add(o)
                    table[o].add(s)
        return table

    def _closure(self, start: str, table: dict[str, set[str]]) -> set[str]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in table.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    def related_topics(self, topic: str) -> set[str]:
        """The topic with every broader and narrower topic: an answer right for one is right for the question."""
        return self._closure(topic, self._edges[SKOS.broader]) | self._closure(topic, self._inverse(SKOS.broader))

    def right_answers(self, predicate: URIRef, topic: str) -> frozenset[str]:
        """Every entity the graph makes right for "which X <predicate> <topic>?", parts and wholes included."""
        if (predicate, topic) not in self._right:
            topics = self.related_topics(topic)
            right = set()
            for p in _ALSO_RIGHT[predicate]:
                right |= {s for s, objects in self._edges[p].items() if objects & topics}
            whole, parts = self._edges[SKG.partOf], self._inverse(SKG.partOf)
            closed = right | {x for r in right for x in self._closure(r, whole) | self._closure(r, parts)}
            self._right[(predicate, topic)] = frozenset(closed)
        return self._right[(predicate, topic)]

    @cached_property
    def _coverage(self) -> dict[str, tuple[str, ...]] | None:
        return task_coverage(self.kg, self.exam) if self.exam else None

    def tasks_of(self, iris: Iterable[str]) -> tuple[str, ...]:
        """The exam's task statements these entities are study material for."""
        if self._coverage is None:
            return ()
        return tuple(sorted({t for iri in iris for t in self._coverage.get(iri, ())}))

    def primary_task(self, answer: str, topic: str, within: Iterable[str] | None = None) -> str:
        """The one task an answer counts for: the first (in guide order) the answer and topic share, else the
        answer's, else the topic's; only among `within` when given (a domain quiz counts in its domain)."""
        if self.exam is None:
            return ""
        order = [t.iri for t in self.exam.tasks]
        allowed = set(order if within is None else within)
        mine, theirs = set(self.tasks_of([answer])) & allowed, set(self.tasks_of([topic])) & allowed
        for pool in (mine & theirs, mine, theirs):
            if pool:
                return min(pool, key=order.index)
        return ""

    # ---- facts ----------------------------------------------------------------------
    def facts(self, domain: str | None = None) -> tuple[Fact, ...]:
        """Every sourced fact a question can stand on, within the exam (and one of its domains) when given."""
        found: list[Fact] = []
        unsourced = 0
        for kind, types in (("service", ("Service", "Algorithm")), ("metric", ("Concept",)), ("remedy", ("Concept",))):
            predicate = str(_PREDICATE[kind])
            for s, objects in sorted(self._edges[_PREDICATE[kind]].items()):
                if self.entities[s].type not in types:
                    continue
                for o in sorted(objects):
                    if self.entities[o].type != "Concept":
                        continue
                    if (s, predicate, o) in self.sourced:
                        found.append(Fact(kind, s, o))
                    else:
                        unsourced += 1
        for a, others in sorted(self._neighbours.items()):
            for b in sorted(others):
                if self.entities[a].type not in ("Service", "Algorithm") or self.entities[b].type != self.entities[a].type:
                    continue
                # A contrast is fair when each of the two has a sourced purpose the other lacks, and
                # the question asks about a specific purpose (few entities serve it).
                if not [u for u in self._own(b, SKG.usedFor) if a not in self.right_answers(SKG.usedFor, u)]:
                    continue
                for topic in self._own(a, SKG.usedFor):
                    right = self.right_answers(SKG.usedFor, topic)
                    if b not in right and len(right) <= _SPECIFIC:
                        found.append(Fact("versus", a, topic, b))
        self.stats["facts without a stated source (never asked)"] = unsourced
        if self._coverage is not None:
            found = [f for f in found if f.answer in self._coverage]
            if domain:
                tasks = {t.iri for t in self.exam.domain(domain).tasks}
                found = [f for f in found if tasks & set(self.tasks_of([f.answer, f.topic]))]
        return tuple(found)

    # ---- wording --------------------------------------------------------------------
    def label(self, iri: str, lang: str) -> str:
        entity = self.entities[iri]
        return next((text for code, text in entity.labels if code == lang), entity.label)

    def phrase(self, iri: str, lang: str) -> str:
        """The label as it reads inside a sentence: concepts in lower case, with an article in Italian."""
        label = self.label(iri, lang)
        if self.entities[iri].type != "Concept":
            return label  # a service or algorithm name is a proper name
        label = lower_first(label)
        return it_article(label) if lang == "it" else label

    def _option(self, iri: str, lang: str) -> str:
        """An option as the exam prints it: Vietnamese and Italian concept labels (lower case in the graph) start with a capital."""
        label = self.label(iri, lang)
        return upper_first(label) if lang in ("vi", "it") and self.entities[iri].type == "Concept" else label

    def _text(self, entity: Entity, field: str, lang: str) -> list[str]:
        pairs = getattr(entity, field)
        return [text for code, text in pairs if code == lang] or [text for code, text in pairs if code == "en"]

    def _names_any(self, text: str, iris: Iterable[str]) -> bool:
        """True when `text` names any of the entities: by linking, or by any of its labels in plain letters."""
        linked = {m.iri for m in self.kg.link(text)}
        folded = fold(text)
        for iri in iris:
            entity = self.entities[iri]
            if iri in linked or any(len(n) > 3 and fold(n) in folded for n in (entity.label, *entity.aliases)):
                return True
        return False

    def _why_not(self, iri: str, predicate: URIRef, topic: str, lang: str) -> str:
        own = [o for o in self._own(iri, predicate) if o not in self.related_topics(topic)]
        name = local_name(str(predicate))
        return upper_first(template(lang, f"why_not.{name}").format(
            choice=self.phrase(iri, lang), purpose=self.phrase(own[0], lang), topic=self.phrase(topic, lang)))

    # ---- questions ------------------------------------------------------------------
    def question(self, fact: Fact, lang: str = "en", seed: int = 0) -> Question | None:
        """The question on `fact` in `lang`, or None when a check drops it (counted in `stats`)."""
        lang = lang if lang in STUDY_LANGUAGES else "en"
        rng = random.Random(f"{fact.id}:{seed}")
        predicate = _PREDICATE[fact.kind]
        topic = self.entities[fact.topic]
        definitions = self._text(topic, "definitions", lang)
        if not definitions:
            self.stats["dropped: the topic has no definition"] += 1
            return None
        fields = {"topic": self.phrase(fact.topic, lang), "definition": as_clause(definitions[0]),
                  "type_word": template(lang, f"type.{self.entities[fact.answer].type}")}
        problem = self.key_problem(fact, predicate)
        if problem:
            self.stats[problem] += 1
            return None
        if fact.kind == "versus":
            problem = self.versus_problem(fact, predicate)
            if problem:
                self.stats[problem] += 1
                return None
            chosen = [fact.answer, fact.other]
            prompt = template(lang, "versus").format(a=self.label(fact.answer, lang), b=self.label(fact.other, lang), **fields)
            named = []
        else:
            candidates = self._distractors(fact, predicate, rng)
            if candidates is None:
                return None
            chosen = [fact.answer, *candidates[: _CHOICES - 1]]
            prompt = template(lang, fact.kind).format(**fields)
            named = chosen
        if named and self._names_any(prompt, named):
            self.stats["dropped: the stem names a choice"] += 1
            return None
        if self.echoes(fact.answer, fact.topic, lang) and not any(self.echoes(i, fact.topic, lang) for i in chosen if i != fact.answer):
            self.stats["dropped: only the key's name echoes the topic (a give-away)"] += 1
            return None
        rng.shuffle(chosen)
        question = self._assemble(fact, lang, prompt, chosen, predicate)
        if self.checker is not None and not self.checker(question):
            self.stats["dropped: the answer engine disagrees"] += 1
            return None
        self.stats["made"] += 1
        return question

    def _assemble(self, fact: Fact, lang: str, prompt: str, chosen: list[str], predicate: URIRef) -> Question:
        name = local_name(str(predicate))
        answer_phrase = self.phrase(fact.answer, lang)
        why = upper_first(template(lang, f"why.{name}").format(answer=answer_phrase, topic=self.phrase(fact.topic, lang)))
        definition = self._text(self.entities[fact.answer], "definitions", lang)
        why_wrong = tuple("" if iri == fact.answer else self._why_not(iri, predicate, fact.topic, lang) for iri in chosen)
        tasks = self.tasks_of([fact.answer, fact.topic])
        return Question(
            id=fact.id,
            kind=fact.kind,
            lang=lang,
            prompt=prompt,
            choices=tuple(Choice(iri, self.entities[iri].name, self._option(iri, lang)) for iri in chosen),
            answers=(chosen.index(fact.answer),),
            explanation=" ".join([why, *definition[:1]]),
            predicate=str(predicate),
            topic=fact.topic,
            evidence=(self.entities[fact.answer].name, self.entities[fact.topic].name),
            passages=self._passages(fact.answer, str(predicate), fact.topic),
            tasks=tasks,
            task=self.primary_task(fact.answer, fact.topic),
            why_wrong=why_wrong,
            entities=(fact.answer, fact.topic),
            sources=self.sourced.get((fact.answer, str(predicate), fact.topic), ()),
            rivals=self.rivals(fact, predicate),
        )

    def _passages(self, answer: str, predicate: str, topic: str) -> tuple[str, ...]:
        """The passages that state the fact, then others that mention both the answer and the topic."""
        graph = self.kg.graph
        stating = list(self._stating.get((answer, predicate, topic), ()))
        about_topic = set(documents.mentioned_in(graph, topic))
        both = [c for c in documents.mentioned_in(graph, answer) if c in about_topic]
        return tuple(dict.fromkeys(stating + both))[:_PASSAGES]

    def quiz(self, n: int = 10, lang: str = "en", *, domain: str | None = None, seed: int | None = None,
             kinds: tuple[str, ...] = KINDS, recent: Iterable[str] = ()) -> tuple[Question, ...]:
        """`n` generated questions spread over the exam's domains, none recently asked; fewer if the graph runs out."""
        from .quiz_mix import QuizMix

        return QuizMix(self).quiz(n, lang, domain=domain, seed=seed, kinds=kinds, recent=recent)

    def all_questions(self, lang: str = "en") -> tuple[Question, ...]:
        """The question of every sourced fact in scope that passes the checks."""
        return tuple(q for fact in self.facts() if (q := self.question(fact, lang)) is not None)
