"""Query library latency at full scale: Oxigraph at 172k species vs rdflib memory: at 10 %, same run.

    python benchmarks/queries.py [--store oxigraph:var/bench/graph172000] [--baseline-species 17200]
                                 [--reps 20] [--baseline-reps 5] [--timeout 30] [--only NAME ...]

For every query in kg/queries/*.rq the benchmark picks realistic bindings from each graph
(the most widespread threat and country for species_sharing_threat, a seeded sample of
species for per-species queries, CR for category filters; bindings are drawn from each
graph separately), runs one warm-up and then --reps timed runs cycling through the binding
sets, and prints p50 / p95 / max and rows per query. The baseline is the same cases on
rdflib's `memory:` store holding a synthetic download of --baseline-species species
(written once under --work, ingested in this run).

Every case runs in a forked child: a run that takes longer than --timeout seconds kills it
and the case is reported as "stalled > N s" (Oxigraph has no query timeout of its own).
The 172k store is opened read-only. Whole-graph cases (no binding narrows them: bulk reads
used at ingest, by kg.fetch or to fill the API's cached tables) are marked "bulk".

Paged queries (kg.query.run(limit=, offset=)): the interactive cases read one page of
PAGE taxa (--page, default 100) at two offsets; "pages of N" cases read every page of the
answer in turn (the paged export path; "by category": each category's pages in turn), one
timed run per page, and the total time of all pages is printed under the table. A sweep
stopped by --budget is extrapolated: the whole answer's pages (from a COUNT) x the mean
time of the pages read.

Cases run one after the other, each on rdflib and then on Oxigraph; with --deadline, the
cases not started by then are listed as not run (a bounded run still prints its table).

Last line: queries meeting <= 1 s p95 on Oxigraph at 172k, and the median
Oxigraph-172k / rdflib-17k speed ratio over the cases both engines finished.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rdflib import Literal, URIRef  # noqa: E402

from kg import iris  # noqa: E402

TARGET_S = 1.0
PREFIXES = f"PREFIX a2p: <{iris.ONTOLOGY}>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
# bindings are drawn from the graph with these (run once per engine, not timed)
SAMPLE_LATEST = (
    PREFIXES
    + """SELECT ?taxon ?assessment ?taxonId ?family ?order WHERE {
  ?taxon a2p:latestAssessment ?assessment ; a2p:sisTaxonId ?taxonId .
  OPTIONAL { ?taxon a2p:family ?family } OPTIONAL { ?taxon a2p:order ?order } }"""
)
TOP_COUNTRIES = (
    PREFIXES
    + """SELECT ?place (COUNT(?occ) AS ?n) WHERE {
  ?occ a2p:place ?place . ?place a a2p:Country } GROUP BY ?place ORDER BY DESC(?n) LIMIT 20"""
)
TOP_THREATS = (
    PREFIXES
    + """SELECT ?threat ?code (COUNT(?ti) AS ?n) WHERE {
  ?ti a2p:threat ?c . ?c a2p:rollsUpTo ?threat . ?threat skos:notation ?code }
  GROUP BY ?threat ?code ORDER BY DESC(?n) LIMIT 40"""
)
# what a whole-graph sweep pages through (Case.total), counted once after a stopped sweep
COUNT_ASSESSMENTS = PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?a a2p:assessmentId ?id }"
COUNT_LATEST = PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?t a2p:latestAssessment ?a }"
COUNT_THREATENED = (
    PREFIXES
    + """SELECT (COUNT(*) AS ?n) WHERE { ?t a2p:latestAssessment ?a . ?a a2p:category ?c .
  ?c skos:notation ?code FILTER(?code IN ("CR", "EN", "VU")) }"""
)
CATEGORIES = (
    PREFIXES
    + f"SELECT DISTINCT ?code WHERE {{ ?a a2p:category ?c . ?c skos:notation ?code ; "
    f"skos:inScheme <{iris.scheme('categories')}> }}"
)
ONE_KEY = PREFIXES + "SELECT ?key WHERE { ?a a2p:threatPlaceKey ?key } LIMIT 1"
ONE_LME = (
    PREFIXES
    + """SELECT ?place (COUNT(?occ) AS ?n) WHERE {
  ?occ a2p:place ?place . ?place a a2p:LargeMarineEcosystem } GROUP BY ?place ORDER BY DESC(?n) LIMIT 1"""
)


@dataclass
class Case:
    label: str
    query: str
    bindings: list[dict[str, Any]] = field(default_factory=lambda: [{}])
    bulk: bool = False
    sweep: int = 0  # page size: every page of a paged query in turn (one timed run per page)
    total: str = ""  # COUNT query: the units (taxa, rows, assessments) a full sweep pages through


@dataclass
class Result:
    times: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    stalled: float | None = None  # the time-out, when a run did not finish
    error: str = ""
    complete: bool = False  # a sweep reached its last (empty) page
    units: int | None = None  # a sweep's units (Case.total), counted after the sweep, untimed

    def pct(self, q: float) -> float:
        xs = sorted(self.times)
        if not xs:  # no timed run finished (a sweep stopped at once): never meets a target
            return float("inf")
        return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]

    def cell(self) -> str:
        if self.error:
            return f"error: {self.error[:40]}"
        if self.stalled is not None:
            return f"stalled > {self.stalled:g} s"
        if not self.times:
            return "no timed run"
        return f"{self.pct(0.5):.3f} / {self.pct(0.95):.3f} / {max(self.times):.3f} ({len(self.times)})"

    def rows_cell(self) -> str:
        if not self.rows:
            return "-"
        lo, hi = min(self.rows), max(self.rows)
        return f"{lo}" if lo == hi else f"{lo}-{hi}"


# --------------------------------------------------------------------------- bindings


def pick_bindings(store: Any, sample: int, seed: int) -> dict[str, Any]:
    """Realistic values drawn from this graph (seeded)."""
    rng = random.Random(seed)
    latest = store.select(SAMPLE_LATEST).rows
    chosen = rng.sample(latest, min(sample, len(latest)))
    countries = [r["place"] for r in store.select(TOP_COUNTRIES).rows]
    threats = [(r["threat"], str(r["code"])) for r in store.select(TOP_THREATS).rows]
    level1 = [t for t, c in threats if "." not in c and "_" not in c]
    level2 = [t for t, c in threats if c.count(".") + c.count("_") == 1]
    keys = [r["key"] for r in store.select(ONE_KEY).rows]
    lmes = [r["place"] for r in store.select(ONE_LME).rows]
    categories = sorted(str(r["code"]) for r in store.select(CATEGORIES).rows)
    fams = [r["family"] for r in chosen if r["family"] is not None]
    orders = [r["order"] for r in chosen if r["order"] is not None]
    return {
        "taxa": [r["taxon"] for r in chosen],
        "assessments": [r["assessment"] for r in chosen],
        "taxonIds": [r["taxonId"] for r in chosen],
        "family": fams[0] if fams else Literal("NONE"),
        "order": orders[0] if orders else Literal("NONE"),
        "countries": countries,
        "threat1": level1[0] if level1 else URIRef(iris.concept("threats", "7")),
        "threat2": level2[0] if level2 else URIRef(iris.concept("threats", "7.2")),
        "lme": lmes[0] if lmes else URIRef(iris.place("lme", "0")),
        "key": keys[0] if keys else Literal("T7_2|ID"),
        "categories": categories,
    }


def cases(p: dict[str, Any], only: set[str] | None, page: int = 100, sweep: int = 1000) -> list[Case]:
    """The cases for every library query (bindings from `pick_bindings`)."""
    from kg.query import library

    def each(name: str, values: list[Any]) -> list[dict[str, Any]]:
        return [{name: v} for v in values]

    def pages(*bindings: dict[str, Any]) -> list[dict[str, Any]]:  # first page and page 11
        return [{**b, "limit": page, "offset": o} for b in bindings for o in (0, 10 * page)]

    top, mid = p["countries"][0], p["countries"][min(10, len(p["countries"]) - 1)]
    # whole-graph exports of the taxon tables read each category's pages in turn: paging the
    # unbound query sorts every taxon in the graph for each page (2-10 s a page at 172k)
    by_cat = each("categoryCode", p["categories"])
    threatened = each("categoryCode", [c for c in p["categories"] if c in ("CR", "EN", "VU")])
    cutoff = [{"cutoffDate": Literal(date(2016, 1, 1)), "cutoffYear": Literal(2016)}]
    out = [
        Case("assessment_keys", "assessment_keys", bulk=True),
        Case(f"assessment_keys pages of {sweep}", "assessment_keys", bulk=True, sweep=sweep,
             total=COUNT_ASSESSMENTS),
        Case(f"conservation_completeness CR page {page}", "conservation_completeness", pages({"categoryCode": "CR"})),
        Case("conservation_completeness CR", "conservation_completeness", [{"categoryCode": "CR"}], bulk=True),
        Case("conservation_completeness", "conservation_completeness", bulk=True),
        Case(f"conservation_completeness pages of {page} by category", "conservation_completeness", by_cat,
             bulk=True, sweep=page, total=COUNT_LATEST),
        Case(
            f"cooccurring_threatened place page {page}",
            "cooccurring_threatened",
            pages(*each("place", [top, mid, p["lme"]])),
        ),
        Case("cooccurring_threatened place", "cooccurring_threatened", each("place", [top, mid, p["lme"]]),
             bulk=True),
        Case("cooccurring_threatened", "cooccurring_threatened", bulk=True),
        Case("fetch_assessments 1", "fetch_assessments", each("assessment", p["assessments"])),
        Case("fetch_assessments latest", "fetch_assessments", [{"latestOnly": True}], bulk=True),
        Case(f"fetch_assessments latest pages of {sweep}", "fetch_assessments", [{"latestOnly": True}],
             bulk=True, sweep=sweep, total=COUNT_ASSESSMENTS),
        Case("fetch_parts 1", "fetch_parts", each("assessment", p["assessments"])),
        Case("fetch_parts", "fetch_parts", bulk=True),
        Case(f"fetch_parts pages of {page}", "fetch_parts", bulk=True, sweep=page, total=COUNT_ASSESSMENTS),
        Case(f"review_table CR page {page}", "review_table", pages({"categoryCode": "CR"})),
        Case("review_table CR", "review_table", [{"categoryCode": "CR"}], bulk=True),
        Case(f"review_table pages of {page} by category", "review_table", threatened, bulk=True, sweep=page,
             total=COUNT_THREATENED),
        Case("review_table", "review_table", bulk=True),
        Case(f"species_by_category CR page {page}", "species_by_category", pages({"categoryCode": "CR"})),
        Case(
            f"species_by_category group page {page}",
            "species_by_category",
            pages({"taxonGroup": p["family"]}, {"taxonGroup": p["order"], "categoryCode": "EN"}),
        ),
        Case("species_by_category CR", "species_by_category", [{"categoryCode": "CR"}], bulk=True),
        Case(
            f"species_by_category CR pages of {sweep}",
            "species_by_category",
            [{"categoryCode": "CR"}],
            bulk=True,
            sweep=sweep,
        ),
        Case(
            "species_by_category group",
            "species_by_category",
            [{"taxonGroup": p["family"]}, {"taxonGroup": p["order"], "categoryCode": "EN"}],
            bulk=True,
        ),
        Case(
            f"species_sharing_threat page {page}",
            "species_sharing_threat",
            pages({"threat": p["threat1"], "country": top}, {"threat": p["threat2"], "country": mid}),
        ),
        Case(
            "species_sharing_threat",
            "species_sharing_threat",
            [{"threat": p["threat1"], "country": top}, {"threat": p["threat2"], "country": mid}],
            bulk=True,
        ),
        Case("stats", "stats", bulk=True),
        Case(
            f"threat_action_disconnect CR page {page}",
            "threat_action_disconnect",
            pages({"categoryCode": "CR"}),
        ),
        Case("threat_action_disconnect CR", "threat_action_disconnect", [{"categoryCode": "CR"}], bulk=True),
        Case(f"threat_action_disconnect pages of {page} by category", "threat_action_disconnect", by_cat,
             bulk=True, sweep=page, total=COUNT_LATEST),
        Case("threat_action_disconnect", "threat_action_disconnect", bulk=True),
        Case("links_affected", "links_affected", each("place", [top, mid])),
        Case("links_events", "links_events"),
        Case("links_notifications", "links_notifications"),
        Case("links_pledges", "links_pledges"),
        Case("links_reassessment_age", "links_reassessment_age", cutoff, bulk=True),
        Case("links_reassessment_events", "links_reassessment_events"),
        Case("links_review_table CR", "links_review_table", [{"categoryCode": "CR"}]),
        Case("links_review_table", "links_review_table", bulk=True),
        Case("links_subscriptions", "links_subscriptions"),
        Case("links_taxon_names", "links_taxon_names", bulk=True),
        Case("links_taxon_records", "links_taxon_records", each("taxon", p["taxa"])),
        Case("links_taxon_summary 1", "links_taxon_summary", each("taxon", p["taxa"])),
        Case("links_taxon_summary", "links_taxon_summary", bulk=True),
        Case("links_taxon_threats", "links_taxon_threats", each("taxon", p["taxa"])),
        Case("planning_candidate", "planning_candidate", each("assessment", p["assessments"])),
        Case("planning_candidate_threats", "planning_candidate_threats", each("assessment", p["assessments"])),
        Case("planning_coaffected", "planning_coaffected", each("focal", p["assessments"])),
        Case("planning_coaffected_selfjoin", "planning_coaffected_selfjoin", each("focal", p["assessments"])),
        Case("planning_has_keys", "planning_has_keys"),
        Case("planning_key_count", "planning_key_count", [{"key": p["key"]}]),
        Case("planning_keys 1", "planning_keys", each("assessment", p["assessments"])),
        Case("planning_keys", "planning_keys", bulk=True),
        Case("planning_place_names", "planning_place_names", bulk=True),
        Case("planning_taxon_latest", "planning_taxon_latest", each("taxonId", p["taxonIds"])),
    ]
    out += [
        Case(name, name, bulk=True)
        for name in library()
        if name.startswith("planning_scan_") and name not in {c.query for c in out}
    ]
    missing = set(library()) - {c.query for c in out}
    if missing:  # a query added to the library without a case here: run it unbound
        out += [Case(name, name) for name in sorted(missing)]
    if only:
        out = [c for c in out if c.query in only or c.label in only]
    return out


# --------------------------------------------------------------------------- timing


def _child(opener: Callable[[], Any], case: Case, reps: int, budget: float, conn: Any) -> None:
    from kg.query import run

    try:
        store = opener()
        if case.sweep:
            _sweep(store, case, budget, conn)
            return
        start = time.perf_counter()
        for i in range(reps + 1):  # run 0 is the warm-up
            if i > 5 and time.perf_counter() - start > budget:  # slow case: fewer runs, reported
                conn.send(("done", 0.0, -1))
                break
            b = case.bindings[i % len(case.bindings)] if i else case.bindings[0]
            t0 = time.perf_counter()
            n = len(run(store, case.query, **b))
            conn.send((i, time.perf_counter() - t0, n))
    except Exception as exc:  # noqa: BLE001 - reported in the table, not hidden
        conn.send(("error", f"{type(exc).__name__}: {exc}", 0))
    conn.close()


def _sweep(store: Any, case: Case, budget: float, conn: Any) -> None:
    """Every page of a paged query in turn, for each binding set in turn (an export by
    category reads each category's pages); run 0 reads the first page as a warm-up. After
    `budget` seconds the sweep stops and is reported as stopped, with the pages it read."""
    from kg.query import run

    i, which, page = 0, 0, 0
    start = time.perf_counter()
    while True:
        if i > 1 and time.perf_counter() - start > budget:
            units = int(store.select(case.total).rows[0]["n"]) if case.total else -1
            conn.send(("done", 0.0, units))
            break
        b = case.bindings[which]
        t0 = time.perf_counter()
        n = len(run(store, case.query, limit=case.sweep, offset=page * case.sweep, **b))
        conn.send((i, time.perf_counter() - t0, n))
        if i and n == 0:  # this binding set's last page: the next one, or the end
            which, page = which + 1, 0
            if which == len(case.bindings):
                conn.send(("end", 0.0, 0))
                break
        elif i:
            page += 1
        i += 1
    conn.close()


def measure(
    opener: Callable[[], Any], case: Case, reps: int, timeout: float, budget: float, grace: float = 30.0
) -> Result:
    """Warm-up + `reps` timed runs in a forked child, killed when one run exceeds `timeout`;
    after `budget` seconds (and at least 5 timed runs) the child stops early. The first run
    may take `grace` seconds more (it opens the store: none for the in-memory baseline)."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(opener, case, reps, budget, child))
    proc.start()
    child.close()
    res = Result()
    got = 0
    while case.sweep or got < reps + 1:
        if not parent.poll(timeout + (grace if got == 0 else 0)):  # first message includes opening
            res.stalled = timeout
            proc.kill()
            break
        i, t, n = parent.recv()
        if i == "error":
            res.error = str(t)
            break
        if i == "done":
            res.units = n if n >= 0 else None
            break
        if i == "end":
            res.complete = True
            break
        got += 1
        if i:
            res.times.append(t)
            res.rows.append(n)
    proc.join()
    return res


# --------------------------------------------------------------------------- graphs


def baseline_download(work: Path, species: int, seed: int) -> Path:
    from kg.synth import write_download

    d = work / f"synth-{species}"
    done = d / "WRITTEN"
    if not done.is_file():
        write_download(d, species=species, seed=seed)
        done.write_text("ok\n")
    return d


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default=f"oxigraph:{ROOT / 'var/bench/graph172000'}")
    ap.add_argument("--baseline-species", type=int, default=17200)
    ap.add_argument("--work", type=Path, default=ROOT / "var" / "bench-queries")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--baseline-reps", type=int, default=5)
    ap.add_argument("--bulk-reps", type=int, default=5, help="timed runs of whole-graph cases on Oxigraph")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds one run may take")
    ap.add_argument("--budget", type=float, default=60.0, help="seconds per case before it stops early")
    ap.add_argument("--open-grace", type=float, default=30.0,
                    help="seconds a case's first Oxigraph run may take beyond --timeout (it opens the store)")
    ap.add_argument("--deadline", type=float, default=0.0,
                    help="seconds after the start: cases not started by then are reported as not run (0: none)")
    ap.add_argument("--sample", type=int, default=10, help="species sampled for per-species cases")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--page", type=int, default=100, help="taxa per page in the paged interactive cases")
    ap.add_argument("--sweep", type=int, default=1000, help="page size of the every-page (export) cases")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--only", nargs="*", help="query names or case labels")
    args = ap.parse_args()

    from kg.load import ingest
    from kg.store import open_store

    only = set(args.only) if args.only else None

    def open_ox() -> Any:
        return open_store(args.store, read_only=True)

    # bindings for the big graph are picked in a child too (the parent never opens RocksDB
    # before forking)
    ctx = mp.get_context("fork")
    q: Any = ctx.Queue()
    started = t0 = time.perf_counter()

    def late() -> Result | None:  # a case not started by --deadline: reported, not run
        if args.deadline and time.perf_counter() - started > args.deadline:
            return Result(error="not run: --deadline reached")
        return None

    picker = ctx.Process(target=lambda: q.put(pick_bindings(open_ox(), args.sample, args.seed)))
    picker.start()
    ox_picks = q.get()
    picker.join()
    print(f"bindings from {args.store}: {time.perf_counter() - t0:.1f} s", flush=True)
    ox_cases = cases(ox_picks, only, args.page, args.sweep)

    base: dict[str, Result] = {}
    mem_cases: dict[str, Case] = {}
    if not args.no_baseline:
        src = baseline_download(args.work, args.baseline_species, args.seed)
        mem = open_store("memory:")
        t0 = time.perf_counter()
        rep = ingest([src], mem)
        print(
            f"baseline: {args.baseline_species} species into memory: ({rep.quads} quads) "
            f"in {time.perf_counter() - t0:.0f} s",
            flush=True,
        )
        mem_cases = {c.label: c for c in cases(pick_bindings(mem, args.sample, args.seed), only, args.page, args.sweep)}

    # case by case, rdflib then Oxigraph, so a --deadline leaves out whole rows of the table
    ox: dict[str, Result] = {}
    for c in ox_cases:
        if c.label in mem_cases:
            base[c.label] = late() or measure(
                lambda: mem, mem_cases[c.label], args.baseline_reps, args.timeout, args.budget, grace=1.0
            )
            print(f"  memory   {c.label:32} {base[c.label].cell()}", flush=True)
        ox[c.label] = late() or measure(
            open_ox, c, args.bulk_reps if c.bulk else args.reps, args.timeout, args.budget, args.open_grace
        )
        print(f"  oxigraph {c.label:32} {ox[c.label].cell()}", flush=True)

    print()
    print(
        f"p50 / p95 / max seconds (timed runs); Oxigraph {args.store} ({args.reps} runs, bulk {args.bulk_reps}), "
        f"rdflib memory: {args.baseline_species} species ({args.baseline_reps} runs); time-out {args.timeout:g} s"
    )
    head = (
        f"| {'case':32} | {'kind':6} | {'oxigraph 172k p50/p95/max (n)':34} | {'rows':11} | "
        f"{'memory 17k p50/p95/max (n)':34} | {'rows':11} | {'ratio':>7} | {'<=1 s':5} |"
    )
    print(head)
    print("|" + "|".join("-" * (len(s)) for s in head.split("|")[1:-1]) + "|")
    ratios = []
    for c in ox_cases:
        o, m = ox[c.label], base.get(c.label, Result(error="not run"))
        ok = not o.error and o.stalled is None and o.pct(0.95) <= TARGET_S
        ratio = ""
        if o.times and m.times and not o.stalled and not m.stalled:
            r = statistics.median(m.times) / max(statistics.median(o.times), 1e-6)
            ratios.append(r)
            ratio = f"{r:.1f}x"
        print(
            f"| {c.label:32} | {'bulk' if c.bulk else 'lookup':6} | {o.cell():34} | {o.rows_cell():11} | "
            f"{m.cell():34} | {m.rows_cell():11} | {ratio:>7} | {'yes' if ok else 'NO':5} |"
        )
    lookups = [c for c in ox_cases if not c.bulk]
    meet = [
        c
        for c in lookups
        if not ox[c.label].error and ox[c.label].stalled is None and ox[c.label].pct(0.95) <= TARGET_S
    ]
    bulk_ok = [
        c
        for c in ox_cases
        if c.bulk and not ox[c.label].error and ox[c.label].stalled is None and ox[c.label].pct(0.95) <= TARGET_S
    ]
    stalls = [c.label for c in ox_cases if ox[c.label].stalled is not None]
    stalls += [f"{lbl} (memory)" for lbl, r in base.items() if r.stalled is not None]
    for c in (c for c in ox_cases if c.sweep):  # the paged export: every page, in turn
        for engine, res in (("oxigraph", ox[c.label]), ("memory", base.get(c.label))):
            if res is None:  # no baseline run
                continue
            state = "all pages" if res.complete else (
                "stalled" if res.stalled else res.error or "stopped after --budget s"
            )
            line = (
                f"{c.label} ({engine}): {len(res.times)} pages, {sum(res.rows)} rows, "
                f"total {sum(res.times):.1f} s ({state})"
            )
            if not res.complete and res.units and res.times:  # pages x mean time per page
                need = -(-res.units // c.sweep)
                line += (
                    f"; the whole answer is {res.units} units = {need} pages x "
                    f"{statistics.mean(res.times):.3f} s = ~{need * statistics.mean(res.times):.0f} s"
                )
            print(line)
    print(f"stalled: {', '.join(stalls) or 'none'}")
    med = f"{statistics.median(ratios):.1f}x" if ratios else "n/a"
    print(
        f"headline: {len(meet)}/{len(lookups)} lookup cases and {len(bulk_ok)}/{len(ox_cases) - len(lookups)} "
        f"bulk cases meet <= 1 s p95 on Oxigraph at 172k species; median speed ratio rdflib-17k / "
        f"Oxigraph-172k = {med} (Oxigraph on 10x the data)"
    )


if __name__ == "__main__":
    main()
