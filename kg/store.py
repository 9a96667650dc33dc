"""`KnowledgeGraph`: the one object callers hold, from loading a graph to answering questions.

The triples live in an in-memory Oxigraph store behind rdflib's Graph API: it parses about
ten times faster than rdflib's own store and runs SPARQL inside the store, while rdflib's
API keeps the seam for a remote store (Fuseki, Neptune) through `KnowledgeGraph(graph)`.
An index keeps the whole graph as one Turtle file beside a JSON manifest: a plain file any
number of processes can read at once. Turtle and N-Triples load equally fast into Oxigraph
(bench/bench_kg.py), and Turtle is a fifth of the size because it shares prefixes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from . import documents
from .entities import read_entities
from .errors import GraphLoadError, GraphSaveError, GraphShapeError, KGError, UnknownDocumentError, UnknownTypeError
from .link import Linker, Resolver
from .navigate import HUB_TYPES, Navigator
from .oxigraph import new_graph
from .records import Entity, Mention, PathResult, RelatedTopic, Relation
from .sparql import DEFAULT_TIMEOUT, run_sparql
from .validate import defining_file, load_shapes, validate_graph
from .vocab import ENTITY_TYPES

__all__ = ["GRAPH_FILE", "GRAPH_MEDIA_TYPE", "MANIFEST_FILE", "SCHEMA_VERSION", "KnowledgeGraph"]

GRAPH_FILE = "graph.ttl"
GRAPH_MEDIA_TYPE = "text/turtle"
MANIFEST_FILE = "graph.json"
SCHEMA_VERSION = 1
_REPO_SHAPES = Path(__file__).resolve().parent.parent / "corpus" / "graph" / "shapes.ttl"
_OX_POSITION = re.compile(r"^Parser error at line \d+ column (\d+):\s*")


def _package_version() -> str:
    try:
        return metadata.version("studykg")
    except metadata.PackageNotFoundError:
        return "unknown"


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn any failure to read or parse `path` into a GraphLoadError naming the file."""
    try:
        yield
    except SyntaxError as error:
        message = " ".join(str(error.msg).split())
        column = _OX_POSITION.match(message)
        if column:
            message = f"{message[column.end() :]} (column {column.group(1)})"
        raise GraphLoadError(f"{path} line {error.lineno}: {message}") from None
    except FileNotFoundError:
        raise GraphLoadError(f"{path}: no such file") from None
    except (OSError, ValueError) as error:
        raise GraphLoadError(f"{path}: {' '.join(str(error).split())}") from None


