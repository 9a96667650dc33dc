"""Check a graph against the SHACL shapes and say what is wrong in words.

pySHACL's report is itself a graph; people writing Turtle need one line per problem that
names the entity, so this module turns each validation result into such a line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .errors import GraphLoadError
from .vocab import PREFIXES, RELATION_PREDICATES, SKG

__all__ = ["defining_file", "load_shapes", "short_name", "validate_graph"]

SHAPES = Namespace("https://w3id.org/studykg/shapes#")
_IRI = re.compile(r"https?://[^\s<>\"{}]+")
# Naming every referrer of a dangling name would flood the report; a few find the typo.
MAX_REFERRERS = 3


def short_name(term: Node) -> str:
    """A term as a person writes it in Turtle: kg:RandomCutForest, skos:prefLabel, "text"."""
    if isinstance(term, Literal):
        return f'"{term}"' + (f"@{term.language}" if term.language else "")
    if isinstance(term, BNode):
        return f"_:{term}"
    text = str(term)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return f"<{text}>"


def load_shapes(path: Path) -> Graph:
    """Parse a shapes file.

    Raises:
        GraphLoadError: the file is missing or is not valid Turtle.
    """
    try:
        return Graph(bind_namespaces="core").parse(path, format="turtle")
    except FileNotFoundError:
        raise GraphLoadError(f"{path}: no such shapes file") from None
    except Exception as error:  # rdflib raises several types for bad Turtle
        raise GraphLoadError(f"{path}: {' '.join(str(error).split())}") from error


def _referrers(data: Graph, target: Node) -> str:
    found = []
    for predicate in RELATION_PREDICATES:
        for subject in data.subjects(predicate, target):
            found.append(f"{short_name(subject)} {short_name(predicate)}")
    if not found:
        return ""
    more = f" and {len(found) - MAX_REFERRERS} more" if len(found) > MAX_REFERRERS else ""
    return f" (from {', '.join(sorted(found)[:MAX_REFERRERS])}{more})"


def validate_graph(data: Graph, shapes: Graph) -> list[str]:
    """Human-readable problems of `data` against `shapes`, sorted; an empty list means valid."""
    # pySHACL walks the data triple by triple, which Oxigraph's Python API makes ~80x slower
    # (33 s for the curated graph); a copy in rdflib's memory store validates in under a second.
    copy = Graph(bind_namespaces="none")
    copy.addN((s, p, o, copy) for s, p, o in data)
    import pyshacl  # imported here: loading a graph for a command needs no SHACL engine

    _, report, _ = pyshacl.validate(copy, shacl_graph=shapes, inference="none", allow_infos=True, allow_warnings=True)
    dangling = _dangling_shapes(shapes)
    problems = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        message = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        path = report.value(result, SH.resultPath)
        if focus == SKG.SourcedFact:
            # The provenance shape runs one query over the whole graph from this one focus node;
            # its message starts with the fact itself, so the line names the fact's subject.
            problems.add(_IRI.sub(lambda m: short_name(URIRef(m.group(0))), str(message)))
            continue
        line = f"{short_name(focus)}: {message}"
        if isinstance(path, URIRef) and path != RDF.type and value is not None and value != focus:
            line += f" ({short_name(path)} {short_name(value)})"
        if report.value(result, SH.sourceShape) in dangling:
            line += _referrers(copy, focus)
        problems.add(line)
    return sorted(problems)


def _dangling_shapes(shapes: Graph) -> set[Node]:
    """The property shapes of skgsh:DanglingReference, whose results get their referrers named."""
    return set(shapes.objects(SHAPES.DanglingReference, SH.property))


def defining_file(files: Iterable[Path], problem: str) -> Path | None:
    """The Turtle file that describes the node a problem line starts with ("kg:Polly: ..."), by its text.

    A file that has the node as the subject of a statement wins over one that only refers to it.
    """
    node = problem.split(": ", 1)[0]
    local = node.split(":", 1)[-1].strip("<>")
    subject = re.compile(rf"^\s*(?:{re.escape(node)}|<[^>]*{re.escape(local)}>)(?=[\s;.,])", re.MULTILINE)
    anywhere = None
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        if subject.search(text):
            return path
        if anywhere is None and node in text:
            anywhere = path
    return anywhere
