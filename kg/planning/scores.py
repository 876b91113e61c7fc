"""kg.planning.scores — threat-abatement scores per threat × place, after the STAR method.

STAR (Species Threat Abatement and Restoration; Mair et al. 2021, Nature Ecology & Evolution
5: 836–844) scores the potential to reduce species' extinction risk by abating threat t at
location i as

    STAR_T(t, i) = Σ_s  P(s, i) · W(s) · C(s, t)

- W(s): the category weight: NT 100, VU 200, EN 300, CR 400 (LC, DD, EX, EW: 0);
- P(s, i): the share of species s's current range (Area of Habitat) inside location i;
- C(s, t): the share of the species' extinction risk caused by threat t: the threat's
  scope × severity score divided by the sum over the species' threats, so Σ_t C = 1.

Scope × severity scores are the averages of the interval-limit products of the IUCN classes
(Mair et al. 2021, supplementary table 2; re-derived by Sandvik, github.com/HannoSandvik/Threats):

                   very rapid  rapid  slow   negligible  no decline
    whole (>90%)     0.635     0.240  0.109    0.010        0
    majority         0.525     0.185  0.095    0.009        0
    minority         0.250     0.075  0.050    0.005        0

Where the data force an approximation (recorded on each score):

- ranges are country (or site / LME) lists, not AOH maps: P(s, i) = 1 / number of places of
  that type where the species is extant ("equal-share range");
- unknown or missing scope or severity: the median score of the known classes in that row or
  column (scope unknown: the majority row; severity unknown: the slow-decline column;
  "causing/could cause fluctuations": the slow-decline column);
- a threatened species whose threats all score 0 (or that has no coded threat) spreads its
  weight equally over its coded threats (none: it contributes nothing);
- threats coded "Past, Unlikely to Return" are excluded (STAR counts current threats only).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from kg.planning.models import ThreatScore
from kg.planning.profile import Profile, ThreatFact, level, place_type_of

CATEGORY_WEIGHT = {"NT": 100, "LR/nt": 100, "VU": 200, "EN": 300, "CR": 400}
_SCOPES = {"Whole (>90%)": 0, "Majority (50-90%)": 1, "Minority (<50%)": 2}
_SEVERITIES = {
    "Very Rapid Declines": 0,
    "Rapid Declines": 1,
    "Slow, Significant Declines": 2,
    "Causing/Could cause fluctuations": 2,
    "Negligible declines": 3,
    "No decline": 4,
}
TABLE = (
    (0.635, 0.240, 0.109, 0.010, 0.0),
    (0.525, 0.185, 0.095, 0.009, 0.0),
    (0.250, 0.075, 0.050, 0.005, 0.0),
)
APPROX_RANGE = "range share = 1/number of {kind} places of the species (no AOH maps)"
APPROX_SCOPE = "unknown scope or severity scored at the median class"


def threat_score(t: ThreatFact) -> tuple[float, bool]:
    """(scope × severity score, whether it was approximated)."""
    approx = t.scope not in _SCOPES or t.severity not in _SEVERITIES
    row = _SCOPES.get(t.scope, 1)
    col = _SEVERITIES.get(t.severity, 2)
    return TABLE[row][col], approx


def contributions(p: Profile, lvl: int = 2) -> tuple[dict[str, float], bool]:
    """Threat code (rolled up to `lvl`) -> C(s, t) (summing to 1), and whether approximated."""
    scored: dict[str, float] = defaultdict(float)
    approx = False
    current = p.current_threats()
    for t in current:
        s, a = threat_score(t)
        approx |= a
        scored[level(t.code, lvl)] += s
    total = sum(scored.values())
    if total <= 0:
        codes = {level(t.code, lvl) for t in current}
        if not codes:
            return {}, approx
        return {c: 1 / len(codes) for c in codes}, True
    return {c: v / total for c, v in scored.items() if v > 0}, approx


def threat_scores(
    profiles: Iterable[Profile],
    *,
    place_type: str = "country",
    lvl: int = 2,
    place_names: Mapping[str, str] | None = None,
    threat_labels: Mapping[str, str] | None = None,
) -> list[ThreatScore]:
    """STAR-style scores per (threat, place) for places of one type ("country", "site",
    "waterbody", "lme", "subnational", or "any" for every place, each type weighted within
    its own type), highest first."""
    place_names = place_names or {}
    threat_labels = threat_labels or {}
    score: dict[tuple[str, str], float] = defaultdict(float)
    species: dict[tuple[str, str], set[str]] = defaultdict(set)
    approx_scope: dict[tuple[str, str], bool] = defaultdict(bool)
    kinds: dict[tuple[str, str], str] = {}
    for p in profiles:
        w = CATEGORY_WEIGHT.get(p.category, 0)
        if not w:
            continue
        c, approx = contributions(p, lvl)
        if not c:
            continue
        by_type: dict[str, list[str]] = defaultdict(list)
        for pl in p.places:
            by_type[place_type_of(pl)].append(pl)
        for kind, pls in by_type.items():
            if place_type not in ("any", kind):
                continue
            share = 1 / len(pls)
            for pl in pls:
                for t, ct in c.items():
                    key = (t, pl)
                    score[key] += share * w * ct
                    species[key].add(p.taxon_id)
                    approx_scope[key] |= approx
                    kinds[key] = kind
    out = []
    for key, v in score.items():
        t, pl = key
        notes = [APPROX_RANGE.format(kind=kinds[key])]
        if approx_scope[key]:
            notes.append(APPROX_SCOPE)
        out.append(
            ThreatScore(
                threat=t,
                place=pl,
                score=round(v, 2),
                species_count=len(species[key]),
                approximation="; ".join(notes),
                threat_label=threat_labels.get(t, ""),
                place_name=place_names.get(pl, ""),
                place_type=kinds[key],
            )
        )
    out.sort(key=lambda s: (-s.score, s.threat, s.place))
    return out
