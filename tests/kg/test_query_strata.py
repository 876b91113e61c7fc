"""Pages read one sort value at a time (kg.query.STRATA): species_sharing_threat's pages are
read one impact score at a time, highest first, from its --impactScore variant. Every page
must be the same rows, in the same order, as the slice of the whole (unpaged) answer, also
when a page spans several scores. (rdflib's memory: store runs the query's own page,
Store.pages_by_sort_value is False: its cases check the same contract through the unstratified
path.)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from rdflib import URIRef

from kg import iris
from kg.load import ingest
from kg.query import STRATA, concat_columns, library, run
from kg.store import Store
from kg.vocab import A2P

MINI = Path(__file__).resolve().parents[1] / "data" / "mini-export"
NAME = "species_sharing_threat"
CASES = [("2", "MY"), ("7.2", "ID")]


def PAGES(n: int) -> list[tuple[int, int]]:  # noqa: N802 - (limit, offset) pairs for n rows
    return [(1, 0), (2, 1), (2, n - 2), (1, n - 1), (n + 1, 0), (1, n)]


def bindings(threat: str, country: str) -> dict[str, Any]:
    return {
        "threat": URIRef(iris.concept("threats", threat)),
        "country": URIRef(iris.concept("countries", country)),
    }


def table(rows: Any, concat: dict[str, str] | None = None) -> list[tuple[str, ...]]:
    """Rows as strings; GROUP_CONCAT columns (concat: column -> separator) with their parts
    sorted (the engine's concatenation order is its own)."""

    def cell(v: str, sep: str | None) -> str:
        return sep.join(sorted(v.split(sep))) if sep else v

    return [
        tuple(cell("" if r[v] is None else str(r[v]), (concat or {}).get(v)) for v in rows.vars)
        for r in rows.rows
    ]


def check_pages(store: Store, b: dict[str, Any]) -> list[tuple[str, ...]]:
    whole = run(store, NAME, **b)
    want = table(whole)
    for limit, offset in PAGES(len(want)):
        page = run(store, NAME, limit=limit, offset=offset, **b)
        assert page.vars == whole.vars
        assert table(page) == want[offset : offset + limit], (b, limit, offset)
    return want


def test_strata_queries_are_ordered_by_their_parameter_first() -> None:
    for name, (param, *_) in STRATA.items():
        q = library()[name]
        assert q.paged and f"?{param}" in q.text_for({param, *STRATA[name][2:]})
        text = q.text_for(set(STRATA[name][2:]))  # the text the strata are read from
        order = re.findall(r"ORDER BY ([^\n]*)", text)[0].split()[0]
        assert order in (f"DESC(?{param})", f"?{param}") or (
            order == "?category" and f"BIND(?{param} AS ?category)" in text
        ), (name, order)


@pytest.mark.parametrize(
    ("name", "b"),
    [
        ("species_by_category", {}),
        ("species_by_category", {"taxonGroup": "CYPRINIDAE"}),
        ("cooccurring_threatened", {"place": URIRef(iris.concept("countries", "ID"))}),
    ],
)
def test_pages_by_category_are_slices_of_the_whole_answer(empty_store: Store, name: str, b: dict) -> None:
    ingest([MINI], empty_store)
    whole = run(empty_store, name, **b)
    want = table(whole, concat_columns(name))
    assert len({r[whole.vars.index("category")] for r in want}) > 1, "the pages must cross a category"
    for limit, offset in PAGES(len(want)):
        page = run(empty_store, name, limit=limit, offset=offset, **b)
        assert page.vars == whole.vars
        assert table(page, concat_columns(name)) == want[offset : offset + limit], (name, b, limit, offset)


def test_pages_by_impact_score_are_slices_of_the_whole_answer(empty_store: Store) -> None:
    ingest([MINI], empty_store)
    spans = 0
    for threat, country in CASES:
        want = check_pages(empty_store, bindings(threat, country))
        scores = [r[-1] for r in want]
        assert want and scores == sorted(scores, key=int, reverse=True)
        spans += len(set(scores)) > 1
    assert spans, "no case spans two impact scores: the pages would not cross a stratum"


def test_one_impact_score_is_the_whole_answer_filtered(empty_store: Store) -> None:
    ingest([MINI], empty_store)
    b = bindings("2", "MY")
    want = table(run(empty_store, NAME, **b))
    for score in sorted({int(r[-1]) for r in want}) + [99]:
        got = table(run(empty_store, NAME, impactScore=score, **b))
        assert got == [r for r in want if int(r[-1]) == score]


def test_every_threat_impact_has_a_score(empty_store: Store) -> None:
    """The strata cover every row: kg.build scores every threat impact it writes."""
    ingest([MINI], empty_store)
    unscored = empty_store.select(
        f"SELECT ?ti WHERE {{ ?ti <{A2P.threat}> ?c FILTER NOT EXISTS {{ ?ti <{A2P.impactScore}> ?s }} }}"
    )
    scored = empty_store.select(f"SELECT ?ti WHERE {{ ?ti <{A2P.impactScore}> ?s }}")
    assert len(scored) > 10 and not unscored.rows


def test_impacts_without_a_score_are_in_no_page(empty_store: Store) -> None:
    """A threat impact without a score (another writer's) is listed neither by the whole answer
    nor by its pages: both stay the same rows."""
    ingest([MINI], empty_store)
    b = bindings("2", "MY")
    before = table(run(empty_store, NAME, **b))
    score = f"<{A2P.impactScore}>"
    found = empty_store.select(f"SELECT ?g ?ti ?s WHERE {{ GRAPH ?g {{ ?ti {score} ?s }} FILTER(?s = 4) }}")
    assert found.rows
    for r in found.rows:
        empty_store.update(f"DELETE DATA {{ GRAPH {r['g'].n3()} {{ {r['ti'].n3()} {score} {r['s'].n3()} }} }}")
    after = check_pages(empty_store, b)
    assert after == [r for r in before if r[-1] != "4"] and len(after) < len(before)


@pytest.mark.parametrize("bad", [0, -1, None])
def test_strata_pages_check_the_limit(empty_store: Store, bad: Any) -> None:
    from kg.store import QueryError

    with pytest.raises(QueryError):
        run(empty_store, NAME, limit=bad, offset=1, **bindings("2", "MY"))


def test_pages_are_stratified_except_on_rdflib(empty_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page tests above go through kg.query._stratified on Oxigraph and the remote server
    (rdflib's memory: store runs the query's own page: Store.pages_by_sort_value)."""
    import kg.query

    ingest([MINI], empty_store)
    calls: list[str] = []
    real = kg.query._stratified

    def spy(store: Store, q: Any, *args: Any) -> Any:
        calls.append(q.name)
        return real(store, q, *args)

    monkeypatch.setattr(kg.query, "_stratified", spy)
    run(empty_store, NAME, limit=2, **bindings("2", "MY"))
    run(empty_store, "species_by_category", limit=2)
    run(empty_store, "species_by_category", limit=2, categoryCode="CR")  # bound: one query
    run(empty_store, "cooccurring_threatened", limit=2)  # no place: the query's own page
    run(empty_store, "cooccurring_threatened", limit=2, place=bindings("2", "ID")["country"])
    stratified = empty_store.pages_by_sort_value
    assert stratified == (not empty_store.url.startswith("memory:"))
    assert calls == ([NAME, "species_by_category", "cooccurring_threatened"] if stratified else [])
