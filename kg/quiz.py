"""Practice questions generated from the graph's facts, with exactly one right answer each.

A question stands on one fact (`usedFor`, `measures` or `remedyFor`). The scenario is the
topic's definition and one of its keywords in the learner's language, phrased by the
templates in `quiz_text`. Distractors come from the answer's `comparedWith`/`alternativeTo`
neighbours first, then from entities of the same kind, and every one is checked against the
graph: nothing that is used for (supports, measures, remedies) the topic, a broader or a
narrower topic, nor a part or whole of such an entity, may appear as a wrong choice. The
scenario may not name any of the choices.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from rdflib import URIRef
from rdflib.namespace import SKOS

from . import documents
from .exams import ExamProfile, task_coverage
from .folding import fold
from .quiz_text import QUIZ_LANGUAGES, lower_first, template, upper_first
from .records import Entity
from .vocab import SKG

__all__ = ["KINDS", "Choice", "Fact", "Question", "QuizMaker"]

KINDS = ("service", "metric", "remedy", "versus")
_PREDICATE = {"service": SKG.usedFor, "versus": SKG.usedFor, "metric": SKG.measures, "remedy": SKG.remedyFor}
# What else makes an entity right for a topic: offering the task counts like being used for it.
# A metric "evaluates" a task, which a learner also reads as being used for it.
_ALSO_RIGHT = {SKG.usedFor: (SKG.usedFor, SKG.supports, SKG.measures), SKG.measures: (SKG.measures,), SKG.remedyFor: (SKG.remedyFor,)}
_CHOICES = 4
_PASSAGES = 3
_SPECIFIC = 4  # a contrast question's purpose is served by at most this many entities


@dataclass(frozen=True)
class Fact:
    """The graph fact a question asks about: `answer` -predicate-> `topic` (plus `other` for A vs B)."""

    kind: str
    answer: str
    topic: str
    other: str = ""

    @property
    def id(self) -> str:
        """Stable and language-free, so answers in any language count for the same question."""
        parts = [self.kind, self.answer, self.topic] + ([self.other] if self.other else [])
        return "/".join(p.rsplit("#", 1)[-1] for p in parts)


@dataclass(frozen=True)
class Choice:
    iri: str
    name: str
    label: str  # in the question's language where the graph has it


@dataclass(frozen=True)
class Question:
    """One multiple-choice question; `answer` indexes `choices`. Plain fields only, for JSON."""

    id: str
    kind: str
    lang: str
    prompt: str
    choices: tuple[Choice, ...]
    answer: int
    explanation: str
    predicate: str  # the IRI of the fact's predicate
    topic: str  # IRI of the task, metric target or problem the question is about
    evidence: tuple[str, ...]  # local names of the entities to open: the answer, then the topic
    passages: tuple[str, ...]  # chunk ids of passages that mention the answer (and the topic, where any do)
    tasks: tuple[str, ...] = ()  # task statement IRIs of the exam this question trains

    @property
    def right(self) -> Choice:
        return self.choices[self.answer]

    def is_right(self, index: int) -> bool:
        return index == self.answer


class QuizMaker:
    """Builds questions over one loaded graph (curated, or an index's graph with its passages).

    Example::

        maker = QuizMaker(kg, exam=find_exam(kg, "MLA-C01"))
        quiz = maker.quiz(n=10, lang="vi", seed=1)
    """

    def __init__(self, kg, exam: ExamProfile | None = None) -> None:
        self.kg = kg
        self.exam = exam
        self.entities = kg.entities
        self._inverses: dict[URIRef, dict[str, set[str]]] = {}
        self._right: dict[tuple[URIRef, str], frozenset[str]] = {}

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

    # ---- facts ----------------------------------------------------------------------
    def facts(self, domain: str | None = None) -> tuple[Fact, ...]:
        """Every fact a question can stand on, within the exam (and one of its domains) when given."""
        found: list[Fact] = []
        for kind, types in (("service", ("Service", "Algorithm")), ("metric", ("Concept",)), ("remedy", ("Concept",))):
            for s, objects in sorted(self._edges[_PREDICATE[kind]].items()):
                if self.entities[s].type not in types:
                    continue
                found += [Fact(kind, s, o) for o in sorted(objects) if self.entities[o].type == "Concept"]
        for a, others in sorted(self._neighbours.items()):
            for b in sorted(others):
                if self.entities[a].type not in ("Service", "Algorithm", "Concept") or self.entities[b].type != self.entities[a].type:
                    continue
                # A contrast is fair when each of the two has a purpose the other lacks, and the
                # question asks about a specific purpose (few entities serve it): two similar
                # tools both "used for ETL" would make the graph's silence the only judge.
                own_b = [u for u in self._edges[SKG.usedFor].get(b, ()) if a not in self.right_answers(SKG.usedFor, u)]
                if not own_b:
                    continue
                for topic in sorted(self._edges[SKG.usedFor].get(a, ())):
                    right = self.right_answers(SKG.usedFor, topic)
                    if b not in right and len(right) <= _SPECIFIC:
                        found.append(Fact("versus", a, topic, b))
        if self._coverage is not None:
            found = [f for f in found if f.answer in self._coverage]
            if domain:
                tasks = {t.iri for t in self.exam.domain(domain).tasks}
                found = [f for f in found if tasks & set(self.tasks_of([f.answer, f.topic]))]
        return tuple(found)

    # ---- questions ------------------------------------------------------------------
    def label(self, iri: str, lang: str) -> str:
        entity = self.entities[iri]
        return next((text for code, text in entity.labels if code == lang), entity.label)

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

    @cached_property
    def _texts(self) -> dict[str, str]:
        """Each entity's definitions and keywords in all languages, folded, for `_describes_topic`."""
        return {iri: fold(" ".join(t for _, t in (*e.definitions, *e.keywords))) for iri, e in self.entities.items()}

    @cached_property
    def _topic_patterns(self) -> dict[str, re.Pattern]:
        return {}

    def _describes_topic(self, iri: str, topic: str) -> bool:
        """True when an entity's own definition or keywords name the topic (or a broader or narrower one):
        the graph may lack the edge, but the text says the entity is about it, so it is no wrong choice."""
        pattern = self._topic_patterns.get(topic)
        if pattern is None:
            names = {fold(n) for t in self.related_topics(topic) for n in (self.entities[t].label, *self.entities[t].aliases) if len(n) > 3}
            alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
            pattern = self._topic_patterns[topic] = re.compile(rf"\b(?:{alternatives})\b" if alternatives else r"(?!)")
        return bool(pattern.search(self._texts[iri]))

    def _distractors(self, fact: Fact, predicate: URIRef, rng: random.Random) -> list[str]:
        answer = self.entities[fact.answer]
        wrong_pool = self.right_answers(predicate, fact.topic)
        if fact.kind == "service":
            # A wrong choice is something whose purpose the graph knows, and that purpose is not this one.
            known = set(self._edges[SKG.usedFor]) | set(self._edges[SKG.supports])
            pool = {i for i in known if self.entities[i].type == answer.type}
        else:
            pool = set(self._edges[predicate])  # other metrics, other remedies
        if self.exam and self.exam.in_scope and answer.type == "Service":
            pool &= set(self.exam.in_scope)
        pool = {i for i in pool - wrong_pool if not self._describes_topic(i, fact.topic)}
        near = sorted(pool & self._neighbours.get(fact.answer, set()))
        rest = sorted(pool - set(near))
        rng.shuffle(near)
        rng.shuffle(rest)
        return near + rest

    def question(self, fact: Fact, lang: str = "en", seed: int = 0) -> Question | None:
        """The question on `fact` in `lang`, or None when the graph cannot give it one right answer."""
        lang = lang if lang in QUIZ_LANGUAGES else "en"
        rng = random.Random(f"{fact.id}:{seed}")
        predicate = _PREDICATE[fact.kind]
        topic = self.entities[fact.topic]
        topic_label = self.label(fact.topic, lang)
        if fact.kind == "versus":
            if fact.other in self.right_answers(predicate, fact.topic) or self._describes_topic(fact.other, fact.topic):
                return None
            chosen = [fact.answer, fact.other]
            prompt = template(lang, "versus").format(a=self.label(fact.answer, lang), b=self.label(fact.other, lang), topic=lower_first(topic_label))
        else:
            candidates = self._distractors(fact, predicate, rng)
            definitions = self._text(topic, "definitions", lang)
            keywords = self._text(topic, "keywords", lang)
            rng.shuffle(keywords)
            chosen = [fact.answer]
            for iri in candidates:
                if len(chosen) == _CHOICES:
                    break
                chosen.append(iri)
            if len(chosen) < _CHOICES or not definitions:
                return None
            fields = {"definition": definitions[0], "topic": topic_label, "type_word": template(lang, f"type.{self.entities[fact.answer].type}")}
            prompt = ""
            for keyword in keywords or [""]:
                text = template(lang, fact.kind).format(keyword=keyword, **fields)
                if not self._names_any(text, chosen):
                    prompt = text
                    break
            if not prompt:
                return None
        rng.shuffle(chosen)
        choices = tuple(Choice(iri, self.entities[iri].name, self.label(iri, lang)) for iri in chosen)
        answer_label = self.label(fact.answer, lang)
        why = upper_first(template(lang, f"why.{str(predicate).rsplit('#', 1)[-1]}").format(answer=answer_label, topic=lower_first(topic_label)))
        definition = self._text(self.entities[fact.answer], "definitions", lang)
        return Question(
            id=fact.id,
            kind=fact.kind,
            lang=lang,
            prompt=prompt,
            choices=choices,
            answer=chosen.index(fact.answer),
            explanation=" ".join([why, *definition[:1]]),
            predicate=str(predicate),
            topic=fact.topic,
            evidence=(self.entities[fact.answer].name, topic.name),
            passages=self._passages(fact.answer, fact.topic),
            tasks=self.tasks_of([fact.answer, fact.topic]),
        )

    def _passages(self, answer: str, topic: str) -> tuple[str, ...]:
        """Passages that mention both the answer and the topic, else the answer alone."""
        graph = self.kg.graph
        about_answer = documents.mentioned_in(graph, answer)
        if not about_answer:
            return ()
        about_topic = set(documents.mentioned_in(graph, topic))
        both = [c for c in about_answer if c in about_topic]
        return tuple((both or list(about_answer))[:_PASSAGES])

    def quiz(self, n: int = 10, lang: str = "en", *, domain: str | None = None, seed: int | None = None,
             kinds: tuple[str, ...] = KINDS) -> tuple[Question, ...]:
        """`n` questions drawn across the kinds, no answer or topic twice; fewer only if the graph runs out."""
        rng = random.Random(seed)
        by_kind: dict[str, list[Fact]] = defaultdict(list)
        for fact in self.facts(domain):
            if fact.kind in kinds:
                by_kind[fact.kind].append(fact)
        for facts in by_kind.values():
            rng.shuffle(facts)
        order = [k for k in kinds if by_kind[k]]
        # Most facts are "which service": take the kinds in turn so each quiz mixes them, and
        # within a kind prefer the domain asked least so far, so one quiz moves every domain.
        domain_of = {t.iri: d.iri for d in self.exam.domains for t in d.tasks} if self.exam else {}
        asked: Counter[str] = Counter()

        def spread(fact: Fact) -> int:
            domains = {domain_of[t] for t in self.tasks_of([fact.answer, fact.topic]) if t in domain_of}
            return min((asked[d] for d in domains), default=0)

        questions: list[Question] = []
        used: set[str] = set()
        for kind in [k for _ in range(n) for k in order]:
            if len(questions) == n:
                break
            pool = by_kind[kind]
            while pool:
                fact = pool.pop(min(range(len(pool)), key=lambda i: (spread(pool[i]), -i)))
                if fact.answer in used or fact.topic in used:
                    continue
                made = self.question(fact, lang, seed or 0)
                if made:
                    questions.append(made)
                    used |= {fact.answer, fact.topic}
                    asked.update({domain_of[t] for t in made.tasks if t in domain_of})
                    break
        return tuple(questions)

    def all_questions(self, lang: str = "en") -> tuple[Question, ...]:
        """The question of every fact in scope (those the graph can give one right answer)."""
        return tuple(q for fact in self.facts() if (q := self.question(fact, lang)) is not None)
