import json

import numpy as np
import pytest

from indexer import IndexMissingError, SourceError, StudyIndex
from indexer.layout import current_version
from indexer.manifest import Manifest


def test_build_writes_a_complete_version(built_index):
    version = current_version(built_index)
    manifest = Manifest.load(version)
    assert manifest.documents == 7
    assert manifest.model_name == "studykg-static" and manifest.model_trained
    assert manifest.chunks == len(np.load(version / "ids.npy"))
    assert manifest.languages["en"] >= 4 and manifest.languages["vi"] == 1 and manifest.languages["it"] == 1
    assert {p.name for p in version.iterdir()} >= {"manifest.json", "chunks.db", "vectors.faiss", "vectors.npy", "ids.npy", "model", "graph"}


def test_chunk_ids_are_stable_across_rebuilds(built_index, built_model, tmp_path):
    from conftest import FIXTURE_CORPUS

    StudyIndex.build([FIXTURE_CORPUS], tmp_path / "again", model=built_model)
    first = StudyIndex.open(built_index)
    second = StudyIndex.open(tmp_path / "again")
    ids = lambda index: [row["chunk_id"] for row in index.store.iter_chunks()]  # noqa: E731
    assert ids(first) == ids(second)
    assert "corpus/services/Polly.md#0" in ids(first)


def test_service_pages_are_linked_to_their_entity(built_index):
    index = StudyIndex.open(built_index)
    polly = index.entity("Polly")
    assert "corpus/services/Polly.md#0" in index.mentioned_in(polly.iri)
    rcf_chunks = index.mentioned_in("Random Cut Forest")
    assert any(c.startswith("corpus/notes/anomalie.it.md") for c in rcf_chunks)  # linked in Italian text too


def test_incremental_add_handles_new_changed_and_deleted_files(index_copy, tmp_path):
    notes = tmp_path / "mynotes"
    notes.mkdir()
    (notes / "a.md").write_text("# Lex\nAmazon Lex builds chatbots with voice and text.\n")
    (notes / "b.md").write_text("# Textract\nAmazon Textract reads forms and tables from scanned documents.\n")
    (notes / "bad.md").write_bytes(b"\x00\x01binary")

    first = StudyIndex.add(notes, index_copy)
    assert sorted(first.added) == ["mynotes/a.md", "mynotes/b.md"] and first.embedded == 2
    assert [s.reason for s in first.skipped] == ["binary file, not text"]

    again = StudyIndex.add(notes, index_copy)
    assert not again.published and again.embedded == 0 and again.unchanged == 2

    (notes / "a.md").write_text("# Lex\nAmazon Lex builds conversational bots; it pairs with Polly for voice.\n")
    (notes / "b.md").unlink()
    third = StudyIndex.add(notes, index_copy)
    assert third.changed == ("mynotes/a.md",) and third.removed == ("mynotes/b.md",) and third.embedded == 1

    index = StudyIndex.open(index_copy)
    assert "conversational bots" in index.chunk("mynotes/a.md#0").text
    assert index.store.chunk_by_id("mynotes/b.md#0") is None
    assert "mynotes/b.md#0" not in index.mentioned_in("Textract")
    assert index.chunk("mynotes/a.md#0").kind == "user"
    hit_ids = [h.chunk_id for h in index.search("chatbot conversational bots Lex", k=10).hits]
    assert "mynotes/a.md#0" in hit_ids
    assert len(index.vectors) == index.store.chunk_count()


def _vocabulary(index_path) -> dict:
    from indexer.encoder import Encoder

    return Encoder.load(current_version(index_path) / "model")._static.tokenizer.get_vocab()


def _documentation_folder(folder, pages: int):
    """Pages about a made-up service, enough to more than double the fixture index."""
    folder.mkdir()
    for n in range(pages):
        (folder / f"page{n}.md").write_text(
            f"# Zephyrine quota {n}\n\nZephyrine pipelines replicate ledgers between regions; "
            f"each zephyrine ledger keeps {n} snapshots for auditors.\n",
            encoding="utf-8",
        )
    return folder


def test_a_large_add_retrains_the_encoder_on_the_whole_index(index_copy, tmp_path):
    before = Manifest.load(current_version(index_copy))
    assert before.encoder_chunks == before.chunks
    assert "zephyrine" not in _vocabulary(index_copy)

    report = StudyIndex.add(_documentation_folder(tmp_path / "docs", before.chunks * 2), index_copy)

    after = Manifest.load(current_version(index_copy))
    assert report.retrained and report.embedded == after.chunks
    assert after.encoder_chunks == after.chunks == before.chunks + before.chunks * 2
    assert after.model_fingerprint != before.model_fingerprint
    assert "zephyrine" in _vocabulary(index_copy)  # the new folder's words are now whole tokens
    index = StudyIndex.open(index_copy)
    assert index.search("zephyrine ledger snapshots", 3, mode="dense").hits[0].source.startswith("docs/")
    assert index.search("Which service converts text to speech?", 3).entities[0].label == "Amazon Polly"


