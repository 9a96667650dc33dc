"""Study mode on the command line: exams, quiz, flashcard review and the learner's state."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from indexer.cli_options import INDEX_OPTION, JSON_OPTION, open_graph
from indexer.cli_text import when_due, wrap
from indexer.study_index import StudyIndex
from indexer.terminal import echo, secho
from kg.languages import STUDY_LANGUAGES

LEARNER_OPTION = click.option(
    "--learner-db", "learner_db", type=click.Path(dir_okay=False, path_type=Path), envvar="STUDYKG_LEARNER_DB",
    help="Your learner database (default: learner.db in your user data folder, or $STUDYKG_LEARNER_DB).",
)
EXAM_OPTION = click.option("--exam", help="Exam code, e.g. MLA-C01 or MLS-C01 (default: the current exam).")
LANG_OPTION = click.option("--lang", type=click.Choice(STUDY_LANGUAGES), default="en", show_default=True,
                           help="Language of questions and cards.")


def _session(index_path: Path | None, learner_db: Path | None, exam: str | None, *, read_only: bool = False):
    """The study session on the index's graph (with its passages) or the curated graph, and the index if any.

    Read-only opens the learner database without creating or changing it; None when it does not exist yet.
    """
    from indexer.layout import index_path_or_default
    from .learner import Learner, default_learner_path
    from .practice import StudySession, engine_checker

    index = StudyIndex.open(index_path) if StudyIndex.exists(index_path) else None
    graph = index.graph if index else open_graph(index_path)
    if read_only:
        location = Path(learner_db).expanduser() if learner_db else default_learner_path()
        if not location.exists():
            return None, index
        learner = Learner(location, read_only=True)
    else:
        learner = Learner.open(learner_db, index_path=index_path_or_default(index_path))
    return StudySession(graph, learner, exam, checker=engine_checker(index) if index else None), index


def _passage_line(chunk) -> str:
    return f"{chunk.source}:{chunk.line_start}-{chunk.line_end}" + (f"  [{chunk.heading}]" if chunk.heading else "")


def _question_json(question) -> dict:
    data = asdict(question)
    data["answer"] = question.answer  # kept for scripts written before choose-two items
    return data


def _read_choice(question) -> list[int] | None:
    """The learner's pick: "2", or "1,3" for a choose-two item; None for q."""
    count = len(question.choices)
    while True:
        hint = f" (choose {question.choose}, e.g. 1,3)" if question.choose > 1 else ""
        reply = click.prompt(f"Your answer{hint}", default="", show_default=False).strip().lower()
        if reply == "q":
            return None
        parts = [p for p in reply.replace(" ", ",").split(",") if p]
        if all(p.isdigit() and 1 <= int(p) <= count for p in parts) and len(set(parts)) == question.choose == len(parts):
            return sorted(int(p) - 1 for p in parts)
        echo(f"Type {question.choose} different numbers from 1 to {count}" + (", separated by a comma" if question.choose > 1 else "")
                   + ", or q to stop.")


def _feedback(question, picked: list[int], right: bool, index) -> None:
    if right:
        secho(wrap("Right. " + question.explanation), fg="green")
    else:
        secho(wrap(f"Not quite: the answer is {' and '.join(question.right_labels)}. " + question.explanation), fg="red")
        for i in picked:
            reason = question.why_wrong[i] if i < len(question.why_wrong) else ""
            if i not in question.answers and reason:
                echo(wrap(f"{question.choices[i].label}: {reason}", "   ", "     "))
    if question.evidence:
        echo(wrap(f"evidence: studykg graph show {question.evidence[0]}  ·  app: /browse?entity={question.evidence[0]}", "   ", "     "))
    if index is not None:
        from .practice import passages_in_language

        for chunk in passages_in_language(index, question):
            echo(wrap(f"passage: {_passage_line(chunk)}", "   ", "     "))
    for source in question.sources[:2]:
        echo(wrap(f"source: corpus/{source}", "   ", "     "))


@click.command()
@INDEX_OPTION
@JSON_OPTION
def exams(index_path: Path | None, json_: bool) -> None:
    """List the exams the graph describes, the current one first.

    \b
    Example:
        studykg exams
    """
    from kg.exams import exam_profiles

    graph = open_graph(index_path)
    for exam in exam_profiles(graph):
        if json_:
            echo(json.dumps({**asdict(exam), "status": exam.status()}, ensure_ascii=False))
            continue
        status = f"retired {exam.retired_on}" if exam.is_retired() else "current"
        secho(f"{exam.code}  {exam.title}  ({status})", bold=True)
        for domain in exam.domains:
            echo(f"  {domain.number}. {domain.label} ({domain.weight} %)")


