"""Check a learner export file, every record and every field, before any of it is imported.

An import file may come from another machine, an older studykg or a hand edit. A record with
a malformed ``fsrs`` state, ``entities`` list or ``due`` date used to go in ("Imported 1 new
cards") and then crash every later ``learner status``, ``review`` and the app's Review and
Exam map pages, which read those fields back. So the file is checked first, against a JSON
Schema for its shape (jsonschema) and then field by field for what is stored as text (the
JSON in ``fsrs`` and ``entities``, ISO dates); the first bad field is named in one line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fsrs import Card, State
from jsonschema import Draft202012Validator

__all__ = ["ExportCheckError", "check_export"]

_TEXT = {"type": "string"}
_KEY = {"type": "string", "minLength": 1, "maxLength": 2000}
_RECORDS = {
    "cards": {
        "required": ["key", "kind", "lang", "front", "back", "entities", "created", "due", "fsrs"],
        "properties": {"key": _KEY, "kind": _KEY, "lang": _KEY, "front": _TEXT, "back": _TEXT, "entities": _TEXT,
                       "source": _TEXT, "created": _TEXT, "due": _TEXT, "fsrs": _TEXT},
    },
    "reviews": {
        "required": ["card_key", "rating", "reviewed"],
        "properties": {"card_key": _KEY, "rating": {"type": "integer", "minimum": 1, "maximum": 4}, "reviewed": _TEXT},
    },
    "answers": {
        "required": ["question", "kind", "exam", "lang", "entities", "correct", "answered"],
        "properties": {"question": _KEY, "kind": _KEY, "exam": _KEY, "lang": _KEY, "entities": _TEXT,
                       "correct": {"type": "integer", "minimum": 0, "maximum": 1}, "answered": _TEXT, "task": _TEXT},
    },
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["format", "version"],
    "properties": {name: {"type": "array", "items": {"type": "object", **record}} for name, record in _RECORDS.items()},
}
_DATES = {"cards": ("created", "due"), "reviews": ("reviewed",), "answers": ("answered",)}
_FSRS_KEYS = {"card_id", "state", "step", "stability", "difficulty", "due", "last_review"}


class ExportCheckError(ValueError):
    """A record of an export file that cannot be imported; the message names the record and the field."""


def check_export(payload: Mapping[str, Any]) -> None:
    """Raise ``ExportCheckError`` naming the first bad record and field of an export ``payload``; None when all are good."""
    for error in Draft202012Validator(SCHEMA).iter_errors(payload):
        path = list(error.absolute_path)
        raise ExportCheckError(f"{_where(payload, path)}: {error.message}")
    for table, fields in _DATES.items():
        for n, record in enumerate(payload.get(table, ())):
            for name in fields:
                _date(record[name], f"{_record(table, n, record)}, field '{name}'")
            if "entities" in record:
                _entities(record["entities"], f"{_record(table, n, record)}, field 'entities'")
            if table == "cards":
                _fsrs(record["fsrs"], f"{_record(table, n, record)}, field 'fsrs'")


def _where(payload: Mapping[str, Any], path: list) -> str:
    if len(path) >= 2 and isinstance(path[1], int):
        table, n = path[0], path[1]
        where = _record(table, n, payload[table][n])
        return f"{where}, field '{path[2]}'" if len(path) > 2 else where
    return "field '" + "/".join(map(str, path)) + "'" if path else "the file"


def _record(table: str, n: int, record: Any) -> str:
    key = record.get("key") or record.get("card_key") or record.get("question") if isinstance(record, Mapping) else None
    return f"{table}[{n}]" + (f" ({str(key)[:60]!r})" if isinstance(key, str) else "")


def _date(value: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ExportCheckError(f"{where}: {str(value)[:40]!r} is not an ISO date and time") from None
    return moment


def _entities(value: str, where: str) -> None:
    try:
        entities = json.loads(value)
    except (ValueError, RecursionError):
        raise ExportCheckError(f"{where}: not a JSON list of entity IRIs") from None
    if not isinstance(entities, list) or not all(isinstance(e, str) for e in entities):
        raise ExportCheckError(f"{where}: not a JSON list of entity IRIs")


def _fsrs(value: str, where: str) -> None:
    """The card's FSRS state as fsrs.Card.to_json writes it, and one the scheduler can read back."""
    try:
        data = json.loads(value)
    except (ValueError, RecursionError):
        raise ExportCheckError(f"{where}: not a JSON object") from None
    if not isinstance(data, dict) or not _FSRS_KEYS <= data.keys():
        raise ExportCheckError(f"{where}: not an FSRS card state (needs {', '.join(sorted(_FSRS_KEYS))})")
    if data["state"] not in {s.value for s in State}:
        raise ExportCheckError(f"{where}: state {data['state']!r} is not one of {', '.join(str(s.value) for s in State)}")
    for name in ("stability", "difficulty"):
        if data[name] is not None and (isinstance(data[name], bool) or not isinstance(data[name], (int, float)) or data[name] < 0):
            raise ExportCheckError(f"{where}: {name} {data[name]!r} is not a positive number")
    for name in ("card_id", "step"):
        if data[name] is not None and (isinstance(data[name], bool) or not isinstance(data[name], int)):
            raise ExportCheckError(f"{where}: {name} {data[name]!r} is not a whole number")
    _date(data["due"], f"{where}, due")
    if data["last_review"] is not None:
        _date(data["last_review"], f"{where}, last_review")
    try:
        Card.from_json(value)
    except (TypeError, ValueError, KeyError) as exc:
        raise ExportCheckError(f"{where}: not an FSRS card state ({exc})") from None
