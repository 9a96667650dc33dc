"""Entity linking: whole words, longest match, folded accents, offsets into the original text."""

from __future__ import annotations

import unicodedata

import pytest

from kg import KG, Mention


def names(mentions: tuple[Mention, ...]) -> list[str]:
    return [m.iri.rsplit("#", 1)[1] for m in mentions]


def test_finds_acronym_and_full_name(fixture_kg):
    text = "RCF, short for Random Cut Forest, scores anomalies."
    mentions = fixture_kg.link(text)
    assert [(m.surface, m.iri) for m in mentions] == [
        ("RCF", str(KG.RandomCutForest)),
        ("Random Cut Forest", str(KG.RandomCutForest)),
    ]


def test_offsets_point_into_the_original_text(fixture_kg):
    text = "Đầu tiên, dùng Amazon Kinesis Data Firehose để ghi vào S3."
    for mention in fixture_kg.link(text):
        assert text[mention.start : mention.end] == mention.surface
    assert [m.surface for m in fixture_kg.link(text)] == ["Amazon Kinesis Data Firehose", "S3"]


def test_accents_are_folded_both_ways(fixture_kg):
    accented = fixture_kg.link("Bài này nói về phát hiện bất thường trong dữ liệu.")
    plain = fixture_kg.link("bai nay noi ve PHAT HIEN BAT THUONG trong du lieu")
    assert names(accented) == names(plain) == ["AnomalyDetection"]
    assert accented[0].surface == "phát hiện bất thường"


def test_decomposed_accents_stay_inside_the_mention(fixture_kg):
    text = unicodedata.normalize("NFD", "Il rilevamento delle anomalìe è utile")
    (mention,) = fixture_kg.link(text)
    assert mention.iri == str(KG.AnomalyDetection)
    assert unicodedata.normalize("NFC", mention.surface) == "rilevamento delle anomalìe"


def test_matches_whole_words_only(fixture_kg):
    text = "Lexicon and lexical analysis; glued parts; S3X and KDAs; RCFs; forecasting"
    assert fixture_kg.link(text) == ()


def test_longest_match_wins(fixture_kg):
    mentions = fixture_kg.link("Amazon Kinesis Data Firehose and Kinesis Data Streams")
    assert names(mentions) == ["KinesisDataFirehose", "KinesisDataStreams"]
    assert mentions[0].surface == "Amazon Kinesis Data Firehose"


def test_punctuation_and_line_breaks_inside_a_name_are_tolerated(fixture_kg):
    assert names(fixture_kg.link("use k-NN or **Random\nCut   Forest**")) == ["KNN", "RandomCutForest"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Amazon Forecast trains DeepAR", ["Forecast", "DeepAR"]),
        ("Forecast trains models", ["Forecast"]),
        ("the forecast says rain", []),
        ("AWS Glue or Glue", ["Glue", "Glue"]),
        ("glue the parts", []),
        ("Lex answers", ["Lex"]),
        ("Ground Truth labels", ["SageMakerGroundTruth"]),
        ("compare predictions with the ground truth", []),
        ("a GAN makes images", ["GenerativeAdversarialNetwork"]),
        ("điểm gần nhau, gan", []),
        ("knn, KNN and k-NN", ["KNN", "KNN", "KNN"]),
        ("s3 or S3", ["S3", "S3"]),
        ("Dropout reduces overfitting", ["Dropout", "Overfitting"]),
        ("use dropout against Overfitting", ["Dropout", "Overfitting"]),
    ],
)
def test_ordinary_words_match_only_as_the_product_writes_them(fixture_kg, text, expected):
    assert names(fixture_kg.link(text)) == expected


def test_empty_and_wordless_text_has_no_mentions(fixture_kg):
    assert fixture_kg.link("") == ()
    assert fixture_kg.link(" -- !! ") == ()


def test_exam_domain_names_link_only_as_written(fixture_kg):
    assert names(fixture_kg.link("Domain 3, Modeling, covers modeling choices")) == ["Modeling"]
    assert names(fixture_kg.link("data engineering teams")) == []


def test_a_concept_named_in_the_plural_is_linked(fixture_kg):
    mentions = fixture_kg.link("Two anomaly detections ran on the stream.")
    assert names(mentions) == ["AnomalyDetection"] and mentions[0].surface == "anomaly detections"


def test_product_names_are_not_inflected(fixture_kg):
    assert names(fixture_kg.link("Random Cut Forest")) == ["RandomCutForest"]
    assert fixture_kg.link("Random Cut Forests are grown per shard") == ()


def test_plural_forms_follow_english_spelling():
    from kg.link import plural_forms

    assert plural_forms("decision tree") == ("decision trees",)
    assert plural_forms("Accuracy") == ("Accuracies",)
    assert plural_forms("Batch") == ("Batches",)
    assert plural_forms("Embeddings") == () and plural_forms("boosting") == () and plural_forms("PCA") == ()
