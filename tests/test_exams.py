"""Exam profiles are data in the graph: MLS-C01 retired on 31 March 2026, MLA-C01 current."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import REAL_GRAPH

from kg import KnowledgeGraph
from kg.exams import UnknownExamError, current_exam, exam_profiles, find_exam, task_coverage


@pytest.fixture(scope="module")
def graph():
    return KnowledgeGraph.load_curated(REAL_GRAPH)


def test_both_exams_have_four_weighted_domains_that_add_up(graph):
    exams = {e.code: e for e in exam_profiles(graph)}
    assert set(exams) == {"MLA-C01", "MLS-C01"}
    for exam in exams.values():
        assert len(exam.domains) == 4
        assert sum(d.weight for d in exam.domains) == 100
        assert [d.number for d in exam.domains] == ["1", "2", "3", "4"]
    associate = exams["MLA-C01"]
    assert [(d.label, d.weight) for d in associate.domains] == [
        ("Data Preparation for Machine Learning", 28),
        ("ML Model Development", 26),
        ("Deployment and Orchestration of ML Workflows", 22),
        ("ML Solution Monitoring, Maintenance, and Security", 24),
    ]
    assert [len(d.tasks) for d in associate.domains] == [3, 3, 3, 3]


def test_the_specialty_exam_is_retired_after_31_march_2026(graph):
    specialty = find_exam(graph, "MLS-C01")
    assert specialty.retired_on == "2026-03-31"
    assert specialty.replaced_by == "MLA-C01"
    assert not specialty.is_retired(date(2026, 3, 31))
    assert specialty.is_retired(date(2026, 4, 1))
    assert current_exam(graph, date(2026, 4, 1)).code == "MLA-C01"
    assert find_exam(graph, None, date(2026, 6, 1)).code == "MLA-C01"


@pytest.mark.parametrize("spelling", ["MLA-C01", "mla-c01", "MLA_C01", "mla"])
def test_an_exam_is_found_however_the_learner_writes_its_code(graph, spelling):
    assert find_exam(graph, spelling).code == "MLA-C01"


def test_an_unknown_exam_names_the_known_ones(graph):
    with pytest.raises(UnknownExamError, match="unknown exam 'SAA-C03': choose one of MLA-C01, MLS-C01"):
        find_exam(graph, "SAA-C03")


def test_a_domain_is_found_by_number_or_name(graph):
    exam = find_exam(graph, "MLA-C01")
    assert exam.domain("3").label == "Deployment and Orchestration of ML Workflows"
    assert exam.domain("ml model development").number == "2"
    with pytest.raises(Exception, match="exam MLA-C01 has no domain '9'"):
        exam.domain("9")


def test_associate_tasks_inherit_study_material_through_continues(graph):
    associate = find_exam(graph, "MLA-C01")
    coverage = task_coverage(graph, associate)
    polly = "https://w3id.org/studykg/kg#Polly"
    assert "https://w3id.org/studykg/kg#MLA_Task2_1" in coverage[polly]  # choosing an AI service
    for task in associate.tasks:
        assert any(task.iri in tasks for tasks in coverage.values()), f"no material for {task.number}"
    # DeepLens is out of the associate exam's scope, but still material for the specialty exam.
    deeplens = "https://w3id.org/studykg/kg#DeepLens"
    assert deeplens not in coverage
    assert deeplens in task_coverage(graph, find_exam(graph, "MLS-C01"))
