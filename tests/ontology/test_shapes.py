"""SHACL shapes (ontology/shapes/) through kg.validate: built graphs conform, broken ones do not."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import Graph, Literal, URIRef, namespace

from kg import iris
from kg.build import Quads, mention_quads
from kg.load import ingest
from kg.records import Mention
from kg.store import Store, open_store
from kg.validate import ValidationReport, data_graph, validate, validate_graph
from kg.vocab import A2P


def _load_root_conftest() -> ModuleType:
    """tests/conftest.py by path: `import conftest` may find another folder's conftest."""
    path = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("a2p_tests_root_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shared = _load_root_conftest().shared


MINI = Path(__file__).resolve().parents[1] / "data" / "mini-export"
MODEL = "action-extractor/0.1.0"
NLP_GRAPH = iris.graph("nlp", "action-extractor", "0.1.0")


def mention(confidence: float = 0.87, start: int = 12, end: int = 30) -> Mention:
    return Mention(
        kind="action",
        code="3.4.1",
        label="Captive breeding/artificial propagation",
        status="needed",
        confidence=confidence,
        field="conservation_actions",
        start=start,
        end=end,
        sentence="A captive-breeding programme was started in 2019.",
        assessment_id="800102",
        model=MODEL,
    )


def suggestion_node(g: Graph) -> URIRef:
    """The one a2p:Suggestion of a graph (its IRI is the builder's business)."""
    (node,) = set(g.subjects(namespace.RDF.type, A2P.Suggestion))
    assert isinstance(node, URIRef)
    return node


def with_suggestions(store: Store, *mentions: Mention) -> None:
    q = Quads()
    mention_quads(q, mentions, MODEL, NLP_GRAPH)
    store.replace(q.data(), drop_graphs=[NLP_GRAPH])


@pytest.fixture(scope="module")
def mini_graph() -> Graph:
    """Data graph of the mini export plus one well-formed suggestion."""
    with open_store("memory:") as st:
        ingest([MINI], st)
        with_suggestions(st, mention())
        return data_graph(st)


def focus_nodes(report: ValidationReport) -> set[str]:
    return {v.focus for v in report.results}


def test_fixture_graph_conforms(empty_store: Store) -> None:
    ingest([MINI], empty_store)
    report = validate(empty_store)
    assert report.conforms, report.text
    assert report.results == []


def test_suggestions_written_by_the_builder_conform(mini_graph: Graph) -> None:
    report = validate_graph(mini_graph)
    assert report.conforms, report.text
    node = suggestion_node(mini_graph)
    assert mini_graph.value(node, A2P.confidence) == Literal("0.87", datatype=namespace.XSD.decimal)


A800103 = URIRef(iris.assessment("800103"))
THREAT = URIRef(iris.part("800104", "threat", "5.2.1"))
CR = URIRef(iris.concept("categories", "CR"))
UNKNOWN_THREAT = URIRef(iris.concept("threats", "99.9"))


def two_categories(g: Graph) -> tuple[str, str]:
    g.add((A800103, A2P.category, CR))  # it is already EN
    return str(A800103), str(A2P.category)


def unknown_threat_concept(g: Graph) -> tuple[str, str]:
    g.remove((THREAT, A2P.threat, None))
    g.add((THREAT, A2P.threat, UNKNOWN_THREAT))
    return str(THREAT), str(A2P.threat)


def overconfident_suggestion(g: Graph) -> tuple[str, str]:
    node = suggestion_node(g)
    with open_store("memory:") as st:
        with_suggestions(st, mention(confidence=1.7))
        extra = st.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    g.remove((node, None, None))  # the same mention, re-extracted with confidence 1.7
    g += extra
    return str(suggestion_node(g)), str(A2P.confidence)


def span_backwards(g: Graph) -> tuple[str, str]:
    node = suggestion_node(g)
    g.remove((node, A2P.spanStart, None))
    g.add((node, A2P.spanStart, Literal(99, datatype=namespace.XSD.integer)))
    return str(node), str(A2P.spanStart)


def latest_of_another_taxon(g: Graph) -> tuple[str, str]:
    taxon = URIRef(iris.taxon("900102"))
    g.remove((taxon, A2P.latestAssessment, None))
    g.add((taxon, A2P.latestAssessment, URIRef(iris.assessment("800102"))))
    return str(taxon), ""


def year_as_text(g: Graph) -> tuple[str, str]:
    g.remove((A800103, A2P.yearPublished, None))
    g.add((A800103, A2P.yearPublished, Literal("2018")))
    return str(A800103), str(A2P.yearPublished)


BREAKAGES: list[Callable[[Graph], tuple[str, str]]] = [
    two_categories,
    unknown_threat_concept,
    overconfident_suggestion,
    span_backwards,
    latest_of_another_taxon,
    year_as_text,
]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda f: f.__name__)
def test_broken_graph_does_not_conform(
    mini_graph: Graph, breakage: Callable[[Graph], tuple[str, str]]
) -> None:
    g = Graph()
    g += mini_graph
    focus, path = breakage(g)
    report = validate_graph(g)
    assert not report.conforms
    assert focus in focus_nodes(report), report.results
    assert path in {v.path for v in report.results if v.focus == focus}
    assert focus in report.text


@pytest.mark.shared_data
@pytest.mark.slow
def test_pacific_marine_export_conforms(tmp_path: Path) -> None:
    export = shared("redlist-export-pacific-marine-2019")
    with open_store(f"oxigraph:{tmp_path / 'graph'}") as st:
        ingest([export], st)
        report = validate(st)
    assert report.conforms, "\n".join(map(str, report.results[:20]))


@pytest.mark.shared_data
def test_api_v4_samples_conform() -> None:
    """API v4 assessments bring actions in place (question and answer, code optional)."""
    samples = shared("iucn-api-v4-samples", "assessments")
    with open_store("memory:") as st:
        ingest([samples], st)
        in_place = st.select(
            "PREFIX a2p: <https://w3id.org/assess2plan/ontology#> "
            "SELECT ?x WHERE { ?x a a2p:ActionInPlace }"
        )
        report = validate(st)
    assert len(in_place) > 0
    assert report.conforms, "\n".join(map(str, report.results[:20]))
