"""api.routes.links — pledges, site events and their alerts, subscriptions, the reassessment
list and a species' links (CITES, ex situ, schemes, Green Status, identifiers).

Each route validates its input with the models of api.schemas_links and calls one function
of api.services.links. Writes need `Authorization: Bearer <A2P_WRITE_TOKEN>` — the token that
allows SPARQL Update — and answer 401 without it or with a wrong one, 403 when no token is
configured or the store is read-only. Contacts of stakeholders and subscribers are shown only
to the token's holder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api import pages
from api.deps import ServicesDep, SettingsDep, StoreDep
from api.negotiation import choose
from api.schemas import problem_responses
from api.schemas_links import (
    EventRequest,
    EventResult,
    PledgeChange,
    PledgeList,
    PledgeOut,
    PledgeRequest,
    ReassessmentList,
    SpeciesLinks,
    SubscriptionOut,
    SubscriptionRequest,
)
from api.services import links as svc
from api.services.mail import Mailer, smtp_mailer
from api.services.sparql import check_token

router = APIRouter(tags=["planners"])
T = TypeVar("T")

_bearer = HTTPBearer(auto_error=False, description="The write token (A2P_WRITE_TOKEN).")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _token_ok(settings: SettingsDep, cred: HTTPAuthorizationCredentials | None) -> bool:
    token = settings.write_token.get_secret_value() if settings.write_token else None
    header = f"{cred.scheme} {cred.credentials}" if cred else None
    return check_token(token, header)


def require_writer(settings: SettingsDep, cred: Credentials) -> None:
    """401 without the write token (or with a wrong one); 403 when writes are impossible."""
    if not settings.write_token or not settings.write_token.get_secret_value():
        raise HTTPException(403, "writes are disabled: no A2P_WRITE_TOKEN is configured")
    if not _token_ok(settings, cred):
        raise HTTPException(
            401,
            "a write needs `Authorization: Bearer <A2P_WRITE_TOKEN>`"
            if cred is None else "wrong write token",
            headers={"WWW-Authenticate": 'Bearer realm="assess2plan"'},
        )
    if settings.read_only:
        raise HTTPException(403, "the server opened the store read-only")


def is_writer(settings: SettingsDep, cred: Credentials) -> bool:
    """Whether the request carries the write token (reads then include contacts)."""
    return _token_ok(settings, cred)


def get_mailer() -> Mailer | None:
    """The SMTP mailer configured by A2P_SMTP_* (None: e-mail is recorded, not sent)."""
    return smtp_mailer()


def get_delivery_policy() -> svc.DeliveryPolicy:
    """Webhook attempts, backoff and timeout (docs/links.md: 4 attempts, 1-2-4 s, 10 s)."""
    return svc.DeliveryPolicy()


Writer = Depends(require_writer)
IsWriter = Annotated[bool, Depends(is_writer)]
MailerDep = Annotated[Mailer | None, Depends(get_mailer)]
PolicyDep = Annotated[svc.DeliveryPolicy, Depends(get_delivery_policy)]
WRITE_ERRORS = problem_responses(401, 403, 404, 413, 422)
WRITE_ERRORS[401] = {**WRITE_ERRORS[401], "description": "No write token, or a wrong one."}


async def _call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a service function in the thread pool; its errors become 404 / 422 problems."""
    try:
        return await run_in_threadpool(fn, *args, **kwargs)
    except svc.FieldValueError as exc:
        raise RequestValidationError(
            [{"loc": exc.loc, "msg": str(exc), "type": "value_error"}]
        ) from None
    except KeyError as exc:
        raise HTTPException(404, str(exc.args[0]) if exc.args else "not found") from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


def _pledges_changed(services: ServicesDep) -> None:
    """Pledges are columns of the review table and parts of datasheets: rebuild them."""
    services.changed()
    services.tables.invalidate()


PledgeId = Annotated[str, Path(description="A pledge id (p and hex digits).",
                               examples=["p3fa4c0de12b9"], max_length=40)]
EventId = Annotated[str, Path(description="An event id (e and hex digits).",
                              examples=["e0c1d2e3f4a5b"], max_length=40)]
SubscriptionId = Annotated[str, Path(description="A subscription id (s and hex digits).",
                                     examples=["s0a1b2c3d4e5f"], max_length=40)]


# --------------------------------------------------------------------------- pledges


@router.post("/pledges", response_model=PledgeOut, status_code=201, dependencies=[Writer],
             summary="Pledge to take an action forward (write token)", responses=WRITE_ERRORS)
