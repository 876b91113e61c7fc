"""kg.store — open a quad store from a URL; the only module that talks to a triple store.

    open_store("oxigraph:var/graph")   embedded Oxigraph on disk (the default)
    open_store("memory:")              rdflib in-memory Dataset (tests, small data)
    open_store("sparql:QUERY_URL[,UPDATE_URL]")   any SPARQL 1.1 Protocol server

Every backend offers the same contract: `select`/`ask`/`construct` with bound values
(never string pasting), `triples`/`contains` for pattern look-ups, `update` for small
transactional writes, `replace` and `batch` for an all-or-nothing batch write of N-Quads (the
ingest path), `dump` for backups, `count`, and `version`, which changes whenever the graph is
written through a Store (annotation-only updates aside): the key for values computed from it.
Queries see the union of all named graphs as their default graph.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import re
import shutil
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Identifier, Node

from kg import iris

Term = Identifier
GRAPH_BASE = iris.GRAPH
DEFAULT_STORE_URL = "oxigraph:var/graph"


class StoreError(RuntimeError):
    """A store could not be opened or refused an operation."""


class QueryError(ValueError):
    """A query is malformed or failed; the message is the engine's own."""


@dataclass
class Rows:
    """The result of a SELECT: variable names and one dict per solution (unbound = None)."""

    vars: list[str]
    rows: list[dict[str, Node | None]] = field(default_factory=list)

    def __iter__(self) -> Iterator[dict[str, Node | None]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def values(self) -> list[dict[str, Any]]:
        """Rows with Python values (str for IRIs, native for typed literals)."""
        return [{k: python_value(v) for k, v in r.items()} for r in self.rows]


def python_value(term: Node | None) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return value if not isinstance(value, Literal) else str(value)
    return str(term)


# --------------------------------------------------------------------------- terms


def _to_rdflib(term: Any) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise StoreError(f"unsupported term {term!r}")


def to_oxigraph(term: Node) -> Any:
    """rdflib term -> pyoxigraph term (the inverse of the conversion used for results)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(f"unsupported term {term!r}")


_BAD_IRI = re.compile(r'[<>"{}|^`\\\s]')


def as_term(value: Any) -> Node:
    """Python value -> RDF term for binding: URIRef/Literal pass through, str -> Literal."""
    if isinstance(value, URIRef):
        if _BAD_IRI.search(str(value)):
            raise QueryError(f"not a valid IRI: {str(value)!r}")
        return value
    if isinstance(value, Identifier):
        return value
    return Literal(value)


def graph_term(graph: str) -> URIRef:
    """A graph name (IRI) as a checked term for binding."""
    term = as_term(URIRef(str(graph)))
    assert isinstance(term, URIRef)
    return term


_WHERE = re.compile(r"\bwhere\s*\{", re.IGNORECASE)
_FORM = re.compile(r"\b(select|construct|describe|ask)\b[^{]*\{", re.IGNORECASE)


def bind_values(query: str, bindings: Mapping[str, Any] | None) -> str:
    """Bind variables by a VALUES block placed first in the outermost WHERE group.

    Values are serialised as RDF terms (escaped), never pasted as text, so user input
    cannot change the query's shape. Same semantics on every backend.
    """
    if not bindings:
        return query
    names = list(bindings)
    for n in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n):
            raise QueryError(f"not a variable name: {n!r}")
    values = " ".join(as_term(bindings[n]).n3() for n in names)
    block = f"VALUES ({' '.join('?' + n for n in names)}) {{ ({values}) }}"
    m = _WHERE.search(query) or _FORM.search(query)
    if not m:
        raise QueryError("cannot bind values: query has no group pattern")
    return query[: m.end()] + " " + block + " " + query[m.end() :]


# --------------------------------------------------------------------------- contract


_WRITES = itertools.count(1)  # write stamps, unique across the process (next() is atomic)


class Store(ABC):
    url: str
    _written = 0  # the stamp of this object's latest write (0: none yet)
    # whether kg.query reads a page of its STRATA queries one sort value at a time (pays on
    # engines that stop at LIMIT; rdflib evaluates each value's query about as slowly as the whole)
    pages_by_sort_value: bool = True

    def _wrote(self) -> None:
        """Note a write (called after it, whether or not it succeeded)."""
        self._written = next(_WRITES)

    @property
    def version(self) -> Hashable:
        """A value that changes whenever the graph is written through this Store object
        (`update` unless `annotation=True`, `replace`, a batch's commit): what caches of values
        computed from the graph key on. Oxigraph adds its generation; a remote store adds the token every
        assess2plan writer leaves on the server (see `SparqlStore.version`)."""
        return self._written

    @abstractmethod
    def select(self, query: str, bindings: Mapping[str, Any] | None = None) -> Rows: ...

    @abstractmethod
    def ask(self, query: str, bindings: Mapping[str, Any] | None = None) -> bool: ...

    @abstractmethod
    def construct(self, query: str, bindings: Mapping[str, Any] | None = None) -> Graph: ...

    @abstractmethod
    def update(self, update: str, *, annotation: bool = False) -> None:
        """Run a SPARQL Update as one transaction.

        `annotation=True`: the update only adds annotations (comments, feedback) that no value
        cached on `version` is computed from, so `version` stays (a feedback write must not
        throw away a co-affected index that took a minute to build).
        """

    @abstractmethod
    def replace(self, nquads: bytes, drop_graphs: Iterable[str] = ()) -> None:
        """Atomically drop `drop_graphs` and add the N-Quads: all of it or nothing."""

    def batch(self) -> Batch:
        """A batch write fed in chunks (`drop`, `add`), applied by `commit` (see `Batch`).

        The default buffers the chunks and applies them with one `replace` at commit.
        """
        return BufferedBatch(self)

    @abstractmethod
    def dump(self, out: IO[bytes], fmt: str = "nquads") -> None:
        """Write every quad (`nquads`) or the union graph (`turtle`)."""

    @abstractmethod
    def graph_names(self) -> set[str]: ...

    def triples(
        self, subject: Node | None = None, predicate: Node | None = None, obj: Node | None = None,
        limit: int | None = None, graph: str | None = None,
    ) -> Iterator[tuple[Node, Node, Node]]:
        """Triples matching a pattern (None matches any term), at most `limit`: of the union
        graph, or of the named graph `graph` (an IRI) when given.

        The terms and the graph are bound as values (never pasted). Embedded stores read their
        indexes and give a triple once per graph holding it; remote stores run a bound SELECT.
        """
        bound = {v: t for v, t in (("s", subject), ("p", predicate), ("o", obj)) if t is not None}
        query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
        if graph is not None:
            bound["g"] = graph_term(graph)
            query = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        for r in self.select(query, bound):
            yield r["s"] or subject, r["p"] or predicate, r["o"] or obj  # type: ignore[misc]

    def contains(self, subject: Node | None = None, predicate: Node | None = None,
                 obj: Node | None = None, graph: str | None = None) -> bool:
        """Whether any graph (or the named graph `graph`) holds a triple matching the pattern."""
        return next(iter(self.triples(subject, predicate, obj, limit=1, graph=graph)), None) is not None

    def count(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(python_value(rows.rows[0]["n"]))

    def close(self) -> None:  # noqa: B027 - optional hook
        pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------- batches


class Batch(ABC):
    """A large write fed in chunks: `drop(graphs)` then `add(nquads)`, any number of times.

    Nothing is visible until `commit`; `abort` (or an exception inside `with`) discards it.
    `drop` removes what the store held in those graphs before the batch; drop a graph before
    adding to it. A graph is dropped at most once per batch, so later chunks never remove
    what earlier chunks of the same batch wrote. Use as a context manager: commit on normal exit.
    """

    lenient = False  # set by callers whose chunks come from kg.build (IRIs already checked)

    @abstractmethod
    def drop(self, graphs: Iterable[str]) -> None: ...

    @abstractmethod
    def add(self, nquads: bytes) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def abort(self) -> None: ...

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


class BufferedBatch(Batch):
    """Collects every chunk, then one `Store.replace` (memory:, sparql:)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.chunks: list[bytes] = []
        self.dropped: set[str] = set()

    def drop(self, graphs: Iterable[str]) -> None:
        self.dropped.update(graphs)

    def add(self, nquads: bytes) -> None:
        self.chunks.append(nquads)

    def commit(self) -> None:
        data = b"".join(self.chunks)
        self.chunks = []
        self.store.replace(data, drop_graphs=self.dropped)

    def abort(self) -> None:
        self.chunks = []


# --------------------------------------------------------------------------- memory


class MemoryStore(Store):
    """rdflib's in-memory Dataset; for tests and small graphs."""

    pages_by_sort_value = False  # a family page of 3k species took 37 s in 12 strata

    def __init__(self) -> None:
        self.url = "memory:"
        self.ds = Dataset(default_union=True)

    def _query(self, query: str, bindings: Mapping[str, Any] | None) -> Any:
        try:
            return self.ds.query(bind_values(query, bindings))
        except Exception as exc:  # rdflib raises pyparsing and its own errors
            raise QueryError(str(exc)) from exc

    def select(self, query: str, bindings: Mapping[str, Any] | None = None) -> Rows:
        res = self._query(query, bindings)
        names = [str(v) for v in res.vars]
        return Rows(names, [{n: row[n] for n in names} for row in res])

    def ask(self, query: str, bindings: Mapping[str, Any] | None = None) -> bool:
        return bool(self._query(query, bindings).askAnswer)

    def construct(self, query: str, bindings: Mapping[str, Any] | None = None) -> Graph:
        g = Graph()
        for t in self._query(query, bindings):
            g.add(t)
        return g

    def update(self, update: str, *, annotation: bool = False) -> None:
        try:
            self.ds.update(update)
        except Exception as exc:
            raise QueryError(str(exc)) from exc
        finally:
            if not annotation:
                self._wrote()

    def replace(self, nquads: bytes, drop_graphs: Iterable[str] = ()) -> None:
        staged = Dataset()
        try:  # parse fully before touching the store
            staged.parse(data=nquads, format="nquads")
        except Exception as exc:  # rdflib's parser raises several unrelated types
            raise StoreError(f"batch is not valid N-Quads: {exc}") from exc
        try:
            for g in drop_graphs:
                self.ds.remove_graph(URIRef(g))
            for s, p, o, g in staged.quads((None, None, None, None)):
                self.ds.add((s, p, o, g))
        finally:
            self._wrote()

    def dump(self, out: IO[bytes], fmt: str = "nquads") -> None:
        if fmt == "nquads":
            out.write(self.ds.serialize(format="nquads", encoding="utf-8"))
        else:
            union = Graph()
            for s, p, o, _ in self.ds.quads((None, None, None, None)):
                union.add((s, p, o))
            out.write(union.serialize(format=fmt, encoding="utf-8"))

    def graph_names(self) -> set[str]:
        return {str(c.identifier) for c in self.ds.contexts() if isinstance(c.identifier, URIRef)}

    def triples(
        self, subject: Node | None = None, predicate: Node | None = None, obj: Node | None = None,
        limit: int | None = None, graph: str | None = None,
    ) -> Iterator[tuple[Node, Node, Node]]:
        pattern = (as_term(subject) if subject is not None else None,
                   as_term(predicate) if predicate is not None else None,
                   as_term(obj) if obj is not None else None,
                   graph_term(graph) if graph is not None else None)  # rdflib takes a graph's name
        return itertools.islice(((s, p, o) for s, p, o, _ in self.ds.quads(pattern)), limit)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- oxigraph


class OxigraphStore(Store):
    """Embedded Oxigraph on disk, with generation directories for atomic batch writes.

    PATH holds `CURRENT` (the name of the live generation) and generation folders
    `gNNNNNN/`. A batch (`replace`, `batch`) writes a new generation, either a checkpoint of the
    live one (hard links, cheap) with the batch applied, or, when it replaces many graphs, a
    fresh one holding the batch and the graphs it keeps (see `OxigraphBatch`), and only then
    switches `CURRENT` with an atomic rename: a process killed at any point leaves either the
    old or the new graph.
    """

    def __init__(self, path: str | os.PathLike[str], read_only: bool = False) -> None:
        self.path = Path(path)
        self.url = f"oxigraph:{self.path}"
        self.read_only = read_only
        self.path.mkdir(parents=True, exist_ok=True)
        with self._lock():
            self._cleanup()
            gen = self._current()
            if gen is None:
                gen = self._new_generation_name()
                ox.Store(str(self.path / gen))  # create it
                self._switch(gen)
        self.generation = gen
        self._open(gen)

    # -- generations
    def _lock(self) -> contextlib.AbstractContextManager[None]:
        @contextlib.contextmanager
        def cm() -> Iterator[None]:
            with open(self.path / ".lock", "w") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)

        return cm()

    def _current(self) -> str | None:
        f = self.path / "CURRENT"
        if not f.exists():
            return None
        name = f.read_text().strip()
        if not name or not (self.path / name).is_dir():
            raise StoreError(f"{f}: names generation {name!r}, which is missing")
        return name

    def _new_generation_name(self) -> str:
        nums = [int(p.name[1:]) for p in self.path.glob("g[0-9]*") if p.name[1:].isdigit()]
        return f"g{max(nums, default=0) + 1:06d}"

    def _switch(self, gen: str) -> None:
        tmp = self.path / "CURRENT.tmp"
        with open(tmp, "w") as fh:
            fh.write(gen + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path / "CURRENT")
        dfd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

    def _cleanup(self) -> None:
        """Remove generations left behind by an interrupted or finished batch write."""
        current = None
        with contextlib.suppress(StoreError):
            current = self._current()
        for p in self.path.glob("g[0-9]*"):
            if p.is_dir() and p.name != current and p.name != getattr(self, "generation", None):
                shutil.rmtree(p, ignore_errors=True)
        (self.path / "CURRENT.tmp").unlink(missing_ok=True)

    def _open(self, gen: str) -> None:
        loc = str(self.path / gen)
        self.store = ox.Store.read_only(loc) if self.read_only else ox.Store(loc)

    # -- queries
    def _query(self, query: str, bindings: Mapping[str, Any] | None) -> Any:
        try:
            return self.store.query(bind_values(query, bindings), use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc

    def select(self, query: str, bindings: Mapping[str, Any] | None = None) -> Rows:
        res = self._query(query, bindings)
        if not isinstance(res, ox.QuerySolutions):
            raise QueryError("not a SELECT query")
        names = [v.value for v in res.variables]
        return Rows(names, [{n: _to_rdflib(sol[n]) for n in names} for sol in res])

    def ask(self, query: str, bindings: Mapping[str, Any] | None = None) -> bool:
        return bool(self._query(query, bindings))

    def construct(self, query: str, bindings: Mapping[str, Any] | None = None) -> Graph:
        g = Graph()
        for t in self._query(query, bindings):
            g.add((_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)))
        return g

    def raw_query(self, query: str, bindings: Mapping[str, Any] | None = None) -> Any:
        """pyoxigraph's own result object (serialises itself; used by the SPARQL endpoint)."""
        return self._query(query, bindings)

    @property
    def version(self) -> Hashable:
        return self.generation, self._written

    def update(self, update: str, *, annotation: bool = False) -> None:
        if self.read_only:
            raise StoreError(f"{self.url} is open read-only")
        try:
            self.store.update(update)
        except SyntaxError as exc:
            raise QueryError(str(exc)) from exc
        finally:
            if not annotation:
                self._wrote()

    def replace(self, nquads: bytes, drop_graphs: Iterable[str] = ()) -> None:
        with self.batch() as b:
            b.drop(drop_graphs)
            b.add(nquads)

    def batch(self) -> OxigraphBatch:
        return OxigraphBatch(self)

    def dump(self, out: IO[bytes], fmt: str = "nquads") -> None:
        if fmt == "nquads":
            self.store.dump(out, ox.RdfFormat.N_QUADS)
        else:
            g = self.construct("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            out.write(g.serialize(format=fmt, encoding="utf-8"))

    def graph_names(self) -> set[str]:
        return {g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)}

    def triples(
        self, subject: Node | None = None, predicate: Node | None = None, obj: Node | None = None,
        limit: int | None = None, graph: str | None = None,
    ) -> Iterator[tuple[Node, Node, Node]]:
        pattern = [to_oxigraph(as_term(t)) if t is not None else None for t in (subject, predicate, obj)]
        g = ox.NamedNode(graph_term(graph)) if graph is not None else None
        st = getattr(self, "store", None)  # the live generation (a batch's commit swaps it)
        if st is None:
            raise StoreError(f"{self.url} is closed")
        for q in itertools.islice(st.quads_for_pattern(*pattern, g), limit):
            yield _to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object)  # type: ignore[misc]

    def close(self) -> None:
        if hasattr(self, "store"):
            self.store.flush() if not self.read_only else None
            del self.store


