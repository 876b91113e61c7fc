"""benchmarks/api.py — loopback load test of the service: p50/p95/p99 latency and throughput.

Starts `a2p serve` on 127.0.0.1 in a child process (after its background warm-up), then
drives it from this (second) process with N concurrent keep-alive clients (a minimal
asyncio HTTP/1.1 client, so the load generator stays cheap on a small machine), for a
bounded number of requests per phase:

    GET  /species/{id}      application/json; a random taxon of the graph per request
    POST /suggest (new)     typical drafts: real assessments of the graph, each sent once, so
                            the nlp pipeline runs on text it has never seen
    POST /suggest (again)   the same drafts re-submitted (texts cached per field)

Reports p50/p95/p99, requests per second, errors and the server's CPU time per request.

    .venv/bin/python benchmarks/api.py                         # demo graph (var/bench/demo-graph)
    .venv/bin/python benchmarks/api.py --synth-species 172000  # builds var/bench/graph172000 once
    .venv/bin/python benchmarks/api.py --store oxigraph:var/bench/graph172k --read-only \
        --only species --no-warm-up                            # an existing graph, read-only

Targets (the issue): /species/{id} p95 <= 50 ms; /suggest p95 <= 500 ms; zero errors.
The big synthetic graph is ingested in taxon chunks (one all-or-nothing batch per chunk),
because one 172k-species batch needs more memory than the benchmark machine has.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import zlib
from concurrent.futures import Future
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
csv.field_size_limit(1 << 30)


# --------------------------------------------------------------------------- graphs


def split_download(src: Path, out: Path, chunks: int) -> list[Path]:
    """Split a multi-file download into `chunks` downloads by internalTaxonId."""
    dirs = [out / f"chunk{i:02d}" for i in range(chunks)]
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    for f in sorted(src.glob("*.csv")):
        with open(f, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            col = header.index("internalTaxonId")
            handles = [open(d / f.name, "w", encoding="utf-8", newline="") for d in dirs]
            writers = [csv.writer(h, lineterminator="\r\n") for h in handles]
            for w in writers:
                w.writerow(header)
            for row in reader:
                writers[zlib.crc32(row[col].encode()) % chunks].writerow(row)
            for h in handles:
                h.close()
    return dirs


def build_synthetic_graph(species: int, base: Path, chunk_species: int = 20_000) -> str:
    """A synthetic graph of `species` taxa in oxigraph:base/graph<species> (built once)."""
    from kg.load import ingest
    from kg.store import open_store
    from kg.synth import write_download

    graph = base / f"graph{species}"
    done = graph / "BUILT"
    url = f"oxigraph:{graph}"
    if done.exists():
        return url
    download = base / f"synth{species}"
    if not (download / "assessments.csv").exists():
        write_download(download, species=species, seed=11, progress=True)
    n = max(1, -(-species // chunk_species))
    parts = split_download(download, base / f"chunks{species}", n) if n > 1 else [download]
    with open_store(url) as st:
        for i, part in enumerate(parts):
            t0 = time.perf_counter()
            rep = ingest([part], st)
            print(
                f"  chunk {i + 1}/{len(parts)}: {rep.taxa} taxa, {rep.quads} quads "
                f"in {time.perf_counter() - t0:.0f} s",
                flush=True,
            )
    done.write_text(time.strftime("%Y-%m-%d %H:%M:%S\n"))
    return url


# --------------------------------------------------------------------------- server


def start_server(store: str, port: int, workers: int, index_dir: str, nlp: bool,
                 warm_up: bool = True, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(extra_env or {})
    env.update({
        "A2P_INDEX_DIR": index_dir,
        "A2P_USE_NLP": "true" if nlp else "false",
        # semantic search is not measured here; embedding every text would compete for CPU
        "A2P_SEMANTIC_SEARCH": "false",
        "A2P_WARM_UP": "true" if warm_up else "false",
        "PYTHONUNBUFFERED": "1",
    })
    code = (
        "from api.server import serve; "
        f"serve({store!r}, '127.0.0.1', {port}, {workers}, log_level='warning')"
    )
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT,
                            start_new_session=True)


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(base: str, nlp: bool, timeout: float, warm_up: bool = True) -> dict:
    import httpx

    deadline = time.monotonic() + timeout
    health: dict = {}
    shown = 0.0
    while time.monotonic() < deadline:
        if health and time.monotonic() - shown > 30:
            shown = time.monotonic()
            print("  warming up:", {k: health.get(k) for k in ("search", "tables", "nlp",
                                                            "coaffected_index")}, flush=True)
        try:
            health = httpx.get(base + "/health", timeout=5).json()
            ready = not warm_up or (
                (not nlp or health.get("nlp") != "not loaded yet")
                and str(health.get("search", "")).startswith("ready")
                and "semantic building" not in str(health.get("search", ""))
                and not str(health.get("tables", "")).startswith("building")
                and health.get("coaffected_index") in ("ready", "unavailable", "failed")
            )
            if ready:
                return health
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server not ready after {timeout:.0f} s: {health}")


def rss_mb(pid: int) -> tuple[float, float]:
    """Resident memory of a process now and at its peak (VmRSS, VmHWM; Linux /proc), MB."""
    found = {"VmRSS:": 0.0, "VmHWM:": 0.0}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                parts = line.split()
                if parts and parts[0] in found:
                    found[parts[0]] = int(parts[1]) / 1024
    except OSError:
        pass
    return found["VmRSS:"], found["VmHWM:"]


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds of each thread of a process and its live descendants, by thread id (Linux
    /proc; Python 3.11 does not name its threads for the OS)."""
    out: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    tasks: list[str] = []
    for p in process_tree(pid):
        try:
            tasks += [f"{p}/task/{t}" for t in os.listdir(f"/proc/{p}/task")]
        except OSError:
            continue  # a worker that ended meanwhile
    for t in tasks:
        try:
            with open(f"/proc/{t}/stat") as fh:
                tail = fh.read().rsplit(")", 1)[1]
        except OSError:
            continue
        f = tail.split()
        out[t] = (int(f[11]) + int(f[12])) / tick
    return out


