"""Link data on the mini export for the golden tests of the links_* queries (see
tests/data/mini-links/README.md): the five link files, and a pledge, an event, a subscription
and a notification written with fixed ids and times (the library functions mint random ids)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from kg.build import Quads
from kg.events import EventIn, _event_quads, affected_species
from kg.links.alerts import AttemptLog, NotificationResult, SubscriptionIn, _notification_quads, _subscription_quads
from kg.links.load import link_file
from kg.links.places import resolve_place
from kg.links.pledges import PledgeIn, _pledge_quads
from kg.store import Store

MINI_LINKS = Path(__file__).resolve().parents[1] / "data" / "mini-links"
PLEDGE, EVENT, SUBSCRIPTION = "p000000000001", "e000000000001", "s000000000001"
CREATED = datetime(2025, 1, 5, 10, 0, tzinfo=UTC)
REPORTED = datetime(2025, 8, 2, 9, 0, tzinfo=UTC)


def _write(store: Store, q: Quads) -> None:
    store.replace(q.data(), drop_graphs=q.replaced_graphs)


def add_links(store: Store) -> None:
    """Link the mini-links files and write the pledge, event, subscription and notification.

    No Green Status file: its a2p:yearPublished would show in planning_scan_assessments,
    whose golden answer belongs to the planning work."""
    for kind, name in (("cites", "cites.csv"), ("exsitu", "exsitu.csv"), ("scores", "scores.csv"),
                       ("ids", "ids.csv")):
        link_file(kind, MINI_LINKS / name, store)
    from kg import iris

    rasbora = iris.taxon("900101")
    q = Quads()
    pledge = PledgeIn.model_validate({
        "stakeholder": {"name": "Danau Trust", "contact": "info@danau.example"},
        "taxa": [rasbora], "place": "ID", "action": "2.1", "status": "active",
        "start": "2025-01-01", "description": "Protect the lake inflows"})
    _pledge_quads(q, PLEDGE, pledge, [rasbora], CREATED, CREATED)
    _write(store, q)

    ev = EventIn(place="ID", kind="dried_up", date=date(2025, 8, 1), description="A lake dried up")
    ref = resolve_place(ev.place)
    hit = affected_species(store, ref, ev.threat_codes())
    q = Quads()
    _event_quads(q, EVENT, ev, ref, [a.taxon for a in hit.species], REPORTED)
    _write(store, q)

    q = Quads()
    sub = SubscriptionIn(webhook="http://127.0.0.1:9/hook", name="ID watch", places=["ID"])
    _subscription_quads(q, SUBSCRIPTION, sub, [], True, CREATED)
    _write(store, q)

    q = Quads()
    tried = AttemptLog(1, REPORTED, REPORTED, 503, "HTTP 503: busy")
    _notification_quads(q, NotificationResult(EVENT, SUBSCRIPTION, "webhook",
                                              "http://127.0.0.1:9/hook", "failed", [tried]),
                        REPORTED)
    _write(store, q)
