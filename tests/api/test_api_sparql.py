"""The SPARQL 1.1 Protocol endpoint: forms, formats, limits, updates, hostile queries."""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from api.services.sparql import screen
from kg.store import Store

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
NAMES = (
    "PREFIX a2p: <https://w3id.org/assess2plan/ontology#>\n"
    "SELECT ?t ?name WHERE { ?t a2p:scientificName ?name } ORDER BY ?name LIMIT 5"
)
CONSTRUCT = (
    "PREFIX a2p: <https://w3id.org/assess2plan/ontology#>\n"
    "CONSTRUCT { ?t a2p:scientificName ?n } WHERE { ?t a2p:sisTaxonId ?id ; a2p:scientificName ?n } "
    "LIMIT 5"
)
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_get_json(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": COUNT})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    n = int(r.json()["results"]["bindings"][0]["n"]["value"])
    assert n > 1000


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_formats(client: TestClient, accept: str, media: str) -> None:
    r = client.post("/sparql", content=NAMES,
                    headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["t", "name"] and len(rows) == 6
    elif media == "text/tab-separated-values":
        lines = r.text.strip().split("\n")
        assert lines[0] == "?t\t?name" and lines[1].startswith("<https://")
    elif media.endswith("xml"):
        root = ET.fromstring(r.content)
        ns = "{http://www.w3.org/2005/sparql-results#}"
        assert len(root.findall(f"{ns}results/{ns}result")) == 5


def test_form_post_and_ask(client: TestClient) -> None:
    r = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 200 and r.json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", "turtle"),
                                              ("application/ld+json", "json-ld")])
def test_construct_formats(client: TestClient, accept: str, fmt: str) -> None:
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(accept)
    g = Graph().parse(data=r.text, format=fmt)
    assert len(g) == 5


