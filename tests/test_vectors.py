import numpy as np

from indexer.vectors import VectorIndex


def _unit(rng, n, dim=32):
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_exact_below_the_threshold_and_ivf_above():
    rng = np.random.default_rng(0)
    vectors = _unit(rng, 600)
    ids = np.arange(100, 700, dtype=np.int64)
    flat = VectorIndex(ids, vectors, exact_limit=1000)
    ivf = VectorIndex(ids, vectors, exact_limit=500)
    assert (flat.kind, ivf.kind) == ("flat", "ivf")
    queries = _unit(rng, 20)
    recall = np.mean([len({i for i, _ in flat.search(q, 10)} & {i for i, _ in ivf.search(q, 10)}) / 10 for q in queries])
    assert recall >= 0.9
    top_id, top_score = flat.search(vectors[5], 1)[0]
    assert top_id == 105 and abs(top_score - 1.0) < 1e-5


def test_an_ivf_index_loads_as_ivf_and_searches_its_lists(tmp_path):
    import faiss

    from indexer.vectors import IVF_NPROBE, ivf_lists

    rng = np.random.default_rng(3)
    vectors = _unit(rng, 4000)
    index = VectorIndex(np.arange(4000, dtype=np.int64), vectors, exact_limit=1000)
    index.save(tmp_path)
    loaded = VectorIndex.load(tmp_path, exact_limit=1000)
    assert loaded.kind == "ivf" and ivf_lists(4000) == 102
    assert faiss.downcast_index(loaded._index.index).nprobe == min(IVF_NPROBE, 102)
    assert loaded.search(vectors[17], 1)[0][0] == 17


def test_save_load_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    index = VectorIndex(np.arange(50, dtype=np.int64), _unit(rng, 50))
    index.save(tmp_path)
    loaded = VectorIndex.load(tmp_path)
    query = _unit(rng, 1)[0]
    assert loaded.search(query, 5) == index.search(query, 5)
    assert len(loaded) == 50


def test_without_and_plus_keep_ids_aligned():
    rng = np.random.default_rng(2)
    vectors = _unit(rng, 10)
    index = VectorIndex(np.arange(10, dtype=np.int64), vectors).without({3, 4})
    assert 3 not in {i for i, _ in index.search(vectors[3], 10)}
    extra = _unit(rng, 2)
    index = index.plus(np.array([42, 43], dtype=np.int64), extra)
    assert index.search(extra[1], 1)[0][0] == 43 and len(index) == 10
