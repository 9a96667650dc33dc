"""The interface every encoder meets: what the build, the add and the search need from one."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from ..errors import IndexMismatchError

if TYPE_CHECKING:
    from .embedding_cache import EmbeddingCache


@runtime_checkable
class Encoder(Protocol):
    """What the build, the add and the search need from an encoder.

    ``name`` is what the manifest records and ``--model`` names; ``source`` says where the
    weights came from; ``fingerprint()`` identifies the weights themselves, so an index is
    only ever searched with the vectors of the model it was built with.
    """

    name: str
    dim: int
    source: str
    # The content-hash cache of passage vectors (``embedding_cache.py``), or None for an encoder without one.
    cache: EmbeddingCache | None = None

    def fingerprint(self) -> str: ...

    def cache_hits(self) -> int:
        """How many passage vectors the cache has handed out so far: what a build reports as "from the cache"."""
        return self.cache.reused if self.cache is not None else 0

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length vectors for questions, shape (len(texts), dim)."""
        ...

    def encode_passages(self, texts: Sequence[str], *, cached: bool = True) -> np.ndarray:
        """Unit-length vectors for what answers questions; ``cached=False`` computes every one (what a benchmark measures)."""
        ...

    def require_fingerprint(self, expected: str, index_path: Path) -> Encoder:
        """This encoder, if its fingerprint is the one the index at ``index_path`` was built with.

        Raises:
            IndexMismatchError: the model's files changed since the build (another version, another source).
        """
        if self.fingerprint() != expected:
            raise IndexMismatchError(
                f"{index_path}: the encoder '{self.name}' now loads with other weights than the index was built with "
                f"({self.source}); rebuild with 'studykg build'"
            )
        return self
