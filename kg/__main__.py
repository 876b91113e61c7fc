"""python -m kg — the graph commands alone."""

import typer

from kg.cli import register

app = typer.Typer(no_args_is_help=True, add_completion=False)
register(app)

if __name__ == "__main__":
    app()
