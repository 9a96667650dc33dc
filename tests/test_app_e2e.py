"""The app in a real browser: Playwright drives Debian's chromium against `streamlit run app.py`.

Skipped when /usr/bin/chromium is missing (`apt-get install chromium`); no browser is ever
downloaded. Run only these with `pytest -m e2e`. Screenshots of each page land in the test's
temporary folder, or in $STUDYKG_SCREENSHOTS when it is set.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
APP = Path(__file__).parent.parent / "app.py"
APP_NOTES = Path(__file__).parent / "fixtures" / "app_notes"
# Opening the index loads the ONNX encoder and the graph: the first page takes a while.
FIRST_PAGE_MS = 120_000
PAGE_MS = 30_000

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.real_encoder,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll the server's health endpoint against a deadline (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def app_url(app_index, tmp_path_factory, studykg_cache):
    port = free_port()
    learner_db = tmp_path_factory.mktemp("learner") / "learner.db"
    # Module scope starts the server before the per-test autouse fixture sets the environment: set it here.
    env = {
        **os.environ, "STUDYKG_INDEX": str(app_index), "STUDYKG_LEARNER_DB": str(learner_db), "HF_HUB_OFFLINE": "1",
        "STUDYKG_CACHE": str(studykg_cache), "STUDYKG_NOTES_ROOTS": str(tmp_path_factory.getbasetemp()),
    }
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port), "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    yield context.new_page()
    context.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("STUDYKG_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def heading(page, text: str):
    return page.get_by_role("heading", name=text, exact=True)


# The point of a chart label that the label itself shows, as an offset into its box, once the
# label has held still for a few frames. Labels of other nodes and of edges can lie across
# part of it (edge labels are drawn later, so on top): a click there reaches them, not this
# node, and Playwright's click on the label's centre would wait for ever ("... intercepts
# pointer events"). The layout is deterministic (charts.graph_spec), so the point is too.
EXPOSED_POINT = """async label => {
    const box = () => { const r = label.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].join(); };
    const deadline = performance.now() + 20000;
    for (let last = box(), still = 0; still < 3; ) {
        if (performance.now() > deadline) return null;
        await new Promise(requestAnimationFrame);
        const now = box();
        still = now === last ? still + 1 : 0;
        last = now;
    }
    const r = label.getBoundingClientRect();
    for (const fy of [0.5, 0.3, 0.7])
        for (let fx = 0.05; fx < 1; fx += 0.05) {
            const hit = document.elementFromPoint(r.x + r.width * fx, r.y + r.height * fy);
            if (hit === label || label.contains(hit)) return {x: r.width * fx, y: r.height * fy};
        }
    return null;
}"""


def click_chart_label(label, attempts: int = 3) -> None:
    """Click a node's label in an ECharts graph where no other label covers it.

    A rerun still under way may replace the chart while this looks at it (on a busy machine):
    the label is then found again in the new chart.
    """
    from playwright.sync_api import Error

    for attempt in range(attempts):
        try:
            label.scroll_into_view_if_needed()
            point = label.evaluate(EXPOSED_POINT)
            assert point, f"no part of the label {label.text_content()!r} is uncovered, or it never held still"
            label.click(position=point)
            return
        except Error as exc:
            if "not attached" not in str(exc) or attempt == attempts - 1:
                raise


def click_through(page, label: str, local_name: str, shot: Path) -> None:
    """Click the node ``label`` in the browse page's graph (screenshot first) and land on its page, URL included."""
    from playwright.sync_api import expect

    node = page.locator("svg text", has_text=label).first
    expect(node).to_be_visible(timeout=PAGE_MS)
    page.screenshot(path=shot)
    click_chart_label(node)
    expect(heading(page, label)).to_be_visible(timeout=PAGE_MS)
    assert page.url.endswith(f"/browse?entity={local_name}")


def test_ask_click_a_node_and_go_back(app_url, page, shots):
    from playwright.sync_api import expect

    page.goto(app_url)
    question = page.get_by_label("Your question")
    expect(question).to_be_visible(timeout=FIRST_PAGE_MS)
    question.fill("Which algorithm finds anomalies in a stream?")
    question.press("Enter")
    expect(page.get_by_text("Best matching concept")).to_be_visible(timeout=PAGE_MS)
    expect(page.get_by_role("heading", name="Passages")).to_be_visible(timeout=PAGE_MS)
    assert "q=Which+algorithm" in page.url
    page.screenshot(path=shots / "ask.png")

    page.goto(f"{app_url}/browse?entity=RandomCutForest")
    expect(heading(page, "Random Cut Forest")).to_be_visible(timeout=PAGE_MS)
    click_through(page, "Amazon Kinesis Data Analytics", "KinesisDataAnalytics", shots / "browse.png")

    page.go_back()
    expect(heading(page, "Random Cut Forest")).to_be_visible(timeout=PAGE_MS)
    page.go_forward()
    expect(heading(page, "Amazon Kinesis Data Analytics")).to_be_visible(timeout=PAGE_MS)


