"""The torch-free question encoder: an ONNX export of the index's model, made by the build."""

import json
import shutil
import subprocess
import sys
import unicodedata

import numpy as np
import pytest

from indexer.encoding import onnx_export as question_encoder
from indexer.encoding import onnx_writer
from indexer.encoding.sentence_transformer import SentenceTransformerEncoder
from indexer.encoding.onnx_export import OnnxEncoder, export_folder, find_export
from indexer.encoding.onnx_writer import ensure_export

pytestmark = pytest.mark.real_encoder

QUESTIONS = [
    "Which service converts text to speech?",
    "Which service converts speech audio into text?",
    unicodedata.normalize("NFD", "thuật toán nào dùng để phát hiện bất thường?"),
    "quale algoritmo rileva le anomalie nei dati?",
    "ＳａｇｅＭａｋｅｒ endpoint",  # full-width
    "",
]


@pytest.fixture(scope="module")
def default_encoder(studykg_cache):
    return SentenceTransformerEncoder.load()


def test_the_build_exports_the_default_encoder_and_questions_get_the_same_vectors(built_index, default_encoder):
    folder = find_export(default_encoder.fingerprint())
    assert folder is not None, "the build should have left an export for the default encoder"
    settings = json.loads((folder / "settings.json").read_text())
    assert settings["query_prompt"] == "query: " and settings["fingerprint"] == default_encoder.fingerprint()
    exported = OnnxEncoder(folder).encode_queries(QUESTIONS)  # one padded batch
    expected = default_encoder.encode_queries(QUESTIONS)
    assert exported.shape == expected.shape == (len(QUESTIONS), 384)
    assert np.min(np.sum(exported * expected, axis=1)) > 0.99999


