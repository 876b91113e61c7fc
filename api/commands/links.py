"""api.commands.links — `a2p links|pledge|event …`, `a2p subscribe`, `a2p reassessment`.

Each command parses its arguments, calls one library function and prints. Wire it with
`register(app)` in api/cli.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from kg.cli import OutFormat, StoreOpt, fail, print_rows
from kg.ingest import IngestError
from kg.store import QueryError, StoreError

if TYPE_CHECKING:
    from kg.store import Store

M = TypeVar("M", bound=BaseModel)

links_app = typer.Typer(
    help="Link other databases to the graph's taxa (CITES, ex situ, schemes, Green Status, ids).",
    no_args_is_help=True,
)
pledge_app = typer.Typer(
    help="Stakeholders' pledges to take actions forward.", no_args_is_help=True
)
event_app = typer.Typer(
    help="Site events, the species they affect, and notifications.", no_args_is_help=True
)

ERRORS = (IngestError, StoreError, QueryError, ValueError, KeyError, OSError)


def _fail(exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        msgs = [f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors()]
        exc = ValueError("; ".join(msgs))
    if isinstance(exc, KeyError):
        exc = ValueError(str(exc.args[0]) if exc.args else "not found")
    fail(exc)


def _date(value: str | None, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{what}: not a date (YYYY-MM-DD): {value!r}") from None


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, default=str, ensure_ascii=False, indent=2))


T = TypeVar("T")
FormatOpt = Annotated[OutFormat, typer.Option("--format", "-f")]


def _in_store(store: str | None, work: Callable[[Store], T], *, read_only: bool = False) -> T:
    """Open the store, run `work` on it and close it; an error is printed and exits 2."""
    from kg.store import open_store

    try:
        with open_store(store, read_only=read_only) as st:
            return work(st)
    except ERRORS as exc:
        _fail(exc)
        raise AssertionError("unreachable: _fail exits") from exc


def _valid(model: type[M], data: dict[str, Any]) -> M:
    """The body validated by its pydantic model; an error is printed and exits 2."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        _fail(exc)
        raise AssertionError("unreachable: _fail exits") from exc


# --------------------------------------------------------------------------- links

FileArg = Annotated[
    Path, typer.Argument(help="The source file (CSV, .csv.gz, or JSON for greenstatus).")
]
DatasetOpt = Annotated[
    str | None,
    typer.Option(
        "--dataset",
        help="Keep this file beside others of its kind: graph/links/<kind>/<NAME>. "
        "Default: one graph per kind, replaced on every run.",
    ),
]
EncodingOpt = Annotated[str, typer.Option("--encoding", help="Text encoding of a CSV file.")]
ReportOpt = Annotated[
    Path | None,
    typer.Option(
        "--report", help="Write every row's outcome (matched how / unmatched why) as CSV."
    ),
]
ShowOpt = Annotated[
    int, typer.Option("--show", help="How many non-exact matches and unmatched rows to print.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the whole report as JSON.")]

# unmatched reasons worth a person's attention come first
_ATTENTION = ("ambiguous", "spelling", "synonym", "rank", "superseded", "invalid")