def test_two_hop_graph_click_through_and_notes_about_it(app_url, page, shots):
    from playwright.sync_api import expect

    page.goto(f"{app_url}/browse?entity=KinesisDataAnalytics")
    expect(heading(page, "Amazon Kinesis Data Analytics")).to_be_visible(timeout=FIRST_PAGE_MS)
    expect(page.get_by_text("Notes about it (")).to_be_visible(timeout=PAGE_MS)
    page.get_by_text("Neighbours and theirs").click()
    click_through(page, "Random Cut Forest", "RandomCutForest", shots / "browse-2-hops.png")


def test_a_passage_opens_its_whole_note(app_url, page, shots):
    from playwright.sync_api import expect

    page.goto(f"{app_url}/?q=Which+algorithm+finds+anomalies+in+a+stream%3F")
    expect(page.get_by_role("heading", name="Passages")).to_be_visible(timeout=FIRST_PAGE_MS)
    page.get_by_role("link", name="Read the whole note").first.click()
    expect(page.get_by_text("The passage you came from")).to_be_visible(timeout=PAGE_MS)
    assert "/note?doc=" in page.url and "chunk=" in page.url
    expect(heading(page, "Notes like this one")).to_be_visible(timeout=PAGE_MS)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    page.screenshot(path=shots / "note.png")

    # What is left of a note's HTML is text on the page, never an element.
    page.goto(f"{app_url}/note?doc=app_corpus/notes/untrusted.en.md")
    expect(page.get_by_text("<!-- hidden note -->", exact=False)).to_be_visible(timeout=PAGE_MS)
    expect(page.get_by_text(":red[not red]", exact=False)).to_be_visible(timeout=PAGE_MS)
    assert page.locator("[data-testid='stMain'] img[src='x']").count() == 0


def test_a_folder_is_indexed_then_removed(app_url, page, shots, tmp_path):
    """Adds a folder to the shared index and takes it out again, so the index ends as it began."""
    from playwright.sync_api import expect

    notes = tmp_path / "my-notes"
    shutil.copytree(APP_NOTES, notes)
    page.goto(f"{app_url}/my-notes")
    folder = page.get_by_label("Folder", exact=True)
    expect(folder).to_be_visible(timeout=FIRST_PAGE_MS)
    expect(heading(page, "Indexed folders (1)")).to_be_visible(timeout=PAGE_MS)
    folder.fill(str(notes))
    page.get_by_role("button", name="Index this folder").click()
    expect(heading(page, "Indexed folders (2)")).to_be_visible(timeout=120_000)
    expect(page.locator("code", has_text=str(notes.resolve()))).to_be_visible(timeout=PAGE_MS)

    # Asked normally, the learner's note has its own section above the reference passages.
    page.goto(f"{app_url}/?q=how+do+lexicons+fix+pronunciation+in+Polly%3F")
    section = page.get_by_role("heading", name="From your notes")
    expect(section).to_be_visible(timeout=FIRST_PAGE_MS)
    expect(page.get_by_text("my-notes/my-polly.md").first).to_be_visible(timeout=PAGE_MS)
    reference = page.get_by_role("heading", name="Reference passages")
    assert section.bounding_box()["y"] < reference.bounding_box()["y"]
    page.screenshot(path=shots / "from-your-notes.png")

    page.goto(f"{app_url}/my-notes")
    page.get_by_role("button", name="Remove").last.click()
    expect(heading(page, "Indexed folders (1)")).to_be_visible(timeout=120_000)
    expect(page.get_by_text("Removed 1 document")).to_be_visible(timeout=PAGE_MS)
    expect(heading(page, "Your notes in the index (0)")).to_be_visible(timeout=PAGE_MS)
    page.screenshot(path=shots / "my-notes-removed.png")


@pytest.mark.parametrize(
    ("name", "path", "ready"),
    [
        ("path", "/path?from=RandomCutForest&to=KinesisDataAnalytics", "Shortest path: 1 step"),
        ("related", "/related?entity=KinesisDataFirehose", "Related to Amazon Kinesis Data Firehose"),
        ("exam-map", "/exam-map", "What studykg holds per domain"),
        ("my-notes", "/my-notes", "My notes"),
    ],
)
def test_every_page_renders_in_a_browser(app_url, page, shots, name, path, ready):
    from playwright.sync_api import expect

    page.goto(app_url + path)
    expect(heading(page, ready)).to_be_visible(timeout=FIRST_PAGE_MS)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    page.screenshot(path=shots / f"{name}.png")
    assert (shots / f"{name}.png").stat().st_size > 10_000


