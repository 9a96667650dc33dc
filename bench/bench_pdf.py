"""Which PDF library studykg reads with: pypdfium2 or pypdf, on speed and text quality.

    pip install -e '.[test,bench]'      # reportlab writes the generated PDF, pypdf is the contender
    python bench/bench_pdf.py [more.pdf ...]

Two kinds of input:

- a generated 40-page two-column PDF (tests/document_makers.py) whose every sentence is
  known: quality is the share of its 480 column sentences read intact, and the share of
  pages whose columns come out one after the other (left, then right); and justified
  paragraphs flowing through two columns (reportlab's platypus, laid out like a paper);
- real PDFs given on the command line (by default the PDF manuals Debian installs under
  /usr/share/doc, when present), where nothing is known in advance: speed, and how far the
  two libraries agree on the words (both read the same text layer, so a low overlap means
  one of them loses or garbles words).

Each library is timed on its plain page text; "studykg" is the reader the index uses
(indexer/pdf_text.py: pypdfium2's text runs with their boxes and fonts, ordered by layout).
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import document_makers as make  # noqa: E402

DEFAULT_REAL = ("/usr/share/doc/libtasn1-doc/libtasn1.pdf", "/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf")
REPEATS = 3


def pdfium_pages(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return pages
    finally:
        document.close()


def pypdf_pages(path: Path, mode: str = "plain") -> list[str]:
    import pypdf

    return [page.extract_text(extraction_mode=mode) for page in pypdf.PdfReader(str(path)).pages]


def studykg_pages(path: Path) -> list[str]:
    from indexer.pdf_text import pdf_to_markdown

    text = pdf_to_markdown(path.read_bytes()).text
    return re.split(r"^# page \d+$", text, flags=re.M)[1:]


READERS = {
    "pypdfium2 (plain text)": pdfium_pages,
    "pypdf (plain text)": pypdf_pages,
    "pypdf (layout mode)": lambda p: pypdf_pages(p, "layout"),
    "studykg (pypdfium2 + layout)": studykg_pages,
}


def timed(reader, path: Path) -> tuple[float, list[str]]:
    times, pages = [], []
    for _ in range(REPEATS):
        start = time.perf_counter()
        pages = reader(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times), pages


def flat(text: str) -> str:
    return " ".join(text.split())


def column_quality(pages: list[str], count: int) -> tuple[float, float]:
    """Share of the known sentences read intact, and share of pages read left column then right column."""
    intact = ordered = 0
    for number in range(1, count + 1):
        body = flat(pages[number - 1]) if number - 1 < len(pages) else ""
        found = []
        for side in ("left", "right"):
            for n in range(1, 7):
                position = body.find(flat(make.column_sentence(number, side, n)))
                intact += position >= 0
                found.append(position)
        ordered += -1 not in found and found == sorted(found)
    return intact / (12 * count), ordered / count


def words(pages: list[str]) -> Counter[str]:
    return Counter(re.findall(r"[^\W\d_]{2,}", " ".join(pages).lower()))


def main(extra: list[str]) -> None:
    print("## Generated: 40 pages, two columns drawn interleaved\n")
    print("| reader | seconds | ms/page | sentences intact | pages in column order |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        path = make.two_column_pdf(Path(folder) / "two-column.pdf", pages=40)
        for name, reader in READERS.items():
            seconds, pages = timed(reader, path)
            intact, ordered = column_quality(pages, 40)
            print(f"| {name} | {seconds:.2f} | {1000 * seconds / 40:.0f} | {intact:.0%} | {ordered:.0%} |")
    print("\n## Generated: justified paragraphs flowing through two columns, written column by column\n")
    print("| reader | seconds | sentences intact |")
    print("| --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        path = make.flowing_two_column_pdf(Path(folder) / "flowing.pdf")
        expected = {flat(make.column_sentence(s, "flowing", k)) for s in range(12) for k in range(1, 8)}
        for name, reader in READERS.items():
            seconds, pages = timed(reader, path)
            text = flat(" ".join(pages))
            print(f"| {name} | {seconds:.2f} | {sum(sentence in text for sentence in expected) / len(expected):.0%} |")
    real = [Path(p) for p in (extra or DEFAULT_REAL) if Path(p).is_file()]
    if not real:
        return
    print("\n## Real PDFs\n")
    print("| file | pages | pypdfium2 s | pypdf s | studykg s | words pypdfium2 / pypdf | word overlap |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for path in real:
        t_pdfium, pdfium_text = timed(pdfium_pages, path)
        t_pypdf, pypdf_text = timed(pypdf_pages, path)
        t_studykg, _ = timed(studykg_pages, path)
        a, b = words(pdfium_text), words(pypdf_text)
        overlap = sum((a & b).values()) / max(1, sum((a | b).values()))
        print(f"| {path.name} | {len(pdfium_text)} | {t_pdfium:.2f} | {t_pypdf:.2f} | {t_studykg:.2f} "
              f"| {sum(a.values()):,} / {sum(b.values()):,} | {overlap:.1%} |")


if __name__ == "__main__":
    main(sys.argv[1:])
