"""api.commands.serve — `a2p serve`: start the HTTP service on a store."""

from __future__ import annotations

from typing import Annotated

import typer


def serve_cmd(
    store: Annotated[
        str | None,
        typer.Option("--store", help="Store URL (default: $A2P_STORE or oxigraph:var/graph)."),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, help="Worker processes. More than one on an oxigraph "
                     "store opens it read-only (writes are refused); on a sparql: store every "
                     "worker reads and writes the server."),
    ] = 1,
    token: Annotated[
        str | None,
        typer.Option("--token", help="Write token for SPARQL Update, /feedback and /comments "
                     "(default: $A2P_WRITE_TOKEN).",
                     envvar="A2P_WRITE_TOKEN"),
    ] = None,
    read_only: Annotated[bool, typer.Option("--read-only", help="Refuse every write.")] = False,
) -> None:
    """Serve the SPARQL endpoint, the suggestion API and the web pages."""
    from api.server import serve

    typer.echo(f"assess2plan on http://{host}:{port}/  (API docs: /docs, SPARQL: /sparql)")
    serve(store, host, port, workers, token, read_only)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)
