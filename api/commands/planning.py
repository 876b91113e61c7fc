"""api.commands.planning — planning commands: buckets, coaffected, clusters, scores, evaluate-planning.

Each command parses its arguments, calls one function of api.services.planning and prints.
`register(app)` adds them to the root `a2p` Typer app.
"""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from kg.cli import OutFormat, StoreOpt, fail, print_rows

WriteOpt = Annotated[
    bool,
    typer.Option("--write", help="Also write the results to the graph as a2p:Suggestion nodes (own named graph)."),
]
FmtOpt = Annotated[OutFormat, typer.Option("--format", "-f")]


class Kind(StrEnum):
    buckets = "buckets"
    coaffected = "coaffected"


class PlaceKind(StrEnum):
    country = "country"
    site = "site"
    waterbody = "waterbody"
    lme = "lme"
    subnational = "subnational"
    any = "any"


def _open(url: str | None, write: bool) -> Any:
    """A store, read-only unless writing; graph/planning/keys is computed first when missing."""
    from kg.planning.keys import has_keys
    from kg.store import open_store

    st = open_store(url, read_only=not write)
    if not write and not has_keys(st):
        st.close()
        from api.services.planning import refresh_keys

        with open_store(url) as rw:
            typer.echo("computing threat x place keys (graph/planning/keys)...", err=True)
            refresh_keys(rw)
        st = open_store(url, read_only=True)
    return st


def _errors() -> tuple[type[Exception], ...]:
    from api.services.planning import NotFound
    from kg.store import QueryError, StoreError

    return (StoreError, QueryError, NotFound, FileNotFoundError, ValueError)


def buckets_cmd(
    store: StoreOpt = None,
    species: Annotated[
        str | None,
        typer.Option("--species", help="SIS taxon id (default: every assessment with an empty conservation section)."),
    ] = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="Model folder (default: newest under models/buckets).")
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Show every bucket, not only the recommended ones.")] = False,
    fmt: FmtOpt = OutFormat.table,
    write: WriteOpt = False,
) -> None:
    """Recommend CPSG planning buckets, with probabilities and reasons."""
    from api.services import planning as svc

    try:
        with _open(store, write) as st:
            recs = svc.buckets_for(st, species, model) if species else svc.all_buckets(st, model)
            if write:
                n = svc.write_buckets(st, recs)
                typer.echo(f"wrote {n} quads of suggestions", err=True)
    except _errors() as exc:
        fail(exc)
    rows: list[dict[str, object]] = [
        {
            "taxon": r.taxon_id,
            "species": r.scientific_name,
            "bucket": r.bucket,
            "probability": f"{r.probability:.2f}",
            "recommended": "yes" if r.recommended else "no",
            "ex situ roles": ", ".join(r.exsitu_roles),
            "reasons": " | ".join(r.reasons[:4]) if fmt is OutFormat.table else " | ".join(r.reasons),
        }
        for r in recs
        if show_all or r.recommended
    ]
    if fmt is OutFormat.json:
        for r in recs:
            if show_all or r.recommended:
                typer.echo(r.model_dump_json())
        return
    print_rows(rows, ["taxon", "species", "bucket", "probability", "recommended", "ex situ roles", "reasons"], fmt)


def coaffected_cmd(
    taxon: Annotated[str, typer.Argument(help="SIS taxon id of the focal species.")],
    store: StoreOpt = None,
    k: Annotated[int, typer.Option("--k", min=1, max=1000)] = 10,
    fmt: FmtOpt = OutFormat.table,
    write: WriteOpt = False,
) -> None:
    """Species affected by the threats to a focal species, in the same places, best first."""
    from api.services import planning as svc

    try:
        with _open(store, write) as st:
            res = svc.coaffected_for(st, taxon, k)
            if write:
                n = svc.write_coaffected(st, taxon, res)
                typer.echo(f"wrote {n} quads of suggestions", err=True)
    except _errors() as exc:
        fail(exc)
    if fmt is OutFormat.json:
        for r in res:
            typer.echo(r.model_dump_json())
        return
    rows: list[dict[str, object]] = [
        {
            "rank": i,
            "taxon": r.taxon_id,
            "species": r.name,
            "category": r.category,
            "score": f"{r.score:.3f}",
            "shared threats": ", ".join(r.shared_threats),
            "shared places": ", ".join(r.shared_places),
            "basis": r.basis,
        }
        for i, r in enumerate(res, 1)
    ]
    print_rows(rows, ["rank", "taxon", "species", "category", "score", "shared threats", "shared places", "basis"], fmt)


