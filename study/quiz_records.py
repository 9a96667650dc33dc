"""The records of a practice question: plain fields only, so `asdict()` is the JSON a script reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Choice", "Fact", "Question"]


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
    iri: str  # "" for a bank item's option, which is text, not an entity
    name: str
    label: str  # in the question's language where the graph has it


@dataclass(frozen=True)
class Question:
    """One multiple-choice question; `answers` index `choices` (two for a "choose two" item).

    `id` is language-free (a bank item's id, or the fact's), so the same question asked in
    another language counts as the same question and makes the same card.
    """

    id: str
    kind: str  # "bank" for a hand-written item, else the generated kind ("service", "metric", …)
    lang: str
    prompt: str
    choices: tuple[Choice, ...]
    answers: tuple[int, ...]
    explanation: str
    predicate: str  # the IRI of the fact's predicate ("" for a bank item)
    topic: str  # IRI of the task, metric target or problem the question is about ("" for a bank item)
    evidence: tuple[str, ...]  # local names of the entities to open: the answer's first
    passages: tuple[str, ...]  # chunk ids of passages that back the answer, best first
    tasks: tuple[str, ...] = ()  # task statement IRIs of the exam this question trains
    task: str = ""  # the one task statement an answer counts for in readiness
    why_wrong: tuple[str, ...] = ()  # per choice: why it is wrong ("" for a right one)
    entities: tuple[str, ...] = ()  # IRIs the question is about, the key's first
    sources: tuple[str, ...] = ()  # "path#heading" of the corpus sections that state the fact
    rivals: tuple[str, ...] = ()  # IRIs of other right answers not offered; the answer engine must rank the key above them

    @property
    def answer(self) -> int:
        """The first right choice (the only one, except in a choose-two item)."""
        return self.answers[0]

    @property
    def right(self) -> Choice:
        return self.choices[self.answers[0]]

    @property
    def right_labels(self) -> tuple[str, ...]:
        return tuple(self.choices[i].label for i in self.answers)

    @property
    def choose(self) -> int:
        """How many choices the learner must pick."""
        return len(self.answers)

    def is_right(self, chosen: int | Iterable[int]) -> bool:
        """Right only when exactly the right choices are picked."""
        picked = {chosen} if isinstance(chosen, int) else set(chosen)
        return picked == set(self.answers)
