"""Precomputed datasheets (api.services.sheet_store): same bytes as the live sheet, never stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.services import datasheet
from api.services.sheet_store import SheetStore
from kg import iris
from kg.build import iri, lit
from kg.load import ingest
from kg.store import Store, open_store
from kg.vocab import A2P


@pytest.fixture()
def own_store(tmp_path: Path, download: Path) -> Any:
    """A store of its own: these tests write assessment content and switch generations."""
    st = open_store(f"oxigraph:{tmp_path / 'graph'}")
    ingest([download], st)
    yield st
    st.close()


def _taxa(store: Store) -> list[str]:
    q = """PREFIX a2p: <https://w3id.org/assess2plan/ontology#>
    SELECT ?id WHERE { ?t a2p:latestAssessment ?a ; a2p:sisTaxonId ?id } ORDER BY ?id"""
    return [str(r["id"]) for r in store.select(q).values()]


def _add_common_name(taxon_id: str, name: str) -> str:
    return (f"INSERT DATA {{ GRAPH {iri(iris.taxon_graph(taxon_id))} {{ "
            f"{iri(iris.taxon(taxon_id))} {iri(str(A2P.commonName))} {lit(name)} }} }}")


def test_precomputed_sheets_equal_live_ones_and_persist(graph_store: Store, tmp_path: Path) -> None:
    calls: list[str] = []

    def builder(store: Store, taxon_id: str) -> Any:
        calls.append(taxon_id)
        return datasheet.static_species_json(store, taxon_id)

    sheets = SheetStore(graph_store, builder, folder=str(tmp_path))
    assert sheets.state() == "not built" and sheets.get("anything") is None
    assert sheets.wait(60), sheets.state()
    taxa = _taxa(graph_store)
    assert len(calls) >= len(taxa) == 40
    served = 0
    for t in taxa:
        body = sheets.get(t)
        live = datasheet.species_sheet(graph_store, t)
        assert live is not None
        if live.comments or (live.latest and live.latest.suggestions):
            assert body is None  # annotated taxa are built per request
            continue
        assert body == live.model_dump_json().encode(), t
        served += 1
    assert served > 30 and sheets.hits == served
    assert sheets.get("0000000") is None  # unknown taxon: the route answers 404 live
    # a second server on the same store and folder reads the file instead of rebuilding
    calls.clear()
    again = SheetStore(graph_store, builder, folder=str(tmp_path))
    assert again.wait(60) and calls == []
    assert again.get(taxa[0]) == sheets.get(taxa[0])
    sheets.close()
    again.close()


def test_generation_switch_and_invalidate_never_serve_stale(own_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "index"
    sheets = SheetStore(own_store, datasheet.static_species_json, folder=str(folder))
    assert sheets.wait(60)
    taxon = _taxa(own_store)[0]
    assert b"Stale-check name" not in (sheets.get(taxon) or b"")
    # an ingest-like batch write switches the generation: the old sheets are not served
    gen = own_store.generation  # type: ignore[attr-defined]
    own_store.replace(
        f"{iri(iris.taxon(taxon))} {iri(str(A2P.commonName))} {lit('Stale-check name')} "
        f"{iri(iris.taxon_graph(taxon))} .\n".encode()
    )
    assert own_store.generation != gen  # type: ignore[attr-defined]
    assert sheets.get(taxon) is None
    assert sheets.wait(60)
    assert b"Stale-check name" in (sheets.get(taxon) or b"")
    # a write in place (SPARQL Update through the service) is followed by invalidate()
    own_store.update(_add_common_name(taxon, "Second name"))
    sheets.invalidate()
    assert sheets.get(taxon) is None
    assert sheets.wait(60)
    assert b"Second name" in (sheets.get(taxon) or b"")
    # the files of the older generation and epoch are gone
    assert len(list(folder.glob("sheets-*.sqlite"))) == 1
    sheets.close()


def test_species_route_serves_precomputed_and_live_annotations(
    own_store: Store, app_factory: Any, write_headers: dict[str, str], write_token: str
) -> None:
    app = app_factory(own_store)
    taxa = _taxa(own_store)
    with TestClient(app) as c:
        c.get(f"/species/{taxa[0]}")  # starts the build
        services = app.state.registry.services(own_store)
        assert services.sheet_store.wait(60)
        assert c.get("/health").json()["sheets"] == "ready"
        r = c.get(f"/species/{taxa[1]}")
        assert r.status_code == 200 and services.sheet_store.hits >= 1
        assert c.get("/species/0000000").status_code == 404
        # a comment is not in the stored sheet: the sheet is built live and shows it
        r = c.post("/comments", json={"species_id": taxa[1], "name": "R. Planner",
                                      "institution": "CPSG", "text": "Seen in 2025."},
                   headers=write_headers)
        assert r.status_code == 201, r.text
        assert services.sheet_store.state() == "ready"  # comments do not invalidate it
        sheet = c.get(f"/species/{taxa[1]}").json()
        assert [x["text"] for x in sheet["comments"]] == ["Seen in 2025."]
        # a SPARQL Update through the service: the next sheet has the new content
        r = c.post("/sparql", content=_add_common_name(taxa[2], "Updated name"),
                   headers={"Content-Type": "application/sparql-update",
                            "Authorization": f"Bearer {write_token}"})
        assert r.status_code in (200, 204), r.text
        assert "Updated name" in c.get(f"/species/{taxa[2]}").json()["taxon"]["common_names"]
