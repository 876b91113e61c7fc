"""kg.links.review — link columns for the review table, cluster views and the species page."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import URIRef

from kg.links.pledges import list_pledges
from kg.planning.graphdata import tuples
from kg.query import run
from kg.store import Store

# record class local name -> key in species_links()
_SECTIONS = {
    "CitesListing": "cites",
    "ExSituHoldings": "exsitu",
    "ExSituProgramme": "programmes",
    "PriorityRecord": "priorities",
    "GreenStatusAssessment": "green_status",
    "IdentifierLink": "identifiers",
}


def review_table(store: Store, category: str | None = None) -> list[dict[str, Any]]:
    """The multi-species review table with CITES, ex situ and pledge columns."""
    return run(store, "links_review_table", categoryCode=category).values()


def link_columns(store: Store, taxon: str | None = None) -> dict[str, dict[str, Any]]:
    """taxon IRI -> its link columns (for cluster views: join on the taxon). One taxon is read
    with links_taxon_link_rows (links_taxon_summary computes every taxon whatever is bound)."""
    if taxon:
        one = _one_taxon_columns(run(store, "links_taxon_link_rows", taxon=URIRef(taxon)).values())
        return {taxon: one} if one else {}
    rows = run(store, "links_taxon_summary").values()
    return {r["taxon"]: {k: v for k, v in r.items() if k != "taxon"} for r in rows}


_JOINED = {
    "cites": "; ",
    "exSitu": "; ",
    "programmes": "; ",
    "nationalStatus": "; ",
    "greenStatus": "; ",
    "identifiers": " ",
}
_HIGHEST = ("edgeScore", "edScore", "edgeSpecies", "aze")


def _one_taxon_columns(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """links_taxon_link_rows -> the columns of links_taxon_summary, aggregated as it does:
    distinct values joined, MIN listing date, MAX scores, pledges counted (None when none)."""
    if not rows:
        return {}
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by[r["column"]].append(r)

    def values(col: str, key: str = "value") -> list[Any]:
        return [r[key] for r in by.get(col, []) if r[key] is not None]

    def joined(col: str) -> str | None:  # GROUP_CONCAT(DISTINCT ...), in the order read
        found = values(col)
        return _JOINED[col].join(dict.fromkeys(str(v) for v in found)) if found else None

    def highest(col: str) -> Any:
        found = values(col)
        return max(found) if found else None

    dates = values("cites", "extra")
    pledges = by.get("pledges", [])
    return {
        "scientificName": rows[0]["scientificName"],
        "cites": joined("cites"),
        "listingDate": min(dates) if dates else None,
        "exSitu": joined("exSitu"),
        "programmes": joined("programmes"),
        **{col: highest(col) for col in _HIGHEST},
        "nationalStatus": joined("nationalStatus"),
        "greenStatus": joined("greenStatus"),
        "pledges": len({r["value"] for r in pledges}) if pledges else None,
        "activePledges": sum(1 for r in pledges if r["extra"] == "active") if pledges else None,
        "pledgeStakeholders": "; ".join(dict.fromkeys(str(r["extra2"]) for r in pledges)) if pledges else None,
        "identifiers": joined("identifiers"),
    }


def table_cells(store: Store) -> dict[str, dict[str, Any]]:
    """taxon IRI -> CITES, ex situ, programmes and pledge columns, for the taxa that have any
    (the review table and cluster views). The columns of links_table_cells, from
    links_table_cell_rows aggregated here: distinct values joined by "; " (sorted, global ex
    situ holdings first; the query's GROUP_CONCAT order is the engine's), pledges counted,
    their stakeholders joined; None where a taxon has none."""
    by: dict[str, dict[str, dict[str, None]]] = defaultdict(lambda: defaultdict(dict))
    for taxon, column, value, extra in tuples(store, "links_table_cell_rows")[1]:  # TSV: fast
        if taxon is None or column is None:
            continue
        cells = by[taxon]
        cells[column][str(value)] = None
        if column == "pledges":
            cells["pledgeStakeholders"][str(extra)] = None
    out = {}
    for taxon, cells in by.items():
        row: dict[str, Any] = {
            col: "; ".join(sorted(cells[col], key=_part_order)) if col in cells else None
            for col in ("cites", "exSitu", "programmes", "pledgeStakeholders")
        }
        row["pledges"] = len(cells["pledges"]) if "pledges" in cells else None
        out[taxon] = {k: row[k] for k in _CELLS}
    return out


_CELLS = ("cites", "exSitu", "programmes", "pledges", "pledgeStakeholders")


def _part_order(part: str) -> tuple[bool, str]:
    return (not part.startswith("global:"), part)


def species_links(store: Store, taxon: str) -> dict[str, Any]:
    """Everything linked to one taxon: records by kind (each a dict of its properties), pledges."""
    records: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in run(store, "links_taxon_records", taxon=URIRef(taxon)).values():
        section = _SECTIONS.get(r["type"].rsplit("#", 1)[-1])
        if section is None:
            continue
        rec = records[section].setdefault(r["record"], {"iri": r["record"]})
        prop = r["property"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if prop in ("type", "forTaxon", "programmeFor", "wasDerivedFrom"):
            continue
        if prop in rec and rec[prop] != r["value"]:
            prev = rec[prop] if isinstance(rec[prop], list) else [rec[prop]]
            if r["value"] not in prev:
                rec[prop] = [*prev, r["value"]]
        else:
            rec[prop] = r["value"]
    out: dict[str, Any] = {k: list(records.get(k, {}).values()) for k in _SECTIONS.values()}
    out["pledges"] = [p.to_dict() for p in list_pledges(store, taxon=taxon)]
    summary = link_columns(store, taxon)
    out["summary"] = summary.get(taxon, {})
    return out
