"""Exam profiles read from the graph: which exams exist, their weighted domains and task statements,
and which entities serve each task.

The blueprint is data (corpus/graph/exams.ttl and domains.ttl), so a new exam version is a
new Turtle block, not new code. A newer exam's task statements `continue` the older ones
whose ground they cover; an entity linked to an older task therefore serves the newer task
too, unless it is linked to the newer exam's tasks directly (then those links win, being
more precise). An exam that lists services `inScope` keeps only those services.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from .entities import local_name
from .errors import KGError
from .folding import fold
from .vocab import SKG

__all__ = [
    "DomainProfile",
    "ExamProfile",
    "TaskProfile",
    "UnknownExamError",
    "current_exam",
    "domain_members",
    "exam_of",
    "exam_placement",
    "exam_profiles",
    "find_exam",
    "task_coverage",
]


class UnknownExamError(KGError):
    """An exam code the graph does not define; the message lists the known ones."""

    def __init__(self, code: str, known: tuple[str, ...]) -> None:
        self.code = code
        choices = ", ".join(known) or "none (the graph defines no skg:Exam)"
        super().__init__(f"unknown exam '{code}': choose one of {choices}")


@dataclass(frozen=True)
class TaskProfile:
    """A task statement of an exam domain."""

    iri: str
    name: str
    number: str  # "1.2"
    label: str
    domain: str  # the domain's IRI


@dataclass(frozen=True)
class DomainProfile:
    """A weighted content domain with its task statements in guide order."""

    iri: str
    name: str
    label: str
    weight: int | None
    tasks: tuple[TaskProfile, ...]

    @property
    def number(self) -> str:
        """The domain's number in the guide, read from its first task ("1.2" -> "1")."""
        return self.tasks[0].number.split(".")[0] if self.tasks else ""


@dataclass(frozen=True)
class ExamProfile:
    """One exam: code, full name, domains in guide order, in-scope services, retirement day."""

    iri: str
    code: str  # "MLA-C01"
    title: str
    domains: tuple[DomainProfile, ...]
    retired_on: str | None = None  # ISO date, the last day the exam could be taken
    replaced_by: str | None = None  # code of the exam that replaced it
    in_scope: tuple[str, ...] = ()  # service IRIs; empty means every linked service

    def is_retired(self, today: date | None = None) -> bool:
        """True once the retirement day has passed (an exam is still current on that day)."""
        return self.retired_on is not None and (today or date.today()) > date.fromisoformat(self.retired_on)

    def status(self, today: date | None = None) -> str:
        """"current" or "retired", for pickers and the README's wording."""
        return "retired" if self.is_retired(today) else "current"

    @property
    def tasks(self) -> tuple[TaskProfile, ...]:
        return tuple(task for domain in self.domains for task in domain.tasks)

    def domain(self, name: str) -> DomainProfile:
        """The domain named by local name, number ("2"), label or IRI; KGError if none."""
        wanted = fold(name.strip())
        for domain in self.domains:
            if wanted in {fold(domain.name), fold(domain.label), fold(domain.iri), domain.number}:
                return domain
        known = ", ".join(f"{d.number} {d.label}" for d in self.domains)
        raise KGError(f"exam {self.code} has no domain '{name}': choose one of {known}")


def _first(graph, subject, predicate):
    return next(iter(graph.objects(subject, predicate)), None)


def _english(graph, subject, predicate) -> str:
    values = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    english = [str(o) for o in values if o.language in (None, "en")]
    return (english or [str(o) for o in values] or [""])[0]


def _task_key(number: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in number.split("."))
    except ValueError:
        return (999,)


def exam_profiles(kg) -> tuple[ExamProfile, ...]:
    """Every exam the graph defines: current exams first, then by code."""
    graph, entities = kg.graph, kg.entities
    domains_of: dict[str, list[DomainProfile]] = defaultdict(list)
    tasks_of: dict[str, list[TaskProfile]] = defaultdict(list)
    for task in (e for e in entities.values() if e.type == "TaskStatement"):
        number = str(_first(graph, URIRef(task.iri), SKG.taskNumber) or "")
        for domain_iri in task.domains:
            tasks_of[domain_iri].append(TaskProfile(task.iri, task.name, number, task.label, domain_iri))
    for domain in (e for e in entities.values() if e.type == "ExamDomain"):
        exam = _first(graph, URIRef(domain.iri), SKG.inExam)
        if exam is None:
            continue
        weight = _first(graph, URIRef(domain.iri), SKG.weight)
        tasks = tuple(sorted(tasks_of[domain.iri], key=lambda t: _task_key(t.number)))
        domains_of[str(exam)].append(
            DomainProfile(domain.iri, domain.name, domain.label, int(weight) if weight is not None else None, tasks)
        )
    exams = []
    for exam in graph.subjects(RDF.type, SKG.Exam):
        retired = _first(graph, exam, SKG.retiredOn)
        replaced = _first(graph, exam, SKG.replacedBy)
        successor = _first(graph, replaced, SKG.examCode) if replaced is not None else None
        domains = sorted(domains_of[str(exam)], key=lambda d: (_task_key(d.tasks[0].number) if d.tasks else (999,), d.name))
        exams.append(
            ExamProfile(
                iri=str(exam),
                code=str(_first(graph, exam, SKG.examCode) or local_name(str(exam))),
                title=_english(graph, exam, RDFS.label),
                domains=tuple(domains),
                retired_on=str(retired) if retired is not None else None,
                replaced_by=str(successor) if successor is not None else None,
                in_scope=tuple(sorted(str(s) for s in graph.objects(exam, SKG.inScope))),
            )
        )
    return tuple(sorted(exams, key=lambda e: (e.is_retired(), e.code)))


