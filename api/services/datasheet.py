"""api.services.datasheet — species and assessment datasheets from the graph (JSON and RDF).

The JSON datasheet is built from kg.fetch records plus labels from the code lists; the RDF
datasheet is every triple of the taxon's and its assessments' named graphs (plus comments
and feedback nodes about them), serialised as Turtle or JSON-LD.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from datetime import date, datetime
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from api.schemas import (
    ActionOut,
    AssessmentSheet,
    AssessmentSummary,
    Coded,
    CommentOut,
    HabitatOut,
    PlaceOut,
    SpeciesSheet,
    StoredSuggestion,
    TaxonOut,
    ThreatOut,
)
from api.services import queries
from api.services.codes import codes
from api.services.consistency import completeness
from kg import iris
from kg.build import NARRATIVE_PROPS
from kg.store import Store, to_oxigraph
from kg.vocab import A2P

_ID = re.compile(r"[A-Za-z0-9_.\-]{1,40}")
PREFIXES = {
    "a2p": "https://w3id.org/assess2plan/ontology#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "taxon": iris.ID + "taxon/",
    "assessment": iris.ID + "assessment/",
    "threat": iris.SCHEME + "threats/",
    "action": iris.SCHEME + "actions/",
    "habitat": iris.SCHEME + "habitats/",
    "country": iris.SCHEME + "countries/",
}


def valid_id(value: str) -> bool:
    return bool(_ID.fullmatch(value))


def _s(v: object) -> str:
    return "" if v is None else str(v)


# --------------------------------------------------------------------------- JSON sheets


def taxon_of_assessment(store: Store, assessment_id: str) -> tuple[str, str] | None:
    """(taxon id, latest assessment IRI or '') of an assessment, None if unknown."""
    if not valid_id(assessment_id):
        return None
    rows = queries.values(
        store, "assessment_taxon", assessment=URIRef(iris.assessment(assessment_id))
    )
    if not rows:
        return None
    return _s(rows[0]["taxonId"]), _s(rows[0]["latest"])


_NARRATIVE = {str(p): name for name, p in NARRATIVE_PROPS.items()}
_PLACE_TYPES = {
    str(A2P.SubnationalUnit): "subnational",
    str(A2P.LargeMarineEcosystem): "lme",
    str(A2P.Site): "site",
    str(A2P.WaterBody): "waterbody",
    str(A2P.ProtectedArea): "protectedarea",
}
_P = {name: str(getattr(A2P, name)) for name in (
    "assessmentId", "assessesTaxon", "category", "criteria", "criteriaVersion",
    "assessmentDate", "yearPublished", "populationTrend", "hasThreatImpact",
    "hasActionNeeded", "hasActionInPlace", "hasResearchNeeded", "hasHabitatUse",
    "hasOccurrence", "threat", "timing", "threatScope", "severity", "stress", "note",
    "action", "inPlaceQuestion", "inPlaceAnswer", "research", "habitat", "suitability",
    "majorImportance", "season", "place", "presence", "origin", "sisTaxonId",
    "scientificName", "authority", "rank", "kingdom", "phylum", "className", "order",
    "family", "genus", "latestAssessment", "mainCommonName", "commonName", "synonym",
)}


def _by_subject(triples: list[tuple[str, str, Any]]) -> dict[str, dict[str, list[Any]]]:
    out: dict[str, dict[str, list[Any]]] = {}
    for s, p, o in triples:
        out.setdefault(s, {}).setdefault(p, []).append(o)
    return out


def _one(props: dict[str, list[Any]], key: str) -> Any:
    v = props.get(_P[key])
    return v[0] if v else None


def _code(scheme: str, iri: Any) -> str:
    if iri is None:
        return ""
    return codes().schemes[scheme].by_iri.get(str(iri), "")


def assessment_sheet(
    store: Store, assessment_id: str, *, latest: bool | None = None, with_suggestions: bool = True
) -> AssessmentSheet | None:
    """The datasheet of one assessment, None when the graph has no such assessment."""
    if not valid_id(assessment_id):
        return None
    a_iri = iris.assessment(assessment_id)
    nodes = _by_subject(queries.graph_triples(store, iris.assessment_graph(assessment_id)))
    head = nodes.get(a_iri)
    if not head or _one(head, "assessesTaxon") is None:
        return None
    c = codes()
    taxon_iri = str(_one(head, "assessesTaxon"))
    taxon_id = taxon_iri.rsplit("/sis", 1)[-1]
    if latest is None:
        found = taxon_of_assessment(store, assessment_id)
        latest = bool(found and found[1] == a_iri)

    def parts(key: str) -> list[dict[str, list[Any]]]:
        return [nodes.get(str(n), {}) for n in sorted(head.get(_P[key], []), key=str)]

    threats = []
    for n in parts("hasThreatImpact"):
        code = _code("threats", _one(n, "threat"))
        threats.append(
            ThreatOut(
                code=code,
                label=c.label("threat", code),
                timing=_code("timing", _one(n, "timing")),
                scope=_code("threatscope", _one(n, "threatScope")),
                severity=_code("severity", _one(n, "severity")),
                stresses=sorted(_code("stresses", x) for x in n.get(_P["stress"], [])),
                note=_s(_one(n, "note")),
            )
        )
    needed: list[ActionOut] = []
    in_place: list[ActionOut] = []
    for key, target in (("hasActionNeeded", needed), ("hasActionInPlace", in_place)):
        for n in parts(key):
            code = _code("actions", _one(n, "action"))
            target.append(
                ActionOut(
                    code=code,
                    label=c.label("action", code) if code else "",
                    note=_s(_one(n, "note")),
                    question=_s(_one(n, "inPlaceQuestion")),
                    answer=_s(_one(n, "inPlaceAnswer")),
                )
            )
    research = []
    for n in parts("hasResearchNeeded"):
        code = _code("research", _one(n, "research"))
        research.append(Coded(code=code, label=c.label("research", code)))
    habitats = []
    for n in parts("hasHabitatUse"):
        code = _code("habitats", _one(n, "habitat"))
        major = _one(n, "majorImportance")
        habitats.append(
            HabitatOut(
                code=code,
                label=c.label("habitat", code),
                suitability=_s(_one(n, "suitability")),
                major_importance=major if isinstance(major, bool) else None,
                season=_s(_one(n, "season")),
            )
        )
    occurrences = parts("hasOccurrence")
    other: dict[str, dict[str, Any]] = {}
    countries_scheme = c.schemes["countries"]
    if any(str(_one(n, "place")) not in countries_scheme.by_iri for n in occurrences):
        for r in queries.values(store, "assessment_places", assessment=URIRef(a_iri)):
            if r["type"] in _PLACE_TYPES:
                other[str(r["place"])] = r
    places = []
    for n in occurrences:
        piri = str(_one(n, "place"))
        if piri in countries_scheme.by_iri:
            code = countries_scheme.by_iri[piri]
            ptype, name = "country", c.label("country", code)
        elif piri in other:
            code, ptype, name = _s(other[piri]["code"]), _PLACE_TYPES[other[piri]["type"]], _s(
                other[piri]["name"]
            )
        else:
            continue
        places.append(
            PlaceOut(
                type=ptype,
                code=code,
                name=name,
                presence=_s(_one(n, "presence")),
                origin=_s(_one(n, "origin")),
            )
        )
    places.sort(key=lambda p: (p.type != "country", p.type, p.code))
    texts = {
        _NARRATIVE[p]: str(v[0]) for p, v in head.items() if p in _NARRATIVE and str(v[0]).strip()
    }
    category = _code("categories", _one(head, "category"))
    year = _one(head, "yearPublished")
    d = _one(head, "assessmentDate")
    trend = _one(head, "populationTrend")
    sheet = AssessmentSheet(
        assessment_id=assessment_id,
        iri=a_iri,
        taxon_id=taxon_id,
        scientific_name=_s(_label_name(head)),
        category=category,
        category_label=c.label("category", category),
        criteria=_s(_one(head, "criteria")),
        criteria_version=_s(_one(head, "criteriaVersion")),
        year=year if isinstance(year, int) else None,
        date=d if isinstance(d, date) else None,
        population_trend=c.schemes["poptrends"].concepts[_code("poptrends", trend)].label
        if _code("poptrends", trend)
        else "",
        latest=latest,
        texts={k: texts[k] for k in NARRATIVE_PROPS if k in texts},
        threats=sorted(threats, key=lambda t: t.code),
        actions_needed=needed,
        actions_in_place=in_place,
        research_needed=research,
        habitats=habitats,
        places=places,
    )
    sheet.completeness = completeness(
        conservation_actions_text=bool(texts.get("conservation_actions", "").strip()),
        actions_needed=bool(needed),
        research_needed=bool(research),
        threats=bool(threats),
        habitats=bool(habitats),
        places=bool(places),
    )
    if with_suggestions:
        sheet.suggestions = stored_suggestions(store, assessment_id)
    return sheet


_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _label_name(head: dict[str, list[Any]]) -> str:
    """The scientific name from the assessment's label 'Name (CR, 2020)'."""
    label = head.get(_RDFS_LABEL)
    if not label:
        return ""
    return str(label[0]).rsplit(" (", 1)[0]


