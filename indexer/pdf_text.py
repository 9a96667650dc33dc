"""PDF to Markdown, page by page: reading order kept on multi-column pages, headings recovered from the layout.

A PDF holds placed runs of text, not paragraphs: a two-column page often draws its lines
left, right, left, right, and the plain text of the page then interleaves the columns.
Here each run (pypdfium2's text rectangles) keeps its box and font size, and every page is
read as a layout:

- a *gutter* is a vertical strip inside the text area that nearly no run crosses, with real
  text on both sides; it splits the page into columns. Runs that cross it (a title over both
  columns) cut the page into bands, and each band is read column by column;
- a line whose font is clearly larger than the body text, or a short bold line standing on
  its own, is a heading; its level follows its size across the whole document;
- lines repeated at the top or bottom of most pages (running titles, page numbers) are dropped.

Every page starts with a level-1 heading ``# page N``, and the section headings still open
from earlier pages are repeated under it, so every passage's heading path starts with its
page ("page 23 > Data preparation"): the search results, the CLI and the note view show it
without any page-specific field. pypdfium2 was chosen over pypdf for speed and for text
quality measured on generated and real PDFs (``bench/bench_pdf.py``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

PAGE_HEADING = "page {number}"
MAX_PAGES = 3_000
# Runs crossing a gutter may be at most this share of a page's runs (titles, full-width captions).
_SPANNING_SHARE = 0.15
_MIN_GUTTER = 8.0  # points; wider than a space, narrower than any real column gap
_HEADING_RATIO = 1.15
_MAX_HEADING_WORDS = 16
_BULLETS = "•●▪◦‣∙■□➢►✓"
# A line of text that Markdown would read as structure (a heading, a code fence, a table row, a quote).
_MARKDOWN_START = re.compile(r"^(#|```|~~~|\||>|=+\s*$|-{3,}\s*$)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


class PdfReadError(ValueError):
    """The PDF cannot be indexed; the message is the reason shown next to the file name."""


@dataclass
class _Run:
    text: str
    left: float
    bottom: float
    right: float
    top: float
    size: float
    bold: bool


@dataclass
class _Line:
    text: str
    top: float
    bottom: float
    size: float
    bold: bool
    gap_before: float = 0.0  # points between this line and the one above it in its column (0 at a band start)
    column_start: bool = True


@dataclass
class _Page:
    number: int
    lines: list[_Line] = field(default_factory=list)


@dataclass(frozen=True)
class PdfText:
    """A PDF as Markdown text, with its title (from the metadata or the first heading) and page count."""

    title: str | None
    text: str
    pages: int


def pdf_to_markdown(data: bytes, *, max_chars: int = 5_000_000) -> PdfText:
    """Read a PDF's text layer (the file's bytes, read and hashed once by the caller) into Markdown with ``# page N`` headings.

    Raises:
        PdfReadError: encrypted, broken, no text layer (scanned), too many pages or too much text.
    """
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium.raw.FPDF_ERR_PASSWORD:
            raise PdfReadError("encrypted PDF (it needs a password); save an unprotected copy to index it") from None
        cause = re.sub(r"^.*PDFium:\s*|\W*$", "", str(exc)) or "damaged file"
        raise PdfReadError(f"not a readable PDF ({cause.lower()}); a broken or incomplete file") from None
    try:
        count = len(document)
        if count > MAX_PAGES:
            raise PdfReadError(f"too many pages ({count:,}; the limit is {MAX_PAGES:,})")
        pages, chars = [], 0
        for number in range(1, count + 1):
            try:
                page = _read_page(document, number)
            except pdfium.PdfiumError as exc:
                raise PdfReadError(f"page {number} cannot be read ({exc}); a broken file") from None
            chars += sum(len(line.text) for line in page.lines)
            if chars > max_chars:
                raise PdfReadError(f"too much text (over {max_chars:,} characters)")
            pages.append(page)
        title = _metadata_title(document)
    finally:
        document.close()
    if not any(page.lines for page in pages):
        raise PdfReadError("no text layer (a scanned PDF?); run it through OCR first to index it")
    _drop_running_lines(pages)
    text, first_heading = _markdown(pages)
    return PdfText(title or first_heading, text, count)


def _metadata_title(document) -> str | None:
    try:
        title = (document.get_metadata_dict().get("Title") or "").strip()
    except Exception:  # noqa: BLE001 - metadata is optional; a damaged info dictionary only loses the title
        return None
    # Writers often put a file name or nothing useful there ("Microsoft Word - notes.docx", "untitled").
    if not title or title.lower() in {"untitled", "title"} or re.search(r"\.(docx?|pdf|tex|odt)$", title, re.I):
        return None
    return " ".join(title.split())


# ---- one page --------------------------------------------------------------------------
def _read_page(document, number: int) -> _Page:
    import pypdfium2.raw as raw

    page = document[number - 1]
    textpage = page.get_textpage()
    try:
        runs = []
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            text = _CONTROL.sub("", textpage.get_text_bounded(left, bottom, right, top).replace("\r", "").replace("\n", " "))
            if not text.strip():
                continue
            char = textpage.get_index(left + min(1.0, (right - left) / 2), (bottom + top) / 2, 1.0, 1.0)
            found = char is not None and char >= 0
            size = raw.FPDFText_GetFontSize(textpage.raw, char) if found else top - bottom
            weight = raw.FPDFText_GetFontWeight(textpage.raw, char) if found else -1
            runs.append(_Run(text, left, bottom, right, top, round(size or (top - bottom), 1), weight >= 600))
    finally:
        textpage.close()
        page.close()
    return _Page(number, _order(runs))


def _gutters(runs: list[_Run]) -> list[float]:
    """Where the page splits into columns (x positions, left to right); none on a one-column page.

    A gutter is a strip at least ``_MIN_GUTTER`` wide that few runs cross; its split point is
    the middle of its least-crossed part, so a left-column line poking into the strip stays in
    its column while a title drawn across both columns crosses it.
    """
    if len(runs) < 6:
        return []
    low, high = int(min(r.left for r in runs)), int(max(r.right for r in runs)) + 1
    change = [0] * (high - low + 2)
    for run in runs:
        change[int(run.left) - low] += 1
        change[int(run.right) - low + 1] -= 1
    cover, depth = [], 0
    for delta in change[:-1]:
        depth += delta
        cover.append(depth)
    allowed = int(len(runs) * _SPANNING_SHARE)
    strips, start = [], None
    for x, depth in enumerate([*cover, len(runs) + 1]):
        if depth <= allowed and 0 < x < len(cover) - 1:
            start = x if start is None else start
        else:
            if start is not None and x - start >= _MIN_GUTTER:
                strips.append((start, x))
            start = None
    splits = []
    for a, b in strips:
        least = min(cover[a:b])
        best, run_start, best_width = (a + b) / 2, None, 0
        for x in range(a, b + 1):
            if x < b and cover[x] == least:
                run_start = x if run_start is None else run_start
            elif run_start is not None:
                if x - run_start > best_width:
                    best, best_width = (run_start + x) / 2, x - run_start
                run_start = None
        split = low + best
        # A strip counts only with real text on both sides, not beside a lone page number or a short line.
        left = sum(1 for r in runs if r.right < split)
        right = sum(1 for r in runs if r.left > split)
        if min(left, right) >= max(3, len(runs) // 5):
            splits.append(split)
    return splits


def _order(runs: list[_Run]) -> list[_Line]:
    """The page's lines in reading order: bands cut by runs that cross a gutter, each band column by column."""
    splits = _gutters(runs)

    def column(run: _Run) -> int | None:
        if any(run.left < split < run.right for split in splits):
            return None  # drawn across the columns
        return sum(1 for split in splits if run.left >= split)

    lines: list[_Line] = []
    band: list[_Run] = []
    for run in sorted(runs, key=lambda r: (-r.top, r.left)):
        if column(run) is None:
            lines.extend(_band_lines(band, column))
            band = []
            lines.extend(_group_lines([run]))
        else:
            band.append(run)
    lines.extend(_band_lines(band, column))
    return lines


