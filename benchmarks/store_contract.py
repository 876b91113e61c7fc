"""Store contract: every library query gives the same answer on memory:, oxigraph: and Virtuoso.

    python benchmarks/store_contract.py [--species 3000] [--reps 3] [--port 18991 --isql-port 11212]
                                        [--sparql URL]  (an already running server, loaded by you)

Writes (once, under --work) a synthetic download of --species species, ingests it into rdflib
`memory:` and a fresh `oxigraph:` store, exports the Oxigraph store as N-Quads and bulk-loads
the dump into a throw-away Virtuoso started on loopback with scripts/virtuoso.sh (stopped on
exit, also on Ctrl-C). Bindings are drawn once (from the Oxigraph store, by the same rules as
benchmarks/queries.py) and every library query case runs with the same bindings on all three.

Results are compared as multisets of normalised rows. The rules (and only these):
- IRIs compare as IRIs; a blank node compares as "_:" (labels are store-local);
- numbers compare by value whatever their numeric datatype (Virtuoso types COUNT and
  arithmetic results differently): 3, "3"^^xsd:long and 3.0 are equal; 3.5 is not 3;
- booleans compare as 1 / 0 (Virtuoso returns xsd:boolean values as integers);
- plain and xsd:string literals are equal; language tags compare case-insensitively;
- the parts of GROUP_CONCAT columns are sorted (their order is engine-dependent);
- anything else - lexical form, datatype, a row too many or too few - is a difference.

Prints agreement, rows and median latency per query and backend; disagreements with a few
example rows; last line "N/M queries agree on all 3 backends".
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import multiprocessing as mp
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rdflib import BNode, Literal, URIRef  # noqa: E402
from rdflib.namespace import XSD  # noqa: E402

from benchmarks.queries import Case, baseline_download, cases, pick_bindings  # noqa: E402

NUMERIC = {
    str(XSD[t])
    for t in (
        "integer decimal double float long int short byte nonNegativeInteger positiveInteger "
        "negativeInteger nonPositiveInteger unsignedLong unsignedInt unsignedShort unsignedByte"
    ).split()
}
BOOLEAN = str(XSD.boolean)
Row = tuple[str, ...]


def norm_term(term: Any, sep: str | None) -> str:
    """One result cell -> a comparable string (the rules of the module docstring)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return "_:"
    assert isinstance(term, Literal)
    dt = str(term.datatype) if term.datatype else ""
    text = str(term)
    if dt == BOOLEAN:
        return "1" if text.strip() in ("true", "1") else "0"
    if dt in NUMERIC:
        try:
            num = Decimal(text.strip())
        except InvalidOperation:
            return f'"{text}"^^<{dt}>'
        return str(int(num)) if num == num.to_integral_value() else format(num.normalize(), "f")
    if sep is not None:
        text = sep.join(sorted(text.split(sep)))
    if term.language:
        return f'"{text}"@{term.language.lower()}'
    if dt and dt != str(XSD.string):
        return f'"{text}"^^<{dt}>'
    return f'"{text}"'


def normalise(rows: Any, concat: dict[str, str]) -> Counter[Row]:
    return Counter(tuple(norm_term(r[v], concat.get(v)) for v in rows.vars) for r in rows.rows)


# --------------------------------------------------------------------------- Virtuoso


