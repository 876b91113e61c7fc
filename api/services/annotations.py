"""api.services.annotations — assessor feedback and planner comments, written into the graph.

Each feedback or comment is its own node, with who (prov:wasAttributedTo an agent with a
name and institution) and when (prov:generatedAtTime), in the named graph
graph/feedback or graph/comments. Terms are escaped by kg.build's `iri`/`lit` and sent as
one SPARQL `INSERT DATA` (one transaction); user text is never pasted into query syntax.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from rdflib import URIRef

from api.schemas import CommentOut, CommentRequest, FeedbackRequest, FeedbackResponse, SuggestionRef
from api.services import queries
from api.services.codes import codes
from api.services.datasheet import taxon_of_assessment, valid_id
from kg import iris
from kg.build import iri, lit
from kg.store import Store
from kg.vocab import A2P, DCTERMS, PROV, RDF, RDFS, SDO, SKOS, XSD

FEEDBACK_GRAPH = iris.graph("feedback")
COMMENTS_GRAPH = iris.graph("comments")
SERVICE_ACTIVITY = iris.graph("activity", "api_suggest")
BUCKETS = {
    "single_species": A2P.SingleSpeciesRecovery,
    "habitat": A2P.HabitatBased,
    "threat": A2P.ThreatFocused,
    "ex_situ": A2P.ExSituManagement,
}


class NotFoundError(LookupError):
    """The species or assessment named by the request is not in the graph."""


class RefusedError(ValueError):
    """The request names something that cannot be recorded (message for the client)."""


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class Triples:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def node(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{iri(s)} {iri(str(p))} {iri(str(o))} .")

    def add(self, s: str, p: str, o: str) -> None:
        """`o` is already an escaped literal from kg.build.lit."""
        self.lines.append(f"{iri(s)} {iri(str(p))} {o} .")

    def insert(self, graph: str) -> str:
        body = "\n".join(self.lines)
        return f"INSERT DATA {{ GRAPH {iri(graph)} {{\n{body}\n}} }}"


def _agent_triples(t: Triples, agent: str, name: str, institution: str) -> None:
    t.node(agent, RDF.type, PROV.Agent)
    t.node(agent, RDF.type, A2P.Person)
    t.add(agent, RDFS.label, lit(name))
    if institution:
        t.add(agent, A2P.institution, lit(institution))


def suggestion_iri(ref: SuggestionRef) -> str:
    """The suggestion's IRI: the one given, or the one /suggest mints for these values."""
    if ref.id:
        if not ref.id.startswith(iris.ID) or any(c in ref.id for c in '<>"{}|^`\\ \n'):
            raise RefusedError(f"suggestion id {ref.id!r} is not a suggestion IRI of this graph")
        return ref.id
    return mint_suggestion(ref.assessment_id, ref.kind, ref.code, ref.field, ref.start, ref.end)


def mint_suggestion(
    assessment_id: str, kind: str, code: str, field: str, start: int, end: int
) -> str:
    key = f"{kind}_{code}_{field}_{start}_{end}" if kind != "bucket" else f"bucket_{code}"
    return iris.text_suggestion(assessment_id, key)


def _suggestion_triples(t: Triples, node: str, ref: SuggestionRef) -> None:
    c = codes()
    t.node(node, RDF.type, A2P.Suggestion)
    t.node(node, RDF.type, PROV.Entity)
    t.node(node, PROV.wasGeneratedBy, SERVICE_ACTIVITY)
    if ref.assessment_id:
        t.node(node, A2P.aboutAssessment, iris.assessment(ref.assessment_id))
    scheme = {"action": "actions", "threat": "threats"}.get(ref.kind)
    if ref.kind == "bucket":
        t.node(node, A2P.suggestedBucket, BUCKETS[ref.code])
    elif scheme and ref.code in c.schemes[scheme]:
        t.node(node, A2P.suggestedCode, c.schemes[scheme].concepts[ref.code].iri)
    elif ref.kind == "place" and ref.code in c.schemes["countries"]:
        t.node(node, A2P.suggestedCode, c.schemes["countries"].concepts[ref.code].iri)
    t.add(node, SKOS.notation, lit(ref.code))
    if ref.label:
        t.add(node, RDFS.label, lit(ref.label))
    t.add(node, A2P.mentionStatus, lit(ref.status))
    t.add(node, A2P.confidence, lit(round(float(ref.confidence), 4)))
    t.add(node, A2P.sourceField, lit(ref.field))
    start, end = sorted((ref.start, ref.end))
    t.add(node, A2P.spanStart, lit(start))
    t.add(node, A2P.spanEnd, lit(end))
    if ref.sentence:
        t.add(node, A2P.evidenceText, lit(ref.sentence))
    t.add(node, DCTERMS.source, lit(ref.model or "a2p-api"))


