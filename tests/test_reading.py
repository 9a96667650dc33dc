"""Reading around passages (the note view's queries) and taking a folder out of the index."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import FIXTURE_CORPUS
from indexer import SourceError, StudyIndex
from indexer.cli import cli
from indexer.markdown_text import plain_text
from indexer.reading import document_chunks, document_entities, notes_about, similar_notes
from kg import KG

pytestmark = pytest.mark.real_encoder


@pytest.fixture
def index_with_notes(index_copy, tmp_path):
    """The session index plus one folder of the learner's notes."""
    notes = tmp_path / "my-notes"
    notes.mkdir()
    (notes / "rcf.md").write_text("# My RCF notes\n\nRandom Cut Forest scores anomalies in a stream.\n", encoding="utf-8")
    (notes / "polly.md").write_text("# Polly\n\nAmazon Polly turns text into speech.\n", encoding="utf-8")
    StudyIndex.add(notes, index_copy)
    return index_copy, notes


def test_a_note_reads_in_order_with_its_entities(built_index):
    index = StudyIndex.open(built_index)
    doc = next(d for d in index.documents() if d.entity == "RandomCutForest")
    chunks = document_chunks(index, doc.doc_id)

    assert chunks and [c.ordinal for c in chunks] == sorted(c.ordinal for c in chunks)
    assert all(c.doc_id == doc.doc_id for c in chunks)
    entities = document_entities(index, doc.doc_id)
    assert (str(KG.RandomCutForest), len(chunks)) in entities, "every passage of a page links its own entity"
    assert [n for _, n in entities] == sorted((n for _, n in entities), reverse=True)
    assert document_chunks(index, "no/such/doc.md") == []


def test_notes_about_an_entity_put_its_own_page_first(built_index):
    index = StudyIndex.open(built_index)
    ranked = notes_about(index, str(KG.RandomCutForest))

    own = next(d for d in index.documents() if d.entity == "RandomCutForest")
    assert ranked[0].doc_id == own.doc_id
    assert len({p.doc_id for p in ranked}) == len(ranked), "one entry per note"
    assert [p.score for p in ranked] == sorted((p.score for p in ranked), reverse=True)


def test_similar_notes_share_entities_and_leave_the_note_out(built_index):
    index = StudyIndex.open(built_index)
    doc = next(d for d in index.documents() if d.entity == "RandomCutForest")
    similar = similar_notes(index, doc.doc_id, k=3)

    assert 0 < len(similar) <= 3 and doc.doc_id not in {n.doc.doc_id for n in similar}
    mine = {iri for iri, _ in document_entities(index, doc.doc_id)}
    assert all(set(n.shared) <= mine and n.shared for n in similar)


def test_removing_a_folder_takes_out_documents_vectors_and_graph_links(index_with_notes):
    index_path, notes = index_with_notes
    before = StudyIndex.open(index_path)
    assert before.folders()[str(notes.resolve())] == 2
    user_chunks = [c for d in before.documents(kind="user") for c in document_chunks(before, d.doc_id)]
    vectors_before = len(before.vectors)
    before.close()

    report = StudyIndex.remove(notes, index_path)

    after = StudyIndex.open(index_path)
    assert len(report.removed) == 2
    assert after.documents(kind="user") == []
    assert str(notes.resolve()) not in after.folders()
    assert str(notes.resolve()) not in after.manifest.roots
    assert len(after.vectors) == vectors_before - len(user_chunks)
    assert after.manifest.chunks == after.store.chunk_count()
    assert not any(chunk.chunk_id in after.mentioned_in(str(KG.RandomCutForest)) for chunk in user_chunks)
    assert notes.exists(), "the files themselves stay"
    hits = after.search("Random Cut Forest anomalies", k=10).hits
    assert all(hit.kind != "user" for hit in hits)
    assert str(notes.resolve()) not in after.manifest.added_roots
    after.close()


def test_a_removed_folder_stays_out_after_a_rebuild(index_with_notes):
    index_path, notes = index_with_notes
    StudyIndex.remove(notes, index_path)

    StudyIndex.build([FIXTURE_CORPUS], index_path)

    rebuilt = StudyIndex.open(index_path)
    assert rebuilt.documents(kind="user") == []
    assert str(notes.resolve()) not in rebuilt.folders()
    rebuilt.close()


def test_removing_an_unknown_folder_or_the_whole_index_is_refused(index_with_notes, tmp_path):
    index_path, notes = index_with_notes
    with pytest.raises(SourceError, match="not an indexed folder"):
        StudyIndex.remove(tmp_path / "elsewhere", index_path)
    StudyIndex.remove(notes, index_path)
    corpus = next(iter(StudyIndex.open(index_path).folders()))
    with pytest.raises(SourceError, match="every document"):
        StudyIndex.remove(corpus, index_path)
    assert StudyIndex.open(index_path).documents(), "the refused removal left the index as it was"


def test_cli_remove_and_sparql_labels(index_with_notes):
    index_path, notes = index_with_notes
    runner = CliRunner()
    env = {"STUDYKG_INDEX": str(index_path)}

    result = runner.invoke(cli, ["remove", str(notes)], env=env)
    assert result.exit_code == 0, result.output
    assert "Removed 2 documents" in result.output
    again = runner.invoke(cli, ["remove", str(notes)], env=env)
    assert again.exit_code == 1 and "not an indexed folder" in again.output

    query = "SELECT ?a WHERE { ?a a skg:Algorithm } ORDER BY ?a LIMIT 2"
    shown = runner.invoke(cli, ["graph", "sparql", query], env=env)
    assert shown.exit_code == 0 and "https://" not in shown.output and "a=" in shown.output
    raw = runner.invoke(cli, ["graph", "sparql", "--json", query], env=env)
    assert "https://w3id.org/studykg/kg#" in raw.output, "--json keeps the IRIs"


def test_terminal_passages_have_no_markdown_marks():
    lines = plain_text("## Pick\n| Service | Input |\n|---|---|\n| **Polly** | `text` |\n- one [doc](https://x.y)\n")
    assert lines == ["Pick", "Service · Input", "Polly · text", "• one doc"]
