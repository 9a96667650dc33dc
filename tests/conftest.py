"""Shared fixtures: a small corpus, and one index built from it per test session.

Building and opening indexes is what makes the suite slow, so each is done once and shared:
``built_index`` (tests/fixtures/corpus) and ``app_index`` (tests/fixtures/app_corpus) are
built once per session with the default encoder (multilingual-e5-small, converted once into
``studykg_cache``), ``opened_index`` opens ``built_index`` once for the tests that only read it,
and tests that change an index work on ``index_copy``. The encoder is loaded once per process
and passage vectors are cached by content, so a test that rebuilds an index embeds only text
no earlier build of the session embedded.

Tests that check what an index stores, not how well it ranks, get the same fixture corpus
embedded by ``HashingEncoder`` (``indexer/encoding/fake.py``: hashed character trigrams, no
model): ``fake_index`` and ``fake_index_copy``, and ``index_copy`` itself in the modules of
``FAKE_ENCODER_MODULES``. Their searches still find a passage by its words.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_CORPUS = FIXTURES / "corpus"


_PREPARING: subprocess.Popen | None = None


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under pytest-xdist, convert and export the default encoder in a process of its own while the workers start.

    The workers share the converted model through ``studykg_cache`` (in .pytest_cache). A
    worker that needs the model before it is ready waits on the cache's preparation lock
    (``indexer/encoding/preparing.py``) and leaves its core to the conversion; the tests that
    need no model run meanwhile. Without the lock each worker would convert it at the same
    moment, both cores spending 30 s on the same work.
    """
    global _PREPARING
    config = session.config
    if "not real_encoder" in (config.option.markexpr or ""):
        return  # the quick run of the files that need no model
    if hasattr(config, "workerinput"):
        # The conversion is the critical path of a cold run: the workers yield the CPU to it. Once it is done
        # nothing else competes, so their lower priority costs nothing (one cold run: 184 s -> 166 s; the README has the range).
        if hasattr(os, "nice"):  # not on Windows
            os.nice(5)
        return
    if not getattr(config.option, "numprocesses", None) or getattr(config, "cache", None) is None:
        return
    env = {**os.environ, "STUDYKG_CACHE": str(config.cache.mkdir("studykg-cache")), "HF_HUB_OFFLINE": "1"}
    root = Path(__file__).parent.parent
    # Quiet: its progress bars would interleave with the report. If it fails, the first worker that needs the
    # model converts it itself and fails with the error in that test's report.
    _PREPARING = subprocess.Popen(
        [sys.executable, "-c", "from indexer.encoding import load_encoder; load_encoder()"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


# The longest files (30 to 80 s each on 2 cores), handed out first among those that need the model, so that
# none of them is left for the end while the other worker idles. Only an ordering hint: a stale list costs time.
LONGEST_FILES = ("tests/test_app_e2e.py", "tests/test_app.py", "tests/test_question_encoder.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files that need no model first, so both workers have work while the encoder is converted; then the
    longest files, then the others by size.

    The order is xdist's (``--no-loadscope-reorder`` in ``pyproject.toml``): it hands out whole
    files in this order. A file marked ``real_encoder`` that is reached before the model is
    ready waits for it; an unmarked file that uses the model would only wait the same way.
    """
    sizes: dict[str, int] = {}
    for item in items:
        sizes[_file(item)] = sizes.get(_file(item), 0) + 1

    def order(item: pytest.Item) -> tuple:
        needs_model = item.get_closest_marker("real_encoder") is not None
        return (needs_model, _file(item) not in LONGEST_FILES, -sizes[_file(item)], _file(item))

    items.sort(key=order)


def _file(item: pytest.Item) -> str:
    return item.nodeid.split("::")[0]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Wait for the preparing process (it has long finished unless every test was deselected)."""
    if _PREPARING is not None:
        _PREPARING.wait()


@pytest.fixture(scope="session", autouse=True)
def studykg_cache(request, tmp_path_factory):
    """The converted default encoder and its embedding cache, kept between local runs (.pytest_cache), new in CI.

    Session-wide and autouse, so the session's index fixtures (built before any per-test
    fixture runs) use it too, never the user's ~/.cache.
    """
    cache = getattr(request.config, "cache", None)
    path = Path(cache.mkdir("studykg-cache")) if cache is not None else tmp_path_factory.mktemp("studykg-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STUDYKG_CACHE", str(path))
        yield path


@pytest.fixture(scope="session", autouse=True)
def _streamlit_components_scanned_once():
    """Each new ``AppTest`` scans every installed package for Streamlit components on its first run
    (about 0.1 s of CPU, some 250 times a suite run, a tenth of the suite's CPU). The packages do not
    change during a session, so the first scan's answer serves every later one. Only a speed-up: a
    Streamlit without this scanner runs the suite unchanged."""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:
        manifest_scanner = None
    if not callable(getattr(manifest_scanner, "scan_component_manifests", None)):
        yield
        return
    scan = functools.cache(manifest_scanner.scan_component_manifests)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(manifest_scanner, "scan_component_manifests", lambda max_workers=None: list(scan()))
        yield


@pytest.fixture(autouse=True)
def _no_user_index(monkeypatch, tmp_path_factory, studykg_cache):
    """Keep tests away from the real index/ folder, the user's cache, learner database and home directory, and the network."""
    monkeypatch.setenv("STUDYKG_INDEX", str(tmp_path_factory.mktemp("default-index")))
    monkeypatch.setenv("STUDYKG_CACHE", str(studykg_cache))
    monkeypatch.setenv("STUDYKG_LEARNER_DB", str(tmp_path_factory.mktemp("learner") / "learner.db"))
    # The app indexes folders under these roots only; tests make their notes in temporary folders.
    monkeypatch.setenv("STUDYKG_NOTES_ROOTS", str(tmp_path_factory.getbasetemp()))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def built_index(tmp_path_factory) -> Path:
    """An index of the fixture corpus with the shipped graph and the default encoder, built once."""
    from indexer import StudyIndex

    path = tmp_path_factory.mktemp("index")
    StudyIndex.build([FIXTURE_CORPUS], path)
    return path


@pytest.fixture(scope="session")
def opened_index(built_index):
    """The session index opened once, every part loaded, for tests that only read and search it."""
    from indexer import StudyIndex

    index = StudyIndex.open(built_index).load_all()
    yield index
    index.close()


# Modules whose tests change an index and check what it stores (documents, versions, locks), not
# ranking quality: their ``index_copy`` is embedded by the hashing fake, not e5.
FAKE_ENCODER_MODULES = frozenset({"test_build", "test_reading", "test_reliability", "test_hostile_input", "test_cli"})  # not test_concurrent_writes: its app test relies on e5's off-topic threshold


@pytest.fixture(scope="session")
def fake_index(tmp_path_factory) -> Path:
    """The fixture corpus indexed with ``HashingEncoder``, built once: for tests that do not test ranking quality."""
    from indexer import StudyIndex
    from indexer.encoding import FAKE_MODEL

    path = tmp_path_factory.mktemp("fake-index")
    StudyIndex.build([FIXTURE_CORPUS], path, model=FAKE_MODEL)
    return path


@pytest.fixture
def fake_index_copy(fake_index, tmp_path) -> Path:
    """A private copy of ``fake_index`` for tests that change it."""
    target = tmp_path / "index"
    shutil.copytree(fake_index, target)
    return target


@pytest.fixture
def index_copy(request, tmp_path) -> Path:
    """A private copy of the session index for tests that change it (of ``fake_index`` in ``FAKE_ENCODER_MODULES``)."""
    fake = request.module.__name__.rpartition(".")[2] in FAKE_ENCODER_MODULES
    target = tmp_path / "index"
    shutil.copytree(request.getfixturevalue("fake_index" if fake else "built_index"), target)
    return target


@pytest.fixture(scope="session")
def tiny_transformer_model(tmp_path_factory) -> Path:
    """A tiny BERT sentence-transformers folder made offline, standing in for a downloaded model."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-model")
    vocab = folder / "vocab.txt"
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "polly", "speech", "text", "to", "kinesis", "data", "streams"]
    vocab.write_text("\n".join(words))
    bert = BertModel(BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32))
    raw = folder / "raw"
    bert.save_pretrained(raw)
    BertTokenizerFast(vocab_file=str(vocab)).save_pretrained(raw)
    transformer = Transformer(str(raw))
    model = SentenceTransformer(modules=[transformer, Pooling(transformer.get_embedding_dimension())])
    model.save(str(folder / "model"))
    return folder / "model"


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(FIXTURE_CORPUS, target)
    return target


# ---- kg: the fixture graph and the real curated graph --------------------------------
REPO = Path(__file__).parent.parent
REAL_GRAPH = REPO / "corpus" / "graph"
FIXTURE_GRAPH = FIXTURES / "graph"
SHAPES = REAL_GRAPH / "shapes.ttl"
CURATED_FILES = ("services.ttl", "algorithms.ttl", "concepts.ttl", "domains.ttl")


@pytest.fixture
def kg_graph_dir(tmp_path) -> Path:
    """A graph folder with the real ontology, the real shapes and the small fixture facts."""
    folder = tmp_path / "graph"
    folder.mkdir()
    for source in (REAL_GRAPH / "ontology.ttl", SHAPES, *FIXTURE_GRAPH.glob("*.ttl")):
        shutil.copy(source, folder)
    return folder


@pytest.fixture
def fixture_kg(kg_graph_dir):
    """The fixture graph, loaded fresh for each test (tests add documents to it)."""
    from kg import KnowledgeGraph

    return KnowledgeGraph.load_curated(kg_graph_dir)


@pytest.fixture(scope="session")
def real_kg():
    """The curated graph in corpus/graph, skipped while its fact files are still being written."""
    from kg import KnowledgeGraph

    present = [name for name in CURATED_FILES if (REAL_GRAPH / name).exists()]
    if not present:
        pytest.skip(f"no curated facts in {REAL_GRAPH} yet ({', '.join(CURATED_FILES)} missing)")
    return KnowledgeGraph.load_curated(REAL_GRAPH)


APP_CORPUS = FIXTURES / "app_corpus"


@pytest.fixture(scope="session")
def app_index(tmp_path_factory) -> Path:
    """An index of tests/fixtures/app_corpus (Polly, Random Cut Forest, Kinesis Data Analytics; en/vi/it notes), built once."""
    from indexer import StudyIndex

    path = tmp_path_factory.mktemp("app-index")
    StudyIndex.build([APP_CORPUS], path)
    return path
