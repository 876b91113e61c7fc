"""kg.planning.coaffected — species affected by the threats to a focal species, ranked.

Two species are co-affected when they share a threat (rolled up to level 1 and 2) in a
place (country, sub-national unit, LME, site, water body): a shared threat × place key
(`kg.planning.keys`). The score of a candidate c for a focal species f is

    score(f, c) = W(c) · Σ_k  w_f(k) · w_c(k)        over the keys k they share

    w_a(k) = impact_a(threat of k) · sqrt(level(k) · specificity(place of k))

where impact is the IUCN impact score of the species' coded threat (timing + scope +
severity, mapped to 0.1..1), level weights a shared level-2 code 1 and a level-1-only
match 0.5, specificity weights a shared site or water body 1, a sub-national unit 0.7 and a
country or LME 0.5, and W is the candidate's category weight (CR 4, EN 3, VU 2, NT and DD 1,
LC 0.25, EX and EW 0).

`KeyIndex` holds the weights w_a(k) of every assessment as a sparse matrix, so ranking is a
sparse column sum (milliseconds at 172,000 species). `coaffected_sparql` answers the same
question on the store with the precomputed key literals (kg/queries/planning_coaffected.rq)
and weights its candidates the same way. When a focal species has no coded threats, an
`infer` callable (given by the caller: extracted mentions, text similarity) supplies threat
weights instead, and the result is marked basis="inferred".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rdflib import URIRef
from scipy import sparse

from kg import iris
from kg.planning.keys import keys_for, parse_key, threat_key
from kg.planning.models import CoAffected
from kg.planning.profile import PLACE_SPECIFICITY, Profile, ThreatFact, level, place_type_of
from kg.query import run
from kg.store import Store

CATEGORY_WEIGHT: dict[str, float] = {
    "CR": 4.0,
    "EN": 3.0,
    "VU": 2.0,
    "NT": 1.0,
    "LR/nt": 1.0,
    "LR/cd": 1.0,
    "DD": 1.0,
    "LC": 0.25,
    "LR/lc": 0.25,
    "EW": 0.0,
    "EX": 0.0,
}
LEVEL_WEIGHT = {1: 0.5, 2: 1.0}
Infer = Callable[[Profile], Mapping[str, float]]
"""Threat weights (code -> 0..1) for a profile whose threats are not coded."""


def key_weight(code: str, place: str, impact: float) -> float:
    lv = 1 if "." not in code else 2
    spec = PLACE_SPECIFICITY.get(place_type_of(place), 0.5)
    return impact * math.sqrt(LEVEL_WEIGHT[lv] * spec)


def threat_weights(p: Profile) -> dict[str, float]:
    """Rolled-up threat code (level 1 and 2) -> highest impact of the profile's current threats."""
    out = p.threat_weights(1)
    out.update(p.threat_weights(2))
    return out


def weights_of(
    p: Profile, threats: Mapping[str, float] | None = None, places: Sequence[str] | None = None
) -> dict[str, float]:
    """key -> w_a(k) for a profile (its coded threats, or the `threats` weights given)."""
    tw = dict(threats) if threats is not None else threat_weights(p)
    if threats is not None:  # inferred codes: make sure both levels are present
        for code, w in list(tw.items()):
            tw.setdefault(level(code, 1), w)
    out: dict[str, float] = {}
    for code, w in tw.items():
        if w <= 0:
            continue
        for pl in places if places is not None else p.places:
            out[threat_key(code, pl)] = key_weight(code, pl, w)
    return out


@dataclass
class _Meta:
    assessment_id: str
    taxon_id: str
    name: str
    category: str


