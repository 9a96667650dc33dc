"""Study mode on the command line: quiz, review, learner status, export/import, and a rebuild that keeps it all."""

from __future__ import annotations

import json
import re
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import cli

pytestmark = pytest.mark.real_encoder

BANK = Path(__file__).parent / "fixtures" / "quiz_bank"


@pytest.fixture
def run(built_index):
    runner = CliRunner()

    def invoke(*args, input=None, index=built_index):
        env = {"STUDYKG_INDEX": str(index), "STUDYKG_LEARNER_DB": os.environ["STUDYKG_LEARNER_DB"], "STUDYKG_QUIZ_BANK": str(BANK)}
        return runner.invoke(cli, list(args), input=input, env=env)

    return invoke


def planned(run, *args, **options) -> list[dict]:
    """The questions a seeded quiz will ask, read with --json (which records nothing)."""
    return [json.loads(line) for line in run("quiz", "--json", *args, **options).output.splitlines()]


def replies(questions, right: bool = False) -> str:
    """Typed answers: the right ones, or the first wrong choice(s); "1,3" style for a choose-two item."""
    lines = []
    for q in questions:
        wrong = [i for i in range(len(q["choices"])) if i not in q["answers"]]
        picks = q["answers"] if right else wrong[: len(q["answers"])]
        lines.append(",".join(str(i + 1) for i in picks))
    return "\n".join(lines) + "\n"


def answered(run, exam: str = "MLA-C01") -> int:
    status = json.loads(run("learner", "status", "--json", "--exam", exam).output)
    return sum(domain["domain"]["answered"] for domain in status["domains"])


@pytest.mark.parametrize("lang", ["en", "vi", "it"])
def test_a_ten_question_quiz_in_a_terminal_moves_readiness_by_exactly_ten(run, lang):
    questions = planned(run, "-n", "10", "--lang", lang, "--seed", "4")
    assert len(questions) == 10
    assert {q["kind"] for q in questions} >= {"bank"}, "the reviewed bank is in the mix"
    result = run("quiz", "-n", "10", "--lang", lang, "--seed", "4", input=replies(questions, right=True))
    assert result.exit_code == 0, result.output
    assert result.output.count("Your answer") == 10
    assert "   1) " in result.output and "   4) " in result.output
    assert "Score: 10 of 10" in result.output
    assert "Weakest domains now:" in result.output
    assert answered(run) == 10, "each answer counts once, not once per task it touches"


