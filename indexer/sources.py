"""Sources: walk folders and read Markdown, plain text and HTML into ``Document`` records.

One bad file never stops a build: it becomes a ``Skipped`` record with a reason a user can
act on (binary, not UTF-8, too large, empty, broken front matter, a name that is not UTF-8,
not a regular file).

Notes are untrusted input, so reading one is bounded: only regular files are opened (a FIFO
named ``pipe.md`` would block the read forever), the size is checked with ``stat`` before a
byte is read, and YAML front matter may not use anchors and aliases (a few hundred bytes of
nested aliases expand into gigabytes; no note's metadata needs them).
"""

from __future__ import annotations

import logging
import os
import re
import stat
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import yaml

from .errors import SourceError
from .formats import FILE_KINDS, SUPPORTED_TYPES, is_converted, read_converted, read_if_changed
from .language import detect_language
from .markdown_text import clean_markdown
from .records import Document, Skipped, Unchanged

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".html": "html", ".htm": "html"}
DEFAULT_MAX_BYTES = 2_000_000
MAX_TITLE_CHARS = 200
_FRONT_MATTER_FENCES = {"---": "YAML", "+++": "TOML"}
_HEADING_LINE = re.compile(r"[ \t]{0,3}#{1,6}([ \t]|$)")
class _AliasRefused(yaml.YAMLError):
    """An alias in front matter; the message is already one line."""