def current_exam(kg, today: date | None = None) -> ExamProfile:
    """The exam a new learner prepares for: the first one not retired (else the newest retired)."""
    exams = exam_profiles(kg)
    if not exams:
        raise UnknownExamError("(default)", ())
    live = [e for e in exams if not e.is_retired(today)]
    return live[0] if live else max(exams, key=lambda e: e.retired_on or "")


def find_exam(kg, code: str | None, today: date | None = None) -> ExamProfile:
    """The exam with this code ("MLA-C01", "mla-c01", "MLA_C01" or "mla"); the current one for None/""."""
    if not code:
        return current_exam(kg, today)
    exams = exam_profiles(kg)
    wanted = fold(code).replace("_", "-").strip()
    for exam in exams:
        names = {fold(exam.code), fold(exam.code).split("-")[0], fold(local_name(exam.iri)).replace("_", "-"), fold(exam.title)}
        if wanted in names:
            return exam
    raise UnknownExamError(code, tuple(e.code for e in exams))


def task_coverage(kg, exam: ExamProfile) -> dict[str, tuple[str, ...]]:
    """Entity IRI -> the IRIs of this exam's task statements the entity is study material for.

    Only services, algorithms and concepts are keys. Direct `coversTask` links to the exam's
    tasks win; without them an entity inherits the exam's tasks that `continue` the tasks it
    covers. With an in-scope list, services outside it are left out.
    """
    graph, entities = kg.graph, kg.entities
    exam_tasks = {t.iri for t in exam.tasks}
    continued_by: dict[str, set[str]] = defaultdict(set)
    for newer, older in graph.subject_objects(SKG.continues):
        if str(newer) in exam_tasks:
            continued_by[str(older)].add(str(newer))
    direct: dict[str, set[str]] = defaultdict(set)
    inherited: dict[str, set[str]] = defaultdict(set)
    for subject, task in graph.subject_objects(SKG.coversTask):
        entity = entities.get(str(subject))
        if entity is None or entity.type not in ("Service", "Algorithm", "Concept"):
            continue
        if str(task) in exam_tasks:
            direct[entity.iri].add(str(task))
        inherited[entity.iri] |= continued_by.get(str(task), set())
    in_scope = set(exam.in_scope)
    coverage = {}
    for iri in sorted(set(direct) | set(inherited)):
        if in_scope and entities[iri].type == "Service" and iri not in in_scope:
            continue
        tasks = direct.get(iri) or inherited.get(iri)
        if tasks:
            coverage[iri] = tuple(sorted(tasks))
    return coverage


def domain_members(kg, exam: ExamProfile, coverage: dict[str, tuple[str, ...]] | None = None) -> dict[str, tuple[str, ...]]:
    """Domain IRI -> IRIs of the services, algorithms and concepts studied for it (through its tasks)."""
    coverage = task_coverage(kg, exam) if coverage is None else coverage
    domain_of = {t.iri: d.iri for d in exam.domains for t in d.tasks}
    members: dict[str, set[str]] = {d.iri: set() for d in exam.domains}
    for iri, tasks in coverage.items():
        for task in tasks:
            members[domain_of[task]].add(iri)
    return {d: tuple(sorted(m)) for d, m in members.items()}


def exam_placement(kg, exam: ExamProfile, iri: str,
                   coverage: dict[str, tuple[str, ...]] | None = None) -> tuple[tuple[DomainProfile, tuple[TaskProfile, ...]], ...]:
    """The domains of ``exam`` an entity is studied for, each with the task statements it serves, in guide order.

    Cards show this for the exam the learner chose, so an MLA-C01 learner never reads an
    MLS-C01 domain as if it were theirs.
    """
    tasks = set((task_coverage(kg, exam) if coverage is None else coverage).get(iri, ()))
    placed = []
    for domain in exam.domains:
        served = tuple(t for t in domain.tasks if t.iri in tasks)
        if served:
            placed.append((domain, served))
    return tuple(placed)


def exam_of(kg, iri: str) -> ExamProfile | None:
    """The exam an exam domain or task statement belongs to (None for any other entity)."""
    for exam in exam_profiles(kg):
        if any(iri == d.iri or any(iri == t.iri for t in d.tasks) for d in exam.domains):
            return exam
    return None
