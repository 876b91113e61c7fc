"""api.services.links — service functions for links, pledges, site events, alerts, reassessment.

Routes stay thin: validate the body with the pydantic models re-exported here (PledgeIn,
PledgeUpdate, EventIn, SubscriptionIn), check the write token with `check_write_token`,
call one function, return its JSON-ready dict. Errors: KeyError → 404, ValueError
(including pydantic's ValidationError) → 422, PermissionError → 401/403.

Proposed routes (docs/links.md):

    POST   /pledges                  create_pledge          (token)
    PATCH  /pledges/{id}             change_pledge          (token)
    GET    /pledges?taxon=&place=    pledges
    POST   /events                   create_event           (token; notify in a background task)
    GET    /events?place=            events
    GET    /events/{id}              event
    GET    /events/{id}/affected     affected
    GET    /events/{id}/notifications notifications
    POST   /subscriptions            create_subscription    (token)
    DELETE /subscriptions/{id}       delete_subscription    (token)
    GET    /subscriptions            subscriptions          (token: it lists contacts)
    GET    /reassessment?today=&years=&limit=&offset= reassessment_page
    GET    /species/{taxon}/links    species_links
    GET    /review?category=         review_table
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import Any

import httpx

from api.services.store_cache import StoreCache
from kg.events import EventIn, event_affected, get_event, list_events, record_event
from kg.links import terms
from kg.links.alerts import (
    DeliveryPolicy,
    SubscriptionIn,
    get_subscription,
    list_notifications,
    list_subscriptions,
    notify_event,
    subscribe,
    unsubscribe,
)
from kg.links.match import TaxonIndex, resolve_taxon
from kg.links.places import resolve_place
from kg.links.pledges import (
    PledgeIn,
    PledgeUpdate,
    add_pledge,
    get_pledge,
    list_pledges,
    update_pledge,
)
from kg.links.reassessment import reassessment_list
from kg.links.review import link_columns as _link_columns
from kg.links.review import review_table as _review_table
from kg.links.review import species_links as _species_links
from kg.links.review import table_cells as _table_cells
from kg.store import Store

__all__ = [
    "DeliveryPolicy",
    "EventIn",
    "FieldValueError",
    "PledgeIn",
    "PledgeUpdate",
    "SubscriptionIn",
    "affected",
    "change_pledge",
    "check_write_token",
    "create_event",
    "create_pledge",
    "create_subscription",
    "delete_subscription",
    "deliver_notifications",
    "event",
    "events",
    "link_cells",
    "link_columns",
    "notifications",
    "pledge",
    "pledges",
    "reassessment",
    "reassessment_page",
    "review_table",
    "species_links",
    "with_link_cells",
    "subscriptions",
]


def check_write_token(authorization: str | None, configured: Any) -> None:
    """Allow a write only with `Authorization: Bearer <configured token>`.

    `configured` is the settings' token (str or pydantic SecretStr); None means writes are
    disabled. Raises PermissionError (route: 401 when the header is missing or wrong, 403
    when writes are disabled). Compared in constant time.
    """
    if configured is None:
        raise PermissionError("writes are disabled: no write token is configured")
    secret = (
        configured.get_secret_value()
        if hasattr(configured, "get_secret_value")
        else str(configured)
    )
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given or not secret:
        raise PermissionError("a write needs 'Authorization: Bearer <token>'")
    if not hmac.compare_digest(given.strip().encode(), secret.encode()):
        raise PermissionError("wrong token")


def _taxon_iri(value: str) -> str:
    """A taxon path parameter: a taxon IRI or a Red List taxon id."""
    from kg import iris

    v = value.strip()
    if v.isdigit():
        return iris.taxon(v)
    if v.startswith("sis") and v[3:].isdigit():
        return iris.taxon(v[3:])
    if v.startswith(iris.taxon("")):
        return v
    raise ValueError(f"not a taxon: {value!r} (give a Red List taxon id or a taxon IRI)")


# --------------------------------------------------------------------------- pledges


class FieldValueError(ValueError):
    """A value refused because of what the graph holds; `loc` names the request field."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def _taxon_index(store: Store, names: list[str], field: str) -> TaxonIndex | None:
    """An index of the taxa these names can resolve to (bound look-ups, not every taxon of the
    graph), after checking every name in `names` resolves (FieldValueError naming `field[i]`
    otherwise); None when there are no names."""
    if not names:
        return None
    index = TaxonIndex.for_names(store, names)
    for i, name in enumerate(names):
        try:
            resolve_taxon(index, name)
        except ValueError as exc:
            raise FieldValueError(("body", field, i), str(exc)) from None
    return index


