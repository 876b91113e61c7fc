"""GET /clusters pages against the whole report each request used to return.

    python benchmarks/clusters_pages.py [--store oxigraph:var/bench/graph172k2] [--reps 3]

Opens the store read-only, computes the cluster report once (`list_clusters`, cached per store
version as the service does; its cold time and the sizes of the clusters are printed), then
times, best of --reps, what one request builds: the page (or, the baseline, the whole report)
as JSON-ready data with the link cells added (`with_link_cells`), serialised with json.dumps.

Last line: the default first page against the whole report (time and bytes).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # before benchmarks/, whose api.py would shadow the package

from api.routes.planning import CLUSTERS_PAGE  # noqa: E402
from api.services import links, planning, planning_link  # noqa: E402
from kg.store import open_store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default="oxigraph:var/bench/graph172k2")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    st = open_store(args.store, read_only=True)
    t = time.perf_counter()
    report = planning.list_clusters(st)
    cold = time.perf_counter() - t
    sizes = sorted((len(c.species) for c in report.clusters), reverse=True)
    print(f"report: {cold:.1f} s cold, {len(sizes)} clusters (median {statistics.median(sizes or [0]):.0f} "
          f"species, largest {sizes[0] if sizes else 0}), {len(report.singletons)} singletons")

    def page(limit: int, offset: int) -> Any:
        return lambda: links.with_link_cells(st, planning.clusters_page(st, limit, offset))

    cases = {
        "whole report (baseline: every request before)":
            lambda: links.with_link_cells(st, planning_link.to_jsonable(planning.list_clusters(st))),
        f"first page, limit={CLUSTERS_PAGE} (default)": page(CLUSTERS_PAGE, 0),
        f"second page, limit={CLUSTERS_PAGE}": page(CLUSTERS_PAGE, CLUSTERS_PAGE),
        "first page, limit=25": page(25, 0),
    }
    rows = []
    for name, fn in cases.items():
        best, size, species = float("inf"), 0, 0
        for _ in range(args.reps):
            t = time.perf_counter()
            data = fn()
            body = json.dumps(data)
            best = min(best, time.perf_counter() - t)
            size = len(body)
            species = sum(len(c["species"]) for c in data["clusters"])
        rows.append((name, species, size, best))
    print(f"{'response':48} {'species rows':>12} {'JSON bytes':>12} {'best (s)':>9}")
    for name, species, size, best in rows:
        print(f"{name:48} {species:12,} {size:12,} {best:9.3f}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    (_, _, whole_b, whole_t), (_, _, first_b, first_t) = rows[0], rows[1]
    print(f"default first page vs whole report: {whole_t / first_t:.1f}x faster, "
          f"{whole_b / first_b:.1f}x smaller")


if __name__ == "__main__":
    main()
