"""Note text made safe for ``st.markdown``, with linked entities highlighted.

Note text is untrusted: a note may hold HTML, Markdown links or Streamlit's own
``:red[...]`` directives. Every ASCII punctuation character is backslash-escaped
(CommonMark allows that for all of them), so the text renders literally and only the
highlights this module adds are markup. Nothing here goes through ``unsafe_allow_html``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from typing import Protocol

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
# Lines that start a block of their own in a note: list items, headings, tables, quotes.
_BLOCK_START = re.compile(r"\s*([-*+>|#]|\d+[.)])(\s|$)")
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
        keep = not line.strip() or not following.strip() or _BLOCK_START.match(following)
        out.append(line + ("\n" if keep else " "))
    out.append(lines[-1])
    return "".join(out)


def escape(text: str, *, at_line_start: bool = True, soft: bool = True) -> str:
    """Escape ``text`` for Streamlit Markdown, keeping its paragraphs and list lines and nothing else.

    ``at_line_start`` says whether ``text`` begins a line (False for the text after a highlight);
    ``soft`` joins wrapped lines first (see ``soften``).
    """
    if soft:
        text = soften(text)
    lines = []
    for number, line in enumerate(text.replace("\t", " ").split("\n")):
        if number > 0 or at_line_start:
            # A line indented by four spaces would become a code block: drop the indent.
            line = line.lstrip()
        lines.append(_PUNCTUATION.sub(r"\\\1", line))
    # Two trailing spaces make a hard line break, so a list in a note keeps its lines.
    return "  \n".join(lines)


def escape_inline(text: str) -> str:
    """Escape a short label (entity name, heading, file name) for one line of Markdown."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def highlight(text: str, spans: Iterable[Span]) -> str:
    """Escaped ``text`` with every span wrapped in a highlight; overlapping spans keep the first, longest one."""
    ordered = sorted(spans, key=lambda s: (s.start, -(s.end - s.start)))
    text = soften(text)
    parts: list[str] = []
    position = 0
    for span in ordered:
        if span.start < position or span.end <= span.start or span.end > len(text):
            continue
        parts.append(escape(text[position : span.start], at_line_start=_starts_line(text, position), soft=False))
        parts.append(f":{HIGHLIGHT}[**{escape_inline(text[span.start : span.end])}**]")
        position = span.end
    parts.append(escape(text[position:], at_line_start=_starts_line(text, position), soft=False))
    return "".join(parts)


def _starts_line(text: str, position: int) -> bool:
    return position == 0 or text[position - 1] == "\n"


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


class _Shifted:
    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end
