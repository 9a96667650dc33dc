"""Camel-case API names are also searchable as the words users type."""

import pytest

from indexer import StudyIndex
from indexer.identifiers import identifier_words, with_identifier_words
from indexer.layout import current_version
from indexer.store import ChunkStore

pytestmark = pytest.mark.real_encoder


def test_camel_case_names_are_spelled_as_words():
    assert identifier_words("Call StopEndpoint, then CreateTrainingJob.") == "Create Training Job Stop Endpoint"
    assert identifier_words("SageMaker DeepAR", "StopEndpoint") == "Deep AR Sage Maker Stop Endpoint"
    assert identifier_words("plain words, S3, EC2, XGBoost, HTTP") == ""  # nothing with a lower-to-upper step
    assert with_identifier_words("use InvokeEndpoint") == "use InvokeEndpoint\nInvoke Endpoint"
    assert with_identifier_words("no names here") == "no names here"


def test_a_question_in_words_finds_the_page_of_an_api_name(index_copy, tmp_path):
    api = tmp_path / "api"
    api.mkdir()
    (api / "stop.md").write_text("# StopNotebookInstance\n\nShuts down the ML compute behind it; billing ends.\n")
    StudyIndex.add(api, index_copy)

    index = StudyIndex.open(index_copy)
    assert index.search("how do I stop a notebook instance", 1, mode="bm25").hits[0].source == "api/stop.md"


def test_changed_and_deleted_api_pages_leave_the_text_index_consistent(index_copy, tmp_path):
    api = tmp_path / "api"
    api.mkdir()
    (api / "a.md").write_text("# CreateTrainingJob\n\nStarts a model training job.\n")
    (api / "b.md").write_text("# DescribeTrainingJob\n\nReturns a training job's status.\n")
    StudyIndex.add(api, index_copy)
    (api / "a.md").write_text("# CreateProcessingJob\n\nStarts a processing job.\n")
    (api / "b.md").unlink()
    StudyIndex.add(api, index_copy)

    store = ChunkStore(current_version(index_copy) / "chunks.db")
    assert store.text_index_matches_rows()  # every delete took out exactly what its insert put in
    # A delete that passes other values than its insert (here: none) leaves the row's words in the index.
    rowid = store.db.execute("SELECT min(id) FROM chunks").fetchone()[0]
    store.db.execute("INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', ?, '')", (rowid,))
    store.db.execute("DELETE FROM chunks WHERE id = ?", (rowid,))
    assert not store.text_index_matches_rows()
    store.close()
    index = StudyIndex.open(index_copy)
    assert index.search("create processing job", 1, mode="bm25").hits[0].source == "api/a.md"
    assert all(hit.source != "api/b.md" for hit in index.search("describe training job", 10, mode="bm25").hits)
