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

    python benchmarks/ingest.py --reingest [--species N | --download DIR] [--template STORE]
                                [--fractions 0.05,0.25,1] [--paths checkpoint,rebuild,auto]

`--reingest` times ingest into a store that already holds the download: the first taxa of the
download (each fraction of it) are ingested again into a copy of the populated store (a
checkpoint of `--template`, or of a store built from the download first), once per way of
building the new generation (kg.store.OxigraphBatch): `checkpoint` (the old path, the
baseline: the replaced graphs removed one by one from a checkpoint), `rebuild` (a new
generation bulk-loaded with the batch, the kept graphs copied over) and `auto` (what ingest
chooses). Every run of a fraction must give the same graph (per-graph quad counts compared).
`--path-timeout` stops a run after that many seconds (reported as stopped); `--no-check` skips
the comparison (a GROUP BY over every quad) but still counts the quads. The last line is
the full re-ingest's time by the old path over the chosen one.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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


def measure(*args: str, timeout: float | None = None) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, stdout=subprocess.PIPE, text=True,
                         timeout=timeout)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- re-ingest

PATHS: dict[str, dict[str, float]] = {  # OxigraphBatch settings that force one way of building the new generation
    "checkpoint": {"REBUILD_MIN_GRAPHS": 1 << 62},
    "rebuild": {"REBUILD_MIN_GRAPHS": 0, "REBUILD_HITS": 0.0, "REBUILD_FRACTION": 0.0},
    "auto": {},
}


def reingest_child(download: str, url: str, path: str, check: str) -> None:
    import hashlib

    from kg.load import ingest
    from kg.store import OxigraphBatch, open_store

    for attr, value in PATHS[path].items():
        setattr(OxigraphBatch, attr, value)
    modes: list[str] = []
    begin = OxigraphBatch._begin

    def spy(self: OxigraphBatch, mode: str) -> Any:
        modes.append(mode)
        return begin(self, mode)

    OxigraphBatch._begin = spy  # type: ignore[method-assign,assignment]
    t0 = time.perf_counter()
    with open_store(url) as st:
        rep = ingest([download], st)
        seconds = time.perf_counter() - t0
        per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        rows: list[dict[str, Any]] = list(st.select(per_graph)) if check == "check" else []
        count = st.count()
    pairs = "\n".join(sorted(f"{r['g']}\t{r['n']}" for r in rows))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"quads": rep.quads, "stored": count, "ingest_s": seconds, "peak_mb": peak_mb,
                      "modes": "+".join(modes),
                      "digest": hashlib.sha256(pairs.encode()).hexdigest()[:16] if rows else ""}))


def clone_store(src: Path, dst: Path) -> None:
    """A writable copy of an Oxigraph store folder: a checkpoint (hard links) of its generation."""
    import pyoxigraph as ox

    gen = (src / "CURRENT").read_text().strip()
    dst.mkdir(parents=True)
    ox.Store.read_only(str(src / gen)).backup(str(dst / gen))
    (dst / "CURRENT").write_text(gen + "\n")


