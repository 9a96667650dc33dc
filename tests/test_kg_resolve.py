"""Any name a learner types finds its entity; an unknown one gets suggestions."""

from __future__ import annotations

import pytest

from kg import KG, UnknownEntityError


@pytest.mark.parametrize(
    ("name", "local"),
    [
        ("Random Cut Forest", "RandomCutForest"),
        ("rcf", "RandomCutForest"),
        ("RandomCutForest", "RandomCutForest"),
        ("kg:RandomCutForest", "RandomCutForest"),
        (str(KG.RandomCutForest), "RandomCutForest"),
        (f"<{KG.RandomCutForest}>", "RandomCutForest"),
        ("phát hiện bất thường", "AnomalyDetection"),
        ("phat hien bat thuong", "AnomalyDetection"),
        ("RILEVAMENTO delle anomalie", "AnomalyDetection"),
        ("rilevamento di anomalie", "AnomalyDetection"),
        ("Outlier Detection", "AnomalyDetection"),
        ("Amazon Elasticsearch Service", "OpenSearchService"),
        ("kinesis-data-firehose", "KinesisDataFirehose"),
        ("  Firehose ", "KinesisDataFirehose"),
        ("k-nn", "KNN"),
        ("Kỹ thuật dữ liệu", "DataEngineering"),
    ],
)
def test_resolve_accepts_labels_aliases_and_iris_in_any_language(fixture_kg, name, local):
    assert fixture_kg.resolve(name).iri == str(KG[local])


def test_entity_record_carries_every_name_and_definition(fixture_kg):
    entity = fixture_kg.entity("AnomalyDetection")
    assert entity.label == "anomaly detection"
    assert entity.type == "Concept"
    assert entity.labels == (
        ("en", "anomaly detection"),
        ("vi", "phát hiện bất thường"),
        ("it", "rilevamento delle anomalie"),
    )
    assert {"phát hiện bất thường", "outlier detection", "rilevamento di anomalie"} <= set(entity.aliases)
    assert entity.label not in entity.aliases
    assert [lang for lang, _ in entity.definitions] == ["en", "vi", "it"]
    assert entity.domains == (str(KG.Modeling),)


def test_domains_include_those_reached_through_task_statements(fixture_kg):
    # RandomCutForest is in Modeling directly and covers Task3_2 (also Modeling)
    assert fixture_kg.entity("RandomCutForest").domains == (str(KG.Modeling),)
    assert fixture_kg.entity("KinesisDataStreams").domains == (str(KG.DataEngineering),)


def test_hidden_labels_are_search_keywords_not_names(fixture_kg):
    firehose = fixture_kg.entity("KinesisDataFirehose")
    assert firehose.keywords == (("en", "clickstream to S3"), ("it", "caricare stream su S3"))
    assert "clickstream to S3" not in firehose.aliases
    assert all(m.iri != firehose.iri for m in fixture_kg.link("clickstream to S3 in near real time"))  # the linker only knows names


def test_former_names_are_aliases(fixture_kg):
    assert "Amazon Elasticsearch Service" in fixture_kg.entity("OpenSearchService").aliases


def test_unknown_name_suggests_close_labels(fixture_kg):
    with pytest.raises(UnknownEntityError) as caught:
        fixture_kg.resolve("Kinesis Fire")
    error = caught.value
    assert error.name == "Kinesis Fire"
    assert error.suggestions[0] == "Amazon Kinesis Data Firehose"
    assert str(error).startswith("unknown entity 'Kinesis Fire': did you mean Amazon Kinesis Data Firehose")
    assert "\n" not in str(error)


def test_typo_is_suggested_its_entity(fixture_kg):
    assert fixture_kg.suggest("Random Cut Forrest")[0].name == "RandomCutForest"
    assert fixture_kg.suggest("anomalie")[0].name == "AnomalyDetection"


def test_nonsense_gets_no_suggestion_but_a_way_out(fixture_kg):
    with pytest.raises(UnknownEntityError) as caught:
        fixture_kg.resolve("xyzzy qwrtp")
    assert caught.value.suggestions == ()
    assert "kg:LocalName" in str(caught.value)


def test_suggest_respects_n(fixture_kg):
    assert len(fixture_kg.suggest("Amazon Kinesis", n=2)) == 2
    assert fixture_kg.suggest("Amazon Kinesis", n=0) == ()
