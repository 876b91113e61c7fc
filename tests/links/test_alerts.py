"""kg.links.alerts: webhooks delivered to a local receiver, retried, logged; e-mails recorded."""

from __future__ import annotations

import socket
from datetime import date

import httpx
import pytest
from linkdata import Receiver, taxon
from pydantic import ValidationError

from kg.events import EventIn, record_event
from kg.links.alerts import (
    DeliveryPolicy,
    SubscriptionIn,
    deliver_webhook,
    list_notifications,
    list_subscriptions,
    notify_event,
    subscribe,
    unsubscribe,
)
from kg.store import Store

FAST = DeliveryPolicy(attempts=3, backoff=0.01, factor=2.0, timeout=2.0, trust_env=False)
LAKE = "waterbody:Lake Fictara"


def event(store: Store, place: str = LAKE, **kw: object):
    return record_event(
        store, EventIn(place=place, kind="dried_up", date=date(2024, 8, 1)), policy=FAST, **kw
    )  # type: ignore[arg-type]


def test_delivered_failed_retried_and_logged(ox_store: Store, receiver: Receiver) -> None:
    ok = subscribe(ox_store, SubscriptionIn(webhook=receiver.url + "/ok", places=[LAKE]))
    bad = subscribe(ox_store, SubscriptionIn(webhook=receiver.url + "/fail"))  # every event
    flaky = subscribe(
        ox_store, SubscriptionIn(webhook=receiver.url + "/flaky", taxa=["Fictorana lacustris"])
    )
    gone = subscribe(ox_store, SubscriptionIn(webhook=receiver.url + "/gone", places=[LAKE]))
    mail = subscribe(ox_store, SubscriptionIn(email="ops@fictland.org", places=[LAKE]))
    elsewhere = subscribe(
        ox_store,
        SubscriptionIn(webhook=receiver.url + "/ok", places=["MY"], taxa=["Fictopora magna"]),
    )
    waits: list[float] = []
    rec = event(ox_store, sleep=waits.append)
    by_sub = {n.subscription_id: n for n in rec.notifications}
    assert set(by_sub) == {ok.id, bad.id, flaky.id, gone.id, mail.id}  # not `elsewhere`
    assert elsewhere.id not in by_sub
    assert (by_sub[ok.id].status, len(by_sub[ok.id].attempts)) == ("delivered", 1)
    assert (by_sub[bad.id].status, [a.http_status for a in by_sub[bad.id].attempts]) == (
        "failed",
        [500, 500, 500],
    )
    assert (by_sub[flaky.id].status, [a.http_status for a in by_sub[flaky.id].attempts]) == (
        "delivered",
        [503, 503, 200],
    )
    assert (by_sub[gone.id].status, len(by_sub[gone.id].attempts)) == (
        "failed",
        1,
    )  # 410: not retried
    assert by_sub[mail.id].status == "recorded"
    assert sorted(waits) == [0.01, 0.01, 0.02, 0.02]  # exponential backoff, fail and flaky
    assert receiver.counts == {"/ok": 1, "/fail": 3, "/flaky": 3, "/gone": 1}

    (body,) = receiver.received("/ok")
    assert body["type"] == "assess2plan.site_event" and body["subscription"] == ok.id
    assert body["event"]["id"] == rec.event.id and body["event"]["kind"] == "dried_up"
    assert {a["scientific_name"] for a in body["affected_species"]} == {
        "Fictorana lacustris",
        "Fictobarbus pallidus",
    }
    lac = next(a for a in body["affected_species"] if a["scientific_name"] == "Fictorana lacustris")
    assert lac["category"] == "EN" and set(lac["event_threats"]) == {"7.2.10", "11.2"}
    headers = next(h for p, h, _b in receiver.requests if p == "/ok")
    assert headers["X-A2P-Event"] == rec.event.id and headers["X-A2P-Subscription"] == ok.id

    log = {n["subscription"]: n for n in list_notifications(ox_store, event_id=rec.event.id)}
    assert {k: (v["status"], v["attempts"]) for k, v in log.items()} == {
        ok.id: ("delivered", 1),
        bad.id: ("failed", 3),
        flaky.id: ("delivered", 3),
        gone.id: ("failed", 1),
        mail.id: ("recorded", 1),
    }
    fail_log = log[bad.id]["log"]
    assert [a["http_status"] for a in fail_log] == [500, 500, 500]
    assert all(a["error"].startswith("HTTP 500") and a["ended"] >= a["started"] for a in fail_log)
    assert log[bad.id]["target"] == receiver.url + "/fail"


