"""docs/ARCHITECTURE.md stays true: every module it names exists, and every module is named in it."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARCHITECTURE = REPO / "docs" / "ARCHITECTURE.md"
PACKAGES = ("kg", "indexer", "app_pages")


def named_paths() -> set[str]:
    """Every module path the document quotes in backticks (`kg/store.py`, `app.py`, `indexer/concept_ranker.json`)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    return set(re.findall(r"`((?:kg|indexer|app_pages|bench|tests)/[\w/]+\.(?:py|json)|app\.py)", text))


def test_every_module_the_map_names_exists():
    missing = sorted(p for p in named_paths() if not (REPO / p).exists())
    assert missing == [], f"docs/ARCHITECTURE.md names modules that are gone: {missing}"


def test_every_module_is_on_the_map():
    modules = {p.relative_to(REPO).as_posix() for package in PACKAGES for p in (REPO / package).glob("*.py")}
    modules.add("app.py")
    unnamed = sorted(modules - named_paths())
    assert unnamed == [], f"add these modules to docs/ARCHITECTURE.md: {unnamed}"
