"""Coverage of the current exam: the MLA-C01 exam guide's in-scope services and features against the graph.

Each name of ``bench/eval/mla-c01-in-scope.txt`` (the guide's appendix, and the SageMaker
features its task statements name) is resolved the way a learner's typing is: by label,
alias or former name, accents and case folded; no fuzzy match counts. The report lists the
missing names and whether each present one is in the exam's ``skg:inScope`` list.

    python bench/coverage_mla.py            # a table, and the share present
    python bench/coverage_mla.py --json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kg import KnowledgeGraph  # noqa: E402
from kg.errors import UnknownEntityError  # noqa: E402
from kg.exams import find_exam  # noqa: E402

IN_SCOPE = REPO / "bench" / "eval" / "mla-c01-in-scope.txt"


def read_names(path: Path) -> list[tuple[str, str]]:
    """(category, name) for every line of the in-scope list."""
    category, names = "", []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("# --"):
            category = line.removeprefix("# --").strip()
        elif line and not line.startswith("#"):
            names.append((category, line))
    return names


def coverage(kg: KnowledgeGraph, names: list[tuple[str, str]]) -> list[dict]:
    exam = find_exam(kg, "MLA-C01")
    in_scope = set(exam.in_scope)
    rows = []
    for category, name in names:
        try:
            entity = kg.resolve(name)
        except UnknownEntityError:
            rows.append({"category": category, "name": name, "entity": None, "in_scope": False})
            continue
        rows.append({"category": category, "name": name, "entity": entity.name, "in_scope": entity.iri in in_scope})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, default=REPO / "corpus" / "graph")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = coverage(KnowledgeGraph.load_curated(args.graph), read_names(IN_SCOPE))
    present = [r for r in rows if r["entity"]]
    if args.json:
        print(json.dumps({"present": len(present), "total": len(rows), "rows": rows}, ensure_ascii=False, indent=1))
        return 0
    for row in rows:
        mark = "ok " if row["entity"] else "-- "
        scope = "" if not row["entity"] or row["in_scope"] or row["category"].startswith("SageMaker") else "  (not in skg:inScope)"
        print(f"{mark}{row['category'][:28]:<28} {row['name']:<48} {row['entity'] or 'MISSING'}{scope}")
    print(f"\n{len(present)} of {len(rows)} in-scope items present ({len(present) / len(rows):.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
