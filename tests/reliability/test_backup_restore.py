"""Backup and restore: `a2p export` then `a2p ingest dump.nq` into a fresh store is the same graph.

At 3,000 species (about 400k quads), compared as sets of quads after parsing both dumps
(the graph has no blank nodes; the test checks that, since with blank nodes set equality
would be the wrong test). A 500-species dump restored into `memory:` gives the same set too.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from relysupport import a2p, fingerprint, synth

from kg.load import ingest
from kg.store import open_store


def quads(path_or_bytes: Path | bytes) -> set[ox.Quad]:
    data = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    out = set(ox.parse(data, ox.RdfFormat.N_QUADS))
    assert not any(
        isinstance(t, ox.BlankNode) for q in out for t in (q.subject, q.object, q.graph_name)
    ), "blank nodes: compare with rdflib's isomorphism instead of sets"
    return out


@pytest.fixture(scope="module")
def backup(download_3k: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """(store URL, its `a2p export` dump) for the 3,000-species download."""
    tmp = tmp_path_factory.mktemp("backup")
    original = f"oxigraph:{tmp / 'original'}"
    a2p("ingest", str(download_3k), "--store", original, "-q")
    dump = tmp / "backup.nq"
    a2p("export", "--store", original, "--format", "nquads", "-o", str(dump))
    return original, dump


@pytest.mark.slow
def test_export_then_ingest_gives_the_same_graph(backup: tuple[str, Path], tmp_path: Path) -> None:
    original, backup_file = backup
    before = quads(backup_file)
    assert len(before) > 300_000
    assert len(before) == fingerprint(original).quads

    restored = f"oxigraph:{tmp_path / 'restored'}"
    out = a2p("ingest", str(backup_file), "--store", restored, "-q").stdout
    assert f"{len(before)} quads" in out
    again = tmp_path / "again.nq"
    a2p("export", "--store", restored, "--format", "nquads", "-o", str(again))
    after = quads(again)
    assert after == before, (
        f"{len(before - after)} quads lost, {len(after - before)} added by the round trip"
    )
    assert fingerprint(restored) == fingerprint(original)

    # restoring twice is idempotent (the dump replaces the graphs it holds)
    a2p("ingest", str(backup_file), "--store", restored, "-q")
    assert fingerprint(restored) == fingerprint(original)


@pytest.mark.slow
def test_restore_into_memory_store(tmp_path: Path) -> None:
    """rdflib's Memory store is slow, so 500 species here."""
    original = f"oxigraph:{tmp_path / 'original'}"
    a2p("ingest", str(synth(tmp_path / "download", 500, 5)), "--store", original, "-q")
    backup_file = tmp_path / "backup.nq"
    a2p("export", "--store", original, "-o", str(backup_file))
    with open_store("memory:") as mem:
        ingest([backup_file], mem, progress=False)
        buf = io.BytesIO()
        mem.dump(buf)
    assert quads(buf.getvalue()) == quads(backup_file)
