"""Planning speed and memory on the synthetic generator, against baselines measured in the same run.

    python benchmarks/planning.py [--species 20000] [--workshop 1073] [--chunks N] [--work DIR]

Builds (or reuses, in --work) a synthetic download of --species species ingested into
Oxigraph (in --chunks parts: each part is a complete download of a subset of taxa, so
ingest memory stays bounded), computes the threat x place keys, then measures:

- co-affected species for one focal species: the key index (built once from the graph),
  the key-literal SPARQL path, and the plain self-join query (the baseline; Oxigraph has no
  query timeout, so each baseline run is a subprocess killed after --baseline-timeout s);
- full clustering of all threatened species (reading the keys from the graph + clustering),
  on the big graph and on a --workshop species graph.

Prints a table (with the targets of the issue), peak memory, and as its last line the
headline ratio: co-affected with precomputed keys vs the plain self-join, same run.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def split_download(src: Path, dest: Path, chunks: int) -> list[Path]:
    """Write `chunks` complete downloads, each holding the taxa with internalTaxonId % chunks == i."""
    from kg.synth import FILES, README_NAME

    outs = [dest / f"part-{i:02d}" for i in range(chunks)]
    for o in outs:
        o.mkdir(parents=True, exist_ok=True)
        (o / README_NAME).write_text((src / README_NAME).read_text(encoding="utf-8"), encoding="utf-8")
    for name in FILES:
        with open(src / name, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            col = header.index("internalTaxonId")
            handles = [open(o / name, "w", encoding="utf-8", newline="") for o in outs]  # noqa: SIM115
            try:
                writers = [csv.writer(h) for h in handles]
                for w in writers:
                    w.writerow(header)
                for row in reader:
                    writers[int(row[col]) % chunks].writerow(row)
            finally:
                for h in handles:
                    h.close()
    return outs


def build_graph(species: int, work: Path, chunks: int, seed: int = 7) -> tuple[str, dict[str, float]]:
    """An Oxigraph store with the synthetic download of `species` species (reused when present)."""
    from kg.load import ingest
    from kg.store import open_store
    from kg.synth import write_download

    store_dir = work / f"graph-{species}"
    url = f"oxigraph:{store_dir}"
    done = store_dir / "INGESTED"
    info: dict[str, float] = {}
    if done.is_file():
        info.update(json.loads(done.read_text()))
        return url, info
    download = work / f"synth-{species}"
    t0 = time.perf_counter()
    write_download(download, species=species, seed=seed)
    info["synth_s"] = time.perf_counter() - t0
    parts = [download] if chunks <= 1 else split_download(download, work / f"parts-{species}", chunks)
    t0 = time.perf_counter()
    quads = 0
    with open_store(url) as st:
        for p in parts:
            rep = ingest([p], st)
            quads += rep.quads
            print(
                f"  ingested {p.name}: {rep.assessments} assessments, {rep.quads} quads, {rep.seconds:.0f} s",
                flush=True,
            )
    info["ingest_s"] = time.perf_counter() - t0
    info["quads"] = quads
    done.write_text(json.dumps(info))
    return url, info


def selfjoin_child(url: str, focal: str) -> None:
    from rdflib import URIRef

    from kg import iris
    from kg.query import run
    from kg.store import open_store

    with open_store(url, read_only=True) as st:
        t0 = time.perf_counter()
        rows = run(st, "planning_coaffected_selfjoin", focal=URIRef(iris.assessment(focal)))
        print(json.dumps({"s": time.perf_counter() - t0, "rows": len(rows)}))


def selfjoin(url: str, focal: str, timeout: float) -> float | None:
    """Seconds of the plain self-join for one focal assessment (None when killed at the timeout)."""
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child-selfjoin", url, focal],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return float(json.loads(out.stdout.strip().splitlines()[-1])["s"])


def ms(xs: list[float]) -> str:
    p95 = sorted(xs)[int(0.95 * (len(xs) - 1))]
    return f"median {statistics.median(xs) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms, max {max(xs) * 1000:.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--species", type=int, default=20000)
    ap.add_argument("--workshop", type=int, default=1073)
    ap.add_argument("--chunks", type=int, default=0, help="ingest in parts (default: one part per 25,000 species)")
    ap.add_argument("--work", type=Path, default=ROOT / "var" / "bench-planning")
    ap.add_argument("--focal", type=int, default=50)
    ap.add_argument("--sparql-focal", type=int, default=10)
    ap.add_argument("--baseline-focal", type=int, default=3)
    ap.add_argument("--baseline-timeout", type=float, default=60.0)
    ap.add_argument("--child-selfjoin", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_selfjoin:
        selfjoin_child(*args.child_selfjoin)
        return

    import numpy as np

    from api.services import planning as svc
    from kg.planning.coaffected import coaffected_sparql
    from kg.store import open_store

    args.work.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str]] = []
    chunks = args.chunks or max(1, -(-args.species // 25000))
    print(f"graph of {args.species} synthetic species ({chunks} part(s)) in {args.work}", flush=True)
    url, info = build_graph(args.species, args.work, chunks)
    if "ingest_s" in info:
        rows.append(
            (
                "ingest (synthetic download -> Oxigraph)",
                f"{info['ingest_s']:.0f} s, {info.get('quads', 0):,.0f} quads",
                "",
            )
        )
    wurl, _ = build_graph(args.workshop, args.work, 1, seed=11)

    with open_store(url) as st:
        t0 = time.perf_counter()
        n = svc.refresh_keys(st)
        rows.append(
            (
                "threat x place keys (coded + text places), computed and written",
                f"{time.perf_counter() - t0:.1f} s, {n:,} quads",
                "",
            )
        )
        print(rows[-1], flush=True)

        t0 = time.perf_counter()
        index = svc.coaffected_index(st)
        build_s = time.perf_counter() - t0
        rows.append(
            (
                "co-affected key index, built from the graph (once per store generation)",
                f"{build_s:.1f} s, {len(index):,} assessments, {len(index.keys):,} keys",
                "",
            )
        )
        print(rows[-1], flush=True)
        rng = np.random.default_rng(0)
        focal = [
            m.assessment_id
            for m, p in zip(index.meta, index.profiles, strict=True)
            if p.threatened and p.current_threats() and p.places
        ]
        sample = [focal[i] for i in rng.choice(len(focal), size=min(args.focal, len(focal)), replace=False)]
        lat = []
        for aid in sample:
            t0 = time.perf_counter()
            index.coaffected(aid, 10)
            lat.append(time.perf_counter() - t0)
        idx_med = statistics.median(lat)
        rows.append(
            (
                f"co-affected, one species, k=10: precomputed keys, index ({len(sample)} species)",
                ms(lat),
                "<= 100 ms: " + ("met" if sorted(lat)[int(0.95 * (len(lat) - 1))] <= 0.1 else "NOT met"),
            )
        )
        print(rows[-1], flush=True)
        lat_sparql = []
        for aid in sample[: args.sparql_focal]:
            t0 = time.perf_counter()
            coaffected_sparql(st, aid, 10)
            lat_sparql.append(time.perf_counter() - t0)
        rows.append(
            (
                f"co-affected, one species, k=10: key literals, SPARQL two-step ({len(lat_sparql)} species)",
                ms(lat_sparql),
                "",
            )
        )
        print(rows[-1], flush=True)

        t0 = time.perf_counter()
        from kg.planning.graphdata import load_profiles, place_names

        prof = load_profiles(st, threatened_only=True, threats_from="keys", places_from="keys", assessment_attrs=False)
        names = place_names(st)
        read_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        rep = svc.clusters_for_profiles(prof, names)
        cl_s = time.perf_counter() - t0
        total = read_s + cl_s
        target = 60.0 if args.species >= 100000 else 60.0 * args.species / 172000
        rows.append(
            (
                f"clustering all {rep.threatened:,} threatened species "
                f"(read keys {read_s:.1f} s + cluster {cl_s:.1f} s)",
                f"{total:.1f} s, {len(rep.clusters):,} clusters, coverage {rep.coverage:.0%}",
                f"<= 60 s at 172,000 species (pro rata {target:.1f} s here): "
                + ("met" if total <= target else "NOT met"),
            )
        )
        print(rows[-1], flush=True)
        cmp_rows = svc.compare_clusters(prof, rep)
    with open_store(wurl, read_only=False) as ws:
        svc.refresh_keys(ws)
    with open_store(wurl, read_only=True) as ws:
        t0 = time.perf_counter()
        wrep = svc.list_clusters(ws)
        w_s = time.perf_counter() - t0
    rows.append(
        (
            f"clustering a {args.workshop:,}-species workshop set ({wrep.threatened} threatened, end to end)",
            f"{w_s:.2f} s, {len(wrep.clusters)} clusters",
            "<= 2 s: " + ("met" if w_s <= 2 else "NOT met"),
        )
    )
    print(rows[-1], flush=True)

    base = []
    for aid in sample[: args.baseline_focal]:
        s = selfjoin(url, aid, args.baseline_timeout)
        base.append(s)
        print(
            f"  self-join baseline {aid}: "
            + (f"> {args.baseline_timeout:.0f} s (killed)" if s is None else f"{s:.2f} s"),
            flush=True,
        )
    finished = [b for b in base if b is not None]
    killed = len(base) - len(finished)
    base_txt = (f"median {statistics.median(finished) * 1000:.0f} ms" if finished else "none finished") + (
        f"; {killed} of {len(base)} killed at {args.baseline_timeout:.0f} s" if killed else ""
    )
    rows.append(
        (f"co-affected, one species: plain self-join SPARQL, no keys (baseline, {len(base)} species)", base_txt, "")
    )

    w = max(len(r[0]) for r in rows)
    print()
    print(f"{'operation':{w}}  result  [target]")
    for op, res, tgt in rows:
        print(f"{op:{w}}  {res}" + (f"  [{tgt}]" if tgt else ""))
    print()
    print("clusters vs the planner's baseline (same threatened species):")
    for r in cmp_rows:
        print("  " + ", ".join(f"{k}: {v}" for k, v in r.items()))
    print(f"peak memory (this process): {peak_mb():,.0f} MB")
    if finished and not killed:
        ratio = statistics.median(finished) / idx_med
        print(
            f"headline: co-affected for one species with precomputed threat x place keys is {ratio:,.0f}x faster "
            f"than the plain self-join ({idx_med * 1000:.2f} ms vs {statistics.median(finished) * 1000:,.0f} ms, "
            f"median, same run, {args.species:,} species)"
        )
    else:
        bound = args.baseline_timeout / idx_med
        print(
            f"headline: co-affected for one species with precomputed threat x place keys is > {bound:,.0f}x faster "
            f"than the plain self-join ({idx_med * 1000:.2f} ms vs > {args.baseline_timeout:.0f} s, median, "
            f"same run, {args.species:,} species)"
        )


if __name__ == "__main__":
    main()