def stored_suggestions(store: Store, assessment_id: str) -> list[StoredSuggestion]:
    """Suggestions about the assessment stored in the graph, with accept/reject counts."""
    rows = queries.values(store, "suggestions", assessment=URIRef(iris.assessment(assessment_id)))
    out: dict[str, StoredSuggestion] = {}
    for r in rows:
        sid = _s(r["suggestion"])
        s = out.get(sid)
        if s is None:
            s = out[sid] = StoredSuggestion(
                id=sid,
                code=_s(r["code"]),
                label=_s(r["label"]),
                status=_s(r["status"]),
                confidence=float(r["confidence"]) if r["confidence"] is not None else None,
                field=_s(r["field"]),
                start=r["start"] if isinstance(r["start"], int) else None,
                end=r["end"] if isinstance(r["end"], int) else None,
                evidence=_s(r["evidence"]),
                model=_s(r["model"]),
            )
        if r["verdict"] == "accept":
            s.accepted += 1
        elif r["verdict"] == "reject":
            s.rejected += 1
    return sorted(out.values(), key=lambda s: (-(s.confidence or 0), s.code, s.id))[:200]


def comments_for(store: Store, taxon_id: str) -> list[CommentOut]:
    out = []
    for r in queries.values(store, "comments", taxon=URIRef(iris.taxon(taxon_id))):
        when = r["when"]
        if not isinstance(when, datetime):
            continue
        out.append(
            CommentOut(
                id=_s(r["comment"]),
                taxon_id=taxon_id,
                assessment_id=_s(r["assessmentId"]),
                name=_s(r["name"]),
                institution=_s(r["institution"]),
                text=_s(r["text"]),
                created=when,
            )
        )
    return out


