"""Accent and case folding, and the way back to original offsets."""

from __future__ import annotations

import unicodedata

import pytest

from indexer.records import Chunk, Document
from kg import fold, fold_with_offsets, label_key
from kg.folding import has_word, letter_words, strip_accents, words
from kg.link import Linker
from kg.records import Entity


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


# ---- one tokenizer: a name folds and splits the same in every part that reads words ----

# (as a learner or a note may write it, the same name typed plainly)
_NAME_FORMS = [
    ("Đà Nẵng", "da nang"),
    ("Øresund", "oresund"),
    ("Æsir", "aesir"),
    ("Œuvre", "oeuvre"),
    ("Łódź", "lodz"),
    ("Straße", "strasse"),
    ("ＳａｇｅＭａｋｅｒ", "sagemaker"),  # full-width letters
    ("ﬁne-tuning", "fine tuning"),  # the "fi" ligature
    (unicodedata.normalize("NFD", "Phát hiện bất thường"), "phat hien bat thuong"),  # combining accents
    ("data_capture", "data capture"),
]


@pytest.mark.parametrize(("written", "plain"), _NAME_FORMS)
def test_a_name_folds_to_the_same_words_as_its_plain_spelling(written, plain):
    assert words(written) == plain.split()
    assert label_key(written) == plain


@pytest.mark.parametrize(("written", "plain"), _NAME_FORMS)
def test_bm25_indexes_and_queries_the_folded_words(tmp_path, written, plain):
    from indexer.store import ChunkStore, fts_text

    store = ChunkStore(tmp_path / "chunks.db")
    other = "unrelated words about speech synthesis"
    for ordinal, text in enumerate((f"A note on {written} here.", other)):
        doc_id = f"notes/{ordinal}.md"
        document = Document(doc_id, doc_id, str(tmp_path / doc_id), str(tmp_path), "note", "t", "en", None, (), text, 1, "x", 1)
        chunk = Chunk(f"{doc_id}#0", doc_id, doc_id, "note", "t", "", text, "en", 1, 1, 0)
        store.put_document(document, [chunk], [[]])
    store.commit()
    vocabulary = {row[0] for row in store.db.execute("SELECT term FROM chunks_vocab")}
    assert set(plain.split()) <= vocabulary
    assert fts_text(written) == plain
    for query in (written, plain, plain.upper()):
        found = store.lexical_search(query, 5)
        assert [rowid for rowid, _ in found] == [1], query
    if len(plain.split()) > 1:
        assert [rowid for rowid, _ in store.phrase_search(f"{written} here", 5, length=2)] == [1]
    store.delete_document("notes/0.md")  # a 'delete' must pass what the insert did, or FTS5 keeps stale words
    store.commit()
    assert store.lexical_search(plain, 5) == []
    store.close()


@pytest.mark.parametrize(("written", "plain"), _NAME_FORMS)
def test_entity_words_stem_a_name_like_its_plain_spelling(written, plain):
    from indexer.entity_words import stems

    assert stems(written) == stems(plain) != []


@pytest.mark.parametrize(("written", "plain"), _NAME_FORMS)
def test_linking_finds_a_name_however_it_is_written(written, plain):
    entity = Entity(iri="https://example.org/kg#Thing", name="Thing", label=written, type="Concept", definition="")
    linker = Linker({entity.iri: entity})
    for text in (f"We talked about {written} today.", f"we talked about {plain} today"):
        mentions = linker.link(text)
        assert [m.iri for m in mentions] == [entity.iri], text
        assert label_key(mentions[0].surface) == plain


@pytest.mark.parametrize(("written", "plain"), _NAME_FORMS)
def test_question_checks_accept_every_written_name(written, plain):
    from indexer.questions import check_question

    assert check_question(f"what is {written}?") == f"what is {written}?"


def test_question_checks_refuse_underscores_and_punctuation_alone():
    from indexer.errors import QueryError
    from indexer.questions import check_question

    with pytest.raises(QueryError, match="no words"):
        check_question("___ ?!")


def test_letter_words_leave_out_digits_and_underscores_for_language_detection():
    assert letter_words("S3 bucket_name 2026 perché") == ["S", "bucket", "name", "perché"]
    assert has_word("Ｓ３") and not has_word("_-_")


def test_question_words_are_told_apart_before_folding():
    from indexer.entity_words import stems

    # "nên" (should) is a question word and is left out; "nén" (compress) folds to the same "nen" and stays.
    assert stems("nên") == []
    assert stems(unicodedata.normalize("NFD", "nén")) == stems("nen") != []
