"""Personalized PageRank over the entity projection, with numpy.

The projection is small (hundreds of nodes) but queried on every concept card, so the
edge arrays are built once and each query is a few dozen vectorised sweeps. networkx's own
pagerank would pull in scipy and rebuild its matrix on every call.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

__all__ = ["PersonalizedPageRank"]


class PersonalizedPageRank:
    """Random walks that restart at one seed node; an edge's `attr` value is its pull."""

    def __init__(self, graph: nx.Graph, attr: str = "pull", alpha: float = 0.85) -> None:
        self._nodes = list(graph.nodes)
        self._index = {node: i for i, node in enumerate(self._nodes)}
        self._alpha = alpha
        src, dst, pull = [], [], []
        for u, v, value in graph.edges(data=attr, default=1.0):
            i, j = self._index[u], self._index[v]
            src += [i, j]
            dst += [j, i]
            pull += [float(value), float(value)]
        self._src = np.asarray(src, dtype=np.int64)
        self._dst = np.asarray(dst, dtype=np.int64)
        strength = np.bincount(self._src, weights=np.asarray(pull), minlength=len(self._nodes))
        self._share = np.asarray(pull) / strength[self._src] if len(pull) else np.asarray(pull)
        self._dangling = strength == 0

    def scores(self, seed: str, tol: float = 1e-10, max_iter: int = 200) -> dict[str, float]:
        """Visit probability of every node for walks restarting at `seed` (sums to 1)."""
        n = len(self._nodes)
        restart = np.zeros(n)
        restart[self._index[seed]] = 1.0
        x = restart.copy()
        for _ in range(max_iter):
            spread = np.bincount(self._dst, weights=x[self._src] * self._share, minlength=n)
            # walkers stuck on an isolated node jump back to the seed
            stuck = x[self._dangling].sum()
            new = self._alpha * (spread + stuck * restart) + (1 - self._alpha) * restart
            done = np.abs(new - x).sum() < tol
            x = new
            if done:
                break
        return {node: float(x[i]) for i, node in enumerate(self._nodes)}
