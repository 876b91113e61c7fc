"""kg.cli — graph commands (ingest, query, stats, export, synth): parse, call, print."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kg.ingest import IngestError
from kg.store import QueryError, StoreError

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Store URL: oxigraph:PATH (default oxigraph:var/graph), memory: or "
        "sparql:URL[,UPDATE_URL]. Env: A2P_STORE.",
    ),
]


class OutFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class DumpFormat(StrEnum):
    nquads = "nquads"
    turtle = "turtle"


def fail(exc: Exception) -> None:
    """Print a clean error (never a stack trace) and exit non-zero."""
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(code=2)


def print_rows(rows: list[dict[str, object]], columns: list[str], fmt: OutFormat) -> None:
    if fmt is OutFormat.json:
        for r in rows:
            typer.echo(json.dumps(r, default=str, ensure_ascii=False))
        return
    if fmt is OutFormat.csv:
        w = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: "" if r.get(k) is None else r.get(k) for k in columns})
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns, show_lines=False)
    for r in rows:
        table.add_row(*("" if r.get(k) is None else str(r.get(k)) for k in columns))
    Console(width=max(120, sum(len(c) for c in columns) * 2)).print(table)


def ingest_cmd(
    sources: Annotated[
        list[Path],
        typer.Argument(help="Red List downloads (folders or .zip) or API v4 JSON files/folders."),
    ],
    store: StoreOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Ingest Red List exports into the graph, all or nothing."""
    from kg.load import ingest
    from kg.store import open_store

    try:
        with open_store(store) as st:
            rep = ingest(list(sources), st, progress=not quiet)
    except (IngestError, StoreError, OSError) as exc:
        fail(exc)
    typer.echo(
        f"ingested {rep.assessments} assessments of {rep.taxa} taxa: {rep.quads} quads in "
        f"{rep.seconds:.1f} s ({rep.quads_per_second:,.0f} quads/s)"
    )


def query_cmd(
    query: Annotated[
        str, typer.Argument(help="A library query name, a .rq file, or the query text.")
    ],
    store: StoreOpt = None,
    fmt: Annotated[OutFormat, typer.Option("--format", "-f")] = OutFormat.table,
    bind: Annotated[
        list[str] | None,
        typer.Option("--bind", "-b", help="NAME=VALUE (literal) or NAME=<IRI>; repeatable."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="A page of this many taxa (paged library queries).")
    ] = None,
    offset: Annotated[int, typer.Option(help="Taxa to skip before the page.")] = 0,
) -> None:
    """Run a SPARQL SELECT (by library name, file, or text) and print the rows."""
    from kg.query import run_any
    from kg.store import open_store

    try:
        with open_store(store, read_only=True) as st:
            rows = run_any(st, query, bind or [], limit=limit, offset=offset)
    except (QueryError, StoreError, KeyError, ValueError) as exc:
        fail(exc)
    print_rows(rows.values(), rows.vars, fmt)


def queries_cmd() -> None:
    """List the query library."""
    from kg.query import library

    for q in library().values():
        params = f"  [{', '.join('?' + p for p in q.params)}]" if q.params else ""
        paged = "  (paged: --limit/--offset)" if q.paged else ""
        typer.echo(f"{q.name:28} {q.title}{params}{paged}")


def stats_cmd(
    store: StoreOpt = None,
    fmt: Annotated[OutFormat, typer.Option("--format", "-f")] = OutFormat.table,
) -> None:
    """Counts of species, assessments, threat impacts, actions needed and places."""
    from kg.query import stats
    from kg.store import open_store

    try:
        with open_store(store, read_only=True) as st:
            counts = stats(st)
    except (StoreError, QueryError) as exc:
        fail(exc)
    if fmt is OutFormat.json:
        typer.echo(json.dumps(counts))
    else:
        print_rows([{"what": k, "count": v} for k, v in counts.items()], ["what", "count"], fmt)


def export_cmd(
    store: StoreOpt = None,
    fmt: Annotated[DumpFormat, typer.Option("--format", "-f")] = DumpFormat.nquads,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")
    ] = None,
) -> None:
    """Dump the whole graph (N-Quads keeps the named graphs; Turtle is the union)."""
    from kg.store import open_store

    try:
        with open_store(store, read_only=True) as st:
            if out is None:
                st.dump(sys.stdout.buffer, fmt.value)
            else:
                with open(out, "wb") as fh:
                    st.dump(fh, fmt.value)
    except (StoreError, OSError) as exc:
        fail(exc)


def validate_cmd(store: StoreOpt = None) -> None:
    """Check the graph against the SHACL shapes in ontology/shapes (pySHACL)."""
    from kg.store import open_store
    from kg.validate import validate

    try:
        with open_store(store, read_only=True) as st:
            report = validate(st)
    except StoreError as exc:
        fail(exc)
    if report.conforms:
        typer.echo("conforms: the graph satisfies every SHACL shape")
        return
    for v in report.results[:50]:
        typer.echo(f"{v.focus}  {v.path}  {v.message}")
    typer.echo(f"does not conform: {len(report.results)} violation(s)", err=True)
    raise typer.Exit(code=1)


def synth_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the download into.")],
    species: Annotated[int, typer.Option("--species", "-n", min=1)] = 300,
    seed: Annotated[int, typer.Option("--seed")] = 7,
) -> None:
    """Write a synthetic Red List download of fictional species."""
    from kg.synth import write_download

    counts = write_download(out, species=species, seed=seed, progress=True)
    typer.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_cmd)
    app.command("query")(query_cmd)
    app.command("queries")(queries_cmd)
    app.command("stats")(stats_cmd)
    app.command("export")(export_cmd)
    app.command("validate")(validate_cmd)
    app.command("synth")(synth_cmd)
