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
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import Settings

log = logging.getLogger("a2p.api")


WORKERS_ENV = "A2P_SERVE_WORKERS"  # set by serve(); read in each worker process


class WorkerHeader:
    """Pure ASGI middleware: `X-A2P-Worker: <pid>` on every response, so an operator (and the
    scale-out test) can tell which of several worker processes answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.header = (b"x-a2p-worker", str(os.getpid()).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_worker(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), self.header]}
            await send(message)

        await self.app(scope, receive, send_with_worker)


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
