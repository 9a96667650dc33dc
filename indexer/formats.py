"""Study material that is not plain text: PDF, Jupyter notebooks and Word documents, read into ``Document`` records.

Each format is converted to Markdown by its own module (``pdf_text``, ``notebook_text``,
``docx_text``), so chunking, linking and the app treat the result like a note. A file that
cannot be used becomes a ``Skipped`` with the reason: encrypted, scanned (no text layer),
broken, not what its name says, or too large. The binary formats get their own size limit:
an exam guide or a whitepaper PDF is often larger than any note, while the text drawn from
it is still held to the note limit.
"""

from __future__ import annotations

import hashlib
import logging
import stat
from pathlib import Path

from .language import detect_language
from .records import Document, Skipped, Unchanged

log = logging.getLogger(__name__)

CONVERTED_SUFFIXES = {".pdf": "PDF", ".ipynb": "notebook", ".docx": "Word document"}
# Every type `studykg add` reads, for the "unsupported file type" reason (sources.py reads the text ones).
SUPPORTED_TYPES = ".md, .markdown, .txt, .html, .htm, .pdf, .ipynb, .docx"
MAX_BINARY_BYTES = 100_000_000
MAX_TITLE_CHARS = 200


def is_converted(path: Path) -> bool:
    """Whether ``path`` is one of the formats this module reads."""
    return path.suffix.lower() in CONVERTED_SUFFIXES


FILE_KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
              stat.S_IFBLK: "a block device", stat.S_IFDIR: "a folder"}


def read_regular_file(path: Path, limit: int) -> bytes | Skipped:
    """The bytes of a regular file of at most ``limit`` bytes, or why it is skipped.

    The size is read before the file, so a note that grew to gigabytes is never loaded, and
    a FIFO or device named like a note is refused instead of blocking the read forever.
    """
    shown = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = FILE_KINDS.get(stat.S_IFMT(info.st_mode), "a special file")
            return Skipped(shown, f"{kind}, not a regular file; only regular files are read")
        if info.st_size > limit:
            return Skipped(shown, f"too large ({info.st_size:,} bytes; the limit is {limit:,})")
        return path.read_bytes()
    except OSError as exc:
        return Skipped(shown, f"cannot be read ({exc.strerror or exc}); what was indexed from it before is kept", unreadable=True)


def read_if_changed(path: Path, limit: int, doc_id: str, known_sha: str | None) -> tuple[bytes, str] | Skipped | Unchanged:
    """The bytes of a regular file and their SHA-256, read once; ``Unchanged`` when they hash to ``known_sha`` (what the index holds)."""
    raw = read_regular_file(path, limit)
    if isinstance(raw, Skipped):
        return raw
    sha256 = hashlib.sha256(raw).hexdigest()
    return Unchanged(doc_id, str(path)) if sha256 == known_sha else (raw, sha256)


def read_converted(
    path: Path, root: Path, doc_id: str, *, default_kind: str = "note", max_bytes: int = 2_000_000, known_sha: str | None = None
) -> Document | Skipped | Unchanged:
    """Read a PDF, notebook or Word file into a ``Document``; a ``Skipped`` with the cause for anything wrong with it.

    ``max_bytes`` limits a notebook's file and every format's extracted text; PDF and Word
    files may be up to ``MAX_BINARY_BYTES`` on disk. A file whose bytes hash to ``known_sha``
    (what the index holds) is ``Unchanged``: not converted again.
    """
    shown = str(path)
    suffix = path.suffix.lower()
    limit = max_bytes if suffix == ".ipynb" else max(max_bytes, MAX_BINARY_BYTES)
    read = read_if_changed(path, limit, doc_id, known_sha)
    if isinstance(read, (Skipped, Unchanged)):
        return read
    raw, sha256 = read
    try:
        title, text = _convert(suffix, raw, max_bytes)
    except ValueError as exc:  # each converter's error is a ValueError whose message is the reason
        return Skipped(shown, str(exc))
    except Exception as exc:  # noqa: BLE001 - a file no converter foresaw must not stop the build (the promise of sources.py)
        log.warning("reading %s failed", shown, exc_info=True)
        cause = " ".join(str(exc).split())[:200]
        return Skipped(shown, f"cannot be read as a {CONVERTED_SUFFIXES[suffix]} ({type(exc).__name__}: {cause})")
    if len(text.encode("utf-8")) > max_bytes:
        return Skipped(shown, f"too much text ({len(text):,} characters; the limit is {max_bytes:,} bytes)")
    if not text.strip():
        return Skipped(shown, f"empty (no text in the {CONVERTED_SUFFIXES[suffix]})")
    title = " ".join((title or path.stem.replace("-", " ").replace("_", " ")).split())
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1] + "…"
    return Document(
        doc_id=doc_id,
        source=doc_id,
        path=shown,
        root=str(root),
        kind=default_kind,
        title=title,
        lang=detect_language(text).lower(),
        entity=None,
        tags=(),
        text=text,
        body_line=1,
        sha256=sha256,
        size=len(raw),
    )


def _convert(suffix: str, raw: bytes, max_bytes: int) -> tuple[str | None, str]:
    if suffix == ".pdf":
        from .pdf_text import pdf_to_markdown

        if b"%PDF-" not in raw[:1024]:
            raise ValueError("not a PDF (no %PDF header); a broken or misnamed file")
        result = pdf_to_markdown(raw, max_chars=max_bytes)
        return result.title, result.text
    if suffix == ".ipynb":
        from .notebook_text import notebook_to_markdown

        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValueError(f"not a valid notebook: not UTF-8 (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start})") from None
        return notebook_to_markdown(text)
    from .docx_text import docx_to_markdown

    return docx_to_markdown(raw)


def location(source: str, line_start: int, line_end: int, heading: str = "") -> str:
    """Where a passage sits in its file, in words: "page 23" for a PDF, "lines 3–9" for a text note.

    The lines of a converted file (PDF, notebook, Word) count lines of the Markdown made from
    it, which the learner never sees: a PDF passage names its page (the first part of its
    heading path), the others nothing.
    """
    if not is_converted(Path(source)):
        if not line_end:
            return ""
        return f"line {line_start}" if line_end == line_start else f"lines {line_start}–{line_end}"
    page = page_of(heading)
    return f"page {page}" if page is not None else ""


def page_of(heading: str) -> int | None:
    """The page a PDF passage is on, from the first part of its heading path ("page 23 > Data preparation" -> 23)."""
    first = heading.split(" > ", 1)[0]
    return int(first[5:]) if first.startswith("page ") and first[5:].isdigit() and len(first) < 12 else None
