"""A study session: the graph, the chosen exam and the learner's database, for the CLI and the app.

It only wires the parts together (questions from `kg.quiz`, cards from `kg.flashcards`,
state in `learner`, readiness in `readiness`), so both front ends behave the same.
"""

from __future__ import annotations

from datetime import date

from kg.exams import ExamProfile, exam_profiles, find_exam, task_coverage
from kg.flashcards import CardFace, entity_cards
from kg.quiz import KINDS, Question, QuizMaker

from .learner import Learner, StudyCard
from .readiness import DomainReadiness, exam_readiness

__all__ = ["PASSAGE_CARD_CHARS", "StudySession", "passage_card"]

PASSAGE_CARD_CHARS = 700  # a card's back is read in one glance; longer passages are cut at a word


def passage_card(chunk, entities: list[str] | tuple[str, ...] = (), front: str | None = None) -> CardFace:
    """A card made from an indexed passage: its heading (or the learner's own question) on the front."""
    text = " ".join(chunk.text.split())
    if len(text) > PASSAGE_CARD_CHARS:
        text = text[:PASSAGE_CARD_CHARS].rsplit(" ", 1)[0] + " …"
    heading = chunk.heading or chunk.title or chunk.source
    return CardFace(f"passage/{chunk.chunk_id}", "passage", chunk.lang or "en", (front or "").strip() or heading,
                    text, tuple(entities), chunk.chunk_id)


class StudySession:
    """Quiz, cards and readiness for one learner and one exam.

    Example::

        session = StudySession(index.graph, Learner.open(), exam="MLA-C01")
        for question in session.quiz(10, lang="it"):
            session.answer(question, 0)
        session.readiness()[0].domain.label      # the weakest domain
    """

    def __init__(self, kg, learner: Learner, exam: str | None = None, today: date | None = None,
                 maker: QuizMaker | None = None) -> None:
        self.kg = kg
        self.learner = learner
        self.today = today or learner.now().date()
        self.exam: ExamProfile = find_exam(kg, exam, self.today)
        # A long-lived caller (the app) passes one maker per exam: it reads the graph's edges once.
        self.maker = maker if maker is not None and maker.exam == self.exam else QuizMaker(kg, self.exam)

    def exams(self) -> tuple[ExamProfile, ...]:
        return exam_profiles(self.kg)

    def quiz(self, n: int = 10, lang: str = "en", *, domain: str | None = None, seed: int | None = None,
             kinds: tuple[str, ...] = KINDS) -> tuple[Question, ...]:
        return self.maker.quiz(n, lang, domain=domain, seed=seed, kinds=kinds)

    def answer(self, question: Question, chosen: int) -> bool:
        """Record the answer; the answer's card joins the deck, due soon when the answer was wrong."""
        cards = entity_cards(self.kg, question.right.iri, question.lang)
        return self.learner.record_answer(question, chosen, self.exam.code, card=cards[-1] if cards else None)

    def add_entity_cards(self, name: str, lang: str = "en") -> list[StudyCard]:
        """"Add to my cards" on an entity: its definition card and its uses card."""
        return [self.learner.add_card(face) for face in entity_cards(self.kg, name, lang)]

    def add_new_cards(self, n: int, lang: str = "en") -> list[StudyCard]:
        """Up to `n` new cards on entities of the weakest task statements that have no card yet."""
        coverage = task_coverage(self.kg, self.exam)
        carded = {iri for card in self.learner.cards() for iri in card.entities}
        # One queue per task statement, weakest first; take from each in turn so new cards spread.
        queues = [
            [iri for iri, tasks in sorted(coverage.items()) if task.iri in tasks and iri not in carded]
            for domain in self.readiness()
            for task in domain.tasks
        ]
        added: list[StudyCard] = []
        while len(added) < n and any(queues):
            for queue in queues:
                while queue and len(added) < n:
                    iri = queue.pop(0)
                    if iri in carded:
                        continue
                    carded.add(iri)
                    faces = entity_cards(self.kg, iri, lang)
                    if faces:
                        added.append(self.learner.add_card(faces[0]))
                        break
        return added

    def readiness(self) -> tuple[DomainReadiness, ...]:
        return exam_readiness(self.kg, self.exam, self.learner)
