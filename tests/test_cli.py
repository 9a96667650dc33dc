import json

import pytest
from click.testing import CliRunner

from indexer.cli import cli

pytestmark = pytest.mark.real_encoder

HIT_KEYS = {"chunk_id", "source", "heading", "text", "lang", "score", "entities", "why"}


@pytest.fixture
def run(built_index):
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, list(args), input=input, env={"STUDYKG_INDEX": str(built_index)})

    return invoke


def _check_schema(obj: dict) -> None:
    assert set(obj) == {"query", "in_material", "entities", "from_your_notes", "hits"}
    for hit in obj["from_your_notes"]:
        assert set(hit) == HIT_KEYS
    for entity in obj["entities"]:
        assert set(entity) == {"iri", "label", "aliases", "type", "score"}
        assert isinstance(entity["aliases"], list) and isinstance(entity["score"], float)
    for hit in obj["hits"]:
        assert set(hit) == HIT_KEYS
        assert set(hit["why"]) == {"dense_rank", "lexical_rank", "entities"}
        assert all(set(e) == {"iri", "label"} for e in hit["entities"])
        assert hit["why"]["dense_rank"] is None or isinstance(hit["why"]["dense_rank"], int)


def test_ask_json_schema(run):
    result = run("ask", "--json", "-k", "3", "which service converts text to speech?")
    assert result.exit_code == 0, result.output
    obj = json.loads(result.output)
    _check_schema(obj)
    assert len(obj["hits"]) == 3 and obj["entities"][0]["label"] == "Amazon Polly"


