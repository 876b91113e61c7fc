"""The golden answers of every library query, checked on the remote SPARQL server too.

tests/kg/test_queries.py checks the hand-written golden CSVs on `memory:` and `oxigraph:`;
this module runs the same cases on the `sparql:` store against the real server that
`.ci/run` starts (Virtuoso Open-Source), so the store contract covers all three engines.
Skips when A2P_TEST_SPARQL is not set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from minilinks import add_links
from test_queries import CASES, MINI, Case, normalise, read_golden, render

from kg.load import ingest
from kg.planning.graphdata import load_profiles
from kg.planning.keys import write_keys
from kg.query import run
from kg.store import Store, open_store

REMOTE = os.environ.get("A2P_TEST_SPARQL")
pytestmark = [
    pytest.mark.network,
    pytest.mark.skipif(not REMOTE, reason="A2P_TEST_SPARQL not set (no remote SPARQL server)"),
]


@pytest.fixture(scope="module")
def remote() -> Iterator[Store]:
    """The mini export, its planning keys and link records, loaded once into the remote server."""
    from conftest import clear_remote

    with open_store(f"sparql:{REMOTE}") as st:
        clear_remote(st)
        ingest([MINI], st)
        write_keys(st, load_profiles(st, parts=("threats", "places")))
        add_links(st)
        yield st
        clear_remote(st)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.golden)
def test_golden_on_remote_server(remote: Store, case: Case) -> None:
    got = normalise(run(remote, case.query, **case.bindings), case.query)
    want = read_golden(case.golden, case.query)
    assert got[0] == want[0], "column names or order differ"
    assert render(got) == render(want)
