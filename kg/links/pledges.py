"""kg.links.pledges — stakeholders pledge to take forward an action for species at a place.

A pledge lives in its own named graph (graph/pledge/p<ID>) and its stakeholder in theirs
(graph/stakeholder/sh<KEY>, the key derived from kind, name and contact, so the same
stakeholder pledging twice is one node). Every write is one `Store.replace` of N-Quads
built with escaped literals: user input never reaches SPARQL text.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from rdflib import URIRef

from kg import iris
from kg.build import Quads, lit
from kg.links import terms
from kg.links.build import dt
from kg.links.match import TaxonIndex, resolve_taxon
from kg.links.places import place_from_graph, place_quads, resolve_place
from kg.query import run
from kg.schemes import load_schemes
from kg.store import Store
from kg.vocab import A2P, DCTERMS, PROV, RDF, RDFS

TYPE = str(RDF.type)
STATUSES = ("proposed", "active", "completed", "withdrawn")
Status = Literal["proposed", "active", "completed", "withdrawn"]
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


class StakeholderIn(BaseModel):
    """An organisation or a person, with a contact (e-mail address, URL or phone)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["organisation", "person"] = "organisation"
    contact: str = Field("", max_length=200)

    @field_validator("contact")
    @classmethod
    def _contact(cls, v: str) -> str:
        if "@" in v and not v.startswith(("http://", "https://")) and not _EMAIL.fullmatch(v):
            raise ValueError(f"not an e-mail address: {v!r}")
        return v


class PledgeIn(BaseModel):
    """What a POST /pledges body or `a2p pledge add` gives."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    stakeholder: StakeholderIn
    taxa: list[str] = Field(default_factory=list, max_length=500)  # names, Red List ids or IRIs
    cluster: str = Field("", max_length=200)
    place: str = Field("", max_length=300)  # place specification (kg.links.places)
    action: str = Field("", max_length=20)  # Conservation Actions code, e.g. "2.1"
    description: str = Field("", max_length=5000)
    status: Status = "proposed"
    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def _check(self) -> PledgeIn:
        if not self.taxa and not self.cluster:
            raise ValueError("a pledge is for at least one taxon or a cluster")
        if self.start and self.end and self.end < self.start:
            raise ValueError("end date is before start date")
        return self


class PledgeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    end: date | None = None
    description: str | None = Field(None, max_length=5000)


@dataclass
class Pledge:
    id: str
    iri: str
    status: str
    stakeholder: dict[str, str]
    taxa: list[dict[str, str]] = field(default_factory=list)
    cluster: str = ""
    place: dict[str, str] | None = None
    action: dict[str, str] | None = None
    description: str = ""
    start: date | None = None
    end: date | None = None
    created: datetime | None = None
    modified: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _action(code: str) -> tuple[str, str]:
    actions = load_schemes()["actions"]
    found = actions.code_for(code)
    if found is None:
        raise ValueError(
            f"unknown conservation action code {code!r} (e.g. '2.1' Site/area management)"
        )
    return iris.concept("actions", found), found


def _stakeholder_quads(q: Quads, s: StakeholderIn) -> str:
    key = terms.stakeholder_key(s.kind, s.name, s.contact)
    node, g = terms.stakeholder(key), terms.stakeholder_graph(key)
    q.node(node, TYPE, A2P.Stakeholder, g)
    q.node(node, TYPE, A2P.Organisation if s.kind == "organisation" else A2P.Person, g)
    q.node(node, TYPE, str(PROV.Agent), g)
    q.add(node, str(RDFS.label), lit(s.name), g)
    q.add(node, str(DCTERMS.identifier), lit(key), g)
    if s.contact:
        q.add(node, A2P.contact, lit(s.contact), g)
    q.replaced_graphs.add(g)
    return node


def _pledge_quads(
    q: Quads,
    pledge_id: str,
    p: PledgeIn,
    taxa: Iterable[str],
    created: datetime,
    modified: datetime,
) -> None:
    node, g = terms.pledge(pledge_id), terms.pledge_graph(pledge_id)
    by = _stakeholder_quads(q, p.stakeholder)
    q.node(node, TYPE, A2P.Pledge, g)
    q.node(node, TYPE, str(PROV.Entity), g)
    q.add(node, str(DCTERMS.identifier), lit(pledge_id), g)
    q.node(node, A2P.pledgedBy, by, g)
    for t in taxa:
        q.node(node, A2P.forTaxon, t, g)
    if p.cluster:
        q.add(node, A2P.forCluster, lit(p.cluster), g)
    if p.place:
        place = resolve_place(p.place)
        q.node(node, A2P.atPlace, place.iri, g)
        place_quads(q, place)
    if p.action:
        q.node(node, A2P.pledgedAction, _action(p.action)[0], g)
    if p.description:
        q.add(node, str(RDFS.comment), lit(p.description), g)
    q.add(node, A2P.status, lit(p.status), g)
    if p.start:
        q.add(node, A2P.startDate, lit(p.start), g)
    if p.end:
        q.add(node, A2P.endDate, lit(p.end), g)
    q.add(node, str(DCTERMS.created), dt(created), g)
    q.add(node, str(DCTERMS.modified), dt(modified), g)
    q.replaced_graphs.add(g)


def _validate(store: Store, p: PledgeIn, index: TaxonIndex | None) -> list[str]:
    """Resolve taxa, place and action before anything is written (ValueError otherwise)."""
    if p.place:
        resolve_place(p.place)
    if p.action:
        _action(p.action)
    if not p.taxa:
        return []
    index = index if index is not None else TaxonIndex.for_names(store, p.taxa)
    return list(dict.fromkeys(resolve_taxon(index, t).iri for t in p.taxa))


def add_pledge(
    store: Store, p: PledgeIn, *, now: datetime | None = None, index: TaxonIndex | None = None
) -> Pledge:
    """Record a new pledge; returns it as stored."""
    taxa = _validate(store, p, index)
    now = now or datetime.now(UTC)
    pledge_id = "p" + uuid.uuid4().hex[:12]
    q = Quads()
    _pledge_quads(q, pledge_id, p, taxa, now, now)
    store.replace(q.data(), drop_graphs=q.replaced_graphs)
    found = get_pledge(store, pledge_id)
    assert found is not None
    return found


def update_pledge(
    store: Store, pledge_id: str, change: PledgeUpdate, *, now: datetime | None = None
) -> Pledge:
    """Change a pledge's status, end date or description; raises KeyError when unknown."""
    old = get_pledge(store, pledge_id)
    if old is None:
        raise KeyError(f"no pledge {pledge_id}")
    end = change.end if change.end is not None else old.end
    if old.start and end and end < old.start:
        raise ValueError("end date is before start date")
    p = PledgeIn(
        stakeholder=StakeholderIn(**old.stakeholder),
        taxa=[t["iri"] for t in old.taxa],
        cluster=old.cluster,
        place=old.place["spec"] if old.place else "",
        action=old.action["code"] if old.action else "",
        description=change.description if change.description is not None else old.description,
        status=change.status or old.status,  # type: ignore[arg-type]
        start=old.start,
        end=end,
    )
    q = Quads()
    _pledge_quads(
        q,
        pledge_id,
        p,
        [t["iri"] for t in old.taxa],
        old.created or datetime.now(UTC),
        now or datetime.now(UTC),
    )
    store.replace(q.data(), drop_graphs=q.replaced_graphs)
    found = get_pledge(store, pledge_id)
    assert found is not None
    return found


