"""kg.load — read sources, build quads, stream them into a store as one all-or-nothing batch."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from tqdm import tqdm

from kg import iris
from kg.build import AssessmentKey, Quads, build, key_of, latest_markers, replaced_graphs, vocabulary_graphs
from kg.ingest import IngestError, iter_source
from kg.query import run
from kg.records import Bundle
from kg.schemes import ONTOLOGY_DIR, load_schemes
from kg.store import Store, python_value
from kg.vocab import A2P


@dataclass
class IngestReport:
    sources: list[str]
    assessments: int
    taxa: int
    quads: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def quads_per_second(self) -> float:
        return self.quads / self.seconds if self.seconds else 0.0


def vocabulary_nquads(ontology_dir: Path = ONTOLOGY_DIR) -> tuple[bytes, set[str]]:
    """The ontology and every SKOS scheme as N-Quads, each in its own named graph."""
    quads: list[ox.Quad] = []
    graphs: set[str] = set()
    for graph, rel in vocabulary_graphs():
        g = ox.NamedNode(graph)
        graphs.add(graph)
        with open(ontology_dir / rel, "rb") as fh:
            for t in ox.parse(fh, ox.RdfFormat.TURTLE):
                quads.append(ox.Quad(t.subject, t.predicate, t.object, g))
    rollup = iris.graph("scheme", "rollup")
    graphs.add(rollup)
    g = ox.NamedNode(rollup)
    rolls = ox.NamedNode(A2P.rollsUpTo)
    for sch in load_schemes(ontology_dir).values():
        for concept in sch.concepts.values():
            node = ox.NamedNode(concept.iri)
            for anc in sch.ancestors(concept.code):
                quads.append(ox.Quad(node, rolls, ox.NamedNode(sch.concepts[anc].iri), g))
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"", graphs


def existing_keys(store: Store, taxa: set[str], new: set[str]) -> list[AssessmentKey]:
    """Assessments already in the store of `taxa`, except those being re-ingested (`new`)."""
    global_scope = iris.concept("scopes", "Global")
    out = []
    for r in run(store, "assessment_keys").rows:
        tid, aid = str(r["taxonId"]), str(r["assessmentId"])
        if tid not in taxa or aid in new:
            continue
        year = python_value(r["year"])
        d = python_value(r["date"])
        out.append(
            AssessmentKey(
                aid,
                tid,
                int(year) if year is not None else None,
                d,
                r["scope"] is None or str(r["scope"]) == global_scope,
            )
        )
    return out


SLICE = 20_000  # records built at a time: bounds the N-Quads text held in memory


def _slices(section: Bundle) -> Iterator[Bundle]:
    """A section as bundles of at most SLICE records of one kind each (for building)."""
    for name in type(section).model_fields:
        if name in ("names_supplied", "sources"):
            continue
        records = getattr(section, name)
        for i in range(0, len(records), SLICE):
            yield Bundle(**{name: records[i : i + SLICE]})


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Ingest makes millions of short-lived objects: what is alive before it starts is frozen
    (never rescanned) and the young generation is collected 100 times less often."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(70_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


DUMP_SUFFIXES = (".nq", ".nquads")


RESTORE_CHUNK = 64 * 1024 * 1024  # bytes of a dump read, parsed and handed over at a time


def restore(path: Path, store: Store) -> int:
    """Load an `a2p export` N-Quads dump, replacing the graphs it contains; returns quads.

    The dump streams through one batch (all or nothing), a chunk of whole lines at a time: each
    chunk is parsed (to name its graphs and check it) and handed to the batch after its graphs
    are dropped, so memory holds one chunk, not the dump.
    """
    n = lines = 0
    with store.batch() as batch, open(path, "rb") as fh:
        rest = b""
        while True:
            block = fh.read(RESTORE_CHUNK)
            data, _, rest = (rest + block).rpartition(b"\n") if block else (rest, b"", b"")
            if not data:
                if not block:
                    break
                continue
            data += b"\n"
            graphs: set[str] = set()
            try:
                for quad in ox.parse(data, ox.RdfFormat.N_QUADS):
                    n += 1
                    if isinstance(quad.graph_name, ox.NamedNode):
                        graphs.add(quad.graph_name.value)
            except SyntaxError as exc:
                raise IngestError(str(path), f"not valid N-Quads (after line {lines}): {exc}") from exc
            lines += data.count(b"\n")
            batch.drop(graphs)
            batch.add(data)
    return n


def ingest(sources: list[str | Path], store: Store, progress: bool = False) -> IngestReport:
    """Read, validate and write every source as one all-or-nothing batch, streaming.

    Each source is read file by file (`kg.ingest.iter_source`); each section is built into
    N-Quads and handed to the store's batch (`Store.batch`) at once, so only one file's records
    are in memory. On Oxigraph the batch streams into a new generation that is switched in
    after the last section; a bad row anywhere aborts the batch and leaves the store as it
    was. Latest-assessment markers are written last, over every source and what the store
    already holds. An N-Quads dump (`.nq`, from `a2p export`) is restored as it is.
    """
    t0 = time.perf_counter()
    dumps = [Path(s) for s in sources if str(s).endswith(DUMP_SUFFIXES)]
    sources = [s for s in sources if not str(s).endswith(DUMP_SUFFIXES)]
    restored = sum(restore(d, store) for d in dumps)
    if not sources:
        return IngestReport([str(d) for d in dumps], 0, 0, restored, time.perf_counter() - t0)
    where: dict[str, str] = {}  # assessment id -> source (a duplicate across sources is an error)
    keys: list[AssessmentKey] = []
    taxa: set[str] = set()
    written = 0
    seen: set[tuple[str, str | None]] = set()  # shared nodes written already (higher taxa, places)
    vocab, vocab_graphs = vocabulary_nquads()
    with (
        _fewer_collections(),
        store.batch() as batch,
        tqdm(desc="ingest", unit=" quads", unit_scale=True, disable=not progress) as bar,
    ):
        batch.lenient = True  # every IRI below is minted by kg.iris from validated values
        batch.drop(vocab_graphs)
        batch.add(vocab)
        written += vocab.count(b"\n")
        for src in sources:
            for section in iter_source(src, progress=progress):
                for a in section.assessments:
                    if a.assessment_id in where:
                        other = where[a.assessment_id]
                        msg = f"assessment {a.assessment_id} is also in {other}"
                        raise IngestError(str(src), msg, column="assessmentId")
                    where[a.assessment_id] = str(src)
                    keys.append(key_of(a))
                taxa.update(t.taxon_id for t in section.taxa)
                batch.drop(replaced_graphs(section))
                by_name = {t.scientific_name: t for t in section.taxa}
                for part in _slices(section):
                    q = build(part, latest=False, by_name=by_name, seen=seen)
                    for chunk in q.chunks():
                        batch.add(chunk)
                    written += len(q)
                    bar.update(len(q))
                del section, by_name
        q = Quads()
        marked = {k.taxon_id for k in keys}
        latest_markers(q, [*existing_keys(store, marked, set(where)), *keys], marked)
        batch.add(q.data())
        written += len(q)
        bar.update(len(q))
    return IngestReport(
        sources=[str(s) for s in sources],
        assessments=len(keys),
        taxa=len(taxa | marked),
        quads=written + restored,
        seconds=time.perf_counter() - t0,
    )
