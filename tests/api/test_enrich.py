"""a2p enrich: extracted mentions land beside coded facts, in a graph per model version, with PROV."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.enrich import enrich, suggestion_graph
from kg.load import ingest
from kg.query import stats
from kg.store import Store, open_store
from kg.synth import write_download
from kg.validate import validate

Q = """PREFIX a2p: <https://w3id.org/assess2plan/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?g ?s ?code ?a ?start ?end ?text ?act WHERE { GRAPH ?g {
  ?s a a2p:Suggestion ; a2p:suggestedCode ?code ; a2p:aboutAssessment ?a ;
     a2p:spanStart ?start ; a2p:spanEnd ?end ; a2p:evidenceText ?text ; prov:wasGeneratedBy ?act .
} }"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    tmp = tmp_path_factory.mktemp("enrich")
    write_download(tmp / "dl", species=25, seed=5)
    st = open_store(f"oxigraph:{tmp / 'g'}")
    ingest([tmp / "dl"], st)
    return st


def test_enrich_adds_suggestions_with_provenance(store: Store) -> None:
    before = stats(store)
    rep = enrich(store)
    assert rep.mentions > 0 and rep.assessments == before["species"]
    assert suggestion_graph("actions/0.1.0").endswith("/graph/nlp/actions/v0.1.0")
    rows = store.select(Q).values()
    assert rows, "no suggestion with code, span, evidence and PROV activity"
    assert {r["g"] for r in rows} <= set(rep.graphs)
    for r in rows:
        assert 0 <= r["start"] < r["end"]
    # assessor-coded facts are untouched, and the graph still satisfies the shapes
    assert stats(store) == before
    assert validate(store).conforms
    # re-running replaces the model graphs instead of piling up
    n = store.count()
    enrich(store)
    assert store.count() == n


def test_suggestion_graph_names_start_with_a_letter() -> None:
    for model in ("actions/0.1.0", "a2p_PlaceDetector/v1", "rules/v1"):
        for seg in suggestion_graph(model).split("/graph/nlp/")[1].split("/"):
            assert seg[0].isalpha(), (model, seg)


def test_enrich_on_empty_store(tmp_path: Path) -> None:
    with open_store(f"oxigraph:{tmp_path / 'g'}") as st:
        rep = enrich(st)
        assert rep.mentions == 0 and rep.assessments == 0
