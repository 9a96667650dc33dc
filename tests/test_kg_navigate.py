"""Neighbours, paths, related topics and listings over the fixture graph."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from conftest import REAL_GRAPH
from kg import KG, SKG, KGError, UnknownTypeError
from kg.languages import STUDY_LANGUAGES
from kg.phrases import PHRASES, relation_phrase
from kg.vocab import BOOKKEEPING_PREDICATES, RELATION_PREDICATES


def by_target(relations):
    return {(r.label, r.direction, r.target.iri.rsplit("#", 1)[1]) for r in relations}


def test_neighbours_cover_both_directions(fixture_kg):
    found = by_target(fixture_kg.neighbours("Firehose"))
    assert ("reads from", "out", "KinesisDataStreams") in found
    assert ("delivers to", "out", "S3") in found
    assert ("reads from", "in", "KinesisDataAnalytics") in found  # KDA reads from Firehose
    assert ("in exam domain", "out", "DataEngineering") in found


def test_symmetric_relation_reads_out_from_either_end(fixture_kg):
    # stated once: Firehose comparedWith KinesisDataStreams
    assert ("compared with", "out", "KinesisDataStreams") in by_target(fixture_kg.neighbours("Firehose"))
    assert ("compared with", "out", "KinesisDataFirehose") in by_target(fixture_kg.neighbours("KDS"))


def test_neighbours_keep_the_property_label_and_predicate(fixture_kg):
    (relation,) = [r for r in fixture_kg.neighbours("Dropout") if r.target.iri == str(KG.Overfitting)]
    assert (relation.predicate, relation.label, relation.direction) == (str(SKG.remedyFor), "remedy for", "out")
    assert relation.target.label == "overfitting" and relation.target.type == "Concept"


def test_skos_hierarchy_counts_as_a_relation(fixture_kg):
    assert ("broader", "out", "UnsupervisedLearning") in by_target(fixture_kg.neighbours("AnomalyDetection"))


def test_typed_neighbours_pair_iris_with_predicates(fixture_kg):
    pairs = fixture_kg.typed_neighbours("RandomCutForest")
    assert (str(KG.AnomalyDetection), str(SKG.usedFor)) in pairs
    assert (str(KG.KinesisDataAnalytics), str(SKG.supports)) in pairs


def test_path_reports_each_step_with_its_real_direction(fixture_kg):
    result = fixture_kg.path("RandomCutForest", "KinesisDataAnalytics")
    assert [n.label for n in result.nodes] == ["Random Cut Forest", "Amazon Kinesis Data Analytics"]
    (step,) = result.edges
    # the triple is KDA supports RCF, walked from RCF
    assert (step.predicate, step.label, step.direction) == (str(SKG.supports), "supports", "in")


def test_path_prefers_specific_links_over_exam_domain_shortcuts(fixture_kg):
    # Forecast and RCF share the Modeling domain (2 hops), but a specific 3-hop path exists
    result = fixture_kg.path("Forecast", "RCF")
    assert [n.iri.rsplit("#", 1)[1] for n in result.nodes] == ["Forecast", "DeepAR", "SageMaker", "RandomCutForest"]
    steps = [(s.label, s.direction) for s in result.edges]
    assert steps == [("supports", "out"), ("supports", "in"), ("supports", "out")]
    assert all(n.type != "ExamDomain" for n in result.nodes)


def test_path_offers_alternatives_that_are_short_and_distinct(fixture_kg):
    result = fixture_kg.path("Forecast", "RCF", alternatives=2)
    assert 1 <= len(result.alternatives) <= 2
    for nodes, edges in result.alternatives:
        assert nodes[0] == result.source and nodes[-1] == result.target
        assert len(edges) == len(nodes) - 1 <= len(result.nodes) + 1
        assert nodes != result.nodes
    assert fixture_kg.path("Forecast", "RCF", alternatives=0).alternatives == ()


def test_path_through_exam_domain_when_nothing_else_connects(fixture_kg):
    result = fixture_kg.path("Lex", "KNN")
    assert [n.iri.rsplit("#", 1)[1] for n in result.nodes] == ["Lex", "Modeling", "KNN"]
    assert [(s.label, s.direction) for s in result.edges] == [("in exam domain", "out"), ("in exam domain", "in")]


def test_unconnected_entities_give_an_empty_path(fixture_kg):
    result = fixture_kg.path("ExamLogistics", "RCF")
    assert result.nodes == () and result.edges == () and result.alternatives == ()
    assert result.source.label == "exam logistics"


def test_path_to_itself_is_one_node(fixture_kg):
    result = fixture_kg.path("RCF", "Random Cut Forest")
    assert [n.label for n in result.nodes] == ["Random Cut Forest"] and result.edges == ()


def test_related_topics_come_from_graph_proximity(fixture_kg):
    related = fixture_kg.related("Firehose", k=5)
    names = [r.entity.iri.rsplit("#", 1)[1] for r in related]
    assert "KinesisDataStreams" in names
    assert all(r.entity.type not in ("ExamDomain", "TaskStatement") for r in related)
    assert [r.score for r in related] == sorted((r.score for r in related), reverse=True)
    kds = related[names.index("KinesisDataStreams")]
    assert kds.why.startswith("Amazon Kinesis Data Firehose reads data from Amazon Kinesis Data Streams")
    assert [n.label for n in kds.path] == ["Amazon Kinesis Data Firehose", "Amazon Kinesis Data Streams"]
    assert "hop" not in kds.why and "score" not in kds.why
    assert "Kinesis Data Streams" in kds.aliases


def test_related_topics_count_co_mentions(fixture_kg):
    fixture_kg.add_document("notes/chat.md", "notes/chat.md", "Chatbots")
    for i in range(3):
        fixture_kg.add_chunk(f"chat-{i}", "notes/chat.md", [str(KG.KinesisDataFirehose), str(KG.Lex)])
    lex = [r for r in fixture_kg.related("Firehose", k=20) if r.entity.iri == str(KG.Lex)]
    assert lex and lex[0].why.endswith("discussed together in 3 passages") and lex[0].together == 3


def test_related_of_a_domain_lists_its_members(fixture_kg):
    names = {r.entity.iri.rsplit("#", 1)[1] for r in fixture_kg.related("Data Engineering", k=30)}
    assert {"KinesisDataFirehose", "S3", "Task1_2"} <= names


def test_isolated_entity_has_no_related_topics(fixture_kg):
    assert fixture_kg.related("ExamLogistics") == ()


def test_entities_by_type_accepts_any_spelling_of_the_type(fixture_kg):
    algorithms = [e.name for e in fixture_kg.entities_by_type("algorithm")]
    assert algorithms == ["DeepAR", "KNN", "RandomCutForest"]
    assert fixture_kg.entities_by_type("skg:Algorithm") == fixture_kg.entities_by_type(str(SKG.Algorithm))


def test_unknown_type_names_the_choices(fixture_kg):
    with pytest.raises(UnknownTypeError, match="unknown entity type 'Servce': choose one of Service, Algorithm"):
        fixture_kg.entities_by_type("Servce")


def test_entities_in_domain_include_every_type_but_domains(fixture_kg):
    names = {e.name for e in fixture_kg.entities_in_domain("Kỹ thuật dữ liệu")}
    assert {"KinesisDataFirehose", "S3", "StreamProcessing", "Task1_2"} <= names
    assert "RandomCutForest" not in names and "DataEngineering" not in names


def test_entities_of_a_task_statement_are_those_covering_it(fixture_kg):
    assert [e.name for e in fixture_kg.entities_in_domain("Task1_2")] == ["KinesisDataFirehose", "KinesisDataStreams"]


def test_entities_in_domain_refuses_a_non_domain(fixture_kg):
    with pytest.raises(KGError, match="'S3' is a Service, not an exam domain"):
        fixture_kg.entities_in_domain("S3")


def test_related_topics_put_specific_neighbours_before_hubs(fixture_kg):
    """A hub linked to everything (here: S3 for every service) ranks below a neighbour only the seed has."""
    hub = URIRef(str(KG.S3))
    for entity in list(fixture_kg.entities.values()):
        if entity.type == "Service" and entity.iri != str(hub):
            fixture_kg.graph.add((URIRef(entity.iri), SKG.integratesWith, hub))
    names = [r.entity.iri.rsplit("#", 1)[1] for r in fixture_kg.related("Firehose", k=10)]
    assert "S3" in names and names.index("KinesisDataStreams") < names.index("S3")


def test_every_relation_reads_both_ways_in_every_language():
    """Each relation property of the ontology has a phrase per direction; only symmetric ones read the same."""
    ontology = Graph().parse(REAL_GRAPH / "ontology.ttl")
    # Index structure (mentions, documents, fact sources) and exam profiles (read by kg.exams, not browsed)
    # are not relations to phrase.
    declared = {str(p) for p in ontology.subjects(RDF.type, OWL.ObjectProperty)} - {str(p) for p in BOOKKEEPING_PREDICATES} - {
        str(SKG.inExam), str(SKG.inScope), str(SKG.replacedBy)
    }
    assert declared <= {str(p) for p in RELATION_PREDICATES} == set(PHRASES)
    for predicate in PHRASES:
        for lang in STUDY_LANGUAGES:
            out, in_ = relation_phrase(predicate, "out", lang), relation_phrase(predicate, "in", lang)
            assert out and in_
            symmetric = (URIRef(predicate), RDF.type, OWL.SymmetricProperty) in ontology
            assert (out == in_) == symmetric or predicate.endswith("#related"), predicate
    assert relation_phrase(str(SKG.supports), "in", "it") == "è supportato da"
    assert relation_phrase(str(SKG.supports), "in", "xx") == "is supported by", "unknown languages read English"