def process_tree(pid: int) -> list[int]:
    """The server process and its live descendants (uvicorn's worker processes when
    --workers > 1; Linux /proc)."""
    parent: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    parent[int(d)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # the process ended while /proc was read
    tree, todo = [pid], [pid]
    while todo:
        here = todo.pop()
        kids = [c for c, pp in parent.items() if pp == here]
        tree += kids
        todo += kids
    return tree


def cpu_seconds(pid: int) -> float:
    """User+system CPU of a process, its live descendants and the children they waited for
    (Linux /proc)."""
    total = 0.0
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as fh:
                f = fh.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in f[11:15]) / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue  # a worker that ended meanwhile
    return total


# --------------------------------------------------------------------------- workload


def sample_ids(base: str, n: int, seed: int) -> list[str]:
    import httpx

    q = ("PREFIX a2p: <https://w3id.org/assess2plan/ontology#> "
         "SELECT ?id WHERE { ?t a2p:latestAssessment ?a ; a2p:sisTaxonId ?id } LIMIT 10000")
    r = httpx.post(base + "/sparql", content=q, timeout=120,
                   headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    r.raise_for_status()
    ids = r.text.split()[1:]
    rnd = random.Random(seed)
    return [rnd.choice(ids) for _ in range(n)]


def draft_of(sheet: dict) -> dict:
    """A typical assessment as /suggest sees it: a real assessment of the graph."""
    a = sheet["latest"]
    return {
        "taxon": {"scientific_name": sheet["taxon"]["scientific_name"],
                  "family": sheet["taxon"]["family"], "genus": sheet["taxon"]["genus"]},
        "category": a["category"],
        "criteria": a["criteria"],
        "texts": a["texts"],
        "threats": [{"code": t["code"], "timing": t["timing"], "scope": t["scope"],
                     "severity": t["severity"]} for t in a["threats"] if t["code"]],
        "actions": [{"code": x["code"], "status": "needed"} for x in a["actions_needed"]
                    if x["code"]],
        "research": [r["code"] for r in a["research_needed"] if r["code"]],
        "countries": [p["code"] for p in a["places"] if p["type"] == "country"],
        "sites": [p["name"] for p in a["places"] if p["type"] != "country" and p["name"]],
        "habitats": [h["code"] for h in a["habitats"] if h["code"]],
    }


def drafts(base: str, ids: list[str]) -> list[dict]:
    import httpx

    out = []
    with httpx.Client(base_url=base, timeout=60) as c:
        for i in ids:
            sheet = c.get(f"/species/{i}").json()
            if sheet.get("latest") and sheet["latest"]["texts"]:
                out.append(draft_of(sheet))
    return out


class RawClient:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams.

    Much cheaper per request than a general client, so that on a small machine the load
    generator does not eat the CPU the server is measured on. Content-Length bodies only
    (what the server sends).
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept: application/json\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + (body or b""))
        await self.writer.drain()
        assert self.reader is not None
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        length = 0
        close = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and "close" in value.lower():
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            await self.close()
        return status, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def load(base: str, requests: list[tuple[str, str, dict | None]], concurrency: int,
               max_seconds: float) -> dict:
    """Closed loop: `concurrency` clients send the requests in order; latency per request.

    Request bodies are serialised before the clock starts, and responses are not parsed, so
    the load generator's own CPU per request (`client_cpu_ms_per_request`, this process, while
    the clients run) stays small beside the server's on the shared cores.
    """
    host, port = base.split("//", 1)[1].split(":")
    latencies: list[float] = []
    errors: list[str] = []
    degraded: list[str] = []
    it = iter([(m, p, json.dumps(b).encode() if b is not None else None)
               for m, p, b in requests])
    stop_at = time.perf_counter() + max_seconds

    async def worker() -> None:
        client = RawClient(host, int(port))
        try:
            for method, path, payload in it:
                if time.perf_counter() > stop_at:
                    return
                t0 = time.perf_counter()
                try:
                    status, data = await client.request(method, path, payload)
                    if status >= 400:
                        errors.append(f"{status} {path}: {data[:200]!r}")
                    elif any(m in data for m in DEGRADED):
                        degraded.append(f"{path}: {data[data.find(b'unavailable'):][:160]!r}")
                except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
                    errors.append(f"{type(exc).__name__} {path}")
                    await client.close()
                latencies.append(time.perf_counter() - t0)
        finally:
            await client.close()

    t0, c0 = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall, client_cpu = time.perf_counter() - t0, time.process_time() - c0
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return 1000 * lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] if lat else 0.0

    return {
        "requests": len(lat),
        "errors": len(errors),
        "error_samples": errors[:5],
        "degraded": len(degraded),
        "degraded_samples": degraded[:3],
        "seconds": round(wall, 2),
        "throughput_rps": round(len(lat) / wall, 1) if wall else 0.0,
        "p50_ms": round(pct(50), 1),
        "p95_ms": round(pct(95), 1),
        "p99_ms": round(pct(99), 1),
        "mean_ms": round(1000 * statistics.fmean(lat), 1) if lat else 0.0,
        "client_cpu_ms_per_request": round(1000 * client_cpu / max(1, len(lat)), 2),
    }


