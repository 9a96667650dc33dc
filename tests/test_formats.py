"""Study material beyond Markdown: PDF (pages, columns, headings), notebooks, Word files, bad files of each; Anki export.

Every document is written at test time by a real writer (reportlab, python-docx, JSON), see
tests/document_makers.py.
"""

from __future__ import annotations

import html
import json
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import document_makers as make
from indexer.chunking import chunk_document
from indexer.cli import cli
from indexer.formats import location, page_of, read_converted
from indexer.pdf_text import pdf_to_markdown
from indexer.records import Document, Skipped
from indexer.sources import iter_documents, read_document

pytestmark = pytest.mark.real_encoder


def read(path: Path) -> Document | Skipped:
    return read_document(path, path.parent, prefix="mine")


def flat(text: str) -> str:
    return " ".join(text.split())


# ---- PDF -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def forty_pages(tmp_path_factory) -> Path:
    return make.two_column_pdf(tmp_path_factory.mktemp("pdf") / "field-guide.pdf", pages=40)


def test_a_two_column_pdf_is_read_column_by_column(tmp_path):
    text = pdf_to_markdown(make.two_column_pdf(tmp_path / "two.pdf", pages=3).read_bytes()).text
    for page in (1, 2, 3):
        body = text.split(f"# page {page}\n", 1)[1].split("\n# page ", 1)[0]
        left = [flat(make.column_sentence(page, "left", n)) for n in range(1, 7)]
        right = [flat(make.column_sentence(page, "right", n)) for n in range(1, 7)]
        positions = [flat(body).find(sentence) for sentence in left + right]
        assert -1 not in positions, f"a sentence of page {page} is broken up: {positions}"
        assert positions == sorted(positions)  # the whole left column, then the whole right column


def test_pdf_headings_are_recovered_and_running_lines_dropped(tmp_path):
    result = pdf_to_markdown(make.two_column_pdf(tmp_path / "two.pdf", pages=4).read_bytes())
    lines = result.text.splitlines()
    assert f"## Chapter 2: {make.TOPICS[2].capitalize()} in practice" in lines  # 16 pt across both columns
    assert "### Review checklist" in lines  # 12 pt bold at the head of the right column
    assert "chapter notes" not in result.text  # the running header of every page
    assert not any(line.strip().isdigit() for line in lines)  # page numbers
    assert result.title == "Machine learning operations field guide" and result.pages == 4


def test_every_pdf_passage_names_its_page(forty_pages):
    document = read(forty_pages)
    assert isinstance(document, Document), document
    chunks = chunk_document(document)
    assert {page_of(c.heading) for c in chunks} == set(range(1, 41))
    target = [c for c in chunks if "quokka" in c.text]
    assert len(target) == 1 and flat(make.TARGET_SENTENCE) in flat(target[0].text)
    assert target[0].heading.startswith("page 23 > Chapter 23")
    assert location(target[0].source, target[0].line_start, target[0].line_end, target[0].heading) == "page 23"


def test_a_text_note_keeps_its_line_span():
    assert location("notes/kinesis.md", 3, 9, "Kinesis") == "lines 3–9"
    assert location("notes/kinesis.md", 4, 4) == "line 4"


# ---- notebooks and Word --------------------------------------------------------------
def test_a_notebook_keeps_markdown_and_code_and_drops_outputs(tmp_path):
    document = read(make.notebook(tmp_path / "lab.ipynb", code="x = '```'\nprint(x)"))
    assert isinstance(document, Document), document
    assert document.title == "Training a model"
    assert "We train XGBoost on the churn data set." in document.text
    assert "````python\nx = '```'\nprint(x)\n````" in document.text  # a fence longer than any run inside
    assert "OUTPUT-THAT-MUST-NOT-BE-INDEXED" not in document.text and "iVBOR" not in document.text
    headings = {c.heading for c in chunk_document(document)}
    assert "Training a model > Evaluation" in headings


def test_a_word_document_keeps_its_headings_lists_and_tables(tmp_path):
    document = read(make.word_document(tmp_path / "deploy.docx"))
    assert isinstance(document, Document), document
    assert document.title == "Deployment notes"
    chunks = chunk_document(document)
    serverless = next(c for c in chunks if "scales to zero" in c.text)
    assert serverless.heading == "Deployment notes > Endpoints > Serverless inference"
    assert "- cold starts add latency" in serverless.text
    assert "| Batch transform | large offline data sets |" in serverless.text


def test_a_word_document_that_unpacks_too_large_is_skipped(tmp_path, monkeypatch):
    from indexer import docx_text

    monkeypatch.setattr(docx_text, "MAX_UNPACKED_BYTES", 10_000)
    path = make.word_document(tmp_path / "big.docx")
    skipped = read(path)
    assert isinstance(skipped, Skipped) and skipped.reason.startswith("too large once unpacked")


