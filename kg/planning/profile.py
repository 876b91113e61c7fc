"""kg.planning.profile — records → per-assessment planning profiles; pure, no I/O.

A `Profile` is what every planning step reads about one assessment: category and criteria,
threats with timing/scope/severity, habitats, places (as place keys), actions needed and the
narrative texts. Profiles are built from a `Bundle` (an export read by `kg.ingest`, or the
graph read back by `kg.fetch`) or from the lean planning queries (`kg.planning.graphdata`).

Place keys: a country is its ISO 3166-1 alpha-2 code ("ID"); any other place is
"<type>-<code as local name>" ("lme-4_5_4", "waterbody-LakeFictara"), the local part of
its IRI under id/place/ (see ontology/README.md).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg import iris
from kg.build import SCOPE_WEIGHT, SEVERITY_WEIGHT, TIMING_WEIGHT, key_of, latest_by_taxon, parse_criteria
from kg.records import Bundle

THREATENED = frozenset({"CR", "EN", "VU"})
PAST = "Past, Unlikely to Return"
ABSENT_PRESENCE = frozenset({"Extinct", "Possibly Extinct", "Extinct Post-1500", "Presence Uncertain"})
EXCLUDED_ORIGIN = frozenset({"Introduced", "Vagrant", "Assisted Colonisation"})
PLACE_SPECIFICITY: dict[str, float] = {
    # how much sharing a place of this type says about sharing a threat on the ground
    "site": 1.0,
    "waterbody": 1.0,
    "protectedarea": 1.0,
    "subnational": 0.7,
    "lme": 0.5,
    "country": 0.5,
}


def level(code: str, n: int) -> str:
    """The level-n ancestor of a dotted IUCN code ('7.2.10', 2 -> '7.2'); the code if shallower."""
    return ".".join(code.split(".")[:n])


def place_key(place_type: str, code: str) -> str:
    """'country','ID' -> 'ID'; 'lme','4.5.4' -> 'lme-4_5_4'; 'waterbody','Lake X' -> 'waterbody-LakeX'."""
    if place_type == "country":
        return code.strip().upper()
    return f"{place_type}-{iris.code_local(code)}"


def place_type_of(key: str) -> str:
    return key.split("-", 1)[0] if "-" in key else "country"


@dataclass(frozen=True, slots=True)
class ThreatFact:
    code: str
    timing: str = ""
    scope: str = ""
    severity: str = ""
    stresses: tuple[str, ...] = ()

    @property
    def current(self) -> bool:
        """False for threats coded 'Past, Unlikely to Return' (they need no abatement)."""
        return self.timing != PAST

    @property
    def impact(self) -> float:
        """IUCN impact score (timing + scope + severity, 0..9) mapped to 0.1..1.0.

        Unknown timing counts as ongoing (3): an uncoded timing is not evidence of a past threat.
        """
        if not self.current:
            return 0.1
        timing = 3 if self.timing in ("", "Unknown") else TIMING_WEIGHT.get(self.timing, 0)
        score = timing + SCOPE_WEIGHT.get(self.scope, 0) + SEVERITY_WEIGHT.get(self.severity, 0)
        return round(0.1 + 0.9 * score / 9, 4)


@dataclass(slots=True)
class Profile:
    assessment_id: str
    taxon_id: str
    name: str
    category: str
    criteria: str = ""
    year: int | None = None
    trend: str = ""
    kingdom: str = ""
    class_: str = ""
    order: str = ""
    family: str = ""
    genus: str = ""
    threats: tuple[ThreatFact, ...] = ()
    habitats: tuple[str, ...] = ()
    places: tuple[str, ...] = ()  # place keys where the taxon is extant (native or reintroduced)
    lost_places: tuple[str, ...] = ()  # place keys where it is extinct or possibly extinct
    place_names: dict[str, str] = field(default_factory=dict)
    actions: tuple[str, ...] = ()  # actions needed (coded)
    research: tuple[str, ...] = ()
    texts: dict[str, str] = field(default_factory=dict)
    possibly_extinct: bool = False
    possibly_extinct_in_the_wild: bool = False
    systems: tuple[str, ...] = ()

    @property
    def threatened(self) -> bool:
        return self.category in THREATENED

    @property
    def criteria_elements(self) -> list[str]:
        return parse_criteria(self.criteria) if self.criteria else []

    @property
    def has_conservation_section(self) -> bool:
        """Coded actions needed or a conservation-actions text (the section hidden in evaluation)."""
        return bool(self.actions) or bool(self.texts.get("conservation_actions", "").strip())

    def current_threats(self) -> tuple[ThreatFact, ...]:
        return tuple(t for t in self.threats if t.current)

    def threat_weights(self, lvl: int = 2) -> dict[str, float]:
        """Rolled-up threat code -> highest impact of the coded threats under it (current only)."""
        out: dict[str, float] = {}
        for t in self.current_threats():
            c = level(t.code, lvl)
            out[c] = max(out.get(c, 0.0), t.impact)
        return out

    def hidden(self) -> Profile:
        """The profile with its conservation section hidden (actions, research, conservation text)."""
        texts = {k: v for k, v in self.texts.items() if k != "conservation_actions"}
        return dataclasses.replace(self, actions=(), research=(), texts=texts)

    def without_threats(self) -> Profile:
        """The profile with its coded threats hidden (texts and places kept)."""
        return dataclasses.replace(self, threats=())


def profiles_from_bundle(bundle: Bundle, latest_only: bool = True) -> list[Profile]:
    """One profile per assessment of the bundle (per taxon's latest one when `latest_only`)."""
    taxa = {t.taxon_id: t for t in bundle.taxa}
    keep = None
    if latest_only:
        keep = set(latest_by_taxon(key_of(a) for a in bundle.assessments).values())
    threats: dict[str, dict[str, ThreatFact]] = defaultdict(dict)
    for t in bundle.threats:
        cur = threats[t.assessment_id].get(t.code)
        stresses = tuple(sorted(set(t.stresses) | set(cur.stresses if cur else ())))
        threats[t.assessment_id][t.code] = ThreatFact(
            t.code,
            t.timing or (cur.timing if cur else ""),
            t.scope or (cur.scope if cur else ""),
            t.severity or (cur.severity if cur else ""),
            stresses,
        )
    actions: dict[str, list[str]] = defaultdict(list)
    for ac in bundle.actions:
        if ac.status == "needed" and ac.code and ac.code not in actions[ac.assessment_id]:
            actions[ac.assessment_id].append(ac.code)
    research: dict[str, list[str]] = defaultdict(list)
    for r in bundle.research:
        research[r.assessment_id].append(r.code)
    habitats: dict[str, list[str]] = defaultdict(list)
    for h in bundle.habitats:
        if h.code not in habitats[h.assessment_id]:
            habitats[h.assessment_id].append(h.code)
    places: dict[str, dict[str, None]] = defaultdict(dict)
    lost: dict[str, dict[str, None]] = defaultdict(dict)
    names: dict[str, dict[str, str]] = defaultdict(dict)
    for o in bundle.occurrences:
        if o.origin in EXCLUDED_ORIGIN:
            continue
        k = place_key(o.place_type, o.code)
        (lost if o.presence in ABSENT_PRESENCE else places)[o.assessment_id][k] = None
        if o.name:
            names[o.assessment_id][k] = o.name
    out = []
    for a in bundle.assessments:
        if keep is not None and a.assessment_id not in keep:
            continue
        tx = taxa.get(a.taxon_id)
        aid = a.assessment_id
        out.append(
            Profile(
                assessment_id=aid,
                taxon_id=a.taxon_id,
                name=a.scientific_name,
                category=a.category,
                criteria=a.criteria,
                year=a.year_published,
                trend=a.population_trend,
                kingdom=tx.kingdom if tx else "",
                class_=tx.class_ if tx else "",
                order=tx.order if tx else "",
                family=tx.family if tx else "",
                genus=tx.genus if tx else "",
                threats=tuple(threats[aid].values()),
                habitats=tuple(habitats[aid]),
                places=tuple(places[aid]),
                lost_places=tuple(k for k in lost[aid] if k not in places[aid]),
                place_names=dict(names[aid]),
                actions=tuple(actions[aid]),
                research=tuple(research[aid]),
                texts={k: v for k, v in a.texts.items() if v and v.strip()},
                possibly_extinct=bool(a.possibly_extinct),
                possibly_extinct_in_the_wild=bool(a.possibly_extinct_in_the_wild),
                systems=a.systems,
            )
        )
    return out


def by_assessment(profiles: Iterable[Profile]) -> dict[str, Profile]:
    return {p.assessment_id: p for p in profiles}
