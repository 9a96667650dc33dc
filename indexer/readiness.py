"""Readiness per exam domain and task statement: how well the learner answers, and what is due.

Answers and cards store the entities they are about, not the exam's tasks; the tasks come
from the chosen exam's coverage when readiness is computed. So history carries over when
the learner switches exam: a right answer about Amazon Polly counts for MLS-C01 task 4.2
and for MLA-C01 task 2.1 alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kg.exams import ExamProfile, task_coverage

from .learner import Learner

__all__ = ["AreaReadiness", "DomainReadiness", "exam_readiness"]


@dataclass(frozen=True)
class AreaReadiness:
    """One domain or task statement: answers, right answers, cards and due cards."""

    iri: str
    name: str
    number: str
    label: str
    weight: int | None
    answered: int
    correct: int
    cards: int
    due: int

    @property
    def accuracy(self) -> float | None:
        """Share of right answers, None before the first answer."""
        return self.correct / self.answered if self.answered else None

    @property
    def mastery(self) -> float:
        """Accuracy with one right and one wrong imagined answer (Laplace): 0.5 untried, near 0 when
        always wrong. It orders areas so that an untried area ranks above a mastered one and below
        one the learner keeps getting wrong."""
        return (self.correct + 1) / (self.answered + 2)


@dataclass(frozen=True)
class DomainReadiness:
    domain: AreaReadiness
    tasks: tuple[AreaReadiness, ...]  # weakest first


def _weakest_first(area: AreaReadiness) -> tuple[float, float, int, str]:
    # Weaker mastery first; between equals, the heavier domain and the one with more due cards.
    return (area.mastery, -(area.weight or 0), -area.due, area.number)


def exam_readiness(kg, exam: ExamProfile, learner: Learner) -> tuple[DomainReadiness, ...]:
    """Readiness of every domain and task statement of `exam`, weakest domain first."""
    coverage = task_coverage(kg, exam)
    answered: dict[str, int] = defaultdict(int)
    correct: dict[str, int] = defaultdict(int)
    for answer in learner.answers():
        for task in {t for iri in answer.entities for t in coverage.get(iri, ())}:
            answered[task] += 1
            correct[task] += answer.correct
    cards: dict[str, int] = defaultdict(int)
    due: dict[str, int] = defaultdict(int)
    due_keys = {c.key for c in learner.due_cards()}
    for card in learner.cards():
        for task in {t for iri in card.entities for t in coverage.get(iri, ())}:
            cards[task] += 1
            due[task] += card.key in due_keys
    result = []
    for domain in exam.domains:
        tasks = tuple(
            AreaReadiness(t.iri, t.name, t.number, t.label, None, answered[t.iri], correct[t.iri], cards[t.iri], due[t.iri])
            for t in domain.tasks
        )
        totals = [sum(getattr(t, field) for t in tasks) for field in ("answered", "correct", "cards", "due")]
        area = AreaReadiness(domain.iri, domain.name, domain.number, domain.label, domain.weight, *totals)
        result.append(DomainReadiness(area, tuple(sorted(tasks, key=_weakest_first))))
    return tuple(sorted(result, key=lambda d: _weakest_first(d.domain)))
