import pytest

from indexer import QueryError, SearchFilters, StudyIndex
from indexer.errors import IndexMismatchError

pytestmark = pytest.mark.real_encoder


@pytest.fixture
def index(opened_index):
    return opened_index


@pytest.mark.parametrize(
    "question, expected_source",
    [
        ("which service converts text to speech?", "corpus/services/Polly.md"),
        ("how long does Kinesis Data Streams keep records", "corpus/notes/kinesis.en.md"),
        ("thuật toán nào dùng để phát hiện bất thường", "corpus/notes/bat-thuong.vi.md"),
        ("phat hien bat thuong", "corpus/notes/bat-thuong.vi.md"),
        ("precision and recall for imbalanced classes", "corpus/notes/metrics.txt"),
        ("how do I stop a model from overfitting", "corpus/notes/overfitting.html"),
    ],
)
def test_obvious_questions_find_the_obvious_chunk(index, question, expected_source):
    sources = [hit.source for hit in index.search(question, k=3).hits]
    assert expected_source in sources


def test_linked_entities_rank_concepts(index):
    result = index.search("which service converts text to speech?")
    assert result.entities[0].label == "Amazon Polly"
    assert result.entities[0].type == "Service"


def test_cross_lingual_question_finds_the_english_service_page(index):
    result = index.search("quale algoritmo per il rilevamento delle anomalie?", k=5)
    assert result.entities[0].label == "Random Cut Forest"
    assert "corpus/services/RandomCutForest.md" in [h.source for h in result.hits]


def test_hits_say_why_they_matched(index):
    hit = index.search("Random Cut Forest anomaly score", k=1).hits[0]
    assert hit.why.lexical_rank == 1 or hit.why.dense_rank == 1
    assert "Random Cut Forest" in hit.why.entities
    assert any(tag.label == "Random Cut Forest" for tag in hit.entities)


def test_filters_narrow_hits(index):
    only_it = index.search("anomalie", k=5, filters=SearchFilters(langs=("it",)))
    assert only_it.hits and all(h.lang == "it" for h in only_it.hits)
    services = index.search("anomaly detection", k=5, filters=SearchFilters(sources=("services",)))
    assert services.hits and all(h.kind in ("service", "algorithm") for h in services.hits)


@pytest.mark.parametrize("question, message", [("", "empty"), ("   ", "empty"), ("?!…", "no words"), ("x" * 5000, "5,000 characters")])
def test_bad_questions_get_a_friendly_error(index, question, message):
    with pytest.raises(QueryError, match=message):
        index.search(question)


def test_modes_use_only_their_retrievers(index):
    bm25 = index.search("Firehose buffers records", k=3, mode="bm25")
    assert all(h.why.dense_rank is None for h in bm25.hits)
    dense = index.search("Firehose buffers records", k=3, mode="dense")
    assert all(h.why.lexical_rank is None for h in dense.hits)


def test_a_query_with_another_model_is_refused(built_index):
    with pytest.raises(IndexMismatchError, match="built with model 'intfloat/multilingual-e5-small'"):
        StudyIndex.open(built_index, model="sentence-transformers/all-MiniLM-L6-v2")


@pytest.mark.parametrize(
    "question, concept",
    [
        ("Which service converts text to speech?", "Amazon Polly"),
        ("which service converts text to speech?", "Amazon Polly"),
        ("quale algoritmo rileva le anomalie nei dati?", "Random Cut Forest"),
        ("thuật toán nào dùng để phát hiện bất thường?", "Random Cut Forest"),
    ],
)
def test_the_readme_questions_find_their_concept(index, question, concept):
    assert index.search(question).entities[0].label == concept


