"""PEP 562 lazy exports: a package's public names import their submodule on first use.

Both packages use it so that ``import kg`` or ``import indexer`` stays cheap: a graph command
or a refused question must not load rdflib, FAISS or the encoder it never touches.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import import_module


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose ``exports`` map each name to its submodule."""
    module = sys.modules[package]

    def __getattr__(name: str) -> object:
        if name not in exports:
            raise AttributeError(f"module '{package}' has no attribute '{name}'")
        value = getattr(import_module(f".{exports[name]}", package), name)
        setattr(module, name, value)  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted([*vars(module), *exports])

    return __getattr__, __dir__
