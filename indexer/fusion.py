"""Passage fusion: ranked lists of retrievers whose scores are not comparable combined into one score per passage.

Reciprocal rank fusion adds ``weight / (RRF_K + rank)`` per list; a document's other good
passages add a share of their score; the learner's own passages, and passages in the
question's language, are then lifted by a share of theirs. Kept apart from the searcher so
each step can be tested on plain numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

RRF_K = 60
# Dense and BM25 add their own scores, min-max scaled within their list, so that a retriever's best
# passage counts SCORE_SHARE / (RRF_K + 1) and its last nothing. Ranks alone hide how far ahead the
# best passage is: restricted to a learner's notes, the fusion of ranks lost to BM25 and to dense
# alone (bench/learner_notes_bench.py --source mine: MRR@10 0.83 against 0.87 and 0.88); with scores
# it leads (0.89), and on the API reference bench its Italian questions, whose BM25 list is
# noise, rise from 0.49 to 0.69. The graph's lists (entities mentioned, the concept's passages)
# and runs of words have no comparable score and keep reciprocal ranks.
SCORE_SHARE = 1.5
# A passage in the question's language (or the one the learner prefers) counts this much more:
# enough to order passages that are about as good, not to lift a poor one.
LANGUAGE_PREFERENCE = 0.05
# A passage from the folders the learner added counts this much more than a shipped one: of two
# passages about as relevant the learner's own words come first, and a shipped passage must be
# clearly better to pass it. Fused scores of the top candidates lie close together, so smaller
# shares left the learner's file behind shipped notes on the same topic (bench/learner_notes_bench.py,
# asked normally: MRR@10 0.42 with none, 0.60 with 0.3, 0.67-0.69 with 0.5 under rank fusion; with
# score fusion, whose scores spread wider, 0.74 with 0.75 and 0.76 with 1.0). Without added folders
# nothing changes.
OWN_NOTES_PREFERENCE = 1.0
# A document with several passages that match is more likely the answer than one with a single
# lucky passage: each passage also gets this share of what its document's next best passages score
# above the background.
DOCUMENT_SHARE = 0.3
DOCUMENT_DEPTH = 3
# The background is the score of the passage at this rank: only passages among the best few count
# as a document's evidence. Counting down to the 50th candidate lifted long documents in the
# question's language, whose every passage matches a little, over the one passage that answers
# (a learner's English write-up asked in Vietnamese lost to a shipped Vietnamese note).
DOCUMENT_BACKGROUND = 10


def within(ranked: Sequence[tuple[int, float]], allowed: Collection[int] | None) -> list[tuple[int, float]]:
    """A retriever's list restricted to the passages a filter allows, so that ranks count among those alone.

    Fusing ranks taken in the whole index and filtering afterwards weighs each retriever by how
    the rest of the index happens to crowd it: restricted to a learner's notes, a passage BM25
    puts first among them may sit 40th in the index while dense has its rival 3rd, and the
    fusion then lost to BM25 alone (bench/learner_notes_bench.py, --source mine).
    """
    if allowed is None:
        return list(ranked)
    return [(rowid, score) for rowid, score in ranked if rowid in allowed]


def fuse(*weighted_lists: tuple[Sequence[int], float]) -> dict[int, float]:
    """Weighted reciprocal rank fusion of ranked row-id lists."""
    fused: dict[int, float] = defaultdict(float)
    for ranked, weight in weighted_lists:
        add_ranks(fused, ranked, weight)
    return fused


def add_ranks(fused: dict[int, float], ranked: Sequence[int], weight: float) -> None:
    """Add one more ranked list to a fusion."""
    for rank, rowid in enumerate(ranked, 1):
        fused[rowid] = fused.get(rowid, 0.0) + weight / (RRF_K + rank)


def add_scores(fused: dict[int, float], scored: Sequence[tuple[int, float]], weight: float) -> None:
    """Add a retriever's scores, scaled to [0, 1] within its list (best first), worth a rank-1 share at most."""
    if not scored:
        return
    values = [score for _, score in scored]
    low, span = min(values), (max(values) - min(values)) or 1.0
    top = weight * SCORE_SHARE / (RRF_K + 1)
    for rowid, score in scored:
        fused[rowid] = fused.get(rowid, 0.0) + top * (score - low) / span


def add_document_evidence(fused: dict[int, float], documents: dict[int, str]) -> None:
    """Add to each passage a share of what its document's best other passages score above the background.

    The background is the score of the DOCUMENT_BACKGROUND-th passage: reciprocal rank scores fall
    slowly, so counting them whole would favour a document for having many passages anywhere in the lists.
    """
    ordered = sorted(fused.values(), reverse=True)
    background = ordered[min(DOCUMENT_BACKGROUND, len(ordered)) - 1] if ordered else 0.0
    lift = {rowid: score - background for rowid, score in fused.items() if score > background}
    document = {rowid: documents.get(rowid, rowid) for rowid in lift}  # a passage without a document stands alone
    by_document: dict[str | int, list[float]] = defaultdict(list)
    for rowid, value in lift.items():
        by_document[document[rowid]].append(value)
    best = {doc: sorted(values, reverse=True)[:DOCUMENT_DEPTH] for doc, values in by_document.items()}
    for rowid, value in lift.items():
        top = best[document[rowid]]
        others = sum(top) - max(value, top[-1])  # a passage among its document's best is not its own evidence
        fused[rowid] += DOCUMENT_SHARE * others


def prefer(fused: dict[int, float], languages: dict[int, str], own_rows: frozenset[int], preferred: str | None) -> None:
    """Lift the learner's own passages, and passages in the preferred language, by a share of their score.

    A learner's passage counts as in the preferred language whatever its language: they wrote it
    in the words they think in, so a shipped note that merely shares the question's language
    never overtakes it for that reason alone.
    """
    for rowid in fused:
        own = rowid in own_rows
        lift = 1.0 + (OWN_NOTES_PREFERENCE if own else 0.0)
        if preferred and (own or languages.get(rowid) == preferred):
            lift += LANGUAGE_PREFERENCE
        fused[rowid] *= lift
