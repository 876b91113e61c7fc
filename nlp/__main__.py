"""nlp.__main__ — `python -m nlp extract|train|evaluate ...` (the same commands as `a2p`)."""

from __future__ import annotations

import typer

from nlp.cli import register

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Text mining of Red List narratives.")
register(app)

if __name__ == "__main__":
    app()
