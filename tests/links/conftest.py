"""Fixtures of the link tests: the hand-made download in each store, a local webhook receiver."""

from __future__ import annotations

import io
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from linkdata import REDLIST, Receiver

from kg.load import ingest
from kg.store import MemoryStore, Store, open_store


@pytest.fixture(scope="session")
def template() -> Iterator[MemoryStore]:
    """The hand-made download ingested once; tests get copies (ingest is tested in tests/kg)."""
    with open_store("memory:") as st:
        ingest([REDLIST], st)
        assert isinstance(st, MemoryStore)
        yield st


@pytest.fixture(scope="session")
def ox_template(tmp_path_factory: pytest.TempPathFactory, template: MemoryStore) -> Path:
    """The same graph as a closed Oxigraph store folder, copied for each test that needs one."""
    path = tmp_path_factory.mktemp("ox-template") / "graph"
    buf = io.BytesIO()
    template.dump(buf)
    with open_store(f"oxigraph:{path}") as st:
        st.replace(buf.getvalue())
    return path


def _memory_copy(template: MemoryStore) -> Store:
    st = open_store("memory:")
    assert isinstance(st, MemoryStore)
    st.ds.addN(template.ds.quads((None, None, None, None)))  # type: ignore[arg-type]
    return st


def _oxigraph_copy(ox_template: Path, path: Path) -> Store:
    shutil.copytree(ox_template, path)
    return open_store(f"oxigraph:{path}")


@pytest.fixture(params=["memory", "oxigraph"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, template: MemoryStore, ox_template: Path
) -> Iterator[Store]:
    """The hand-made download (tests/links/data/redlist) in each embedded backend."""
    if request.param == "memory":
        st = _memory_copy(template)
    else:
        st = _oxigraph_copy(ox_template, tmp_path / "graph")
    with st:
        yield st


@pytest.fixture
def mem_store(template: MemoryStore) -> Iterator[Store]:
    """The hand-made download in rdflib's memory store only."""
    with _memory_copy(template) as st:
        yield st


@pytest.fixture
def ox_store(tmp_path: Path, ox_template: Path) -> Iterator[Store]:
    """The hand-made download in an Oxigraph store only."""
    with _oxigraph_copy(ox_template, tmp_path / "graph") as st:
        yield st


@pytest.fixture
def ox_url(tmp_path: Path, ox_template: Path) -> str:
    """URL of an Oxigraph store folder holding the hand-made download (for the CLI)."""
    shutil.copytree(ox_template, tmp_path / "graph")
    return f"oxigraph:{tmp_path / 'graph'}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            with lock:
                rec.requests.append((self.path, dict(self.headers), body))
                n = rec.counts[self.path] = rec.counts.get(self.path, 0) + 1
            status = {"/ok": 200, "/fail": 500, "/gone": 410}.get(self.path, 200)
            if self.path == "/flaky":
                status = 503 if n <= 2 else 200
            if self.path == "/slow":
                threading.Event().wait(1.0)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