# notes of a /suggest answer made without a part of the pipeline (a failed nlp load, no bucket
# model): such an answer is cheap, so a run with them would not measure the service
DEGRADED = (b"suggestions from text are unavailable", b"recommendations failed",
            b"recommendations are unavailable")
TARGETS = {"species": 50.0, "suggest_new": 500.0, "suggest_again": 500.0}
PHASES = (("species", "/species/{id}"), ("suggest_new", "/suggest (new)"),
          ("suggest_again", "/suggest (again)"))
# the baseline server: every /suggest draft through the nlp pipeline and the bucket model on
# its own (no batching across requests), torch's default threads, no datasheet cache
BASELINE_ENV = {"A2P_SUGGEST_BATCH": "1", "A2P_TORCH_THREADS": "0", "A2P_SHEET_CACHE_ENTRIES": "0",
                "A2P_NLP_PROCESSES": "0",
                "A2P_SHEET_STORE": "false"}


def wait_health(base: str, key: str, busy: tuple[str, ...], timeout: float, settle: int = 1,
                kick: Any = None) -> str:
    """Wait until /health's `key` leaves the `busy` states in `settle` answers in a row; its
    state at the end. With several worker processes each answer comes from whichever accepted
    the connection, so `settle` polls in a row (8 per worker) make it unlikely that a worker was
    never asked; `kick()` runs when the state is "not built" (a request that starts a worker's
    build: a worker builds its own index on its first /suggest)."""
    import httpx

    deadline = time.monotonic() + timeout
    shown = time.monotonic()
    state, streak = "", 0
    while time.monotonic() < deadline:
        state = str(httpx.get(base + "/health", timeout=5).json().get(key, ""))
        if not state.startswith(busy):
            streak += 1
            if streak >= settle:
                return state
            continue
        streak = 0
        if kick is not None and state.startswith("not built"):
            kick()
        if time.monotonic() - shown > 30:
            shown = time.monotonic()
            print(f"  {key}: {state}", flush=True)
        time.sleep(1)
    raise RuntimeError(f"{key} not ready after {timeout:.0f} s: {state}")


