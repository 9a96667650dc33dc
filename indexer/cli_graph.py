"""``studykg graph``: navigate the knowledge graph from the command line."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from urllib.parse import unquote

import click

from kg import relation_phrase
from kg.vocab import PREFIXES

from .cli_options import INDEX_OPTION, JSON_OPTION, open_graph
from .terminal import echo, json_line, secho


@click.group()
def graph() -> None:
    """Navigate the knowledge graph: entities, relations, paths, related topics, SPARQL.

    Names can be labels or aliases in English, Vietnamese or Italian, local names or IRIs.
    Without a built index, the curated graph in corpus/graph is used (no chunk mentions).
    """


@graph.command("show")
@click.argument("name")
@INDEX_OPTION
@JSON_OPTION
def graph_show(name: str, index_path: Path | None, json_: bool) -> None:
    """Show an entity, its relations grouped by type and the chunks that mention it.

    \b
    Example:
        studykg graph show RCF --json
    """
    kg = open_graph(index_path)
    entity = kg.entity(name)
    relations = kg.neighbours(entity.iri)
    data = {
        "entity": {"iri": entity.iri, "label": entity.label, "aliases": list(entity.aliases), "type": entity.type,
                   "definition": entity.definition, "closed_to_new_customers": entity.closed_to_new_customers},
        "relations": [
            {"predicate": r.predicate, "label": r.label, "direction": r.direction,
             "target": {"iri": r.target.iri, "label": r.target.label, "type": r.target.type},
             **({"stated_in": r.stated_in, "passages": list(r.passages)} if r.stated_in else {})}
            for r in relations
        ],
        "mentioned_in": list(kg.mentioned_in(entity.iri)),
    }
    if json_:
        click.echo(json_line(data))
        return
    secho(f"{entity.label} ({entity.type})", bold=True)
    if entity.aliases:
        echo("  also: " + ", ".join(entity.aliases))
    echo("  " + entity.definition)
    if entity.closed_to_new_customers:
        echo("  AWS no longer offers it to new customers.")
    groups: dict[str, list[str]] = {}
    for r in relations:
        key = relation_phrase(r.predicate, r.direction, fallback=r.label)
        groups.setdefault(key, []).append(r.target.label)
    for key, labels in groups.items():
        echo(f"  {key}: " + ", ".join(labels))
    sourced = [r for r in relations if r.stated_in]
    if sourced:
        echo("  where these facts are stated:")
        for r in sourced:
            phrase = relation_phrase(r.predicate, r.direction, fallback=r.label)
            echo(f"    {phrase} {r.target.label}: {r.stated_in.replace('#', ' › ', 1)}")
    echo(f"  mentioned in {len(data['mentioned_in'])} chunks")


@graph.command("path")
@click.argument("source")
@click.argument("target")
@click.option("--alternatives", default=3, show_default=True, type=click.IntRange(0, 10))
@INDEX_OPTION
@JSON_OPTION
def graph_path(source: str, target: str, alternatives: int, index_path: Path | None, json_: bool) -> None:
    """Shortest path(s) between two entities over typed edges.

    \b
    Example:
        studykg graph path "Random Cut Forest" KDA
    """
    result = open_graph(index_path).path(source, target, alternatives=alternatives)
    data = _path_json(result)
    if json_:
        click.echo(json_line(data))
        return
    echo(_chain(data["path"], data["edges"]))
    for alt in data["alternatives"]:
        echo("  or: " + _chain(alt["path"], alt["edges"]))


@graph.command("related")
@click.argument("name")
@click.option("-k", "k", default=10, show_default=True, type=click.IntRange(1, 100))
@INDEX_OPTION
@JSON_OPTION
def graph_related(name: str, k: int, index_path: Path | None, json_: bool) -> None:
    """Topics related to an entity, each with the reason.

    \b
    Example:
        studykg graph related Firehose
    """
    kg = open_graph(index_path)
    entity = kg.entity(name)
    related = kg.related(entity.iri, k=k)
    data = {
        "entity": {"iri": entity.iri, "label": entity.label, "aliases": list(entity.aliases), "type": entity.type},
        "related": [
            {"iri": r.entity.iri, "label": r.entity.label, "aliases": list(r.aliases), "type": r.entity.type,
             "score": round(r.score, 6), "why": r.why}
            for r in related
        ],
    }
    if json_:
        click.echo(json_line(data))
        return
    for r in data["related"]:
        echo(f"{r['label']} ({r['type']}): {r['why']}")


@graph.command("sparql")
@click.argument("query")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              callback=lambda ctx, param, value: _finite_seconds(value),
              help="Stop a query that runs longer than this many seconds.")
@INDEX_OPTION
@JSON_OPTION
def graph_sparql(query: str, timeout: float, index_path: Path | None, json_: bool) -> None:
    """Run a read-only SPARQL query on the local graph (updates, SERVICE and FROM are refused); '-' reads it from stdin.

    \b
    Example:
        studykg graph sparql 'SELECT ?s WHERE { ?s a <https://w3id.org/studykg/ontology#Algorithm> }'
    """
    if query == "-":
        query = sys.stdin.read()
    kg = open_graph(index_path)
    rows = kg.sparql(query, timeout=timeout)
    if json_:
        click.echo(json_line({"rows": rows}))  # raw IRIs, for programs
        return
    for row in rows:
        echo("\t".join(f"{k}={_readable(kg, v)}" for k, v in row.items()))


def _finite_seconds(value: float) -> float:
    """Refuse nan and inf, which FloatRange lets through (nan compares false with every bound)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds; give a positive number such as 30")
    return value


def _readable(kg, value: str) -> str:
    """An entity IRI as its label, any other IRI in prefixed form (chunk:..., skg:...); literals as they are."""
    entity = kg.entities.get(value)
    if entity is not None:
        return entity.label
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
        if value.startswith(str(namespace)) and len(value) > len(str(namespace)):
            return f"{prefix}:{unquote(value[len(str(namespace)):])}"
    return value


def _ref(ref) -> dict:
    return {"iri": ref.iri, "label": ref.label, "type": ref.type}


def _path_json(result) -> dict:
    def steps(nodes, edges) -> dict:
        return {
            "path": [_ref(n) for n in nodes],
            "edges": [{"predicate": e.predicate, "label": e.label, "direction": e.direction} for e in edges],
        }

    return {
        "from": _ref(result.source),
        "to": _ref(result.target),
        **steps(result.nodes, result.edges),
        "alternatives": [steps(nodes, edges) for nodes, edges in result.alternatives],
    }


def _chain(nodes: list[dict], edges: list[dict]) -> str:
    parts = [nodes[0]["label"]] if nodes else []
    for edge, node in zip(edges, nodes[1:]):
        arrow = f" -[{edge['label']}]-> " if edge["direction"] == "out" else f" <-[{edge['label']}]- "
        parts.append(arrow + node["label"])
    return "".join(parts)
