"""Species and assessment datasheets (content negotiation), comments, errors."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from kg import iris
from kg.store import Store


def test_species_json(client: TestClient, species_ids: dict[str, str]) -> None:
    r = client.get(f"/species/{species_ids['threatened']}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    sheet = r.json()
    assert sheet["taxon"]["taxon_id"] == species_ids["threatened"]
    latest = sheet["latest"]
    assert latest["assessment_id"] == species_ids["assessment"]
    assert latest["category"] in ("CR", "EN", "VU") and latest["category_label"]
    assert latest["threats"] and all(t["label"] for t in latest["threats"])
    assert latest["places"] and latest["completeness"]["section"] in ("empty", "partial", "complete")
    assert any(a["latest"] for a in sheet["assessments"])


def test_species_html(client: TestClient, species_ids: dict[str, str]) -> None:
    r = client.get(f"/species/{species_ids['threatened']}",
                   headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'id="species-name"' in r.text and "Threats" in r.text
    assert "<script>" not in r.text.split("</head>")[1]  # narratives are sanitised


def test_species_rdf(client: TestClient, species_ids: dict[str, str]) -> None:
    taxon = URIRef(iris.taxon(species_ids["threatened"]))
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        r = client.get(f"/species/{species_ids['threatened']}", headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
        g = Graph().parse(data=r.text, format=fmt)
        assert (taxon, None, None) in g
        assert (URIRef(iris.assessment(species_ids["assessment"])), None, None) in g
    r = client.get(f"/species/{species_ids['threatened']}?format=ttl")
    assert r.headers["content-type"].startswith("text/turtle")


def test_assessment_sheet(client: TestClient, species_ids: dict[str, str]) -> None:
    r = client.get(f"/assessments/{species_ids['assessment']}")
    assert r.status_code == 200 and r.json()["latest"] is True
    r = client.get(f"/assessments/{species_ids['assessment']}", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "Assessment" in r.text
    r = client.get(f"/assessments/{species_ids['assessment']}?format=jsonld")
    assert r.status_code == 200 and r.json()


def test_unknown_species_and_assessment_are_404(client: TestClient) -> None:
    for path in ("/species/0000000", "/species/not%20an%20id", "/assessments/123",
                 "/species/0000000?format=turtle", "/assessments/1?format=jsonld"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert r.json()["status"] == 404
    r = client.get("/species/0000000", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")


def test_not_acceptable(client: TestClient, species_ids: dict[str, str]) -> None:
    r = client.get(f"/species/{species_ids['threatened']}", headers={"Accept": "image/png"})
    assert r.status_code == 406
    r = client.get(f"/species/{species_ids['threatened']}?format=pdf")
    assert r.status_code == 406


def test_comment_is_stored_and_shown(client: TestClient, graph_store: Store,
                                     species_ids: dict[str, str],
                                     write_headers: dict[str, str]) -> None:
    text = "Survey 2024 <b>found</b> a new subpopulation & more."
    r = client.post("/comments", json={"species_id": species_ids["other"], "name": "R. Planner",
                                       "institution": "CPSG", "text": text},
                    headers=write_headers)
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["name"] == "R. Planner" and c["created"]
    # in the graph, in graph/comments, with who and when
    q = """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX a2p: <https://w3id.org/assess2plan/ontology#>
    SELECT ?name ?inst ?when WHERE { GRAPH ?g { ?c prov:wasAttributedTo ?a ; prov:generatedAtTime ?when .
      ?a rdfs:label ?name ; a2p:institution ?inst } }"""
    rows = graph_store.select(q, {"c": URIRef(c["id"]), "g": URIRef(iris.graph("comments"))})
    assert rows.values() and rows.values()[0]["name"] == "R. Planner"
    sheet = client.get(f"/species/{species_ids['other']}").json()
    assert any(x["text"] == text for x in sheet["comments"])
    page = client.get(f"/species/{species_ids['other']}", headers={"Accept": "text/html"}).text
    assert "Survey 2024 &lt;b&gt;found&lt;/b&gt;" in page


def test_comment_errors(client: TestClient, species_ids: dict[str, str],
                       write_headers: dict[str, str]) -> None:
    def post(body: dict[str, str]) -> Any:
        return client.post("/comments", json=body, headers=write_headers)

    r = post({"species_id": "0000000", "name": "x", "institution": "y", "text": "y"})
    assert r.status_code == 404
    r = post({"name": "x", "institution": "y", "text": "y"})
    assert r.status_code == 422
    r = post({"species_id": species_ids["other"], "name": "", "institution": "y", "text": "y"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.name"
    r = post({"species_id": species_ids["other"], "name": "x", "institution": "y",
              "text": "y" * 20_001})
    assert r.status_code == 413 and r.json()["errors"][0]["field"] == "body.text"


def test_writes_refused_read_only(graph_store: Store, app_factory: Any,
                                  species_ids: dict[str, str]) -> None:
    app = app_factory(graph_store, read_only=True)
    with TestClient(app) as c:
        r = c.post("/comments", json={"species_id": species_ids["other"], "name": "x",
                                      "text": "y"})
        assert r.status_code == 403


def test_health_and_queries(client: TestClient) -> None:
    h = client.get("/health").json()
    assert h["status"] == "ok" and h["store"].startswith("oxigraph:")
    q = client.get("/queries").json()
    assert any(x["name"] == "review_table" for x in q)


def test_internal_errors_hide_the_trace(graph_store: Store, app_factory: Any) -> None:
    from api.deps import get_store

    app = app_factory(graph_store)

    def broken() -> Store:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        app.dependency_overrides[get_store] = broken
        r = c.get("/stats")
        assert r.status_code == 500
        assert "secret" not in r.text and "Traceback" not in r.text
        assert r.json()["title"] == "internal error"
        app.dependency_overrides[get_store] = lambda: graph_store


def test_unknown_route_and_method(client: TestClient) -> None:
    assert client.get("/nothing-here").json()["status"] == 404
    assert client.delete("/species/1").status_code == 405