def _band_lines(band: list[_Run], column) -> list[_Line]:
    lines = []
    for n in sorted({column(r) or 0 for r in band}):
        lines.extend(_group_lines([r for r in band if (column(r) or 0) == n]))
    return lines


def _group_lines(runs: list[_Run]) -> list[_Line]:
    """Runs that share a baseline joined into lines, top to bottom, with the gap above each line."""
    rows: list[list[_Run]] = []
    for run in sorted(runs, key=lambda r: (-r.top, r.left)):
        row = rows[-1] if rows else None
        if row and _same_line(row, run):
            row.append(run)
        else:
            rows.append([run])
    lines = []
    for n, row in enumerate(rows):
        row.sort(key=lambda r: r.left)
        text = row[0].text
        for before, run in zip(row, row[1:]):
            joined = before.text.endswith((" ", "\t")) or run.text.startswith((" ", "\t"))
            text += run.text if joined or run.left - before.right < 0.2 * run.size else " " + run.text
        size = max(row, key=lambda r: len(r.text.strip())).size
        top, bottom = max(r.top for r in row), min(r.bottom for r in row)
        gap = lines[-1].bottom - top if lines else 0.0
        lines.append(_Line(" ".join(text.split()), top, bottom, size, all(r.bold for r in row), max(gap, 0.0), n == 0))
    return lines


def _same_line(row: list[_Run], run: _Run) -> bool:
    top, bottom = max(r.top for r in row), min(r.bottom for r in row)
    overlap = min(top, run.top) - max(bottom, run.bottom)
    return overlap >= 0.5 * min(top - bottom, run.top - run.bottom)


