"""The Streamlit app, page by page, through Streamlit's AppTest on a small fixture index."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.real_encoder

APP = Path(__file__).parent.parent / "app.py"
APP_NOTES = Path(__file__).parent / "fixtures" / "app_notes"
# The first run imports torch and opens the encoder; later runs take milliseconds.
TIMEOUT = 180


def open_app(monkeypatch, index: Path, page: str | None = None, **params: str) -> AppTest:
    """The app on ``index``, run once on ``page`` with ``params`` in the URL."""
    monkeypatch.setenv("STUDYKG_INDEX", str(index))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if page:
        at.run()
        at.switch_page(page)
    at.query_params.clear()
    at.query_params.update(params)
    return at.run()


def texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


def subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def hit_sources(at: AppTest) -> list[str]:
    """The "source · lines · language · kind" line of each hit card."""
    cards = [m.value for m in at.markdown if re.match(r"\*\*\d+\. ", m.value)]
    return [card.split("\n")[1] for card in cards]


def assert_no_problem(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def node_names(at: AppTest) -> list[str]:
    chart = at.get("echarts_chart")[0]
    return [node["name"] for node in json.loads(chart.proto.spec)["series"][0]["data"]]


def click_node(at: AppTest, label: str) -> AppTest:
    """Click a node of the page's graph the way the browser reports it: a selection on the chart widget.

    AppTest (Streamlit 1.67) has no ECharts wrapper, so the widget state the frontend would
    send is added to the states of the other widgets and the script rerun with them.
    """
    chart = at.get("echarts_chart")[0]
    position = node_names(at).index(label)
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = chart.proto.id
    selection = {"series_index": 0, "series_id": None, "series_name": None, "data_type": "node", "data_indices": [position]}
    state.string_value = json.dumps({"selection": {"selected": [selection], "areas": []}})
    return at._run(states)


# ---- Ask -------------------------------------------------------------------
def test_asking_a_question_shows_a_concept_card_and_hits(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index)
    at.text_input(key="ask_q").set_value("Which algorithm finds anomalies in a stream?").run()

    assert_no_problem(at)
    assert any("Best matching concept" in t for t in texts(at))
    assert any(s.startswith("Passages (") for s in subheaders(at))
    assert any(":orange-background[" in t for t in texts(at)), "the question's entities are highlighted"
    assert any("Why: " in t for t in texts(at))
    assert at.query_params["q"] == "Which algorithm finds anomalies in a stream?"


def test_the_preferred_language_is_kept_in_the_url(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, q="Random Cut Forest anomaly score", lang="it")
    assert_no_problem(at)
    assert at.selectbox(key="ask_lang").value == "it" and hit_sources(at)
    at.selectbox(key="ask_lang").set_value("vi").run()
    assert_no_problem(at)
    assert at.query_params["lang"] == "vi"


# the task and what does it in the graph: any of them is a right first answer to "anomaly detection"
ANOMALY_CONCEPTS = ("Anomaly detection", "Random Cut Forest", "IP Insights", "Amazon Kinesis Data Analytics", "Amazon QuickSight")


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Random Cut Forest", "English"),
        ("phát hiện bất thường trên dữ liệu streaming", "Tiếng Việt"),
        ("rilevamento delle anomalie", "Italiano"),
    ],
)
def test_a_question_in_the_url_is_answered_in_any_language(monkeypatch, app_index, question, language):
    at = open_app(monkeypatch, app_index, q=question)

    assert_no_problem(at)
    assert at.text_input(key="ask_q").value == question
    assert any(f"### {concept}\n" in t for t in texts(at) for concept in ANOMALY_CONCEPTS)
    assert language in hit_sources(at)[0]


@pytest.mark.parametrize(
    ("question", "message"),
    [("   ", "empty"), ("why " * 1250, "limit"), ("?!… ---", "no words")],
    ids=["blank", "5000-characters", "punctuation"],
)
def test_a_bad_question_gets_a_friendly_message(monkeypatch, app_index, question, message):
    at = open_app(monkeypatch, app_index)
    at.text_input(key="ask_q").set_value(question).run()

    assert not at.exception
    assert len(at.error) == 1
    assert message in at.error[0].value
    assert "Traceback" not in at.error[0].value


def test_note_text_renders_as_markdown_but_never_as_html(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, q="Polly script alert")

    assert_no_problem(at)
    passage = next(m.value for m in at.markdown if "not red" in m.value)
    assert "**not bold**" in passage, "Markdown formatting in a note renders"
    # The indexer drops HTML tags from Markdown (indexer/markdown_text.py); what is left of HTML shows as text.
    assert "<script>" not in passage
    assert "\\<!-- hidden note --" in passage and "<!--" not in passage.replace("\\<!--", ""), "HTML shows as text"
    assert "\\:red[not red]" in passage
    assert "\\$x^2\\$" in passage
    assert "javascript" not in passage, "the indexer keeps a link's text, not its target"
    assert all(not m.proto.allow_html for m in at.markdown)


def test_every_hit_links_to_its_note_at_the_passage(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, q="Which algorithm finds anomalies in a stream?")

    links = [link for link in at.get("page_link") if link.proto.label == "Read the whole note"]
    assert links, "a hit opens its whole note"
    assert links[0].proto.page.endswith("note")
    assert "doc=" in links[0].proto.query_string and "chunk=" in links[0].proto.query_string


def test_a_vietnamese_question_gets_the_vietnamese_definition(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, q="phát hiện bất thường trên dữ liệu streaming")

    assert_no_problem(at)
    card = next(t for t in texts(at) if "Best matching concept" in t)
    assert any(ch in card for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"), card


def test_filters_narrow_the_hits(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, q="Random Cut Forest anomaly detection")
    at.multiselect(key="ask_langs").set_value(["vi"]).run()

    assert_no_problem(at)
    where = hit_sources(at)
    assert where and all("Tiếng Việt" in w for w in where)

    at.multiselect(key="ask_langs").set_value([]).run()
    at.multiselect(key="ask_sources").set_value(["services"]).run()
    where = hit_sources(at)
    assert where and all("services\\/" in w for w in where)


def test_clicking_an_entity_in_a_hit_opens_its_page(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, q="Random Cut Forest")
    chips = at.pills(key="hit_entities_1")
    assert "Random Cut Forest" in chips.options
    chips.set_value("RandomCutForest").run()

    assert_no_problem(at)
    assert at.header[0].value == "Random Cut Forest"
    assert at.query_params["entity"] == "RandomCutForest"


# ---- Browse graph ------------------------------------------------------------
def test_entity_page_opens_from_a_shared_url(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="RandomCutForest")

    assert_no_problem(at)
    assert at.header[0].value == "Random Cut Forest"
    assert "Relations" in subheaders(at)
    assert any(s.startswith("Notes about it (") and not s.endswith("(0)") for s in subheaders(at))
    assert "Amazon Kinesis Data Analytics" in node_names(at)


MLS_DOMAINS = {"Data Engineering", "Exploratory Data Analysis", "Modeling", "Machine Learning Implementation and Operations"}


def test_an_entity_page_places_it_in_the_chosen_exam_and_marks_the_retired_one(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="RandomCutForest", exam="MLA-C01")

    assert_no_problem(at)
    [summary] = [t.replace("\\", "") for t in texts(at) if "Exam:" in t]  # Markdown escapes aside
    assert re.search(r"Exam: MLA-C01 · 2\. ML Model Development \(2\.\d", summary)
    assert not any(domain in summary for domain in MLS_DOMAINS)
    assert not MLS_DOMAINS & set(node_names(at))  # the retired exam's domains are not drawn unmarked

    at.query_params["exam"] = "MLS-C01"
    at.run()
    [summary] = [t.replace("\\", "") for t in texts(at) if "Exam:" in t]
    assert "MLS-C01 · " in summary and "Modeling" in summary


def test_teaching_facts_show_the_passage_that_states_them(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="Polly")

    assert_no_problem(at)
    [sources] = [e for e in at.expander if e.label.startswith("Where these facts are stated")]
    stated = [m.value.replace("\\", "") for m in sources.markdown]  # Markdown escapes aside
    assert any("**is used for** Text to speech" in line and "services/Polly.md › " in line for line in stated)


def test_a_service_closed_to_new_customers_says_so_on_its_card_in_the_learners_language(monkeypatch, app_index):
    closed = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="Kendra", ui="it")
    assert_no_problem(closed)
    assert any("**AWS non lo offre più ai nuovi clienti.**" in t for t in texts(closed))
    open_one = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="Polly", ui="it")
    assert not any("nuovi clienti" in t for t in texts(open_one))


def test_a_front_page_link_with_an_entity_opens_its_page(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, entity="RandomCutForest")

    assert_no_problem(at)
    assert at.header[0].value == "Random Cut Forest"


def test_an_alias_in_the_url_resolves_and_an_unknown_name_gets_suggestions(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="rcf")
    assert at.header[0].value == "Random Cut Forest"

    at.query_params["entity"] = "Random Cut Forrest"
    at.run()
    assert not at.exception
    assert "did you mean" in at.warning[0].value


def test_clicking_a_graph_node_opens_that_entity(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="RandomCutForest")
    click_node(at, "Amazon Kinesis Data Analytics")

    assert_no_problem(at)
    assert at.query_params["entity"] == "KinesisDataAnalytics"
    assert at.header[0].value == "Amazon Kinesis Data Analytics"
    assert "Random Cut Forest" in node_names(at)


def test_the_url_drives_the_page_so_back_and_forward_work(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="RandomCutForest")
    click_node(at, "Amazon Kinesis Data Analytics")
    # The browser's back button reruns the script with the previous URL.
    at.query_params["entity"] = "RandomCutForest"
    at.run()

    assert at.header[0].value == "Random Cut Forest"
    assert at.selectbox(key="browse_pick").value == "RandomCutForest"


def test_clicking_a_related_entity_chip_stays_on_the_entity_page(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="Polly")
    relation = next(p for p in at.pills if p.key and p.key.startswith("relation_") and "Amazon Transcribe" in p.options)
    relation.set_value("Transcribe").run()

    assert_no_problem(at)
    assert at.header[0].value == "Amazon Transcribe"
    assert at.pills(key="trail") is not None, "the visited entities stay one click away"


def test_two_hops_stay_capped(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="SageMaker")
    at.segmented_control(key="browse_depth").set_value(2).run()

    assert_no_problem(at)
    assert 1 < len(node_names(at)) <= 70


# ---- Find a path ---------------------------------------------------------------
def test_a_path_is_found_and_drawn(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/path.py", **{"from": "RandomCutForest", "to": "KDA"})

    assert_no_problem(at)
    heading = next(s for s in subheaders(at) if s.startswith("Shortest path"))
    assert int(heading.split(": ")[1].split()[0]) <= 3
    chain = next(t for t in texts(at) if t.startswith("**Random Cut Forest**"))
    assert "Amazon Kinesis Data Analytics" in chain
    names = node_names(at)
    assert "Random Cut Forest" in names and "Amazon Kinesis Data Analytics" in names
    assert "Other paths" in subheaders(at)


def test_clicking_a_path_node_opens_its_entity_page(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/path.py", **{"from": "RandomCutForest", "to": "KinesisDataAnalytics"})
    click_node(at, "Amazon Kinesis Data Analytics")

    assert_no_problem(at)
    assert at.header[0].value == "Amazon Kinesis Data Analytics"


def test_swapping_the_ends_reverses_the_path(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/path.py", **{"from": "RandomCutForest", "to": "KinesisDataAnalytics"})
    at.button[0].click().run()

    assert at.query_params["from"] == "KinesisDataAnalytics"
    assert any(t.startswith("**Amazon Kinesis Data Analytics**") for t in texts(at))


# ---- Related topics, exam map ----------------------------------------------------
def test_related_topics_come_with_reasons(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/related.py", entity="Kinesis Data Firehose")

    assert_no_problem(at)
    links = [link.proto.label for link in at.get("page_link")]
    assert "Amazon Kinesis Data Streams" in links
    reasons = [c.value for c in at.caption if c.value.startswith("Why: ")]
    assert len(reasons) >= 3
    assert not any(jargon in r for r in reasons for jargon in ("hop", "score", "chunk")), reasons
    assert any("reads data from" in r or "delivers data to" in r for r in reasons), reasons


def test_exam_map_shows_the_four_domains_with_weights(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/exam_map.py", exam="MLS-C01")

    assert_no_problem(at)
    weights = {m.label: m.value for m in at.metric}
    assert len(weights) == 4
    assert weights["Modeling"] == "36 %"
    assert sorted(int(v.split()[0]) for v in weights.values()) == [20, 20, 24, 36]
    spec = json.loads(at.get("echarts_chart")[0].proto.spec)
    assert len(spec["yAxis"]["data"]) == 4 and not isinstance(spec["yAxis"], list), "one chart, one value axis"
    assert any("Machine Learning Implementation and Operations" in t for t in texts(at)), "the fourth card's name is whole"
    assert len(at.tabs) == 4


# ---- My notes, first start -------------------------------------------------------
def index_sample_notes(monkeypatch, app_index, tmp_path) -> tuple[AppTest, Path]:
    """My notes on a copy of the app index, after indexing a copy of tests/fixtures/app_notes."""
    index = tmp_path / "index"
    shutil.copytree(app_index, index)
    notes = tmp_path / "my-notes"
    shutil.copytree(APP_NOTES, notes)
    at = open_app(monkeypatch, index, "app_pages/my_notes.py")
    at.text_input(key="notes_folder").set_value(str(notes))
    return at.button[0].click().run(), notes


def test_my_notes_folder_is_indexed_and_skipped_files_explained(monkeypatch, app_index, tmp_path):
    at, notes = index_sample_notes(monkeypatch, app_index, tmp_path)

    assert_no_problem(at)
    counts = {m.label: m.value for m in at.metric}
    assert counts["Added"] == "1"
    skipped = at.dataframe[-1].value
    reasons = dict(zip(skipped["file"].map(lambda p: Path(p).name), skipped["why"]))
    assert "empty" in reasons["empty.md"]
    assert "unsupported file type" in reasons["picture.png"]

    at.switch_page("app_pages/ask.py")
    at.query_params.clear()
    at.query_params["q"] = "Polly flashcards"
    at.run()
    at.multiselect(key="ask_sources").set_value(["mine"]).run()
    assert any("My Polly flashcards" in t for t in texts(at))


def test_uploaded_notes_are_indexed_and_listed(monkeypatch, app_index, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(app_index, index)
    at = open_app(monkeypatch, index, "app_pages/my_notes.py")
    upload = (APP_NOTES / "my-polly.md").read_bytes()
    at.file_uploader(key="notes_upload").set_value([("my-polly.md", upload, "text/markdown")]).run()
    next(b for b in at.button if "uploaded" in b.label).click().run()

    assert_no_problem(at)
    assert {m.label: m.value for m in at.metric}["Added"] == "1"
    listed = next(d.value for d in at.dataframe if "title" in d.value.columns)
    assert list(listed["title"]) == ["My Polly flashcards"]

    at.run()  # the same files again: nothing to do
    next(b for b in at.button if "uploaded" in b.label).click().run()
    assert any("up to date" in s.value for s in at.success)


def test_a_missing_folder_is_one_clear_line(monkeypatch, app_index, tmp_path):
    at = open_app(monkeypatch, app_index, "app_pages/my_notes.py")
    at.text_input(key="notes_folder").set_value(str(tmp_path / "nowhere"))
    at.button[0].click().run()

    assert not at.exception
    assert "folder not found" in at.error[0].value


def test_first_start_without_an_index_builds_one(monkeypatch, tmp_path):
    from indexer import StudyIndex

    # The shipped corpus takes minutes to train on; the fixture corpus stands in for it.
    monkeypatch.setattr("indexer.study_index.default_corpus_path", lambda: Path(__file__).parent / "fixtures" / "app_corpus")
    empty = tmp_path / "index"
    empty.mkdir()
    at = open_app(monkeypatch, empty)

    assert_no_problem(at)
    assert StudyIndex.exists(empty)
    assert "Study index ready" in at.toast[0].value
    assert at.text_input(key="ask_q") is not None


# ---- the note view, notes about an entity, relation phrases, removing a folder ------------
def test_the_note_view_opens_at_the_passage_with_entities_and_similar_notes(monkeypatch, app_index):
    from indexer import StudyIndex

    index = StudyIndex.open(app_index)
    doc = next(d for d in index.documents() if d.entity == "RandomCutForest")
    chunk_id = next(c for c in index.mentioned_in("RandomCutForest") if c.startswith(doc.doc_id))
    at = open_app(monkeypatch, app_index, "app_pages/note.py", doc=doc.doc_id, chunk=chunk_id)

    assert_no_problem(at)
    assert at.title[0].value.replace("\\", "") == doc.title
    assert "In this note" in subheaders(at) and "Notes like this one" in subheaders(at)
    assert any("The passage you came from" in t for t in texts(at))
    assert "Random Cut Forest" in " ".join(at.pills(key="note_entities").options)


def test_the_note_view_shows_raw_html_of_a_note_as_text(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/note.py", doc="app_corpus/notes/untrusted.en.md")

    assert_no_problem(at)
    body = next(m.value for m in at.markdown if "not red" in m.value)
    assert "\\<!-- hidden note --" in body and "<!--" not in body.replace("\\<!--", "")
    assert all(not m.proto.allow_html for m in at.markdown)


def test_an_unknown_note_is_one_friendly_line(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/note.py", doc="notes/<b>gone</b>.md")

    assert not at.exception
    assert "No note" in at.warning[0].value and "<b>" not in at.warning[0].value


def test_notes_about_an_entity_start_with_its_own_page(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="RandomCutForest")

    assert_no_problem(at)
    heading = next(s for s in subheaders(at) if s.startswith("Notes about it"))
    first = next(m.value for m in at.markdown if m.value.startswith("**") and "services" in m.value)
    assert "RandomCutForest" in first.split("\n")[1], "the entity's own page comes first"
    assert int(heading.split("(")[1].rstrip(")")) >= 1


def test_relations_read_as_phrases_without_duplicate_headings(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="RandomCutForest")

    headings = [p.label for p in at.pills if p.key and p.key.startswith("relation_")]
    assert any("**is supported by**" in h for h in headings), headings
    assert all(h.startswith("Random Cut Forest **") for h in headings), "every heading reads from the entity"
    assert len(headings) == len(set(headings))


def test_a_folder_of_notes_can_be_removed_from_my_notes(monkeypatch, app_index, tmp_path):
    at, notes = index_sample_notes(monkeypatch, app_index, tmp_path)
    assert "Indexed folders (2)" in subheaders(at)

    at.button(key="remove_1").click().run()

    assert_no_problem(at)
    assert "Indexed folders (1)" in subheaders(at)
    assert any("Removed 1 document" in s.value for s in at.success)
    assert "Your notes in the index (0)" in subheaders(at)
    assert notes.exists()


# ---- the entity picker in every language, the app in the learner's language -------------
def type_in_picker(at: AppTest, key: str, text: str) -> AppTest:
    """Type a name into an entity picker and press Enter, as the browser sends it: the text itself.

    The picker accepts names its list does not show (``accept_new_options``); AppTest's
    selectbox only sets listed options, so the state the frontend would send is built here.
    """
    box = at.selectbox(key=key)
    states = at._tree.get_widget_states()
    state = next((s for s in states.widgets if s.id == box.id), None) or states.widgets.add()
    state.id = box.id
    state.string_value = text
    return at._run(states)


@pytest.mark.parametrize(
    ("typed", "label", "name"),
    [
        ("rừng cắt", "Random Cut Forest", "RandomCutForest"),
        ("phát hiện bất thường", "Anomaly detection", "AnomalyDetection"),
        ("rilevamento delle anomalie", "Anomaly detection", "AnomalyDetection"),
        ("Firehose", "Amazon Kinesis Data Firehose", "KinesisDataFirehose"),
    ],
)
def test_the_entity_picker_finds_a_name_in_any_language(monkeypatch, app_index, typed, label, name):
    at = open_app(monkeypatch, app_index, "app_pages/browse.py")
    type_in_picker(at, "browse_pick", typed)

    assert_no_problem(at)
    assert at.header[0].value == label
    assert at.query_params["entity"] == name and at.selectbox(key="browse_pick").value == name


def test_the_picker_offers_the_next_matches_and_opens_one(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/path.py")
    type_in_picker(at, "path_from", "anomal")

    typed, matches = at.session_state["_typed:path_from"]
    assert typed == "anomal" and matches[0] == "AnomalyDetection" and len(matches) > 1
    assert at.query_params["from"] == "AnomalyDetection", "the best match is opened"
    at.pills(key="path_from_others").set_value(matches[1]).run()
    assert_no_problem(at)
    assert at.query_params["from"] == matches[1] == at.selectbox(key="path_from").value


def test_a_name_nothing_resembles_says_so(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/related.py")
    type_in_picker(at, "related_pick", "xyzzy qwrtp")

    assert not at.exception
    assert any("xyzzy qwrtp" in w.value for w in at.warning)
    assert "entity" not in at.query_params


def test_a_page_in_vietnamese(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/practice.py", ui="vi")

    assert_no_problem(at)
    assert at.title[0].value == "Luyện tập"
    assert at.button(key="practice_start").label == "Bài trắc nghiệm mới"
    assert at.selectbox(key="ui_lang").value == "vi"
    at.button(key="practice_start").click().run()
    progress = at.get("progress")[0].proto.text
    assert progress.startswith("Câu 1/"), progress
    assert at.button(key="practice_check").label == "Kiểm tra"


def test_the_language_picker_changes_every_word_and_keeps_it_in_the_url(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/browse.py", entity="RandomCutForest")
    assert "Relations" in subheaders(at)

    at.selectbox(key="ui_lang").set_value("it").run()
    assert_no_problem(at)
    assert at.query_params["ui"] == "it"
    assert at.title[0].value == "Esplorazione del grafo"
    assert "Relazioni" in subheaders(at) and "Relations" not in subheaders(at)
    assert any(t.startswith("Appunti che ne parlano (") for t in subheaders(at))


def test_the_quiz_language_is_the_app_language_until_one_is_chosen(monkeypatch, app_index):
    at = open_app(monkeypatch, app_index, "app_pages/practice.py", lang="it")

    assert_no_problem(at)
    assert at.title[0].value == "Esercizi" and at.query_params["ui"] == "it"


# The Ask page's results, error boxes and the first-run page in the learner's language (issue 23).
ASK_RESULTS = {
    # lang: (passages heading, count line, "meaning match", "lines", "searched in", "is used for")
    "it": ("Passaggi (", "passaggi per «", "per significato", "righe ", "ricerca in", "**si usa per**"),
    "vi": ("Đoạn văn (", "đoạn văn cho", "khớp nghĩa", "dòng ", "tìm trong", "**được dùng cho**"),
}
ENGLISH_RESULT_WORDS = ("Passages (", "passages for", "searched in", "meaning match", "keyword match", "lines ", "is used for")


@pytest.mark.parametrize("lang", ["it", "vi"])
def test_the_ask_results_speak_the_app_language(monkeypatch, app_index, lang):
    heading, count_line, meaning, lines, searched, relation = ASK_RESULTS[lang]
    at = open_app(monkeypatch, app_index, q="Which algorithm finds anomalies in a stream?", ui=lang)

    assert_no_problem(at)
    assert any(h.startswith(heading) for h in subheaders(at)), subheaders(at)
    captions = [c.value for c in at.caption]
    assert any(count_line in c and searched in c for c in captions), captions
    cards = [m.value for m in at.markdown if re.match(r"\*\*\d+\. ", m.value)]
    assert cards and any(meaning in card for card in cards), cards[:1]
    assert any(lines in source for source in hit_sources(at)), hit_sources(at)
    assert any(relation in t for t in texts(at)), "the concept card's relation phrases are the app's words"
    shown = subheaders(at) + texts(at)
    assert not [t for t in shown for word in ENGLISH_RESULT_WORDS if word in t], "English left in the results"


@pytest.mark.parametrize(("lang", "words"), [("it", ("Non è nel Suo materiale.", "I miei appunti")),
                                             ("vi", ("Không có trong tài liệu của bạn.", "Ghi chú của tôi"))])
def test_a_question_outside_the_material_is_refused_in_the_app_language(monkeypatch, app_index, lang, words):
    at = open_app(monkeypatch, app_index, q="what is the capital of France", ui=lang)

    assert_no_problem(at)
    refusal = at.info[0].value
    assert all(word in refusal for word in words), refusal
    assert "Not in your material" not in refusal and "Nothing in the study index" not in refusal


@pytest.mark.parametrize(
    ("lang", "framing", "advice"),
    [("it", "Impossibile cercare questa domanda:", "Riformuli la domanda"),
     ("vi", "Không thể tìm kiếm câu hỏi này:", "Hãy diễn đạt lại câu hỏi")],
)
def test_an_error_box_is_framed_in_the_app_language_and_keeps_the_detail(monkeypatch, app_index, lang, framing, advice):
    at = open_app(monkeypatch, app_index, ui=lang)
    at.text_input(key="ask_q").set_value("?!… ---").run()

    assert not at.exception
    box = at.error[0].value
    assert framing in box and advice in box, box
    assert "no words" in box, "the library's English detail is kept"
    assert "Could not" not in box and "Rephrase" not in box


@pytest.mark.parametrize(("lang", "framing", "advice"), [("it", "Impossibile aggiungere questa cartella:", "Verifichi che"),
                                                         ("vi", "Không thể thêm thư mục này:", "Hãy kiểm tra")])
def test_a_folder_that_cannot_be_added_says_so_in_the_app_language(monkeypatch, app_index, tmp_path, lang, framing, advice):
    at = open_app(monkeypatch, app_index, "app_pages/my_notes.py", ui=lang)
    at.text_input(key="notes_folder").set_value(str(tmp_path / "nowhere_<b>x</b>"))
    at.button[0].click().run()

    assert not at.exception
    box = at.error[0].value
    assert box.startswith(f"**{framing}** {advice}"), box
    assert "folder not found" in box and "<b>" not in box, "the detail is kept, escaped"


@pytest.mark.parametrize(("lang", "title", "framing"), [("it", "Preparazione di studykg", "Non è stato possibile creare l'indice di studio:"),
                                                        ("vi", "Đang thiết lập studykg", "Không thể tạo chỉ mục học tập:")])
def test_the_first_run_page_speaks_the_app_language(monkeypatch, tmp_path, lang, title, framing):
    # A shipped corpus that is not there makes the first build fail, so the first-run page stays on screen.
    monkeypatch.setattr("indexer.study_index.default_corpus_path", lambda: tmp_path / "no-corpus")
    empty = tmp_path / "index"
    empty.mkdir()
    at = open_app(monkeypatch, empty, ui=lang)

    assert not at.exception
    assert at.title[0].value == title
    assert "Setting up" not in at.title[0].value and "There is no study index" not in at.info[0].value
    box = at.error[0].value
    assert box.startswith(f"**{framing}**"), box
    assert "could not be built" not in box


@pytest.mark.parametrize(
    ("lang", "stage", "line"),
    [("it", "embedding chunks", "vettorizzazione dei passaggi: 45 su 100 · 12 s, ne mancano circa 15 s"),
     ("vi", "linking entities", "liên kết thực thể: 45/100 · 12 giây, còn khoảng 15 giây"),
     ("it", "a stage nobody named", "a stage nobody named: 45 su 100 · 12 s, ne mancano circa 15 s")],
)
def test_build_stages_are_named_in_the_app_language(monkeypatch, lang, stage, line):
    from app_pages.progress_text import describe
    from indexer.progress import StageTiming

    monkeypatch.setattr("app_pages.i18n.current", lambda: lang)
    assert describe(StageTiming(stage, 45, 100, 12.0, 15.0)) == line


def test_no_message_is_marked_inside_an_f_string():
    """pybabel extract does not look inside f-strings (Python 3.11): a ``_()`` there never reaches the catalogues."""
    import ast

    root = APP.parent
    hidden = []
    for path in [APP, *sorted((root / "app_pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                hidden += [f"{path.name}:{call.lineno}" for call in ast.walk(node)
                           if isinstance(call, ast.Call) and getattr(call.func, "id", None) in {"_", "N_", "ngettext"}]
    assert not hidden, f"move these out of their f-string: {hidden}"


def test_a_question_my_note_answers_shows_it_under_from_your_notes(monkeypatch, app_index, tmp_path):
    at, _ = index_sample_notes(monkeypatch, app_index, tmp_path)
    at.switch_page("app_pages/ask.py")
    at.query_params.clear()
    at.query_params["q"] = "how do lexicons fix pronunciation in Polly?"
    at.run()

    assert_no_problem(at)
    heads = subheaders(at)
    assert any(h.startswith("From your notes") for h in heads)
    # The section comes before the reference passages and holds the note that answers.
    assert heads.index(next(h for h in heads if h.startswith("From your notes"))) < heads.index(next(h for h in heads if h.startswith("Reference passages")))
    first_card = next(m.value for m in at.markdown if re.match(r"\*\*1\. ", m.value)).replace("\\", "")  # Markdown escapes
    assert "My Polly flashcards" in first_card and "my-notes/my-polly.md" in first_card and "my notes" in first_card
