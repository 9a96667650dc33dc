"""The learner's own state: flashcards with their FSRS schedule, reviews and quiz answers.

It lives in its own SQLite file in the user's data directory, never in the index folder: a
rebuild swaps the index folder's versions and an upgrade may delete it, and neither may
lose a learner's history. Every change is one transaction; export writes a JSON file
through a temporary name and an atomic rename, and import merges a file in one transaction.

The clock is injectable (`clock=`), so a test can step to "tomorrow" and see cards fall due.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from fsrs import Card, Rating, Scheduler, State

from .errors import LearnerError
from .flashcards import CardFace

__all__ = [
    "EXPORT_FORMAT",
    "LEARNER_ENV",
    "RATINGS",
    "AnswerRecord",
    "Learner",
    "LearnerError",
    "StudyCard",
    "default_learner_path",
]

LEARNER_ENV = "STUDYKG_LEARNER_DB"
EXPORT_FORMAT = "studykg-learner"
SCHEMA_VERSION = 1
RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cards (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    lang TEXT NOT NULL,
    front TEXT NOT NULL,
    back TEXT NOT NULL,
    entities TEXT NOT NULL,          -- JSON list of entity IRIs
    source TEXT NOT NULL DEFAULT '',  -- chunk id of a passage card
    created TEXT NOT NULL,
    due TEXT NOT NULL,               -- ISO UTC, copied out of `fsrs` for the due query
    fsrs TEXT NOT NULL                -- fsrs.Card.to_json()
);
CREATE INDEX IF NOT EXISTS cards_due ON cards (due);
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY,
    card_key TEXT NOT NULL,
    rating INTEGER NOT NULL,
    reviewed TEXT NOT NULL,
    UNIQUE (card_key, reviewed)
);
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY,
    question TEXT NOT NULL,
    kind TEXT NOT NULL,
    exam TEXT NOT NULL,
    lang TEXT NOT NULL,
    entities TEXT NOT NULL,  -- JSON list: the answer and the topic
    correct INTEGER NOT NULL,
    answered TEXT NOT NULL,
    task TEXT NOT NULL DEFAULT '',  -- IRI of the one task statement the answer counts for ('' before it was kept)
    UNIQUE (question, answered)
);
"""


def default_learner_path() -> Path:
    """``$STUDYKG_LEARNER_DB``, else ``learner.db`` in the user's data directory.

    The data directory follows each platform's convention (``$XDG_DATA_HOME`` or
    ``~/.local/share`` on Linux), so the file outlives any checkout or index folder.
    """
    if os.environ.get(LEARNER_ENV):
        return Path(os.environ[LEARNER_ENV]).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "studykg" / "learner.db"


@dataclass(frozen=True)
class StudyCard:
    """A card as the learner sees it, with when it is due and how often it was reviewed."""

    id: int
    key: str
    kind: str
    lang: str
    front: str
    back: str
    entities: tuple[str, ...]
    source: str
    due: str  # ISO datetime, UTC
    state: str  # "Learning" | "Review" | "Relearning"
    reviews: int


@dataclass(frozen=True)
class AnswerRecord:
    question: str
    kind: str
    exam: str
    lang: str
    entities: tuple[str, ...]
    correct: bool
    answered: str
    task: str = ""  # the task statement (of `exam`) the answer counts for; "" in older databases


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _iso(moment: datetime) -> str:
    """Fixed-width UTC text, so SQLite compares due times as strings in time order."""
    return _utc(moment).isoformat(timespec="microseconds")


