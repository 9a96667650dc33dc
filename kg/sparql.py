r"""Read-only, local, time-limited SPARQL over the graph, with results as plain rows of strings.

The query is parsed with rdflib's SPARQL grammar before anything reaches the store, so an
update (INSERT, DELETE, LOAD, CLEAR, DROP...) is refused by name instead of surfacing as an
odd parser error, and a store that could execute updates from `query()` never sees one.
Federation is refused the same way: `SERVICE <url>` (SILENT or not) would make Oxigraph send
the query to that URL, and `FROM <url>` lets an engine fetch a graph from the web; a study
graph answers from what it holds.

The check is only sound if the engine reads the query exactly as rdflib did, and the two
grammars disagree at the edges: Oxigraph ends a ``#`` comment at ``\r`` as well as ``\n``
(rdflib only at ``\n``), so ``#\r SERVICE <url> {...}`` was a comment to the check and a
federated call to the engine; rdflib expands ``\uXXXX`` escapes everywhere, Oxigraph only
inside IRIs and strings, so an escaped quote can move a string's end for one parser only.
pyoxigraph has no switch that turns federation off, and a second parser would only add a
third reading. So the text is first made unambiguous, and that same text is what is checked
and what runs (``canonical_query``): escapes are expanded once, as the SPARQL spec says
(an escape that expands into another escape is refused), every line end becomes ``\n``, and
any other control character is refused. What is left reads the same to both grammars.

A query runs in a worker thread (Oxigraph releases the GIL) while the caller waits for at
most `timeout` seconds, so a runaway join ends with a one-line error and Ctrl-C stops the
wait at once. The worker stops reading rows when the wait ends, and a result is capped at
`MAX_VALUES` values, so a cross join cannot fill memory. The engine may still be inside one
step (an aggregate over a huge join) when the wait ends; that step cannot be killed, and in
the CLI the process exits with it.
"""

from __future__ import annotations

import gc
import math
import re
import threading
from collections.abc import Iterable
from typing import Any, cast

from pyparsing import ParseException
from rdflib import BNode, Graph
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.query import ResultRow
from rdflib.term import Node

from .errors import QueryRefusedError

__all__ = ["DEFAULT_TIMEOUT", "MAX_VALUES", "QUERY_FORMS", "canonical_query", "query_form", "run_sparql"]

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
DEFAULT_TIMEOUT = 30.0  # seconds; the study graph's real queries take milliseconds
_MAX_MESSAGE = 240
_POLL = 0.1  # how often the waiting thread wakes, so Ctrl-C is handled promptly
MAX_VALUES = 1_000_000  # values in one result (rows x variables): about 100 MB of Python strings
_ESCAPE = re.compile(r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}")
_LINE_END = re.compile(r"\r\n?")
# Control characters other than tab and newline (C0, DEL, C1) and the Unicode line and
# paragraph separators: no query needs them, and each is a place where grammars may disagree.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def canonical_query(query: str) -> str:
    r"""``query`` as both rdflib and Oxigraph will read it: escapes expanded, ``\n`` line ends only.

    Raises:
        QueryRefusedError: an escape expands into another escape, or the text holds a control character.
    """
    try:
        text = expandUnicodeEscapes(query)
    except ValueError as error:
        raise QueryRefusedError(f"SPARQL query failed: {_one_line(error)}") from None
    if _ESCAPE.search(text):
        raise QueryRefusedError("SPARQL query refused: a \\u escape expands into another escape; write the character itself")
    text = _LINE_END.sub("\n", text)
    if match := _CONTROL.search(text):
        raise QueryRefusedError(
            f"SPARQL query refused: control character U+{ord(match.group()):04X} at offset {match.start()}; "
            "only tabs and line ends may separate words"
        )
    return text


