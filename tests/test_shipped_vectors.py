"""The shipped corpus's passage vectors ship with it, and are never stale."""

import numpy as np
import pytest

from indexer.embedding_cache import EmbeddingCache
from indexer.encoder import model_fingerprint
from indexer.pretrained import PROMPTS, resolve_default_model
from indexer.shipped_vectors import cache_key, shipped_file, shipped_passage_texts, shipped_vectors

REGENERATE = "regenerate with: python -m indexer.shipped_vectors"


@pytest.fixture(scope="module")
def fingerprint(studykg_cache) -> str:
    return model_fingerprint(resolve_default_model().path)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return shipped_passage_texts()


def test_the_shipped_vectors_are_those_of_the_default_model_and_the_shipped_corpus(fingerprint, texts):
    """Fails when the corpus, the chunking or the default model changed since the file was written."""
    assert shipped_file(fingerprint).is_file(), f"no shipped vectors for the default model ({fingerprint}); {REGENERATE}"
    shipped = shipped_vectors(fingerprint)
    wanted = {cache_key(PROMPTS["passage"], text) for text in texts}
    missing, extra = len(wanted - shipped.keys()), len(shipped.keys() - wanted)
    assert (missing, extra) == (0, 0), f"{missing} shipped passages have no vector and {extra} vectors no passage; {REGENERATE}"
    assert shipped_file(fingerprint).stat().st_size < 3_000_000


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