def test_unreachable_and_timeouts(mem_store: Store, receiver: Receiver) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/hook"
    status, log = deliver_webhook(closed, {"x": 1}, FAST, sleep=lambda _s: None)
    assert status == "failed" and len(log) == 3
    assert all(a.http_status is None and "ConnectError" in a.error for a in log)
    status, log = deliver_webhook(
        receiver.url + "/slow",
        {"x": 1},
        DeliveryPolicy(attempts=2, backoff=0, timeout=0.2, trust_env=False),
    )
    assert status == "failed" and len(log) == 2 and "Timeout" in log[0].error


def test_retry_after_is_honoured() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "3"})
        return httpx.Response(204)

    waits: list[float] = []
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        status, log = deliver_webhook(
            "http://127.0.0.1/hook", {}, FAST, client=client, sleep=waits.append
        )
    assert status == "delivered" and waits == [3.0] and [a.http_status for a in log] == [429, 204]


def test_subscriptions_validate_and_cancel(mem_store: Store, receiver: Receiver) -> None:
    for bad, msg in [
        ({}, "exactly one of webhook or email"),
        ({"webhook": "ftp://127.0.0.1/x"}, "http:// or https://"),
        ({"webhook": "http://user:pw@127.0.0.1/x"}, "user name or password"),
        ({"webhook": "http://127.0.0.1/x", "email": "a@b.org"}, "exactly one"),
        ({"email": "nobody"}, "not an e-mail address"),
        ({"webhook": "http://127.0.0.1/x", "places": ["XX"]}, "unknown country"),
    ]:
        with pytest.raises(ValidationError, match=msg):
            SubscriptionIn.model_validate(bad)
    with pytest.raises(ValueError, match="did you mean"):
        subscribe(
            mem_store, SubscriptionIn(webhook=receiver.url + "/ok", taxa=["Fictopora magnus"])
        )
    s = subscribe(
        mem_store, SubscriptionIn(webhook=receiver.url + "/ok", taxa=["700005"], name="reef team")
    )
    assert s.taxa == [{"iri": taxon("700005"), "name": "Fictopora magna"}] and s.name == "reef team"
    unsubscribe(mem_store, s.id)
    assert list_subscriptions(mem_store, active_only=True) == []
    assert [x.active for x in list_subscriptions(mem_store)] == [False]
    rec = event(mem_store, "lme:34")
    assert rec.notifications == [] and receiver.requests == []
    with pytest.raises(KeyError):
        unsubscribe(mem_store, "s000000000000")


def test_notify_later_and_mailer(mem_store: Store) -> None:
    subscribe(mem_store, SubscriptionIn(email="ops@fictland.org"))
    rec = record_event(mem_store, EventIn(place=LAKE, kind="dried_up"), notify=False)
    assert rec.notifications == [] and list_notifications(mem_store) == []
    sent: list[tuple[str, str, str]] = []
    (n,) = notify_event(
        mem_store, rec.event.id, mailer=lambda to, subj, body: sent.append((to, subj, body))
    )
    assert n.status == "delivered" and sent[0][0] == "ops@fictland.org"
    assert "Lake Fictara" in sent[0][1] and "Fictorana lacustris" in sent[0][2]

    def broken(*_a: str) -> None:
        raise OSError("smtp down")

    (n,) = notify_event(mem_store, rec.event.id, mailer=broken)
    assert n.status == "failed" and "smtp down" in n.attempts[0].error
    # one notification per event and subscription: the latest outcome replaces the earlier one
    assert [x["status"] for x in list_notifications(mem_store, event_id=rec.event.id)] == ["failed"]
