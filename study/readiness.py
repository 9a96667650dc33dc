"""Readiness per exam domain and task statement: how well the learner answers, and what is due.

Each answer counts once, for one task statement: the one it was asked for (a bank item's
task, or the generated question's primary task), kept with the answer. Counted per task tag
instead, 20 answers became 51 domain attempts. Viewed under another exam, an answer counts
only where the two exams share ground: an MLA-C01 task statement `continues` the MLS-C01 ones
it covers, so an answer for MLA-C01 task 1.1 moves MLS-C01 task 1.1 or 1.2, and an answer on
a task the other exam lacks moves nothing there. Answers from before tasks were kept take
the task their entities give in the exam they were answered for.

Cards store the entities they are about; their tasks come from the chosen exam's coverage.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from kg.exams import ExamProfile, exam_profiles, task_coverage
from kg.vocab import SKG

from .learner import AnswerRecord, Learner

__all__ = ["AreaReadiness", "DomainReadiness", "answer_tasks", "carried_over", "exam_readiness", "shared_tasks"]


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


def _links(kg) -> dict[str, set[str]]:
    """Task statement IRI -> the task statements of other exams it continues or is continued by."""
    links: dict[str, set[str]] = defaultdict(set)
    for newer, older in kg.graph.subject_objects(SKG.continues):
        links[str(newer)].add(str(older))
        links[str(older)].add(str(newer))
    return links


def shared_tasks(kg, exam: ExamProfile, other: ExamProfile) -> tuple[str, ...]:
    """The task statements of `exam` that share ground with `other` (an skg:continues link either way)."""
    links, theirs = _links(kg), {t.iri for t in other.tasks}
    return tuple(t.iri for t in exam.tasks if links.get(t.iri, set()) & theirs)


def _first(tasks: set[str], order: list[str]) -> str:
    return min(tasks, key=order.index) if tasks else ""


def answer_tasks(kg, exam: ExamProfile, answers: list[AnswerRecord]) -> list[str]:
    """The one task statement of `exam` each answer counts for ("" where it counts for none)."""
    profiles = {e.code: e for e in exam_profiles(kg)}
    coverages: dict[str, dict[str, tuple[str, ...]]] = {}

    def coverage(profile: ExamProfile) -> dict[str, tuple[str, ...]]:
        if profile.code not in coverages:
            coverages[profile.code] = task_coverage(kg, profile)
        return coverages[profile.code]

    links, mine = _links(kg), [t.iri for t in exam.tasks]
    found = []
    for answer in answers:
        own = profiles.get(answer.exam, exam)
        task = answer.task
        if not task:  # an answer kept before tasks were: the task its entities give in its own exam
            order, cover = [t.iri for t in own.tasks], coverage(own)
            key, rest = answer.entities[:1], answer.entities[1:]
            key_tasks = {t for iri in key for t in cover.get(iri, ())}
            rest_tasks = {t for iri in rest for t in cover.get(iri, ())}
            task = _first(key_tasks & rest_tasks, order) or _first(key_tasks, order) or _first(rest_tasks, order)
        if not task or task in mine:
            found.append(task)
            continue
        shared = links.get(task, set()) & set(mine)
        covered = {t for iri in answer.entities for t in coverage(exam).get(iri, ())} & shared
        found.append(_first(covered, mine) or _first(shared, mine))
    return found


def carried_over(kg, exam: ExamProfile, learner: Learner) -> dict[str, tuple[int, int]]:
    """Other exam code -> (answers for it that count for `exam`, all its answers), for the Exam map's note."""
    answers = [a for a in learner.answers() if a.exam != exam.code]
    counted: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for answer, task in zip(answers, answer_tasks(kg, exam, answers)):
        total[answer.exam] += 1
        counted[answer.exam] += bool(task)
    return {code: (counted[code], total[code]) for code in sorted(total)}


def exam_readiness(kg, exam: ExamProfile, learner: Learner) -> tuple[DomainReadiness, ...]:
    """Readiness of every domain and task statement of `exam`, weakest domain first; each answer counts once."""
    coverage = task_coverage(kg, exam)
    answered: dict[str, int] = defaultdict(int)
    correct: dict[str, int] = defaultdict(int)
    answers = learner.answers()
    for answer, task in zip(answers, answer_tasks(kg, exam, answers)):
        if task:
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