def test_an_add_can_be_told_not_to_retrain(index_copy, tmp_path):
    before = Manifest.load(current_version(index_copy))
    report = StudyIndex.add(_documentation_folder(tmp_path / "docs", before.chunks * 2), index_copy, retrain=False)
    after = Manifest.load(current_version(index_copy))
    assert not report.retrained and report.embedded == before.chunks * 2
    assert after.model_fingerprint == before.model_fingerprint and after.encoder_chunks == before.chunks


def test_a_crash_midway_leaves_the_previous_index_working(index_copy, built_model, monkeypatch):
    from conftest import FIXTURE_CORPUS
    import indexer.build as build

    before = current_version(index_copy)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(build.VectorIndex, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        StudyIndex.build([FIXTURE_CORPUS], index_copy, model=built_model)
    assert current_version(index_copy) == before
    assert [p.name for p in (index_copy / "versions").iterdir()] == [before.name]  # the half-written one is gone
    assert StudyIndex.open(index_copy).search("text to speech").hits


def test_a_killed_process_leaves_no_published_half_version(index_copy, built_model):
    """A leftover folder from a killed build (no cleanup ran) is ignored by readers and removed by the next writer."""
    from conftest import FIXTURE_CORPUS

    leftover = index_copy / "versions" / "20000101-000000-1"
    leftover.mkdir()
    (leftover / "chunks.db").write_bytes(b"half written")
    assert StudyIndex.open(index_copy).search("Polly").hits
    StudyIndex.build([FIXTURE_CORPUS], index_copy, model=built_model)
    assert not leftover.exists()


def test_two_readers_at_once(built_index):
    first, second = StudyIndex.open(built_index), StudyIndex.open(built_index)
    assert first.search("Kinesis Firehose").hits[0].chunk_id == second.search("Kinesis Firehose").hits[0].chunk_id


def test_empty_corpus_is_a_clear_error_and_keeps_the_old_index(index_copy, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "blank.md").write_text("   \n")
    before = current_version(index_copy)
    with pytest.raises(SourceError, match="no indexable files"):
        StudyIndex.build([empty], index_copy)
    assert current_version(index_copy) == before


def test_adding_an_empty_folder_is_an_error_unless_it_was_indexed_before(index_copy, tmp_path):
    notes = tmp_path / "fresh"
    notes.mkdir()
    (notes / "blank.md").write_text("   \n")
    before = current_version(index_copy)
    with pytest.raises(SourceError, match=r"no indexable files in .*fresh \(1 skipped: .*blank\.md: empty"):
        StudyIndex.add(notes, index_copy)
    assert current_version(index_copy) == before

    (notes / "lex.md").write_text("# Lex\nAmazon Lex builds chatbots.\n")
    StudyIndex.add(notes, index_copy)
    (notes / "lex.md").unlink()
    emptied = StudyIndex.add(notes, index_copy)
    assert emptied.removed == ("fresh/lex.md",) and emptied.published


def test_a_file_name_is_searchable_like_its_title(index_copy, tmp_path):
    docs = tmp_path / "docs" / "ground-truth"
    docs.mkdir(parents=True)
    (docs / "labeling-workforce-vendors.md").write_text("# Workforces\nChoose who labels your data and how they are paid.\n")
    StudyIndex.add(tmp_path / "docs", index_copy)
    index = StudyIndex.open(index_copy)
    hits = index.search("ground truth vendors", k=3, mode="bm25").hits
    assert hits[0].source == "docs/ground-truth/labeling-workforce-vendors.md"


def test_opening_a_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexMissingError, match="studykg build"):
        StudyIndex.open(tmp_path / "nothing")


def test_export_chunks_writes_every_chunk_with_metadata(built_index, tmp_path):
    index = StudyIndex.open(built_index)
    out = tmp_path / "chunks.jsonl"
    count = index.export_chunks(out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert count == len(rows) == index.store.chunk_count()
    polly = next(r for r in rows if r["chunk_id"] == "corpus/services/Polly.md#0")
    assert polly["kind"] == "service" and polly["lang"] == "en" and polly["line_start"] >= 8
    assert "https://w3id.org/studykg/kg#Polly" in polly["entities"]
