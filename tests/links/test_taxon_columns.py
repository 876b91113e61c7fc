"""kg.links.review.link_columns for one taxon (links_taxon_link_rows, aggregated in Python)
gives what links_taxon_summary gives for that taxon, on every embedded backend."""

from __future__ import annotations

from datetime import UTC, datetime

from linkdata import DATA, taxon

from kg.links.load import link_file
from kg.links.pledges import PledgeIn, add_pledge
from kg.links.review import link_columns, table_cells
from kg.query import concat_columns, run
from kg.store import Store

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _comparable(cols: dict[str, object], query: str = "links_taxon_summary") -> dict[str, object]:
    """GROUP_CONCAT parts in sorted order (their order is the engine's)."""
    concat = concat_columns(query)
    return {
        k: "|".join(sorted(str(v).split(concat[k]))) if k in concat and v is not None else v for k, v in cols.items()
    }


def _link_data(store: Store) -> None:
    """Every link file of the fixture and two pledges (one taxon pledged twice)."""
    for kind, name in (
        ("cites", "cites.csv"),
        ("exsitu", "exsitu.csv"),
        ("scores", "scores.csv"),
        ("ids", "ids.csv"),
        ("greenstatus", "greenstatus.json"),
    ):
        link_file(kind, DATA / name, store, now=NOW)
    body = {
        "stakeholder": {"name": "Fictland Wetlands Trust", "contact": "info@fictland.org"},
        "taxa": ["Fictorana lacustris", "700003"],
        "place": "ID",
        "action": "2.1",
    }
    add_pledge(store, PledgeIn.model_validate({**body, "status": "active"}), now=NOW)
    add_pledge(
        store,
        PledgeIn.model_validate(
            {**body, "status": "proposed", "taxa": ["700001"], "stakeholder": {"name": "Second Trust"}}
        ),
        now=NOW,
    )


def test_one_taxon_columns_equal_the_summary_row(store: Store) -> None:
    _link_data(store)
    every = link_columns(store)
    assert len(every) >= 5
    filled = {k for cols in every.values() for k, v in cols.items() if v is not None}
    # the fixture exercises every column, so each aggregation is compared at least once
    assert filled >= {
        "cites",
        "listingDate",
        "exSitu",
        "programmes",
        "edgeScore",
        "edScore",
        "edgeSpecies",
        "aze",
        "nationalStatus",
        "greenStatus",
        "pledges",
        "activePledges",
        "pledgeStakeholders",
        "identifiers",
    }, filled
    assert every[taxon("700001")]["pledges"] == 2 and every[taxon("700001")]["activePledges"] == 1
    for t, cols in every.items():
        assert {t: _comparable(c) for t, c in link_columns(store, t).items()} == {t: _comparable(cols)}, t
    assert link_columns(store, taxon("999999")) == {}


def test_table_cells_equal_the_cells_query(store: Store) -> None:
    """kg.links.review.table_cells (links_table_cell_rows aggregated in Python) gives the rows
    of links_table_cells (per-column sub-SELECTs), taxon by taxon."""
    _link_data(store)
    want = {
        r["taxon"]: _comparable({k: v for k, v in r.items() if k != "taxon"}, "links_table_cells")
        for r in run(store, "links_table_cells").values()
    }
    got = {t: _comparable(c, "links_table_cells") for t, c in table_cells(store).items()}
    assert got == want
    filled = {k for cols in got.values() for k, v in cols.items() if v is not None}
    assert filled == {"cites", "exSitu", "programmes", "pledges", "pledgeStakeholders"}
    assert got[taxon("700001")]["pledges"] == 2
    assert got[taxon("700001")]["pledgeStakeholders"] == "Fictland Wetlands Trust|Second Trust"
