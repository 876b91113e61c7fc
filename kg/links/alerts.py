"""kg.links.alerts — subscriptions to site events, webhook delivery with retries, and the log.

A subscription is a webhook URL (POSTed a JSON payload) or an e-mail address (recorded:
the project has no mail transport, so the notification is logged as `recorded` for an
operator or a `mailer` callable to send), for some places, some taxa, or every event.

Webhook delivery makes at most `DeliveryPolicy.attempts` attempts with exponential backoff
(honouring a numeric Retry-After), a timeout per attempt, and retries only what can succeed
later: connection errors, timeouts, 408, 425, 429 and 5xx. A 2xx is `delivered`; anything
else, or running out of attempts, is `failed`. Every notification and every attempt is
written into the graph (graph/notification/<event>/<subscription>) as a2p:Notification
with a2p:status, a2p:attempts and a2p:DeliveryAttempt nodes.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, model_validator
from rdflib import URIRef

from kg.build import Quads, lit
from kg.links import terms
from kg.links.build import dt
from kg.links.match import TaxonIndex, resolve_taxon
from kg.links.places import place_from_graph, place_quads, resolve_place
from kg.query import run
from kg.store import Store
from kg.vocab import A2P, DCTERMS, PROV, RDF, RDFS, XSD

TYPE = str(RDF.type)
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504}) | frozenset(range(505, 600))
USER_AGENT = "assess2plan-alerts/1"

Mailer = Callable[[str, str, str], None]  # (address, subject, body)


def check_webhook_url(url: str) -> str:
    """An http(s) URL with a host and no credentials; raises ValueError otherwise."""
    url = url.strip()
    if len(url) > 2000 or any(c.isspace() for c in url):
        raise ValueError("webhook URL is too long or contains spaces")
    try:
        u = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValueError(f"not a URL: {url!r}") from exc
    if u.scheme not in ("http", "https") or not u.host:
        raise ValueError(f"webhook must be an http:// or https:// URL with a host, got {url!r}")
    if u.userinfo:
        raise ValueError("webhook URL must not carry a user name or password")
    return url


class SubscriptionIn(BaseModel):
    """What `a2p subscribe` or the API gives: one target, and what to watch (nothing = all)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    webhook: str = Field("", max_length=2000)
    email: str = Field("", max_length=200)
    name: str = Field("", max_length=200)
    places: list[str] = Field(default_factory=list, max_length=200)
    taxa: list[str] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _target(self) -> SubscriptionIn:
        if bool(self.webhook) == bool(self.email):
            raise ValueError("give exactly one of webhook or email")
        if self.webhook:
            check_webhook_url(self.webhook)
        if self.email:
            from kg.links.pledges import _EMAIL

            if not _EMAIL.fullmatch(self.email):
                raise ValueError(f"not an e-mail address: {self.email!r}")
        for p in self.places:
            resolve_place(p)
        return self


@dataclass
class Subscription:
    id: str
    iri: str
    active: bool
    webhook: str = ""
    email: str = ""
    name: str = ""
    places: list[dict[str, str]] = field(default_factory=list)
    taxa: list[dict[str, str]] = field(default_factory=list)
    created: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def watches(self, place_iri: str, taxa: Iterable[str]) -> bool:
        if not self.places and not self.taxa:
            return True
        if any(p["iri"] == place_iri for p in self.places):
            return True
        mine = {t["iri"] for t in self.taxa}
        return bool(mine.intersection(taxa))


def _subscription_quads(
    q: Quads, sub_id: str, s: SubscriptionIn, taxa: Iterable[str], active: bool, created: datetime
) -> None:
    node, g = terms.subscription(sub_id), terms.subscription_graph(sub_id)
    q.node(node, TYPE, A2P.Subscription, g)
    q.add(node, str(DCTERMS.identifier), lit(sub_id), g)
    if s.name:
        q.add(node, str(RDFS.label), lit(s.name), g)
    if s.webhook:
        q.add(node, A2P.webhook, lit(s.webhook, datatype=str(XSD.anyURI)), g)
    if s.email:
        q.add(node, A2P.contact, lit(s.email), g)
    for spec in s.places:
        ref = resolve_place(spec)
        q.node(node, A2P.watchesPlace, ref.iri, g)
        place_quads(q, ref)
    for t in taxa:
        q.node(node, A2P.watchesTaxon, t, g)
    q.add(node, A2P.active, lit(active), g)
    q.add(node, str(DCTERMS.created), dt(created), g)
    q.replaced_graphs.add(g)


