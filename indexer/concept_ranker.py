"""The concept ranking's combination of evidence: a small log-linear model fitted on learner questions.

For each candidate entity the search measures seven kinds of evidence (``EVIDENCE``): the
question names it, or a task it does; its names and definitions share the question's words,
or a task's it does; it neighbours a named entity in the graph; its embedding is close to
the question's; the top passages mention it. A few signals (``SIGNALS``) say what kind of answer is wanted:
the question asks for a service or an algorithm, the entity is the exam's own structure, the
entity is named in the question (often the context, not the answer).

The score of an entity is ``scale * log(evidence . shares) + signals . weights``, and the
ranking is its softmax over the candidates, so a concept's score reads as the model's
confidence and the gap between the first two as its margin. The shares, the scale and the
weights were hand-set constants once; they are now fitted by ``bench/train_concept_ranker.py``
(maximum likelihood of the gold concept, L2 on the weights) and stored in
``concept_ranker.json`` with the files they were fitted on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

EVIDENCE = ("named", "does_named_task", "worded", "does_worded_task", "neighbours", "similarity", "passages")
SIGNALS = ("similarity_gap", "wanted_type", "unwanted_type", "exam_structure", "named_in_question", "service", "algorithm")
MODEL_FILE = Path(__file__).with_name("concept_ranker.json")
_FLOOR = 1e-3  # keeps log(evidence) finite for an entity with a signal but no evidence


@dataclass(frozen=True)
class ConceptTable:
    """Candidate entities of one question, with one row of evidence and signals each."""

    iris: tuple[str, ...]
    evidence: np.ndarray  # len(iris) x len(EVIDENCE), each >= 0
    signals: np.ndarray  # len(iris) x len(SIGNALS)


@dataclass(frozen=True)
class ConceptModel:
    """The fitted combination; ``rank`` orders a table's entities."""

    shares: np.ndarray  # one per EVIDENCE, > 0
    scale: float
    weights: np.ndarray  # one per SIGNALS

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> ConceptModel:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            shares=np.array([data["shares"][name] for name in EVIDENCE], dtype=np.float64),
            scale=float(data["scale"]),
            weights=np.array([data["weights"][name] for name in SIGNALS], dtype=np.float64),
        )

    def logits(self, table: ConceptTable) -> np.ndarray:
        return self.scale * np.log(table.evidence @ self.shares + _FLOOR) + table.signals @ self.weights

    def rank(self, table: ConceptTable) -> list[tuple[str, float]]:
        """(IRI, probability) from the most to the least likely answer."""
        if not table.iris:
            return []
        logits = self.logits(table)
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        order = np.argsort(-logits, kind="stable")
        return [(table.iris[i], float(probabilities[i])) for i in order]

    def save(self, path: Path, *, trained_on: Sequence[str], accuracy: dict[str, float]) -> None:
        data = {
            "shares": dict(zip(EVIDENCE, map(float, self.shares), strict=True)),
            "scale": self.scale,
            "weights": dict(zip(SIGNALS, map(float, self.weights), strict=True)),
            "trained_on": list(trained_on),
            "entity_at_1": accuracy,
        }
        Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def fit(tables: Sequence[ConceptTable], golds: Sequence[set[str]], *, l2: float = 1e-3) -> ConceptModel:
    """Fit shares, scale and weights by maximum likelihood of the gold entities (L-BFGS; torch for the gradients).

    Questions whose gold is not among the candidates carry no information and are skipped.
    """
    import torch

    data = []
    for table, gold in zip(tables, golds, strict=True):
        is_gold = torch.tensor([iri in gold for iri in table.iris], dtype=torch.bool)
        if bool(is_gold.any()):
            data.append((torch.from_numpy(table.evidence).double(), torch.from_numpy(table.signals).double(), is_gold))
    log_shares = torch.zeros(len(EVIDENCE), dtype=torch.float64, requires_grad=True)
    scale = torch.tensor(5.0, dtype=torch.float64, requires_grad=True)
    weights = torch.zeros(len(SIGNALS), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([log_shares, scale, weights], max_iter=500, line_search_fn="strong_wolfe")

    def loss():
        optimizer.zero_grad()
        total = torch.zeros((), dtype=torch.float64)
        for evidence, signals, is_gold in data:
            logits = scale * torch.log(evidence @ torch.exp(log_shares) + _FLOOR) + signals @ weights
            total = total - (torch.logsumexp(logits[is_gold], 0) - torch.logsumexp(logits, 0))
        total = total / max(len(data), 1) + l2 * (weights @ weights)
        total.backward()
        return total

    optimizer.step(loss)
    return ConceptModel(shares=torch.exp(log_shares).detach().numpy().copy(), scale=float(scale.detach()), weights=weights.detach().numpy().copy())
