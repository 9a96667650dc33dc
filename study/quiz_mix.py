"""One quiz from two sources, the reviewed bank and the generator, spread so it does not repeat itself.

Questions are drawn per exam domain: each domain gets a share of the quiz by its weight in the
exam (times the learner's weakness there, when the caller passes weights), so a quiz moves the
whole exam, and more where the learner is weak. Within a domain the reviewed bank comes first
and generated questions fill what it lacks (and serve an exam without a bank), each in random
order, so a kind with few facts (metrics) is not asked in every quiz; questions the learner was
asked recently come last, used only when a domain runs out. No entity is the key of two
questions in one quiz.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from kg import documents
from kg.vocab import KG

from .quiz import QUIZ_KINDS
from .quiz_bank import BankItem
from .quiz_records import Choice, Question

__all__ = ["QuizMix", "bank_question", "quotas"]


@dataclass(frozen=True)
class _Candidate:
    id: str
    source: str  # "bank" or "generated"
    domain: str  # domain IRI, "" without an exam
    make: Callable[[], Question | None]


def bank_question(item: BankItem, kg, tasks: Iterable[str] = ()) -> Question:
    """A bank item as a `Question`: its options are text; its entities (those the graph has) are the evidence."""
    known = [KG[name] for name in item.entities if str(KG[name]) in kg.entities]
    passages: tuple[str, ...] = ()
    if known:
        mentioned = documents.mentioned_in(kg.graph, str(known[0]))
        sourced_docs = {source.split("#", 1)[0] for source in item.sources}
        # The passages of the item's own sources first, then others that mention the key's entity.
        passages = tuple(sorted(mentioned, key=lambda c: not any(c.split("#", 1)[0].endswith(d) for d in sourced_docs))[:8])
    task = str(KG[item.task])
    return Question(
        id=item.id,
        kind="bank",
        lang=item.lang,
        prompt=item.stem,
        choices=tuple(Choice("", "", text) for text in item.choices),
        answers=item.answers,
        explanation=item.explanation,
        predicate="",
        topic="",
        evidence=tuple(kg.entities[str(iri)].name for iri in known),
        passages=passages,
        tasks=tuple(tasks) or (task,),
        task=task,
        why_wrong=item.why_wrong,
        entities=tuple(str(iri) for iri in known),
        sources=item.sources,
    )


def quotas(n: int, weights: Mapping[str, float], rng: random.Random) -> dict[str, int]:
    """Split `n` questions over the keys in proportion to `weights` (largest remainder, ties at random)."""
    total = sum(max(w, 0.0) for w in weights.values())
    if not weights or total <= 0:
        return {key: 0 for key in weights}
    exact = {key: n * max(w, 0.0) / total for key, w in weights.items()}
    shares = {key: int(value) for key, value in exact.items()}
    order = sorted(weights, key=lambda key: (-(exact[key] - shares[key]), rng.random()))
    for key in order[: n - sum(shares.values())]:
        shares[key] += 1
    return shares


class QuizMix:
    """Draws quizzes from a `QuizMaker` and, optionally, bank items.

    Example::

        mix = QuizMix(maker, bank=load_bank("corpus/quiz"))
        mix.quiz(10, "it", seed=1, recent={"mla-1.1-01"}, weights={domain_iri: 0.3, ...})
    """

    def __init__(self, maker, bank: Sequence[BankItem] = ()) -> None:
        self.maker = maker
        self.exam = maker.exam
        self.bank = tuple(bank)
        self._domain_of = {t.iri: d.iri for d in self.exam.domains for t in d.tasks} if self.exam else {}
        self._facts: dict[str | None, tuple] = {}

    def _in_domain(self, task: str, domain: str | None) -> bool:
        if not domain:
            return True
        return task in {t.iri for t in self.exam.domain(domain).tasks}

    def bank_items(self, lang: str, domain: str | None = None) -> list[BankItem]:
        """The bank's items for this exam and language (and domain)."""
        if self.exam is None:
            return []
        tasks = {t.iri for t in self.exam.tasks}
        return [i for i in self.bank if i.lang == lang and i.exam == self.exam.code and str(KG[i.task]) in tasks
                and self._in_domain(str(KG[i.task]), domain)]

    def candidates(self, lang: str, domain: str | None, kinds: Sequence[str]) -> list[_Candidate]:
        found = [
            _Candidate(item.id, "bank", self._domain_of.get(str(KG[item.task]), ""),
                       lambda item=item: bank_question(item, self.maker.kg))
            for item in self.bank_items(lang, domain)
        ]
        if domain not in self._facts:
            self._facts[domain] = self.maker.facts(domain)
        within = [t.iri for t in self.exam.domain(domain).tasks] if domain else None
        for fact in self._facts[domain]:
            if fact.kind not in kinds:
                continue
            task = self.maker.primary_task(fact.answer, fact.topic, within)
            found.append(_Candidate(fact.id, "generated", self._domain_of.get(task, ""),
                                    lambda fact=fact, task=task: self._generated(fact, lang, task)))
        return found

    def _generated(self, fact, lang: str, task: str) -> Question | None:
        question = self.maker.question(fact, lang)
        return replace(question, task=task) if question is not None and task != question.task else question

    @staticmethod
    def _order(candidates: list[_Candidate], rng: random.Random, recent: set[str]) -> list[_Candidate]:
        """The reviewed bank first, then generated questions to fill the gaps, each shuffled; recently asked ones last.

        A bank item passed an expert's review; a generated one only passed automatic checks, so it is
        asked where the bank has nothing fresh left (and for an exam without a bank)."""
        ordered: list[_Candidate] = []
        for stale in (False, True):
            group = [c for c in candidates if (c.id in recent) == stale]
            bank = [c for c in group if c.source == "bank"]
            made = [c for c in group if c.source != "bank"]
            rng.shuffle(bank)
            rng.shuffle(made)
            ordered += bank + made
        return ordered

    def quiz(self, n: int = 10, lang: str = "en", *, domain: str | None = None, seed: int | None = None,
             kinds: Sequence[str] = QUIZ_KINDS, recent: Iterable[str] = (),
             weights: Mapping[str, float] | None = None) -> tuple[Question, ...]:
        """`n` questions (fewer only when both sources run out), spread over domains by `weights`.

        `weights` maps domain IRIs to relative shares (default: the exam's weights); `recent`
        holds question ids to ask only when nothing else is left.
        """
        rng = random.Random(seed)
        recent = set(recent)
        by_domain: dict[str, list[_Candidate]] = defaultdict(list)
        for candidate in self.candidates(lang, domain, kinds):
            by_domain[candidate.domain].append(candidate)
        queues = {d: self._order(items, rng, recent) for d, items in by_domain.items()}
        default = {d.iri: float(d.weight or 1) for d in self.exam.domains} if self.exam else {}
        share = {d: (weights or default).get(d, 1.0 if not (weights or default) else 0.0) for d in queues}
        if not any(share.values()):
            share = {d: 1.0 for d in queues}
        picked: list[Question] = []
        keys: set[str] = set()

        def take(queue: list[_Candidate], limit: int) -> None:
            count = 0
            while queue and count < limit and len(picked) < n:
                question = queue.pop(0).make()
                if question is None or (question.entities and question.entities[0] in keys):
                    continue
                picked.append(question)
                keys.update(question.entities[:1])
                count += 1

        fresh = {d: [c for c in q if c.id not in recent] for d, q in queues.items()}
        stale = {d: [c for c in q if c.id in recent] for d, q in queues.items()}
        for d, quota in quotas(n, share, rng).items():
            take(fresh[d], quota)
        # A domain that ran short leaves its share to the others: every fresh question anywhere
        # comes before one asked recently.
        for pool in (fresh, stale):
            for d in sorted(pool, key=lambda d: (-share[d], d)):
                take(pool[d], n)
        rng.shuffle(picked)
        return tuple(picked)
