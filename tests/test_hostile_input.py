"""The second hostile-input battery (issue 22), end to end: each case runs the CLI (CliRunner or a
subprocess) or the app (AppTest) on inputs made here, in tmp_path, and checks what a user sees.

Hostile files are made at test time: a FIFO with os.mkfifo, a file name that is not UTF-8 through
a bytes path, a YAML alias bomb, a 1.5 GB note as a sparse file (truncate, nothing is written).
Cases that index share one add of one folder of hostile files (``hostile_add``): adds are slow.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_reliability import invoke, note, one_line_error, stored

from indexer.cli import cli
from indexer.layout import current_version

pytestmark = pytest.mark.real_encoder

REPO = Path(__file__).parent.parent
# What a terminal acts on: ESC, BEL, the 8-bit CSI and OSC, DEL.
TERMINAL_CONTROL = re.compile("[\x1b\x07\x9b\x9d\x7f]")
# remark-gfm's autolink literals (mdast-util-gfm-autolink-literal), found in text after escapes are read.
GFM_URL = re.compile(r"(https?://|www(?=\.))[-.\w]+", re.I)
GFM_EMAIL = re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+")
OSC_TITLE = "\x1b]0;pwned\x07"
OSC8_LINK = "\x1b]8;;http://evil.example/\x07click me\x1b]8;;\x07"
CLEAR = "\x1b[2J"


# ---- one add of a folder of hostile files ----------------------------------------------------
def _alias_bomb(depth: int = 6) -> str:
    """YAML whose aliases expand to 9**depth strings: a few hundred bytes."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, depth):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + "\n---\n# Bomb\nPolly speaks.\n"


@pytest.fixture(scope="module")
def hostile_add(built_index, tmp_path_factory):
    """A copy of the session index with a folder of hostile files added, in text and (unchanged, again) in JSON."""
    base = tmp_path_factory.mktemp("hostile")
    index = base / "index"
    shutil.copytree(built_index, index)
    folder = base / "hostile"
    note(folder, "good.md", "# Polly voices\nAmazon Polly turns text into lifelike speech in many voices.\n")
    note(folder, "escapes.md", f"# Polly escapes\nAmazon Polly {OSC_TITLE}speaks {CLEAR}text aloud with {OSC8_LINK} neural voices.\n")
    note(folder, f"evil{OSC_TITLE}{CLEAR}name.xyz", "not a note\n")
    note(folder, "bomb.md", _alias_bomb())
    note(folder, "deep.md", "---\ntitle: " + "[" * 100_000 + "\n---\n# Deep\nPolly speaks.\n")
    note(folder, "only-heading.md", "# Just a heading\n\n## And another\n")
    (folder / "polly.md").write_text("# Polly latin\nPolly speaks many voices.\n")
    os.rename(folder / "polly.md", os.fsencode(folder) + b"/caf\xe9.md")  # a name that is not UTF-8
    text = invoke(index, "add", str(folder))
    again = invoke(index, "add", str(folder), "--json")
    return index, folder, text, again


def _skipped(hostile_add) -> dict[str, str]:
    _, folder, _, again = hostile_add
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    return {Path(item["path"]).name: item["reason"] for item in report["skipped"]}


def test_a_folder_with_hostile_files_is_indexed_in_one_add(hostile_add):
    index, _, text, _ = hostile_add
    assert text.exit_code == 0, text.output
    documents = stored(index)[0]
    assert {"hostile/good.md", "hostile/escapes.md"} <= set(documents)


def test_a_yaml_alias_bomb_in_front_matter_is_refused_by_name(hostile_add):
    assert "aliases (*a0) are not allowed" in _skipped(hostile_add)["bomb.md"]


def test_front_matter_nested_100000_deep_is_one_skip_reason(hostile_add):
    assert "nested too deeply" in _skipped(hostile_add)["deep.md"]


def test_a_file_name_that_is_not_utf8_is_skipped_and_named(hostile_add):
    reasons = _skipped(hostile_add)
    assert "file name is not valid UTF-8" in reasons["caf\\xe9.md"]


def test_a_note_that_is_only_headings_says_there_is_no_text(hostile_add):
    assert "no text to index" in _skipped(hostile_add)["only-heading.md"]
    assert "hostile/only-heading.md" not in stored(hostile_add[0])[0]


