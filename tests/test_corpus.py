"""The shipped corpus: every page parses, names a real entity, has real content, and says its language truly."""

import re
from collections import Counter
from pathlib import Path

import pytest

from indexer.language import detect_language
from indexer.records import Document
from indexer.sources import iter_documents
from kg import KnowledgeGraph

REPO = Path(__file__).resolve().parent.parent
SECTIONS = ["What it is", "When the exam expects it", "How it connects", "Limits and traps", "Versus similar services"]
MIN_SECTION_WORDS = 40
# The retired MLS-C01's domains, the current MLA-C01's, and "Exam" for exam logistics.
DOMAINS = {"DataEngineering", "ExploratoryDataAnalysis", "Modeling", "MLImplementationOperations", "Exam",
           "MLA_DataPreparation", "MLA_ModelDevelopment", "MLA_DeploymentOrchestration", "MLA_MonitoringSecurity"}


@pytest.fixture(scope="module")
def graph():
    return KnowledgeGraph.load_curated(REPO / "corpus" / "graph")


def _read(folder: str) -> list[Document]:
    items = list(iter_documents([REPO / "corpus" / folder]))
    skipped = [i for i in items if not isinstance(i, Document)]
    assert skipped == [], f"unreadable corpus files: {skipped}"
    return items


SERVICES = _read("services")
NOTES = _read("notes")


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


@pytest.mark.parametrize("page", SERVICES, ids=lambda d: Path(d.path).stem)
def test_service_page_is_complete_and_linked(page, graph):
    entity = graph.entity(page.entity)
    assert entity.type in ("Service", "Algorithm")
    assert page.entity == Path(page.path).stem == entity.name
    assert page.kind == entity.type.lower()
    sections = _sections(page.text)
    assert list(sections) == SECTIONS
    for name, body in sections.items():
        assert len(body.split()) >= MIN_SECTION_WORDS, f"{page.path}: section '{name}' is a stub"
    assert 250 <= len(page.text.split()) <= 650


def test_every_service_and_algorithm_entity_has_a_page(graph):
    pages = {page.entity for page in SERVICES}
    wanted = {e.name for e in graph.entities.values() if e.type in ("Service", "Algorithm")}
    assert wanted - pages == set(), "entities without a service page"
    assert pages - wanted == set(), "pages naming no Service/Algorithm entity"


@pytest.mark.parametrize("doc", SERVICES + NOTES, ids=lambda d: d.doc_id)
def test_declared_language_matches_the_text(doc):
    assert doc.lang == detect_language(doc.text)
    assert Path(doc.path).name.endswith(f".{doc.lang}.md") or doc in SERVICES


@pytest.mark.parametrize("note", NOTES, ids=lambda d: d.doc_id)
def test_notes_have_front_matter_and_substance(note):
    raw = Path(note.path).read_text(encoding="utf-8")
    domain = re.search(r"^domain:\s*(\S+)", raw, flags=re.M)
    assert domain and domain.group(1) in DOMAINS
    assert note.tags
    assert len(note.text.split()) >= 300


def test_notes_meet_the_language_counts():
    counts = Counter(note.lang for note in NOTES)
    assert counts["en"] >= 30 and counts["vi"] >= 10 and counts["it"] >= 10


def test_comparison_notes_exist():
    titles = " | ".join(note.title.lower() for note in NOTES)
    for pair in ["streams vs data firehose", "glue vs aws data pipeline", "athena vs amazon redshift", "step functions vs aws batch", "real-time endpoints vs batch transform"]:
        assert pair in titles, pair
