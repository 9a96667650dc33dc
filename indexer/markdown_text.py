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
