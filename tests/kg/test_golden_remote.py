"""The golden answers of every library query, checked on the remote SPARQL server too.

tests/kg/test_queries.py checks the hand-written golden CSVs on `memory:` and `oxigraph:`;
this module runs the same cases on the `sparql:` store against the real server that
`.ci/run` starts (Virtuoso Open-Source), so the store contract covers all three engines.
Skips when A2P_TEST_SPARQL is not set.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from minilinks import add_links
from test_queries import CASES, MINI, Case, normalise, read_golden, render

from kg.load import ingest
from kg.planning.graphdata import load_profiles
from kg.planning.keys import write_keys
from kg.query import run
from kg.store import Store

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def remote(remote_store: Store) -> Iterator[Store]:
    """The mini export, its planning keys and link records, loaded once into the remote server."""
    ingest([MINI], remote_store)
    write_keys(remote_store, load_profiles(remote_store, parts=("threats", "places")))
    add_links(remote_store)
    yield remote_store


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.golden)
def test_golden_on_remote_server(remote: Store, case: Case) -> None:
    got = normalise(run(remote, case.query, **case.bindings), case.query)
    want = read_golden(case.golden, case.query)
    assert got[0] == want[0], "column names or order differ"
    assert render(got) == render(want)
