"""The app's pure helpers: escaping and highlighting note text, and the graph drawings' data."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

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
    assert "labelLayout" not in spec["series"][0], "no node label is hidden as overlapping (IP Insights was)"
    assert all(node["label"]["show"] for node in spec["series"][0]["data"])
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
    assert (main.source, main.target) == ("kg#A", "kg#C"), "every arrow points the way the chain is read"
    assert graph_spec(view)["series"][0]["layout"] == "none"
    assert isinstance(view, GraphView)


# ---- the app in the learner's language, the picker, the smaller fixes -------------------
SKG = "https://w3id.org/studykg/ontology#"


def source_messages() -> dict:
    """Every string the app marks for translation (``_``, ``N_``, ``ngettext``), extracted by Babel as xgettext would."""
    from babel.messages.extract import extract_from_file

    root = Path(__file__).parent.parent
    found = {}
    for path in [root / "app.py", *sorted((root / "app_pages").glob("*.py"))]:
        for lineno, message, _, _ in extract_from_file("python", path, keywords={"_": None, "N_": None, "ngettext": (1, 2)}):
            found.setdefault(message if isinstance(message, str) else tuple(message), f"{path.name}:{lineno}")
    return found


@pytest.mark.parametrize("lang", ["vi", "it"])
def test_every_app_string_has_a_translation(lang):
    from babel.messages.pofile import read_po

    from app_pages.i18n import catalogue_path

    with catalogue_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang)
    messages = source_messages()
    assert len(messages) > 150, "the pages mark their strings"
    untranslated, wrong_fields = [], []
    for msgid, where in messages.items():
        entry = catalog.get(msgid)
        forms = () if entry is None else (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None or entry.fuzzy or not forms or not all(forms):
            untranslated.append(f"{where}: {msgid!r}")
            continue
        wanted = set(re.findall(r"{[^}]*}", msgid if isinstance(msgid, str) else msgid[0]))
        if any(set(re.findall(r"{[^}]*}", form)) != wanted for form in forms):
            wrong_fields.append(f"{where}: {msgid!r}")
    assert not untranslated, f"{len(untranslated)} strings without a {lang} translation: {untranslated[:10]}"
    assert not wrong_fields, f"translations that drop or rename a {{field}}: {wrong_fields[:10]}"
    stale = [m.id for m in catalog if m.id and m.id not in messages]
    assert not stale, f"{lang} catalogue entries no page uses any more: {stale[:10]}"


def test_the_catalogues_answer_in_their_language_and_english_is_the_source():
    from app_pages.i18n import translations

    assert translations("it").gettext("Check") == "Verifica"
    assert translations("vi").gettext("Check") == "Kiểm tra"
    assert translations("en").gettext("Check") == "Check"
    one, many = (translations("it").ngettext("Added {n} card.", "Added {n} cards.", n) for n in (1, 3))
    assert one != many and "scheda" in one and "schede" in many
    assert translations("it").gettext("Question {number} of {total} · {right} right so far").format(number=1, total=5, right=0).startswith("Domanda 1 di 5")


def test_the_app_language_comes_from_the_url_then_the_study_language():
    from app_pages.i18n import initial_language

    assert initial_language("it", "vi") == "it"
    assert initial_language("", "vi") == "vi"
    assert initial_language("fr", "") == "en"


def test_due_times_read_as_relative_words_in_each_language():
    from datetime import datetime, timezone

    from app_pages.i18n import relative_time

    now = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)
    assert relative_time("2026-12-08T12:00:00", now, "en") == "in 3 days"
    assert relative_time("2026-12-08T12:00:00+00:00", now, "it") == "tra 3 giorni"
    assert "3 ngày" in relative_time("2026-12-08T12:00:00", now, "vi")


def test_long_titles_are_clipped_at_a_word_with_an_ellipsis():
    from app_pages.markup import clip

    title = "Amazon SageMaker built-in algorithms and when to use each one of them in the exam"
    clipped = clip(title, 40)
    assert clipped.endswith("…") and len(clipped) <= 40
    assert title.startswith(clipped[:-1]) and title[len(clipped) - 1] == " ", "cut between words"
    assert clip("Short title", 40) == "Short title"


@pytest.mark.parametrize(("typed", "name"), [
    ("rừng cắt", "RandomCutForest"),
    ("phát hiện bất thường", "AnomalyDetection"),
    ("rilevamento delle anomalie", "AnomalyDetection"),
    ("Firehose", "KinesisDataFirehose"),
    ("Random Cut Forrest", "RandomCutForest"),
])
def test_a_name_in_any_language_finds_its_entity_first(real_kg, typed, name):
    found = real_kg.suggest(typed, 8)
    assert found and found[0].name == name, [e.label for e in found]


def test_a_short_name_is_not_matched_to_long_unrelated_task_statements(real_kg):
    found = real_kg.suggest("Firehose", 8)
    assert not [e.label for e in found if e.type == "TaskStatement"]
    assert all("firehose" in " ".join((e.label, *e.aliases)).casefold() for e in found), [e.label for e in found]


def test_the_path_drawing_reads_as_its_sentence_with_every_edge_labelled():
    rcf, kda, s3 = (EntityRef(f"kg#{n}", n, "Service") for n in ("RCF", "KDA", "S3"))
    supports = PathStep(f"{SKG}supports", "supports", "in")  # KDA supports RCF, read from RCF
    result = PathResult(
        source=rcf, target=kda, nodes=(rcf, kda), edges=(supports,),
        alternatives=(((rcf, s3, kda), (PathStep(f"{SKG}supports", "supports", "out"), supports)),),
    )
    view = path_view(result)
    main = next(edge for edge in view.edges if edge.emphasis)
    assert (main.source, main.target, main.label) == ("kg#RCF", "kg#KDA", "is supported by"), "RCF → is supported by → KDA"
    links = graph_spec(view)["series"][0]["links"]
    assert all(link["label"]["show"] and link["label"]["formatter"] for link in links), "alternatives are labelled too"
    other = [link for link in links if link["lineStyle"].get("type") == "dashed"]
    assert other and all(link["lineStyle"]["opacity"] >= 0.6 for link in other), "not faint"