def measure(args: argparse.Namespace, store: str, extra_env: dict[str, str], label: str,
            base_dir: Path) -> dict:
    """Start a server with `extra_env`, run every phase against it, stop it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    nlp = not args.no_nlp
    print(f"[{label}] server 127.0.0.1:{port}, {args.workers} worker(s), env {extra_env}; "
          f"{args.concurrency} concurrent clients from this process", flush=True)
    proc = start_server(store, port, args.workers, str(base_dir / "index"), nlp,
                        warm_up=not args.no_warm_up, extra_env=extra_env)
    results: dict = {"label": label, "env": extra_env}
    try:
        t0 = time.perf_counter()
        health = wait_ready(base, nlp, timeout=args.ready_timeout, warm_up=not args.no_warm_up)
        results["health"] = health
        print(f"[{label}] ready in {time.perf_counter() - t0:.0f} s; nlp: {health.get('nlp')}",
              flush=True)
        ids = sample_ids(base, args.species_requests, args.seed)
        rnd = random.Random(args.seed)
        n_drafts = 8 if args.only == "species" else args.suggest_requests + 4
        draft_pool = drafts(base, rnd.sample(sorted(set(ids)), min(len(set(ids)), n_drafts)))
        print(f"[{label}] {len(draft_pool)} distinct drafts for /suggest (real assessments of "
              "the graph)", flush=True)
        # warm-up (not measured): connections, the nlp pipeline, caches of code lists
        warm = [("GET", f"/species/{i}", None) for i in ids[:50]]
        if args.only != "species":  # (a /suggest would start the planning index build)
            warm += [("POST", "/suggest", d) for d in draft_pool[:4]]
        asyncio.run(load(base, warm, 4, 120))
        if args.only != "suggest":  # (the first /species request starts their build)
            results["sheets"] = wait_health(base, "sheets", ("building", "not built"),
                                            args.ready_timeout)
            print(f"[{label}] precomputed datasheets: {results['sheets']}", flush=True)
        if args.only != "species":  # (the first /suggest starts the planning key index)
            def kick() -> None:  # a worker builds its index on its first /suggest
                asyncio.run(load(base, [("POST", "/suggest", draft_pool[0])], 1, 120))

            results["coaffected_index"] = wait_health(base, "coaffected_index",
                                                      ("building", "not built"), args.ready_timeout,
                                                      settle=8 * args.workers, kick=kick)
            print(f"[{label}] co-affected index: {results['coaffected_index']}", flush=True)
        species_reqs = [("GET", f"/species/{i}", None) for i in ids]
        # every draft once (its texts never seen: the nlp pipeline runs), then the same drafts
        # again (an assessor re-submitting: texts cached per field)
        fresh = draft_pool[4:4 + args.suggest_requests]
        new_reqs = [("POST", "/suggest", d) for d in fresh]
        again_reqs = [("POST", "/suggest", d) for d in fresh]
        results["load_average_before"] = os.getloadavg()
        phases = [("species", species_reqs), ("suggest_new", new_reqs),
                  ("suggest_again", again_reqs)]
        if args.only:
            phases = [(n, r) for n, r in phases if n.startswith(args.only)]
        for name, reqs in phases:
            c0, t0 = cpu_seconds(proc.pid), thread_cpu(proc.pid)
            r = asyncio.run(load(base, reqs, args.concurrency, args.max_seconds))
            r["server_cpu_ms_per_request"] = round(
                1000 * (cpu_seconds(proc.pid) - c0) / max(1, r["requests"]), 2)
            # which server threads were busy (a thread near 100 % of the wall time limits the
            # throughput whatever the other core does)
            t1 = thread_cpu(proc.pid)
            busy = {k: (v - t0.get(k, 0.0)) / max(r["seconds"], 1e-9) for k, v in t1.items()}
            r["server_threads_busy"] = [round(v, 2) for v in sorted(busy.values(), reverse=True)[:6]
                                        if v >= 0.01]
            results[name] = r
        results["load_average_after"] = os.getloadavg()
        # summed over the worker processes (each its own models and caches)
        mem = [rss_mb(p) for p in process_tree(proc.pid)]
        results["server_rss_mb"] = sum(m[0] for m in mem)
        results["server_peak_rss_mb"] = sum(m[1] for m in mem)
    finally:
        stop_server(proc)
    return results


def print_table(results: dict, with_targets: bool) -> bool:
    print(f"\n{results['label']}")
    print(f"{'endpoint':<18}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'p99 ms':>9}{'cpu ms':>8}{'client':>8}  target p95")
    ok = True
    for name, path in PHASES:
        if name not in results:
            continue
        r = results[name]
        met = r["p95_ms"] <= TARGETS[name] and r["errors"] == 0 and not r.get("degraded")
        ok &= met
        verdict = f"<= {TARGETS[name]:.0f} ms {'met' if met else 'NOT met'}" if with_targets else ""
        print(f"{path:<18}{r['requests']:>9}{r['errors']:>8}{r['throughput_rps']:>9}"
              f"{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}"
              f"{r['server_cpu_ms_per_request']:>8}{r['client_cpu_ms_per_request']:>8}  {verdict}")
        for e in r["error_samples"]:
            print("   error:", e)
        if r.get("degraded"):
            print(f"   DEGRADED answers (not the full pipeline): {r['degraded']}, e.g.",
                  r["degraded_samples"][0])
        if r.get("server_threads_busy"):
            print("   busiest server threads (CPU share of the wall time):",
                  " ".join(f"{v:.2f}" for v in r["server_threads_busy"]))
    la, lb = results["load_average_before"], results["load_average_after"]
    print(f"cpu ms: server CPU per request; client: the load generator's CPU per request. "
          f"Server RSS at the end {results.get('server_rss_mb', 0):.0f} MB, peak "
          f"{results.get('server_peak_rss_mb', 0):.0f} MB. Load average before/after: {la[0]:.1f} / {lb[0]:.1f} "
          f"on {os.cpu_count()} CPUs (other work on the machine inflates latencies)")
    return ok


# torch threads are not a dimension: nlp's encoder workers run one torch thread each whatever
# A2P_TORCH_THREADS says (the bucket model's encoder follows it)
GRID = (("batch 32, 1 worker (default)", {"A2P_SUGGEST_BATCH": "32"}, 1),
        ("batch 8, 1 worker", {"A2P_SUGGEST_BATCH": "8"}, 1),
        ("batch 1, 1 worker", {"A2P_SUGGEST_BATCH": "1"}, 1),
        ("batch 32, 2 workers (read-only)", {"A2P_SUGGEST_BATCH": "32"}, 2),
        ("batch 1, 2 workers (read-only)", {"A2P_SUGGEST_BATCH": "1"}, 2))


def run_grid(args: argparse.Namespace, store: str, label: str, common: dict[str, str],
             base_dir: Path) -> None:
    """/suggest on five servers: batching across requests and worker processes measured apart."""
    args.only = "suggest"
    results: dict = {"graph": label, "store": store, "concurrency": args.concurrency, "grid": {}}
    for name, env, workers in GRID:
        args.workers = workers
        results["grid"][name] = measure(args, store, {**common, **env}, name, base_dir)
    for name, _, _ in GRID:
        print_table(results["grid"][name], with_targets=True)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2))
    p95 = [results["grid"][name]["suggest_new"]["p95_ms"] for name, _, _ in GRID]
    print(f"/suggest new drafts p95, batch 1 -> 8 -> 32 with 1 worker: {p95[2]:.0f} -> "
          f"{p95[1]:.0f} -> {p95[0]:.0f} ms; with 2 workers batch 1 -> 32: {p95[4]:.0f} -> "
          f"{p95[3]:.0f} ms; 1 -> 2 workers: batch 1 {p95[2]:.0f} -> {p95[4]:.0f} ms, batch 32 "
          f"{p95[0]:.0f} -> {p95[3]:.0f} ms")


def run_breakdown(args: argparse.Namespace, store_url: str, label: str) -> None:
    """Where the CPU of a new /suggest draft goes, stage by stage, in this process.

    Two disjoint sets of real drafts of the graph (never seen, so no memo hit): one run one
    by one (the baseline: A2P_SUGGEST_BATCH=1), one in batches of --concurrency drafts (what
    the batching service does with 16 clients); one torch thread (A2P_TORCH_THREADS=1).
    """
    from api.schemas import SuggestRequest
    from api.services.suggest import (
        COAFFECTED_INDEX,
        BucketEngine,
        TextEngine,
        coaffected_from_index,
        draft_bundle,
        limit_compute_threads,
        suggest,
    )
    from kg.planning.profile import profiles_from_bundle
    from kg.store import open_store

    limit_compute_threads(1)
    st = open_store(store_url, read_only=True)
    from api.services import datasheet, queries

    ids = [str(r["id"]) for r in queries.select_text(
        st, "PREFIX a2p: <https://w3id.org/assess2plan/ontology#> "
        "SELECT ?id WHERE { ?t a2p:latestAssessment ?a ; a2p:sisTaxonId ?id } LIMIT 5000")]
    random.Random(args.seed).shuffle(ids)
    n = args.breakdown_drafts
    bodies: list[dict] = []
    for i in ids:
        sheet = datasheet.species_sheet(st, i)
        if sheet is not None and sheet.latest is not None and sheet.latest.texts:
            bodies.append(draft_of(json.loads(sheet.model_dump_json())))
        if len(bodies) >= 2 * n + 4:
            break
    engine, buckets = TextEngine(max_batch=1), BucketEngine(max_batch=1)
    engine.warm_up()
    buckets.warm_up(st)
    COAFFECTED_INDEX.get(st)
    while COAFFECTED_INDEX.state(st) == "building":
        time.sleep(0.2)
    index = COAFFECTED_INDEX.get(st)
    for b in bodies[:4]:
        suggest(st, SuggestRequest.model_validate(b), engine, buckets.recommender())

    rows: dict[str, dict[str, float]] = {}
    for mode, group, size in (("one by one", bodies[4:4 + n], 1),
                              (f"batches of {args.concurrency}", bodies[4 + n:4 + 2 * n],
                               args.concurrency)):
        r: dict[str, float] = {}
        t0 = time.process_time()
        reqs = [SuggestRequest.model_validate(b) for b in group]
        r["parse and check the request"] = time.process_time() - t0
        texts = [{k: v for k, v in q.texts.model_dump().items() if v.strip()} for q in reqs]
        chunks = [list(range(i, min(i + size, len(reqs)))) for i in range(0, len(reqs), size)]
        fresh = TextEngine(max_batch=size)
        t0 = time.process_time()
        for c in chunks:
            fresh._extract_batch([texts[i] for i in c])
        r["nlp extraction (actions, threats, places)"] = time.process_time() - t0
        profiles = [profiles_from_bundle(draft_bundle(q)) for q in reqs]
        recs: list[Any] = []
        t0 = time.process_time()
        for c in chunks:
            recs.extend(BucketEngine._run([(st, profiles[i]) for i in c]))
        r["planning buckets (after the extraction)"] = time.process_time() - t0
        t0 = time.process_time()
        for q in reqs:
            if index is not None:
                coaffected_from_index(index, q, 20)
        r["co-affected species (key index)"] = time.process_time() - t0
        # suggest() with the text and bucket parts ready: warnings, co-affected species again,
        # the response and its JSON
        t0 = time.process_time()
        for q, rec in zip(reqs, recs, strict=True):
            ready: Future[Any] = Future()
            ready.set_result(rec)
            suggest(st, q, fresh, lambda *_a, f=ready, **_k: f, 20).model_dump_json()
        r["suggest() with those parts ready"] = time.process_time() - t0
        chars = sum(len(t) for d in texts for t in d.values()) / max(1, len(texts))
        rows[mode] = {k: 1000 * v / max(1, len(reqs)) for k, v in r.items()}
        rows[mode]["chars"] = chars
    modes = list(rows)
    print(f"\n/suggest CPU per new draft by stage, {label}, {n} drafts each, one torch thread")
    print(f"{'stage':<46}" + "".join(f"{m:>18}" for m in modes))
    stages = [k for k in rows[modes[0]] if k != "chars"]
    for k in stages:
        print(f"{k:<46}" + "".join(f"{rows[m][k]:>15.1f} ms" for m in modes))
    totals = {m: sum(rows[m][k] for k in stages) - rows[m]["co-affected species (key index)"]
              for m in modes}
    print(f"{'total (co-affected counted once)':<46}" + "".join(f"{totals[m]:>15.1f} ms" for m in modes))
    print(f"{'characters of narrative text per draft':<46}" + "".join(f"{rows[m]['chars']:>18.0f}" for m in modes))
    print(f"CPU per new draft: one by one {totals[modes[0]]:.1f} ms -> batched "
          f"{totals[modes[1]]:.1f} ms ({totals[modes[0]] / totals[modes[1]]:.2f}x)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default="", help="Store URL (default: the demo graph, built if absent).")
    ap.add_argument("--synth-species", type=int, default=0,
                    help="Benchmark a synthetic graph of this many species (built once in var/bench).")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--species-requests", type=int, default=3000)
    ap.add_argument("--suggest-requests", type=int, default=250,
                    help="Distinct drafts (each sent once new, once again).")
    ap.add_argument("--max-seconds", type=float, default=90.0, help="Per endpoint.")
    ap.add_argument("--workers", type=int, default=1, help="Server worker processes.")
    ap.add_argument("--no-nlp", action="store_true", help="Serve /suggest without the nlp models.")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--only", choices=["species", "suggest"], default=None,
                    help="Measure one endpoint only.")
    ap.add_argument("--no-warm-up", action="store_true",
                    help="Do not wait for (or start) the server's background indexes.")
    ap.add_argument("--no-baseline", action="store_true",
                    help="Skip the baseline server (A2P_SUGGEST_BATCH=1, A2P_TORCH_THREADS=0, "
                    "no datasheet cache, no precomputed datasheets).")
    ap.add_argument("--read-only", action="store_true",
                    help="Open the store read-only (A2P_READ_ONLY=true), e.g. a graph shared "
                    "with other jobs.")
    ap.add_argument("--ready-timeout", type=float, default=3600.0,
                    help="Seconds to wait for the server's background warm-up.")
    ap.add_argument("--grid", action="store_true",
                    help="/suggest only: five servers one after the other, A2P_SUGGEST_BATCH 32|8|1 "
                    "with one worker, 32|1 with two (batching and worker processes apart).")
    ap.add_argument("--breakdown", action="store_true",
                    help="No server: CPU per new /suggest draft stage by stage in this process "
                    "(one by one against batched).")
    ap.add_argument("--breakdown-drafts", type=int, default=64)
    ap.add_argument("--out", default="", help="Write the results as JSON here too.")
    ap.add_argument("--env", action="append", default=[], metavar="A2P_NAME=VALUE",
                    help="Extra environment of the service server (not the baseline); repeatable.")
    args = ap.parse_args()

    base_dir = ROOT / "var" / "bench"
    if args.synth_species:
        store = build_synthetic_graph(args.synth_species, base_dir)
        label = f"synthetic {args.synth_species} species"
    elif args.store:
        store, label = args.store, args.store
    else:
        from api.demo import run_demo

        demo = base_dir / "demo-graph"  # its own copy: never the one `a2p demo` serves
        if not (demo / "CURRENT").exists():
            run_demo(f"oxigraph:{demo}", base_dir / "demo-download")
        store, label = f"oxigraph:{demo}", "demo graph (300 species)"

    print(f"graph: {label} ({store})", flush=True)
    common = {"A2P_READ_ONLY": "true"} if args.read_only else {}
    if args.only == "suggest":
        # /species is not measured: its precomputed datasheets (minutes of one core at 172k
        # species, started by the first /species request) would compete with /suggest
        common["A2P_SHEET_STORE"] = "false"
    if args.grid:
        run_grid(args, store, label, common, base_dir)
        return
    if args.breakdown:
        run_breakdown(args, store, label)
        return
    results: dict = {"graph": label, "store": store, "concurrency": args.concurrency,
                     "workers": args.workers}
    if not args.no_baseline:
        results["baseline"] = measure(args, store, {**common, **BASELINE_ENV},
                                      "baseline: no batching across requests, torch default threads, "
                                      "no datasheet cache",
                                      base_dir)
    extra = dict(e.split("=", 1) for e in args.env)
    results["service"] = measure(args, store, {**common, **extra},
                                 f"service: defaults{' with ' + str(extra) if extra else ''}",
                                 base_dir)
    if "baseline" in results:
        print_table(results["baseline"], with_targets=False)
    ok = print_table(results["service"], with_targets=True)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2))
    print(f"targets {'met' if ok else 'NOT met'}")
    svc = results["service"]
    if "baseline" in results:
        ratios = []
        for name, path in PHASES:
            b, r = results["baseline"].get(name), svc.get(name)
            if b and r and r["p95_ms"]:
                ratios.append(f"{path} p95 {b['p95_ms']:.0f} -> {r['p95_ms']:.0f} ms "
                              f"({b['p95_ms'] / r['p95_ms']:.1f}x)")
        print("against the baseline: " + "; ".join(ratios))


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--build-only":
    print(build_synthetic_graph(int(sys.argv[2]), ROOT / "var" / "bench"))
    sys.exit(0)

if __name__ == "__main__":
    main()
