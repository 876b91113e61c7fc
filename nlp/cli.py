"""nlp.cli — text-mining commands (extract, train, evaluate); parse, call one function, print.

`register(app)` adds the commands to a Typer app (the root `a2p` CLI, or the local app of
`python -m nlp`).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["Kind", "register"]


class Kind(StrEnum):
    actions = "actions"
    threats = "threats"


class Split(StrEnum):
    all = "all"
    train = "train"
    val = "val"
    test = "test"


ModelDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--model-dir",
        help="A model folder or a root with <kind>/<version>/ (default $A2P_MODEL_DIR or models/).",
    ),
]


def _fail(exc: BaseException) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(code=2)


def extract_cmd(
    source: Annotated[
        str,
        typer.Argument(help="A text file, '-' for stdin, or a Red List download / API v4 JSON."),
    ] = "-",
    field: Annotated[
        str,
        typer.Option(
            "--field",
            help="Narrative field of a text file or stdin (e.g. threats); '' = free text.",
        ),
    ] = "",
    model_dir: ModelDirOpt = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar for downloads.")] = False,
) -> None:
    """Print the mentions (codes with evidence) found in narrative text, as JSON Lines."""
    from nlp.model import ModelNotFoundError
    from nlp.pipeline import extract_source

    try:
        for m in extract_source(source, field, model_dir=model_dir, progress=progress):
            typer.echo(json.dumps(m.model_dump(), ensure_ascii=False))
    except (
        ValueError,
        OSError,
        ModelNotFoundError,
    ) as exc:  # InputTooLargeError, IngestError are ValueErrors
        _fail(exc)


def train_cmd(
    kind: Annotated[Kind, typer.Argument(help="What to train.")],
    data: Annotated[
        list[Path],
        typer.Option(
            "--data",
            help="Red List downloads, narrative CSVs, coded tables or their folders (repeatable).",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Root to write <kind>/<version>/ into (default: $A2P_MODEL_DIR or models/).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    version: Annotated[str | None, typer.Option("--version", help="Model version (default from the config).")] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Training settings (default nlp/configs/train.cfg)."),
    ] = None,
    allow_real_data_in_repo: Annotated[
        bool,
        typer.Option(
            "--allow-real-data-in-repo",
            help="Write a model trained on non-synthetic data into the repository's models/.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Train the action or threat mapper; writes the model, metrics.json and MODEL_CARD.md."""
    from nlp.model import default_model_root
    from nlp.train import train

    try:
        path = train(
            kind.value,
            list(data),
            out or default_model_root(),
            seed,
            version=version,
            config_path=config,
            progress=not quiet,
            allow_real_data_in_repo=allow_real_data_in_repo,
        )
    except (ValueError, OSError) as exc:
        _fail(exc)
    typer.echo(f"wrote {path}")


def evaluate_cmd(
    kind: Annotated[Kind, typer.Argument(help="What to evaluate.")],
    export_dir: Annotated[Path, typer.Argument(help="A Red List download (or a folder of sources) with coded tables.")],
    model_dir: ModelDirOpt = None,
    split: Annotated[
        Split,
        typer.Option("--split", help="Only the species of this split of the fixed species split."),
    ] = Split.all,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    per_code: Annotated[
        bool, typer.Option("--per-code/--no-per-code", help="Per-code table in the plain output.")
    ] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = True,
) -> None:
    """Compare codes extracted from the narrative text with the coded tables (with baselines)."""
    from nlp.evaluate import evaluate, format_report
    from nlp.model import ModelNotFoundError

    try:
        result = evaluate(kind.value, export_dir, model_dir, split=split.value, progress=not quiet)
    except (ValueError, OSError, ModelNotFoundError) as exc:
        _fail(exc)
    typer.echo(json.dumps(result, ensure_ascii=False) if as_json else format_report(result, per_code=per_code))


def register(app: typer.Typer) -> None:
    """Add `extract`, `train` and `evaluate` to a Typer app."""
    app.command("extract")(extract_cmd)
    app.command("train")(train_cmd)
    app.command("evaluate")(evaluate_cmd)