class OxigraphBatch(Batch):
    """A batch written into a new Oxigraph generation, switched in by `commit`.

    The new generation is built one of two ways, chosen by how much of the store it replaces:

    * **checkpoint**: the live generation is checkpointed into the new folder (hard links,
      cheap) and the dropped graphs are removed there one at a time (0.5 ms a graph alone, up
      to 2.3 ms between bulk loads at 172k species: minutes to replace all 660k graphs);
    * **rebuild**: the new folder starts empty, the chunks are bulk-loaded into it as on a first
      ingest, and at commit the graphs the batch did not drop (and the default graph) are copied
      over from the live generation (read back at 10-20 us a quad, ~0.5 ms a graph), bulk-loaded.

    A batch that commits before it has `DIRECT_BYTES` of data knows every drop when it starts
    writing: it rebuilds when it drops at least `REBUILD_FRACTION` of the store's named graphs.
    A larger batch starts its loader earlier, with only its first drops known: when fewer than
    `REBUILD_HITS` of the graphs dropped so far are in the store (a first ingest or another
    download) it streams into a checkpoint at once; otherwise (a re-ingest) it buffers up to
    `DECIDE_BYTES` first, then rebuilds. If at commit it dropped fewer than `REBUILD_FRACTION` of
    the store's graphs after all, the loaded data is copied into a checkpoint with those graphs
    removed instead.

    The chunks are streamed through a pipe into one `bulk_load` per run of `add`s, running in a
    loader thread (pyoxigraph releases the GIL, so Rust indexes while Python builds the next
    chunk; memory stays bounded by the pipe). `CURRENT` is switched only at commit: a crash
    before it leaves the old graph, and the half-written generations are removed on the next
    open. Small batches skip the thread.
    """

    DIRECT_BYTES = 8 * 1024 * 1024  # below this, one plain bulk_load of the bytes
    # a batch that bulk-loaded at least this much is compacted before it is switched in: a bulk
    # load leaves ~140 SST files at 172k species, and every random look-up then costs 150-250 us
    # (33 us compacted; queries 2-7x faster). 55 s at 172k species, done before CURRENT moves,
    # so a crash during it still leaves the old graph.
    OPTIMIZE_BYTES = 256 * 1024 * 1024
    # rebuild when the batch drops at least this share of the store's named graphs: copying a
    # kept graph costs about what removing a dropped one does (`benchmarks/ingest.py --reingest`
    # at 17k species: 25 % replaced, checkpoint 22.7 s / rebuild 27.1 s; 50 %: 21.9 / 26.4 s;
    # all: 48.0 / 33.6 s)
    REBUILD_FRACTION = 0.5
    REBUILD_HITS = 0.5  # share of the first drops held by the store that starts a rebuild
    # ... once this much is buffered (~280 bytes a quad: a re-ingest of up to ~11k species is
    # seen whole, and chooses by its share of the store's graphs; at 172k species copying the
    # data of 8,600 into a checkpoint after a rebuild was begun cost 85 s against 33 s)
    DECIDE_BYTES = 320 * 1024 * 1024
    # fewer replaced graphs than this are removed in a checkpoint (at most ~2 s), and the store's
    # graphs are not listed (a few seconds at 172k species): small writes stay cheap
    REBUILD_MIN_GRAPHS = 1000
    COPY_GRAPHS = 2000  # graphs serialised at a time when copying

    def __init__(self, owner: OxigraphStore) -> None:
        if owner.read_only:
            raise StoreError(f"{owner.url} is open read-only")
        self.owner = owner
        self._lock = owner._lock()
        self._lock.__enter__()
        try:
            owner.store.flush()
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        self.mode = ""  # "checkpoint" or "rebuild", chosen when data first goes in
        self.name = ""
        self.staged: ox.Store | None = None
        self.folders: list[Path] = []  # generation folders made by this batch
        self.dropped: set[str] = set()
        self.replaced: set[str] = set()  # dropped graphs that the live generation holds
        self._existing: set[str] | None = None  # named graphs of the live generation
        self._pending: list[bytes] = []
        self._pending_size = 0
        self.loaded_bytes = 0
        self._pipe: IO[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.closed = False

    @property
    def live(self) -> ox.Store:
        """The generation being replaced (readers keep using it until the switch); not held by
        the batch, so closing the store releases it even while an error holds the batch."""
        return self.owner.store

    def _check_open(self) -> None:
        if self.closed:
            raise StoreError("batch is already committed or aborted")

    def _existing_graphs(self) -> set[str]:
        if self._existing is None:
            self._existing = {g.value for g in self.live.named_graphs() if isinstance(g, ox.NamedNode)}
        return self._existing

    def _held(self, names: list[str]) -> list[str]:
        """The graphs among `names` that the live generation holds."""
        if self._existing is None and len(names) < self.REBUILD_MIN_GRAPHS:
            return [g for g in names if self.live.contains_named_graph(ox.NamedNode(g))]
        existing = self._existing_graphs()
        return [g for g in names if g in existing]

    def _choose(self, every_drop_known: bool) -> str:
        if len(self.replaced) < max(self.REBUILD_MIN_GRAPHS, 1):
            return "checkpoint"
        if every_drop_known:
            share = len(self.replaced) / len(self._existing_graphs())
            return "rebuild" if share >= self.REBUILD_FRACTION else "checkpoint"
        return "rebuild" if len(self.replaced) >= self.REBUILD_HITS * len(self.dropped) else "checkpoint"

    def _begin(self, mode: str) -> ox.Store:
        """Make the new generation folder: a checkpoint without the replaced graphs, or empty."""
        name = self.owner._new_generation_name()
        path = self.owner.path / name
        self.folders.append(path)
        if mode == "checkpoint":
            self.live.backup(str(path))
        st = ox.Store(str(path))
        if mode == "checkpoint":
            for g in self.replaced:
                st.remove_graph(ox.NamedNode(g))
        self.mode, self.name, self.staged = mode, name, st
        return st

    def _staged(self) -> ox.Store:
        self._check_open()
        if self.staged is None:  # data goes in before commit: only the first drops are known
            return self._begin(self._choose(every_drop_known=False))
        return self.staged

    def drop(self, graphs: Iterable[str]) -> None:
        """Drop the graphs that the live generation holds and this batch has not dropped yet.

        Graphs that are new (a first ingest) are only noted. In a checkpoint the graphs are
        removed (after what earlier chunks wrote is loaded); a rebuild just does not copy them.
        """
        self._check_open()
        names = [g for g in dict.fromkeys(graphs) if g not in self.dropped]
        self.dropped.update(names)
        old = self._held(names)
        self.replaced.update(old)
        if not old or self.mode != "checkpoint":
            return  # not begun yet (removed when the checkpoint is made) or a rebuild
        self._flush_loads()
        st = self._staged()
        for g in old:
            st.remove_graph(ox.NamedNode(g))

    def add(self, nquads: bytes) -> None:
        self._check_open()
        self.loaded_bytes += len(nquads)
        if self._pipe is not None:
            self._write(nquads)
            return
        self._pending.append(nquads)
        self._pending_size += len(nquads)
        if self._pending_size < self.DIRECT_BYTES:
            return
        if (self.staged is None and self._pending_size < self.DECIDE_BYTES
                and self._choose(every_drop_known=False) == "rebuild"):
            return  # a re-ingest: buffer on, so that a small one is seen whole before choosing
        self._start_loader(self.lenient)
        pending, self._pending, self._pending_size = self._pending, [], 0
        for data in pending:
            self._write(data)

    def _write(self, data: bytes) -> None:
        assert self._pipe is not None
        try:
            self._pipe.write(data)
        except BrokenPipeError:
            self._flush_loads()  # raises the loader's own error
            raise StoreError("the bulk loader stopped reading") from None

    def _start_loader(self, lenient: bool) -> None:
        st = self._staged()
        rfd, wfd = os.pipe()
        with contextlib.suppress(OSError, AttributeError):
            fcntl.fcntl(wfd, fcntl.F_SETPIPE_SZ, 1 << 20)

        def load() -> None:
            try:
                st.bulk_load(path=f"/dev/fd/{rfd}", format=ox.RdfFormat.N_QUADS, lenient=lenient)
            except BaseException as exc:  # re-raised in the writing thread
                self._error = exc
            finally:
                os.close(rfd)  # a writer still writing now gets EPIPE instead of blocking

        self._error = None
        self._thread = threading.Thread(target=load, name="oxigraph-bulk-load", daemon=True)
        self._thread.start()
        self._pipe = os.fdopen(wfd, "wb", buffering=1 << 20)

    def _flush_loads(self) -> None:
        """Finish the running bulk load (or load the small pending bytes); raise its error."""
        if self._pipe is not None:
            with contextlib.suppress(BrokenPipeError):
                self._pipe.close()
            self._pipe = None
            assert self._thread is not None
            self._thread.join()
            self._thread = None
            err, self._error = self._error, None
        elif self._pending:
            data, self._pending, self._pending_size = b"".join(self._pending), [], 0
            err = None
            try:
                self._staged().bulk_load(data, ox.RdfFormat.N_QUADS, lenient=self.lenient)
            except SyntaxError as exc:
                err = exc
        else:
            return
        if isinstance(err, SyntaxError):
            raise StoreError(f"batch is not valid N-Quads: {err}") from err
        if err is not None:
            raise err

    def _copy(self, source: ox.Store, graphs: list[Any]) -> None:
        """Bulk-load these graphs of `source` (a store this batch does not write) into the new
        generation, a few thousand graphs per serialised chunk."""
        self._start_loader(True)  # quads read back from a store are valid
        for i in range(0, len(graphs), self.COPY_GRAPHS):
            quads = itertools.chain.from_iterable(
                source.quads_for_pattern(None, None, None, g) for g in graphs[i : i + self.COPY_GRAPHS]
            )
            data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
            self.loaded_bytes += len(data)
            self._write(data)
        self._flush_loads()

    def _finish_rebuild(self) -> None:
        """Copy the graphs kept from the live generation, or, when the batch replaced few graphs
        after all, copy what it loaded into a checkpoint without the replaced graphs."""
        existing = self._existing_graphs()
        if len(self.replaced) >= self.REBUILD_FRACTION * len(existing):
            kept = [ox.NamedNode(g) for g in sorted(existing - self.replaced)]
            self._copy(self.live, [ox.DefaultGraph(), *kept])
            return
        loaded = self._staged()
        self._begin("checkpoint")
        self._copy(loaded, [ox.DefaultGraph(), *loaded.named_graphs()])
        del loaded

    def commit(self) -> None:
        try:
            self._check_open()
            if self.staged is None:
                self._begin(self._choose(every_drop_known=True))
            self._flush_loads()
            if self.mode == "rebuild":
                self._finish_rebuild()
            self._staged().flush()
            if self.loaded_bytes >= self.OPTIMIZE_BYTES:
                self._staged().optimize()
        except BaseException:
            self.abort()
            raise
        self.staged = None
        self.closed = True
        owner = self.owner
        try:
            owner._switch(self.name)
            old = owner.generation
            # open the new generation, then swap it in with one assignment: concurrent
            # readers always see an open store (the old one stays valid until dropped)
            owner._open(self.name)
            owner.generation = self.name
            owner._wrote()
            for path in [owner.path / old, *self.folders]:
                if path.name != self.name:
                    shutil.rmtree(path, ignore_errors=True)
        finally:
            self._lock.__exit__(None, None, None)

    def abort(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._pipe is not None:
            with contextlib.suppress(OSError):
                self._pipe.close()
            self._pipe = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.staged = None
        self._pending = []
        for path in self.folders:
            shutil.rmtree(path, ignore_errors=True)
        self._lock.__exit__(None, None, None)


# --------------------------------------------------------------------------- remote


class SparqlStore(Store):
    """Any SPARQL 1.1 Protocol server. Bound values are sent as a VALUES block."""

    def __init__(self, query_url: str, update_url: str | None = None, timeout: float = 60.0):
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.url = f"sparql:{query_url}" + (f",{update_url}" if update_url else "")
        self.client = httpx.Client(timeout=timeout)

    def _post_query(self, query: str, accept: str) -> httpx.Response:
        # form-encoded POST: the one request form every SPARQL 1.1 server accepts
        # (Virtuoso 7.2 hangs on a direct application/sparql-query body)
        r = self.client.post(self.query_url, data={"query": query}, headers={"Accept": accept})
        if r.status_code == 400:
            raise QueryError(r.text[:2000])
        if r.status_code >= 300:
            raise StoreError(f"{self.query_url}: HTTP {r.status_code}: {r.text[:500]}")
        return r

    def select(self, query: str, bindings: Mapping[str, Any] | None = None) -> Rows:
        r = self._post_query(bind_values(query, bindings), "application/sparql-results+json")
        data = r.json()
        names = data["head"]["vars"]
        return Rows(
            names, [{n: _json_term(b.get(n)) for n in names} for b in data["results"]["bindings"]]
        )

    def ask(self, query: str, bindings: Mapping[str, Any] | None = None) -> bool:
        r = self._post_query(bind_values(query, bindings), "application/sparql-results+json")
        return bool(r.json()["boolean"])

    def construct(self, query: str, bindings: Mapping[str, Any] | None = None) -> Graph:
        r = self._post_query(bind_values(query, bindings), "application/n-triples")
        g = Graph()
        g.parse(data=r.content, format="nt")
        return g

    def _post_update(self, update: str) -> None:
        r = self.client.post(self.update_url, data={"update": update})
        if r.status_code == 400:
            raise QueryError(r.text[:2000])
        if r.status_code >= 300:
            raise StoreError(f"{self.update_url}: HTTP {r.status_code}: {r.text[:500]}")

    def update(self, update: str, *, annotation: bool = False) -> None:
        try:
            self._post_update(update)
        finally:
            if not annotation:
                self._wrote()

    # The server is written by other processes too (several API workers, an ingest), so the
    # version is read from it: every write through a SparqlStore then replaces one token triple,
    # in a graph of its own outside the data graphs. Writes that bypass assess2plan (the
    # server's bulk loader, another tool) do not change it.
    _VERSION = URIRef(iris.STORE_VERSION)
    _READ_VERSION = "SELECT ?v WHERE { GRAPH ?g { ?g ?p ?v } }"

    def _wrote(self) -> None:
        super()._wrote()
        token = Literal(f"{os.getpid()}-{uuid.uuid4().hex}")
        self._post_update(
            f"DROP SILENT GRAPH {self._VERSION.n3()} ;\n"
            f"INSERT DATA {{ GRAPH {self._VERSION.n3()} {{ {self._VERSION.n3()} {RDF.value.n3()} "
            f"{token.n3()} }} }}"
        )

    @property
    def version(self) -> Hashable:
        """This object's last write and the token on the server (one bound one-row query)."""
        rows = self.select(self._READ_VERSION, {"g": self._VERSION, "p": RDF.value})
        return self._written, tuple(sorted(str(r["v"]) for r in rows))

    INSERT_CHUNK = 1000  # triples per INSERT DATA; Virtuoso's compiler runs out near 5,000

    def replace(self, nquads: bytes, drop_graphs: Iterable[str] = ()) -> None:
        """Drop the graphs, then INSERT DATA in chunks.

        A remote server applies each request as its own transaction, so a batch larger than
        one chunk is not atomic here: load large graphs with the server's bulk loader from
        the `a2p export` dump (scripts/virtuoso.sh load) instead.
        """
        try:
            quads = list(ox.parse(nquads, ox.RdfFormat.N_QUADS))
        except SyntaxError as exc:
            raise StoreError(f"batch is not valid N-Quads: {exc}") from exc
        drops = [f"DROP SILENT GRAPH <{g}>" for g in drop_graphs]
        try:
            for i in range(0, len(drops), 200):
                self._post_update(" ;\n".join(drops[i : i + 200]))
            for i in range(0, len(quads), self.INSERT_CHUNK):
                by_graph: dict[str, list[str]] = {}
                for q in quads[i : i + self.INSERT_CHUNK]:
                    if not isinstance(q.graph_name, ox.NamedNode):
                        raise StoreError("remote batches must put every quad in a named graph")
                    by_graph.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
                body = "\n".join(f"GRAPH {g} {{\n" + "\n".join(ts) + "\n}" for g, ts in by_graph.items())
                self._post_update("INSERT DATA {\n" + body + "\n}")
        finally:
            self._wrote()  # once, after the last chunk

    # A remote server is shared: assess2plan only reads back, counts and dumps its own graphs
    _OURS = f'FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}"))'

    def dump(self, out: IO[bytes], fmt: str = "nquads") -> None:
        rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } " + self._OURS + " }")
        ds = Dataset()
        for r in rows:
            ds.add((r["s"], r["p"], r["o"], r["g"]))
        out.write(ds.serialize(format="nquads" if fmt == "nquads" else fmt, encoding="utf-8"))

    def graph_names(self) -> set[str]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } " + self._OURS + " }")
        return {str(r["g"]) for r in rows}

    def count(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } " + self._OURS + " }")
        return int(python_value(rows.rows[0]["n"]))

    def close(self) -> None:
        self.client.close()


