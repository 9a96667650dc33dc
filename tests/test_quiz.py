"""Practice questions: generated ones stand on sourced facts with one right answer each, checked against
the graph itself; the reviewed bank loads with clear errors; a quiz mixes both without repeating itself."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict

import pytest
from rdflib import RDF, URIRef

from kg import KnowledgeGraph
from kg.exams import find_exam
from kg.folding import fold
from study.quiz import QuizMaker
from study.quiz_bank import BankError, load_bank
from study.quiz_mix import QuizMix, quotas
from study.quiz_text import it_article
from conftest import REAL_GRAPH

pytestmark = pytest.mark.real_encoder

SKG = "https://w3id.org/studykg/ontology#"
KG = "https://w3id.org/studykg/kg#"
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
SOURCED = """PREFIX skg: <https://w3id.org/studykg/ontology#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?s ?p ?o WHERE { ?f a skg:SourcedFact ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; skg:statedIn ?where }"""


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


@pytest.fixture(scope="module")
def sourced(graph):
    return {(r["s"], r["p"], r["o"]) for r in graph.sparql(SOURCED)}


def write_bank(folder, items, langs=("en",)):
    folder.mkdir(exist_ok=True)
    for lang in langs:
        (folder / f"bank.{lang}.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return folder


def item(id_, task="MLA_Task1_1", answers=(1,), choices=4, entities=("KinesisDataFirehose",), **extra):
    return {"id": id_, "exam": "MLA-C01", "task": task, "stem": f"A team in case {id_} needs a managed option. Which one?",
            "choices": [f"Option {c}" for c in "ABCDE"[:choices]], "answers": list(answers), "explanation": "Because it is.",
            "why_wrong": {str(i): "Not this." for i in range(choices) if i not in answers}, "entities": list(entities),
            "sources": ["services/KinesisDataFirehose.md#When the exam expects it"], **extra}


# ---- generated questions: checked against the graph ----------------------------------------
@pytest.mark.parametrize("exam", ["MLA-C01", "MLS-C01"])
@pytest.mark.parametrize("lang", ["en", "vi", "it"])
def test_every_generated_question_stands_on_a_sourced_fact_with_exactly_one_right_answer(graph, right_pairs, sourced, exam, lang):
    pairs, family = right_pairs
    maker = QuizMaker(graph, find_exam(graph, exam))
    questions = maker.all_questions(lang)
    assert len(questions) >= 10, "fewer, good questions, but a quiz's worth in each language"
    assert {q.kind for q in questions} >= {"metric", "remedy", "versus"}
    for question in questions:
        right = [i for i, c in enumerate(question.choices) if (c.iri, question.topic) in pairs[question.predicate]]
        assert right == list(question.answers), (question.id, [c.label for c in question.choices])
        assert (question.right.iri, question.predicate, question.topic) in sourced, f"{question.id} asks an unsourced fact"
        assert question.sources, question.id
        answer = question.right.iri
        for i, choice in enumerate(question.choices):
            if choice.iri != answer:
                assert choice.iri not in family[answer], (question.id, choice.label)
                assert fold(choice.label) in fold(question.why_wrong[i]), "each wrong choice says why it is wrong"
        assert len({c.iri for c in question.choices}) == len(question.choices)


CLOSED = """PREFIX skg: <https://w3id.org/studykg/ontology#> SELECT ?s WHERE { ?s skg:closedToNewCustomers true }"""
# Close in purpose, read with SPARQL apart from the generator: a comparedWith/alternativeTo neighbour of the key,
# or an entity with a sourced purpose that the graph compares with the topic or that shares a parent topic with it.
CLOSE = """PREFIX skg: <https://w3id.org/studykg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
ASK {{
  {{ <{choice}> skg:comparedWith|skg:alternativeTo|^skg:comparedWith|^skg:alternativeTo <{key}> }}
  UNION {{ <{choice}> <{predicate}> ?purpose .
           {{ ?purpose skg:comparedWith|skg:alternativeTo|^skg:comparedWith|^skg:alternativeTo <{topic}> }}
           UNION {{ ?purpose skos:broader ?parent . <{topic}> skos:broader ?parent }} }}
}}"""


@pytest.mark.parametrize("exam", ["MLA-C01", "MLS-C01"])
def test_no_service_closed_to_new_customers_is_ever_a_key_or_an_option(graph, exam):
    closed = {row["s"] for row in graph.sparql(CLOSED)}
    assert {f"{KG}DeepLens", f"{KG}LookoutForEquipment", f"{KG}DataPipeline", f"{KG}Forecast"} <= {str(c) for c in closed}
    maker = QuizMaker(graph, find_exam(graph, exam))
    for lang in ("en", "vi", "it"):
        for question in maker.all_questions(lang):
            offered = {URIRef(c.iri) for c in question.choices}
            assert not offered & closed, (question.id, lang)
    assert maker.stats["dropped: the key is closed to new customers"] > 0


@pytest.mark.parametrize("exam", ["MLA-C01", "MLS-C01"])
def test_distractors_are_close_in_purpose_and_the_key_is_no_platform(graph, right_pairs, exam):
    """No option is ruled out by its name alone (Polly for batch inference), and the whole SageMaker
    platform is never the key where one of its parts serves the topic."""
    pairs, _ = right_pairs
    part_of = {(row["part"], row["whole"]) for row in graph.sparql(PART_OF)}
    maker = QuizMaker(graph, find_exam(graph, exam))
    for lang in ("en", "vi", "it"):
        for question in maker.all_questions(lang):
            key, topic = URIRef(question.right.iri), URIRef(question.topic)
            for choice in question.choices:
                if URIRef(choice.iri) != key and question.kind != "versus":
                    ask = CLOSE.format(choice=choice.iri, key=key, predicate=question.predicate, topic=topic)
                    assert graph.graph.query(ask).askAnswer, (question.id, lang, choice.label)
            serving_parts = [part for part, whole in part_of if whole == key and (part, topic) in pairs[question.predicate]]
            assert not serving_parts, (question.id, "a part of the key serves the topic")


def test_a_fact_without_a_stated_source_is_never_asked():
    kg = KnowledgeGraph.load_curated(REAL_GRAPH)
    maker = QuizMaker(kg, find_exam(kg, "MLA-C01"))
    asked = [f for f in maker.facts() if f.answer.endswith("#Polly")]
    assert asked, "Polly's purpose is sourced in the shipped graph"
    for node in list(kg.graph.subjects(RDF.subject, URIRef(f"{KG}Polly"))):
        kg.graph.remove((node, None, None))
    unsourced = QuizMaker(kg, find_exam(kg, "MLA-C01"))
    assert not [f for f in unsourced.facts() if f.answer.endswith("#Polly")]
    assert unsourced.stats["facts without a stated source (never asked)"] > maker.stats["facts without a stated source (never asked)"]


@pytest.mark.parametrize("lang", ["en", "vi", "it"])
def test_the_stem_never_names_a_choice(graph, lang):
    for question in QuizMaker(graph, find_exam(graph, "MLA-C01")).all_questions(lang):
        if question.kind == "versus":
            continue  # "choose between A and B" names both on purpose
        for choice in question.choices:
            entity = graph.entities[choice.iri]
            assert fold(entity.label) not in fold(question.prompt), (question.id, entity.label)


def test_stems_read_like_exam_items_in_each_language(graph):
    maker = QuizMaker(graph, find_exam(graph, "MLA-C01"))
    english = next(q for q in maker.all_questions("en") if q.kind == "service")
    definition = graph.entities[english.topic].definition.rstrip(".")
    assert definition[1:] in english.prompt, "the requirement is explained"
    assert "whose main purpose is exactly this" in english.prompt, "and the deciding constraint stated"
    for question in maker.all_questions("vi"):
        assert question.prompt[0].isupper(), question.prompt  # no bare lower-case term first
    italian = [q for q in maker.all_questions("it") if q.kind == "service"]
    assert italian and all(" ha come requisito " in q.prompt for q in italian)
    articles = ("il ", "lo ", "la ", "l'", "i ", "gli ", "le ")
    assert all(q.prompt.split(" ha come requisito ", 1)[1].startswith(articles) for q in italian)


def test_italian_articles_agree_with_the_noun():
    assert it_article("riaddestramento del modello") == "il riaddestramento del modello"
    assert it_article("deriva concettuale") == "la deriva concettuale"
    assert it_article("sbilanciamento delle classi") == "lo sbilanciamento delle classi"
    assert it_article("overfitting") == "l'overfitting"
    assert it_article("analisi del sentiment") == "l'analisi del sentiment"
    assert it_article("pesi delle classi") == "i pesi delle classi"
    assert it_article("rappresentazioni vettoriali") == "le rappresentazioni vettoriali"
    assert it_article("gestione degli outlier") == "la gestione degli outlier"
    assert it_article("problema") == "il problema"
    assert it_article("MLOps") == "l'MLOps" and it_article("TF-IDF") == "il TF-IDF"


def test_the_answer_engine_check_drops_and_counts(graph):
    exam = find_exam(graph, "MLA-C01")
    everything = QuizMaker(graph, exam).all_questions("en")
    vetoed = {q.right.iri for q in everything[::3]}
    checked = QuizMaker(graph, exam, checker=lambda q: q.right.iri not in vetoed)
    kept = checked.all_questions("en")
    assert kept and not [q for q in kept if q.right.iri in vetoed]
    assert checked.stats["dropped: the answer engine disagrees"] == len(everything) - len(kept)


def test_questions_on_an_index_link_passages_that_mention_the_answer(app_index):
    from indexer import StudyIndex

    index = StudyIndex.open(app_index)
    maker = QuizMaker(index.graph, find_exam(index.graph, "MLA-C01"))
    for question in maker.all_questions("en"):
        for chunk_id in question.passages:
            assert question.right.iri in index.graph.chunk_mentions(chunk_id)
    # The app corpus has notes on Polly: the passages of its sourced fact are found and mention it.
    polly = next(f for f in maker.facts() if f.kind == "service" and f.answer.endswith("#Polly"))
    passages = maker._passages(polly.answer, f"{SKG}usedFor", polly.topic)
    assert passages and all(polly.answer in index.graph.chunk_mentions(c) for c in passages)


@pytest.mark.parametrize("lang", ["en", "vi", "it"])
def test_the_answer_engine_agrees_with_every_generated_key(app_index, lang):
    """With the engine check on, every question made on an index has a key the concept ranking puts first,
    and the same question marked with a wrong option as key is refused."""
    from dataclasses import replace

    from indexer import StudyIndex
    from study.practice import engine_checker

    index = StudyIndex.open(app_index)
    for exam in ("MLA-C01", "MLS-C01"):
        checker = engine_checker(index)
        maker = QuizMaker(index.graph, find_exam(index.graph, exam), checker=checker)
        made = maker.all_questions(lang)
        assert made or maker.stats["dropped: the answer engine disagrees"], exam
        for question in made:
            assert checker(question)
            for wrong in range(len(question.choices)):
                if wrong not in question.answers:
                    swapped = replace(question, id=f"{question.id}/as-{wrong}", answers=(wrong,))
                    assert not checker(swapped), (question.id, question.choices[wrong].label)


def test_out_of_scope_services_are_not_asked_for_the_associate_exam(graph):
    associate = QuizMaker(graph, find_exam(graph, "MLA-C01"))
    assert not any(f.answer.endswith("#DeepLens") for f in associate.facts())


# ---- the bank ----------------------------------------------------------------------------
def test_the_bank_loads_items_with_choose_two(tmp_path):
    folder = write_bank(tmp_path / "quiz", [item("mla-1.1-01"), item("mla-1.1-02", answers=(1, 3), choices=5)], ("en", "it"))
    bank = load_bank(folder)
    assert {(i.id, i.lang) for i in bank} == {("mla-1.1-01", "en"), ("mla-1.1-02", "en"), ("mla-1.1-01", "it"), ("mla-1.1-02", "it")}
    two = next(i for i in bank if i.id == "mla-1.1-02")
    assert two.answers == (1, 3) and two.why_wrong[1] == "" and two.why_wrong[0] == "Not this."
    assert load_bank(tmp_path / "missing") == ()


@pytest.mark.parametrize("broken, message", [
    ({"answers": [4]}, "bank.en.jsonl:2: answers [4] point past the 4 choices"),
    ({"answers": [0, 1]}, "bank.en.jsonl:2: a choose-two item has 5 choices, this one has 4"),
    ({"choices": ["only", "three", "here"]}, "bank.en.jsonl:2: choices: ['only', 'three', 'here'] is too short"),
    ({"stem": 7}, "bank.en.jsonl:2: stem: 7 is not of type 'string'"),
    ({"why_wrong": {"1": "the key cannot be wrong"}}, "bank.en.jsonl:2: why_wrong key '1' is not a wrong choice's index"),
])
def test_a_bad_bank_line_is_one_line_naming_file_line_and_cause(tmp_path, broken, message):
    folder = write_bank(tmp_path / "quiz", [item("a-1"), {**item("a-2"), **broken}])
    with pytest.raises(BankError) as error:
        load_bank(folder)
    assert str(error.value).endswith(message) and "\n" not in str(error.value)


def test_translations_must_keep_the_same_key(tmp_path):
    folder = write_bank(tmp_path / "quiz", [item("a-1")])
    (folder / "bank.vi.jsonl").write_text(json.dumps(item("a-1", answers=(2,))) + "\n", encoding="utf-8")
    with pytest.raises(BankError, match="item 'a-1' has answers"):
        load_bank(folder)


def test_choose_two_is_right_only_with_both(tmp_path, graph):
    from study.quiz_mix import bank_question

    folder = write_bank(tmp_path / "quiz", [item("two", answers=(1, 3), choices=5)])
    question = bank_question(load_bank(folder)[0], graph)
    assert question.choose == 2
    assert question.is_right([3, 1])
    assert not question.is_right(1) and not question.is_right([1, 2]) and not question.is_right([1, 3, 4])
    assert question.entities == (f"{KG}KinesisDataFirehose",) and question.task == f"{KG}MLA_Task1_1"


# ---- one quiz from both sources -------------------------------------------------------------
def test_a_quiz_mixes_bank_items_and_generated_questions(tmp_path, graph):
    tasks = ["MLA_Task1_1", "MLA_Task2_1", "MLA_Task3_1", "MLA_Task4_3"]
    folder = write_bank(tmp_path / "quiz", [item(f"b-{n}", task=tasks[n % 4], entities=(f"NotInTheGraph{n}",)) for n in range(12)], ("en", "vi"))
    mix = QuizMix(QuizMaker(graph, find_exam(graph, "MLA-C01")), load_bank(folder))
    quiz = mix.quiz(10, "vi", seed=3)
    assert len(quiz) == 10 and all(q.lang == "vi" for q in quiz)
    assert {q.kind for q in quiz} == {"bank"}, "the reviewed bank is served first"
    longer = mix.quiz(20, "vi", seed=3)
    assert sum(q.kind == "bank" for q in longer) == 12, "every bank item, then generated questions fill the gaps"
    assert len(longer) == 20 and {q.kind for q in longer} - {"bank"}
    after = mix.quiz(10, "vi", seed=4, recent=[q.id for q in longer if q.kind == "bank"])
    fresh = mix.quiz(10, "vi", seed=4)
    assert sum(q.kind == "bank" for q in after) < sum(q.kind == "bank" for q in fresh), "bank items just asked wait"
    made = [q for q in longer if q.kind != "bank"]
    assert len({q.right.iri for q in made}) == len(made), "no key twice"


def test_quizzes_do_not_repeat_themselves(graph):
    """Eight seeded quizzes of ten from what the quiz serves (the shipped bank, then generated questions):
    the old generator held 45 distinct questions, one of them in 7 quizzes."""
    mix = QuizMix(QuizMaker(graph, find_exam(graph, "MLA-C01")), load_bank(REAL_GRAPH.parent / "quiz"))
    seen = Counter(q.id for seed in range(8) for q in mix.quiz(10, "en", seed=seed))
    assert sum(seen.values()) == 80
    assert len(seen) >= 45, "random within each domain's pool, with no kind forced into every quiz"
    assert max(seen.values()) <= 4
    asked: list = []  # a learner's quizzes in a row: what was just asked waits
    for seed in range(8):
        asked += mix.quiz(10, "en", seed=seed, recent=[q.id for q in asked])
    assert len({q.id for q in asked}) >= 76, "a repeat only where a domain's own pool ran out"


def test_recently_asked_questions_wait_until_the_pool_runs_out(graph):
    maker = QuizMaker(graph, find_exam(graph, "MLA-C01"))
    mix = QuizMix(maker, load_bank(REAL_GRAPH.parent / "quiz"))
    first = mix.quiz(10, "en", seed=1)
    second = mix.quiz(10, "en", seed=1, recent=[q.id for q in first])
    assert not {q.id for q in first} & {q.id for q in second}
    small = maker.quiz(10, "en", domain="4", seed=2)
    everything = [q.id for q in maker.quiz(100, "en", domain="4", seed=2)]
    again = maker.quiz(10, "en", domain="4", seed=2, recent=everything)
    assert len(again) == len(small), "with everything recent, recent questions are still asked"


def test_a_domain_quiz_stays_in_that_domain(graph):
    exam = find_exam(graph, "MLA-C01")
    maker = QuizMaker(graph, exam)
    tasks = {t.iri for t in exam.domain("4").tasks}
    quiz = maker.quiz(10, "en", domain="4", seed=1)
    assert quiz
    assert all(q.task in tasks for q in quiz)


def test_quotas_follow_the_weights():
    rng = random.Random(0)
    assert quotas(10, {"a": 28, "b": 26, "c": 22, "d": 24}, rng) == {"a": 3, "b": 3, "c": 2, "d": 2}
    assert quotas(10, {"weak": 4.0, "strong": 1.0}, rng) == {"weak": 8, "strong": 2}
    assert sum(quotas(7, {"a": 1, "b": 1, "c": 1}, rng).values()) == 7
