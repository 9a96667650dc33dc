"""Chunking: split a document along its headings, then by size with a small overlap.

A chunk's id is ``<doc_id>#<ordinal>``: stable for an unchanged file, so re-indexing can
tell which chunks to keep, and readable in the CLI's output.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .records import Chunk, Document

DEFAULT_MAX_WORDS = 160
DEFAULT_OVERLAP_WORDS = 24
# Words are not the only measure: a whitespace-free line (minified data, a base64 blob) is
# one "word" of any length, and became one chunk of megabytes. No chunk exceeds this.
DEFAULT_MAX_CHARS = 2_000
# Every chunk repeats its heading path, so one absurdly long heading line would be copied into each.
MAX_HEADING_CHARS = 200
# The closing #s are stripped in Python: the old pattern's lazy title followed by \s*#*\s*$
# retried the tail at every position, quadratic on long runs of spaces or #s.
_HEADING = re.compile(r"^(#{1,6})\s+(\S.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")


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
            text = "\n".join(t for _, t in lines).strip()
            if not text:
                continue
            spanned = [number for number, t in lines if t.strip()]
            ordinal = len(chunks)
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.doc_id}#{ordinal}",
                    doc_id=doc.doc_id,
                    source=doc.source,
                    kind=doc.kind,
                    title=doc.title,
                    heading=" > ".join(section.path),
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
    """Yield runs of lines of at most ``max_words`` words and ``max_chars`` characters, each starting with the last few words of the previous one."""
    window: list[tuple[int, str]] = []
    words = chars = 0
    fresh = False  # does the window hold a line not yet emitted?
    for line in (piece for original in lines for piece in _split_long_line(original, max_words, max_chars)):
        n, size = len(line[1].split()), len(line[1]) + 1
        if fresh and (words + n > max_words or chars + size > max_chars):
            yield window
            window = _tail(window, overlap_words, max_chars // 4)
            words = sum(len(t.split()) for _, t in window)
            chars = sum(len(t) + 1 for _, t in window)
            fresh = False
        window.append(line)
        words += n
        chars += size
        fresh = fresh or bool(line[1].strip())
    if fresh:
        yield window


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
