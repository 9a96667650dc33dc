"""Learner-notes bench: are a learner's own notes found when added next to the shipped corpus?

A learner adds a folder of their own notes with ``studykg add`` and asks questions those notes
answer. The shipped notes and service pages cover the same topics, so the learner's file competes
with them. This bench measures how often it wins.

The notes are read at run time from a folder outside the repository (default:
``../shared/learner-notes``: five real exam write-ups in vi, en and it; third-party text, never
copied into the repository). Each question in bench/eval/learner_notes_questions.jsonl (q, lang,
file) is answered by one file of that folder and was written by reading the notes before any
retrieval was run on them.

The bench copies the notes' ``.txt``/``.md`` files (not their README) to a temp folder, copies a
built index (``--index``), adds the folder to the copy as ``studykg add`` does, and asks every
question with ``index.search(q, k=30, mode=...)``, once as asked normally and once restricted to
the learner's notes (``--source mine``). For each mode (hybrid, bm25, dense), overall and per
language, it reports:

- hit@5: the answer file is among the first five distinct source files of the hits;
- MRR@10: reciprocal rank of the answer file among the first ten distinct files (0 past ten);
- notes@1 (asked normally): how often the best passage comes from the learner's notes at all;
- "From your notes" (asked normally): how often the answer file is in the result's separate
  section of the learner's passages (``SearchResult.from_your_notes``; hybrid only).

Per-question results go to OUT/results.json.

    python bench/learner_notes_bench.py --index /tmp/g/index
    python bench/learner_notes_bench.py --index index/ --notes ~/notes/aws-ml --questions my_questions.jsonl
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]

from indexer import SearchFilters, StudyIndex  # noqa: E402

QUESTIONS = REPO / "bench" / "eval" / "learner_notes_questions.jsonl"
NOTES = REPO.parent / "shared" / "learner-notes"
NOTES_NAME = "learner-notes"  # the added folder's name in the temp folder
MODES = ("hybrid", "bm25", "dense")
SCOPES = {"normal": None, "mine": SearchFilters(sources=("mine",))}
K = 30  # hits per search: room for ten distinct files
NOTE_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class Question:
    q: str
    lang: str
    file: str  # file name inside the notes folder


@dataclass(frozen=True)
class Answer:
    q: str
    lang: str
    file: str
    mode: str
    scope: str
    rank: int | None  # 1-based rank of the answer file among the first ten distinct files
    files: tuple[str, ...]
    top_is_mine: bool  # the first hit comes from the added notes
    in_section: bool  # the answer file is in the "From your notes" section
    section_size: int  # passages in that section
    ms: float


def load_questions(path: Path) -> list[Question]:
    with open(path, encoding="utf-8") as f:
        return [Question(**json.loads(line)) for line in f if line.strip()]


def copy_notes(source: Path, target: Path) -> list[str]:
    """Copy the note files (not the folder's README) into ``target``; return their names."""
    target.mkdir(parents=True)
    names = []
    for path in sorted(source.iterdir()):
        if path.is_file() and path.suffix.lower() in NOTE_SUFFIXES and path.stem.lower() != "readme":
            shutil.copy2(path, target / path.name)
            names.append(path.name)
    return names


def ask(index: StudyIndex, questions: list[Question], mode: str, scope: str) -> list[Answer]:
    """Ask every question in one mode and scope."""
    filters = SCOPES[scope]
    index.search(questions[0].q, K, mode=mode, filters=filters)  # warm
    answers = []
    for question in questions:
        started = time.perf_counter()
        result = index.search(question.q, K, mode=mode, filters=filters)
        ms = (time.perf_counter() - started) * 1000
        files = list(dict.fromkeys(hit.source for hit in result.hits))[:10]
        target = f"/{question.file}"
        rank = next((n for n, f in enumerate(files, 1) if f.endswith(target)), None)
        mine = bool(result.hits) and result.hits[0].kind == "user"
        section = any(hit.source.endswith(target) for hit in result.from_your_notes)
        answers.append(Answer(question.q, question.lang, question.file, mode, scope, rank, tuple(files), mine, section, len(result.from_your_notes), ms))
    return answers


def summary(answers: list[Answer]) -> dict:
    n = len(answers)
    if not n:
        return {"n": 0}
    return {
        "n": n,
        "hit@5": sum(1 for a in answers if a.rank and a.rank <= 5) / n,
        "mrr@10": sum(1 / a.rank for a in answers if a.rank) / n,
        "notes@1": sum(1 for a in answers if a.top_is_mine) / n,
        "in_section": sum(1 for a in answers if a.in_section) / n,
        "section_size": sum(a.section_size for a in answers) / n,
    }


def tables(answers: list[Answer], modes: list[str]) -> tuple[str, dict]:
    """One Markdown table per scope (modes side by side, overall and per language), and the figures as a dict."""
    langs = ["all", *sorted({a.lang for a in answers})]
    figures: dict = {}
    rows: list[str] = []
    for scope in SCOPES:
        figures[scope] = {
            mode: {lang: summary([a for a in answers if a.mode == mode and a.scope == scope and lang in ("all", a.lang)]) for lang in langs}
            for mode in modes
        }
        title = "asked normally" if scope == "normal" else "restricted to the learner's notes (--source mine)"
        rows += ["", f"{title}:", "", "| questions | n | " + " | ".join(f"{m} hit@5 | {m} MRR@10" for m in modes) + " |",
                 "|---|---:|" + "---:|---:|" * len(modes)]
        for lang in langs:
            n = figures[scope][modes[0]][lang]["n"]
            cells = " | ".join(f"{figures[scope][m][lang]['hit@5']:.2f} | {figures[scope][m][lang]['mrr@10']:.2f}" for m in modes)
            rows.append(f"| {lang} | {n} | {cells} |")
        if scope == "normal":
            rows.append("| top passage from the notes | | " + " | ".join(f"{figures[scope][m]['all']['notes@1']:.2f} | " for m in modes) + "")
            rows.append("| answer file in \"From your notes\" | | " + " | ".join(f"{figures[scope][m]['all']['in_section']:.2f} | " for m in modes) + "")
    return "\n".join(rows), figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True, help="a built study index to copy (it is not changed)")
    parser.add_argument("--notes", type=Path, default=NOTES, help=f"folder of notes to add (default: {NOTES})")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--out", type=Path, help="working folder for the notes copy, the index copy and results.json (default: a new temp folder)")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated search modes (default: hybrid,bm25,dense)")
    parser.add_argument("--reuse", action="store_true", help="reuse OUT/index when it already holds the notes (faster reruns)")
    args = parser.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]

    if not args.notes.is_dir():
        sys.exit(f"{args.notes}: no such folder of notes; pass --notes FOLDER")
    if not StudyIndex.exists(args.index):
        sys.exit(f"{args.index}: no study index there; build one with 'studykg build --index {args.index}'")
    questions = load_questions(args.questions)
    out = args.out or Path(tempfile.mkdtemp(prefix="learner-notes-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    notes, copy = out / NOTES_NAME, out / "index"
    if not (args.reuse and StudyIndex.exists(copy) and notes.is_dir()):
        for folder in (notes, copy):
            if folder.exists():
                shutil.rmtree(folder)
        names = copy_notes(args.notes, notes)
        missing = sorted({q.file for q in questions} - set(names))
        if missing:
            sys.exit(f"{args.questions}: answer file {missing[0]} is not in {args.notes}")
        shutil.copytree(args.index, copy)
        print(f"adding {len(names)} files to a copy of {args.index} ...", file=sys.stderr, flush=True)
        StudyIndex.add(notes, copy)

    index = StudyIndex.open(copy)
    try:
        answers = [a for mode in modes for scope in SCOPES for a in ask(index, questions, mode, scope)]
    finally:
        index.close()
    table, figures = tables(answers, modes)
    print(f"Learner-notes bench: {len(questions)} questions on {args.notes} added to a copy of {args.index}")
    print(table)
    results = {"summary": figures, "answers": [asdict(a) for a in answers]}
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nper-question results: {out / 'results.json'}")


if __name__ == "__main__":
    main()
