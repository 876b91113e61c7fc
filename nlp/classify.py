"""nlp.classify — the supervised mapper: features of a text unit and a multi-label linear model.

Features of a unit (a sentence or a clause of one): its sentence embedding (384), one
indicator per lexicon code (the hand-written cue phrases of `nlp.lexicon`) and its cosine
similarity to the description of every code (zero-shot scores). `MultiLabelLinear` is a
one-vs-rest logistic regression that follows the scikit-learn estimator contract and, unlike
`OneVsRestClassifier`, takes a per-class sample mask and per-class sample weights, as needed
for multiple-instance training from weak, assessment-level labels (`nlp.train`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from nlp.lexicon import lexicon

__all__ = ["MultiLabelLinear", "unit_features"]


def unit_features(kind: str, texts: Sequence[str], emb: np.ndarray, desc_emb: np.ndarray) -> np.ndarray:
    """[embedding | lexicon indicators | cosine to code descriptions] for each text."""
    lex = lexicon(kind)
    col = _columns(lex.codes)
    ind = np.zeros((len(texts), len(lex.codes)), dtype=np.float32)
    for i, t in enumerate(texts):
        for code in lex.hits(t):
            ind[i, col[code]] = 1.0
    sims = emb @ desc_emb.T if len(texts) else np.zeros((0, desc_emb.shape[0]), dtype=np.float32)
    return np.hstack([emb, ind, sims.astype(np.float32)])


@cache
def _columns(codes: tuple[str, ...]) -> dict[str, int]:
    return {c: i for i, c in enumerate(codes)}


class MultiLabelLinear(ClassifierMixin, BaseEstimator):
    """One logistic regression per class on standardised features.

    fit(X, Y, sample_weight=None, mask=None): Y is (n, k) in {0, 1}; mask (n, k) says which
    samples take part in each class (weak labels leave many undecided); sample_weight may be
    (n,) or (n, k). A class with no positive (or no negative) sample gets a constant model
    predicting its base rate.
    """

    def __init__(
        self,
        C: float = 1.0,  # noqa: N803 (scikit-learn's name for the inverse regularisation)
        max_iter: int = 500,
        tol: float = 1e-4,
        random_state: int = 0,  # noqa: N803
    ):
        self.C = C
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, Y, sample_weight=None, mask=None):  # noqa: N803 (sklearn naming)
        X = np.asarray(X, dtype=np.float64)  # noqa: N806 (scikit-learn naming)
        Y = np.asarray(Y, dtype=np.int8)  # noqa: N806
        n, k = Y.shape
        if X.shape[0] != n:
            raise ValueError(f"X has {X.shape[0]} rows, Y has {n}")
        mask = np.ones((n, k), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
        if sample_weight is None:
            w = np.ones((n, k))
        else:
            w = np.asarray(sample_weight, dtype=np.float64)
            w = np.repeat(w[:, None], k, axis=1) if w.ndim == 1 else w
        used = mask.any(axis=1)
        self.mean_ = X[used].mean(axis=0) if used.any() else np.zeros(X.shape[1])
        scale = X[used].std(axis=0) if used.any() else np.ones(X.shape[1])
        self.scale_ = np.where(scale > 1e-8, scale, 1.0)
        z = (X - self.mean_) / self.scale_
        self.coef_ = np.zeros((k, X.shape[1]))
        self.intercept_ = np.zeros(k)
        self.n_pos_ = np.zeros(k, dtype=np.int64)
        for j in range(k):
            rows = mask[:, j] & (w[:, j] > 0)
            y = Y[rows, j]
            self.n_pos_[j] = int(y.sum())
            if y.size == 0:
                self.intercept_[j] = -8.0
                continue
            if y.min() == y.max():
                rate = float(np.clip(np.average(y, weights=w[rows, j]), 1e-4, 1 - 1e-4))
                self.intercept_[j] = float(np.log(rate / (1 - rate)))
                continue
            lr = LogisticRegression(C=self.C, max_iter=self.max_iter, tol=self.tol, random_state=self.random_state)
            lr.fit(z[rows], y, sample_weight=w[rows, j])
            self.coef_[j] = lr.coef_[0]
            self.intercept_[j] = lr.intercept_[0]
        self.classes_ = np.arange(k)
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X):  # noqa: N803
        # ((X - mean) / scale) @ coef.T + intercept, with the standardisation folded into the
        # weights once (one matrix product per call instead of two passes over X)
        folded = getattr(self, "_folded", None)
        if folded is None or folded[0] is not self.coef_:
            w = (self.coef_ / self.scale_).T
            folded = (self.coef_, w, self.intercept_ - self.mean_ @ w)
            self._folded = folded
        return np.asarray(X, dtype=np.float64) @ folded[1] + folded[2]

    def predict_proba(self, X):  # noqa: N803
        """(n, k) independent per-class probabilities (they do not sum to one)."""
        return 1.0 / (1.0 + np.exp(-np.clip(self.decision_function(X), -30, 30)))

    def predict(self, X):  # noqa: N803
        return (self.predict_proba(X) >= 0.5).astype(np.int8)

    # compact, pickle-free persistence -----------------------------------------------
    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "coef": self.coef_.astype(np.float32),
            "intercept": self.intercept_.astype(np.float32),
            "mean": self.mean_.astype(np.float32),
            "scale": self.scale_.astype(np.float32),
            "n_pos": self.n_pos_,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], **params) -> MultiLabelLinear:
        est = cls(**params)
        est.coef_ = arrays["coef"].astype(np.float64)
        est.intercept_ = arrays["intercept"].astype(np.float64)
        est.mean_ = arrays["mean"].astype(np.float64)
        est.scale_ = arrays["scale"].astype(np.float64)
        est.n_pos_ = arrays["n_pos"]
        est.classes_ = np.arange(est.coef_.shape[0])
        est.n_features_in_ = est.coef_.shape[1]
        return est
