"""kg.events and kg.links.reassessment: the species a site event affects, who needs reassessing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from linkdata import taxon
from pydantic import ValidationError

from kg import iris
from kg.events import (
    EventIn,
    affected_species,
    event_affected,
    get_event,
    list_events,
    record_event,
)
from kg.links.pledges import PledgeIn, add_pledge
from kg.links.reassessment import reassessment_list
from kg.load import ingest
from kg.store import Store, open_store
from kg.synth import write_download


def names(aff) -> list[str]:
    return [a.scientific_name for a in aff.species]


def test_site_by_narrative_text(store: Store) -> None:
    aff = affected_species(store, "waterbody:Lake Fictara", ["7.2", "11.2"])
    # 700001 names the lake in its range text, 700003 in lower case in its habitat text;
    # 700008 is called "Lake Fictara subpopulation" in its taxonomy, not in any text
    assert names(aff) == ["Fictobarbus pallidus", "Fictorana lacustris"]  # CR before EN
    lac = aff.species[1]
    assert lac.via == ["text"] and lac.category == "EN" and lac.assessment_date == date(2012, 3, 1)
    assert {(t.code, t.event_related) for t in lac.threats} == {("7.2.10", True), ("11.2", True)}
    pal = aff.species[0]
    assert {(t.code, t.event_related) for t in pal.threats} == {("7.2", True), ("9.3", False)}
    assert aff.place["iri"] == iris.place("waterbody", "Lake Fictara")


def test_country_lme_and_extinct_occurrences(store: Store) -> None:
    # EN before VU, then by name; Fictoglis insularis is Extinct Post-1500 in Indonesia
    assert names(affected_species(store, "ID")) == [
        "Fictorana lacustris",
        "Fictopora parva",
        "Fictorana montana",
    ]
    assert names(affected_species(store, "Indonesia")) == names(affected_species(store, "ID"))
    assert set(names(affected_species(store, "lme:34"))) == {"Fictopora magna", "Fictopora parva"}
    assert affected_species(store, "site:Nowhere at all").species == []
    # the species and its subpopulation both occur in the Philippines
    ph = affected_species(store, "PH").species
    assert [a.taxon for a in ph] == [taxon("700008"), taxon("700007")]  # CR before DD
    assert all(a.via == ["occurrence"] and a.presence == "Extant" for a in ph)


def test_pledges_associate_and_are_reported(mem_store: Store) -> None:
    p = add_pledge(
        mem_store,
        PledgeIn.model_validate(
            {
                "stakeholder": {"name": "Reef Fictland"},
                "taxa": ["Fictorana montana"],
                "place": "waterbody:Lake Fictara",
                "action": "2.1",
                "status": "active",
            }
        ),
    )
    aff = affected_species(mem_store, "waterbody:Lake Fictara")
    mon = next(a for a in aff.species if a.scientific_name == "Fictorana montana")
    assert mon.via == ["pledge"] and [x["id"] for x in mon.pledges] == [p.id]
    assert [s["id"] for s in aff.stakeholders] == [p.id]
    assert aff.stakeholders[0]["stakeholder"]["name"] == "Reef Fictland"


def test_record_list_and_snapshot(store: Store) -> None:
    rec = record_event(
        store,
        EventIn(
            place="waterbody:Lake Fictara",
            kind="dried up",
            date=date(2024, 8, 1),
            description="The lake dried up.",
            reported_by="ranger",
        ),
        now=datetime(2024, 8, 2, tzinfo=UTC),
    )
    e = rec.event
    assert e.kind == "dried_up" and sorted(e.threats) == ["11.2", "7.2"] and e.affected == 2
    assert e.place["name"] == "Lake Fictara" and e.reported_by == "ranger"
    assert rec.notifications == []  # nobody subscribed
    assert get_event(store, e.id) == e
    assert [x.id for x in list_events(store, place="waterbody:Lake Fictara")] == [e.id]
    assert list_events(store, place="ID") == []
    assert names(event_affected(store, e.id)) == names(rec.affected)
    with pytest.raises(KeyError):
        event_affected(store, "e000000000000")
    other = record_event(store, EventIn(place="lme:34", kind="bleaching", date=date(2024, 9, 1)))
    assert [x.id for x in list_events(store)] == [other.event.id, e.id]  # newest first
    assert other.event.threats == ["11.3"]
    assert all(any(t.event_related for t in a.threats) for a in other.affected.species)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"place": "waterbody:Lake Fictara", "kind": "meteor"}, "unknown event kind"),
        ({"place": "waterbody:Lake Fictara", "threats": ["99.1"]}, "unknown threat code"),
        ({"place": "XX"}, "unknown country"),
        ({"place": ""}, "at least 1 character"),
    ],
)
def test_invalid_events(body: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        EventIn.model_validate(body)


def test_reassessment_by_age_and_by_event(store: Store) -> None:
    today = date(2025, 1, 1)
    before = {i.scientific_name: i for i in reassessment_list(store, today=today)}
    # assessed before 2015-01-01 (or, undated, published before 2015)
    assert set(before) == {"Fictorana lacustris", "Fictopora magna", "Fictopora parva"}
    assert (
        before["Fictopora magna"].assessment_date is None and before["Fictopora magna"].year == 2008
    )
    assert before["Fictorana lacustris"].reasons == ["age"]
    assert before["Fictorana lacustris"].age_years == 12.8
    assert {i.scientific_name for i in reassessment_list(store, today=today, years=5)} >= {
        "Fictoglis insularis",
        "Fictorana lacustris",
    }
    # an event before an assessment does not count, one after it does
    record_event(
        store, EventIn(place="waterbody:Lake Fictara", kind="dried_up", date=date(2019, 1, 1))
    )
    after = {i.scientific_name: i for i in reassessment_list(store, today=today)}
    assert after["Fictorana lacustris"].reasons == ["age", "event"]
    assert "Fictobarbus pallidus" not in after  # assessed 2019-07-01, after the event
    ev = record_event(store, EventIn(place="MY", kind="pollution", date=date(2024, 5, 5)))
    after = {i.scientific_name: i for i in reassessment_list(store, today=today)}
    assert after["Fictobarbus pallidus"].reasons == ["event"]
    assert [e["id"] for e in after["Fictobarbus pallidus"].events] == [ev.event.id]
    assert list(after)[0] == "Fictorana lacustris"  # two reasons first


def test_synthetic_download_sites(tmp_path: Path) -> None:
    """Synthetic download: a site event finds exactly the taxa whose latest text names the site."""
    import csv

    write_download(tmp_path / "dl", species=30, seed=5)
    with open_store(f"oxigraph:{tmp_path / 'g'}") as st:
        ingest([tmp_path / "dl"], st)
        rows = list(csv.DictReader((tmp_path / "dl" / "assessments.csv").open(encoding="utf-8")))
        latest: dict[str, dict[str, str]] = {}
        for r in rows:  # latest = newest year (synthetic taxa are all global)
            cur = latest.get(r["internalTaxonId"])
            if cur is None or (r["yearPublished"], r["assessmentDate"]) > (
                cur["yearPublished"],
                cur["assessmentDate"],
            ):
                latest[r["internalTaxonId"]] = r
        fields = (
            "rationale",
            "habitat",
            "threats",
            "population",
            "range",
            "useTrade",
            "conservationActions",
        )
        for site in ("Lake Fictara", "Rawa Semu peat swamp", "Imajin river"):
            expected = {
                r["scientificName"]
                for r in latest.values()
                if any(site.lower() in r[f].lower() for f in fields)
            }
            got = set(names(affected_species(st, f"site:{site}")))
            assert got == expected and got, site
