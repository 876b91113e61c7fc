"""Clusters, co-affected species and planning buckets (routes exist when planning does)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.services import planning_link
from kg.store import Store

pytestmark = pytest.mark.skipif(
    planning_link.function("list_clusters") is None,
    reason="the planning module (api.services.planning) is not available",
)


def test_clusters(client: TestClient) -> None:
    r = client.get("/clusters")
    assert r.status_code == 200, r.text
    report = r.json()
    assert {"clusters", "singletons", "threatened", "coverage"} <= set(report)
    for c in report["clusters"]:
        assert c["species"] and c["bucket"] in ("single_species", "habitat", "threat", "ex_situ")
    html = client.get("/clusters", headers={"Accept": "text/html"})
    assert html.status_code == 200 and "Clusters" in html.text
    if report["clusters"]:
        c = report["clusters"][0]
        svg = client.get("/map.svg", params={"cluster": c["id"]}).text
        assert 'data-count="0"' in svg
    assert client.get("/map.svg", params={"cluster": "no-such-cluster"}).status_code == 404


def test_coaffected_and_buckets(client: TestClient, species_ids: dict[str, str]) -> None:
    tid = species_ids["threatened"]
    r = client.get(f"/coaffected/{tid}", params={"k": 5})
    assert r.status_code == 200, r.text
    rows = r.json()
    assert len(rows) <= 5 and all(x["taxon_id"] != tid for x in rows)
    r = client.get(f"/buckets/{tid}")
    assert r.status_code == 200, r.text
    recs = r.json()
    assert {x["bucket"] for x in recs} <= {"single_species", "habitat", "threat", "ex_situ"}
    assert all(0 <= x["probability"] <= 1 for x in recs)
    for path in ("/coaffected/0000000", "/buckets/0000000", "/buckets/bad%20id"):
        assert client.get(path).status_code == 404, path


def test_suggest_returns_buckets(client: TestClient) -> None:
    body = client.post("/suggest", json={
        "category": "CR", "criteria": "B1ab(iii)",
        "texts": {"conservation_actions": "A captive breeding programme is needed as an "
                  "insurance population."},
        "threats": [{"code": "8.1.2"}], "countries": ["ID"],
    }).json()
    assert body["buckets"] is not None, body["notes"]
    assert body["buckets"] == sorted(body["buckets"], key=lambda b: -b["probability"])
    assert all(b["id"].lower().endswith("bucket_" + b["bucket"]) for b in body["buckets"])


def test_review_table_has_bucket_column(client: TestClient) -> None:
    body = client.get("/review-table").json()
    assert body["bucket_source"] in ("graph", "planning")
    assert any(r["suggested_buckets"] for r in body["rows"])


def test_bucket_feedback(client: TestClient, write_headers: dict[str, str]) -> None:
    r = client.post("/feedback", json={"suggestion": {"kind": "bucket", "code": "habitat",
                                                      "confidence": 0.7},
                                       "verdict": "accept", "who": "P. Lanner"},
                    headers=write_headers)
    assert r.status_code == 201, r.text
    r = client.post("/feedback", json={"suggestion": {"kind": "bucket", "code": "nonsense"},
                                       "verdict": "accept", "who": "P. Lanner"},
                    headers=write_headers)
    assert r.status_code == 422


def test_suggest_coaffected_from_the_planning_index(client: TestClient, graph_store,  # type: ignore[no-untyped-def]
                                                    species_ids: dict[str, str]) -> None:
    import time

    from api.services.suggest import COAFFECTED_INDEX

    deadline = time.time() + 60
    while COAFFECTED_INDEX.get(graph_store) is None and time.time() < deadline:
        time.sleep(0.2)
    assert COAFFECTED_INDEX.get(graph_store) is not None
    sheet = client.get(f"/species/{species_ids['threatened']}").json()["latest"]
    draft = {"threats": [{"code": t["code"]} for t in sheet["threats"]],
             "countries": [p["code"] for p in sheet["places"] if p["type"] == "country"]}
    body = client.post("/suggest", json=draft).json()
    assert not any("being built" in n for n in body["notes"])
    assert species_ids["threatened"] in [c["taxon_id"] for c in body["coaffected"]]
    assert all(c["shared_places"] and c["score"] > 0 for c in body["coaffected"])
    scores = [c["score"] for c in body["coaffected"]]
    assert scores == sorted(scores, reverse=True)


def test_label_context_is_computed_once_per_key_index(graph_store: Store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The shared-threat counts walk every profile of the graph: once per index, not per request."""
    from api.services import planning as svc
    from kg.planning.coaffected import KeyIndex
    from kg.planning.labels import LabelContext

    index = svc.coaffected_index(graph_store)
    expected = LabelContext.from_profiles(index.profiles).shared
    assert expected, "the test graph has threatened species sharing a threat in a place"
    walks = []
    real = LabelContext.from_profiles.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(LabelContext, "from_profiles",
                        classmethod(lambda cls, ps, **kw: walks.append(1) or real(cls, ps, **kw)))
    draft = index.profiles[:1]
    first = svc._context(graph_store, draft)
    assert svc._context(graph_store, draft) is first and dict(first.shared) == dict(expected)
    assert walks == []  # computed when the index was built
    fresh = KeyIndex(index.profiles)
    assert svc.label_context(fresh) is svc.label_context(fresh) and walks == [1]


def test_read_only_store_without_keys_does_not_compute_them(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A read-only store cannot take the keys: the co-affected index is built from the coded
    places straight away, without first reading every range text for keys it may not write."""
    from api.services import planning as svc
    from kg.load import ingest
    from kg.planning.keys import has_keys
    from kg.store import open_store
    from tests.planning.handmade import MINI

    url = f"oxigraph:{tmp_path / 'g'}"
    with open_store(url) as st:
        ingest([MINI], st)
    computed: list[str] = []
    real = svc.refresh_keys
    monkeypatch.setattr(svc, "refresh_keys", lambda store, *a, **k: computed.append(store.url) or real(store, *a, **k))
    with open_store(url, read_only=True) as ro:
        assert svc.ensure_keys(ro) is False and not has_keys(ro)
        index = svc.coaffected_index(ro)
        assert computed == [] and len(index.profiles) >= 7
        assert svc.coaffected_for(ro, "900101", 3, index=index)
    with open_store(url) as rw:  # a writable store still gets them
        assert svc.ensure_keys(rw) is True and computed == [url] and has_keys(rw)
