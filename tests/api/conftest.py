"""API test fixtures: a 40-species synthetic graph injected with dependency_overrides."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.deps import get_store
from api.main import create_app
from api.settings import Settings
from kg.load import ingest
from kg.store import Store, open_store
from kg.synth import write_download

TOKEN = "test-write-token"


@pytest.fixture(scope="session")
def download(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("api-synth") / "download"
    write_download(d, species=40, seed=3)
    return d


@pytest.fixture(scope="session")
def graph_store(tmp_path_factory: pytest.TempPathFactory, download: Path) -> Iterator[Store]:
    """The synthetic graph in Oxigraph (shared by the API tests; writes go to their own graphs)."""
    st = open_store(f"oxigraph:{tmp_path_factory.mktemp('api-graph') / 'graph'}")
    ingest([download], st)
    yield st
    st.close()


def test_settings(**overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "store": "memory:",
        "index_dir": ":memory:",
        "warm_up": False,
        "semantic_search": False,
        "use_nlp": False,
        "write_token": TOKEN,
        "write_rate_per_minute": 0,  # no rate limit (test_api_writes.py tests it on its own app)
        "sparql_processes": 1,
    }
    base.update(overrides)
    return Settings(**base)


def make_app(store: Store, **overrides: Any) -> FastAPI:
    app = create_app(test_settings(**overrides))
    app.dependency_overrides[get_store] = lambda: store
    return app


@pytest.fixture(scope="session")
def app_factory() -> Any:
    """make_app(store, **settings overrides) -> FastAPI with the store injected."""
    return make_app


@pytest.fixture(scope="session")
def write_token() -> str:
    return TOKEN


@pytest.fixture(scope="session")
def write_headers() -> dict[str, str]:
    """What a write (POST /comments, /feedback) must carry."""
    return {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="session")
def app(graph_store: Store) -> FastAPI:
    return make_app(graph_store)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def species_ids(graph_store: Store) -> dict[str, str]:
    """A threatened and a non-threatened taxon id, and the threatened one's latest assessment."""
    q = """PREFIX a2p: <https://w3id.org/assess2plan/ontology#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?id ?aid ?cat WHERE { ?t a2p:latestAssessment ?a ; a2p:sisTaxonId ?id .
      ?a a2p:assessmentId ?aid ; a2p:category/skos:notation ?cat } ORDER BY ?id"""
    rows = graph_store.select(q).values()
    threatened = next(r for r in rows if r["cat"] in ("CR", "EN", "VU"))
    other = next(r for r in rows if r["cat"] not in ("CR", "EN", "VU"))
    return {"threatened": threatened["id"], "assessment": threatened["aid"],
            "other": other["id"]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving an app on 127.0.0.1 in a background thread."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.time() + 30
        while not self.server.started:
            if time.time() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server_factory() -> Any:
    return LiveServer


@pytest.fixture(scope="session")
def live_server(graph_store: Store) -> Iterator[LiveServer]:
    with LiveServer(make_app(graph_store)) as server:
        yield server