def test_a_phrase_copied_from_a_new_note_finds_that_note(index_copy, tmp_path):
    notes = tmp_path / "mine"
    notes.mkdir()
    (notes / "kinesis.md").write_text(
        "# My Kinesis recap\n\nFirehose buffers records by size or time before it writes them to S3, so data lands late.\n"
        "Data Streams lets several consumers read the same shard at their own pace.\n"
    )
    (notes / "polly.md").write_text("# Polly\n\nPolly reads text aloud; SSML tags change the speed and the pitch of the voice.\n")
    StudyIndex.add(notes, index_copy)
    index = StudyIndex.open(index_copy)
    for phrase, note in [("buffers records by size or time before it writes them", "mine/kinesis.md"), ("SSML tags change the speed", "mine/polly.md")]:
        files = list(dict.fromkeys(hit.source for hit in index.search(phrase, 10).hits))
        assert note in files[:5], files


def test_passages_in_the_preferred_language_gain_a_little(index):
    question = "Random Cut Forest detects anomalies"
    assert index.search(question, 3).hits[0].lang == "en"  # an English question opens on an English passage

    def italian_score(lang):
        return next(h.score for h in index.search(question, 5, lang=lang).hits if h.lang == "it")

    # a preference, not a filter: the Italian note gains a few percent, enough to pass a passage about as good
    assert italian_score("en") < italian_score("it") <= italian_score("en") * 1.1


def test_hits_show_one_passage_per_document_before_a_second_one(index):
    hits = index.search("Random Cut Forest anomaly score", 10).hits
    sources = [hit.source for hit in hits]
    distinct = len(set(sources))
    assert len(hits) == 10 and distinct < 10  # the fixture corpus has fewer documents than that
    assert len(set(sources[:distinct])) == distinct  # every document once, then the second passages


def test_entity_words_find_the_entity_whose_definition_a_question_words():
    from indexer.entity_words import EntityWords

    texts = [
        "SMOTE ; oversampling\nCreates synthetic minority-class samples between near neighbours.",
        "Undersampling\nDrops rows of the majority class.",
        "Amazon Polly\nTurns text into speech.",
    ] + [f"Amazon filler service {n}\nA service." for n in range(40)]
    words = EntityWords(texts)
    assert words.search("make synthetic samples for the minority class", 2)[0] == 0
    assert "amazon" in words.frequent and words.search("amazon", 3) == []  # a word every name shares ranks nothing


def test_entity_words_match_inflected_forms_in_english_and_italian():
    from indexer.entity_words import EntityWords

    texts = [
        "Model Registry\nCatalogo delle versioni dei modelli con uno stato di approvazione.",
        "Learning rate\nToo high and the loss oscillates or diverges.",
        "Model Monitor\nControlla la qualità dei dati in produzione.",
    ]
    words = EntityWords(texts)
    assert words.search("come versionare e approvare i modelli", 1) == [0]
    assert words.search("loss keeps oscillating and diverging", 1) == [1]


def test_entity_words_find_a_vietnamese_word_whose_syllables_every_definition_uses():
    from indexer.entity_words import EntityWords

    # "lưu" (store) and "lượng" (amount) each sit in most definitions; "lưu lượng" (traffic) in one.
    texts = [
        "Canary\nChuyển một phần nhỏ lưu lượng sang mô hình mới trước.",
        "Blue/green\nChuyển toàn bộ sang môi trường mới một lần.",
    ] + [f"Dịch vụ {n}\nLưu trữ dữ liệu với số lượng lớn, phiên bản {n}." for n in range(20)]
    words = EntityWords(texts)
    assert {"luu", "luong"} <= words.frequent
    assert words.search("chuyển 10% lưu lượng trước", 1) == [0]
    assert words.search("chuyển lượng lưu", 1) != [0]  # the syllables alone, in another order, are no such word


def test_entity_words_ignore_the_words_that_make_a_question():
    from indexer.entity_words import EntityWords

    # CloudTrail's Vietnamese definition says "ai làm gì, lúc nào": "gì" (what) and "nào" (which) end most questions.
    words = EntityWords(["CloudTrail\nGhi lại ai làm gì, lúc nào.", "Polly\nChuyển văn bản thành giọng nói."])
    assert words.search("Đây là lỗi gì? Cái nào?", 2) == []
    assert words.search("chuyển văn bản thành giọng nói nào", 1) == [1]


