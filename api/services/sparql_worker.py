"""api.services.sparql_worker — the body of one SPARQL query process (spawned, killable).

Oxigraph has no query timeout and no cancellation, and a pathological query can grow
without bound or even crash the engine. So /sparql runs user queries here, in a separate
process that opens the store read-only: the server kills it when the time limit passes,
its memory passes the limit, or the client goes away, and starts a fresh one.

Imports only the standard library, pyoxigraph and the serialisers, so it starts fast.
"""

from __future__ import annotations

import time
import traceback
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from api.services.sparql_results import (
    GRAPH_FORMATS,
    TRUNCATION_MARKABLE,
    negotiate,
    serialize_ask,
    serialize_select,
    truncation_note,
)

CHECK_EVERY = 512  # rows between deadline checks

GRAPH_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
PREFIXES = {
    "a2p": "https://w3id.org/assess2plan/ontology#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "prov": "http://www.w3.org/ns/prov#",
}


class DeadlineError(Exception):
    pass


def term(t: Any) -> tuple[str, ...] | None:
    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return ("uri", t.value)
    if isinstance(t, ox.BlankNode):
        return ("bnode", t.value)
    if isinstance(t, ox.Literal):
        return ("literal", t.value, t.datatype.value, t.language or "")
    return ("literal", str(t), "", "")  # RDF-star triple terms: shown as text


def execute(store: Any, job: dict[str, Any]) -> dict[str, Any]:
    """Run one query job; returns {status, media, body, truncated} or an error dict."""
    deadline = job["deadline"]
    cap = job["row_cap"]
    kwargs: dict[str, Any] = {}
    try:
        if job.get("default_graphs"):
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
        else:
            kwargs["use_default_graph_as_union"] = True
        if job.get("named_graphs"):
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    except ValueError as exc:
        return {"error": 400, "title": "invalid graph IRI",
                "detail": f"default-graph-uri / named-graph-uri: {exc}"}
    try:
        res = store.query(job["query"], **kwargs)
    except SyntaxError as exc:
        return {"error": 400, "title": "malformed SPARQL query", "detail": str(exc)}
    except (OSError, ValueError, TypeError) as exc:
        return {"error": 400, "title": "query failed", "detail": str(exc)}

    if isinstance(res, ox.QueryBoolean):
        fmt = negotiate(job["accept"], graph=False, fmt=job.get("format"))
        if fmt is None:
            return _not_acceptable(False)
        return _ok(fmt, False, serialize_ask(fmt, bool(res)), None)

    if isinstance(res, ox.QuerySolutions):
        fmt = negotiate(job["accept"], graph=False, fmt=job.get("format"))
        if fmt is None:
            return _not_acceptable(False)
        names = [v.value for v in res.variables]
        variables = list(res.variables)
        rows: list[list[tuple[str, ...] | None]] = []
        truncated = None
        for i, sol in enumerate(res):
            if i % CHECK_EVERY == 0 and time.monotonic() > deadline:
                raise DeadlineError
            if i >= cap:
                truncated = cap
                break
            rows.append([term(sol[v]) for v in variables])
        if truncated is not None and fmt not in TRUNCATION_MARKABLE:
            return _too_many(cap, fmt)
        return _ok(fmt, False, serialize_select(fmt, names, rows, truncated), truncated)

    # CONSTRUCT / DESCRIBE
    fmt = negotiate(job["accept"], graph=True, fmt=job.get("format"))
    if fmt is None:
        return _not_acceptable(True)
    triples = []
    truncated = None
    for i, t in enumerate(res):
        if i % CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise DeadlineError
        if i >= cap:
            truncated = cap
            break
        triples.append(t)
    if truncated is not None and fmt not in TRUNCATION_MARKABLE:
        return _too_many(cap, fmt)
    body = ox.serialize(triples, format=GRAPH_RDF_FORMATS[fmt], prefixes=PREFIXES) or b""
    if fmt == "ntriples":
        body = ox.serialize(triples, format=GRAPH_RDF_FORMATS[fmt]) or b""
    if truncated is not None:
        body += f"\n# TRUNCATED: {truncation_note(cap)}\n".encode()
    return _ok(fmt, True, body, truncated)


def _ok(fmt: str, graph: bool, body: bytes, truncated: int | None) -> dict[str, Any]:
    from api.services.sparql_results import SELECT_FORMATS

    media = (GRAPH_FORMATS if graph else SELECT_FORMATS)[fmt]
    return {"status": 200, "media": media, "body": body, "truncated": truncated}


def _not_acceptable(graph: bool) -> dict[str, Any]:
    from api.services.sparql_results import SELECT_FORMATS

    kinds = GRAPH_FORMATS if graph else SELECT_FORMATS
    return {
        "error": 406,
        "title": "no acceptable result format",
        "detail": "this query's results are available as " + ", ".join(kinds.values()),
    }


def _too_many(cap: int, fmt: str) -> dict[str, Any]:
    return {
        "error": 422,
        "title": "result exceeds the row cap",
        "detail": f"the result has more than {cap} rows and {fmt} has no way to mark a "
        "truncated result. Page with ORDER BY ... LIMIT/OFFSET, narrow the query, or ask for "
        "SPARQL JSON or XML, which carry an explicit truncation marker.",
    }


def main(conn: Connection, location: str) -> None:
    """Serve query jobs from the server until the pipe closes. `location`: generation dir."""
    store = None
    opened_epoch = None
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if store is None or job["epoch"] != opened_epoch or job["location"] != location:
                location = job["location"]
                store = None
                store = ox.Store.read_only(location)
                opened_epoch = job["epoch"]
            result = execute(store, job)
        except DeadlineError:
            result = {"error": "timeout"}
        except MemoryError:
            result = {"error": "memory"}
        except Exception as exc:  # noqa: BLE001 - reported to the server, never to the client
            result = {"error": 500, "title": "query engine error", "detail": str(exc),
                      "trace": traceback.format_exc(limit=5)}
        try:
            conn.send(result)
        except (BrokenPipeError, OSError):
            return


if __name__ == "__main__":
    import os
    import signal
    import sys

    # Ctrl-C in a terminal reaches the whole process group; the server stops its workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    main(Connection(int(sys.argv[1])), sys.argv[2])
    os._exit(0)
