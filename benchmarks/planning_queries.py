"""Planning and links queries at 172k species: Oxigraph vs rdflib memory: at 10 %, same run.

    python benchmarks/planning_queries.py [--source var/bench/graph172k] [--work var/bench-planq]
                                          [--before REV] [--reps 20] [--timeout 30] [--only NAME ...]

The queries of kg/queries/planning_*.rq and kg/queries/links_*.rq, with the bindings their
callers use (kg/planning, kg/links, kg/events, api/services), on a graph that holds what
they read. The 172k store (--source, opened read-only) has no threat x place keys and no
link data, so the benchmark builds its own once under --work: a hard-link copy of the
source (RocksDB files are immutable; nothing is written to the source), the keys
(kg.planning.keys.compute_keys) and synthetic link data in proportion to the taxa (`enrich`:
CITES listings 9 % of taxa plus two genus listings, ex situ holdings 5 %, priority scores
4 %, identifiers 30 %, one pledge per 86 taxa, one site event per 860, 100 subscriptions
with notifications, place and threat mentions for 20 % of latest assessments as
a2p:Suggestion), each through the library path that writes it in production
(kg.links.load.link_file for the link files). The baseline is a --baseline-species
synthetic download ingested into rdflib's `memory:` store in this run and enriched the
same way.

Cases are "request" (per API request or command on one species, event, pledge or place:
target <= 1 s p95) or "bulk" (whole-graph scans at ingest or cache build: reported; the
planning scans are read as kg.planning.graphdata reads them, TSV through raw_query). Every
case runs in a forked child (benchmarks/queries.py `measure`): a run longer than --timeout
is killed and reported "stalled". With --before REV the same cases also run with the .rq
files of git revision REV (row counts must agree), so one run gives before and after.

Last line: request cases meeting <= 1 s p95 on Oxigraph at 172k, stalls, and the median
rdflib-17k / Oxigraph-172k speed ratio.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from queries import TARGET_S, Case, Result, baseline_download, measure  # noqa: E402
from rdflib import Literal, URIRef  # noqa: E402

from kg import iris  # noqa: E402
from kg.vocab import A2P  # noqa: E402

SITES = ("Lake Fictara", "Sungai Imajin river", "Bukit Rekaan peat swamp")
PLACES = ("ID", "MY", "BN", "PH", "waterbody:Lake Fictara", "site:Bukit Rekaan peat swamp")
ACTIONS = ("1.1", "2.1", "2.2", "2.3", "3.2", "3.4.1", "4.3", "5.4.3")
THREATS = ("7.2", "11.2", "8.1", "9.3", "5.3", "1.1")
LATEST = """PREFIX a2p: <https://w3id.org/assess2plan/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?taxon ?assessment ?taxonId ?category WHERE {
  ?taxon a2p:latestAssessment ?assessment ; a2p:sisTaxonId ?taxonId .
  ?assessment a2p:category/skos:notation ?category }"""


# --------------------------------------------------------------------------- the graph


def hardlink_copy(source: Path, dest: Path) -> None:
    """An Oxigraph store folder holding the source's live generation: .sst files hard-linked
    (RocksDB never rewrites them), every other file copied, so the source stays untouched."""
    gen = (source / "CURRENT").read_text().strip()
    tmp = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / gen).mkdir(parents=True)
    for f in (source / gen).iterdir():
        if f.suffix == ".sst":
            os.link(f, tmp / gen / f.name)
        else:
            shutil.copy2(f, tmp / gen / f.name)
    (tmp / "CURRENT").write_text(gen + "\n")
    os.replace(tmp, dest)


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def enrich(store: Any, work: Path, seed: int = 7) -> dict[str, float]:
    """Keys, link files, pledges, events, subscriptions, notifications and mentions, in
    proportion to the taxa of `store` (see the module docstring). Returns timings."""
    from kg.build import Quads, mention_quads
    from kg.events import EventIn, _event_quads
    from kg.links.alerts import NotificationResult, SubscriptionIn, _notification_quads, _subscription_quads
    from kg.links.load import link_file
    from kg.links.match import TaxonIndex
    from kg.links.places import resolve_place
    from kg.links.pledges import PledgeIn, StakeholderIn, _pledge_quads
    from kg.planning.keys import compute_keys
    from kg.records import Mention

    info: dict[str, float] = {}
    rng = random.Random(seed)
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    info["key_quads"] = compute_keys(store)
    info["keys_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    index = TaxonIndex.from_store(store)
    info["taxon_index_s"] = time.perf_counter() - t0
    taxa = [t for t in index.taxa if t.rank == "species" and " " in t.name]
    n = len(taxa)

    def some(frac: float) -> list[Any]:
        return rng.sample(taxa, int(frac * n))

    cites = []
    for i, t in enumerate(some(0.09)):
        genus, species = t.name.split(" ", 1)
        listing = rng.choice(("I", "II", "II", "II", "III", "I/II"))
        when = f"{rng.randint(1975, 2023)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}" if rng.random() < 0.6 else ""
        cites.append(
            [
                100000 + i,
                "Animalia",
                t.family,
                genus,
                species,
                t.name,
                "Synthetica, 1900",
                "SPECIES",
                listing,
                f"Appendix {listing}: ",
                "",
                when,
            ]
        )
    for i, t in enumerate(rng.sample(taxa, 2)):  # two genus listings (matched as higher_taxon)
        cites.append(
            [
                900000 + i,
                "Animalia",
                t.family,
                t.genus,
                "",
                t.genus,
                "Synthetica, 1900",
                "GENUS",
                "II",
                "Appendix II: ",
                "",
                "",
            ]
        )
    exsitu, scores, ids = [], [], []
    for t in some(0.05):
        prog = rng.choice(("EEP", "SSP", "EEP|Amphibian Ark", ""))
        exsitu.append([t.name, rng.randint(1, 40), rng.randint(2, 900), prog, "global", "ZIMS 2024", 2024])
        if rng.random() < 0.4:
            exsitu.append([t.name, rng.randint(1, 9), rng.randint(1, 90), prog.split("|")[0], "EU", "ZIMS 2024", 2024])
    for t in some(0.04):
        scores.append([t.name, "edge", round(rng.uniform(1, 30), 2), "", 2023, "", "EDGE 2023"])
        scores.append(
            [
                t.name,
                "national",
                rng.choice(("EN", "VU", "CR")),
                rng.choice(("ID", "MY")),
                2020,
                "",
                "national red list",
            ]
        )
    for t in some(0.30):
        ids.append([t.name, 1000000 + int(t.taxon_id) % 9000000, f"Q{t.taxon_id}", ""])
    files = {
        "cites": _write_csv(
            work / "cites.csv",
            [
                "TaxonId",
                "Kingdom",
                "Family",
                "Genus",
                "Species",
                "FullName",
                "AuthorYear",
                "RankName",
                "CurrentListing",
                "FullAnnotationEnglish",
                "SynonymsWithAuthors",
                "ListingDate",
            ],
            cites,
        ),
        "exsitu": _write_csv(
            work / "exsitu.csv",
            ["scientificName", "institutions", "individuals", "programme", "region", "source", "year"],
            exsitu,
        ),
        "scores": _write_csv(
            work / "scores.csv", ["scientificName", "scheme", "value", "region", "year", "site", "source"], scores
        ),
        "ids": _write_csv(work / "ids.csv", ["scientificName", "gbifKey", "wikidata", "ncbiTaxonId"], ids),
    }
    t0 = time.perf_counter()
    for kind, path in files.items():
        rep = link_file(kind, path, store, index=index)
        info[f"{kind}_links"] = rep.report.links()
    info["link_files_s"] = time.perf_counter() - t0

    q = Quads()
    now = datetime(2025, 6, 1, tzinfo=UTC)
    by_iri = {t.iri: t for t in taxa}
    for i in range(max(20, n // 86)):
        who = StakeholderIn(name=f"Trust {i % 97}", kind="organisation", contact=f"t{i % 97}@example.org")
        chosen = [t.iri for t in rng.sample(taxa, rng.randint(1, 3))]
        p = PledgeIn(
            stakeholder=who,
            taxa=[by_iri[c].name for c in chosen],
            place=rng.choice(PLACES),
            action=rng.choice(ACTIONS),
            description="pledge",
            status=rng.choice(("active", "proposed")),
        )
        _pledge_quads(q, f"p{i:012x}", p, chosen, now - timedelta(days=i), now)
    event_ids = []
    for i in range(max(10, n // 860)):
        ev = EventIn(
            place=rng.choice(PLACES),
            kind=rng.choice(("dried_up", "flood", "fire", "pollution")),
            date=date(2024, 1, 1) + timedelta(days=i % 500),
            description="event",
        )
        chosen = [t.iri for t in rng.sample(taxa, rng.randint(10, 300))]
        eid = f"e{i:012x}"
        event_ids.append(eid)
        _event_quads(q, eid, ev, resolve_place(ev.place), chosen, now - timedelta(hours=i))
    for i in range(100):
        s = SubscriptionIn(
            webhook=f"https://example.org/hook/{i}", name=f"sub {i}", places=[rng.choice(PLACES)] if i % 3 else []
        )
        _subscription_quads(q, f"s{i:012x}", s, [], True, now)
    for eid in event_ids[:50]:
        for _ in range(3):
            res = NotificationResult(
                eid, f"s{rng.randrange(100):012x}", "webhook", "https://example.org/hook", "delivered"
            )
            _notification_quads(q, res, now)
    mentions = []
    for t in some(0.20):
        a = index_latest(store, t.iri)
        if a is None:
            continue
        site = rng.choice(SITES)
        mentions.append(
            Mention(
                kind="place",
                code=f"waterbody:{site}",
                label=site,
                confidence=0.8,
                field="rangeText",
                start=0,
                end=len(site),
                sentence=f"Found in {site}.",
                assessment_id=a,
                model="bench/1",
            )
        )
        code = rng.choice(THREATS)
        mentions.append(
            Mention(
                kind="threat",
                code=code,
                label=f"threat {code}",
                confidence=0.7,
                field="threatsText",
                start=5,
                end=20,
                sentence="Threatened by it.",
                assessment_id=a,
                model="bench/1",
            )
        )
    mention_quads(q, mentions, "bench/1", iris.graph("suggestions", "bench"))
    t0 = time.perf_counter()
    store.replace(q.data(), drop_graphs=q.replaced_graphs)
    info["links_write_s"] = time.perf_counter() - t0
    info["links_quads"] = len(q)
    return info


_LATEST_IDS: dict[int, dict[str, str]] = {}


def index_latest(store: Any, taxon: str) -> str | None:
    """taxon IRI -> its latest assessment id (one scan per store, cached)."""
    m = _LATEST_IDS.get(id(store))
    if m is None:
        m = _LATEST_IDS[id(store)] = {}
        for r in store.select(LATEST).rows:
            m[str(r["taxon"])] = str(r["assessment"]).rsplit("/a", 1)[-1]
    return m.get(taxon)


def build_store(source: Path, work: Path, seed: int) -> str:
    """--work/graph: the source copy with keys and link data (built once, reused)."""
    from kg.store import open_store

    dest = work / "graph"
    done = work / "ENRICHED.json"
    if done.is_file():
        return f"oxigraph:{dest}"
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    hardlink_copy(source, dest)
    with open_store(f"oxigraph:{dest}") as st:
        info = enrich(st, work / "links-172k", seed)
    info["total_s"] = time.perf_counter() - t0
    done.write_text(json.dumps(info, indent=1))
    print(f"built {dest}: {json.dumps(info)}", flush=True)
    return f"oxigraph:{dest}"


# --------------------------------------------------------------------------- cases


def pick(store: Any, sample: int, seed: int) -> dict[str, Any]:
    """Realistic bindings from this graph (seeded)."""
    from kg.query import run

    rng = random.Random(seed)
    latest = store.select(LATEST).rows
    threatened = [r for r in latest if str(r["category"]) in ("CR", "EN", "VU")]
    chosen = rng.sample(threatened, min(sample, len(threatened)))
    keys = [r["key"] for r in run(store, "planning_keys", assessment=chosen[0]["assessment"]).rows]
    linked = sorted({r["taxon"] for r in run(store, "links_table_cells").rows})
    pledges = run(store, "links_pledges").rows
    events = run(store, "links_events").rows
    subs = run(store, "links_subscriptions").rows
    from kg.planning.coaffected import shortlist_cutoff

    cut = [(r["assessment"], shortlist_cutoff(store, r["assessment"])) for r in chosen]
    named = [run(store, "links_taxon_names", taxon=r["taxon"]).rows[0] for r in chosen]
    return {
        "names": [str(r["name"]) for r in named],
        "genera": [r["genus"] for r in named if r["genus"] is not None],
        "shortlist": [{"focal": a, "minShared": Literal(t)} if t else {"focal": a} for a, t in cut],
        "taxa": [r["taxon"] for r in chosen],
        "linked": rng.sample(linked, min(sample, len(linked))),
        "assessments": [r["assessment"] for r in chosen],
        "taxonIds": [r["taxonId"] for r in chosen],
        "keys": rng.sample(keys, min(5, len(keys))) or [Literal("T7_2|ID")],
        "pledges": sorted({r["pledge"] for r in pledges})[:sample],
        "stakeholders": sorted({r["stakeholder"] for r in pledges})[:3],
        "pledgeTaxa": sorted({r["taxon"] for r in pledges if r["taxon"] is not None})[:sample],
        "events": sorted({r["event"] for r in events})[:sample],
        "subscriptions": sorted({r["subscription"] for r in subs})[:3],
    }


def cases(p: dict[str, Any], only: set[str] | None) -> list[Case]:
    from kg.links.places import resolve_place

    def each(name: str, values: list[Any]) -> list[dict[str, Any]]:
        return [{name: v} for v in values]

    def place(spec: str) -> URIRef:
        return URIRef(resolve_place(spec).iri)

    countries = [place(c) for c in ("ID", "MY", "BN", "PH")]
    site = place("waterbody:Lake Fictara")
    cutoff = {"cutoffDate": Literal(date(2015, 6, 1)), "cutoffYear": Literal(2015)}
    out = [
        # per request (target <= 1 s p95)
        Case("links_affected country", "links_affected", each("place", countries)),
        Case("links_affected site+name", "links_affected", [{"place": site, "siteName": Literal("Lake Fictara")}]),
        Case("links_affected site", "links_affected", [{"place": site}]),
        Case("links_affected_mention", "links_affected_mention", [{"siteName": Literal("Lake Fictara")}]),
        Case("links_affected_text", "links_affected_text", [{"siteName": Literal("Lake Fictara")}]),
        Case("links_events", "links_events"),
        Case("links_events 1", "links_events", each("event", p["events"])),
        Case("links_events place", "links_events", each("atPlace", countries[:2] + [site])),
        Case("links_notifications", "links_notifications"),
        Case("links_notifications 1", "links_notifications", each("event", p["events"])),
        Case("links_pledges", "links_pledges"),
        Case("links_pledges 1", "links_pledges", each("pledge", p["pledges"])),
        Case("links_pledges taxon", "links_pledges", each("forTaxon", p["pledgeTaxa"])),
        Case("links_pledges place", "links_pledges", each("atPlace", countries[:2] + [site])),
        Case("links_pledges by", "links_pledges", each("by", p["stakeholders"])),
        Case("links_reassessment_events", "links_reassessment_events"),
        Case("links_subscriptions", "links_subscriptions"),
        Case("links_subscriptions 1", "links_subscriptions", each("subscription", p["subscriptions"])),
        Case("links_taxon_records", "links_taxon_records", each("taxon", p["linked"] + p["taxa"][:3])),
        Case("links_taxon_link_rows", "links_taxon_link_rows", each("taxon", p["linked"] + p["taxa"][:3])),
        Case("links_taxon_threats", "links_taxon_threats", each("taxon", p["taxa"])),
        Case("planning_candidate", "planning_candidate", each("assessment", p["assessments"])),
        Case("planning_candidate_threats", "planning_candidate_threats", each("assessment", p["assessments"])),
        Case("planning_coaffected", "planning_coaffected", each("focal", p["assessments"])),
        Case("planning_coaffected_cutoff", "planning_coaffected_cutoff", each("focal", p["assessments"])),
        Case("planning_coaffected minShared", "planning_coaffected", p["shortlist"]),
        Case("planning_has_keys", "planning_has_keys"),
        Case("planning_key_count", "planning_key_count", each("key", p["keys"])),
        Case("planning_keys 1", "planning_keys", each("assessment", p["assessments"])),
        Case("planning_taxon_latest", "planning_taxon_latest", each("taxonId", p["taxonIds"])),
        # POST /pledges, /subscriptions, GET /pledges?taxon=: the taxa named, resolved by look-ups
        Case(
            "links_taxon_lookup genus",
            "links_taxon_lookup",
            [{"property": URIRef(str(A2P.genus)), "key": g} for g in p["genera"]],
        ),
        Case("links_taxon_names 1", "links_taxon_names", each("taxon", p["taxa"])),
        Case(
            "resolve taxa (POST /pledges)",
            "call:resolve_taxa",
            [{"names": [n]} for n in p["names"][:4]]
            + [{"names": [n.lower()]} for n in p["names"][4:7]]
            + [{"names": p["names"][7:]}, {"names": [str(x) for x in p["taxonIds"][:2]]}],
        ),
        # GET /reassessment: a page of the list kept per store generation (warm-up run computes it)
        Case("reassessment page (GET)", "call:reassessment_page", each("offset", [0, 100, 5000, 50000])),
        # whole-graph answers: per request but the size of the graph, or at ingest / cache build
        Case("links_reassessment_age", "links_reassessment_age", [cutoff], bulk=True),
        Case("reassessment list (computed)", "call:reassessment_list", bulk=True),
        Case("links_review_table CR", "links_review_table", [{"categoryCode": "CR"}], bulk=True),
        Case("links_review_table", "links_review_table", bulk=True),
        Case("links_table_cells", "links_table_cells", bulk=True),
        Case("table cells (review table)", "call:table_cells", bulk=True),
        Case("links_taxon_names", "links_taxon_names", bulk=True),
        Case("links_taxon_summary", "links_taxon_summary", bulk=True),
        # one taxon bound: no longer a request path (kg.links.review reads links_taxon_link_rows)
        Case("links_taxon_summary 1", "links_taxon_summary", each("taxon", p["linked"][:2]), bulk=True),
        Case(
            "planning_coaffected_selfjoin",
            "planning_coaffected_selfjoin",
            each("focal", p["assessments"][:2]),
            bulk=True,
        ),
        Case("planning_keys", "planning_keys", bulk=True),
        Case("planning_place_names", "planning_place_names", bulk=True),
    ]
    for name in ("assessments", "coded", "latest", "places", "taxa", "texts", "threats"):
        out.append(Case(f"planning_scan_{name}", f"planning_scan_{name}", bulk=True))
    if only:
        out = [c for c in out if c.query in only or c.label in only]
    return out


# --------------------------------------------------------------------------- running


def library_at(rev: str, dest: Path) -> Path:
    """The kg/queries/*.rq files of git revision `rev`, written to `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    names = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", rev, "kg/queries/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for n in [n for n in names if n.endswith(".rq")]:
        text = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:{n}"], capture_output=True, text=True, check=True
        ).stdout
        (dest / Path(n).name).write_text(text, encoding="utf-8")
    return dest


# whole-graph scans that kg.planning.graphdata reads as TSV through the store's raw_query
TSV_READ = ("planning_scan_", "planning_keys", "planning_place_names")


# request paths that are Python functions around bound look-ups, timed like a query: the
# case's `query` names the function, its bindings are its arguments; the result's len is "rows"
def _for_names(store: Any, names: list[str]) -> Any:
    from kg.links.match import TaxonIndex, resolve_taxon

    index = TaxonIndex.for_names(store, names)
    return [resolve_taxon(index, n) for n in names]


def _reassessment_page(store: Any, offset: int, limit: int = 100) -> Any:
    from api.services.links import reassessment_page

    return reassessment_page(store, today=REASSESS_DAY, limit=limit, offset=offset)["species"]


def _table_cells(store: Any) -> Any:
    from kg.links.review import table_cells

    return table_cells(store)


def _reassessment_all(store: Any) -> Any:
    from api.services.links import reassessment

    return reassessment(store, today=REASSESS_DAY)


REASSESS_DAY = date(2025, 6, 1)
CALLS = {
    "call:resolve_taxa": _for_names,
    "call:reassessment_page": _reassessment_page,
    "call:reassessment_list": _reassessment_all,
    "call:table_cells": _table_cells,
}


def use_library(folder: Path) -> None:
    """Point kg.query at another folder of .rq files, and time the scans kg.planning reads as
    TSV (kg.planning.graphdata.tuples) that way, not as rdflib rows (forked children inherit
    both). Cases naming a function of CALLS call it."""
    import kg.planning.graphdata
    import kg.query

    kg.query.QUERY_DIR = folder
    kg.query.VARIANT_DIR = folder / "variants"
    kg.query.library.cache_clear()
    rows = kg.query.__dict__.setdefault("_rdflib_run", kg.query.run)

    def run(store: Any, name: str, **bindings: Any) -> Any:
        if name in CALLS:
            return CALLS[name](store, **bindings)
        if name.startswith(TSV_READ) and not any(v is not None for v in bindings.values()):
            return kg.planning.graphdata.tuples(store, name)[1]
        return rows(store, name, **bindings)

    kg.query.run = run
    kg.planning.graphdata.run = rows  # tuples' own fallback keeps the library function


def run_all(
    opener: Any, cs: list[Case], args: argparse.Namespace, tag: str, reps: int, done: Any = None
) -> dict[str, Result]:
    """Measure every case; `done(results so far)` after each (--save writes them as it goes,
    so a run stopped by its time limit keeps what it measured)."""
    out: dict[str, Result] = {}
    for c in cs:
        timeout = max(args.timeout, args.bulk_timeout) if c.bulk else args.timeout
        out[c.label] = measure(opener, c, args.bulk_reps if c.bulk else reps, timeout, args.budget)
        print(f"  {tag:18} {c.label:30} {out[c.label].cell():36} rows {out[c.label].rows_cell()}", flush=True)
        if done is not None:
            done(out)
    return out


def baseline_store(args: argparse.Namespace) -> Any:
    """rdflib memory: holding the --baseline-species download, enriched like the big graph."""
    from kg.load import ingest
    from kg.store import open_store

    t0 = time.perf_counter()
    mem = open_store("memory:")
    quads = ingest([baseline_download(args.work, args.baseline_species, args.seed)], mem).quads
    more = enrich(mem, args.work / f"links-{args.baseline_species}", args.seed)
    print(
        f"baseline: {args.baseline_species} species in memory: {quads} quads + {json.dumps(more)}, "
        f"{time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    return mem


def ok(r: Result) -> bool:
    return not r.error and r.stalled is None and bool(r.times) and r.pct(0.95) <= TARGET_S


def save(path: Path, parts: dict[str, dict[str, Result]], cs: list[Case], meta: dict[str, Any]) -> None:
    """One run's parts (results by case label), its cases and settings, as JSON (--merge)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "meta": meta,
        "cases": [[c.label, c.bulk] for c in cs],
        "parts": {t: {k: dataclasses.asdict(r) for k, r in res.items()} for t, res in parts.items()},
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def load(paths: list[Path]) -> tuple[dict[str, dict[str, Result]], list[tuple[str, bool]], list[dict[str, Any]]]:
    """Parts, cases (in order, first seen first) and settings of saved runs."""
    parts: dict[str, dict[str, Result]] = {}
    cases_: dict[str, bool] = {}
    metas = []
    for p in paths:
        data = json.loads(p.read_text(encoding="utf-8"))
        metas.append(data["meta"])
        for label, bulk in data["cases"]:
            cases_.setdefault(label, bulk)
        for t, res in data["parts"].items():
            parts.setdefault(t, {}).update({k: Result(**r) for k, r in res.items()})
    return parts, list(cases_.items()), metas


def report(
    parts: dict[str, dict[str, Result]], cs: list[tuple[str, bool]], metas: list[dict[str, Any]], info: dict[str, Any]
) -> None:
    """The table (Oxigraph before/after, rdflib baseline) and the headline, from run parts."""
    m0 = metas[0]
    tags = [t for t in parts if t.startswith("before")] + [t for t in parts if t == "after"]
    base = parts.get("baseline", {})
    print()
    print(
        f"Oxigraph {m0['url']} (172k species + keys + synthetic link data: {info.get('key_quads', 0):,.0f} key quads, "
        f"{info.get('links_quads', 0):,.0f} pledge/event/mention quads, CITES {info.get('cites_links', 0):,.0f}, "
        f"ex situ {info.get('exsitu_links', 0):,.0f}); rdflib memory: {m0['baseline_species']} species, same "
        f"enrichment; p50 / p95 / max seconds (timed runs); time-out {m0['timeout']:g} s, bulk "
        f"{m0['bulk_timeout']:g} s; runs: " + "; ".join(f"{m['parts']} at {m['started']} ({m['cases']} cases, "
                                                       f"{m['seconds']:.0f} s)" for m in metas)
    )
    cols = [f"oxigraph 172k {t.split()[0]}" for t in tags]
    head = f"| {'case':30} | {'kind':7} | " + " | ".join(f"{c + ' p50/p95/max (n)':36}" for c in cols)
    head += f" | {'rows':11} | {'memory 17k p50/p95/max (n)':36} | {'ratio':>7} | {'<=1 s':5} |"
    print(head)
    print("|" + "|".join("-" * len(x) for x in head.split("|")[1:-1]) + "|")
    ratios, mismatch = [], []
    missing = Result(error="not run")
    after = parts.get("after", {})
    for label, bulk in cs:
        o, m = after.get(label, missing), base.get(label, missing)
        ratio = ""
        if o.times and m.times and o.stalled is None and m.stalled is None:
            r = statistics.median(m.times) / max(statistics.median(o.times), 1e-6)
            ratios.append(r)
            ratio = f"{r:.1f}x"
        for t in tags[:-1]:
            b = parts[t].get(label, missing)
            if b.rows and o.rows and b.rows != o.rows:
                mismatch.append(label)
        cells = " | ".join(f"{parts[t].get(label, missing).cell():36}" for t in tags)
        print(
            f"| {label:30} | {'bulk' if bulk else 'request':7} | {cells} | {o.rows_cell():11} | "
            f"{m.cell():36} | {ratio:>7} | {'yes' if ok(o) else 'NO':5} |"
        )
    absent = [lb for lb, _ in cs if after.get(lb, missing).error.startswith("KeyError")]
    req = [lb for lb, bulk in cs if not bulk and lb not in absent and lb in after]
    meet = [lb for lb in req if ok(after[lb])]
    print(
        f"not in the current library (query or parameter removed; measured before only): {', '.join(absent) or 'none'}"
    )
    stalls = [lb for lb, _ in cs if after.get(lb, missing).stalled is not None]
    bulk_total = sum(statistics.median(after[lb].times) for lb, bulk in cs if bulk and lb in after and after[lb].times)
    print(f"row counts differing from before: {', '.join(mismatch) or 'none'}")
    print(f"stalled (after): {', '.join(stalls) or 'none'}; bulk cases: {bulk_total:.1f} s in total (medians)")
    for t in tags[:-1]:
        bres = parts[t]
        breq = [lb for lb, bulk in cs if not bulk and lb in bres and not bres[lb].error.startswith("KeyError")]
        bmeet = [lb for lb in breq if ok(bres[lb])]
        bst = [lb for lb, _ in cs if lb in bres and bres[lb].stalled is not None]
        print(f"{t}: {len(bmeet)}/{len(breq)} request cases <= 1 s p95, {len(bst)} of {len(bres)} cases stalled")
    med = f"{statistics.median(ratios):.1f}x" if ratios else "n/a"
    print(
        f"headline: {len(meet)}/{len(req)} planning/links request cases meet <= 1 s p95 on Oxigraph at 172k "
        f"species, {len(stalls)} of {len(after)} cases stall; median speed ratio rdflib-17k / "
        f"Oxigraph-172k = {med} (Oxigraph on 10x the data)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=ROOT / "var" / "bench" / "graph172k")
    ap.add_argument("--work", type=Path, default=ROOT / "var" / "bench-planq")
    ap.add_argument("--baseline-species", type=int, default=17200)
    ap.add_argument("--before", help="also run the .rq files of this git revision (e.g. HEAD~3)")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--baseline-reps", type=int, default=5)
    ap.add_argument("--bulk-reps", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds one run may take")
    ap.add_argument("--bulk-timeout", type=float, default=45.0, help="seconds one run of a bulk case may take")
    ap.add_argument("--budget", type=float, default=40.0, help="seconds per case before it stops early")
    ap.add_argument("--sample", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--kind", choices=("request", "bulk"), help="only the request or only the bulk cases")
    ap.add_argument(
        "--parts", default="baseline,before,after", help="which to run: baseline, before (with --before), after"
    )
    ap.add_argument("--save", type=Path, help="write this run's results as JSON (for --merge)")
    ap.add_argument("--merge", type=Path, nargs="*", help="print the table of saved runs; run nothing")
    args = ap.parse_args()

    import multiprocessing as mp

    from kg.query import QUERY_DIR
    from kg.store import open_store

    if args.merge:
        info = json.loads((args.work / "ENRICHED.json").read_text())
        report(*load(args.merge), info)
        return
    only = set(args.only) if args.only else None
    url = build_store(args.source, args.work, args.seed)
    if args.build_only:
        return
    info = json.loads((args.work / "ENRICHED.json").read_text())
    want = set(args.parts.split(","))
    started, t_start = datetime.now(UTC).strftime("%H:%M UTC"), time.perf_counter()

    def open_ox() -> Any:
        return open_store(url, read_only=True)

    def select(cs: list[Case]) -> list[Case]:
        return [c for c in cs if args.kind is None or c.bulk == (args.kind == "bulk")]

    ctx = mp.get_context("fork")  # the parent never opens RocksDB before forking
    qu: Any = ctx.Queue()
    picker = ctx.Process(target=lambda: qu.put(pick(open_ox(), args.sample, args.seed)))
    picker.start()
    ox_cases = select(cases(qu.get(), only))
    picker.join()

    variants = [("after", QUERY_DIR)] if "after" in want else []
    if args.before and "before" in want:
        variants.insert(0, (f"before {args.before}", library_at(args.before, args.work / "before-rq")))
    parts: dict[str, dict[str, Result]] = {}

    def meta() -> dict[str, Any]:
        return {
            "url": url,
            "parts": ",".join(parts),
            "started": started,
            "seconds": time.perf_counter() - t_start,
            "cases": len(ox_cases),
            "baseline_species": args.baseline_species,
            "timeout": args.timeout,
            "bulk_timeout": args.bulk_timeout,
            "argv": sys.argv[1:],
        }

    def keep(tag: str) -> Any:
        def done(res: dict[str, Result]) -> None:
            parts[tag] = res
            if args.save:
                save(args.save, parts, ox_cases, meta())

        return done

    if "baseline" in want and not args.no_baseline:
        mem = baseline_store(args)
        use_library(QUERY_DIR)
        base_cases = select(cases(pick(mem, args.sample, args.seed), only))
        parts["baseline"] = run_all(lambda: mem, base_cases, args, "memory 17k", args.baseline_reps, keep("baseline"))
    for tag, folder in variants:
        use_library(folder)
        parts[tag] = run_all(open_ox, ox_cases, args, f"oxigraph {tag.split()[0]}", args.reps, keep(tag))
    use_library(QUERY_DIR)
    if args.save:
        save(args.save, parts, ox_cases, meta())
    report(parts, [(c.label, c.bulk) for c in ox_cases], [meta()], info)


if __name__ == "__main__":
    main()
