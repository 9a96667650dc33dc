"""Read-only, local, time-limited SPARQL over the graph, with results as plain rows of strings.

The query is parsed with rdflib's SPARQL grammar before anything reaches the store, so an
update (INSERT, DELETE, LOAD, CLEAR, DROP...) is refused by name instead of surfacing as an
odd parser error, and a store that could execute updates from `query()` never sees one.
Federation is refused the same way: `SERVICE <url>` (SILENT or not) would make Oxigraph send
the query to that URL, and `FROM <url>` lets an engine fetch a graph from the web; a study
graph answers from what it holds.

A query runs in a worker thread (Oxigraph releases the GIL) while the caller waits for at
most `timeout` seconds, so a runaway join ends with a one-line error and Ctrl-C stops the
wait at once. The abandoned thread cannot be killed: in the CLI the process exits with it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, cast

from pyparsing import ParseException
from rdflib import BNode, Graph
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.query import ResultRow
from rdflib.term import Node

from .errors import QueryRefusedError

__all__ = ["DEFAULT_TIMEOUT", "QUERY_FORMS", "query_form", "run_sparql"]

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
DEFAULT_TIMEOUT = 30.0  # seconds; the study graph's real queries take milliseconds
_MAX_MESSAGE = 240
_POLL = 0.1  # how often the waiting thread wakes, so Ctrl-C is handled promptly


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
    _refuse_federation(parsed)
    return parsed[1].name.removesuffix("Query").upper()


def _refuse_federation(parsed: Any) -> None:
    names = set(_rule_names(parsed))
    if "ServiceGraphPattern" in names:
        raise QueryRefusedError("SPARQL SERVICE refused: queries run on the local graph only, never on another endpoint")
    if "DatasetClause" in names:
        raise QueryRefusedError("SPARQL FROM refused: queries run on the local graph only; drop FROM / FROM NAMED")


def _rule_names(node: Any) -> Iterable[str]:
    """The grammar rules in a parse tree (CompValue names), depth first."""
    if isinstance(node, CompValue):
        yield node.name
        for value in node.values():
            yield from _rule_names(value)
    elif isinstance(node, (list, tuple)) or hasattr(node, "as_list"):
        for value in node:
            yield from _rule_names(value)


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


def run_sparql(graph: Graph, query: str, *, timeout: float = DEFAULT_TIMEOUT) -> list[dict[str, str]]:
    """Run a read-only query: SELECT rows as {variable: value} (unbound variables left out),
    ASK as [{"ask": "true"|"false"}], CONSTRUCT and DESCRIBE as {"s", "p", "o"} rows.

    Raises:
        QueryRefusedError: an update, a federated query (SERVICE, FROM), a query the engine
            rejects (with its message), or one still running after ``timeout`` seconds.
        KeyboardInterrupt: Ctrl-C while waiting; the caller stops at once.
    """
    form = query_form(query)
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["rows"] = _rows(graph, query, form)
        except Exception as error:  # handed to the waiting thread
            outcome["error"] = error

    worker = threading.Thread(target=work, name="studykg-sparql", daemon=True)
    worker.start()
    waited = 0.0
    while worker.is_alive() and waited < timeout:
        step = min(_POLL, timeout - waited)
        worker.join(step)
        waited += step
    if worker.is_alive():
        raise QueryRefusedError(f"SPARQL query stopped after {timeout:g} s: simplify it (fewer joins, a LIMIT) or raise the time limit")
    if "error" in outcome:
        error = outcome["error"]
        # Each store reports a bad query its own way (pyoxigraph SyntaxError, pyparsing
        # ParseException, HTTP errors from a remote endpoint); all of them mean "fix the query".
        raise QueryRefusedError(f"SPARQL query failed: {_one_line(error)}") from error
    return outcome["rows"]


def _rows(graph: Graph, query: str, form: str) -> list[dict[str, str]]:
    result = graph.query(query)
    if form == "ASK":
        return [{"ask": "true" if result.askAnswer else "false"}]
    if form in ("CONSTRUCT", "DESCRIBE"):
        triples = cast(Iterable[tuple[Node, Node, Node]], result)
        return [{"s": _text(s), "p": _text(p), "o": _text(o)} for s, p, o in triples]
    names = [str(var) for var in result.vars or ()]
    rows = cast(Iterable[ResultRow], result)
    return [{name: _text(value) for name, value in zip(names, row, strict=False) if value is not None} for row in rows]
