"""kg.links.terms — IRIs of the link ingest, pledges, events and alerts; no I/O.

The ontology terms (ontology/links.ttl) are in the generated kg.vocab.A2P, like the core
ones; this module mints the IRIs of link records, stakeholders, pledges, events,
subscriptions and notifications, and the external identifiers' IRIs.
"""

from __future__ import annotations

import hashlib
import re

from kg import iris

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
