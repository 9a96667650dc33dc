"""Two writers at once: every index write is one transaction, so neither loses the other's work."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from conftest import FIXTURE_CORPUS
from indexer import StudyIndex

pytestmark = pytest.mark.real_encoder


def notes_folder(root: Path, name: str, topic: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / f"{name}.md").write_text(f"# {name}\n\nMy own notes about {topic}.\n", encoding="utf-8")
    return folder


def user_sources(index_path: Path) -> set[str]:
    index = StudyIndex.open(index_path)
    try:
        return {Path(d.path).parent.name for d in index.documents(kind="user")}
    finally:
        index.close()


def run_in_thread(target, *args, **kwargs) -> tuple[threading.Thread, list]:
    errors: list = []

    def work() -> None:
        try:
            target(*args, **kwargs)
        except BaseException as error:  # handed to the test
            errors.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    return thread, errors


def test_two_adds_at_once_keep_both_folders(index_copy, tmp_path):
    a = notes_folder(tmp_path, "alpha", "Amazon Polly voices")
    b = notes_folder(tmp_path, "beta", "Random Cut Forest scores")
    started = threading.Event()
    waited: list[str] = []

    def first_progress(stage: str, done: int, total: int) -> None:
        started.set()  # the first add holds the lock from its first step on

    first, errors_a = run_in_thread(StudyIndex.add, a, index_copy, progress=first_progress)
    started.wait(60)
    StudyIndex.add(b, index_copy, progress=lambda stage, done, total: waited.append(stage))
    first.join(300)

    assert not errors_a
    assert user_sources(index_copy) == {"alpha", "beta"}
    index = StudyIndex.open(index_copy)
    assert {str(a.resolve()), str(b.resolve())} <= set(index.manifest.added_roots)
    index.close()


def test_an_add_during_a_build_lands_in_the_new_version(index_copy, tmp_path):
    notes = notes_folder(tmp_path, "gamma", "SageMaker endpoints")
    reading = threading.Event()
    waited: list[str] = []

    def build_progress(stage: str, done: int, total: int) -> None:
        reading.set()

    build, errors = run_in_thread(StudyIndex.build, [FIXTURE_CORPUS], index_copy, progress=build_progress)
    reading.wait(120)
    StudyIndex.add(notes, index_copy, progress=lambda stage, done, total: waited.append(stage))
    build.join(600)

    assert not errors
    assert any(stage.startswith("waiting for another write") for stage in waited), "the add says why it waits"
    assert "gamma" in user_sources(index_copy)


def test_the_app_sees_a_version_the_command_line_published_without_a_restart(monkeypatch, index_copy, tmp_path):
    from streamlit.testing.v1 import AppTest

    notes = notes_folder(tmp_path, "delta", "the zanzibar shard calculator")
    monkeypatch.setenv("STUDYKG_INDEX", str(index_copy))
    at = AppTest.from_file(str(Path(__file__).parent.parent / "app.py"), default_timeout=180)
    at.query_params["q"] = "zanzibar shard calculator"
    at.run()
    assert not at.exception
    before = [m.value for m in at.markdown if "delta" in m.value]

    StudyIndex.add(notes, index_copy)  # as `studykg add` would, from another process
    at.run()

    assert not at.exception
    assert not before and any("delta" in m.value for m in at.markdown)
