"""kg.load — read sources, build quads, write them to a store in one all-or-nothing batch."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from tqdm import tqdm

from kg import iris
from kg.build import AssessmentKey, Quads, build, vocabulary_graphs
from kg.ingest import IngestError, read_sources
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


def existing_keys(store: Store, bundle: Bundle) -> list[AssessmentKey]:
    """Assessments already in the store of the taxa in `bundle` (to mark the latest)."""
    wanted = {t.taxon_id for t in bundle.taxa}
    new = {a.assessment_id for a in bundle.assessments}
    global_scope = iris.concept("scopes", "Global")
    out = []
    for r in run(store, "assessment_keys").rows:
        tid, aid = str(r["taxonId"]), str(r["assessmentId"])
        if tid not in wanted or aid in new:
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


def write_quads(store: Store, q: Quads) -> None:
    """Write built quads plus the vocabularies as one atomic batch."""
    vocab, vocab_graphs = vocabulary_nquads()
    store.replace(vocab + q.data(), drop_graphs=q.replaced_graphs | vocab_graphs)


def load_bundle(store: Store, bundle: Bundle) -> Quads:
    """Build and write a bundle (plus the vocabularies) as one atomic batch."""
    q = build(bundle, existing_keys(store, bundle))
    write_quads(store, q)
    return q


DUMP_SUFFIXES = (".nq", ".nquads")


def restore(path: Path, store: Store) -> int:
    """Load an `a2p export` N-Quads dump, replacing the graphs it contains; returns quads."""
    data = path.read_bytes()
    graphs: set[str] = set()
    n = 0
    try:
        for quad in ox.parse(data, ox.RdfFormat.N_QUADS):
            n += 1
            if isinstance(quad.graph_name, ox.NamedNode):
                graphs.add(quad.graph_name.value)
    except SyntaxError as exc:
        raise IngestError(str(path), f"not valid N-Quads: {exc}") from exc
    store.replace(data, drop_graphs=graphs)
    return n


def ingest(sources: list[str | Path], store: Store, progress: bool = False) -> IngestReport:
    """Read every source (validating all of it first), then write it all or nothing.

    An N-Quads dump (`.nq`, from `a2p export`) is restored as it is, graph by graph.
    """
    t0 = time.perf_counter()
    dumps = [Path(s) for s in sources if str(s).endswith(DUMP_SUFFIXES)]
    sources = [s for s in sources if not str(s).endswith(DUMP_SUFFIXES)]
    restored = sum(restore(d, store) for d in dumps)
    if not sources:
        return IngestReport([str(d) for d in dumps], 0, 0, restored, time.perf_counter() - t0)
    with tqdm(total=3, desc="ingest", unit="step", disable=not progress) as bar:
        bar.set_postfix_str("reading and validating")
        bundle = read_sources(list(sources), progress=progress)
        bar.update()
        bar.set_postfix_str(f"building {len(bundle.assessments)} assessments")
        q = build(bundle, existing_keys(store, bundle))
        bar.update()
        bar.set_postfix_str(f"writing {len(q)} quads")
        write_quads(store, q)
        bar.update()
    return IngestReport(
        sources=[str(s) for s in sources],
        assessments=len(bundle.assessments),
        taxa=len(bundle.taxa),
        quads=len(q) + restored,
        seconds=time.perf_counter() - t0,
    )
