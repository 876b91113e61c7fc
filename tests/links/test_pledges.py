"""kg.links.pledges: stakeholders pledge actions at places; user text never reaches SPARQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from linkdata import taxon
from pydantic import ValidationError

from kg.links import terms
from kg.links.places import resolve_place
from kg.links.pledges import (
    PledgeIn,
    PledgeUpdate,
    add_pledge,
    get_pledge,
    list_pledges,
    stakeholder_iri,
    update_pledge,
)
from kg.store import Store


def pledge_in(**kw: object) -> PledgeIn:
    body = {
        "stakeholder": {"name": "Fictland Wetlands Trust", "contact": "info@fictland.org"},
        "taxa": ["Fictorana lacustris", "700003"],
        "place": "waterbody:Lake Fictara",
        "action": "2.1",
        "status": "active",
        "start": "2024-01-01",
        "end": "2026-12-31",
    }
    body.update(kw)
    return PledgeIn.model_validate(body)


def test_add_list_update(store: Store) -> None:
    p = add_pledge(store, pledge_in(), now=datetime(2025, 1, 1, tzinfo=UTC))
    assert p.id.startswith("p") and p.iri == terms.pledge(p.id)
    assert {t["name"] for t in p.taxa} == {"Fictorana lacustris", "Fictobarbus pallidus"}
    assert p.place and p.place["name"] == "Lake Fictara" and p.place["kind"] == "waterbody"
    assert p.action == {"iri": p.action["iri"], "code": "2.1", "label": "Site/area management"}
    assert (p.start, p.end, p.status) == (date(2024, 1, 1), date(2026, 12, 31), "active")
    assert p.stakeholder == {
        "name": "Fictland Wetlands Trust",
        "kind": "organisation",
        "contact": "info@fictland.org",
    }

    other = add_pledge(
        store, pledge_in(taxa=["Fictorana montana"], place="ID", action="", status="proposed")
    )
    assert [x.id for x in list_pledges(store, taxon=taxon("700001"))] == [p.id]
    assert [x.id for x in list_pledges(store, place=resolve_place("ID").iri)] == [other.id]
    by = stakeholder_iri("organisation", "Fictland Wetlands Trust", "info@fictland.org")
    assert {x.id for x in list_pledges(store, stakeholder=by)} == {p.id, other.id}
    # one stakeholder node for both pledges
    n = store.select(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a "
        "<https://w3id.org/assess2plan/ontology#Stakeholder> }"
    ).values()[0]["n"]
    assert n == 1

    done = update_pledge(
        store,
        p.id,
        PledgeUpdate(status="completed", end=date(2025, 6, 30)),
        now=datetime(2025, 7, 1, tzinfo=UTC),
    )
    assert done.status == "completed" and done.end == date(2025, 6, 30)
    assert done.created == p.created and done.modified and done.modified.year == 2025
    assert {t["iri"] for t in done.taxa} == {t["iri"] for t in p.taxa}
    assert len(list_pledges(store)) == 2
    with pytest.raises(KeyError):
        update_pledge(store, "p000000000000", PledgeUpdate(status="active"))
    with pytest.raises(ValueError, match="before start"):
        update_pledge(store, p.id, PledgeUpdate(end=date(2020, 1, 1)))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"taxa": [], "cluster": ""}, "at least one taxon or a cluster"),
        ({"start": "2025-01-01", "end": "2024-01-01"}, "before start date"),
        ({"status": "maybe"}, "Input should be"),
        ({"stakeholder": {"name": "X", "kind": "robot"}}, "Input should be"),
        ({"stakeholder": {"name": "X", "contact": "not@an@address"}}, "not an e-mail address"),
        ({"unknown": 1}, "Extra inputs"),
    ],
)
def test_invalid_bodies(change: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        pledge_in(**change)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"taxa": ["Fictopora magnus"]}, "did you mean 'Fictopora magna'"),
        ({"taxa": ["Nonexistus fictus"]}, "not an assessed taxon"),
        ({"action": "99.9"}, "unknown conservation action code"),
        ({"place": "XX"}, "unknown country"),
        ({"place": "planet:Mars"}, "unknown place kind"),
    ],
)
def test_refused_before_anything_is_written(mem_store: Store, change: dict, message: str) -> None:
    n = mem_store.count()
    with pytest.raises(ValueError, match=message):
        add_pledge(mem_store, pledge_in(**change))
    assert mem_store.count() == n


def test_cluster_pledge_and_hostile_text(mem_store: Store) -> None:
    evil = 'x" } ; DROP ALL ; INSERT DATA { <a:b> <a:c> "d\\'
    p = add_pledge(
        mem_store,
        pledge_in(
            taxa=[],
            cluster="sunda-peat-swamps",
            description=evil + "\nline 2",
            stakeholder={"name": evil, "kind": "person"},
        ),
    )
    got = get_pledge(mem_store, p.id)
    assert got and got.taxa == [] and got.cluster == "sunda-peat-swamps"
    assert got.description == evil + "\nline 2" and got.stakeholder["name"] == evil
    assert got.stakeholder["kind"] == "person"
    assert mem_store.count() > 7000  # the graph is still there
