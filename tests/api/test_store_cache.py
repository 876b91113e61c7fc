"""api.services.store_cache: values are served only for the store version and the caller's
version they were computed under, and superseded ones are dropped; every write through a
store (of any kind) invalidates them."""

from __future__ import annotations

from collections.abc import Hashable

from rdflib import URIRef

from api.services.store_cache import StoreCache
from kg import iris
from kg.build import Quads, lit
from kg.store import Store
from kg.vocab import RDFS


class FakeStore:  # only what the cache reads: a version (weakly referenced)
    def __init__(self, generation: str | None) -> None:
        self.generation = generation

    @property
    def version(self) -> Hashable:
        return self.generation


def test_values_follow_store_version_and_version() -> None:
    cache, store = StoreCache(), FakeStore("g000001")
    assert cache.put(store, "index", [1], version=3) == [1]  # type: ignore[arg-type]
    assert cache.get(store, "index", version=3) == [1]  # type: ignore[arg-type]
    assert cache.get(store, "index", version=4) is None  # type: ignore[arg-type]
    store.generation = "g000002"
    assert cache.get(store, "index", version=3) is None  # type: ignore[arg-type]


def test_put_drops_values_of_other_versions_and_forget_drops_all() -> None:
    cache, store, other = StoreCache(), FakeStore("g1"), FakeStore(None)
    cache.put(store, "a", "old")  # type: ignore[arg-type]
    cache.put(other, "a", "kept")  # type: ignore[arg-type]
    store.generation = "g2"
    cache.put(store, "b", "new")  # type: ignore[arg-type]
    store.generation = "g1"  # the old value was dropped, not merely hidden
    assert cache.get(store, "a") is None  # type: ignore[arg-type]
    assert cache.get(other, "a") == "kept"  # type: ignore[arg-type]  # stores are apart
    cache.forget(other)  # type: ignore[arg-type]
    assert cache.get(other, "a") is None  # type: ignore[arg-type]


def test_a_value_computed_during_a_write_is_kept_under_the_version_read_before() -> None:
    """get_or_compute reads the version once, before computing: a write that lands while the
    value is computed (another process, on a remote store) leaves it stale, never fresh."""
    cache, store = StoreCache(), FakeStore("v1")

    def compute() -> str:
        store.generation = "v2"  # written meanwhile
        return "computed from v1 or v2"

    assert cache.get_or_compute(store, "k", compute) == "computed from v1 or v2"  # type: ignore[arg-type]
    assert cache.get(store, "k") is None  # type: ignore[arg-type]
    calls: list[int] = []
    cache.get_or_compute(store, "k", lambda: calls.append(1) or "fresh")  # type: ignore[arg-type]
    assert cache.get_or_compute(store, "k", lambda: calls.append(1) or "again") == "fresh"  # type: ignore[arg-type]
    assert calls == [1]


def test_every_write_through_the_store_changes_its_version(empty_store: Store) -> None:
    """memory:, oxigraph: and the remote server: update, replace and a batch each change
    `Store.version`, so a cached value is recomputed after them; reads and annotation-only
    updates do not."""
    cache, calls = StoreCache(), []

    def labels() -> list[str]:
        calls.append(1)
        rows = empty_store.select("SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
                                  {"s": URIRef(iris.taxon("1"))})
        return sorted(str(r["l"]) for r in rows)

    def cached() -> list[str]:
        return list(cache.get_or_compute(empty_store, "labels", labels))

    g = iris.graph("test", "cache")
    assert cached() == [] and cached() == [] and len(calls) == 1
    q = Quads()
    q.add(iris.taxon("1"), RDFS.label, lit("a"), g)
    empty_store.replace(q.data())
    assert cached() == ["a"] and len(calls) == 2
    empty_store.update(f"INSERT DATA {{ GRAPH <{g}> {{ <{iris.taxon('1')}> "
                       '<http://www.w3.org/2000/01/rdf-schema#label> "b" } }')
    assert cached() == ["a", "b"] and len(calls) == 3
    q = Quads()
    q.add(iris.taxon("1"), RDFS.label, lit("c"), g)
    with empty_store.batch() as b:
        b.drop([g])
        b.add(q.data())
    assert cached() == ["c"] and cached() == ["c"] and len(calls) == 4
    version = empty_store.version  # comments and feedback: no cached value is computed from them
    empty_store.update(f"INSERT DATA {{ GRAPH <{iris.graph('test', 'notes')}> {{ "
                       f'<{iris.taxon("1")}> <http://www.w3.org/2000/01/rdf-schema#comment> "n" }} }}',
                       annotation=True)
    assert empty_store.version == version and cached() == ["c"] and len(calls) == 4


def test_settle_heap_keeps_values_out_of_full_collections_and_frees_dropped_cycles() -> None:
    """Values put in a StoreCache are frozen out of the cyclic collector's full collections
    (a 1.1 s pause at 172k species); a value that replaces an older one first has the older
    one's reference cycles collected, so nothing leaks across versions."""
    import gc
    import weakref

    from api.services.store_cache import StoreCache
    from kg.store import open_store

    class Node:
        def __init__(self) -> None:
            self.me = self  # a reference cycle: only the cyclic collector frees it

    st = open_store("memory:")
    cache = StoreCache()
    gc.unfreeze()
    try:
        first = Node()
        cache.put(st, "k", first)
        assert gc.get_freeze_count() > 0
        dropped = weakref.ref(first)
        del first
        st.update("INSERT DATA { GRAPH <urn:a2p:g> { <urn:a2p:s> <urn:a2p:p> <urn:a2p:o> } }")  # new version
        cache.put(st, "k", Node())  # replaces the old version's value: collect, then freeze
        assert dropped() is None
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.collect()
