r"""Note text made safe for ``st.markdown``, with the entities that matter highlighted.

Two kinds of text reach the page. Short labels (entity names, headings, file names, a
definition) go through ``escape``/``escape_inline``: every ASCII punctuation character is
backslash-escaped (CommonMark allows that for all of them), so they render literally.
Escapes do not stop GFM's autolinks, which are found in the text after escapes are read
(``http\:\/\/evil\.example`` still becomes a link), so an invisible word joiner (U+2060)
goes where each autolink pattern needs its next character: after ``://``'s colon, between
``www`` and its dot, after an ``@``. The label reads the same and is not a link.

A note's passage goes through ``render``: it is Markdown, written to be read as Markdown
(bold, lists, tables, code), so it renders as such, but with everything that is not
plain formatting switched off. ``<`` is escaped, so HTML shows as text and never becomes
markup; ``$`` (Streamlit's LaTeX), ``~`` (strikethrough by accident), ``:`` (Streamlit's
``:red[...]`` directives) and ``![`` (remote images) are escaped too, and so is every
backslash: the text was cleaned already (its Markdown escapes resolved), so a backslash left
in it is a character, and left bare, ``\`` before an escaped ``!`` undid that escape
(``\![x](http://host/a[1].png)`` became an image the browser fetched). Code spans, code
blocks and link targets are left byte for byte, and highlights never go inside them or
inside a word: "checkpoint_s3_uri" is one identifier, not "checkpoint_ s3 _uri".
Nothing here goes through ``unsafe_allow_html``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from typing import Protocol

_PUNCTUATION_RE = re.compile("([" + re.escape(string.punctuation) + "])")
HIGHLIGHT = "orange-background"

# What ``render`` leaves untouched: fenced code blocks (to the end of the text when a chunk
# cut one open), code spans, link targets and bare URLs.
# A fence may be indented (inside a list item); a code span never crosses a blank line.
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)\1(?!`)", re.S)
_LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\)")
# Links keep working only to the web (or an e-mail address); any other target, javascript:
# or a path relative to the app, is shown as text.
_SAFE_TARGET = re.compile(r"\]\(\s*<?(https?://|mailto:)", re.I)
_URL = re.compile(r"(?:https?|ftp)://[^\s<>()\[\]`]+")
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]+")
# Characters that would turn plain text into something other than formatting.
_UNSAFE = frozenset("<$~:")
# A mention's text may not hold Markdown syntax, or wrapping it would break what it sits in.
_MARKUP_CHARS = frozenset("*_`[]|\\<>#")
# Where GFM autolinks ("http://", "www.", "user@host") would start: a word joiner goes there.
_AUTOLINK_SEAM = re.compile(r"(?<=:)(?=//)|(?<=[Ww]{3})(?=\.)|(?<=@)")
_WORD_JOINER = "\u2060"


class Span(Protocol):
    """Anything with offsets into the text, such as a kg ``Mention``."""

    start: int
    end: int


def escape(text: str) -> str:
    """Escape ``text`` (a definition, say) for Streamlit Markdown, keeping its paragraphs."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(escape_inline(paragraph) for paragraph in paragraphs if paragraph.strip())


def escape_inline(text: str) -> str:
    """Escape a short label (entity name, heading, file name) for one line of Markdown."""
    text = _AUTOLINK_SEAM.sub(_WORD_JOINER, " ".join(text.split()))
    return _PUNCTUATION_RE.sub(r"\\\1", text)


class _Shifted:
    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end


# ---- passages as Markdown ------------------------------------------------------
def render(text: str, spans: Iterable[Span] = (), *, headings: str = "bold") -> str:
    """A note's passage as safe Markdown, with ``spans`` highlighted where that is safe.

    ``headings="bold"`` turns a heading line into a bold line, for a passage shown inside
    a card; ``"keep"`` leaves headings, for the note view's full document.
    """
    protected = _protected(text)
    unsafe_links = {start for start in list(protected) if text.startswith("](", start) and not _SAFE_TARGET.match(text, start)}
    for start in unsafe_links:
        del protected[start]
    marks = _word_marks(text, spans, protected)
    out: list[str] = []
    position, length = 0, len(text)
    in_heading = False
    while position < length:
        if position in protected:
            end, suffix = protected[position]
            out.append(text[position:end] + suffix)
            position = end
            continue
        if position in marks:
            end = marks[position]
            out.append(f":{HIGHLIGHT}[{_safe(text[position:end])}]")
            position = end
            continue
        if headings == "bold" and (position == 0 or text[position - 1] == "\n"):
            heading = _HEADING.match(text, position)
            if heading and heading.end() < length and text[heading.end()] != "\n":
                out.append("**")
                in_heading = True
                position = heading.end()
                continue
        if position in unsafe_links:
            out.append("\\]")  # no longer a link: the target reads as text
            position += 1
            continue
        char = text[position]
        if char == "\n" and in_heading:
            out.append("**\n")  # the heading is a paragraph of its own
            in_heading = False
        if char == "\\":
            out.append("\\\\")  # a literal backslash; bare, it would escape the escape that follows it
        else:
            out.append(_safe(char) if char != "!" or text[position + 1 : position + 2] != "[" else "\\!")
        position += 1
    if in_heading:
        out.append("**")
    return "".join(out)