def record_feedback(store: Store, req: FeedbackRequest) -> FeedbackResponse:
    ref = req.suggestion
    if ref.assessment_id and not (
        valid_id(ref.assessment_id) and taxon_of_assessment(store, ref.assessment_id)
    ):
        raise NotFoundError(f"no assessment {ref.assessment_id!r} in the graph")
    if ref.kind == "bucket" and ref.code not in BUCKETS:
        raise RefusedError(f"unknown planning bucket {ref.code!r} (known: {', '.join(BUCKETS)})")
    if ref.kind in ("action", "threat") and ref.code not in codes().scheme(ref.kind):
        raise RefusedError(f"unknown {ref.kind} code {ref.code!r}")
    node = suggestion_iri(ref)
    now = _now()
    fb = iris.feedback(ref.assessment_id, uuid.uuid4().hex)
    agent = iris.agent(req.who, req.institution)
    t = Triples()
    if not queries.ask(store, "suggestion_exists", suggestion=URIRef(node)):
        _suggestion_triples(t, node, ref)
    t.node(fb, RDF.type, A2P.Feedback)
    t.node(fb, RDF.type, PROV.Entity)
    t.node(fb, A2P.onSuggestion, node)
    t.add(fb, A2P.verdict, lit(req.verdict))
    t.node(fb, PROV.wasAttributedTo, agent)
    t.add(fb, PROV.generatedAtTime, lit(now.isoformat().replace("+00:00", "Z"), XSD.dateTime))
    if req.note:
        t.add(fb, A2P.note, lit(req.note))
    _agent_triples(t, agent, req.who, req.institution)
    store.update(t.insert(FEEDBACK_GRAPH), annotation=True)  # no cached value reads it
    return FeedbackResponse(
        id=fb, suggestion_id=node, verdict=req.verdict, recorded_at=now, graph=FEEDBACK_GRAPH
    )


def record_comment(store: Store, req: CommentRequest) -> CommentOut:
    if not req.species_id and not req.assessment_id:
        raise RefusedError("give species_id or assessment_id")
    assessment_id = req.assessment_id
    if assessment_id:
        found = taxon_of_assessment(store, assessment_id) if valid_id(assessment_id) else None
        if not found:
            raise NotFoundError(f"no assessment {assessment_id!r} in the graph")
        taxon_id = found[0]
        if req.species_id and req.species_id != taxon_id:
            raise RefusedError(f"assessment {assessment_id} is not of species {req.species_id}")
    else:
        taxon_id = req.species_id
        rows = (
            queries.values(store, "species", taxon=URIRef(iris.taxon(taxon_id)))
            if valid_id(taxon_id)
            else []
        )
        if not rows:
            raise NotFoundError(f"no species {taxon_id!r} in the graph")
        latest = str(rows[0]["latest"] or "")
        assessment_id = latest.rsplit("/a", 1)[-1] if latest else ""
    now = _now()
    node = iris.comment(assessment_id, uuid.uuid4().hex)
    agent = iris.agent(req.name, req.institution)
    t = Triples()
    t.node(node, RDF.type, A2P.Comment)
    t.node(node, RDF.type, PROV.Entity)
    t.node(node, SDO.about, iris.taxon(taxon_id))
    if assessment_id:
        t.node(node, SDO.about, iris.assessment(assessment_id))
    t.add(node, SDO.text, lit(req.text))
    t.node(node, PROV.wasAttributedTo, agent)
    t.add(node, PROV.generatedAtTime, lit(now.isoformat().replace("+00:00", "Z"), XSD.dateTime))
    _agent_triples(t, agent, req.name, req.institution)
    store.update(t.insert(COMMENTS_GRAPH), annotation=True)  # no cached value reads it
    return CommentOut(
        id=node,
        taxon_id=taxon_id,
        assessment_id=assessment_id,
        name=req.name,
        institution=req.institution,
        text=req.text,
        created=now,
    )
