"""How each relation reads in a sentence, from either end, in the study languages.

An edge ``A skg:supports B`` is shown on A's page and on B's page. Printing the
predicate's label on both ("A supports …", "… supports B") makes the learner work out
the direction, and two lists headed "supports" look like a duplicate. Each relation
therefore has one phrase per direction: "out" reads from the subject ("Kinesis Data
Analytics supports …"), "in" reads from the object ("Random Cut Forest is supported by …").
Symmetric relations read the same from both ends. The phrases are defined once here, for
every relation property of the ontology (a test keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib.namespace import SKOS

from .entities import local_name
from .records import EntityRef, PathStep
from .vocab import SKG

__all__ = ["PHRASES", "explain_path", "relation_phrase", "together_phrase"]


# predicate IRI -> language -> (read from the subject, read from the object)
PHRASES: dict[str, dict[str, tuple[str, str]]] = {
    str(SKG.partOf): {
        "en": ("is part of", "includes"),
        "vi": ("là một phần của", "bao gồm"),
        "it": ("fa parte di", "comprende"),
    },
    str(SKG.usedFor): {
        "en": ("is used for", "can be done with"),
        "vi": ("được dùng cho", "có thể thực hiện bằng"),
        "it": ("si usa per", "si può fare con"),
    },
    str(SKG.supports): {
        "en": ("supports", "is supported by"),
        "vi": ("hỗ trợ", "được hỗ trợ bởi"),
        "it": ("supporta", "è supportato da"),
    },
    str(SKG.integratesWith): {
        "en": ("works together with", "works together with"),
        "vi": ("kết hợp với", "kết hợp với"),
        "it": ("si integra con", "si integra con"),
    },
    str(SKG.readsFrom): {
        "en": ("reads data from", "feeds data to"),
        "vi": ("đọc dữ liệu từ", "cung cấp dữ liệu cho"),
        "it": ("legge i dati da", "fornisce i dati a"),
    },
    str(SKG.deliversTo): {
        "en": ("delivers data to", "receives data from"),
        "vi": ("gửi dữ liệu đến", "nhận dữ liệu từ"),
        "it": ("invia i dati a", "riceve i dati da"),
    },
    str(SKG.comparedWith): {
        "en": ("is often compared with", "is often compared with"),
        "vi": ("thường được so sánh với", "thường được so sánh với"),
        "it": ("si confronta spesso con", "si confronta spesso con"),
    },
    str(SKG.alternativeTo): {
        "en": ("is an alternative to", "is an alternative to"),
        "vi": ("có thể thay thế cho", "có thể thay thế cho"),
        "it": ("è un'alternativa a", "è un'alternativa a"),
    },
    str(SKG.inDomain): {
        "en": ("is tested in", "tests"),
        "vi": ("được kiểm tra trong", "kiểm tra"),
        "it": ("è valutato nel dominio", "valuta"),
    },
    str(SKG.coversTask): {
        "en": ("helps with the task", "is practised with"),
        "vi": ("giúp ôn nhiệm vụ", "được ôn qua"),
        "it": ("serve per il compito", "si prepara con"),
    },
    str(SKG.remedyFor): {
        "en": ("is a remedy for", "is reduced by"),
        "vi": ("là cách khắc phục", "được khắc phục bằng"),
        "it": ("è un rimedio per", "si riduce con"),
    },
    str(SKG.accepts): {
        "en": ("accepts input as", "is an input format for"),
        "vi": ("nhận dữ liệu đầu vào dạng", "là định dạng đầu vào của"),
        "it": ("accetta in ingresso", "è un formato di ingresso per"),
    },
    # An MLA-C01 task statement carries on an MLS-C01 one (kg.exams reads the same link).
    str(SKG.continues): {
        "en": ("takes over from", "is taken over by"),
        "vi": ("kế thừa", "được kế thừa bởi"),
        "it": ("riprende", "è ripreso da"),
    },
    str(SKG.measures): {
        "en": ("is used to evaluate", "is evaluated with"),
        "vi": ("được dùng để đánh giá", "được đánh giá bằng"),
        "it": ("serve a valutare", "si valuta con"),
    },
    str(SKOS.broader): {
        "en": ("is a kind of", "has kinds such as"),
        "vi": ("là một loại", "có các loại như"),
        "it": ("è un tipo di", "comprende tipi come"),
    },
    str(SKOS.narrower): {
        "en": ("has kinds such as", "is a kind of"),
        "vi": ("có các loại như", "là một loại"),
        "it": ("comprende tipi come", "è un tipo di"),
    },
    str(SKOS.related): {
        "en": ("is related to", "is related to"),
        "vi": ("liên quan đến", "liên quan đến"),
        "it": ("è collegato a", "è collegato a"),
    },
}

_TOGETHER = {
    "en": ("discussed together in one passage", "discussed together in {n} passages"),
    "vi": ("được nhắc cùng nhau trong một đoạn", "được nhắc cùng nhau trong {n} đoạn"),
    "it": ("trattati insieme in un passaggio", "trattati insieme in {n} passaggi"),
}


def relation_phrase(predicate: str, direction: str, lang: str = "en", fallback: str = "") -> str:
    """The words between two entities: "is supported by" for ``supports`` read from its object.

    An unknown language falls back to English; an unknown predicate to ``fallback``
    (its label), so a graph with extra properties still reads.
    """
    phrases = PHRASES.get(predicate)
    if phrases is None:
        return fallback or local_name(predicate)
    out, in_ = phrases.get(lang) or phrases["en"]
    return out if direction == "out" else in_


def explain_path(nodes: Sequence[EntityRef], steps: Sequence[PathStep], lang: str = "en") -> list[str]:
    """One short sentence per step of a path: "Amazon Kinesis Data Firehose delivers data to Amazon S3"."""
    return [
        f"{before.label} {relation_phrase(step.predicate, step.direction, lang, step.label)} {after.label}"
        for before, step, after in zip(nodes, steps, nodes[1:])
    ]


def together_phrase(count: int, lang: str = "en") -> str:
    """"discussed together in 14 passages": what a co-mention count means to a learner."""
    one, many = _TOGETHER.get(lang) or _TOGETHER["en"]
    return one if count == 1 else many.format(n=count)
