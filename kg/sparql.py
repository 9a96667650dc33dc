"""Read-only SPARQL over the graph, with results as plain rows of strings.

The query form is checked before anything reaches the store, so an update (INSERT,
DELETE, LOAD, CLEAR, DROP...) is refused by name instead of surfacing as an odd parser
error, and a store that could execute updates from `query()` never sees one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import cast

from rdflib import BNode, Graph
from rdflib.query import ResultRow
from rdflib.term import Node

from .errors import QueryRefusedError

__all__ = ["QUERY_FORMS", "UPDATE_OPERATIONS", "query_form", "run_sparql"]

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_OPERATIONS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
_MAX_MESSAGE = 240

# Tokens that can hide a keyword: strings, IRIs, comments, prefixed names, variables.
_TOKEN = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*|[?$]\w+|[A-Za-z_][\w.-]*:[\w.-]*|:[\w.-]*|([A-Za-z]+)"
)


def query_form(query: str) -> str:
    """The form of a SPARQL string (SELECT, ASK, CONSTRUCT or DESCRIBE).

    Raises:
        QueryRefusedError: the string is an update or does not start like a query.
    """
    for match in _TOKEN.finditer(query):
        word = match.group(1)
        if word is None:
            continue
        keyword = word.upper()
        if keyword in ("BASE", "PREFIX"):
            continue
        if keyword in QUERY_FORMS:
            return keyword
        if keyword in UPDATE_OPERATIONS:
            raise QueryRefusedError(
                f"SPARQL {keyword} refused: the graph is read-only, only SELECT, ASK, CONSTRUCT and DESCRIBE run"
            )
        raise QueryRefusedError(f"not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE, found '{word}'")
    raise QueryRefusedError("empty SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")


def _text(term: Node) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def _one_line(error: Exception) -> str:
    message = " ".join(str(error).split()) or type(error).__name__
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."


def run_sparql(graph: Graph, query: str) -> list[dict[str, str]]:
    """Run a read-only query: SELECT rows as {variable: value} (unbound variables left out),
    ASK as [{"ask": "true"|"false"}], CONSTRUCT and DESCRIBE as {"s", "p", "o"} rows.

    Raises:
        QueryRefusedError: an update, or a query the engine rejects (with its message).
    """
    form = query_form(query)
    try:
        result = graph.query(query)
        if form == "ASK":
            return [{"ask": "true" if result.askAnswer else "false"}]
        if form in ("CONSTRUCT", "DESCRIBE"):
            triples = cast(Iterable[tuple[Node, Node, Node]], result)
            return [{"s": _text(s), "p": _text(p), "o": _text(o)} for s, p, o in triples]
        names = [str(var) for var in result.vars or ()]
        rows = cast(Iterable[ResultRow], result)
        return [
            {name: _text(value) for name, value in zip(names, row, strict=False) if value is not None} for row in rows
        ]
    # Each store reports a bad query its own way (pyoxigraph SyntaxError, pyparsing
    # ParseException, HTTP errors from a remote endpoint); all of them mean "fix the query".
    except Exception as error:
        raise QueryRefusedError(f"SPARQL query failed: {_one_line(error)}") from error
