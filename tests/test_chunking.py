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


def _nested_list(items: int) -> str:
    lines = ["- Kinesis Data Streams limits", "  - Consumer Classic:"]
    lines += [f"    - limit {i}: " + "word " * 8 for i in range(items)]
    return "\n".join(lines)


def test_a_chunk_that_starts_inside_a_nested_list_repeats_its_parent_items():
    text = "# Kinesis\n" + _nested_list(30)  # 30 nested items of 11 words: several chunks
    chunks = chunk_document(_doc(text), max_words=100, overlap_words=20)
    assert len(chunks) >= 3
    for chunk in chunks[1:]:
        lines = chunk.text.split("\n")
        assert lines[0] == "- Kinesis Data Streams limits" and lines[1] == "  - Consumer Classic:"
        assert all(line.startswith("    - limit") for line in lines[2:])  # the nested items keep their indentation
        assert chunk.line_start > 3  # the span is the chunk's own lines, not the repeated parents


def test_a_list_item_stays_with_the_items_nested_under_it():
    intro = "\n".join(f"sentence {i} " + "word " * 18 for i in range(4))  # 80 words of prose
    text = "# Streams\n" + intro + "\n" + _nested_list(3)  # the list (about 40 words) does not fit after the prose
    chunks = chunk_document(_doc(text), max_words=100, overlap_words=20)
    holding = [c for c in chunks if "limit 0" in c.text]
    assert len(holding) == 1
    assert "- Kinesis Data Streams limits\n  - Consumer Classic:\n    - limit 0" in holding[0].text
    assert all("limit 2" in c.text for c in holding)


def test_a_table_that_fits_is_never_cut():
    intro = "\n".join(f"sentence {i} " + "word " * 18 for i in range(4))
    table = "| service | input | output |\n|---|---|---|\n" + "\n".join(f"| s{i} | text words here | speech words here |" for i in range(6))
    chunks = chunk_document(_doc("# T\n" + intro + "\n" + table), max_words=100, overlap_words=20)
    holding = [c for c in chunks if "| s0 |" in c.text]
    assert len(holding) == 1 and all(f"| s{i} |" in holding[0].text for i in range(6))
    assert "| service | input | output |" in holding[0].text


def test_a_table_too_long_for_one_chunk_repeats_its_header_row():
    table = "| service | note |\n|---|---|\n" + "\n".join(f"| s{i} | " + "word " * 10 + "|" for i in range(40))
    chunks = chunk_document(_doc("# T\n" + table), max_words=100, overlap_words=20)
    assert len(chunks) >= 4
    for chunk in chunks:
        assert chunk.text.startswith("| service | note |\n|---|---|")