def list_pledges(
    store: Store,
    *,
    taxon: str | None = None,
    place: str | None = None,
    stakeholder: str | None = None,
    pledge_iri: str | None = None,
) -> list[Pledge]:
    """Pledges, optionally only those for a taxon / at a place / by a stakeholder (IRIs)."""
    rows = run(
        store,
        "links_pledges",
        pledge=URIRef(pledge_iri) if pledge_iri else None,
        forTaxon=URIRef(taxon) if taxon else None,
        atPlace=URIRef(place) if place else None,
        by=URIRef(stakeholder) if stakeholder else None,
    ).values()
    out: dict[str, Pledge] = {}
    for r in rows:
        p = out.get(r["pledge"])
        if p is None:
            p = out[r["pledge"]] = Pledge(
                id=str(r["id"]),
                iri=r["pledge"],
                status=str(r["status"]),
                stakeholder={
                    "name": str(r["stakeholderName"]),
                    "kind": str(r["stakeholderKind"]),
                    "contact": str(r["contact"] or ""),
                },
                cluster=str(r["cluster"] or ""),
                place=place_from_graph(r["place"], r["placeName"], r["placeCode"])
                if r["place"]
                else None,
                action=(
                    {
                        "iri": r["action"],
                        "code": str(r["actionCode"]),
                        "label": str(r["actionLabel"] or ""),
                    }
                    if r["action"]
                    else None
                ),
                description=str(r["description"] or ""),
                start=r["startDate"],
                end=r["endDate"],
                created=r["created"],
                modified=r["modified"],
            )
        if r["taxon"] and all(t["iri"] != r["taxon"] for t in p.taxa):
            p.taxa.append({"iri": r["taxon"], "name": str(r["taxonName"] or "")})
    return list(out.values())


def get_pledge(store: Store, pledge_id: str) -> Pledge | None:
    found = list_pledges(store, pledge_iri=terms.pledge(pledge_id))
    return found[0] if found else None


def stakeholder_iri(kind: str, name: str, contact: str = "") -> str:
    """The IRI a stakeholder with this kind, name and contact has (for filtering)."""
    return terms.stakeholder(terms.stakeholder_key(kind, name, contact))


__all__ = [
    "STATUSES",
    "Pledge",
    "PledgeIn",
    "PledgeUpdate",
    "StakeholderIn",
    "add_pledge",
    "get_pledge",
    "list_pledges",
    "stakeholder_iri",
    "update_pledge",
]
