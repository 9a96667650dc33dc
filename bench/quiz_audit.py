"""Audit the practice questions: what each validation check drops, and a sample for a blind review drawn as a learner meets them.

Generates every question of both exams in en, vi and it from a built index (the answer-engine
check runs on it; without an index the check is skipped and the report says so) and counts the
candidates each check drops. The sample comes from what the quiz serves: for each exam and
language, a learner takes `--quizzes` seeded 10-question quizzes from `QuizMix` (reviewed bank
first, generated questions filling gaps), each quiz avoiding what the earlier ones asked. The
served questions are shuffled and the first `--sample` distinct ones written as JSON Lines, so
the sample's mix of bank and generated kinds is the mix a learner sees. A reviewer who did not
write the generator or the bank marks each line (correct and good / wrong key / two right
answers / give-away or nonsense / implausible distractors).

    STUDYKG_INDEX=/tmp/quiz/index python bench/quiz_audit.py --sample 100 --out bench/eval/quiz_audit_sample.jsonl
    python bench/quiz_audit.py --kinds service versus   # only these generated kinds (bank items still served)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer import StudyIndex  # noqa: E402
from indexer.layout import default_graph_path  # noqa: E402
from kg import KnowledgeGraph  # noqa: E402
from kg.exams import exam_profiles  # noqa: E402
from study.practice import engine_checker, shipped_bank  # noqa: E402
from study.quiz import KINDS, QUIZ_KINDS, QuizMaker  # noqa: E402
from study.quiz_mix import QuizMix  # noqa: E402

LANGS = ("en", "vi", "it")


def audit_line(number: int, exam: str, question) -> dict:
    """What the reviewer sees: the item, the marked key, the reasons and the sources to check them against."""
    return {
        "n": number,
        "exam": exam,
        "lang": question.lang,
        "kind": question.kind,
        "id": question.id,
        "stem": question.prompt,
        "choices": [c.label for c in question.choices],
        "marked": [question.choices[i].label for i in question.answers],
        "explanation": question.explanation,
        "why_wrong": {question.choices[i].label: r for i, r in enumerate(question.why_wrong) if r},
        "sources": list(question.sources),
        "verdict": "",  # for the reviewer: good | wrong key | two right | give-away | implausible distractors
    }


def served(mix: QuizMix, lang: str, quizzes: int, seed: int, kinds: tuple[str, ...]) -> list:
    """The questions of `quizzes` seeded 10-question quizzes in a row, each avoiding what the earlier ones asked."""
    asked: list = []
    for number in range(quizzes):
        quiz = mix.quiz(10, lang, seed=seed * 1000 + number, kinds=kinds, recent=[q.id for q in asked])
        asked.extend(quiz)
    return asked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="a built index (default: $STUDYKG_INDEX or index/)")
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--quizzes", type=int, default=5, help="10-question quizzes a learner takes per exam and language")
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(QUIZ_KINDS), help="generated kinds to serve (default: what a quiz serves)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "eval" / "quiz_audit_sample.jsonl")
    args = parser.parse_args()

    index = StudyIndex.open(args.index) if StudyIndex.exists(args.index) else None
    graph = index.graph if index else KnowledgeGraph.load_curated(default_graph_path())
    bank = shipped_bank()
    started = time.perf_counter()
    print(f"answer-engine check: {'on (' + str(index.folder) + ')' if index else 'skipped: no built index'}")
    pool: list[tuple[str, object]] = []
    for exam in exam_profiles(graph):
        maker = QuizMaker(graph, exam, checker=engine_checker(index) if index else None)
        made = Counter()
        for lang in LANGS:
            for question in maker.all_questions(lang):
                made[(lang, question.kind)] += 1
        print(f"\n{exam.code}: generated questions that pass every check, by language and kind")
        for lang in LANGS:
            print(f"  {lang}: " + (", ".join(f"{kind} {n}" for (code, kind), n in sorted(made.items()) if code == lang) or "none"))
        print("  candidates dropped by each check (counted over the three languages):")
        for name, count in sorted(maker.stats.items()):
            print(f"    {name}: {count}")
        mix = QuizMix(maker, bank)
        for lang in LANGS:
            print(f"  bank items {lang}: {len(mix.bank_items(lang))}")
            asked = served(mix, lang, args.quizzes, args.seed, tuple(args.kinds))
            kinds = Counter(q.kind for q in asked)
            print(f"  served in {args.quizzes} quizzes ({lang}): {len(asked)} questions, {len({q.id for q in asked})} distinct: "
                  + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
            pool.extend((exam.code, q) for q in asked)
    rng = random.Random(args.seed)
    rng.shuffle(pool)
    sample, seen = [], set()
    for exam, question in pool:
        key = (exam, question.lang, question.id)
        if key not in seen and len(sample) < args.sample:
            seen.add(key)
            sample.append((exam, question))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for number, (exam, question) in enumerate(sample, 1):
            out.write(json.dumps(audit_line(number, exam, question), ensure_ascii=False) + "\n")
    mix_count = Counter((e, q.lang, q.kind) for e, q in sample)
    print(f"\nsample of {len(sample)} written to {args.out}:")
    for (e, lang, kind), n in sorted(mix_count.items()):
        print(f"  {e} {lang} {kind}: {n}")
    print(f"{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
