"""api.server — run the service with uvicorn: serve(store_url, host, port, workers, token).

One process (the default) opens the store read-write: /feedback, /comments and SPARQL Update
(with the token) write to it. With --workers N > 1 on an oxigraph: store, every worker opens
the store READ-ONLY (RocksDB allows one writer per store), so the write endpoints answer 403;
use one worker for writes, or a sparql: store (a SPARQL server such as Virtuoso, Fuseki or
Oxigraph server) that every worker can write through. With several workers every response
names the worker process that answered (`X-A2P-Worker: <pid>`).
"""

from __future__ import annotations

import logging
import os

import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

from api.middleware import SecurityHeaders
from api.settings import Settings

log = logging.getLogger("a2p.api")


WORKERS_ENV = "A2P_SERVE_WORKERS"  # set by serve(); read in each worker process


class WorkerHeader(SecurityHeaders):
    """`X-A2P-Worker: <pid>` on every response (added the way SecurityHeaders adds its own),
    so an operator, and the scale-out test, can tell which worker process answered."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.HEADERS = [(b"x-a2p-worker", str(os.getpid()).encode())]


def factory() -> FastAPI:
    """App factory for uvicorn workers (settings from the A2P_* environment)."""
    from api.main import create_app

    app = create_app(Settings())
    if int(os.environ.get(WORKERS_ENV, "1")) > 1:
        app.add_middleware(WorkerHeader)
    return app


def serve(
    store_url: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    token: str | None = None,
    read_only: bool = False,
    log_level: str = "info",
) -> None:
    """Start the HTTP server (blocks until interrupted)."""
    if store_url:
        os.environ["A2P_STORE"] = store_url
    if token:
        os.environ["A2P_WRITE_TOKEN"] = token
    store = os.environ.get("A2P_STORE", "oxigraph:var/graph")
    if workers > 1 and store.startswith("oxigraph:"):
        read_only = True
        log.warning(
            "%d workers on an oxigraph store: each opens it read-only; /feedback, /comments "
            "and SPARQL Update are refused (use one worker, or a sparql: store, for writes)",
            workers,
        )
    if read_only:
        os.environ["A2P_READ_ONLY"] = "true"
    os.environ[WORKERS_ENV] = str(workers)
    if workers > 1:
        uvicorn.run("api.server:factory", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, proxy_headers=False)
    else:
        uvicorn.run(factory(), host=host, port=port, log_level=log_level, proxy_headers=False)
