"""Where the graph's teaching facts are stated: each one points at a section of the corpus we wrote.

A fact a learner is taught (what a service is for, what remedies a problem, what a metric
evaluates, what is an alternative to what) must be one an exam expert would sign, and the
reviewer needs the words it stands on. So every such triple carries a reification::

    [] a skg:SourcedFact ; rdf:subject kg:Polly ; rdf:predicate skg:usedFor ;
       rdf:object kg:TextToSpeech ; skg:statedIn "services/Polly.md#When the exam expects it" .

`skg:statedIn` names a file under the corpus folder and one of its Markdown headings. The
SHACL shapes check that the reification exists (structure); `check_provenance` checks what
SHACL cannot see: the file and heading exist, and the section names both ends of the fact
(by any label, in any language, through the same linker that links passages).

`python -m kg.provenance` prints the facts that fail, with `--propose` the sections that name
both ends, for a writer to confirm.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from .entities import local_name
from .errors import KGError
from .vocab import SKG

__all__ = [
    "PURPOSE_PREDICATES",
    "CorpusSections",
    "ProvenanceProblem",
    "Section",
    "check_provenance",
    "fact_passages",
    "fact_sources",
    "link_fact_chunks",
    "purpose_facts",
    "read_sections",
]

# The predicates whose triples are taught as facts (quiz keys, card relations) and so need a source.
PURPOSE_PREDICATES = (SKG.usedFor, SKG.remedyFor, SKG.measures, SKG.alternativeTo)
_SYMMETRIC = frozenset({SKG.alternativeTo})
_HEADING = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")

Fact = tuple[URIRef, URIRef, URIRef]


@dataclass(frozen=True)
class Section:
    """A heading of a corpus file and its own text: the lines under it down to the next heading.

    Subsections are not part of it, so a fact cannot be "sourced" by a title that spans a file.
    """

    path: str  # relative to the corpus folder, with forward slashes
    heading: str
    text: str

    @property
    def ref(self) -> str:
        return f"{self.path}#{self.heading}"


def purpose_facts(graph: Graph) -> set[Fact]:
    """Every teaching triple between curated entities; a symmetric one once, in the order written."""
    facts: set[Fact] = set()
    for predicate in PURPOSE_PREDICATES:
        for subject, obj in graph.subject_objects(predicate):
            if isinstance(subject, URIRef) and isinstance(obj, URIRef):
                if predicate in _SYMMETRIC and (obj, predicate, subject) in facts:
                    continue
                facts.add((subject, predicate, obj))
    return facts


def fact_sources(graph: Graph) -> dict[Fact, tuple[str, ...]]:
    """The sections each fact is stated in, from the graph's skg:SourcedFact reifications.

    A symmetric fact's source is filed under both directions, so either reading finds it.
    """
    found: dict[Fact, list[str]] = defaultdict(list)
    for node in graph.subjects(RDF.type, SKG.SourcedFact):
        subject = graph.value(node, RDF.subject)
        predicate = graph.value(node, RDF.predicate)
        obj = graph.value(node, RDF.object)
        if not (isinstance(subject, URIRef) and isinstance(predicate, URIRef) and isinstance(obj, URIRef)):
            continue
        for stated in graph.objects(node, SKG.statedIn):
            found[(subject, predicate, obj)].append(str(stated))
            if predicate in _SYMMETRIC:
                found[(obj, predicate, subject)].append(str(stated))
    return {fact: tuple(dict.fromkeys(refs)) for fact, refs in found.items()}


_PAGE_ENTITY = re.compile(r"^entity:\s*[\"']?([^\"'\s#]+)", re.MULTILINE)


def fact_passages(graph: Graph) -> dict[Fact, tuple[str, ...]]:
    """The ids of the indexed passages that state each fact (`skg:statedInChunk`, set by the build)."""
    from .documents import chunk_id_of

    found: dict[Fact, list[str]] = defaultdict(list)
    for node, chunk in graph.subject_objects(SKG.statedInChunk):
        fact = (graph.value(node, RDF.subject), graph.value(node, RDF.predicate), graph.value(node, RDF.object))
        found[fact].append(chunk_id_of(chunk))
        if fact[1] in _SYMMETRIC:
            found[(fact[2], fact[1], fact[0])].append(chunk_id_of(chunk))
    return {fact: tuple(sorted(set(ids))) for fact, ids in found.items()}


def link_fact_chunks(graph: Graph, chunks_by_section: Mapping[str, Iterable[str]]) -> int:
    """Link each sourced fact to the passages of its section (`skg:statedInChunk`), for cards and quiz feedback.

    `chunks_by_section` maps "path#heading" to the ids of the chunks under that heading, as the
    index build made them. Returns how many facts found at least one passage.
    """
    from .documents import chunk_iri

    linked = 0
    for node in list(graph.subjects(RDF.type, SKG.SourcedFact)):
        chunk_ids = [c for ref in graph.objects(node, SKG.statedIn) for c in chunks_by_section.get(str(ref), ())]
        graph.addN((node, SKG.statedInChunk, chunk_iri(c), graph) for c in dict.fromkeys(chunk_ids))
        linked += bool(chunk_ids)
    return linked


def _split_front_matter(text: str) -> tuple[str, list[str]]:
    """(front matter text, body lines); the front matter's lines are kept as blank lines."""
    lines = text.splitlines()
    if lines and lines[0].strip() in ("---", "+++"):
        fence = lines[0].strip()
        for end in range(1, len(lines)):
            if lines[end].strip() == fence:
                return "\n".join(lines[1:end]), [""] * (end + 1) + lines[end + 1 :]
    return "", lines