def reingest(args: argparse.Namespace, tmp: Path) -> None:
    from kg.store import OxigraphBatch

    download = args.download
    if download is None:
        download = tmp / "download"
        from kg.synth import write_download

        write_download(download, species=args.species, seed=11)
    with open(download / "taxonomy.csv", encoding="utf-8") as fh:
        species = sum(1 for _ in csv.reader(fh)) - 1
    template = args.template
    if template is None:
        template = tmp / "template"
        r = measure("--child", str(download), f"oxigraph:{template}")
        print(f"populated store: first ingest of {species} species, {r['stored']:,} quads, "
              f"{r['ingest_s']:.1f} s, peak {r['peak_mb']:.0f} MB")
    if args.plan:  # FRACTION=PATH+PATH,...
        plan = [(float(f), ps.split("+")) for f, _, ps in (item.partition("=") for item in args.plan.split(","))]
    else:
        plan = [(float(f), args.paths.split(",")) for f in args.fractions.split(",")]
    paths = [p for _, ps in plan for p in ps]
    rows = []
    for frac, frac_paths in plan:
        n = max(1, round(species * frac))
        t0 = time.perf_counter()
        cached = args.subsets / f"{download.name}-{n}" if args.subsets else None
        if n >= species:
            sub = download
        elif cached and cached.exists():
            sub = cached
        else:
            sub = subset_download(download, cached or tmp / f"download-{n}", n)
        print(f"download of {n} species ready in {time.perf_counter() - t0:.1f} s", flush=True)
        for path in frac_paths:
            store = tmp / f"store-{n}-{path}"
            clone_store(template, store)
            try:
                r = measure("--reingest-child", str(sub), f"oxigraph:{store}", path,
                            "nocheck" if args.no_check else "check",
                            timeout=args.baseline_timeout if path == "checkpoint" else args.path_timeout)
            except subprocess.TimeoutExpired:
                r = {"ingest_s": float("inf"), "modes": "stopped", "peak_mb": 0.0, "stored": 0, "digest": ""}
            shutil.rmtree(store)
            r.update(path=path, species=n, fraction=n / species)
            rows.append(r)
            print(f"  {n} species by {path}: {r['ingest_s']:.1f} s ({r['modes']})", flush=True)
        if sub not in (download, cached):
            shutil.rmtree(sub)
    print(f"re-ingest into a populated {species}-species store (OxigraphBatch.REBUILD_FRACTION = "
          f"{OxigraphBatch.REBUILD_FRACTION}):")
    print(f"{'species':>8} {'share':>6} {'path':11} {'chosen':22} {'seconds':>8} {'stored':>11} {'peak MB':>8} "
          f"{'graph'}")
    for r in rows:
        same = {x["digest"] for x in rows if x["species"] == r["species"] and x["digest"]}
        secs = "stopped" if r["ingest_s"] == float("inf") else f"{r['ingest_s']:.1f}"
        print(f"{r['species']:>8} {r['fraction']:>6.0%} {r['path']:11} {r['modes']:22} {secs:>8} "
              f"{r['stored']:>11,} {r['peak_mb']:>8.0f} "
              f"{'-' if not same else 'same' if len(same) == 1 else 'DIFFERENT'}")
    full = [r for r in rows if r["fraction"] == max(x["fraction"] for x in rows)]
    old = next((r for r in full if r["path"] == "checkpoint"), None)
    new = next((r for r in full if r["path"] == ("auto" if "auto" in paths else "rebuild")), None)
    if old and new:
        what = f"re-ingest of {full[0]['fraction']:.0%} of the species, old path (checkpoint) over {new['path']}"
        if old["ingest_s"] == float("inf"):
            print(f"{what}: > {args.baseline_timeout / new['ingest_s']:.1f}x (old path stopped after "
                  f"{args.baseline_timeout:.0f} s)")
        else:
            print(f"{what}: {old['ingest_s'] / new['ingest_s']:.1f}x")


def engine_ceiling(store_dir: Path, work: Path) -> dict[str, Any]:
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
    ap.add_argument("--tmp", default=None, help="folder for temporary stores (default: the system's)")
    ap.add_argument("--no-engine", action="store_true", help="skip the engine-ceiling row")
    ap.add_argument("--reingest", action="store_true", help="time ingest into a populated store")
    ap.add_argument("--template", type=Path, default=None,
                    help="--reingest: the populated store (read only; default: built from the download)")
    ap.add_argument("--fractions", default="0.05,0.25,0.5,1", help="--reingest: shares of the species")
    ap.add_argument("--paths", default="checkpoint,rebuild,auto", help="--reingest: ways to build")
    ap.add_argument("--plan", default="", help="--reingest: FRACTION=PATH+PATH,... instead of the two above")
    ap.add_argument("--subsets", type=Path, default=None,
                    help="--reingest: keep (and reuse) the downloads cut to a fraction here")
    ap.add_argument("--path-timeout", type=float, default=None, help="--reingest: seconds per run")
    ap.add_argument("--baseline-timeout", type=float, default=None,
                    help="--reingest: seconds per run of the checkpoint path (default: --path-timeout)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--reingest-child", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--no-check", action="store_true",
                    help="--reingest: skip the per-graph comparison of the paths' graphs (slow at 172k)")
    ap.add_argument("--engine-child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.engine_child:
        engine_child(*args.engine_child)
        return
    if args.reingest_child:
        reingest_child(*args.reingest_child)
        return
    if args.reingest:
        args.baseline_timeout = args.baseline_timeout or args.path_timeout
        if args.tmp:
            Path(args.tmp).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
            reingest(args, Path(tmp))
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
