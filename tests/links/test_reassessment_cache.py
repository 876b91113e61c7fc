"""GET /reassessment's list is computed once per store version and paged from memory, on every
store kind: a write through the store (here a site event) is seen on the next page asked for,
also when another process wrote it to a remote server (Virtuoso in .ci/run)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from linkdata import REDLIST

from api.services import links as svc
from kg.events import EventIn, record_event
from kg.load import ingest
from kg.store import Store, open_store

DAY = date(2025, 1, 1)


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The store URLs the list was computed for, one entry a computation."""
    calls: list[str] = []
    real = svc.reassessment

    def counting(store: Store, **kw: Any) -> list[dict[str, Any]]:
        calls.append(store.url)
        return real(store, **kw)

    monkeypatch.setattr(svc, "reassessment", counting)
    return calls


def names(page: dict[str, Any]) -> dict[str, list[str]]:
    return {i["scientific_name"]: i["reasons"] for i in page["species"]}


def check(reader: Store, writer: Store, computed: list[str]) -> None:
    whole = names(svc.reassessment_page(reader, today=DAY, limit=1000))
    assert set(whole) == {"Fictorana lacustris", "Fictopora magna", "Fictopora parva"}
    paged: dict[str, list[str]] = {}
    for offset in range(0, len(whole), 2):
        paged |= names(svc.reassessment_page(reader, today=DAY, limit=2, offset=offset))
    assert paged == whole and len(computed) == 1  # every page cut from the one list
    record_event(writer, EventIn(place="MY", kind="pollution", date=date(2024, 5, 5)))
    after = names(svc.reassessment_page(reader, today=DAY, limit=1000))
    assert len(computed) == 2 and after["Fictobarbus pallidus"] == ["event"]
    assert names(svc.reassessment_page(reader, today=DAY, limit=1000)) == after
    assert len(computed) == 2


def test_a_write_through_the_store_invalidates_the_list(store: Store, computed: list[str]) -> None:
    check(store, store, computed)  # memory: (no generations) and oxigraph:


@pytest.fixture
def remote(remote_store: Store) -> Iterator[Store]:
    ingest([REDLIST], remote_store)
    yield remote_store


@pytest.mark.network
def test_a_write_by_another_process_invalidates_the_list_on_a_remote_store(
    remote: Store, computed: list[str]
) -> None:
    """Another worker (its own SparqlStore) records the event: the reader's cached list goes."""
    with open_store(remote.url) as other:
        check(remote, other, computed)
