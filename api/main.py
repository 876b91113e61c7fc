"""api.main — the FastAPI application: create_app(settings) and its lifespan.

The lifespan opens the store once (one writer per process), then warms up in background
threads what is slow to build: the search index, the whole-graph tables and the nlp
pipeline. When a test overrides `deps.get_store`, the lifespan uses that store instead.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api import errors, openapi
from api.deps import Registry, get_store
from api.middleware import BodyLimit, SecurityHeaders
from api.routes import links, pages, planning, resources, search, sparql, suggest, tables
from api.services import planning_link
from api.services.suggest import COAFFECTED_INDEX, BucketEngine, TextEngine, limit_compute_threads
from api.settings import Settings, get_settings
from api.writes import WRITE_PATHS, RateLimiter
from kg.store import open_store

log = logging.getLogger("a2p.api")
STATIC = Path(__file__).resolve().parent / "static"

DESCRIPTION = """
**assess2plan** carries IUCN Red List assessments into conservation planning.

* `/sparql` — SPARQL 1.1 Protocol endpoint (read-only; updates need the write token).
* `/suggest`, `/feedback` — suggestions and consistency checks for assessors.
* `/species/{id}`, `/assessments/{id}` — datasheets (HTML, JSON, JSON-LD, Turtle).
* `/review-table`, `/stats`, `/search`, `/comments`, `/clusters`, `/coaffected/{id}`,
  `/buckets/{id}` — for planners.

Every error is a JSON *problem* (`status`, `title`, `detail`, `errors`); limits are set by
`A2P_*` environment variables (see `/docs` of the project: docs/api.md).
"""

TAGS = [
    {"name": "sparql", "description": "SPARQL 1.1 Protocol endpoint."},
    {"name": "assessors", "description": "Suggestions, consistency checks and feedback."},
    {"name": "resources", "description": "Species and assessment datasheets, comments."},
    {"name": "planners", "description": "Review table, stats, search, map, clusters."},
    {"name": "service", "description": "Health and the query library."},
]


def _warm_up(registry: Registry, store: object, settings: Settings) -> None:
    """Build the slow parts in the background so first requests are fast."""
    services = registry.services(store)  # type: ignore[arg-type]
    services.search.start(background=True)
    services.sheet_store.start()

    def tables() -> None:
        try:
            services.tables.load(None)
        except Exception:  # noqa: BLE001 - logged; requests will retry
            log.exception("preloading the review table failed")

    threading.Thread(target=tables, name="a2p-tables", daemon=True).start()

    def models() -> None:
        # one after the other: the bucket model embeds the extraction's units with the
        # extraction's encoder, so it loads the nlp pipeline the text engine has just loaded
        if settings.use_nlp:
            registry.text.warm_up()
        registry.buckets.warm_up(store)

    threading.Thread(target=models, name="a2p-models", daemon=True).start()
    COAFFECTED_INDEX.get(store)  # type: ignore[arg-type]  # starts the planning index build


def _planning_keys(store: object, settings: Settings) -> None:
    """Let the planning module write its derived keys now, before any request is served.

    It computes them on first use otherwise, and that batch write switches the Oxigraph
    generation under requests running in other threads.
    """
    ensure = planning_link.function("ensure_keys")
    if ensure is None or settings.read_only:
        return
    try:
        ensure(store)
    except Exception:  # noqa: BLE001 - planning falls back to coded places without keys
        log.exception("planning keys could not be computed")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application; `settings` default to the environment (A2P_*)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        registry = Registry(
            settings=settings,
            text=TextEngine(enabled=settings.use_nlp, max_batch=settings.suggest_batch,
                            workers=settings.suggest_workers, processes=settings.nlp_processes),
            buckets=BucketEngine(max_batch=settings.suggest_batch),
        )
        app.state.registry = registry
        override = app.dependency_overrides.get(get_store)
        opened = None
        if override is not None:
            store = override()
        else:
            opened = store = open_store(settings.store, read_only=settings.read_only)
            registry.store = store
        limit_compute_threads(settings.torch_threads)
        await run_in_threadpool(_planning_keys, store, settings)
        if settings.warm_up:
            _warm_up(registry, store, settings)
        try:
            yield
        finally:
            registry.close()
            if opened is not None:
                opened.close()

    app = FastAPI(
        title="assess2plan",
        version="0.1.0",
        summary="IUCN Red List assessments → conservation planning: SPARQL, suggestions, "
        "datasheets and planning tables.",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    errors.install(app)
    openapi.install(app)
    app.state.write_limiter = RateLimiter(settings.write_rate_per_minute, settings.write_burst)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes,
                       path_limits=dict.fromkeys(WRITE_PATHS, settings.max_write_body_bytes))
    app.add_middleware(SecurityHeaders)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    planning.install_routes()
    for module in (sparql, suggest, resources, tables, search, planning, links, pages):
        app.include_router(module.router)
    return app