def species_sheet(store: Store, taxon_id: str, *, annotations: bool = True) -> SpeciesSheet | None:
    """The datasheet of a taxon (its latest assessment in full), None when unknown.

    `annotations=False` leaves out the comments and the stored suggestions (what
    `sheet_store` precomputes; it adds them live when there are any).
    """
    if not valid_id(taxon_id):
        return None
    t_iri = iris.taxon(taxon_id)
    h = _by_subject(queries.subject_triples(store, t_iri)).get(t_iri)
    if not h or _one(h, "scientificName") is None:
        return None
    latest_iri = _s(_one(h, "latestAssessment"))
    summaries = [
        AssessmentSummary(
            assessment_id=_s(r["assessmentId"]),
            category=_s(r["category"]),
            criteria=_s(r["criteria"]),
            year=r["year"] if isinstance(r["year"], int) else None,
            date=r["date"] if isinstance(r["date"], date) else None,
            latest=_s(r["assessment"]) == latest_iri,
        )
        for r in queries.values(store, "species_assessments", taxon=URIRef(t_iri))
    ]
    main = [str(x) for x in h.get(_P["mainCommonName"], [])]
    common = main + sorted({str(x) for x in h.get(_P["commonName"], [])} - set(main))
    t = TaxonOut(
        taxon_id=taxon_id,
        iri=t_iri,
        scientific_name=_s(_one(h, "scientificName")),
        authority=_s(_one(h, "authority")),
        rank=_s(_one(h, "rank")),
        kingdom=_s(_one(h, "kingdom")),
        phylum=_s(_one(h, "phylum")),
        class_name=_s(_one(h, "className")),
        order=_s(_one(h, "order")),
        family=_s(_one(h, "family")),
        genus=_s(_one(h, "genus")),
        common_names=common,
        synonyms=sorted({str(x) for x in h.get(_P["synonym"], [])}),
    )
    latest = None
    latest_id = next((s.assessment_id for s in summaries if s.latest), "")
    if latest_id:
        latest = assessment_sheet(store, latest_id, latest=True, with_suggestions=annotations)
    return SpeciesSheet(
        taxon=t, latest=latest, assessments=summaries,
        comments=comments_for(store, taxon_id) if annotations else [],
    )


