"""docs/ARCHITECTURE.md stays true: every module it names exists, and every module is named in it."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARCHITECTURE = REPO / "docs" / "ARCHITECTURE.md"
PACKAGES = ("kg", "indexer", "indexer/encoding", "study", "app_pages")


def named_paths() -> set[str]:
    """Every module path the document quotes in backticks (`kg/store.py`, `app.py`, `indexer/concept_ranker.json`)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    return set(re.findall(r"`((?:kg|indexer|study|app_pages|bench|tests)/[\w/]+\.(?:py|json)|app\.py)", text))


def test_every_module_the_map_names_exists():
    missing = sorted(p for p in named_paths() if not (REPO / p).exists())
    assert missing == [], f"docs/ARCHITECTURE.md names modules that are gone: {missing}"


def test_every_module_is_on_the_map():
    modules = {p.relative_to(REPO).as_posix() for package in PACKAGES for p in (REPO / package).glob("*.py")}
    modules.add("app.py")
    unnamed = sorted(modules - named_paths())
    assert unnamed == [], f"add these modules to docs/ARCHITECTURE.md: {unnamed}"


def imported_packages(path: Path) -> set[str]:
    """The first-party top-level packages ``path`` imports, at module level or inside functions."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & {"kg", "indexer", "study", "app_pages", "streamlit"}


def test_dependencies_point_one_way():
    """kg imports neither indexer nor study; the indexer's library never imports study (its CLI registers the study
    commands); nothing below the app imports Streamlit."""
    wrong = []
    for path in sorted(REPO.glob("kg/**/*.py")):
        wrong += [f"{path.relative_to(REPO)} imports {p}" for p in imported_packages(path) & {"indexer", "study", "app_pages", "streamlit"}]
    for path in sorted(REPO.glob("indexer/**/*.py")):
        allowed = {"study"} if path.name == "cli.py" and path.parent.name == "indexer" else set()
        wrong += [f"{path.relative_to(REPO)} imports {p}" for p in imported_packages(path) & ({"study", "app_pages", "streamlit"} - allowed)]
    for path in sorted(REPO.glob("study/**/*.py")):
        wrong += [f"{path.relative_to(REPO)} imports {p}" for p in imported_packages(path) & {"app_pages", "streamlit"}]
    assert wrong == []
