"""The documentation bench's converter: botocore-shaped service models become clean Markdown pages."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from aws_docs import html_to_markdown, write_docs  # noqa: E402

# Shaped like botocore's service-2.json: metadata, operations with input/errors, shapes with members.
MODEL = {
    "metadata": {"serviceFullName": "Amazon Example Speech", "serviceId": "Example"},
    "operations": {
        "StartSpeechJob": {
            "name": "StartSpeechJob",
            "input": {"shape": "StartSpeechJobRequest"},
            "errors": [{"shape": "LimitExceededException"}, {"shape": "UndocumentedError"}],
            "documentation": (
                "<p>Starts an asynchronous job that turns <code>Text</code> into speech.</p> "
                "<ul> <li> <p>Use <b>neural</b> voices for <a href=\"https://example.com/v\">better quality</a>.</p> </li> "
                "<li><p>Jobs run <i>in order</i>.</p></li> </ul>"
                "<note> <p>Jobs older than 90 days are deleted.</p> </note>"
            ),
        },
        "ListSpeechJobs": {"name": "ListSpeechJobs", "input": {"shape": "ListRequest"}, "documentation": ""},
        "OldStart": {"name": "OldStart", "deprecated": True, "documentation": "<p>Use StartSpeechJob.</p>"},
    },
    "shapes": {
        "StartSpeechJobRequest": {
            "type": "structure",
            "required": ["Text"],
            "members": {
                "Text": {"shape": "String", "documentation": "<p>The text to read aloud.</p>"},
                "Output": {"shape": "OutputLocation"},
                "Tags": {"shape": "TagList", "documentation": "<p>Labels for the job.</p>"},
            },
        },
        "OutputLocation": {
            "type": "structure",
            "documentation": "<p>Where the audio goes.</p>",
            "members": {
                "Bucket": {"shape": "String", "documentation": "<p>The S3 <code>bucket</code> name.</p>"},
                "Quiet": {"shape": "String"},
            },
        },
        "TagList": {"type": "list", "member": {"shape": "Tag"}},
        "Tag": {"type": "structure", "members": {"Key": {"shape": "String", "documentation": "<p>The tag's key.</p>"}}},
        "ListRequest": {"type": "structure", "members": {}},
        "String": {"type": "string"},
        "LimitExceededException": {"type": "structure", "documentation": "<p>You have too many jobs running.</p>"},
        "UndocumentedError": {"type": "structure"},
    },
}


def test_each_documented_operation_becomes_one_titled_page(tmp_path):
    files = write_docs([("example", MODEL)], tmp_path)

    assert [f.path for f in files] == ["example/StartSpeechJob.md"]  # empty docs and deprecated calls are left out
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.md")) == ["example/StartSpeechJob.md"]
    text = (tmp_path / "example/StartSpeechJob.md").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# Amazon Example Speech: StartSpeechJob"
    assert files[0].title == "Amazon Example Speech: StartSpeechJob"


def test_page_has_a_section_per_parameter_with_nested_members_and_errors(tmp_path):
    write_docs([("example", MODEL)], tmp_path)
    text = (tmp_path / "example/StartSpeechJob.md").read_text(encoding="utf-8")

    assert "### Text\n\nType: string. Required.\n\nThe text to read aloud." in text
    # A member without its own documentation falls back to its shape's, and lists its documented members.
    assert "### Output\n\nType: structure. Optional.\n\nWhere the audio goes." in text
    assert "- **Bucket**: The S3 `bucket` name." in text
    assert "Quiet" not in text  # undocumented nested members add nothing
    assert "- **Key**: The tag's key." in text  # members of a list's structure items
    assert "## Errors\n\n- **LimitExceededException**: You have too many jobs running.\n- **UndocumentedError**\n" in text


def test_html_markup_is_gone_but_its_words_and_structure_stay(tmp_path):
    write_docs([("example", MODEL)], tmp_path)
    text = (tmp_path / "example/StartSpeechJob.md").read_text(encoding="utf-8")

    for tag in ("<p>", "</p>", "<code>", "<ul>", "<li>", "<a ", "<b>", "<i>", "<note>", "href"):
        assert tag not in text
    assert "Starts an asynchronous job that turns `Text` into speech." in text
    assert "- Use **neural** voices for better quality." in text
    assert "- Jobs run *in order*." in text
    assert "> **Note:** Jobs older than 90 days are deleted." in text


def test_empty_or_blank_html_gives_empty_text():
    assert html_to_markdown("") == ""
    assert html_to_markdown("<p> </p>") == ""


def test_bench_scores_the_answer_file_among_distinct_files():
    from aws_docs_bench import Answer, summary

    def answer(rank, corpus=0):
        return Answer("q", "svc/Op.md", "en", "natural", "bm25", rank, (), corpus, 1.0)

    # Ranks 1, 5, 6 and missing: two within five; reciprocal ranks 1 + 1/5 + 1/6 over four questions.
    figures = summary([answer(1), answer(5, corpus=2), answer(6), answer(None, corpus=1)])

    assert figures["n"] == 4
    assert figures["file@5"] == 0.5
    assert abs(figures["mrr@10"] - (1 + 1 / 5 + 1 / 6) / 4) < 1e-12
    assert figures["corpus_in_top5"] == 0.75
    assert figures["any_corpus_in_top5"] == 0.5


def test_bench_counts_a_file_once_in_hit_order():
    from types import SimpleNamespace

    from aws_docs_bench import distinct_files

    hits = [SimpleNamespace(source=s) for s in ("aws-docs/a.md", "corpus/n.md", "aws-docs/a.md", "aws-docs/b.md")]
    assert distinct_files(SimpleNamespace(hits=hits)) == ["aws-docs/a.md", "corpus/n.md", "aws-docs/b.md"]


def test_bench_gain_over_bm25_has_an_interval_around_it():
    from aws_docs_bench import Answer, paired_gain

    def answers(ranks, mode):
        return [Answer("q", "svc/Op.md", "en", "natural", mode, rank, (), 0, 1.0) for rank in ranks]

    baseline = answers([1, 2, None, 4] * 10, "bm25")
    same = paired_gain(answers([1, 2, None, 4] * 10, "hybrid"), baseline, "mrr@10")
    better = paired_gain(answers([1, 1, 3, 4] * 10, "hybrid"), baseline, "mrr@10")

    assert same == (0.0, 0.0, 0.0)
    gain, low, high = better
    assert abs(gain - (0.5 + 1 / 3) / 4) < 1e-12
    assert 0 < low < gain < high
    assert paired_gain(answers([1, 1, 3, 4] * 10, "hybrid"), baseline, "file@5")[0] == 0.25  # the third question enters the top five


def test_docs_question_files_are_well_formed_and_the_heldout_one_asks_about_other_pages():
    from aws_docs_bench import QUESTIONS, load_questions

    dev = load_questions(QUESTIONS)
    heldout = load_questions(QUESTIONS.with_name("aws_docs_questions-heldout.jsonl"))

    for questions in (dev, heldout):
        assert len({q.q for q in questions}) == len(questions) >= 150
        assert {q.lang for q in questions} == {"en", "vi", "it"}
        assert {q.style for q in questions} <= {"paraphrase", "natural", "keywords"}
        assert all(q.file.startswith(q.service + "/") and q.file.endswith(".md") for q in questions)
    assert not {q.file for q in dev} & {q.file for q in heldout}
