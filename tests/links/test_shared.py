"""The link ingest on the real samples in ../shared/data (development only; skips when absent).

Graph: the Pacific marine export, the nine API v4 assessments and the primates export
(copied to a temporary folder with its one two-scope row written the way kg.ingest reads
it). Nothing derived from ../shared/data is written anywhere but pytest's tmp_path.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from linkdata import SHARED_DATA

from kg.links.load import LinkReport, link_file
from kg.links.review import link_columns
from kg.load import ingest
from kg.store import Store, open_store

pytestmark = pytest.mark.shared_data


def shared(*parts: str) -> Path:
    p = SHARED_DATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} is absent (../shared/data is for development only)")
    return p


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    pacific = shared("redlist-export-pacific-marine-2019")
    api = shared("iucn-api-v4-samples", "assessments")
    primates_src = shared("redlist-export-primates", "assessments.csv")
    tmp = tmp_path_factory.mktemp("shared")
    primates = tmp / "primates"
    primates.mkdir()
    with (
        primates_src.open(encoding="utf-8", newline="") as fh,
        (primates / "assessments.csv").open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.DictReader(fh)
        writer = csv.DictWriter(out, reader.fieldnames or [])
        writer.writeheader()
        for row in reader:
            row["scopes"] = row["scopes"].replace(" & ", "|")
            writer.writerow(row)
    with open_store(f"oxigraph:{tmp / 'graph'}") as st:
        ingest([pacific, api, primates], st)
        yield st


def summary(rep: LinkReport) -> str:
    r = rep.report
    return (
        f"{r.kind}: {r.rows} rows, {r.links()} links to {len(r.taxa())} taxa {r.by_method()}, "
        f"{r.unmatched_rows()} unmatched {r.by_reason()}"
    )


def test_cites_index(graph: Store) -> None:
    rep = link_file(
        "cites", shared("cites-index-2017", "Index_of_CITES_Species_2017-04-21.csv.gz"), graph
    )
    print(summary(rep))
    r = rep.report
    assert r.rows == 38079
    by = r.by_method()
    assert by["exact"] >= 320 and by["synonym"] >= 10 and by["higher_taxon"] >= 60
    assert "ambiguous" not in r.by_reason()
    near = {u.name: u for u in r.unmatched if u.reason == "spelling"}
    assert near["Acropora fastigiata"].candidates == ("Acropora fastigata",)  # reported, not linked
    cols = {v["scientificName"]: v for v in link_columns(graph).values()}
    assert cols["Acropora fastigata"]["cites"] == "II (via Acropora)"
    assert cols["Isopora crateriformis"]["cites"] == "II (via Acroporidae)"
    assert cols["Gorilla gorilla"]["cites"] == "I"
    linked = sum(1 for v in cols.values() if v["cites"])
    assert linked >= 0.85 * len(cols)


def test_staerk_table(graph: Store) -> None:
    f = shared("staerk-eu-insitu-exsitu-2022", "SupplementalFile1_EUSpeciesData.csv")
    reps = [link_file(kind, f, graph, encoding="latin-1") for kind in ("exsitu", "scores", "ids")]
    for rep in reps:
        print(summary(rep))
        assert rep.profile == "staerk2022" and rep.report.rows == 847
        assert {m.taxon_name for m in rep.report.matched} == {"Canis lupus", "Fratercula arctica"}
    cols = {v["scientificName"]: v for v in link_columns(graph).values()}
    wolf = cols["Canis lupus"]
    assert (
        "global: 404 institutions, 2526 individuals" in wolf["exSitu"]
        and wolf["programmes"] == "EEP"
    )
    assert wolf["identifiers"] == "https://www.gbif.org/species/5219173"
    assert cols["Fratercula arctica"]["edgeSpecies"] == 1


def test_green_status(graph: Store) -> None:
    rep = link_file("greenstatus", shared("iucn-api-v4-samples", "green_status_all.json"), graph)
    print(summary(rep))
    assert rep.report.rows == 115
    assert {m.taxon_name for m in rep.report.matched} == {
        "Nomascus hainanus",
        "Piliocolobus epieni",
        "Piliocolobus kirkii",
        "Presbytis femoralis",
    }
    assert rep.report.by_method() == {"sis_id": 4}


def test_nothing_from_shared_data_in_the_repository() -> None:
    here = Path(__file__).resolve().parent / "data"
    text = "\n".join(p.read_text(encoding="utf-8") for p in here.rglob("*") if p.is_file())
    for real in ("Acropora", "Canis lupus", "Gorilla", "Atlapetes", "Index_of_CITES"):
        assert real not in text
