"""Print the evaluation table for the shipped question set, with an untuned-encoder column.

Builds the two indexes it needs under --out unless given (the shipped corpus with the
default trained encoder, and the same corpus with ``tune_encoder=False``: plain
co-occurrence vectors), then evaluates each split in every search mode.

    python bench/eval_table.py                          # dev and heldout
    python bench/eval_table.py --split heldout --failures
    python bench/eval_table.py --index index/ --no-untuned
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer import StudyIndex  # noqa: E402
from indexer.evaluation import evaluate, failures, format_table, load_questions  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=REPO / "bench" / "eval" / "questions.jsonl")
    parser.add_argument("--split", choices=("dev", "heldout", "all"), action="append", help="repeatable (default: dev and heldout)")
    parser.add_argument("--index", type=Path, help="index of the full system (default: build into --out)")
    parser.add_argument("--untuned", type=Path, help="index built with tune_encoder=False (default: build into --out)")
    parser.add_argument("--no-untuned", action="store_true", help="leave out the untuned-encoder column")
    parser.add_argument("--failures", action="store_true", help="list the questions the full system gets wrong at entity@1")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "eval")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)

    full = _index(args.index, args.out / "full", tune_encoder=True)
    untuned = None if args.no_untuned else _index(args.untuned, args.out / "untuned", tune_encoder=False)
    source = str(args.questions.relative_to(REPO)) if args.questions.is_relative_to(REPO) else str(args.questions)
    for split in args.split or ["dev", "heldout"]:
        questions = load_questions(args.questions, split=split)
        report = evaluate(full, questions, source=source, split=split)
        others = [evaluate(untuned, questions, modes=("hybrid", "dense"), label="untuned", source=source, split=split)] if untuned else []
        print(format_table(report, *others))
        if args.failures:
            for o in failures(report, "hybrid"):
                print(f"  [{o.lang}] {o.q!r}: got {', '.join(o.top_entities) or 'nothing'}; gold {' / '.join(o.gold)} at {o.entity_rank}")
        print()


def _index(path: Path | None, default: Path, *, tune_encoder: bool) -> StudyIndex:
    if path is None:
        # Always rebuilt: an index left from an earlier run would measure an older corpus and graph.
        path = default
        print(f"building {path} (tune_encoder={tune_encoder}) ...", file=sys.stderr, flush=True)
        StudyIndex.build(None, path, tune_encoder=tune_encoder)
    return StudyIndex.open(path)


if __name__ == "__main__":
    main()
