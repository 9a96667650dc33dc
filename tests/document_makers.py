"""Real study documents written at test time: a long two-column PDF, a notebook and a Word file, plus bad ones.

The PDF draws each page's two columns line by line, left then right, the way many
layout programs write them, so a reader that follows the content stream interleaves the
columns; reading them column by column takes layout analysis. ``bench/bench_pdf.py`` uses
the same writer.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

TOPICS = (
    "feature scaling", "class imbalance", "data labeling", "model drift", "hyperparameter search", "batch inference",
    "endpoint autoscaling", "model registry", "shadow testing", "bias detection", "data lineage", "cost control",
)
# The sentence a question must find, and where it is printed.
TARGET_PAGE = 23
TARGET_SENTENCE = (
    "The quokka ledger pipeline rotates its telemetry shards every nineteen minutes so that the "
    "archive never holds more than one stale partition"
)
TARGET_QUESTION = "how often does the quokka ledger pipeline rotate its telemetry shards?"


def column_sentence(page: int, side: str, n: int) -> str:
    """A sentence naming where it is printed, so a test can tell which column and page a passage came from."""
    topic = TOPICS[(page + n) % len(TOPICS)]
    return (f"Sentence {n} of the {side} column on page {page} walks through {topic} "
            f"with a worked example and a checklist for the {side} side reader.")


def two_column_pdf(path: Path, pages: int = 40, *, title: str = "Machine learning operations field guide") -> Path:
    """A PDF of ``pages`` A4 pages: a running header, a heading across both columns, two columns drawn interleaved, a page number."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    width, height = A4
    margin, gutter = 50, 24
    column_width = (width - 2 * margin - gutter) / 2
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setTitle(title)
    for page in range(1, pages + 1):
        pdf.setFont("Helvetica", 8)
        pdf.drawString(margin, height - 30, f"{title} - chapter notes")
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(margin, height - 60, f"Chapter {page}: {TOPICS[page % len(TOPICS)].capitalize()} in practice")
        columns = []
        for side in ("left", "right"):
            lines: list[tuple[str, str, float]] = []  # (text, font, size)
            if side == "right":
                lines += [("Review checklist", "Helvetica-Bold", 12), ("", "Helvetica", 10)]
            sentences = [column_sentence(page, side, n) for n in range(1, 7)]
            if page == TARGET_PAGE and side == "right":
                sentences.insert(2, TARGET_SENTENCE + ".")
            for sentence in sentences:
                lines += [(part, "Helvetica", 10) for part in simpleSplit(sentence, "Helvetica", 10, column_width)]
                lines.append(("", "Helvetica", 10))
            columns.append(lines)
        y0 = height - 100
        for row in range(max(len(c) for c in columns)):
            for number, lines in enumerate(columns):  # left line, then right line: interleaved in the content stream
                if row < len(lines) and lines[row][0]:
                    text, font, size = lines[row]
                    pdf.setFont(font, size)
                    pdf.drawString(margin + number * (column_width + gutter), y0 - row * 14, text)
        pdf.setFont("Helvetica", 9)
        pdf.drawCentredString(width / 2, 30, str(page))
        pdf.showPage()
    pdf.save()
    return path


def one_page_pdf(path: Path, text: str = "A single page about SageMaker Model Monitor.", *, password: str | None = None) -> Path:
    """A one-page PDF; with ``password`` it is encrypted and needs that password to open."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), encrypt=password) if password else canvas.Canvas(str(path))
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return path


def scanned_pdf(path: Path, pages: int = 2) -> Path:
    """Pages holding only a picture of text (drawn shapes), no text layer: what a scanner writes."""
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    for _ in range(pages):
        for row in range(30):
            pdf.rect(72, 760 - row * 20, 300 + (row * 37) % 150, 8, fill=1)  # bars where the lines of text would be
        pdf.showPage()
    pdf.save()
    return path


def notebook(path: Path, *, markdown: str = "# Training a model\n\nWe train XGBoost on the churn data set.",
             code: str = "import boto3\nprint('hello')") -> Path:
    """An nbformat 4 notebook: a Markdown cell, a code cell with outputs, and another Markdown cell."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": markdown.splitlines(keepends=True)},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": code,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": ["OUTPUT-THAT-MUST-NOT-BE-INDEXED\n"]},
                     {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo" * 50}, "metadata": {}}]},
        {"cell_type": "markdown", "metadata": {}, "source": "## Evaluation\n\nThe validation AUC decides the winner."},
    ]
    payload = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"},
                                              "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def word_document(path: Path) -> Path:
    """A .docx with a title, two heading levels, a bulleted list and a table, written by python-docx."""
    import docx

    document = docx.Document()
    document.add_heading("Deployment notes", 0)
    document.add_heading("Endpoints", 1)
    document.add_paragraph("A real-time endpoint serves one request at a time with low latency.")
    document.add_heading("Serverless inference", 2)
    document.add_paragraph("Serverless inference scales to zero when no request arrives.")
    document.add_paragraph("cold starts add latency", style="List Bullet")
    document.add_paragraph("memory is set per endpoint", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, (("Option", "Best for"), ("Batch transform", "large offline data sets"))):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    document.save(str(path))
    return path


def junk_zip(path: Path) -> Path:
    """A file named .docx that is a zip of unrelated bytes."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("junk.bin", bytes(range(256)) * 40)
        archive.writestr("readme.txt", "not a Word document")
    return path


def flowing_two_column_pdf(path: Path, sections: int = 12) -> Path:
    """Justified paragraphs flowing through two column frames (reportlab's platypus, as a typesetter lays out a
    paper), with section headings and a page number; each paragraph holds three sentences of ``column_sentence(s, "flowing", k)``."""
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    body.alignment = TA_JUSTIFY
    width, _ = A4
    document = BaseDocTemplate(str(path), pagesize=A4)
    frame_width = (width - 2 * document.leftMargin - 18) / 2
    frames = [Frame(document.leftMargin + n * (frame_width + 18), document.bottomMargin, frame_width, document.height, id=f"c{n}")
              for n in range(2)]

    def page_number(canvas, doc) -> None:
        canvas.setFont("Helvetica", 8)
        canvas.drawCentredString(width / 2, 20, str(doc.page))

    document.addPageTemplates([PageTemplate(frames=frames, onPage=page_number)])
    story = []
    for section in range(sections):
        story.append(Paragraph(f"Section {section + 1}: {TOPICS[section % len(TOPICS)].capitalize()}", styles["Heading2"]))
        for n in range(1, 6):
            story.append(Paragraph(" ".join(column_sentence(section, "flowing", k) for k in range(n, n + 3)), body))
    document.build(story)
    return path
