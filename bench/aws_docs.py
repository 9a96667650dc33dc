"""Real AWS API reference text as a folder of Markdown files, for the documentation bench.

botocore ships AWS's own service models (Apache-2.0); their ``documentation`` fields
hold the API reference in HTML: what each operation does, what each request parameter
means, and the errors it raises. This module turns the models of ML-exam-relevant
services into one Markdown file per operation, ``<service>/<OperationName>.md``, the
way a user's folder of exported API docs looks, so ``studykg add`` can index real
documentation instead of generated pages (bench/docs_pages.py). The text is built at run
time from the installed botocore and never committed.

Pinned to botocore 1.44.8: the question file (bench/eval/aws_docs_questions.jsonl) was
written by reading the files this version produces, so another version may move or drop
an answer. ``load_models`` refuses any other version unless told otherwise.

    python bench/aws_docs.py --out /tmp/aws-docs      # ~2,000 files
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

BOTOCORE_VERSION = "1.44.8"

# botocore model names of services the ML Specialty exam touches: data ingestion and
# preparation, SageMaker, the AI services, and the monitoring around them.
SERVICES = (
    "sagemaker", "sagemaker-runtime", "kinesis", "firehose", "kinesisanalyticsv2", "kinesisvideo",
    "glue", "databrew", "athena", "s3", "lambda", "comprehend", "comprehendmedical", "polly",
    "transcribe", "translate", "textract", "rekognition", "personalize", "personalize-runtime",
    "forecast", "frauddetector", "kendra", "lexv2-models", "stepfunctions", "cloudwatch", "kms",
)  # fmt: skip


@dataclass(frozen=True)
class DocFile:
    """One written operation page."""

    path: str  # "<service>/<OperationName>.md", relative to the docs folder
    service: str
    operation: str
    title: str


# ---- HTML to Markdown ------------------------------------------------------------------
_BLOCK_TAGS = {"p", "ul", "ol", "li", "dl", "dt", "dd", "note", "important", "div", "br", "pre"}


def html_to_markdown(html: str) -> str:
    """AWS's documentation HTML as plain Markdown: paragraphs, bullets, `code`, notes; no tags left."""
    if not html or not html.strip():
        return ""
    soup = BeautifulSoup(html, "html.parser")
    blocks: list[str] = []
    _render(soup, blocks, depth=0)
    text = "\n\n".join(b for b in (_tidy(b) for b in blocks) if b)
    return text.strip()


def _render(node: Tag, blocks: list[str], depth: int) -> None:
    """Append the text blocks under ``node``: one per paragraph or list item, inline markup flattened."""
    inline: list[str] = []

    def flush() -> None:
        text = "".join(inline)
        inline.clear()
        if text.strip():
            blocks.append(text)

    for child in node.children:
        if isinstance(child, NavigableString):
            inline.append(str(child))
        elif not isinstance(child, Tag):
            continue
        elif child.name in ("ul", "ol", "dl"):
            flush()
            for i, item in enumerate(c for c in child.children if isinstance(c, Tag)):
                sub: list[str] = []
                _render(item, sub, depth + 1)
                if not sub:
                    continue
                if item.name == "dt":
                    marker = ""
                    sub[0] = f"**{_tidy(sub[0])}**"
                else:
                    marker = f"{i + 1}. " if child.name == "ol" else "- "
                indent = "  " * depth
                blocks.append(indent + marker + _tidy(sub[0]))
                blocks.extend(indent + "  " + _tidy(s) for s in sub[1:])
        elif child.name in ("note", "important"):
            flush()
            sub = []
            _render(child, sub, depth)
            label = "Note" if child.name == "note" else "Important"
            blocks.extend(f"> **{label}:** {_tidy(s)}" if i == 0 else f"> {_tidy(s)}" for i, s in enumerate(sub))
        elif child.name in _BLOCK_TAGS:
            flush()
            _render(child, blocks, depth)
        else:
            inline.append(_inline(child))
    flush()