class KeyIndex:
    """Sparse assessment × key weight matrix over profiles (see the module docstring)."""

    def __init__(self, profiles: Iterable[Profile], extra_places: Mapping[str, Sequence[str]] | None = None):
        extra_places = extra_places or {}
        self.meta: list[_Meta] = []
        self.row: dict[str, int] = {}
        self.by_taxon: dict[str, int] = {}
        self.col: dict[str, int] = {}
        self.keys: list[str] = []
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        self.profiles: list[Profile] = []
        for p in profiles:
            i = len(self.meta)
            self.meta.append(_Meta(p.assessment_id, p.taxon_id, p.name, p.category))
            self.profiles.append(p)
            self.row[p.assessment_id] = i
            self.by_taxon[p.taxon_id] = i
            places = list(dict.fromkeys([*p.places, *extra_places.get(p.assessment_id, ())]))
            for k, w in weights_of(p, places=places).items():
                j = self.col.get(k)
                if j is None:
                    j = self.col[k] = len(self.keys)
                    self.keys.append(k)
                rows.append(i)
                cols.append(j)
                vals.append(w)
        n, m = len(self.meta), len(self.keys)
        self.X = sparse.csr_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(n, max(m, 1)))
        self.Xc = self.X.tocsc()
        self.cat_w = np.asarray([CATEGORY_WEIGHT.get(m_.category, 0.5) for m_ in self.meta], dtype=np.float64)
        self.places = {
            p.assessment_id: list(dict.fromkeys([*p.places, *extra_places.get(p.assessment_id, ())]))
            for p in self.profiles
        }

    def __len__(self) -> int:
        return len(self.meta)

    def keys_of(self, i: int) -> dict[str, float]:
        lo, hi = self.X.indptr[i], self.X.indptr[i + 1]
        return {self.keys[j]: float(v) for j, v in zip(self.X.indices[lo:hi], self.X.data[lo:hi], strict=True)}

    def scores(self, focal: Mapping[str, float]) -> np.ndarray:
        """Score of every row against focal key weights (category weight included)."""
        cols = [(self.col[k], w) for k, w in focal.items() if k in self.col]
        if not cols:
            return np.zeros(len(self.meta), dtype=np.float64)
        idx = np.fromiter((c for c, _ in cols), dtype=np.int64)
        w = np.fromiter((v for _, v in cols), dtype=np.float64)
        s = np.asarray(self.Xc[:, idx] @ w).ravel()
        return np.round(s * self.cat_w, 6)  # ties compare equal on every path

    def rank(
        self, focal: Mapping[str, float], k: int = 10, exclude: Iterable[int] = (), basis: str = "coded"
    ) -> list[CoAffected]:
        s = self.scores(focal)
        for i in exclude:
            s[i] = 0.0
        pos = np.flatnonzero(s > 0)
        if not len(pos):
            return []
        take = pos[np.argsort(-s[pos], kind="stable")[:k]] if len(pos) <= 4 * k else _top(s, pos, k)
        out = []
        for i in take:
            m = self.meta[int(i)]
            shared = sorted(set(focal) & set(self.keys_of(int(i))))
            out.append(_result(m, float(s[i]), shared, basis))
        return out

    def coaffected(self, assessment_id: str, k: int = 10, infer: Infer | None = None) -> list[CoAffected]:
        i = self.row[assessment_id]
        p = self.profiles[i]
        focal = self.keys_of(i)
        basis = "coded"
        if not focal and infer is not None:
            focal = weights_of(p, infer(p), self.places.get(assessment_id))
            basis = "inferred"
        return self.rank(focal, k, exclude=[i], basis=basis)

    def top_rows(self, focal: Mapping[str, float], k: int, exclude: int | None = None) -> list[int]:
        s = self.scores(focal)
        if exclude is not None:
            s[exclude] = 0.0
        pos = np.flatnonzero(s > 0)
        if not len(pos):
            return []
        return [int(i) for i in _top(s, pos, k)]