def static_species_json(store: Store, taxon_id: str) -> tuple[bytes, str] | None:
    """(JSON datasheet without comments and stored suggestions, latest assessment IRI or '')."""
    sheet = species_sheet(store, taxon_id, annotations=False)
    if sheet is None:
        return None
    return sheet.model_dump_json().encode(), sheet.latest.iri if sheet.latest else ""


# --------------------------------------------------------------------------- RDF sheets

RDF_MEDIA = {"turtle": "text/turtle", "jsonld": "application/ld+json"}


def _graph_triples(store: Store, graphs: list[str]) -> Graph:
    g = Graph()
    for gi in graphs:
        g += queries.construct(store, "graph_triples", g=URIRef(gi))
    return g


def serialize_graph(g: Graph, fmt: str) -> bytes:
    triples = []
    for s, p, o in g:
        triples.append(ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)))
    rdf = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.JSON_LD
    return ox.serialize(sorted(triples, key=str), format=rdf, prefixes=PREFIXES) or b""


def species_rdf(store: Store, taxon_id: str, fmt: str) -> bytes | None:
    if not valid_id(taxon_id):
        return None
    taxon = URIRef(iris.taxon(taxon_id))
    ids = [_s(r["assessmentId"]) for r in queries.values(store, "species_assessments", taxon=taxon)]
    graphs = [iris.taxon_graph(taxon_id), iris.names_graph(taxon_id), iris.latest_graph(taxon_id)]
    graphs += [iris.assessment_graph(a) for a in ids]
    g = _graph_triples(store, graphs)
    if len(g) == 0:
        return None
    return serialize_graph(g, fmt)


def assessment_rdf(store: Store, assessment_id: str, fmt: str) -> bytes | None:
    if not valid_id(assessment_id):
        return None
    g = _graph_triples(store, [iris.assessment_graph(assessment_id)])
    if len(g) == 0:
        return None
    return serialize_graph(g, fmt)


class SheetCache:
    """Serialised datasheets by (kind, id, format), least recently used out first.

    The service clears it on every write it makes (comments, feedback, SPARQL Update); an
    ingest replaces the store generation, which is part of the key.
    """

    def __init__(self, store: Store, entries: int = 4096) -> None:
        self.store = store
        self.entries = entries
        self._data: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def _key(self, kind: str, ident: str, fmt: str) -> tuple[str, ...]:
        return (kind, ident, fmt, getattr(self.store, "generation", ""))

    def get(self, kind: str, ident: str, fmt: str) -> bytes | None:
        if self.entries <= 0:
            return None
        key = self._key(kind, ident, fmt)
        with self._lock:
            body = self._data.get(key)
            if body is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return body

    def put(self, kind: str, ident: str, fmt: str, body: bytes) -> None:
        if self.entries <= 0:
            return
        with self._lock:
            self._data[self._key(kind, ident, fmt)] = body
            while len(self._data) > self.entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
