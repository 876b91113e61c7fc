"""Fixtures for the planning tests: hand-made profiles, the mini export and a small synthetic download."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.store import Store, open_store
from tests.planning.handmade import MINI, SHARED_DATA


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def mini_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The hand-made mini export ingested into each embedded backend."""
    from kg.load import ingest

    url = "memory:" if request.param == "memory" else f"oxigraph:{tmp_path_factory.mktemp('mini') / 'g'}"
    with open_store(url) as st:
        ingest([MINI], st)
        yield st


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic download (fictional species), shared by the tests of this folder."""
    from kg.synth import write_download

    d = tmp_path_factory.mktemp("synth") / "download"
    write_download(d, species=400, seed=5)
    return d


@pytest.fixture(scope="session")
def synth_store(synth_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    from kg.load import ingest

    with open_store(f"oxigraph:{tmp_path_factory.mktemp('synthgraph') / 'g'}") as st:
        ingest([synth_dir], st)
        yield st


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is absent (../shared/data is for development only)")
    return SHARED_DATA
