# ruff: noqa: N815
"""kg.links.terms — ontology terms and IRIs of the link ingest, pledges, events and alerts; no I/O.

The terms are declared in ontology/links.ttl. kg/vocab.py is generated from
assess2plan.ttl only, so until the lead merges links.ttl into it they are minted here from
`kg.iris.ONTOLOGY` (a test checks that this class and links.ttl list the same terms).
The IRI minting functions below belong in kg/iris.py once merged.
"""

from __future__ import annotations

import hashlib
import re

from rdflib import Namespace, URIRef

from kg import iris

_NS = Namespace(iris.ONTOLOGY)  # TEMPORARY: until links.ttl is merged into kg/vocab.py


class LINKS:
    """Terms of ontology/links.ttl (a misspelt attribute raises AttributeError)."""

    # link records and their provenance
    LinkRecord: URIRef = _NS.LinkRecord
    LinkSource: URIRef = _NS.LinkSource
    sourceName: URIRef = _NS.sourceName
    sourceId: URIRef = _NS.sourceId
    sourceRow: URIRef = _NS.sourceRow
    matchMethod: URIRef = _NS.matchMethod
    matchDetail: URIRef = _NS.matchDetail
    linkKind: URIRef = _NS.linkKind
    rowsRead: URIRef = _NS.rowsRead
    rowsMatched: URIRef = _NS.rowsMatched
    rowsUnmatched: URIRef = _NS.rowsUnmatched
    taxaLinked: URIRef = _NS.taxaLinked
    sha256: URIRef = _NS.sha256
    # CITES
    CitesListing: URIRef = _NS.CitesListing
    citesListing: URIRef = _NS.citesListing
    citesAppendix: URIRef = _NS.citesAppendix
    listingDate: URIRef = _NS.listingDate
    citesAnnotation: URIRef = _NS.citesAnnotation
    # ex situ
    ExSituHoldings: URIRef = _NS.ExSituHoldings
    institutions: URIRef = _NS.institutions
    individuals: URIRef = _NS.individuals
    holdingsRegion: URIRef = _NS.holdingsRegion
    programmeType: URIRef = _NS.programmeType
    # prioritisation schemes
    PriorityRecord: URIRef = _NS.PriorityRecord
    priorityScheme: URIRef = _NS.priorityScheme
    edgeScore: URIRef = _NS.edgeScore
    edScore: URIRef = _NS.edScore
    edgeSpecies: URIRef = _NS.edgeSpecies
    azeTrigger: URIRef = _NS.azeTrigger
    azeSite: URIRef = _NS.azeSite
    nationalStatus: URIRef = _NS.nationalStatus
    statusRegion: URIRef = _NS.statusRegion
    statusCountry: URIRef = _NS.statusCountry
    statusYear: URIRef = _NS.statusYear
    # Green Status
    GreenStatusAssessment: URIRef = _NS.GreenStatusAssessment
    greenStatusScore: URIRef = _NS.greenStatusScore
    greenStatusScoreMin: URIRef = _NS.greenStatusScoreMin
    greenStatusScoreMax: URIRef = _NS.greenStatusScoreMax
    recoveryCategory: URIRef = _NS.recoveryCategory
    conservationLegacy: URIRef = _NS.conservationLegacy
    conservationLegacyScore: URIRef = _NS.conservationLegacyScore
    conservationDependence: URIRef = _NS.conservationDependence
    conservationDependenceScore: URIRef = _NS.conservationDependenceScore
    conservationGain: URIRef = _NS.conservationGain
    conservationGainScore: URIRef = _NS.conservationGainScore
    recoveryPotential: URIRef = _NS.recoveryPotential
    recoveryPotentialScore: URIRef = _NS.recoveryPotentialScore
    justification: URIRef = _NS.justification
    # identifiers
    IdentifierLink: URIRef = _NS.IdentifierLink
    # pledges
    pledgedAction: URIRef = _NS.pledgedAction
    forCluster: URIRef = _NS.forCluster
    startDate: URIRef = _NS.startDate
    endDate: URIRef = _NS.endDate
    # events, subscriptions, notifications
    SiteEvent: URIRef = _NS.SiteEvent
    eventAt: URIRef = _NS.eventAt
    eventDate: URIRef = _NS.eventDate
    eventKind: URIRef = _NS.eventKind
    eventThreat: URIRef = _NS.eventThreat
    affectsTaxon: URIRef = _NS.affectsTaxon
    reportedBy: URIRef = _NS.reportedBy
    Subscription: URIRef = _NS.Subscription
    webhook: URIRef = _NS.webhook
    watchesPlace: URIRef = _NS.watchesPlace
    watchesTaxon: URIRef = _NS.watchesTaxon
    active: URIRef = _NS.active
    Notification: URIRef = _NS.Notification
    aboutEvent: URIRef = _NS.aboutEvent
    viaSubscription: URIRef = _NS.viaSubscription
    attempts: URIRef = _NS.attempts
    hasAttempt: URIRef = _NS.hasAttempt
    DeliveryAttempt: URIRef = _NS.DeliveryAttempt
    attemptNumber: URIRef = _NS.attemptNumber
    httpStatus: URIRef = _NS.httpStatus
    errorMessage: URIRef = _NS.errorMessage