def page_entity(text: str) -> str | None:
    """The entity a service page describes (its front matter's `entity:`), as written."""
    front, _ = _split_front_matter(text)
    match = _PAGE_ENTITY.search(front)
    return match.group(1) if match else None


def read_sections(path: Path, relative: str) -> Iterator[Section]:
    """Every heading of a Markdown file with its section text (headings inside code fences do not count)."""
    _, lines = _split_front_matter(path.read_text(encoding="utf-8", errors="replace"))
    headings: list[tuple[int, str]] = []  # (line index, heading text)
    in_fence = False
    for number, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING.match(line)
        if match:
            headings.append((number, match.group(2).strip()))
    ends = [start for start, _ in headings[1:]] + [len(lines)]
    for (start, heading), end in zip(headings, ends):
        yield Section(relative, heading, "\n".join(lines[start:end]))


class CorpusSections:
    """The sections of every Markdown file under a corpus folder, and the entities each one names.

    A section names what the linker finds in its text, plus, on a service page, the entity
    the page describes: the index build links every passage of a page to it the same way.
    """

    def __init__(self, corpus_root: Path, kg) -> None:
        self.root = Path(corpus_root)
        self._kg = kg  # a KnowledgeGraph: link() and resolve()
        self._pages: dict[str, str] = {}  # relative path -> IRI of the entity the page describes

    @cached_property
    def sections(self) -> dict[str, Section]:
        found: dict[str, Section] = {}
        for path in sorted(self.root.rglob("*.md")):
            relative = path.relative_to(self.root).as_posix()
            entity = page_entity(path.read_text(encoding="utf-8", errors="replace"))
            if entity:
                try:
                    self._pages[relative] = self._kg.resolve(entity).iri
                except KGError:
                    pass
            for section in read_sections(path, relative):
                found.setdefault(section.ref, section)
        return found

    @cached_property
    def _mentions(self) -> dict[str, frozenset[str]]:
        named = {}
        for ref, section in self.sections.items():
            iris = {m.iri for m in self._kg.link(section.text)}
            if section.path in self._pages:
                iris.add(self._pages[section.path])
            named[ref] = frozenset(iris)
        return named

    def names(self, ref: str) -> frozenset[str]:
        """IRIs of the entities the section `ref` names."""
        return self._mentions.get(ref, frozenset())

    def naming_both(self, subject: str, obj: str) -> list[str]:
        """Sections that name both entities: the subject's own page first, then the most focused ones."""
        own = f"services/{local_name(subject)}.md#"
        both = [ref for ref, names in self._mentions.items() if subject in names and obj in names]
        return sorted(both, key=lambda ref: (not ref.startswith(own), len(self._mentions[ref]), ref))