@click.command()
@click.option("-n", "n", default=10, show_default=True, type=click.IntRange(1, 100), help="Number of questions.")
@LANG_OPTION
@EXAM_OPTION
@click.option("--domain", help="Only this domain of the exam: its number (1-4) or name.")
@click.option("--seed", type=int, help="Seed for a repeatable quiz.")
@click.option("--stats", is_flag=True, help="Print how many generated candidates each validation check drops, and quit.")
@INDEX_OPTION
@LEARNER_OPTION
@JSON_OPTION
def quiz(n: int, lang: str, exam: str | None, domain: str | None, seed: int | None, stats: bool, index_path: Path | None,
         learner_db: Path | None, json_: bool) -> None:
    """Practise with reviewed bank items and questions generated from the graph's sourced facts;
    answers count towards readiness.

    Type the number of your choice, or two numbers such as 1,3 for a "choose two" item (q ends
    the quiz). With --json the questions, with their answers and evidence, are printed one JSON
    object per line and nothing is recorded.

    \b
    Example:
        studykg quiz -n 10 --lang it --exam MLA-C01 --domain 2
        studykg quiz --stats --exam MLA-C01
    """
    if stats:
        _print_stats(index_path, exam, json_)
        return
    session, index = _session(index_path, learner_db, exam)
    questions = session.quiz(n, lang, domain=domain, seed=seed)
    if json_:
        for question in questions:
            echo(json.dumps(_question_json(question), ensure_ascii=False))
        return
    secho(f"{session.exam.code}: {len(questions)} questions", bold=True)
    right = answered = 0
    missed = []
    for number, question in enumerate(questions, 1):
        echo("")
        secho(wrap(f"{number}. {question.prompt}", hanging="   "), bold=True)
        for position, choice in enumerate(question.choices, 1):
            echo(wrap(f"{position}) {choice.label}", "   ", "      "))
        picked = _read_choice(question)
        if picked is None:
            break
        answered += 1
        correct = session.answer(question, picked)
        right += correct
        if not correct:
            missed.append((number, question))
        _feedback(question, picked, correct, index)
    echo("")
    secho(f"Score: {right} of {answered}", bold=True)
    for number, question in missed:
        echo(wrap(f"missed {number}: {' and '.join(question.right_labels)}. {question.explanation}", "  ", "    "))
    _print_readiness(session.readiness()[:2], "Weakest domains now:")


def _print_stats(index_path: Path | None, exam: str | None, json_: bool) -> None:
    """Generate every question of the exam in each language and count what each check drops."""
    from kg.exams import find_exam
    from .quiz import QuizMaker

    from .practice import engine_checker

    index = StudyIndex.open(index_path) if StudyIndex.exists(index_path) else None
    graph = index.graph if index else open_graph(index_path)
    profile = find_exam(graph, exam)
    maker = QuizMaker(graph, profile, checker=engine_checker(index) if index else None)
    made = {lang: len(maker.all_questions(lang)) for lang in STUDY_LANGUAGES}
    counts = dict(sorted(maker.stats.items()))
    engine = "on" if index else "skipped (no built index: run `studykg build`)"
    if json_:
        echo(json.dumps({"exam": profile.code, "questions": made, "checks": counts, "answer_engine_check": engine}, ensure_ascii=False))
        return
    secho(f"{profile.code}: generated questions per language {made}", bold=True)
    echo(f"answer-engine check: {engine}")
    for name, count in counts.items():
        echo(f"  {name}: {count}")


