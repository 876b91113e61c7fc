"""kg.validate — SHACL conformance of a built graph; pyshacl at the edge.

The data graph is the union of every graph in the store (one CONSTRUCT), plus the ontology
and SKOS schemes from ontology/ when the store lacks them, so that `sh:class` can follow
`rdfs:subClassOf` and scheme membership resolves. No inference is run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from kg.build import vocabulary_graphs
from kg.schemes import ONTOLOGY_DIR
from kg.store import Store

SHAPES = ONTOLOGY_DIR / "shapes" / "assess2plan-shapes.ttl"

_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


class Violation(NamedTuple):
    """One SHACL result: the focus node, the property path ('' for node-level), the message."""

    focus: str
    path: str
    message: str


@dataclass
class ValidationReport:
    conforms: bool
    results: list[Violation] = field(default_factory=list)
    text: str = ""


def data_graph(store: Store, ontology_dir: Path = ONTOLOGY_DIR) -> Graph:
    """The store's union graph, with the vocabulary graphs it lacks added from ontology/."""
    g = store.construct(_UNION)
    present = store.graph_names()
    for graph_iri, rel in vocabulary_graphs():
        if graph_iri not in present:
            g.parse(ontology_dir / rel, format="turtle")
    return g


def validate_graph(data: Graph, shapes: Path = SHAPES) -> ValidationReport:
    """Run pySHACL (no inference) on a data graph that already holds its vocabulary."""
    shapes_graph = Graph().parse(shapes, format="turtle")
    conforms, results_graph, text = shacl_validate(
        data,
        shacl_graph=shapes_graph,
        inference="none",
        abort_on_first=False,
        allow_warnings=False,
        meta_shacl=False,
        advanced=False,
    )
    return ValidationReport(bool(conforms), _violations(results_graph), str(text))


def validate(store: Store, shapes: Path = SHAPES) -> ValidationReport:
    """SHACL conformance of everything in the store against ontology/shapes."""
    return validate_graph(data_graph(store), shapes)


def _violations(results: Graph) -> list[Violation]:
    out: set[Violation] = set()
    for r in results.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, r) in results:
            continue  # a nested result, explained by its parent
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        messages = sorted(str(m) for m in results.objects(r, SH.resultMessage))
        out.add(
            Violation(
                str(focus),
                str(path) if isinstance(path, URIRef) else "",
                "; ".join(messages) or str(results.value(r, SH.sourceConstraintComponent)),
            )
        )
    return sorted(out)