def create_pledge(store: Store, body: PledgeIn) -> dict[str, Any]:
    index = _taxon_index(store, body.taxa, "taxa")
    return add_pledge(store, body, index=index).to_dict()


def change_pledge(store: Store, pledge_id: str, body: PledgeUpdate) -> dict[str, Any]:
    terms.check_id(pledge_id, "p")
    return update_pledge(store, pledge_id, body).to_dict()


def pledge(store: Store, pledge_id: str) -> dict[str, Any]:
    found = get_pledge(store, terms.check_id(pledge_id, "p"))
    if found is None:
        raise KeyError(f"no pledge {pledge_id}")
    return found.to_dict()


def pledges(
    store: Store,
    *,
    taxon: str | None = None,
    place: str | None = None,
    stakeholder: str | None = None,
    contacts: bool = True,
) -> list[dict[str, Any]]:
    """Pledges, optionally for a taxon (name, Red List id or IRI), at a place (specification)
    and/or by a stakeholder (name, case-insensitive, or its id `sh...`).

    contacts=False blanks the stakeholders' contacts (for readers without the write token).
    A taxon or place that cannot be resolved raises FieldValueError naming `query.<field>`.
    """
    t_iri = p_iri = None
    if taxon:
        try:
            t_iri = resolve_taxon(TaxonIndex.for_names(store, [taxon]), taxon).iri
        except ValueError as exc:
            raise FieldValueError(("query", "taxon"), str(exc)) from None
    if place:
        try:
            p_iri = resolve_place(place).iri
        except ValueError as exc:
            raise FieldValueError(("query", "place"), str(exc)) from None
    out = []
    for p in list_pledges(store, taxon=t_iri, place=p_iri):
        sh = p.stakeholder
        if stakeholder and stakeholder.strip().lower() not in (
            " ".join(sh["name"].lower().split()),
            terms.stakeholder_key(sh["kind"], sh["name"], sh["contact"]),
        ):
            continue
        d = p.to_dict()
        if not contacts:
            d["stakeholder"] = {**d["stakeholder"], "contact": ""}
        out.append(d)
    return out


# --------------------------------------------------------------------------- events


