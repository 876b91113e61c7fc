"""api.services.queries — the service's own SPARQL files (api/queries/*.rq), run with bound values.

Kept beside the service rather than in kg/queries because they answer page-shaped questions
(one taxon's datasheet, comments, suggestions, the search index) and each kg library query
carries a golden test; user input is always bound (kg.store.bind_values), never pasted.

`values()` returns plain Python values (str for IRIs, int/float/bool/date for typed
literals). On an Oxigraph store it reads pyoxigraph's own results (`raw_query`) and skips
the rdflib term objects, which are the most expensive part of a small query.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kg.store import OxigraphStore, Store, python_value

QUERY_DIR = Path(__file__).resolve().parents[1] / "queries"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INT = {_XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger",
                           "positiveInteger", "negativeInteger", "nonPositiveInteger")}
_FLOAT = {_XSD + "decimal", _XSD + "double", _XSD + "float"}


@cache
def text(name: str) -> str:
    path = QUERY_DIR / f"{name}.rq"
    return path.read_text(encoding="utf-8")


def _bound(bindings: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in bindings.items() if v is not None}


def ox_value(t: Any) -> Any:
    """A pyoxigraph term as a Python value (same conventions as kg.store.python_value)."""
    if t is None:
        return None
    if isinstance(t, ox.Literal):
        dt = t.datatype.value
        v = t.value
        try:
            if dt in _INT:
                return int(v)
            if dt in _FLOAT:
                return float(v)
            if dt == _XSD + "boolean":
                return v in ("true", "1")
            if dt == _XSD + "date":
                return date.fromisoformat(v)
            if dt == _XSD + "dateTime":
                return datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            return v
        return v
    return t.value


def values(store: Store, name: str, **bindings: Any) -> list[dict[str, Any]]:
    """Rows of a SELECT as dicts of Python values (unbound = None)."""
    return select_text(store, text(name), **bindings)


def select_text(store: Store, query: str, **bindings: Any) -> list[dict[str, Any]]:
    if isinstance(store, OxigraphStore):
        res = store.raw_query(query, _bound(bindings))
        names = [v.value for v in res.variables]
        return [{n: ox_value(sol[n]) for n in names} for sol in res]
    rows = store.select(query, _bound(bindings))
    return [{k: python_value(v) for k, v in r.items()} for r in rows.rows]


def ask(store: Store, name: str, **bindings: Any) -> bool:
    return store.ask(text(name), _bound(bindings))


def construct(store: Store, name: str, **bindings: Any) -> Graph:
    return store.construct(text(name), _bound(bindings))


def graph_triples(store: Store, graph: str) -> list[tuple[str, str, Any]]:
    """(subject, predicate, object value) of every triple in one named graph
    (`Store.triples(graph=)`: an index scan on the embedded stores, a bound SELECT on a remote one).

    IRIs are str; literals are Python values, except plain strings, which are `Text` so
    they can be told apart from IRIs.
    """
    return [(str(s), str(p), _value(o)) for s, p, o in store.triples(graph=graph)]


def _value(o: Any) -> Any:
    """An rdflib object term as `graph_triples` gives it: a plain string literal as Text."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    plain = isinstance(o, Literal) and (o.datatype in (None, XSD.string) or bool(o.language))
    return Text(str(o)) if plain else python_value(o)


def subject_triples(store: Store, subject: str) -> list[tuple[str, str, Any]]:
    """(subject, predicate, object value) of every statement about `subject`, in any graph."""
    from rdflib import URIRef

    q = text("about_taxon")
    if isinstance(store, OxigraphStore):
        res = store.raw_query(q, {"taxon": URIRef(subject)})
        return [
            (subject, sol["p"].value,
             Text(sol["o"].value) if isinstance(sol["o"], ox.Literal) and _plain(sol["o"])
             else ox_value(sol["o"]))
            for sol in res
        ]
    return [(subject, str(r["p"]), _value(r["o"])) for r in store.select(q, {"taxon": URIRef(subject)}).rows]


class Text(str):
    """A plain string literal (as opposed to an IRI) read by `graph_triples`."""


def _plain(lit: Any) -> bool:
    return bool(lit.language) or lit.datatype.value in (
        _XSD + "string",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    )
