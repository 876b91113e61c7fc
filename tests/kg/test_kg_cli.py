"""The a2p commands end to end on the hand-made fixture (oxigraph store in a temp folder)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app

MINI = Path(__file__).resolve().parents[1] / "data" / "mini-export"
runner = CliRunner()


def a2p(*args: str) -> str:
    r = runner.invoke(app, list(args))
    assert r.exit_code == 0, r.output
    return r.stdout


def test_ingest_stats_query_export_validate(tmp_path: Path) -> None:
    store = f"oxigraph:{tmp_path / 'g'}"
    out = a2p("ingest", str(MINI), "--store", store, "-q")
    assert "ingested 11 assessments of 10 taxa" in out
    counts = json.loads(a2p("stats", "--store", store, "--format", "json"))
    assert counts["assessments"] == 11 and counts["species"] == 10
    rows = list(csv.DictReader(io.StringIO(a2p("query", "species_by_category", "--store", store,
                                                 "-f", "csv", "-b", "categoryCode=CR"))))
    assert rows and {r["category"] for r in rows} == {"CR"}
    text_rows = a2p("query", "SELECT ?a WHERE { ?a a <https://w3id.org/assess2plan/ontology#Assessment> }",
                    "--store", store, "-f", "json").splitlines()
    assert len(text_rows) == 11
    assert "conforms" in a2p("validate", "--store", store)
    dump = tmp_path / "backup.nq"
    a2p("export", "--store", store, "-o", str(dump))
    restored = f"oxigraph:{tmp_path / 'r'}"
    a2p("ingest", str(dump), "--store", restored, "-q")
    assert json.loads(a2p("stats", "--store", restored, "--format", "json")) == counts


def test_query_errors_are_clean(tmp_path: Path) -> None:
    store = f"oxigraph:{tmp_path / 'g'}"
    r = runner.invoke(app, ["query", "SELECT ?x WHERE { ?x", "--store", store])
    assert r.exit_code == 2
    assert "error:" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["query", "species_by_category", "-b", "nope=1", "--store", store])
    assert r.exit_code == 2 and "no parameter 'nope'" in r.output


def test_queries_lists_the_library() -> None:
    out = a2p("queries")
    for name in ("review_table", "threat_action_disconnect", "species_sharing_threat"):
        assert name in out
