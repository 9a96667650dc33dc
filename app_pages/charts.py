"""ECharts option objects for the app's graphs and charts, built from kg records.

Plain dictionaries, no Streamlit: ``st.echarts_chart`` draws them, and a click on a
node comes back to Python as the node's index in ``series[0].data``; ``GraphView.names``
maps that index to the entity's local name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ENTITY_TYPES = ("Service", "Algorithm", "Concept", "ExamDomain", "TaskStatement")
TYPE_TITLES = {
    "Service": "Service",
    "Algorithm": "Algorithm",
    "Concept": "Concept",
    "ExamDomain": "Exam domain",
    "TaskStatement": "Task statement",
}
TYPE_COLORS = {
    "Service": "#2563eb",
    "Algorithm": "#16a34a",
    "Concept": "#ea580c",
    "ExamDomain": "#7c3aed",
    "TaskStatement": "#a855f7",
}
# Exam domains and task statements touch nearly every entity: a second hop through
# them would pull in half the graph, so the neighbourhood never expands past them.
HUB_TYPES = frozenset({"ExamDomain", "TaskStatement"})


def local_name(iri: str) -> str:
    """``.../kg#RandomCutForest`` -> ``RandomCutForest``: the name the URL and the pickers use."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Node:
    iri: str
    label: str
    type: str
    hop: int
    x: float | None = None  # fixed position, for drawings laid out by hand (paths)
    y: float | None = None


@dataclass(frozen=True)
class Edge:
    source: str  # IRI, in the edge's real direction
    target: str
    label: str
    emphasis: bool = True


