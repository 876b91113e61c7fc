"""Cost of the review table's link columns: one links_table_cells query per table build.

    python benchmarks/links_columns.py [--store oxigraph:var/bench/graph172000] [--reps 3]

Opens the store read-only and times, in the same run, the review table's own query
(review_table, the baseline the Tables build already pays) and api.services.links.link_cells
(the one extra query the link columns add), each --reps times after a warm-up. The 172k
synthetic graph has no link records, so this measures the scan over every assessed taxon
that the query always makes; link records add rows only for the taxa they name.

Last line: extra time of the link columns as a fraction of the review table query (median).
"""

from __future__ import annotations

import argparse
import statistics
import time

from kg.links.review import link_columns, table_cells
from kg.query import run
from kg.store import open_store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default="oxigraph:var/bench/graph172000")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    st = open_store(args.store, read_only=True)
    cases = {
        "review_table (baseline)": lambda: len(run(st, "review_table")),
        "link cells (links_table_cells)": lambda: len(table_cells(st)),
        "links_taxon_summary (reference)": lambda: len(link_columns(st)),
    }
    times: dict[str, list[float]] = {}
    rows: dict[str, int] = {}
    for name, fn in cases.items():
        rows[name] = fn()  # warm-up
        times[name] = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    print(f"store {args.store}, {args.reps} timed runs after a warm-up")
    print(f"{'case':36} {'rows':>8} {'median s':>9} {'max s':>7}")
    for name in cases:
        print(f"{name:36} {rows[name]:>8} {statistics.median(times[name]):>9.2f} "
              f"{max(times[name]):>7.2f}")
    base = statistics.median(times["review_table (baseline)"])
    extra = statistics.median(times["link cells (links_table_cells)"])
    print(f"link columns add {extra:.2f} s to a {base:.2f} s review table query: "
          f"{extra / base:.2f}x of the baseline")
    st.close()


if __name__ == "__main__":
    main()
