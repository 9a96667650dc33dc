"""Chunking: split a document along its headings, then by size with a small overlap, keeping its structure.

Within a section, a list item stays with the items nested under it and a table or fenced code
block stays whole whenever it fits in one chunk. A chunk that starts inside a nested list
repeats the items it is nested under (a table continued in the next chunk, its header row), so
"- 2MB/s read" still reads as a limit of "Consumer Classic:" and renders as the same list.

A chunk's id is ``<doc_id>#<ordinal>``: stable for an unchanged file, so re-indexing can
tell which chunks to keep, and readable in the CLI's output.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

from .records import Chunk, Document

DEFAULT_MAX_WORDS = 160
DEFAULT_OVERLAP_WORDS = 24
# Words are not the only measure: a whitespace-free line (minified data, a base64 blob) is
# one "word" of any length, and became one chunk of megabytes. No chunk exceeds this.
DEFAULT_MAX_CHARS = 2_000
# A chunk's heading path joins its headings with this ("Kinesis > Firehose").
HEADING_SEPARATOR = " > "
# Every chunk repeats its heading path, so one absurdly long heading line would be copied into each.
MAX_HEADING_CHARS = 200
# The closing #s are stripped in Python: the old pattern's lazy title followed by \s*#*\s*$
# retried the tail at every position, quadratic on long runs of spaces or #s.
_HEADING = re.compile(r"^(#{1,6})\s+(\S.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+\S")
_TABLE_ROW = re.compile(r"^\s*\|")


@dataclass
class _Section:
    path: tuple[str, ...]
    lines: list[tuple[int, str]]  # (1-based line number in the file, text)


def chunk_document(
    doc: Document,
    *,
    max_words: int = DEFAULT_MAX_WORDS,
    overlap_words: int = DEFAULT_OVERLAP_WORDS,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> list[Chunk]:
    """Cut a document into chunks of at most ``max_words`` words and ``max_chars`` characters that keep their heading path, line span and language."""
    chunks: list[Chunk] = []
    for section in _sections(doc):
        for lines in _windows(section.lines, max_words, overlap_words, max_chars):
            spanned = [number for number, t in lines if t.strip()]
            if not spanned:
                continue
            context = _context(section.lines, lines, max_chars - sum(len(t) + 1 for _, t in lines))
            text = textwrap.dedent("\n".join(t for _, t in (*context, *lines)).strip("\n")).strip()
            ordinal = len(chunks)
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.doc_id}#{ordinal}",
                    doc_id=doc.doc_id,
                    source=doc.source,
                    kind=doc.kind,
                    title=doc.title,
                    heading=HEADING_SEPARATOR.join(section.path),
                    text=text,
                    lang=doc.lang,
                    line_start=spanned[0],
                    line_end=spanned[-1],
                    ordinal=ordinal,
                )
            )
    return chunks


def _sections(doc: Document) -> Iterator[_Section]:
    """Group lines under their heading path, ignoring '#' lines inside fenced code."""
    stack: list[tuple[int, str]] = []
    current = _Section((), [])
    in_code = False
    for offset, line in enumerate(doc.text.split("\n")):
        number = doc.body_line + offset
        if _FENCE.match(line):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        if match:
            if current.lines:
                yield current
            level, title = len(match.group(1)), _heading_title(match.group(2))
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            current = _Section(tuple(t for _, t in stack), [])
            continue
        if current.lines or line.strip():  # drop blank lines right after a heading
            current.lines.append((number, line))
    if current.lines:
        yield current


def _heading_title(text: str) -> str:
    """A heading's text without the optional closing #s (``## Title ##``), as CommonMark reads it."""
    text = text.rstrip()
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1].isspace()):
        text = bare.rstrip() or text
    return text if len(text) <= MAX_HEADING_CHARS else text[: MAX_HEADING_CHARS - 1] + "…"


