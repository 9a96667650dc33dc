"""The learner's database: FSRS cards due tomorrow, answers that move readiness, export and import, kept apart from the index."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from conftest import REAL_GRAPH

from kg import KnowledgeGraph
from study.flashcards import entity_cards
from study.learner import Learner, LearnerError, default_learner_path
from study.practice import StudySession

TODAY = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = TODAY

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def graph():
    return KnowledgeGraph.load_curated(REAL_GRAPH)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def learner(tmp_path, clock):
    learner = Learner(tmp_path / "learner.db", clock=clock)
    yield learner
    learner.close()


def test_quiz_answers_put_cards_in_the_deck_due_tomorrow(graph, learner, clock):
    session = StudySession(graph, learner, "MLA-C01")
    quiz = session.quiz(10, "vi", seed=3)
    for question in quiz:
        session.answer(question, question.answer)
    assert len(learner.cards()) == 10
    assert learner.due_cards() == [], "right answers are not due again today"
    clock.now += timedelta(days=1)
    assert len(learner.due_cards()) == 10
    assert all(card.lang == "vi" for card in learner.due_cards())


def test_grading_schedules_the_next_review_further_out(graph, learner, clock):
    card = learner.add_card(entity_cards(graph, "Polly", "en")[0])
    assert card.front == "What is Amazon Polly?"
    assert [c.key for c in learner.due_cards()] == [card.key]
    first = learner.grade(card.id, "good")
    clock.now = datetime.fromisoformat(first.due)
    second = learner.grade(card.id, "good")
    assert second.state == "Review"
    assert datetime.fromisoformat(second.due) - clock.now >= timedelta(days=1)
    assert learner.due_cards() == []
    assert learner.card(card.key).reviews == 2


def test_an_unknown_grade_is_one_clear_line(graph, learner):
    card = learner.add_card(entity_cards(graph, "Polly", "en")[0])
    with pytest.raises(LearnerError, match="unknown rating 'perfect': choose one of again, hard, good, easy"):
        learner.grade(card.id, "perfect")


def test_adding_the_same_card_twice_keeps_one(graph, learner):
    face = entity_cards(graph, "Random Cut Forest", "it")[0]
    learner.add_card(face)
    learner.add_card(face)
    assert len(learner.cards()) == 1


def test_readiness_changes_after_answering_and_orders_weakest_first(graph, learner):
    session = StudySession(graph, learner, "MLA-C01")
    before = {r.domain.name: r.domain for r in session.readiness()}
    assert all(area.answered == 0 for area in before.values())
    for question in session.quiz(10, "en", domain="1", seed=5):
        session.answer(question, (question.answer + 1) % len(question.choices))  # always wrong
    after = session.readiness()
    assert after[0].domain.name == "MLA_DataPreparation", "the domain answered wrongly is the weakest"
    assert after[0].domain.answered >= 10 and after[0].domain.correct == 0
    assert after[0].tasks[0].mastery <= after[0].tasks[-1].mastery


def test_switching_exam_keeps_the_history(graph, learner):
    associate = StudySession(graph, learner, "MLA-C01")
    for question in associate.quiz(10, "en", seed=2):
        associate.answer(question, question.answer)
    specialty = StudySession(graph, learner, "MLS-C01")
    assert sum(r.domain.answered for r in specialty.readiness()) > 0
    assert {a.exam for a in learner.answers()} == {"MLA-C01"}


def test_export_and_import_round_trip(graph, learner, tmp_path, clock):
    session = StudySession(graph, learner, "MLA-C01")
    for question in session.quiz(5, "it", seed=1):
        session.answer(question, 0)
    session.add_entity_cards("Kinesis Data Firehose", "en")
    exported = learner.export(tmp_path / "backup.json")
    assert exported["answers"] == 5 and exported["cards"] >= 6

    other = Learner(tmp_path / "other.db", clock=clock)
    assert other.import_(tmp_path / "backup.json") == exported
    assert other.import_(tmp_path / "backup.json") == {"cards": 0, "reviews": 0, "answers": 0}, "importing twice adds nothing"
    assert [c.key for c in other.cards()] == [c.key for c in learner.cards()]
    assert len(other.answers()) == 5


def test_a_bad_import_changes_nothing(graph, learner, tmp_path):
    learner.add_card(entity_cards(graph, "Polly", "en")[0])
    learner.export(tmp_path / "backup.json")
    payload = json.loads((tmp_path / "backup.json").read_text())
    payload["answers"] = [{"question": "q"}]  # lacks its other fields
    (tmp_path / "broken.json").write_text(json.dumps(payload))
    fresh = Learner(tmp_path / "fresh.db")
    with pytest.raises(LearnerError, match="broken.json: a record lacks a field"):
        fresh.import_(tmp_path / "broken.json")
    assert fresh.cards() == [], "the import is one transaction"
    (tmp_path / "other.json").write_text('{"hello": 1}')
    with pytest.raises(LearnerError, match="other.json: not a studykg learner export"):
        fresh.import_(tmp_path / "other.json")


def test_the_learner_database_is_refused_inside_the_index_folder(tmp_path):
    with pytest.raises(LearnerError, match="must live outside the index folder"):
        Learner.open(tmp_path / "index" / "learner.db", index_path=tmp_path / "index")


def test_the_default_location_is_the_users_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("STUDYKG_LEARNER_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr("sys.platform", "linux")
    assert default_learner_path() == tmp_path / "data" / "studykg" / "learner.db"
    monkeypatch.setenv("STUDYKG_LEARNER_DB", str(tmp_path / "mine.db"))
    assert default_learner_path() == tmp_path / "mine.db"
