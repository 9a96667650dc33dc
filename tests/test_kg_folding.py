"""Accent and case folding, and the way back to original offsets."""

from __future__ import annotations

import unicodedata

from kg import fold, fold_with_offsets, label_key
from kg.folding import strip_accents


def test_fold_strips_vietnamese_and_italian_accents_and_case():
    assert fold("Phát Hiện BẤT THƯỜNG") == "phat hien bat thuong"
    assert fold("Rilevamento delle Anomalìe") == "rilevamento delle anomalie"
    assert fold("Đồng bộ đường") == "dong bo duong"


def test_strip_accents_keeps_case():
    assert strip_accents("Đà Nẵng Forecast") == "Da Nang Forecast"


def test_label_key_ignores_punctuation_and_spacing():
    assert label_key("k-Nearest  Neighbors (k-NN)") == "k nearest neighbors k nn"


def test_offsets_are_identity_when_every_character_folds_to_one():
    folded = fold_with_offsets("Mô hình Amazon S3")
    assert folded.offsets is None
    assert folded.original_span(9, 15) == (9, 15)


def test_offsets_follow_expanding_characters():
    text = "Straße S3"
    folded = fold_with_offsets(text)
    assert folded.text == "strasse s3"
    start = folded.text.index("s3")
    begin, end = folded.original_span(start, start + 2)
    assert text[begin:end] == "S3"


def test_offsets_of_decomposed_text_keep_trailing_accents_inside_the_span():
    text = unicodedata.normalize("NFD", "về phát hiện")
    folded = fold_with_offsets(text)
    assert folded.text == "ve phat hien"
    begin, end = folded.original_span(3, 7)
    assert unicodedata.normalize("NFC", text[begin:end]) == "phát"