def _top(s: np.ndarray, pos: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k highest scores among `pos`, best first (ties by row order)."""
    if len(pos) > k:
        part = pos[np.argpartition(-s[pos], k - 1)[:k]]
        # include every row tied with the k-th score so the stable sort decides deterministically
        kth = s[part].min()
        part = pos[s[pos] >= kth]
    else:
        part = pos
    order = np.lexsort((part, -s[part]))
    return part[order][:k]


def _result(m: _Meta, score: float, shared_keys: Sequence[str], basis: str) -> CoAffected:
    threats: dict[str, None] = {}
    places: dict[str, None] = {}
    for key in shared_keys:
        code, place = parse_key(key)
        places[place] = None
        threats[code] = None
    # report a level-1 code only when no shared level-2 code lies under it
    l2 = [c for c in threats if "." in c]
    shown = sorted(c for c in threats if "." in c or not any(x.split(".")[0] == c for x in l2))
    return CoAffected(
        taxon_id=m.taxon_id,
        name=m.name,
        category=m.category,
        score=round(score, 4),
        shared_threats=shown,
        shared_places=sorted(places),
        assessment_id=m.assessment_id,
        basis=basis,  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------- the graph path


def coaffected_sparql(store: Store, assessment_id: str, k: int = 10, candidates: int | None = None) -> list[CoAffected]:
    """Co-affected species from the key literals in the store (no index in memory).

    Step 1 (planning_coaffected.rq) ranks up to 200 candidates by the number of keys they
    share with the focal assessment, inside the engine; step 2 reads the top `candidates`
    (default 4·k) one by one (keys, category, threat impacts) and weights them exactly as
    `KeyIndex` does. Exact whenever the true top k are among the step-1 shortlist.
    """
    focal_iri = URIRef(iris.assessment(assessment_id))
    f = _candidate(store, focal_iri)
    if f is None or not f[4]:
        return []
    focal_w = f[4]
    rows = run(store, "planning_coaffected", focal=focal_iri, minShared=shortlist_cutoff(store, focal_iri)).rows
    cand = [str(r["candidate"]) for r in rows][: candidates or 4 * k]
    scored = []
    for c in cand:
        info = _candidate(store, URIRef(c))
        if info is None:
            continue
        aid, tid, name, cat, w = info
        shared = sorted(set(focal_w) & set(w))
        s = round(CATEGORY_WEIGHT.get(cat, 0.5) * sum(focal_w[x] * w[x] for x in shared), 6)
        if s > 0:
            scored.append((-s, int(aid) if aid.isdigit() else 0, _Meta(aid, tid, name, cat), shared, s))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [_result(m, s, shared, "coded") for _, _, m, shared, s in scored[:k]]


def shortlist_cutoff(store: Store, focal: URIRef) -> int | None:
    """Keys shared by the 200th candidate of planning_coaffected (None: fewer candidates).
    Bound as ?minShared it gives the same 200 rows without sorting every candidate."""
    rows = run(store, "planning_coaffected_cutoff", focal=focal).values()
    return int(rows[0]["shared"]) if rows else None


def _candidate(store: Store, a: URIRef) -> tuple[str, str, str, str, dict[str, float]] | None:
    """(assessment id, taxon id, name, category, key weights) of one assessment."""
    rows = run(store, "planning_candidate", assessment=a).values()
    if not rows:
        return None
    head = rows[0]
    from kg.planning.graphdata import code_of

    facts = [
        ThreatFact(code_of(r["threat"]), code_of(r["timing"]), code_of(r["scope"]), code_of(r["severity"]))
        for r in run(store, "planning_candidate_threats", assessment=a).values()
    ]
    impact = threat_weights(Profile("", "", "", "", threats=tuple(facts)))
    weights: dict[str, float] = {}
    for r in run(store, "planning_keys", assessment=a).values():
        code, place = parse_key(str(r["key"]))
        if code in impact:
            weights[str(r["key"])] = key_weight(code, place, impact[code])
    return str(head["assessmentId"]), str(head["taxonId"]), str(head["name"]), str(head["category"]), weights


def index_from_store(store: Store) -> KeyIndex:
    """A KeyIndex over every latest assessment: coded threats (scope, severity, timing) and the
    places of the precomputed keys (coded and text-derived)."""
    from kg.planning.graphdata import load_profiles

    profiles = load_profiles(store, parts=("threats", "places"), places_from="keys", assessment_attrs=False)
    return KeyIndex(profiles)


# --------------------------------------------------------------------------- evaluation


def place_scores(index: KeyIndex, p: Profile, exclude: int) -> np.ndarray:
    """Baseline without threat information: shared places × specificity × category."""
    if not hasattr(index, "_P"):
        pcol: dict[str, int] = {}
        r, c, v = [], [], []
        for i, q in enumerate(index.profiles):
            for pl in index.places.get(q.assessment_id, q.places):
                j = pcol.setdefault(pl, len(pcol))
                r.append(i)
                c.append(j)
                v.append(PLACE_SPECIFICITY.get(place_type_of(pl), 0.5))
        index._pcol = pcol  # type: ignore[attr-defined]
        index._P = sparse.csc_matrix((np.asarray(v, dtype=np.float32), (r, c)), shape=(len(index), max(len(pcol), 1)))  # type: ignore[attr-defined]
    pcol = index._pcol  # type: ignore[attr-defined]
    idx = [pcol[pl] for pl in index.places.get(p.assessment_id, p.places) if pl in pcol]
    if not idx:
        return np.zeros(len(index), dtype=np.float32)
    s = np.asarray(index._P[:, idx].sum(axis=1)).ravel() * index.cat_w  # type: ignore[attr-defined]
    s[exclude] = 0.0
    return s


def average_precision(pred: Sequence[int], truth: set[int]) -> float:
    if not truth:
        return 0.0
    hits, total = 0, 0.0
    for i, x in enumerate(pred, 1):
        if x in truth:
            hits += 1
            total += hits / i
    return total / min(len(truth), len(pred)) if pred else 0.0


def evaluate_masking(
    profiles: Sequence[Profile],
    methods: Mapping[str, Infer | None],
    k: int = 10,
    max_focal: int | None = 500,
    seed: int = 0,
    extra_places: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, dict[str, float]]:
    """Hide each focal species' coded threats, predict its co-affected set, compare.

    Truth: the top k of `KeyIndex` computed from the full coded data. Each method infers
    the focal species' threat weights from what remains (text, places); `None` is the
    places-only baseline (no threat information). Focal species: threatened, with coded
    threats, at least one place and a non-empty true set (a seeded sample of `max_focal`).
    Returns method -> {recall@k, MAP, focal}.
    """
    index = KeyIndex(profiles, extra_places)
    eligible = [
        i
        for i, p in enumerate(index.profiles)
        if p.threatened and p.current_threats() and index.places.get(p.assessment_id)
    ]
    rng = np.random.default_rng(seed)
    if max_focal is not None and len(eligible) > max_focal:
        eligible = sorted(rng.choice(eligible, size=max_focal, replace=False).tolist())
    truths: dict[int, list[int]] = {}
    for i in eligible:
        t = index.top_rows(index.keys_of(i), k, exclude=i)
        if t:
            truths[i] = t
    out: dict[str, dict[str, float]] = {}
    for name, infer in methods.items():
        rec, aps = [], []
        for i, truth in truths.items():
            p = index.profiles[i]
            masked = p.without_threats()
            if infer is None:
                s = place_scores(index, p, i)
                pos = np.flatnonzero(s > 0)
                pred = [int(x) for x in _top(s, pos, k)] if len(pos) else []
            else:
                w = weights_of(masked, infer(masked), index.places.get(p.assessment_id))
                pred = index.top_rows(w, k, exclude=i)
            ts = set(truth)
            rec.append(len(ts & set(pred)) / len(ts))
            aps.append(average_precision(pred, ts))
        out[name] = {
            f"recall@{k}": round(float(np.mean(rec)) if rec else 0.0, 4),
            "MAP": round(float(np.mean(aps)) if aps else 0.0, 4),
            "focal": len(truths),
        }
    return out


def keys_of_profile(p: Profile) -> set[str]:
    return keys_for(p)