def _link(
    kind: str,
    path: Path,
    store: str | None,
    dataset: str | None,
    encoding: str,
    report: Path | None,
    show: int,
    as_json: bool,
) -> None:
    from kg.links.load import LinkError, link_file

    try:
        rep = _in_store(store, lambda st: link_file(kind, path, st, dataset=dataset,
                                                    encoding=encoding))
    except LinkError as exc:
        _fail(exc)
        return
    r = rep.report
    if report is not None:
        r.write_csv(report)
    if as_json:
        _echo_json(rep.to_dict())
        return
    methods = ", ".join(f"{n} {m}" for m, n in r.by_method().items()) or "none"
    reasons = ", ".join(f"{n} {m}" for m, n in r.by_reason().items()) or "none"
    typer.echo(f"{kind}: {r.rows} rows read ({rep.profile} format) from {path.name}")
    typer.echo(f"  matched:   {r.links()} links to {len(r.taxa())} taxa ({methods})")
    typer.echo(f"  unmatched: {r.unmatched_rows()} rows ({reasons})")
    typer.echo(f"  graph:     {rep.graph} ({rep.quads} quads)")
    if show > 0:
        ne = r.not_exact()[:show]
        if ne:
            typer.echo(f"\nnon-exact matches (first {len(ne)} of {len(r.not_exact())}):")
            print_rows(
                [
                    {
                        "row": m.row,
                        "name": m.name,
                        "method": m.method,
                        "taxon": m.taxon_name,
                        "detail": m.detail,
                    }
                    for m in ne
                ],
                ["row", "name", "method", "taxon", "detail"],
                OutFormat.table,
            )
        um = sorted(
            r.unmatched,
            key=lambda u: (
                _ATTENTION.index(u.reason) if u.reason in _ATTENTION else len(_ATTENTION),
                u.row,
            ),
        )[:show]
        if um:
            typer.echo(
                f"\nunmatched (first {len(um)} of {len(r.unmatched)} entries in "
                f"{r.unmatched_rows()} rows, most actionable first):"
            )
            print_rows(
                [
                    {"row": u.row, "name": u.name, "reason": u.reason, "detail": u.detail}
                    for u in um
                ],
                ["row", "name", "reason", "detail"],
                OutFormat.table,
            )
    if report is not None:
        typer.echo(f"\nevery row's outcome written to {report}")


def _link_command(kind: str, doc: str) -> None:
    """Register `a2p links <kind>`: every link command takes the same arguments."""

    def command(
        file: FileArg,
        store: StoreOpt = None,
        dataset: DatasetOpt = None,
        encoding: EncodingOpt = "utf-8",
        report: ReportOpt = None,
        show: ShowOpt = 10,
        as_json: JsonOpt = False,
    ) -> None:
        text_encoding = "utf-8" if kind == "greenstatus" else encoding  # JSON is UTF-8
        _link(kind, file, store, dataset, text_encoding, report, show, as_json)

    command.__doc__ = doc
    command.__name__ = f"{kind}_cmd"
    links_app.command(kind)(command)


for _kind, _doc in (
    ("cites", "Link the CITES Species+ index (CSV or .csv.gz): appendix and listing date per "
     "taxon."),
    ("exsitu", "Link ex situ holdings and programmes (institutions, individuals, "
     "EEP/SSP/Amphibian Ark)."),
    ("scores", "Link prioritisation schemes: EDGE/ED scores, AZE trigger species, national red "
     "lists."),
    ("ids", "Link GBIF keys, Wikidata QIDs and NCBI taxon ids (skos:exactMatch) from a mapping "
     "CSV."),
    ("greenstatus", "Link IUCN Green Status of Species assessments (API v4 JSON; --encoding "
     "is not used: JSON is UTF-8)."),
):
    _link_command(_kind, _doc)


# --------------------------------------------------------------------------- pledges

_PLEDGE_COLS = ["id", "status", "stakeholder", "taxa", "cluster", "place", "action", "start", "end"]


def _pledge_row(p: Any) -> dict[str, Any]:
    return {
        "id": p.id,
        "status": p.status,
        "stakeholder": p.stakeholder["name"],
        "taxa": "; ".join(t["name"] for t in p.taxa),
        "cluster": p.cluster,
        "place": (p.place or {}).get("name") or (p.place or {}).get("spec", ""),
        "action": (p.action or {}).get("code", ""),
        "start": p.start,
        "end": p.end,
    }


