"""kg.links.review.link_columns for one taxon (links_taxon_link_rows, aggregated in Python)
gives what links_taxon_summary gives for that taxon, on every embedded backend."""

from __future__ import annotations

from datetime import UTC, datetime

from linkdata import DATA, taxon

from kg.links.load import link_file
from kg.links.pledges import PledgeIn, add_pledge
from kg.links.review import link_columns
from kg.query import concat_columns
from kg.store import Store

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _comparable(cols: dict[str, object]) -> dict[str, object]:
    """GROUP_CONCAT parts in sorted order (their order is the engine's)."""
    concat = concat_columns("links_taxon_summary")
    return {
        k: "|".join(sorted(str(v).split(concat[k]))) if k in concat and v is not None else v for k, v in cols.items()
    }


def test_one_taxon_columns_equal_the_summary_row(store: Store) -> None:
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
