"""Store contract: bound values, atomic batch writes, generations, reopen."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from kg import iris
from kg.build import Quads, lit
from kg.store import OxigraphBatch, OxigraphStore, QueryError, Store, StoreError, bind_values, open_store
from kg.vocab import A2P, RDFS

G1 = iris.graph("test", "one")
G2 = iris.graph("test", "two")
S = iris.taxon("1")


def batch(*items: tuple[str, str, str, str]) -> bytes:
    q = Quads()
    for s, p, o, g in items:
        q.add(s, p, o, g)
    return q.data()


PREFIX = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
OURS = f'FILTER(STRSTARTS(STR(?s), "{iris.BASE}"))'  # a remote server holds graphs of its own


def labels(store: Store) -> list[str]:
    rows = store.select(PREFIX + "SELECT ?l WHERE { ?s rdfs:label ?l " + OURS + " } ORDER BY ?l")
    return [str(r["l"]) for r in rows]


def test_replace_adds_and_drops_graphs(empty_store: Store) -> None:
    empty_store.replace(batch((S, RDFS.label, lit("a"), G1), (S, RDFS.label, lit("b"), G2)))
    assert labels(empty_store) == ["a", "b"]
    empty_store.replace(batch((S, RDFS.label, lit("c"), G1)), drop_graphs=[G1])
    assert labels(empty_store) == ["b", "c"]
    assert {G1, G2} <= empty_store.graph_names()


def test_bound_values_cannot_inject(empty_store: Store) -> None:
    empty_store.replace(batch((S, RDFS.label, lit("x"), G1)))
    hostile = 'x" } ; DROP ALL ; SELECT * WHERE { ?s ?p "'
    q = PREFIX + "SELECT ?s WHERE { ?s rdfs:label ?name }"
    assert len(empty_store.select(q, {"name": hostile})) == 0
    assert len(empty_store.select(q, {"name": "x"})) == 1
    with pytest.raises(QueryError):
        empty_store.select(q, {"name": URIRef("http://x/> } DROP ALL {")})
    with pytest.raises(QueryError):
        bind_values(q, {"na me": "x"})


def test_binding_filters_optional_parameters(empty_store: Store) -> None:
    empty_store.replace(
        batch((S, RDFS.label, lit("a"), G1), (iris.taxon("2"), RDFS.label, lit("b"), G1))
    )
    q = PREFIX + "SELECT ?s ?l WHERE { ?s rdfs:label ?l " + OURS + " FILTER(!BOUND(?want) || ?l = ?want) }"
    assert len(empty_store.select(q)) == 2
    rows = empty_store.select(q, {"want": Literal("b")})
    assert [str(r["s"]) for r in rows] == [iris.taxon("2")]


def test_triples_and_contains_match_bound_patterns(empty_store: Store) -> None:
    """`triples`/`contains` (the datasheet store's look-ups) on every backend: terms are bound,
    a hostile value matches nothing, an unbound position matches anything, `limit` is kept."""
    other = iris.taxon("2")
    empty_store.replace(batch((S, RDFS.label, lit("x"), G1), (S, RDFS.label, lit("y"), G2),
                              (other, A2P.rank, lit("species"), G2)))
    label = URIRef(str(RDFS.label))
    assert empty_store.contains(URIRef(S), label, Literal("x"))
    assert empty_store.contains(predicate=URIRef(str(A2P.rank)), obj=Literal("species"))
    assert not empty_store.contains(predicate=label, obj=Literal("species"))
    assert not empty_store.contains(URIRef(other), label)
    assert not empty_store.contains(predicate=label, obj=Literal('x" } UNION { ?s ?p ?o'))
    with pytest.raises(QueryError):
        empty_store.contains(URIRef("http://x/> } UNION {"))
    found = set(empty_store.triples(URIRef(S), label))
    assert found == {(URIRef(S), label, Literal("x")), (URIRef(S), label, Literal("y"))}
    assert len(list(empty_store.triples(URIRef(S), label, limit=1))) == 1
    assert {o for _, _, o in empty_store.triples(predicate=label)} >= {Literal("x"), Literal("y")}


def test_triples_and_contains_in_one_named_graph(empty_store: Store) -> None:
    """`triples(graph=)`/`contains(graph=)` on every backend: only that graph's triples, the
    same answers on memory:, oxigraph: and the remote server; an unknown graph holds nothing;
    a hostile graph name is refused, never pasted."""
    other = iris.taxon("2")
    empty_store.replace(batch((S, RDFS.label, lit("x"), G1), (S, RDFS.label, lit("y"), G2),
                              (other, A2P.rank, lit("species"), G2), (S, A2P.rank, lit("genus"), G1)))
    label, rank = URIRef(str(RDFS.label)), URIRef(str(A2P.rank))
    assert set(empty_store.triples(graph=G1)) == {(URIRef(S), label, Literal("x")),
                                                   (URIRef(S), rank, Literal("genus"))}
    assert set(empty_store.triples(graph=URIRef(G2))) == {(URIRef(S), label, Literal("y")),
                                                          (URIRef(other), rank, Literal("species"))}
    assert set(empty_store.triples(URIRef(S), label, graph=G2)) == {(URIRef(S), label, Literal("y"))}
    assert set(empty_store.triples(predicate=rank, obj=Literal("genus"), graph=G2)) == set()
    assert len(list(empty_store.triples(graph=G2, limit=1))) == 1
    assert list(empty_store.triples(graph=iris.graph("test", "none"))) == []
    assert empty_store.contains(URIRef(S), label, Literal("x"), graph=G1)
    assert not empty_store.contains(URIRef(S), label, Literal("x"), graph=G2)
    assert empty_store.contains(URIRef(other), graph=G2) and not empty_store.contains(URIRef(other), graph=G1)
    for hostile in ("http://x/> } UNION { ?s ?p ?o", "http://x/a b"):
        with pytest.raises(QueryError):
            list(empty_store.triples(graph=hostile))


def test_malformed_query_is_query_error(empty_store: Store) -> None:
    with pytest.raises(QueryError):
        empty_store.select("SELECT ?s WHERE { ?s ")


def test_invalid_batch_leaves_store_unchanged(empty_store: Store) -> None:
    empty_store.replace(batch((S, RDFS.label, lit("kept"), G1)))
    bad = b'<http://a> <http://b> "unterminated <http://g> .\n'
    with pytest.raises(StoreError, match="not valid N-Quads"):
        empty_store.replace(bad, drop_graphs=[G1])
    assert labels(empty_store) == ["kept"]


def test_oxigraph_failure_mid_batch_keeps_old_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    st = OxigraphStore(tmp_path / "g")
    st.replace(batch((S, RDFS.label, lit("old"), G1)))
    gen = st.generation

    def boom(self: ox.Store, *a: object, **k: object) -> None:
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(ox.Store, "bulk_load", boom)
    with pytest.raises(OSError):
        st.replace(batch((S, RDFS.label, lit("new"), G1)), drop_graphs=[G1])
    monkeypatch.undo()
    assert st.generation == gen
    assert labels(st) == ["old"]
    st.close()
    # reopen: the same generation, nothing left behind
    st2 = OxigraphStore(tmp_path / "g")
    assert labels(st2) == ["old"]
    assert sorted(p.name for p in (tmp_path / "g").glob("g*")) == [gen]
    st2.close()


@pytest.mark.parametrize("share", [0.5, 1.01])  # rebuilt / rebuilt, then copied into a checkpoint
def test_oxigraph_rebuild_keeps_what_the_batch_does_not_drop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: float
) -> None:
    """A batch that replaces many graphs is bulk-loaded into an empty generation and the other
    graphs (and the default graph) are copied over; the result is what a checkpoint gives."""
    monkeypatch.setattr(OxigraphBatch, "DIRECT_BYTES", 16)  # the loader starts at the first add
    monkeypatch.setattr(OxigraphBatch, "DECIDE_BYTES", 16)
    monkeypatch.setattr(OxigraphBatch, "REBUILD_MIN_GRAPHS", 1)
    monkeypatch.setattr(OxigraphBatch, "REBUILD_FRACTION", share)
    modes: list[str] = []
    begin = OxigraphBatch._begin
    monkeypatch.setattr(OxigraphBatch, "_begin", lambda self, mode: (modes.append(mode), begin(self, mode))[1])
    with OxigraphStore(tmp_path / "g") as st:
        st.replace(batch((S, RDFS.label, lit("a"), G1), (S, RDFS.label, lit("b"), G2)))
        st.update(f'INSERT DATA {{ <{S}> <{RDFS.label}> "default" }}')
        modes.clear()
        with st.batch() as b:
            b.drop([G1])
            b.add(batch((S, RDFS.label, lit("c"), G1)))
            b.drop([G1])  # dropped once per batch: what the batch wrote stays
        assert modes == (["rebuild"] if share <= 0.5 else ["rebuild", "checkpoint"])
        assert labels(st) == ["b", "c", "default"]
        assert st.count() == 2 and len(st.store) == 3
        assert sorted(p.name for p in (tmp_path / "g").glob("g*")) == [st.generation]


def test_oxigraph_failure_while_copying_kept_graphs_keeps_old_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(OxigraphBatch, "REBUILD_MIN_GRAPHS", 1)
    with OxigraphStore(tmp_path / "g") as st:
        st.replace(batch((S, RDFS.label, lit("a"), G1), (S, RDFS.label, lit("b"), G2)))
        gen = st.generation

        def boom(self: OxigraphBatch, *a: object) -> None:
            assert self.mode == "rebuild"
            raise OSError("disk full (simulated)")

        monkeypatch.setattr(OxigraphBatch, "_copy", boom)
        with pytest.raises(OSError, match="disk full"):
            st.replace(batch((S, RDFS.label, lit("c"), G1)), drop_graphs=[G1])
        assert st.generation == gen and labels(st) == ["a", "b"]
        assert sorted(p.name for p in (tmp_path / "g").glob("g*")) == [gen]


def test_oxigraph_reopens_latest_generation(tmp_path: Path) -> None:
    with open_store(f"oxigraph:{tmp_path / 'g'}") as st:
        st.replace(batch((S, RDFS.label, lit("one"), G1)))
        st.replace(batch((S, RDFS.label, lit("two"), G1)), drop_graphs=[G1])
    with open_store(f"oxigraph:{tmp_path / 'g'}", read_only=True) as st:
        assert labels(st) == ["two"]
        with pytest.raises(StoreError):
            st.update("INSERT DATA { <http://a> <http://b> <http://c> }")


def test_large_batch_is_compacted_before_switch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch that loaded OPTIMIZE_BYTES or more is compacted in its new generation before the
    switch; smaller ones are not; the graph is intact either way."""
    from kg import store as store_mod

    optimized: list[str] = []
    real = store_mod.OxigraphBatch._staged

    class Spy:
        def __init__(self, st: Any, name: str) -> None:
            self.st, self.name = st, name

        def optimize(self) -> None:
            optimized.append(self.name)
            self.st.optimize()

        def __getattr__(self, attr: str) -> Any:
            return getattr(self.st, attr)

    monkeypatch.setattr(store_mod.OxigraphBatch, "_staged", lambda self: Spy(real(self), self.name))
    with open_store(f"oxigraph:{tmp_path / 'g'}") as st:
        st.replace(batch((S, RDFS.label, lit("small"), G1)))  # below the threshold
        assert optimized == []
        monkeypatch.setattr(store_mod.OxigraphBatch, "OPTIMIZE_BYTES", 1)
        st.replace(batch((S, RDFS.label, lit("compacted"), G1)), drop_graphs=[G1])
        assert optimized == [st.generation]
    with open_store(f"oxigraph:{tmp_path / 'g'}", read_only=True) as st:
        assert labels(st) == ["compacted"]


def test_dump_roundtrip(empty_store: Store, tmp_path: Path) -> None:
    empty_store.replace(
        batch((S, RDFS.label, lit('quote " and\nnewline'), G1), (S, A2P.rank, lit("species"), G2))
    )
    buf = io.BytesIO()
    empty_store.dump(buf)
    with open_store(f"oxigraph:{tmp_path / 'copy'}") as copy:
        copy.replace(buf.getvalue())
        assert labels(copy) == ['quote " and\nnewline']
        assert copy.count() == empty_store.count() == 2


def test_unknown_store_url() -> None:
    with pytest.raises(StoreError, match="unknown store URL"):
        open_store("postgres://x")
    with pytest.raises(StoreError):
        open_store("sparql:not-a-url")


def test_literals_are_valid_xsd() -> None:
    from datetime import date, datetime

    assert lit(1e-05) == '"0.00001"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    assert lit(datetime(2026, 1, 2, 3, 4, 5)).endswith("#dateTime>")
    assert lit(date(2026, 1, 2)) == '"2026-01-02"^^<http://www.w3.org/2001/XMLSchema#date>'
    assert lit('a"b\nc') == '"a\\"b\\nc"'
    # and Oxigraph accepts them all
    q = Quads()
    for v in (1e-05, 0.25, datetime(2026, 1, 2, 3, 4, 5), date(2026, 1, 2), 'a"b\nc', True, 7):
        q.add(S, RDFS.label, lit(v), G1)
    st = ox.Store()
    st.load(q.data(), ox.RdfFormat.N_QUADS)
    assert len(st) == 7
