"""Ingest throughput: embedded Oxigraph vs rdflib's in-memory store, in the same run.

    python benchmarks/ingest.py [--species 10000] [--memory-species N] [--download DIR] [--keep DIR]

Generates a synthetic Red List download (kg.synth), then ingests it into each store in a
fresh subprocess (so peak memory is per store) and prints the quads written, the triples
stored, wall time, triples/s (stored / ingest seconds) and peak RSS. `--download` reuses an
existing download for the Oxigraph run (the rdflib run then takes its first taxa, so both
stores load the same kind of data); `--keep` leaves the Oxigraph store there. The
streaming ingest is the one `a2p ingest` runs (kg.load.ingest). Targets (issue 6): at least
300k triples/s into Oxigraph and at most 4 GB peak memory at 172k species.
The `engine` row is the ceiling the store itself sets, in the same run: the Oxigraph store
just built is dumped to an N-Quads file, which one pyoxigraph `bulk_load` (from the file
path, lenient, named graphs as ingest writes them) loads into a fresh store; no Python
work at all (`--no-engine` skips it).
The last line is the headline ratio: Oxigraph triples/s over rdflib Memory triples/s.
"""

from __future__ import annotations

import argparse
import csv
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
        rep = ingest([download], st, progress=True)
        count = st.count()
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"quads": rep.quads, "stored": count, "ingest_s": rep.seconds,
                      "wall_s": wall, "peak_mb": peak_mb}))


def engine_child(dump: str, folder: str) -> None:
    import pyoxigraph as ox

    t0 = time.perf_counter()
    st = ox.Store(folder)
    st.bulk_load(path=dump, format=ox.RdfFormat.N_QUADS, lenient=True)
    st.flush()
    seconds = time.perf_counter() - t0
    count = sum(1 for _ in open(dump, "rb"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"quads": count, "stored": len(st), "ingest_s": seconds, "wall_s": seconds,
                      "peak_mb": peak_mb}))


def measure(*args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def engine_ceiling(store_dir: Path, work: Path) -> dict[str, float]:
    """Dump the store ingest built, then time one bulk_load of the dump into a fresh store."""
    from kg.store import open_store

    dump = work / "engine.nq"
    t0 = time.perf_counter()
    with open_store(f"oxigraph:{store_dir}", read_only=True) as st, open(dump, "wb") as fh:
        st.dump(fh)
    print(f"store dumped to N-Quads for the engine row in {time.perf_counter() - t0:.1f} s")
    r = measure("--engine-child", str(dump), str(work / "engine-store"))
    dump.unlink()
    return r


def subset_download(src: Path, dst: Path, n: int) -> Path:
    """The rows of the first `n` taxa of a download (every file is keyed by internalTaxonId)."""
    dst.mkdir(parents=True)
    with open(src / "taxonomy.csv", encoding="utf-8", newline="") as fh:
        keep = {r["internalTaxonId"] for _, r in zip(range(n), csv.DictReader(fh), strict=False)}
    for path in sorted(src.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fin, open(dst / path.name, "w", encoding="utf-8",
                                                                     newline="") as fout:
            reader, writer = csv.reader(fin), csv.writer(fout)
            header = next(reader)
            col = header.index("internalTaxonId")
            writer.writerow(header)
            writer.writerows(r for r in reader if r[col] in keep)
    return dst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--species", type=int, default=10000)
    ap.add_argument("--memory-species", type=int, default=None,
                    help="species for the rdflib run (default: same as --species)")
    ap.add_argument("--download", type=Path, default=None, help="existing download for the Oxigraph run")
    ap.add_argument("--keep", type=Path, default=None, help="Oxigraph store folder to build and keep")
    ap.add_argument("--no-engine", action="store_true", help="skip the engine-ceiling row")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--engine-child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.engine_child:
        engine_child(*args.engine_child)
        return
    from kg.synth import write_download

    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        sizes = {"oxigraph": args.species, "memory": args.memory_species or args.species}
        downloads: dict[int, Path] = {}
        if args.download:
            downloads[args.species] = args.download
            for n in set(sizes.values()) - set(downloads):  # the same data, cut to its first n taxa
                t0 = time.perf_counter()
                downloads[n] = subset_download(args.download, Path(tmp) / f"download-{n}", n)
                print(f"first {n} taxa of {args.download} copied in {time.perf_counter() - t0:.1f} s")
        for n in sorted(set(sizes.values()) - set(downloads)):
            downloads[n] = Path(tmp) / f"download-{n}"
            t0 = time.perf_counter()
            write_download(downloads[n], species=n, seed=11)
            print(f"synthetic download of {n} species written in {time.perf_counter() - t0:.1f} s")
        ox_dir = args.keep or Path(tmp) / "ox"
        for name, n in sizes.items():
            url = f"oxigraph:{ox_dir}" if name == "oxigraph" else "memory:"
            r = measure("--child", str(downloads[n]), url)
            r["store"], r["species"] = name, n
            rows.append(r)
        if not args.no_engine:
            r = engine_ceiling(ox_dir, Path(tmp))
            r["store"], r["species"] = "engine", args.species
            rows.insert(1, r)
        for r in rows:
            r["triples_per_s"] = r["stored"] / r["ingest_s"]
        print(f"{'store':10} {'species':>8} {'written':>11} {'stored':>11} {'ingest s':>9} {'wall s':>8} "
              f"{'triples/s':>10} {'peak MB':>8}")
        for r in rows:
            print(f"{r['store']:10} {r['species']:>8} {r['quads']:>11,} {r['stored']:>11,} {r['ingest_s']:>9.1f} "
                  f"{r['wall_s']:>8.1f} {r['triples_per_s']:>10,.0f} {r['peak_mb']:>8.0f}")
        ox, mem = rows[0], rows[-1]
        ok = "met" if ox["triples_per_s"] >= 300_000 else "NOT met"
        print(f"target >= 300,000 triples/s into Oxigraph: {ok} ({ox['triples_per_s']:,.0f})")
        if len(rows) == 3:
            eng = rows[1]["triples_per_s"]
            print(f"engine ceiling (one bulk_load of the same quads from a file): {eng:,.0f} triples/s; "
                  f"ingest reaches {ox['triples_per_s'] / eng:.0%} of it")
        ok = "met" if ox["peak_mb"] <= 4096 else "NOT met"
        print(f"target <= 4 GB peak memory (Oxigraph): {ok} ({ox['peak_mb']:,.0f} MB)")
        print(f"oxigraph/rdflib-memory ingest throughput ratio: {ox['triples_per_s'] / mem['triples_per_s']:.1f}x")


if __name__ == "__main__":
    main()
