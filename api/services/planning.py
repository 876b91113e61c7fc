"""api.services.planning — thin glue between the store, kg.planning and nlp for planning results.

Called by the CLI (api.commands.planning) and the web service; every function takes a store
(or records) and returns kg.planning result records. The key index for co-affected species
is built once per store generation and kept (`coaffected_index`).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rdflib import Literal

from api.services.store_cache import StoreCache
from kg.planning import clusters as clusters_mod
from kg.planning import coaffected as co
from kg.planning import scores as scores_mod
from kg.planning import suggestions
from kg.planning.graphdata import latest_assessment_of, load_profiles, place_names
from kg.planning.keys import compute_keys, has_keys, threat_key
from kg.planning.labels import LabelContext
from kg.planning.models import BucketRecommendation, ClusterReport, CoAffected, ThreatScore
from kg.planning.profile import Profile, level, place_key, profiles_from_bundle
from kg.query import run
from kg.records import Bundle
from kg.schemes import load_schemes
from kg.store import Store, StoreError

COAFFECTED_VERSION = "1"
CLUSTERS_VERSION = "1"
SCORES_VERSION = "1"
TEXT_PLACE_TYPES = ("site", "waterbody", "protectedarea")


class NotFound(LookupError):  # noqa: N818
    """The taxon or assessment is not in the store."""


def _labels(scheme: str) -> dict[str, str]:
    return {c: x.label for c, x in load_schemes()[scheme].concepts.items()}


# --------------------------------------------------------------------------- keys


def text_places(profiles: Iterable[Profile]) -> dict[str, list[tuple[str, str, str]]]:
    """Assessment id -> (place type, code, name) of sites, water bodies and protected areas
    named in its range text (nlp.places, a gazetteer-free pattern matcher)."""
    from nlp.markup import strip_markup
    from nlp.places import find_places

    out: dict[str, list[tuple[str, str, str]]] = {}
    for p in profiles:
        text = p.texts.get("range", "")
        if not text:
            continue
        hits = find_places(strip_markup(text).text)
        found = list(
            dict.fromkeys(
                (h.place_type, h.label, h.label)
                for h in hits
                if h.place_type in TEXT_PLACE_TYPES and not h.label.endswith(" Ocean")  # too coarse for a site
            )
        )
        if found:
            out[p.assessment_id] = found
    return out


def refresh_keys(store: Store, use_text: bool = True) -> int:
    """Recompute graph/planning/keys (coded places plus places named in range texts)."""
    extra = None
    if use_text:
        extra = text_places(load_profiles(store, parts=(), texts=True, assessment_attrs=False))
    n = compute_keys(store, extra)
    _CACHE.forget(store)
    return n


def ensure_keys(store: Store) -> bool:
    """Whether graph/planning/keys is there, computing it when missing and the store is
    writable (a read-only store without keys makes callers fall back to the coded places)."""
    if has_keys(store):
        return True
    if getattr(store, "read_only", False):
        # computing them means reading every range text of the graph (minutes and gigabytes
        # at 172,000 species) only to have the write refused
        return False
    try:
        refresh_keys(store)
    except StoreError:
        return False
    return True


def _places_from(store: Store) -> str:
    """Where places are read from: the keys (coded and text places) when present, else the coded parts."""
    return "keys" if ensure_keys(store) else "coded"


# --------------------------------------------------------------------------- buckets


def _context(store: Store | None, profiles: Sequence[Profile]) -> LabelContext:
    """Shared-threat counts for the dominant-shared-threat rule: from the store's key index
    when one is built, from per-key counts in the store for a few profiles, else from the
    profiles themselves."""
    if store is not None:
        index = _CACHE.get(store, "index")
        if index is not None:
            return label_context(index)
        if len(profiles) <= 50 and has_keys(store):
            counts: dict[str, int] = {}
            for p in profiles:
                for t in p.threat_weights(2):
                    for pl in p.places:
                        key = f"{t}|{pl}"
                        if key not in counts:
                            rows = run(store, "planning_key_count", key=Literal(threat_key(t, pl))).values()
                            counts[key] = int(rows[0]["n"] or 0) if rows else 0
            return LabelContext(shared=counts)
    return LabelContext.from_profiles(profiles)


def recommend_for_profiles(
    profiles: Sequence[Profile],
    store: Store | None = None,
    model_dir: str | Path | None = None,
    rules_only: bool = False,
) -> list[BucketRecommendation]:
    from nlp.buckets import ModelNotFoundError, load_model, recommend

    loaded = None
    if not rules_only:
        try:
            loaded = load_model(model_dir)
        except ModelNotFoundError:
            if model_dir:
                raise
    return recommend(profiles, loaded, _context(store, profiles))


def buckets_for(store: Store, taxon_id: str, model_dir: str | Path | None = None) -> list[BucketRecommendation]:
    """Bucket recommendations for a taxon's latest assessment (four rows, one per bucket)."""
    from kg.fetch import bundle

    aid = latest_assessment_of(store, taxon_id)
    if aid is None:
        raise NotFound(f"no taxon {taxon_id!r} in {store.url}")
    profiles = profiles_from_bundle(bundle(store, [aid]))
    return recommend_for_profiles(profiles, store, model_dir)


