"""Loading, saving, exporting, and the index build's documents, chunks and mentions."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from conftest import REAL_GRAPH
from kg import KG, SKG, GraphLoadError, KnowledgeGraph, UnknownDocumentError, UnknownEntityError
from kg.store import GRAPH_FILE, MANIFEST_FILE


def add_sample_documents(kg: KnowledgeGraph) -> None:
    kg.add_document("notes/en/streams.md", "notes/en/streams.md", "Streams", None)
    kg.add_chunk("streams-0", "notes/en/streams.md", [str(KG.KinesisDataFirehose), str(KG.S3)])
    kg.add_chunk("streams-1", "notes/en/streams.md", [str(KG.KinesisDataFirehose)])
    kg.add_document("services/RandomCutForest.md", "services/RandomCutForest.md", "Random Cut Forest", "RCF")
    kg.add_chunk("rcf-0", "services/RandomCutForest.md", [str(KG.RandomCutForest), str(KG.S3)])


XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


def triples(graph: Graph) -> set:
    """The triples of a graph; "x" and "x"^^xsd:string are one literal in RDF 1.1 (stores differ)."""

    def plain(term):
        if isinstance(term, Literal) and term.datatype == XSD_STRING:
            return Literal(str(term))
        return term

    return {(s, p, plain(o)) for s, p, o in graph}


def test_load_curated_reads_every_turtle_file_but_shapes(fixture_kg, kg_graph_dir):
    assert (kg_graph_dir / "shapes.ttl").exists()
    shacl = "http://www.w3.org/ns/shacl#"
    assert not any(str(p).startswith(shacl) or str(o).startswith(shacl) for _, p, o in fixture_kg.graph)
    assert len(fixture_kg.entities) == 28


def test_malformed_turtle_names_the_file_and_line(kg_graph_dir):
    (kg_graph_dir / "broken.ttl").write_text(
        "@prefix kg: <https://w3id.org/studykg/kg#> .\n\nkg:A kg:b kg:C .\nkg:D kg:e ;; .\n", encoding="utf-8"
    )
    with pytest.raises(GraphLoadError) as caught:
        KnowledgeGraph.load_curated(kg_graph_dir)
    message = str(caught.value)
    assert "broken.ttl line 4: " in message
    assert "\n" not in message


def test_missing_graph_folder_is_a_load_error(tmp_path):
    with pytest.raises(GraphLoadError, match="no such graph folder"):
        KnowledgeGraph.load_curated(tmp_path / "nowhere")
    with pytest.raises(GraphLoadError, match=r"no \*\.ttl files"):
        KnowledgeGraph.load_curated(tmp_path)


def test_save_and_load_round_trip(fixture_kg, tmp_path):
    add_sample_documents(fixture_kg)
    fixture_kg.save(tmp_path / "index")
    loaded = KnowledgeGraph.load(tmp_path / "index")
    assert triples(loaded.graph) == triples(fixture_kg.graph)
    assert loaded.entities == fixture_kg.entities
    assert loaded.mentioned_in("S3") == ("rcf-0", "streams-0")
    manifest = json.loads((tmp_path / "index" / MANIFEST_FILE).read_text())
    assert manifest["triples"] == len(fixture_kg.graph) and manifest["schema_version"] == 1


def test_another_process_can_load_a_graph_this_one_has_open(fixture_kg, tmp_path):
    add_sample_documents(fixture_kg)
    fixture_kg.save(tmp_path / "index")
    mine = KnowledgeGraph.load(tmp_path / "index")
    script = "import sys; from kg import KnowledgeGraph; print(len(KnowledgeGraph.load(sys.argv[1]).graph))"
    other = subprocess.run([sys.executable, "-c", script, str(tmp_path / "index")], capture_output=True, text=True)
    assert other.returncode == 0, other.stderr
    assert int(other.stdout) == len(mine.graph) == len(fixture_kg.graph)


def test_load_without_an_index_says_what_to_do(tmp_path):
    with pytest.raises(GraphLoadError, match="no graph manifest"):
        KnowledgeGraph.load(tmp_path)


def test_load_refuses_a_truncated_graph_file(fixture_kg, tmp_path):
    fixture_kg.save(tmp_path)
    path = tmp_path / GRAPH_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.rindex(" .\n", 0, len(text) // 2) + 3], encoding="utf-8")  # cut between statements
    with pytest.raises(GraphLoadError, match="triples where the manifest records"):
        KnowledgeGraph.load(tmp_path)


def test_load_refuses_another_schema_version(fixture_kg, tmp_path):
    fixture_kg.save(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text())
    (tmp_path / MANIFEST_FILE).write_text(json.dumps({**manifest, "schema_version": 99}))
    with pytest.raises(GraphLoadError, match="schema version 99.*rebuild the index"):
        KnowledgeGraph.load(tmp_path)


def test_load_reports_a_corrupt_graph_file_with_its_line(fixture_kg, tmp_path):
    fixture_kg.save(tmp_path)
    (tmp_path / GRAPH_FILE).write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(GraphLoadError, match=f"{GRAPH_FILE} line 1: "):
        KnowledgeGraph.load(tmp_path)


def test_chunks_and_mentions_are_queryable_both_ways(fixture_kg):
    add_sample_documents(fixture_kg)
    assert fixture_kg.mentioned_in("Firehose") == ("streams-0", "streams-1")
    assert fixture_kg.chunk_mentions("streams-0") == (str(KG.KinesisDataFirehose), str(KG.S3))
    assert fixture_kg.chunk_mentions("nope") == ()


def test_service_page_describes_its_entity(fixture_kg):
    add_sample_documents(fixture_kg)
    rows = fixture_kg.sparql("SELECT ?doc WHERE { ?doc skg:describes kg:RandomCutForest }")
    assert rows == [{"doc": "https://w3id.org/studykg/doc/services%2FRandomCutForest.md"}]


def test_remove_document_removes_its_chunks_and_mentions(fixture_kg):
    before = triples(fixture_kg.graph)
    add_sample_documents(fixture_kg)
    fixture_kg.remove_document("notes/en/streams.md")
    assert fixture_kg.mentioned_in("Firehose") == ()
    assert fixture_kg.mentioned_in("S3") == ("rcf-0",)
    assert fixture_kg.chunk_mentions("streams-0") == ()
    fixture_kg.remove_document("services/RandomCutForest.md")
    assert triples(fixture_kg.graph) == before
    fixture_kg.remove_document("never/added.md")  # a no-op


def test_graph_length_counts_every_triple_as_it_changes(fixture_kg):
    add_sample_documents(fixture_kg)
    assert len(fixture_kg.graph) == sum(1 for _ in fixture_kg.graph)
    fixture_kg.remove_document("notes/en/streams.md")
    assert len(fixture_kg.graph) == sum(1 for _ in fixture_kg.graph)


def test_adding_a_document_again_replaces_its_chunks(fixture_kg):
    add_sample_documents(fixture_kg)
    fixture_kg.add_document("notes/en/streams.md", "notes/en/streams.md", "Streams, edited", None)
    fixture_kg.add_chunk("streams-9", "notes/en/streams.md", ["Kinesis Data Streams"])
    assert fixture_kg.mentioned_in("Firehose") == ()
    assert fixture_kg.mentioned_in("KDS") == ("streams-9",)


def test_chunk_of_an_unknown_document_is_refused(fixture_kg):
    with pytest.raises(UnknownDocumentError, match="unknown document 'notes/x.md'"):
        fixture_kg.add_chunk("x-0", "notes/x.md", [])


def test_chunk_mentioning_an_unknown_entity_is_refused(fixture_kg):
    fixture_kg.add_document("notes/x.md", "notes/x.md", "X")
    with pytest.raises(UnknownEntityError):
        fixture_kg.add_chunk("x-0", "notes/x.md", [str(KG.NoSuchThing)])


def test_export_turtle_and_jsonld_hold_every_triple(fixture_kg, tmp_path):
    add_sample_documents(fixture_kg)
    fixture_kg.export_turtle(tmp_path / "graph.ttl")
    fixture_kg.export_jsonld(tmp_path / "graph.jsonld")
    assert "@prefix kg: <https://w3id.org/studykg/kg#>" in (tmp_path / "graph.ttl").read_text()
    for path, format_ in ((tmp_path / "graph.ttl", "turtle"), (tmp_path / "graph.jsonld", "ox-json-ld")):
        assert len(Graph().parse(path, format=format_)) == len(fixture_kg.graph)


def test_records_are_json_ready(fixture_kg):
    records = [
        fixture_kg.entity("RCF"),
        *fixture_kg.link("RCF"),
        *fixture_kg.neighbours("RCF"),
        fixture_kg.path("Forecast", "RCF"),
        *fixture_kg.related("RCF", k=3),
    ]
    for record in records:
        json.dumps(asdict(record))


def test_validate_defaults_to_the_shapes_beside_the_graph(fixture_kg):
    assert fixture_kg.validate() == []


def test_loaded_index_validates_with_the_repository_shapes(fixture_kg, tmp_path):
    add_sample_documents(fixture_kg)
    fixture_kg.save(tmp_path)
    assert KnowledgeGraph.load(tmp_path).validate() == []


def test_any_rdflib_store_works_behind_the_same_api(kg_graph_dir, tmp_path):
    # the seam for a remote SPARQL store: KnowledgeGraph only needs an rdflib Graph
    plain = Graph()
    for path in kg_graph_dir.glob("*.ttl"):
        if path.name != "shapes.ttl":
            plain.parse(path, format="turtle")
    kg = KnowledgeGraph(plain)
    add_sample_documents(kg)
    assert kg.resolve("rcf").name == "RandomCutForest"
    assert kg.path("Forecast", "RCF").nodes
    assert str(KG.S3) in {r.entity.iri for r in kg.related("Firehose", k=10)}
    assert kg.sparql("ASK { kg:RandomCutForest skg:usedFor kg:AnomalyDetection }") == [{"ask": "true"}]
    kg.save(tmp_path)
    assert triples(KnowledgeGraph.load(tmp_path).graph) == triples(plain)


def test_the_entities_read_natively_from_oxigraph_are_those_rdflib_reads():
    """The real curated graph, read once through Oxigraph's own quads and once through rdflib's terms."""
    from kg.entities import read_entities
    from kg.oxigraph import subject_objects

    curated = KnowledgeGraph.load_curated(REAL_GRAPH)
    plain = Graph()
    for path in REAL_GRAPH.glob("*.ttl"):
        if "shapes" not in path.name:
            plain.parse(path, format="turtle")
    for predicate in (SKOS.prefLabel, SKOS.definition, RDF.type, SKG.inDomain):
        native = sorted((s, o) for s, o in subject_objects(curated.graph, predicate))
        assert native and native == sorted((s, o) for s, o in subject_objects(plain, predicate))
    entities = read_entities(curated.graph)
    assert entities == read_entities(plain)
    assert any(entity.closed_to_new_customers for entity in entities.values())
    assert any(entity.domains for entity in entities.values()) and any(entity.keywords for entity in entities.values())