class Learner:
    """One learner's cards, reviews and answers in a SQLite file.

    Example::

        learner = Learner.open()                        # ~/.local/share/studykg/learner.db
        learner.add_card(face)                          # due now
        for card in learner.due_cards():
            learner.grade(card.id, "good")
    """

    def __init__(self, path: Path, *, clock: Callable[[], datetime] | None = None, read_only: bool = False) -> None:
        self.path = Path(path)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.scheduler = Scheduler()
        # The app shares one Learner between its sessions' threads: one writer at a time.
        self._lock = threading.RLock()
        if read_only:
            # Listing (review --json) must not create, migrate or touch the file.
            try:
                self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
                self._db.row_factory = sqlite3.Row
                self._db.execute("SELECT 1 FROM cards LIMIT 1")
            except sqlite3.Error as exc:
                raise LearnerError(f"{self.path}: cannot read the learner database ({exc})") from None
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            with self._db:
                self._db.executescript(_SCHEMA)
                # Databases made before answers kept their task statement gain the column.
                if "task" not in {row["name"] for row in self._db.execute("PRAGMA table_info(answers)")}:
                    self._db.execute("ALTER TABLE answers ADD COLUMN task TEXT NOT NULL DEFAULT ''")
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        except (OSError, sqlite3.Error) as exc:
            raise LearnerError(f"{self.path}: cannot open the learner database ({exc})") from None

    @classmethod
    def open(cls, path: Path | str | None = None, *, index_path: Path | None = None,
             clock: Callable[[], datetime] | None = None) -> Learner:
        """Open (creating) the learner database; refuse one inside the index folder, which a rebuild may replace."""
        location = Path(path).expanduser() if path else default_learner_path()
        if index_path is not None:
            index = Path(index_path).expanduser().resolve()
            if location.resolve().is_relative_to(index):
                raise LearnerError(
                    f"{location}: the learner database must live outside the index folder {index} "
                    f"(set --learner-db or ${LEARNER_ENV} elsewhere)"
                )
        return cls(location, clock=clock)

    def close(self) -> None:
        self._db.close()

    def now(self) -> datetime:
        return _utc(self.clock())

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction; nested uses join the outer one, so a compound change commits once."""
        with self._lock:
            if self._db.in_transaction:
                yield self._db
                return
            try:
                with self._db:
                    yield self._db
            except sqlite3.Error as exc:
                raise LearnerError(f"{self.path}: {exc}") from None

    # ---- cards ------------------------------------------------------------------
    def add_card(self, face: CardFace) -> StudyCard:
        """Add a card, due now; a card with the same key is kept as it is and returned."""
        now = self.now()
        card = Card(card_id=0, due=now)
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO cards (key, kind, lang, front, back, entities, source, created, due, fsrs) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (face.key, face.kind, face.lang, face.front, face.back, json.dumps(list(face.entities)),
                 face.source, _iso(now), _iso(now), card.to_json()),
            )
        return self.card(face.key)

    def card(self, key_or_id: str | int) -> StudyCard:
        column = "id" if isinstance(key_or_id, int) else "key"
        row = self._db.execute(f"SELECT * FROM cards WHERE {column} = ?", (key_or_id,)).fetchone()
        if row is None:
            raise LearnerError(f"{self.path}: no card {key_or_id!r}")
        return self._study_card(row)

    def _study_card(self, row: sqlite3.Row) -> StudyCard:
        card = Card.from_json(row["fsrs"])
        reviews = self._db.execute("SELECT COUNT(*) FROM reviews WHERE card_key = ?", (row["key"],)).fetchone()[0]
        return StudyCard(row["id"], row["key"], row["kind"], row["lang"], row["front"], row["back"],
                         tuple(json.loads(row["entities"])), row["source"], row["due"], State(card.state).name, reviews)

    def cards(self) -> list[StudyCard]:
        return [self._study_card(r) for r in self._db.execute("SELECT * FROM cards ORDER BY due, id")]

    def due_cards(self, limit: int | None = None) -> list[StudyCard]:
        """Cards due by now, the longest overdue first."""
        rows = self._db.execute("SELECT * FROM cards WHERE due <= ? ORDER BY due, id LIMIT ?",
                                (_iso(self.now()), -1 if limit is None else limit))
        return [self._study_card(r) for r in rows]

    def grade(self, key_or_id: str | int, rating: str | int) -> StudyCard:
        """Record a review (again, hard, good, easy, or 1-4) and schedule the card's next one."""
        grade = RATINGS.get(str(rating).lower()) if not isinstance(rating, int) else Rating(rating)
        if grade is None:
            raise LearnerError(f"unknown rating '{rating}': choose one of {', '.join(RATINGS)}")
        study_card = self.card(key_or_id)
        now = self.now()
        with self._transaction() as db:
            row = db.execute("SELECT fsrs FROM cards WHERE key = ?", (study_card.key,)).fetchone()
            card, _ = self.scheduler.review_card(Card.from_json(row["fsrs"]), grade, review_datetime=now)
            db.execute("UPDATE cards SET fsrs = ?, due = ? WHERE key = ?", (card.to_json(), _iso(card.due), study_card.key))
            db.execute("INSERT OR IGNORE INTO reviews (card_key, rating, reviewed) VALUES (?, ?, ?)",
                       (study_card.key, int(grade), _iso(now)))
        return self.card(study_card.key)

    def remove_card(self, key_or_id: str | int) -> None:
        study_card = self.card(key_or_id)
        with self._transaction() as db:
            db.execute("DELETE FROM reviews WHERE card_key = ?", (study_card.key,))
            db.execute("DELETE FROM cards WHERE key = ?", (study_card.key,))

    # ---- answers ----------------------------------------------------------------
    def record_answer(self, question, chosen: int | Iterable[int], exam: str, card: CardFace | None = None) -> bool:
        """Store a quiz answer; with `card`, also add the fact's card and grade it (wrong: again, right: good).

        `question` is a `study.quiz.Question`; `chosen` one index, or two for a choose-two item.
        Returns whether the answer was right.
        """
        correct = question.is_right(chosen)
        entities = list(question.entities) or [question.right.iri, question.topic]
        with self._transaction() as db:  # the answer and its card's review commit together
            db.execute(
                "INSERT OR IGNORE INTO answers (question, kind, exam, lang, entities, correct, answered, task) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (question.id, question.kind, exam, question.lang, json.dumps(entities), int(correct), _iso(self.now()),
                 question.task),
            )
            if card is not None:
                self.add_card(card)
                self.grade(card.key, "good" if correct else "again")
        return correct

    def answers(self, exam: str | None = None) -> list[AnswerRecord]:
        rows = self._db.execute("SELECT * FROM answers WHERE ? IS NULL OR exam = ? ORDER BY answered, id", (exam, exam))
        return [AnswerRecord(r["question"], r["kind"], r["exam"], r["lang"], tuple(json.loads(r["entities"])),
                             bool(r["correct"]), r["answered"], r["task"] if "task" in r.keys() else "") for r in rows]

    # ---- export and import ------------------------------------------------------
    def export(self, path: Path) -> dict[str, int]:
        """Write everything to a JSON file (atomically); return the counts written."""
        tables = {name: [dict(r) for r in self._db.execute(f"SELECT * FROM {name} ORDER BY id")] for name in ("cards", "reviews", "answers")}
        for rows in tables.values():
            for row in rows:
                row.pop("id")
        payload = {"format": EXPORT_FORMAT, "version": SCHEMA_VERSION, "exported": _iso(self.now()), **tables}
        path = Path(path)
        temporary = path.with_name(f".{path.name}.tmp")
        try:
            temporary.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as exc:
            raise LearnerError(f"{path}: cannot write the export ({exc.strerror or exc})") from None
        return {name: len(rows) for name, rows in tables.items()}

    def import_(self, path: Path) -> dict[str, int]:
        """Merge an export file: new cards, reviews and answers are added; a card already here keeps
        the schedule of whichever copy was reviewed last. One transaction: all or nothing."""
        path = Path(path)
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise LearnerError(f"{path}: no such file") from None
        except (OSError, ValueError) as exc:
            raise LearnerError(f"{path}: not a studykg learner export ({exc})") from None
        except RecursionError:
            raise LearnerError(f"{path}: not a studykg learner export (nested too deeply)") from None
        if not isinstance(payload, dict) or payload.get("format") != EXPORT_FORMAT:
            raise LearnerError(f"{path}: not a studykg learner export (expected \"format\": \"{EXPORT_FORMAT}\")")
        if payload.get("version") != SCHEMA_VERSION:
            raise LearnerError(f"{path}: export version {payload.get('version')} is not supported (this studykg reads {SCHEMA_VERSION})")
        from .learner_import import ExportCheckError, check_export

        try:
            check_export(payload)  # every record and field, before one row goes in
        except ExportCheckError as exc:
            raise LearnerError(f"{path}: a record lacks a field or has a bad value: {exc}; nothing was imported") from None
        added = {"cards": 0, "reviews": 0, "answers": 0}
        try:
            with self._transaction() as db:
                for card in payload.get("cards", []):
                    mine = db.execute("SELECT fsrs FROM cards WHERE key = ?", (card["key"],)).fetchone()
                    if mine is None:
                        columns = ("key", "kind", "lang", "front", "back", "entities", "source", "created", "due", "fsrs")
                        db.execute(f"INSERT INTO cards ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                                   tuple(card[c] for c in columns))
                        added["cards"] += 1
                    elif (Card.from_json(card["fsrs"]).last_review or datetime.min.replace(tzinfo=timezone.utc)) > (
                        Card.from_json(mine["fsrs"]).last_review or datetime.min.replace(tzinfo=timezone.utc)
                    ):
                        db.execute("UPDATE cards SET fsrs = ?, due = ? WHERE key = ?", (card["fsrs"], card["due"], card["key"]))
                for review in payload.get("reviews", []):
                    cursor = db.execute("INSERT OR IGNORE INTO reviews (card_key, rating, reviewed) VALUES (?, ?, ?)",
                                        (review["card_key"], review["rating"], review["reviewed"]))
                    added["reviews"] += cursor.rowcount
                for answer in payload.get("answers", []):
                    cursor = db.execute(
                        "INSERT OR IGNORE INTO answers (question, kind, exam, lang, entities, correct, answered, task) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (*(answer[c] for c in ("question", "kind", "exam", "lang", "entities", "correct", "answered")), answer.get("task", "")),
                    )
                    added["answers"] += cursor.rowcount
        except (KeyError, TypeError, ValueError) as exc:
            raise LearnerError(f"{path}: a record lacks a field or has a bad value ({exc}); nothing was imported") from None
        return added
