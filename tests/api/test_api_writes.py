"""Write protection of POST /comments and /feedback: token, rate limit, body size, names."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.writes import RateLimiter
from kg.store import Store


def comment(species: str, **over: Any) -> dict[str, Any]:
    return {"species_id": species, "name": "R. Planner", "institution": "CPSG Indonesia",
            "text": "A new subpopulation was found in 2024.", **over}


FEEDBACK = {"suggestion": {"kind": "bucket", "code": "habitat", "confidence": 0.7},
            "verdict": "accept", "who": "P. Lanner", "institution": "SSC"}


def writes(c: TestClient, species: str) -> list[tuple[str, dict[str, Any]]]:
    return [("/comments", comment(species)), ("/feedback", FEEDBACK)]


def test_writes_need_the_token(client: TestClient, species_ids: dict[str, str],
                               write_headers: dict[str, str], graph_store: Store) -> None:
    for path, body in writes(client, species_ids["other"]):
        r = client.post(path, json=body)
        assert r.status_code == 401, (path, r.text)
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert "A2P_WRITE_TOKEN" in r.json()["detail"]
        r = client.post(path, json=body, headers={"Authorization": "Bearer wrong-token"})
        assert r.status_code == 401 and r.json()["detail"] == "wrong write token"
        r = client.post(path, json=body, headers={"Authorization": "Basic dXNlcjpwYXNz"})
        assert r.status_code == 401
        # an invalid body without the token is still refused for the token, not described
        r = client.post(path, json={"nonsense": 1})
        assert r.status_code == 401
        r = client.post(path, json=body, headers=write_headers)
        assert r.status_code == 201, (path, r.text)


def test_no_token_configured_refuses_every_write(graph_store: Store, app_factory: Any,
                                                 species_ids: dict[str, str]) -> None:
    with TestClient(app_factory(graph_store, write_token=None)) as c:
        for path, body in writes(c, species_ids["other"]):
            r = c.post(path, json=body, headers={"Authorization": "Bearer anything"})
            assert r.status_code == 403 and "no A2P_WRITE_TOKEN" in r.json()["detail"]


def test_read_only_refuses_writes_with_the_token(graph_store: Store, app_factory: Any,
                                                 species_ids: dict[str, str],
                                                 write_headers: dict[str, str]) -> None:
    with TestClient(app_factory(graph_store, read_only=True)) as c:
        for path, body in writes(c, species_ids["other"]):
            r = c.post(path, json=body, headers=write_headers)
            assert r.status_code == 403 and "read-only" in r.json()["detail"]


def test_rate_limit_per_client(graph_store: Store, app_factory: Any,
                               species_ids: dict[str, str],
                               write_headers: dict[str, str]) -> None:
    app = app_factory(graph_store, write_rate_per_minute=2, write_burst=3)
    with TestClient(app, raise_server_exceptions=False) as c:
        codes = [c.post("/comments", json=comment(species_ids["other"]),
                        headers=write_headers).status_code for _ in range(3)]
        assert codes == [201, 201, 201]
        r = c.post("/feedback", json=FEEDBACK, headers=write_headers)  # one budget for both
        assert r.status_code == 429
        assert 1 <= int(r.headers["retry-after"]) <= 30
        assert "A2P_WRITE_RATE_PER_MINUTE" in r.json()["detail"]
        # refused attempts count too (no guessing the token at speed)
        r = c.post("/comments", json=comment(species_ids["other"]),
                   headers={"Authorization": "Bearer guess"})
        assert r.status_code == 429
        # reads are not limited
        assert c.get(f"/species/{species_ids['other']}").status_code == 200
    # another client address has its own bucket
    with TestClient(app, client=("10.1.2.3", 5000)) as other:
        r = other.post("/feedback", json=FEEDBACK, headers=write_headers)
        assert r.status_code == 201, r.text


def test_rate_limiter_refills() -> None:
    now = [0.0]
    lim = RateLimiter(per_minute=6, burst=2, clock=lambda: now[0])  # one token per 10 s
    assert lim.acquire("a") == 0 and lim.acquire("a") == 0
    wait = lim.acquire("a")
    assert wait == pytest.approx(10.0)
    now[0] = 5.0
    assert lim.acquire("a") == pytest.approx(5.0)  # a refused attempt takes nothing
    now[0] = 10.0
    assert lim.acquire("a") == 0
    assert lim.acquire("b") == 0  # per key
    assert RateLimiter(per_minute=0, burst=1).acquire("a") == 0  # 0: no limit
    small = RateLimiter(per_minute=6, burst=1, max_clients=2, clock=lambda: now[0])
    for k in ("a", "b", "c"):
        small.acquire(k)
    assert len(small._buckets) == 2


def test_write_body_limit(graph_store: Store, app_factory: Any, species_ids: dict[str, str],
                          write_headers: dict[str, str]) -> None:
    app = app_factory(graph_store, max_write_body_bytes=2000)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/comments", json=comment(species_ids["other"], text="x" * 3000),
                   headers=write_headers)
        assert r.status_code == 413 and "A2P_MAX_WRITE_BODY_BYTES" in r.json()["detail"]

        def chunks() -> Any:  # no Content-Length: counted as it streams
            for _ in range(10):
                yield b" " * 500

        r = c.post("/feedback", content=chunks(),
                   headers={**write_headers, "Content-Type": "application/json"})
        assert r.status_code == 413
        r = c.post("/comments", json=comment(species_ids["other"]), headers=write_headers)
        assert r.status_code == 201
        # other endpoints keep the general limit
        big = {"texts": {"threats": "Logging of the forest. " * 200}}
        assert c.post("/suggest", json=big).status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "<script>alert(1)</script>", "may not contain"),
        ("name", "see https://spam.example", "link"),
        ("name", "x@y.org", "e-mail"),
        ("name", "12345", "must contain a letter"),
        ("name", "A\u202eB", "invisible"),
        ("name", "A\nB\tC\x00", "control"),
        ("name", "  ", ""),
        ("institution", "", "institution is required"),
        ("institution", "{{7*7}}", "may not contain"),
        ("institution", "I" * 301, ""),
    ],
)
def test_commenter_name_and_institution_validated(
    client: TestClient, species_ids: dict[str, str], write_headers: dict[str, str],
    field: str, value: str, message: str,
) -> None:
    r = client.post("/comments", json=comment(species_ids["other"], **{field: value}),
                    headers=write_headers)
    assert r.status_code in (413, 422), r.text
    errors = r.json()["errors"]
    assert errors[0]["field"] == f"body.{field}"
    assert message in errors[0]["message"]


def test_names_are_normalised(client: TestClient, species_ids: dict[str, str],
                              write_headers: dict[str, str]) -> None:
    r = client.post("/comments", json=comment(species_ids["other"], name="  Zoë   Ng-Tan ",
                                              institution="Universiti Malaya (Dept. of Biology)"),
                    headers=write_headers)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Zoë Ng-Tan"
    r = client.post("/feedback", json={**FEEDBACK, "who": "J. O'Brien-Smith", "institution": ""},
                    headers=write_headers)
    assert r.status_code == 201, r.text
    r = client.post("/feedback", json={**FEEDBACK, "institution": "<b>x</b>"},
                    headers=write_headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.institution"