@pledge_app.command("add")
def pledge_add_cmd(
    by: Annotated[str, typer.Option("--by", help="Name of the organisation or person pledging.")],
    taxon: Annotated[
        list[str] | None,
        typer.Option("--taxon", "-t", help="Scientific name or Red List id; repeatable."),
    ] = None,
    cluster: Annotated[str, typer.Option("--cluster", help="Key of a species cluster.")] = "",
    place: Annotated[
        str,
        typer.Option("--place", help="ISO country code, lme:CODE, site:NAME, waterbody:NAME..."),
    ] = "",
    action: Annotated[
        str, typer.Option("--action", help="Conservation Actions code, e.g. 2.1.")
    ] = "",
    kind: Annotated[str, typer.Option("--kind", help="organisation or person.")] = "organisation",
    contact: Annotated[str, typer.Option("--contact", help="E-mail address, URL or phone.")] = "",
    description: Annotated[str, typer.Option("--description", "-d")] = "",
    status: Annotated[
        str, typer.Option("--status", help="proposed, active, completed or withdrawn.")
    ] = "proposed",
    start: Annotated[str | None, typer.Option("--start", help="YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--end", help="YYYY-MM-DD")] = None,
    store: StoreOpt = None,
) -> None:
    """Record a pledge to take an action forward for species (or a cluster) at a place."""
    from kg.links.pledges import PledgeIn, add_pledge

    body = _valid(
        PledgeIn,
        {
            "stakeholder": {"name": by, "kind": kind, "contact": contact},
            "taxa": taxon or [],
            "cluster": cluster,
            "place": place,
            "action": action,
            "description": description,
            "status": status,
            "start": _date(start, "--start"),
            "end": _date(end, "--end"),
        },
    )
    p = _in_store(store, lambda st: add_pledge(st, body))
    typer.echo(f"pledge {p.id} recorded ({p.status})")
    print_rows([_pledge_row(p)], _PLEDGE_COLS, OutFormat.table)


@pledge_app.command("list")
def pledge_list_cmd(
    taxon: Annotated[
        str | None, typer.Option("--taxon", "-t", help="Scientific name or Red List id.")
    ] = None,
    place: Annotated[str | None, typer.Option("--place")] = None,
    store: StoreOpt = None,
    fmt: FormatOpt = OutFormat.table,
) -> None:
    """List pledges, optionally for a taxon and/or at a place."""
    from kg.links.match import TaxonIndex, resolve_taxon
    from kg.links.places import resolve_place
    from kg.links.pledges import list_pledges

    def find(st: Store) -> list[Any]:
        t_iri = resolve_taxon(TaxonIndex.for_names(st, [taxon]), taxon).iri if taxon else None
        return list_pledges(st, taxon=t_iri, place=resolve_place(place).iri if place else None)

    found = _in_store(store, find, read_only=True)
    if fmt is OutFormat.json:
        for p in found:
            typer.echo(json.dumps(p.to_dict(), default=str, ensure_ascii=False))
        return
    print_rows([_pledge_row(p) for p in found], _PLEDGE_COLS, fmt)


@pledge_app.command("update")
def pledge_update_cmd(
    pledge_id: Annotated[str, typer.Argument(help="The pledge id (p...).")],
    status: Annotated[str | None, typer.Option("--status")] = None,
    end: Annotated[str | None, typer.Option("--end", help="YYYY-MM-DD")] = None,
    description: Annotated[str | None, typer.Option("--description", "-d")] = None,
    store: StoreOpt = None,
) -> None:
    """Change a pledge's status, end date or description."""
    from kg.links.pledges import PledgeUpdate, update_pledge

    change = _valid(
        PledgeUpdate, {"status": status, "end": _date(end, "--end"), "description": description}
    )
    p = _in_store(store, lambda st: update_pledge(st, pledge_id, change))
    typer.echo(f"pledge {p.id} is {p.status}")


# --------------------------------------------------------------------------- events


def _affected_rows(affected: Any) -> list[dict[str, Any]]:
    return [
        {
            "taxon": a.scientific_name,
            "category": a.category,
            "via": ", ".join(a.via),
            "threats": "; ".join(f"{t.code}{'*' if t.event_related else ''}" for t in a.threats),
            "pledges": "; ".join(f"{p['stakeholder']['name']} ({p['status']})" for p in a.pledges),
        }
        for a in affected.species
    ]


_AFFECTED_COLS = ["taxon", "category", "via", "threats", "pledges"]


