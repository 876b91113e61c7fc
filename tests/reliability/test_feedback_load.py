"""/feedback under load: 16 concurrent clients against a real `a2p serve` on an Oxigraph store.

Every 201 answer names the feedback node it wrote; afterwards every one of them must be in
the graph, with its verdict and attribution — through /sparql while the server runs, and
in the store itself after the server is stopped. Requests the service must refuse (an
assessment that is not in the graph) are mixed in, and must be refused without writing.
Several clients judge the same suggestions at the same time (the suggestion node is created
by whichever write comes first).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from relysupport import a2p, synth

from kg import iris
from kg.store import open_store
from kg.vocab import A2P, PROV

CLIENTS = 16
PER_CLIENT = 40
TOKEN = "load-test-token"  # writes need the write token; the per-client rate limit is off here
FEEDBACK_GRAPH = iris.graph("feedback")
FEEDBACK_QUERY = f"""SELECT ?fb ?verdict ?note ?who WHERE {{
  GRAPH <{FEEDBACK_GRAPH}> {{
    ?fb a <{A2P.Feedback}> ; <{A2P.verdict}> ?verdict ; <{PROV.wasAttributedTo}> ?who .
    OPTIONAL {{ ?fb <{A2P.note}> ?note }}
  }}
}}"""
ASSESSMENTS = f"SELECT DISTINCT ?a WHERE {{ ?a a <{A2P.Assessment}> }} ORDER BY ?a LIMIT 40"


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A 200-species graph (closed) and some of its assessment ids."""
    tmp = tmp_path_factory.mktemp("feedback")
    store = tmp / "graph"
    a2p("ingest", str(synth(tmp / "download", 200, 4)), "--store", f"oxigraph:{store}", "-q")
    with open_store(f"oxigraph:{store}", read_only=True) as st:
        ids = [str(r["a"]).rsplit("/a", 1)[-1] for r in st.select(ASSESSMENTS)]
    assert len(ids) == 40
    return store, ids


def feedback(assessment: str, client: int, i: int) -> dict[str, Any]:
    return {
        "suggestion": {
            "assessment_id": assessment,
            "kind": "action" if i % 2 else "threat",
            "code": "1.1" if i % 2 else "7.1.1",
            "status": "needed",
            "confidence": 0.5 + (i % 5) / 10,
            "field": "conservation_actions",
            "start": 10 * (i % 3),
            "end": 10 * (i % 3) + 25,
            "sentence": f"sentence {i % 3} with \"quotes\", <angles> and {{braces}} é",
        },
        "verdict": "accept" if (client + i) % 3 else "reject",
        "who": f"Assessor {client}",
        "institution": "Load Test SG",
        "note": f"client {client} request {i}",
    }


@pytest.mark.slow
def test_every_accepted_feedback_is_in_the_graph(
    graph: tuple[Path, list[str]], tmp_path: Path, serve_factory: Any
) -> None:
    template, ids = graph
    store = tmp_path / "graph"
    shutil.copytree(template, store)
    srv = serve_factory(["--store", f"oxigraph:{store}"],
                        env={"A2P_WRITE_TOKEN": TOKEN, "A2P_WRITE_RATE_PER_MINUTE": "0"})

    accepted: dict[str, dict[str, Any]] = {}  # feedback id -> request
    refused: Counter[str] = Counter()
    unexpected: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)

    def client(c: int) -> None:
        with httpx.Client(base_url=srv.url, timeout=120,
                          headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            barrier.wait()
            for i in range(PER_CLIENT):
                # 8 assessments shared by all clients: the same suggestions judged concurrently
                missing = i % 10 == 9
                assessment = "999999999" if missing else ids[(c + i) % 8 if i % 2 else i % 40]
                body = feedback(assessment, c, i)
                r = http.post("/feedback", json=body)
                with lock:
                    if r.status_code == 201:
                        if missing:
                            unexpected.append(f"accepted an unknown assessment: {r.text}")
                        accepted[r.json()["id"]] = body
                    elif missing and r.status_code == 404:
                        refused["404 unknown assessment (expected)"] += 1
                    else:
                        refused[f"{r.status_code} {r.text[:200]}"] += 1

    threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    total = CLIENTS * PER_CLIENT
    print(f"\n/feedback: {total} requests from {CLIENTS} clients in {elapsed:.1f} s "
          f"({total / elapsed:.0f} requests/s); {len(accepted)} accepted; refused: {dict(refused)}")

    assert not unexpected, unexpected
    expected_refusals = CLIENTS * (PER_CLIENT // 10)
    assert refused == Counter({"404 unknown assessment (expected)": expected_refusals}), refused
    assert len(accepted) == total - expected_refusals

    # every accepted write is visible through the server's own SPARQL endpoint ...
    r = httpx.post(f"{srv.url}/sparql", data={"query": FEEDBACK_QUERY},
                   headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200, r.text
    rows = r.json()["results"]["bindings"]
    seen = {b["fb"]["value"]: (b["verdict"]["value"], b.get("note", {}).get("value")) for b in rows}
    missing_ids = set(accepted) - set(seen)
    assert not missing_ids, f"{len(missing_ids)} accepted feedback writes are not in the graph"
    assert len(seen) == len(accepted), "feedback in the graph that no client was told about"
    for fb, body in accepted.items():
        assert seen[fb] == (body["verdict"], body["note"])
    print(f"in the graph through /sparql: {len(seen)} of {len(accepted)} accepted")

    # ... and in the store on disk once the server has stopped
    srv.stop()
    with open_store(f"oxigraph:{store}") as st:
        on_disk = {str(r["fb"]) for r in st.select(FEEDBACK_QUERY)}
        suggestions = st.select(
            f"SELECT DISTINCT ?s WHERE {{ GRAPH <{FEEDBACK_GRAPH}> {{ ?fb <{A2P.onSuggestion}> ?s }} }}"
        )
        orphans = st.select(
            f"SELECT ?s WHERE {{ GRAPH <{FEEDBACK_GRAPH}> {{ ?fb <{A2P.onSuggestion}> ?s "
            f"FILTER NOT EXISTS {{ ?s a <{A2P.Suggestion}> }} }} }}"
        )
    assert on_disk == set(accepted)
    assert len(suggestions) < len(accepted), "no suggestion was judged by two clients"
    assert len(orphans) == 0, "feedback on a suggestion node that was never written"