def write_clusters_file(report: Any, out: Path) -> None:
    """CSV (one row per cluster member, single-species candidates last) or JSON (the report)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".json":
        out.write_text(report.model_dump_json(indent=1), encoding="utf-8")
        return
    if out.suffix.lower() != ".csv":
        raise ValueError(f"{out}: write .csv or .json")
    cols = [
        "cluster",
        "title",
        "bucket",
        "cohesion",
        "size",
        "shared threats",
        "places",
        "habitats",
        "actions needed",
        "taxon",
        "species",
        "category",
    ]
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for c in report.clusters:
            places = "; ".join(f"{c.place_names.get(p, p)}" for p in c.places)
            threats = "; ".join(f"{t} {c.threat_labels.get(t, '')}".strip() for t in c.threats)
            for s in c.species:
                w.writerow(
                    [
                        c.id,
                        c.title,
                        c.bucket,
                        f"{c.cohesion:.3f}",
                        c.size,
                        threats,
                        places,
                        "; ".join(c.habitats),
                        "; ".join(c.actions_needed),
                        s.taxon_id,
                        s.name,
                        s.category,
                    ]
                )
        for s in report.singletons:
            w.writerow(
                [
                    "single-species",
                    "in no cluster: single-species planning candidate",
                    "single_species",
                    "",
                    1,
                    "",
                    "",
                    "",
                    "",
                    s.taxon_id,
                    s.name,
                    s.category,
                ]
            )


def clusters_cmd(
    store: StoreOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the clusters to FILE.csv or FILE.json.")
    ] = None,
    min_size: Annotated[int, typer.Option("--min-size", min=2)] = 3,
    compare: Annotated[bool, typer.Option("--compare", help="Also compare with grouping by genus or family.")] = False,
    picture: Annotated[
        Path | None, typer.Option("--picture", help="Draw the cluster overlap heatmap to FILE.png (matplotlib).")
    ] = None,
    write: WriteOpt = False,
) -> None:
    """Group threatened species into planning clusters by shared threat x place x habitat."""
    from api.services import planning as svc

    try:
        with _open(store, write) as st:
            report = svc.list_clusters(st, min_size)
            if write:
                n = svc.write_clusters(st, report)
                typer.echo(f"wrote {n} quads of suggestions", err=True)
            comparison = None
            if compare:
                from kg.planning.graphdata import load_profiles

                prof = load_profiles(
                    st, threatened_only=True, threats_from="keys", places_from="keys", assessment_attrs=False
                )
                comparison = svc.compare_clusters(prof, report, min_size)
        if out:
            write_clusters_file(report, out)
        if picture:
            svc.cluster_overlap_png(report, picture)
    except (*_errors(), ImportError) as exc:  # type: ignore[misc]
        fail(exc)
    typer.echo(
        f"{len(report.clusters)} clusters cover {report.coverage:.0%} of {report.threatened} threatened species "
        f"(size-weighted cohesion {report.mean_cohesion:.2f}); {len(report.singletons)} single-species candidates"
        + (f"; written to {out}" if out else "")
    )
    rows: list[dict[str, object]] = [
        {"cluster": c.id, "size": c.size, "bucket": c.bucket, "cohesion": f"{c.cohesion:.2f}", "title": c.title}
        for c in report.clusters[:25]
    ]
    print_rows(rows, ["cluster", "size", "bucket", "cohesion", "title"], OutFormat.table)
    if comparison:
        print_rows(comparison, list(comparison[0]), OutFormat.table)


def scores_cmd(
    store: StoreOpt = None,
    place: Annotated[PlaceKind, typer.Option("--place", help="Place type scored.")] = PlaceKind.country,
    top: Annotated[int, typer.Option("--top", min=1)] = 30,
    fmt: FmtOpt = OutFormat.table,
    write: WriteOpt = False,
) -> None:
    """Threat-abatement scores per threat x place (STAR method, with its approximations)."""
    from api.services import planning as svc

    try:
        with _open(store, write) as st:
            scores = svc.threat_scores_for(st, place.value)
            if write:
                n = svc.write_scores(st, scores)
                typer.echo(f"wrote {n} quads of suggestions", err=True)
    except _errors() as exc:
        fail(exc)
    if fmt is OutFormat.json:
        for s in scores[:top]:
            typer.echo(s.model_dump_json())
        return
    rows: list[dict[str, object]] = [
        {
            "threat": f"{s.threat} {s.threat_label}".strip(),
            "place": s.place_name or s.place,
            "score": f"{s.score:,.1f}",
            "species": s.species_count,
            "approximation": s.approximation,
        }
        for s in scores[:top]
    ]
    print_rows(rows, ["threat", "place", "score", "species", "approximation"], fmt)


def planning_keys_cmd(
    store: StoreOpt = None,
    no_text: Annotated[
        bool, typer.Option("--no-text", help="Coded places only (no places read from range texts).")
    ] = False,
) -> None:
    """(Re)compute the threat x place keys (graph/planning/keys)."""
    from api.services.planning import refresh_keys
    from kg.store import open_store

    try:
        with open_store(store) as st:
            n = refresh_keys(st, use_text=not no_text)
    except _errors() as exc:
        fail(exc)
    typer.echo(f"wrote {n} quads to graph/planning/keys")


def _print_bucket_eval(name: str, m: dict[str, Any]) -> None:
    from kg.planning.models import BUCKETS

    typer.echo(f"\n{name}: {m['rule']} ({m['train']} train, {m['test']} test; features: {m.get('features', '')})")
    rows: list[dict[str, object]] = [
        {
            "bucket": b,
            "model macro-F1": f"{m['model'][b]['macro_f1']:.3f}",
            "majority": f"{m['majority'][b]['macro_f1']:.3f}",
            "rules only": f"{m['rules'][b]['macro_f1']:.3f}",
            "support": f"{m['model'][b]['support']}/{m['model'][b]['n']}",
        }
        for b in BUCKETS
    ]
    rows.append(
        {
            "bucket": "mean",
            "model macro-F1": f"{m['model']['mean_macro_f1']:.3f}",
            "majority": f"{m['majority']['mean_macro_f1']:.3f}",
            "rules only": f"{m['rules']['mean_macro_f1']:.3f}",
            "support": "",
        }
    )
    print_rows(rows, list(rows[0]), OutFormat.table)


def evaluate_planning_cmd(
    kind: Annotated[Kind, typer.Argument(help="buckets or coaffected")],
    export_dir: Annotated[
        Path,
        typer.Argument(
            help="A Red List download, the primates or target-2021 folder, or ../shared/data (all of them)."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    no_embed: Annotated[bool, typer.Option("--no-embed", help="No sentence embeddings (faster).")] = False,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    max_focal: Annotated[int, typer.Option("--max-focal", help="Co-affected: focal species sampled.")] = 500,
) -> None:
    """Held-out evaluation: buckets (hide the conservation section) or co-affected (mask threats)."""
    from api.services import planning as svc
    from kg.ingest import IngestError
    from kg.planning import sources

    try:
        figures: dict[str, Any]
        d = export_dir
        if kind is Kind.buckets:
            from nlp import buckets as nb

            if (d / "coded-species-target-2021").is_dir():
                figures = nb.evaluate_real(d, embed=not no_embed, seed=seed)
            else:
                profiles = _profiles_of(d)
                embedder = None
                if not no_embed:
                    from nlp.embed import shared_embedder

                    embedder = shared_embedder()
                t3 = sources.target3(d) if (d / "target3_eligible.csv").is_file() else {}
                from kg.planning.labels import LabelContext

                ctx = LabelContext.from_profiles(profiles, target3=t3)
                figures = {}
                for how in ("species", "time"):
                    try:
                        figures[f"{d.name} ({how} split)"] = nb.evaluate(
                            profiles, ctx, how=how, seed=seed, embedder=embedder
                        )
                    except ValueError as exc:
                        figures[f"{d.name} ({how} split)"] = {"error": str(exc)}
        else:
            if (d / "redlist-export-pacific-marine-2019").is_dir():
                d = d / "redlist-export-pacific-marine-2019"
            profiles = _profiles_of(d)
            figures = {d.name: svc.evaluate_coaffected(profiles, max_focal=max_focal)}
    except (IngestError, OSError, ValueError) as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(figures, indent=1))
        return
    for name, m in figures.items():
        if kind is Kind.buckets:
            if "model" in m:
                _print_bucket_eval(name, m)
            else:
                typer.echo(f"\n{name}: {m.get('error', m)}")
        else:
            rows = [{"method": meth, **r} for meth, r in m.items()]
            typer.echo(f"\n{name}: co-affected species, threats masked")
            print_rows(rows, list(rows[0]), OutFormat.table)


def _profiles_of(d: Path) -> list[Any]:
    from kg.planning import sources
    from kg.planning.profile import profiles_from_bundle

    if (d / "target3_eligible.csv").is_file():
        return sources.target2021_profiles(d, sources.sibling_taxonomy(d))
    if (d / "threats_level2_2021.csv").is_file():
        return profiles_from_bundle(sources.primates_bundle(d))
    return sources.export_profiles(d)


def register(app: typer.Typer) -> None:
    """Add the planning commands to a Typer app."""
    app.command("buckets")(buckets_cmd)
    app.command("coaffected")(coaffected_cmd)
    app.command("clusters")(clusters_cmd)
    app.command("scores")(scores_cmd)
    app.command("planning-keys")(planning_keys_cmd)
    app.command("evaluate-planning")(evaluate_planning_cmd)


if __name__ == "__main__":  # pragma: no cover - `python -m api.commands.planning` until wired into api.cli
    _app = typer.Typer(no_args_is_help=True, add_completion=False)
    register(_app)
    _app(sys.argv[1:])
