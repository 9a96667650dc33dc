"""The curated graph holds the exam ground: counts by type, labels in three languages, the checklist's names."""

from collections import Counter
from pathlib import Path

import pytest

from kg import KnowledgeGraph

REPO = Path(__file__).resolve().parent.parent

# Names from ../shared/domain-checklist.md, as a learner writes them; each must resolve to an entity.
CHECKLIST_NAMES = [
    "Polly", "Lex", "Rekognition", "Transcribe", "Translate", "Comprehend", "Comprehend Medical", "Textract", "Forecast",
    "Personalize", "Kendra", "Augmented AI", "Fraud Detector", "DeepLens", "DeepRacer", "SageMaker", "SageMaker Studio",
    "Ground Truth", "batch transform", "SageMaker Neo", "Elastic Inference", "inference pipelines", "Model Monitor",
    "SageMaker Debugger", "SageMaker Clarify", "Autopilot", "Feature Store", "SageMaker Pipelines", "automatic model tuning",
    "BlazingText", "DeepAR", "Factorization Machines", "Image Classification", "IP Insights", "K-Means", "k-NN", "LDA",
    "Linear Learner", "Neural Topic Model", "Object2Vec", "Object Detection", "PCA", "Random Cut Forest",
    "Semantic Segmentation", "Sequence-to-Sequence", "XGBoost", "Kinesis Data Streams", "Kinesis Data Firehose",
    "Kinesis Data Analytics", "Managed Service for Apache Flink", "Kinesis Video Streams", "MSK", "IoT Greengrass",
    "Snowball", "Direct Connect", "DataSync", "DMS", "Data Pipeline", "Glue", "Glue DataBrew", "EMR", "Lambda", "Batch",
    "Step Functions", "Athena", "Redshift", "Redshift Spectrum", "S3", "Lake Formation", "DynamoDB", "RDS", "Aurora",
    "OpenSearch Service", "Elasticsearch Service", "QuickSight", "CloudWatch", "CloudTrail", "IAM", "KMS", "VPC",
    "Parquet", "ORC", "RecordIO-protobuf", "Pipe mode", "File mode", "FastFile mode", "SMOTE", "one-hot encoding",
    "TF-IDF", "n-grams", "bag of words", "histogram", "box plot", "scatter plot", "Poisson distribution",
    "binomial distribution", "Pearson correlation", "residual plot", "naive Bayes", "overfitting", "underfitting",
    "dropout", "L1 regularization", "early stopping", "k-fold cross-validation", "leave-one-out", "learning rate",
    "batch size", "confusion matrix", "precision", "recall", "specificity", "F1 score", "AUC-ROC", "RMSE", "R squared",
    "blue/green deployment", "canary deployment", "A/B testing", "concept drift", "data drift", "ReLU", "softmax",
    "LSTM", "transfer learning", "Bayesian optimization", "grid search", "random search", "spot training",
]


@pytest.fixture(scope="module")
def graph():
    return KnowledgeGraph.load_curated(REPO / "corpus" / "graph")


def test_counts_by_type_meet_the_exam_ground(graph):
    counts = Counter(e.type for e in graph.entities.values())
    assert counts["Service"] >= 60
    assert counts["Algorithm"] >= 17
    assert counts["Concept"] >= 100
    # Two exam profiles: MLS-C01 (4 domains, 15 task statements) and MLA-C01 (4 domains, 12).
    assert counts["ExamDomain"] == 8
    assert counts["TaskStatement"] == 27


@pytest.mark.parametrize("exam, weights", [("MLS_C01", [20, 20, 24, 36]), ("MLA_C01", [22, 24, 26, 28])])
def test_domains_carry_their_weights(graph, exam, weights):
    rows = graph.sparql(
        "PREFIX skg: <https://w3id.org/studykg/ontology#> PREFIX kg: <https://w3id.org/studykg/kg#> "
        f"SELECT ?d ?w WHERE {{ ?d a skg:ExamDomain ; skg:weight ?w ; skg:inExam kg:{exam} }}"
    )
    assert sorted(int(r["w"]) for r in rows) == weights


@pytest.mark.parametrize("name", CHECKLIST_NAMES)
def test_checklist_names_resolve(graph, name):
    assert graph.entity(name).label


def test_concepts_have_labels_and_definitions_in_three_languages(graph):
    for entity in graph.entities.values():
        if entity.type in ("Concept", "ExamDomain", "TaskStatement"):
            assert {lang for lang, _ in entity.labels} >= {"en", "vi", "it"}, entity.name
            assert {lang for lang, _ in entity.definitions} >= {"en", "vi", "it"}, entity.name


def test_every_entity_has_search_keywords_in_three_languages(graph):
    """skos:hiddenLabel: how learners word what they look for, matched but never shown."""
    for entity in graph.entities.values():
        assert {lang for lang, _ in entity.keywords} >= {"en", "vi", "it"}, entity.name


# Hidden labels longer than four words must be real names (an official AWS product, feature or
# task-statement name); a long keyword is usually a copied question, which ranks for that one
# question only. Vietnamese counts each syllable: "phát hiện bất thường" is four words.
LONG_REAL_NAMES: frozenset[str] = frozenset()


def test_no_search_keyword_is_longer_than_four_words_unless_it_is_a_real_name(graph):
    too_long = sorted(
        f"{entity.name}: {word!r}@{lang}"
        for entity in graph.entities.values()
        for lang, word in entity.keywords
        if len(word.split()) > 4 and word not in LONG_REAL_NAMES
    )
    assert not too_long, too_long


def test_services_and_algorithms_are_defined_in_three_languages(graph):
    """Product names stay English, but a Vietnamese or Italian question words what the product does."""
    for entity in graph.entities.values():
        if entity.type in ("Service", "Algorithm"):
            assert {lang for lang, _ in entity.definitions} >= {"en", "vi", "it"}, entity.name


def test_renamed_services_resolve_by_their_former_names(graph):
    assert graph.entity("Amazon Elasticsearch Service").name == "OpenSearchService"
    assert graph.entity("Amazon Managed Service for Apache Flink").name == "KinesisDataAnalytics"


@pytest.mark.parametrize(
    "learner_text, entity",
    [
        ("phát hiện bất thường", "AnomalyDetection"),
        ("rilevamento delle anomalie", "AnomalyDetection"),
        ("chuyển văn bản thành giọng nói", "TextToSpeech"),
        ("sintesi vocale", "TextToSpeech"),
        ("RCF", "RandomCutForest"),
        ("KDA", "KinesisDataAnalytics"),
        ("NTM", "NTM"),
    ],
)
def test_what_learners_type_resolves(graph, learner_text, entity):
    assert graph.entity(learner_text).name == entity