# ---- bad and hostile files -----------------------------------------------------------
def test_a_pdf_with_too_many_pages_or_too_much_text_is_skipped(tmp_path, monkeypatch):
    from indexer import pdf_text

    path = make.two_column_pdf(tmp_path / "long.pdf", pages=3)
    assert read_document(path, tmp_path, max_bytes=2_000).reason.startswith("too much text (over 2,000 characters)")
    monkeypatch.setattr(pdf_text, "MAX_PAGES", 2)
    assert read(path).reason == "too many pages (3; the limit is 2)"


def test_a_fifo_named_like_a_pdf_is_skipped_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    skipped = read_converted(fifo, tmp_path, "mine/pipe.pdf")
    assert isinstance(skipped, Skipped) and "not a regular file" in skipped.reason


def _truncated(path: Path) -> Path:
    whole = make.one_page_pdf(path.with_name("whole.pdf")).read_bytes()
    path.write_bytes(whole[: len(whole) // 3])
    return path


BAD_FILES = [
    ("broken.pdf", lambda p: p.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage\n"), "not a readable PDF"),
    ("misnamed.pdf", lambda p: p.write_text("just some text\n"), "not a PDF (no %PDF header)"),
    ("locked.pdf", lambda p: make.one_page_pdf(p, password="s3cret"), "encrypted PDF (it needs a password)"),
    ("scanned.pdf", make.scanned_pdf, "no text layer (a scanned PDF?)"),
    ("broken.ipynb", lambda p: p.write_text('{"cells": [ {"cell_type": "markdown", '), "not a valid notebook: invalid JSON"),
    ("deep.ipynb", lambda p: p.write_text("[" * 200_000 + "]" * 200_000), "not a valid notebook: JSON nested too deeply"),
    ("list.ipynb", lambda p: p.write_text("[1, 2]"), "not a valid notebook: the JSON is a list"),
    ("latin1.ipynb", lambda p: p.write_bytes(b'{"cells": [], "x": "caf\xe9"}'), "not a valid notebook: not UTF-8"),
    ("junk.docx", make.junk_zip, "not a Word document (a zip archive without the parts of a .docx)"),
    ("text.docx", lambda p: p.write_text("I am not a zip"), "not a Word document (not a valid zip archive"),
]


@pytest.mark.parametrize(("name", "write", "reason"), BAD_FILES, ids=[name for name, _, _ in BAD_FILES])
def test_a_bad_file_is_skipped_with_its_reason(tmp_path, name, write, reason):
    path = tmp_path / name
    write(path)
    skipped = read(path)
    assert isinstance(skipped, Skipped) and skipped.path == str(path)
    assert skipped.reason.startswith(reason), skipped.reason
    assert "\n" not in skipped.reason


def test_a_truncated_pdf_is_read_or_skipped_never_raised(tmp_path):
    result = read(_truncated(tmp_path / "cut.pdf"))
    assert isinstance(result, (Document, Skipped))
    if isinstance(result, Skipped):
        assert result.reason and "\n" not in result.reason


def test_a_folder_of_mixed_files_reads_the_good_and_names_the_bad(tmp_path):
    folder = tmp_path / "mix"
    folder.mkdir()
    make.notebook(folder / "lab.ipynb")
    (folder / "bad.ipynb").write_text("{oops")
    make.word_document(folder / "deploy.docx")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n")
    found = {Path(getattr(item, "path")).name: item for item in iter_documents([folder])}
    assert isinstance(found["lab.ipynb"], Document) and isinstance(found["deploy.docx"], Document)
    assert found["bad.ipynb"].reason.startswith("not a valid notebook")
    assert ".pdf, .ipynb, .docx" in found["photo.png"].reason


# ---- the whole way: add a folder, ask, see the page ----------------------------------------
def test_a_question_about_page_23_of_an_added_pdf_finds_page_23(index_copy, tmp_path, forty_pages, monkeypatch):
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / forty_pages.name).write_bytes(forty_pages.read_bytes())
    make.notebook(folder / "lab.ipynb")
    make.word_document(folder / "deploy.docx")
    runner = CliRunner()
    added = runner.invoke(cli, ["add", str(folder), "--index", str(index_copy)])
    assert added.exit_code == 0, added.output
    assert "new 3" in added.output and "skipped" not in added.output

    answer = runner.invoke(cli, ["ask", "--json", "-k", "3", "--index", str(index_copy), make.TARGET_QUESTION])
    assert answer.exit_code == 0, answer.output
    result = json.loads(answer.stdout)
    hits = result["from_your_notes"] + result["hits"]
    best = next(h for h in hits if h["source"] == f"study/{forty_pages.name}")
    assert best["heading"].startswith("page 23 >") and "quokka ledger" in best["text"]

    shown = runner.invoke(cli, ["ask", "-k", "3", "--index", str(index_copy), make.TARGET_QUESTION])
    assert shown.exit_code == 0 and f"study/{forty_pages.name}  [page 23 >" in shown.stdout

    notebook = json.loads(runner.invoke(cli, ["ask", "--json", "--index", str(index_copy), "validation AUC decides the winner"]).stdout)
    assert any(h["source"] == "study/lab.ipynb" for h in notebook["from_your_notes"] + notebook["hits"])

    # The app: the hit card says "page 23", and the note view opens a PDF at a page.
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("STUDYKG_INDEX", str(index_copy))
    app = Path(__file__).parent.parent / "app.py"
    ask = AppTest.from_file(str(app), default_timeout=180)
    ask.query_params.update({"q": make.TARGET_QUESTION})
    ask.run()
    assert not ask.exception
    cards = [m.value for m in ask.markdown if m.value.startswith("**") and "field\\-guide\\.pdf" in m.value]
    assert cards and "field\\-guide\\.pdf · page 23 ·" in cards[0]
    note = AppTest.from_file(str(app), default_timeout=180)
    note.run()
    note.switch_page("app_pages/note.py")
    note.query_params.update({"doc": f"study/{forty_pages.name}", "page": "23"})
    note.run()
    assert not note.exception
    opened = next(i for i, m in enumerate(note.markdown) if "The passage you came from" in m.value)
    assert note.markdown[opened + 1].value.startswith("#### page 23 ")


# ---- Anki ----------------------------------------------------------------------------------
def anki_notes(path: Path) -> tuple[list[str], list[tuple[str, list[str], str]]]:
    """The note type's field names and every note's (guid, fields, tags), read with sqlite3 as Anki would."""
    with zipfile.ZipFile(path) as archive:
        (path.parent / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    db = sqlite3.connect(path.parent / "collection.anki2")
    try:
        models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
        (model,) = models.values()
        names = [f["name"] for f in model["flds"]]
        notes = [(guid, fields.split("\x1f"), tags) for guid, fields, tags in db.execute("SELECT guid, flds, tags FROM notes ORDER BY id")]
    finally:
        db.close()
        (path.parent / "collection.anki2").unlink()
    return names, notes


def test_cards_export_to_an_anki_package_that_updates_the_same_notes(built_index, tmp_path):
    env = {"STUDYKG_INDEX": str(built_index), "STUDYKG_LEARNER_DB": str(tmp_path / "learner.db")}
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(cli, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result

    run("learner", "add", "Random Cut Forest")
    cards = [json.loads(line) for line in run("review", "--json").output.splitlines()]
    assert cards
    first = tmp_path / "one" / "studykg.apkg"
    first.parent.mkdir()
    assert f"Exported {len(cards)} cards" in run("learner", "export", "--anki", str(first)).output
    names, notes = anki_notes(first)
    assert names == ["Front", "Back", "Definition", "Link"]
    assert len(notes) == len(cards) and len({guid for guid, _, _ in notes}) == len(notes)
    by_front = {fields[0]: (fields, tags) for _, fields, tags in notes}
    for card in cards:
        fields, tags = by_front[html.escape(card["front"]).replace("\n", "<br>")]
        assert fields[1] == html.escape(card["back"]).replace("\n", "<br>")
        assert fields[2]  # the entity's definition
        assert "/browse?entity=RandomCutForest" in fields[3]
        assert {"studykg", "MLA-C01"} <= set(tags.split())
        assert any(t.startswith("MLA-C01::domain-") and "::task-" in t for t in tags.split())

    run("learner", "add", "Polly")
    second = tmp_path / "two" / "studykg.apkg"
    second.parent.mkdir()
    run("learner", "export", "--anki", str(second))
    _, again = anki_notes(second)
    assert {g for g, _, _ in notes} < {g for g, _, _ in again}  # the same notes again, plus the new cards'


def test_export_without_a_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["learner", "export", "--learner-db", str(tmp_path / "l.db")])
    assert result.exit_code == 2 and "--anki" in result.output


def test_an_anki_export_to_a_missing_folder_is_one_line(built_index, tmp_path):
    env = {"STUDYKG_INDEX": str(built_index), "STUDYKG_LEARNER_DB": str(tmp_path / "learner.db")}
    result = CliRunner().invoke(cli, ["learner", "export", "--anki", str(tmp_path / "nowhere" / "x.apkg")], env=env)
    assert result.exit_code == 1 and "cannot write the Anki package" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "nowhere").exists()
