"""The app's pure helpers: escaping and highlighting note text, and the graph drawings' data."""

from __future__ import annotations

import json
from dataclasses import dataclass

from app_pages.charts import GraphView, graph_spec, neighbourhood, path_view
from app_pages.markup import escape, highlight, snippet, soften
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


def test_wrapped_lines_join_but_lists_and_paragraphs_stay():
    text = "Kinesis keeps records\nin shards.\n\n- one\n- two"
    assert soften(text) == "Kinesis keeps records in shards.\n\n- one\n- two"
    assert len(soften(text)) == len(text), "offsets of mentions stay valid"
    assert escape("    indented line") == "indented line", "four spaces would make a code block"


def test_highlight_wraps_mentions_and_escapes_around_them():
    text = "RCF <b>finds</b> anomalies with Random Cut Forest."
    start = text.index("Random")
    marked = highlight(text, [Span(0, 3), Span(start, start + len("Random Cut Forest"))])

    assert marked.startswith(":orange-background[**RCF**] \\<b\\>finds")
    assert marked.endswith(":orange-background[**Random Cut Forest**]\\.")


def test_highlight_skips_overlapping_and_out_of_range_spans():
    text = "Amazon Kinesis Data Streams"
    marked = highlight(text, [Span(0, 27), Span(7, 14), Span(20, 99)])
    assert marked.count(":orange-background[") == 1


def test_snippet_is_a_window_around_the_first_mention():
    text = "word " * 100 + "Polly speaks" + " word" * 100
    start = text.index("Polly")
    cut, spans = snippet(text, [Span(start, start + 5)], width=40)

    assert cut.startswith("…") and cut.endswith("…")
    assert cut[spans[0].start : spans[0].end] == "Polly"
    assert len(cut) < 110


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


def test_neighbourhood_is_capped_and_never_expands_through_exam_domains():
    view = neighbourhood(FakeGraph(spokes=30), hub(), depth=2, cap=40)

    assert len(view.nodes) == 40
    assert view.hidden == 22  # 30 spokes + 1 domain + 30 leaves, minus the 39 drawn
    assert not any(node.label.startswith("Other") for node in view.nodes)
    assert view.names[0] == "Hub"


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


def test_a_table_in_a_note_stays_a_table_with_its_cells_escaped():
    text = "Which one?\n| Service | Input |\n|---|---|\n| Polly | text <b>bold</b> |\nThat is all."
    start = text.index("Polly")
    rendered = highlight(text, [Span(start, start + 5)])

    assert "\n\n| Service | Input |\n|---|---|\n| :orange-background[**Polly**] | text \\<b\\>bold\\<\\/b\\> |\n" in rendered
    assert rendered.endswith("That is all\\.")
