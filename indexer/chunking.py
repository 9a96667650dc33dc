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
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class _Section:
    path: tuple[str, ...]
    lines: list[tuple[int, str]]  # (1-based line number in the file, text)


def chunk_document(doc: Document, *, max_words: int = DEFAULT_MAX_WORDS, overlap_words: int = DEFAULT_OVERLAP_WORDS) -> list[Chunk]:
    """Cut a document into chunks that keep their heading path, line span and language."""
    chunks: list[Chunk] = []
    for section in _sections(doc):
        for lines in _windows(section.lines, max_words, overlap_words):
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
            level, title = len(match.group(1)), match.group(2).strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            current = _Section(tuple(t for _, t in stack), [])
            continue
        if current.lines or line.strip():  # drop blank lines right after a heading
            current.lines.append((number, line))
    if current.lines:
        yield current


def _windows(lines: list[tuple[int, str]], max_words: int, overlap_words: int) -> Iterator[list[tuple[int, str]]]:
    """Yield runs of lines of at most ``max_words`` words, each starting with the last few words of the previous one."""
    window: list[tuple[int, str]] = []
    words = 0
    fresh = False  # does the window hold a line not yet emitted?
    for line in (piece for original in lines for piece in _split_long_line(original, max_words)):
        n = len(line[1].split())
        if fresh and words + n > max_words:
            yield window
            window = _tail(window, overlap_words)
            words = sum(len(t.split()) for _, t in window)
            fresh = False
        window.append(line)
        words += n
        fresh = fresh or bool(line[1].strip())
    if fresh:
        yield window


def _tail(window: list[tuple[int, str]], overlap_words: int) -> list[tuple[int, str]]:
    """The last whole lines of ``window`` that fit in ``overlap_words``, repeated as context for the next chunk."""
    kept: list[tuple[int, str]] = []
    words = 0
    for line in reversed(window):
        words += len(line[1].split())
        if words > overlap_words:
            break
        kept.insert(0, line)
    return kept


def _split_long_line(line: tuple[int, str], max_words: int) -> list[tuple[int, str]]:
    number, text = line
    words = text.split()
    if len(words) <= max_words:
        return [line]
    step = max_words // 2  # halves leave room for the overlap
    return [(number, " ".join(words[i : i + step])) for i in range(0, len(words), step)]