def test_terminal_escapes_in_file_names_and_notes_are_not_printed(hostile_add):
    index, _, text, again = hostile_add
    assert "evilname.xyz: unsupported file type" in text.output  # named, without its escapes
    for output in (text.output, again.output):
        assert not TERMINAL_CONTROL.search(output), repr(output)
    asked = invoke(index, "ask", "--source", "mine", "Polly speaks text aloud with neural voices")
    assert asked.exit_code == 0, asked.output
    assert "speaks text aloud" in asked.output and "click me" in asked.output
    assert not TERMINAL_CONTROL.search(asked.output), repr(asked.output)


def test_printing_never_passes_a_control_sequence():
    from indexer.terminal import clean, json_line

    hostile = f"a{OSC_TITLE}b{CLEAR}c{OSC8_LINK}d\x9b31me\x07\x00\x7f\u202eg\udce9"
    assert clean(hostile) == "abcclick medeg\ufffd"
    assert clean("tab\tand\nnewline") == "tab\tand\nnewline"
    line = json_line({"text": hostile})
    assert not TERMINAL_CONTROL.search(line) and json.loads(line)["text"] == hostile


# ---- special and huge files --------------------------------------------------------------------
def test_a_fifo_named_like_a_note_is_skipped_not_read(index_copy, tmp_path):
    folder = tmp_path / "mine"
    note(folder, "a.md", "# A\nPolly speaks.\n")
    fifo = folder / "pipe.md"
    os.mkfifo(fifo)
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("result", invoke(index_copy, "add", str(folder), "--json")))
    worker.start()
    worker.join(120)
    if worker.is_alive():  # today's code blocks in open(): give it an end of file, then fail
        os.close(os.open(fifo, os.O_WRONLY))
        worker.join()
        pytest.fail("add blocked reading a FIFO")
    result = outcome["result"]
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(s["path"], s["reason"]) for s in report["skipped"]] == [(str(fifo), "a named pipe (FIFO), not a regular file; only regular files are read")]
    assert report["added"] == ["mine/a.md"]


