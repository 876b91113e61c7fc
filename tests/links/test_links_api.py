"""The link routes (api/routes/links.py) on the hand-made download, the store injected with
dependency_overrides: pledges, events with webhook and e-mail alerts, subscriptions, the
reassessment list and a species' links; the write token; bad input named by field."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from linkdata import DATA, Receiver
from openpyxl import load_workbook
from smtpsink import SmtpSink, closed_port_url, free_port

from api.deps import get_store
from api.main import create_app
from api.routes import links as routes
from api.services import links as svc
from api.services.links import DeliveryPolicy
from api.services.mail import MailSettings, smtp_mailer
from api.settings import Settings
from kg import iris
from kg.links.load import link_file
from kg.store import Store, open_store

TOKEN = "links-test-token"
LACUSTRIS = iris.assessment("800001")
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FAST = DeliveryPolicy(attempts=3, backoff=0.01, timeout=2.0, trust_env=False)


def make_app(store: Store, **overrides: Any) -> FastAPI:
    base: dict[str, Any] = {
        "store": "memory:", "index_dir": ":memory:", "warm_up": False, "semantic_search": False,
        "use_nlp": False, "write_token": TOKEN, "sparql_processes": 1,
    }
    app = create_app(Settings(**{**base, **overrides}))
    app.dependency_overrides[get_store] = lambda: store
    app.dependency_overrides[routes.get_delivery_policy] = lambda: FAST
    app.dependency_overrides[routes.get_mailer] = lambda: None
    return app


@pytest.fixture(scope="module")
def linked_template(tmp_path_factory: pytest.TempPathFactory, ox_template: Path) -> Path:
    """The hand-made download with every link file ingested (an Oxigraph folder to copy)."""
    path = tmp_path_factory.mktemp("linked") / "graph"
    shutil.copytree(ox_template, path)
    with open_store(f"oxigraph:{path}") as st:
        for kind, name in (("cites", "cites.csv"), ("exsitu", "exsitu.csv"),
                           ("scores", "scores.csv"), ("ids", "ids.csv"),
                           ("greenstatus", "greenstatus.json")):
            link_file(kind, DATA / name, st)
        with TestClient(make_app(st)):  # the lifespan writes the planning keys once, here
            pass
    return path


@pytest.fixture(scope="module")
def shared_store(linked_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One copy for the tests that write nothing (refused requests)."""
    path = tmp_path_factory.mktemp("linked-ro") / "graph"
    shutil.copytree(linked_template, path)
    with open_store(f"oxigraph:{path}") as st:
        yield st


@pytest.fixture(scope="module")
def ro_client(shared_store: Store) -> Iterator[TestClient]:
    with TestClient(make_app(shared_store), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def linked(linked_template: Path, tmp_path: Path) -> Iterator[Store]:
    shutil.copytree(linked_template, tmp_path / "graph")
    with open_store(f"oxigraph:{tmp_path / 'graph'}") as st:
        yield st


@pytest.fixture
def client(linked: Store) -> Iterator[TestClient]:
    with TestClient(make_app(linked), raise_server_exceptions=False) as c:
        yield c


PLEDGE = {
    "stakeholder": {"name": "Fictland Wetlands Trust", "contact": "info@fictland.org"},
    "taxa": ["Fictorana lacustris"],
    "place": "waterbody:Lake Fictara",
    "action": "2.1",
    "status": "active",
    "start": "2025-01-01",
    "end": "2027-12-31",
}


def fields(res: Any) -> list[str]:
    return [e["field"] for e in res.json()["errors"]]


# --------------------------------------------------------------------------- the write token


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": TOKEN}, {"Authorization": "Basic eDp5"}])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/pledges", PLEDGE),
        ("patch", "/pledges/p0123456789ab", {"status": "completed"}),
        ("post", "/events", {"place": "ID", "kind": "flood"}),
        ("post", "/subscriptions", {"email": "ops@example.org"}),
        ("delete", "/subscriptions/s0123456789ab", None),
        ("get", "/events/e0123456789ab/notifications", None),
        ("get", "/subscriptions", None),
    ],
)
def test_writes_need_the_token(ro_client: TestClient, shared_store: Store,
                               headers: dict[str, str], method: str, path: str, body: Any) -> None:
    n = shared_store.count()
    res = ro_client.request(method, path, json=body, headers=headers)
    assert res.status_code == 401, res.text
    assert res.headers["content-type"] == "application/problem+json"
    assert res.headers["www-authenticate"].startswith("Bearer")
    assert shared_store.count() == n


