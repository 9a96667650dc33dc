"""Every fact the graph teaches points at a passage we wrote that states it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from click.testing import CliRunner

from conftest import FIXTURE_GRAPH, REAL_GRAPH, SHAPES
from kg import KG, SKG, KnowledgeGraph
from kg.errors import GraphShapeError
from indexer.cli import cli
from kg.provenance import check_provenance, fact_sources, purpose_facts, read_sections

pytestmark = pytest.mark.real_encoder

ONTOLOGY = REAL_GRAPH / "ontology.ttl"

PAGE = """---
title: Random Cut Forest
entity: RandomCutForest
kind: algorithm
---
# Random Cut Forest

## What it is
An unsupervised built-in algorithm that scores each record for anomaly detection.

## Traps
```
# not a heading
```
Needs numeric features.
"""

FACTS = """@prefix skg: <https://w3id.org/studykg/ontology#> .
@prefix kg: <https://w3id.org/studykg/kg#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
kg:RandomCutForest a skg:Algorithm ; skos:prefLabel "Random Cut Forest"@en ; skos:definition "An algorithm."@en ;
    skg:usedFor kg:AnomalyDetection .
kg:AnomalyDetection a skg:Concept ; skos:prefLabel "anomaly detection"@en , "rilevamento delle anomalie"@it ,
    "phát hiện bất thường"@vi ; skos:definition "Finding odd records."@en .
"""


def source(subject: str, predicate: str, obj: str, where: str) -> str:
    return (f'[] a skg:SourcedFact ; rdf:subject kg:{subject} ; rdf:predicate skg:{predicate} ; '
            f'rdf:object kg:{obj} ; skg:statedIn "{where}" .\n')


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A corpus folder with a graph folder inside, the layout the shipped corpus has."""
    root = tmp_path / "corpus"
    (root / "graph").mkdir(parents=True)
    (root / "services").mkdir()
    (root / "services" / "RandomCutForest.md").write_text(PAGE, encoding="utf-8")
    shutil.copy(ONTOLOGY, root / "graph")
    shutil.copy(SHAPES, root / "graph")
    return root


def problems(corpus: Path, facts: str) -> list[str]:
    (corpus / "graph" / "facts.ttl").write_text(facts, encoding="utf-8")
    kg = KnowledgeGraph.load_curated(corpus / "graph")
    return [str(p) for p in check_provenance(kg, corpus)]