def _windows(lines: list[tuple[int, str]], max_words: int, overlap_words: int, max_chars: int) -> Iterator[list[tuple[int, str]]]:
    """Yield runs of lines of at most ``max_words`` words and ``max_chars`` characters, each starting with the last few words of the previous one.

    Lines are packed by blocks (``_blocks``): a block that fits in a chunk is never cut; one
    that does not is packed line by line.
    """
    window: list[tuple[int, str]] = []
    words = chars = 0
    fresh = False  # does the window hold a line not yet emitted?
    for block in _blocks(lines):
        block_words, block_chars = sum(len(t.split()) for _, t in block), sum(len(t) + 1 for _, t in block)
        whole = len(block) > 1 and block_words <= max_words and block_chars <= max_chars
        if whole and fresh and (words + block_words > max_words or chars + block_chars > max_chars):
            yield window
            window = _tail(window, overlap_words, max_chars // 4)
            if sum(len(t.split()) for _, t in window) + block_words > max_words or sum(len(t) + 1 for _, t in window) + block_chars > max_chars:
                window = []  # the block starts the chunk: it needs no overlap to be read
            words = sum(len(t.split()) for _, t in window)
            chars = sum(len(t) + 1 for _, t in window)
            fresh = False
        pieces = [block] if whole else [[piece] for original in block for piece in _split_long_line(original, max_words, max_chars)]
        for piece in pieces:
            n, size = sum(len(t.split()) for _, t in piece), sum(len(t) + 1 for _, t in piece)
            if fresh and (words + n > max_words or chars + size > max_chars):
                yield window
                window = _tail(window, overlap_words, max_chars // 4)
                words = sum(len(t.split()) for _, t in window)
                chars = sum(len(t) + 1 for _, t in window)
                fresh = False
            window.extend(piece)
            words += n
            chars += size
            fresh = fresh or any(t.strip() for _, t in piece)
    if fresh:
        yield window


def _blocks(lines: list[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    """Group a section's lines into the blocks a chunk should not cut: a list item with everything nested under it,
    a table, a fenced code block; any other line is a block of its own."""
    i = 0
    while i < len(lines):
        text = lines[i][1]
        end = i + 1
        if _FENCE.match(text):
            while end < len(lines) and not _FENCE.match(lines[end][1]):
                end += 1
            end = min(end + 1, len(lines))
        elif _TABLE_ROW.match(text):
            while end < len(lines) and _TABLE_ROW.match(lines[end][1]):
                end += 1
        elif _LIST_ITEM.match(text):
            depth = _indent(text)
            while end < len(lines):
                following = lines[end][1]
                if following.strip() and _indent(following) <= depth:
                    break
                if not following.strip():  # a blank line belongs to the item only when more of it follows
                    rest = next((t for _, t in lines[end:] if t.strip()), None)
                    if rest is None or _indent(rest) <= depth:
                        break
                end += 1
        yield lines[i:end]
        i = end


def _context(section: list[tuple[int, str]], window: list[tuple[int, str]], room: int) -> list[tuple[int, str]]:
    """The lines a window needs to read right when it starts inside a block: the list items it is nested under,
    or the header rows of the table it continues (at most ``room`` characters; none when the window starts a block)."""
    first = next(((number, text) for number, text in window if text.strip()), None)
    if first is None:
        return []
    start = next((n for n, line in enumerate(section) if line[0] == first[0]), None)
    if start is None:
        return []
    context: list[tuple[int, str]] = []
    if _TABLE_ROW.match(first[1]):
        top = start
        while top > 0 and _TABLE_ROW.match(section[top - 1][1]):
            top -= 1
        context = section[top : min(top + 2, start)]  # the header row and its rule
    elif _indent(first[1]) > 0:
        depth = _indent(first[1])
        for number, text in reversed(section[:start]):
            if text.strip() and _indent(text) < depth:
                context.insert(0, (number, text))
                depth = _indent(text)
                if depth == 0:
                    break
        if depth > 0:
            context = []  # indented text that is not nested in anything: plain indentation
    shown = {number for number, _ in window}
    context = [line for line in context if line[0] not in shown]
    return context if sum(len(t) + 1 for _, t in context) <= room else []


def _indent(text: str) -> int:
    """Columns of leading whitespace, a tab counting as four."""
    stripped = text.lstrip(" \t")
    return len(text[: len(text) - len(stripped)].expandtabs(4))


def _tail(window: list[tuple[int, str]], overlap_words: int, overlap_chars: int) -> list[tuple[int, str]]:
    """The last whole lines of ``window`` that fit in ``overlap_words`` (and ``overlap_chars``), repeated as context for the next chunk."""
    kept: list[tuple[int, str]] = []
    words = chars = 0
    for line in reversed(window):
        words += len(line[1].split())
        chars += len(line[1]) + 1
        if words > overlap_words or chars > overlap_chars:
            break
        kept.insert(0, line)
    return kept


def _split_long_line(line: tuple[int, str], max_words: int, max_chars: int) -> list[tuple[int, str]]:
    """Cut a line longer than a chunk into pieces of half a chunk (room for the overlap): by words, and a word longer than that by characters."""
    number, text = line
    if len(text) <= max_chars and len(text.split()) <= max_words:
        return [line]
    step, width = max(1, max_words // 2), max(1, max_chars // 2)
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for word in text.split():
        for part in (word[i : i + width] for i in range(0, len(word), width)):
            if current and (len(current) >= step or size + len(part) + 1 > width):
                pieces.append(" ".join(current))
                current, size = [], 0
            current.append(part)
            size += len(part) + 1
    if current:
        pieces.append(" ".join(current))
    return [(number, piece) for piece in pieces]
