"""Helpers shared by the reliability tests (outside conftest, so tests can import them).

The `a2p` CLI as a subprocess, synthetic downloads, store fingerprints, a real server.

Everything here drives assess2plan from the outside (the installed `a2p` command, HTTP on a
loopback port), the way an operator would, so the tests see what a user would see after a
crash, a restore or a burst of concurrent writes.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from kg.store import open_store

A2P = [sys.executable, "-m", "api"]  # the `a2p` entry point, with the running interpreter
QUIET_SERVER = {"A2P_INDEX_DIR": ":memory:", "A2P_USE_NLP": "false",
                "A2P_SEMANTIC_SEARCH": "false", "A2P_WARM_UP": "false"}


def a2p(*args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `a2p ARGS` to completion; fail the test with its stderr when it fails."""
    proc = subprocess.run([*A2P, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise AssertionError(f"a2p {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc


def synth(out: Path, species: int, seed: int) -> Path:
    a2p("synth", "--species", str(species), "--seed", str(seed), "--out", str(out))
    return out


@dataclass(frozen=True)
class Fingerprint:
    """What a store holds: its quad count and a digest of (graph, quad count) pairs."""

    quads: int
    graphs: int
    digest: str


PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def fingerprint(store_url: str) -> Fingerprint:
    """Open the store (read-write, as the next ingest would) and describe its content."""
    with open_store(store_url) as st:
        total = st.count()
        rows = st.select(PER_GRAPH)
    pairs = sorted(f"{r['g']}\t{r['n']}" for r in rows)
    return Fingerprint(total, len(pairs), hashlib.sha256("\n".join(pairs).encode()).hexdigest())


def quad_set(nquads: bytes) -> set[bytes]:
    """The lines of an N-Quads document as a set (comments and blank lines dropped)."""
    return {ln.strip() for ln in nquads.splitlines() if ln.strip() and not ln.startswith(b"#")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`a2p serve ...` in its own process group on a free loopback port."""

    def __init__(self, args: Sequence[str], env: dict[str, str] | None = None,
                 log: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed in stop()
        self._out = out
        self.proc = subprocess.Popen(
            [*A2P, "serve", "--host", "127.0.0.1", "--port", str(self.port), *args],
            env={**os.environ, **QUIET_SERVER, **(env or {})},
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait(self, timeout: float = 120) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}: {self.tail()}")
            try:
                r = httpx.get(f"{self.url}/health", timeout=5)
                if r.status_code == 200:
                    return dict(r.json())
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{self.url}/health did not answer in {timeout} s: {self.tail()}")

    def tail(self) -> str:
        if self.log and self.log.exists():
            return self.log.read_text(errors="replace")[-3000:]
        return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if self._out is not subprocess.DEVNULL:
            self._out.close()