def test_ask_reads_questions_from_stdin_as_json_lines(run):
    result = run("ask", "-", "-k", "2", input="what is RCF?\n\nKinesis Firehose\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["query"] for line in lines] == ["what is RCF?", "Kinesis Firehose"]
    for line in lines:
        _check_schema(line)
        assert len(line["hits"]) == 2


def test_ask_prints_readable_hits(run):
    result = run("ask", "Kinesis Data Streams retention")
    assert result.exit_code == 0
    assert "1. corpus/notes/kinesis.en.md" in result.output and "why:" in result.output


def test_ask_bad_question_is_one_line_exit_1(run):
    result = run("ask", "?!?")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: nothing to search for") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("question", ["", "___", "  "])
def test_a_wordless_question_is_refused_before_the_index_is_opened(tmp_path, question):
    # No index at this path: the question error, not the missing index, proves nothing was opened.
    result = CliRunner().invoke(cli, ["ask", "--index", str(tmp_path / "none"), question])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "the question" in result.stderr and "studykg build" not in result.stderr


def test_graph_commands_load_neither_the_encoder_nor_faiss(built_index):
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from indexer.cli import cli\n"
        "try:\n"
        f"    cli(['graph', 'show', 'RCF', '--index', {str(built_index)!r}])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "heavy = sorted(m for m in ('torch', 'sentence_transformers', 'faiss', 'transformers') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "Random Cut Forest" in result.stdout
    assert "HEAVY []" in result.stdout


def test_ask_without_index_says_how_to_build(tmp_path):
    result = CliRunner().invoke(cli, ["ask", "--index", str(tmp_path / "none"), "hello"])
    assert result.exit_code == 1 and "run 'studykg build' first" in result.output


def test_k_out_of_range_is_usage_error(run):
    assert run("ask", "-k", "0", "x").exit_code == 2


def test_build_prints_a_summary_with_skipped_files(tmp_path, corpus_copy, tiny_transformer_model):
    (corpus_copy / "notes" / "broken.md").write_text("---\ntitle: [oops\n---\nbody\n")
    args = ["build", "--corpus", str(corpus_copy), "--index", str(tmp_path / "idx"), "--model", str(tiny_transformer_model)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "documents  7" in result.stdout and f"model      {tiny_transformer_model}" in result.stdout
    assert "broken.md: broken YAML front matter" in result.output
    assert "languages  en" in result.output


def test_add_twice_does_nothing_the_second_time(index_copy, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "x.md").write_text("# SageMaker Neo\nNeo compiles models for edge devices.\n")
    runner = CliRunner()
    first = runner.invoke(cli, ["add", str(notes), "--index", str(index_copy)])
    assert first.exit_code == 0 and "new 1" in first.output
    second = runner.invoke(cli, ["add", str(notes), "--index", str(index_copy)])
    assert second.exit_code == 0 and second.stdout.startswith("Nothing changed: 1 files already indexed")


def test_export_chunks_and_graph(run, tmp_path):
    result = run("export", "--chunks", str(tmp_path / "c.jsonl"), "--graph", str(tmp_path / "g.ttl"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c.jsonl").read_text().count("\n") > 5
    import rdflib

    graph = rdflib.Graph().parse(tmp_path / "g.ttl")
    assert (None, rdflib.URIRef("https://w3id.org/studykg/ontology#mentions"), rdflib.URIRef("https://w3id.org/studykg/kg#Polly")) in graph
    assert run("export").exit_code == 2


def test_graph_show_json(run):
    result = run("graph", "show", "RCF", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["entity"]["label"] == "Random Cut Forest" and data["entity"]["type"] == "Algorithm"
    assert set(data["entity"]) == {"iri", "label", "aliases", "type", "definition", "closed_to_new_customers"}
    relation = data["relations"][0]
    assert set(relation) == {"predicate", "label", "direction", "target"} and set(relation["target"]) == {"iri", "label", "type"}
    assert "corpus/services/RandomCutForest.md#0" in data["mentioned_in"]


def test_graph_show_says_when_aws_no_longer_offers_a_service(run):
    closed = run("graph", "show", "Kendra")
    assert closed.exit_code == 0, closed.output
    assert "AWS no longer offers it to new customers." in closed.stdout
    assert "no longer offers" not in run("graph", "show", "Polly").stdout
    assert json.loads(run("graph", "show", "Kendra", "--json").stdout)["entity"]["closed_to_new_customers"] is True


def test_graph_path_json(run):
    result = run("graph", "path", "Random Cut Forest", "Kinesis Data Analytics", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"from", "to", "path", "edges", "alternatives"}
    assert data["path"][0]["label"] == "Random Cut Forest" and data["path"][-1]["label"] == "Amazon Kinesis Data Analytics"
    assert len(data["edges"]) == len(data["path"]) - 1 <= 3


def test_graph_related_json(run):
    result = run("graph", "related", "Firehose", "--json")
    data = json.loads(result.stdout)
    assert "Amazon Kinesis Data Streams" in [r["label"] for r in data["related"]]
    assert all(set(r) == {"iri", "label", "aliases", "type", "score", "why"} for r in data["related"])


def test_graph_sparql_reads_and_refuses_updates(run):
    query = ("PREFIX skg: <https://w3id.org/studykg/ontology#> "
             "SELECT ?s WHERE { ?s a skg:ExamDomain ; skg:inExam <https://w3id.org/studykg/kg#MLA_C01> }")
    select = run("graph", "sparql", "--json", query)
    assert select.exit_code == 0 and len(json.loads(select.stdout)["rows"]) == 4
    update = run("graph", "sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert update.exit_code == 1 and "refused" in update.stderr


def test_unknown_entity_gets_suggestions(run):
    result = run("graph", "show", "Kinesis Fire")
    assert result.exit_code == 1 and "did you mean" in result.stderr and "Firehose" in result.stderr


def test_ask_source_keeps_only_passages_from_those_sources(index_copy, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "neo.md").write_text("# SageMaker Neo\nNeo compiles trained models so they run faster on edge devices.\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["add", str(notes), "--index", str(index_copy)]).exit_code == 0

    def sources(*options):
        result = runner.invoke(cli, ["ask", "--json", "--index", str(index_copy), *options, "compile a model for edge devices"])
        assert result.exit_code == 0, result.output
        return [hit["source"] for hit in json.loads(result.output)["hits"]]

    everything = sources()
    mine = sources("--source", "mine")
    shipped = sources("--source", "services", "--source", "notes")
    assert "notes/neo.md" in everything and any(source.startswith("corpus/") for source in everything)
    assert mine == ["notes/neo.md"]
    assert shipped and all(source.startswith("corpus/") for source in shipped)


def test_help_lists_every_command_without_cutting_its_description():
    result = CliRunner().invoke(cli, ["--help"], terminal_width=80)
    assert result.exit_code == 0
    commands = result.output.split("Commands:", 1)[1]
    assert "..." not in commands
    # Wrapped onto the next lines, never cut: the whole first sentence is there.
    assert "review Review the flashcards that are due, grading each Again, Hard, Good or Easy (FSRS schedules the next review)." in " ".join(commands.split())


def test_remove_into_a_pipe_prints_one_line_and_no_bars(index_copy, tmp_path):
    notes = tmp_path / "piped"
    notes.mkdir()
    (notes / "a.md").write_text("# Comprehend\nAmazon Comprehend finds entities and sentiment in text.\n")
    runner = CliRunner()  # its output is no terminal, like `studykg remove ... | cat`
    assert runner.invoke(cli, ["add", str(notes), "--index", str(index_copy)]).exit_code == 0
    result = runner.invoke(cli, ["remove", str(notes), "--index", str(index_copy)])
    assert result.exit_code == 0, result.output
    assert "\r" not in result.output and "%|" not in result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Removed 1 document of {notes.resolve()} from {index_copy}")
    assert "documents left" in lines[0]


def test_app_checks_the_index_before_it_starts_the_server(index_copy, monkeypatch):
    import subprocess

    order = []
    monkeypatch.setattr(subprocess, "call", lambda command: order.append(("serve", command)) or 0)
    result = CliRunner().invoke(cli, ["app", "--port", "8599"], env={"STUDYKG_INDEX": str(index_copy)})
    assert result.exit_code == 0, result.output
    assert f"Study index ready at {index_copy}" in result.output
    assert len(order) == 1 and "8599" in order[0][1]