async def create_pledge(store: StoreDep, services: ServicesDep, body: PledgeRequest) -> Any:
    """A stakeholder (organisation or person, with a contact) pledges to take forward a
    Conservation Actions code for species (names, Red List ids) or a cluster at a place, with
    a status (proposed, active, completed, withdrawn) and dates."""
    out = await _call(svc.create_pledge, store, body)
    _pledges_changed(services)
    return out


@router.patch("/pledges/{pledge_id}", response_model=PledgeOut, dependencies=[Writer],
              summary="Change a pledge's status, end date or description (write token)",
              responses=WRITE_ERRORS)
async def change_pledge(store: StoreDep, services: ServicesDep, pledge_id: PledgeId,
                        body: PledgeChange) -> Any:
    out = await _call(svc.change_pledge, store, pledge_id, body)
    _pledges_changed(services)
    return out


@router.get("/pledges", response_model=PledgeList, summary="Pledges",
            responses=problem_responses(422))
async def list_pledges(
    store: StoreDep,
    writer: IsWriter,
    taxon: Annotated[str | None, Query(max_length=200, description="Scientific name, Red List "
                                       "id or taxon IRI.", examples=["Fictorana lacustris"])] = None,
    place: Annotated[str | None, Query(max_length=300, description="Place specification: ISO "
                                       "code, lme:CODE, waterbody:NAME ...",
                                       examples=["waterbody:Lake Fictara"])] = None,
    stakeholder: Annotated[str | None, Query(max_length=200, description="Stakeholder name or "
                                             "id (sh...).",
                                             examples=["Fictland Wetlands Trust"])] = None,
) -> Any:
    """Pledges for a species, at a place and/or by a stakeholder. Contacts are shown only
    with the write token."""
    found = await _call(svc.pledges, store, taxon=taxon, place=place, stakeholder=stakeholder,
                        contacts=writer)
    return {"total": len(found), "pledges": found}


# --------------------------------------------------------------------------- events


@router.post("/events", response_model=EventResult, status_code=201, dependencies=[Writer],
             summary="Record a site event; get the species affected (write token)",
             responses=WRITE_ERRORS)
async def create_event(store: StoreDep, services: ServicesDep, body: EventRequest,
                       tasks: BackgroundTasks, mailer: MailerDep, policy: PolicyDep) -> Any:
    """Something happened at a place (a lake dried up, a reef declined 20%, a disease outbreak):
    every species whose latest assessment is associated with the place, with its category,
    its threats (flagged when they are the event's kind of threat) and its pledges, and the
    stakeholders with pledges there. Subscribers watching the place or one of the species are
    notified after the response (webhooks with retries; every notification is logged in the
    graph: `GET /events/{id}/notifications`)."""
    rec = await _call(svc.create_event, store, body.to_event())
    services.changed()
    event_id = rec["event"]["id"]
    tasks.add_task(_notify, services, event_id, mailer, policy)
    aff = rec["affected"]
    return {"event": rec["event"], "affected_species": aff["species"],
            "event_threats": aff["event_threats"], "stakeholders": aff["stakeholders"],
            "notifications": f"sent after this response; see /events/{event_id}/notifications"}


_EVENT_EXAMPLE = {"event": {"id": "e0c1d2e3f4a5b", "kind": "dried_up", "date": "2025-08-01"},
                  "species": [{"scientific_name": "Fictorana lacustris", "category": "CR"}]}


@router.get("/events", summary="Recorded site events, newest first",
            responses={200: {"description": "Events with the number of species affected.",
                             "content": {"application/json": {"example": [
                                 _EVENT_EXAMPLE["event"]]}}},
                       **problem_responses(422)})
async def list_events(
    store: StoreDep,
    place: Annotated[str | None, Query(max_length=300, description="Only events at this place.",
                                       examples=["waterbody:Lake Fictara"])] = None,
) -> Any:
    return await _call(svc.events, store, place=place)


@router.get("/events/{event_id}/affected", summary="Species affected by an event, as of now",
            responses={200: {"description": "The event and the species associated with its "
                             "place in the graph as it is now.",
                             "content": {"application/json": {"example": _EVENT_EXAMPLE}}},
                       **problem_responses(404, 422)})
async def event_affected(store: StoreDep, event_id: EventId) -> Any:
    return await _call(svc.affected, store, event_id)


@router.get("/events/{event_id}/notifications", summary="Notifications of an event",
            responses={200: {"description": "Every notification with its delivery attempts.",
                             "content": {"application/json": {"example": [
                                 {"event": "e0c1d2e3f4a5b", "subscription": "s0a1b2c3d4e5f",
                                  "target": "https://example.org/a2p-hook", "status": "failed",
                                  "attempts": 4, "log": [{"number": 1, "http_status": 503}]}]}}},
                       **problem_responses(401, 403, 404, 422)},
            dependencies=[Writer])
