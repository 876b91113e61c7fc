"""The request and bulk paths of the link stage built on new query shapes, on the remote SPARQL
server too (Virtuoso in .ci/run): names resolved by bound look-ups, the reassessment list from
one scan, the review table's link cells from rows. Each is compared with the query it replaced,
on the same server. Skips when A2P_TEST_SPARQL is not set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from linkdata import REDLIST
from test_reassessment_scan import by_queries, by_scan
from test_taxon_columns import _comparable, _link_data
from test_taxon_lookup import VALUES, outcome

from kg.events import EventIn, record_event
from kg.links.match import TaxonIndex
from kg.links.review import table_cells
from kg.load import ingest
from kg.query import run
from kg.store import Store

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def remote(remote_store: Store) -> Iterator[Store]:
    """The links fixture's download, its link files, two pledges and two site events."""
    ingest([REDLIST], remote_store)
    _link_data(remote_store)
    record_event(remote_store, EventIn(place="MY", kind="pollution", date=date(2024, 5, 5)))
    record_event(remote_store, EventIn(place="waterbody:Lake Fictara", kind="dried_up", date=date(2019, 1, 1)))
    yield remote_store


def test_names_resolve_as_with_the_whole_index(remote: Store) -> None:
    whole = TaxonIndex.from_store(remote)
    assert len(whole) == 8
    for value in VALUES:
        assert outcome(TaxonIndex.for_names(remote, [value]), value) == outcome(whole, value), value


def test_reassessment_scan_equals_the_queries(remote: Store) -> None:
    for today, years in ((date(2025, 1, 1), 10), (date(2025, 1, 1), 5)):
        got = by_scan(remote, today, years)
        assert got == by_queries(remote, today, years)
    assert {r for row in by_scan(remote, date(2025, 1, 1), 10) for r in row[7]} == {"age", "event"}


def test_table_cells_equal_the_cells_query(remote: Store) -> None:
    want = {
        r["taxon"]: _comparable({k: v for k, v in r.items() if k != "taxon"}, "links_table_cells")
        for r in run(remote, "links_table_cells").values()
    }
    got = {t: _comparable(c, "links_table_cells") for t, c in table_cells(remote).items()}
    assert got == want and len(got) >= 3
