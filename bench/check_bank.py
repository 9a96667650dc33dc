"""Check the reviewed practice bank (corpus/quiz/bank.<lang>.jsonl) before it ships. Never run by the tests.

Usage:  .venv/bin/python bench/check_bank.py [--bank corpus/quiz] [--corpus corpus] [--langs en,vi,it]

The loader (study.quiz_bank) already refuses a line that breaks the schema. This script adds the
rules a reviewer needs and a loader should not enforce at run time: every language holds the
same ids with the same keys, entities and sources (one fact, one card); a choose-two item has
five choices and says so in its stem; every wrong choice has its reason; each entity is a
subject of the curated graph (all corpus/graph/*.ttl, read with rdflib); each source names an
existing corpus file and one of its headings. It prints counts per task and language and exits
1 when any rule is broken, listing every problem.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from rdflib import Graph, URIRef

from kg.provenance import read_sections
from study.quiz_bank import BankError, read_bank_file

ROOT = Path(__file__).resolve().parent.parent
KG = "https://w3id.org/studykg/kg#"
CHOOSE_TWO = {"en": "(Choose two.)", "vi": "(Chọn hai đáp án.)", "it": "(Scegli due risposte.)"}
ID_PATTERN = re.compile(r"^mla-(\d)\.(\d)-\d\d$")
SAME_IN_EVERY_LANGUAGE = ("exam", "task", "answers", "entities", "sources")


def graph_subjects(graph_dir: Path) -> set[str]:
    """Local names of every kg: subject in the curated graph files."""
    graph = Graph()
    for path in sorted(graph_dir.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return {str(s)[len(KG) :] for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(KG)}


def headings(corpus: Path, relative: str, cache: dict[str, set[str] | None]) -> set[str] | None:
    """The headings of one corpus file, or None when the file does not exist."""
    if relative not in cache:
        path = corpus / relative
        cache[relative] = {s.heading for s in read_sections(path, relative)} if path.is_file() else None
    return cache[relative]


def item_problems(record: dict, lang: str) -> list[str]:
    """Rules of one item in one language that the loader's schema does not state."""
    problems = []
    where = f"{lang} {record['id']}"
    match = ID_PATTERN.match(record["id"])
    if not match or record["task"] != f"MLA_Task{match.group(1)}_{match.group(2)}":
        problems.append(f"{where}: id does not match task {record['task']}")
    two = len(record["answers"]) == 2
    if len(record["choices"]) != (5 if two else 4):
        problems.append(f"{where}: {len(record['answers'])} answer(s) need {5 if two else 4} choices")
    marker = CHOOSE_TWO.get(lang)
    if marker and record["stem"].rstrip().endswith(marker) != two:
        problems.append(f"{where}: stem {'lacks' if two else 'has'} the choose-two marker {marker!r}")
    wrong = {str(i) for i in range(len(record["choices"])) if i not in record["answers"]}
    if set(record.get("why_wrong", {})) != wrong:
        problems.append(f"{where}: why_wrong must give a reason for each wrong choice {sorted(wrong)}")
    if not record["stem"][:1].isupper():
        problems.append(f"{where}: stem starts with a lower-case letter")
    if len(set(record["choices"])) != len(record["choices"]):
        problems.append(f"{where}: two choices are identical")
    if not record.get("sources"):
        problems.append(f"{where}: no source passage")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bank", type=Path, default=ROOT / "corpus" / "quiz")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--langs", default="en,vi,it")
    args = parser.parse_args()
    langs = args.langs.split(",")

    problems: list[str] = []
    records: dict[str, list[dict]] = {}
    for lang in langs:
        path = args.bank / f"bank.{lang}.jsonl"
        try:
            read_bank_file(path)  # the loader's own schema and index checks
        except BankError as exc:
            problems.append(str(exc))
        if path.is_file():
            records[lang] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        else:
            problems.append(f"{path}: missing")
            records[lang] = []
        for record in records[lang]:
            problems += item_problems(record, lang)

    base_lang = langs[0]
    base = {r["id"]: r for r in records[base_lang]}
    for lang in langs[1:]:
        other = {r["id"]: r for r in records[lang]}
        for id_ in sorted(base.keys() ^ other.keys()):
            problems.append(f"{id_}: in {base_lang if id_ in base else lang} only")
        for id_ in sorted(base.keys() & other.keys()):
            for field in SAME_IN_EVERY_LANGUAGE:
                if base[id_][field] != other[id_][field]:
                    problems.append(f"{lang} {id_}: {field} differs from {base_lang}")
            if len(base[id_]["choices"]) != len(other[id_]["choices"]):
                problems.append(f"{lang} {id_}: choice count differs from {base_lang}")

    subjects = graph_subjects(args.corpus / "graph")
    missing_entities: Counter[str] = Counter()
    bad_sources: Counter[str] = Counter()
    cache: dict[str, set[str] | None] = {}
    for record in records[base_lang]:
        missing_entities.update(e for e in record["entities"] if e not in subjects)
        for source in record.get("sources", []):
            relative, _, heading = source.partition("#")
            found = headings(args.corpus, relative, cache)
            if found is None:
                bad_sources[f"{source} (no such file)"] += 1
            elif heading not in found:
                bad_sources[f"{source} (no such heading)"] += 1
    problems += [f"entity kg:{name} is not in the graph ({n} items)" for name, n in sorted(missing_entities.items())]
    problems += [f"source {ref}: {n} items" for ref, n in sorted(bad_sources.items())]

    tasks = sorted({r["task"] for lang in langs for r in records[lang]})
    print(f"{'task':<14}" + "".join(f"{lang:>6}" for lang in langs) + f"{'choose-two':>12}")
    for task in tasks:
        counts = [sum(r["task"] == task for r in records[lang]) for lang in langs]
        two = sum(r["task"] == task and len(r["answers"]) == 2 for r in records[base_lang])
        print(f"{task:<14}" + "".join(f"{n:>6}" for n in counts) + f"{two:>12}")
    totals = [len(records[lang]) for lang in langs]
    two_total = sum(len(r["answers"]) == 2 for r in records[base_lang])
    print(f"{'total':<14}" + "".join(f"{n:>6}" for n in totals) + f"{two_total:>12}")
    keys = Counter(r["answers"][0] for r in records[base_lang] if len(r["answers"]) == 1)
    print("single-answer key positions:", dict(sorted(keys.items())))
    print(f"entities: {len({e for r in records[base_lang] for e in r['entities']})} distinct, "
          f"{len(missing_entities)} not in the graph; sources: {len(cache)} files, {len(bad_sources)} bad references")
    if problems:
        print(f"\n{len(problems)} problems:")
        for line in problems:
            print("  " + line)
        return 1
    print("\nall checks pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
