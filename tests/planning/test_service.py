"""api.services.planning and the planning commands, end to end on a small synthetic graph."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from api.commands.planning import register
from api.services import planning as svc
from kg.planning.graphdata import load_profiles
from kg.planning.keys import has_keys
from kg.query import run
from kg.store import Store, open_store
from nlp import buckets as nb
from tests.planning.handmade import MINI


@pytest.fixture(scope="module")
def tiny_model(synth_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bucket model without embeddings (fast), trained on the synthetic download."""
    out = tmp_path_factory.mktemp("model")
    nb.train([synth_dir], out, seed=0, embed=False)
    return out


def test_keys_clusters_and_scores(synth_store: Store) -> None:
    svc.refresh_keys(synth_store)
    assert has_keys(synth_store)
    rep = svc.list_clusters(synth_store)
    assert rep.clusters and 0 < rep.coverage <= 1 and rep.threatened > 0
    assert svc.list_clusters(synth_store) is rep  # kept per store generation
    assert any(c.places[0].startswith(("waterbody-", "site-", "protectedarea-")) for c in rep.clusters)
    c = rep.clusters[0]
    assert c.size >= 3 and c.title.startswith(f"{c.size} threatened species in ")
    scores = svc.threat_scores_for(synth_store)
    assert scores and all(s.place in {"ID", "MY", "BN", "SG", "TH"} for s in scores)
    assert scores == sorted(scores, key=lambda s: (-s.score, s.threat, s.place))


def test_coaffected_and_not_found(synth_store: Store) -> None:
    index = svc.coaffected_index(synth_store)
    focal = next(p for p in index.profiles if p.threatened and p.current_threats() and p.places)
    res = svc.coaffected_for(synth_store, focal.taxon_id, 5)
    assert 0 < len(res) <= 5 and all(r.taxon_id != focal.taxon_id for r in res)
    assert all(r.shared_threats and r.shared_places for r in res)
    with pytest.raises(svc.NotFound):
        svc.coaffected_for(synth_store, "no-such-taxon")


def test_buckets_for_a_species_and_for_draft_records(synth_store: Store, tiny_model: Path) -> None:
    prof = load_profiles(synth_store, threatened_only=True)
    empty = next(p for p in prof if not p.actions)
    recs = svc.buckets_for(synth_store, empty.taxon_id, tiny_model)
    assert [r.bucket for r in recs] == ["single_species", "habitat", "threat", "ex_situ"]
    assert all(0 <= r.probability <= 1 and r.model.startswith("buckets/") for r in recs)
    assert any(r.reasons for r in recs)
    with pytest.raises(svc.NotFound):
        svc.buckets_for(synth_store, "no-such-taxon", tiny_model)
    from kg.ingest import read_source

    draft = svc.recommend_for_bundle(read_source(MINI), tiny_model)
    assert {r.assessment_id for r in draft} >= {"800102", "800109"}


def test_write_suggestions_with_provenance(synth_store: Store, tiny_model: Path) -> None:
    rep = svc.list_clusters(synth_store)
    svc.write_clusters(synth_store, rep)
    prof = load_profiles(synth_store, threatened_only=True)
    empty = next(p for p in prof if not p.actions)
    recs = svc.buckets_for(synth_store, empty.taxon_id, tiny_model)
    recs = [r.model_copy(update={"recommended": True}) for r in recs]
    svc.write_buckets(synth_store, recs)
    res = svc.coaffected_for(synth_store, empty.taxon_id, 3)
    svc.write_coaffected(synth_store, empty.taxon_id, res)
    svc.write_scores(synth_store, svc.threat_scores_for(synth_store)[:5])
    names = synth_store.graph_names()
    base = "https://w3id.org/assess2plan/graph/planning/"
    assert {base + "clusters/1", base + f"buckets/{nb.VERSION}", base + "scores/1"} <= names
    rows = synth_store.select(
        """PREFIX a2p: <https://w3id.org/assess2plan/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?s ?act ?p ?bucket WHERE { ?s a a2p:Suggestion ; prov:wasGeneratedBy ?act ; a2p:suggestedBucket ?bucket ;
                                            a2p:probability ?p ; a2p:aboutAssessment ?a . }"""
    ).values()
    assert len(rows) == 4 and all(0 <= float(r["p"]) <= 1 for r in rows)
    clusters = synth_store.select(
        """PREFIX a2p: <https://w3id.org/assess2plan/ontology#>
        SELECT ?s (COUNT(?t) AS ?n) WHERE { ?s a a2p:Suggestion ; a2p:forTaxon ?t } GROUP BY ?s"""
    ).values()
    assert len(clusters) == len(rep.clusters)
    # writing again replaces, never duplicates
    svc.write_clusters(synth_store, rep)
    again = synth_store.select(
        """PREFIX a2p: <https://w3id.org/assess2plan/ontology#>
        SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a a2p:Suggestion ; a2p:forTaxon ?t }"""
    ).values()
    assert int(again[0]["n"]) == len(rep.clusters)


