"""Fixtures of the nlp tests: the repository on sys.path, the shared data folder, the pipeline."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
MODELS = REPO_ROOT / "models"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"needs the shared Red List data at {SHARED_DATA} (not part of a fresh clone)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def model_root() -> Path:
    for kind in ("actions", "threats"):
        if not any((MODELS / kind).glob("*/config.json")):
            pytest.skip(f"no committed {kind} model under {MODELS} (run `python -m nlp train {kind} ...`)")
    return MODELS


@pytest.fixture(scope="session")
def extractor(model_root: Path):
    """The full pipeline with the committed models; loads the encoder once per session."""
    from nlp.pipeline import get_extractor

    ex = get_extractor(str(model_root))
    ex.model_ids()  # load both models now
    return ex
