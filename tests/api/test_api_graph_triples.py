"""api.services.queries.graph_triples (the datasheet's reader of one assessment graph) on
`Store.triples(graph=)`: the same values on memory:, oxigraph: and the remote server."""

from __future__ import annotations

import datetime as dt

from api.services.queries import Text, graph_triples
from kg import iris
from kg.build import Quads, lit
from kg.store import Store
from kg.vocab import A2P, RDFS

G1, G2 = iris.graph("test", "one"), iris.graph("test", "two")
S, T = iris.taxon("1"), iris.taxon("9")


def test_graph_triples_reads_one_graph_as_values(empty_store: Store) -> None:
    """IRIs as str, plain and language strings as Text, typed literals as Python values; the
    triples of other graphs are left out."""
    q = Quads()
    q.add(S, str(RDFS.label), lit("x"), G1)
    q.add(S, str(RDFS.comment), lit("note", lang="en"), G1)
    q.node(S, str(A2P.assessesTaxon), T, G1)
    q.add(S, str(A2P.yearPublished), lit(2012), G1)
    q.add(S, str(A2P.assessmentDate), lit(dt.date(2012, 3, 1)), G1)
    q.add(S, str(RDFS.label), lit("other graph"), G2)
    empty_store.replace(q.data())
    got = {p: o for s, p, o in graph_triples(empty_store, G1) if s == S}
    assert got == {str(RDFS.label): "x", str(RDFS.comment): "note", str(A2P.assessesTaxon): T,
                   str(A2P.yearPublished): 2012, str(A2P.assessmentDate): dt.date(2012, 3, 1)}
    assert len(graph_triples(empty_store, G1)) == 5
    assert type(got[str(RDFS.label)]) is Text and type(got[str(RDFS.comment)]) is Text
    assert type(got[str(A2P.assessesTaxon)]) is str
    assert graph_triples(empty_store, iris.graph("test", "none")) == []