def test_a_question_that_words_a_definition_ranks_that_entity(index):
    # no entity name in it; the words come from Random Cut Forest's definition in the shipped graph
    result = index.search("unsupervised algorithm giving each data point an anomaly score from an ensemble of random trees")
    assert result.entities[0].label == "Random Cut Forest"


@pytest.mark.parametrize("question, technique", [("use Pipe mode for the training data", "Pipe mode"), ("Bayesian optimization picks the next trial from the earlier ones", "Bayesian optimization")])
def test_a_technique_a_service_supports_is_the_answer_not_the_service(index, question, technique):
    # A task hands its credit to the services made for it; a technique keeps its own.
    assert index.search(question).entities[0].label == technique


def test_asking_for_a_metric_ranks_metrics_over_the_task_s_algorithms(index):
    # "regression" links a task whose providers (XGBoost, Linear Learner...) would otherwise win.
    result = index.search("which regression metric penalizes large errors more than small ones")
    regression_measures = {r.target.label for r in index.searcher.graph.neighbours(index.entity("Regression").iri) if r.predicate.endswith("#measures")}
    assert "Root mean squared error" in regression_measures
    assert result.entities[0].label in regression_measures




def test_without_a_linked_entity_passages_about_the_best_concept_come_first(index):
    # No name in the question; the fixture has three documents about Random Cut Forest (en, it, vi).
    question = "scores each point by how much it changes a forest of random trees"
    assert not index.searcher.graph.link(question)
    result = index.search(question, k=3)
    assert result.entities[0].label == "Random Cut Forest"
    assert all(any(tag.label == "Random Cut Forest" for tag in hit.entities) for hit in result.hits)


def test_the_best_concept_brings_its_own_passages_that_no_retriever_found(index, monkeypatch):
    """An unnamed best concept adds its passages closest to the question, in any language."""
    from indexer import search

    question = "scores each point by how much it changes a forest of random trees"
    monkeypatch.setattr(search, "CANDIDATES", 2)  # the retrievers now find two passages each
    with_concept = {h.source for h in index.search(question, k=5).hits}
    monkeypatch.setattr(index.searcher, "_closest_passages", lambda iri, q_vec, allowed=None: ([], 0))
    without = {h.source for h in index.search(question, k=5).hits}
    notes = {"corpus/notes/anomalie.it.md", "corpus/notes/bat-thuong.vi.md"}
    assert notes <= with_concept and not notes & without


def test_the_best_concepts_passages_count_by_its_margin_over_the_runner_up():
    from indexer.search import _margin

    assert _margin([("RandomCutForest", 4.0), ("IPInsights", 1.0)]) == 0.75
    assert _margin([("Polly", 2.0), ("Transcribe", 2.0)]) == 0.0
    assert _margin([("Polly", 2.0)]) == 1.0 and _margin([]) == 1.0


def test_the_best_concept_steers_passages_unless_a_named_entity_is_runner_up():
    from indexer.search import _passage_focus

    # "which metric for my house price regression?": regression is context, the metric the answer.
    assert _passage_focus(["Regression"], [("RMSE", 2.0), ("MAE", 1.5), ("Regression", 0.4)]) == ["Regression", "RMSE"]
    # "is Rekognition HIPAA eligible?": the question is about Rekognition, compliance only a facet of it.
    assert _passage_focus(["Rekognition"], [("ComprehendMedical", 1.2), ("Rekognition", 1.1)]) == ["Rekognition"]
    assert _passage_focus([], [("RandomCutForest", 1.0)]) == ["RandomCutForest"]
    assert _passage_focus(["Polly"], [("Polly", 2.0), ("TextToSpeech", 1.0)]) == ["Polly"]
    assert _passage_focus([], []) == []


def test_search_keywords_count_as_evidence_for_their_entity(index):
    # "clickstream to S3" is one of Firehose's hidden labels, in none of its names or definitions.
    evidence = index.searcher._concept_evidence
    firehose = index.entity("KinesisDataFirehose")
    assert not any("clickstream" in text.lower() for text in (firehose.label, *firehose.aliases, *(d for _, d in firehose.definitions)))
    found = [evidence._iris[p] for p in evidence._words.search("clickstream", 3)]
    assert firehose.iri in found


