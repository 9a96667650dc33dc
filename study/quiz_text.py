"""The wording of practice questions in each study language: a few templates, no per-question text.

Every blank is filled from the graph (labels and definitions in the learner's language), so a
new sourced fact yields new questions in all three languages without anyone writing them.
A stem reads like an exam item: a team's requirement (the topic and what it means) and the
constraint that decides between close options (the tool built for exactly this need).

Italian needs articles that agree with the noun ("il riaddestramento", "la deriva", "lo
SMOTE", "l'overfitting"); `it_article` infers them from the first word of the label. Service
and algorithm names are proper names and take no article.
"""

from __future__ import annotations

import re

__all__ = ["TEMPLATES", "it_article", "lower_first", "template", "upper_first"]


TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "service": "A team's requirement is {topic} ({definition}). They want the {type_word} whose main purpose is exactly this, "
                   "rather than a general-purpose tool they would have to build it on. Which one should they choose?",
        "metric": "A team is evaluating a model for {topic} ({definition}). Which of these is used to evaluate a model for this task?",
        "remedy": "A team finds {topic} in its model ({definition}). Which of these is a remedy for this problem?",
        "versus": "A team must choose between {a} and {b}. Its requirement is {topic} ({definition}). Which of the two is built for this?",
        "type.Service": "AWS service",
        "type.Algorithm": "SageMaker built-in algorithm",
        "type.Concept": "technique",
        "why.usedFor": "{answer} is used for {topic}.",
        "why.measures": "{answer} is used to judge models for {topic}.",
        "why.remedyFor": "{answer} is a remedy for {topic}.",
        "why_not.usedFor": "{choice} is used for {purpose}, a different need.",
        "why_not.measures": "{choice} judges models for {purpose}, not for this task.",
        "why_not.remedyFor": "{choice} is a remedy for {purpose}, not for {topic}.",
        "card.definition": "What is {label}?",
        "card.uses": "What is {label} used for?",
    },
    "vi": {
        "service": "Yêu cầu của một nhóm là {topic} ({definition}). Nhóm muốn chọn {type_word} có mục đích chính đúng là việc này, "
                   "thay vì một công cụ đa năng phải tự xây dựng thêm. Nhóm nên chọn phương án nào?",
        "metric": "Một nhóm đang đánh giá mô hình cho {topic} ({definition}). Phương án nào dưới đây được dùng để đánh giá mô hình cho tác vụ này?",
        "remedy": "Một nhóm phát hiện mô hình của mình gặp vấn đề {topic} ({definition}). Biện pháp nào dưới đây khắc phục vấn đề này?",
        "versus": "Một nhóm phải chọn giữa {a} và {b}. Yêu cầu của nhóm là {topic} ({definition}). Phương án nào được thiết kế cho việc này?",
        "type.Service": "dịch vụ AWS",
        "type.Algorithm": "thuật toán tích hợp của SageMaker",
        "type.Concept": "kỹ thuật",
        "why.usedFor": "{answer} được dùng cho {topic}.",
        "why.measures": "{answer} dùng để đánh giá mô hình cho {topic}.",
        "why.remedyFor": "{answer} là cách khắc phục {topic}.",
        "why_not.usedFor": "{choice} được dùng cho {purpose}, một nhu cầu khác.",
        "why_not.measures": "{choice} dùng để đánh giá mô hình cho {purpose}, không phải tác vụ này.",
        "why_not.remedyFor": "{choice} là cách khắc phục {purpose}, không phải {topic}.",
        "card.definition": "{label} là gì?",
        "card.uses": "{label} được dùng để làm gì?",
    },
    "it": {
        # {topic} already carries its article here ("la deriva concettuale"); see it_article.
        "service": "Un team ha come requisito {topic} ({definition}). Cerca {type_word} proprio per questo scopo, "
                   "invece di uno strumento generico su cui costruirlo. Quale deve scegliere?",
        "metric": "Un team valuta un modello per {topic} ({definition}). Quale di questi si usa per valutare un modello in questo compito?",
        "remedy": "Un team riscontra {topic} nel proprio modello ({definition}). Quale di questi è un rimedio per questo problema?",
        "versus": "Un team deve scegliere tra {a} e {b}. Il requisito è {topic} ({definition}). Quale dei due è pensato per questo?",
        "type.Service": "il servizio AWS pensato",
        "type.Algorithm": "l'algoritmo integrato di SageMaker pensato",
        "type.Concept": "la tecnica pensata",
        "why.usedFor": "{answer} si usa per {topic}.",
        "why.measures": "{answer} si usa per valutare i modelli per {topic}.",
        "why.remedyFor": "{answer} è un rimedio per {topic}.",
        "why_not.usedFor": "{choice} si usa per {purpose}, un'esigenza diversa.",
        "why_not.measures": "{choice} valuta i modelli per {purpose}, non per questo compito.",
        "why_not.remedyFor": "{choice} è un rimedio per {purpose}, non per {topic}.",
        "card.definition": "Che cos'è {label}?",
        "card.uses": "A che cosa serve {label}?",
    },
}


