"""api.services.sparql — the SPARQL 1.1 Protocol endpoint's engine: limits, processes, updates.

Queries against an Oxigraph store run in a small pool of spawned processes that open the
store read-only (`ProcessEngine`): the server kills a process when the query passes the time
limit, when its resident memory passes the limit, or when the client disconnects, so a
runaway query never outlives its request. Other stores (memory:, sparql:) run the query in
a thread (`ThreadEngine`): the client still gets the time-limit error, but an in-process
rdflib query cannot be killed; use them for tests and small graphs, or rely on the remote
server's own limits.

Before any engine sees it, the text is screened (`screen`): length, nesting depth (deep
nesting crashes Oxigraph's parser) and federated SERVICE (the engine would fetch arbitrary
URLs on the server's behalf).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from rdflib import BNode, Literal, URIRef

from api.services import sparql_results as results
from kg.store import OxigraphStore, QueryError, Store, StoreError

log = logging.getLogger("a2p.sparql")


class SparqlError(Exception):
    """A client-visible failure with an HTTP status, a title and a detail message."""

    def __init__(self, status: int, title: str, detail: str = "") -> None:
        super().__init__(f"{title}: {detail}" if detail else title)
        self.status = status
        self.title = title
        self.detail = detail


@dataclass
class SparqlResult:
    media_type: str
    body: bytes
    truncated_at: int | None = None
    status: int = 200


Disconnected = Callable[[], Awaitable[bool]]


# --------------------------------------------------------------------------- screening

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE | re.DOTALL,
)
_QUERY_FORMS = {"select", "construct", "describe", "ask"}
_UPDATE_OPS = {"insert", "delete", "load", "clear", "create", "drop", "copy", "move", "add"}


@dataclass(frozen=True)
class Screened:
    form: str  # select | construct | describe | ask | update | unknown
    depth: int
    keywords: frozenset[str]


def screen(text: str, *, max_chars: int, max_depth: int, update: bool = False) -> Screened:
    """Cheap lexical checks done before the engine parses the text (raise SparqlError)."""
    if len(text) > max_chars:
        raise SparqlError(
            413,
            "SPARQL text too long",
            f"{len(text)} characters; the limit is {max_chars} (A2P_SPARQL_MAX_QUERY_CHARS)",
        )
    if not text.strip():
        raise SparqlError(400, "empty SPARQL " + ("update" if update else "query"))
    depth = max_seen = 0
    keywords: set[str] = set()
    form = "unknown"
    prev = ""
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
            if depth > max_seen:
                max_seen = depth
                if max_seen > max_depth:
                    raise SparqlError(
                        400,
                        "SPARQL nesting too deep",
                        f"more than {max_depth} nested brackets or braces "
                        "(A2P_SPARQL_MAX_NESTING)",
                    )
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "word":
            w = m.group().lower()
            if prev == "?" or prev == "$":
                continue
            keywords.add(w)
            if form == "unknown" and depth == 0 and w in _QUERY_FORMS | _UPDATE_OPS | {"with"}:
                form = "update" if w in _UPDATE_OPS | {"with"} else w
        prev = text[m.start() - 1] if m.start() else ""
    if "service" in keywords:
        raise SparqlError(
            400,
            "federated query refused",
            "SERVICE is not allowed on this endpoint (it would make the server fetch URLs)",
        )
    if update and "load" in keywords:
        raise SparqlError(
            400, "LOAD refused", "load data with `a2p ingest`, not SPARQL LOAD on the server"
        )
    return Screened(form, max_seen, frozenset(keywords))


def check_token(configured: str | None, authorization: str | None) -> bool:
    """Constant-time check of `Authorization: Bearer <token>` against the configured token."""
    if not configured or not authorization:
        return False
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), configured.encode())


# --------------------------------------------------------------------------- engines


@dataclass
class Job:
    query: str
    accept: str | None
    format: str | None
    default_graphs: list[str]
    named_graphs: list[str]


class Engine:
    timeout: float
    row_cap: int

    async def run(self, job: Job, disconnected: Disconnected | None = None) -> SparqlResult:
        raise NotImplementedError

    def invalidate(self) -> None:
        """The store changed: reopen what needs reopening before the next query."""

    def close(self) -> None:
        pass


def _timeout_problem(seconds: float) -> SparqlError:
    return SparqlError(
        503,
        "query time limit exceeded",
        f"the query ran longer than {seconds:g} s (A2P_SPARQL_TIMEOUT) and was stopped; "
        "narrow it or add LIMIT",
    )


class _Worker:
    """One query process: `python -m api.services.sparql_worker FD`, talking over a socketpair.

    A plain subprocess (not multiprocessing) so that it never re-imports the parent's
    __main__, and so that killing it is just SIGKILL.
    """

    def __init__(self, location: str) -> None:
        parent, child = socket.socketpair()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api.services.sparql_worker", str(child.fileno()), location],
            pass_fds=(child.fileno(),),
            stdin=subprocess.DEVNULL,
            close_fds=True,
        )
        child.close()
        self.conn = Connection(os.dup(parent.fileno()))
        parent.close()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def rss_mb(self) -> float:
        try:
            with open(f"/proc/{self.proc.pid}/statm") as fh:
                pages = int(fh.read().split()[1])
            return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (OSError, ValueError, IndexError):
            return 0.0

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
            self.proc.wait(timeout=5)
        with contextlib.suppress(Exception):
            self.conn.close()


class ProcessEngine(Engine):
    """Queries in killable read-only processes (Oxigraph stores)."""

    def __init__(
        self, store: OxigraphStore, *, timeout: float, row_cap: int, memory_mb: int, processes: int
    ) -> None:
        self.store = store
        self.timeout = timeout
        self.row_cap = row_cap
        self.memory_mb = memory_mb
        self.processes = processes
        self.epoch = 0
        self.kills: dict[str, int] = {}  # why query processes were killed (for tests, /health)
        self._idle: list[_Worker] = []
        self._count = 0
        self._lock = threading.Lock()
        self._sem: asyncio.Semaphore | None = None
        self._closed = False

    def _location(self) -> str:
        return str(self.store.path / self.store.generation)

    def invalidate(self) -> None:
        with self._lock:
            self.epoch += 1

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                w = self._idle.pop()
                if w.alive():
                    return w
                w.kill()
        return _Worker(self._location())

    def _give_back(self, w: _Worker) -> None:
        with self._lock:
            if not self._closed and w.alive():
                self._idle.append(w)
                return
        w.kill()

    async def run(self, job: Job, disconnected: Disconnected | None = None) -> SparqlResult:
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.processes)
        start = time.monotonic()
        try:
            await asyncio.wait_for(self._sem.acquire(), timeout=self.timeout)
        except TimeoutError:
            raise SparqlError(
                503, "SPARQL endpoint busy", "every query process stayed busy; retry later"
            ) from None
        try:
            return await self._run(job, start, disconnected)
        finally:
            self._sem.release()

    async def _run(self, job: Job, start: float, disconnected: Disconnected | None) -> SparqlResult:
        loop = asyncio.get_running_loop()
        worker = await loop.run_in_executor(None, self._take)
        deadline = start + self.timeout
        payload = {
            "query": job.query,
            "accept": job.accept,
            "format": job.format,
            "default_graphs": job.default_graphs,
            "named_graphs": job.named_graphs,
            "row_cap": self.row_cap,
            "deadline": deadline,
            "epoch": self.epoch,
            "location": self._location(),
        }
        ready = loop.create_future()

        def on_readable() -> None:
            if not ready.done():
                ready.set_result(None)

        fd = worker.conn.fileno()
        keep = False
        reason = "error"
        try:
            worker.conn.send(payload)
            loop.add_reader(fd, on_readable)
            while True:
                try:
                    await asyncio.wait_for(asyncio.shield(ready), timeout=0.2)
                    break
                except TimeoutError:
                    pass
                if not worker.alive():
                    reason = "crashed"
                    raise SparqlError(
                        400,
                        "query crashed the engine",
                        "the query process died while evaluating this query",
                    )
                if time.monotonic() > deadline + 0.5:
                    reason = "timeout"
                    raise _timeout_problem(self.timeout)
                if worker.rss_mb() > self.memory_mb:
                    reason = "memory"
                    raise SparqlError(
                        503,
                        "query memory limit exceeded",
                        f"the query used more than {self.memory_mb} MB (A2P_SPARQL_MEMORY_MB) "
                        "and was stopped; narrow it or add LIMIT",
                    )
                if disconnected is not None and await disconnected():
                    reason = "disconnected"
                    log.info("client went away; query process killed")
                    raise SparqlError(499, "client closed request")
            loop.remove_reader(fd)
            # uvloop leaves the fd non-blocking after add_reader; a large result arrives in
            # several reads, so read it blocking, off the event loop
            os.set_blocking(fd, True)
            try:
                result = await loop.run_in_executor(None, worker.conn.recv)
            except (EOFError, OSError):
                raise SparqlError(
                    400, "query crashed the engine", "the query process died on this query"
                ) from None
            keep = True
        finally:
            with contextlib.suppress(Exception):
                loop.remove_reader(fd)
            if keep:
                self._give_back(worker)
            else:
                worker.kill()
                self.kills[reason] = self.kills.get(reason, 0) + 1
        return _result(result, self.timeout)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for w in idle:
            w.kill()


def _result(result: dict[str, Any], timeout: float) -> SparqlResult:
    err = result.get("error")
    if err == "timeout":
        raise _timeout_problem(timeout)
    if err == "memory":
        raise SparqlError(503, "query memory limit exceeded", "the query ran out of memory")
    if err is not None:
        if err == 500:
            log.error("query engine error: %s\n%s", result.get("detail"), result.get("trace"))
            raise SparqlError(400, "query failed", str(result.get("detail", "")))
        raise SparqlError(int(err), str(result["title"]), str(result.get("detail", "")))
    return SparqlResult(result["media"], result["body"], result.get("truncated"))


def _rdflib_term(t: Any) -> tuple[str, ...] | None:
    if t is None:
        return None
    if isinstance(t, URIRef):
        return ("uri", str(t))
    if isinstance(t, BNode):
        return ("bnode", str(t))
    if isinstance(t, Literal):
        return ("literal", str(t), str(t.datatype or ""), t.language or "")
    return ("literal", str(t), "", "")


class ThreadEngine(Engine):
    """Queries through the Store contract in a worker thread (memory: and sparql: stores).

    The time limit is enforced on the response (the client gets a 503), but an in-process
    rdflib query cannot be interrupted and finishes in the background.
    """

    def __init__(self, store: Store, *, timeout: float, row_cap: int) -> None:
        self.store = store
        self.timeout = timeout
        self.row_cap = row_cap

    async def run(self, job: Job, disconnected: Disconnected | None = None) -> SparqlResult:
        if job.default_graphs or job.named_graphs:
            raise SparqlError(
                400,
                "dataset selection unsupported",
                "default-graph-uri / named-graph-uri need an oxigraph: store",
            )
        form = screen(job.query, max_chars=10**9, max_depth=10**9).form
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(self._execute, job, form), timeout=self.timeout
            )
        except TimeoutError:
            raise _timeout_problem(self.timeout) from None

    def _execute(self, job: Job, form: str) -> SparqlResult:
        cap = self.row_cap
        try:
            if form in ("construct", "describe"):
                fmt = results.negotiate(job.accept, graph=True, fmt=job.format)
                if fmt is None:
                    raise SparqlError(406, "no acceptable result format")
                g = self.store.construct(job.query)
                truncated = cap if len(g) > cap else None
                if truncated is not None and fmt not in results.TRUNCATION_MARKABLE:
                    raise SparqlError(422, "result exceeds the row cap", results.truncation_note(cap))
                if truncated is not None:
                    from rdflib import Graph

                    small = Graph()
                    for i, t in enumerate(g):
                        if i >= cap:
                            break
                        small.add(t)
                    g = small
                rdflib_fmt = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt",
                              "rdfxml": "xml"}[fmt]
                body = g.serialize(format=rdflib_fmt, encoding="utf-8")
                if truncated is not None:
                    body += f"\n# TRUNCATED: {results.truncation_note(cap)}\n".encode()
                return SparqlResult(results.GRAPH_FORMATS[fmt], body, truncated)
            fmt = results.negotiate(job.accept, graph=False, fmt=job.format)
            if fmt is None:
                raise SparqlError(406, "no acceptable result format")
            if form == "ask":
                return SparqlResult(results.SELECT_FORMATS[fmt], results.serialize_ask(fmt, self.store.ask(job.query)))
            rows = self.store.select(job.query)
            truncated = cap if len(rows) > cap else None
            if truncated is not None and fmt not in results.TRUNCATION_MARKABLE:
                raise SparqlError(422, "result exceeds the row cap", results.truncation_note(cap))
            body_rows = [[_rdflib_term(r.get(v)) for v in rows.vars] for r in rows.rows[:cap]]
            return SparqlResult(
                results.SELECT_FORMATS[fmt], results.serialize_select(fmt, rows.vars, body_rows, truncated),
                truncated,
            )
        except QueryError as exc:
            raise SparqlError(400, "malformed SPARQL query", str(exc)) from exc
        except StoreError as exc:
            raise SparqlError(502, "store error", str(exc)) from exc
        except SparqlError:
            raise
        except Exception as exc:  # noqa: BLE001 - rdflib evaluates lazily and raises many types
            # (an invalid REGEX pattern raises re.error while rows are read); as for the
            # query processes, an engine failure on the client's query is the client's 400
            log.warning("query failed in the engine: %r", exc)
            raise SparqlError(400, "query failed", f"{type(exc).__name__}: {exc}") from exc


def make_engine(store: Store, settings: Any) -> Engine:
    if isinstance(store, OxigraphStore):
        return ProcessEngine(
            store,
            timeout=settings.sparql_timeout,
            row_cap=settings.sparql_row_cap,
            memory_mb=settings.sparql_memory_mb,
            processes=settings.sparql_processes,
        )
    return ThreadEngine(store, timeout=settings.sparql_timeout, row_cap=settings.sparql_row_cap)


# --------------------------------------------------------------------------- updates


def run_update(store: Store, text: str, engine: Engine | None) -> None:
    """Run a SPARQL Update on the store (the caller has checked the token)."""
    try:
        store.update(text)
    except QueryError as exc:
        raise SparqlError(400, "malformed SPARQL update", str(exc)) from exc
    except StoreError as exc:
        raise SparqlError(403, "store is read-only", str(exc)) from exc
    except (SyntaxError, OSError, ValueError) as exc:
        raise SparqlError(400, "update failed", str(exc)) from exc
    if engine is not None:
        engine.invalidate()
