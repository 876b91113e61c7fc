"""Paged library queries (kg.query.run(limit=, offset=)) over the hand-made mini export.

The interactive queries pick a page of taxa in a sub-SELECT before their columns are read;
their pages, read one after the other, must give the whole answer in the query's own order,
on every embedded backend.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.load import ingest
from kg.query import concat_columns, library, run
from kg.store import QueryError, Store, bind_values, open_store

MINI = Path(__file__).resolve().parents[1] / "data" / "mini-export"
BACKENDS = ("memory", "oxigraph")


def _ingested(backend: str, folder: Path) -> Store:
    store = open_store("memory:" if backend == "memory" else f"oxigraph:{folder / 'graph'}")
    ingest([MINI], store)
    return store


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Store]]:
    out = {b: _ingested(b, tmp_path_factory.mktemp(f"paging-{b}")) for b in BACKENDS}
    yield out
    for st in out.values():
        st.close()


def paged_queries() -> list[str]:
    return sorted(n for n, q in library().items() if q.paged)


def test_interactive_queries_are_paged() -> None:
    assert {"species_by_category", "review_table", "threat_action_disconnect"} <= set(paged_queries())


@pytest.mark.parametrize("name", paged_queries())
def test_bound_values_land_in_the_page_subselect(name: str) -> None:
    """Bound values must filter the sub-SELECT that picks the page (kg.store.bind_values puts
    them after the first WHERE): otherwise the page is picked from every taxon."""
    text = bind_values(library()[name].text, {"categoryCode": "CR"})
    at = text.index("VALUES (?categoryCode)")
    selects = [m.start() for m in re.finditer(r"\bSELECT\b", text)]
    assert len(selects) >= 2 and selects[1] < at < text.index("# PAGE")


def normalise(rows: list[tuple[Any, ...]], name: str, names: list[str]) -> list[tuple[str, ...]]:
    concat = concat_columns(name)

    def cell(v: Any, sep: str | None) -> str:
        s = "" if v is None else str(v)
        return sep.join(sorted(s.split(sep))) if sep and s else s

    return [tuple(cell(v, concat.get(n)) for n, v in zip(names, r, strict=True)) for r in rows]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("name", "bindings"),
    [
        ("species_by_category", {}),
        ("species_by_category", {"categoryCode": "CR"}),
        ("species_by_category", {"taxonGroup": "CYPRINIDAE"}),
        ("review_table", {}),
        ("threat_action_disconnect", {}),
    ],
)
def test_pages_concatenate_to_the_full_answer(
    stores: dict[str, Store], backend: str, name: str, bindings: dict[str, Any]
) -> None:
    store = stores[backend]
    full = run(store, name, **bindings)
    key = full.vars.index("taxon")
    whole = [tuple(r[v] for v in full.vars) for r in full.rows]
    assert len({r[key] for r in whole}) >= 2, "the fixture must give more than one page"
    taxa = len(run(store, "species_by_category"))  # pages are counted in latest assessments
    got: list[tuple[Any, ...]] = []
    for offset in range(taxa + 1):  # pages of one taxon
        page = run(store, name, limit=1, offset=offset, **bindings)
        rows = [tuple(r[v] for v in page.vars) for r in page.rows]
        assert len({r[key] for r in rows}) <= 1  # a page holds at most `limit` taxa
        got += rows
    assert normalise(got, name, full.vars) == normalise(whole, name, full.vars)
    assert [r[key] for r in got] == [r[key] for r in whole]  # same order


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"limit": 0}, "limit must be 1..10000"),
        ({"limit": 10_001}, "limit must be 1..10000"),
        ({"offset": 5}, "limit must be 1..10000"),
        ({"limit": 5, "offset": -1}, "offset must be >= 0"),
        ({"limit": "5"}, "limit must be an integer"),
        ({"limit": True}, "limit must be an integer"),
    ],
)
def test_bad_pages_are_refused(stores: dict[str, Store], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        run(stores["memory"], "species_by_category", **kwargs)


def test_unpaged_query_refuses_a_page(stores: dict[str, Store]) -> None:
    with pytest.raises(QueryError, match="'stats' is not paged.*species_by_category"):
        run(stores["memory"], "stats", limit=10)


def test_cli_pages_a_library_query(tmp_path: Path) -> None:
    import csv
    import io

    from typer.testing import CliRunner

    from api.cli import app

    runner = CliRunner()
    store = f"oxigraph:{tmp_path / 'g'}"
    assert runner.invoke(app, ["ingest", str(MINI), "--store", store, "-q"]).exit_code == 0

    def names(*extra: str) -> list[str]:
        r = runner.invoke(app, ["query", "species_by_category", "--store", store, "-f", "csv", *extra])
        assert r.exit_code == 0, r.output
        return [row["scientificName"] for row in csv.DictReader(io.StringIO(r.stdout))]

    every = names()
    assert len(every) == 10
    assert names("--limit", "3", "--offset", "4") == every[4:7]
    r = runner.invoke(app, ["query", "species_by_category", "--store", store, "--limit", "0"])
    assert r.exit_code == 2 and "limit must be 1..10000" in r.output
    r = runner.invoke(app, ["query", "SELECT ?a WHERE { ?a ?p ?o }", "--store", store, "--limit", "3"])
    assert r.exit_code == 2 and "page a paged library query" in r.output
    assert "(paged: --limit/--offset)" in runner.invoke(app, ["queries"]).stdout


def _projection(text: str) -> str:
    return " ".join(text[text.index("SELECT") : text.index("{", text.index("SELECT"))].split())


def test_variants_keep_parameters_columns_and_order() -> None:
    """A variant (kg/queries/variants/NAME--PARAM.rq) is the same query shaped for PARAM bound."""
    from kg.query import _parse_header

    with_variants = {n: q for n, q in library().items() if q.variants}
    assert "taxonGroup" in dict(with_variants["species_by_category"].variants)
    for q in with_variants.values():
        for param, text in q.variants:
            assert set(param.split("+")) <= set(q.params)  # NAME--P1+P2.rq: P1 and P2 bound
            assert _parse_header(text)[2] == q.params
            assert _projection(text) == _projection(q.text)
            assert text.rstrip().splitlines()[-1] == q.text.rstrip().splitlines()[-1]  # ORDER BY
            params = param.split("+")
            assert q.text_for(set(params)) == text and q.text_for(set()) == q.text
            # bound values land in the variant's page sub-SELECT too
            bound = bind_values(text, dict.fromkeys(params, "X"))
            assert _projection(text) in " ".join(bound.split())
            values = bound.index(f"VALUES ({' '.join('?' + p for p in params)})")
            assert values < bound.index("# PAGE")
            assert values > [m.start() for m in re.finditer(r"\bSELECT\b", bound)][1]
