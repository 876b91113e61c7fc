"""kg.links.load — link a source file to the graph's taxa and write it as its own named graph.

    link_file("cites", "Index_of_CITES_Species.csv.gz", store)  -> LinkReport

One call reads and validates the whole file (all or nothing), matches every name against
the assessed taxa in the store, builds the records and replaces the source's graph
(graph/links/<kind>[/<dataset>]) in one atomic `Store.replace`: re-linking the same file
gives the same graph, and a new version of the file replaces the old links.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg.build import Quads
from kg.links import terms
from kg.links.build import BUILDERS, provenance_quads
from kg.links.match import (
    Match,
    MatchedRow,
    MatchReport,
    SourceRow,
    TaxonIndex,
    UnmatchedRow,
    match_rows,
)
from kg.links.names import parse
from kg.links.sources import READERS, CitesEntry, LinkSourceRows, read_green_status
from kg.store import Store


class LinkError(ValueError):
    """The link ingest cannot run (e.g. the graph holds no assessed taxa yet)."""


@dataclass
class LinkReport:
    """The outcome of one link ingest: the match report plus what was written where."""

    report: MatchReport
    graph: str
    profile: str
    lines: int
    quads: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.report.to_dict(),
            "graph": self.graph,
            "profile": self.profile,
            "lines": self.lines,
            "quads": self.quads,
            "seconds": round(self.seconds, 3),
        }


def read_source(kind: str, path: str | Path, encoding: str = "utf-8") -> LinkSourceRows:
    if kind == "greenstatus":
        return read_green_status(path)
    if kind not in READERS:
        raise LinkError(f"unknown link kind {kind!r}; known: {', '.join(terms.KINDS)}")
    return READERS[kind](path, encoding)


# rows that carry nothing to link are reported as "empty", not matched
EMPTY: dict[str, tuple[Callable[[Any], bool], str]] = {
    "cites": (lambda e: not e.listing, "the index gives no current listing"),
    "ids": (lambda e: not (e.gbif or e.wikidata or e.ncbi), "the row gives no identifier"),
}


def _cites_higher(
    index: TaxonIndex,
    rows: list[SourceRow],
    matches: list[tuple[SourceRow, Match]],
    report: MatchReport,
) -> list[tuple[SourceRow, Match]]:
    """Taxa with no row of their own, covered by the listing of their genus, family or order."""
    higher: dict[tuple[str, str], SourceRow] = {}
    for r in rows:
        e: CitesEntry = r.payload
        if e.higher_rank:
            higher.setdefault((e.higher_rank, e.higher_name.upper()), r)
    linked = {m.taxon.iri for _, m in matches}
    out: list[tuple[SourceRow, Match]] = []
    used: set[int] = set()
    for t in index.taxa:
        # only species: an infraspecific taxon or subpopulation takes its species' listing
        if t.iri in linked or t.rank != "species":
            continue
        p = parse(t.name)
        genus = t.genus or (p.genus if p else "")
        for rank, value in (("genus", genus), ("family", t.family), ("order", t.order)):
            r = higher.get((rank, value.upper())) if value else None
            if r is None:
                continue
            m = Match(
                t, "higher_taxon", f"no row of its own; covered by the listing of {rank} {r.name}"
            )
            out.append((r, m))
            used.add(r.row)
            report.matched.append(
                MatchedRow(r.row, r.name, t.iri, t.taxon_id, t.name, "higher_taxon", m.detail)
            )
            break
    report.unmatched = [
        u for u in report.unmatched if not (u.reason == "higher_rank" and u.row in used)
    ]
    return out


def link_file(
    kind: str,
    path: str | Path,
    store: Store,
    *,
    dataset: str | None = None,
    encoding: str = "utf-8",
    now: datetime | None = None,
    index: TaxonIndex | None = None,
) -> LinkReport:
    """Read, match and write one link source (see the module docstring)."""
    t0 = time.perf_counter()
    graph = terms.link_graph(kind, dataset)  # validates kind and dataset before any work
    path = Path(path)
    src = read_source(kind, path, encoding)
    index = index if index is not None else TaxonIndex.from_store(store)
    if len(index) == 0:
        raise LinkError(
            f"{store.url}: the graph holds no assessed taxa; ingest a Red List download first"
        )
    empty = EMPTY.get(kind)
    skipped = [
        UnmatchedRow(r.row, r.name, "empty", empty[1])
        for r in src.rows
        if empty and empty[0](r.payload)
    ]
    rows = [r for r in src.rows if not (empty and empty[0](r.payload))]
    matches, report = match_rows(index, rows, kind, src.label)
    report.rows += len(skipped)
    report.unmatched.extend(skipped)
    if kind == "cites":
        matches += _cites_higher(index, rows, matches, report)
    q = Quads()
    BUILDERS[kind](q, graph, dataset, matches)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    provenance_quads(q, graph, kind, report, path.name, sha, now or datetime.now(UTC), src.profile)
    store.replace(q.data(), drop_graphs=[graph])
    return LinkReport(report, graph, src.profile, src.lines, len(q), time.perf_counter() - t0)
