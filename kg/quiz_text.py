"""The wording of practice questions in each study language: a few templates, no per-question text.

Every blank is filled from the graph (labels, definitions and skos:hiddenLabel keywords in
the learner's language), so a new entity or a new fact yields new questions in all three
languages without anyone writing them.
"""

from __future__ import annotations

__all__ = ["QUIZ_LANGUAGES", "TEMPLATES", "lower_first", "template", "upper_first"]

QUIZ_LANGUAGES = ("en", "vi", "it")

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "service": "A team has this need: {definition} A typical case: “{keyword}”. Which {type_word} fits best?",
        "metric": "{topic}: {definition} Which of these is used to judge a model for this task?",
        "remedy": "{topic}: {definition} A sign of it: “{keyword}”. Which of these reduces the problem?",
        "versus": "{a} and {b} are often compared. Which one is used for {topic}?",
        "type.Service": "AWS service",
        "type.Algorithm": "SageMaker built-in algorithm",
        "type.Concept": "technique",
        "why.usedFor": "{answer} is used for {topic}.",
        "why.measures": "{answer} is used to judge models for {topic}.",
        "why.remedyFor": "{answer} is a remedy for {topic}.",
        "card.definition": "What is {label}?",
        "card.uses": "What is {label} used for?",
    },
    "vi": {
        "service": "Một nhóm có nhu cầu sau: {definition} Trường hợp điển hình: “{keyword}”. {type_word} nào phù hợp nhất?",
        "metric": "{topic}: {definition} Cái nào dưới đây dùng để đánh giá mô hình cho tác vụ này?",
        "remedy": "{topic}: {definition} Dấu hiệu: “{keyword}”. Cách nào dưới đây giúp giảm vấn đề này?",
        "versus": "{a} và {b} thường được so sánh với nhau. Cái nào được dùng cho {topic}?",
        "type.Service": "Dịch vụ AWS",
        "type.Algorithm": "Thuật toán tích hợp của SageMaker",
        "type.Concept": "Kỹ thuật",
        "why.usedFor": "{answer} được dùng cho {topic}.",
        "why.measures": "{answer} dùng để đánh giá mô hình cho {topic}.",
        "why.remedyFor": "{answer} là cách khắc phục {topic}.",
        "card.definition": "{label} là gì?",
        "card.uses": "{label} được dùng để làm gì?",
    },
    "it": {
        "service": "Un team ha questa esigenza: {definition} Un caso tipico: “{keyword}”. Quale {type_word} è più adatto?",
        "metric": "{topic}: {definition} Quale di questi si usa per valutare un modello per questo compito?",
        "remedy": "{topic}: {definition} Un segnale: “{keyword}”. Quale di questi riduce il problema?",
        "versus": "{a} e {b} vengono spesso confrontati. Quale dei due si usa per {topic}?",
        "type.Service": "servizio AWS",
        "type.Algorithm": "algoritmo integrato di SageMaker",
        "type.Concept": "tecnica",
        "why.usedFor": "{answer} si usa per {topic}.",
        "why.measures": "{answer} si usa per valutare i modelli per {topic}.",
        "why.remedyFor": "{answer} è un rimedio per {topic}.",
        "card.definition": "Che cos'è {label}?",
        "card.uses": "A che cosa serve {label}?",
    },
}


def template(lang: str, key: str) -> str:
    """The template `key` in `lang`, falling back to English for a language we do not ship."""
    return TEMPLATES.get(lang, TEMPLATES["en"]).get(key) or TEMPLATES["en"][key]


def lower_first(label: str) -> str:
    """"Text to speech" -> "text to speech" inside a sentence; acronyms ("AUC-ROC", "ETL") stay."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def upper_first(sentence: str) -> str:
    """Start a sentence with a capital even when it opens with a lower-case label ("ma trận…")."""
    return sentence[:1].upper() + sentence[1:]
