"""api.schemas_links — request and response models of the link routes (pledges, site events,
subscriptions, reassessment, a species' links), with OpenAPI examples.

The request models extend the library's own (kg.links.pledges.PledgeIn, kg.events.EventIn,
kg.links.alerts.SubscriptionIn), so the service functions take them as they are; here they
also check the codes and places that need no store, so a bad one is refused with 422 naming
the field (`body.action`, `body.place`). Taxa are checked against the graph by the service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.services.codes import codes
from api.services.links import EventIn, PledgeIn, PledgeUpdate, SubscriptionIn
from kg.links.places import resolve_place

EXAMPLE_PLACE = "waterbody:Lake Fictara"
_PLACE_EXAMPLE = {
    "iri": "https://w3id.org/assess2plan/id/place/waterbody-Lake_Fictara",
    "kind": "waterbody",
    "code": "Lake Fictara",
    "name": "Lake Fictara",
    "spec": EXAMPLE_PLACE,
}
_TAXON_EXAMPLE = {"iri": "https://w3id.org/assess2plan/id/taxon/sis900101",
                  "name": "Fictorana lacustris"}
_STAKEHOLDER_EXAMPLE = {"name": "Fictland Wetlands Trust", "kind": "organisation",
                        "contact": "info@fictland.org"}
_PLEDGE_EXAMPLE: dict[str, Any] = {
    "id": "p3fa4c0de12b9",
    "iri": "https://w3id.org/assess2plan/id/pledge/p3fa4c0de12b9",
    "status": "active",
    "stakeholder": _STAKEHOLDER_EXAMPLE,
    "taxa": [_TAXON_EXAMPLE],
    "cluster": "",
    "place": _PLACE_EXAMPLE,
    "action": {"iri": "https://w3id.org/assess2plan/scheme/actions/2.1", "code": "2.1",
               "label": "Site/area management"},
    "description": "Restore the inflow channels of Lake Fictara",
    "start": "2025-01-01",
    "end": "2027-12-31",
    "created": "2025-01-05T10:00:00Z",
    "modified": "2025-01-05T10:00:00Z",
}
_EVENT_EXAMPLE: dict[str, Any] = {
    "id": "e0c1d2e3f4a5b",
    "iri": "https://w3id.org/assess2plan/id/event/e0c1d2e3f4a5b",
    "place": _PLACE_EXAMPLE,
    "kind": "dried_up",
    "date": "2025-08-01",
    "description": "The lake dried up",
    "threats": ["7.2", "11.2"],
    "reported_by": "Fictland Wetlands Trust",
    "created": "2025-08-02T09:00:00Z",
    "affected": 1,
}


def _check_place(value: str) -> str:
    if value:
        resolve_place(value)  # ValueError names what is wrong with it
    return value


def _check_action(value: str) -> str:
    value = value.strip()
    if value and codes().canonical("action", value) is None:
        raise ValueError(f"unknown conservation action code {value!r} (e.g. '2.1')")
    return codes().canonical("action", value) if value else ""


# --------------------------------------------------------------------------- requests


class PledgeRequest(PledgeIn):
    """A stakeholder pledges to take forward an action for species (or a cluster) at a place."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "stakeholder": _STAKEHOLDER_EXAMPLE,
                    "taxa": ["Fictorana lacustris"],
                    "place": EXAMPLE_PLACE,
                    "action": "2.1",
                    "description": "Restore the inflow channels of Lake Fictara",
                    "status": "active",
                    "start": "2025-01-01",
                    "end": "2027-12-31",
                }
            ]
        }
    )

    @field_validator("place")
    @classmethod
    def _known_place(cls, v: str) -> str:
        return _check_place(v)

    @field_validator("action")
    @classmethod
    def _known_action(cls, v: str) -> str:
        return _check_action(v)


