"""nlp.metrics (assessment-level scores with roll-up) and nlp.classify (the estimator contract)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from kg.schemes import load_schemes
from nlp.classify import MultiLabelLinear
from nlp.codes import code_space, rollup
from nlp.metrics import score_sets


def test_rollup_and_code_space() -> None:
    sch = load_schemes()["actions"]
    assert rollup(sch, {"3.4.1", "2.1"}, 2) == {"3.4", "2.1"}
    assert rollup(sch, {"3.4.1", "2.1"}, 1) == {"3", "2"}
    space = code_space("actions")
    assert "3.4" in space.level2 and "3.4.1" in space.level3 and space.parent["3.4.2"] == "3.4"
    assert "captive breeding" in " ".join(space.seed_texts("3.4")).lower()


def test_score_sets_micro_macro() -> None:
    sch = load_schemes()["actions"]
    gold = {"a": {"3.4.1", "2.2"}, "b": {"1.1"}}
    pred = {"a": {"3.4.2", "4.3"}, "b": set()}
    s2 = score_sets(gold, pred, sch, 2)
    assert s2["micro"] == {"precision": 0.5, "recall": 0.3333, "f1": 0.4, "tp": 1, "fp": 1, "fn": 2}
    assert s2["per_code"]["3.4"]["f1"] == 1.0 and s2["per_code"]["1.1"]["f1"] == 0.0
    assert s2["macro"]["f1"] == pytest.approx(0.25)
    assert s2["n_assessments"] == 2
    assert score_sets(gold, pred, sch, 1)["micro"]["tp"] == 1


def test_multilabel_linear_contract_and_masks() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5))
    y = np.stack([(x[:, 0] > 0), (x[:, 1] > 0), np.zeros(200, bool)], axis=1).astype(int)
    mask = np.ones_like(y, dtype=bool)
    mask[:100, 1] = False
    est = MultiLabelLinear(C=1.0)
    assert est.fit(x, y, mask=mask) is est
    assert est.coef_.shape == (3, 5) and list(est.classes_) == [0, 1, 2]
    acc = (est.predict(x)[:, :2] == y[:, :2]).mean()
    assert acc > 0.9
    assert est.predict_proba(x)[:, 2].max() < 0.01  # no positives: a constant low rate
    again = MultiLabelLinear.from_arrays(est.to_arrays())
    assert np.allclose(again.predict_proba(x), est.predict_proba(x), atol=1e-5)
    assert clone(est).get_params() == {"C": 1.0, "max_iter": 500, "tol": 1e-4, "random_state": 0}
