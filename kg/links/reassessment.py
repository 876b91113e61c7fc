"""kg.links.reassessment — species needing reassessment: old assessments and recent site events.

A species is listed when its latest assessment is older than `years` (10: the Red List
guidelines ask for reassessment at least every ten years) relative to `today`, or when a
site event recorded as affecting it (kg.events) happened on or after its assessment.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from kg.planning.graphdata import tuples
from kg.query import run
from kg.store import Store


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


def _latest_facts(store: Store) -> dict[str, tuple[str, str, str, date | None, int | None]]:
    """taxon IRI -> (scientific name, category code, latest assessment, its date, its year) for
    every taxon with a latest assessment, a name and a coded category (one scan)."""
    latest: dict[str, str] = {}
    name: dict[str, str] = {}
    when: dict[str, str] = {}
    year: dict[str, str] = {}
    category: dict[str, str] = {}
    notation: dict[str, str] = {}
    columns = {
        "latest": latest,
        "name": name,
        "date": when,
        "year": year,
        "category": category,
        "notation": notation,
    }
    for s, k, o in tuples(store, "links_reassessment_scan")[1]:
        if s is not None and k in columns and o is not None:
            columns[k].setdefault(s, o)
    out = {}
    for taxon, a in latest.items():
        code = notation.get(category.get(a, ""))
        if taxon in name and code is not None:
            d = when.get(a)
            y = year.get(a)
            out[taxon] = (name[taxon], code, a, date.fromisoformat(d) if d else None, int(y) if y else None)
    return out


def reassessment_list(
    store: Store, *, today: date | None = None, years: int = 10
) -> list[ReassessmentItem]:
    """Species needing reassessment, by age and by events, most urgent first.

    The latest assessments are read in one scan and joined in Python (the answers of
    links_reassessment_age and links_reassessment_events, in a fraction of their time at
    172k species); the events with links_reassessment_event_rows.
    """
    if years < 1:
        raise ValueError("years must be at least 1")
    today = today or date.today()
    cutoff = _minus_years(today, years)
    facts = _latest_facts(store)
    items: dict[str, ReassessmentItem] = {}

    def item(taxon: str) -> ReassessmentItem:
        it = items.get(taxon)
        if it is None:
            name, category, a, ad, yr = facts[taxon]
            age = (today - ad).days / 365.25 if ad else (today.year - yr if yr else None)
            it = items[taxon] = ReassessmentItem(
                taxon,
                name,
                category,
                a,
                ad,
                yr,
                age_years=round(age, 1) if age is not None else None,
            )
        return it

    def old(f: tuple[str, str, str, date | None, int | None]) -> bool:
        _, category, _, ad, yr = f
        if category == "EX":
            return False
        return ad < cutoff if ad is not None else yr is not None and yr < cutoff.year

    # links_reassessment_age's order: by date, then year (unbound first), then name
    aged = sorted(
        (t for t, f in facts.items() if old(f)),
        key=lambda t: (
            facts[t][3] is not None,
            facts[t][3] or date.min,
            facts[t][4] is not None,
            facts[t][4] or 0,
            facts[t][0],
        ),
    )
    for taxon in aged:
        item(taxon).reasons.append("age")
    events = []
    for r in run(store, "links_reassessment_event_rows").values():
        f = facts.get(r["taxon"])
        if f is None:
            continue
        ad, yr, on = f[3], f[4], r["eventDate"]
        if (ad is not None and on >= ad) or (ad is None and (yr is None or on.year >= yr)):
            events.append((f[0], on, r))
    for _, _, r in sorted(events, key=lambda e: (e[0], e[1])):
        it = item(r["taxon"])
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
