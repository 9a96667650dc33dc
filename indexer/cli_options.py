"""Options and lookups that the ``studykg`` command groups share."""

from __future__ import annotations

from pathlib import Path

import click

from .layout import INDEX_ENV
from .study_index import StudyIndex

INDEX_OPTION = click.option(
    "--index", "index_path", type=click.Path(file_okay=False, path_type=Path), envvar=INDEX_ENV,
    help=f"Index folder (default: index/ at the repository root, or ${INDEX_ENV}).",
)
JSON_OPTION = click.option("json_", "--json", is_flag=True, help="Print one JSON object.")


def open_graph(index_path: Path | None):
    """The index's graph (with chunk mentions) when an index exists, else the curated graph."""
    if StudyIndex.exists(index_path):
        return StudyIndex.open(index_path).graph
    from kg import KnowledgeGraph

    from .layout import default_graph_path

    return KnowledgeGraph.load_curated(default_graph_path())
