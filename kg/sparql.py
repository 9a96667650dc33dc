"""Read-only SPARQL over the graph, with results as plain rows of strings.

The query is parsed with rdflib's SPARQL grammar before anything reaches the store, so an
update (INSERT, DELETE, LOAD, CLEAR, DROP...) is refused by name instead of surfacing as an
odd parser error, and a store that could execute updates from `query()` never sees one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from pyparsing import ParseException
from rdflib import BNode, Graph
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.query import ResultRow
from rdflib.term import Node

from .errors import QueryRefusedError

__all__ = ["QUERY_FORMS", "query_form", "run_sparql"]

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_MAX_MESSAGE = 240


def query_form(query: str) -> str:
    """The form of a SPARQL string (SELECT, ASK, CONSTRUCT or DESCRIBE), by rdflib's SPARQL grammar.

    The query grammar has no update operations, so a string that parses as a query cannot
    change the graph; one that parses only as an update is refused by name.

    Raises:
        QueryRefusedError: the string is an update, or not valid SPARQL (with the parser's message).
    """
    try:
        parsed = parseQuery(query)
    except ParseException as error:
        if _parses_as_update(query):
            raise QueryRefusedError(
                "SPARQL update refused: the graph is read-only, only SELECT, ASK, CONSTRUCT and DESCRIBE run"
            ) from None
        raise QueryRefusedError(f"SPARQL query failed: {_one_line(error)}") from None
    return parsed[1].name.removesuffix("Query").upper()


def _parses_as_update(text: str) -> bool:
    try:
        update = parseUpdate(text)
    except ParseException:
        return False
    return "request" in update.keys()  # an empty or comment-only string parses as an update of no operations


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
