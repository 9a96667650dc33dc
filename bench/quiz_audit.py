"""Audit the practice questions: what each validation check drops, and a random sample for a blind review.

Generates every question of both exams in en, vi and it from a built index (the answer-engine
check runs on it; without an index the check is skipped and the report says so), counts the
candidates each check drops, adds the reviewed bank, and writes a seeded random sample of
questions across exams, languages and kinds as JSON Lines. A reviewer who did not write the
generator or the bank marks each sampled line (correct and good / wrong key / two right
answers / give-away or nonsense / implausible distractors).

    STUDYKG_INDEX=/tmp/quiz/index python bench/quiz_audit.py --sample 100 --out bench/eval/quiz_audit_sample.jsonl
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
from indexer.practice import engine_checker, shipped_bank  # noqa: E402
from kg import KnowledgeGraph  # noqa: E402
from kg.exams import exam_profiles  # noqa: E402
from kg.quiz import QuizMaker  # noqa: E402
from kg.quiz_mix import QuizMix, bank_question  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="a built index (default: $STUDYKG_INDEX or index/)")
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "eval" / "quiz_audit_sample.jsonl")
    args = parser.parse_args()

    index = StudyIndex.open(args.index) if StudyIndex.exists(args.index) else None
    graph = index.graph if index else KnowledgeGraph.load_curated(default_graph_path())
    bank = shipped_bank()
    pool: list[tuple[str, object]] = []
    started = time.perf_counter()
    print(f"answer-engine check: {'on (' + str(index.folder) + ')' if index else 'skipped: no built index'}")
    for exam in exam_profiles(graph):
        maker = QuizMaker(graph, exam, checker=engine_checker(index) if index else None)
        made = Counter()
        for lang in LANGS:
            for question in maker.all_questions(lang):
                pool.append((exam.code, question))
                made[(lang, question.kind)] += 1
            for item in QuizMix(maker, bank).bank_items(lang):
                pool.append((exam.code, bank_question(item, graph)))
                made[(lang, "bank")] += 1
        print(f"\n{exam.code}: questions by language and kind")
        for lang in LANGS:
            print(f"  {lang}: " + ", ".join(f"{kind} {n}" for (code, kind), n in sorted(made.items()) if code == lang))
        print("  validation checks (counted over the three languages):")
        for name, count in sorted(maker.stats.items()):
            print(f"    {name}: {count}")
    rng = random.Random(args.seed)
    by_lang = {lang: [p for p in pool if p[1].lang == lang] for lang in LANGS}
    sample = []
    for n in range(args.sample):
        lang = LANGS[n % len(LANGS)]
        if by_lang[lang]:
            sample.append(by_lang[lang].pop(rng.randrange(len(by_lang[lang]))))
    rng.shuffle(sample)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for number, (exam, question) in enumerate(sample, 1):
            out.write(json.dumps(audit_line(number, exam, question), ensure_ascii=False) + "\n")
    kinds = Counter((q.lang, q.kind) for _, q in sample)
    print(f"\nsample of {len(sample)} written to {args.out}: " + ", ".join(f"{l}/{k} {n}" for (l, k), n in sorted(kinds.items())))
    print(f"{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
