"""Hostile SPARQL against a real `a2p serve`: each request gets its expected clear answer.

The cases and their expected status and problem title are in tests/bad_inputs/manifest.toml
([[sparql]]); the queries are in tests/bad_inputs/sparql/ or made here when they are huge.
The server runs on a 200-species graph with a 3 s time limit and a 512 MB query memory
limit. No request may get a 500, and after every one the server must still answer /health
and a small query within a few seconds. At the end the store must hold no triple written by
the refused updates. The cases marked for it also run on a server over an empty `memory:`
store (rdflib evaluates the queries there, in a thread).
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from relysupport import a2p, synth

from kg.store import open_store

BAD = Path(__file__).resolve().parents[1] / "bad_inputs"
TOKEN = "hostile-test-token"
SERVER_ENV = {"A2P_SPARQL_TIMEOUT": "3", "A2P_SPARQL_MEMORY_MB": "512", "A2P_WRITE_TOKEN": TOKEN,
              "A2P_SPARQL_PROCESSES": "2"}
SMALL = "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }"


def deep_groups() -> str:
    return "SELECT * WHERE " + "{ " * 500 + "?s ?p ?o" + " }" * 500


def deep_subqueries() -> str:
    q = "?s ?p ?o"
    for _ in range(100):
        q = "{ SELECT ?s WHERE { " + q + " } }"
    return "SELECT ?s WHERE " + q


def huge_values() -> str:
    """200,000 values (about 1.9 MB): over the query-length limit, under the body limit."""
    values = " ".join(f'"v{i}"' for i in range(200_000))
    return f"SELECT ?o WHERE {{ VALUES ?o {{ {values} }} ?s ?p ?o }}"


def values_within_limit() -> str:
    """8,000 values (about 90,000 characters): under the limit, so the engine answers."""
    values = " ".join(f'"v{i}"' for i in range(8_000))
    return f"SELECT ?o WHERE {{ VALUES ?o {{ {values} }} ?s ?p ?o }}"


def ten_megabytes() -> str:
    return "SELECT * WHERE { ?s ?p ?o } # " + "x" * (10 * 1024 * 1024)


def many_form_fields() -> str:
    return "&".join(["query=SELECT%20*%20WHERE%20%7B%7D"] + [f"x{i}=1" for i in range(500)])


def latin1_body() -> bytes:
    return "SELECT * WHERE { ?s ?p \"caf\u00e9\" }".encode("latin-1")


BUILDERS: dict[str, Callable[[], str | bytes]] = {
    "deep_groups": deep_groups,
    "deep_subqueries": deep_subqueries,
    "huge_values": huge_values,
    "values_within_limit": values_within_limit,
    "ten_megabytes": ten_megabytes,
    "latin1_body": latin1_body,
    "many_form_fields": many_form_fields,
}


def cases(store: str | None = None) -> list[dict[str, Any]]:
    """The [[sparql]] cases (for one store kind), each with its expected `status` as an int."""
    with open(BAD / "manifest.toml", "rb") as fh:
        every = list(tomllib.load(fh)["sparql"])
    if store is None:
        return every
    out = []
    for c in every:
        if store in c.get("stores", ["oxigraph"]):
            status = c["status"][store] if isinstance(c["status"], dict) else c["status"]
            out.append({**c, "status": status})
    return out


def text_of(case: dict[str, Any]) -> bytes:
    if "file" in case:
        return (BAD / "sparql" / case["file"]).read_bytes()
    made = BUILDERS[case["build"]]()
    return made if isinstance(made, bytes) else made.encode("utf-8")


def test_manifest_names_existing_queries() -> None:
    files = {p.name for p in (BAD / "sparql").iterdir()}
    used = {c["file"] for c in cases() if "file" in c}
    assert used == files
    assert {c["build"] for c in cases() if "build" in c} == set(BUILDERS)


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    store = tmp / "graph"
    a2p("ingest", str(synth(tmp / "download", 200, 8)), "--store", f"oxigraph:{store}", "-q")
    return store


@pytest.fixture(params=["oxigraph", "memory"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def responsive(url: str) -> float:
    """Seconds for /health and a small query, both answered correctly."""
    started = time.monotonic()
    assert httpx.get(f"{url}/health", timeout=10).json()["status"] == "ok"
    r = httpx.post(f"{url}/sparql", content=SMALL, timeout=10,
                   headers={"Content-Type": "application/sparql-query",
                            "Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert len(r.json()["results"]["bindings"]) == 3, r.text
    return time.monotonic() - started


@pytest.mark.slow
def test_hostile_sparql_gets_clear_answers(graph: Path, store_kind: str, serve_factory: Any) -> None:
    url = f"oxigraph:{graph}" if store_kind == "oxigraph" else "memory:"
    srv = serve_factory(["--store", url], SERVER_ENV)
    results: list[str] = []
    failures: list[str] = []
    for case in cases(store_kind):
        body = text_of(case)
        kind = "application/sparql-update" if case.get("update") else "application/sparql-query"
        headers = {"Content-Type": case.get("content_type", kind),
                   "Accept": "application/sparql-results+json"}
        if "token" in case:
            headers["Authorization"] = f"Bearer {case['token']}"
        started = time.monotonic()
        r = httpx.post(f"{srv.url}/sparql", content=body, headers=headers, timeout=60)
        took = time.monotonic() - started
        title = ""
        if r.headers.get("content-type", "").startswith("application/problem+json"):
            title = r.json().get("title", "")
        results.append(f"{case['name']}: {r.status_code} {title!r} in {took:.1f} s")
        if r.status_code == 500 or r.status_code != case["status"]:
            failures.append(f"{case['name']}: HTTP {r.status_code}, expected {case['status']}: "
                            f"{r.text[:300]}")
        elif "title" in case and case["title"] not in title:
            failures.append(f"{case['name']}: title {title!r}, expected {case['title']!r}")
        elif case.get("truncated") and "x-a2p-truncated" not in r.headers:
            failures.append(f"{case['name']}: not marked as truncated")
        after = responsive(srv.url)
        if after > 5:
            failures.append(f"{case['name']}: server took {after:.1f} s to answer afterwards")
    print("\n" + "\n".join(results))
    assert not failures, "\n".join(failures)
    assert srv.proc.poll() is None, "the server died"

    # refused updates wrote nothing
    srv.stop()
    if store_kind != "oxigraph":
        return
    with open_store(f"oxigraph:{graph}", read_only=True) as st:
        assert not st.ask("ASK { GRAPH <urn:x:hostile> { ?s ?p ?o } }")
        assert st.count() > 10_000