@pytest.mark.parametrize(("overrides", "detail"), [
    ({"write_token": None}, "no A2P_WRITE_TOKEN"),
    ({"read_only": True}, "read-only"),
])
def test_writes_refused_when_impossible(shared_store: Store, overrides: dict[str, Any],
                                        detail: str) -> None:
    with TestClient(make_app(shared_store, **overrides), raise_server_exceptions=False) as c:
        res = c.post("/pledges", json=PLEDGE, headers=AUTH)
    assert res.status_code == 403 and detail in res.json()["detail"]


# --------------------------------------------------------------------------- pledges


def test_pledge_create_list_update(client: TestClient) -> None:
    res = client.post("/pledges", json=PLEDGE, headers=AUTH)
    assert res.status_code == 201, res.text
    p = res.json()
    assert p["status"] == "active" and p["action"]["code"] == "2.1"
    assert [t["name"] for t in p["taxa"]] == ["Fictorana lacustris"]
    assert p["place"]["spec"] == "waterbody:Lake Fictara" and p["end"] == "2027-12-31"
    other = client.post("/pledges", headers=AUTH, json={
        "stakeholder": {"name": "Ann Example", "kind": "person"},
        "taxa": ["700003"], "place": "MY", "action": "5.1.2"}).json()

    def ids(**params: str) -> list[str]:
        res = client.get("/pledges", params=params)
        assert res.status_code == 200, res.text
        body = res.json()
        assert body["total"] == len(body["pledges"])
        return sorted(x["id"] for x in body["pledges"])

    assert ids() == sorted([p["id"], other["id"]])
    assert ids(taxon="Fictorana lacustris") == [p["id"]]
    assert ids(taxon="700001") == [p["id"]]
    assert ids(place="waterbody:Lake Fictara") == [p["id"]]
    assert ids(place="MY") == [other["id"]]
    assert ids(stakeholder="fictland wetlands trust") == [p["id"]]
    assert ids(stakeholder="Ann Example", place="waterbody:Lake Fictara") == []
    # contacts only for the token's holder
    public = client.get("/pledges", params={"taxon": "700001"}).json()["pledges"][0]
    assert public["stakeholder"]["contact"] == ""
    private = client.get("/pledges", params={"taxon": "700001"}, headers=AUTH).json()
    assert private["pledges"][0]["stakeholder"]["contact"] == "info@fictland.org"

    res = client.patch(f"/pledges/{p['id']}", json={"status": "completed"}, headers=AUTH)
    assert res.status_code == 200 and res.json()["status"] == "completed"
    assert res.json()["action"]["code"] == "2.1"  # the rest is kept


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"action": "99.9"}, "body.action", "unknown conservation action code"),
        ({"place": "planet:Mars"}, "body.place", "unknown place kind"),
        ({"place": "XX"}, "body.place", "unknown country"),
        ({"taxa": ["700001", "Nonexistus fictus"]}, "body.taxa[1]", "not an assessed taxon"),
        ({"taxa": ["Fictopora magnus"]}, "body.taxa[0]", "did you mean 'Fictopora magna'"),
        ({"status": "maybe"}, "body.status", "Input should be"),
        ({"end": "2024-01-01"}, "body", "before start date"),
        ({"stakeholder": {"name": ""}}, "body.stakeholder.name", "at least 1 character"),
        ({"colour": "red"}, "body.colour", "Extra inputs"),
    ],
)
def test_bad_pledges_name_the_field(ro_client: TestClient, shared_store: Store,
                                    change: dict[str, Any], field: str, message: str) -> None:
    n = shared_store.count()
    res = ro_client.post("/pledges", json={**PLEDGE, **change}, headers=AUTH)
    assert res.status_code == 422, res.text
    assert field in fields(res) and message in res.json()["detail"]
    assert shared_store.count() == n


