"""kg.fetch — graph → records: rebuild a Bundle of assessments from the store.

The reverse of kg.build for what downstream stages need (texts for NLP, coded threats,
actions, habitats and places for planning): taxa, assessments with narrative texts,
threat impacts, actions (needed and in place), research needed, habitats, occurrences.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from rdflib import URIRef

from kg import iris
from kg.query import run
from kg.records import (
    Action,
    Assessment,
    Bundle,
    HabitatUse,
    Occurrence,
    ResearchNeeded,
    Taxon,
    ThreatImpact,
)
from kg.store import Store
from kg.vocab import A2P

TEXT_COLUMNS = {
    "rationale": "rationale",
    "habitat": "habitat",
    "threats": "threats",
    "population": "population",
    "range": "range",
    "useTrade": "use_trade",
    "conservationActions": "conservation_actions",
    "trendJustification": "trend_justification",
}

PLACE_TYPES = {
    str(A2P.Country): "country",
    str(A2P.SubnationalUnit): "subnational",
    str(A2P.LargeMarineEcosystem): "lme",
    str(A2P.Site): "site",
    str(A2P.WaterBody): "waterbody",
    str(A2P.ProtectedArea): "protectedarea",
}


def _s(v: object) -> str:
    return "" if v is None else str(v)


def _flag(v: object) -> bool | None:
    """xsd:boolean from Oxigraph/rdflib, or the 1/0 integer Virtuoso returns for it."""
    return None if v is None else bool(v)


def bundle(
    store: Store, assessment_ids: Iterable[str] | None = None, latest_only: bool = True
) -> Bundle:
    """Records for the given assessments (all latest ones when `assessment_ids` is None)."""
    ids = list(assessment_ids) if assessment_ids is not None else None
    if ids is not None and len(ids) == 1:
        head_rows = run(
            store, "fetch_assessments", assessment=URIRef(iris.assessment(ids[0]))
        ).values()
        part_rows = run(store, "fetch_parts", assessment=URIRef(iris.assessment(ids[0]))).values()
    else:
        head_rows = run(
            store, "fetch_assessments", latestOnly=latest_only if ids is None else None
        ).values()
        part_rows = run(store, "fetch_parts").values()
        if ids is not None:
            wanted = set(ids)
            head_rows = [r for r in head_rows if r["assessmentId"] in wanted]
    keep = {r["assessmentId"] for r in head_rows}

    taxa: dict[str, Taxon] = {}
    assessments = []
    for r in head_rows:
        tid = _s(r["taxonId"])
        taxa.setdefault(
            tid,
            Taxon(
                taxon_id=tid,
                scientific_name=_s(r["scientificName"]),
                kingdom=_s(r["kingdom"]),
                phylum=_s(r["phylum"]),
                class_name=_s(r["className"]),
                order=_s(r["order"]),
                family=_s(r["family"]),
                genus=_s(r["genus"]),
                species=_s(r["species"]),
            ),
        )
        d = r["date"]
        assessments.append(
            Assessment(
                assessment_id=_s(r["assessmentId"]),
                taxon_id=tid,
                scientific_name=_s(r["scientificName"]),
                category=_s(r["category"]),
                criteria=_s(r["criteria"]),
                criteria_version=_s(r["criteriaVersion"]),
                assessment_date=d if isinstance(d, date) else None,
                year_published=int(r["year"]) if r["year"] is not None else None,
                population_trend=_s(r["trend"]),
                possibly_extinct=_flag(r["pe"]),
                possibly_extinct_in_the_wild=_flag(r["pew"]),
                texts={key: _s(r[col]) for col, key in TEXT_COLUMNS.items() if r.get(col)},
            )
        )

    parts: dict[str, list] = defaultdict(list)
    for r in part_rows:
        aid = _s(r["assessmentId"])
        if aid not in keep:
            continue
        kind, code = r["kind"], _s(r["code"])
        if kind == "threat":
            parts["threats"].append(
                ThreatImpact(
                    assessment_id=aid,
                    code=code,
                    timing=_s(r["timing"]),
                    scope=_s(r["scope"]),
                    severity=_s(r["severity"]),
                    stresses=tuple(sorted(s for s in _s(r["stresses"]).split("|") if s)),
                    text=_s(r["note"]),
                )
            )
        elif kind in ("action", "inplace"):
            parts["actions"].append(
                Action(
                    assessment_id=aid,
                    code=code,
                    status="needed" if kind == "action" else "in_place",
                    note=_s(r["note"]),
                    question=_s(r["question"]),
                    answer=_s(r["answer"]),
                )
            )
        elif kind == "research":
            parts["research"].append(
                ResearchNeeded(assessment_id=aid, code=code, note=_s(r["note"]))
            )
        elif kind == "habitat":
            parts["habitats"].append(
                HabitatUse(
                    assessment_id=aid,
                    code=code,
                    suitability=_s(r["suitability"]),
                    major_importance=_flag(r["major"]),
                    season=_s(r["season"]),
                )
            )
        elif kind == "occurrence":
            parts["occurrences"].append(
                Occurrence(
                    assessment_id=aid,
                    place_type=PLACE_TYPES[_s(r["placeType"])],  # type: ignore[arg-type]
                    code=code,
                    name=_s(r["placeName"]),
                    presence=_s(r["presence"]),
                    origin=_s(r["origin"]),
                )
            )
    return Bundle(
        taxa=tuple(taxa.values()),
        assessments=tuple(sorted(assessments, key=lambda a: a.assessment_id)),
        threats=tuple(sorted(parts["threats"], key=lambda t: (t.assessment_id, t.code))),
        actions=tuple(
            sorted(parts["actions"], key=lambda a: (a.assessment_id, a.status, a.code, a.question))
        ),
        research=tuple(sorted(parts["research"], key=lambda r: (r.assessment_id, r.code))),
        habitats=tuple(sorted(parts["habitats"], key=lambda h: (h.assessment_id, h.code))),
        occurrences=tuple(
            sorted(parts["occurrences"], key=lambda o: (o.assessment_id, o.place_type, o.code))
        ),
        sources=(store.url,),
    )
