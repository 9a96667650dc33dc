"""The shipped corpus's passage vectors ship with it, and are never stale."""

import numpy as np
import pytest

from indexer.encoding.embedding_cache import EmbeddingCache
from indexer.encoding.sentence_transformer import model_fingerprint
from indexer.encoding.pretrained import PROMPTS, resolve_default_model
from indexer.encoding.shipped_vectors import SHIPPED_DIR, cache_key, shipped_file, shipped_passage_texts, shipped_vectors

pytestmark = pytest.mark.real_encoder

REGENERATE = "regenerate with: python -m indexer.encoding.shipped_vectors"


@pytest.fixture(scope="module")
def shipped_fingerprint() -> str:
    """The model fingerprint the shipped file was written for (exactly one file ships)."""
    files = sorted(SHIPPED_DIR.glob("passages-*.npz"))
    assert len(files) == 1, f"expected one shipped vectors file in {SHIPPED_DIR}, found {len(files)}; {REGENERATE}"
    return files[0].stem.removeprefix("passages-")


@pytest.fixture(scope="module")
def fingerprint(studykg_cache, shipped_fingerprint) -> str:
    """The default model's fingerprint here. The converted folder records library versions, so another
    environment may convert the same weights to another fingerprint: then nothing ships for it and a
    first run embeds the corpus itself, which these tests cannot check."""
    local = model_fingerprint(resolve_default_model().path)
    if local != shipped_fingerprint:
        pytest.skip(f"the default model converted here ({local}) is not the one the vectors ship for ({shipped_fingerprint})")
    return local


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return shipped_passage_texts()


def test_the_shipped_vectors_are_those_of_the_shipped_corpus(shipped_fingerprint, texts):
    """Fails when the corpus or the chunking changed since the file was written."""
    shipped = shipped_vectors(shipped_fingerprint)
    wanted = {cache_key(PROMPTS["passage"], text) for text in texts}
    missing, extra = len(wanted - shipped.keys()), len(shipped.keys() - wanted)
    assert (missing, extra) == (0, 0), f"{missing} shipped passages have no vector and {extra} vectors no passage; {REGENERATE}"
    assert shipped_file(shipped_fingerprint).stat().st_size < 3_000_000


def test_the_embedding_cache_takes_shipped_vectors_before_computing(fingerprint, texts, tmp_path):
    def compute(missing):
        raise AssertionError(f"computed {len(missing)} shipped passages")

    cache = EmbeddingCache(tmp_path, fingerprint, 384)  # an empty cache: a first run
    vectors = cache.encode(texts[:40], PROMPTS["passage"], compute)
    assert cache.reused == 40 and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_shipped_vectors_are_the_models_vectors(fingerprint, texts, built_index):
    from indexer.encoding import load_encoder

    sample = texts[::400]
    computed = load_encoder().encode_passages(sample, cached=False)
    shipped = np.stack([shipped_vectors(fingerprint)[cache_key(PROMPTS["passage"], t)] for t in sample])
    assert np.min(np.sum(computed * shipped, axis=1)) > 0.9999