@click.command()
@click.option("--new", "new", default=0, show_default=True, type=click.IntRange(0, 100),
              help="Also add this many new cards from the weakest task statements.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000), help="At most this many cards.")
@LANG_OPTION
@EXAM_OPTION
@INDEX_OPTION
@LEARNER_OPTION
@JSON_OPTION
def review(new: int, limit: int, lang: str, exam: str | None, index_path: Path | None, learner_db: Path | None,
           json_: bool) -> None:
    """Review the flashcards that are due, grading each Again, Hard, Good or Easy (FSRS schedules the next review).

    With --json the due cards are listed one JSON object per line and nothing is graded.

    \b
    Example:
        studykg review --new 5 --lang vi
    """
    if json_:
        if new:
            raise click.UsageError("--json only lists the due cards and never writes; add new cards without --json")
        session, _ = _session(index_path, learner_db, exam, read_only=True)
        for card in session.learner.due_cards(limit) if session else ():
            echo(json.dumps(asdict(card), ensure_ascii=False))
        return
    session, _ = _session(index_path, learner_db, exam)
    if new:
        session.add_new_cards(new, lang)
    cards = session.learner.due_cards(limit)
    if not cards:
        upcoming = session.learner.cards()
        when = f" The next one is due {when_due(upcoming[0].due)}." if upcoming else " Add some with --new 5."
        echo("No cards are due." + when)
        return
    for number, card in enumerate(cards, 1):
        echo("")
        secho(wrap(f"{number}/{len(cards)}  {card.front}"), bold=True)
        click.prompt("Press Enter to show the answer", default="", show_default=False)
        echo(wrap(card.back))
        grade = click.prompt("Grade: 1 again, 2 hard, 3 good, 4 easy (q to stop)",
                             type=click.Choice(["1", "2", "3", "4", "q"]), show_choices=False)
        if grade == "q":
            break
        scheduled = session.learner.grade(card.id, int(grade))
        echo(f"   next review {when_due(scheduled.due)}")


@click.group()
def learner() -> None:
    """Your study state (cards, reviews, answers): readiness, add cards, export and import.

    \b
    studykg learner status --exam MLA-C01
    studykg learner add "Random Cut Forest"
    studykg learner export ~/studykg-backup.json
    """


@learner.command("status")
@EXAM_OPTION
@INDEX_OPTION
@LEARNER_OPTION
@JSON_OPTION
def learner_status(exam: str | None, index_path: Path | None, learner_db: Path | None, json_: bool) -> None:
    """Readiness per exam domain and task statement, weakest first.

    \b
    Example:
        studykg learner status --exam MLS-C01
    """
    session, _ = _session(index_path, learner_db, exam)
    rows = session.readiness()
    if json_:
        echo(json.dumps({"exam": session.exam.code, "learner_db": str(session.learner.path),
                               "domains": [asdict(r) for r in rows]}, ensure_ascii=False))
        return
    secho(f"{session.exam.code} readiness ({session.learner.path})", bold=True)
    _print_readiness(rows, None, tasks=True)


def _print_readiness(rows, title: str | None, tasks: bool = False) -> None:
    def line(area, indent: str) -> str:
        accuracy = f"{area.accuracy:.0%}" if area.accuracy is not None else "–"
        return f"{indent}{area.number} {area.label}: {area.correct}/{area.answered} right ({accuracy}), {area.due} of {area.cards} cards due"

    if title:
        echo(title)
    for row in rows:
        echo(wrap(line(row.domain, "  "), hanging="    "))
        for task in row.tasks if tasks else ():
            echo(wrap(line(task, "      "), hanging="        "))


@learner.command("add")
@click.argument("name")
@click.option("--passage", is_flag=True, help="NAME is a passage (chunk) id from `studykg ask --json`.")
@click.option("--front", help="Your own question for the front of a passage card.")
@LANG_OPTION
@INDEX_OPTION
@LEARNER_OPTION
def learner_add(name: str, passage: bool, front: str | None, lang: str, index_path: Path | None, learner_db: Path | None) -> None:
    """Add cards for an entity (its definition and uses) or for a passage; they are due at once.

    \b
    Example:
        studykg learner add "Kinesis Data Firehose" --lang it
    """
    from .practice import passage_card

    session, index = _session(index_path, learner_db, None)
    if passage:
        if index is None:
            raise click.ClickException("passage cards need a built index: run `studykg build` first")
        cards = [session.learner.add_card(passage_card(index.chunk(name), index.chunk_entities(name), front))]
    else:
        cards = session.add_entity_cards(name, lang)
    for card in cards:
        echo(f"Added: {card.front}")


@learner.command("remove")
@click.argument("card")
@LEARNER_OPTION
def learner_remove(card: str, learner_db: Path | None) -> None:
    """Remove a card and its reviews, by its key or number (see `studykg review --json`), e.g. one made
    from a question you found wrong.

    \b
    Example:
        studykg learner remove question/service/Polly/TextToSpeech
    """
    from .learner import Learner

    store = Learner.open(learner_db)
    removed = store.card(int(card) if card.isdigit() else card)
    store.remove_card(removed.key)
    echo(f"Removed card {removed.key}: {removed.front.splitlines()[0]}")


@learner.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--anki", "anki", type=click.Path(dir_okay=False, path_type=Path),
              help="Also (or only) write your cards as an Anki package (.apkg); re-importing it updates the same notes.")
@click.option("--app-url", default="http://127.0.0.1:8501", show_default=True,
              help="Where the studykg app runs, for the cards' links back to their entity or passage.")
@EXAM_OPTION
@INDEX_OPTION
@LEARNER_OPTION
def learner_export(file: Path | None, anki: Path | None, app_url: str, exam: str | None, index_path: Path | None,
                   learner_db: Path | None) -> None:
    """Write your cards, reviews and answers to a JSON file, or your cards to an Anki package.

    \b
    Example:
        studykg learner export ~/studykg-backup.json
        studykg learner export --anki ~/studykg.apkg --exam MLA-C01
    """
    from .learner import Learner

    if file is None and anki is None:
        raise click.UsageError("give a FILE for the JSON export, or --anki FILE for an Anki package")
    if file is not None:
        counts = Learner.open(learner_db).export(file)
        echo(f"Exported {counts['cards']} cards, {counts['reviews']} reviews, {counts['answers']} answers to {file}")
    if anki is not None:
        from .anki_export import write_anki

        session, _ = _session(index_path, learner_db, exam)
        written = write_anki(session.learner.cards(), session.kg, session.exam, anki, app_url=app_url)
        echo(f"Exported {written} cards to the Anki package {anki} (tagged for {session.exam.code})")


@learner.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@LEARNER_OPTION
def learner_import(file: Path, learner_db: Path | None) -> None:
    """Merge an exported JSON file into your learner database (all of it or nothing).

    \b
    Example:
        studykg learner import ~/studykg-backup.json
    """
    from .learner import Learner

    counts = Learner.open(learner_db).import_(file)
    echo(f"Imported {counts['cards']} new cards, {counts['reviews']} reviews, {counts['answers']} answers from {file}")
