"""The app's pure helpers: escaping and highlighting note text, and the graph drawings' data."""

from __future__ import annotations

import json
from dataclasses import dataclass

from app_pages.charts import GraphView, chart_height, domain_chart_spec, graph_spec, neighbourhood, path_view
from app_pages.markup import escape, excerpt, render
from kg import EntityRef, PathResult, PathStep, Relation


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def test_escaped_note_text_renders_literally():
    text = '<script>alert("x")</script> **bold** [link](javascript:alert(1)) :red[red] $x^2$ # heading'
    escaped = escape(text)

    for raw in ("<script>", "**bold**", "[link]", ":red[", "$x^2$"):
        assert raw not in escaped
    assert "\\# heading" in escaped
    assert escaped.replace("\\", "") == text


def spans_of(text: str, word: str) -> list[Span]:
    start, found = 0, []
    while (start := text.find(word, start)) >= 0:
        found.append(Span(start, start + len(word)))
        start += len(word)
    return found


def test_a_passage_renders_as_markdown_but_html_shows_as_text():
    text = 'Polly <script>alert("x")</script> reads **bold** text.\n\n- one\n- two :red[red] $x^2$ ~5 min ![pixel](https://e.x/p.png)'
    rendered = render(text)

    assert "**bold**" in rendered and "\n- one\n- two" in rendered, "Markdown formatting stays"
    assert "\\<script>" in rendered and "\\</script>" in rendered, "HTML is escaped, so it shows as text"
    assert "\\:red[" in rendered and "\\$x^2\\$" in rendered and "\\~5" in rendered
    assert "\\![pixel]" in rendered, "no remote images"


def test_only_web_links_stay_links():
    rendered = render("[docs](https://docs.aws.amazon.com/x_(y)) and [bad](javascript:alert(1)) and [rel](notes.md)")
    assert "[docs](https://docs.aws.amazon.com/x_(y))" in rendered
    assert "[bad\\](javascript\\:alert(1))" in rendered and "[rel\\](notes.md)" in rendered


def test_highlights_never_split_an_identifier_or_enter_code():
    text = "Set checkpoint_s3_uri, `s3 path`, s3.amazonaws and precision_at_target_recall; S3 stores it. [S3](https://s3.aws/s3)"
    spans = spans_of(text, "s3") + spans_of(text, "S3") + spans_of(text, "precision")
    rendered = render(text, spans)

    assert "checkpoint_s3_uri" in rendered and "precision_at_target_recall" in rendered
    assert "`s3 path`" in rendered and "https://s3.aws/s3" in rendered
    assert rendered.count(":orange-background[") == 2  # "S3 stores" and the link text
    assert ":orange-background[S3] stores" in rendered


def test_headings_become_bold_lines_in_a_card_and_an_open_code_block_is_closed():
    text = "## Setup\nUse the SDK.\n\n```python\nestimator.fit()"
    rendered = render(text)
    assert rendered.startswith("**Setup**\n")
    assert rendered.endswith("estimator.fit()\n```")
    assert render(text, headings="keep").startswith("## Setup\n")


def test_a_table_in_a_note_stays_a_table():
    text = "Which one?\n\n| Service | Input |\n|---|---|\n| Polly | text <b>bold</b> |\n\nThat is all."
    rendered = render(text, spans_of(text, "Polly"))
    assert "| Service | Input |\n|---|---|\n| :orange-background[Polly] | text \\<b>bold\\</b> |" in rendered


def test_an_excerpt_is_the_block_that_holds_the_first_mention():
    text = "Intro paragraph that is long enough to stand on its own as a block of text, well over the limit for merging with the next one, really.\n\n" \
        "Polly speaks. " + "It turns text into lifelike speech. " * 5 + "\n\nAnother block.\n\n```\ncode\n\nmore code\n```"
    block, spans, before, after = excerpt(text, spans_of(text, "Polly"))
    assert block.startswith("Polly speaks.") and before and after
    assert block[spans[0].start : spans[0].end] == "Polly"
    code = excerpt(text, spans_of(text, "more"))[0]
    assert code.startswith("```") and code.endswith("```"), "a code block is never cut in two"


