"""kg.links.load: each link source into its own named graph, idempotent, all or nothing."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from linkdata import DATA, taxon
from rdflib import URIRef

from kg.ingest import IngestError
from kg.links import terms
from kg.links.load import LinkError, link_file
from kg.links.review import link_columns, review_table, species_links
from kg.store import Store, open_store

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def outcome(rep, row: int) -> str:
    """The method a row matched by, or its unmatched reason."""
    m = [m.method for m in rep.report.matched if m.row == row]
    u = [u.reason for u in rep.report.unmatched if u.row == row]
    return (m or u)[0]


def test_cites(store: Store) -> None:
    rep = link_file("cites", DATA / "cites.csv", store, now=NOW)
    r = rep.report
    assert r.rows == 14
    assert {row: outcome(rep, row) for row in range(1, 15)} == {
        1: "exact",
        2: "normalised",
        3: "synonym",
        4: "synonym",
        5: "spelling",
        6: "higher_taxon",
        7: "ambiguous",
        8: "superseded",
        9: "exact",
        10: "not_found",
        11: "spelling",
        12: "synonym",
        13: "higher_rank",
        14: "empty",
    }
    # rows 11 and 12 are near misses: reported, never linked
    assert {u.row for u in r.unmatched} == {7, 8, 10, 11, 12, 13, 14}
    cols = link_columns(store)
    assert cols[taxon("700001")]["cites"] == "I"
    assert cols[taxon("700003")]["cites"] == "II"  # via the source's synonym list
    assert cols[taxon("700004")]["cites"] == "II"  # 'Fictobarbus pallidus minor'
    assert cols[taxon("700005")]["cites"] == "II"  # 'Fictopora magnus': spelling
    assert cols[taxon("700006")]["cites"] == "II (via Scleractinia)"  # order listing, own appendix
    assert cols[taxon("700007")]["cites"] == "I/II"
    assert cols[taxon("700008")]["cites"] is None  # the subpopulation takes nothing from the genus
    page = species_links(store, taxon("700001"))
    (listing,) = page["cites"]
    assert listing["citesAppendix"] == "I" and str(listing["listingDate"]) == "2017-10-04"
    assert listing["seeAlso"] == terms.species_plus("101")
    parva = species_links(store, taxon("700006"))["cites"][0]
    assert (
        parva["matchMethod"] == "higher_taxon" and parva["citesAnnotation"] == "Excludes fossils."
    )


def test_provenance_and_idempotence(store: Store, tmp_path: Path) -> None:
    g = terms.link_graph("cites")
    link_file("cites", DATA / "cites.csv", store, now=NOW)
    first = _graph_triples(store, g)
    link_file("cites", DATA / "cites.csv", store, now=NOW)
    assert _graph_triples(store, g) == first  # same file, same graph
    rows = store.select(
        "PREFIX a2p: <https://w3id.org/assess2plan/ontology#> "
        "PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT ?src ?read ?matched ?unmatched ?taxa ?sha ?created WHERE { GRAPH ?g { "
        "?g a a2p:LinkSource ; dcterms:source ?src ; a2p:rowsRead ?read ; "
        "a2p:rowsMatched ?matched ; a2p:rowsUnmatched ?unmatched ; a2p:taxaLinked ?taxa ; "
        "a2p:sha256 ?sha ; dcterms:created ?created } }",
        {"g": URIRef(g)},
    ).values()
    assert len(rows) == 1
    p = rows[0]
    assert (p["src"], p["read"], p["matched"], p["unmatched"], p["taxa"]) == (
        "cites.csv",
        14,
        7,
        7,
        7,
    )
    assert len(p["sha"]) == 64 and p["created"].year == 2025
    # a new version of the file replaces the old links, nothing else
    smaller = tmp_path / "cites.csv"
    lines = (DATA / "cites.csv").read_text(encoding="utf-8").splitlines()
    smaller.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    before = store.count() - len(first)
    link_file("cites", smaller, store, now=NOW)
    assert link_columns(store)[taxon("700002")]["cites"] is None
    assert link_columns(store)[taxon("700001")]["cites"] == "I"
    assert store.count() - len(_graph_triples(store, g)) == before


def test_datasets_keep_files_side_by_side(mem_store: Store) -> None:
    a = link_file("scores", DATA / "scores.csv", mem_store, dataset="edge2023")
    b = link_file("scores", DATA / "scores.csv", mem_store, dataset="national")
    assert a.graph != b.graph and {a.graph, b.graph} <= mem_store.graph_names()
    with pytest.raises(ValueError, match="dataset name"):
        link_file("scores", DATA / "scores.csv", mem_store, dataset="../x")


def test_exsitu_scores_ids_greenstatus(store: Store) -> None:
    ex = link_file("exsitu", DATA / "exsitu.csv", store)
    assert ex.report.by_method() == {"exact": 3, "synonym": 1}
    assert ex.report.by_reason() == {"not_found": 1}
    sc = link_file("scores", DATA / "scores.csv", store)
    assert sc.report.by_method() == {"exact": 7}
    ids = link_file("ids", DATA / "ids.csv", store)
    assert ids.report.by_reason() == {"not_found": 1}
    gs = link_file("greenstatus", DATA / "greenstatus.json", store)
    assert gs.report.by_method() == {"sis_id": 1, "synonym": 1}
    assert gs.report.by_reason() == {"not_found": 1}

    cols = link_columns(store)
    lac = cols[taxon("700001")]
    assert lac["exSitu"].split("; ") in (
        ["global: 12 institutions, 340 individuals", "EU: 3 institutions, 40 individuals"],
        ["EU: 3 institutions, 40 individuals", "global: 12 institutions, 340 individuals"],
    )
    assert sorted(lac["programmes"].split("; ")) == ["Amphibian Ark", "EEP"]
    assert lac["edgeScore"] == Decimal("12.5") and lac["edScore"] == Decimal("24.1")
    assert lac["aze"] == 1 and lac["nationalStatus"] == "ID: EN"
    assert lac["greenStatus"] == "33% Largely Depleted (2023)"
    assert set(lac["identifiers"].split()) == {
        terms.gbif("1000001"),
        terms.wikidata("Q1000001"),
        terms.ncbi("900001"),
    }
    mon = cols[taxon("700002")]
    assert mon["exSitu"] == "global: 2 institutions, 15 individuals" and mon["programmes"] == "SSP"
    assert mon["identifiers"] == terms.wikidata("Q1000002")  # a Wikidata URL is reduced to its QID
    assert mon["greenStatus"] == "8% Critically Depleted (2022)"  # matched through its synonyms
    pal = cols[taxon("700003")]
    assert pal["nationalStatus"] == "MY: CR" and pal["edgeSpecies"] == 1  # label → code
    assert cols[taxon("700005")]["nationalStatus"] == "Europe: VU"
    # skos:exactMatch sits on the taxon itself
    assert store.ask(
        "ASK { ?t <http://www.w3.org/2004/02/skos/core#exactMatch> ?id }",
        {"t": URIRef(taxon("700001")), "id": URIRef(terms.ncbi("900001"))},
    )


def test_review_table_gains_link_and_pledge_columns(mem_store: Store) -> None:
    from kg.links.pledges import PledgeIn, add_pledge

    link_file("cites", DATA / "cites.csv", mem_store)
    link_file("exsitu", DATA / "exsitu.csv", mem_store)
    add_pledge(
        mem_store,
        PledgeIn.model_validate(
            {
                "stakeholder": {"name": "Fictland Wetlands Trust"},
                "taxa": ["Fictorana lacustris"],
                "action": "2.1",
                "status": "active",
            }
        ),
    )
    rows = {r["scientificName"]: r for r in review_table(mem_store)}
    assert set(rows) == {
        "Fictorana lacustris",
        "Fictorana montana",
        "Fictobarbus pallidus",
        "Fictopora parva",
        "Fictoglis insularis",
    }  # CR, EN, VU only
    lac = rows["Fictorana lacustris"]
    assert lac["cites"] == "I" and "global: 12 institutions, 340 individuals" in lac["exSitu"]
    assert lac["pledges"] == "Fictland Wetlands Trust: 2.1 (active)"
    assert lac["threats"] and lac["countries"] == "ID"  # the review table's own columns are kept
    assert rows["Fictopora parva"]["cites"] == "II (via Scleractinia)"
    assert [r["scientificName"] for r in review_table(mem_store, "EN")] == ["Fictorana lacustris"]


@pytest.mark.parametrize(
    ("kind", "text", "column", "row", "message"),
    [
        (
            "cites",
            "FullName,CurrentListing\nFictorana lacustris,IV\n",
            "CurrentListing",
            1,
            "unknown CITES listing",
        ),
        (
            "cites",
            "FullName,Listing date\nFictorana lacustris,I\n",
            "CurrentListing",
            0,
            "missing required column 'CurrentListing'",
        ),
        (
            "cites",
            "FullName,CurrentListing,ListingDate\nFictorana lacustris,I,31/31/2017\n",
            "ListingDate",
            1,
            "not a date",
        ),
        (
            "exsitu",
            "scientificName,institutions\nFictorana lacustris,-3\n",
            "institutions",
            1,
            "not a whole number",
        ),
        (
            "exsitu",
            "scientificName,region\nFictorana lacustris,EU\n",
            "institutions",
            0,
            "needs an 'institutions'",
        ),
        (
            "scores",
            "scientificName,scheme,value\nFictorana lacustris,popularity,3\n",
            "scheme",
            1,
            "unknown scheme",
        ),
        (
            "scores",
            "scientificName,scheme,value\nFictorana lacustris,national,EN\n",
            "scheme",
            1,
            "needs a region",
        ),
        (
            "scores",
            "scientificName,scheme,value,region\nFictorana lacustris,national,Awful,ID\n",
            "value",
            1,
            "unknown red list category",
        ),
        (
            "scores",
            "scientificName,scheme,value\nFictorana lacustris,edge,high\n",
            "value",
            1,
            "not a number",
        ),
        (
            "ids",
            "scientificName,wikidata\nFictorana lacustris,L123\n",
            "wikidata",
            1,
            "not a Wikidata QID",
        ),
        (
            "ids",
            "scientificName,gbifKey\nFictorana lacustris,12a\n",
            "gbifKey",
            1,
            "not a GBIF key",
        ),
        (
            "ids",
            "scientificName,name2\nFictorana lacustris,x\n",
            "gbifKey",
            0,
            "needs at least one",
        ),
        ("ids", "scientificName,gbifKey\nFictorana lacustris,1,2\n", None, 1, "has 3 fields"),
        ("ids", 'scientificName,gbifKey\n"Fictorana lacustris,1\n', None, 1, "never closed"),
    ],
)
def test_bad_inputs_name_file_row_and_column(
    tmp_path: Path, kind: str, text: str, column: str | None, row: int, message: str
) -> None:
    f = tmp_path / f"{kind}.csv"
    f.write_text(text, encoding="utf-8")
    with open_store("memory:") as st:  # the file is refused before the graph is looked at
        with pytest.raises(IngestError) as info:
            link_file(kind, f, st)
        assert st.count() == 0  # nothing written
    e = info.value
    assert e.file == str(f) and e.row == row and e.column == column
    assert message in e.message


def test_encoding_gzip_and_empty_graph(mem_store: Store, tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "scientificName,institutions,source\nFictorana lacustris,1,Zoo Zürich\n".encode("latin-1")
    )
    with pytest.raises(IngestError, match="--encoding latin-1"):
        link_file("exsitu", latin, mem_store)
    rep = link_file("exsitu", latin, mem_store, encoding="latin-1")
    assert rep.report.by_method() == {"exact": 1}
    assert species_links(mem_store, taxon("700001"))["exsitu"][0]["source"] == "Zoo Zürich"
    gz = tmp_path / "cites.csv.gz"
    gz.write_bytes(gzip.compress((DATA / "cites.csv").read_bytes()))
    assert link_file("cites", gz, mem_store).report.rows == 14
    with open_store("memory:") as empty, pytest.raises(LinkError, match="no assessed taxa"):
        link_file("cites", DATA / "cites.csv", empty)
    bad = tmp_path / "gs.json"
    bad.write_text(
        '{"assessments": [{"taxon": {"sis_id": 1}, "species_recovery_score_best": "120%"}]}'
    )
    with pytest.raises(IngestError, match="between 0 and 100"):
        link_file("greenstatus", bad, mem_store)
    bad.write_text("{not json")
    with pytest.raises(IngestError, match="malformed JSON at line 1"):
        link_file("greenstatus", bad, mem_store)


def test_user_text_is_data_not_sparql(mem_store: Store, tmp_path: Path) -> None:
    """Quotes, newlines and SPARQL in a source field end up as literal text."""
    evil = 'x" } ; DROP ALL ; INSERT DATA { <a:b> <a:c> "d'
    f = tmp_path / "exsitu.csv"
    buf = io.StringIO()
    import csv

    w = csv.writer(buf)
    w.writerow(["scientificName", "institutions", "source"])
    w.writerow(["Fictorana lacustris", "1", evil + "\nsecond line"])
    f.write_text(buf.getvalue(), encoding="utf-8")
    n = mem_store.count()
    link_file("exsitu", f, mem_store)
    assert mem_store.count() > n
    rec = species_links(mem_store, taxon("700001"))["exsitu"][0]
    assert rec["source"] == evil + "\nsecond line"


def _graph_triples(store: Store, graph: str) -> set[tuple[str, str, str]]:
    rows = store.select("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": URIRef(graph)})
    return {(str(r["s"]), str(r["p"]), r["o"].n3()) for r in rows}