@event_app.command("add")
def event_add_cmd(
    place: Annotated[
        str,
        typer.Argument(
            help="ISO country code, lme:CODE, site:NAME, waterbody:NAME, protectedarea:NAME."
        ),
    ],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            "-k",
            help="dried_up, flood, decline, bleaching, disease, "
            "invasive, pollution, fire, development, logging or other.",
        ),
    ] = "other",
    when: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default today).")] = None,
    description: Annotated[str, typer.Option("--description", "-d")] = "",
    threat: Annotated[
        list[str] | None,
        typer.Option("--threat", help="Threat code; repeatable (default: the kind's)."),
    ] = None,
    reported_by: Annotated[str, typer.Option("--reported-by")] = "",
    notify: Annotated[
        bool, typer.Option("--notify/--no-notify", help="Notify subscribers.")
    ] = True,
    attempts: Annotated[
        int, typer.Option("--attempts", min=1, max=10, help="Webhook attempts.")
    ] = 4,
    backoff: Annotated[
        float, typer.Option("--backoff", min=0, help="Seconds before the 2nd attempt (doubles).")
    ] = 1.0,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds per webhook attempt.")
    ] = 10.0,
    store: StoreOpt = None,
    fmt: FormatOpt = OutFormat.table,
) -> None:
    """Record a site event and print every species associated with the place."""
    from api.services.mail import smtp_mailer
    from kg.events import EventIn, record_event
    from kg.links.alerts import DeliveryPolicy

    body = _valid(
        EventIn,
        {
            "place": place,
            "kind": kind,
            "description": description,
            "threats": threat or [],
            "reported_by": reported_by,
            **({"date": _date(when, "--date")} if when else {}),
        },
    )
    rec = _in_store(
        store,
        lambda st: record_event(
            st,
            body,
            notify=notify,
            policy=DeliveryPolicy(attempts=attempts, backoff=backoff, timeout=timeout),
            mailer=smtp_mailer(),
        ),
    )
    if fmt is OutFormat.json:
        _echo_json(rec.to_dict())
        return
    e = rec.event
    typer.echo(
        f"event {e.id}: {e.kind} at {e.place.get('name') or e.place['spec']} on {e.date}; "
        f"threats {', '.join(e.threats) or 'none'}; {len(rec.affected.species)} species affected"
    )
    print_rows(_affected_rows(rec.affected), _AFFECTED_COLS, fmt)
    if rec.affected.stakeholders:
        typer.echo(
            "pledges at this place: "
            + "; ".join(
                f"{p['stakeholder']['name']} ({p['status']})" for p in rec.affected.stakeholders
            )
        )
    for n in rec.notifications:
        typer.echo(f"notification to {n.target}: {n.status} after {len(n.attempts)} attempt(s)")


@event_app.command("list")
def event_list_cmd(
    place: Annotated[str | None, typer.Option("--place")] = None,
    store: StoreOpt = None,
    fmt: FormatOpt = OutFormat.table,
) -> None:
    """List recorded site events, newest first."""
    from kg.events import list_events

    found = _in_store(store, lambda st: list_events(st, place=place), read_only=True)
    print_rows(
        [
            {
                "id": e.id,
                "date": e.date,
                "kind": e.kind,
                "place": e.place.get("name") or e.place["spec"],
                "threats": ", ".join(e.threats),
                "affected": e.affected,
                "description": e.description,
            }
            for e in found
        ],
        ["id", "date", "kind", "place", "threats", "affected", "description"],
        fmt,
    )


@event_app.command("affected")
def event_affected_cmd(
    event_id: Annotated[str, typer.Argument(help="The event id (e...).")],
    store: StoreOpt = None,
    fmt: FormatOpt = OutFormat.table,
) -> None:
    """The species affected by a recorded event, from the graph as it is now."""
    from kg.events import event_affected

    aff = _in_store(store, lambda st: event_affected(st, event_id), read_only=True)
    if fmt is OutFormat.json:
        _echo_json(aff.to_dict())
        return
    print_rows(_affected_rows(aff), _AFFECTED_COLS, fmt)


@event_app.command("notifications")
def event_notifications_cmd(
    event_id: Annotated[str | None, typer.Argument(help="Only this event's (e...).")] = None,
    store: StoreOpt = None,
    fmt: FormatOpt = OutFormat.table,
) -> None:
    """The notification log: status and attempts of every notification."""
    from kg.links.alerts import list_notifications

    found = _in_store(store, lambda st: list_notifications(st, event_id=event_id), read_only=True)
    print_rows(
        [
            {k: n[k] for k in ("event", "subscription", "target", "status", "attempts", "created")}
            for n in found
        ],
        ["event", "subscription", "target", "status", "attempts", "created"],
        fmt,
    )


# --------------------------------------------------------------------------- subscriptions