class FakeGraph:
    """A star: one hub with many neighbours, each with a neighbour of its own, plus an exam domain."""

    def __init__(self, spokes: int) -> None:
        self.spokes = spokes

    def neighbours(self, iri: str):
        ref = lambda name, type_="Concept": EntityRef(f"https://w3id.org/studykg/kg#{name}", name, type_)  # noqa: E731
        name = iri.rsplit("#", 1)[-1]
        if name == "Hub":
            out = [Relation("p", "used for", "out", ref(f"Spoke{i}")) for i in range(self.spokes)]
            return (*out, Relation("d", "in exam domain", "out", ref("Domain", "ExamDomain")))
        if name == "Domain":
            return tuple(Relation("d", "in exam domain", "in", ref(f"Other{i}")) for i in range(50))
        return (Relation("p", "used for", "in", ref("Hub")), Relation("q", "supports", "out", ref(f"Leaf{name}")))


def hub():
    return EntityRef("https://w3id.org/studykg/kg#Hub", "Hub", "Concept")


def test_neighbourhood_keeps_the_specific_neighbours_in_rows_that_do_not_collide():
    view = neighbourhood(FakeGraph(spokes=30), hub(), depth=1)

    assert view.names[0] == "Hub" and len(view.nodes) == 25 and view.hidden == 7
    assert "Domain" not in view.names, "the exam domain (50 links) is the most general neighbour"
    columns: dict[float, list[float]] = {}
    for node in view.nodes[1:]:
        columns.setdefault(node.x, []).append(node.y)
        assert node.label_at == ("left" if node.x < 0 else "right"), "labels point away from the centre"
    assert len(columns) == 2
    for ys in columns.values():
        ys.sort()
        assert all(b - a >= 30 for a, b in zip(ys, ys[1:])), "one row per label"
    assert chart_height(view) >= max(ys) - min(ys)


def test_two_hops_add_an_outer_column_and_never_expand_exam_domains():
    view = neighbourhood(FakeGraph(spokes=3), hub(), depth=2)
    hops = {node.label: node.hop for node in view.nodes}

    assert hops["Domain"] == 1 and not any(name.startswith("Other") for name in hops)
    assert {name for name, hop in hops.items() if hop == 2} == {"LeafSpoke0", "LeafSpoke1", "LeafSpoke2"}
    first = {abs(n.x) for n in view.nodes if n.hop == 1}
    second = {abs(n.x) for n in view.nodes if n.hop == 2}
    assert max(first) < min(second), "second-hop nodes stand outside the first-hop column"
    spec = graph_spec(view, center=hub().iri, edge_labels=False)
    assert spec["series"][0]["labelLayout"] == {"hideOverlap": True}
    assert not any(link["label"]["show"] for link in spec["series"][0]["links"])


def test_domain_chart_is_one_axis_of_horizontal_bars():
    from app_pages.charts import DomainCounts

    rows = [DomainCounts(f"D{i}", f"Domain number {i} with a long name", 25, {"Service": i, "Concept": 2}, 10, 3) for i in range(4)]
    spec = domain_chart_spec(rows)
    assert spec["yAxis"]["type"] == "category" and len(spec["yAxis"]["data"]) == 4
    assert spec["xAxis"]["type"] == "value", "one value axis, no second scale"
    assert spec["yAxis"]["data"][-1] == rows[0].label, "the first domain on top"


def test_graph_spec_lets_a_click_select_one_node():
    view = neighbourhood(FakeGraph(spokes=3), hub(), depth=1)
    spec = graph_spec(view, center=hub().iri)
    series = spec["series"][0]

    assert series["type"] == "graph" and series["selectedMode"] == "single"
    assert [node["name"] for node in series["data"]] == ["Hub", "Spoke0", "Spoke1", "Spoke2", "Domain"]
    assert {link["source"] for link in series["links"]} == {0}
    json.dumps(spec)  # st.echarts_chart takes JSON-compatible options only


def test_path_view_lays_the_shortest_path_along_the_middle():
    a, b, c = (EntityRef(f"kg#{n}", n, "Concept") for n in "ABC")
    result = PathResult(
        source=a, target=c, nodes=(a, c), edges=(PathStep("p", "supports", "in"),),
        alternatives=(((a, b, c), (PathStep("p", "used for", "out"), PathStep("p", "used for", "in"))),),
    )
    view = path_view(result)
    positions = {node.label: (node.x, node.y) for node in view.nodes}

    assert positions["A"] == (0.0, 0.0) and positions["C"][1] == 0.0 and positions["B"][1] != 0.0
    main = next(edge for edge in view.edges if edge.emphasis)
    assert (main.source, main.target) == ("kg#C", "kg#A"), "an incoming step points from the later node"
    assert graph_spec(view)["series"][0]["layout"] == "none"
    assert isinstance(view, GraphView)
