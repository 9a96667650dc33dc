"""The vector index: FAISS over chunk row ids, exact below a size threshold and HNSW above it.

``vectors.npy`` and ``ids.npy`` are the source of truth; the FAISS file is the search
structure built from them, so an incremental add can drop and add vectors freely.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

EXACT_SEARCH_LIMIT = 50_000  # below this many vectors, exact search is fast enough and has perfect recall
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96


class VectorIndex:
    """Inner-product search over unit vectors keyed by int64 chunk row ids."""

    def __init__(self, ids: np.ndarray, vectors: np.ndarray, *, exact_limit: int = EXACT_SEARCH_LIMIT) -> None:
        import faiss

        self.ids = np.ascontiguousarray(ids, dtype=np.int64)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.dim = self.vectors.shape[1] if self.vectors.ndim == 2 and self.vectors.shape[0] else 0
        self.kind = "flat" if len(self.ids) < exact_limit else "hnsw"
        self._exact_limit = exact_limit
        self._index = None
        if self.dim:
            if self.kind == "flat":
                base = faiss.IndexFlatIP(self.dim)
            else:
                base = faiss.IndexHNSWFlat(self.dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
                base.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
                base.hnsw.efSearch = HNSW_EF_SEARCH
            index = faiss.IndexIDMap2(base)
            index.add_with_ids(self.vectors, self.ids)
            self._index = index

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Top-k (row id, cosine) for one query vector."""
        if self._index is None or k <= 0:
            return []
        scores, ids = self._index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), min(k, len(self.ids)))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def vectors_for(self, ids: list[int]) -> dict[int, np.ndarray]:
        position = {int(i): n for n, i in enumerate(self.ids)}
        return {i: self.vectors[position[i]] for i in ids if i in position}

    def without(self, removed: set[int]) -> VectorIndex:
        keep = ~np.isin(self.ids, np.fromiter(removed, dtype=np.int64, count=len(removed)))
        return VectorIndex(self.ids[keep], self.vectors[keep], exact_limit=self._exact_limit)

    def plus(self, ids: np.ndarray, vectors: np.ndarray) -> VectorIndex:
        if not len(ids):
            return self
        all_vectors = np.concatenate([self.vectors, vectors]) if len(self.ids) else vectors
        return VectorIndex(np.concatenate([self.ids, ids]), all_vectors, exact_limit=self._exact_limit)

    def save(self, folder: Path) -> None:
        import faiss

        np.save(folder / "ids.npy", self.ids)
        np.save(folder / "vectors.npy", self.vectors)
        if self._index is not None:
            faiss.write_index(self._index, str(folder / "vectors.faiss"))

    @classmethod
    def load(cls, folder: Path, *, exact_limit: int = EXACT_SEARCH_LIMIT) -> VectorIndex:
        import faiss

        ids = np.load(folder / "ids.npy")
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        self = cls.__new__(cls)
        self.ids, self.vectors = ids, vectors
        self.dim = vectors.shape[1] if vectors.ndim == 2 and len(ids) else 0
        self._exact_limit = exact_limit
        self.kind = "flat" if len(ids) < exact_limit else "hnsw"
        faiss_file = folder / "vectors.faiss"
        self._index = faiss.read_index(str(faiss_file)) if faiss_file.exists() else None
        return self


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
        return cls(iris, np.load(folder / cls.FILE))