def subscribe(
    store: Store, s: SubscriptionIn, *, now: datetime | None = None, index: TaxonIndex | None = None
) -> Subscription:
    """Record a subscription; taxa are resolved first (ValueError for an unknown name)."""
    taxa: list[str] = []
    if s.taxa:
        index = index if index is not None else TaxonIndex.for_names(store, s.taxa)
        taxa = list(dict.fromkeys(resolve_taxon(index, t).iri for t in s.taxa))
    sub_id = "s" + uuid.uuid4().hex[:12]
    q = Quads()
    _subscription_quads(q, sub_id, s, taxa, True, now or datetime.now(UTC))
    store.replace(q.data(), drop_graphs=q.replaced_graphs)
    found = get_subscription(store, sub_id)
    assert found is not None
    return found


def unsubscribe(store: Store, sub_id: str) -> Subscription:
    """Deactivate a subscription (kept: past notifications name it); KeyError if unknown."""
    old = get_subscription(store, sub_id)
    if old is None:
        raise KeyError(f"no subscription {sub_id}")
    s = SubscriptionIn(
        webhook=old.webhook, email=old.email, name=old.name, places=[p["spec"] for p in old.places]
    )
    q = Quads()
    _subscription_quads(
        q, sub_id, s, [t["iri"] for t in old.taxa], False, old.created or datetime.now(UTC)
    )
    store.replace(q.data(), drop_graphs=q.replaced_graphs)
    found = get_subscription(store, sub_id)
    assert found is not None
    return found


def list_subscriptions(
    store: Store, *, active_only: bool = False, sub_iri: str | None = None
) -> list[Subscription]:
    rows = run(
        store, "links_subscriptions", subscription=URIRef(sub_iri) if sub_iri else None
    ).values()
    out: dict[str, Subscription] = {}
    for r in rows:
        s = out.get(r["subscription"])
        if s is None:
            s = out[r["subscription"]] = Subscription(
                id=str(r["id"]),
                iri=r["subscription"],
                active=bool(r["active"]),
                webhook=str(r["webhook"] or ""),
                email=str(r["email"] or ""),
                name=str(r["name"] or ""),
                created=r["created"],
            )
        if r["place"] and all(p["iri"] != r["place"] for p in s.places):
            s.places.append(place_from_graph(r["place"], None, r["placeCode"]))
        if r["taxon"] and all(t["iri"] != r["taxon"] for t in s.taxa):
            s.taxa.append({"iri": r["taxon"], "name": str(r["taxonName"] or "")})
    return [s for s in out.values() if s.active or not active_only]


def get_subscription(store: Store, sub_id: str) -> Subscription | None:
    found = list_subscriptions(store, sub_iri=terms.subscription(sub_id))
    return found[0] if found else None


# --------------------------------------------------------------------------- delivery


@dataclass(frozen=True)
class DeliveryPolicy:
    attempts: int = 4  # including the first
    backoff: float = 1.0  # seconds before the 2nd attempt; multiplied by `factor` each time
    factor: float = 2.0
    max_backoff: float = 60.0
    timeout: float = 10.0  # per attempt (connect, read, write, pool)
    trust_env: bool = True  # use HTTP(S)_PROXY / NO_PROXY from the environment

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.backoff < 0 or self.timeout <= 0:
            raise ValueError("attempts >= 1, backoff >= 0 and timeout > 0 are required")


@dataclass
class AttemptLog:
    number: int
    started: datetime
    ended: datetime
    http_status: int | None = None
    error: str = ""


