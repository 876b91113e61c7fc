"""api.cli — the `a2p` command: every package's commands plus demo and serve."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.commands import enrich as enrich_commands
from api.commands import links as links_commands
from api.commands import planning as planning_commands
from api.commands import serve as serve_commands
from kg.cli import OutFormat, StoreOpt, fail, print_rows
from kg.cli import register as register_kg
from nlp.cli import register as register_nlp

app = typer.Typer(
    name="a2p",
    help="assess2plan: from IUCN Red List assessment to conservation planning.",
    no_args_is_help=True,
    add_completion=False,
)
register_kg(app)
register_nlp(app)
enrich_commands.register(app)
links_commands.register(app)
planning_commands.register(app)
serve_commands.register(app)


@app.command("demo")
def demo_cmd(
    store: StoreOpt = None,
    data: Annotated[Path, typer.Option("--data", help="Where the synthetic download is written.")] = Path(
        "var/demo-download"
    ),
    species: Annotated[int, typer.Option("--species")] = 300,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Stop after ingest and print the stats.")] = False,
) -> None:
    """Build the demo graph (synthetic, fictional species) and serve it: web page, API, SPARQL."""
    from api.demo import run_demo
    from kg.ingest import IngestError
    from kg.store import StoreError

    url = store or "oxigraph:var/demo-graph"
    try:
        counts = run_demo(url, data, species)
    except (IngestError, StoreError) as exc:
        fail(exc)
    print_rows([{"what": k, "count": v} for k, v in counts.items()], ["what", "count"], OutFormat.table)
    if no_serve:
        return
    from api.server import serve

    typer.echo(f"demo graph served on http://{host}:{port}/  (API docs: /docs, SPARQL: /sparql); Ctrl-C stops")
    serve(url, host, port)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
