"""GET /clusters in pages: `limit` clusters (each whole) from `offset`, `total`, a `next` link
that keeps the other parameters; pages joined are the unpaged report; HTML pages link to
their neighbours."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.routes.planning import CLUSTERS_MAX_PAGE, CLUSTERS_PAGE
from api.services import links, planning_link
from kg.store import Store

pytestmark = pytest.mark.skipif(
    planning_link.function("clusters_page") is None,
    reason="the planning module (api.services.planning) is not available",
)


def whole(store: Store) -> dict[str, Any]:
    """The unpaged answer: every cluster and singleton of the report, with the link cells."""
    report = planning_link.function("list_clusters")(store)
    return links.with_link_cells(store, planning_link.to_jsonable(report))


def test_pages_joined_are_the_whole_report(client: TestClient, graph_store: Store) -> None:
    want = whole(graph_store)
    assert len(want["clusters"]) >= 5 and want["singletons"]  # several pages of 2
    url: str | None = "/clusters?limit=2&format=json"
    pages = []
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.text
        pages.append(r.json())
        url = pages[-1]["next"]
        if url:
            assert "format=json" in url and "limit=2" in url  # other parameters kept
    assert [p["offset"] for p in pages] == list(range(0, len(want["clusters"]), 2))
    assert all(p["total"] == len(want["clusters"]) and p["limit"] == 2 for p in pages)
    assert all(len(p["clusters"]) == 2 for p in pages[:-1]) and pages[-1]["next"] is None
    assert [c for p in pages for c in p["clusters"]] == want["clusters"]
    assert pages[0]["singletons"] == want["singletons"]  # with the first page only
    assert all(p["singletons"] == [] for p in pages[1:])
    for key in ("threatened", "coverage", "mean_cohesion", "method"):
        assert all(p[key] == want[key] for p in pages), key
    assert all(p["singletons_total"] == len(want["singletons"]) for p in pages)
    sizes = [len(c["species"]) for c in want["clusters"]]
    assert sizes == sorted(sizes, reverse=True)  # largest first


def test_default_limit_and_the_page_after_the_last(client: TestClient, graph_store: Store) -> None:
    n = len(whole(graph_store)["clusters"])
    body = client.get("/clusters").json()
    assert (body["limit"], body["offset"], body["total"]) == (CLUSTERS_PAGE, 0, n)
    assert len(body["clusters"]) == min(n, CLUSTERS_PAGE)
    assert body["next"] is None if n <= CLUSTERS_PAGE else body["next"]
    past = client.get("/clusters", params={"offset": n + 5}).json()
    assert past["clusters"] == [] and past["next"] is None and past["total"] == n
    assert past["singletons"] == [] and past["singletons_total"] > 0
    last = client.get("/clusters", params={"offset": n - 1, "limit": CLUSTERS_MAX_PAGE}).json()
    assert len(last["clusters"]) == 1 and last["next"] is None


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": CLUSTERS_MAX_PAGE + 1},
                                    {"limit": "ten"}, {"offset": -1}, {"offset": 10_000_001}])
def test_bad_paging_is_422_naming_the_field(client: TestClient, params: dict[str, Any]) -> None:
    r = client.get("/clusters", params=params)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [f"query.{next(iter(params))}"]


def test_html_pages_link_to_their_neighbours(client: TestClient, graph_store: Store) -> None:
    want = whole(graph_store)["clusters"]
    first = client.get("/clusters", params={"limit": 2}, headers={"Accept": "text/html"})
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
    ids = re.findall(r'<section class="cluster" id="([^"]+)"', first.text)
    assert ids == [c["id"] for c in want[:2]]
    assert 'rel="prev"' not in first.text
    nxt = re.search(r'rel="next" href="([^"]+)"', first.text)
    assert nxt and "offset=2" in nxt.group(1)
    second = client.get(nxt.group(1).replace("&amp;", "&"), headers={"Accept": "text/html"})
    assert re.findall(r'<section class="cluster" id="([^"]+)"', second.text) == [c["id"] for c in want[2:4]]
    prev = re.search(r'rel="prev" href="([^"]+)"', second.text)
    assert prev and "offset=0" in prev.group(1)
    assert f"Clusters 3–4 of {len(want)}" in second.text


def test_openapi_describes_the_page(client: TestClient) -> None:
    op = client.get("/openapi.json").json()["paths"]["/clusters"]["get"]
    params = {p["name"]: p["schema"] for p in op["parameters"]}
    assert params["limit"]["maximum"] == CLUSTERS_MAX_PAGE and params["limit"]["default"] == CLUSTERS_PAGE
    assert params["offset"]["minimum"] == 0
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ClustersPage")
