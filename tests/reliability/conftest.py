"""Reliability fixtures: a synthetic download, a real `a2p serve` process per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from relysupport import Server, synth


@pytest.fixture
def serve_factory(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """serve_factory(args, env) -> a started Server; every one is stopped after the test."""
    started: list[Server] = []

    def start(args: Sequence[str], env: dict[str, str] | None = None) -> Server:
        srv = Server(args, env, log=tmp_path / f"server{len(started)}.log")
        started.append(srv)
        srv.wait()
        return srv

    yield start
    for srv in started:
        srv.stop()


@pytest.fixture(scope="session")
def download_3k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3,000-species synthetic download (written once per session by `a2p synth`)."""
    return synth(tmp_path_factory.mktemp("download-3k") / "download", 3_000, 11)