def recommend_for_bundle(
    bundle: Bundle, model_dir: str | Path | None = None, store: Store | None = None
) -> list[BucketRecommendation]:
    """Recommendations for draft assessments that are not in the graph (records in memory)."""
    return recommend_for_profiles(profiles_from_bundle(bundle), store, model_dir)


def all_buckets(
    store: Store, model_dir: str | Path | None = None, include_complete: bool = False
) -> list[BucketRecommendation]:
    """Recommendations for every latest assessment whose conservation section is empty
    (or for every latest assessment with `include_complete`)."""
    from kg.fetch import bundle

    profiles = profiles_from_bundle(bundle(store))
    if not include_complete:
        profiles = [p for p in profiles if not p.has_conservation_section]
    return recommend_for_profiles(profiles, store, model_dir)


# --------------------------------------------------------------------------- co-affected

_CACHE = StoreCache()  # key index and cluster reports, per store generation


_CONTEXTS: weakref.WeakKeyDictionary[co.KeyIndex, LabelContext] = weakref.WeakKeyDictionary()
_CONTEXT_LOCK = threading.Lock()


def label_context(index: co.KeyIndex) -> LabelContext:
    """Shared-threat counts over every profile of a key index, computed once per index (so
    once per store generation): walking 172,000 profiles takes about a second, too much for
    every /suggest request."""
    with _CONTEXT_LOCK:
        ctx = _CONTEXTS.get(index)
        if ctx is None:
            ctx = _CONTEXTS[index] = LabelContext.from_profiles(index.profiles)
    return ctx


def coaffected_index(store: Store) -> co.KeyIndex:
    """The key index of a store, built once per store generation (keys computed if missing),
    with its label context (shared-threat counts) computed alongside."""
    index = _CACHE.get(store, "index")
    if index is None:
        profiles = load_profiles(
            store, parts=("threats", "places"), assessment_attrs=False, places_from=_places_from(store)
        )
        index = co.KeyIndex(profiles)
        label_context(index)
        index = _CACHE.put(store, "index", index)
    assert isinstance(index, co.KeyIndex)
    return index


def mention_threats(p: Profile) -> dict[str, float]:
    """Threat codes (level 2) cued in the threats and rationale texts (nlp.lexicon)."""
    from nlp.lexicon import lexicon
    from nlp.markup import strip_markup

    lx = lexicon("threats")
    out: dict[str, float] = {}
    for f in ("threats", "rationale"):
        t = p.texts.get(f, "")
        if t:
            for code in lx.hits(strip_markup(t).text):
                out[code] = max(out.get(code, 0.0), 0.6 if f == "threats" else 0.4)
    return out


def coaffected_for(store: Store, taxon_id: str, k: int = 10, index: co.KeyIndex | None = None) -> list[CoAffected]:
    """Species co-affected by the threats to a taxon (its latest assessment), best first."""
    index = index or coaffected_index(store)
    i = index.by_taxon.get(taxon_id)
    if i is None:
        raise NotFound(f"no taxon {taxon_id!r} in {store.url}")
    aid = index.meta[i].assessment_id

    def infer(p: Profile) -> Mapping[str, float]:
        from kg.fetch import bundle

        full = profiles_from_bundle(bundle(store, [aid]))
        return mention_threats(full[0]) if full else {}

    return index.coaffected(aid, k, infer=infer)


