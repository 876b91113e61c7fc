"""kg.events — site events ("the lake dried up") → the species affected, and who to tell.

    record_event(store, EventIn(place="waterbody:Lake Fictara", kind="dried_up"))

finds every taxon whose latest assessment is associated with the place (a coded occurrence
there, its narrative text naming the site, an extracted place mention, or a pledge there),
with its category, its coded threats (flagged when they are the event's kind of threat) and
the pledges for it; writes the event with that list (a2p:affectsTaxon, a snapshot used by
the reassessment list) into its own graph graph/event/e<ID>; then notifies the matching
subscriptions (kg.links.alerts), logging every notification in the graph.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator
from rdflib import URIRef

from kg import iris
from kg.build import Quads, lit
from kg.links import terms
from kg.links.build import dt
from kg.links.places import PlaceRef, place_from_graph, place_quads, resolve_place
from kg.links.pledges import Pledge, list_pledges
from kg.query import run
from kg.schemes import load_schemes
from kg.store import Store
from kg.vocab import A2P, DCTERMS, PROV, RDF, RDFS

TYPE = str(RDF.type)
Date = date  # a field below is called "date"

# event kind -> the threats (IUCN Threats Classification Scheme v3.3) it stands for
EVENT_KINDS: dict[str, tuple[str, ...]] = {
    "dried_up": ("7.2", "11.2"),  # dams & water management/use; droughts
    "flood": ("11.4",),  # storms & flooding
    "decline": (),  # a measured decline with no stated cause
    "bleaching": ("11.3",),  # temperature extremes
    "disease": ("8",),  # invasive & other problematic species, genes & diseases
    "invasive": ("8.1",),
    "pollution": ("9",),
    "fire": ("7.1",),
    "development": ("1",),
    "logging": ("5.3",),
    "other": (),
}


class EventIn(BaseModel):
    """What a POST /events body or `a2p event add` gives."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    place: str = Field(min_length=1, max_length=300)  # place specification (kg.links.places)
    kind: str = "other"
    date: Date = Field(default_factory=Date.today)
    description: str = Field("", max_length=5000)
    threats: list[str] = Field(
        default_factory=list, max_length=20
    )  # threat codes; default: the kind's
    reported_by: str = Field("", max_length=200)

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        v = v.lower().replace(" ", "_").replace("-", "_")
        if v not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {v!r}; known: {', '.join(EVENT_KINDS)}")
        return v

    @field_validator("threats")
    @classmethod
    def _threats(cls, v: list[str]) -> list[str]:
        sch = load_schemes()["threats"]
        out = []
        for code in v:
            found = sch.code_for(code)
            if found is None:
                raise ValueError(f"unknown threat code {code!r}")
            out.append(found)
        return list(dict.fromkeys(out))

    @field_validator("place")
    @classmethod
    def _place(cls, v: str) -> str:
        resolve_place(v)
        return v

    def threat_codes(self) -> list[str]:
        return self.threats or list(EVENT_KINDS[self.kind])


@dataclass
class ThreatHit:
    code: str
    label: str = ""
    scope: str = ""
    severity: str = ""
    event_related: bool = False  # rolls up to, or is rolled up to by, one of the event's threats


@dataclass
class AffectedTaxon:
    taxon: str
    scientific_name: str
    category: str
    assessment: str
    assessment_date: date | None = None
    year: int | None = None
    via: list[str] = field(default_factory=list)
    presence: str = ""
    threats: list[ThreatHit] = field(default_factory=list)
    pledges: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Affected:
    place: dict[str, str]
    event_threats: list[str]
    species: list[AffectedTaxon]
    stakeholders: list[dict[str, Any]]  # pledges at the place, with their stakeholder

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SiteEvent:
    id: str
    iri: str
    place: dict[str, str]
    kind: str
    date: Date
    description: str = ""
    threats: list[str] = field(default_factory=list)
    reported_by: str = ""
    created: datetime | None = None
    affected: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class EventRecord:
    event: SiteEvent
    affected: Affected
    notifications: list[Any] = field(default_factory=list)  # kg.links.alerts.NotificationResult

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event.to_dict(),
            "affected": self.affected.to_dict(),
            "notifications": [n.to_dict() for n in self.notifications],
        }


def _related(code: str, event_codes: Iterable[str]) -> bool:
    sch = load_schemes()["threats"]
    mine = set(sch.ancestors(code))
    return any(e in mine or code in sch.ancestors(e) for e in event_codes)


def _pledge_summary(p: Pledge) -> dict[str, Any]:
    return {
        "id": p.id,
        "stakeholder": p.stakeholder,
        "status": p.status,
        "action": p.action,
        "place": p.place,
        "taxa": p.taxa,
        "cluster": p.cluster,
        "end": p.end,
    }


def _taxon_details(store: Store, taxon: str, event_codes: list[str]) -> AffectedTaxon:
    """Category, dates and coded threats of a taxon's latest assessment."""
    a: AffectedTaxon | None = None
    for r in run(store, "links_taxon_threats", taxon=URIRef(taxon)).values():
        if a is None:
            a = AffectedTaxon(
                taxon=taxon,
                scientific_name=str(r["scientificName"]),
                category=str(r["category"]),
                assessment=r["assessment"],
                assessment_date=r["assessmentDate"],
                year=int(r["year"]) if r["year"] is not None else None,
            )
        if r["threatCode"] and all(t.code != r["threatCode"] for t in a.threats):
            code = str(r["threatCode"])
            a.threats.append(
                ThreatHit(
                    code,
                    str(r["threatLabel"] or ""),
                    str(r["scope"] or ""),
                    str(r["severity"] or ""),
                    _related(code, event_codes),
                )
            )
    if a is None:  # pragma: no cover - links_affected only returns taxa with a latest assessment
        raise KeyError(f"no latest assessment for {taxon}")
    return a


