"""Word documents (``.docx``, also what Google Docs exports) to Markdown with python-docx, headings kept.

Title and Heading styles become Markdown headings, list styles list items, tables Markdown
tables, in document order. A .docx is a zip archive: its listing is checked before
python-docx unpacks anything, so a zip bomb or a zip of unrelated files is refused with a
reason instead of filling memory or failing deep inside the library.
"""

from __future__ import annotations

import io
import re
import zipfile

MAX_UNPACKED_BYTES = 200_000_000
MAX_PARTS = 5_000
_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.I)
_LIST_STYLE = re.compile(r"^list\s*(bullet|number|paragraph)?\s*(\d)?$", re.I)
_MARKDOWN_START = re.compile(r"^(#|```|~~~|\||>)")


class DocxReadError(ValueError):
    """The document cannot be indexed; the message is the reason shown next to the file name."""


def docx_to_markdown(data: bytes) -> tuple[str | None, str]:
    """The document's title and its body as Markdown, from the file's bytes (read and hashed once by the caller).

    Raises:
        DocxReadError: not a zip, not a Word document, too large once unpacked, or unreadable.
    """
    _check_archive(data)
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(document.iter_inner_content())
        title = (document.core_properties.title or "").strip() or None
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds on a damaged file; any of them means "skip it"
        raise DocxReadError(f"not a readable Word document ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})") from None
    has_title = any(not isinstance(b, Table) and _style_name(b) == "title" for b in blocks)
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            lines += ["", *_table(block), ""]
            continue
        text = " ".join(block.text.split())
        if not text:
            continue
        style = _style_name(block)
        heading = _HEADING_STYLE.match(style)
        listed = _LIST_STYLE.match(style) or block._p.pPr is not None and block._p.pPr.numPr is not None
        if style == "title":
            title = title or text
            lines += ["", f"# {text}", ""]
        elif heading:
            level = min(int(heading.group(1)) + (1 if has_title else 0), 6)
            title = title or (text if level == 1 else None)
            lines += ["", f"{'#' * max(level, 1)} {text}", ""]
        elif listed:
            depth = int(listed.group(2) or 1) - 1 if isinstance(listed, re.Match) else 0
            marker = "1." if isinstance(listed, re.Match) and (listed.group(1) or "").lower() == "number" else "-"
            if lines and not re.match(r"\s*(-|1\.) ", lines[-1]):
                lines.append("")  # a list starts its own block
            lines.append(f"{'  ' * depth}{marker} {text}")
        else:
            lines += ["", "\\" + text if _MARKDOWN_START.match(text) else text]
    return title, re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocxReadError(f"not a Word document (not a valid zip archive: {exc})") from None
    if len(parts) > MAX_PARTS:
        raise DocxReadError(f"not a Word document ({len(parts):,} parts in the archive; the limit is {MAX_PARTS:,})")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocxReadError(f"too large once unpacked ({unpacked:,} bytes; the limit is {MAX_UNPACKED_BYTES:,})")
    names = {part.filename for part in parts}
    if "[Content_Types].xml" not in names or not any(n.startswith("word/") for n in names):
        raise DocxReadError("not a Word document (a zip archive without the parts of a .docx)")


def _style_name(paragraph) -> str:
    try:
        style = paragraph.style
    except Exception:  # noqa: BLE001 - a style id pointing nowhere: read the paragraph as plain text
        return ""
    return " ".join((style.name or "").lower().split()) if style is not None else ""


def _table(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells = [" ".join(cell.text.split()).replace("|", "\\|") for cell in row.cells]
        rows.append("| " + " | ".join(cells) + " |")
    if not rows:
        return []
    width = rows[0].count(" | ") + 1
    return [rows[0], "| " + " | ".join(["---"] * width) + " |", *rows[1:]]