def test_format_parameter(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": NAMES, "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")


def test_malformed_query_is_400_with_parser_message(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400
    body = r.json()
    assert body["title"] == "malformed SPARQL query"
    assert "error at 1:" in body["detail"]
    assert "Traceback" not in r.text


def test_missing_query(client: TestClient) -> None:
    assert client.get("/sparql").status_code == 400
    assert client.post("/sparql", data={"default-graph-uri": "urn:x"}).status_code == 400


def test_unsupported_content_type(client: TestClient) -> None:
    r = client.post("/sparql", content="x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_not_acceptable(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": NAMES}, headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_update_refused_without_token(client: TestClient) -> None:
    upd = "INSERT DATA { GRAPH <urn:test:g> { <urn:a> <urn:b> 'c' } }"
    r = client.post("/sparql", content=upd, headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403
    r = client.post("/sparql", data={"update": upd}, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 403
    r = client.post("/sparql", content=upd, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400  # an update is not a query


def test_update_with_token_is_applied_and_visible(client: TestClient, write_token: str) -> None:
    upd = "INSERT DATA { GRAPH <urn:test:g> { <urn:test:s> <urn:test:p> 'visible' } }"
    r = client.post("/sparql", content=upd, headers={
        "Content-Type": "application/sparql-update", "Authorization": f"Bearer {write_token}"})
    assert r.status_code == 204, r.text
    r = client.get("/sparql", params={"query": "SELECT ?o WHERE { <urn:test:s> <urn:test:p> ?o }"})
    assert r.json()["results"]["bindings"][0]["o"]["value"] == "visible"
    r = client.post("/sparql", data={"update": "DROP GRAPH <urn:test:g>"},
                    headers={"Authorization": f"Bearer {write_token}"})
    assert r.status_code == 204


def test_load_and_service_refused(client: TestClient, write_token: str) -> None:
    r = client.get("/sparql", params={
        "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 400 and "SERVICE" in r.json()["detail"]
    r = client.post("/sparql", data={"update": "LOAD <http://127.0.0.1:1/x.ttl>"},
                    headers={"Authorization": f"Bearer {write_token}"})
    assert r.status_code == 400


def test_deep_nesting_refused_before_the_engine(client: TestClient) -> None:
    q = "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 400 and "nesting" in r.json()["title"]
    # the endpoint still works afterwards
    assert client.get("/sparql", params={"query": COUNT}).status_code == 200


def test_screen_ignores_brackets_in_strings_and_iris() -> None:
    q = 'SELECT * WHERE { ?s ?p "{{{{{{{{{{((((" . ?s ?p <urn:x:((((> } # {{{{{{{{{{'
    assert screen(q, max_chars=10_000, max_depth=2).form == "select"
    assert screen("PREFIX a: <urn:a#> CONSTRUCT WHERE { ?s ?p ?o }", max_chars=100,
                  max_depth=5).form == "construct"


def test_huge_query_and_body(client: TestClient) -> None:
    values = " ".join(f'"{i}"' for i in range(30_000))
    r = client.post("/sparql", content=f"SELECT * WHERE {{ VALUES ?x {{ {values} }} }}",
                    headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and "too long" in r.json()["title"]
    r = client.post("/sparql", content=b"#" * (10 * 1024 * 1024),
                    headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert r.json()["status"] == 413


@pytest.fixture(scope="module")
def capped(graph_store: Store, app_factory: Any) -> Iterator[TestClient]:
    app = app_factory(graph_store, sparql_row_cap=5, sparql_timeout=2.0)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_row_cap_marks_truncation(capped: TestClient) -> None:
    q = "SELECT ?s WHERE { ?s ?p ?o }"
    r = capped.get("/sparql", params={"query": q})
    assert r.status_code == 200
    assert r.headers["X-A2P-Truncated"] == "5"
    body = r.json()
    assert len(body["results"]["bindings"]) == 5
    assert body["truncated"]["rowCap"] == 5
    r = capped.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+xml"})
    assert r.headers["X-A2P-Truncated"] == "5" and b"urn:a2p:truncated" in r.content
    r = capped.get("/sparql", params={"query": q}, headers={"Accept": "text/csv"})
    assert r.status_code == 422 and "row cap" in r.json()["title"]
    r = capped.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert r.headers["X-A2P-Truncated"] == "5" and "# TRUNCATED" in r.text
    # a result within the cap is not marked
    r = capped.get("/sparql", params={"query": q + " LIMIT 5"})
    assert "X-A2P-Truncated" not in r.headers and "truncated" not in r.json()


def test_time_limit_kills_the_runaway_query(capped: TestClient) -> None:
    t0 = time.monotonic()
    r = capped.get("/sparql", params={"query": CARTESIAN})
    assert r.status_code == 503
    assert "time limit" in r.json()["title"]
    assert time.monotonic() - t0 < 10
    # the next query gets a fresh process and works
    r = capped.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 200 and json.loads(r.text)["boolean"] is True


def _engine(app: Any) -> Any:
    services = next(iter(app.state.registry.by_store.values()))
    return services.sparql


def test_memory_limit_kills_the_query(graph_store: Store, app_factory: Any) -> None:
    app = app_factory(graph_store, sparql_memory_mb=400, sparql_timeout=60.0)
    q = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
    with TestClient(app, raise_server_exceptions=False) as c:
        t0 = time.monotonic()
        r = c.get("/sparql", params={"query": q})
        assert r.status_code == 503, r.text
        assert "memory limit" in r.json()["title"]
        assert time.monotonic() - t0 < 50
        assert _engine(app).kills.get("memory") == 1


def test_query_process_killed_when_the_client_goes_away(
    graph_store: Store, app_factory: Any, live_server_factory: Any
) -> None:
    import socket
    from urllib.parse import quote

    app = app_factory(graph_store, sparql_timeout=60.0)
    with live_server_factory(app) as server:
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(f"GET /sparql?query={quote(CARTESIAN)} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        time.sleep(1.0)
        s.close()
        deadline = time.monotonic() + 10
        while _engine(app).kills.get("disconnected", 0) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _engine(app).kills.get("disconnected") == 1


def test_memory_store_runs_in_a_thread(app_factory: Any, download: Any) -> None:
    from kg.load import ingest
    from kg.store import open_store

    st = open_store("memory:")
    ingest([download], st)
    app = app_factory(st, sparql_row_cap=3)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/sparql", params={"query": NAMES})
        assert r.status_code == 200 and r.headers["X-A2P-Truncated"] == "3"
        assert len(r.json()["results"]["bindings"]) == 3
        r = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert r.json()["boolean"] is True
        r = c.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/turtle"})
        assert r.status_code == 200 and "# TRUNCATED" in r.text
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
        assert r.status_code == 400
        r = c.get("/sparql", params={"query": NAMES, "default-graph-uri": "urn:x"})
        assert r.status_code == 400


def test_dataset_selection(client: TestClient) -> None:
    from kg import iris

    g = iris.graph("ontology")
    r = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                      "default-graph-uri": g})
    n_onto = int(r.json()["results"]["bindings"][0]["n"]["value"])
    assert 0 < n_onto < int(client.get("/sparql", params={"query": COUNT}).json()
                            ["results"]["bindings"][0]["n"]["value"])
    r = client.get("/sparql", params={"query": COUNT, "default-graph-uri": "not an iri"})
    assert r.status_code == 400 and "graph IRI" in r.json()["title"]
