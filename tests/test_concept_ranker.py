"""The concept ranking's fitted combination of evidence."""

import json
from pathlib import Path

import numpy as np

from indexer.concept_ranker import EVIDENCE, MODEL_FILE, SIGNALS, ConceptModel, ConceptTable, fit

REPO = Path(__file__).resolve().parent.parent


def _table(evidence, signals=None) -> ConceptTable:
    evidence = np.asarray(evidence, dtype=np.float64)
    signals = np.zeros((len(evidence), len(SIGNALS))) if signals is None else np.asarray(signals, dtype=np.float64)
    return ConceptTable(iris=tuple(f"e{i}" for i in range(len(evidence))), evidence=evidence, signals=signals)


def test_the_shipped_model_names_every_kind_of_evidence_and_was_never_fitted_on_the_held_out_split():
    data = json.loads(MODEL_FILE.read_text())
    assert set(data["shares"]) == set(EVIDENCE) and set(data["weights"]) == set(SIGNALS)
    assert all(share > 0 for share in data["shares"].values()) and data["scale"] > 0
    assert data["trained_on"] and not any("heldout" in name for name in data["trained_on"])
    for name in data["trained_on"]:
        assert (REPO / "bench" / "eval" / name.split(":")[0]).exists()


def test_rank_orders_by_the_model_and_reads_as_probabilities():
    model = ConceptModel(shares=np.ones(len(EVIDENCE)), scale=2.0, weights=np.zeros(len(SIGNALS)))
    rows = np.zeros((3, len(EVIDENCE)))
    rows[0, 0], rows[1, 0], rows[2, 0] = 1.0, 3.0, 0.5
    ranked = model.rank(_table(rows))
    assert [iri for iri, _ in ranked] == ["e1", "e0", "e2"]
    assert abs(sum(p for _, p in ranked) - 1.0) < 1e-9 and ranked[0][1] > ranked[1][1] > ranked[2][1]
    assert model.rank(_table(np.zeros((0, len(EVIDENCE))))) == []


def test_a_signal_weight_can_overturn_the_evidence():
    model = ConceptModel(shares=np.ones(len(EVIDENCE)), scale=1.0, weights=np.array([0, 3.0, -3.0, 0, 0, 0, 0], dtype=np.float64))
    rows = np.ones((2, len(EVIDENCE)))
    rows[1] *= 2  # e1 has twice the evidence, but e0 is of the wanted type and e1 is not
    signals = np.zeros((2, len(SIGNALS)))
    signals[0, SIGNALS.index("wanted_type")] = 1
    signals[1, SIGNALS.index("unwanted_type")] = 1
    assert model.rank(_table(rows, signals))[0][0] == "e0"


def test_fit_learns_which_evidence_points_at_the_answer(tmp_path):
    rng = np.random.default_rng(0)
    tables, golds = [], []
    for _ in range(60):
        rows = rng.random((6, len(EVIDENCE)))
        gold = int(rng.integers(6))
        rows[gold, EVIDENCE.index("similarity")] += 1.0  # only similarity tells the answer
        tables.append(_table(rows))
        golds.append({f"e{gold}"})
    model = fit(tables, golds)
    shares = dict(zip(EVIDENCE, model.shares))
    assert shares["similarity"] == max(shares.values())
    assert all(model.rank(t)[0][0] in g for t, g in zip(tables, golds))
    model.save(tmp_path / "m.json", trained_on=["synthetic"], accuracy={"synthetic": 1.0})
    again = ConceptModel.load(tmp_path / "m.json")
    assert np.allclose(again.shares, model.shares) and np.allclose(again.weights, model.weights)
