"""The SHACL shapes catch what a graph writer gets wrong, in one readable line each."""

from __future__ import annotations

import pytest

from kg import CHUNK, KG, SKG, GraphLoadError, KnowledgeGraph

PREFIXES = """@prefix skg:  <https://w3id.org/studykg/ontology#> .
@prefix kg:   <https://w3id.org/studykg/kg#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


def problems_with(graph_dir, turtle: str) -> list[str]:
    (graph_dir / "broken.ttl").write_text(PREFIXES + turtle, encoding="utf-8")
    return KnowledgeGraph.load_curated(graph_dir).validate()


def test_fixture_graph_is_valid(fixture_kg):
    assert fixture_kg.validate() == []


@pytest.mark.parametrize(
    ("turtle", "expected"),
    [
        (
            'kg:Polly a skg:Service ; skos:definition "Speech."@en .',
            "kg:Polly: needs exactly one English skos:prefLabel (@en)",
        ),
        (
            'kg:Polly a skg:Service ; skos:prefLabel "Amazon Polly"@en .',
            "kg:Polly: needs an English skos:definition (@en)",
        ),
        (
            'kg:Polly a skg:Service ; skos:prefLabel "Amazon Polly"@en , "Polly"@en ; skos:definition "Speech."@en .',
            "kg:Polly: has two skos:prefLabel in one language (make the extra one an skos:altLabel)",
        ),
        (
            'kg:Polly a skg:Service ; skos:prefLabel "Amazon Polly"@en ; skos:altLabel "Polly" ;'
            ' skos:definition "S."@en .',
            'kg:Polly: has a skos:altLabel without a language tag (skos:altLabel "Polly")',
        ),
        (
            'kg:Polly a skg:Service ; skos:prefLabel "Amazon Polly"@en ; skos:hiddenLabel "read text aloud" ;'
            ' skos:definition "S."@en .',
            'kg:Polly: has a skos:hiddenLabel (search keyword) without a language tag (skos:hiddenLabel "read text aloud")',
        ),
        (
            'kg:Polly a skg:Service ; skos:prefLabel "Amazon Polly"@en ; skos:definition "S."@en ;'
            " skg:usedFor kg:TextToSpeach .",
            "kg:TextToSpeach: is referenced but is not a typed entity (a misspelt name, or one missing from the graph)"
            " (from kg:Polly skg:usedFor)",
        ),
        (
            'kg:Polly skos:prefLabel "Amazon Polly"@en ; skos:definition "S."@en .',
            "kg:Polly: has labels or relations but no entity type",
        ),
        (
            'kg:Sigmoid a skg:Concept ; skos:prefLabel "sigmoid"@en , "sigmoid"@it ; skos:definition "S."@en .',
            "kg:Sigmoid: needs a Vietnamese skos:prefLabel (@vi)",
        ),
        (
            'kg:Modeling2 a skg:ExamDomain ; skos:prefLabel "M"@en , "M"@vi , "M"@it ; skos:definition "M."@en .',
            "kg:Modeling2: needs one skg:weight, an integer percentage",
        ),
        (
            'kg:Task9_9 a skg:TaskStatement ; skos:prefLabel "T"@en , "T"@vi , "T"@it ; skos:definition "T."@en ;'
            ' skg:taskNumber "9.9" ; skg:inDomain kg:Dropout .',
            "kg:Task9_9: needs skg:inDomain pointing to an exam domain (skg:inDomain kg:Dropout)",
        ),
    ],
)
def test_shapes_report_each_mistake(kg_graph_dir, turtle, expected):
    problems = problems_with(kg_graph_dir, turtle)
    assert any(p.startswith(expected) for p in problems), problems


def test_dangling_mention_from_the_index_is_reported(fixture_kg):
    fixture_kg.add_document("notes/a.md", "notes/a.md", "A")
    fixture_kg.add_chunk("a-0", "notes/a.md", [])
    fixture_kg.graph.add((CHUNK["a-0"], SKG.mentions, KG.Gone))  # what a stale index could hold
    assert any(p.startswith("kg:Gone: is referenced") for p in fixture_kg.validate())


def test_missing_shapes_file_is_a_load_error(fixture_kg, tmp_path):
    with pytest.raises(GraphLoadError, match="no such shapes file"):
        fixture_kg.validate(tmp_path / "shapes.ttl")
