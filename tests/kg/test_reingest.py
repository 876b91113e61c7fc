"""Re-ingesting a partial download replaces only what that download supplies."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from rdflib import URIRef

from kg import iris
from kg.load import ingest
from kg.store import Store, python_value

MINI = Path(__file__).resolve().parents[1] / "data" / "mini-export"
Q = """PREFIX a2p: <https://w3id.org/assess2plan/ontology#>
SELECT ?family ?name ?syn ?latest WHERE {
  OPTIONAL { ?t a2p:family ?family }
  OPTIONAL { ?t a2p:commonName ?name }
  OPTIONAL { ?t a2p:synonym ?syn }
  OPTIONAL { ?t a2p:latestAssessment ?latest }
}"""


def facts(store: Store, taxon: str) -> dict[str, set[str]]:
    rows = store.select(Q, {"t": URIRef(iris.taxon(taxon))}).values()
    return {k: {str(r[k]) for r in rows if r[k] is not None} for k in ("family", "name", "syn", "latest")}


def only_assessments(tmp: Path, taxon: str) -> Path:
    """A download with nothing but assessments.csv, holding one taxon's rows."""
    out = tmp / "partial"
    out.mkdir()
    with open(MINI / "assessments.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    keep = [r for r in rows if r["internalTaxonId"] == taxon]
    with open(out / "assessments.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(keep)
    return out


def test_partial_download_keeps_taxonomy_and_names(empty_store: Store, tmp_path: Path) -> None:
    ingest([MINI], empty_store)
    with open(MINI / "common_names.csv", newline="", encoding="utf-8") as fh:
        taxon = next(csv.DictReader(fh))["internalTaxonId"]
    before = facts(empty_store, taxon)
    assert before["family"] and before["name"] and before["latest"]
    ingest([only_assessments(tmp_path, taxon)], empty_store)
    after = facts(empty_store, taxon)
    assert after == before


def test_partial_download_still_updates_latest(empty_store: Store, tmp_path: Path) -> None:
    ingest([MINI], empty_store)
    with open(MINI / "assessments.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    per_taxon: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        per_taxon.setdefault(r["internalTaxonId"], []).append(r)
    taxon, history = next((t, rs) for t, rs in per_taxon.items() if len(rs) > 1)
    newest = max(history, key=lambda r: r["yearPublished"])
    # a newer assessment arrives alone: it becomes the latest, the history is kept
    src = only_assessments(tmp_path, taxon)
    with open(src / "assessments.csv", newline="", encoding="utf-8") as fh:
        head = next(csv.reader(fh))
    newer = dict(newest, assessmentId="999999901", yearPublished="2026", assessmentDate="2026-01-05 00:00:00 UTC")
    with open(src / "assessments.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=head)
        w.writeheader()
        w.writerow(newer)
    ingest([src], empty_store)
    assert facts(empty_store, taxon)["latest"] == {iris.assessment("999999901")}
    n = empty_store.select(
        "PREFIX a2p: <https://w3id.org/assess2plan/ontology#> "
        "SELECT (COUNT(?a) AS ?n) WHERE { ?a a2p:assessesTaxon ?t }",
        {"t": URIRef(iris.taxon(taxon))},
    )
    assert python_value(n.rows[0]["n"]) == len(history) + 1
    shutil.rmtree(src)