def answer_the_question(page) -> None:
    """Pick options as a learner does: a one-answer item's first label, or two options of a choose-two item's list.

    Each new quiz is shuffled, so its first item may be of either kind.
    """
    from playwright.sync_api import expect

    question = page.locator(".st-key-practice_question")
    choices = question.locator("[data-testid='stRadio'], [data-testid='stMultiSelect']")
    expect(choices).to_be_visible(timeout=PAGE_MS)
    if question.locator("[data-testid='stRadio']").count():
        question.get_by_role("radiogroup").locator("label").first.click()
        return
    for _ in range(2):
        question.locator("[data-testid='stMultiSelect']").click()
        page.get_by_role("option").first.click()


def test_practice_a_question_and_see_readiness(app_url, page, shots):
    """A new learner takes a quiz in Italian, answers, sees the evidence, and finds it on the Exam map."""
    from playwright.sync_api import expect

    # The quiz language is the app's language until the learner picks another one: all Italian.
    page.goto(f"{app_url}/practice?lang=it")
    expect(heading(page, "Esercizi")).to_be_visible(timeout=FIRST_PAGE_MS)
    page.get_by_role("button", name="Nuovo quiz").click()
    expect(page.get_by_text("Domanda 1 di 10")).to_be_visible(timeout=PAGE_MS)
    answer_the_question(page)
    check = page.get_by_role("button", name="Verifica")
    expect(check).to_be_enabled(timeout=PAGE_MS)
    check.click()
    expect(page.get_by_text("Fonti", exact=True)).to_be_visible(timeout=PAGE_MS)
    expect(page.get_by_text("Esatto.").or_(page.get_by_text("Non proprio: la risposta è"))).to_be_visible(timeout=PAGE_MS)
    page.screenshot(path=shots / "practice.png")
    page.get_by_role("button", name="Avanti").click()
    expect(page.get_by_text("Domanda 2 di 10")).to_be_visible(timeout=PAGE_MS)

    page.goto(f"{app_url}/exam-map")
    expect(heading(page, "Your readiness, weakest first")).to_be_visible(timeout=PAGE_MS)
    expect(page.get_by_text("right (", exact=False).first).to_be_visible(timeout=PAGE_MS)


# A build another process runs, held at its chunking stage until the test lets it go on:
# the page must follow it (not start a second one), through a reload, to the ready app.
HELD_BUILD = """
import sys, time
from pathlib import Path
from indexer import StudyIndex
from indexer.layout import write_lock
from indexer.progress import StatusFile
index, corpus, release = map(Path, sys.argv[1:])
with write_lock(index), StatusFile(index, every=0) as status:
    def progress(stage, done, total):
        status(stage, done, total)
        while stage == "chunking" and not release.exists():
            time.sleep(0.1)
    StudyIndex.build([corpus], index, progress=progress)
"""


