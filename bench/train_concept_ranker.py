"""Fit the concept ranking's combination of evidence (indexer/concept_ranker.py) on learner questions.

Each question of the training files is asked of a built index; the search's evidence table
for it (``Searcher.concept_table``) and the gold entities make one training example. The
fitted shares, floor, scale and weights go to indexer/concept_ranker.json with the files they came
from and the constants of indexer/concept_ranker.py they were fitted with (the search refuses
a model whose constants differ: refit after changing any). The held-out split of questions.jsonl is never trained on: the script prints entity@1
on it for the model in place before and the one it fits. Never run by the tests.

    python bench/train_concept_ranker.py --index /tmp/index
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer import StudyIndex  # noqa: E402
from indexer.concept_ranker import MODEL_FILE, ConceptModel, ConceptModelMismatch, ConceptTable, fit  # noqa: E402
from indexer.evaluation import load_questions, resolve_gold  # noqa: E402
from indexer.records import ConceptMatch  # noqa: E402

EVAL = REPO / "bench" / "eval"
# (file, split): the learner questions written before this model; the held-out split stays out.
TRAINING = ((EVAL / "questions.jsonl", "dev"), (EVAL / "train-2026-11.jsonl", "all"), (EVAL / "train-2026-12.jsonl", "all"))
VALIDATION = (EVAL / "questions.jsonl", "heldout")


def examples(index: StudyIndex, path: Path, split: str) -> tuple[list[ConceptTable], list[set[str]]]:
    tables, golds = [], []
    for question in load_questions(path, split=split):
        table = index.searcher.concept_table(question.q)
        gold = resolve_gold(question, index)
        entities = index.graph.entities
        golds.append({
            iri for iri in table.iris
            if gold.matches(ConceptMatch(iri=iri, label=entities[iri].label, aliases=tuple(entities[iri].aliases), type=entities[iri].type, score=0.0))
        })
        tables.append(table)
    return tables, golds


def entity_at_1(model: ConceptModel, tables: list[ConceptTable], golds: list[set[str]]) -> float:
    right = sum(bool(ranked) and ranked[0][0] in gold for ranked, gold in ((model.rank(t), g) for t, g in zip(tables, golds)))
    return round(right / len(tables), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="an index of the shipped corpus")
    parser.add_argument("--l2", type=float, default=1e-3, help="L2 penalty on the signal weights")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args()

    index = StudyIndex.open(args.index)
    sets = {f"{path.name}:{split}": examples(index, path, split) for path, split in (*TRAINING, VALIDATION)}
    validation = f"{VALIDATION[0].name}:{VALIDATION[1]}"
    tables = [t for name, (ts, _) in sets.items() if name != validation for t in ts]
    golds = [g for name, (_, gs) in sets.items() if name != validation for g in gs]
    try:
        before: ConceptModel | None = ConceptModel.load()
    except ConceptModelMismatch as error:
        print(f"model in place not comparable: {error}")
        before = None
    model = fit(tables, golds, l2=args.l2)
    accuracy = {}
    print(f"{'entity@1':<42} {'model in place':>15} {'fitted':>8}")
    for name, (ts, gs) in sets.items():
        accuracy[name] = entity_at_1(model, ts, gs)
        print(f"{name + (' (not trained on)' if name == validation else ''):<42} {entity_at_1(before, ts, gs) if before else '-':>15} {accuracy[name]:>8}")
    model.save(args.out, trained_on=[name for name in sets if name != validation], accuracy=accuracy)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