def test_a_known_note_that_grew_huge_is_never_read(index_copy, tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    grown = note(folder, "grown.md", "# Grown\nPolly speaks.\n")
    assert invoke(index_copy, "add", str(folder)).exit_code == 0
    os.truncate(grown, 1_500_000_000)  # sparse: nothing is written
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        assert self.stat().st_size < 10_000_000, f"read {self} whole"
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = invoke(index_copy, "add", str(folder), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert "too large (1,500,000,000 bytes" in report["skipped"][0]["reason"]
    assert report["warnings"][0].startswith(f"{grown}: left the index: too large")


def test_a_file_yields_a_bounded_number_of_passages_and_says_so(index_copy, tmp_path, monkeypatch):
    monkeypatch.setattr("indexer.ingest.MAX_PASSAGES_PER_FILE", 4)
    folder = tmp_path / "mine"
    paragraphs = "\n\n".join(f"Paragraph {n} says Polly speaks in voice number {n}. " * 30 for n in range(12))
    note(folder, "long.md", "# Long\n" + paragraphs + "\n")
    note(folder, "brackets.md", "# Brackets\n" + "[" * 12_000 + "\n\nPolly speaks.\n")
    result = invoke(index_copy, "add", str(folder))
    assert result.exit_code == 0, result.output
    assert "long.md: only the first 4 of its" in result.output and "split the file" in result.output
    assert re.search(r"brackets\.md: \d+ passages without a letter or digit left out", result.output), result.output
    index = current_version(index_copy)
    from indexer.store import ChunkStore

    store = ChunkStore(index / "chunks.db", readonly=True)
    per_doc: dict[str, int] = {}
    for row in store.iter_chunks():
        per_doc[row["doc_id"]] = per_doc.get(row["doc_id"], 0) + 1
    store.close()
    assert per_doc["mine/long.md"] == 4 and per_doc["mine/brackets.md"] == 1


def test_a_note_whose_front_matter_broke_says_why_it_left(index_copy, tmp_path):
    folder = tmp_path / "mine"
    edited = note(folder, "a.md", "---\ntitle: Polly\n---\n# A\nPolly speaks.\n")
    note(folder, "b.md", "# B\nKinesis streams records.\n")
    assert invoke(index_copy, "add", str(folder)).exit_code == 0
    edited.write_text("---\ntitle: [Polly\n---\n# A\nPolly speaks.\n")
    result = invoke(index_copy, "add", str(folder))
    assert result.exit_code == 0, result.output
    assert "removed 1" in result.output
    assert f"warning: {edited}: left the index: broken YAML front matter" in result.output


def test_a_folder_of_only_bad_files_lists_every_one_with_json(index_copy, tmp_path):
    folder = tmp_path / "bad"
    note(folder, "a-broken.md", "---\ntitle: [oops\n---\nbody\n")
    note(folder, "b-empty.md", "---\ntitle: x\n---\n")
    note(folder, "c-heading.md", "# Only a heading\n")
    note(folder, "d-unsupported.xyz", "x")
    (folder / "e-latin1.txt").write_bytes(b"caf\xe9\n")
    text = invoke(index_copy, "add", str(folder))
    one_line_error(text, "5 skipped", "and 2 more", "--json lists all 5")
    listed = invoke(index_copy, "add", str(folder), "--json")
    assert listed.exit_code == 1
    report = json.loads(listed.stdout)
    assert sorted(Path(s["path"]).name for s in report["skipped"]) == [
        "a-broken.md", "b-empty.md", "c-heading.md", "d-unsupported.xyz", "e-latin1.txt"]
    assert "no indexable files" in report["error"]


# ---- damaged index files ---------------------------------------------------------------------------
def _damage(live: Path, what: str) -> Path:
    import numpy as np

    if what == "manifest":
        (live / "manifest.json").write_text("{ not json")
        return live / "manifest.json"
    if what == "chunks":
        (live / "chunks.db").write_bytes(os.urandom(8192))
        return live / "chunks.db"
    target = live / "vectors.npy"
    if what == "vectors-pickled":
        np.save(target, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    else:
        target.write_bytes(target.read_bytes()[:100])
    return target


@pytest.mark.parametrize("what", ["manifest", "chunks", "vectors-pickled", "vectors-short"])
@pytest.mark.parametrize("command", ["ask", "add", "graph-show"])
def test_a_damaged_index_file_is_one_line_naming_it_and_rebuild(index_copy, tmp_path, what, command):
    if command == "graph-show" and what.startswith("vectors"):
        pytest.skip("graph commands do not read the vectors")
    damaged = _damage(current_version(index_copy), what)
    args = {"ask": ["ask", "what converts text to speech?"], "graph-show": ["graph", "show", "Polly"],
            "add": ["add", str(note(tmp_path / "mine", "a.md", "# A\nPolly speaks.\n").parent)]}[command]
    one_line_error(invoke(index_copy, *args), str(damaged), "damaged", "rebuild")


def test_a_build_over_a_damaged_manifest_rebuilds_and_says_what_was_lost(index_copy):
    from conftest import FIXTURE_CORPUS

    damaged = _damage(current_version(index_copy), "manifest")
    result = invoke(index_copy, "build", "--corpus", str(FIXTURE_CORPUS))
    assert result.exit_code == 0, result.output
    assert f"warning: the folders added to the old index could not be read ({damaged}: damaged" in result.output


# ---- a full disk --------------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["chunk-store-copy", "file-copy", "vectors"])
def test_a_full_disk_says_no_space_left_on_the_device(index_copy, tmp_path, monkeypatch, where):
    import numpy as np

    if where == "chunk-store-copy":
        def backup(source, target):
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr("indexer.revision._backup_sqlite", backup)  # a revision copies the live store first
    elif where == "file-copy":
        def copy2(src, dst, *args, **kwargs):
            raise OSError(28, "No space left on device", str(dst))

        def no_links(src, dst):
            raise OSError(18, "Invalid cross-device link")

        monkeypatch.setattr("indexer.revision.os.link", no_links)  # another file system: the unchanged files are copied
        monkeypatch.setattr("indexer.revision.shutil.copy2", copy2)
    else:
        def save(file, array, *args, **kwargs):
            raise OSError("656256 requested and 108512 written")

        monkeypatch.setattr(np, "save", save)
    live = current_version(index_copy)
    result = invoke(index_copy, "add", str(note(tmp_path / "mine", "a.md", "# A\nPolly speaks.\n").parent))
    one_line_error(result, f"no space left on the device holding {index_copy}", "free some space")
    assert "requested" not in result.stderr and "[(" not in result.stderr
    assert current_version(index_copy) == live


# ---- questions -----------------------------------------------------------------------------------------
def test_a_question_that_is_not_utf8_is_one_line(built_index):
    one_line_error(invoke(built_index, "ask", "caf\udce9 polly"), "not valid UTF-8", "byte 0xe9")


def test_a_stdin_question_that_is_not_utf8_is_an_error_on_its_line(built_index):
    result = CliRunner().invoke(cli, ["ask", "-", "--index", str(built_index)], input=b"caf\xe9 polly\nwhat is polly?\n")
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert "not valid UTF-8" in first["error"] and second["hits"]


# ---- SPARQL ---------------------------------------------------------------------------------------------
@pytest.fixture
def listener():
    """A local HTTP endpoint that counts the requests a federated query would send it."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sparql", hits
    server.shutdown()


@pytest.mark.parametrize(
    ("template", "refusal"),
    [
        ("SELECT * WHERE {{ ?s ?p ?o . #\r SERVICE SILENT <{url}> {{ ?a ?b ?c }} \n }} LIMIT 1", "SERVICE refused"),
        ("SELECT * WHERE {{ ?s ?p ?o . #\\u000D SERVICE SILENT <{url}> {{ ?a ?b ?c }} \n }} LIMIT 1", "SERVICE refused"),
        ("SELECT * WHERE {{ ?s ?p ?o . #\\u005Cu000D SERVICE SILENT <{url}> {{ ?a ?b ?c }} \n }} LIMIT 1", "escape"),
        ("SELECT * WHERE {{ ?s ?p ?o . #\x0c SERVICE SILENT <{url}> {{ ?a ?b ?c }} \n }} LIMIT 1", "control character"),
        ("SELECT * WHERE {{ ?s ?p ?o . #\x85 SERVICE SILENT <{url}> {{ ?a ?b ?c }} \n }} LIMIT 1", "control character"),
        ("SELECT * WHERE {{ ?s ?p ?o . #\u2028 SERVICE SILENT <{url}> {{ ?a ?b ?c }} \n }} LIMIT 1", "control character"),
    ],
    ids=["cr", "escaped-cr", "escape-of-an-escape", "form-feed", "nel", "line-separator"],
)
def test_a_comment_line_end_trick_cannot_hide_a_service_call(tmp_path, listener, template, refusal):
    url, hits = listener
    result = invoke(tmp_path / "no-index", "graph", "sparql", template.format(url=url))
    one_line_error(result, "refused", refusal)
    assert hits == []


def test_a_query_with_crlf_line_ends_still_runs(tmp_path):
    query = "SELECT ?s WHERE {\r\n  # a comment\r\n  ?s a <https://w3id.org/studykg/ontology#Service>\r\n} LIMIT 2"
    result = invoke(tmp_path / "no-index", "graph", "sparql", "--json", query)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["rows"]) == 2


@pytest.mark.parametrize("timeout", ["nan", "inf", "-1"])
def test_a_time_limit_that_is_not_a_positive_number_is_refused(tmp_path, timeout):
    # A subprocess: nan used to reach Oxigraph and abort the process (a Rust panic, exit 134).
    env = {**os.environ, "STUDYKG_INDEX": str(tmp_path / "no-index")}
    result = subprocess.run([sys.executable, "-m", "indexer.cli", "graph", "sparql", "--timeout", timeout, "ASK { ?s ?p ?o }"],
                            capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Invalid value for '--timeout'" in result.stderr and "Traceback" not in result.stderr


def test_sparql_nested_3000_deep_is_one_line(tmp_path):
    query = "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000
    one_line_error(invoke(tmp_path / "no-index", "graph", "sparql", query), "nested too deeply")


def test_a_result_past_the_value_cap_is_refused_and_a_limit_fits(real_kg, monkeypatch):
    from kg import QueryRefusedError

    monkeypatch.setattr("kg.sparql.MAX_VALUES", 3_000)
    with pytest.raises(QueryRefusedError, match="more than 1,000 rows of 3 values; add a LIMIT"):
        real_kg.sparql("SELECT * WHERE { ?s ?p ?o }")
    assert len(real_kg.sparql("SELECT * WHERE { ?s ?p ?o } LIMIT 10")) == 10


def test_a_query_past_its_time_limit_stops_reading_rows(real_kg):
    from kg import QueryRefusedError

    with pytest.raises(QueryRefusedError, match="stopped after 0.5 s"):
        real_kg.sparql("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", timeout=0.5)
    deadline = time.monotonic() + 10
    while any(t.name == "studykg-sparql" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(t.name == "studykg-sparql" for t in threading.enumerate()), "the query kept running after its time limit"


# ---- learner import ----------------------------------------------------------------------------------------
@pytest.fixture
def export_file(real_kg, tmp_path) -> Path:
    from study.learner import Learner
    from study.flashcards import entity_cards

    learner = Learner(tmp_path / "source.db")
    learner.add_card(entity_cards(real_kg, "Polly", "en")[0])
    learner.grade(learner.cards()[0].key, "good")
    learner.export(tmp_path / "export.json")
    learner.close()
    return tmp_path / "export.json"


@pytest.mark.parametrize(
    ("table", "field", "value", "message"),
    [
        ("cards", "fsrs", '{"state": 7}', "not an FSRS card state"),
        ("cards", "fsrs", "not json", "not a JSON object"),
        ("cards", "entities", '{"a": 1}', "not a JSON list of entity IRIs"),
        ("cards", "entities", 42, "is not of type 'string'"),
        ("cards", "due", "next tuesday", "is not an ISO date"),
        ("reviews", "rating", 9, "greater than the maximum"),
    ],
    ids=["fsrs-state", "fsrs-text", "entities-object", "entities-number", "due", "rating"],
)
def test_a_malformed_learner_import_is_refused_naming_record_and_field(export_file, tmp_path, table, field, value, message):
    payload = json.loads(export_file.read_text())
    payload[table][0][field] = value
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(payload))
    database = tmp_path / "fresh.db"
    result = CliRunner().invoke(cli, ["learner", "import", str(bad), "--learner-db", str(database)])
    one_line_error(result, str(bad), f"{table}[0]", f"field '{field}'", message, "nothing was imported")
    status = CliRunner().invoke(cli, ["learner", "status", "--learner-db", str(database)])
    assert status.exit_code == 0, status.output


def test_a_learner_import_nested_100000_deep_is_one_line(tmp_path):
    bad = tmp_path / "deep.json"
    bad.write_text("[" * 100_000)
    result = CliRunner().invoke(cli, ["learner", "import", str(bad), "--learner-db", str(tmp_path / "fresh.db")])
    one_line_error(result, str(bad), "nested too deeply")


# ---- build reads the graph of the corpus it is given ----------------------------------------------------
def test_build_loads_and_checks_the_graph_folder_of_the_corpus(tmp_path):
    from conftest import FIXTURE_CORPUS

    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, corpus)
    shutil.copytree(REPO / "corpus" / "graph", corpus / "graph")
    bad = corpus / "graph" / "mine.ttl"
    bad.write_text("@prefix skg: <https://w3id.org/studykg/ontology#> .\n@prefix kg: <https://w3id.org/studykg/kg#> .\n"
                   "kg:Nameless a skg:Service .\n")
    one_line_error(invoke(tmp_path / "index", "build", "--corpus", str(corpus)), f"{bad}:", "SHACL", "kg:Nameless")
    bad.unlink()
    # Without the shipped pages its teaching facts cite, the copy's sources cannot be checked:
    # a graph folder without shapes.ttl is loaded unchecked, which is what is left to show here.
    (corpus / "graph" / "shapes.ttl").unlink()
    built = invoke(tmp_path / "index", "build", "--corpus", str(corpus), "--json")
    assert built.exit_code == 0, built.output
    assert not [s for s in json.loads(built.stdout)["skipped"] if s["path"].endswith(".ttl")]


# ---- the app ------------------------------------------------------------------------------------------------
def _as_gfm_reads_it(markdown: str) -> str:
    """The text remark-gfm searches for autolinks: backslash escapes resolved."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_an_escaped_backslash_before_an_image_renders_no_image():
    from markdown_it import MarkdownIt

    from app_pages.markup import render
    from indexer.markdown_text import clean_markdown

    for line in ("Amazon Polly \\\\![bs](http://127.0.0.1:9999/x[1].png) end.",
                 "Amazon Polly \\\\\\\\![bs](http://127.0.0.1:9999/x.png) end.",
                 "Polly \\\\<b>bold</b> \\\\$x$ and \\\\:red[x]"):
        markdown = render(clean_markdown(line), headings="keep")
        assert "<img" not in MarkdownIt("commonmark").render(markdown), markdown
        # Every character render escapes is still escaped: an odd number of backslashes before it.
        assert not re.search(r"(?<!\\)(?:\\\\)*(?:[$<]|!\[)", markdown), markdown


def test_bare_urls_in_escaped_labels_are_not_links():
    from app_pages.markup import escape, escape_inline

    label = 'lang "… http://evil.example" www.evil.example me@evil.example'
    for shown in (escape_inline(label), escape(label)):
        visible = _as_gfm_reads_it(shown)
        assert not GFM_URL.search(visible) and not GFM_EMAIL.search(visible), shown
        assert visible.replace("\u2060", "") == " ".join(label.split())  # the words read the same


def test_a_url_in_the_entity_parameter_is_no_link_in_the_warning(monkeypatch, app_index, tmp_path):
    from test_app import open_app

    browse = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="see www.evil.example or http://evil.example")
    assert not browse.exception
    warning = _as_gfm_reads_it(browse.warning[0].value)
    assert "evil" in warning and not GFM_URL.search(warning), warning