# ---- the whole document ---------------------------------------------------------------
def _normalised(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def _drop_running_lines(pages: list[_Page]) -> None:
    """Remove running headers and footers: the top or bottom line of a page (by position, not reading order)
    when its text recurs on most pages, and bare page numbers there."""
    texted = [p for p in pages if p.lines]

    def edges(page: _Page) -> list[_Line]:
        top, bottom = max(page.lines, key=lambda line: line.top), min(page.lines, key=lambda line: line.bottom)
        return [top] if top is bottom else [top, bottom]

    counts = Counter(text for page in texted for text in {_normalised(line.text) for line in edges(page)})
    running = {text for text, n in counts.items() if len(texted) >= 3 and n >= max(3, len(texted) // 2)}
    for page in texted:
        drop = [line for line in edges(page) if _normalised(line.text) in running or _is_page_number(line.text)]
        page.lines = [line for line in page.lines if not any(line is gone for gone in drop)]


def _is_page_number(text: str) -> bool:
    return bool(re.fullmatch(r"(page\s*)?\d{1,4}(\s*(/|of)\s*\d{1,4})?|[-–]\s*\d{1,4}\s*[-–]", text.strip(), re.I))


def _body_size(pages: list[_Page]) -> float:
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def _heading_levels(pages: list[_Page], body: float) -> dict[tuple[float, bool], int]:
    """Heading level (2-6, level 1 is the page) of each (size, bold) that marks a heading."""
    bold_body = sum(len(line.text) for p in pages for line in p.lines if line.bold and abs(line.size - body) < 0.5)
    all_body = sum(len(line.text) for p in pages for line in p.lines if abs(line.size - body) < 0.5) or 1
    sizes = sorted({line.size for p in pages for line in p.lines if line.size >= body * _HEADING_RATIO}, reverse=True)
    levels = {(size, bold): min(2 + n, 6) for n, size in enumerate(sizes) for bold in (False, True)}
    if bold_body / all_body < 0.3:  # bold body-size lines are headings only where bold is rare
        levels[(body, True)] = min(2 + len(sizes), 6)
    return levels


def _is_heading(line: _Line, levels: dict[tuple[float, bool], int], body: float, alone: bool) -> int:
    level = levels.get((line.size, line.bold)) or (levels.get((body, True)) if line.bold and abs(line.size - body) < 0.5 else None)
    words = line.text.split()
    if not level or not words or len(words) > _MAX_HEADING_WORDS or not re.search(r"[^\W\d_]", line.text):
        return 0
    if line.text.rstrip().endswith((".", ",", ";", ":")) and not line.text.rstrip().endswith("..."):
        return 0
    if line.size < body * _HEADING_RATIO and not alone:
        return 0  # a bold phrase inside a paragraph
    return level


def _markdown(pages: list[_Page]) -> tuple[str, str | None]:
    body = _body_size(pages)
    levels = _heading_levels(pages, body)
    out: list[str] = []
    open_headings: list[tuple[int, str]] = []
    first_heading = None
    for page in pages:
        if not page.lines:
            continue
        out += ["", f"# {PAGE_HEADING.format(number=page.number)}", ""]
        out += [f"{'#' * level} {text}" for level, text in open_headings]
        previous: _Line | None = None
        lines = page.lines
        for i, line in enumerate(lines):
            paragraph_break = previous is None or line.column_start or line.gap_before > 0.7 * body or abs(line.size - previous.size) > 0.5
            following = lines[i + 1] if i + 1 < len(lines) else None
            alone = paragraph_break and (following is None or following.column_start or following.gap_before > 0.7 * body
                                         or abs(following.size - line.size) > 0.5 or following.bold != line.bold)
            level = _is_heading(line, levels, body, alone)
            if level and previous is not None and out and out[-1].startswith("#") and open_headings \
                    and open_headings[-1][0] == level and not paragraph_break:
                # A heading wrapped onto a second line: one heading.
                open_headings[-1] = (level, open_headings[-1][1] + " " + line.text)
                out[-1] = f"{'#' * level} {open_headings[-1][1]}"
            elif level:
                while open_headings and open_headings[-1][0] >= level:
                    open_headings.pop()
                open_headings.append((level, line.text))
                first_heading = first_heading or line.text
                out += ["", f"{'#' * level} {line.text}", ""]
            else:
                text = _as_markdown_line(line.text)
                if paragraph_break and out and out[-1] != "":
                    out.append("")
                if out and out[-1] and _hyphenated(out[-1], text):
                    head, _, rest = text.partition(" ")
                    out[-1] = out[-1][:-1] + head
                    text = rest
                if text:
                    out.append(text)
            previous = line
    return "\n".join(out).strip() + "\n", first_heading


def _hyphenated(before: str, after: str) -> bool:
    """"infor-" at a line's end and "mation" next: a word broken across lines by the layout."""
    return len(before) > 2 and before.endswith("-") and before[-2].isalpha() and before[-2].islower() and after[:1].islower()


def _as_markdown_line(text: str) -> str:
    """A line of PDF text as Markdown: bullets become list items; text Markdown would read as structure is escaped."""
    if text[:1] in _BULLETS:
        return "- " + text[1:].lstrip()
    return "\\" + text if _MARKDOWN_START.match(text) else text