class _FrontMatterLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases: ``*name`` is refused where it is read, before anything expands."""

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 (PyYAML's signature)
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            # +2: the mark counts from 0, and the header starts after the opening fence line.
            raise _AliasRefused(f"line {event.start_mark.line + 2}: aliases (*{event.anchor}) are not allowed in front matter")
        return super().compose_node(parent, index)


def display_path(path: Path | str) -> str:
    """``path`` as text that can be printed, stored and put in JSON: bytes that are not UTF-8 become ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _valid_name(name: str) -> bool:
    """Whether a name from the file system is valid UTF-8 (os.walk hands invalid bytes over as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def iter_documents(
    roots: Sequence[Path],
    *,
    default_kind: str = "note",
    max_bytes: int = DEFAULT_MAX_BYTES,
    prefixes: Mapping[str, str] | None = None,
    known: Mapping[str, str] | None = None,
) -> Iterator[Document | Skipped | Unchanged]:
    """Yield a ``Document`` or a ``Skipped`` for every file under ``roots``, in a stable order.

    ``prefixes`` maps a resolved root to the first part of its documents' ids (see
    ``assign_prefixes``); a root without one uses its folder name. A folder that cannot be
    listed, and a link to a file outside its root, come out as ``Skipped`` too. ``known`` maps
    doc ids to the content hash the index holds: such a file whose bytes still hash the same
    comes out as ``Unchanged``, read once and not parsed, so an add with nothing new costs one
    walk and one read of each file.

    Raises:
        SourceError: a root does not exist or is not a folder (nothing could be read at all).
    """
    for root in roots:
        root = Path(root).expanduser().resolve()
        if not root.exists():
            raise SourceError(f"{root}: folder not found")
        if not root.is_dir():
            raise SourceError(f"{root}: not a folder")
        prefix = (prefixes or {}).get(str(root))
        for item in _walk(root):
            if isinstance(item, Skipped):
                yield item
            else:
                yield read_document(item, root, default_kind=default_kind, max_bytes=max_bytes, prefix=prefix, known=known)


def doc_id_for(path: Path, root: Path, prefix: str | None = None) -> str:
    """Name a file by its root's prefix (the folder's name by default) and its path inside, so ids survive moving the folder."""
    return f"{prefix or root.name}/{path.relative_to(root).as_posix()}"


def assign_prefixes(roots: Sequence[Path | str], taken: Mapping[str, str]) -> dict[str, str]:
    """Give each root a document-id prefix no other root uses: its folder name, else ``name-2``, ``name-3``...

    ``taken`` maps the prefixes an index already uses to their roots; a root found there
    keeps its prefix, so re-adding a folder keeps its ids. Two folders both called ``notes``
    (or a user folder called ``corpus``) would otherwise share ids and overwrite each other.
    """
    owner = dict(taken)  # prefix -> root
    by_root = {root: prefix for prefix, root in owner.items()}
    assigned: dict[str, str] = {}
    for root in roots:
        root = str(Path(root).expanduser().resolve())
        if root in by_root:
            assigned[root] = by_root[root]
            continue
        name = Path(root).name or "root"
        candidate, n = name, 2
        while candidate in owner:
            candidate, n = f"{name}-{n}", n + 1
        owner[candidate] = root
        by_root[root] = candidate
        assigned[root] = candidate
    return assigned


def _walk(root: Path) -> Iterator[Path | Skipped]:
    """Files under ``root`` in a stable order; folders that cannot be listed come out as ``Skipped``.

    os.walk drops such folders silently by default, which made their notes look deleted.
    """
    failed: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=failed.append):
        yield from _unlisted(failed)
        # Hidden folders (.git, .obsidian, .venv) hold tool state, not notes.
        for name in [d for d in dirnames if not d.startswith(".") and not _valid_name(d)]:
            yield Skipped(display_path(Path(dirpath) / name), "folder name is not valid UTF-8; rename it to index the notes in it")
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and _valid_name(d))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            if not _valid_name(name):
                yield Skipped(display_path(path), "file name is not valid UTF-8; rename it (e.g. to the same name saved as UTF-8) to index it")
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                yield Skipped(str(path), f"a link to {path.resolve()}, outside {root}; only files inside the folder are read")
                continue
            if (kind := _special_kind(path)) is not None:
                yield Skipped(str(path), f"{kind}, not a regular file; only regular files are read")
                continue
            yield path
    yield from _unlisted(failed)


def _special_kind(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file (after links); None for a regular file or one that cannot be stat'ed."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # read_document reports why it cannot be read
    if stat.S_ISREG(mode):
        return None
    return FILE_KINDS.get(stat.S_IFMT(mode), "a special file")


def _unlisted(failed: list[OSError]) -> Iterator[Skipped]:
    while failed:
        error = failed.pop(0)
        reason = error.strerror or str(error)
        yield Skipped(display_path(error.filename), f"folder cannot be listed ({reason}); notes indexed from it before are kept", unreadable=True)


def read_document(
    path: Path, root: Path, *, default_kind: str = "note", max_bytes: int = DEFAULT_MAX_BYTES, prefix: str | None = None,
    known: Mapping[str, str] | None = None,
) -> Document | Skipped | Unchanged:
    """Read one file; return a ``Skipped`` with the cause instead of raising for anything wrong with it.

    ``known``: doc ids and the content hash the index holds; a file whose bytes hash the same is ``Unchanged``.
    """
    shown = str(path)
    doc_id = doc_id_for(path, root, prefix)
    known_sha = (known or {}).get(doc_id)
    fmt = TEXT_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        if is_converted(path):  # PDF, notebook, Word: read by indexer/formats.py
            return read_converted(path, root, doc_id, default_kind=default_kind, max_bytes=max_bytes, known_sha=known_sha)
        return Skipped(shown, f"unsupported file type '{path.suffix or path.name}' (supported: {SUPPORTED_TYPES})")
    read = read_if_changed(path, max_bytes, doc_id, known_sha)
    if isinstance(read, (Skipped, Unchanged)):
        return read
    raw, sha256 = read
    if b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Skipped(shown, "binary file, not text")
    try:
        text = _decode(raw)
    except UnicodeDecodeError as exc:
        return Skipped(shown, f"not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start}); re-save it as UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        meta, body, body_line = split_front_matter(text)
    except ValueError as exc:
        return Skipped(shown, str(exc))
    if fmt == "html":
        from .html_text import html_to_markdown

        html_title, body = html_to_markdown(body)
        meta.setdefault("title", html_title)
    elif fmt == "markdown":
        body = clean_markdown(body)
    if not body.strip():
        return Skipped(shown, "empty (no text after the front matter)")
    if fmt == "markdown" and all(not line.strip() or _HEADING_LINE.match(line) for line in body.split("\n")):
        return Skipped(shown, "no text to index: the note holds only headings")
    title = str(meta.get("title") or _first_heading(body) or path.stem.replace("-", " ").replace("_", " "))
    if len(title) > MAX_TITLE_CHARS:  # shown on every hit card; a runaway heading line is not a title
        title = title[: MAX_TITLE_CHARS - 1] + "…"
    lang = str(meta.get("lang") or meta.get("language") or detect_language(body)).lower()
    tags = meta.get("tags") or ()
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    return Document(
        doc_id=doc_id,
        source=doc_id,
        path=shown,
        root=str(root),
        kind=str(meta.get("kind") or default_kind),
        title=title,
        lang=lang,
        entity=str(meta["entity"]) if meta.get("entity") else None,
        tags=tuple(str(t) for t in tags),
        text=body,
        body_line=body_line,
        sha256=sha256,
        size=len(raw),
    )


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """Split YAML (``---``) or TOML (``+++``) front matter from the body.

    Returns the metadata, the body and the 1-based line where the body starts.
    Raises ValueError with a one-line cause when the front matter is broken.
    """
    first, _, rest = text.partition("\n")
    fence = first.strip()
    if fence not in _FRONT_MATTER_FENCES:
        return {}, text, 1
    kind = _FRONT_MATTER_FENCES[fence]
    lines = rest.split("\n")
    for i, line in enumerate(lines):
        if line.strip() == fence:
            header = "\n".join(lines[:i])
            body = "\n".join(lines[i + 1 :])
            break
    else:
        raise ValueError(f"broken {kind} front matter: no closing '{fence}' line")
    try:
        meta = yaml.load(header, Loader=_FrontMatterLoader) if kind == "YAML" else tomllib.loads(header)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        cause = " ".join(str(exc).split())
        raise ValueError(f"broken {kind} front matter: {cause}") from None
    except RecursionError:
        raise ValueError(f"broken {kind} front matter: nested too deeply") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ValueError(f"broken {kind} front matter: expected key: value pairs, got {type(meta).__name__}")
    return meta, body, i + 3


def _first_heading(body: str) -> str | None:
    for line in body.split("\n"):
        if line.startswith("# "):
            return line[2:].strip()
    return None
