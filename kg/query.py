"""kg.query — the query library (kg/queries/*.rq) and how to run it with bound values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.store import Rows, Store, python_value

QUERY_DIR = Path(__file__).resolve().parent / "queries"


@dataclass(frozen=True)
class LibraryQuery:
    name: str
    path: Path
    text: str
    title: str
    description: str
    params: tuple[str, ...]  # variables a caller may bind (documented in the header)


def _parse_header(text: str) -> tuple[str, str, tuple[str, ...]]:
    title, desc, params = "", [], []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if body.lower().startswith("title:"):
            title = body[6:].strip()
        elif body.lower().startswith("param:"):
            params.append(body[6:].strip().split()[0].lstrip("?"))
        elif body:
            desc.append(body)
    return title, " ".join(desc), tuple(params)


@lru_cache(maxsize=1)
def library() -> dict[str, LibraryQuery]:
    out = {}
    for p in sorted(QUERY_DIR.glob("*.rq")):
        text = p.read_text(encoding="utf-8")
        title, desc, params = _parse_header(text)
        out[p.stem] = LibraryQuery(p.stem, p, text, title or p.stem, desc, params)
    return out


_CONCAT = re.compile(r"GROUP_CONCAT\s*\((.*?)\)\s+AS\s+\?(\w+)", re.IGNORECASE)
_SEPARATOR = re.compile(r'separator\s*=\s*"([^"]*)"', re.IGNORECASE)


def concat_columns(name: str) -> dict[str, str]:
    """Variables a library query binds to a GROUP_CONCAT -> their separator.

    The order of the concatenated parts is engine-dependent: result comparisons (golden
    tests, the store contract) sort the parts of these columns.
    """
    out = {}
    for args, var in _CONCAT.findall(library()[name].text):
        sep = _SEPARATOR.search(args)
        out[var] = sep.group(1) if sep else " "
    return out


def resolve(query: str) -> str:
    """A library name, a path to a .rq file, or the query text itself -> query text."""
    lib = library()
    if query in lib:
        return lib[query].text
    if re.fullmatch(r"[\w./-]+\.rq", query.strip()) and Path(query).is_file():
        return Path(query).read_text(encoding="utf-8")
    return query


def run(store: Store, name: str, **bindings: Any) -> Rows:
    """Run a library SELECT with bound values (None values are left unbound)."""
    lib = library()
    if name not in lib:
        raise KeyError(f"no library query {name!r}; known: {', '.join(sorted(lib))}")
    q = lib[name]
    unknown = [k for k in bindings if k not in q.params]
    if unknown:
        raise KeyError(
            f"query {name!r} has no parameter {unknown[0]!r} (has: {', '.join(q.params)})"
        )
    return store.select(q.text, {k: v for k, v in bindings.items() if v is not None})


def scalar(store: Store, name: str, **bindings: Any) -> Any:
    rows = run(store, name, **bindings)
    if not rows.rows:
        return None
    first = rows.rows[0]
    return python_value(first[rows.vars[0]])


def parse_binding(item: str) -> tuple[str, Any]:
    """'name=value' -> (name, Literal value); 'name=<iri>' -> (name, URIRef)."""
    from rdflib import Literal, URIRef

    name, sep, value = item.partition("=")
    name = name.strip().lstrip("?")
    if not sep or not name:
        raise ValueError(f"binding {item!r} is not NAME=VALUE")
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return name, URIRef(value[1:-1])
    return name, Literal(value)


def run_any(store: Store, query: str, bindings: list[str]) -> Rows:
    """A library name, a .rq path or query text, with NAME=VALUE bindings."""
    bound = dict(parse_binding(b) for b in bindings)
    if query in library():
        return run(store, query, **bound)
    return store.select(resolve(query), bound)


def stats(store: Store) -> dict[str, int]:
    """Counts from the `stats` library query."""
    row = run(store, "stats").values()[0]
    return {k: int(v or 0) for k, v in row.items()}
