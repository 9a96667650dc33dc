"""Flashcard faces drawn from graph facts: "what is X?" and "what is X used for?", in each study language.

A face is plain text plus the entities it is about; the learner database stores it with its
review schedule, so a card keeps working even if the graph later changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from kg.vocab import SKG

from .quiz_text import lower_first, template, upper_first

__all__ = ["CardFace", "entity_cards", "question_card"]

# Facts a "used for" card lists, in the order the back reads them.
_USE_PREDICATES = (SKG.usedFor, SKG.measures, SKG.remedyFor)


@dataclass(frozen=True)
class CardFace:
    """What a card shows; `key` identifies it, so adding the same card twice keeps one."""

    key: str
    kind: str  # "definition" | "uses" | "question" | "passage" | "note"
    lang: str
    front: str
    back: str
    entities: tuple[str, ...] = ()  # IRIs the card is about (readiness maps them to exam tasks)
    source: str = ""  # chunk id for a passage card, else ""


def _label(entity, lang: str) -> str:
    return next((text for code, text in entity.labels if code == lang), entity.label)


def _definition(entity, lang: str) -> str:
    return next((text for code, text in entity.definitions if code == lang), entity.definition)


def entity_cards(kg, name: str, lang: str = "en") -> tuple[CardFace, ...]:
    """The cards an entity yields: its definition, and what it is used for when the graph says."""
    entity = kg.resolve(name)
    label = _label(entity, lang)
    cards = []
    definition = _definition(entity, lang)
    if definition:
        cards.append(CardFace(f"definition/{entity.name}/{lang}", "definition", lang,
                              template(lang, "card.definition").format(label=label), definition, (entity.iri,)))
    uses = []
    for predicate in _USE_PREDICATES:
        for target in sorted(str(o) for o in kg.graph.objects(URIRef(entity.iri), predicate)):
            if target in kg.entities:
                uses.append(lower_first(_label(kg.entities[target], lang)))
    if uses:
        back = upper_first(", ".join(dict.fromkeys(uses))) + "."
        cards.append(CardFace(f"uses/{entity.name}/{lang}", "uses", lang,
                              template(lang, "card.uses").format(label=label), back, (entity.iri,)))
    return tuple(cards)



def question_card(question) -> CardFace:
    """The card a quiz answer puts in the deck: the question itself, keyed by its language-free id.

    The same question asked in Italian after English grades the same card, so the deck holds
    one card per fact, and a card made from a question later found wrong is removed by its
    key (``question/<id>``). `question` is a `study.quiz.Question`.
    """
    options = "\n".join(f"{n}) {choice.label}" for n, choice in enumerate(question.choices, 1))
    right = ", ".join(question.right_labels)
    return CardFace(f"question/{question.id}", "question", question.lang, f"{question.prompt}\n\n{options}",
                    f"{right}. {question.explanation}", tuple(question.entities))
