"""api.commands.enrich — `a2p enrich`: NLP suggestions from the graph's texts, into the graph."""

from __future__ import annotations

import typer

from kg.cli import StoreOpt, fail
from kg.store import QueryError, StoreError


def enrich_cmd(
    store: StoreOpt = None,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Extract actions, threats, places and ex situ roles from every latest assessment's
    narrative texts and add them as suggestions (own named graph per model version, PROV)."""
    from api.enrich import enrich
    from kg.store import open_store

    try:
        with open_store(store) as st:
            rep = enrich(st, progress=not quiet)
    except (StoreError, QueryError) as exc:
        fail(exc)
    typer.echo(f"{rep.mentions} suggestions from {rep.assessments} assessments in {rep.seconds:.1f} s")
    for graph, n in rep.graphs.items():
        typer.echo(f"  {n:>7}  {graph}")


def register(app: typer.Typer) -> None:
    app.command("enrich")(enrich_cmd)
