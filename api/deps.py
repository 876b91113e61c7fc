"""api.deps — dependencies injected into routes: the store and the services built on it.

`get_store` is the one to override in tests (`app.dependency_overrides[get_store]`); every
service (SPARQL engine, search index, tables) is derived from whatever store it returns, so
an override switches all of them at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from api.services.datasheet import SheetCache, static_species_json
from api.services.search import SearchIndex
from api.services.sheet_store import SheetStore
from api.services.sparql import Engine, make_engine
from api.services.suggest import BucketEngine, TextEngine
from api.services.tables import Tables
from api.settings import Settings
from kg.store import Store


@dataclass
class StoreServices:
    """Everything the service keeps per store; built on first use, closed at shutdown."""

    store: Store
    settings: Settings
    sparql: Engine
    search: SearchIndex
    tables: Tables
    sheets: SheetCache
    sheet_store: SheetStore

    def changed(self, annotations_only: bool = False) -> None:
        """The store was written through the service: drop what depends on its content.

        `annotations_only`: only comments or feedback were written, which the precomputed
        datasheets leave out (they are looked up per request), so those stay.
        """
        self.sparql.invalidate()
        self.sheets.clear()
        if not annotations_only:
            self.sheet_store.invalidate()

    def content_changed(self) -> None:
        """Assessments may have changed (SPARQL Update): rebuild the tables and the index."""
        self.changed()
        self.tables.invalidate()
        self.search.invalidate()

    def close(self) -> None:
        self.search.close()
        self.sparql.close()
        self.sheet_store.close()


@dataclass
class Registry:
    settings: Settings
    text: TextEngine
    buckets: BucketEngine = field(default_factory=BucketEngine)
    store: Store | None = None  # the store opened by the lifespan (None when overridden)
    by_store: dict[int, StoreServices] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def services(self, store: Store) -> StoreServices:
        s = self.by_store.get(id(store))
        if s is not None and s.store is store:
            return s
        with self.lock:
            s = self.by_store.get(id(store))
            if s is None or s.store is not store:
                def buckets(n_species: int) -> tuple[dict[str, list[str]], str] | None:
                    return _bucket_table(store, n_species)

                s = StoreServices(
                    store=store,
                    settings=self.settings,
                    sparql=make_engine(store, self.settings),
                    search=SearchIndex(
                        store,
                        folder=self.settings.index_dir,
                        semantic_enabled=self.settings.semantic_search,
                        semantic_max_docs=self.settings.semantic_max_docs,
                    ),
                    tables=Tables(
                        store,
                        ttl=self.settings.cache_seconds,
                        buckets=buckets,
                        folder=self.settings.index_dir,
                    ),
                    sheets=SheetCache(store, self.settings.sheet_cache_entries),
                    sheet_store=SheetStore(store, static_species_json,
                                           folder=self.settings.index_dir,
                                           enabled=self.settings.sheet_store),
                )
                self.by_store[id(store)] = s
        return s

    def close(self) -> None:
        for s in self.by_store.values():
            s.close()
        self.by_store.clear()
        self.text.close()  # its extraction processes


PLANNING_BUCKETS_MAX_SPECIES = 20_000


def _bucket_table(store: Store, n_species: int) -> tuple[dict[str, list[str]], str] | None:
    """Suggested planning buckets per taxon id, and where they come from.

    Buckets stored in the graph (written by the planning commands) are used first; otherwise,
    for graphs up to PLANNING_BUCKETS_MAX_SPECIES species, the planning module computes them.
    """
    from api.services import planning_link, queries

    stored: dict[str, set[str]] = {}
    for r in queries.values(store, "stored_buckets"):
        stored.setdefault(str(r["assessment"]), set()).add(str(r["bucket"]))
    if stored:
        return {a: sorted(b) for a, b in stored.items()}, "graph"
    all_buckets = planning_link.function("all_buckets")
    if all_buckets is None or n_species > PLANNING_BUCKETS_MAX_SPECIES:
        return None
    out: dict[str, set[str]] = {}
    for rec in all_buckets(store, include_complete=True):
        if getattr(rec, "recommended", False):
            out.setdefault(str(rec.taxon_id), set()).add(str(rec.bucket))
    return {t: sorted(b) for t, b in out.items()}, "planning"


def get_registry(request: Request) -> Registry:
    reg: Registry = request.app.state.registry
    return reg


# The dependencies below are `async def` although they do not await (except to build a
# store's services the first time): FastAPI runs a plain `def` dependency in a worker thread,
# and the dozen thread hops per request cost more than a cached datasheet.


async def get_settings_dep(request: Request) -> Settings:
    return get_registry(request).settings


async def get_store(request: Request) -> Store:
    """The store opened at start-up (override this in tests)."""
    reg = get_registry(request)
    if reg.store is None:
        raise RuntimeError("no store: the application was not started through its lifespan")
    return reg.store


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_services(request: Request, store: StoreDep) -> StoreServices:
    reg = get_registry(request)
    ready = reg.by_store.get(id(store))
    if ready is not None and ready.store is store:
        return ready
    return await run_in_threadpool(reg.services, store)  # first use: opens query processes


async def get_text_engine(request: Request) -> TextEngine:
    return get_registry(request).text


async def get_bucket_engine(request: Request) -> BucketEngine:
    return get_registry(request).buckets


ServicesDep = Annotated[StoreServices, Depends(get_services)]
TextEngineDep = Annotated[TextEngine, Depends(get_text_engine)]
BucketEngineDep = Annotated[BucketEngine, Depends(get_bucket_engine)]
