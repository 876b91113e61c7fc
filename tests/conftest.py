"""Shared fixtures: stores over every embedded backend, the shared-data location."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import iris
from kg.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"


def shared(*parts: str) -> Path:
    """A path under ../shared/data, skipping the test cleanly when it is absent."""
    p = SHARED_DATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} is absent (../shared/data is for development only)")
    return p


# the API tests' apps extract /suggest drafts in their own process; tests/nlp/test_pool.py and
# the pool test of tests/api/test_api_suggest.py start extraction processes themselves
os.environ.setdefault("A2P_NLP_PROCESSES", "0")

REMOTE = os.environ.get("A2P_TEST_SPARQL")  # e.g. http://127.0.0.1:8891/sparql (.ci/run sets it)
BACKENDS = ["memory", "oxigraph", *(["sparql"] if REMOTE else [])]


def clear_remote(store: Store) -> None:
    """Drop our graphs from the shared remote server (never the server's own system graphs)."""
    rows = store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    ours = [str(r["g"]) for r in rows if str(r["g"]).startswith(iris.BASE)]
    for i in range(0, len(ours), 200):
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in ours[i : i + 200]))


@pytest.fixture(params=BACKENDS)
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each backend: memory, oxigraph, and the remote server when configured."""
    if request.param == "sparql":
        url = f"sparql:{REMOTE}"
    elif request.param == "memory":
        url = "memory:"
    else:
        url = f"oxigraph:{tmp_path / 'graph'}"
    with open_store(url) as st:
        if request.param == "sparql":
            clear_remote(st)
        yield st


@pytest.fixture(scope="module")
def remote_store() -> Iterator[Store]:
    """The remote SPARQL server (.ci/run starts Virtuoso), emptied of our graphs before and after
    the module; the module's tests are skipped when A2P_TEST_SPARQL is not set."""
    if not REMOTE:
        pytest.skip("A2P_TEST_SPARQL not set (no remote SPARQL server)")
    with open_store(f"sparql:{REMOTE}") as st:
        clear_remote(st)
        yield st
        clear_remote(st)
