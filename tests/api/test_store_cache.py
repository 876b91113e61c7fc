"""api.services.store_cache: values are served only for the generation and version they were
computed under, and superseded ones are dropped."""

from __future__ import annotations

from api.services.store_cache import StoreCache


class FakeStore:  # only what the cache reads: a generation (weakly referenced)
    def __init__(self, generation: str | None) -> None:
        self.generation = generation


def test_values_follow_generation_and_version() -> None:
    cache, store = StoreCache(), FakeStore("g000001")
    assert cache.put(store, "index", [1], version=3) == [1]  # type: ignore[arg-type]
    assert cache.get(store, "index", version=3) == [1]  # type: ignore[arg-type]
    assert cache.get(store, "index", version=4) is None  # type: ignore[arg-type]
    store.generation = "g000002"
    assert cache.get(store, "index", version=3) is None  # type: ignore[arg-type]


def test_put_drops_values_of_other_generations_and_forget_drops_all() -> None:
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
