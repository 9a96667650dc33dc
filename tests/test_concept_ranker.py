"""The concept ranking's fitted combination of evidence."""

import json
from pathlib import Path

import numpy as np
import pytest

from indexer.concept_ranker import EVIDENCE, MODEL_FILE, SIGNALS, ConceptModel, ConceptModelMismatch, ConceptTable, fit

REPO = Path(__file__).resolve().parent.parent


def _table(evidence, signals=None) -> ConceptTable:
    evidence = np.asarray(evidence, dtype=np.float64)
    signals = np.zeros((len(evidence), len(SIGNALS))) if signals is None else np.asarray(signals, dtype=np.float64)
    return ConceptTable(iris=tuple(f"e{i}" for i in range(len(evidence))), evidence=evidence, signals=signals)


def _model(scale=1.0, **weights) -> ConceptModel:
    return ConceptModel(
        shares=np.full(len(EVIDENCE), 1 / len(EVIDENCE)), floor=1e-3, scale=scale, weights=np.array([weights.get(n, 0.0) for n in SIGNALS])
    )


def test_the_shipped_model_names_every_kind_of_evidence_and_was_never_fitted_on_the_held_out_split():
    data = json.loads(MODEL_FILE.read_text())
    assert set(data["shares"]) == set(EVIDENCE) and set(data["weights"]) == set(SIGNALS)
    assert all(share > 0 for share in data["shares"].values()) and abs(sum(data["shares"].values()) - 1) < 1e-6
    assert data["floor"] > 0 and data["scale"] > 0
    assert data["trained_on"] and not any("heldout" in name for name in data["trained_on"])
    for name in data["trained_on"]:
        assert (REPO / "bench" / "eval" / name.split(":")[0]).exists()
    ConceptModel.load()  # fitted with the evidence, signals and constants the code measures


def test_a_model_fitted_with_other_constants_is_refused_with_one_line(tmp_path):
    data = json.loads(MODEL_FILE.read_text())
    data["constants"]["signals"] = data["constants"]["signals"][:-1]
    data["constants"]["similarity_temperature"] = 0.5
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConceptModelMismatch) as refused:
        ConceptModel.load(path)
    message = str(refused.value)
    assert "\n" not in message and str(path) in message
    assert "signals" in message and "similarity_temperature" in message and "evidence," not in message
    del data["constants"]
    path.write_text(json.dumps(data))
    with pytest.raises(ConceptModelMismatch, match="records no constants"):
        ConceptModel.load(path)


def test_rank_orders_by_the_model_and_reads_as_probabilities():
    model = _model(scale=2.0)
    rows = np.zeros((3, len(EVIDENCE)))
    rows[0, 0], rows[1, 0], rows[2, 0] = 1.0, 3.0, 0.5
    ranked = model.rank(_table(rows))
    assert [iri for iri, _ in ranked] == ["e1", "e0", "e2"]
    assert abs(sum(p for _, p in ranked) - 1.0) < 1e-9 and ranked[0][1] > ranked[1][1] > ranked[2][1]
    assert model.rank(_table(np.zeros((0, len(EVIDENCE))))) == []


def test_a_signal_weight_can_overturn_the_evidence():
    model = _model(wanted_type=3.0, unwanted_type=-3.0)
    rows = np.ones((2, len(EVIDENCE)))
    rows[1] *= 2  # e1 has twice the evidence, but e0 is of the wanted type and e1 is not
    signals = np.zeros((2, len(SIGNALS)))
    signals[0, SIGNALS.index("wanted_type")] = 1
    signals[1, SIGNALS.index("unwanted_type")] = 1
    assert model.rank(_table(rows, signals))[0][0] == "e0"


def _synthetic(rng, misleading: str | None = None):
    tables, golds = [], []
    for _ in range(60):
        rows = rng.random((6, len(EVIDENCE)))
        gold = int(rng.integers(6))
        rows[gold, EVIDENCE.index("similarity")] += 1.0  # only similarity tells the answer
        if misleading:
            rows[:, EVIDENCE.index(misleading)] = 0.0
            rows[(gold + 1) % 6, EVIDENCE.index(misleading)] = 1.0  # points at a wrong entity every time
        tables.append(_table(rows))
        golds.append({f"e{gold}"})
    return tables, golds


def test_fit_learns_which_evidence_points_at_the_answer(tmp_path):
    tables, golds = _synthetic(np.random.default_rng(0))
    model = fit(tables, golds)
    shares = dict(zip(EVIDENCE, model.shares))
    assert shares["similarity"] == max(shares.values())
    assert all(model.rank(t)[0][0] in g for t, g in zip(tables, golds))
    model.save(tmp_path / "m.json", trained_on=["synthetic"], accuracy={"synthetic": 1.0})
    again = ConceptModel.load(tmp_path / "m.json")
    assert np.allclose(again.shares, model.shares) and np.allclose(again.weights, model.weights) and again.floor == model.floor


def test_evidence_that_misleads_gets_a_small_share_never_zero():
    # A fixed floor once let the fit shrink every share below it and run a misleading one to exactly 0.0.
    tables, golds = _synthetic(np.random.default_rng(1), misleading="named")
    model = fit(tables, golds)
    shares = dict(zip(EVIDENCE, model.shares))
    assert 0 < shares["named"] < shares["similarity"] and abs(sum(shares.values()) - 1) < 1e-9
    assert model.floor > 1e-6