def template(lang: str, key: str) -> str:
    """The template `key` in `lang`, falling back to English for a language we do not ship."""
    return TEMPLATES.get(lang, TEMPLATES["en"]).get(key) or TEMPLATES["en"][key]


def lower_first(label: str) -> str:
    """"Text to speech" -> "text to speech" inside a sentence; acronyms ("AUC-ROC", "ETL") stay."""
    if len(label) > 1 and label[0].isupper() and (label[1].islower() or label[1] == " "):  # "A supervised task" too
        return label[0].lower() + label[1:]
    return label


def upper_first(sentence: str) -> str:
    """Start a sentence with a capital even when it opens with a lower-case label ("ma trận…")."""
    return sentence[:1].upper() + sentence[1:]


def as_clause(definition: str) -> str:
    """A definition read inside parentheses: no final full stop, a lower-case start unless an acronym."""
    return lower_first(definition.strip().rstrip("."))


# ---- Italian articles ------------------------------------------------------------
# Nouns in -a that are masculine, and nouns in -e/-o whose gender the ending does not show.
_IT_MASCULINE = {"problema", "sistema", "schema", "programma", "tema", "diagramma", "dilemma", "clima", "modello", "data", "campione", "milione"}
_IT_FEMININE = {"classe", "rete", "fonte", "chiave", "parte", "pipeline", "feature", "serie", "analisi", "sintesi",
                "ipotesi", "diagnosi", "base", "mano", "immagine", "voce", "matrice", "curva", "tangente"}
_IMPURE_S = re.compile(r"^(s[^aeiouàèéìòù]|z|gn|ps|pn|x|y)", re.I)
_VOWEL = re.compile(r"^[aeiouàèéìòùh]", re.I)


def _italian_gender(word: str) -> tuple[str, bool]:
    """("m" or "f", plural?) of an Italian noun, from a few lists and its ending; English loans are masculine."""
    low = word.lower()
    if low in _IT_MASCULINE:
        return "m", False
    if re.search(r"ioni$", low):
        return "f", True
    if low in _IT_FEMININE or re.search(r"(ione|tà|tù|ice|ie)$", low):
        return "f", False
    if word.isupper() or not low.isalpha():
        return "m", False  # acronyms: "lo SMOTE", "l'AUC"
    if low.endswith("a"):
        return "f", False
    if low.endswith("i") and len(low) > 3:
        return "m", True
    return "m", False


def it_article(label: str) -> str:
    """The label with its Italian definite article: "la deriva concettuale", "lo SMOTE", "l'overfitting", "i pesi delle classi"."""
    first = label.split()[0] if label.split() else label
    gender, plural = _italian_gender(first)
    # An acronym read letter by letter whose first letter's name starts with a vowel sound ("emme", "effe"): l'MLOps.
    spelled = len(first) > 1 and first[:2].isupper() and first[0] in "FLMNRHX"
    starts_vowel = bool(_VOWEL.match(first)) or spelled
    if gender == "f":
        article = "le " if plural else ("l'" if starts_vowel else "la ")
    elif plural:
        article = "gli " if starts_vowel or _IMPURE_S.match(first) else "i "
    elif starts_vowel:
        article = "l'"
    elif _IMPURE_S.match(first):
        article = "lo "
    else:
        article = "il "
    return article + label
