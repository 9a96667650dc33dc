"""Markdown clean-up: keep the words a reader sees, drop link targets, anchors and escapes.

Documentation exported to Markdown (the AWS guides, for one) is full of
``<a name="..."></a>`` anchors in headings, ``\\.`` escapes and long link URLs. Left in,
they pollute headings, BM25 terms and embeddings; the reader never sees them anyway.
Lines are never added or removed, so line spans still point into the original file.

Every pattern runs in linear time, whatever the note holds: link text and targets may not
contain a bracket, so a match attempt that starts at one ``[`` stops at the next bracket
instead of scanning to the end of the line. With ``[^\\]]`` a run of ``[`` took quadratic
time (a 1 MB line of them: minutes). Links whose text holds brackets keep their target.
"""

from __future__ import annotations

import re

_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]\([^()\[\]\n]*\)")
_LINK = re.compile(r"\[([^\[\]\n]+)\]\((?:[^()\[\]\n]|\([^()\[\]\n]*\))*\)")
_REFERENCE_LINK = re.compile(r"\[([^\[\]\n]+)\]\[[^\[\]\n]*\]")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~=\"'&:;,/?@$%^])")


def clean_markdown(text: str) -> str:
    """The visible text of Markdown: link and image text kept, targets, inline HTML tags and escapes removed."""
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _REFERENCE_LINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    return _ESCAPE.sub(r"\1", text)


_TABLE_RULE = re.compile(r"^\s*\|?(\s*:?-{3,}:?\s*\|)+(\s*:?-{3,}:?\s*)?$")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_CODE = re.compile(r"`+([^`]+)`+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")


def plain_text(text: str) -> list[str]:
    """Markdown as lines of plain text for a terminal: no pipes, stars, backticks or hashes.

    A table row becomes its cells joined by " · " (the rule row goes), a bullet becomes "•",
    bold and code marks are dropped, link targets too. Blank lines are dropped.
    """
    lines = []
    for line in clean_markdown(text).split("\n"):
        if not line.strip() or _TABLE_RULE.match(line) or line.strip().startswith(("```", "~~~")):
            continue
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|"):
            line = " · ".join(cell.strip() for cell in stripped[1:-1].split("|"))
        line = _HEADING.sub("", line)
        line = _BULLET.sub(r"\1• ", line)
        line = _CODE.sub(r"\1", _EMPHASIS.sub(r"\2", line))
        lines.append(line.rstrip())
    return lines