def test_asking_for_a_chart_ranks_charts(index):
    result = index.search("best chart to see the relationship between two continuous variables")
    charts = {r.target.label for r in index.searcher.graph.neighbours(index.entity("DataVisualization").iri) if r.direction == "in" and r.predicate.endswith("#broader")}
    assert "Scatter plot" in charts
    assert result.entities[0].label in charts


@pytest.mark.xfail(strict=True, reason="known regression: the question-shaped labels that carried it were removed"
                   " from the graph; the refitted ranking still puts Fraud detection first and no learner synonym"
                   " of Class imbalance is in the question (issue 27 note)")
def test_asking_what_a_problem_is_called_ranks_concepts(index):
    # Fraud names a service and an algorithm too, but a phenomenon's name is a concept.
    result = index.search("only 1% of my transactions are fraud and the model says everything is legitimate, what is this problem called?")
    assert [e.type for e in result.entities[:2]] == ["Concept"] * 2
    assert "Class imbalance" in [e.label for e in result.entities[:3]]


def test_a_document_with_several_matching_passages_outranks_one_lucky_passage():
    from indexer.fusion import DOCUMENT_SHARE, add_document_evidence as _add_document_evidence

    # Passage 1 scores best alone; document "b" has three good passages. Fewer passages than
    # candidates: the background is the lowest score, and what lies above it counts.
    fused = {1: 1.0, 2: 0.9, 3: 0.8, 4: 0.7, 5: 0.1}
    _add_document_evidence(fused, {1: "a", 2: "b", 3: "b", 4: "b", 5: "b"})
    assert fused[1] == 1.0
    assert fused[2] == pytest.approx(0.9 + DOCUMENT_SHARE * (0.7 + 0.6))
    assert fused[2] > fused[1]
    # Only a document's best passages count: the weak ones add nothing to the others.
    assert fused[3] == pytest.approx(0.8 + DOCUMENT_SHARE * (0.8 + 0.6))
    assert fused[5] == 0.1


def test_many_weak_passages_do_not_make_a_document_relevant():
    from indexer.fusion import add_document_evidence as _add_document_evidence

    fused = {1: 1.0, 2: 0.12, 3: 0.11, 4: 0.11, 5: 0.1}
    _add_document_evidence(fused, {1: "a", 2: "b", 3: "b", 4: "b", 5: "c"})
    assert max(fused[2], fused[3], fused[4]) < 0.2 < fused[1]


def test_plain_bm25_mode_stays_plain(index):
    # The baseline the full system is compared with gets no document evidence.
    lexical = [rowid for rowid, _ in index.searcher.store.lexical_search("kinesis shards retention", 10)]
    hits = index.search("kinesis shards retention", k=3, mode="bm25").hits
    first = index.searcher.store.chunks_by_rowid(lexical[:1])[lexical[0]]
    assert hits[0].chunk_id == first["chunk_id"]


def test_entity_words_saved_at_build_time_load_with_the_same_answers(tmp_path):
    from indexer.entity_words import EntityWords

    words = EntityWords(["Model Registry\nCatalogo delle versioni dei modelli.", "Learning rate\nToo high and the loss oscillates."])
    words.save(tmp_path)
    again = EntityWords.load(tmp_path)
    assert again.search("versionare i modelli", 2) == words.search("versionare i modelli", 2) == [0]
    assert again.frequent == words.frequent


def test_stemming_is_safe_from_many_threads_at_once():
    """The app's sessions search at the same time; snowball stemmers keep state while they work."""
    from concurrent.futures import ThreadPoolExecutor

    from indexer.entity_words import stems

    text = "oscillating learning rates diverge while versionare modelli approvati " * 200
    expected = stems(text)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(stems, [text] * 32))
    assert all(result == expected for result in results)


