"""Values computed from a store, kept until the store's generation changes.

An Oxigraph store switches generation on every batch write (an ingest, a service write), so a
value remembered under one generation is never served after the graph changed. A caller whose
store can change without a new generation (a SPARQL Update bumps the service's content epoch)
passes that as `version`. Putting a value drops the store's values of other generations and
versions, so superseded results do not pile up in memory.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Hashable
from typing import Any

from kg.store import Store


class StoreCache:
    """{store: {key: ((generation, version), value)}}, thread-safe; stores are held weakly."""

    def __init__(self) -> None:
        self._data: weakref.WeakKeyDictionary[Store, dict[Hashable, tuple[Any, Any]]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    @staticmethod
    def _tag(store: Store, version: Any) -> tuple[Any, Any]:
        return getattr(store, "generation", None), version

    def get(self, store: Store, key: Hashable, version: Any = None) -> Any:
        """The value put for `key` in the store's current generation and `version`, else None."""
        with self._lock:
            hit = self._data.get(store, {}).get(key)
        return hit[1] if hit is not None and hit[0] == self._tag(store, version) else None

    def put(self, store: Store, key: Hashable, value: Any, version: Any = None) -> Any:
        """Remember `value` for `key` (dropping the store's values of other generations or
        versions) and return it."""
        tag = self._tag(store, version)
        with self._lock:
            kept = self._data.setdefault(store, {})
            for old in [k for k, (t, _) in kept.items() if t != tag]:
                del kept[old]
            kept[key] = (tag, value)
        return value

    def forget(self, store: Store) -> None:
        """Drop every value of the store (after a write the generation does not show)."""
        with self._lock:
            self._data.pop(store, None)
