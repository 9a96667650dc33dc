"""Jupyter notebooks (``.ipynb``) to Markdown: Markdown cells as text, code cells as fenced code, outputs dropped.

Outputs are left out on purpose: they are tables of numbers, base64 images and stack traces
that would crowd the passages a learner searches. The format is plain JSON (nbformat 4, and
the ``worksheets`` layout of nbformat 3), so the standard library reads it.
"""

from __future__ import annotations

import json
import re

from .markdown_text import clean_markdown


class NotebookReadError(ValueError):
    """The notebook cannot be indexed; the message is the reason shown next to the file name."""


def notebook_to_markdown(text: str) -> tuple[str | None, str]:
    """The notebook's title (its first heading, if any) and its cells as Markdown.

    Raises:
        NotebookReadError: not JSON, or JSON that is not a notebook.
    """
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookReadError(f"not a valid notebook: invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise NotebookReadError("not a valid notebook: JSON nested too deeply") from None
    if not isinstance(notebook, dict):
        raise NotebookReadError(f"not a valid notebook: the JSON is a {type(notebook).__name__}, not an object with cells")
    cells = notebook.get("cells")
    if cells is None and isinstance(notebook.get("worksheets"), list):  # nbformat 3
        cells = [cell for sheet in notebook["worksheets"] if isinstance(sheet, dict) for cell in sheet.get("cells") or []]
    if not isinstance(cells, list):
        raise NotebookReadError("not a valid notebook: no list of cells")
    language = _language(notebook)
    parts: list[str] = []
    title = None
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        kind = cell.get("cell_type")
        source = _source(cell.get("source", cell.get("input", "")))
        if not source.strip():
            continue
        if kind == "markdown":
            body = clean_markdown(source).strip()
            title = title or next((line.lstrip("#").strip() for line in body.split("\n") if re.match(r"#{1,6}\s", line)), None)
            parts.append(body)
        elif kind == "code":
            fence = "`" * max(3, _longest_backtick_run(source) + 1)
            parts.append(f"{fence}{language}\n{source.rstrip()}\n{fence}")
        # raw cells hold conversion directives (LaTeX, reST) rather than prose: left out
    return title, "\n\n".join(parts) + "\n"


def _source(value) -> str:
    if isinstance(value, list):
        return "".join(part for part in value if isinstance(part, str))
    return value if isinstance(value, str) else ""


def _language(notebook: dict) -> str:
    metadata = notebook.get("metadata") if isinstance(notebook.get("metadata"), dict) else {}
    for key in ("language_info", "kernelspec"):
        value = metadata.get(key)
        if isinstance(value, dict):
            name = value.get("name") if key == "language_info" else value.get("language")
            if isinstance(name, str) and re.fullmatch(r"[\w+#.-]{1,30}", name):
                return name.lower()
    return ""


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)