# ---- the learner's own notes -------------------------------------------------
def test_a_learners_passage_wins_over_a_shipped_one_of_equal_relevance_and_language_never_reverses_that():
    from indexer.fusion import LANGUAGE_PREFERENCE, prefer as _prefer

    fused = {1: 0.030, 2: 0.030, 3: 0.030, 4: 0.029}  # 1: shipped in the question's language; 2: the learner's, in another
    _prefer(fused, {1: "vi", 2: "en", 3: "en", 4: "vi"}, frozenset({2}), "vi")
    assert fused[2] > fused[1]  # the learner's own words first
    assert fused[1] > fused[3]  # among shipped passages the question's language still counts
    assert fused[4] == pytest.approx(0.029 * (1 + LANGUAGE_PREFERENCE))


@pytest.fixture
def index_with_my_notes(index_copy, tmp_path):
    notes = tmp_path / "mine"
    notes.mkdir()
    (notes / "kinesis-recap.md").write_text(
        "# My Kinesis recap\n\n- Kinesis Data Streams\n  - each shard takes 1 MB/s or 1000 records per second of writes\n"
        "  - records stay 24 hours by default, up to 365 days\n- Firehose buffers records before writing them to S3\n"
    )
    StudyIndex.add(notes, index_copy)
    return StudyIndex.open(index_copy)


def test_my_notes_on_the_question_come_in_their_own_section_and_first(index_with_my_notes):
    result = index_with_my_notes.search("how long does Kinesis Data Streams keep records", 5)
    assert [h.source for h in result.from_your_notes] == ["mine/kinesis-recap.md"]
    assert result.hits[0].source == "mine/kinesis-recap.md"  # as relevant as the shipped note: the learner's comes first
    assert "corpus/notes/kinesis.en.md" in [h.source for h in result.hits]  # the shipped note is still there
    data = result.to_json()
    assert data["from_your_notes"][0]["source"] == "mine/kinesis-recap.md" and data["in_material"] is True


def test_my_notes_section_stays_empty_when_they_do_not_answer(index_with_my_notes, opened_index):
    assert index_with_my_notes.search("which service converts text to speech?", 5).from_your_notes == ()
    assert opened_index.search("how long does Kinesis Data Streams keep records", 5).from_your_notes == ()  # nothing added


def test_the_concept_card_can_link_my_notes_about_the_concept(index_with_my_notes):
    iri = index_with_my_notes.entity("Amazon Kinesis Data Streams").iri
    assert [doc for doc, _, _ in index_with_my_notes.searcher.notes_about(iri)] == ["mine/kinesis-recap.md"]
    polly = index_with_my_notes.entity("Amazon Polly").iri
    assert index_with_my_notes.searcher.notes_about(polly) == []


@pytest.mark.parametrize("question", ["hello", "how do I bake bread", "what is the capital of France", "qual è la capitale della Francia"])
def test_a_question_about_nothing_in_the_material_gets_no_concept(index, question):
    result = index.search(question, 5)
    assert not result.in_material and result.entities == () and result.to_json()["in_material"] is False


@pytest.mark.parametrize("question", ["which service converts text to speech?", "RCF", "phat hien bat thuong", "how long are records kept in a stream"])
def test_a_question_about_the_material_is_answered(index, question):
    result = index.search(question, 5)
    assert result.in_material and result.entities


# ---- direction words -----------------------------------------------------------
def test_word_order_names_the_direction_of_a_conversion_in_any_language():
    from indexer.direction import Directions

    directions = Directions({
        "tts": ["Text to speech", "da testo a voce", "chuyển văn bản thành giọng nói"],
        "stt": ["Speech to text", "da voce a testo", "chuyển giọng nói thành văn bản"],
        "seq": ["Sequence to Sequence"],  # no reverse entity: never named by word order
        "gt": ["Ground Truth"],
    })
    assert directions.named("which service turns speech audio into text?") == ["stt"]
    assert directions.named("quale servizio converte il testo in voce?") == ["tts"]
    assert directions.named("biến văn bản thành giọng nói cho sách nói") == ["tts"]
    # Questions put the ends in the names' order with their own words in between, in every language.
    assert directions.named("dịch vụ nào chuyển giọng nói thành văn bản?") == ["stt"]
    assert directions.named("servizio che converte la voce registrata in testo") == ["stt"]
    assert directions.named("turn my text into spoken speech") == ["tts"]
    assert directions.named("text to speech vs speech to text") == []  # both orders: no direction
    assert directions.named("a sequence to sequence model") == []
    assert directions.named("speech") == []



