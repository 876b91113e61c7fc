"""The streaming ingest: same graph as one in-memory batch, all or nothing, latest across sources."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

import kg.ingest
from kg import iris
from kg.build import build
from kg.ingest import IngestError, iter_source, read_source
from kg.load import ingest, vocabulary_nquads
from kg.store import OxigraphBatch, OxigraphStore, Store, StoreError, open_store
from kg.synth import write_download

MINI = Path(__file__).resolve().parents[1] / "data" / "mini-export"
LATEST = "PREFIX a2p: <https://w3id.org/assess2plan/ontology#> SELECT ?a WHERE { ?t a2p:latestAssessment ?a }"


def quads(store: Store) -> set[str]:
    buf = io.BytesIO()
    store.dump(buf)
    return {str(q) for q in ox.parse(buf.getvalue(), ox.RdfFormat.N_QUADS)}


def generations(path: Path) -> list[str]:
    return sorted(p.name for p in path.glob("g[0-9]*"))


@pytest.fixture(scope="module")
def download(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stream-synth")
    write_download(folder, species=150, seed=4)
    return folder


def test_sections_hold_one_file_each_and_merge_to_the_whole(download: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Assessments come first, a slice at a time as they are read; then the taxa; then one file each."""
    monkeypatch.setattr(kg.ingest, "ASSESSMENT_SECTION", 40)
    sections = list(iter_source(download))
    whole = read_source(download)
    n = len(whole.assessments)
    heads = -(-n // 40)  # sections of assessments only
    assert n > 120 and [len(s.assessments) for s in sections[:heads]] == [40] * (heads - 1) + [n - 40 * (heads - 1)]
    for s in sections[:heads]:
        assert [name for name in type(s).model_fields if getattr(s, name)] == ["assessments"]
    assert sections[heads].taxa and sections[heads].sources and not sections[heads].assessments
    for s in sections[heads + 1 :]:
        filled = [name for name in type(s).model_fields if getattr(s, name)]
        assert not {"assessments", "taxa"} & set(filled)
        assert len(filled) <= 2, filled  # one file (names: common names and synonyms together)
    assert [a for s in sections for a in s.assessments] == list(whole.assessments)
    assert sum(len(s.threats) for s in sections) == len(whole.threats) > 0
    assert sum(len(s.occurrences) for s in sections) == len(whole.occurrences) > 0


@pytest.mark.parametrize("direct_bytes", [OxigraphBatch.DIRECT_BYTES, 4096])
def test_streamed_graph_equals_one_batch(
    download: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct_bytes: int
) -> None:
    """Whether chunks go in one plain bulk load or through the loader thread's pipe."""
    monkeypatch.setattr(OxigraphBatch, "DIRECT_BYTES", direct_bytes)
    monkeypatch.setattr(kg.ingest, "ASSESSMENT_SECTION", 40)
    with open_store(f"oxigraph:{tmp_path / 'stream'}") as st:
        rep = ingest([download], st)
        streamed = quads(st)
    with open_store(f"oxigraph:{tmp_path / 'whole'}") as st:
        q = build(read_source(download))
        vocab, graphs = vocabulary_nquads()
        st.replace(vocab + q.data(), drop_graphs=graphs | q.replaced_graphs)
        whole = quads(st)
    assert streamed == whole
    assert rep.quads >= len(streamed) > 10_000


@pytest.mark.parametrize("direct_bytes", [OxigraphBatch.DIRECT_BYTES, 4096])
def test_bad_row_in_the_last_file_leaves_the_store_as_it_was(
    download: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct_bytes: int
) -> None:
    """Every earlier file was already streamed into the new generation when the error comes."""
    monkeypatch.setattr(OxigraphBatch, "DIRECT_BYTES", direct_bytes)
    monkeypatch.setattr(kg.ingest, "ASSESSMENT_SECTION", 40)
    path = tmp_path / "graph"
    with open_store(f"oxigraph:{path}") as st:
        ingest([MINI], st)
        before = quads(st)
        gens = generations(path)
        bad = tmp_path / "bad"
        shutil.copytree(download, bad)
        with open(bad / "credits.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        rows[-1][0] = "999999999"  # an assessment the download does not hold
        with open(bad / "credits.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
        with pytest.raises(IngestError) as err:
            ingest([bad], st)
        assert err.value.file.endswith("credits.csv")
        assert err.value.row == len(rows) - 1 and err.value.column == "assessmentId"
        assert quads(st) == before
        assert generations(path) == gens  # the half-written generation is gone
    with open_store(f"oxigraph:{path}", read_only=True) as st:
        assert quads(st) == before


FORCE = {  # OxigraphBatch settings: the path a re-ingest of the 150-species download takes
    "checkpoint": {"REBUILD_MIN_GRAPHS": 1 << 62},  # the replaced graphs removed one by one
    "rebuild": {"REBUILD_MIN_GRAPHS": 1, "REBUILD_FRACTION": 0.1},  # kept graphs copied over
    # rebuild started by the first drops, then too few graphs replaced: the loaded data is
    # copied into a checkpoint without the replaced graphs
    "rebuild+checkpoint": {"REBUILD_MIN_GRAPHS": 1, "REBUILD_FRACTION": 1.01},
}


@pytest.mark.parametrize("path", list(FORCE))
def test_first_ingest_streams_through_one_bulk_load_and_reingest_replaces(
    download: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """Dropping graphs the store does not hold yet does not stop the loader: a first ingest is
    one bulk load from the first chunk on, into a checkpoint. A second ingest of a changed
    download replaces the graphs (by whichever path) and gives that download's graph, keeping
    what the download does not replace."""
    monkeypatch.setattr(OxigraphBatch, "DIRECT_BYTES", 4096)
    monkeypatch.setattr(OxigraphBatch, "DECIDE_BYTES", 8192)  # a re-ingest buffers no more
    monkeypatch.setattr(kg.ingest, "ASSESSMENT_SECTION", 40)
    starts: list[int] = []
    modes: list[str] = []
    start, begin = OxigraphBatch._start_loader, OxigraphBatch._begin
    monkeypatch.setattr(OxigraphBatch, "_start_loader",
                        lambda self, lenient: (starts.append(1), start(self, lenient))[1])
    monkeypatch.setattr(OxigraphBatch, "_begin", lambda self, mode: (modes.append(mode), begin(self, mode))[1])
    changed = tmp_path / "changed"
    shutil.copytree(download, changed)
    with open(download / "threats.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    with open(changed / "threats.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows[:-5])  # five threat rows fewer
    other = f"<{iris.taxon('1')}> <{iris.ONTOLOGY}note> \"kept\" <{iris.graph('test', 'other')}> .\n"
    with open_store(f"oxigraph:{tmp_path / 'fresh'}") as st:
        ingest([changed], st)
        st.replace(other.encode())
        expected = quads(st)
    assert len(starts) == 1 and modes == ["checkpoint", "checkpoint"]
    for attr, value in FORCE[path].items():
        monkeypatch.setattr(OxigraphBatch, attr, value)
    with open_store(f"oxigraph:{tmp_path / 'graph'}") as st:
        ingest([download], st)
        st.replace(other.encode())  # a graph no ingest replaces
        first = quads(st)
        modes.clear()
        ingest([changed], st)
        assert "+".join(modes) == path
        assert quads(st) == expected != first
        assert len(generations(tmp_path / "graph")) == 1


def test_loader_error_aborts_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(OxigraphBatch, "DIRECT_BYTES", 16)
    path = tmp_path / "graph"
    good = f"<{iris.taxon('1')}> <{iris.ONTOLOGY}x> \"a\" <{iris.graph('t', 'one')}> .\n".encode()
    with OxigraphStore(path) as st:
        st.replace(good)
        gens = generations(path)
        with pytest.raises(StoreError, match="not valid N-Quads"), st.batch() as b:
            b.add(good * 1000)
            b.add(b"<broken \n" * 10)
        assert generations(path) == gens
        assert st.count() == 1


def test_latest_is_right_across_sources_and_batches(download: Path, tmp_path: Path, empty_store: Store) -> None:
    """A newer assessment in a second source (same batch) or a later batch becomes the latest."""
    with open(download / "assessments.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    head = list(rows[0])
    base = rows[0]

    def one(name: str, aid: str, year: str) -> Path:
        out = tmp_path / name
        out.mkdir()
        with open(out / "assessments.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=head)
            w.writeheader()
            w.writerow(dict(base, assessmentId=aid, yearPublished=year, assessmentDate=f"{year}-01-02 00:00:00 UTC"))
        return out

    taxon = URIRef(iris.taxon(base["internalTaxonId"]))
    ingest([download, one("newer", "999000001", "2030")], empty_store)
    assert {str(r["a"]) for r in empty_store.select(LATEST, {"t": taxon})} == {iris.assessment("999000001")}
    ingest([one("older", "999000002", "2001")], empty_store)  # an older one arriving later
    assert {str(r["a"]) for r in empty_store.select(LATEST, {"t": taxon})} == {iris.assessment("999000001")}
    ingest([one("newest", "999000003", "2031")], empty_store)
    assert {str(r["a"]) for r in empty_store.select(LATEST, {"t": taxon})} == {iris.assessment("999000003")}


def test_duplicate_assessment_across_sources_is_refused(download: Path, empty_store: Store) -> None:
    with pytest.raises(IngestError, match="is also in"):
        ingest([download, download], empty_store)
    assert empty_store.count() == 0


def test_restore_streams_a_dump_in_chunks_all_or_nothing(
    download: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dump restored 1 MB at a time (chunks end mid-line) is the same graph, replaces the
    graphs it holds (not others), and a bad line near the end leaves the store as it was."""
    import kg.load

    monkeypatch.setattr(kg.load, "RESTORE_CHUNK", 1_000_000)
    monkeypatch.setattr(OxigraphBatch, "DIRECT_BYTES", 4096)
    with open_store(f"oxigraph:{tmp_path / 'original'}") as st:
        ingest([download], st)
        original = quads(st)
        dump = tmp_path / "dump.nq"
        with open(dump, "wb") as fh:
            st.dump(fh)
    assert dump.stat().st_size > 3_000_000  # several chunks
    other = f"<{iris.taxon('1')}> <{iris.ONTOLOGY}note> \"kept\" <{iris.graph('test', 'other')}> .\n"
    with open_store(f"oxigraph:{tmp_path / 'restored'}") as st:
        st.replace(other.encode())
        assert kg.load.restore(dump, st) == len(original)
        kg.load.restore(dump, st)  # again: the dump's graphs are replaced, not doubled
        restored = quads(st)
        assert restored - original == {str(q) for q in ox.parse(other.encode(), ox.RdfFormat.N_QUADS)}
        assert original <= restored
        bad = tmp_path / "bad.nq"
        bad.write_bytes(dump.read_bytes() + b"<broken \n")
        with pytest.raises(IngestError, match="bad.nq.*not valid N-Quads"):
            kg.load.restore(bad, st)
        assert quads(st) == restored