class SimilarityInference:
    """Threats of a profile inferred from the coded threats of the species whose threats and
    rationale texts are most similar (cosine of all-MiniLM-L6-v2 embeddings), preferring
    species that share a place. With `mentions`, threat cues in the species' own text are
    used when there are any, and similarity only when there are none."""

    def __init__(
        self,
        profiles: Sequence[Profile],
        embedder: Any = None,
        neighbours: int = 10,
        min_weight: float = 0.25,
        mentions: bool = True,
    ):
        from nlp.buckets import _plain

        if embedder is None:
            from nlp.embed import shared_embedder

            embedder = shared_embedder()
        self.profiles = list(profiles)
        self.row = {p.assessment_id: i for i, p in enumerate(self.profiles)}
        texts = [_plain(p.texts.get("threats", "") or p.texts.get("rationale", ""))[:1500] for p in self.profiles]
        self.E = embedder.encode(texts) if texts else np.zeros((0, 384), dtype=np.float32)
        self.coded = np.asarray([bool(p.current_threats()) for p in self.profiles])
        self.neighbours = neighbours
        self.min_weight = min_weight
        self.mentions = mentions

    def __call__(self, p: Profile) -> dict[str, float]:
        i = self.row.get(p.assessment_id)
        out: dict[str, float] = mention_threats(p) if self.mentions else {}
        if out or i is None or not self.E[i].any():
            return out  # threat cues in the species' own text win; similarity fills the gap
        sims = self.E @ self.E[i]
        sims[i] = -1.0
        sims[~self.coded] = -1.0
        places = set(p.places)
        if places:
            share = np.asarray([bool(places & set(q.places)) for q in self.profiles])
            sims = np.where(share, sims + 0.1, sims)
        top = np.argsort(-sims)[: self.neighbours]
        total = float(sum(max(sims[j], 0) for j in top)) or 1.0
        votes: dict[str, float] = {}
        for j in top:
            if sims[j] <= 0:
                continue
            for code, w in self.profiles[j].threat_weights(2).items():
                votes[code] = votes.get(code, 0.0) + sims[j] * w / total
        for code, w in votes.items():
            if w >= self.min_weight * max(votes.values()):
                out[code] = max(out.get(code, 0.0), round(w / max(votes.values()), 4))
        return out


def evaluate_coaffected(
    profiles: Sequence[Profile], k: int = 10, max_focal: int | None = 500, embedder: Any = None
) -> dict[str, dict[str, float]]:
    """Masking evaluation (kg.planning.coaffected.evaluate_masking) with the inference methods
    the service uses: places only (baseline), extracted threat mentions, text similarity, both."""
    extra = {aid: [place_key(t, c) for t, c, _ in v] for aid, v in text_places(profiles).items()}
    sim = SimilarityInference(profiles, embedder, mentions=False)
    both = SimilarityInference.__new__(SimilarityInference)
    both.__dict__.update(sim.__dict__)
    both.mentions = True
    methods: dict[str, Callable[[Profile], Mapping[str, float]] | None] = {
        "places only (baseline)": None,
        "threat mentions in text": mention_threats,
        "text similarity": sim,
        "mentions + similarity": both,
    }
    return co.evaluate_masking(profiles, methods, k=k, max_focal=max_focal, extra_places=extra)


# --------------------------------------------------------------------------- clusters and scores


def list_clusters(store: Store, min_size: int = 3, buckets: Mapping[str, Iterable[str]] | None = None) -> ClusterReport:
    """Planning clusters of every threatened species in the store (from the precomputed keys;
    kept per store version, which every write through the store changes)."""
    key = ("clusters", min_size, None if buckets is None else id(buckets))
    report = _CACHE.get(store, key)
    if report is None:
        src = _places_from(store)
        profiles = load_profiles(store, threatened_only=True, assessment_attrs=False, threats_from=src, places_from=src)
        report = _CACHE.put(
            store, key, clusters_for_profiles(profiles, place_names(store), min_size=min_size, buckets=buckets)
        )
    assert isinstance(report, ClusterReport)
    return report


def clusters_page(store: Store, limit: int, offset: int = 0) -> dict[str, Any]:
    """GET /clusters: `limit` clusters from `offset` in `list_clusters`' order (largest first),
    with `total` (clusters) and the report's summary figures on every page; the single-species
    candidates (`singletons`, `singletons_total` of them) come with the first page (offset 0)
    only. Pages joined are the whole report. JSON-ready."""
    if limit < 1:
        raise ValueError(f"limit must be >= 1, not {limit}")
    if offset < 0:
        raise ValueError(f"offset must be >= 0, not {offset}")
    report = list_clusters(store)
    return {
        "total": len(report.clusters),
        "offset": offset,
        "limit": limit,
        "clusters": [c.model_dump(mode="json") for c in report.clusters[offset : offset + limit]],
        "singletons": [s.model_dump(mode="json") for s in report.singletons] if offset == 0 else [],
        "singletons_total": len(report.singletons),
        "threatened": report.threatened,
        "coverage": report.coverage,
        "mean_cohesion": report.mean_cohesion,
        "method": report.method,
    }


def clusters_for_profiles(
    profiles: Sequence[Profile],
    names: Mapping[str, str] | None = None,
    min_size: int = 3,
    buckets: Mapping[str, Iterable[str]] | None = None,
) -> ClusterReport:
    return clusters_mod.cluster(
        profiles,
        min_size=min_size,
        buckets=buckets,
        place_names=names or {},
        threat_labels=_labels("threats"),
        habitat_labels=_labels("habitats"),
    )


