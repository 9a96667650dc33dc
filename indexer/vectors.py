"""The vector index over chunk row ids: exact (a matrix product) below a size threshold, FAISS IVF above it.

``vectors.npy`` and ``ids.npy`` are the source of truth; the FAISS file is the search
structure built from them, so an incremental add can drop and add vectors freely.

Why IVF rather than HNSW past the threshold: every add rebuilds the search structure from
the vectors, and at 1M x 384 an IVF index (k-means on a sample, then one assignment pass)
builds in minutes on two cores where HNSW takes many times longer, while both answer one
query in a few milliseconds at recall@10 >= 0.95 (bench/bench_vectors.py has the figures).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .errors import IndexCorruptError

EXACT_SEARCH_LIMIT = 50_000  # below this many vectors, exact search is fast enough and has perfect recall
# IVF: about 4 * sqrt(n) lists, k-means trained on a sample of IVF_TRAIN_PER_LIST points a list,
# IVF_NPROBE lists searched per query (tuned with bench/bench_vectors.py at 100k and 1M x 384).
IVF_LISTS_PER_SQRT = 4
IVF_TRAIN_PER_LIST = 40
IVF_NPROBE = 128
IVF_SEED = 7


def ivf_lists(n: int) -> int:
    """How many inverted lists for ``n`` vectors: ~4 sqrt(n), and never fewer than 39 points a list to train on."""
    return max(1, min(int(IVF_LISTS_PER_SQRT * np.sqrt(n)), n // 39))


def _ivf(vectors: np.ndarray, dim: int):
    """An IVF-Flat index trained on a sample of ``vectors`` (inner product on unit vectors = cosine)."""
    import faiss

    lists = ivf_lists(len(vectors))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
    sample_size = min(len(vectors), lists * IVF_TRAIN_PER_LIST)
    sample = np.random.default_rng(IVF_SEED).choice(len(vectors), sample_size, replace=False)
    index.train(np.ascontiguousarray(vectors[np.sort(sample)]))
    index.nprobe = min(IVF_NPROBE, lists)
    return index


def _kind_of(index) -> str:
    """'ivf' for the IVF index studykg writes, else 'flat' (a loaded FAISS index, wrapped in an id map)."""
    import faiss

    base = faiss.downcast_index(index.index) if hasattr(index, "index") else index
    name = type(base).__name__
    return "ivf" if "IVF" in name else "flat"


class VectorIndex:
    """Inner-product search over unit vectors keyed by int64 chunk row ids.

    Below ``exact_limit`` vectors the search is one matrix product over ``vectors.npy``
    (exact, a few milliseconds), so a question never waits for FAISS to import; above it, an
    IVF index from FAISS.
    """

    def __init__(self, ids: np.ndarray, vectors: np.ndarray, *, exact_limit: int = EXACT_SEARCH_LIMIT, build: bool = True) -> None:
        """``build=False`` leaves out the FAISS structure: ``load`` reads the saved one instead."""
        self.ids = np.ascontiguousarray(ids, dtype=np.int64)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.dim = self.vectors.shape[1] if self.vectors.ndim == 2 and self.vectors.shape[0] else 0
        self.kind = "flat"
        self.exact_limit = exact_limit
        self._index = None
        self._positions: dict[int, int] | None = None
        if build:
            self._build()

    def _build(self) -> None:
        """The IVF structure, when there are at least ``exact_limit`` vectors (trained once per version)."""
        if self._index is None and self.dim and len(self.ids) >= self.exact_limit:
            import faiss

            index = faiss.IndexIDMap2(_ivf(self.vectors, self.dim))
            index.add_with_ids(self.vectors, self.ids)
            self._index, self.kind = index, "ivf"

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Top-k (row id, cosine) for one query vector."""
        k = min(k, len(self.ids))
        if not self.dim or k <= 0:
            return []
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        if self._index is None:
            scores = self.vectors @ query
            top = np.argpartition(-scores, k - 1)[:k]
            top = top[np.argsort(-scores[top], kind="stable")]
            return [(int(self.ids[i]), float(scores[i])) for i in top]
        scores, ids = self._index.search(query.reshape(1, -1), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def vectors_for(self, ids: list[int]) -> dict[int, np.ndarray]:
        """The stored vectors of some row ids (those not in the index are left out)."""
        if self._positions is None:
            self._positions = {int(i): n for n, i in enumerate(self.ids)}
        return {i: self.vectors[self._positions[i]] for i in ids if i in self._positions}

    def without(self, removed: set[int]) -> VectorIndex:
        """These vectors less ``removed``; like ``plus``, it trains no structure until ``save`` (an add does both)."""
        keep = ~np.isin(self.ids, np.fromiter(removed, dtype=np.int64, count=len(removed)))
        return VectorIndex(self.ids[keep], self.vectors[keep], exact_limit=self.exact_limit, build=False)

    def plus(self, ids: np.ndarray, vectors: np.ndarray) -> VectorIndex:
        if not len(ids):
            return self
        all_vectors = np.concatenate([self.vectors, vectors]) if len(self.ids) else vectors
        return VectorIndex(np.concatenate([self.ids, ids]), all_vectors, exact_limit=self.exact_limit, build=False)

    def save(self, folder: Path) -> None:
        self._build()
        np.save(folder / "ids.npy", self.ids)
        np.save(folder / "vectors.npy", self.vectors)
        if self._index is not None:
            import faiss

            faiss.write_index(self._index, str(folder / "vectors.faiss"))

    @classmethod
    def load(cls, folder: Path, *, exact_limit: int = EXACT_SEARCH_LIMIT) -> VectorIndex:
        ids, vectors = load_vector_arrays(folder)
        self = cls(ids, vectors, exact_limit=exact_limit, build=False)
        faiss_file = folder / "vectors.faiss"
        # Older versions wrote a FAISS file for small indexes too; exact search is better there.
        if len(self.ids) >= exact_limit and faiss_file.exists():
            import faiss

            # One interactive query at a time: FAISS's default OpenMP threads make each search
            # several times slower on a 2-core machine (DESIGN.md, performance notes).
            faiss.omp_set_num_threads(1)
            self._index = faiss.read_index(str(faiss_file))
            self.kind = _kind_of(self._index)
            base = faiss.downcast_index(self._index.index)
            if self.kind == "ivf":
                base.nprobe = min(IVF_NPROBE, base.nlist)
        return self


def load_vector_arrays(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """The ids and (memory-mapped) vectors of an index version, checked: one line naming the file and "rebuild" if damaged.

    Cheap (nothing is read but the headers), so a write checks the live version before copying it.
    """
    ids, vectors = _load_array(folder / "ids.npy"), _load_array(folder / "vectors.npy", mmap_mode="r")
    if ids.ndim != 1 or vectors.ndim != 2 or len(ids) != len(vectors) or not np.issubdtype(vectors.dtype, np.floating):
        raise IndexCorruptError(
            f"{folder / 'vectors.npy'}: damaged ({vectors.shape} {vectors.dtype} array for {len(ids)} ids); "
            "rebuild the index with 'studykg build'"
        )
    return ids, vectors


def _load_array(path: Path, **options) -> np.ndarray:
    """``np.load`` of an index file (never a pickle), or one line naming the file and "rebuild"."""
    try:
        return np.load(path, allow_pickle=False, **options)
    except (ValueError, EOFError, OSError) as exc:  # pickled, cut short, not an array, missing
        cause = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise IndexCorruptError(f"{path}: damaged, not a vector array ({cause}); rebuild the index with 'studykg build'") from None


class EntityVectors:
    """The graph entities' embeddings (names, definitions, keywords), computed at build time.

    A few hundred vectors: searched exactly with one matrix product, no FAISS needed.
    """

    FILE = "entity_vectors.npy"
    IRIS_FILE = "entity_iris.json"

    def __init__(self, iris: tuple[str, ...], vectors: np.ndarray) -> None:
        self.iris = iris
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def similarities(self, query: np.ndarray) -> np.ndarray:
        """Cosine of the query with every entity, in ``iris`` order."""
        return self.vectors @ np.asarray(query, dtype=np.float32)

    def save(self, folder: Path) -> None:
        np.save(folder / self.FILE, self.vectors)
        (folder / self.IRIS_FILE).write_text(json.dumps(list(self.iris)), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> EntityVectors:
        iris = tuple(json.loads((folder / cls.IRIS_FILE).read_text(encoding="utf-8")))
        return cls(iris, _load_array(folder / cls.FILE))
