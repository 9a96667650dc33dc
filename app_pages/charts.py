"""ECharts option objects for the app's graphs and charts, built from kg records.

Plain dictionaries, no Streamlit: ``st.echarts_chart`` draws them, and a click on a
node comes back to Python as the node's index in ``series[0].data``; ``GraphView.names``
maps that index to the entity's local name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg import relation_phrase
from kg.entities import local_name

from .i18n import N_, _, current

ENTITY_TYPES = ("Service", "Algorithm", "Concept", "ExamDomain", "TaskStatement")
TYPE_TITLES = {
    "Service": N_("Service"),
    "Algorithm": N_("Algorithm"),
    "Concept": N_("Concept"),
    "ExamDomain": N_("Exam domain"),
    "TaskStatement": N_("Task statement"),
}
TYPE_PLURALS = {"Service": N_("Services"), "Algorithm": N_("Algorithms"), "Concept": N_("Concepts"), "TaskStatement": N_("Task statements")}
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


def type_title(type_: str) -> str:
    """An entity type's name in the app's language ("Exam domain", "Dominio d'esame")."""
    return _(TYPE_TITLES[type_]) if type_ in TYPE_TITLES else type_


@dataclass(frozen=True)
class Node:
    iri: str
    label: str
    type: str
    hop: int
    x: float | None = None  # fixed position, for drawings laid out by hand (paths, neighbourhoods)
    y: float | None = None
    label_at: str = ""  # where the label goes ("left", "right", "top", "bottom"); "" for the chart's default


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


# The neighbourhood drawing: nodes in columns left and right of the centre, one row each,
# so no two labels share a line. Data coordinates are pixels at the chart's full width.
ROW = 34.0
COLUMN = 250.0  # half the drawing's width: with labels beside it, it fits a 900-pixel column
SIDE_ROWS = {1: 12, 2: 7}  # first-hop rows per side, at depth 1 and 2
SECOND_HOPS_PER_NODE = 2
SECOND_HOP_ROWS = 11  # per side


def neighbourhood(graph, center, depth: int = 1, cap: int = 40, hubs: frozenset[str] | None = None) -> GraphView:
    """A readable drawing of the entities within ``depth`` (1 or 2) hops of ``center`` (an Entity).

    ``graph`` is a ``kg.KnowledgeGraph``. A force layout of 40-70 nodes was a tangle with
    colliding labels, so this one keeps the most specific neighbours (fewest links of their
    own: "Concept drift" before "Amazon S3"; exam domains last), at most ``cap``, and lays
    them out in columns: first-hop nodes left and right of the centre, grouped by type,
    second-hop nodes in an outer column beside their parent. Every node has a row of its
    own, and labels point away from the centre. ``hubs``, when given, keeps only those exam
    domains and task statements (the chosen exam's), so another exam's are never drawn unmarked.
    """
    nodes: dict[str, Node] = {center.iri: Node(center.iri, center.label, center.type, 0, x=0.0, y=0.0, label_at="bottom")}
    edges: dict[tuple[str, str, str], Edge] = {}
    degree: dict[str, int] = {}

    def specificity(ref) -> tuple:
        if ref.iri not in degree:
            degree[ref.iri] = len(graph.neighbours(ref.iri))
        return (ref.type in HUB_TYPES, degree[ref.iri], ref.label.casefold())

    first: dict[str, tuple] = {}
    for relation in graph.neighbours(center.iri):
        if hubs is not None and relation.target.type in HUB_TYPES and relation.target.iri not in hubs:
            continue
        first.setdefault(relation.target.iri, (relation.target, relation))
    limit = min(2 * SIDE_ROWS[min(depth, 2)], max(cap - 1, 1))
    kept = sorted(first.values(), key=lambda item: specificity(item[0]))[:limit]
    hidden = len(first) - len(kept)
    # Grouped by type (the legend's colours), then by label, and split into two columns.
    kept.sort(key=lambda item: (_type_order(item[0].type), item[0].label.casefold()))
    half = (len(kept) + 1) // 2
    sides = {-1: kept[:half], 1: kept[half:]}
    inner = COLUMN / 2 if depth > 1 else COLUMN
    for side, column in sides.items():
        for row, (ref, relation) in enumerate(column):
            y = (row - (len(column) - 1) / 2) * ROW * (1.6 if depth > 1 else 1.0)
            # Outward, or above the node when a second-hop column stands beyond it.
            label_at = "top" if depth > 1 else ("left" if side < 0 else "right")
            nodes[ref.iri] = Node(ref.iri, ref.label, ref.type, 1, x=side * inner, y=y, label_at=label_at)
            _add_edge(edges, center.iri, relation)
    if depth > 1:
        for side, column in sides.items():
            outer: list[tuple] = []
            for ref, _relation in column:
                if ref.type in HUB_TYPES:
                    continue  # an exam domain's neighbours are half the graph
                found = [r for r in graph.neighbours(ref.iri) if r.target.iri not in nodes and r.target.type not in HUB_TYPES]
                found.sort(key=lambda r: specificity(r.target))
                taken = 0
                for relation in found:
                    if taken == SECOND_HOPS_PER_NODE or len(outer) == SECOND_HOP_ROWS:
                        break
                    if any(relation.target.iri == r.target.iri for _, r in outer):
                        continue
                    outer.append((ref.iri, relation))
                    taken += 1
            for row, (parent, relation) in enumerate(outer):
                target = relation.target
                y = (row - (len(outer) - 1) / 2) * ROW
                nodes[target.iri] = Node(target.iri, target.label, target.type, 2, x=side * COLUMN, y=y, label_at="left" if side < 0 else "right")
                _add_edge(edges, parent, relation)
    return GraphView(tuple(nodes.values()), tuple(edges.values()), hidden)


def _type_order(type_: str) -> int:
    return ENTITY_TYPES.index(type_) if type_ in ENTITY_TYPES else len(ENTITY_TYPES)


def _add_edge(edges: dict, seen_from: str, relation) -> None:
    a, b = (seen_from, relation.target.iri) if relation.direction == "out" else (relation.target.iri, seen_from)
    # The arrow runs subject -> object, so it reads with the subject's phrase ("is a kind of", not "broader").
    label = relation_phrase(relation.predicate, "out", current(), relation.label)
    edges.setdefault((a, b, label), Edge(a, b, label))


def path_view(result, width: float = 900.0, row: float = 90.0) -> GraphView:
    """The nodes and edges of a ``kg.PathResult``, laid out left to right.

    The shortest path runs along the middle; each alternative's own stops sit on a row
    above or below it, at the same share of the way, so every chain reads left to right.
    Each arrow points the way the chain is read, labelled with the phrase for that way
    ("Random Cut Forest → is supported by → Amazon Kinesis Data Analytics"), exactly as the
    sentence beside the drawing says it; an arrow from subject to object contradicted it.
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
            label = relation_phrase(step.predicate, step.direction, current(), step.label)
            edges.setdefault((before.iri, after.iri, label), Edge(before.iri, after.iri, label, emphasis=main))
    return GraphView(tuple(nodes.values()), tuple(edges.values()))


LABEL_WIDTH = 170


def _margins(view: GraphView) -> dict:
    """Where a hand-laid drawing goes: a box the size of its coordinates, centred, below the legend.

    ECharts scales a drawing's x and y to fit its box separately, and scales the node
    symbols by x only: with a box of another shape the circles became ovals and rows
    squeezed together. A box of the drawing's own size keeps both scales at one.
    """
    xs = [node.x for node in view.nodes if node.x is not None]
    ys = [node.y for node in view.nodes if node.y is not None]
    width, height = max(xs, default=0) - min(xs, default=0), max(ys, default=0) - min(ys, default=0)
    if width > 0 and height > 0:
        return {"left": "center", "top": 76, "width": width, "height": height}
    sideways = any(node.label_at in ("left", "right") for node in view.nodes)
    side = LABEL_WIDTH + 12 if sideways else LABEL_WIDTH // 2 + 8
    # Below the legend, with room for a label above the topmost node.
    return {"left": side, "right": side, "top": 76, "bottom": 28}


def chart_height(view: GraphView, minimum: int = 320) -> int:
    """Pixels a hand-laid drawing needs so its rows keep their spacing: its height plus legend and margins."""
    ys = [node.y for node in view.nodes if node.y is not None]
    return max(minimum, int(max(ys, default=0) - min(ys, default=0)) + 76 + 48)


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
                "label": {"show": True, "fontWeight": "bold" if is_center else "normal", **({"position": node.label_at} if node.label_at else {})},
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
                # Every drawn edge says what it is: the other paths too, in grey, not as bare faint dashes.
                "label": {"show": edge_labels, "formatter": label, "fontSize": 10, **({} if emphasis else {"color": "#4b5563"})},
                "lineStyle": {"width": 2.5, "opacity": 0.9} if emphasis else {"width": 1.5, "opacity": 0.7, "type": "dashed"},
            }
        )
    return {
        "tooltip": {"show": True},
        "legend": [{"data": [type_title(t) for t in present], "top": 0}],
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
                "categories": [{"name": type_title(t), "itemStyle": {"color": TYPE_COLORS[t]}} for t in present],
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
                "label": {
                    "position": "top" if fixed else "right", "fontSize": 12, "width": LABEL_WIDTH, "overflow": "truncate",
                    # Readable where an edge passes behind a label.
                    "backgroundColor": "rgba(255,255,255,0.85)", "padding": [1, 3], "borderRadius": 3,
                },
                # Every node keeps its label: the layouts give each label a row of its own, and
                # hiding "overlapping" ones dropped names from two-hop drawings (IP Insights).
                **(_margins(view) if fixed else {}),
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
    """Horizontal stacked bars: the graph's entities in each domain, by type, one bar per domain.

    One axis, one unit. The earlier chart put note passages on a second axis beside the
    entity bars, and readers compared bars measured on different scales; the passage counts
    now sit on the domain cards. Horizontal bars leave the long domain names room to wrap.
    """
    types = ["Service", "Algorithm", "Concept", "TaskStatement"]
    # The exam guide's first domain at the top, as on the cards.
    ordered = list(reversed(rows))
    series = [
        {
            "name": _(TYPE_PLURALS[t]),
            "type": "bar",
            "stack": "entities",
            "barWidth": "55%",
            "itemStyle": {"color": TYPE_COLORS[t]},
            "label": {"show": True, "color": "#ffffff", "fontSize": 11},
            "labelLayout": {"hideOverlap": True},
            "data": [r.by_type.get(t, 0) or None for r in ordered],
        }
        for t in types
    ]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "name": _("entities in the graph"), "nameLocation": "middle", "nameGap": 28, "minInterval": 1},
        "yAxis": {
            "type": "category",
            "data": [r.label for r in ordered],
            "axisLabel": {"interval": 0, "width": 210, "overflow": "break", "fontSize": 12},
        },
        "series": series,
    }