def _json_term(b: dict[str, str] | None) -> Node | None:
    if b is None:
        return None
    t = b["type"]
    if t == "uri":
        return URIRef(b["value"])
    if t == "bnode":
        return BNode(b["value"])
    if "xml:lang" in b:
        return Literal(b["value"], lang=b["xml:lang"])
    dt = b.get("datatype")
    if dt and dt != str(XSD.string):
        return Literal(b["value"], datatype=URIRef(dt))
    return Literal(b["value"])


# --------------------------------------------------------------------------- factory


def open_store(url: str | None = None, *, read_only: bool = False) -> Store:
    """Open a store from its URL (see module docstring)."""
    url = url or os.environ.get("A2P_STORE") or DEFAULT_STORE_URL
    scheme, _, rest = url.partition(":")
    if scheme == "memory":
        return MemoryStore()
    if scheme == "oxigraph":
        if not rest:
            raise StoreError("oxigraph: needs a directory, e.g. oxigraph:var/graph")
        return OxigraphStore(rest, read_only=read_only)
    if scheme == "sparql":
        query_url, _, update_url = rest.partition(",")
        if not query_url.startswith(("http://", "https://")):
            raise StoreError(f"sparql: needs an http(s) query URL, got {rest!r}")
        return SparqlStore(query_url, update_url or None)
    raise StoreError(f"unknown store URL {url!r}: use oxigraph:PATH, memory: or sparql:URL")


def results_json(rows: Rows) -> str:
    """SPARQL 1.1 JSON results for a Rows object."""

    def term(t: Node) -> dict[str, str]:
        if isinstance(t, URIRef):
            return {"type": "uri", "value": str(t)}
        if isinstance(t, BNode):
            return {"type": "bnode", "value": str(t)}
        d = {"type": "literal", "value": str(t)}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype:
            d["datatype"] = str(t.datatype)
        return d

    return json.dumps(
        {
            "head": {"vars": rows.vars},
            "results": {
                "bindings": [{k: term(v) for k, v in r.items() if v is not None} for r in rows]
            },
        }
    )
