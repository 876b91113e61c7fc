"""Graph counts equal distinct rows of real downloads (../shared/data; skipped when absent)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import URIRef

from kg import iris
from kg.load import ingest
from kg.query import run, stats
from kg.store import open_store


def _load_root_conftest() -> ModuleType:
    """tests/conftest.py by path: `import conftest` may find another folder's conftest."""
    path = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("a2p_tests_root_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shared = _load_root_conftest().shared


pytestmark = pytest.mark.shared_data

LATEST = (
    "PREFIX a2p: <https://w3id.org/assess2plan/ontology#> "
    "SELECT ?t ?a WHERE { ?t a2p:latestAssessment ?a }"
)


def distinct(path: Path, *columns: str) -> set[tuple[str, ...]]:
    if not path.exists():
        return set()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return {tuple(r[c].strip() for c in columns) for r in csv.DictReader(fh)}


def test_stats_equal_distinct_csv_rows(tmp_path: Path) -> None:
    export = shared("redlist-export-pacific-marine-2019")
    countries = distinct(export / "countries.csv", "assessmentId", "code")
    expected = {
        "species": len(distinct(export / "assessments.csv", "internalTaxonId")),
        "assessments": len(distinct(export / "assessments.csv", "assessmentId")),
        "threatImpacts": len(distinct(export / "threats.csv", "assessmentId", "code")),
        "actionsNeeded": len(distinct(export / "conservation_needed.csv", "assessmentId", "code")),
        "actionsInPlace": 0,  # a website download codes only the actions needed
        "researchNeeded": len(distinct(export / "research_needed.csv", "assessmentId", "code")),
        "habitatUses": len(distinct(export / "habitats.csv", "assessmentId", "code")),
        "countryOccurrences": len(countries),
        "places": len({c for _, c in countries} | distinct(export / "lme.csv", "code")),
    }
    assert expected["assessments"] > 100 and expected["countryOccurrences"] > 1000
    with open_store(f"oxigraph:{tmp_path / 'graph'}") as st:
        ingest([export], st)
        assert stats(st) == expected


def test_api_v4_samples(tmp_path: Path) -> None:
    samples = shared("iucn-api-v4-samples", "assessments")
    with open_store(f"oxigraph:{tmp_path / 'graph'}") as st:
        ingest([samples], st)
        counts = stats(st)
        keys = run(st, "assessment_keys").values()
        latest = {str(r["a"]) for r in st.select(LATEST, {"t": URIRef(iris.taxon("3746"))})}
    assert counts["assessments"] == 9
    assert counts["species"] == 8  # Canis lupus has a global and a European assessment
    wolf = {r["assessmentId"] for r in keys if r["taxonId"] == "3746"}
    assert wolf == {"247624660", "216872082"}
    # the European assessment (2025) is newer, but the global one (2023) is the latest
    assert latest == {iris.assessment("247624660")}
