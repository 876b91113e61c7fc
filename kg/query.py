"""kg.query — the query library (kg/queries/*.rq) and how to run it with bound values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg import iris
from kg.store import QueryError, Rows, Store, python_value
from kg.vocab import A2P, SKOS

QUERY_DIR = Path(__file__).resolve().parent / "queries"
# variants/NAME--PARAM.rq: the same query (columns, rows, order) shaped for PARAM bound, used
# by `run` when it is; no one query shape is fast both with and without a selective value.
# NAME--P1+P2.rq: for P1 and P2 both bound (variants with more parameters are tried first)
VARIANT_DIR = QUERY_DIR / "variants"
MAX_PAGE = 10_000  # rows (or taxa) one page may ask for
# a paged query marks where LIMIT/OFFSET go: a comment line "# PAGE" closing the sub-SELECT
# that picks the page's taxa, so the per-row columns are looked up for that page only
_PAGE = re.compile(r"^[ \t]*#[ \t]*PAGE\b.*$", re.MULTILINE)
# Paged queries whose order starts with a parameter's value (STRATA: query name -> the
# parameter and a SELECT of its values ?v in the query's order): unless the parameter is bound,
# a page is read one value at a time (the query, or its variant, with the value bound), so a
# first page sorts the rows of the first value only. Every row of the query has one of the
# values (the query requires it). A third item names a parameter that must be bound as well.
_CATEGORY_CODES = (  # the codes of the categories scheme, in order
    f"SELECT DISTINCT ?v WHERE {{ ?c {SKOS.inScheme.n3()} <{iris.scheme('categories')}> ; "
    f"{SKOS.notation.n3()} ?v }} ORDER BY ?v"
)
STRATA: dict[str, tuple[str, ...]] = {
    # threat impacts, highest score first (a score is an integer 0-9)
    "species_sharing_threat": (
        "impactScore",
        f"SELECT DISTINCT ?v WHERE {{ ?s {A2P.impactScore.n3()} ?v }} ORDER BY DESC(?v)",
    ),
    # taxa by category code, then name
    "species_by_category": ("categoryCode", _CATEGORY_CODES),
    # one place's threatened taxa by category (the place variant's own three), then name
    "cooccurring_threatened": (
        "category",
        'SELECT ?v WHERE { VALUES ?v { "CR" "EN" "VU" } } ORDER BY ?v',
        "place",
    ),
}
# Variants that start from different bound values (query name -> (variant parameter, COUNT of
# the triples that variant starts from)): a stratum runs the variant whose count is smallest,
# so Oxigraph (which follows a query's text order) starts from the smaller side.
DRIVERS: dict[str, tuple[tuple[str, str], ...]] = {
    "cooccurring_threatened": (
        (
            "place+category",
            f"SELECT (COUNT(*) AS ?n) WHERE {{ ?cat {SKOS.notation.n3()} ?category ; "
            f"{SKOS.inScheme.n3()} <{iris.scheme('categories')}> . ?a {A2P.category.n3()} ?cat }}",
        ),
        ("place", f"SELECT (COUNT(*) AS ?n) WHERE {{ ?occ {A2P.place.n3()} ?place }}"),
    ),
}


@dataclass(frozen=True)
class LibraryQuery:
    name: str
    path: Path
    text: str
    title: str
    description: str
    params: tuple[str, ...]  # variables a caller may bind (documented in the header)
    variants: tuple[tuple[str, str], ...] = ()  # (parameter, text used when it is bound)

    def text_for(self, bound: set[str]) -> str:
        """The text to run with these parameters bound (the first matching variant)."""
        return next((t for p, t in self.variants if set(p.split("+")) <= bound), self.text)

    @property
    def paged(self) -> bool:
        """The query takes `limit`/`offset` (kg.query.run) at its "# PAGE" marker."""
        return _PAGE.search(self.text) is not None


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
        variants = tuple(
            (v.stem.split("--", 1)[1], v.read_text(encoding="utf-8"))
            for v in sorted(VARIANT_DIR.glob(f"{p.stem}--*.rq"), key=lambda v: (-v.stem.count("+"), v.name))
        )
        out[p.stem] = LibraryQuery(p.stem, p, text, title or p.stem, desc, params, variants)
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


def paged_text(q: LibraryQuery, limit: int | None, offset: int = 0, text: str | None = None) -> str:
    """The query's text (or this variant of it) with LIMIT/OFFSET at its "# PAGE" marker
    (integers, checked here)."""
    text = q.text if text is None else text
    if limit is None and not offset:
        return text
    for label, v in (("limit", limit), ("offset", offset)):
        if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
            raise QueryError(f"{label} must be an integer, not {v!r}")
    if limit is None or not 1 <= limit <= MAX_PAGE:
        raise QueryError(f"limit must be 1..{MAX_PAGE} when paging, not {limit!r}")
    if offset < 0:
        raise QueryError(f"offset must be >= 0, not {offset!r}")
    if not q.paged:
        paged = ", ".join(n for n, x in library().items() if x.paged)
        raise QueryError(f"query {q.name!r} is not paged (paged queries: {paged})")
    return _PAGE.sub(f"LIMIT {limit} OFFSET {offset}", text, count=1)


def run(
    store: Store, name: str, *, limit: int | None = None, offset: int = 0, **bindings: Any
) -> Rows:
    """Run a library SELECT with bound values (None values are left unbound).

    `limit`/`offset` page a paged query (`LibraryQuery.paged`): the page is chosen in the
    query's "# PAGE" sub-SELECT, in the query's own order, before the per-row columns are
    read; without them the query returns every row (the bulk/export path).
    """
    lib = library()
    if name not in lib:
        raise KeyError(f"no library query {name!r}; known: {', '.join(sorted(lib))}")
    q = lib[name]
    unknown = [k for k in bindings if k not in q.params]
    if unknown:
        raise KeyError(
            f"query {name!r} has no parameter {unknown[0]!r} (has: {', '.join(q.params)})"
        )
    bound = {k: v for k, v in bindings.items() if v is not None}
    text = paged_text(q, limit, offset, q.text_for(set(bound)))
    strata = STRATA.get(name)
    if (
        limit is not None
        and strata
        and strata[0] not in bound
        and set(strata[2:]) <= set(bound)
        and store.pages_by_sort_value  # not rdflib's memory: (it runs the query's own page)
    ):
        return _stratified(store, q, limit, offset, bound, text)
    return store.select(text, bound)


def _stratified(
    store: Store, q: LibraryQuery, limit: int, offset: int, bound: dict[str, Any], own_page: str
) -> Rows:
    """A page of a STRATA query: each value's rows in turn (its variant, LIMIT skip + need from
    the value's first row), until the page is full; the same rows in the same order as the
    query's own page. A value whose rows all fall before the page costs one query that reads
    them (offsets are counted here), so deep pages cost more than first pages. `own_page`: the
    query's own page, run for its columns when there are no values at all."""
    param, query = STRATA[q.name][:2]
    values = [r["v"] for r in store.select(query).rows]
    rows: list[dict[str, Any]] = []
    names: list[str] | None = None
    skip = offset  # rows still to skip
    for v in values:
        text = _stratum_text(store, q, {**bound, param: v})
        got = store.select(_PAGE.sub(f"LIMIT {skip + limit - len(rows)}", text, count=1), {**bound, param: v})
        names = got.vars
        rows += got.rows[skip:]
        if len(rows) == limit:
            return Rows(got.vars, rows)
        skip = max(0, skip - len(got.rows))  # fewer than asked for: every row of this value
    if names is None:  # no values at all: the query's own (empty) page, for its columns
        return store.select(own_page, bound)
    return Rows(names, rows)


def _stratum_text(store: Store, q: LibraryQuery, bound: dict[str, Any]) -> str:
    """The text for these values: the variant that starts from the fewest triples (DRIVERS),
    or the first variant whose parameter is bound."""
    drivers = DRIVERS.get(q.name)
    if not drivers:
        return q.text_for(set(bound))
    sizes = [(int(str(store.select(count, bound).rows[0]["n"])), p) for p, count in drivers]
    return dict(q.variants)[min(sizes)[1]]


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


def run_any(
    store: Store, query: str, bindings: list[str], *, limit: int | None = None, offset: int = 0
) -> Rows:
    """A library name, a .rq path or query text, with NAME=VALUE bindings (and a page of a
    paged library query)."""
    bound = dict(parse_binding(b) for b in bindings)
    if query in library():
        return run(store, query, limit=limit, offset=offset, **bound)
    if limit is not None or offset:
        raise QueryError("--limit/--offset page a paged library query, not a file or query text")
    return store.select(resolve(query), bound)


def stats(store: Store) -> dict[str, int]:
    """Counts from the `stats` library query."""
    row = run(store, "stats").values()[0]
    return {k: int(v or 0) for k, v in row.items()}
