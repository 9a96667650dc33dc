"""Study mode in the app through AppTest: Practice, Review, readiness on the Exam map, the exam picker."""

from __future__ import annotations

import os
import re
from pathlib import Path

from test_app import assert_no_problem, open_app

PRACTICE = "app_pages/practice.py"
REVIEW = "app_pages/review.py"
EXAM_MAP = "app_pages/exam_map.py"


def take_quiz(at, answer=lambda question: 0):
    """Answer every question of the quiz on screen; returns the app after the last one."""
    at.button(key="practice_start").click().run()
    quiz = at.session_state["quiz"]
    for position, question in enumerate(quiz["questions"]):
        radio = next(r for r in at.radio if r.key.startswith(f"practice_choice_{position}_"))
        radio.set_value(answer(question)).run()
        at.button(key="practice_check").click().run()
        assert_no_problem(at)
        assert any(s.value.startswith("Right.") for s in at.success) or any("Not quite" in w.value for w in at.warning)
        assert at.get("page_link"), "each answer links to its evidence"
        at.button(key="practice_next").click().run()
    return at


def readiness_answered(at) -> dict[str, int]:
    """Answered questions per domain, read from the Exam map's readiness lines."""
    found = {}
    for markdown in at.markdown:
        text = markdown.value.replace("\\", "")  # labels are Markdown-escaped
        match = re.match(r"\*\*(\d\. [^*]+)\*\* .*? right \((\d+)/(\d+)\)", text, re.S)
        if match:
            found[match.group(1)] = int(match.group(3))
    return found


def test_a_new_learner_takes_a_ten_question_quiz_in_each_language(monkeypatch, app_index):
    for lang in ("en", "vi", "it"):
        at = open_app(monkeypatch, app_index, PRACTICE, lang=lang)
        assert_no_problem(at)
        at = take_quiz(at)
        assert len(at.session_state["quiz"]["questions"]) == 10
        assert all(q.lang == lang for q in at.session_state["quiz"]["questions"])
        assert any(s.value.startswith("Done: ") and "of 10 right" in s.value for s in at.success)


def test_readiness_on_the_exam_map_changes_after_answering(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, EXAM_MAP)
    assert_no_problem(at)
    assert readiness_answered(at) == {}, "a new learner has practised nothing"

    at = open_app(monkeypatch, app_index, PRACTICE, domain="2")
    take_quiz(at, answer=lambda q: q.answer)
    at = open_app(monkeypatch, app_index, EXAM_MAP)
    answered = readiness_answered(at)
    assert answered.get("2. ML Model Development", 0) >= 10
    practise = [link for link in at.get("page_link") if link.proto.label == "Practise this domain"]
    assert len(practise) == 4


def test_the_exam_map_follows_the_chosen_exam(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, EXAM_MAP)
    assert_no_problem(at)
    assert at.sidebar.selectbox(key="exam_pick").value == "MLA-C01"
    weights = {m.label: m.value for m in at.metric}
    assert weights["Data Preparation for Machine Learning"] == "28 %"
    assert sorted(int(v.split()[0]) for v in weights.values()) == [22, 24, 26, 28]

    at.sidebar.selectbox(key="exam_pick").set_value("MLS-C01").run()
    assert_no_problem(at)
    assert at.query_params["exam"] == "MLS-C01"
    assert sorted(int(m.value.split()[0]) for m in at.metric) == [20, 20, 24, 36]
    assert any("retired on 2026-03-31" in c.value for c in at.sidebar.caption)


def test_review_shows_due_cards_and_grades_them(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, REVIEW)
    assert_no_problem(at)
    assert {m.label: m.value for m in at.metric}["Due now"] == "0"
    at.button(key="review_new").click().run()
    assert {m.label: m.value for m in at.metric}["Due now"] == "5"

    at.button(key="review_show").click().run()
    at.button(key="review_good").click().run()
    assert_no_problem(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Due now"] == "4"
    assert metrics["Reviews"] == "1"


def test_add_to_my_cards_from_an_entity_page(monkeypatch, app_index, tmp_path):
    at = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="Polly")
    at.button(key="browse_add_cards").click().run()
    assert_no_problem(at)
    assert "Added 2 cards" in at.toast[0].value

    at = open_app(monkeypatch, app_index, REVIEW)
    assert {m.label: m.value for m in at.metric}["Cards"] == "2"
    export = at.get("download_button")[0]
    assert export is not None


def test_learner_database_lives_apart_from_the_index(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, REVIEW)
    learner_path = Path(os.environ["STUDYKG_LEARNER_DB"])
    assert not learner_path.resolve().is_relative_to(Path(app_index).resolve())
    assert any(str(learner_path) in c.value.replace("\\", "") for c in at.caption), "the page says where the state lives"
