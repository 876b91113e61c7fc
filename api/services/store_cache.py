"""Values computed from a store, kept until the store's version changes.

`Store.version` changes whenever the graph is written through the store: an Oxigraph store
switches generation on every batch write (an ingest, a service write) and counts its SPARQL
Updates; `memory:` counts its writes; a `sparql:` store reads the token that every
assess2plan writer (any worker or process) replaces on the server. So a value remembered under
one version is never served after the graph changed. A caller whose store can change in a way
the version does not show passes that as `version` too. Putting a value drops the store's
values of other versions, so superseded results do not pile up in memory.

These values are large and live as long as the graph does (at 172k species the co-affected
index alone is about a million container objects), and Python's cyclic garbage collector
walks every tracked object on each full collection: 1.1 s with that index loaded, a pause
that stopped every request thread at once (p95 of re-submitted /suggest drafts 1.5 s against
a p50 of 0.17 s). `settle_heap` moves what the process holds into the collector's permanent
generation (`gc.freeze`), which full collections skip; when a value replaces an older one it
first collects once, so the superseded values' reference cycles are freed.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from kg.store import Store


class StoreCache:
    """{store: {key: ((store version, version), value)}}, thread-safe; stores are held weakly."""

    def __init__(self) -> None:
        self._data: weakref.WeakKeyDictionary[Store, dict[Hashable, tuple[Any, Any]]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    @staticmethod
    def tag(store: Store, version: Any = None) -> tuple[Any, Any]:
        """What a value is kept under: the store's version (a query on a remote store) and
        the caller's `version`."""
        return getattr(store, "version", None), version

    def get(self, store: Store, key: Hashable, version: Any = None, *, tag: Any = None) -> Any:
        """The value put for `key` under the store's current version and `version` (or under
        `tag`, read before), else None."""
        tag = tag if tag is not None else self.tag(store, version)
        with self._lock:
            hit = self._data.get(store, {}).get(key)
        return hit[1] if hit is not None and hit[0] == tag else None

    def put(self, store: Store, key: Hashable, value: Any, version: Any = None, *,
            tag: Any = None) -> Any:
        """Remember `value` for `key` (dropping the store's values of other versions) and
        return it. Pass the `tag` read before computing the value when the store can be
        written meanwhile (by another process): the value is then never kept under a version
        newer than the graph it was computed from."""
        tag = tag if tag is not None else self.tag(store, version)
        with self._lock:
            kept = self._data.setdefault(store, {})
            stale = [k for k, (t, _) in kept.items() if t != tag]
            for old in stale:
                del kept[old]
            kept[key] = (tag, value)
        settle_heap(collect=bool(stale))
        return value

    def get_or_compute(self, store: Store, key: Hashable, compute: Callable[[], Any],
                       version: Any = None) -> Any:
        """The value for `key`, computed by `compute()` and kept when missing or stale; the
        store's version is read once, before computing."""
        tag = self.tag(store, version)
        value = self.get(store, key, tag=tag)
        if value is None:
            value = self.put(store, key, compute(), tag=tag)
        return value

    def forget(self, store: Store) -> None:
        """Drop every value of the store (after a write the version does not show)."""
        with self._lock:
            self._data.pop(store, None)


def settle_heap(collect: bool = False) -> None:
    """Keep the objects the process holds now out of the cyclic collector's full collections
    (`gc.freeze`; reference counting still frees them). `collect`: first return the frozen
    objects to the collector and collect once, so the cycles of values just dropped are freed
    (one pause, after a write, instead of one on every full collection)."""
    if collect:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