def test_read_only_store_without_keys_falls_back_to_coded_places(tmp_path: Path) -> None:
    from kg.load import ingest

    url = f"oxigraph:{tmp_path / 'g'}"
    with open_store(url) as st:
        ingest([MINI], st)
    with open_store(url, read_only=True) as ro:
        rep = svc.list_clusters(ro, min_size=2)
        assert not has_keys(ro)
        assert rep.threatened == 7
        assert svc.coaffected_for(ro, "900101", 3)


def test_planning_queries_on_the_mini_export(mini_store: Store) -> None:
    from rdflib import Literal, URIRef

    from kg import iris
    from kg.planning.graphdata import latest_assessment_of, place_names, tuples
    from kg.planning.keys import write_keys

    assert latest_assessment_of(mini_store, "900101") == "800102"
    assert latest_assessment_of(mini_store, "nope") is None
    names = place_names(mini_store)
    assert names["ID"] == "Indonesia" and names["lme-5_2_36"]
    write_keys(mini_store, load_profiles(mini_store, parts=("threats", "places")))
    # 800102 (EN->CR Rasbora), 800103 (EN), 800109 (CR) threatened with 7.2 in ID or MY
    n = run(mini_store, "planning_key_count", key=Literal("T7_2|ID")).values()[0]["n"]
    assert int(n) == 2  # 800102 (CR) and 800103 (EN); 800106 DD has no extant place
    vars_, rows = tuples(mini_store, "planning_scan_latest")
    assert vars_ == ["s", "k", "o"] and len([r for r in rows if r[1] == "latest"]) == 10
    a = URIRef(iris.assessment("800102"))
    keys = {str(r["candidate"]) for r in run(mini_store, "planning_coaffected", focal=a).rows}
    assert iris.assessment("800103") in keys and iris.assessment("800111") not in keys  # 800111: past threat
    self_join = {str(r["candidate"]) for r in run(mini_store, "planning_coaffected_selfjoin", focal=a).rows}
    # the baseline keeps past threats (800111) and places where a taxon is not extant (800106)
    assert self_join - keys == {iris.assessment("800111"), iris.assessment("800106")}
    assert keys <= self_join


def test_cli_commands(synth_store: Store, synth_dir: Path, tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    url = synth_store.url
    out = tmp_path / "clusters.csv"
    r = runner.invoke(app, ["clusters", "--store", url, "--out", str(out), "--compare"])
    assert r.exit_code == 0, r.output
    assert "clusters cover" in r.output and "genus only" in r.output
    with open(out, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {"cluster", "title", "taxon", "species", "cohesion"} <= set(rows[0])
    assert any(r["cluster"] == "single-species" for r in rows) or all(r["cluster"] != "single-species" for r in rows)
    r = runner.invoke(app, ["clusters", "--store", url, "--out", str(tmp_path / "c.json")])
    assert r.exit_code == 0 and json.loads((tmp_path / "c.json").read_text())["clusters"]
    r = runner.invoke(app, ["scores", "--store", url, "--top", "3", "--format", "json"])
    assert r.exit_code == 0 and len(r.output.strip().splitlines()) == 3
    r = runner.invoke(app, ["coaffected", "nope", "--store", url])
    assert r.exit_code == 2 and "error:" in r.output
    r = runner.invoke(app, ["evaluate-planning", "coaffected", str(synth_dir), "--json", "--max-focal", "30"])
    assert r.exit_code == 0, r.output
    figs = json.loads(r.output)["download"]
    assert set(figs) == {
        "places only (baseline)",
        "threat mentions in text",
        "text similarity",
        "mentions + similarity",
    }
    assert all(0 <= v["recall@10"] <= 1 for v in figs.values())


def test_cli_buckets(synth_store: Store, tiny_model: Path) -> None:
    app = typer.Typer()
    register(app)
    prof = load_profiles(synth_store, threatened_only=True)
    empty = next(p for p in prof if not p.actions)
    r = CliRunner().invoke(
        app,
        [
            "buckets",
            "--store",
            synth_store.url,
            "--species",
            empty.taxon_id,
            "--model",
            str(tiny_model),
            "--all",
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    recs = [json.loads(line) for line in r.output.strip().splitlines()]
    assert [x["bucket"] for x in recs] == ["single_species", "habitat", "threat", "ex_situ"]
    assert recs[3]["exsitu"]["steps"][4]["title"] == "Decision"