def test_bad_pledge_queries_and_ids(ro_client: TestClient) -> None:
    client = ro_client
    res = client.get("/pledges", params={"taxon": "Nonexistus fictus"})
    assert res.status_code == 422 and fields(res) == ["query.taxon"]
    res = client.get("/pledges", params={"place": "planet:Mars"})
    assert res.status_code == 422 and fields(res) == ["query.place"]
    res = client.patch("/pledges/p0123456789ab", json={"status": "active"}, headers=AUTH)
    assert res.status_code == 404 and "no pledge" in res.json()["detail"]
    res = client.patch("/pledges/not-an-id", json={"status": "active"}, headers=AUTH)
    assert res.status_code == 422 and "not a valid id" in res.json()["detail"]


# --------------------------------------------------------------------------- events and alerts


def test_event_lists_affected_species_and_notifies(client: TestClient, receiver: Receiver) -> None:
    pledge = client.post("/pledges", json=PLEDGE, headers=AUTH).json()
    subs = {}
    for path in ("/ok", "/fail", "/flaky"):
        res = client.post("/subscriptions", headers=AUTH,
                          json={"webhook": receiver.url + path, "places": ["waterbody:Lake Fictara"]})
        assert res.status_code == 201, res.text
        subs[path] = res.json()["id"]
    elsewhere = client.post("/subscriptions", headers=AUTH,
                            json={"webhook": receiver.url + "/ok", "places": ["lme:34"]}).json()
    assert elsewhere["places"][0]["kind"] == "lme"

    res = client.post("/events", headers=AUTH, json={
        "place": "waterbody:Lake Fictara", "kind": "dried_up", "date": "2025-08-01",
        "description": "The lake dried up", "magnitude": "100% of open water"})
    assert res.status_code == 201, res.text
    body = res.json()
    ev = body["event"]
    assert ev["kind"] == "dried_up" and sorted(ev["threats"]) == ["11.2", "7.2"]
    assert ev["description"] == "The lake dried up (magnitude: 100% of open water)"
    species = {a["scientific_name"]: a for a in body["affected_species"]}
    assert list(species) == ["Fictobarbus pallidus", "Fictorana lacustris"]  # CR before EN
    assert species["Fictobarbus pallidus"]["category"] == "CR"
    frog = species["Fictorana lacustris"]
    assert frog["category"] == "EN" and set(frog["via"]) >= {"text", "pledge"}
    related = {t["code"]: t["event_related"] for t in frog["threats"]}
    assert related == {"7.2.10": True, "11.2": True}
    assert [p["id"] for p in frog["pledges"]] == [pledge["id"]]
    assert body["stakeholders"][0]["stakeholder"]["name"] == "Fictland Wetlands Trust"

    # the background task ran before TestClient returned: every watching webhook was called
    assert len(receiver.received("/ok")) == 1  # the lme:34 subscription was not notified
    assert len(receiver.received("/fail")) == 3  # retried, then failed
    assert len(receiver.received("/flaky")) == 3  # 503, 503, 200
    hook = receiver.received("/ok")[0]
    assert hook["event"]["id"] == ev["id"]
    assert {a["scientific_name"] for a in hook["affected_species"]} == set(species)

    log = client.get(f"/events/{ev['id']}/notifications", headers=AUTH)
    assert log.status_code == 200
    by_sub = {n["subscription"]: n for n in log.json()}
    assert set(by_sub) == set(subs.values())
    assert by_sub[subs["/ok"]]["status"] == "delivered" and by_sub[subs["/ok"]]["attempts"] == 1
    failed = by_sub[subs["/fail"]]
    assert failed["status"] == "failed" and failed["attempts"] == 3
    assert [a["http_status"] for a in failed["log"]] == [500, 500, 500]
    assert by_sub[subs["/flaky"]]["status"] == "delivered"

    assert [e["id"] for e in client.get("/events").json()] == [ev["id"]]
    assert client.get("/events", params={"place": "MY"}).json() == []
    now = client.get(f"/events/{ev['id']}/affected").json()
    assert [a["scientific_name"] for a in now["species"]] == list(species)


