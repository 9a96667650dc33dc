import numpy as np
import pytest

from indexer.encoder import Encoder
from indexer.errors import ModelError
from indexer.training import train_encoder

TEXTS = [
    "Amazon Polly converts text to speech in many voices.",
    "Amazon Transcribe converts speech to text.",
    "Random Cut Forest detects anomalies in numeric data.",
    "Kinesis Data Firehose delivers streaming data to S3.",
] * 5


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    pairs = [("sintesi vocale", "text to speech"), ("phát hiện bất thường", "anomaly detection")] * 10
    model = train_encoder(TEXTS, pairs)
    path = tmp_path_factory.mktemp("model")
    model.save(str(path))
    return model, path


def test_trained_model_round_trips_through_sentence_transformer(trained):
    from sentence_transformers import SentenceTransformer

    model, path = trained
    reloaded = SentenceTransformer(str(path))
    sentences = ["which service converts text to speech", "anomalies in data"]
    assert np.allclose(model.encode(sentences), reloaded.encode(sentences), atol=1e-6)


def test_fast_static_path_matches_sentence_transformers(trained):
    _, path = trained
    encoder = Encoder.load(path)
    sentences = ["Amazon Polly", "phat hien bat thuong", "Firehose delivers to S3 and Redshift", "x"]
    expected = encoder.model.encode(sentences, normalize_embeddings=True)
    assert np.allclose(encoder.encode(sentences), expected, atol=1e-5)
    assert np.allclose(np.linalg.norm(encoder.encode(sentences), axis=1), 1.0, atol=1e-5)


def test_accents_are_folded_by_the_tokenizer(trained):
    encoder = Encoder.load(trained[1])
    with_accents, without = encoder.encode(["phát hiện bất thường", "phat hien bat thuong"])
    assert float(with_accents @ without) > 0.999


def test_tuning_pulls_paired_texts_together():
    pairs = [("sintesi vocale", "text to speech")] * 64 + [("rilevamento anomalie", "detects anomalies")] * 64
    texts = TEXTS + ["sintesi vocale per leggere testi", "rilevamento anomalie nei dati"] * 5
    plain = Encoder(train_encoder(texts, pairs, tune=False), "plain")
    tuned = Encoder(train_encoder(texts, pairs, tune=True), "tuned")
    similarity = lambda enc: float(np.prod(enc.encode(["sintesi vocale", "text to speech"]), axis=0).sum())  # noqa: E731
    assert similarity(tuned) > similarity(plain) + 0.1


def test_missing_model_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        Encoder.load(str(tmp_path / "no-such-model"))


def test_folder_without_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="not a sentence-transformers model folder"):
        Encoder.load(tmp_path)


def test_unreachable_hub_model_fails_fast_with_the_fix(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="omit --model"):
        Encoder.load("sentence-transformers/all-MiniLM-L6-v2-not-cached")


def test_a_real_transformer_model_folder_loads(tiny_transformer_model):
    """Users' pretrained models are ordinary sentence-transformers folders; the fixture makes a tiny one offline."""
    encoder = Encoder.load(tiny_transformer_model)
    vectors = encoder.encode(["text to speech", "polly"])
    assert vectors.shape == (2, 16) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_an_index_built_with_a_pretrained_model_answers_with_it(tiny_transformer_model, tmp_path):
    from conftest import FIXTURE_CORPUS
    from indexer import StudyIndex

    report = StudyIndex.build([FIXTURE_CORPUS], tmp_path / "index", model=str(tiny_transformer_model))
    assert report.model == str(tiny_transformer_model)
    index = StudyIndex.open(tmp_path / "index", model=str(tiny_transformer_model))
    assert index.manifest.dim == 16 and not index.manifest.model_trained
    assert index.search("Kinesis Data Streams retention").hits

    notes = tmp_path / "notes"
    notes.mkdir()
    for n in range(3 * index.manifest.chunks):  # large enough that a trained encoder would be retrained
        (notes / f"n{n}.md").write_text(f"# Note {n}\n\nKinesis shards hold records for {n} hours.\n")
    assert not StudyIndex.add(notes, tmp_path / "index").retrained
    with pytest.raises(ModelError, match="pretrained model .* does not retrain"):
        StudyIndex.add(notes, tmp_path / "index", retrain=True)


def test_unreachable_hub_fails_fast_without_offline_mode(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.invalid")
    with pytest.raises(ModelError, match="hub.invalid cannot be reached"):
        Encoder.load("org/not-cached-model")


def test_the_same_texts_train_the_same_encoder(real_kg):
    """Rebuilding an unchanged corpus gives the same vectors (the tokenizer trainer alone would not)."""
    from indexer.pairs import entity_texts
    from indexer.training import TrainingConfig, build_tokenizer

    texts = entity_texts(real_kg)
    assert build_tokenizer(texts, TrainingConfig()).get_vocab() == build_tokenizer(texts, TrainingConfig()).get_vocab()
    first, second = (train_encoder(texts, [], tune=False)[0].embedding.weight.detach().numpy() for _ in range(2))
    assert np.array_equal(first, second)


def test_search_keywords_are_paired_with_their_entity(real_kg):
    """A learner's wording ("clickstream to S3") is taught to sit near the entity it means."""
    from indexer.pairs import training_pairs

    firehose = real_kg.entity("KinesisDataFirehose")
    assert firehose.keywords
    pairs = training_pairs(real_kg, [])
    for _, keyword in firehose.keywords:
        assert (keyword, f"{firehose.label}: {firehose.definition}") in pairs
