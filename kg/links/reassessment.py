"""kg.links.reassessment — species needing reassessment: old assessments and recent site events.

A species is listed when its latest assessment is older than `years` (10: the Red List
guidelines ask for reassessment at least every ten years) relative to `today`, or when a
site event recorded as affecting it (kg.events) happened on or after its assessment.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from rdflib import Literal

from kg.query import run
from kg.store import Store
from kg.vocab import XSD


@dataclass
class ReassessmentItem:
    taxon: str
    scientific_name: str
    category: str
    assessment: str
    assessment_date: date | None
    year: int | None
    reasons: list[str] = field(default_factory=list)  # "age", "event"
    age_years: float | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _minus_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def reassessment_list(
    store: Store, *, today: date | None = None, years: int = 10
) -> list[ReassessmentItem]:
    """Species needing reassessment, by age and by events, most urgent first."""
    if years < 1:
        raise ValueError("years must be at least 1")
    today = today or date.today()
    cutoff = _minus_years(today, years)
    items: dict[str, ReassessmentItem] = {}

    def item(r: dict[str, Any]) -> ReassessmentItem:
        it = items.get(r["taxon"])
        if it is None:
            ad = r["assessmentDate"]
            yr = int(r["year"]) if r["year"] is not None else None
            age = (today - ad).days / 365.25 if ad else (today.year - yr if yr else None)
            it = items[r["taxon"]] = ReassessmentItem(
                r["taxon"],
                str(r["scientificName"]),
                str(r["category"]),
                r["assessment"],
                ad,
                yr,
                age_years=round(age, 1) if age is not None else None,
            )
        return it

    for r in run(
        store,
        "links_reassessment_age",
        cutoffDate=Literal(cutoff.isoformat(), datatype=XSD.date),
        cutoffYear=Literal(cutoff.year, datatype=XSD.integer),
    ).values():
        item(r).reasons.append("age")
    for r in run(store, "links_reassessment_events").values():
        it = item(r)
        if "event" not in it.reasons:
            it.reasons.append("event")
        if all(e["id"] != str(r["eventId"]) for e in it.events):
            it.events.append(
                {
                    "id": str(r["eventId"]),
                    "kind": str(r["eventKind"]),
                    "date": r["eventDate"],
                    "place": str(r["placeName"] or ""),
                }
            )
    return sorted(
        items.values(), key=lambda i: (-len(i.reasons), -(i.age_years or 0), i.scientific_name)
    )
