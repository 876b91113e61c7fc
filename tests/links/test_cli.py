"""api.commands.links: each command parses, calls one function and prints counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from linkdata import DATA, Receiver
from typer.testing import CliRunner

from api.commands.links import register
from kg.links.alerts import list_notifications
from kg.store import open_store

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    a = typer.Typer()
    register(a)

    @a.command("noop")  # a Typer app needs two commands to keep sub-command names
    def _noop() -> None:
        pass

    return a


@pytest.fixture
def url(ox_url: str) -> str:
    return ox_url


def run(app: typer.Typer, *args: str) -> str:
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    return res.output


def test_links_commands_print_counts(app: typer.Typer, url: str, tmp_path: Path) -> None:
    out = run(
        app, "links", "cites", DATA / "cites.csv", "--store", url, "--report", tmp_path / "r.csv"
    )
    assert "14 rows read" in out
    assert "7 links to 7 taxa (2 exact, 1 normalised, 2 synonym, 1 spelling, 1 higher_taxon)" in out
    assert (
        "7 rows (1 ambiguous, 1 superseded, 1 spelling, 1 synonym, 1 higher_rank, 1 not_found, "
        "1 empty)" in out
    )
    assert "Fictopora magnus" in out and (tmp_path / "r.csv").exists()
    out = run(app, "links", "exsitu", DATA / "exsitu.csv", "--store", url, "--show", "0")
    assert "4 links to 3 taxa (3 exact, 1 synonym)" in out and "1 rows (1 not_found)" in out
    out = run(app, "links", "scores", DATA / "scores.csv", "--store", url, "--show", "0")
    assert "7 links to 3 taxa (7 exact)" in out
    out = run(app, "links", "ids", DATA / "ids.csv", "--store", url, "--json")
    rep = json.loads(out)
    assert (
        rep["links"] == 3
        and rep["unmatched"] == 1
        and rep["unmatched_rows"][0]["reason"] == "not_found"
    )
    out = run(app, "links", "greenstatus", DATA / "greenstatus.json", "--store", url, "--show", "0")
    assert "2 links to 2 taxa (1 sis_id, 1 synonym)" in out


def test_bad_file_is_one_line_error(app: typer.Typer, url: str, tmp_path: Path) -> None:
    bad = tmp_path / "c.csv"
    bad.write_text("FullName,CurrentListing\nFictorana lacustris,IV\n", encoding="utf-8")
    res = runner.invoke(app, ["links", "cites", str(bad), "--store", url])
    assert res.exit_code == 2
    assert f"error: {bad}, row 1, column 'CurrentListing': unknown CITES listing" in res.output
    assert "Traceback" not in res.output


def test_pledge_event_subscribe_reassessment(
    app: typer.Typer, url: str, receiver: Receiver
) -> None:
    out = run(
        app,
        "pledge",
        "add",
        "--by",
        "Fictland Wetlands Trust",
        "--contact",
        "info@fictland.org",
        "-t",
        "Fictorana lacustris",
        "--place",
        "waterbody:Lake Fictara",
        "--action",
        "2.1",
        "--status",
        "active",
        "--start",
        "2024-01-01",
        "--store",
        url,
    )
    pid = out.split()[1]
    assert pid.startswith("p") and "(active)" in out
    res = runner.invoke(
        app, ["pledge", "add", "--by", "X", "-t", "Fictopora magnus", "--store", url]
    )
    assert res.exit_code == 2 and "did you mean 'Fictopora magna'" in res.output
    assert pid in run(app, "pledge", "list", "--taxon", "Fictorana lacustris", "--store", url)
    assert "is completed" in run(
        app, "pledge", "update", pid, "--status", "completed", "--store", url
    )

    out = run(
        app,
        "subscribe",
        "--webhook",
        receiver.url + "/ok",
        "--place",
        "waterbody:Lake Fictara",
        "--store",
        url,
    )
    sid = out.split()[1].rstrip(":")
    assert sid in run(app, "subscriptions", "--store", url)
    out = run(
        app,
        "event",
        "add",
        "waterbody:Lake Fictara",
        "--kind",
        "dried_up",
        "--date",
        "2024-08-01",
        "--backoff",
        "0.01",
        "--store",
        url,
    )
    assert (
        "2 species affected" in out
        and "Fictorana lacustris" in out
        and "Fictobarbus pallidus" in out
    )
    assert "Fictland Wetlands Trust (completed)" in out
    assert f"notification to {receiver.url}/ok: delivered after 1 attempt(s)" in out
    eid = out.split()[1].rstrip(":")
    assert eid in run(app, "event", "list", "--store", url)
    assert "7.2.10*" in run(app, "event", "affected", eid, "--store", url)
    assert "delivered" in run(app, "event", "notifications", eid, "--store", url)
    with open_store(url, read_only=True) as st:
        assert len(list_notifications(st, event_id=eid)) == 1
    out = run(app, "reassessment", "--today", "2025-01-01", "--store", url, "--format", "csv")
    lines = out.strip().splitlines()
    assert lines[0] == "taxon,category,assessed,age,reasons,events"
    assert lines[1].startswith('Fictorana lacustris,EN,2012-03-01,12.8,"age, event"')
    assert "cancelled" in run(app, "unsubscribe", sid, "--store", url)
    res = runner.invoke(app, ["reassessment", "--today", "01/01/2025", "--store", url])
    assert res.exit_code == 2 and "not a date" in res.output


def test_event_mails_email_subscribers_when_smtp_is_configured(
    app: typer.Typer, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smtpsink import SmtpSink

    run(app, "subscribe", "--email", "ops@example.org", "--store", url)
    with SmtpSink() as sink:
        monkeypatch.setenv("A2P_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("A2P_SMTP_PORT", str(sink.port))
        out = run(app, "event", "add", "waterbody:Lake Fictara", "--kind", "dried_up",
                  "--store", url)
    assert "notification to ops@example.org: delivered" in out
    (mail,) = sink.messages
    assert mail["to"] == ["ops@example.org"] and "Fictorana lacustris" in mail["data"]
    monkeypatch.delenv("A2P_SMTP_HOST")
    out = run(app, "event", "add", "ID", "--kind", "flood", "--store", url)
    assert "notification to ops@example.org: recorded" in out
