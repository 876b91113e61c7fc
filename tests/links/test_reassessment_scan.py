"""kg.links.reassessment reads the latest assessments in one scan and joins in Python: the list
equals the one built from links_reassessment_age and links_reassessment_events (the joins the
scan replaces), in the same order, on both embedded engines."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal

from kg.events import EventIn, record_event
from kg.links.reassessment import _minus_years, reassessment_list
from kg.load import ingest
from kg.query import run
from kg.store import Store, open_store
from kg.synth import write_download


def by_queries(store: Store, today: date, years: int) -> list[tuple[Any, ...]]:
    """The list as the two library queries answer it (the implementation the scan replaced)."""
    cutoff = _minus_years(today, years)
    items: dict[str, dict[str, Any]] = {}

    def item(r: dict[str, Any]) -> dict[str, Any]:
        if r["taxon"] not in items:
            ad, yr = r["assessmentDate"], int(r["year"]) if r["year"] is not None else None
            age = (today - ad).days / 365.25 if ad else (today.year - yr if yr else None)
            items[r["taxon"]] = {
                "row": (r["taxon"], str(r["scientificName"]), str(r["category"]), r["assessment"], ad, yr),
                "age": round(age, 1) if age is not None else None,
                "reasons": [],
                "events": [],
            }
        return items[r["taxon"]]

    age_rows = run(
        store,
        "links_reassessment_age",
        cutoffDate=Literal(cutoff),  # xsd:date
        cutoffYear=Literal(cutoff.year),  # xsd:integer
    ).values()
    for r in age_rows:
        item(r)["reasons"].append("age")
    for r in run(store, "links_reassessment_events").values():
        it = item(r)
        if "event" not in it["reasons"]:
            it["reasons"].append("event")
        if str(r["eventId"]) not in it["events"]:
            it["events"].append(str(r["eventId"]))
    ordered = sorted(items.values(), key=lambda i: (-len(i["reasons"]), -(i["age"] or 0), i["row"][1]))
    return [(*i["row"], i["age"], tuple(i["reasons"]), tuple(i["events"])) for i in ordered]


def by_scan(store: Store, today: date, years: int) -> list[tuple[Any, ...]]:
    return [
        (
            i.taxon,
            i.scientific_name,
            i.category,
            i.assessment,
            i.assessment_date,
            i.year,
            i.age_years,
            tuple(i.reasons),
            tuple(e["id"] for e in i.events),
        )
        for i in reassessment_list(store, today=today, years=years)
    ]


@pytest.fixture(scope="module")
def download(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reassess") / "dl"
    write_download(path, species=250, seed=3)
    return path


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_scan_equals_the_queries(backend: str, download: Path, tmp_path: Path) -> None:
    url = "memory:" if backend == "memory" else f"oxigraph:{tmp_path / 'g'}"
    with open_store(url) as st:
        ingest([download], st)
        for place, on in (("ID", date(2016, 3, 1)), ("MY", date(2024, 5, 5)), ("BN", date(1999, 1, 1))):
            record_event(st, EventIn(place=place, kind="flood", date=on))
        for today, years in ((date(2025, 1, 1), 10), (date(2025, 6, 1), 5), (date(2012, 2, 29), 1)):
            want = by_queries(st, today, years)
            got = by_scan(st, today, years)
            assert got == want
        reasons = {r for row in by_scan(st, date(2025, 1, 1), 10) for r in row[7]}
        assert reasons == {"age", "event"}  # both kinds present: the comparison is not vacuous
        assert sum(1 for row in by_scan(st, date(2025, 1, 1), 10) if len(row[7]) == 2) > 0
