"""Review table (JSON, CSV, Excel, HTML) with filters, stats, map, disconnect chart, search."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.services.search import fts_query, plain
from kg.query import run
from kg.store import Store


def test_review_table_json(client: TestClient, graph_store: Store) -> None:
    body = client.get("/review-table").json()
    expected = len(run(graph_store, "review_table"))
    assert body["total"] == expected == len(body["rows"]) > 0
    row = body["rows"][0]
    assert row["category"] in ("CR", "EN", "VU")
    assert set(row) >= {"countries", "places", "threats", "actions_in_place", "actions_needed",
                        "suggested_buckets", "criteria"}
    scoped = [t for r in body["rows"] for t in r["threats"] if t["scope"]]
    assert scoped and all(t["label"] for t in scoped)


def test_review_table_filters(client: TestClient) -> None:
    rows = client.get("/review-table").json()["rows"]
    country = rows[0]["countries"][0]
    by_country = client.get("/review-table", params={"country": country}).json()
    assert by_country["filters"] == {"country": country}
    assert by_country["rows"] and all(country in r["countries"] for r in by_country["rows"])
    threat = rows[0]["threats"][0]["code"]
    top = threat.split(".")[0]
    by_threat = client.get("/review-table", params={"threat": top}).json()["rows"]
    assert by_threat and all(any(t["code"].split(".")[0] == top for t in r["threats"])
                             for r in by_threat)
    cr = client.get("/review-table", params={"category": "CR"}).json()["rows"]
    assert all(r["category"] == "CR" for r in cr)
    fam = rows[0]["family"]
    assert all(r["family"] == fam for r in
               client.get("/review-table", params={"taxon": fam}).json()["rows"])
    site_rows = [r for r in rows if r["places"]]
    if site_rows:
        word = site_rows[0]["places"][0].split()[-1]
        got = client.get("/review-table", params={"site": word}).json()["rows"]
        assert got and all(any(word.lower() in p.lower() for p in r["places"]) for r in got)
    page = client.get("/review-table", params={"limit": 2, "offset": 1}).json()
    assert len(page["rows"]) == min(2, len(rows) - 1) and page["total"] == len(rows)


@pytest.mark.parametrize(("param", "value"), [("country", "ZZ"), ("threat", "99"),
                                              ("category", "QQ"), ("action", "0")])
def test_review_table_unknown_filter_codes(client: TestClient, param: str, value: str) -> None:
    r = client.get("/review-table", params={param: value})
    assert r.status_code == 422 and f"query.{param}" in r.json()["detail"]


def test_review_table_csv_and_excel(client: TestClient) -> None:
    total = client.get("/review-table", params={"category": "EN"}).json()["total"]
    r = client.get("/review-table", params={"category": "EN", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Taxon id", "Scientific name", "Family", "Category"]
    assert len(rows) == total + 1 and all(row[3] == "EN" for row in rows[1:])
    r = client.get("/review-table", headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    r = client.get("/review-table", params={"category": "EN", "format": "xlsx"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["Review table"]
    assert ws.max_row == total + 1 and ws.auto_filter.ref
    assert ws.cell(1, 2).value == "Scientific name"
    assert wb["About"].cell(3, 2).value == "EN"


def test_review_table_html(client: TestClient) -> None:
    r = client.get("/review-table", params={"format": "html", "category": "CR"})
    assert r.status_code == 200 and 'id="review-table"' in r.text
    assert "format=csv" in r.text and "category=CR" in r.text


def test_stats(client: TestClient) -> None:
    s = client.get("/stats").json()
    assert s["species"] >= 40 and 0 < s["threatened"] <= s["species"]
    assert sum(s["by_category"].values()) == s["species"]
    assert sum(s["conservation_section"].values()) == s["threatened"]
    assert s["top_threats"] and s["top_threats"][0]["label"]
    country = client.get("/review-table").json()["rows"][0]["countries"][0]
    sub = client.get("/stats", params={"country": country}).json()
    assert sub["filters"] == {"country": country} and sub["species"] < s["species"]


def test_map_and_disconnect(client: TestClient) -> None:
    r = client.get("/map.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.startswith("<svg") and 'data-code="ID"' in r.text
    assert 'data-count="0"' in r.text
    threat = client.get("/review-table").json()["rows"][0]["threats"][0]["code"]
    r = client.get("/map.svg", params={"threat": threat})
    assert r.status_code == 200
    r = client.get("/map", params={"threat": threat}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and "<svg" in r.text
    r = client.get("/disconnect.svg")
    assert r.status_code == 200 and "answered" in r.text
    assert client.get("/disconnect").status_code == 200


def test_map_cluster_needs_planning(client: TestClient) -> None:
    from api.services import planning_link

    r = client.get("/map.svg", params={"cluster": "c1"})
    assert r.status_code == (404 if planning_link.function("list_clusters") is None else r.status_code)


# --------------------------------------------------------------------------- search


def test_fts_query_is_safe() -> None:
    assert fts_query('peat "drain* NEAR(x) OR') == '"peat" "drain" "NEAR" "x" "OR"'
    assert fts_query('peat drain') == '"peat" "drain"*'
    assert fts_query("***") == ""
    assert plain("<p>a <em>b</em> &amp; c</p>") == "a b & c"


def _search(client: TestClient, **params: Any) -> dict[str, Any]:
    for _ in range(50):
        body = client.get("/search", params=params).json()
        if not any("being built" in n or "building" in n for n in body.get("notes", [])):
            return body
        time.sleep(0.2)
    return body


def test_search_text(client: TestClient) -> None:
    body = _search(client, q="peat swamp")
    assert body["total"] > 0 and body["mode"] == "text"
    hit = body["hits"][0]
    assert "<mark>" in hit["snippet"] and hit["taxon_id"] and hit["scientific_name"]
    assert body["hits"] == sorted(body["hits"], key=lambda h: -h["score"])


def test_search_names(client: TestClient, species_ids: dict[str, str]) -> None:
    name = client.get(f"/species/{species_ids['threatened']}").json()["taxon"]["scientific_name"]
    body = _search(client, q=name, mode="name")
    assert body["hits"][0]["taxon_id"] == species_ids["threatened"]
    assert body["hits"][0]["field"] == "name"


@pytest.mark.parametrize("q", ['"', "NEAR(", "a AND OR", "*", "é", "x" * 400, "<script>"])
def test_search_odd_queries(client: TestClient, q: str) -> None:
    r = client.get("/search", params={"q": q})
    assert r.status_code == 200
    r = client.get("/search", params={"q": q, "format": "html"})
    assert r.status_code == 200 and "<script>" not in r.text.split("</head>")[1]


def test_search_semantic_reports_why_when_off(client: TestClient) -> None:
    body = _search(client, q="species threatened by peat drainage", mode="semantic")
    assert body["mode"] == "text" and any("semantic" in n for n in body["notes"])


def test_search_html(client: TestClient) -> None:
    r = client.get("/search", params={"q": "lake", "format": "html"})
    assert r.status_code == 200 and 'id="hits"' in r.text


def test_search_validation(client: TestClient) -> None:
    assert client.get("/search").status_code == 422
    assert client.get("/search", params={"q": "x", "mode": "magic"}).status_code == 422


def test_review_table_pages_join_to_the_whole_table(client: TestClient) -> None:
    """JSON pages (limit/offset, total and a next link) joined are the table; CSV streams it whole."""
    from api.routes.tables import PAGE_ROWS

    whole = client.get("/review-table", params={"limit": 10_000}).json()
    assert whole["total"] == len(whole["rows"]) > 2 and whole["next"] is None
    default = client.get("/review-table").json()
    assert default["limit"] == PAGE_ROWS and default["rows"] == whole["rows"][:PAGE_ROWS]
    for size in (1, 2, 3):
        rows: list[dict] = []
        url: str | None = f"/review-table?limit={size}"
        pages = 0
        while url:
            page = client.get(url).json()
            assert page["total"] == whole["total"] and page["offset"] == len(rows)
            assert len(page["rows"]) <= size
            rows += page["rows"]
            url = page["next"]
            pages += 1
        assert rows == whole["rows"] and pages == -(-whole["total"] // size)
    # the filters travel with the next link
    en = client.get("/review-table", params={"category": "EN", "limit": 1}).json()
    if en["total"] > 1:
        nxt = client.get(en["next"]).json()
        assert "category=EN" in en["next"] and nxt["rows"][0]["category"] == "EN"
    assert client.get("/review-table", params={"limit": 10_001}).status_code == 422
    csv_rows = client.get("/review-table", params={"format": "csv"}).text.splitlines()
    assert len(csv_rows) == whole["total"] + 1 and csv_rows[0].startswith("\ufeff")


def test_closing_the_search_index_stops_a_semantic_build(graph_store: Store, tmp_path: Path) -> None:
    """The server's shutdown stops the semantic build between two chunks (a daemon thread still
    encoding when the interpreter exits aborts the process) and waits for the build thread."""
    from api.services.search import SearchIndex

    idx = SearchIndex(graph_store, folder=str(tmp_path), semantic_enabled=True)
    idx.close()  # the server shuts down before the build thread reaches its first chunk
    idx.start(background=True)
    assert idx.wait(60) and idx.state == "ready" and idx.docs > 0
    idx.close()
    assert idx._thread is not None and not idx._thread.is_alive()
    assert idx.semantic_state.startswith("stopped") and idx._vectors is None