@dataclass
class NotificationResult:
    event_id: str
    subscription_id: str
    channel: str  # webhook | email
    target: str
    status: str  # delivered | failed | recorded
    attempts: list[AttemptLog] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _wait(policy: DeliveryPolicy, n: int, retry_after: str | None) -> float:
    wait = min(policy.backoff * policy.factor ** (n - 1), policy.max_backoff)
    if retry_after and retry_after.strip().isdigit():
        wait = max(wait, min(float(retry_after), policy.max_backoff))
    return wait


def deliver_webhook(
    url: str,
    payload: dict[str, Any],
    policy: DeliveryPolicy | None = None,
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    headers: dict[str, str] | None = None,
) -> tuple[str, list[AttemptLog]]:
    """POST the payload as JSON until a 2xx, a permanent failure or the last attempt."""
    policy = policy or DeliveryPolicy()
    check_webhook_url(url)
    body = json.dumps(payload, default=str, ensure_ascii=False).encode("utf-8")
    own = client is None
    c = client or httpx.Client(
        timeout=policy.timeout, follow_redirects=False, trust_env=policy.trust_env
    )
    log: list[AttemptLog] = []
    try:
        for n in range(1, policy.attempts + 1):
            started = datetime.now(UTC)
            retry_after = None
            try:
                r = c.post(
                    url,
                    content=body,
                    headers={
                        "Content-Type": "application/json",
                        "User-Agent": USER_AGENT,
                        "X-A2P-Attempt": str(n),
                        **(headers or {}),
                    },
                    timeout=policy.timeout,
                )
            except httpx.HTTPError as exc:  # connection refused, timeout, protocol error
                log.append(
                    AttemptLog(
                        n, started, datetime.now(UTC), None, f"{type(exc).__name__}: {exc}"[:500]
                    )
                )
                retry = True
            else:
                ok = 200 <= r.status_code < 300
                log.append(
                    AttemptLog(
                        n,
                        started,
                        datetime.now(UTC),
                        r.status_code,
                        "" if ok else f"HTTP {r.status_code}: {r.text[:200]}",
                    )
                )
                if ok:
                    return "delivered", log
                retry = r.status_code in RETRY_STATUS
                retry_after = r.headers.get("Retry-After")
            if not retry or n == policy.attempts:
                return "failed", log
            sleep(_wait(policy, n, retry_after))
        return "failed", log  # pragma: no cover - loop always returns
    finally:
        if own:
            c.close()


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def event_payload(event: Any, affected: Any, sub: Subscription) -> dict[str, Any]:
    """The JSON a webhook receives (and the body of a recorded e-mail)."""
    return _jsonable(
        {
            "type": "assess2plan.site_event",
            "subscription": sub.id,
            "event": event.to_dict(),
            "affected_species": [
                {
                    "taxon": a.taxon,
                    "scientific_name": a.scientific_name,
                    "category": a.category,
                    "via": a.via,
                    "threats": [t.code for t in a.threats],
                    "event_threats": [t.code for t in a.threats if t.event_related],
                    "pledges": [p["id"] for p in a.pledges],
                }
                for a in affected.species
            ],
            "stakeholders": affected.stakeholders,
        }
    )


def _notification_quads(q: Quads, res: NotificationResult, created: datetime) -> None:
    node = terms.notification(res.event_id, res.subscription_id)
    g = terms.notification_graph(res.event_id, res.subscription_id)
    q.node(node, TYPE, A2P.Notification, g)
    q.node(node, TYPE, str(PROV.Entity), g)
    q.node(node, A2P.aboutEvent, terms.event(res.event_id), g)
    q.node(node, A2P.viaSubscription, terms.subscription(res.subscription_id), g)
    q.add(node, A2P.status, lit(res.status), g)
    q.add(node, A2P.attempts, lit(len(res.attempts)), g)
    q.add(node, str(DCTERMS.created), dt(created), g)
    if res.channel == "webhook":
        q.add(node, A2P.webhook, lit(res.target, datatype=str(XSD.anyURI)), g)
    else:
        q.add(node, A2P.contact, lit(res.target), g)
    for a in res.attempts:
        an = terms.attempt(res.event_id, res.subscription_id, a.number)
        q.node(an, TYPE, A2P.DeliveryAttempt, g)
        q.node(node, A2P.hasAttempt, an, g)
        q.add(an, A2P.attemptNumber, lit(a.number), g)
        q.add(an, str(PROV.startedAtTime), dt(a.started), g)
        q.add(an, str(PROV.endedAtTime), dt(a.ended), g)
        if a.http_status is not None:
            q.add(an, A2P.httpStatus, lit(a.http_status), g)
        if a.error:
            q.add(an, A2P.errorMessage, lit(a.error), g)
    q.replaced_graphs.add(g)