def test_unreachable_webhook_is_recorded_as_failed(client: TestClient) -> None:

    url = closed_port_url()
    sub = client.post("/subscriptions", json={"webhook": url}, headers=AUTH).json()
    ev = client.post("/events", json={"place": "ID", "kind": "flood"}, headers=AUTH).json()
    log = client.get(f"/events/{ev['event']['id']}/notifications", headers=AUTH).json()
    assert [(n["subscription"], n["status"], n["attempts"]) for n in log] == [(sub["id"], "failed", 3)]
    assert all(a["http_status"] is None and "Connect" in a["error"] for a in log[0]["log"])


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"place": "ID", "kind": "meteor"}, "body.kind", "unknown event kind"),
        ({"place": "planet:Mars"}, "body.place", "unknown place kind"),
        ({"place": "ID", "threats": ["99.9"]}, "body.threats", "unknown threat code"),
        ({"place": "ID", "date": "yesterday"}, "body.date", "valid date"),
        ({"kind": "flood"}, "body.place", "Field required"),
    ],
)
def test_bad_events_name_the_field(ro_client: TestClient, shared_store: Store,
                                   body: dict[str, Any], field: str, message: str) -> None:
    n = shared_store.count()
    res = ro_client.post("/events", json=body, headers=AUTH)
    assert res.status_code == 422, res.text
    assert field in fields(res) and message in res.json()["detail"]
    assert shared_store.count() == n


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"webhook": "ftp://example.org/x"}, "body", "http:// or https://"),
        ({"webhook": "https://u:p@example.org/x"}, "body", "user name or password"),
        ({"email": "not-an-address"}, "body", "not an e-mail address"),
        ({}, "body", "exactly one of webhook or email"),
        ({"email": "a@example.org", "taxa": ["Nonexistus fictus"]}, "body.taxa[0]",
         "not an assessed taxon"),
    ],
)
def test_bad_subscriptions_name_the_field(ro_client: TestClient, body: dict[str, Any],
                                          field: str, message: str) -> None:
    res = ro_client.post("/subscriptions", json=body, headers=AUTH)
    assert res.status_code == 422, res.text
    assert field in fields(res) and message in res.json()["detail"]


def test_unknown_ids_are_404(ro_client: TestClient) -> None:
    client = ro_client
    assert client.get("/events/e0123456789ab/affected").status_code == 404
    assert client.get("/events/e0123456789ab/notifications", headers=AUTH).status_code == 404
    assert client.delete("/subscriptions/s0123456789ab", headers=AUTH).status_code == 404
    assert client.get("/events/bad/affected").status_code == 422


def test_subscription_cancelled(client: TestClient, receiver: Receiver) -> None:
    sub = client.post("/subscriptions", json={"webhook": receiver.url + "/ok"}, headers=AUTH)
    sid = sub.json()["id"]
    assert [x["id"] for x in client.get("/subscriptions", headers=AUTH).json()] == [sid]
    res = client.delete(f"/subscriptions/{sid}", headers=AUTH)
    assert res.status_code == 200 and res.json()["active"] is False
    assert client.get("/subscriptions", headers=AUTH).json() == []
    listed = client.get("/subscriptions", params={"all": "true"}, headers=AUTH).json()
    assert [(x["id"], x["active"]) for x in listed] == [(sid, False)]
    client.post("/events", json={"place": "ID", "kind": "flood"}, headers=AUTH)
    assert receiver.requests == []


def test_email_sent_through_smtp_when_configured(linked: Store) -> None:
    with SmtpSink() as sink:
        app = make_app(linked)
        cfg = MailSettings(host="127.0.0.1", port=sink.port, sender="alerts@a2p.example")
        app.dependency_overrides[routes.get_mailer] = lambda: smtp_mailer(cfg)
        with TestClient(app, raise_server_exceptions=False) as c:
            c.post("/subscriptions", json={"email": "ops@example.org"}, headers=AUTH)
            ev = c.post("/events", json={"place": "waterbody:Lake Fictara", "kind": "dried_up"},
                        headers=AUTH).json()
            log = c.get(f"/events/{ev['event']['id']}/notifications", headers=AUTH).json()
    assert [(n["target"], n["status"]) for n in log] == [("ops@example.org", "delivered")]
    (mail,) = sink.messages
    assert mail["from"] == "alerts@a2p.example" and mail["to"] == ["ops@example.org"]
    assert "dried_up at Lake Fictara" in mail["data"]
    assert "Fictorana lacustris" in mail["data"]


