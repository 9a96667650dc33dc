"""Untrusted text made safe to print on a terminal: no escape sequences, no control characters.

Note text, file names, front matter, skip reasons and error messages come from files a
user did not necessarily write. Printed raw, ``ESC ] 0 ; … BEL`` retitles the terminal,
``ESC [ 2 J`` clears it, an OSC 8 sequence turns text into a link to anywhere, and C1 bytes
(``\\x9b`` is a one-byte CSI on some terminals) do the same without ESC. So every string the
CLI prints that came from a file goes through ``clean`` (text output) or ``json_line``
(``--json`` output, where the characters stay but as ``\\uXXXX`` escapes). Lone surrogates
(a file name that is not UTF-8, read with Python's surrogateescape) become U+FFFD, so
printing one never raises ``UnicodeEncodeError``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import click

__all__ = ["clean", "echo", "json_line", "secho"]

# Whole escape sequences first (so their parameters go too), then any control character left.
_SEQUENCE = re.compile(
    r"\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC (titles, OSC 8 links), ended by BEL or ST or cut off
    r"|\x1b[P^_X][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, PM, APC, SOS strings
    r"|\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI (cursor moves, clear screen, colours)
    r"|\x1b[ -/]*[0-~]?"  # any other escape
    r"|\x9d[^\x07\x9c]*(?:\x07|\x9c)?"  # 8-bit OSC
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
)
# C0 but tab and newline, DEL, C1, and the bidirectional overrides that reorder what a line shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def clean(text: object) -> str:
    """``text`` as a string with escape sequences and control characters (but ``\\n`` and ``\\t``) removed."""
    text = str(text)
    text = _SEQUENCE.sub("", text)
    text = _CONTROL.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def echo(text: object = "", **kwargs: Any) -> None:
    """``click.echo`` of untrusted text."""
    click.echo(clean(text), **kwargs)


def secho(text: object = "", **kwargs: Any) -> None:
    """``click.secho`` of untrusted text: the style is ours, the text cannot add any."""
    click.secho(clean(text), **kwargs)


def json_line(data: Any) -> str:
    """``data`` as one JSON line; characters a terminal would act on are kept, as ``\\uXXXX`` escapes.

    ``json.dumps`` already escapes C0 controls; C1, DEL, bidi overrides and lone surrogates
    it leaves raw when ``ensure_ascii`` is off (as it is, so other scripts stay readable).
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(data, ensure_ascii=False))
