"""Ingest throughput: embedded Oxigraph vs rdflib's in-memory store, in the same run.

    python benchmarks/ingest.py [--species 10000] [--memory-species N]

Generates a synthetic Red List download (kg.synth), then ingests it into each store in a
fresh subprocess (so peak memory is per store) and prints quads/s, wall time and peak RSS.
The last line is the headline ratio: Oxigraph quads/s over rdflib Memory quads/s.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def child(download: str, url: str) -> None:
    from kg.load import ingest
    from kg.store import open_store

    t0 = time.perf_counter()
    with open_store(url) as st:
        rep = ingest([download], st)
        count = st.count()
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"quads": rep.quads, "stored": count, "ingest_s": rep.seconds,
                      "wall_s": wall, "peak_mb": peak_mb}))


def measure(download: Path, url: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", str(download), url],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--species", type=int, default=10000)
    ap.add_argument("--memory-species", type=int, default=None,
                    help="species for the rdflib run (default: same as --species)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    from kg.synth import write_download

    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        sizes = {"oxigraph": args.species, "memory": args.memory_species or args.species}
        downloads: dict[int, Path] = {}
        for n in sorted(set(sizes.values())):
            downloads[n] = Path(tmp) / f"download-{n}"
            t0 = time.perf_counter()
            write_download(downloads[n], species=n, seed=11)
            print(f"synthetic download of {n} species written in {time.perf_counter() - t0:.1f} s")
        for name, n in sizes.items():
            url = f"oxigraph:{tmp}/ox" if name == "oxigraph" else "memory:"
            r = measure(downloads[n], url)
            r["store"], r["species"] = name, n
            r["quads_per_s"] = r["quads"] / r["ingest_s"]
            rows.append(r)
        print(f"{'store':10} {'species':>8} {'quads':>10} {'ingest s':>9} {'quads/s':>10} {'peak MB':>8}")
        for r in rows:
            print(f"{r['store']:10} {r['species']:>8} {r['quads']:>10} {r['ingest_s']:>9.2f} "
                  f"{r['quads_per_s']:>10,.0f} {r['peak_mb']:>8.0f}")
        ox, mem = rows
        print(f"oxigraph/rdflib-memory ingest throughput ratio: {ox['quads_per_s'] / mem['quads_per_s']:.1f}x")


if __name__ == "__main__":
    main()