@dataclass(frozen=True)
class ProvenanceProblem:
    """A teaching fact without a valid source, and why; str() is the line a writer reads."""

    fact: Fact
    why: str

    def __str__(self) -> str:
        subject, predicate, obj = self.fact
        return f"kg:{local_name(subject)} skg:{local_name(predicate)} kg:{local_name(obj)}: {self.why}"


def check_provenance(kg, corpus_root: Path, facts: Iterable[Fact] | None = None) -> list[ProvenanceProblem]:
    """One line per teaching fact without a valid source: missing, a wrong file or heading, or a
    section that does not name both ends of the fact. An empty list means every fact is sourced.

    `kg` is the `KnowledgeGraph` (its triples, linker and resolver); `facts` defaults to all of them.
    """
    corpus = CorpusSections(corpus_root, kg)
    sources = fact_sources(kg.graph)
    problems = []
    for fact in sorted(purpose_facts(kg.graph) if facts is None else facts):
        refs = sources.get(fact, ())
        if not refs:
            problems.append(ProvenanceProblem(fact, "no skg:SourcedFact with skg:statedIn"))
            continue
        reasons = [_invalid(corpus, ref, fact) for ref in refs]
        if all(reasons):
            problems.append(ProvenanceProblem(fact, "; ".join(reasons)))
    return problems


def _invalid(corpus: CorpusSections, ref: str, fact: Fact) -> str:
    """Why `ref` does not source `fact`, or "" when it does."""
    path, _, heading = ref.partition("#")
    if not heading:
        return f"{ref}: skg:statedIn needs 'path#heading'"
    if not (corpus.root / path).is_file():
        return f"{ref}: no such file under {corpus.root}"
    if ref not in corpus.sections:
        return f"{ref}: no heading '{heading}' in {path}"
    names = corpus.names(ref)
    missing = [f"kg:{local_name(iri)}" for iri in (fact[0], fact[2]) if str(iri) not in names]
    return f"{ref}: the section does not name {' or '.join(missing)}" if missing else ""


def main(argv: list[str] | None = None) -> int:
    from .store import KnowledgeGraph

    repo = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(prog="python -m kg.provenance", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=repo / "corpus", help="corpus folder (default: the shipped one)")
    parser.add_argument("--graph", type=Path, default=None, help="graph folder (default: CORPUS/graph)")
    parser.add_argument("--only", type=Path, action="append", default=[],
                        help="check only the facts stated in this .ttl file (repeatable)")
    parser.add_argument("--propose", action="store_true", help="for each failing fact, list sections naming both ends")
    args = parser.parse_args(argv)
    kg = KnowledgeGraph.load_curated(args.graph or args.corpus / "graph")
    facts = None
    if args.only:
        only = Graph()
        for path in args.only:
            only.parse(path, format="turtle")
        facts = purpose_facts(only)
    problems = check_provenance(kg, args.corpus, facts)
    corpus = CorpusSections(args.corpus, kg) if args.propose else None
    for problem in problems:
        print(problem)
        if corpus is not None:
            for ref in corpus.naming_both(str(problem.fact[0]), str(problem.fact[2]))[:5]:
                print(f"    candidate: {ref}")
    total = len(facts) if facts is not None else len(purpose_facts(kg.graph))
    print(f"{total - len(problems)} of {total} teaching facts sourced; {len(problems)} to fix", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