def create_event(
    store: Store,
    body: EventIn,
    *,
    notify: bool = False,
    policy: DeliveryPolicy | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Record the event and return it with its affected species.

    Leave notify=False in a route and schedule `deliver_notifications(store, id)` as a
    background task, so the response does not wait for webhook retries.
    """
    rec = record_event(store, body, notify=notify, policy=policy, client=client, sleep=sleep)
    return rec.to_dict()


def deliver_notifications(
    store: Store,
    event_id: str,
    *,
    policy: DeliveryPolicy | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] | None = None,
    mailer: Callable[[str, str, str], None] | None = None,
) -> list[dict[str, Any]]:
    """Notify the event's subscribers (webhooks with retries; e-mail through `mailer`, or
    recorded without one), logging every notification in the graph."""
    terms.check_id(event_id, "e")
    return [
        n.to_dict()
        for n in notify_event(
            store, event_id, policy=policy, client=client, sleep=sleep, mailer=mailer
        )
    ]


def event(store: Store, event_id: str) -> dict[str, Any]:
    found = get_event(store, terms.check_id(event_id, "e"))
    if found is None:
        raise KeyError(f"no event {event_id}")
    return found.to_dict()


def events(store: Store, *, place: str | None = None) -> list[dict[str, Any]]:
    return [e.to_dict() for e in list_events(store, place=place)]


def affected(store: Store, event_id: str) -> dict[str, Any]:
    """GET /events/{id}/affected: the species affected, recomputed from the graph as it is now."""
    ev = event(store, event_id)
    return {"event": ev, **event_affected(store, event_id).to_dict()}


def notifications(store: Store, event_id: str) -> list[dict[str, Any]]:
    return list_notifications(store, event_id=terms.check_id(event_id, "e"))


# --------------------------------------------------------------------------- subscriptions


def create_subscription(store: Store, body: SubscriptionIn) -> dict[str, Any]:
    index = _taxon_index(store, body.taxa, "taxa")
    return subscribe(store, body, index=index).to_dict()


def delete_subscription(store: Store, sub_id: str) -> dict[str, Any]:
    return unsubscribe(store, terms.check_id(sub_id, "s")).to_dict()


def subscription(store: Store, sub_id: str) -> dict[str, Any]:
    found = get_subscription(store, terms.check_id(sub_id, "s"))
    if found is None:
        raise KeyError(f"no subscription {sub_id}")
    return found.to_dict()


def subscriptions(store: Store, *, active_only: bool = True) -> list[dict[str, Any]]:
    return [s.to_dict() for s in list_subscriptions(store, active_only=active_only)]


# --------------------------------------------------------------------------- views


def reassessment(
    store: Store, *, today: date | None = None, years: int = 10
) -> list[dict[str, Any]]:
    return [asdict(i) for i in reassessment_list(store, today=today, years=years)]


# the reassessment lists computed, per store version and content version: (today, years)
_REASSESSMENT = StoreCache()
REASSESSMENT_PAGE = 100  # species per page unless the request asks for another limit
REASSESSMENT_MAX_PAGE = 1000


def reassessment_page(
    store: Store,
    *,
    today: date | None = None,
    years: int = 10,
    limit: int = REASSESSMENT_PAGE,
    offset: int = 0,
    version: Any = None,
) -> dict[str, Any]:
    """GET /reassessment: one page of the list (`reassessment`'s order: both reasons first,
    then the oldest) and its `total`.

    At 172,000 species the list has ~76,000 species and takes 20-30 s to compute on Oxigraph,
    so it is computed once per store version (`Store.version`: every write through a store
    changes it, on every store kind; a remote store's version is the token every assess2plan
    writer leaves on the server) and `version` (the route passes the service's content epoch),
    and pages are cut from it.
    """
    if not 1 <= limit <= REASSESSMENT_MAX_PAGE:
        raise ValueError(f"limit must be 1..{REASSESSMENT_MAX_PAGE}, not {limit}")
    if offset < 0:
        raise ValueError(f"offset must be >= 0, not {offset}")
    day = today or date.today()
    items = _REASSESSMENT.get_or_compute(
        store, (day, years), lambda: reassessment(store, today=day, years=years), version)
    return {"total": len(items), "species": items[offset : offset + limit]}


def species_links(store: Store, taxon: str, *, contacts: bool = True) -> dict[str, Any]:
    """Everything linked to a taxon (id or IRI): CITES, ex situ, schemes, Green Status, pledges,
    its skos:exactMatch identifiers. KeyError when the graph has no assessed taxon with it."""
    iri = _taxon_iri(taxon)
    out = _species_links(store, iri)
    if not out["summary"]:
        raise KeyError(f"no assessed taxon {taxon!r} in the graph")
    out["taxon"] = iri
    out["exact_match"] = str(out["summary"].get("identifiers") or "").split()
    if not contacts:
        for p in out["pledges"]:
            p["stakeholder"] = {**p["stakeholder"], "contact": ""}
    return out


def review_table(store: Store, *, category: str | None = None) -> list[dict[str, Any]]:
    return _review_table(store, category)


def link_columns(store: Store, *, taxon: str | None = None) -> dict[str, dict[str, Any]]:
    return _link_columns(store, _taxon_iri(taxon) if taxon else None)


def _split(value: Any) -> list[str]:
    return [x for x in str(value).split("; ") if x] if value else []


def link_cells(store: Store) -> dict[str, dict[str, Any]]:
    """Red List taxon id -> the review table's link cells (ReviewRow fields `cites`, `ex_situ`,
    `programmes`, `pledges`, `pledged_by`) for every taxon with something linked; one query."""
    out: dict[str, dict[str, Any]] = {}
    for iri, c in _table_cells(store).items():
        cells = {
            "cites": str(c["cites"] or ""),
            "ex_situ": str(c["exSitu"] or ""),
            "programmes": sorted(_split(c["programmes"])),
            "pledges": int(c["pledges"] or 0),
            "pledged_by": sorted(_split(c["pledgeStakeholders"])),
        }
        if any(cells.values()):
            out[iri.rsplit("/sis", 1)[-1]] = cells
    return out


def with_link_cells(store: Store, clusters: Any) -> Any:
    """The planning module's clusters (JSON-ready) with the link cells added to every species
    of every cluster and to the singletons (`cites`, `ex_situ`, `programmes`, `pledges`,
    `pledged_by`); one query for all of them."""
    cells = link_cells(store)
    empty = {"cites": "", "ex_situ": "", "programmes": [], "pledges": 0, "pledged_by": []}
    groups = clusters.get("clusters", []) if isinstance(clusters, dict) else clusters
    species = [s for c in groups if isinstance(c, dict) for s in c.get("species", [])]
    if isinstance(clusters, dict):
        species += list(clusters.get("singletons", []))
    for s in species:
        if isinstance(s, dict):
            s.update(cells.get(str(s.get("taxon_id")), empty))
    return clusters