def test_email_failure_and_no_transport_are_logged(linked: Store, client: TestClient) -> None:
    client.post("/subscriptions", json={"email": "ops@example.org"}, headers=AUTH)
    ev = client.post("/events", json={"place": "ID", "kind": "flood"}, headers=AUTH).json()
    log = client.get(f"/events/{ev['event']['id']}/notifications", headers=AUTH).json()
    assert [n["status"] for n in log] == ["recorded"]  # no A2P_SMTP_HOST: recorded, not sent


    app = make_app(linked)
    cfg = MailSettings(host="127.0.0.1", port=free_port(), timeout=2)
    app.dependency_overrides[routes.get_mailer] = lambda: smtp_mailer(cfg)
    with TestClient(app, raise_server_exceptions=False) as c:
        ev = c.post("/events", json={"place": "ID", "kind": "flood"}, headers=AUTH).json()
        log = c.get(f"/events/{ev['event']['id']}/notifications", headers=AUTH).json()
    assert [n["status"] for n in log] == ["failed"] and "refused" in log[0]["log"][0]["error"]


def test_smtp_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("A2P_SMTP_HOST", raising=False)
    assert smtp_mailer() is None
    monkeypatch.setenv("A2P_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("A2P_SMTP_PORT", "587")
    cfg = MailSettings()
    assert (cfg.host, cfg.port) == ("mail.example.org", 587) and smtp_mailer(cfg) is not None


# --------------------------------------------------------------------------- views


def test_reassessment(client: TestClient) -> None:
    res = client.get("/reassessment", params={"today": "2025-01-01"})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["today"] == "2025-01-01" and body["years"] == 10
    by = {i["scientific_name"]: i for i in body["species"]}
    assert body["total"] == len(by)
    assert by["Fictorana lacustris"]["reasons"] == ["age"]  # assessed 2012-03-01
    assert by["Fictopora magna"]["reasons"] == ["age"]  # published 2008, no date
    assert "Fictorana montana" not in by  # assessed 2021
    client.post("/events", json={"place": "ID", "kind": "flood", "date": "2024-06-01"},
                headers=AUTH)
    by = {i["scientific_name"]: i for i in client.get(
        "/reassessment", params={"today": "2025-01-01"}).json()["species"]}
    assert by["Fictorana montana"]["reasons"] == ["event"]
    assert by["Fictorana lacustris"]["reasons"] == ["age", "event"]
    res = client.get("/reassessment", params={"years": 0})
    assert res.status_code == 422 and fields(res) == ["query.years"]


def test_reassessment_pages(client: TestClient, linked: Store) -> None:
    """Pages of `limit` from `offset` put together are the whole list, in its order; the list
    is kept per store generation and content epoch, so a write is seen at once."""
    whole = client.get("/reassessment", params={"today": "2025-01-01", "limit": 1000}).json()
    names = [i["scientific_name"] for i in whole["species"]]
    assert whole["total"] == len(names) >= 3 and (whole["limit"], whole["offset"]) == (1000, 0)
    paged = []
    for offset in range(0, len(names) + 1, 2):
        page = client.get("/reassessment", params={"today": "2025-01-01", "limit": 2,
                                                   "offset": offset}).json()
        assert page["total"] == len(names) and page["offset"] == offset
        paged += [i["scientific_name"] for i in page["species"]]
    assert paged == names
    ages = [i["age_years"] for i in whole["species"]]
    assert ages == sorted(ages, reverse=True)  # one reason each here: the oldest first
    for bad in ({"limit": 0}, {"limit": 1001}, {"offset": -1}):
        res = client.get("/reassessment", params=bad)
        assert res.status_code == 422 and fields(res) == [f"query.{next(iter(bad))}"]
    # a write that does not switch the generation (SPARQL Update) changes the store's version:
    # it is seen at once (and so once the service's content epoch changes)
    day = dt.date(2025, 1, 1)
    assert svc.reassessment_page(linked, today=day, version=0)["total"] == len(names)
    linked.update(
        "PREFIX a2p: <https://w3id.org/assess2plan/ontology#> "
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
        "DELETE { GRAPH ?g { ?a a2p:assessmentDate ?d } } "
        'INSERT { GRAPH ?g { ?a a2p:assessmentDate "2024-01-01"^^xsd:date } } '
        f"WHERE {{ GRAPH ?g {{ ?a a2p:assessmentDate ?d }} VALUES ?a {{ <{LACUSTRIS}> }} }}"
    )  # Fictorana lacustris, assessed 2012-03-01
    assert svc.reassessment_page(linked, today=day, version=0)["total"] == len(names) - 1
    fresh = svc.reassessment_page(linked, today=day, version=1)
    assert fresh["total"] == len(names) - 1
    assert "Fictorana lacustris" not in {i["scientific_name"] for i in fresh["species"]}


def test_species_links(client: TestClient) -> None:
    client.post("/pledges", json=PLEDGE, headers=AUTH)
    res = client.get("/species/700001/links")
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["taxon"].endswith("/sis700001")
    s = body["summary"]
    assert s["cites"] == "I" and s["listingDate"] == "2017-10-04"
    assert body["cites"][0]["citesAppendix"] == "I"
    assert "institutions" in s["exSitu"] and s["programmes"]
    assert s["pledges"] == 1 and s["pledgeStakeholders"] == "Fictland Wetlands Trust"
    assert body["exact_match"] and all(i.startswith("http") for i in body["exact_match"])
    assert body["pledges"][0]["stakeholder"]["contact"] == ""
    assert client.get("/species/700001/links", headers=AUTH).json()["pledges"][0][
        "stakeholder"]["contact"] == "info@fictland.org"
    assert client.get("/species/799999/links").status_code == 404
    res = client.get("/species/frog/links")
    assert res.status_code == 422 and "not a taxon" in res.json()["detail"]


# --------------------------------------------------------------------------- review table, clusters


def _pledge_two(client: TestClient) -> None:
    res = client.post("/pledges", headers=AUTH, json={**PLEDGE, "taxa": ["700001", "700003"]})
    assert res.status_code == 201, res.text


def test_review_table_link_columns(client: TestClient) -> None:
    before = {r["taxon_id"]: r for r in client.get("/review-table").json()["rows"]}
    assert before["700001"]["pledges"] == 0  # built before the pledge ...
    _pledge_two(client)
    rows = {r["taxon_id"]: r for r in client.get("/review-table").json()["rows"]}
    assert rows["700001"]["pledges"] == 1  # ... and rebuilt after it
    frog = rows["700001"]
    assert frog["cites"] == "I"
    assert frog["ex_situ"] == "global: 12 institutions, 340 individuals; EU: 3 institutions, 40 individuals"
    assert frog["programmes"] == ["Amphibian Ark", "EEP"]
    assert frog["pledged_by"] == ["Fictland Wetlands Trust"]
    assert rows["700002"]["cites"] == "II" and rows["700002"]["programmes"] == ["SSP"]  # synonym row
    assert rows["700006"]["cites"] == "II (via Scleractinia)"  # the order's listing
    assert rows["700003"]["ex_situ"] == "global: 0 institutions, 0 individuals"
    assert rows["700003"]["pledges"] == 1
    nothing = rows["700008"]
    assert (nothing["cites"], nothing["ex_situ"], nothing["programmes"], nothing["pledges"],
            nothing["pledged_by"]) == ("", "", [], 0, [])

    res = client.get("/review-table", params={"format": "csv"})
    table = list(csv.reader(io.StringIO(res.content.decode("utf-8-sig"))))
    head = table[0]
    assert head[-5:] == ["CITES appendix", "Ex situ holdings", "Ex situ programmes", "Pledges",
                         "Pledged by"]
    by = {r[0]: dict(zip(head, r, strict=True)) for r in table[1:]}
    assert by["700001"]["CITES appendix"] == "I" and by["700001"]["Pledges"] == "1"
    assert by["700001"]["Ex situ programmes"] == "Amphibian Ark; EEP"
    assert by["700008"]["Pledges"] == "0"

    res = client.get("/review-table", params={"format": "xlsx"})
    ws = load_workbook(io.BytesIO(res.content))["Review table"]
    header = [c.value for c in ws[1]]
    assert header[-5:] == head[-5:]
    cells = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert cells["700006"][header.index("CITES appendix")] == "II (via Scleractinia)"
    assert cells["700003"][header.index("Pledged by")] == "Fictland Wetlands Trust"

    page = client.get("/review-table", params={"format": "html"}).text
    assert "<th>CITES</th><th>Ex situ</th><th>Pledges</th>" in page
    assert "II (via Scleractinia)" in page and "1: Fictland Wetlands Trust" in page


def test_link_cells_are_one_query(linked: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.services.tables import Tables

    seen: list[str] = []

    def counting(method: str) -> None:
        real = getattr(linked, method)

        def call(query: str, *args: Any, **kwargs: Any) -> Any:
            seen.append(query)
            return real(query, *args, **kwargs)

        monkeypatch.setattr(linked, method, call)

    for method in ("select", "raw_query"):  # table_cells reads TSV where the store offers it
        counting(method)
    _index, review, _source = Tables(linked)._compute()
    assert len(review) == 5 and sum(1 for r in review if r.cites) == 4
    assert sum("a2p:citesListing ?listing" in q for q in seen) == 1  # not one per row


def test_cluster_views_get_link_cells(client: TestClient, linked: Store) -> None:
    from api.services.links import with_link_cells

    _pledge_two(client)
    clusters = {"clusters": [{"id": "c1", "species": [
        {"taxon_id": "700001", "name": "Fictorana lacustris"},
        {"taxon_id": "700008", "name": "Fictoglis insularis"}]}],
        "singletons": [{"taxon_id": "700006", "name": "Fictopora parva"}]}
    out = with_link_cells(linked, clusters)
    frog, dormouse = out["clusters"][0]["species"]
    assert frog["cites"] == "I" and frog["pledges"] == 1 and frog["programmes"] == ["Amphibian Ark", "EEP"]
    assert dormouse["cites"] == "" and dormouse["pledged_by"] == []
    assert out["singletons"][0]["cites"] == "II (via Scleractinia)"

    res = client.get("/clusters")
    if res.status_code == 404:
        pytest.skip("the planning module is not available")
    single = {s["taxon_id"]: s for s in res.json()["singletons"]}
    assert single["700001"]["pledged_by"] == ["Fictland Wetlands Trust"]
    assert single["700002"]["cites"] == "II"
    html = client.get("/clusters", params={"format": "html"}).text
    assert "<h1>Clusters of co-affected species</h1>" in html

    from api.pages import TEMPLATES  # the cluster page's species table, on the enriched clusters

    cluster = {**out["clusters"][0], "title": "Lake Fictara", "bucket": "habitat",
               "cohesion": 0.8, "threats": ["7.2"], "threat_labels": {}, "places": [],
               "place_names": {}}
    page = TEMPLATES.get_template("clusters.html").render(
        clusters={"clusters": [cluster], "coverage": 0.4, "threatened": 5, "singletons": [],
                  "method": "test"}, planning=True)
    assert "<th>CITES</th><th>Ex situ</th><th>Pledges</th>" in page
    assert "<td>I</td>" in page and "1: Fictland Wetlands Trust" in page
    assert "(Amphibian Ark, EEP)" in page


def test_species_page_shows_links_and_pledges(client: TestClient) -> None:
    _pledge_two(client)
    page = client.get("/species/700001", headers={"Accept": "text/html"}).text
    assert 'data-fragment="/species/700001/links?format=html"' in page
    frag = client.get("/species/700001/links", params={"format": "html"})
    assert frag.status_code == 200 and frag.headers["content-type"].startswith("text/html")
    text = frag.text
    assert "Appendix I, listed 2017-10-04" in text
    assert "global: 12 institutions, 340 individuals" in text and "Amphibian Ark; EEP" in text
    assert "EDGE score 12.5" in text and "ID: EN" in text
    assert "https://www.gbif.org/species/1000001" in text
    assert "<b>Fictland Wetlands Trust</b> — 2.1 Site/area management at Lake Fictara" in text
    assert "info@fictland.org" not in text  # no contacts without the token
    assert client.get("/species/700008/links", params={"format": "html"}).text.count(
        "No pledges yet.") == 1
    assert client.get("/species/700001/links", params={"format": "pdf"}).status_code == 406
