"""Study mode on the command line: quiz, review, learner status, export/import, and a rebuild that keeps it all."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import cli


@pytest.fixture
def run(built_index):
    runner = CliRunner()

    def invoke(*args, input=None, index=built_index):
        env = {"STUDYKG_INDEX": str(index), "STUDYKG_LEARNER_DB": os.environ["STUDYKG_LEARNER_DB"]}
        return runner.invoke(cli, list(args), input=input, env=env)

    return invoke


def answered(run, exam: str = "MLA-C01") -> int:
    status = json.loads(run("learner", "status", "--json", "--exam", exam).output)
    return sum(domain["domain"]["answered"] for domain in status["domains"])


@pytest.mark.parametrize("lang", ["en", "vi", "it"])
def test_a_ten_question_quiz_in_a_terminal(run, lang):
    result = run("quiz", "-n", "10", "--lang", lang, "--seed", "4", input="1\n" * 10)
    assert result.exit_code == 0, result.output
    assert result.output.count("Your answer") == 10
    assert "   1) " in result.output and "   4) " in result.output
    assert result.output.count("evidence: studykg graph show ") == 10
    assert "Score: " in result.output and " of 10" in result.output
    assert "Weakest domains now:" in result.output
    assert answered(run) > 0


def test_quiz_json_for_scripts(run):
    result = run("quiz", "--json", "-n", "10", "--lang", "it", "--exam", "MLS-C01", "--domain", "3", "--seed", "1")
    assert result.exit_code == 0, result.output
    questions = [json.loads(line) for line in result.output.splitlines()]
    assert len(questions) == 10
    for question in questions:
        assert question["lang"] == "it"
        assert 0 <= question["answer"] < len(question["choices"])
        assert question["evidence"] and question["tasks"]
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


def test_a_passage_card_from_the_index(run, built_index):
    from indexer import StudyIndex

    chunk_id = StudyIndex.open(built_index).mentioned_in("Polly")[0]
    result = run("learner", "add", "--passage", chunk_id, "--front", "What does Polly do?")
    assert result.exit_code == 0, result.output
    card = json.loads(run("review", "--json").output.splitlines()[0])
    assert card["front"] == "What does Polly do?" and card["source"] == chunk_id


def test_export_and_import_through_the_cli(run, tmp_path):
    run("quiz", "-n", "3", "--seed", "1", input="1\n" * 3)
    exported = run("learner", "export", str(tmp_path / "backup.json"))
    assert exported.exit_code == 0, exported.output
    assert "3 answers" in exported.output
    other = CliRunner().invoke(cli, ["learner", "import", str(tmp_path / "backup.json"), "--learner-db", str(tmp_path / "other.db")])
    assert other.exit_code == 0, other.output
    assert "3 answers" in other.output


def test_a_rebuild_keeps_the_learners_state(run, index_copy, corpus_copy):
    """Answers and cards live in their own database: a rebuild of the index replaces nothing of them."""
    from indexer import StudyIndex

    result = run("quiz", "-n", "5", "--seed", "2", input="1\n" * 5, index=index_copy)
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
