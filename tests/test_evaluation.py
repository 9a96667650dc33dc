"""The evaluation harness: reading question files, judging answers, summarising, and the shipped question set."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from indexer import ConceptMatch, EntityTag, Hit, IndexerError, SearchResult, Why
from indexer.evaluation import (
    EvalReport,
    Gold,
    Outcome,
    Question,
    entity_rank,
    evaluate,
    evaluate_file,
    failures,
    format_table,
    hit_rank,
    load_questions,
    summarize,
)
from kg.errors import UnknownEntityError

pytestmark = pytest.mark.real_encoder

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "bench" / "eval" / "questions.jsonl"
GRAPH_DIR = REPO / "corpus" / "graph"
KG = "https://w3id.org/studykg/kg#"


def write_lines(path: Path, *lines) -> Path:
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    return path


def concept(name: str, label: str, *aliases: str) -> ConceptMatch:
    return ConceptMatch(iri=KG + name, label=label, aliases=aliases, type="Service", score=1.0)


def hit(text: str, *tags: tuple[str, str], heading: str = "", source: str = "notes/x.md") -> Hit:
    return Hit(
        chunk_id=f"{source}#0", source=source, heading=heading, text=text, lang="en", score=1.0,
        entities=tuple(EntityTag(KG + name, label) for name, label in tags), why=Why(None, None, ()),
    )


def result(entities=(), hits=()) -> SearchResult:
    return SearchResult(query="q", entities=tuple(entities), hits=tuple(hits))


POLLY = Gold.from_names(["Amazon Polly"], aliases=["Polly"], iris=[KG + "Polly"])
FORECAST = Gold.from_names(["Amazon Forecast"], aliases=["Forecast"], iris=[KG + "Forecast"])
ANOMALY = Gold.from_names(["Anomaly detection"], aliases=["phát hiện bất thường", "rilevamento delle anomalie"])


# ---- loading -------------------------------------------------------------------
def test_load_questions_reads_fields_and_filters_by_split(tmp_path):
    path = write_lines(
        tmp_path / "q.jsonl",
        {"q": "which service reads text aloud?", "lang": "en", "gold": ["Amazon Polly"], "split": "dev"},
        "",
        {"q": "  thuật toán phát hiện bất thường ", "lang": "VI", "gold": "Random Cut Forest", "split": "heldout"},
        {"q": "no split here", "lang": "it", "gold": ["Amazon Polly"]},
    )
    everything = load_questions(path)
    assert [q.lang for q in everything] == ["en", "vi", "it"]
    assert everything[1] == Question(q="thuật toán phát hiện bất thường", lang="vi", gold=("Random Cut Forest",), split="heldout", line=3)
    assert [q.line for q in load_questions(path, split="dev")] == [1]
    assert [q.line for q in load_questions(path, split="heldout")] == [3]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"q": "polly?", "lang": "en", "gold": ["Amazon Polly"]', "line 2: not valid JSON"),
        ('["a list"]', "line 2: expected a JSON object"),
        ('{"q": "polly?", "gold": ["Amazon Polly"]}', "line 2: missing field lang"),
        ('{"lang": "en"}', "line 2: missing fields q, gold"),
        ('{"q": "", "lang": "en", "gold": ["Amazon Polly"]}', "line 2: 'q' must be a non-empty string"),
        ('{"q": "polly?", "lang": "en", "gold": []}', "line 2: 'gold' must be a non-empty list"),
        ('{"q": "polly?", "lang": "en", "gold": ["Amazon Polly"], "split": "test"}', "line 2: 'split' must be"),
    ],
)
def test_load_questions_names_the_file_and_line_of_a_bad_question(tmp_path, line, expected):
    path = write_lines(tmp_path / "bad.jsonl", {"q": "fine", "lang": "en", "gold": ["Amazon Polly"]}, line)
    with pytest.raises(IndexerError) as caught:
        load_questions(path)
    message = str(caught.value)
    assert str(path) in message and expected in message and "\n" not in message


def test_load_questions_rejects_missing_files_empty_files_and_empty_splits(tmp_path):
    with pytest.raises(IndexerError, match="question file not found"):
        load_questions(tmp_path / "nope.jsonl")
    with pytest.raises(IndexerError, match="no questions"):
        load_questions(write_lines(tmp_path / "empty.jsonl", ""))
    no_split = write_lines(tmp_path / "nosplit.jsonl", {"q": "polly?", "lang": "en", "gold": ["Amazon Polly"]})
    with pytest.raises(IndexerError, match="no question has split 'heldout'"):
        load_questions(no_split, split="heldout")
    with pytest.raises(IndexerError, match="unknown split 'test'"):
        load_questions(no_split, split="test")


# ---- judging one answer ------------------------------------------------------
def test_entity_rank_matches_label_alias_or_iri_ignoring_case_and_accents():
    answer = result(entities=[concept("Transcribe", "Amazon Transcribe"), concept("Polly", "Amazon Polly", "Polly")])
    assert entity_rank(answer, POLLY) == 2
    by_alias = result(entities=[ConceptMatch("x", "Something else", ("PHAT HIEN BAT THUONG",), "Concept", 1.0)])
    assert entity_rank(by_alias, ANOMALY) == 1
    by_iri = result(entities=[ConceptMatch(KG + "Polly", "Renamed Polly", (), "Service", 1.0)])
    assert entity_rank(by_iri, POLLY) == 1
    assert entity_rank(result(entities=[concept("Lex", "Amazon Lex")]), POLLY) is None


def test_hit_rank_counts_linked_entities_and_names_in_the_text():
    hits = [
        hit("Transcribe turns audio into text."),
        hit("Speech synthesis for apps.", ("Polly", "Amazon Polly")),  # linked by the index
    ]
    assert hit_rank(result(hits=hits), POLLY) == 2
    in_text = [hit("Use the Rilevamento delle ANOMALÌE features here.")]
    assert hit_rank(result(hits=in_text), ANOMALY) == 1
    assert hit_rank(result(hits=[hit("Amazon Polly voices", heading="")]), POLLY) == 1
    # names match whole words only
    assert hit_rank(result(hits=[hit("nonanomaly detection")]), ANOMALY) is None


def test_a_capitalised_one_word_alias_must_keep_its_capital_in_the_text():
    assert hit_rank(result(hits=[hit("We forecast sales with DeepAR.")]), FORECAST) is None
    assert hit_rank(result(hits=[hit("Forecast picks the algorithm for you.")]), FORECAST) == 1
    assert hit_rank(result(hits=[hit("amazon forecast, lower-cased")]), FORECAST) == 1  # multi-word names fold
    overfitting = Gold.from_names(["Overfitting"])  # a label, not an alias: it folds
    assert hit_rank(result(hits=[hit("Dropout reduces overfitting.")]), overfitting) == 1


def test_hit_rank_looks_at_the_first_ten_passages_only():
    hits = [hit("nothing relevant")] * 10 + [hit("Amazon Polly")]
    assert hit_rank(result(hits=hits), POLLY) is None


def outcome(lang: str, entity: int | None, hit_: int | None, ms: float) -> Outcome:
    return Outcome(q="q", lang=lang, split="dev", gold=("Amazon Polly",), system="hybrid (full)", entity_rank=entity, hit_rank=hit_, ms=ms, top_entities=(), top_sources=())


def test_summarize_computes_entity_at_k_hit_at_5_mrr_and_median_latency():
    outcomes = [
        outcome("en", 1, 1, 10.0),
        outcome("en", 2, 3, 30.0),
        outcome("en", 4, 7, 20.0),
        outcome("en", None, None, 40.0),
    ]
    metrics = summarize(outcomes)
    assert metrics.questions == 4
    assert metrics.entity_at_1 == pytest.approx(0.25)
    assert metrics.entity_at_3 == pytest.approx(0.5)
    assert metrics.hit_at_5 == pytest.approx(0.5)
    assert metrics.mrr_at_10 == pytest.approx((1 + 1 / 3 + 1 / 7) / 4)
    assert metrics.latency_p50_ms == pytest.approx(25.0)
    assert summarize([]).questions == 0


class FakeIndex:
    """Answers from a table: the full system knows Polly, BM25 only finds it in English."""

    ENTITIES = {"amazon polly": ("Polly", "Amazon Polly", ("Polly", "sintesi vocale")), "amazon lex": ("Lex", "Amazon Lex", ("Lex",))}

    def entity(self, name):
        from kg.records import Entity

        for local, label, aliases in self.ENTITIES.values():
            if name.lower() in (label.lower(), *(a.lower() for a in aliases)):
                break
        else:
            raise UnknownEntityError(name, ("Amazon Polly",))
        return Entity(iri=KG + local, name=local, label=label, type="Service", definition="", aliases=aliases)

    def search(self, query, k=5, *, mode="hybrid"):
        polly = concept("Polly", "Amazon Polly", "Polly")
        lex = concept("Lex", "Amazon Lex", "Lex")
        if mode == "bm25" and "voice" not in query:
            return result(entities=[lex], hits=[hit("Amazon Lex bots")])
        return result(entities=[polly, lex], hits=[hit("Lex"), hit("Polly reads text aloud")])


def test_evaluate_reports_each_mode_per_language_and_formats_a_table():
    questions = (
        Question("which service gives my app a voice", "en", ("Amazon Polly",), "dev", 1),
        Question("quale servizio per la sintesi vocale", "it", ("Amazon Polly",), "dev", 2),
    )
    report = evaluate(FakeIndex(), questions, modes=("hybrid", "bm25"), source="q.jsonl", split="dev")
    assert isinstance(report, EvalReport) and report.languages == ("en", "it", "all")
    full, bm25 = report.system("hybrid"), report.system("bm25")
    assert full.system == "hybrid (full)" and full.for_lang("all").entity_at_1 == 1.0
    assert full.for_lang("all").hit_at_5 == 1.0 and full.for_lang("all").mrr_at_10 == pytest.approx(0.5)
    assert bm25.for_lang("en").entity_at_1 == 1.0 and bm25.for_lang("it").entity_at_1 == 0.0
    assert [o.q for o in failures(report, "bm25")] == ["quale servizio per la sintesi vocale"]

    other = evaluate(FakeIndex(), questions, modes=("bm25",), label="untuned encoder")
    lines = format_table(report, other).splitlines()
    assert "q.jsonl" in lines[0] and "split dev" in lines[0]
    assert lines[1].split()[:2] == ["metric", "lang"]
    assert lines[1].index("hybrid (full)") < lines[1].index("bm25") < lines[1].index("untuned encoder")
    rows = lines[3:]
    assert len(rows) == 5 * 3  # five metrics x (en, it, all)
    assert rows[0].split()[:2] == ["entity@1", "en"] and rows[0].split()[2:] == ["1.000", "1.000", "1.000"]
    assert rows[1].split() == ["it", "1.000", "0.000", "0.000"]
    assert rows[-3].startswith("latency p50 ms")


def test_evaluate_file_reads_one_split_and_names_the_file(tmp_path):
    path = write_lines(
        tmp_path / "q.jsonl",
        {"q": "which service gives my app a voice", "lang": "en", "gold": ["Amazon Polly"], "split": "dev"},
        {"q": "quale servizio per la sintesi vocale", "lang": "it", "gold": ["Polly"], "split": "heldout"},
    )
    report = evaluate_file(FakeIndex(), path, split="heldout", modes=("bm25",))
    assert report.questions_file == str(path) and report.split == "heldout"
    assert report.system("bm25").for_lang("all").questions == 1 and report.languages == ("it", "all")


def test_evaluate_names_the_question_line_of_an_unknown_gold_label():
    questions = (Question("voice?", "en", ("Amazon Poly",), "dev", 7),)
    with pytest.raises(IndexerError, match=r"q.jsonl line 7: gold unknown entity 'Amazon Poly'.*Amazon Polly"):
        evaluate(FakeIndex(), questions, modes=("hybrid",), source="q.jsonl")
    with pytest.raises(IndexerError, match="unknown search mode 'fast'"):
        evaluate(FakeIndex(), questions, modes=("fast",))


# ---- the shipped question set -----------------------------------------------------
def test_shipped_question_set_has_enough_questions_per_language_and_a_third_held_out():
    questions = load_questions(QUESTIONS)
    langs = Counter(q.lang for q in questions)
    assert len(questions) >= 100 and langs["en"] >= 55 and langs["vi"] >= 23 and langs["it"] >= 23
    assert len({q.q.lower() for q in questions}) == len(questions), "duplicate questions"
    for lang in ("en", "vi", "it"):
        held = [q for q in questions if q.lang == lang and q.split == "heldout"]
        assert 0.3 <= len(held) / langs[lang] <= 0.37, lang


def test_shipped_gold_labels_are_english_preflabels_of_the_graph():
    import rdflib
    from rdflib.namespace import SKOS

    graph = rdflib.Graph()
    for ttl in sorted(GRAPH_DIR.glob("*.ttl")):
        if "shapes" not in ttl.name:
            graph.parse(ttl)
    english = {str(o) for o in graph.objects(None, SKOS.prefLabel) if getattr(o, "language", None) == "en"}
    unknown = sorted({g for path in (QUESTIONS, QUESTIONS.with_name("train-2026-11.jsonl")) for q in load_questions(path) for g in q.gold if g not in english})
    assert not unknown, f"gold labels that are not English prefLabels in corpus/graph: {unknown}"


def test_the_unseen_file_shares_no_question_with_the_tuned_set():
    tuned = {q.q.lower() for q in load_questions(QUESTIONS)}
    unseen = load_questions(QUESTIONS.with_name("train-2026-11.jsonl"))
    assert len(unseen) >= 100
    assert not [q.q for q in unseen if q.q.lower() in tuned]


# ---- on a real index ---------------------------------------------------------------
# What the fixture corpus (tests/fixtures/corpus) has pages or notes about: the shipped
# questions about these make the subset. The session index of that corpus is built
# anyway for the other tests; a build of the whole shipped corpus took 25-115 s here,
# almost all of it training the encoder, so it is not worth a second build.
FIXTURE_TOPICS = {
    "Amazon Polly", "Random Cut Forest", "Amazon Kinesis Data Streams", "Amazon Kinesis Data Firehose",
    "Overfitting", "Precision", "Recall", "F1 score", "Dropout", "Regularization", "Early stopping",
}


def test_full_system_beats_bm25_only_on_a_subset_of_the_shipped_questions(opened_index):
    questions = tuple(q for q in load_questions(QUESTIONS) if set(q.gold) & FIXTURE_TOPICS)
    assert len(questions) >= 15 and {q.lang for q in questions} == {"en", "vi", "it"}
    report = evaluate(opened_index, questions, modes=("hybrid", "bm25"), source=QUESTIONS.name)
    full, bm25 = report.system("hybrid"), report.system("bm25")
    assert full.for_lang("all").questions == bm25.for_lang("all").questions == len(questions)
    # the graph and the cross-lingual encoder find the concept that BM25 misses...
    assert full.for_lang("all").entity_at_1 > bm25.for_lang("all").entity_at_1
    assert full.for_lang("vi").entity_at_1 + full.for_lang("it").entity_at_1 > bm25.for_lang("vi").entity_at_1 + bm25.for_lang("it").entity_at_1
    # ...and passages that mention it, without losing what BM25 finds
    assert full.for_lang("all").hit_at_5 >= bm25.for_lang("all").hit_at_5
    assert full.for_lang("all").mrr_at_10 >= bm25.for_lang("all").mrr_at_10
