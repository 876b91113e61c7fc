"""The streaming ingest: same graph as one in-memory batch, all or nothing, latest across sources."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

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


def test_sections_hold_one_file_each_and_merge_to_the_whole(download: Path) -> None:
    sections = list(iter_source(download))
    assert sections[0].assessments and sections[0].taxa and not sections[0].threats
    for s in sections[1:]:
        filled = [name for name in type(s).model_fields if getattr(s, name)]
        assert not {"assessments", "taxa"} & set(filled)
        assert len(filled) <= 2, filled  # one file (names: common names and synonyms together)
    whole = read_source(download)
    assert sum(len(s.threats) for s in sections) == len(whole.threats) > 0
    assert sum(len(s.occurrences) for s in sections) == len(whole.occurrences) > 0


@pytest.mark.parametrize("direct_bytes", [OxigraphBatch.DIRECT_BYTES, 4096])
def test_streamed_graph_equals_one_batch(
    download: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct_bytes: int
) -> None:
    """Whether chunks go in one plain bulk load or through the loader thread's pipe."""
    monkeypatch.setattr(OxigraphBatch, "DIRECT_BYTES", direct_bytes)
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