def test_sections_are_a_headings_own_text_without_front_matter_or_fenced_lines(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    sections = {s.heading: s.text for s in read_sections(page, "page.md")}
    assert list(sections) == ["Random Cut Forest", "What it is", "Traps"]
    assert "anomaly detection" in sections["What it is"] and "Needs numeric" not in sections["What it is"]
    assert "title:" not in sections["Random Cut Forest"]  # front matter is not text
    assert "# not a heading" in sections["Traps"]


def test_a_fact_without_a_source_is_reported(corpus):
    assert problems(corpus, FACTS) == [
        "kg:RandomCutForest skg:usedFor kg:AnomalyDetection: no skg:SourcedFact with skg:statedIn"
    ]


def test_a_section_that_names_both_ends_sources_the_fact(corpus):
    # The page's own entity counts as named in every section of its page, as the build links it.
    assert problems(corpus, FACTS + source("RandomCutForest", "usedFor", "AnomalyDetection",
                                           "services/RandomCutForest.md#What it is")) == []


@pytest.mark.parametrize(("where", "why"), [
    ("services/RandomCutForest.md#Traps", "the section does not name kg:AnomalyDetection"),
    ("services/RandomCutForest.md#Use cases", "no heading 'Use cases' in services/RandomCutForest.md"),
    ("services/Missing.md#What it is", "no such file"),
    ("services/RandomCutForest.md", "skg:statedIn needs 'path#heading'"),
])
def test_a_wrong_source_is_reported_with_the_reason(corpus, where, why):
    found = problems(corpus, FACTS + source("RandomCutForest", "usedFor", "AnomalyDetection", where))
    assert len(found) == 1 and why in found[0]


def test_a_symmetric_fact_is_sourced_from_either_direction(corpus):
    facts = FACTS + "kg:AnomalyDetection skg:alternativeTo kg:RandomCutForest .\n"
    facts += source("RandomCutForest", "usedFor", "AnomalyDetection", "services/RandomCutForest.md#What it is")
    facts += source("RandomCutForest", "alternativeTo", "AnomalyDetection", "services/RandomCutForest.md#What it is")
    assert problems(corpus, facts) == []
    kg = KnowledgeGraph.load_curated(corpus / "graph")
    as_written = (KG.AnomalyDetection, SKG.alternativeTo, KG.RandomCutForest)
    assert as_written in purpose_facts(kg.graph)
    assert fact_sources(kg.graph)[as_written] == ("services/RandomCutForest.md#What it is",)


def test_the_shapes_refuse_a_teaching_fact_without_a_source(corpus):
    (corpus / "graph" / "facts.ttl").write_text(FACTS, encoding="utf-8")
    kg = KnowledgeGraph.load_curated(corpus / "graph")
    assert kg.validate() == [
        'kg:RandomCutForest: teaches skg:usedFor kg:AnomalyDetection with no stated source: add [] a skg:SourcedFact ;'
        ' rdf:subject, rdf:predicate, rdf:object ; skg:statedIn "path#heading"'
    ]
    with pytest.raises(GraphShapeError, match="facts.ttl: the graph breaks its SHACL shapes: kg:RandomCutForest"):
        kg.check_shapes()


def test_check_sources_refuses_a_section_that_does_not_state_the_fact(corpus):
    (corpus / "graph" / "facts.ttl").write_text(
        FACTS + source("RandomCutForest", "usedFor", "AnomalyDetection", "services/RandomCutForest.md#Traps"), encoding="utf-8")
    kg = KnowledgeGraph.load_curated(corpus / "graph")
    with pytest.raises(GraphShapeError, match="does not name kg:AnomalyDetection"):
        kg.check_sources()


def test_a_graph_that_passed_its_checks_is_not_checked_again_until_a_file_changes(corpus, tmp_path, monkeypatch):
    from kg.checked import check_once

    passes = tmp_path / "passes"
    good = FACTS + source("RandomCutForest", "usedFor", "AnomalyDetection", "services/RandomCutForest.md#What it is")
    (corpus / "graph" / "facts.ttl").write_text(good, encoding="utf-8")
    checked = []
    monkeypatch.setattr(KnowledgeGraph, "check_sources", lambda self, *a: checked.append(self) or None)

    check_once(KnowledgeGraph.load_curated(corpus / "graph"), corpus / "graph", passes)
    check_once(KnowledgeGraph.load_curated(corpus / "graph"), corpus / "graph", passes)
    assert len(checked) == 1  # the second graph was the same files: no checks

    monkeypatch.undo()
    page = corpus / "services" / "RandomCutForest.md"
    page.write_text(PAGE.replace("for anomaly detection", "for outliers"), encoding="utf-8")
    with pytest.raises(GraphShapeError, match="does not name kg:AnomalyDetection"):  # a corpus page changed
        check_once(KnowledgeGraph.load_curated(corpus / "graph"), corpus / "graph", passes)
    page.write_text(PAGE, encoding="utf-8")
    (corpus / "graph" / "facts.ttl").write_text(FACTS, encoding="utf-8")
    with pytest.raises(GraphShapeError, match="no stated source"):  # a Turtle file changed
        check_once(KnowledgeGraph.load_curated(corpus / "graph"), corpus / "graph", passes)


def test_the_fixture_graph_sources_every_teaching_fact():
    kg = KnowledgeGraph.load_curated(FIXTURE_GRAPH)
    sources = fact_sources(kg.graph)
    assert purpose_facts(kg.graph) and all(fact in sources for fact in purpose_facts(kg.graph))


def test_every_fact_the_shipped_graph_teaches_is_stated_in_the_shipped_corpus(real_kg):
    assert [str(p) for p in check_provenance(real_kg, REAL_GRAPH.parent)] == []


def test_the_build_links_each_sourced_fact_to_the_passages_of_its_section(corpus, tmp_path):
    from indexer import StudyIndex

    (corpus / "graph" / "facts.ttl").write_text(
        FACTS + source("RandomCutForest", "usedFor", "AnomalyDetection", "services/RandomCutForest.md#What it is"),
        encoding="utf-8")
    StudyIndex.build([corpus], tmp_path / "index", graph_dir=corpus / "graph")
    index = StudyIndex.open(tmp_path / "index")
    relation = next(r for r in index.neighbours("RandomCutForest") if r.target.iri == str(KG.AnomalyDetection))
    assert relation.stated_in == "services/RandomCutForest.md#What it is"
    assert len(relation.passages) == 1
    assert index.chunk(relation.passages[0]).heading.endswith("What it is")
    index.close()

    shown = CliRunner().invoke(cli, ["graph", "show", "RandomCutForest", "--index", str(tmp_path / "index")])
    assert "used for anomaly detection: services/RandomCutForest.md › What it is" in shown.output
    data = json.loads(CliRunner().invoke(cli, ["graph", "show", "RandomCutForest", "--json", "--index", str(tmp_path / "index")]).output)
    [fact] = [r for r in data["relations"] if "stated_in" in r]
    assert fact["passages"] == list(relation.passages)
