"""A study session: the graph, the chosen exam and the learner's database, for the CLI and the app.

It only wires the parts together (questions from `study.quiz`, cards from `study.flashcards`,
state in `learner`, readiness in `readiness`), so both front ends behave the same.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

from indexer.layout import default_graph_path
from kg.exams import ExamProfile, exam_profiles, find_exam, task_coverage

from .flashcards import CardFace, entity_cards, question_card
from .learner import Learner, StudyCard
from .quiz import QUIZ_KINDS, Question, QuizMaker
from .quiz_bank import BankItem, load_bank
from .quiz_mix import QuizMix
from .readiness import DomainReadiness, exam_readiness

__all__ = ["BANK_ENV", "ENGINE_RATIO", "PASSAGE_CARD_CHARS", "RECENT_ANSWERS", "StudySession", "default_bank_path", "engine_checker", "passage_card", "passages_in_language", "shipped_bank"]

PASSAGE_CARD_CHARS = 700  # a card's back is read in one glance; longer passages are cut at a word
# A question answered among the learner's last this-many answers is asked again only when nothing else is left.
RECENT_ANSWERS = 100


BANK_ENV = "STUDYKG_QUIZ_BANK"


def default_bank_path() -> Path:
    """``$STUDYKG_QUIZ_BANK``, else corpus/quiz/ beside the curated graph: the reviewed bank of hand-written items."""
    return Path(os.environ[BANK_ENV]).expanduser() if os.environ.get(BANK_ENV) else default_graph_path().parent / "quiz"


@lru_cache(maxsize=4)
def _bank(folder: str, stamp: tuple) -> tuple[BankItem, ...]:
    return load_bank(folder)


def shipped_bank(folder: Path | None = None) -> tuple[BankItem, ...]:
    """The bank's items, read again only when a file changes (the app makes a session per rerun)."""
    folder = Path(folder or default_bank_path())
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("bank.*.jsonl"))) if folder.is_dir() else ()
    return _bank(str(folder), stamp)


def passages_in_language(index, question: Question, k: int = 3) -> list:
    """The question's passages as chunks, those in the quiz's language first (the corpus has notes in several)."""
    chunks = []
    for chunk_id in question.passages:
        try:
            chunks.append(index.chunk(chunk_id))
        except Exception:  # noqa: BLE001 - a passage that left the index since the question was made
            continue
    chunks.sort(key=lambda c: c.lang != question.lang)  # stable: the fact's own section stays first within a language
    return chunks[:k]


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
                 maker: QuizMaker | None = None, bank: Iterable[BankItem] | None = None, checker=None) -> None:
        self.kg = kg
        self.learner = learner
        self.today = today or learner.now().date()
        self.exam: ExamProfile = find_exam(kg, exam, self.today)
        # A long-lived caller (the app) passes one maker per exam: it reads the graph's edges once.
        # `checker` (see `engine_checker`) drops generated questions the answer engine would answer otherwise.
        self.maker = maker if maker is not None and maker.exam == self.exam else QuizMaker(kg, self.exam, checker=checker)
        self.bank = tuple(bank) if bank is not None else shipped_bank()

    def exams(self) -> tuple[ExamProfile, ...]:
        return exam_profiles(self.kg)

    def quiz(self, n: int = 10, lang: str = "en", *, domain: str | None = None, seed: int | None = None,
             kinds: tuple[str, ...] = QUIZ_KINDS) -> tuple[Question, ...]:
        """Bank items and generated questions mixed, spread over the exam's domains by weight and by
        the learner's weakness there, leaving out what the learner answered recently."""
        if domain:
            self.exam.domain(domain)  # an unknown domain is one clear error, before any work
        recent = [a.question for a in self.learner.answers()[-RECENT_ANSWERS:]]
        return QuizMix(self.maker, self.bank).quiz(n, lang, domain=domain, seed=seed, kinds=kinds, recent=recent,
                                                   weights=self.domain_weights())

    def domain_weights(self) -> dict[str, float]:
        """Each domain's share of a quiz: its exam weight, times 0.5 (mastered) to 1.5 (always wrong)."""
        return {r.domain.iri: (r.domain.weight or 1) * (1.5 - r.domain.mastery) for r in self.readiness()}

    def answer(self, question: Question, chosen: int | Iterable[int]) -> bool:
        """Record the answer (one index, or two for a choose-two item); the question's card joins the deck,
        due soon when the answer was wrong. The card is keyed by the question's id, so the same
        question in another language grades the same card."""
        return self.learner.record_answer(question, chosen, self.exam.code, card=question_card(question))

    def remove_card(self, key_or_id: str | int) -> StudyCard:
        """Take a card out of the deck (say, one made from a question later found wrong); returns it."""
        card = self.learner.card(key_or_id)
        self.learner.remove_card(card.key)
        return card

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


ENGINE_RATIO = 2.0  # the key's concept probability must be at least this many times the best distractor's


def engine_checker(index, ratio: float = ENGINE_RATIO):
    """The answer-engine check for generated questions: asking the stem, the index's concept ranking
    (the model behind the concept card, over every candidate entity) puts the key above every
    distractor, with at least `ratio` times the best distractor's probability, and at least as high as
    every other right answer the graph knows (`Question.rivals`), so the key is the most fitting one.

    A question the engine would answer otherwise is one the graph and the passages do not
    clearly back, so it is not shown. Bank items are reviewed by hand and pass.
    """
    from indexer.concept_ranker import ConceptModel

    model = ConceptModel.load()
    @cache  # a search takes a while: each stem is asked once
    def ranking(prompt: str) -> dict[str, float] | None:
        try:
            return dict(model.rank(index.searcher.concept_table(prompt)))
        except Exception:  # noqa: BLE001 - a stem the search refuses is not a question we can vouch for
            return None

    def agrees(question: Question) -> bool:
        if question.kind == "bank":
            return True
        ranked = ranking(question.prompt)
        if ranked is None:
            return False
        keys = [ranked.get(question.choices[i].iri, 0.0) for i in question.answers]
        wrong = [ranked.get(c.iri, 0.0) for i, c in enumerate(question.choices) if i not in question.answers]
        # Other right answers the quiz does not offer must not outrank the key: it is then the most fitting one
        # (not the platform, not a specialised variant such as Comprehend Medical for general text).
        rivals = [ranked.get(iri, 0.0) for iri in question.rivals]
        return min(keys) > 0 and min(keys) >= ratio * max(wrong, default=0.0) and min(keys) >= max(rivals, default=0.0)

    return agrees
