"""Practice questions from the graph: every one has exactly one right answer, checked against the graph itself."""

from __future__ import annotations

from collections import defaultdict

import pytest

from kg import KnowledgeGraph
from kg.exams import find_exam
from kg.folding import fold
from kg.quiz import QuizMaker
from conftest import REAL_GRAPH

SKG = "https://w3id.org/studykg/ontology#"
# What makes a choice right for a question on (predicate, topic), in the graph's own terms: it
# stands in the relation to the topic or to a broader or narrower topic (offering a task, or
# evaluating models for it, counts like being used for it). Read with SPARQL, apart from the generator's own code.
RIGHT = """PREFIX skg: <https://w3id.org/studykg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?choice ?topic WHERE {{
  ?choice {path} ?x .
  {{ ?x skos:broader* ?topic }} UNION {{ ?topic skos:broader* ?x }}
}}"""
PATHS = {
    f"{SKG}usedFor": "skg:usedFor|skg:supports|skg:measures",
    f"{SKG}measures": "skg:measures",
    f"{SKG}remedyFor": "skg:remedyFor",
}
PART_OF = "PREFIX skg: <https://w3id.org/studykg/ontology#> SELECT ?part ?whole WHERE { ?part skg:partOf+ ?whole }"


@pytest.fixture(scope="module")
def graph():
    return KnowledgeGraph.load_curated(REAL_GRAPH)


@pytest.fixture(scope="module")
def right_pairs(graph):
    pairs = {}
    for predicate, path in PATHS.items():
        pairs[predicate] = {(row["choice"], row["topic"]) for row in graph.sparql(RIGHT.format(path=path))}
    family = defaultdict(set)
    for row in graph.sparql(PART_OF):
        family[row["part"]].add(row["whole"])
        family[row["whole"]].add(row["part"])
    return pairs, family


@pytest.mark.parametrize("exam", ["MLA-C01", "MLS-C01"])
@pytest.mark.parametrize("lang", ["en", "vi", "it"])
def test_every_generated_question_has_exactly_one_right_answer(graph, right_pairs, exam, lang):
    pairs, family = right_pairs
    questions = QuizMaker(graph, find_exam(graph, exam)).all_questions(lang)
    assert len(questions) >= 150
    for question in questions:
        right = [i for i, c in enumerate(question.choices) if (c.iri, question.topic) in pairs[question.predicate]]
        assert right == [question.answer], (question.id, [c.label for c in question.choices])
        # No wrong choice is a part or a whole of the right one (Ground Truth vs SageMaker would be unfair).
        answer = question.right.iri
        for choice in question.choices:
            if choice.iri != answer:
                assert choice.iri not in family[answer], (question.id, choice.label)
        assert len({c.iri for c in question.choices}) == len(question.choices)


@pytest.mark.parametrize("lang", ["en", "vi", "it"])
def test_the_scenario_never_names_a_choice(graph, lang):
    for question in QuizMaker(graph, find_exam(graph, "MLA-C01")).all_questions(lang):
        if question.kind == "versus":
            continue  # "A and B are often compared" names both on purpose
        for choice in question.choices:
            entity = graph.entities[choice.iri]
            assert fold(entity.label) not in fold(question.prompt), (question.id, entity.label)


def test_questions_come_in_several_kinds_and_in_the_learners_language(graph):
    maker = QuizMaker(graph, find_exam(graph, "MLA-C01"))
    for lang in ("en", "vi", "it"):
        quiz = maker.quiz(10, lang, seed=7)
        assert len(quiz) == 10
        assert {q.kind for q in quiz} == {"service", "metric", "remedy", "versus"}
        assert len({q.right.iri for q in quiz}) == 10, "no answer twice in one quiz"
    italian = next(q for q in maker.quiz(10, "it", seed=7) if q.kind == "remedy")
    assert italian.right.label == dict(graph.entities[italian.right.iri].labels)["it"]
    assert "Quale di questi riduce il problema?" in italian.prompt


def test_the_polly_scenario_is_built_from_the_graph(graph):
    maker = QuizMaker(graph, find_exam(graph, "MLA-C01"))
    polly = next(f for f in maker.facts() if f.kind == "service" and f.answer.endswith("#Polly"))
    question = maker.question(polly, "en")
    keywords = {text for lang, text in graph.entities[polly.topic].keywords if lang == "en"}
    assert any(k in question.prompt for k in keywords)
    assert graph.entities[polly.topic].definition in question.prompt
    assert question.right.label == "Amazon Polly"
    assert question.evidence == ("Polly", graph.entities[polly.topic].name)


def test_a_domain_quiz_stays_in_that_domain(graph):
    exam = find_exam(graph, "MLA-C01")
    maker = QuizMaker(graph, exam)
    tasks = {t.iri for t in exam.domain("4").tasks}
    quiz = maker.quiz(10, "en", domain="4", seed=1)
    assert quiz
    assert all(tasks & set(q.tasks) for q in quiz)


def test_out_of_scope_services_are_not_asked_for_the_associate_exam(graph):
    associate = QuizMaker(graph, find_exam(graph, "MLA-C01"))
    specialty = QuizMaker(graph, find_exam(graph, "MLS-C01"))
    assert not any(f.answer.endswith("#DeepLens") for f in associate.facts())
    assert any(f.answer.endswith("#DeepLens") for f in specialty.facts())


def test_questions_on_an_index_link_passages_that_mention_the_answer(app_index):
    from indexer import StudyIndex

    index = StudyIndex.open(app_index)
    maker = QuizMaker(index.graph, find_exam(index.graph, "MLA-C01"))
    with_passages = [q for q in maker.all_questions("en") if q.passages]
    assert with_passages
    for question in with_passages:
        for chunk_id in question.passages:
            assert question.right.iri in index.graph.chunk_mentions(chunk_id)