def test_a_choose_two_item_takes_two_numbers(run):
    quizzes = ((seed, planned(run, "-n", "10", "--seed", str(seed))) for seed in range(50))
    seed, questions = next((seed, qs) for seed, qs in quizzes if any(len(q["answers"]) == 2 for q in qs))
    two = next(n for n, q in enumerate(questions) if len(q["answers"]) == 2)
    typed = replies(questions[:two]).splitlines() + ["2", "9,1", ",".join(str(i + 1) for i in questions[two]["answers"]), "q"]
    result = run("quiz", "-n", "10", "--seed", str(seed), input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    assert "choose 2, e.g. 1,3" in result.output
    assert result.output.count("Type 2 different numbers from 1 to 5") == 2, "one number, or one out of range, is asked again"
    assert f"Score: 1 of {two + 1}" in result.output


def test_wrong_answers_say_why_and_the_score_lists_what_was_missed(run):
    questions = planned(run, "-n", "3", "--seed", "4")
    result = run("quiz", "-n", "3", "--seed", "4", input=replies(questions))
    assert result.exit_code == 0, result.output
    assert "Score: 0 of 3" in result.output
    assert result.output.count("Not quite: the answer is ") == 3
    assert result.output.count("  missed ") == 3
    printed = " ".join(result.output.split())  # wrapped to the terminal's width, whatever it is
    for q in questions:
        picked = [i for i in range(len(q["choices"])) if i not in q["answers"]][0]
        if q["why_wrong"][picked]:
            assert f"{q['choices'][picked]['label']}: {q['why_wrong'][picked]}" in printed


def test_quitting_at_the_first_question_scores_nothing(run):
    result = run("quiz", "-n", "10", "--seed", "4", input="q\n")
    assert result.exit_code == 0, result.output
    assert "Score: 0 of 0" in result.output
    assert answered(run) == 0


def test_quiz_stats_counts_what_each_check_drops(run):
    result = run("quiz", "--stats", "--json", "--exam", "MLA-C01")
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["answer_engine_check"] == "on"
    assert set(stats["questions"]) == {"en", "vi", "it"}
    assert "facts without a stated source (never asked)" in stats["checks"]
    assert any(name.startswith("dropped: ") for name in stats["checks"])


def test_quiz_json_for_scripts(run):
    result = run("quiz", "--json", "-n", "5", "--lang", "it", "--exam", "MLS-C01", "--domain", "3", "--seed", "1")
    assert result.exit_code == 0, result.output
    questions = [json.loads(line) for line in result.output.splitlines()]
    assert questions
    for question in questions:
        assert question["lang"] == "it"
        assert all(0 <= a < len(question["choices"]) for a in question["answers"])
        assert question["evidence"] and question["tasks"] and question["sources"]
    assert answered(run, "MLS-C01") == 0, "--json records nothing"


def test_an_unknown_exam_is_one_line_and_exit_1(run):
    result = run("quiz", "--exam", "SAA-C03")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: unknown exam 'SAA-C03': choose one of MLA-C01, MLS-C01"


def test_exams_lists_the_current_exam_first(run):
    result = run("exams")
    assert result.exit_code == 0, result.output
    first, *_ = result.output.splitlines()
    assert first.startswith("MLA-C01") and "(current)" in first
    assert "MLS-C01  AWS Certified Machine Learning - Specialty  (retired 2026-03-31)" in result.output


def test_review_grades_due_cards(run):
    assert "No cards are due" in run("review").output
    added = run("learner", "add", "Polly", "--lang", "vi")
    assert added.exit_code == 0, added.output
    assert "Added: Amazon Polly là gì?" in added.output
    due = [json.loads(line) for line in run("review", "--json").output.splitlines()]
    assert len(due) == 2
    result = run("review", input="\n3\n\n4\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("next review") == 2
    assert run("review", "--json").output == ""


def test_review_json_never_writes(run, tmp_path):
    fresh = tmp_path / "fresh.db"
    result = CliRunner().invoke(cli, ["review", "--json", "--learner-db", str(fresh)], env={"STUDYKG_QUIZ_BANK": str(BANK)})
    assert result.exit_code == 0 and result.output == ""
    assert not fresh.exists(), "listing does not create the database"
    run("learner", "add", "Polly")
    before = Path(os.environ["STUDYKG_LEARNER_DB"]).read_bytes()
    refused = run("review", "--json", "--new", "5")
    assert refused.exit_code == 2 and "never writes" in refused.output
    assert len(run("review", "--json").output.splitlines()) == 2
    assert Path(os.environ["STUDYKG_LEARNER_DB"]).read_bytes() == before


def test_a_card_from_a_question_found_wrong_can_be_removed(run):
    from study.learner import Learner

    questions = planned(run, "-n", "2", "--seed", "4")
    run("quiz", "-n", "2", "--seed", "4", input=replies(questions))
    keys = lambda: {c.key for c in Learner(Path(os.environ["STUDYKG_LEARNER_DB"]), read_only=True).cards()}  # noqa: E731
    assert keys() == {f"question/{q['id']}" for q in questions}, "each answer puts its question's card in the deck"
    removed = run("learner", "remove", f"question/{questions[0]['id']}")
    assert removed.exit_code == 0, removed.output
    assert keys() == {f"question/{questions[1]['id']}"}
    missing = run("learner", "remove", "question/no-such-card")
    assert missing.exit_code == 1 and "no card 'question/no-such-card'" in missing.output


def test_the_same_question_in_another_language_is_the_same_card(opened_index, tmp_path):
    from study.learner import Learner
    from study.practice import StudySession, shipped_bank
    from study.quiz_mix import bank_question

    session = StudySession(opened_index.graph, Learner(tmp_path / "l.db"), "MLA-C01", bank=shipped_bank(BANK))
    english, italian = (bank_question(i, opened_index.graph) for i in session.bank if i.id == "fx-2.1-01" and i.lang in ("en", "it"))
    session.answer(english, 1)
    session.answer(italian, 0)
    cards = session.learner.cards()
    assert [c.key for c in cards] == ["question/fx-2.1-01"]
    assert cards[0].reviews == 2


def test_a_passage_card_from_the_index(run, built_index):
    from indexer import StudyIndex

    chunk_id = StudyIndex.open(built_index).mentioned_in("Polly")[0]
    result = run("learner", "add", "--passage", chunk_id, "--front", "What does Polly do?")
    assert result.exit_code == 0, result.output
    card = json.loads(run("review", "--json").output.splitlines()[0])
    assert card["front"] == "What does Polly do?" and card["source"] == chunk_id


def test_export_and_import_through_the_cli(run, tmp_path):
    run("quiz", "-n", "3", "--seed", "1", input=replies(planned(run, "-n", "3", "--seed", "1")))
    exported = run("learner", "export", str(tmp_path / "backup.json"))
    assert exported.exit_code == 0, exported.output
    assert "3 answers" in exported.output
    other = CliRunner().invoke(cli, ["learner", "import", str(tmp_path / "backup.json"), "--learner-db", str(tmp_path / "other.db")])
    assert other.exit_code == 0, other.output
    assert "3 answers" in other.output


def test_a_rebuild_keeps_the_learners_state(run, index_copy, corpus_copy):
    """Answers and cards live in their own database: a rebuild of the index replaces nothing of them."""
    from indexer import StudyIndex

    result = run("quiz", "-n", "5", "--seed", "2", input=replies(planned(run, "-n", "5", "--seed", "2", index=index_copy)), index=index_copy)
    assert result.exit_code == 0, result.output
    run("learner", "add", "Random Cut Forest", index=index_copy)
    before = json.loads(run("learner", "status", "--json", index=index_copy).output)
    cards = run("review", "--json", index=index_copy).output

    StudyIndex.build([corpus_copy], index_copy)

    after = json.loads(run("learner", "status", "--json", index=index_copy).output)
    assert after == before
    assert run("review", "--json", index=index_copy).output == cards
    assert not Path(after["learner_db"]).resolve().is_relative_to(index_copy.resolve())


def test_a_learner_database_inside_the_index_is_refused(run, index_copy):
    result = CliRunner().invoke(cli, ["learner", "status", "--index", str(index_copy), "--learner-db", str(index_copy / "l.db")])
    assert result.exit_code == 1
    assert "must live outside the index folder" in result.output


def test_an_answer_moves_the_other_exam_only_where_the_exams_share_a_task(tmp_path):
    """MLA-C01 task 4.3 continues MLS-C01 task 4.3; cut that link and a 4.3 answer moves nothing for MLS-C01."""
    from rdflib import URIRef

    from conftest import REAL_GRAPH
    from study.learner import Learner
    from study.practice import StudySession, shipped_bank
    from kg import KnowledgeGraph
    from study.quiz_mix import bank_question
    from kg.vocab import KG, SKG

    graph = KnowledgeGraph.load_curated(REAL_GRAPH)
    learner = Learner(tmp_path / "l.db")
    associate = StudySession(graph, learner, "MLA-C01", bank=shipped_bank(BANK))
    kms = next(bank_question(i, graph) for i in associate.bank if i.id == "fx-4.3-01" and i.lang == "en")
    associate.answer(kms, 0)

    def specialty_answered() -> dict[str, int]:
        rows = StudySession(graph, learner, "MLS-C01").readiness()
        return {t.name: t.answered for r in rows for t in r.tasks if t.answered}

    assert specialty_answered() == {"Task4_3": 1}, "counted once, in the task it continues"
    graph.graph.remove((URIRef(KG["MLA_Task4_3"]), SKG.continues, None))
    assert specialty_answered() == {}, "no shared task, no move, though KMS is MLS-C01 material"
    assert sum(r.domain.answered for r in associate.readiness()) == 1


def test_the_index_build_leaves_the_quiz_bank_to_study_mode(tmp_path, kg_graph_dir):
    """corpus/quiz/ sits beside corpus/graph/: study mode reads it; the build neither indexes nor reports it."""
    import shutil

    from indexer import StudyIndex

    corpus = tmp_path / "corpus"
    (corpus / "notes").mkdir(parents=True)
    shutil.copytree(kg_graph_dir, corpus / "graph")
    # The fixture graph's fact sources name passages this small corpus lacks; the bank is under test here.
    (corpus / "graph" / "shapes.ttl").unlink()
    shutil.copytree(BANK, corpus / "quiz")
    (corpus / "notes" / "polly.en.md").write_text("# Polly\n\nAmazon Polly turns text into speech.\n", encoding="utf-8")
    report = StudyIndex.build([corpus], tmp_path / "index", graph_dir=corpus / "graph")
    assert not [s for s in report.skipped if "quiz" in str(s.path)]
    assert [Path(d.path).name for d in StudyIndex.open(tmp_path / "index").documents()] == ["polly.en.md"]


def test_a_learner_taking_quiz_after_quiz_is_not_asked_the_same_question_again(opened_index, tmp_path):
    from study.learner import Learner
    from study.practice import StudySession, shipped_bank

    session = StudySession(opened_index.graph, Learner(tmp_path / "l.db"), "MLA-C01", bank=shipped_bank(BANK))
    quizzes = []
    for seed in range(8):
        quiz = session.quiz(10, "en", seed=seed)
        assert len(quiz) == 10
        for question in quiz:
            session.answer(question, question.answers)
        quizzes.append(quiz)
    topic = {q.id: q.entities[:1] for quiz in quizzes for q in quiz}
    assert len(topic) > 10  # the bank and the generator together offer more than one quiz's worth
    asked: set[str] = set()
    for quiz in quizzes:
        ids = {q.id for q in quiz}
        repeats = ids & asked
        if repeats:
            # A question comes back only when every one not yet asked is about an entity this quiz
            # already asks about (one question per entity in a quiz).
            quiz_topics = {e for q in quiz for e in q.entities[:1]}
            unasked = set(topic) - asked - ids
            assert all(set(topic[i]) & quiz_topics for i in unasked), (repeats, unasked)
        asked |= ids


def test_text_is_wrapped_at_word_boundaries_to_the_width():
    from indexer.cli_text import wrap

    text = ("Right. Random Cut Forest assigns an anomaly score to each record of a stream; "
            "Kinesis Data Analytics runs it over the stream with the RANDOM_CUT_FOREST function.\nSecond paragraph stays apart.")
    lines = wrap(text, "   ", "     ", width=40).splitlines()
    assert all(len(line) <= 40 for line in lines if " " in line.strip())
    assert " ".join(" ".join(lines).split()) == " ".join(text.split())  # every word whole, none cut
    assert lines[0].startswith("   Right.") and lines[1].startswith("     ")
    assert lines[-1].strip() == "Second paragraph stays apart."


def test_due_times_read_in_the_local_time_zone(monkeypatch):
    import time as time_module
    from datetime import datetime, timezone

    from indexer.cli_text import when_due

    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")  # UTC+7, no daylight saving
    time_module.tzset()
    try:
        now = datetime(2026, 12, 5, 7, 0, tzinfo=timezone.utc)
        assert when_due("2026-12-08T07:00:00.000000+00:00", now) == "in 3 days, Tue 8 Dec 14:00"
        assert when_due("2026-12-05T09:00:00.000000+00:00", now) == "in 2 hours, Sat 5 Dec 16:00"
        assert when_due("2026-12-05T06:00:00.000000+00:00", now) == "now, Sat 5 Dec 13:00"
    finally:
        monkeypatch.undo()
        time_module.tzset()


def test_review_says_when_the_next_one_is_due_without_utc_timestamps(run):
    assert run("learner", "add", "Polly").exit_code == 0
    result = run("review", input="\n3\n\n4\n")
    assert result.exit_code == 0, result.output
    assert "UTC" not in result.output
    assert re.search(r"next review in \d+ (minute|hour|day)s?, \w{3} \d{1,2} \w{3} \d\d:\d\d", result.output), result.output


def test_a_quiz_in_a_narrow_terminal_breaks_lines_between_words(run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "50")
    questions = planned(run, "-n", "3", "--seed", "7")
    result = run("quiz", "-n", "3", "--seed", "7", input=replies(questions))
    assert result.exit_code == 0, result.output
    words = {word for q in questions for word in (q["prompt"] + " " + q["explanation"]).split()}
    printed = result.output.split()
    long = [line for line in result.output.splitlines() if len(line) > 50 and line.count(" ") > 3]
    assert not long, long
    assert words <= set(printed) | {w for w in words if len(w) > 40}  # no word of a question or explanation is cut