def query_form(query: str) -> str:
    """The form of a SPARQL string (SELECT, ASK, CONSTRUCT or DESCRIBE), by rdflib's SPARQL grammar.

    The query grammar has no update operations, so a string that parses as a query cannot
    change the graph; one that parses only as an update is refused by name.

    ``query`` should be ``canonical_query``'s output: that is the text the grammars agree on.

    Raises:
        QueryRefusedError: the string is an update, or not valid SPARQL (with the parser's message).
    """
    try:
        parsed = parseQuery(query)
    except RecursionError:
        raise QueryRefusedError("SPARQL query refused: nested too deeply for the parser (fewer nested braces or brackets)") from None
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
    except (ParseException, RecursionError):
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
            rejects (with its message), one still running after ``timeout`` seconds, one
            whose result passes ``MAX_VALUES`` values, or a time limit that is not a positive number.
        KeyboardInterrupt: Ctrl-C while waiting; the caller stops at once.
    """
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise QueryRefusedError(f"SPARQL time limit {timeout!r} refused: give a positive number of seconds")
    query = canonical_query(query)  # what is checked below is what runs
    form = query_form(query)
    outcome: dict[str, Any] = {}
    stop = threading.Event()

    def work() -> None:
        try:
            outcome["rows"] = _rows(graph, query, form, stop)
        except RecursionError:
            outcome["error"] = QueryRefusedError("SPARQL query refused: nested too deeply for the engine")
        except Exception as error:  # handed to the waiting thread
            # Without its traceback: the frames hold the engine's result, which must be freed on this thread.
            outcome["error"] = error.with_traceback(None)

    worker = threading.Thread(target=work, name="studykg-sparql", daemon=True)
    worker.start()
    waited = 0.0
    while worker.is_alive() and waited < timeout:
        step = min(_POLL, timeout - waited)
        worker.join(step)
        waited += step
    if worker.is_alive():
        stop.set()  # the worker reads no more rows: what it holds is freed
        raise QueryRefusedError(f"SPARQL query stopped after {timeout:g} s: simplify it (fewer joins, a LIMIT) or raise the time limit")
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, QueryRefusedError):
            raise error
        # Each store reports a bad query its own way (pyoxigraph SyntaxError, pyparsing
        # ParseException, HTTP errors from a remote endpoint); all of them mean "fix the query".
        raise QueryRefusedError(f"SPARQL query failed: {_one_line(error)}") from error
    return outcome["rows"]


def _rows(graph: Graph, query: str, form: str, stop: threading.Event) -> list[dict[str, str]]:
    result = graph.query(query)
    if form == "ASK":
        return [{"ask": "true" if result.askAnswer else "false"}]
    if form in ("CONSTRUCT", "DESCRIBE"):
        found = ({"s": _text(s), "p": _text(p), "o": _text(o)} for s, p, o in cast(Iterable[tuple[Node, Node, Node]], result))
        width = 3
    else:
        names = [str(var) for var in result.vars or ()]
        found = (
            {name: _text(value) for name, value in zip(names, row, strict=False) if value is not None}
            for row in cast(Iterable[ResultRow], result)
        )
        width = max(len(names), 1)
    taken, complete = _take(found, MAX_VALUES // width, stop)
    if not complete or stop.is_set():
        # A result left half read sits in a reference cycle (oxrdflib's row generator and its
        # Result): collect it here, on the thread that made it, as pyoxigraph requires.
        del found, result
        gc.collect()
    if not complete:
        raise QueryRefusedError(
            f"SPARQL result refused: more than {MAX_VALUES // width:,} rows of {width} values; add a LIMIT or select fewer variables"
        )
    return taken


def _take(rows: Iterable[dict[str, str]], limit: int, stop: threading.Event) -> tuple[list[dict[str, str]], bool]:
    """Up to ``limit`` rows, and whether that was all of them; none once the waiting thread gave up."""
    taken: list[dict[str, str]] = []
    for row in rows:
        if stop.is_set():
            return [], True
        if len(taken) >= limit:
            return taken, False
        taken.append(row)
    return taken, True
