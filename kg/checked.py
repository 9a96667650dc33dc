"""Remember the graph folders that passed their checks, so an unchanged graph is not checked again.

The SHACL shapes and the source check take about three seconds on the shipped graph and
always give the same answer for the same files, yet every build, rebuild and first run paid
them again. A pass is remembered under a fingerprint of everything the answer depends on:
the graph's Turtle files (shapes included), the corpus pages the sources point into, the
checking code itself (every module of ``kg``) and the versions of the libraries that parse
and validate. Change any of them and the checks run again; only passes are remembered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import KnowledgeGraph

_LIBRARIES = ("pyshacl", "rdflib", "pyoxigraph", "oxrdflib")


def check_once(graph: KnowledgeGraph, graph_dir: Path, remembered_in: Path) -> None:
    """``graph.check_shapes()`` then ``graph.check_sources()``, skipped when the same files passed them before.

    ``graph`` was loaded from ``graph_dir``; passes are remembered in the folder ``remembered_in``.

    Raises:
        GraphShapeError, GraphLoadError: as the two checks do.
    """
    fingerprint = checks_fingerprint(Path(graph_dir), Path(graph_dir).parent)
    if passed_before(remembered_in, fingerprint):
        return
    graph.check_shapes()
    graph.check_sources()
    remember_passed(remembered_in, fingerprint)


def checks_fingerprint(graph_dir: Path, corpus_root: Path) -> str:
    """A hex digest that changes whenever the answer of the graph's checks could change."""
    digest = hashlib.sha256()
    for library in _LIBRARIES:
        digest.update(f"{library}=={_version(library)}\n".encode())
    package = Path(__file__).resolve().parent
    _hash_files(digest, package, sorted(package.glob("*.py")))
    _hash_files(digest, graph_dir, sorted(Path(graph_dir).glob("*.ttl")))
    _hash_files(digest, corpus_root, sorted(Path(corpus_root).rglob("*.md")))
    return digest.hexdigest()


def passed_before(folder: Path, fingerprint: str) -> bool:
    """Whether a graph with this fingerprint passed its checks before."""
    return (Path(folder) / fingerprint).is_file()


def remember_passed(folder: Path, fingerprint: str) -> None:
    """Record a pass; a cache folder that cannot be written only costs the next build the checks."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / fingerprint).touch()  # an empty file: its name is the whole record
    except OSError:
        pass


def _hash_files(digest, root: Path, paths: Iterable[Path]) -> None:
    for path in paths:
        if not path.is_file():
            continue
        data = path.read_bytes()
        name = path.relative_to(root).as_posix()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)


def _version(library: str) -> str:
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return "absent"