async def event_notifications(store: StoreDep, event_id: EventId) -> Any:
    """The notification log of an event (targets are contacts: write token)."""
    await _call(svc.event, store, event_id)
    return await _call(svc.notifications, store, event_id)


def _notify(services: ServicesDep, event_id: str, mailer: Mailer | None,
            policy: svc.DeliveryPolicy) -> None:
    """The background task of POST /events: notify, then drop cached query results."""
    svc.deliver_notifications(services.store, event_id, mailer=mailer, policy=policy)
    services.changed()


# --------------------------------------------------------------------------- subscriptions


@router.get("/subscriptions", response_model=list[SubscriptionOut], dependencies=[Writer],
            summary="Subscriptions to site events (write token: they hold contacts)",
            responses=problem_responses(401, 403))
async def list_subscriptions(
    store: StoreDep,
    all_: Annotated[bool, Query(alias="all", description="Include cancelled subscriptions.",
                                examples=[False])] = False,
) -> Any:
    return await _call(svc.subscriptions, store, active_only=not all_)


@router.post("/subscriptions", response_model=SubscriptionOut, status_code=201,
             dependencies=[Writer], summary="Subscribe to site events (write token)",
             responses=WRITE_ERRORS)
async def create_subscription(store: StoreDep, body: SubscriptionRequest) -> Any:
    """A webhook URL (POSTed JSON, retried) or an e-mail address (sent when A2P_SMTP_HOST is
    configured, recorded otherwise), for events at some places, for some taxa, or all."""
    return await _call(svc.create_subscription, store, body)


@router.delete("/subscriptions/{subscription_id}", response_model=SubscriptionOut,
               dependencies=[Writer], summary="Cancel a subscription (write token)",
               responses=WRITE_ERRORS)
async def delete_subscription(store: StoreDep, subscription_id: SubscriptionId) -> Any:
    return await _call(svc.delete_subscription, store, subscription_id)


# --------------------------------------------------------------------------- views


@router.get("/reassessment", response_model=ReassessmentList,
            summary="Species needing reassessment", responses=problem_responses(422))
async def reassessment(
    store: StoreDep,
    services: ServicesDep,
    today: Annotated[dt.date | None, Query(description="Reference date (default today).",
                                           examples=["2025-09-01"])] = None,
    years: Annotated[int, Query(ge=1, le=100, description="Age that calls for a reassessment "
                                "(the Red List guidelines: 10 years).", examples=[10])] = 10,
    limit: Annotated[int, Query(ge=1, le=svc.REASSESSMENT_MAX_PAGE,
                                description="Species per page.")] = svc.REASSESSMENT_PAGE,
    offset: Annotated[int, Query(ge=0, description="Species skipped (paging).")] = 0,
) -> Any:
    """Species whose latest assessment is older than `years` before `today`, and species
    affected by a site event recorded since their assessment; both reasons first, then the
    oldest. One page of `limit` species from `offset`; `total` counts them all."""
    day = today or dt.date.today()
    page = await _call(svc.reassessment_page, store, today=day, years=years, limit=limit,
                       offset=offset, version=services.tables.epoch)
    return {"today": day, "years": years, "limit": limit, "offset": offset, **page}


@router.get("/species/{species_id}/links", response_model=SpeciesLinks,
            summary="A species' links: CITES, ex situ, schemes, Green Status, ids, pledges",
            responses={200: {"description": "JSON, or an HTML fragment for the species page.",
                             "content": {"text/html": {}}},
                       **problem_responses(404, 406, 422)})
async def species_links(
    request: Request,
    store: StoreDep,
    writer: IsWriter,
    species_id: Annotated[str, Path(description="Red List taxon (SIS) id.", examples=["900101"],
                                    max_length=200)],
    format: Annotated[str | None, Query(description="json or html (a fragment of the species "  # noqa: A002
                                        "page).", examples=["json"])] = None,
) -> Any:
    """CITES appendix and listing date, ex situ holdings and programmes, EDGE/ED scores, AZE
    trigger status, national red list statuses, the IUCN Green Status, `skos:exactMatch`
    identifiers (GBIF, Wikidata, NCBI) and the pledges for the species."""
    fmt = choose(request, ["json", "html"], "json", format)
    links = await _call(svc.species_links, store, species_id, contacts=writer)
    if fmt == "html":
        return pages.links_fragment(request, links)
    return links