@dataclass(frozen=True)
class GraphView:
    """What one graph chart shows; ``names[i]`` is the local name of node ``i``."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    hidden: int = 0  # neighbours left out to keep the drawing readable

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(local_name(n.iri) for n in self.nodes)


def neighbourhood(graph, center, depth: int = 1, cap: int = 40) -> GraphView:
    """The entities within ``depth`` hops of ``center`` (an Entity), at most ``cap`` of them.

    ``graph`` is a ``kg.KnowledgeGraph``; its ``neighbours`` gives typed edges in both
    directions. Nearer nodes come first, so the cap drops the farthest ones.
    """
    nodes: dict[str, Node] = {center.iri: Node(center.iri, center.label, center.type, 0)}
    edges: dict[tuple[str, str, str], Edge] = {}
    hidden: set[str] = set()
    frontier = [center.iri]
    for hop in range(1, depth + 1):
        following: list[str] = []
        for iri in frontier:
            if hop > 1 and nodes[iri].type in HUB_TYPES:
                continue
            for relation in graph.neighbours(iri):
                target = relation.target
                if hop > 1 and target.type in HUB_TYPES and target.iri not in nodes:
                    continue
                if target.iri not in nodes:
                    if len(nodes) >= cap:
                        hidden.add(target.iri)
                        continue
                    nodes[target.iri] = Node(target.iri, target.label, target.type, hop)
                    following.append(target.iri)
                a, b = (iri, target.iri) if relation.direction == "out" else (target.iri, iri)
                edges.setdefault((a, b, relation.label), Edge(a, b, relation.label))
        frontier = following
    hidden -= set(nodes)
    return GraphView(tuple(nodes.values()), tuple(edges.values()), len(hidden))


def path_view(result, width: float = 900.0, row: float = 90.0) -> GraphView:
    """The nodes and edges of a ``kg.PathResult``, laid out left to right.

    The shortest path runs along the middle; each alternative's own stops sit on a row
    above or below it, at the same share of the way, so every chain reads left to right.
    """
    nodes: dict[str, Node] = {}
    edges: dict[tuple[str, str, str], Edge] = {}
    chains = [(result.nodes, result.edges), *result.alternatives]
    for number, (chain_nodes, chain_edges) in enumerate(chains):
        main = number == 0
        offset = 0.0 if main else row * ((number + 1) // 2) * (-1 if number % 2 else 1)
        last = max(len(chain_nodes) - 1, 1)
        for position, ref in enumerate(chain_nodes):
            if ref.iri not in nodes:
                nodes[ref.iri] = Node(ref.iri, ref.label, ref.type, 0 if main else 1, x=width * position / last, y=offset)
        for before, step, after in zip(chain_nodes, chain_edges, chain_nodes[1:]):
            a, b = (before.iri, after.iri) if step.direction == "out" else (after.iri, before.iri)
            edges.setdefault((a, b, step.label), Edge(a, b, step.label, emphasis=main))
    return GraphView(tuple(nodes.values()), tuple(edges.values()))


def graph_spec(view: GraphView, *, center: str | None = None, edge_labels: bool = True) -> dict:
    """An ECharts force-layout graph of ``view``; clicking a node selects it (``selectedMode``)."""
    index = {node.iri: i for i, node in enumerate(view.nodes)}
    present = [t for t in ENTITY_TYPES if any(n.type == t for n in view.nodes)]
    category = {t: i for i, t in enumerate(present)}
    fixed = all(node.x is not None for node in view.nodes)
    # Fewer nodes can spread out; many must pack closer to stay inside the chart.
    repulsion = 420 if len(view.nodes) <= 20 else 260 if len(view.nodes) <= 45 else 150
    data = []
    for node in view.nodes:
        is_center = node.iri == center
        position = {"x": node.x, "y": node.y} if fixed else {}
        data.append(
            {
                **position,
                "name": node.label,
                "category": category[node.type],
                "symbolSize": 46 if is_center else (30 if node.hop <= 1 else 20),
                "label": {"show": True, "fontWeight": "bold" if is_center else "normal"},
                "itemStyle": {"borderColor": "#111827", "borderWidth": 3} if is_center else {},
            }
        )
    # Two entities can be linked by several relations: one arrow per direction, labels joined.
    merged: dict[tuple[str, str], list[Edge]] = {}
    for edge in view.edges:
        merged.setdefault((edge.source, edge.target), []).append(edge)
    links = []
    for (source, target), group in merged.items():
        emphasis = any(edge.emphasis for edge in group)
        label = " · ".join(dict.fromkeys(edge.label for edge in group if edge.emphasis or not emphasis))
        links.append(
            {
                "source": index[source],
                "target": index[target],
                "label": {"show": edge_labels and emphasis, "formatter": label, "fontSize": 10},
                "lineStyle": {"width": 2.5, "opacity": 0.9} if emphasis else {"width": 1, "opacity": 0.35, "type": "dashed"},
            }
        )
    return {
        "tooltip": {"show": True},
        "legend": [{"data": [TYPE_TITLES[t] for t in present], "top": 0}],
        # Drawn in its final state at once: no labels fading and sliding in, so what is
        # on screen, and under the pointer, is where it stays.
        "animation": False,
        "series": [
            {
                "type": "graph",
                "layout": "none" if fixed else "force",
                "roam": True,
                "draggable": True,
                "selectedMode": "single",
                "cursor": "pointer",
                "data": data,
                "links": links,
                "categories": [{"name": TYPE_TITLES[t], "itemStyle": {"color": TYPE_COLORS[t]}} for t in present],
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 7,
                # Laid out at once rather than animated, from a circle rather than from random
                # spots: the same graph gets the same drawing on every render, so a rerun does
                # not shuffle the nodes and a label covered once is not covered by chance.
                "force": {
                    "initLayout": "circular",
                    "repulsion": repulsion,
                    "edgeLength": [80, 160],
                    "gravity": 0.08,
                    "layoutAnimation": False,
                },
                "label": {"position": "top" if fixed else "right", "fontSize": 12, "width": 180, "overflow": "truncate"},
                "lineStyle": {"color": "source", "curveness": 0.05 if fixed else 0.12},
                "emphasis": {"focus": "adjacency", "label": {"show": True}, "edgeLabel": {"show": True}},
                "select": {"itemStyle": {"borderColor": "#111827", "borderWidth": 3}},
            }
        ],
    }


@dataclass(frozen=True)
class DomainCounts:
    """What the graph and the notes hold for one exam domain."""

    name: str
    label: str
    weight: int | None
    by_type: dict[str, int]
    passages: int
    documents: int


def domain_chart_spec(rows: Sequence[DomainCounts]) -> dict:
    """Grouped bars per domain: graph entities by type (stacked) next to note passages linked to the domain."""
    labels = [r.label for r in rows]
    types = ["Service", "Algorithm", "Concept", "TaskStatement"]
    series = [
        {
            "name": TYPE_TITLES[t] + "s",
            "type": "bar",
            "stack": "graph",
            "yAxisIndex": 0,
            "itemStyle": {"color": TYPE_COLORS[t]},
            "data": [r.by_type.get(t, 0) for r in rows],
        }
        for t in types
    ]
    series.append(
        {
            "name": "Note passages",
            "type": "bar",
            "yAxisIndex": 1,
            "itemStyle": {"color": "#94a3b8"},
            "data": [r.passages for r in rows],
        }
    )
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 48, "right": 56, "top": 48, "bottom": 32, "containLabel": True},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"interval": 0, "width": 150, "overflow": "break"}},
        "yAxis": [
            {"type": "value", "name": "graph entities", "minInterval": 1},
            {"type": "value", "name": "note passages", "minInterval": 1, "splitLine": {"show": False}},
        ],
        "series": series,
    }