def subscribe_cmd(
    webhook: Annotated[str, typer.Option("--webhook", help="URL to POST events to.")] = "",
    email: Annotated[
        str,
        typer.Option(
            "--email", help="E-mail address (sent through A2P_SMTP_HOST if set; else recorded)."
        ),
    ] = "",
    place: Annotated[
        list[str] | None, typer.Option("--place", help="Watch this place; repeatable.")
    ] = None,
    taxon: Annotated[
        list[str] | None, typer.Option("--taxon", "-t", help="Watch this taxon; repeatable.")
    ] = None,
    name: Annotated[str, typer.Option("--name")] = "",
    store: StoreOpt = None,
) -> None:
    """Subscribe a webhook or an e-mail address to site events (at places, for taxa, or all)."""
    from kg.links.alerts import SubscriptionIn, subscribe

    body = _valid(
        SubscriptionIn,
        {"webhook": webhook, "email": email, "name": name, "places": place or [],
         "taxa": taxon or []},
    )
    s = _in_store(store, lambda st: subscribe(st, body))
    scope = "; ".join(
        [*(p.get("name") or p["spec"] for p in s.places), *(t["name"] for t in s.taxa)]
    )
    typer.echo(f"subscription {s.id}: {s.webhook or s.email} for {scope or 'every event'}")


def subscriptions_cmd(
    all_: Annotated[bool, typer.Option("--all", help="Include cancelled subscriptions.")] = False,
    store: StoreOpt = None,
    fmt: FormatOpt = OutFormat.table,
) -> None:
    """List subscriptions to site events."""
    from kg.links.alerts import list_subscriptions

    found = _in_store(store, lambda st: list_subscriptions(st, active_only=not all_),
                      read_only=True)
    print_rows(
        [
            {
                "id": s.id,
                "active": s.active,
                "target": s.webhook or s.email,
                "name": s.name,
                "places": "; ".join(p.get("name") or p["spec"] for p in s.places),
                "taxa": "; ".join(t["name"] for t in s.taxa),
            }
            for s in found
        ],
        ["id", "active", "target", "name", "places", "taxa"],
        fmt,
    )


def unsubscribe_cmd(
    sub_id: Annotated[str, typer.Argument(help="The subscription id (s...).")],
    store: StoreOpt = None,
) -> None:
    """Cancel a subscription (kept, inactive, so the notification log still names it)."""
    from kg.links.alerts import unsubscribe

    s = _in_store(store, lambda st: unsubscribe(st, sub_id))
    typer.echo(f"subscription {s.id} cancelled")


# --------------------------------------------------------------------------- reassessment


def reassessment_cmd(
    today: Annotated[
        str | None, typer.Option("--today", help="Reference date, YYYY-MM-DD (default today).")
    ] = None,
    years: Annotated[
        int, typer.Option("--years", min=1, help="Age that calls for a reassessment.")
    ] = 10,
    store: StoreOpt = None,
    fmt: FormatOpt = OutFormat.table,
) -> None:
    """Species needing reassessment: assessed over --years ago, or hit by a site event since."""
    from kg.links.reassessment import reassessment_list

    day = _date(today, "--today")
    items = _in_store(store, lambda st: reassessment_list(st, today=day, years=years),
                      read_only=True)
    print_rows(
        [
            {
                "taxon": i.scientific_name,
                "category": i.category,
                "assessed": i.assessment_date or i.year,
                "age": i.age_years,
                "reasons": ", ".join(i.reasons),
                "events": "; ".join(f"{e['kind']} {e['date']} ({e['id']})" for e in i.events),
            }
            for i in items
        ],
        ["taxon", "category", "assessed", "age", "reasons", "events"],
        fmt,
    )


def register(app: typer.Typer) -> None:
    """Add the links sub-app and the pledge, event, subscribe and reassessment commands."""
    app.add_typer(links_app, name="links")
    app.add_typer(pledge_app, name="pledge")
    app.add_typer(event_app, name="event")
    app.command("subscribe")(subscribe_cmd)
    app.command("subscriptions")(subscriptions_cmd)
    app.command("unsubscribe")(unsubscribe_cmd)
    app.command("reassessment")(reassessment_cmd)
