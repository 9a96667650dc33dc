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


def test_exact_search_ranks_every_vector_by_cosine():
    rng = np.random.default_rng(4)
    vectors = _unit(rng, 300)
    index = VectorIndex(np.arange(1000, 1300, dtype=np.int64), vectors)
    query = _unit(rng, 1)[0]
    expected = np.argsort(-(vectors @ query))[:7]
    found = index.search(query, 7)
    assert [i for i, _ in found] == [1000 + int(n) for n in expected]
    assert np.allclose([s for _, s in found], (vectors @ query)[expected], atol=1e-6)
    assert len(index.search(query, 500)) == 300 and index.search(query, 0) == []


def test_a_small_index_saved_with_a_faiss_file_by_an_older_version_is_searched_exactly(tmp_path):
    import faiss

    rng = np.random.default_rng(5)
    vectors = _unit(rng, 200)
    index = VectorIndex(np.arange(200, dtype=np.int64), vectors)
    index.save(tmp_path)
    hnsw = faiss.IndexIDMap2(faiss.IndexHNSWFlat(32, 8, faiss.METRIC_INNER_PRODUCT))
    hnsw.add_with_ids(vectors, np.arange(200, dtype=np.int64))
    faiss.write_index(hnsw, str(tmp_path / "vectors.faiss"))
    loaded = VectorIndex.load(tmp_path)
    assert loaded.kind == "flat" and loaded.search(vectors[9], 3) == index.search(vectors[9], 3)


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
