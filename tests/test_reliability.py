"""The bad-input battery (issue 13), end to end: nothing a user indexed is lost, readers never fail
during a write, no input hangs indexing or reaches the network, every failure is one line.

Each test runs the CLI through CliRunner (or StudyIndex, or the app through AppTest) on a private
copy of the session's small index; building is slow, so the index is built once per session.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import IndexMissingError, SourceError, StudyIndex
from indexer.chunking import DEFAULT_MAX_CHARS, chunk_document
from indexer.cli import cli
from indexer.layout import current_version
from indexer.notes_roots import check_notes_folder
from indexer.records import Document
from indexer.store import ChunkStore
from indexer.vectors import VectorIndex
from kg import QueryRefusedError
from kg.sparql import run_sparql

pytestmark = pytest.mark.real_encoder

REPO = Path(__file__).parent.parent
EVIL_URL = "https://evil.example/x.png"


def invoke(index: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--index", str(index)])


def one_line_error(result, *needles: str) -> None:
    """Exit 1 with one ``Error:`` line holding every needle (after any progress bars), and no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not an uncaught traceback
    assert "Traceback" not in result.output
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr  # progress bars redraw with \r
    error = result.stderr.rsplit("\r", 1)[-1].strip()
    assert error.startswith("Error: "), result.stderr
    for needle in needles:
        assert needle in error, error


