"""ontology/links.ttl terms are in the generated kg.vocab, none clashing with the core ones."""

from __future__ import annotations

from pathlib import Path

from rdflib import OWL, RDF, Graph, URIRef

from kg import iris
from kg.links import terms
from kg.vocab import A2P

ONTOLOGY = Path(__file__).resolve().parents[2] / "ontology"


def declared(path: Path) -> set[str]:
    g = Graph().parse(path, format="turtle")
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
    return {
        str(s)[len(iris.ONTOLOGY) :]
        for s, _p, o in g.triples((None, RDF.type, None))
        if isinstance(s, URIRef) and str(s).startswith(iris.ONTOLOGY) and o in kinds
    }


def test_links_ttl_terms_are_in_the_generated_vocab() -> None:
    names = declared(ONTOLOGY / "links.ttl")
    assert {"CitesListing", "Subscription", "DeliveryAttempt", "webhook"} <= names
    for name in names:
        assert str(getattr(A2P, name)) == iris.ONTOLOGY + name
    assert not hasattr(terms, "LINKS")  # one source of terms: kg.vocab


def test_no_term_redeclares_the_core_ontology() -> None:
    core = declared(ONTOLOGY / "assess2plan.ttl")
    assert not core & declared(ONTOLOGY / "links.ttl")
    # the existing terms the link code relies on are in the core ontology (kg.vocab)
    for name in (
        "Pledge",
        "pledgedBy",
        "forTaxon",
        "atPlace",
        "status",
        "contact",
        "ExSituProgramme",
        "programmeFor",
        "Stakeholder",
        "Organisation",
        "Person",
        "WaterBody",
    ):
        assert name in core and getattr(A2P, name)


def test_ids_and_graphs() -> None:
    assert terms.link_graph("cites") == iris.graph("links", "cites")
    assert terms.link_graph("scores", "edge2023") == iris.graph("links", "scores", "edge2023")
    for bad in ("x", "p", "pZZZZZZZ", "p123", "e1234567", "p1234567/../x"):
        try:
            terms.pledge(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
    assert terms.pledge("p0123abcd") == iris.ID + "pledge/p0123abcd"
    assert terms.stakeholder_key(
        "organisation", " WWF  Fictland ", "A@B.org"
    ) == terms.stakeholder_key("organisation", "wwf fictland", "a@b.org")
