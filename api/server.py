"""api.server — run the service with uvicorn: serve(store_url, host, port, workers, token).

One process (the default) opens the store read-write: /feedback, /comments and SPARQL Update
(with the token) write to it. With --workers N > 1 on an oxigraph: store, every worker opens
the store READ-ONLY (RocksDB allows one writer per store), so the write endpoints answer 403;
use one worker for writes, or a sparql: store (a SPARQL server such as Fuseki or Oxigraph
server) that every worker can write through.
"""

from __future__ import annotations

import logging
import os

import uvicorn
from fastapi import FastAPI

from api.settings import Settings

log = logging.getLogger("a2p.api")


def factory() -> FastAPI:
    """App factory for uvicorn workers (settings from the A2P_* environment)."""
    from api.main import create_app

    return create_app(Settings())


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
    if workers > 1:
        uvicorn.run("api.server:factory", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, proxy_headers=False)
    else:
        uvicorn.run(factory(), host=host, port=port, log_level=log_level, proxy_headers=False)
