"""kg.fetch rebuilds from the graph the records that kg.ingest read from the export."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.fetch import bundle
from kg.ingest import read_export
from kg.load import ingest
from kg.records import Bundle
from kg.store import Store
from kg.synth import write_download


@pytest.fixture(scope="module")
def download(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("synth") / "download"
    write_download(d, species=40, seed=3)
    return d


def keys(b: Bundle) -> dict[str, set[tuple[str, ...]]]:
    return {
        "threats": {
            (t.assessment_id, t.code, t.timing, t.scope, t.severity, "|".join(sorted(t.stresses)))
            for t in b.threats
        },
        "actions": {(a.assessment_id, a.code, a.status) for a in b.actions},
        "research": {(r.assessment_id, r.code) for r in b.research},
        "habitats": {(h.assessment_id, h.code, h.suitability) for h in b.habitats},
        "occurrences": {(o.assessment_id, o.place_type, o.code) for o in b.occurrences},
        "texts": {(a.assessment_id, k, v) for a in b.assessments for k, v in a.texts.items()},
        "heads": {
            (a.assessment_id, a.taxon_id, a.category, a.criteria, a.year_published)
            for a in b.assessments
        },
    }


def test_roundtrip_all_assessments(empty_store: Store, download: Path) -> None:
    source = read_export(download)
    ingest([download], empty_store)
    ids = [a.assessment_id for a in source.assessments]
    rebuilt = bundle(empty_store, ids)
    assert len(rebuilt.assessments) == len(source.assessments)
    want, got = keys(source), keys(rebuilt)
    for part in want:
        assert got[part] == want[part], part


def test_latest_only_drops_superseded_assessments(empty_store: Store, download: Path) -> None:
    source = read_export(download)
    ingest([download], empty_store)
    latest = bundle(empty_store)
    per_taxon: dict[str, int] = {}
    for a in latest.assessments:
        per_taxon[a.taxon_id] = per_taxon.get(a.taxon_id, 0) + 1
    assert set(per_taxon.values()) == {1}
    assert len(latest.assessments) == len({a.taxon_id for a in source.assessments})
    assert len(latest.assessments) < len(source.assessments)  # the generator writes some histories


def test_single_assessment(empty_store: Store, download: Path) -> None:
    source = read_export(download)
    ingest([download], empty_store)
    a = next(a for a in source.assessments if a.texts.get("threats"))
    one = bundle(empty_store, [a.assessment_id])
    assert [x.assessment_id for x in one.assessments] == [a.assessment_id]
    assert one.assessments[0].texts["threats"] == a.texts["threats"]
    assert {t.code for t in one.threats} == {
        t.code for t in source.threats if t.assessment_id == a.assessment_id
    }