def test_a_reload_during_a_build_follows_that_build_to_the_ready_app(browser, tmp_path, studykg_cache, shots):
    from playwright.sync_api import expect

    from indexer.first_run import index_busy

    index, release = tmp_path / "index", tmp_path / "release"
    env = {**os.environ, "STUDYKG_INDEX": str(index), "STUDYKG_LEARNER_DB": str(tmp_path / "learner.db"), "HF_HUB_OFFLINE": "1",
           "STUDYKG_CACHE": str(studykg_cache)}
    corpus = Path(__file__).parent / "fixtures" / "app_corpus"
    builder = subprocess.Popen([sys.executable, "-c", HELD_BUILD, str(index), str(corpus), str(release)], env=env)
    port = free_port()
    with open(tmp_path / "server.log", "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port), "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    page = context.new_page()
    try:
        deadline = time.monotonic() + 60
        while not index_busy(index) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert index_busy(index), "the build did not start"
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(url, server)
        page.goto(url)
        bar = page.locator("[data-testid='stProgress']")
        expect(page.get_by_text("Setting up studykg")).to_be_visible(timeout=PAGE_MS)
        expect(bar).to_be_visible(timeout=PAGE_MS)
        expect(page.get_by_text("chunking:", exact=False)).to_be_visible(timeout=FIRST_PAGE_MS)  # the running stage, open
        page.reload()
        expect(page.get_by_text("chunking:", exact=False)).to_be_visible(timeout=PAGE_MS)  # the same build, joined
        expect(page.locator("[data-testid='stSpinner']")).to_be_visible(timeout=PAGE_MS)  # working, not a ✓
        page.screenshot(path=shots / "first-run.png")
        release.touch()
        expect(page.get_by_label("Your question")).to_be_visible(timeout=FIRST_PAGE_MS)
        expect(page.get_by_text("Traceback")).to_have_count(0)
        assert builder.wait(timeout=120) == 0
        assert len(list((index / "versions").iterdir())) == 1, "one build, not one per tab"
        assert "studykg: chunking" not in (tmp_path / "server.log").read_text(), "the app built too"
    finally:
        release.touch()
        context.close()
        server.terminate()
        server.wait(timeout=20)
        builder.wait(timeout=120)


# Each page's title in Italian, and one more of its own words, reached from the sidebar's menu.
ITALIAN_PAGES = [
    ("Domande", "Domande", "La Sua domanda"),
    ("Esplorazione del grafo", "Esplorazione del grafo", "Scelga un'entità qui sopra, oppure parta da una di queste."),
    ("Ricerca di percorsi", "Ricerca di percorsi", "Altri percorsi da mostrare"),
    ("Argomenti correlati", "Argomenti correlati", "Scelga un'entità per vederne gli argomenti correlati."),
    ("Esercizi", "Esercizi", "Nuovo quiz"),
    ("Ripasso", "Ripasso", "Da ripassare ora"),
    ("Mappa dell'esame", "Mappa dell'esame", "La Sua preparazione, dal punto più debole"),
    ("I miei appunti", "I miei appunti", "Una cartella su questo computer"),
]


def test_the_app_switched_to_italian_speaks_italian_on_every_page(app_url, page, shots):
    from playwright.sync_api import expect

    page.goto(app_url)
    expect(page.get_by_label("Your question")).to_be_visible(timeout=FIRST_PAGE_MS)
    page.get_by_label("Language · Ngôn ngữ · Lingua").click()
    page.get_by_role("option", name="Italiano").click()
    expect(heading(page, "Domande")).to_be_visible(timeout=PAGE_MS)
    assert "ui=it" in page.url

    sidebar = page.get_by_test_id("stSidebar")
    for link, title, words in ITALIAN_PAGES:
        sidebar.get_by_role("link", name=link, exact=True).click()
        expect(heading(page, title)).to_be_visible(timeout=PAGE_MS)
        expect(page.get_by_text(words, exact=True).first).to_be_visible(timeout=PAGE_MS)
        expect(page.get_by_text("Traceback")).to_have_count(0)
        assert "ui=it" in page.url, f"{title}: the language stays in the URL"
        page.screenshot(path=shots / f"it-{link.replace(' ', '-').replace(chr(39), '')}.png")

    # A shared link keeps the language: the note view, opened in a fresh tab.
    page.goto(f"{app_url}/note?doc=app_corpus/notes/untrusted.en.md&ui=it")
    expect(heading(page, "In questo appunto")).to_be_visible(timeout=PAGE_MS)
    expect(heading(page, "Appunti simili")).to_be_visible(timeout=PAGE_MS)

    # The answer to a question: the results section, the card's relation phrases, the why of each passage.
    page.goto(f"{app_url}/?q=Which+algorithm+finds+anomalies+in+a+stream%3F&ui=it")
    expect(page.get_by_text("Concetto più pertinente")).to_be_visible(timeout=PAGE_MS)
    passages = re.compile(r"^Passaggi( di riferimento)? \(\d+\)$")
    expect(page.get_by_role("heading", name=passages)).to_be_visible(timeout=PAGE_MS)
    expect(page.get_by_text("per significato").first).to_be_visible(timeout=PAGE_MS)
    expect(page.get_by_text("si usa per").first).to_be_attached(timeout=PAGE_MS)  # the first sits in a folded expander
    for english in ("Passages (", "searched in", "meaning match", "is used for"):
        expect(page.get_by_text(english)).to_have_count(0)
    page.screenshot(path=shots / "it-ask-results.png")


def test_the_path_drawing_labels_every_arrow_as_the_sentence_reads(app_url, page, shots):
    """"RCF is supported by KDA" in words and in the drawing; the other paths' arrows carry their phrases too."""
    from playwright.sync_api import expect

    page.goto(f"{app_url}/path?from=RandomCutForest&to=KinesisDataAnalytics")
    expect(heading(page, "Shortest path: 1 step")).to_be_visible(timeout=FIRST_PAGE_MS)
    chart = page.locator("svg").filter(has=page.locator("text", has_text="Random Cut Forest"))
    expect(chart.locator("text", has_text="is supported by").first).to_be_visible(timeout=PAGE_MS)
    other = page.get_by_text("Other paths", exact=True)
    expect(other).to_be_visible(timeout=PAGE_MS)
    drawn = chart.first.locator("text").all_text_contents()
    assert "is used for" in " ".join(drawn), "an alternative path's arrow is labelled"
    page.screenshot(path=shots / "path-drawing.png")
