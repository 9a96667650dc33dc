"""The curated graph in corpus/graph: valid, navigable, and every name finds its entity.

Skipped (with the reason) while the curated files are still being written.
"""

from __future__ import annotations

import pytest
from conftest import CURATED_FILES, REAL_GRAPH

from kg import ENTITY_TYPES, KG


def require(kg, *local_names: str) -> None:
    missing = [name for name in local_names if str(KG[name]) not in kg.entities]
    if missing:
        pytest.skip(f"not in the curated graph yet: {', '.join(missing)}")


def test_curated_graph_passes_the_shapes(real_kg):
    missing = [name for name in CURATED_FILES if not (REAL_GRAPH / name).exists()]
    if missing:
        pytest.skip(f"curated graph incomplete: {', '.join(missing)} not written yet")
    assert real_kg.validate() == []


def test_every_entity_has_a_known_type_and_an_english_label(real_kg):
    assert real_kg.entities
    for entity in real_kg.entities.values():
        assert entity.type in ENTITY_TYPES
        assert entity.label


def test_every_english_label_resolves_and_links_to_its_entity(real_kg):
    for entity in real_kg.entities.values():
        assert real_kg.resolve(entity.label) == entity
        assert entity.iri in {m.iri for m in real_kg.link(entity.label)}, entity.label


def test_random_cut_forest_reaches_kinesis_data_analytics_in_three_hops(real_kg):
    require(real_kg, "RandomCutForest", "KinesisDataAnalytics")
    result = real_kg.path("RandomCutForest", "KinesisDataAnalytics")
    assert 2 <= len(result.nodes) <= 4


def test_related_to_firehose_includes_kinesis_data_streams(real_kg):
    require(real_kg, "KinesisDataFirehose", "KinesisDataStreams")
    related = {r.entity.iri for r in real_kg.related("KinesisDataFirehose")}
    assert str(KG.KinesisDataStreams) in related


def test_anomaly_detection_resolves_in_every_study_language(real_kg):
    require(real_kg, "AnomalyDetection")
    for name in ("anomaly detection", "phát hiện bất thường", "phat hien bat thuong", "RILEVAMENTO delle anomalie"):
        assert real_kg.resolve(name).name == "AnomalyDetection"


def test_linking_finds_acronyms_and_full_names(real_kg):
    require(real_kg, "RandomCutForest")
    found = [m.iri for m in real_kg.link("RCF, or Random Cut Forest, flags odd points.")]
    assert found == [str(KG.RandomCutForest)] * 2


def test_everyday_words_do_not_link_to_services(real_kg):
    text = "the forecast said to personalize and translate a batch, glue it, then comprehend the lambda"
    linked = [real_kg.entities[m.iri] for m in real_kg.link(text)]
    assert [e.label for e in linked if e.type == "Service"] == []


def test_services_aws_closed_to_new_customers_are_marked_on_their_entities(real_kg):
    closed = {entity.name for entity in real_kg.entities.values() if entity.closed_to_new_customers}
    assert {"Kendra", "DeepLens", "FraudDetector", "Snowball"} <= closed
    assert not closed & {"Polly", "SageMaker", "Bedrock", "KinesisDataStreams"}