def test_a_search_loads_neither_torch_nor_faiss(built_index):
    """What makes a cold `studykg ask` fast: the question is encoded by onnxruntime, the small index searched with numpy."""
    code = (
        "import sys; from indexer import StudyIndex; "
        f"result = StudyIndex.open({str(built_index)!r}).search('Which service converts text to speech?'); "
        "print(result.entities[0].label, '|', sorted(m for m in ('torch', 'sentence_transformers', 'faiss') if m in sys.modules))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert shown == "Amazon Polly | []"


def test_without_an_export_questions_are_encoded_by_the_model_with_the_same_answers(built_index, opened_index, monkeypatch):
    from indexer import StudyIndex
    from indexer.encoding import BACKEND_ENV

    monkeypatch.setenv(BACKEND_ENV, "torch")  # the model itself, not the export it would otherwise load for passages
    monkeypatch.setattr(question_encoder.OnnxEncoder, "find", classmethod(lambda cls, fingerprint: None))
    index = StudyIndex.open(built_index)
    assert index.question_encoder is index.encoder and isinstance(index.encoder, SentenceTransformerEncoder)
    for question in QUESTIONS[:4]:
        slow, fast = index.search(question), opened_index.search(question)
        assert [e.iri for e in slow.entities[:3]] == [e.iri for e in fast.entities[:3]]
        assert [h.chunk_id for h in slow.hits] == [h.chunk_id for h in fast.hits]


def test_an_index_of_another_model_gets_its_own_export(tiny_transformer_model):
    """A BERT model with token type ids and no normalization module exports too, under its own fingerprint."""
    encoder = SentenceTransformerEncoder.load(tiny_transformer_model)
    folder = ensure_export(encoder)
    assert folder == export_folder(encoder.fingerprint()) and folder == find_export(encoder.fingerprint())
    vectors = OnnxEncoder(folder).encode_queries(["text to speech", "kinesis data streams"])
    assert np.min(np.sum(vectors * encoder.encode_queries(["text to speech", "kinesis data streams"]), axis=1)) > 0.99999


def test_an_export_keeps_its_weights_beside_the_graph_and_one_without_them_is_made_again(tiny_transformer_model, monkeypatch, tmp_path):
    """The weights are a separate file that onnxruntime maps instead of reading (a load of the default export: 0.9 s -> 0.1 s)."""
    import onnx

    monkeypatch.setenv("STUDYKG_CACHE", str(tmp_path / "cache"))
    encoder = SentenceTransformerEncoder.load(tiny_transformer_model)
    folder = ensure_export(encoder)
    graph = onnx.load(str(folder / question_encoder.ONNX_FILE), load_external_data=False).graph
    external = {entry.value for tensor in graph.initializer for entry in tensor.external_data if entry.key == "location"}
    assert external == {question_encoder.WEIGHTS_FILE}
    (folder / question_encoder.WEIGHTS_FILE).unlink()  # an export copied in part, or its weights deleted by hand (another format has another folder)
    assert find_export(encoder.fingerprint()) is None
    assert ensure_export(encoder) == folder and (folder / question_encoder.WEIGHTS_FILE).is_file()


def test_an_export_that_does_not_load_is_discarded_and_the_build_goes_on(tiny_transformer_model, monkeypatch, caplog, tmp_path):
    monkeypatch.setenv("STUDYKG_CACHE", str(tmp_path / "cache"))
    encoder = SentenceTransformerEncoder.load(tiny_transformer_model)

    def broken_export(encoder, folder):
        (folder / "model.onnx").write_bytes(b"not a model")
        (folder / "tokenizer.json").write_text("{}")
        (folder / "settings.json").write_text(json.dumps({"model_name": encoder.name, "dim": encoder.dim}))

    monkeypatch.setattr(onnx_writer, "_write_export", broken_export)
    assert ensure_export(encoder) is None
    assert "could not export" in caplog.text
    assert not export_folder(encoder.fingerprint()).parent.exists() or not any(export_folder(encoder.fingerprint()).parent.iterdir())


def test_a_model_whose_queries_the_export_cannot_reproduce_is_left_to_sentence_transformers():
    class NoFastTokenizer:
        tokenizer = object()

    assert "tokenizer.json" in onnx_writer._unsupported(NoFastTokenizer())


def test_a_process_that_ends_while_the_encoder_still_loads_exits_cleanly(built_index):
    """A BM25-only question never waits for the encoder; the process must not abort in a loading thread.

    The searcher is ready before its encoder (which loads for about a second in a thread), so
    the process always ends while that thread still works.
    """
    code = f"from indexer import StudyIndex; StudyIndex.open({str(built_index)!r}).searcher"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and "terminate called" not in done.stderr


def test_an_index_without_an_export_gets_one_at_its_first_question(tiny_transformer_model, tmp_path, monkeypatch, caplog):
    """An index built before exports existed (or after the cache was cleared) is slow once, not at every question."""
    from conftest import FIXTURE_CORPUS
    from indexer import StudyIndex

    monkeypatch.setenv("STUDYKG_CACHE", str(tmp_path / "cache"))
    StudyIndex.build([FIXTURE_CORPUS], tmp_path / "index", model=str(tiny_transformer_model))
    fingerprint = StudyIndex.open(tmp_path / "index").manifest.model_fingerprint
    shutil.rmtree(export_folder(fingerprint))
    index = StudyIndex.open(tmp_path / "index")
    assert index.search("Kinesis Data Streams retention").hits
    assert "preparing the question encoder" in caplog.text
    assert find_export(fingerprint) is not None
    assert isinstance(StudyIndex.open(tmp_path / "index").question_encoder, OnnxEncoder)


def test_the_default_export_is_fused_and_gives_the_models_passage_vectors(built_index, default_encoder):
    """The export's attention is one fused kernel per layer (what makes it fast), and its vectors stay the model's."""
    import onnx

    from indexer.encoding.shipped_vectors import shipped_passage_texts

    folder = find_export(default_encoder.fingerprint())
    graph = onnx.load(str(folder / "model.onnx"), load_external_data=False).graph
    assert sum(node.op_type == "Attention" for node in graph.node) == 12
    texts = shipped_passage_texts(entities=False)[::150][:8]  # short and long chunks of the shipped corpus, en, vi and it
    exported = OnnxEncoder(folder, threads=2).encode_passages(texts, cached=False)
    expected = default_encoder.encode_passages(texts, cached=False)
    assert len(texts) == 8 and np.min(np.sum(exported * expected, axis=1)) > 0.999


def test_the_int8_backend_has_its_own_fingerprint_and_never_takes_the_fp32_shipped_vectors(tiny_transformer_model, tmp_path, monkeypatch):
    """Shown on a tiny model with vectors "shipped" for it: quantising the real 470 MB export costs a cold run 16 s."""
    from indexer.encoding import BACKEND_ENV, load_encoder
    from indexer.encoding import shipped_vectors as shipped_module

    monkeypatch.setenv("STUDYKG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(shipped_module, "SHIPPED_DIR", tmp_path / "vectors")
    shipped_module.shipped_vectors.cache_clear()
    fp32 = load_encoder(str(tiny_transformer_model))
    text, planted = "polly text to speech", np.eye(fp32.dim, dtype=np.float32)[:1]
    shipped_module.write_shipped_vectors(fp32.fingerprint(), fp32.prompt("passage"), [text], planted)

    monkeypatch.setenv(BACKEND_ENV, "onnx-int8")
    int8 = load_encoder(str(tiny_transformer_model))
    assert isinstance(int8, OnnxEncoder) and int8.fingerprint() == fp32.fingerprint() + question_encoder.INT8_SUFFIX
    assert find_export(int8.fingerprint()) == int8.folder != fp32.folder
    assert int8.cache.fingerprint == int8.fingerprint()  # its own embedding store, not the fp32 one
    assert np.allclose(fp32.encode_passages([text]), planted, atol=1e-3) and fp32.cache.reused == 1  # fp32 takes the shipped vector...
    computed = int8.encode_passages([text])
    assert int8.cache.reused == 0 and not np.allclose(computed, planted, atol=1e-3)  # ...int8 computes its own
    shipped_module.shipped_vectors.cache_clear()


def test_encoders_on_one_export_share_its_session_and_tokenizer_and_a_passage_session_goes_with_its_encoders(built_index, default_encoder):
    import gc
    import weakref

    from indexer.encoding.onnx_shared import shared_session, shared_tokenizer

    folder = find_export(default_encoder.fingerprint())
    first, second = OnnxEncoder(folder), OnnxEncoder(folder)
    assert np.allclose(first.encode_queries(QUESTIONS[:1]), second.encode_queries(QUESTIONS[:1]))
    assert first._session is second._session is shared_session(folder / "model.onnx", 1)  # read once per process
    assert first._tokenizer is second._tokenizer is shared_tokenizer(folder / "tokenizer.json", int(first.settings["max_length"]))

    passages = OnnxEncoder.for_passages(folder)
    passages.encode_passages(["passage"], cached=False)
    if passages.threads == 1:
        pytest.skip("one core: passages share the question session")
    gone = weakref.ref(passages._session)
    del passages
    gc.collect()
    assert gone() is None, "an app that added notes keeps no second copy of the model"


def test_an_unknown_encoder_backend_is_refused_with_the_choices(monkeypatch):
    from indexer.encoding import BACKEND_ENV, load_encoder
    from indexer.errors import ModelError

    monkeypatch.setenv(BACKEND_ENV, "onnx-int4")
    with pytest.raises(ModelError, match="onnx-int8"):
        load_encoder()


def test_a_second_loader_waits_for_the_export_another_one_is_writing_and_takes_it(tiny_transformer_model, tmp_path, monkeypatch, caplog):
    """Two processes (here two threads, which flock treats alike) starting on a cold cache export the model once."""
    import threading

    from indexer.encoding import load_encoder
    from indexer.encoding.preparing import preparing_models

    monkeypatch.setenv("STUDYKG_CACHE", str(tmp_path / "cache"))
    writes = []
    real_write = onnx_writer._write_export
    monkeypatch.setattr(onnx_writer, "_write_export", lambda *args, **kw: (writes.append(1), real_write(*args, **kw))[1])
    holding, release, loaded = threading.Event(), threading.Event(), {}

    def first() -> None:
        with preparing_models():
            holding.set()
            release.wait(30)
            loaded["first"] = load_encoder(str(tiny_transformer_model))  # re-entrant: exports under the lock it holds

    def second() -> None:
        loaded["second"] = load_encoder(str(tiny_transformer_model))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert holding.wait(30)
    with caplog.at_level("WARNING", logger="indexer.encoding.preparing"):
        threads[1].start()
        threads[1].join(1.0)
        assert threads[1].is_alive(), "the second loader must wait while the first holds the lock"
        release.set()
        for thread in threads:
            thread.join(60)
    assert "waiting for another studykg process that is preparing the encoder" in caplog.text
    assert len(writes) == 1, "the export is written once"
    assert isinstance(loaded["second"], OnnxEncoder) and loaded["second"].folder == loaded["first"].folder