def note(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def stored(index: Path) -> tuple[dict, list[int], list[int]]:
    """Documents by id, chunk row ids, and vector ids of the live version."""
    live = current_version(index)
    store = ChunkStore(live / "chunks.db", readonly=True)
    documents = {doc_id: dict(row) for doc_id, row in store.documents().items()}
    rowids = [row["id"] for row in store.iter_chunks()]
    store.close()
    return documents, rowids, sorted(VectorIndex.load(live).ids.tolist())


# ---- 1. ids are unique per added root ----------------------------------------------------
def test_two_folders_named_notes_and_one_named_corpus_keep_their_own_notes(index_copy, tmp_path):
    before, _, _ = stored(index_copy)
    first = note(tmp_path / "a" / "notes", "kinesis.md", "# Kinesis\nShards carry the records of a stream.\n").parent
    second = note(tmp_path / "b" / "notes", "kinesis.md", "# Kinesis\nFirehose delivers to S3 without shards.\n").parent
    # The fixture corpus is a folder named corpus: a user folder of that name shares its paths.
    clash = note(tmp_path / "c" / "corpus", "notes/kinesis.en.md", "# Mine\nMy own words about Kinesis.\n").parent.parent
    for folder in (first, second, clash):
        result = invoke(index_copy, "add", str(folder))
        assert result.exit_code == 0 and "new 1" in result.output, result.output

    documents, rowids, vector_ids = stored(index_copy)
    roots = {doc_id: row["root"] for doc_id, row in documents.items()}
    assert roots["notes/kinesis.md"] == str(first) and roots["notes-2/kinesis.md"] == str(second)
    assert roots["corpus-2/notes/kinesis.en.md"] == str(clash)
    assert {d: before[d]["sha256"] for d in before} == {d: documents[d]["sha256"] for d in before}  # nothing overwritten
    assert vector_ids == sorted(rowids)  # no orphan vectors, no chunk without one
    again = invoke(index_copy, "add", str(second))
    assert again.exit_code == 0 and again.stdout.startswith("Nothing changed: 1 files"), again.output


# ---- 2. readers never fail while a write publishes ---------------------------------------
def test_a_reader_that_read_current_before_a_publish_still_opens_that_version(index_copy, tmp_path):
    stale = current_version(index_copy)  # a reader has read CURRENT...
    result = invoke(index_copy, "add", str(note(tmp_path / "mine", "neo.md", "# Neo\nNeo compiles models for the edge.\n").parent))
    assert result.exit_code == 0, result.output
    assert current_version(index_copy) != stale
    index = StudyIndex(stale, index_path=index_copy)  # ...and opens it only now
    assert index.search("Kinesis Data Streams retention", 3).hits
    index.close()


def test_retired_versions_go_once_no_reader_can_be_opening_them(index_copy, tmp_path, monkeypatch):
    stale = current_version(index_copy)
    folder = tmp_path / "mine"
    invoke(index_copy, "add", str(note(folder, "a.md", "# A\nSageMaker Neo compiles models.\n").parent))
    assert stale.exists()
    monkeypatch.setattr("indexer.layout.RETIRED_GRACE_SECONDS", 0.0)
    note(folder, "b.md", "# B\nPolly speaks.\n")
    assert invoke(index_copy, "add", str(folder)).exit_code == 0
    assert not stale.exists()
    assert [p.name for p in (index_copy / "versions").iterdir()] == [current_version(index_copy).name]


def test_opening_retries_when_the_version_is_replaced_midway_and_never_blames_the_model(index_copy, monkeypatch):
    gone = index_copy / "versions" / "19700101-000000-1-gone"
    live = current_version(index_copy)
    answers = iter([gone, live, live])
    monkeypatch.setattr("indexer.study_index.current_version", lambda path: next(answers))
    index = StudyIndex.open(index_copy)
    assert index.folder == live
    index.close()
    with pytest.raises(IndexMissingError, match="removed while opening it; run the command again") as caught:
        StudyIndex(gone, index_path=index_copy, model="some-model")
    assert "model" not in str(caught.value)


# ---- 3. linear text steps, bounded chunks --------------------------------------------------
HOSTILE = {
    "brackets": "[" * 1_000_000,
    "images": "![" * 500_000,
    "open links": "[a](" * 250_000,
    "reference links": "[a][" * 250_000,
    "nested targets": "[a](b(" * 160_000,
    "heading tail": "# x" + " " * 1_000_000 + "y\nbody",
}


def test_hostile_markdown_is_cleaned_and_chunked_in_linear_time():
    # A hang guard, not a timing: each input took minutes with the quadratic patterns, well under a second now.
    script = textwrap.dedent(
        """
        import json, sys
        from indexer.markdown_text import clean_markdown
        from indexer.chunking import chunk_document
        from indexer.records import Document
        sizes = {}
        for name, text in json.loads(sys.stdin.read()).items():
            body = clean_markdown(text)
            doc = Document(doc_id="n/a.md", source="n/a.md", path="/n/a.md", root="/n", kind="note", title="A", lang="en",
                           entity=None, tags=(), text=body, body_line=1, sha256="0", size=len(body))
            sizes[name] = max([len(c.text) + len(c.heading) for c in chunk_document(doc)] or [0])
        print(json.dumps(sizes))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", script], input=json.dumps(HOSTILE), capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    sizes = json.loads(done.stdout)
    assert set(sizes) == set(HOSTILE) and all(size <= DEFAULT_MAX_CHARS + 200 for size in sizes.values()), sizes


def test_a_whitespace_free_line_is_cut_into_bounded_chunks():
    line = "x" * 1_900_000
    doc = Document(doc_id="n/a.md", source="n/a.md", path="/n/a.md", root="/n", kind="note", title="A", lang="en",
                   entity=None, tags=(), text=line, body_line=1, sha256="0", size=len(line))
    chunks = chunk_document(doc)
    assert len(chunks) >= 1_900_000 // DEFAULT_MAX_CHARS
    assert max(len(c.text) for c in chunks) <= DEFAULT_MAX_CHARS
    assert "".join(c.text for c in chunks) == line  # pieces, not overlaps, for a single giant word


def test_a_note_of_brackets_and_a_giant_line_is_indexed_in_bounded_chunks(index_copy, tmp_path):
    folder = tmp_path / "hostile"
    # Big enough to need many chunks; every chunk is embedded by a transformer, so not megabytes
    # (the linear-time test above cleans a megabyte without embedding it).
    note(folder, "brackets.md", "# Brackets\n" + "[" * 12_000 + "\n")
    note(folder, "blob.md", "# Blob\n" + "Q" * 30_000 + "\n")
    result = invoke(index_copy, "add", str(folder))
    assert result.exit_code == 0, result.output
    index = StudyIndex.open(index_copy)
    lengths = [len(row["text"]) for row in index.store.iter_chunks() if row["doc_id"].startswith("hostile/")]
    index.close()
    assert len(lengths) > 10 and max(lengths) <= DEFAULT_MAX_CHARS


# ---- 4. SPARQL stays local, time-limited and interruptible ---------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://127.0.0.1:9/x> { ?s ?q ?r } } } LIMIT 1",
        "SELECT * FROM <http://127.0.0.1:9/graph.ttl> WHERE { ?s ?p ?o } LIMIT 1",
        "ASK FROM NAMED <http://127.0.0.1:9/graph.ttl> { ?s ?p ?o }",
    ],
    ids=["service", "service-silent", "nested-service", "from", "from-named"],
)
def test_federated_sparql_is_refused_in_one_line(built_index, query):
    one_line_error(invoke(built_index, "graph", "sparql", query), "refused", "local graph")


def test_an_expensive_sparql_query_stops_at_the_time_limit(built_index):
    # Every label against every type: millions of rows, bounded (seconds), far beyond 10 ms.
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://www.w3.org/2004/02/skos/core#prefLabel> ?l . ?b a ?t }"
    one_line_error(invoke(built_index, "graph", "sparql", "--timeout", "0.01", query), "stopped after 0.01 s")


class _StuckGraph:
    """A graph whose engine never answers until released: a runaway query without burning a core."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def query(self, query: str):
        self.release.wait(60)
        raise RuntimeError("released")


def test_ctrl_c_stops_a_running_sparql_query():
    # Python's own Ctrl-C handler, whatever a library imported earlier in the session installed.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    graph = _StuckGraph()
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_sparql(graph, "SELECT * WHERE { ?s ?p ?o }", timeout=60)
    finally:
        timer.cancel()
        graph.release.set()
        signal.signal(signal.SIGINT, previous)


def test_a_stuck_sparql_query_ends_with_one_line_at_the_time_limit():
    graph = _StuckGraph()
    try:
        with pytest.raises(QueryRefusedError, match="stopped after 0.2 s"):
            run_sparql(graph, "SELECT * WHERE { ?s ?p ?o }", timeout=0.2)
    finally:
        graph.release.set()


# ---- 5. front matter and URLs stay text in the app ------------------------------------------
def test_front_matter_and_url_strings_are_escaped_in_the_app(monkeypatch, app_index, tmp_path):
    from test_app import open_app

    index = tmp_path / "index"
    shutil.copytree(app_index, index)
    notes = tmp_path / "hostile-notes"
    note(notes, "evil.md", f'---\nlang: "![pixel]({EVIL_URL})"\nentity: "[click me]({EVIL_URL})"\n---\n# Polly\nPolly speaks.\n')
    at = open_app(monkeypatch, index, "app_pages/my_notes.py")
    at.text_input(key="notes_folder").set_value(str(notes))
    at.button[0].click().run()

    assert not at.exception, [e.value for e in at.exception]
    warning = next(w.value for w in at.warning if "front matter names" in w.value)
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    for shown in (warning, sidebar):
        assert "](" not in shown and "\\]\\(" in shown, shown

    browse = open_app(monkeypatch, index, "app_pages/browse.py", entity=f"[click me]({EVIL_URL}) ![pixel]({EVIL_URL})")
    assert not browse.exception
    assert "](" not in browse.warning[0].value and "\\]\\(" in browse.warning[0].value


# ---- 6. unreadable folders are skipped, never deleted ----------------------------------------
def test_a_folder_that_cannot_be_listed_is_reported_and_its_notes_kept(index_copy, tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    note(folder, "top.md", "# Top\nSageMaker Neo compiles models.\n")
    locked = note(folder, "locked/inner.md", "# Inner\nPolly speaks in many voices.\n").parent
    assert invoke(index_copy, "add", str(folder)).exit_code == 0

    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    note(folder, "new.md", "# New\nKinesis Firehose delivers streams.\n")
    result = invoke(index_copy, "add", str(folder), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["removed"] == [] and report["added"] == ["mine/new.md"]
    assert [(s["path"], s["unreadable"]) for s in report["skipped"]] == [(str(locked), True)]
    assert "cannot be listed (Permission denied)" in report["skipped"][0]["reason"]
    assert "mine/locked/inner.md" in stored(index_copy)[0]


def test_a_file_that_cannot_be_read_keeps_its_indexed_version(index_copy, tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    secret = note(folder, "a.md", "# A\nSageMaker Neo compiles models.\n")
    assert invoke(index_copy, "add", str(folder)).exit_code == 0
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == secret:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = invoke(index_copy, "add", str(folder))
    assert result.exit_code == 0 and "a.md: cannot be read (Permission denied)" in result.output, result.output
    assert "mine/a.md" in stored(index_copy)[0]


# ---- 7. a rebuild keeps the folders added with add --------------------------------------------
def test_build_keeps_every_added_folder_unless_told_to_drop_them(index_copy, tmp_path):
    from conftest import FIXTURE_CORPUS

    mine = note(tmp_path / "mine", "neo.md", "# Neo\nSageMaker Neo compiles models for edge devices.\n").parent
    assert invoke(index_copy, "add", str(mine)).exit_code == 0
    kept = invoke(index_copy, "build", "--corpus", str(FIXTURE_CORPUS))
    assert kept.exit_code == 0, kept.output
    assert f"kept       {mine}" in kept.output
    documents = stored(index_copy)[0]
    assert documents["mine/neo.md"]["kind"] == "user" and "corpus/notes/kinesis.en.md" in documents
    dropped = invoke(index_copy, "build", "--corpus", str(FIXTURE_CORPUS), "--drop-added")
    assert dropped.exit_code == 0 and "mine/neo.md" not in stored(index_copy)[0]


# ---- 8. a full disk is one line, and the next write cleans up -----------------------------------
@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("indexer.store.ChunkStore.commit", sqlite3.OperationalError("database or disk is full")),
        ("indexer.vectors.VectorIndex.save", OSError(errno.ENOSPC, "No space left on device")),
    ],
    ids=["sqlite", "vectors"],
)
def test_a_full_disk_is_one_line_and_leaves_the_live_index(index_copy, tmp_path, monkeypatch, target, error):
    live = current_version(index_copy)
    leftover = index_copy / "versions" / "20250101-000000-99-killed"
    leftover.mkdir()
    (leftover / "chunks.db").write_bytes(b"half a database")

    def full(*args, **kwargs):
        assert not leftover.exists()  # a killed write's leftovers are gone before this write fills the disk
        raise error

    monkeypatch.setattr(target, full)
    result = invoke(index_copy, "add", str(note(tmp_path / "mine", "a.md", "# A\nPolly speaks.\n").parent))
    one_line_error(result, str(index_copy), "the disk is full", "free some space")
    assert current_version(index_copy) == live
    assert [p.name for p in (index_copy / "versions").iterdir()] == [live.name]


# ---- 9. export to a bad path --------------------------------------------------------------------
@pytest.mark.parametrize("where", ["missing/chunks.jsonl", "a-file/chunks.jsonl"], ids=["missing-folder", "under-a-file"])
def test_export_to_a_bad_path_is_one_line_and_leaves_nothing(built_index, tmp_path, where):
    (tmp_path / "a-file").write_text("not a folder")
    target = tmp_path / where
    one_line_error(invoke(built_index, "export", "--chunks", str(target)), "cannot write the chunks")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a-file"]


# ---- 10. bad files, bad graphs, empty questions -------------------------------------------------
def test_a_folder_of_only_bad_files_names_each_file_and_why(index_copy, tmp_path):
    folder = tmp_path / "bad"
    note(folder, "broken.md", "---\ntitle: [oops\n---\nbody\n")
    (folder / "latin1.txt").write_bytes(b"caf\xe9\n")
    one_line_error(invoke(index_copy, "add", str(folder)), "2 skipped", "broken.md: broken YAML front matter", "latin1.txt: not UTF-8")


def test_a_graph_that_breaks_its_shapes_stops_the_build_naming_file_and_node(tmp_path, monkeypatch):
    from conftest import FIXTURE_CORPUS

    graph_dir = tmp_path / "graph"
    shutil.copytree(REPO / "corpus" / "graph", graph_dir)
    bad = graph_dir / "mine.ttl"
    bad.write_text("@prefix skg: <https://w3id.org/studykg/ontology#> .\n@prefix kg: <https://w3id.org/studykg/kg#> .\n"
                   "kg:Nameless a skg:Service .\n")
    monkeypatch.setattr("indexer.build.default_graph_path", lambda: graph_dir)
    result = invoke(tmp_path / "index", "build", "--corpus", str(FIXTURE_CORPUS))
    one_line_error(result, f"{bad}:", "SHACL", "kg:Nameless")
    assert not (tmp_path / "index" / "CURRENT").exists()


@pytest.mark.parametrize("question", ["___", "_", "_-_", "…"])
def test_a_question_without_letters_or_digits_is_refused(built_index, question):
    one_line_error(invoke(built_index, "ask", question), "nothing to search for", "no words")


# ---- 11. the app listens on this computer and reads only allowed folders ------------------------
def test_the_app_listens_on_localhost_by_default(monkeypatch):
    calls = []
    monkeypatch.setattr("indexer.cli.subprocess.call", lambda command: calls.append(command) or 0)
    result = CliRunner().invoke(cli, ["app"])
    assert result.exit_code == 0
    command = calls[0]
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    config = (REPO / ".streamlit" / "config.toml").read_text()
    assert 'address = "127.0.0.1"' in config  # `streamlit run app.py` from the checkout, too


@pytest.mark.parametrize(
    ("folder", "cause"),
    [("/etc", "a system folder"), ("/usr/share/doc", "a system folder"), ("/opt", "outside the folders"),
     ("{root}/../..", "outside the folders"), ("{root}/.ssh", "hidden folder")],
)
def test_the_app_indexes_only_folders_under_the_allowed_roots(tmp_path, folder, cause):
    with pytest.raises(SourceError, match=cause):
        check_notes_folder(folder.format(root=tmp_path), [tmp_path.resolve()])
    assert check_notes_folder(tmp_path / "notes", [tmp_path.resolve()]) == (tmp_path / "notes").resolve()


def test_the_app_refuses_a_system_folder_in_one_line(monkeypatch, app_index):
    from test_app import open_app

    at = open_app(monkeypatch, app_index, "app_pages/my_notes.py")
    at.text_input(key="notes_folder").set_value("/etc")
    at.button[0].click().run()
    assert not at.exception
    assert "a system folder" in at.error[0].value
