"""The reviewed bank: exam-style items written by hand, one JSON object per line, one file per language.

Files are ``bank.<lang>.jsonl`` in one folder (``corpus/quiz/`` in the shipped corpus). The
same ``id`` in several files is the same item translated, so an answer in any language counts
for the same question and makes the same card. Every line is checked against a JSON Schema
(the ``jsonschema`` package) plus the rules a schema cannot say (answers point at choices, a
choose-two item has two answers); a bad line stops loading with one line naming file, line
and cause, because a wrong key taught to a learner is worse than a missing item.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from jsonschema import Draft202012Validator

from .errors import BankError

__all__ = ["BANK_SCHEMA", "BankError", "BankItem", "load_bank"]

BANK_SCHEMA = {
    "type": "object",
    "required": ["id", "exam", "task", "stem", "choices", "answers", "explanation", "entities"],
    "properties": {
        "id": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]*$"},
        "exam": {"type": "string", "minLength": 1},
        "task": {"type": "string", "pattern": r"^[A-Za-z0-9_]+$"},
        "stem": {"type": "string", "minLength": 10},
        "choices": {"type": "array", "minItems": 4, "maxItems": 5, "items": {"type": "string", "minLength": 1}},
        "answers": {"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": True, "items": {"type": "integer", "minimum": 0}},
        "explanation": {"type": "string", "minLength": 1},
        "why_wrong": {"type": "object", "additionalProperties": {"type": "string"}},
        "entities": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": r"^[A-Za-z0-9_]+$"}},
        "sources": {"type": "array", "items": {"type": "string", "pattern": r"^[^#]+#.+$"}},
    },
}
_VALIDATOR = Draft202012Validator(BANK_SCHEMA)


@dataclass(frozen=True)
class BankItem:
    """One hand-written item in one language; `answers` index `choices` (two for a choose-two item)."""

    id: str
    lang: str
    exam: str
    task: str  # local name of the task statement, e.g. "MLA_Task1_1"
    stem: str
    choices: tuple[str, ...]
    answers: tuple[int, ...]
    explanation: str
    why_wrong: tuple[str, ...]  # one per choice, "" for a right one or where the item gives none
    entities: tuple[str, ...]  # local names, the key's entity first
    sources: tuple[str, ...] = ()  # "path#heading" of corpus passages that back the key


def _check(record: object, where: str) -> None:
    errors = sorted(_VALIDATOR.iter_errors(record), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        field = ".".join(str(p) for p in first.absolute_path) or "the line"
        raise BankError(f"{where}: {field}: {first.message}")
    choices, answers = record["choices"], record["answers"]
    if any(a >= len(choices) for a in answers):
        raise BankError(f"{where}: answers {answers} point past the {len(choices)} choices")
    if len(answers) == 2 and len(choices) != 5:
        raise BankError(f"{where}: a choose-two item has 5 choices, this one has {len(choices)}")
    bad = [k for k in record.get("why_wrong", {}) if not k.isdigit() or int(k) >= len(choices) or int(k) in answers]
    if bad:
        raise BankError(f"{where}: why_wrong key {bad[0]!r} is not a wrong choice's index")


def _item(record: dict, lang: str) -> BankItem:
    why = record.get("why_wrong", {})
    return BankItem(
        id=record["id"],
        lang=lang,
        exam=record["exam"],
        task=record["task"],
        stem=record["stem"].strip(),
        choices=tuple(c.strip() for c in record["choices"]),
        answers=tuple(sorted(record["answers"])),
        explanation=record["explanation"].strip(),
        why_wrong=tuple(why.get(str(i), "").strip() for i in range(len(record["choices"]))),
        entities=tuple(record["entities"]),
        sources=tuple(record.get("sources", ())),
    )


def read_bank_file(path: Path) -> tuple[BankItem, ...]:
    """The items of one ``bank.<lang>.jsonl`` file, every line checked."""
    path = Path(path)
    parts = path.name.split(".")
    if len(parts) != 3 or parts[0] != "bank" or parts[2] != "jsonl":
        raise BankError(f"{path}: a bank file is named bank.<lang>.jsonl")
    lang = parts[1]
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BankError(f"{path}: cannot read the bank file ({exc})") from None
    items: list[BankItem] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise BankError(f"{where}: not JSON ({exc.args[0] if exc.args else exc})") from None
        _check(record, where)
        if record["id"] in seen:
            raise BankError(f"{where}: id {record['id']!r} appears twice in this file")
        seen.add(record["id"])
        items.append(_item(record, lang))
    return tuple(items)


def load_bank(folder: Path | str | None) -> tuple[BankItem, ...]:
    """Every item of every ``bank.*.jsonl`` in `folder` (none when the folder is missing).

    Translations of one item must agree on what makes it the same item: exam, task, answers
    and entities. A mismatch is refused, since it would mark the learner by another key in
    another language.
    """
    if folder is None or not Path(folder).is_dir():
        return ()
    items: list[BankItem] = []
    for path in sorted(Path(folder).glob("bank.*.jsonl")):
        items += read_bank_file(path)
    first: dict[str, BankItem] = {}
    for item in items:
        other = first.setdefault(item.id, item)
        for field in ("exam", "task", "answers"):
            if getattr(item, field) != getattr(other, field):
                raise BankError(
                    f"{folder}: item {item.id!r} has {field} {getattr(item, field)!r} in bank.{item.lang}.jsonl "
                    f"but {getattr(other, field)!r} in bank.{other.lang}.jsonl"
                )
    return tuple(items)
