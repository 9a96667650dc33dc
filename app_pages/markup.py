"""Note text made safe for ``st.markdown``, with linked entities highlighted.

Note text is untrusted: a note may hold HTML, Markdown links or Streamlit's own
``:red[...]`` directives. Every ASCII punctuation character is backslash-escaped
(CommonMark allows that for all of them), so the text renders literally and only the
markup this module adds is markup: the highlights, line breaks, and the pipes and dashes
of a table's rows (cell text stays escaped). Nothing here goes through ``unsafe_allow_html``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from typing import Protocol

_PUNCTUATION = frozenset(string.punctuation)
_PUNCTUATION_RE = re.compile("([" + re.escape(string.punctuation) + "])")
# Lines that start a block of their own in a note: list items, headings, quotes, table rows.
_BLOCK_START = re.compile(r"\s*(\||([-*+>#]|\d+[.)])(\s|$))")
_TABLE_ROW = re.compile(r"\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"\s*\|?(\s*:?-{3,}:?\s*\|)+(\s*:?-{3,}:?\s*)?$")
HIGHLIGHT = "orange-background"


class Span(Protocol):
    """Anything with offsets into the text, such as a kg ``Mention``."""

    start: int
    end: int


def soften(text: str) -> str:
    """Turn the line breaks that only wrap a paragraph into spaces; offsets stay the same.

    Notes are often wrapped at 80-100 columns; drawn as hard breaks that gives ragged text.
    Breaks before a blank line, a list item, a heading or a table row stay.
    """
    lines = text.split("\n")
    out = []
    for number, line in enumerate(lines[:-1]):
        following = lines[number + 1]
        ends_block = line.lstrip().startswith(("#", "|"))  # a heading or a table row is one line
        keep = not line.strip() or not following.strip() or ends_block or _BLOCK_START.match(following)
        out.append(line + ("\n" if keep else " "))
    out.append(lines[-1])
    return "".join(out)


def escape(text: str) -> str:
    """Escape ``text`` for Streamlit Markdown, keeping its paragraphs, list lines and tables."""
    return highlight(text, ())


def escape_inline(text: str) -> str:
    """Escape a short label (entity name, heading, file name) for one line of Markdown."""
    return _PUNCTUATION_RE.sub(r"\\\1", " ".join(text.split()))


def highlight(text: str, spans: Iterable[Span]) -> str:
    """Escaped ``text`` with every span wrapped in a highlight.

    Overlapping spans keep the first, longest one; a span across lines is left out.
    """
    text = soften(text.replace("\t", " "))
    lines = text.split("\n")
    tables = _table_lines(lines)
    marks = _marks(text, spans)
    out: list[str] = []
    offset = 0
    for number, line in enumerate(lines):
        # A line indented by four spaces would become a code block: drop the indent.
        indent = len(line) - len(line.lstrip())
        body = _render_line(text, offset + indent, offset + len(line), marks, table=number in tables)
        if number in tables and number - 1 not in tables and out:
            out.append("\n\n")  # a table starts a block of its own
        elif number > 0:
            out.append("\n" if number in tables else "  \n")
        out.append(body)
        if number in tables and number + 1 not in tables and number + 1 < len(lines):
            out.append("\n")
        offset += len(line) + 1
    return "".join(out)


def snippet(text: str, spans: Iterable[Span], width: int = 160) -> tuple[str, list[Span]]:
    """A window of ``text`` around its first span, and the spans that fall inside it (offsets shifted)."""
    ordered = sorted(spans, key=lambda s: s.start)
    if not ordered:
        cut = text[: 2 * width]
        return (cut + ("…" if len(text) > len(cut) else ""), [])
    first = ordered[0]
    start = max(0, first.start - width)
    end = min(len(text), first.end + width)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first.start else start
    if end < len(text):
        space = text.rfind(" ", first.end, end)
        end = space if space > first.end else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = [_Shifted(s.start + shift, s.end + shift) for s in ordered if s.start >= start and s.end <= end]
    return prefix + text[start:end] + suffix, inside


def _table_lines(lines: list[str]) -> set[int]:
    """Numbers of the lines that form GFM tables: a header row, a rule row, then body rows."""
    found: set[int] = set()
    number = 0
    while number < len(lines) - 1:
        if _TABLE_ROW.match(lines[number]) and _TABLE_RULE.match(lines[number + 1]):
            end = number + 2
            while end < len(lines) and _TABLE_ROW.match(lines[end]):
                end += 1
            found.update(range(number, end))
            number = end
        else:
            number += 1
    return found


def _marks(text: str, spans: Iterable[Span]) -> dict[int, int]:
    """Start -> end of the spans that will be highlighted."""
    marks: dict[int, int] = {}
    position = 0
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if span.start < position or span.end <= span.start or span.end > len(text) or "\n" in text[span.start : span.end]:
            continue
        marks[span.start] = span.end
        position = span.end
    return marks


def _render_line(text: str, start: int, end: int, marks: dict[int, int], *, table: bool) -> str:
    rule = table and bool(_TABLE_RULE.match(text[start:end]))
    parts: list[str] = []
    position = start
    while position < end:
        stop = marks.get(position)
        if stop is not None:
            parts.append(f":{HIGHLIGHT}[**{escape_inline(text[position:stop])}**]")
            position = stop
            continue
        char = text[position]
        if char in _PUNCTUATION and not (rule or (table and char == "|")):
            parts.append("\\" + char)
        else:
            parts.append(char)
        position += 1
    return "".join(parts)


class _Shifted:
    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end
