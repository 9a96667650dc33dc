from indexer.chunking import chunk_document
from indexer.records import Document


def _doc(text: str, body_line: int = 1) -> Document:
    return Document(
        doc_id="notes/a.md", source="notes/a.md", path="/x/notes/a.md", root="/x/notes", kind="note", title="A",
        lang="en", entity=None, tags=(), text=text, body_line=body_line, sha256="0", size=len(text),
    )


def test_chunks_follow_headings_and_keep_the_heading_path():
    text = "# Kinesis\nintro\n\n## Firehose\nbuffers and delivers\n\n### Limits\nno shards\n\n## Streams\nshards\n"
    chunks = chunk_document(_doc(text))
    assert [c.heading for c in chunks] == ["Kinesis", "Kinesis > Firehose", "Kinesis > Firehose > Limits", "Kinesis > Streams"]
    assert [c.text for c in chunks] == ["intro", "buffers and delivers", "no shards", "shards"]


def test_line_spans_point_into_the_original_file():
    text = "# T\nline one\nline two\n\n## U\nline three\n"
    chunks = chunk_document(_doc(text, body_line=6))
    assert [(c.line_start, c.line_end) for c in chunks] == [(7, 8), (11, 11)]


def test_long_sections_split_by_size_with_overlap():
    lines = [f"sentence {i} " + "word " * 18 for i in range(30)]  # 20 words a line, 600 words
    chunks = chunk_document(_doc("# Long\n" + "\n".join(lines)), max_words=100, overlap_words=20)
    assert len(chunks) >= 6
    assert all(len(c.text.split()) <= 100 for c in chunks)
    for before, after in zip(chunks, chunks[1:]):
        assert before.text.split("\n")[-1].strip() == after.text.split("\n")[0].strip()  # one line of overlap
    assert chunks[-1].text.split("\n")[-1].startswith("sentence 29")


def test_headings_inside_code_fences_are_not_headings():
    chunks = chunk_document(_doc("# Real\n```\n# comment in code\n```\n"))
    assert len(chunks) == 1 and chunks[0].heading == "Real" and "# comment in code" in chunks[0].text


def test_chunk_ids_are_stable_and_ordinal():
    text = "# A\none\n## B\ntwo\n"
    first, second = chunk_document(_doc(text)), chunk_document(_doc(text))
    assert [c.chunk_id for c in first] == [c.chunk_id for c in second] == ["notes/a.md#0", "notes/a.md#1"]


def test_a_giant_paragraph_is_split():
    chunks = chunk_document(_doc("word " * 1000), max_words=100, overlap_words=10)
    assert len(chunks) >= 10 and all(len(c.text.split()) <= 100 for c in chunks)