class PledgeChange(PledgeUpdate):
    """New status, end date or description of a pledge (fields left out are kept)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "completed", "end": "2026-06-30"}]}
    )


class EventRequest(EventIn):
    """Something happened at a place: the kind gives the threats it stands for."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "place": EXAMPLE_PLACE,
                    "kind": "dried_up",
                    "date": "2025-08-01",
                    "description": "The lake dried up",
                    "magnitude": "100% of the open water lost",
                    "reported_by": "Fictland Wetlands Trust",
                },
                {"place": "lme:34", "kind": "bleaching", "description": "reef cover down 20%",
                 "magnitude": "-20%"},
            ]
        }
    )

    magnitude: str = Field(
        "", max_length=200,
        description="How large the change was, as reported (\"20% decline\", \"dried up\"); "
        "kept with the description.",
    )

    def to_event(self) -> EventIn:
        """The library's EventIn: the magnitude becomes part of the description."""
        data = self.model_dump(exclude={"magnitude"})
        if self.magnitude:
            desc = data["description"]
            data["description"] = f"{desc} (magnitude: {self.magnitude})" if desc \
                else f"magnitude: {self.magnitude}"
        return EventIn.model_validate(data)


class SubscriptionRequest(SubscriptionIn):
    """A webhook URL or an e-mail address, notified of events at places / for taxa (none: all)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"webhook": "https://example.org/a2p-hook", "name": "Fictland alerts",
                 "places": [EXAMPLE_PLACE]},
                {"email": "ops@example.org", "taxa": ["Fictorana lacustris"]},
            ]
        }
    )


# --------------------------------------------------------------------------- responses


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    """The config of a response model: extra keys allowed, documented by these examples."""
    return ConfigDict(extra="allow", json_schema_extra={"examples": list(examples)})


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class TaxonRow(Out):
    """A taxon with its latest assessment."""

    taxon: str
    scientific_name: str
    category: str
    assessment: str
    assessment_date: dt.date | None = None
    year: int | None = None


class PledgeOut(Out):
    model_config = _examples(_PLEDGE_EXAMPLE)

    id: str
    iri: str
    status: str
    stakeholder: dict[str, str] = Field(
        description="name, kind and contact (the contact only for the write token's holder)."
    )
    taxa: list[dict[str, str]] = Field(default_factory=list)
    cluster: str = ""
    place: dict[str, str] | None = None
    action: dict[str, str] | None = None
    description: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    created: dt.datetime | None = None
    modified: dt.datetime | None = None


class PledgeList(Out):
    model_config = _examples({"total": 1, "pledges": [_PLEDGE_EXAMPLE]})

    total: int
    pledges: list[PledgeOut]


_AFFECTED_EXAMPLE: dict[str, Any] = {
    "taxon": _TAXON_EXAMPLE["iri"],
    "scientific_name": "Fictorana lacustris",
    "category": "CR",
    "assessment": "https://w3id.org/assess2plan/id/assessment/900201",
    "via": ["text", "pledge"],
    "threats": [{"code": "7.2", "label": "Dams & water management/use", "scope": "",
                 "severity": "", "event_related": True}],
    "pledges": [],
}
_REASSESSMENT_EXAMPLE: dict[str, Any] = {
    "taxon": _TAXON_EXAMPLE["iri"], "scientific_name": "Fictorana lacustris", "category": "EN",
    "assessment": "https://w3id.org/assess2plan/id/assessment/900201",
    "assessment_date": "2008-05-01", "year": 2008, "reasons": ["age", "event"], "age_years": 17.3,
    "events": [{"id": "e0c1d2e3f4a5b", "kind": "dried_up", "date": "2025-08-01"}],
}
_SUMMARY_EXAMPLE: dict[str, Any] = {
    "scientificName": "Fictorana lacustris", "cites": "II", "listingDate": "2019-11-26",
    "exSitu": "global: 12 institutions, 340 individuals", "programmes": "Amphibian Ark; EEP",
    "edgeScore": 12.5, "aze": 1, "nationalStatus": "ID: EN",
    "greenStatus": "35% Largely Depleted (2021)", "pledges": 1,
    "pledgeStakeholders": "Fictland Wetlands Trust",
    "identifiers": "https://www.gbif.org/species/1234567",
}


class AffectedSpecies(TaxonRow):
    model_config = _examples(_AFFECTED_EXAMPLE)

    via: list[str] = Field(default_factory=list,
                           description="occurrence, text, suggestion or pledge.")
    threats: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Coded threats of the latest assessment; `event_related` when the "
        "event's threats roll up to them or they to one of the event's.",
    )
    pledges: list[dict[str, Any]] = Field(default_factory=list)


class EventResult(Out):
    """A recorded event, the species it affects, and who pledged to act there."""

    model_config = _examples({
        "event": _EVENT_EXAMPLE,
        "affected_species": [_AFFECTED_EXAMPLE],
        "event_threats": ["7.2", "11.2"],
        "stakeholders": [{"id": "p3fa4c0de12b9", "stakeholder": _STAKEHOLDER_EXAMPLE,
                          "status": "active"}],
        "notifications": "sent after this response; see /events/e0c1d2e3f4a5b/notifications",
    })

    event: dict[str, Any]
    affected_species: list[AffectedSpecies]
    event_threats: list[str] = Field(default_factory=list)
    stakeholders: list[dict[str, Any]] = Field(
        default_factory=list, description="Pledges at the place, with their stakeholder."
    )
    notifications: str = Field("", description="What happens to the subscribers' notifications.")


class SubscriptionOut(Out):
    model_config = _examples({
        "id": "s0a1b2c3d4e5f", "iri": "https://w3id.org/assess2plan/id/subscription/s0a1b2c3d4e5f",
        "active": True, "webhook": "https://example.org/a2p-hook", "email": "",
        "name": "Fictland alerts", "places": [_PLACE_EXAMPLE], "taxa": [],
        "created": "2025-01-05T10:00:00Z",
    })

    id: str
    iri: str
    active: bool
    webhook: str = ""
    email: str = ""
    name: str = ""
    places: list[dict[str, str]] = Field(default_factory=list)
    taxa: list[dict[str, str]] = Field(default_factory=list)
    created: dt.datetime | None = None


class ReassessmentItem(TaxonRow):
    model_config = _examples(_REASSESSMENT_EXAMPLE)

    reasons: list[str] = Field(description="`age` (older than the cut-off) and/or `event`.")
    age_years: float | None = None
    events: list[dict[str, Any]] = Field(default_factory=list)


class ReassessmentList(Out):
    model_config = _examples(
        {"today": "2025-09-01", "years": 10, "limit": 100, "offset": 0, "total": 1,
         "species": [_REASSESSMENT_EXAMPLE]}
    )

    today: dt.date
    years: int
    limit: int = Field(description="Species per page (`?limit=`, 1..1000, default 100).")
    offset: int = Field(description="Species skipped (`?offset=`).")
    total: int = Field(description="Species in the whole list.")
    species: list[ReassessmentItem]


class SpeciesLinks(Out):
    """Every link record of a taxon by kind, its pledges, and the summary columns (as in the
    review table and cluster views)."""

    model_config = _examples({
        "taxon": _TAXON_EXAMPLE["iri"],
        "summary": _SUMMARY_EXAMPLE,
        "cites": [{"iri": "https://w3id.org/assess2plan/id/link/cites/cites-R1",
                   "citesListing": "II", "citesAppendix": "II", "matchMethod": "exact"}],
        "exsitu": [], "programmes": [], "priorities": [], "green_status": [], "identifiers": [],
        "exact_match": ["https://www.gbif.org/species/1234567"],
        "pledges": [_PLEDGE_EXAMPLE],
    })

    taxon: str
    summary: dict[str, Any] = Field(
        description="CITES appendix and listing date, ex situ holdings and programmes, EDGE/ED, "
        "AZE, national statuses, Green Status, pledges and identifiers in one row."
    )
    cites: list[dict[str, Any]] = Field(default_factory=list)
    exsitu: list[dict[str, Any]] = Field(default_factory=list)
    programmes: list[dict[str, Any]] = Field(default_factory=list)
    priorities: list[dict[str, Any]] = Field(default_factory=list,
                                             description="EDGE/ED, AZE, national red lists.")
    green_status: list[dict[str, Any]] = Field(default_factory=list)
    identifiers: list[dict[str, Any]] = Field(default_factory=list)
    exact_match: list[str] = Field(default_factory=list,
                                   description="skos:exactMatch IRIs (GBIF, Wikidata, NCBI).")
    pledges: list[PledgeOut] = Field(default_factory=list)