class Virtuoso:
    """A throw-away Virtuoso on loopback (scripts/virtuoso.sh), stopped on exit or signal."""

    SCRIPT = ROOT / "scripts" / "virtuoso.sh"

    def __init__(self, folder: Path, port: int, isql_port: int) -> None:
        self.folder = folder
        self.port, self.isql_port = port, isql_port
        self.url = ""
        atexit.register(self.stop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self.stop()
        raise SystemExit(128 + signum)

    def start(self) -> str:
        out = subprocess.run(
            ["bash", str(self.SCRIPT), "start", str(self.folder), str(self.port), str(self.isql_port)],
            check=True,
            capture_output=True,
            text=True,
        )
        self.url = out.stdout.strip().splitlines()[-1]
        return self.url

    def load(self, dump: Path) -> None:
        subprocess.run(["bash", str(self.SCRIPT), "load", str(self.folder), str(dump)], check=True)

    def stop(self) -> None:
        if (self.folder / "pid").exists():
            subprocess.run(["bash", str(self.SCRIPT), "stop", str(self.folder)], check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


# --------------------------------------------------------------------------- running


def run_case(store: Any, case: Case, reps: int) -> tuple[Counter[Row] | str, float]:
    """(normalised multiset of all binding sets' rows, or the error; median seconds per run)."""
    from kg.query import concat_columns, run

    concat = concat_columns(case.query)
    got: Counter[Row] = Counter()
    times = []
    try:
        for i, b in enumerate(case.bindings):
            for rep in range(reps):
                t0 = time.perf_counter()
                rows = run(store, case.query, **b)
                times.append(time.perf_counter() - t0)
                if rep == 0:
                    # tag the rows with the binding set, so that sets cannot stand in for each other
                    got.update((str(i), *r) for r in normalise(rows, concat).elements())
    except Exception as exc:  # noqa: BLE001 - a failing backend is a reported disagreement
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}", 0.0
    return got, statistics.median(times)


def run_case_limited(store: Any, case: Case, reps: int, timeout: float) -> tuple[Counter[Row] | str, float]:
    """`run_case` in a forked child, reported as stalled when it takes over `timeout` seconds
    (Oxigraph and rdflib have no query time-out of their own)."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def target() -> None:
        child.send(run_case(store, case, reps))
        child.close()

    proc = ctx.Process(target=target)
    proc.start()
    child.close()
    if not parent.poll(timeout):
        proc.kill()
        proc.join()
        return f"stalled > {timeout:g} s", 0.0
    out = parent.recv()
    proc.join()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--species", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--reps", type=int, default=3, help="runs per binding set (median latency)")
    ap.add_argument("--sample", type=int, default=5, help="species sampled for per-species cases")
    ap.add_argument("--work", type=Path, default=ROOT / "var" / "bench-contract")
    ap.add_argument("--port", type=int, default=18991)
    ap.add_argument("--isql-port", type=int, default=11212)
    ap.add_argument("--sparql", help="use this running, already loaded server instead of starting one")
    ap.add_argument("--only", nargs="*", help="query names or case labels")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds a case may take on one backend")
    args = ap.parse_args()

    from kg.load import ingest
    from kg.store import open_store

    args.work.mkdir(parents=True, exist_ok=True)
    src = baseline_download(args.work, args.species, args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="contract-", dir=args.work))
    atexit.register(shutil.rmtree, tmp, True)
    stores: dict[str, Any] = {}
    t0 = time.perf_counter()
    stores["memory"] = open_store("memory:")
    rep = ingest([src], stores["memory"])
    stores["oxigraph"] = open_store(f"oxigraph:{tmp / 'graph'}")
    ingest([src], stores["oxigraph"])
    print(f"{args.species} species, {rep.quads} quads into memory: and oxigraph: in {time.perf_counter() - t0:.0f} s")
    if args.sparql:
        stores["virtuoso"] = open_store(f"sparql:{args.sparql}")
    else:
        dump = tmp / "graph.nq"
        with open(dump, "wb") as fh:
            stores["oxigraph"].dump(fh)
        t0 = time.perf_counter()
        server = Virtuoso(tmp / "virtuoso", args.port, args.isql_port)
        url = server.start()
        server.load(dump)
        stores["virtuoso"] = open_store(f"sparql:{url}")
        print(f"Virtuoso at {url}, bulk-loaded {dump.stat().st_size >> 20} MB in {time.perf_counter() - t0:.0f} s")
    counts = {k: s.count() for k, s in stores.items()}
    print("quads per backend: " + ", ".join(f"{k} {v}" for k, v in counts.items()))

    picks = pick_bindings(stores["oxigraph"], args.sample, args.seed)
    todo = cases(picks, set(args.only) if args.only else None)
    names = list(stores)
    print()
    head = (
        f"| {'case':32} | {'agree':5} | "
        + " | ".join(f"{n + ' rows':>13}" for n in names)
        + " | "
        + " | ".join(f"{n + ' ms':>11}" for n in names)
        + " |"
    )
    print(head)
    print("|" + "|".join("-" * len(s) for s in head.split("|")[1:-1]) + "|")
    agree_queries: dict[str, bool] = {}
    details = []
    for c in todo:
        # remote: the server's own MaxQueryExecutionTime applies; embedded: a forked child
        res = {
            n: run_case(stores[n], c, args.reps)
            if n == "virtuoso"
            else run_case_limited(stores[n], c, args.reps, args.timeout)
            for n in names
        }
        ref = res["oxigraph"][0]
        ok = all(isinstance(r, Counter) and r == ref for r, _ in res.values())
        agree_queries[c.query] = agree_queries.get(c.query, True) and ok
        rows = [
            f"{sum(r.values()):>13}" if isinstance(r, Counter) else f"{'stalled' if 'stalled' in r else 'error':>13}"
            for r, _ in res.values()
        ]
        ms = [f"{t * 1000:>11.1f}" for _, t in res.values()]
        print(f"| {c.label:32} | {'yes' if ok else 'NO':5} | " + " | ".join(rows) + " | " + " | ".join(ms) + " |")
        if not ok:
            details.append((c, res))
    for c, res in details:
        print(f"\n{c.label} ({c.query}) differs:")
        ref = res["oxigraph"][0]
        for n, (r, _) in res.items():
            if isinstance(r, str):
                print(f"  {n}: {r}")
            elif isinstance(ref, Counter) and r != ref:
                print(f"  {n} has, oxigraph not: {list((r - ref).elements())[:3]}")
                print(f"  oxigraph has, {n} not: {list((ref - r).elements())[:3]}")
    for s in stores.values():
        with contextlib.suppress(Exception):
            s.close()
    n_ok = sum(agree_queries.values())
    print(f"\n{n_ok}/{len(agree_queries)} queries agree on all 3 backends")


if __name__ == "__main__":
    main()
