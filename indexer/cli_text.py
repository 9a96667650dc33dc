"""Study text for a terminal: wrapped at word boundaries to its width, and due times in local time.

A quiz question or a card's back printed as one long line is broken mid-word by the
terminal; a due time printed as a UTC timestamp makes the learner do the arithmetic.
"""

from __future__ import annotations

import shutil
import textwrap
from datetime import datetime, timezone

__all__ = ["when_due", "wrap"]


def wrap(text: str, indent: str = "", hanging: str | None = None, width: int | None = None) -> str:
    """``text`` wrapped at word boundaries to the terminal's width, line by line (its own line breaks kept).

    A word longer than a line (a URL, a command) stays whole on its own line rather than cut.
    """
    width = width or min(shutil.get_terminal_size((100, 24)).columns, 120) - 1
    wrapper = textwrap.TextWrapper(width=max(width, 30), initial_indent=indent, subsequent_indent=indent if hanging is None else hanging,
                                   break_long_words=False, break_on_hyphens=False)
    lines = []
    for line in str(text).splitlines() or [""]:
        lines.append(wrapper.fill(line) if line.strip() else "")
        wrapper.initial_indent = wrapper.subsequent_indent  # the first line only has the leading indent
    return "\n".join(lines)


def when_due(due: str, now: datetime | None = None) -> str:
    """A due time as a learner reads it, in the local time zone: 'in 3 days, Tue 8 Dec 14:00'."""
    moment = datetime.fromisoformat(due)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    seconds = (moment - now).total_seconds()
    if seconds <= 60:
        relative = "now"
    elif seconds < 3600:
        relative = _count(round(seconds / 60), "minute")
    elif seconds < 86400:
        relative = _count(round(seconds / 3600), "hour")
    else:
        relative = _count(round(seconds / 86400), "day")
    local = moment.astimezone()
    return f"{relative if relative == 'now' else 'in ' + relative}, {local:%a} {local.day} {local:%b %H:%M}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