def excerpt(text: str, spans: Iterable[Span], max_chars: int = 600) -> tuple[str, list[Span], bool, bool]:
    """The block of ``text`` (paragraph, list, table or code block) that holds the first span.

    Cut at blank lines outside code blocks, so the excerpt is whole Markdown. Returns the
    block, the spans inside it (offsets shifted) and whether text was left out before and
    after it. Without spans it is the start of the text.
    """
    blocks = _blocks(text)
    ordered = sorted(spans, key=lambda s: s.start)
    first = ordered[0].start if ordered else 0
    chosen = next((b for b in blocks if b[0] <= first < b[1]), blocks[0] if blocks else (0, len(text)))
    start, end = chosen
    # A short block (a heading or a one-line lead-in) reads better with the block after it.
    following = [b for b in blocks if b[0] >= end]
    while following and end - start < 160 and following[0][1] - start <= max_chars:
        end = following.pop(0)[1]
    inside = [_Shifted(s.start - start, s.end - start) for s in ordered if s.start >= start and s.end <= end]
    return text[start:end], inside, start > 0, end < len(text.rstrip())


def _blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of the blank-line separated blocks of ``text``; a fenced code block is never split."""
    fenced = [(m.start(), m.end()) for m in _FENCE.finditer(text)]
    blocks: list[tuple[int, int]] = []
    start = None
    offset = 0
    for line in text.split("\n"):
        inside_fence = any(a <= offset < b for a, b in fenced)
        if line.strip() or inside_fence:
            if start is None:
                start = offset
            end = offset + len(line)
        elif start is not None:
            blocks.append((start, end))
            start = None
        offset += len(line) + 1
    if start is not None:
        blocks.append((start, end))
    return blocks


def _protected(text: str) -> dict[int, tuple[int, str]]:
    """Start -> (end, text to add after) of the ranges ``render`` copies as they are."""
    ranges: list[tuple[int, int, str]] = []
    for match in _FENCE.finditer(text):
        lines = match.group(0).rstrip("\n").split("\n")
        last = lines[-1].strip()
        closed = len(lines) > 1 and last.startswith(match.group(1)) and set(last) == {match.group(1)[0]}
        tail = "" if closed else ("" if match.group(0).endswith("\n") else "\n") + match.group(1)  # a chunk that cut a code block open: close it
        ranges.append((match.start(), match.end(), tail))
    for pattern in (_CODE_SPAN, _LINK_TARGET, _URL):
        for match in pattern.finditer(text):
            if not any(a <= match.start() < b for a, b, _ in ranges):
                ranges.append((match.start(), match.end(), ""))
    # A link target and a URL inside it overlap: keep the one that starts first.
    found: dict[int, tuple[int, str]] = {}
    reach = -1
    for start, end, tail in sorted(ranges):
        if start >= reach:
            found[start] = (end, tail)
            reach = end
    return found


def _word_marks(text: str, spans: Iterable[Span], protected: dict[int, tuple[int, str]]) -> dict[int, int]:
    """Start -> end of the spans that can be highlighted: whole words, outside code and links, no markup inside."""
    blocked = [(start, end) for start, (end, _) in protected.items()]
    marks: dict[int, int] = {}
    position = 0
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        start, end = span.start, span.end
        if start < position or end <= start or end > len(text):
            continue
        surface = text[start:end]
        if "\n" in surface or _MARKUP_CHARS & set(surface):
            continue
        if any(a < end and start < b for a, b in blocked):
            continue
        if not (_word_edge(text, start - 1, before=True) and _word_edge(text, end, before=False)):
            continue
        marks[start] = end
        position = end
    return marks


def _word_edge(text: str, at: int, *, before: bool) -> bool:
    """True when the character at ``at`` ends a word: no letter, digit or "_" (an identifier goes on)."""
    if at < 0 or at >= len(text):
        return True
    char = text[at]
    if char.isalnum() or char == "_":
        return False
    # "sagemaker.estimator", "s3/prefix": a dot or slash between word characters joins them.
    neighbour = text[at - 1] if before else text[at + 1 : at + 2]
    return not (char in "./" and neighbour[:1].isalnum())


def _safe(text: str) -> str:
    return "".join("\\" + char if char in _UNSAFE else char for char in text)


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with "…" saying it goes on.

    Long note titles (a PDF's first line, a file name) were cut mid-word by the browser with
    nothing to show that more followed.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—·") + "…"