def term_names() -> set[str]:
    """Local names of every term of LINKS (checked against ontology/links.ttl by a test)."""
    return {k for k, v in vars(LINKS).items() if isinstance(v, URIRef)}


# --------------------------------------------------------------------------- external IRIs

GBIF_SPECIES = "https://www.gbif.org/species/"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
NCBI_TAXON = "http://purl.obolibrary.org/obo/NCBITaxon_"
SPECIES_PLUS = "https://speciesplus.net/species#/taxon_concepts/"


def gbif(key: str) -> str:
    return GBIF_SPECIES + key


def wikidata(qid: str) -> str:
    return WIKIDATA_ENTITY + qid


def ncbi(taxid: str) -> str:
    return NCBI_TAXON + taxid


def species_plus(taxon_concept_id: str) -> str:
    return SPECIES_PLUS + taxon_concept_id


# --------------------------------------------------------------------------- our IRIs

KINDS = ("cites", "exsitu", "scores", "ids", "greenstatus")
_DATASET = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


def dataset_name(value: str) -> str:
    """A dataset name usable in IRIs: letters, digits, '-' and '_', starting with a letter."""
    if not _DATASET.fullmatch(value):
        raise ValueError(
            f"dataset name {value!r}: use letters, digits, '-' or '_', starting with a letter"
        )
    return value


def link_graph(kind: str, dataset: str | None = None) -> str:
    """graph/links/<kind> (the default dataset) or graph/links/<kind>/<dataset>."""
    if kind not in KINDS:
        raise ValueError(f"unknown link kind {kind!r}")
    return (
        iris.graph("links", kind, dataset_name(dataset)) if dataset else iris.graph("links", kind)
    )


def link_record(kind: str, dataset: str | None, key: str) -> str:
    """id/link/<kind>/<dataset or kind>-<key>; key is made of letters, digits, '-' and '_'."""
    return f"{iris.ID}link/{kind}/{dataset or kind}-{iris.code_local(key)}"


def link_programme(dataset: str | None, taxon_id: str, programme: str) -> str:
    return (
        f"{iris.ID}link/programme/{dataset or 'exsitu'}-sis{taxon_id}-{iris.code_local(programme)}"
    )


def stakeholder_key(kind: str, name: str, contact: str) -> str:
    """A stable key for a stakeholder: the same kind, name and contact give the same IRI."""
    norm = "|".join((kind, " ".join(name.lower().split()), contact.strip().lower()))
    return "sh" + hashlib.sha256(norm.encode("utf-8")).hexdigest()[:12]


def check_id(value: str, prefix: str) -> str:
    """An id such as 'p3fa4c0de12b9' (prefix + hex digits); raises ValueError otherwise.

    Prefixes: p pledge, e event, s subscription, sh stakeholder.
    """
    if not isinstance(value, str) or not re.fullmatch(prefix + r"[0-9a-f]{6,32}", value):
        raise ValueError(f"not a valid id: {value!r} (expected '{prefix}' and hex digits)")
    return value


def stakeholder(key: str) -> str:
    return f"{iris.ID}stakeholder/{check_id(key, 'sh')}"


def pledge(pledge_id: str) -> str:
    return f"{iris.ID}pledge/{check_id(pledge_id, 'p')}"


def event(event_id: str) -> str:
    return f"{iris.ID}event/{check_id(event_id, 'e')}"


def subscription(sub_id: str) -> str:
    return f"{iris.ID}subscription/{check_id(sub_id, 's')}"


def notification(event_id: str, sub_id: str) -> str:
    return f"{iris.ID}notification/n{check_id(event_id, 'e')}-{check_id(sub_id, 's')}"


def attempt(event_id: str, sub_id: str, n: int) -> str:
    return f"{notification(event_id, sub_id)}-a{n}"


def local_id(iri: str) -> str:
    """The last path segment of one of our IRIs (the id users see)."""
    return iri.rsplit("/", 1)[-1]


def stakeholder_graph(key: str) -> str:
    return iris.graph("stakeholder", check_id(key, "sh"))


def pledge_graph(pledge_id: str) -> str:
    return iris.graph("pledge", check_id(pledge_id, "p"))


def event_graph(event_id: str) -> str:
    return iris.graph("event", check_id(event_id, "e"))


def subscription_graph(sub_id: str) -> str:
    return iris.graph("subscription", check_id(sub_id, "s"))


def notification_graph(event_id: str, sub_id: str) -> str:
    return iris.graph("notification", check_id(event_id, "e"), check_id(sub_id, "s"))
