"""`a2p serve` (api.commands.serve) and api.server.serve in a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import typer
from typer.testing import CliRunner

from api.commands.serve import register


def test_serve_command_options() -> None:
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def noop() -> None:  # a second command keeps typer from flattening `serve`
        pass

    out = CliRunner().invoke(app, ["serve", "--help"])
    assert out.exit_code == 0
    for opt in ("--store", "--host", "--port", "--workers", "--token", "--read-only"):
        assert opt in out.output


def _serve(args: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    code = f"from api.server import serve; serve({args})"
    return subprocess.Popen([sys.executable, "-c", code], env={**os.environ, **env},
                            start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _wait(url: str) -> Any:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            return httpx.get(url, timeout=2).json()
        except (httpx.HTTPError, ValueError):
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def test_server_process(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"A2P_INDEX_DIR": ":memory:", "A2P_USE_NLP": "false", "A2P_SEMANTIC_SEARCH": "false"}
    store = f"oxigraph:{tmp_path / 'graph'}"
    proc = _serve(f"{store!r}, '127.0.0.1', {port}, 2", port, env)
    try:
        health = _wait(f"http://127.0.0.1:{port}/health")
        assert health["status"] == "ok"
        # two workers on an oxigraph store: read-only, writes refused
        assert health["read_only"] is True
        r = httpx.post(f"http://127.0.0.1:{port}/comments",
                       json={"species_id": "1", "name": "x", "text": "y"})
        assert r.status_code == 403
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