class KnowledgeGraph:
    """The study graph: curated entities plus the index's documents, chunks and mentions.

    Args:
        graph: an rdflib Graph holding the triples (any store; `new_graph()` makes the
            fast default). Derived views (entities, linker, navigation) are built on first
            use; change curated triples through `.graph` only before that.
        graph_dir: the folder the curated files came from, where `validate()` looks for
            shapes.ttl.

    Raises:
        GraphLoadError: from `load_curated` and `load`, naming the file and the cause.

    Example::

        kg = KnowledgeGraph.load_curated(Path("corpus/graph"))
        kg.resolve("rcf").label                      # 'Random Cut Forest'
        kg.link("Firehose delivers to S3")           # (Mention(...), Mention(...))
        kg.path("RandomCutForest", "KDA").nodes      # (EntityRef(...), EntityRef(...))
        kg.save(Path("index"))
    """

    def __init__(self, graph: Graph, graph_dir: Path | None = None) -> None:
        self._graph = graph
        self._graph_dir = graph_dir
        self._mention_counts: tuple[Mapping[str, int], int] | None = None  # per entity, and chunks in all

    # ---- loading and saving ------------------------------------------------------
    @classmethod
    def load_curated(cls, graph_dir: Path) -> KnowledgeGraph:
        """Parse every *.ttl of the folder except *shapes*.ttl."""
        graph_dir = Path(graph_dir)
        if not graph_dir.is_dir():
            raise GraphLoadError(f"{graph_dir}: no such graph folder")
        files = sorted(p for p in graph_dir.glob("*.ttl") if "shapes" not in p.name)
        if not files:
            raise GraphLoadError(f"{graph_dir}: no *.ttl files in the graph folder")
        graph = new_graph()
        for path in files:
            with _reading(path):
                graph.parse(path, format="ox-turtle")
        return cls(graph, graph_dir)

    @classmethod
    def load(cls, path: Path) -> KnowledgeGraph:
        """Load a graph saved by `save` into the index folder `path`."""
        path = Path(path)
        manifest_path = path / MANIFEST_FILE
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise GraphLoadError(f"{manifest_path}: no graph manifest (build the index first)") from None
        except (OSError, ValueError) as error:
            raise GraphLoadError(f"{manifest_path}: unreadable manifest ({error})") from None
        if manifest.get("schema_version") != SCHEMA_VERSION:
            raise GraphLoadError(
                f"{manifest_path}: graph schema version {manifest.get('schema_version')!r}, this studykg reads"
                f" {SCHEMA_VERSION}; rebuild the index"
            )
        graph_path = path / manifest.get("file", GRAPH_FILE)
        # Straight into Oxigraph: its own count is instant, where rdflib's len() runs a query.
        store = ox.Store()
        with _reading(graph_path):
            store.load(path=str(graph_path), format=ox.RdfFormat.TURTLE)
        if len(store) != manifest.get("triples"):
            raise GraphLoadError(
                f"{graph_path}: {len(store)} triples where the manifest records {manifest.get('triples')}"
                " (a truncated or replaced file); rebuild the index"
            )
        return cls(new_graph(store))

    def save(self, path: Path) -> None:
        """Write the whole graph and its manifest into the folder `path`; each file is replaced atomically."""
        path = Path(path)
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "file": GRAPH_FILE,
            "format": GRAPH_MEDIA_TYPE,
            "triples": len(self._graph),
            "entities": len(self.entities),
            "studykg": _package_version(),
        }
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._write(path / GRAPH_FILE, lambda tmp: self._graph.serialize(tmp, format="ox-turtle"))
            self._write(
                path / MANIFEST_FILE,
                lambda tmp: tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8"),
            )
        except OSError as error:
            raise GraphSaveError(f"{path}: cannot save the graph ({error.strerror or error})") from None

    @staticmethod
    def _write(target: Path, write: Callable[[Path], object]) -> None:
        tmp = target.with_name(target.name + ".tmp")
        write(tmp)
        os.replace(tmp, target)

    def export_turtle(self, path: Path) -> None:
        """Write the whole graph as Turtle with the studykg prefixes."""
        self._export(Path(path), "ox-turtle")

    def export_jsonld(self, path: Path) -> None:
        """Write the whole graph as JSON-LD."""
        self._export(Path(path), "ox-json-ld")

    def _export(self, path: Path, format_: str) -> None:
        try:
            self._graph.serialize(path, format=format_)
        except OSError as error:
            raise GraphSaveError(f"{path}: cannot export the graph ({error.strerror or error})") from None

    def validate(self, shapes_path: Path | None = None) -> list[str]:
        """Problems found by the SHACL shapes (default: shapes.ttl of the graph folder), one line each.

        Raises:
            GraphLoadError: the shapes file is missing or malformed.
        """
        if shapes_path is None:
            local = self._graph_dir / "shapes.ttl" if self._graph_dir else None
            shapes_path = local if local is not None and local.exists() else _REPO_SHAPES
        return validate_graph(self._graph, load_shapes(Path(shapes_path)))

    def check_shapes(self) -> None:
        """Refuse a curated graph that breaks the shapes.ttl of its folder (no shapes file: nothing to check).

        A build runs this before anything is published, so a typo in the Turtle stops the
        build with the file and the node instead of reaching the app as a broken entity.

        Raises:
            GraphShapeError: the first problem, the file that describes its node, and how many more there are.
        """
        shapes = self._graph_dir / "shapes.ttl" if self._graph_dir else None
        if shapes is None or not shapes.exists():
            return
        problems = self.validate(shapes)
        if not problems:
            return
        files = sorted(p for p in self._graph_dir.glob("*.ttl") if "shapes" not in p.name)
        where = defining_file(files, problems[0]) or self._graph_dir
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise GraphShapeError(f"{where}: the graph breaks its SHACL shapes: {problems[0]}{more}")

    def check_sources(self, corpus_root: Path | None = None) -> None:
        """Refuse a curated graph whose teaching facts point at sections that do not state them.

        SHACL checks that each fact has an skg:SourcedFact; this reads the corpus (default: the
        folder holding the graph folder) to check that the section exists and names both ends.
        Like `check_shapes`, it runs only for a graph folder that has a shapes.ttl.

        Raises:
            GraphShapeError: the first unsourced fact and how many more there are.
        """
        if self._graph_dir is None or not (self._graph_dir / "shapes.ttl").exists():
            return
        from .provenance import check_provenance

        problems = check_provenance(self, Path(corpus_root or self._graph_dir.parent))
        if problems:
            more = f" (and {len(problems) - 1} more; run python -m kg.provenance)" if len(problems) > 1 else ""
            raise GraphShapeError(f"{self._graph_dir}: a teaching fact has no valid source: {problems[0]}{more}")

    # ---- entities and names ----------------------------------------------------
    @property
    def graph(self) -> Graph:
        """The rdflib Graph with every triple (curated and index bookkeeping)."""
        return self._graph

    @cached_property
    def entities(self) -> Mapping[str, Entity]:
        """Curated entities by IRI."""
        return read_entities(self._graph)

    @cached_property
    def _resolver(self) -> Resolver:
        return Resolver(self.entities)

    @cached_property
    def _linker(self) -> Linker:
        return Linker(self.entities)

    @cached_property
    def _navigator(self) -> Navigator:
        return Navigator(self._graph, self.entities)

    def resolve(self, name: str) -> Entity:
        """The entity named by an IRI, local name, label or alias in any language (accents and case folded).

        Raises:
            UnknownEntityError: with suggestions of close names.
        """
        return self._resolver.resolve(name)

    def entity(self, name: str) -> Entity:
        """Same as `resolve`: the entity for any of its names."""
        return self._resolver.resolve(name)

    def suggest(self, name: str, n: int = 5) -> tuple[Entity, ...]:
        """Up to `n` entities with names close to `name`, best first."""
        return self._resolver.suggest(name, n)

    def link(self, text: str) -> tuple[Mention, ...]:
        """Entity mentions in `text` (see `Linker.link` and `case_sensitive_words` for the rules)."""
        return self._linker.link(text)

    # ---- navigation ------------------------------------------------------------
    def neighbours(self, name: str) -> tuple[Relation, ...]:
        """Typed edges of an entity in both directions; symmetric relations read "out" from either end."""
        return self._navigator.neighbours(self.resolve(name).iri)

    def typed_neighbours(self, name: str) -> tuple[tuple[str, str], ...]:
        """(neighbour IRI, predicate IRI) pairs of an entity, for query expansion."""
        return self._navigator.typed_neighbours(self.resolve(name).iri)

    def path(self, a: str, b: str, alternatives: int = 3) -> PathResult:
        """Shortest path between two entities over typed edges (no nodes when unconnected)."""
        return self._navigator.path(self.resolve(a).iri, self.resolve(b).iri, alternatives)

    def related(self, name: str, k: int = 10) -> tuple[RelatedTopic, ...]:
        """Entities related by graph proximity and by co-mention in chunks, best first."""
        iri = self.resolve(name).iri
        if self._mention_counts is None:
            self._mention_counts = documents.mention_counts(self._graph)
        counts, total = self._mention_counts
        return self._navigator.related(iri, k, documents.co_mentions(self._graph, iri), counts, total)

    def entities_by_type(self, type_: str) -> tuple[Entity, ...]:
        """Entities of a type given as "Service", "service", "skg:Service" or the class IRI.

        Raises:
            UnknownTypeError: the type is not one of ENTITY_TYPES.
        """
        wanted = type_.strip().rsplit("#", 1)[-1].removeprefix("skg:").casefold()
        for known in ENTITY_TYPES:
            if known.casefold() == wanted:
                return self._navigator.entities_by_type(known)
        raise UnknownTypeError(type_, ENTITY_TYPES)

    def entities_in_domain(self, name: str) -> tuple[Entity, ...]:
        """Entities tested in an exam domain, or covering a task statement, sorted by label.

        Raises:
            KGError: the name resolves to something that is not a domain or task statement.
        """
        entity = self.resolve(name)
        if entity.type not in HUB_TYPES:
            domains = ", ".join(e.label for e in self._navigator.entities_by_type("ExamDomain"))
            raise KGError(f"'{name}' is a {entity.type}, not an exam domain or task statement (domains: {domains})")
        return self._navigator.entities_in_domain(entity.iri)

    def sparql(self, query: str, *, timeout: float = DEFAULT_TIMEOUT) -> list[dict[str, str]]:
        """Run a read-only SPARQL query on this graph only (prefixes skg:, kg:, skos: ... are predeclared).

        Raises:
            QueryRefusedError: an update, SERVICE or FROM, a syntax error, or longer than ``timeout`` seconds.
        """
        return run_sparql(self._graph, query, timeout=timeout)

    # ---- index bookkeeping -------------------------------------------------------
    def add_document(self, doc_id: str, source: str, title: str, describes: str | None = None) -> None:
        """Add a source document, replacing an older one with the same id and its chunks.

        `describes` names the entity of a service page (any name `resolve` accepts).
        """
        iri = self.resolve(describes).iri if describes is not None else None
        self._mention_counts = None
        documents.add_document(self._graph, doc_id, source, title, iri)

    def add_chunk(self, chunk_id: str, doc_id: str, mentions: Iterable[str]) -> None:
        """Add a chunk of an added document with the entities it mentions (IRIs, as `link` returns).

        Raises:
            UnknownDocumentError: the document was not added first.
            UnknownEntityError: a mention names no entity.
        """
        if not documents.has_document(self._graph, doc_id):
            raise UnknownDocumentError(doc_id)
        entities = self.entities
        iris = [m if m in entities else self.resolve(m).iri for m in mentions]
        self._mention_counts = None
        documents.add_chunk(self._graph, chunk_id, doc_id, iris)

    def remove_document(self, doc_id: str) -> None:
        """Remove a document, its chunks and their mentions (an unknown id is a no-op)."""
        self._mention_counts = None
        documents.remove_document(self._graph, doc_id)

    def mentioned_in(self, name: str) -> tuple[str, ...]:
        """Ids of the chunks that mention an entity."""
        return documents.mentioned_in(self._graph, self.resolve(name).iri)

    def chunk_mentions(self, chunk_id: str) -> tuple[str, ...]:
        """IRIs of the entities a chunk mentions."""
        return documents.chunk_mentions(self._graph, chunk_id)
