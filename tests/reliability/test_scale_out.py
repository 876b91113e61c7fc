"""Scale-out: `a2p serve --workers 2 --store sparql:...` against Virtuoso Open-Source.

The graph of a 300-species download goes into Virtuoso through its bulk loader
(`scripts/virtuoso.sh load`, from the `a2p export` dump), then two uvicorn worker processes
serve it. Many requests on fresh connections reach both workers (each response names its
worker in `X-A2P-Worker`); /species datasheets and /sparql answers must be byte-identical
whichever worker answers, and equal to the same query on the embedded Oxigraph store. Writes
go through both workers too (the remote store is shared): every accepted /feedback is then
seen by each worker.

Uses the server of `.ci/run` (A2P_TEST_SPARQL with A2P_TEST_VIRTUOSO_DIR) or starts its
own on free loopback ports; skips when Virtuoso (virtuoso-t, isql-vt) is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from relysupport import a2p, free_port, synth

from kg import iris
from kg.store import Store, open_store
from kg.vocab import A2P

ROOT = Path(__file__).resolve().parents[2]
VIRTUOSO_SH = ROOT / "scripts" / "virtuoso.sh"
TOKEN = "scale-out-token"
ROUNDS = 4  # requests per distinct URL (fresh connection each, so both workers answer)
TAXA = f"SELECT ?t ?name WHERE {{ ?t a <{A2P.Taxon}> ; <{A2P.scientificName}> ?name }} ORDER BY ?t"
FEEDBACK_COUNT = (f"SELECT (COUNT(DISTINCT ?fb) AS ?n) WHERE {{ GRAPH <{iris.graph('feedback')}> "
                  f"{{ ?fb a <{A2P.Feedback}> }} }}")

pytestmark = pytest.mark.skipif(
    not (shutil.which("virtuoso-t") and shutil.which("isql-vt")),
    reason="Virtuoso Open-Source is not installed (apt-get install virtuoso-opensource)",
)


def drop_ours(store: Store) -> None:
    """Drop assess2plan's graphs from the shared server, in batches of 200 per request."""
    ours = sorted(store.graph_names())
    while ours:
        batch, ours = ours[:200], ours[200:]
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in batch))


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(SPARQL endpoint URL, server folder for the bulk loader)."""
    url, folder = os.environ.get("A2P_TEST_SPARQL"), os.environ.get("A2P_TEST_VIRTUOSO_DIR")
    if url and folder:
        yield url, Path(folder)
        return
    folder_path = tmp_path_factory.mktemp("virtuoso")
    out = subprocess.run(["bash", str(VIRTUOSO_SH), "start", str(folder_path), str(free_port()),
                          str(free_port())], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    try:
        yield out.stdout.strip().splitlines()[-1], folder_path
    finally:
        subprocess.run(["bash", str(VIRTUOSO_SH), "stop", str(folder_path)], timeout=60)


@pytest.fixture(scope="module")
def loaded(virtuoso: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The 300-species graph bulk-loaded into Virtuoso; returns the local Oxigraph store URL."""
    url, folder = virtuoso
    tmp = tmp_path_factory.mktemp("scale-out")
    local = f"oxigraph:{tmp / 'graph'}"
    a2p("ingest", str(synth(tmp / "download", 300, 5)), "--store", local, "-q")
    dump = tmp / "dump.nq"
    a2p("export", "--store", local, "-o", str(dump))
    with open_store(f"sparql:{url}") as remote:
        drop_ours(remote)
        out = subprocess.run(["bash", str(VIRTUOSO_SH), "load", str(folder), str(dump)],
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        with open_store(local, read_only=True) as st:
            assert remote.count() == st.count() > 30_000
        yield local
        drop_ours(remote)


def fetch(url: str, **kw: Any) -> tuple[str, int, bytes]:
    """One request on a fresh connection: (worker pid, status, body)."""
    with httpx.Client(timeout=60) as http:
        r = http.request(kw.pop("method", "GET"), url, **kw)
    return r.headers.get("x-a2p-worker", ""), r.status_code, r.content


@pytest.mark.slow
@pytest.mark.network
def test_two_workers_on_virtuoso_answer_alike(
    virtuoso: tuple[str, Path], loaded: str, serve_factory: Any
) -> None:
    endpoint, _ = virtuoso
    srv = serve_factory(["--workers", "2", "--store", f"sparql:{endpoint}"],
                        {"A2P_WRITE_TOKEN": TOKEN, "A2P_WRITE_RATE_PER_MINUTE": "0"})
    with open_store(loaded, read_only=True) as st:
        taxa = [(str(r["t"]), str(r["name"])) for r in st.select(TAXA)]
    species = [t for t, _ in taxa if t.startswith(iris.taxon(""))]  # not the higher taxa
    assert len(species) == 300
    ids = [t.removeprefix(iris.taxon("")) for t in species[:: len(species) // 25]]

    # concurrent requests on fresh connections, so that both workers accept some of each URL
    jobs: list[tuple[str, str, dict[str, Any]]] = []
    for _ in range(ROUNDS):
        jobs += [(f"/species/{tid}", "GET", {"headers": {"Accept": "application/json"}})
                 for tid in ids]
        jobs.append(("/sparql", "POST", {"data": {"query": TAXA},
                                         "headers": {"Accept": "application/sparql-results+json"}}))
    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(lambda j: (j[0], fetch(srv.url + j[0], method=j[1], **j[2])), jobs))
    answers: dict[str, dict[str, set[bytes]]] = defaultdict(lambda: defaultdict(set))
    for path, (worker, status, body) in done:
        assert status == 200, f"{path}: {body[:300]!r}"
        answers[path][worker].add(body)

    workers = {w for per in answers.values() for w in per}
    assert len(workers) == 2 and "" not in workers, f"answered by {workers}"
    both = [path for path, per in answers.items() if len(per) == 2]
    assert len(both) >= 5, f"only {both} reached both workers"
    for path, per in answers.items():
        bodies = set().union(*per.values())
        assert len(bodies) == 1, f"{path}: {len(bodies)} different answers from workers {list(per)}"
    # and the remote store answers like the embedded one (the store contract)
    (sparql_body,) = set().union(*answers["/sparql"].values())
    rows = httpx.Response(200, content=sparql_body).json()["results"]["bindings"]
    assert [(b["t"]["value"], b["name"]["value"]) for b in rows] == taxa
    print(f"\n{len(jobs)} requests over {len(answers)} URLs, {len(both)} URLs answered by both "
          f"workers {sorted(workers)}: one answer per URL")

    # writes through both workers land in the shared store and every worker sees all of them
    writers: set[str] = set()
    for i in range(20):
        tid = ids[i % len(ids)]
        worker, status, body = fetch(
            srv.url + "/feedback", method="POST", headers={"Authorization": f"Bearer {TOKEN}"},
            json={"suggestion": {"kind": "bucket", "code": "habitat"}, "verdict": "accept",
                  "who": f"Assessor {i}", "institution": "Scale-out SG", "note": f"species {tid}"})
        assert status == 201, body[:300]
        writers.add(worker)
    counts: dict[str, set[int]] = defaultdict(set)
    for _ in range(12):
        worker, status, body = fetch(srv.url + "/sparql", method="POST",
                                     data={"query": FEEDBACK_COUNT},
                                     headers={"Accept": "application/sparql-results+json"})
        assert status == 200, body[:300]
        n = httpx.Response(200, content=body).json()["results"]["bindings"][0]["n"]["value"]
        counts[worker].add(int(n))
    print(f"20 feedback writes through workers {sorted(writers)}; counts seen: {dict(counts)}")
    assert len(writers) == 2
    assert len(counts) == 2 and all(c == {20} for c in counts.values()), counts