def notify_event(
    store: Store,
    event_id: str,
    *,
    policy: DeliveryPolicy | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] | None = None,
    mailer: Mailer | None = None,
    affected: Any = None,
    now: datetime | None = None,
) -> list[NotificationResult]:
    """Notify every active subscription watching the event's place or affected taxa.

    Each notification is written to the graph as soon as it is settled, so a crash part-way
    leaves the finished ones logged. `affected` (from record_event) saves recomputing it.
    """
    from kg.events import event_affected, get_event

    event = get_event(store, event_id)
    if event is None:
        raise KeyError(f"no event {event_id}")
    affected = affected if affected is not None else event_affected(store, event_id)
    taxa = {a.taxon for a in affected.species}
    results: list[NotificationResult] = []
    for sub in list_subscriptions(store, active_only=True):
        if not sub.watches(event.place["iri"], taxa):
            continue
        payload = event_payload(event, affected, sub)
        if sub.webhook:
            status, log = deliver_webhook(
                sub.webhook,
                payload,
                policy,
                client=client,
                sleep=sleep or time.sleep,
                headers={"X-A2P-Event": event.id, "X-A2P-Subscription": sub.id},
            )
            res = NotificationResult(event.id, sub.id, "webhook", sub.webhook, status, log)
        else:
            started = datetime.now(UTC)
            if mailer is None:
                res = NotificationResult(
                    event.id,
                    sub.id,
                    "email",
                    sub.email,
                    "recorded",
                    [AttemptLog(1, started, started, None, "no mail transport configured")],
                )
            else:
                where = event.place.get("name") or event.place["spec"]
                try:
                    mailer(
                        sub.email,
                        f"assess2plan: {event.kind} at {where}",
                        json.dumps(payload, indent=2, ensure_ascii=False),
                    )
                    res = NotificationResult(
                        event.id,
                        sub.id,
                        "email",
                        sub.email,
                        "delivered",
                        [AttemptLog(1, started, datetime.now(UTC))],
                    )
                except Exception as exc:  # noqa: BLE001 - any mailer failure is logged, not raised
                    res = NotificationResult(
                        event.id,
                        sub.id,
                        "email",
                        sub.email,
                        "failed",
                        [AttemptLog(1, started, datetime.now(UTC), None, str(exc)[:500])],
                    )
        q = Quads()
        _notification_quads(q, res, now or datetime.now(UTC))
        store.replace(q.data(), drop_graphs=q.replaced_graphs)
        results.append(res)
    return results


def list_notifications(store: Store, *, event_id: str | None = None) -> list[dict[str, Any]]:
    """Logged notifications (newest last) with their attempts."""
    rows = run(
        store, "links_notifications", event=URIRef(terms.event(event_id)) if event_id else None
    ).values()
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        n = out.setdefault(
            r["notification"],
            {
                "notification": r["notification"],
                "event": str(r["eventId"] or ""),
                "subscription": str(r["subscriptionId"] or ""),
                "target": str(r["target"] or ""),
                "status": str(r["status"]),
                "attempts": int(r["attempts"]),
                "created": r["created"],
                "log": [],
            },
        )
        if r["attempt"] and all(a["number"] != r["attemptNumber"] for a in n["log"]):
            n["log"].append(
                {
                    "number": int(r["attemptNumber"]),
                    "started": r["started"],
                    "ended": r["ended"],
                    "http_status": r["httpStatus"],
                    "error": str(r["error"] or ""),
                }
            )
    return list(out.values())
