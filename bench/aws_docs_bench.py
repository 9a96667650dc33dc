"""Documentation bench on real text: does studykg find the right API page among ~2,000 of AWS's own?

The folder is built at run time from botocore 1.44.8's service models (bench/aws_docs.py:
one Markdown page per operation of 27 ML-exam-relevant service models, with its request
parameters and errors; AWS's text, Apache-2.0, never committed). Each question has one
answer file and was written by reading the pages, before any retrieval was run on them:

- bench/eval/aws_docs_questions.jsonl (152: 112 en, 20 vi, 20 it), the default, was compared
  on while the ranking was built: a dev set;
- bench/eval/aws_docs_questions-heldout.jsonl (150: 110 en, 20 vi, 20 it, other pages) was
  written later by a writer who never ran the system, and read once (2026-12-03). Do not tune
  on it; write a new one before the next round of ranking changes.

The bench copies an index (``--index``; default: the shipped corpus built into the working
folder), runs ``StudyIndex.add`` on the docs folder as ``studykg add`` would, times it, and
asks every question with ``index.search(q, k=30, mode=...)`` in the modes hybrid, bm25 and
dense, reporting for each mode, overall, per language and per question style:

- file@5: the answer file is among the first five distinct source files of the hits;
- MRR@10: reciprocal rank of the answer file among the first ten distinct files (0 past ten);
- p50 ms: median latency of one search;
- corpus in top 5: how many of the first five files come from the shipped corpus, not the docs
  (the study notes compete with the API reference for the same questions);
- against bm25: each mode's gain over BM25 alone, with a 95% paired bootstrap interval.

Per-question results (the first ten files of each mode) go to OUT/results.json.

    pip install 'studykg[bench]'                      # botocore==1.44.8
    python bench/aws_docs_bench.py                    # working folder in /tmp, shipped corpus built there
    python bench/aws_docs_bench.py --index index/ --out /tmp/aws-bench
    python bench/aws_docs_bench.py --questions bench/eval/aws_docs_questions-heldout.jsonl
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from aws_docs import BOTOCORE_VERSION, SERVICES, load_models, write_docs  # noqa: E402

from indexer import StudyIndex  # noqa: E402

QUESTIONS = REPO / "bench" / "eval" / "aws_docs_questions.jsonl"
DOCS_NAME = "aws-docs"  # the added folder's name: hit sources read "aws-docs/<service>/<Operation>.md"
MODES = ("hybrid", "bm25", "dense")
K = 30  # hits per search: room for ten distinct files even when a page has several good chunks


@dataclass(frozen=True)
class Question:
    q: str
    file: str  # "<service>/<OperationName>.md", relative to the docs folder
    service: str
    lang: str
    style: str  # "paraphrase", "natural" or "keywords"


@dataclass(frozen=True)
class Answer:
    q: str
    file: str
    lang: str
    style: str
    mode: str
    rank: int | None  # 1-based rank of the answer file among the first ten distinct files
    files: tuple[str, ...]  # the first ten distinct files, as hit sources
    corpus_in_top5: int  # of the first five files, how many are not from the docs folder
    ms: float


def load_questions(path: Path) -> list[Question]:
    with open(path, encoding="utf-8") as f:
        return [Question(**json.loads(line)) for line in f if line.strip()]


def distinct_files(result) -> list[str]:
    """Source files in the order their first hit appears."""
    return list(dict.fromkeys(hit.source for hit in result.hits))


def ask(index: StudyIndex, questions: list[Question], mode: str) -> list[Answer]:
    """Ask every question in one mode."""
    index.search(questions[0].q, K, mode=mode)  # warm: the first search of a mode loads lazily
    answers = []
    for question in questions:
        started = time.perf_counter()
        result = index.search(question.q, K, mode=mode)
        ms = (time.perf_counter() - started) * 1000
        files = distinct_files(result)[:10]
        target = f"{DOCS_NAME}/{question.file}"
        rank = files.index(target) + 1 if target in files else None
        corpus = sum(1 for f in files[:5] if not f.startswith(DOCS_NAME + "/"))
        answers.append(Answer(question.q, question.file, question.lang, question.style, mode, rank, tuple(files), corpus, ms))
    return answers


def _per_question(answers: list[Answer]) -> dict[str, list[float]]:
    return {
        "file@5": [1.0 if a.rank and a.rank <= 5 else 0.0 for a in answers],
        "mrr@10": [1 / a.rank if a.rank else 0.0 for a in answers],
    }


def summary(answers: list[Answer]) -> dict:
    n = len(answers)
    if not n:
        return {"n": 0}
    per_question = _per_question(answers)
    return {
        "n": n,
        "file@5": sum(per_question["file@5"]) / n,
        "mrr@10": sum(per_question["mrr@10"]) / n,
        "p50_ms": statistics.median(a.ms for a in answers),
        "corpus_in_top5": sum(a.corpus_in_top5 for a in answers) / n,
        "any_corpus_in_top5": sum(1 for a in answers if a.corpus_in_top5) / n,
    }


GROUPS = {
    "all": lambda a: True,
    "en": lambda a: a.lang == "en",
    "vi": lambda a: a.lang == "vi",
    "it": lambda a: a.lang == "it",
    "paraphrase": lambda a: a.style == "paraphrase",
    "natural": lambda a: a.style == "natural",
    "keywords": lambda a: a.style == "keywords",
}


def paired_gain(system: list[Answer], baseline: list[Answer], metric: str, *, samples: int = 10_000, seed: int = 0) -> tuple[float, float, float]:
    """The system's gain over the baseline on one metric, with a 95% paired bootstrap interval.

    One question moves MRR@10 by up to 1/n, so a gain of a few points on 150 questions needs
    its interval beside it before anyone reads it as a difference.
    """
    import numpy as np

    gains = np.array(_per_question(system)[metric]) - np.array(_per_question(baseline)[metric])
    draws = np.random.default_rng(seed).integers(0, len(gains), size=(samples, len(gains)))
    means = gains[draws].mean(axis=1)
    return float(gains.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def tables(by_mode: dict[str, list[Answer]]) -> tuple[str, dict]:
    """The Markdown tables the bench prints, and the same figures as a dict for results.json."""
    figures = {mode: {g: summary([a for a in answers if test(a)]) for g, test in GROUPS.items()} for mode, answers in by_mode.items()}
    modes = list(by_mode)
    head = "| questions | n | " + " | ".join(f"{m} file@5 | {m} MRR@10" for m in modes) + " |"
    rule = "|---|---:|" + "---:|---:|" * len(modes)
    rows = [head, rule]
    for group in GROUPS:
        n = figures[modes[0]][group]["n"]
        if not n:
            continue
        cells = " | ".join(f"{figures[m][group]['file@5']:.3f} | {figures[m][group]['mrr@10']:.3f}" for m in modes)
        rows.append(f"| {group} | {n} | {cells} |")
    rows += ["", "| mode | p50 ms | corpus files in top 5 (mean) | questions with a corpus file in top 5 |", "|---|---:|---:|---:|"]
    for m in modes:
        f = figures[m]["all"]
        rows.append(f"| {m} | {f['p50_ms']:.1f} | {f['corpus_in_top5']:.2f} | {f['any_corpus_in_top5']:.3f} |")
    if "bm25" in by_mode and len(modes) > 1:
        rows += ["", "| against bm25 (points, 95% paired bootstrap interval) | file@5 | MRR@10 |", "|---|---:|---:|"]
        for m in modes:
            if m == "bm25":
                continue
            cells = []
            for metric in ("file@5", "mrr@10"):
                gain, low, high = paired_gain(by_mode[m], by_mode["bm25"], metric)
                cells.append(f"{100 * gain:+.1f} [{100 * low:+.1f}, {100 * high:+.1f}]")
                figures[m]["all"][f"{metric} gain over bm25"] = [round(gain, 4), round(low, 4), round(high, 4)]
            rows.append(f"| {m} | {' | '.join(cells)} |")
    return "\n".join(rows), figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="working folder for the docs, the index copy and results.json (default: a new temp folder)")
    parser.add_argument("--index", type=Path, help="index to copy (default: build the shipped corpus into OUT/base-index)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated search modes (default: hybrid,bm25,dense)")
    parser.add_argument("--services", help="comma-separated botocore service names, for a quick run (default: all of aws_docs.SERVICES)")
    parser.add_argument("--any-botocore", action="store_true", help=f"run with another botocore than {BOTOCORE_VERSION} (answers may have moved)")
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]

    out = args.out or Path(tempfile.mkdtemp(prefix="aws-docs-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    docs, copy = out / DOCS_NAME, out / "index"
    for folder in (docs, copy):
        if folder.exists():
            shutil.rmtree(folder)
    docs.mkdir()
    services = [s.strip() for s in args.services.split(",")] if args.services else list(SERVICES)
    written = write_docs(load_models(services, any_version=args.any_botocore), docs)
    questions = [q for q in load_questions(args.questions) if q.service in services]
    if not questions:
        sys.exit(f"{args.questions}: no question about {', '.join(services)}")
    missing = sorted({q.file for q in questions} - {f.path for f in written})
    if missing:
        sys.exit(f"{args.questions}: {len(missing)} answer files were not written (first: {missing[0]}); is botocore {BOTOCORE_VERSION} installed?")

    base, build_seconds = args.index, None
    if base is None:
        base = out / "base-index"
        if not StudyIndex.exists(base):
            print(f"building the shipped corpus into {base} ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            StudyIndex.build(None, base)
            build_seconds = time.perf_counter() - started
    elif not StudyIndex.exists(base):
        sys.exit(f"{base}: no study index there; build one with 'studykg build --index {base}' or drop --index")
    shutil.copytree(base, copy)
    print(f"adding {len(written)} files to a copy of {base} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    report = StudyIndex.add(docs, copy)
    add_seconds = time.perf_counter() - started

    index = StudyIndex.open(copy)
    try:
        by_mode = {}
        for mode in modes:
            print(f"asking {len(questions)} questions, mode {mode} ...", file=sys.stderr, flush=True)
            by_mode[mode] = ask(index, questions, mode)
    finally:
        index.close()
    table, figures = tables(by_mode)

    import botocore

    meta = {
        "botocore": botocore.__version__,
        "files": len(written),
        "services": len({f.service for f in written}),
        "chunks_added": report.chunks,
        "model": report.model,
        "docs_languages": report.languages,
        "skipped": len(report.skipped),
        "add_seconds": round(add_seconds, 1),
        "build_seconds": round(build_seconds, 1) if build_seconds is not None else None,
        "questions": len(questions),
        "k": K,
    }
    print(f"\nAWS API reference bench: {meta['files']} files from {meta['services']} service models (botocore {meta['botocore']}), "
          f"{meta['chunks_added']:,} chunks added in {add_seconds:.1f} s (model {report.model}), {len(questions)} questions"
          + (f"; shipped corpus built in {build_seconds:.1f} s" if build_seconds is not None else ""))
    print()
    print(table)
    results = {"meta": meta, "summary": figures, "answers": [asdict(a) for mode in by_mode.values() for a in mode]}
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nper-question results: {out / 'results.json'}")


if __name__ == "__main__":
    main()
