"""Evaluation: run a question set through the search and measure answer quality per language.

A question file (read by ``question_file``) is JSON Lines, one question per line;
``gold`` lists acceptable entities (English prefLabels, or any name the graph resolves).
For each search mode (the full hybrid system and its ablations) we record, per question,
the rank of the first gold concept and of the first passage that mentions a gold entity,
and summarise per language:

- entity@1 / entity@3: a gold entity is the top concept / among the top three;
- hit@5: one of the top five passages mentions a gold entity;
- MRR@10: mean reciprocal rank of the first such passage within the top ten;
- latency p50: median wall-clock milliseconds of one ``search`` call, warm.

A concept matches when its IRI is the gold entity's, or when a gold name equals its label
or one of its aliases (case- and accent-folded). A passage mentions a gold entity when the
index linked it (``hit.entities``) or when its text contains one of the gold entity's names
as whole words; see ``Gold.mentioned_in`` for the one exception to folding.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.languages import STUDY_LANGUAGES

from .errors import IndexerError
from .question_file import Gold, Question, load_questions, resolve_gold
from .records import SearchResult
from .records import SEARCH_MODES as MODES

MODE_LABELS = {"hybrid": "hybrid (full)", "bm25": "bm25", "dense": "dense", "nograph": "nograph"}
HITS_CONSIDERED = 10  # MRR@10 needs the first ten passages
METRIC_ROWS = (
    ("entity@1", "entity_at_1"),
    ("entity@3", "entity_at_3"),
    ("hit@5", "hit_at_5"),
    ("MRR@10", "mrr_at_10"),
    ("latency p50 ms", "latency_p50_ms"),
)

# progress(stage, done, total), the same callback shape the build uses.
Progress = Callable[[str, int, int], None]


# ---- records -----------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """How one system answered one question."""

    q: str
    lang: str
    split: str
    gold: tuple[str, ...]
    system: str
    entity_rank: int | None  # 1-based rank of the first gold concept; None when none is listed
    hit_rank: int | None  # 1-based rank of the first passage mentioning gold, within the first ten
    ms: float
    top_entities: tuple[str, ...]  # labels of the first three concepts, for reading failures
    top_sources: tuple[str, ...]  # sources of the first three passages


@dataclass(frozen=True)
class Metrics:
    """The summary of a group of outcomes (one language, or all)."""

    questions: int
    entity_at_1: float
    entity_at_3: float
    hit_at_5: float
    mrr_at_10: float
    latency_p50_ms: float


@dataclass(frozen=True)
class SystemReport:
    """One column of the table: a search mode of one index, summarised per language and overall."""

    system: str  # column label, e.g. "hybrid (full)" or "bge-m3 bm25" (another index)
    mode: str
    metrics: tuple[tuple[str, Metrics], ...]  # ("en", ...), ("vi", ...), ("it", ...), ("all", ...)
    outcomes: tuple[Outcome, ...]

    def for_lang(self, lang: str = "all") -> Metrics:
        """The metrics of one language, or of every question with ``"all"``."""
        for name, metrics in self.metrics:
            if name == lang:
                return metrics
        raise KeyError(lang)


@dataclass(frozen=True)
class EvalReport:
    """Every system evaluated on one question set."""

    questions_file: str
    split: str
    languages: tuple[str, ...]  # in table order, "all" last
    systems: tuple[SystemReport, ...]

    def system(self, name: str) -> SystemReport:
        """A column by its label or by its mode name ("hybrid", "bm25", ...)."""
        for report in self.systems:
            if name in (report.system, report.mode):
                return report
        raise KeyError(name)


# ---- judging one answer ------------------------------------------------------
def entity_rank(result: SearchResult, gold: Gold) -> int | None:
    """The 1-based rank of the first gold concept in ``result.entities``, or None."""
    for rank, concept in enumerate(result.entities, 1):
        if gold.matches(concept):
            return rank
    return None


def hit_rank(result: SearchResult, gold: Gold, limit: int = HITS_CONSIDERED) -> int | None:
    """The 1-based rank of the first of the top ``limit`` passages that mentions gold, or None."""
    for rank, hit in enumerate(result.hits[:limit], 1):
        if gold.mentioned_in(hit):
            return rank
    return None


def judge(question: Question, gold: Gold, result: SearchResult, *, system: str, ms: float) -> Outcome:
    """Turn one search result into an ``Outcome``."""
    return Outcome(
        q=question.q,
        lang=question.lang,
        split=question.split,
        gold=question.gold,
        system=system,
        entity_rank=entity_rank(result, gold),
        hit_rank=hit_rank(result, gold),
        ms=ms,
        top_entities=tuple(c.label for c in result.entities[:3]),
        top_sources=tuple(h.source for h in result.hits[:3]),
    )


def summarize(outcomes: Sequence[Outcome]) -> Metrics:
    """entity@1, entity@3, hit@5, MRR@10 and the median latency of a group of outcomes."""
    n = len(outcomes)
    if n == 0:
        return Metrics(0, 0.0, 0.0, 0.0, 0.0, 0.0)

    def share(test) -> float:
        return sum(1 for o in outcomes if test(o)) / n

    return Metrics(
        questions=n,
        entity_at_1=share(lambda o: o.entity_rank == 1),
        entity_at_3=share(lambda o: o.entity_rank is not None and o.entity_rank <= 3),
        hit_at_5=share(lambda o: o.hit_rank is not None and o.hit_rank <= 5),
        mrr_at_10=sum(1.0 / o.hit_rank for o in outcomes if o.hit_rank is not None and o.hit_rank <= HITS_CONSIDERED) / n,
        latency_p50_ms=statistics.median(o.ms for o in outcomes),
    )


def summarize_by_language(outcomes: Sequence[Outcome]) -> tuple[tuple[str, Metrics], ...]:
    """Metrics per language (en, vi, it first, then any other), then ``"all"``."""
    return tuple((lang, summarize([o for o in outcomes if o.lang == lang])) for lang in _languages(outcomes)) + (
        ("all", summarize(outcomes)),
    )


# ---- running a question set ----------------------------------------------------
def evaluate(
    index,
    questions: Sequence[Question],
    *,
    modes: Sequence[str] = MODES,
    label: str | None = None,
    source: str = "questions",
    split: str = "all",
    progress: Progress | None = None,
) -> EvalReport:
    """Ask every question in every mode of ``index`` and summarise the answers.

    Args:
        index: an opened ``StudyIndex`` (anything with ``search(q, k, mode=...)`` and ``entity(name)``).
        questions: from ``load_questions``.
        modes: search modes to compare; the first is usually "hybrid" (the full system).
        label: name the columns after another system instead of the mode, e.g.
            "bge-m3" for an index built with another model (with several modes the column
            reads "bge-m3 bm25").
        source: the question file's name, for error messages and the table's title.
        split: recorded in the report; filtering happens in ``load_questions``.
        progress: ``progress(stage, done, total)`` callback, as the build takes.

    Raises:
        IndexerError: an unknown mode, or a gold name the graph does not know.

    Example::

        index = StudyIndex.open()
        questions = load_questions("bench/eval/questions.jsonl", split="heldout")
        print(format_table(evaluate(index, questions, source="questions.jsonl", split="heldout")))
    """
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise IndexerError(f"unknown search mode '{unknown[0]}': choose from {', '.join(MODES)}")
    if not questions:
        raise IndexerError(f"{source}: no questions to evaluate")
    golds = [resolve_gold(q, index, source=source) for q in questions]
    systems = []
    for mode in modes:
        system = _column_label(mode, label, len(modes))
        # One untimed question first: the first search pays for lazy loading and caches.
        index.search(questions[0].q, HITS_CONSIDERED, mode=mode)
        outcomes = []
        for n, (question, gold) in enumerate(zip(questions, golds, strict=True), 1):
            started = time.perf_counter()
            try:
                result = index.search(question.q, HITS_CONSIDERED, mode=mode)
            except IndexerError as exc:
                raise IndexerError(f"{source} line {question.line}: {exc}") from None
            ms = (time.perf_counter() - started) * 1000
            outcomes.append(judge(question, gold, result, system=system, ms=ms))
            if progress:
                progress(f"evaluating {system}", n, len(questions))
        systems.append(SystemReport(system=system, mode=mode, metrics=summarize_by_language(outcomes), outcomes=tuple(outcomes)))
    languages = tuple(lang for lang, _ in systems[0].metrics)
    return EvalReport(questions_file=source, split=split, languages=languages, systems=tuple(systems))


def evaluate_file(
    index,
    path: Path | str,
    *,
    split: str = "all",
    modes: Sequence[str] = MODES,
    label: str | None = None,
    progress: Progress | None = None,
) -> EvalReport:
    """``load_questions`` then ``evaluate``: what ``studykg eval FILE`` runs.

    Raises:
        IndexerError: as ``load_questions`` and ``evaluate`` do.
    """
    questions = load_questions(path, split=split)
    return evaluate(index, questions, modes=modes, label=label, source=str(path), split=split, progress=progress)


def format_table(report: EvalReport, *others: EvalReport) -> str:
    """The side-by-side table: rows are metric x language, columns the systems of every report.

    Pass the reports of other indexes (evaluated on the same questions) as ``others`` to
    add their columns, e.g. an index built with another encoder.
    """
    systems = [s for r in (report, *others) for s in r.systems]
    languages = list(report.languages)
    for other in others:
        languages.extend(lang for lang in other.languages if lang not in languages)
    languages = [lang for lang in languages if lang != "all"] + ["all"]
    counts = ", ".join(f"{lang} {_metrics_or_none(systems[0], lang).questions}" for lang in languages if lang != "all")
    total = _metrics_or_none(systems[0], "all").questions
    header = [f"questions: {report.questions_file} (split {report.split}: {total} questions; {counts})"]
    widths = [max(14, len(s.system)) for s in systems]
    lines = [f"{'metric':<15} {'lang':<4}  " + "  ".join(f"{s.system:>{w}}" for s, w in zip(systems, widths, strict=True))]
    lines.append("-" * len(lines[0]))
    for row_name, field in METRIC_ROWS:
        for i, lang in enumerate(languages):
            cells = []
            for s, w in zip(systems, widths, strict=True):
                metrics = _metrics_or_none(s, lang)
                value = getattr(metrics, field) if metrics.questions else None
                cells.append(f"{_cell(value, field):>{w}}")
            lines.append(f"{row_name if i == 0 else '':<15} {lang:<4}  " + "  ".join(cells))
    return "\n".join(header + lines)


def failures(report: EvalReport, system: str = "hybrid", *, metric: str = "entity@1") -> tuple[Outcome, ...]:
    """The questions a system got wrong on one metric ("entity@1", "entity@3" or "hit@5"), for reading."""
    tests = {
        "entity@1": lambda o: o.entity_rank == 1,
        "entity@3": lambda o: o.entity_rank is not None and o.entity_rank <= 3,
        "hit@5": lambda o: o.hit_rank is not None and o.hit_rank <= 5,
    }
    if metric not in tests:
        raise IndexerError(f"unknown metric '{metric}': choose one of {', '.join(tests)}")
    return tuple(o for o in report.system(system).outcomes if not tests[metric](o))


# ---- helpers -------------------------------------------------------------------
def _languages(outcomes: Iterable[Outcome]) -> list[str]:
    seen = list(dict.fromkeys(o.lang for o in outcomes))
    return [lang for lang in STUDY_LANGUAGES if lang in seen] + sorted(lang for lang in seen if lang not in STUDY_LANGUAGES)


def _column_label(mode: str, label: str | None, mode_count: int) -> str:
    if label is None:
        return MODE_LABELS[mode]
    return label if mode_count == 1 else f"{label} {mode}"


def _metrics_or_none(system: SystemReport, lang: str) -> Metrics:
    try:
        return system.for_lang(lang)
    except KeyError:
        return Metrics(0, 0.0, 0.0, 0.0, 0.0, 0.0)


def _cell(value: float | None, field: str) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if field == "latency_p50_ms" else f"{value:.3f}"


__all__ = [
    "EvalReport",
    "Gold",
    "MODES",
    "Metrics",
    "Outcome",
    "Question",
    "SystemReport",
    "entity_rank",
    "evaluate",
    "evaluate_file",
    "failures",
    "format_table",
    "hit_rank",
    "judge",
    "load_questions",
    "resolve_gold",
    "summarize",
    "summarize_by_language",
]