def _inline(tag: Tag) -> str:
    text = tag.get_text()
    if not text.strip():
        return text
    if tag.name == "code":
        return f"`{' '.join(text.split())}`"
    if tag.name in ("b", "strong"):
        return f"**{text.strip()}**"
    if tag.name in ("i", "em"):
        return f"*{text.strip()}*"
    return text  # links keep their words; the URL is AWS's, not the reader's concern here


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ---- one operation -----------------------------------------------------------------------
def operation_markdown(model: dict, operation: str) -> str | None:
    """The page for one operation of a botocore service model, or None when it has no documentation."""
    op = model["operations"][operation]
    summary = html_to_markdown(op.get("documentation", ""))
    if not summary:
        return None
    shapes = model["shapes"]
    lines = [f"# {service_name(model)}: {operation}", "", summary, ""]
    request = shapes.get(op.get("input", {}).get("shape", ""), {})
    required = set(request.get("required", ()))
    members = request.get("members", {})
    if members:
        lines += ["## Request parameters", ""]
    for name, ref in members.items():
        shape = shapes.get(ref.get("shape", ""), {})
        doc = html_to_markdown(ref.get("documentation") or shape.get("documentation", ""))
        kind = shape.get("type", "string")
        lines += [f"### {name}", "", f"Type: {kind}. {'Required' if name in required else 'Optional'}.", ""]
        if doc:
            lines += [doc, ""]
        lines += _nested(shapes, shape)
    errors = [e["shape"] for e in op.get("errors", ())]
    if errors:
        lines += ["## Errors", ""]
        for error in errors:
            doc = _tidy(html_to_markdown(shapes.get(error, {}).get("documentation", "")))
            lines.append(f"- **{error}**" + (f": {doc}" if doc else ""))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _nested(shapes: dict, shape: dict) -> list[str]:
    """The documented members of a structure parameter (or of a list's structure items), one level deep."""
    if shape.get("type") == "list":
        shape = shapes.get(shape.get("member", {}).get("shape", ""), {})
    if shape.get("type") != "structure":
        return []
    lines = []
    for name, ref in shape.get("members", {}).items():
        doc = html_to_markdown(ref.get("documentation") or shapes.get(ref.get("shape", ""), {}).get("documentation", ""))
        if doc:
            lines += [f"- **{name}**: {_tidy(doc)}"]
    return lines + [""] if lines else []


def service_name(model: dict) -> str:
    """The service's full name as AWS writes it ("Amazon Transcribe Service")."""
    meta = model.get("metadata", {})
    return meta.get("serviceFullName") or meta.get("serviceId") or meta.get("endpointPrefix", "AWS")


# ---- a folder ------------------------------------------------------------------------------
def write_docs(models: Iterable[tuple[str, dict]], folder: Path) -> list[DocFile]:
    """Write one Markdown file per documented operation of each (service, model) under ``folder``."""
    written = []
    for service, model in models:
        for operation in sorted(model["operations"]):
            if model["operations"][operation].get("deprecated"):
                continue  # a deprecated call duplicates its replacement's text (S3's GetBucketLifecycle ...)
            text = operation_markdown(model, operation)
            if text is None:
                continue
            path = f"{service}/{operation}.md"
            (folder / service).mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text, encoding="utf-8")
            written.append(DocFile(path, service, operation, f"{service_name(model)}: {operation}"))
    return written


def load_models(services: Iterable[str] = SERVICES, *, any_version: bool = False) -> Iterator[tuple[str, dict]]:
    """The installed botocore's newest model of each service; stops with one line if botocore is missing or another version."""
    try:
        import botocore
        import botocore.session
    except ImportError:
        sys.exit("botocore is not installed: pip install 'studykg[bench]' (or pip install botocore==" + BOTOCORE_VERSION + ")")
    if botocore.__version__ != BOTOCORE_VERSION and not any_version:
        sys.exit(
            f"botocore {botocore.__version__} is installed, the questions were written for {BOTOCORE_VERSION}: "
            f"pip install botocore=={BOTOCORE_VERSION}, or pass --any-botocore to run anyway"
        )
    loader = botocore.session.get_session().get_component("data_loader")
    for service in services:
        yield service, loader.load_service_model(service, "service-2")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write (must not exist or be empty)")
    parser.add_argument("--any-botocore", action="store_true", help="run with another botocore version than the pinned one")
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        sys.exit(f"{args.out}: folder is not empty; pick a new one")
    files = write_docs(load_models(any_version=args.any_botocore), args.out)
    per_service: dict[str, int] = {}
    for f in files:
        per_service[f.service] = per_service.get(f.service, 0) + 1
    print(json.dumps({"files": len(files), "per_service": per_service}, indent=1))


if __name__ == "__main__":
    main()
