"""kg.planning.clusters — candidate planning clusters: threatened species sharing threat × place × habitat.

A cluster is "the threatened species at place P threatened by threat T (in habitat H)", e.g.
all species in a lake threatened by 7.2 dams, or all peat-swamp species of a region
threatened by 2.2 plantations. Assignment, in three passes:

1. Every threatened species has options (T, P, H): each current level-2 threat T, each place P
   where it is extant, each level-2 habitat H (and H = "" for threat × place only). An option
   is worth w(T) · specificity(P) · (1.25 if H) · log(1 + size of its group), so a species
   prefers its heaviest threat, its most specific place (site, water body or protected area
   1, sub-national unit 0.6, LME 0.45, country 0.35) and a group others share.
2. Groups with fewer than `min_size` species are dropped; each species joins up to
   `max_per_species` of the remaining groups, at most one per threat.
3. Groups that keep at least `min_size` members become clusters (groups with exactly the
   same members merge into one cluster listing all their threats); species left out of every
   cluster are re-offered the surviving clusters once, then flagged as single-species
   candidates.

Each cluster lists its species, shared threats, places and habitats (held by at least half
of its members), the actions needed coded for at least a quarter of them, a bucket (threat
class of T, or the members' majority bucket when recommendations are given) and a cohesion
score: the mean pairwise Jaccard similarity of the members' threat, place and habitat sets.
`taxonomic_clusters` is the planner's baseline (grouping by genus, or family) scored the same.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from kg import iris
from kg.planning.labels import threat_class
from kg.planning.models import Cluster, ClusterReport, SpeciesRef
from kg.planning.profile import Profile, level, place_type_of

Option = tuple[str, str, str]  # (threat level 2, place key, habitat level 2 or "")
COHESION_SAMPLE = 60
# how much a cluster at a place of this type is preferred (finer places make tighter plans)
CLUSTER_SPECIFICITY: dict[str, float] = {
    "site": 1.0,
    "waterbody": 1.0,
    "protectedarea": 1.0,
    "subnational": 0.6,
    "lme": 0.45,
    "country": 0.35,
}
HABITAT_BONUS = 1.25


def features(p: Profile) -> frozenset[str]:
    """What cohesion compares: level-2 threats, places and level-2 habitats."""
    return frozenset(
        [
            *(f"T{c}" for c in p.threat_weights(2)),
            *(f"P{x}" for x in p.places),
            *(f"H{level(h, 2)}" for h in p.habitats),
        ]
    )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    u = len(a | b)
    return len(a & b) / u if u else 0.0


def cohesion(members: Sequence[frozenset[str]], seed: str = "") -> float:
    """Mean pairwise Jaccard similarity (over a seeded sample of 60 members when larger)."""
    if len(members) < 2:
        return 1.0 if members else 0.0
    ms = list(members)
    if len(ms) > COHESION_SAMPLE:
        ms = random.Random(seed).sample(ms, COHESION_SAMPLE)
    total, n = 0.0, 0
    for i in range(len(ms)):
        for j in range(i + 1, len(ms)):
            total += _jaccard(ms[i], ms[j])
            n += 1
    return total / n


def _options(p: Profile) -> list[tuple[Option, float]]:
    tw = p.threat_weights(2)
    habs = sorted({level(h, 2) for h in p.habitats})
    out = []
    for t, w in tw.items():
        for pl in p.places:
            base = w * CLUSTER_SPECIFICITY.get(place_type_of(pl), 0.5)
            out.append(((t, pl, ""), base))
            for h in habs:
                out.append(((t, pl, h), base * HABITAT_BONUS))
    return out


def cluster_id(opt: Option) -> str:
    t, pl, h = opt
    return f"c-T{iris.code_local(t)}-{pl}" + (f"-H{iris.code_local(h)}" if h else "")


def cluster(
    profiles: Iterable[Profile],
    *,
    min_size: int = 3,
    max_per_species: int = 2,
    buckets: Mapping[str, Iterable[str]] | None = None,
    place_names: Mapping[str, str] | None = None,
    threat_labels: Mapping[str, str] | None = None,
    habitat_labels: Mapping[str, str] | None = None,
) -> ClusterReport:
    """Planning clusters of the threatened species among `profiles` (see the module docstring).

    `buckets`: assessment id -> recommended buckets (optional; sets each cluster's bucket by
    the members' majority).
    """
    sp = [p for p in profiles if p.threatened]
    place_names = place_names or {}
    threat_labels = threat_labels or {}
    habitat_labels = habitat_labels or {}
    opts = [_options(p) for p in sp]
    groups: dict[Option, list[int]] = defaultdict(list)
    for i, os_ in enumerate(opts):
        for o, _ in os_:
            groups[o].append(i)
    alive = {o for o, m in groups.items() if len(m) >= min_size}

    def pick(i: int, allowed: Callable[[Option], bool]) -> list[Option]:
        ranked = sorted(
            ((w * math.log1p(len(groups[o])), o) for o, w in opts[i] if allowed(o)),
            key=lambda x: (-x[0], x[1]),
        )
        chosen: list[Option] = []
        threats: set[str] = set()
        for _, o in ranked:
            if o[0] in threats:
                continue
            chosen.append(o)
            threats.add(o[0])
            if len(chosen) >= max_per_species:
                break
        return chosen

    members: dict[Option, list[int]] = defaultdict(list)
    for i in range(len(sp)):
        for o in pick(i, lambda o: o in alive):
            members[o].append(i)
    kept = {o for o, m in members.items() if len(m) >= min_size}
    in_cluster = {i for o in kept for i in members[o]}
    for i in range(len(sp)):  # re-offer surviving clusters to species left out
        if i not in in_cluster:
            for o in pick(i, lambda o: o in kept):
                members[o].append(i)
                in_cluster.add(i)
    feats = [features(p) for p in sp]
    clusters = []
    merged: dict[frozenset[int], list[Option]] = {}
    for o in sorted(kept, key=lambda o: (-len(members[o]), o)):
        merged.setdefault(frozenset(members[o]), []).append(o)
    for group, opts_ in merged.items():  # identical members: one cluster with every shared threat
        idx = sorted(group, key=lambda i: sp[i].name)
        clusters.append(
            _describe(
                opts_,
                [sp[i] for i in idx],
                [feats[i] for i in idx],
                buckets,
                place_names,
                threat_labels,
                habitat_labels,
            )
        )
    singles = [
        SpeciesRef(taxon_id=sp[i].taxon_id, name=sp[i].name, category=sp[i].category)
        for i in range(len(sp))
        if i not in in_cluster
    ]
    singles.sort(key=lambda s: s.name)
    covered = len(in_cluster)
    weight = sum(c.size for c in clusters)
    return ClusterReport(
        clusters=clusters,
        singletons=singles,
        threatened=len(sp),
        coverage=round(covered / len(sp), 4) if sp else 0.0,
        mean_cohesion=round(sum(c.cohesion * c.size for c in clusters) / weight, 4) if weight else 0.0,
        method=f"threat x place x habitat (min size {min_size}, up to {max_per_species} per species)",
    )


def _shared(counter: Counter[str], n: int, share: float) -> list[str]:
    return [k for k, c in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])) if c >= share * n]


def _describe(
    opts: list[Option],
    ms: list[Profile],
    feats: list[frozenset[str]],
    buckets: Mapping[str, Iterable[str]] | None,
    place_names: Mapping[str, str],
    threat_labels: Mapping[str, str],
    habitat_labels: Mapping[str, str],
) -> Cluster:
    o = opts[0]
    t, pl, h = o
    n = len(ms)
    thr = Counter(c for p in ms for c in p.threat_weights(2))
    plc = Counter(x for p in ms for x in p.places)
    hab = Counter(x for p in ms for x in {level(y, 2) for y in p.habitats})
    act = Counter(x for p in ms for x in {level(y, 2) for y in p.actions})
    own_t = list(dict.fromkeys(x[0] for x in opts))
    own_p = list(dict.fromkeys(x[1] for x in opts))
    own_h = list(dict.fromkeys(x[2] for x in opts if x[2]))
    threats = [*own_t, *[c for c in _shared(thr, n, 0.5) if c not in own_t]]
    places = [*own_p, *[c for c in _shared(plc, n, 0.5) if c not in own_p]]
    habitats = [*own_h, *[c for c in _shared(hab, n, 0.5) if c not in own_h]]
    bucket = threat_class(t) or "habitat"
    if buckets:
        votes = Counter(b for p in ms for b in buckets.get(p.assessment_id, ()) if b != "single_species")
        if votes:
            top, c = votes.most_common(1)[0]
            if c >= 0.5 * n:
                bucket = top
    where = " and ".join(place_names.get(x, x) for x in own_p)
    what = ", ".join(f"{x} {threat_labels.get(x, '')}".strip() for x in own_t)
    title = f"{n} threatened species in {where} threatened by {what}"
    if own_h:
        title += f" ({'; '.join(habitat_labels.get(x, 'habitat ' + x) for x in own_h)})"
    return Cluster(
        id=cluster_id(o),
        title=title,
        species=[SpeciesRef(taxon_id=p.taxon_id, name=p.name, category=p.category) for p in ms],
        threats=threats,
        places=places,
        habitats=habitats,
        actions_needed=_shared(act, n, 0.25),
        bucket=bucket,  # type: ignore[arg-type]
        cohesion=round(cohesion(feats, cluster_id(o)), 4),
        place_names={k: place_names[k] for k in places if k in place_names},
        threat_labels={k: threat_labels[k] for k in threats if k in threat_labels},
    )


def taxonomic_clusters(profiles: Iterable[Profile], rank: str = "genus", min_size: int = 3) -> ClusterReport:
    """The planner's baseline: threatened species grouped by genus (or family) only."""
    sp = [p for p in profiles if p.threatened]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(sp):
        key = getattr(p, rank) or ""
        if key:
            groups[key].append(i)
    feats = [features(p) for p in sp]
    clusters = []
    covered: set[int] = set()
    for key, idx in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(idx) < min_size:
            continue
        covered.update(idx)
        ms = [sp[i] for i in idx]
        n = len(ms)
        thr = Counter(c for p in ms for c in p.threat_weights(2))
        plc = Counter(x for p in ms for x in p.places)
        clusters.append(
            Cluster(
                id=f"{rank}-{key}",
                title=f"{n} threatened species of the {rank} {key}",
                species=[SpeciesRef(taxon_id=p.taxon_id, name=p.name, category=p.category) for p in ms],
                threats=_shared(thr, n, 0.5),
                places=_shared(plc, n, 0.5),
                habitats=[],
                actions_needed=[],
                bucket="single_species",
                cohesion=round(cohesion([feats[i] for i in idx], key), 4),
            )
        )
    weight = sum(c.size for c in clusters)
    return ClusterReport(
        clusters=clusters,
        singletons=[
            SpeciesRef(taxon_id=sp[i].taxon_id, name=sp[i].name, category=sp[i].category)
            for i in range(len(sp))
            if i not in covered
        ],
        threatened=len(sp),
        coverage=round(len(covered) / len(sp), 4) if sp else 0.0,
        mean_cohesion=round(sum(c.cohesion * c.size for c in clusters) / weight, 4) if weight else 0.0,
        method=f"{rank} only (min size {min_size})",
    )


def shared_key_rate(report: ClusterReport, profiles: Iterable[Profile], sample: int = 60) -> float:
    """Share of member pairs (sampled per cluster) that share a threat in a place (a key)."""
    by_taxon = {p.taxon_id: p for p in profiles}
    hits = total = 0
    for c in report.clusters:
        ms = [by_taxon[s.taxon_id] for s in c.species if s.taxon_id in by_taxon]
        if len(ms) > sample:
            ms = random.Random(c.id).sample(ms, sample)
        keys = [{f"{t}|{pl}" for t in m.threat_weights(2) for pl in m.places} for m in ms]
        for i in range(len(ms)):
            for j in range(i + 1, len(ms)):
                total += 1
                hits += bool(keys[i] & keys[j])
    return round(hits / total, 4) if total else 0.0