def affected_species(store: Store, place: str | PlaceRef, threats: Iterable[str] = ()) -> Affected:
    """Every taxon associated with the place, with category, threats and pledges."""
    ref = place if isinstance(place, PlaceRef) else resolve_place(place)
    codes = list(threats)
    site = ref.name if ref.kind not in ("country", "iri", "lme", "subnational") else None
    by_taxon: dict[str, AffectedTaxon] = {}
    rows = run(store, "links_affected", place=URIRef(ref.iri)).values()
    if site:  # by name in the texts; one query each, so a country never pays for the text scan
        rows += run(store, "links_affected_mention", siteName=site).values()
        rows += run(store, "links_affected_text", siteName=site).values()
    for r in rows:
        a = by_taxon.get(r["taxon"])
        if a is None:
            a = by_taxon[r["taxon"]] = _taxon_details(store, r["taxon"], codes)
        if r["via"] not in a.via:
            a.via.append(str(r["via"]))
        if r["presence"] and not a.presence:
            a.presence = str(r["presence"])
    pledges = list_pledges(store)
    for p in pledges:
        for t in p.taxa:
            if t["iri"] in by_taxon:
                by_taxon[t["iri"]].pledges.append(_pledge_summary(p))
    at_place = [_pledge_summary(p) for p in pledges if p.place and p.place["iri"] == ref.iri]
    species = sorted(
        by_taxon.values(), key=lambda a: (_CATEGORY_ORDER.get(a.category, 99), a.scientific_name)
    )
    return Affected(ref.to_dict(), codes, species, at_place)


_CATEGORY_ORDER = {
    c: i
    for i, c in enumerate(
        ("EX", "EW", "CR", "EN", "VU", "NT", "LR/cd", "LR/nt", "DD", "LC", "LR/lc")
    )
}


def _event_quads(
    q: Quads, event_id: str, ev: EventIn, ref: PlaceRef, taxa: Iterable[str], created: datetime
) -> None:
    node, g = terms.event(event_id), terms.event_graph(event_id)
    q.node(node, TYPE, A2P.SiteEvent, g)
    q.node(node, TYPE, str(PROV.Entity), g)
    q.add(node, str(DCTERMS.identifier), lit(event_id), g)
    q.node(node, A2P.eventAt, ref.iri, g)
    place_quads(q, ref)
    q.add(node, A2P.eventKind, lit(ev.kind), g)
    q.add(node, A2P.eventDate, lit(ev.date), g)
    for code in ev.threat_codes():
        q.node(node, A2P.eventThreat, iris.concept("threats", code), g)
    if ev.description:
        q.add(node, str(RDFS.comment), lit(ev.description), g)
    if ev.reported_by:
        q.add(node, A2P.reportedBy, lit(ev.reported_by), g)
    q.add(node, str(DCTERMS.created), dt(created), g)
    for t in taxa:
        q.node(node, A2P.affectsTaxon, t, g)
    q.replaced_graphs.add(g)


def record_event(
    store: Store,
    ev: EventIn,
    *,
    now: datetime | None = None,
    notify: bool = True,
    policy: Any = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] | None = None,
    mailer: Callable[[str, str, str], None] | None = None,
) -> EventRecord:
    """Record the event with its affected species; notify subscribers unless notify=False.

    With notify=False the caller runs `kg.links.alerts.notify_event(store, event.id)`
    later (e.g. in a background task of the API).
    """
    ref = resolve_place(ev.place)
    codes = ev.threat_codes()
    affected = affected_species(store, ref, codes)
    now = now or datetime.now(UTC)
    event_id = "e" + uuid.uuid4().hex[:12]
    q = Quads()
    _event_quads(q, event_id, ev, ref, [a.taxon for a in affected.species], now)
    store.replace(q.data(), drop_graphs=q.replaced_graphs)
    event = get_event(store, event_id)
    assert event is not None
    record = EventRecord(event, affected)
    if notify:
        from kg.links.alerts import notify_event

        record.notifications = notify_event(
            store, event_id, policy=policy, client=client, sleep=sleep, mailer=mailer,
            affected=affected, now=now,
        )
    return record


def list_events(
    store: Store, *, place: str | None = None, event_iri: str | None = None
) -> list[SiteEvent]:
    """Events, newest first; `place` is a place specification or IRI."""
    at = URIRef(resolve_place(place).iri) if place else None
    rows = run(
        store, "links_events", event=URIRef(event_iri) if event_iri else None, atPlace=at
    ).values()
    out: dict[str, SiteEvent] = {}
    for r in rows:
        e = out.get(r["event"])
        if e is None:
            e = out[r["event"]] = SiteEvent(
                id=str(r["id"]),
                iri=r["event"],
                place=place_from_graph(r["place"], r["placeName"], r["placeCode"]),
                kind=str(r["kind"]),
                date=r["date"],
                description=str(r["description"] or ""),
                reported_by=str(r["reportedBy"] or ""),
                created=r["created"],
                affected=int(r["affected"] or 0),
            )
        if r["threatCode"] and r["threatCode"] not in e.threats:
            e.threats.append(str(r["threatCode"]))
    return list(out.values())


def get_event(store: Store, event_id: str) -> SiteEvent | None:
    found = list_events(store, event_iri=terms.event(event_id))
    return found[0] if found else None


def event_affected(store: Store, event_id: str) -> Affected:
    """The species affected by a recorded event, recomputed from the graph as it is now."""
    event = get_event(store, event_id)
    if event is None:
        raise KeyError(f"no event {event_id}")
    return affected_species(store, resolve_place(event.place["spec"]), event.threats)
