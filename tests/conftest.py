"""Shared fixtures: stores over every embedded backend, the shared-data location."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"


def shared(*parts: str) -> Path:
    """A path under ../shared/data, skipping the test cleanly when it is absent."""
    p = SHARED_DATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} is absent (../shared/data is for development only)")
    return p


@pytest.fixture(params=["memory", "oxigraph"])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each embedded backend."""
    url = "memory:" if request.param == "memory" else f"oxigraph:{tmp_path / 'graph'}"
    with open_store(url) as st:
        yield st
