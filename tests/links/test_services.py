"""api.services.links: the functions the FastAPI routes call, and the write token."""

from __future__ import annotations

import json
from datetime import date

import pytest
from linkdata import DATA, Receiver
from pydantic import SecretStr, ValidationError

from api.services import links as svc
from kg.links.load import link_file
from kg.store import Store


@pytest.mark.parametrize(
    ("header", "configured", "ok"),
    [
        ("Bearer s3cret", SecretStr("s3cret"), True),
        ("bearer s3cret", "s3cret", True),
        ("Bearer wrong", SecretStr("s3cret"), False),
        ("s3cret", SecretStr("s3cret"), False),
        (None, SecretStr("s3cret"), False),
        ("Bearer s3cret", None, False),  # writes disabled
        ("Bearer ", SecretStr(""), False),
    ],
)
def test_check_write_token(header: str | None, configured: object, ok: bool) -> None:
    if ok:
        svc.check_write_token(header, configured)
    else:
        with pytest.raises(PermissionError):
            svc.check_write_token(header, configured)


def test_routes_flow(ox_store: Store, receiver: Receiver) -> None:
    mem_store = ox_store
    link_file("cites", DATA / "cites.csv", mem_store)
    p = svc.create_pledge(
        mem_store,
        svc.PledgeIn.model_validate(
            {
                "stakeholder": {"name": "Fictland Wetlands Trust"},
                "taxa": ["700001"],
                "place": "waterbody:Lake Fictara",
                "action": "2.1",
            }
        ),
    )
    assert p["status"] == "proposed"
    assert (
        svc.change_pledge(mem_store, p["id"], svc.PledgeUpdate(status="active"))["status"]
        == "active"
    )
    assert [x["id"] for x in svc.pledges(mem_store, taxon="700001")] == [p["id"]]
    assert [x["id"] for x in svc.pledges(mem_store, place="waterbody:Lake Fictara")] == [p["id"]]
    assert svc.pledge(mem_store, p["id"])["id"] == p["id"]

    s = svc.create_subscription(mem_store, svc.SubscriptionIn(webhook=receiver.url + "/ok"))
    ev = svc.create_event(
        mem_store,
        svc.EventIn(place="waterbody:Lake Fictara", kind="dried_up", date=date(2024, 8, 1)),
    )
    assert ev["notifications"] == [] and receiver.requests == []  # routes notify in the background
    eid = ev["event"]["id"]
    sent = svc.deliver_notifications(
        mem_store, eid, policy=svc.DeliveryPolicy(attempts=1, trust_env=False)
    )
    assert [n["status"] for n in sent] == ["delivered"] and len(receiver.requests) == 1
    assert [n["status"] for n in svc.notifications(mem_store, eid)] == ["delivered"]
    aff = svc.affected(mem_store, eid)
    assert aff["event"]["id"] == eid
    assert [a["scientific_name"] for a in aff["species"]] == [
        "Fictobarbus pallidus",
        "Fictorana lacustris",
    ]
    assert aff["stakeholders"][0]["stakeholder"]["name"] == "Fictland Wetlands Trust"
    assert [e["id"] for e in svc.events(mem_store)] == [eid]
    assert svc.subscriptions(mem_store)[0]["id"] == s["id"]
    assert svc.delete_subscription(mem_store, s["id"])["active"] is False
    items = svc.reassessment(mem_store, today=date(2025, 1, 1))
    assert items[0]["scientific_name"] == "Fictorana lacustris" and items[0]["reasons"] == [
        "age",
        "event",
    ]
    page = svc.species_links(mem_store, "700001")
    assert page["cites"][0]["citesListing"] == "I" and page["pledges"][0]["id"] == p["id"]
    assert page["summary"]["cites"] == "I"
    assert any(r["cites"] == "I" for r in svc.review_table(mem_store))
    assert svc.link_columns(mem_store, taxon="sis700001")
    # every answer is JSON-serialisable as FastAPI would do it (dates, datetimes, decimals)
    for data in (p, ev, aff, items, page):
        json.dumps(data, default=str)


def test_errors_map_to_http_statuses(mem_store: Store) -> None:
    with pytest.raises(KeyError):
        svc.event(mem_store, "e000000000000")
    with pytest.raises(KeyError):
        svc.pledge(mem_store, "p000000000000")
    with pytest.raises(ValueError, match="not a valid id"):
        svc.affected(mem_store, "../../etc")
    with pytest.raises(ValueError, match="not a taxon"):
        svc.species_links(mem_store, "Fictorana lacustris")
    with pytest.raises(ValidationError):
        svc.EventIn.model_validate({"place": "ID", "kind": "meteor"})
