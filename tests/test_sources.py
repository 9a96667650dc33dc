from pathlib import Path

import pytest

from indexer.errors import SourceError
from indexer.records import Document, Skipped
from indexer.sources import iter_documents, read_document, split_front_matter

from conftest import FIXTURE_CORPUS


def _read_all(root: Path):
    items = list(iter_documents([root]))
    docs = {Path(i.path).name: i for i in items if isinstance(i, Document)}
    skipped = {Path(i.path).name: i.reason for i in items if isinstance(i, Skipped)}
    return docs, skipped


def test_reads_every_supported_format_with_metadata():
    docs, skipped = _read_all(FIXTURE_CORPUS)
    assert skipped == {}
    assert set(docs) == {"Polly.md", "RandomCutForest.md", "kinesis.en.md", "anomalie.it.md", "bat-thuong.vi.md", "metrics.txt", "overfitting.html"}
    polly = docs["Polly.md"]
    assert (polly.title, polly.entity, polly.lang, polly.kind) == ("Amazon Polly", "Polly", "en", "service")
    assert polly.doc_id == "corpus/services/Polly.md"
    assert polly.text.startswith("# Amazon Polly") and "entity:" not in polly.text
    assert polly.body_line == 8


def test_toml_front_matter_and_detected_language():
    docs, _ = _read_all(FIXTURE_CORPUS)
    vi = docs["bat-thuong.vi.md"]
    assert vi.title == "Phát hiện bất thường"
    assert vi.tags == ("anomaly",)
    assert vi.lang == "vi"  # not in the front matter: detected
    assert docs["metrics.txt"].lang == "en"
    assert docs["metrics.txt"].title == "metrics"


def test_html_keeps_headings_and_drops_scripts():
    docs, _ = _read_all(FIXTURE_CORPUS)
    page = docs["overfitting.html"]
    assert page.title == "Overfitting remedies"
    assert "## Remedies" in page.text and "- Use dropout or L2 regularization" in page.text
    assert "alert" not in page.text and "menu" not in page.text


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("photo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("latin1.md", "Perché la qualità".encode("latin-1"), "not UTF-8 text"),
        ("empty.md", b"---\ntitle: x\n---\n\n  \n", "empty"),
        ("broken.md", b"---\ntitle: [unclosed\n---\nbody\n", "broken YAML front matter"),
        ("unclosed.md", b"---\ntitle: x\nbody without end\n", "no closing '---'"),
        ("list.md", b"---\n- a\n- b\n---\nbody\n", "expected key: value pairs"),
        ("bad.toml.md", b"+++\ntitle = \n+++\nbody\n", "broken TOML front matter"),
        ("data.csv", b"a,b\n1,2\n", "unsupported file type '.csv'"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    result = read_document(path, tmp_path)
    assert isinstance(result, Skipped)
    assert reason in result.reason
    assert "\n" not in result.reason


def test_huge_files_are_skipped(tmp_path):
    path = tmp_path / "huge.md"
    path.write_text("word " * 1000)
    result = read_document(path, tmp_path, max_bytes=100)
    assert isinstance(result, Skipped) and result.reason.startswith("too large (5,000 bytes")


def test_one_bad_file_does_not_stop_the_walk(tmp_path):
    (tmp_path / "good.md").write_text("# Good\nA note about Amazon Polly and text to speech.\n")
    (tmp_path / "bad.md").write_bytes(b"\xfa\xfb not text \x00")
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / ".obsidian" / "state.md").write_text("# hidden tool state\n")
    docs, skipped = _read_all(tmp_path)
    assert list(docs) == ["good.md"]
    assert list(skipped) == ["bad.md"]


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(SourceError, match="folder not found"):
        list(iter_documents([tmp_path / "nope"]))


def test_front_matter_body_line_counts_the_fences():
    meta, body, line = split_front_matter("---\na: 1\nb: 2\n---\nfirst body line\n")
    assert meta == {"a": 1, "b": 2} and body.startswith("first body line") and line == 5
