"""kg.planning.suggestions — planning results → a2p:Suggestion quads with PROV, in their own graph.

Every result is written to graph/planning/<model>/<version> (co-affected lists to one graph
per focal assessment below it) and never touches assessor-coded facts:

    suggestion  a a2p:Suggestion, prov:Entity ;
                prov:wasGeneratedBy <graph/activity/planning-<model>/<version>> ;
                dcterms:source "<model>/<version>" ;
                a2p:reason "..." (one per reason) ;
    buckets:    a2p:aboutAssessment, a2p:suggestedBucket, a2p:probability (= a2p:confidence),
                a2p:exSituRole (ex situ roles)
    co-affected a2p:aboutAssessment (focal), dcterms:relation (co-affected taxon), rdf:value (score)
    clusters:   rdfs:label (title), a2p:forTaxon (members), a2p:atPlace, a2p:suggestedCode
                (the cluster's threat), a2p:suggestedBucket, rdf:value (cohesion)
    scores:     a2p:suggestedCode (threat), a2p:atPlace, rdf:value (STAR-style score)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from kg import iris
from kg.build import Quads, lit
from kg.planning.models import BucketRecommendation, Cluster, CoAffected, ThreatScore
from kg.planning.profile import place_type_of
from kg.schemes import exsitu_roles
from kg.store import Store
from kg.vocab import A2P, DCTERMS, PROV, RDF, RDFS, XSD

BUCKET_TERMS = {
    "single_species": A2P.SingleSpeciesRecovery,
    "habitat": A2P.HabitatBased,
    "threat": A2P.ThreatFocused,
    "ex_situ": A2P.ExSituManagement,
}
T = str(RDF.type)


def graph_of(model: str, version: str, *more: str) -> str:
    return iris.graph("planning", model, version, *more)


def place_iri(key: str) -> str:
    kind = place_type_of(key)
    if kind == "country":
        return iris.concept("countries", key)
    return iris.place(kind, key.split("-", 1)[1])


def _head(q: Quads, node: str, g: str, activity: str, source: str, reasons: Iterable[str]) -> None:
    q.node(node, T, A2P.Suggestion, g)
    q.node(node, T, str(PROV.Entity), g)
    q.node(node, str(PROV.wasGeneratedBy), activity, g)
    q.add(node, str(DCTERMS.source), lit(source), g)
    for r in reasons:
        q.add(node, A2P.reason, lit(r), g)


def _activity(q: Quads, model: str, version: str, g: str) -> str:
    activity = iris.graph("activity", f"planning-{model}", version)
    q.node(activity, T, str(PROV.Activity), g)
    q.add(activity, str(RDFS.label), lit(f"planning {model} {version}"), g)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    q.add(activity, str(PROV.endedAtTime), lit(now, str(XSD.dateTime)), g)
    return activity


def bucket_quads(recs: Sequence[BucketRecommendation], model: str, version: str) -> Quads:
    q = Quads()
    g = graph_of(model, version)
    act = _activity(q, model, version, g)
    roles = exsitu_roles()
    for r in recs:
        node = iris.suggestion(model, version, f"a{r.assessment_id}-{r.bucket}")
        _head(q, node, g, act, f"{model}/{version}", r.reasons)
        if r.assessment_id:
            q.node(node, A2P.aboutAssessment, iris.assessment(r.assessment_id), g)
        q.node(node, A2P.suggestedBucket, BUCKET_TERMS[r.bucket], g)
        q.add(node, A2P.probability, lit(round(float(r.probability), 4)), g)
        q.add(node, A2P.confidence, lit(round(float(r.probability), 4)), g)
        q.add(node, str(RDFS.label), lit(f"{r.scientific_name or r.taxon_id}: {r.bucket}"), g)
        for role in r.exsitu_roles:
            if role in roles.concepts:
                q.node(node, A2P.exSituRole, roles.concepts[role].iri, g)
    q.replaced_graphs.add(g)
    return q


def coaffected_quads(focal_assessment: str, results: Sequence[CoAffected], version: str) -> Quads:
    q = Quads()
    g = graph_of("coaffected", version, f"a{focal_assessment}")
    act = _activity(q, "coaffected", version, g)
    for rank, r in enumerate(results, 1):
        node = iris.suggestion("coaffected", version, f"a{focal_assessment}-{r.taxon_id}")
        reasons = [f"rank {rank}: shares threats {', '.join(r.shared_threats)} in {', '.join(r.shared_places)}"]
        _head(q, node, g, act, f"coaffected/{version}", reasons)
        q.node(node, A2P.aboutAssessment, iris.assessment(focal_assessment), g)
        q.node(node, str(DCTERMS.relation), iris.taxon(r.taxon_id), g)
        q.add(node, str(RDF.value), lit(float(r.score)), g)
    q.replaced_graphs.add(g)
    return q


def cluster_quads(clusters: Sequence[Cluster], version: str) -> Quads:
    q = Quads()
    g = graph_of("clusters", version)
    act = _activity(q, "clusters", version, g)
    for c in clusters:
        node = iris.suggestion("clusters", version, c.id)
        reasons = [
            f"shared threats {', '.join(c.threats)}; places {', '.join(c.places)}"
            + (f"; habitats {', '.join(c.habitats)}" if c.habitats else ""),
            f"cohesion {c.cohesion:.2f}",
        ]
        if c.actions_needed:
            reasons.append(f"actions needed {', '.join(c.actions_needed)}")
        _head(q, node, g, act, f"clusters/{version}", reasons)
        q.add(node, str(RDFS.label), lit(c.title), g)
        q.node(node, A2P.suggestedCode, iris.concept("threats", c.threats[0]), g)
        q.node(node, A2P.suggestedBucket, BUCKET_TERMS[c.bucket], g)
        q.add(node, str(RDF.value), lit(float(c.cohesion)), g)
        for s in c.species:
            q.node(node, A2P.forTaxon, iris.taxon(s.taxon_id), g)
        for pl in c.places:
            q.node(node, A2P.atPlace, place_iri(pl), g)
    q.replaced_graphs.add(g)
    return q


def score_quads(scores: Sequence[ThreatScore], version: str) -> Quads:
    q = Quads()
    g = graph_of("scores", version)
    act = _activity(q, "scores", version, g)
    for s in scores:
        node = iris.suggestion("scores", version, f"{s.threat}-{s.place}")
        _head(q, node, g, act, f"scores/{version}", [f"{s.species_count} species; {s.approximation}"])
        q.node(node, A2P.suggestedCode, iris.concept("threats", s.threat), g)
        q.node(node, A2P.atPlace, place_iri(s.place), g)
        q.add(node, str(RDF.value), lit(float(s.score)), g)
    q.replaced_graphs.add(g)
    return q


def write(store: Store, q: Quads) -> int:
    """Replace the suggestion graph(s) of `q` with its quads, in one batch; returns quads."""
    store.replace(q.data(), drop_graphs=q.replaced_graphs)
    return len(q)