# ---- fusion ----------------------------------------------------------------------
def test_a_filtered_list_is_ranked_among_the_passages_the_filter_allows():
    from indexer.fusion import fuse, within

    lexical = [(9, 5.0), (8, 4.0), (1, 3.0), (7, 2.0), (2, 1.0)]  # 1 and 2 are the learner's
    assert within(lexical, None) == lexical
    mine = within(lexical, frozenset({1, 2}))
    assert mine == [(1, 3.0), (2, 1.0)]
    # Ranked 3rd and 5th in the index but 1st and 2nd among the learner's passages: the fusion sees those ranks.
    assert fuse(([r for r, _ in mine], 1.0)) == fuse(([1, 2], 1.0))


def test_score_fusion_keeps_how_far_ahead_the_best_passage_is():
    from indexer.fusion import RRF_K, SCORE_SHARE, add_scores

    far, close = {}, {}
    add_scores(far, [(1, 0.95), (2, 0.50), (3, 0.49)], 1.0)  # dense is sure of passage 1
    add_scores(close, [(1, 0.51), (2, 0.50), (3, 0.49)], 1.0)  # dense hardly tells them apart
    assert far[1] == close[1] == pytest.approx(SCORE_SHARE / (RRF_K + 1)) and far[3] == close[3] == 0.0
    assert far[1] - far[2] > close[1] - close[2]
    # With BM25 preferring passage 2, a sure dense keeps passage 1 first and an unsure one lets 2 pass.
    add_scores(far, [(2, 9.0), (1, 2.0), (3, 1.0)], 1.0)
    add_scores(close, [(2, 9.0), (1, 2.0), (3, 1.0)], 1.0)
    assert far[1] > far[2] and close[2] > close[1]
    empty: dict[int, float] = {}
    add_scores(empty, [], 1.0)
    assert empty == {}


def test_restricted_to_my_notes_every_hit_is_mine_and_found_by_meaning(index_with_my_notes):
    mine = SearchFilters(sources=("mine",))
    for mode in ("hybrid", "dense", "bm25"):
        hits = index_with_my_notes.search("how many records per second can one shard take?", 5, filters=mine, mode=mode).hits
        assert hits and {h.kind for h in hits} == {"user"}, mode
    # Dense ranks every passage the filter allows, however far down the index they sit.
    far = index_with_my_notes.search("which service converts text to speech?", 5, filters=mine, mode="dense").hits
    assert [h.source for h in far] == ["mine/kinesis-recap.md"]


@pytest.mark.parametrize("question, compared", [
    ("What is the difference between Amazon Polly and Amazon Transcribe?", {"Amazon Polly", "Amazon Transcribe"}),
    ("khác nhau giữa Amazon Polly và Amazon Transcribe là gì?", {"Amazon Polly", "Amazon Transcribe"}),
])
def test_a_comparison_ranks_the_two_things_it_compares_first(index, question, compared):
    """Named entities are usually the context of a question; in "X vs Y" they are the answer."""
    assert {e.label for e in index.search(question).entities[:2]} == compared


def test_the_result_says_which_language_the_passages_were_preferred_in(index):
    """The app answers the concept card in this language, so the card and the passages never disagree."""
    assert index.search("dịch vụ nào chuyển văn bản thành giọng nói?").language == "vi"
    assert index.search("quale servizio trasforma il testo in voce?").language == "it"
    assert index.search("quale servizio trasforma il testo in voce?", lang="en").language == "en"
