"""The OpenAPI schema: every endpoint documented with an example; a real SPARQL client works."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient


def _has_example(node: Any, schemas: dict[str, Any], seen: set[str] | None = None) -> bool:
    seen = seen or set()
    if isinstance(node, dict):
        if node.get("example") is not None or node.get("examples"):
            return True
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            seen.add(ref)
            return _has_example(schemas.get(ref.rsplit("/", 1)[-1], {}), schemas, seen)
        return any(_has_example(v, schemas, seen) for v in node.values())
    if isinstance(node, list):
        return any(_has_example(v, schemas, seen) for v in node)
    return False


def test_every_operation_has_an_example(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    missing = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            parts = [op.get("parameters", []), op.get("requestBody", {}),
                     op.get("responses", {}).get("200", op.get("responses", {}).get("201", {}))]
            if not _has_example(parts, schemas):
                missing.append(f"{method.upper()} {path}")
    assert not missing, missing


def test_documented_endpoints(client: TestClient) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {"/sparql", "/suggest", "/feedback", "/species/{species_id}",
            "/assessments/{assessment_id}", "/review-table", "/stats", "/search",
            "/comments", "/map.svg", "/disconnect.svg", "/health", "/queries"} <= paths


def test_request_models_forbid_unknown_fields(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("SuggestRequest", "FeedbackRequest", "CommentRequest"):
        assert schemas[name].get("additionalProperties") is False, name


def test_sparqlwrapper_against_the_running_endpoint(live_server: Any) -> None:
    from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper

    sw = SPARQLWrapper(f"{live_server.url}/sparql")
    sw.setQuery("PREFIX a2p: <https://w3id.org/assess2plan/ontology#> "
                "SELECT ?name WHERE { ?t a2p:scientificName ?name } ORDER BY ?name LIMIT 3")
    sw.setReturnFormat(JSON)
    res = sw.query().convert()
    assert len(res["results"]["bindings"]) == 3
    sw.setMethod(POST)
    sw.setReturnFormat(CSV)
    assert sw.query().convert().decode().startswith("name")
    sw.setQuery("CONSTRUCT WHERE { ?s a <https://w3id.org/assess2plan/ontology#Assessment> } "
                "LIMIT 4")
    sw.setReturnFormat(TURTLE)
    g = sw.queryAndConvert()
    assert b"Assessment" in (g if isinstance(g, bytes) else g.serialize(format="turtle").encode())


def test_rdflib_sparqlstore_against_the_running_endpoint(live_server: Any) -> None:
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    g = Graph(store=SPARQLStore(f"{live_server.url}/sparql", returnFormat="json"))
    rows = list(g.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert int(rows[0][0]) > 1000


def test_openapi_is_valid_json(client: TestClient) -> None:
    json.dumps(client.get("/openapi.json").json())
    assert client.get("/docs").status_code == 200


def test_large_result_over_http(live_server: Any) -> None:
    """A result far larger than one socket read (the uvloop non-blocking-fd case)."""
    import httpx

    r = httpx.get(f"{live_server.url}/sparql", timeout=60,
                  params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5000"})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 5000
