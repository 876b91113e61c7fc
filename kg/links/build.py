"""kg.links.build — matched link rows → N-Quads in the source's own named graph; no I/O.

Every linked row becomes an a2p:LinkRecord node (a2p:forTaxon the taxon, with the name it
had in the source and how it was matched); identifiers also become skos:exactMatch triples
on the taxon itself. The graph IRI carries the provenance (a2p:LinkSource): file name and
SHA-256, when it was read, rows read, matched and unmatched.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from kg import iris
from kg.build import Quads, iri, lit
from kg.links import terms
from kg.links.match import Match, MatchReport, SourceRow
from kg.links.sources import CitesEntry, ExSituEntry, GreenStatusEntry, IdEntry, ScoreEntry
from kg.vocab import A2P, DCTERMS, PROV, RDF, RDFS, SKOS, XSD

TYPE = str(RDF.type)


def dec(value: Decimal | float | int) -> str:
    """An xsd:decimal literal in plain notation (never '1E+2', which is not a valid decimal)."""
    d = Decimal(str(value)) if not isinstance(value, Decimal) else value
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".") or "0"
    return lit(text, datatype=str(XSD.decimal))


def dt(value: datetime) -> str:
    """An xsd:dateTime literal (kg.build.lit would type a datetime as xsd:date)."""
    return lit(value.isoformat(timespec="seconds"), datatype=str(XSD.dateTime))


def _record(q: Quads, g: str, node: str, cls: str, r: SourceRow, m: Match) -> None:
    q.node(node, TYPE, cls, g)
    q.node(node, TYPE, A2P.LinkRecord, g)
    q.node(node, A2P.forTaxon, m.taxon.iri, g)
    if r.name:
        q.add(node, A2P.sourceName, lit(r.name), g)
    q.add(node, A2P.sourceRow, lit(r.row), g)
    q.add(node, A2P.matchMethod, lit(m.method), g)
    if m.detail:
        q.add(node, A2P.matchDetail, lit(m.detail), g)
    q.node(node, str(PROV.wasDerivedFrom), g, g)


def _node(kind: str, dataset: str | None, r: SourceRow, m: Match, extra: str = "") -> str:
    key = f"r{r.row}{('_' + extra) if extra else ''}_sis{m.taxon.taxon_id}"
    return terms.link_record(kind, dataset, key)


def cites_quads(
    q: Quads, g: str, dataset: str | None, matches: Iterable[tuple[SourceRow, Match]]
) -> None:
    for r, m in matches:
        e: CitesEntry = r.payload
        node = _node("cites", dataset, r, m)
        _record(q, g, node, A2P.CitesListing, r, m)
        listing = e.inherited_listing if m.method == "higher_taxon" else e.listing
        q.add(node, A2P.citesListing, lit(listing), g)
        for a in (p for p in listing.split("/") if p in ("I", "II", "III")):
            q.add(node, A2P.citesAppendix, lit(a), g)
        if e.source_id:
            q.add(node, A2P.sourceId, lit(e.source_id), g)
            q.node(node, str(RDFS.seeAlso), terms.species_plus(e.source_id), g)
        if e.listing_date:
            q.add(node, A2P.listingDate, lit(e.listing_date), g)
        if e.annotation:
            q.add(node, A2P.citesAnnotation, lit(e.annotation), g)


def exsitu_quads(
    q: Quads, g: str, dataset: str | None, matches: Iterable[tuple[SourceRow, Match]]
) -> None:
    for r, m in matches:
        e: ExSituEntry = r.payload
        node = _node("exsitu", dataset, r, m, e.region)
        _record(q, g, node, A2P.ExSituHoldings, r, m)
        q.add(node, A2P.holdingsRegion, lit(e.region), g)
        if e.institutions is not None:
            q.add(node, A2P.institutions, lit(e.institutions), g)
        if e.individuals is not None:
            q.add(node, A2P.individuals, lit(e.individuals), g)
        if e.source:
            q.add(node, str(DCTERMS.source), lit(e.source), g)
        if e.year:
            q.add(node, str(DCTERMS.date), lit(e.year), g)
        for p in e.programmes:
            prog = terms.link_programme(dataset, m.taxon.taxon_id, p)
            q.node(prog, TYPE, A2P.ExSituProgramme, g)
            q.node(prog, A2P.programmeFor, m.taxon.iri, g)
            q.add(prog, A2P.programmeType, lit(p), g)
            q.add(prog, str(RDFS.label), lit(f"{p} ({m.taxon.name})"), g)
            q.node(prog, str(PROV.wasDerivedFrom), g, g)


def scores_quads(
    q: Quads, g: str, dataset: str | None, matches: Iterable[tuple[SourceRow, Match]]
) -> None:
    for r, m in matches:
        e: ScoreEntry = r.payload
        node = _node("scores", dataset, r, m, f"{e.scheme}_{e.region}" if e.region else e.scheme)
        _record(q, g, node, A2P.PriorityRecord, r, m)
        q.add(node, A2P.priorityScheme, lit(e.scheme), g)
        if e.scheme == "edge":
            q.add(node, A2P.edgeScore, dec(e.value), g)  # type: ignore[arg-type]
        elif e.scheme == "ed":
            q.add(node, A2P.edScore, dec(e.value), g)  # type: ignore[arg-type]
        elif e.scheme == "edge_species":
            q.add(node, A2P.edgeSpecies, lit(bool(e.value)), g)
        elif e.scheme == "aze":
            q.add(node, A2P.azeTrigger, lit(bool(e.value)), g)
        else:
            q.add(node, A2P.nationalStatus, lit(str(e.value)), g)
        if e.region:
            q.add(node, A2P.statusRegion, lit(e.region), g)
            if len(e.region) == 2 and e.region.isupper():
                q.node(node, A2P.statusCountry, iris.concept("countries", e.region), g)
        if e.year:
            q.add(node, A2P.statusYear, lit(e.year), g)
        if e.site:
            q.add(node, A2P.azeSite, lit(e.site), g)
        if e.source:
            q.add(node, str(DCTERMS.source), lit(e.source), g)


def ids_quads(
    q: Quads, g: str, dataset: str | None, matches: Iterable[tuple[SourceRow, Match]]
) -> None:
    for r, m in matches:
        e: IdEntry = r.payload
        node = _node("ids", dataset, r, m)
        _record(q, g, node, A2P.IdentifierLink, r, m)
        for value, mint in (
            (e.gbif, terms.gbif),
            (e.wikidata, terms.wikidata),
            (e.ncbi, terms.ncbi),
        ):
            if value:
                q.node(m.taxon.iri, str(SKOS.exactMatch), mint(value), g)
                q.node(node, str(SKOS.exactMatch), mint(value), g)


def greenstatus_quads(
    q: Quads, g: str, dataset: str | None, matches: Iterable[tuple[SourceRow, Match]]
) -> None:
    for r, m in matches:
        e: GreenStatusEntry = r.payload
        node = _node("greenstatus", dataset, r, m, str(e.assessment_date or e.year or ""))
        _record(q, g, node, A2P.GreenStatusAssessment, r, m)
        if e.sis_id:
            q.add(node, A2P.sourceId, lit(e.sis_id), g)
        if e.assessment_date:
            q.add(node, A2P.assessmentDate, lit(e.assessment_date), g)
        if e.year:
            q.add(node, A2P.yearPublished, lit(e.year), g)
        for prop, val in (
            (A2P.greenStatusScore, e.score),
            (A2P.greenStatusScoreMin, e.score_min),
            (A2P.greenStatusScoreMax, e.score_max),
            (A2P.conservationLegacyScore, e.legacy_score),
            (A2P.conservationDependenceScore, e.dependence_score),
            (A2P.conservationGainScore, e.gain_score),
            (A2P.recoveryPotentialScore, e.potential_score),
        ):
            if val is not None:
                q.add(node, prop, dec(val), g)
        for prop, text in (
            (A2P.recoveryCategory, e.category),
            (A2P.conservationLegacy, e.legacy),
            (A2P.conservationDependence, e.dependence),
            (A2P.conservationGain, e.gain),
            (A2P.recoveryPotential, e.potential),
            (A2P.justification, e.justification),
            (A2P.assessor, e.assessors),
        ):
            if text:
                q.add(node, prop, lit(text), g)
        if e.url:
            try:
                q.node(node, str(RDFS.seeAlso), iri(e.url)[1:-1], g)
            except ValueError:  # not usable as an IRI: keep it as text
                q.add(node, str(DCTERMS.source), lit(e.url), g)


BUILDERS = {
    "cites": cites_quads,
    "exsitu": exsitu_quads,
    "scores": scores_quads,
    "ids": ids_quads,
    "greenstatus": greenstatus_quads,
}


def provenance_quads(
    q: Quads,
    g: str,
    kind: str,
    report: MatchReport,
    file_name: str,
    sha256: str,
    created: datetime,
    profile: str,
) -> None:
    """The graph-level provenance record: the graph IRI is the a2p:LinkSource."""
    q.node(g, TYPE, A2P.LinkSource, g)
    q.node(g, TYPE, str(PROV.Entity), g)
    q.add(g, A2P.linkKind, lit(kind), g)
    q.add(g, str(DCTERMS.source), lit(file_name), g)
    q.add(g, str(RDFS.label), lit(f"{kind} links from {file_name}"), g)
    q.add(g, A2P.sha256, lit(sha256), g)
    q.add(g, str(DCTERMS.created), dt(created), g)
    q.add(g, str(DCTERMS.format), lit(profile), g)
    q.add(g, A2P.rowsRead, lit(report.rows), g)
    q.add(g, A2P.rowsMatched, lit(len({m.row for m in report.matched})), g)
    q.add(g, A2P.rowsUnmatched, lit(report.unmatched_rows()), g)
    q.add(g, A2P.taxaLinked, lit(len(report.taxa())), g)
