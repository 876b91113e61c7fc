"""nlp.train and nlp.evaluate on a small synthetic download (fictional species only)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nlp.train import TRAIN_CFG, TrainingDataError, train
from tests.nlp.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def synth_download(tmp_path_factory) -> Path:
    synth = pytest.importorskip("kg.synth")
    out = tmp_path_factory.mktemp("synth") / "download"
    synth.write_download(out, species=120, seed=5)
    return out


@pytest.fixture(scope="module")
def trained(synth_download: Path, tmp_path_factory) -> Path:
    cfg = tmp_path_factory.mktemp("cfg") / "train.cfg"
    cfg.write_text(
        TRAIN_CFG.read_text(encoding="utf-8").replace("iterations = 2", "iterations = 1"),
        encoding="utf-8",
    )
    out = tmp_path_factory.mktemp("models")
    return train("actions", [synth_download], out, seed=1, version="9.9.9", config_path=cfg, progress=False)


def test_train_writes_a_complete_model_folder(trained: Path) -> None:
    assert trained.name == "9.9.9" and trained.parent.name == "actions"
    assert {p.name for p in trained.iterdir()} == {
        "config.json",
        "weights.npz",
        "metrics.json",
        "MODEL_CARD.md",
    }
    card = (trained / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "SYNTHETIC demo download" in card and "Seed: 1" in card and "sha256" in card.lower()
    metrics = json.loads((trained / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics["validation"]["systems"]) == {"keyword", "zero-shot", "model"}
    config = json.loads((trained / "config.json").read_text(encoding="utf-8"))
    assert config["seed"] == 1 and set(config["thresholds"]) >= {"3.4", "2.2"}
    assert (trained / "weights.npz").stat().st_size < 5 * 1024 * 1024


def test_evaluate_reports_three_systems(trained: Path, synth_download: Path) -> None:
    from nlp.evaluate import evaluate, format_report

    res = evaluate("actions", synth_download, trained, split="test")
    assert res["n_assessments"] > 0
    for name in ("keyword", "zero-shot", "model"):
        for lvl in ("level1", "level2"):
            assert {"micro", "macro", "per_code", "n_assessments"} <= set(res["systems"][name][lvl])
    text = format_report(res)
    assert re.fullmatch(r"micro-F1 level-2: \d\.\d{3}", text.splitlines()[-1])


def test_cli_evaluate_json(trained: Path, synth_download: Path) -> None:
    from typer.testing import CliRunner

    from nlp.__main__ import app

    res = CliRunner().invoke(
        app,
        [
            "evaluate",
            "actions",
            str(synth_download),
            "--model-dir",
            str(trained),
            "--split",
            "test",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert obj["kind"] == "actions" and "model" in obj["systems"]
    bad = CliRunner().invoke(app, ["evaluate", "buckets", str(synth_download)])
    assert bad.exit_code != 0


def test_refuses_real_data_into_the_repository_models(tmp_path: Path) -> None:
    (tmp_path / "assessments.csv").write_text("assessmentId\n", encoding="utf-8")
    with pytest.raises(ValueError, match="refusing"):
        train("actions", [tmp_path], REPO_ROOT / "models", progress=False)


def test_too_little_data_is_a_clear_error(tmp_path: Path) -> None:
    synth = pytest.importorskip("kg.synth")
    synth.write_download(tmp_path / "tiny", species=2, seed=1)
    with pytest.raises(TrainingDataError):
        train("threats", [tmp_path / "tiny"], tmp_path / "out", progress=False)
