"""SHACL: text-extracted and model-made suggestions (planning --write) validate side by side;
a model's suggestion without its provenance or reasons does not; planning suggestion IRIs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import Graph, URIRef, namespace

from kg import iris
from kg.build import Quads, mention_quads
from kg.load import ingest
from kg.planning import suggestions
from kg.planning.models import BucketRecommendation, Cluster, CoAffected, SpeciesRef, ThreatScore
from kg.records import Mention
from kg.store import open_store
from kg.validate import data_graph, validate_graph
from kg.vocab import A2P, DCTERMS, PROV
from tests.planning.handmade import MINI

TEXT_MODEL = "action-extractor/0.1.0"
BUCKET = BucketRecommendation(
    taxon_id="900101",
    assessment_id="800102",
    scientific_name="Rasbora fictilis",
    bucket="ex_situ",
    probability=0.81,
    reasons=["visible rule lf.exsitu.guidelines.v1: insurance population", "category CR"],
    exsitu_roles=["insurance", "genome_bank"],
    recommended=True,
    model="buckets/0.1.0",
)
SPECIES = [SpeciesRef(taxon_id=t, name=f"Species {t}", category="EN") for t in ("900101", "900102", "900103")]
CLUSTER = Cluster(
    id="c7_2-ID",
    title="Species in ID threatened by 7.2 dams",
    species=SPECIES,
    threats=["7.2"],
    places=["ID"],
    habitats=[],
    actions_needed=["2.1"],
    bucket="threat",
    cohesion=0.61,
)


@pytest.fixture(scope="module")
def both_kinds() -> Graph:
    """The mini export, one text-extracted suggestion and every kind of planning suggestion."""
    with open_store("memory:") as st:
        ingest([MINI], st)
        q = Quads()
        mention = Mention(
            kind="action",
            code="3.4.1",
            label="Captive breeding/artificial propagation",
            status="needed",
            confidence=0.9,
            field="conservation_actions",
            start=3,
            end=20,
            sentence="A captive-breeding programme was started.",
            assessment_id="800102",
            model=TEXT_MODEL,
        )
        g_text = iris.graph("nlp", "action-extractor", "0.1.0")
        mention_quads(q, [mention], TEXT_MODEL, g_text)
        st.replace(q.data(), drop_graphs=[g_text])
        suggestions.write(st, suggestions.bucket_quads([BUCKET], "buckets", "0.1.0"))
        co = CoAffected(
            taxon_id="900102",
            name="Species 900102",
            category="EN",
            score=2.5,
            shared_threats=["7.2"],
            shared_places=["ID"],
        )
        suggestions.write(st, suggestions.coaffected_quads("800102", [co], "1"))
        suggestions.write(st, suggestions.cluster_quads([CLUSTER], "1"))
        score = ThreatScore(threat="7.2", place="ID", score=310.0, species_count=3, approximation="country lists")
        suggestions.write(st, suggestions.score_quads([score], "1"))
        return data_graph(st)


def _suggestions(g: Graph) -> set[URIRef]:
    return {s for s in g.subjects(namespace.RDF.type, A2P.Suggestion) if isinstance(s, URIRef)}


def test_text_and_model_suggestions_validate_together(both_kinds: Graph) -> None:
    nodes = _suggestions(both_kinds)
    spans = {n for n in nodes if (n, A2P.spanStart, None) in both_kinds}
    reasons = {n for n in nodes if (n, A2P.reason, None) in both_kinds}
    assert len(spans) == 1 and len(reasons) == 4 and not spans & reasons
    report = validate_graph(both_kinds)
    assert report.conforms, report.text


def _bucket_node(g: Graph) -> URIRef:
    node = URIRef(iris.suggestion("buckets", "0.1.0", "a800102-ex_situ"))
    assert (node, A2P.suggestedBucket, A2P.ExSituManagement) in g
    return node


def no_provenance(g: Graph) -> tuple[URIRef, str]:
    node = _bucket_node(g)
    g.remove((node, PROV.wasGeneratedBy, None))
    return node, str(PROV.wasGeneratedBy)


def no_model_named(g: Graph) -> tuple[URIRef, str]:
    node = _bucket_node(g)
    g.remove((node, DCTERMS.source, None))
    return node, str(DCTERMS.source)


def generated_by_a_non_activity(g: Graph) -> tuple[URIRef, str]:
    node = _bucket_node(g)
    g.remove((node, PROV.wasGeneratedBy, None))
    g.add((node, PROV.wasGeneratedBy, URIRef(iris.assessment("800102"))))
    return node, str(PROV.wasGeneratedBy)


def no_evidence_at_all(g: Graph) -> tuple[URIRef, str]:
    node = _bucket_node(g)
    g.remove((node, A2P.reason, None))
    return node, ""


def span_without_field(g: Graph) -> tuple[URIRef, str]:
    (node,) = {n for n in _suggestions(g) if (n, A2P.spanStart, None) in g}
    g.remove((node, A2P.sourceField, None))
    return node, str(A2P.sourceField)


@pytest.mark.parametrize(
    "breakage",
    [no_provenance, no_model_named, generated_by_a_non_activity, no_evidence_at_all, span_without_field],
    ids=lambda f: f.__name__,
)
def test_suggestion_missing_its_provenance_or_evidence_fails(
    both_kinds: Graph, breakage: Callable[[Graph], tuple[URIRef, str]]
) -> None:
    g = Graph()
    g += both_kinds
    node, path = breakage(g)
    report = validate_graph(g)
    assert not report.conforms
    assert str(node) in {v.focus for v in report.results}, report.results
    assert path in {v.path for v in report.results if v.focus == str(node)}, report.results


def test_planning_suggestion_iris_are_minted_by_kg_iris() -> None:
    a = iris.suggestion("scores", "1", "1.1-lme-4_5_4")
    b = iris.suggestion("scores", "1", "11-lme-4_5_4")
    assert a != b  # the key's parts stay apart
    assert a.startswith(iris.ID + "suggestion/scores-v1-")
    assert iris.suggestion("buckets", "0.1.0", "a1-habitat") != iris.suggestion("buckets", "0.2.0", "a1-habitat")
    q = suggestions.cluster_quads([CLUSTER], "1")
    typed = {line.split(" ")[0] for line in q.lines if f"<{namespace.RDF.type}> <{A2P.Suggestion}>" in line}
    assert typed == {f"<{iris.suggestion('clusters', '1', 'c7_2-ID')}>"}