def compare_clusters(profiles: Sequence[Profile], report: ClusterReport, min_size: int = 3) -> list[dict[str, Any]]:
    """Our clusters against the planner's baseline (genus, family) on cohesion and coverage."""
    rows = []
    for name, rep in (
        ("threat x place x habitat", report),
        ("genus only (baseline)", clusters_mod.taxonomic_clusters(profiles, "genus", min_size)),
        ("family only (baseline)", clusters_mod.taxonomic_clusters(profiles, "family", min_size)),
    ):
        rows.append(
            {
                "method": name,
                "clusters": len(rep.clusters),
                "coverage": rep.coverage,
                "cohesion": rep.mean_cohesion,
                "pairs sharing a threat in a place": clusters_mod.shared_key_rate(rep, profiles),
                "median size": float(np.median([c.size for c in rep.clusters])) if rep.clusters else 0.0,
            }
        )
    return rows


def threat_scores_for(store: Store, place_type: str = "country", level_: int = 2) -> list[ThreatScore]:
    """STAR-style threat-abatement scores per threat × place (see kg.planning.scores)."""
    profiles = load_profiles(
        store,
        categories=("NT", "VU", "EN", "CR", "LR/nt"),
        parts=("threats", "places"),
        assessment_attrs=False,
        places_from=_places_from(store),
    )
    labels = _labels("threats")
    return scores_mod.threat_scores(
        profiles,
        place_type=place_type,
        lvl=level_,
        place_names=place_names(store),
        threat_labels={c: labels.get(c, "") for c in {level(x, level_) for x in labels}},
    )


# --------------------------------------------------------------------------- writing back


def write_buckets(store: Store, recs: Sequence[BucketRecommendation]) -> int:
    model = recs[0].model if recs else "buckets/none"
    name, _, version = model.partition("/")
    return suggestions.write(store, suggestions.bucket_quads([r for r in recs if r.recommended], name, version or "0"))


def write_coaffected(store: Store, taxon_id: str, results: Sequence[CoAffected]) -> int:
    aid = latest_assessment_of(store, taxon_id)
    if aid is None:
        raise NotFound(f"no taxon {taxon_id!r} in {store.url}")
    return suggestions.write(store, suggestions.coaffected_quads(aid, results, COAFFECTED_VERSION))


def write_clusters(store: Store, report: ClusterReport) -> int:
    return suggestions.write(store, suggestions.cluster_quads(report.clusters, CLUSTERS_VERSION))


def write_scores(store: Store, scores: Sequence[ThreatScore]) -> int:
    return suggestions.write(store, suggestions.score_quads(scores, SCORES_VERSION))


# --------------------------------------------------------------------------- pictures


def cluster_overlap_png(report: ClusterReport, path: str | Path, top: int = 25) -> Path:
    """A heatmap of the member overlap (Jaccard) between the `top` largest clusters, with
    each cluster's size and cohesion in its label (matplotlib, written to `path`)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cs = report.clusters[:top]
    if not cs:
        raise ValueError("no clusters to draw")
    sets = [{s.taxon_id for s in c.species} for c in cs]
    n = len(cs)
    m = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            u = len(sets[i] | sets[j])
            m[i, j] = len(sets[i] & sets[j]) / u if u else 0.0

    def label(c: Any) -> str:
        where = c.place_names.get(c.places[0], c.places[0])
        hab = f" / {c.habitats[0]}" if c.habitats else ""
        named = [t for t in c.threats if f" {t} " in c.title or c.title.endswith(f" {t}")] or c.threats[:1]
        return f"{'+'.join(named)} @ {where}{hab}  (n={c.size}, coh {c.cohesion:.2f}, {c.bucket})"

    fig, ax = plt.subplots(figsize=(8 + n * 0.25, 6 + n * 0.25))
    im = ax.imshow(m, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xticklabels([f"{i + 1}" for i in range(n)])
    ax.set_yticklabels([f"{i + 1}. {label(c)}" for i, c in enumerate(cs)], fontsize=7)
    ax.set_title(
        f"Planning clusters: shared species between clusters (Jaccard)\n{len(report.clusters)} clusters, "
        f"coverage {report.coverage:.0%} of {report.threatened} threatened species, "
        f"{len(report.singletons)} single-species candidates",
        fontsize=9,
    )
    fig.colorbar(im, ax=ax, fraction=0.04, label="member overlap (Jaccard)")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=130, bbox_inches="tight")
    plt.close(fig)
    return out
