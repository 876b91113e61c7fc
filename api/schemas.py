"""api.schemas — pydantic models of every request and response (with OpenAPI examples).

Coded fields of a draft assessment are checked against the IUCN schemes here, so a request
with an unknown code is refused with 422 naming the field (e.g. `threats[1].code`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from api.services.codes import codes

EXAMPLE_TAXON = "900101"
EXAMPLE_ASSESSMENT = "900201"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- problems


class FieldError(Model):
    field: str = Field(description="Where in the request: `body.threats[1].code`, `query.q`.")
    message: str
    type: str = ""


class Problem(Model):
    """Every error answer: a status, a short title, a detail and (422) the fields at fault."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": 422,
                    "title": "invalid request",
                    "detail": "body.threats[0].code: unknown threat code '99.9'",
                    "errors": [
                        {
                            "field": "body.threats[0].code",
                            "message": "unknown threat code '99.9'",
                            "type": "value_error",
                        }
                    ],
                }
            ]
        }
    )

    status: int
    title: str
    detail: str = ""
    errors: list[FieldError] = Field(default_factory=list)


def problem_responses(*codes_: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the given error statuses."""
    text = {
        400: "Malformed request (the parser's message is in `detail`).",
        401: "No write token, or a wrong one (`Authorization: Bearer <A2P_WRITE_TOKEN>`).",
        403: "Writing refused (read-only store, or no/wrong write token).",
        404: "No such species, assessment or resource.",
        406: "None of the accepted media types can be produced.",
        413: "Request body or a text field too large.",
        422: "Invalid request: the fields at fault are named in `errors`.",
        429: "Too many writes from this client (A2P_WRITE_RATE_PER_MINUTE); see Retry-After.",
        503: "A limit was hit (query time or memory) or a component is not ready.",
    }
    return {c: {"model": Problem, "description": text.get(c, "Error.")} for c in codes_}


# --------------------------------------------------------------------------- code checks


def _checker(kind: str) -> Any:
    def check(value: str) -> str:
        value = value.strip()
        code = codes().canonical(kind, value)
        if code is None:
            raise ValueError(f"unknown {kind} code {value!r}")
        return code

    return check


ThreatCode = Annotated[str, StringConstraints(max_length=40), AfterValidator(_checker("threat"))]
ActionCode = Annotated[str, StringConstraints(max_length=40), AfterValidator(_checker("action"))]
HabitatCode = Annotated[str, StringConstraints(max_length=40), AfterValidator(_checker("habitat"))]
ResearchCode = Annotated[
    str, StringConstraints(max_length=40), AfterValidator(_checker("research"))
]
CountryCode = Annotated[
    str, StringConstraints(max_length=60), AfterValidator(_checker("country"))
]
ShortText = Annotated[str, StringConstraints(max_length=400)]


def _optional(scheme: str, what: str) -> Any:
    """Validator: '' stays '', anything else must be a code or label of the scheme."""

    def check(value: str) -> str:
        value = value.strip()
        if not value:
            return ""
        code = codes().schemes[scheme].code_for(value)
        if code is None:
            raise ValueError(f"unknown {what} {value!r}")
        return code

    return check


# --------------------------------------------------------------------------- suggest


class DraftTaxon(Model):
    taxon_id: Annotated[str, StringConstraints(max_length=40)] = ""
    scientific_name: ShortText = ""
    kingdom: ShortText = ""
    phylum: ShortText = ""
    class_name: ShortText = ""
    order: ShortText = ""
    family: ShortText = ""
    genus: ShortText = ""


class DraftThreat(Model):
    code: ThreatCode
    timing: Annotated[
        str, StringConstraints(max_length=60), AfterValidator(_optional("timing", "threat timing"))
    ] = ""
    scope: Annotated[
        str,
        StringConstraints(max_length=60),
        AfterValidator(_optional("threatscope", "threat scope")),
    ] = ""
    severity: Annotated[
        str,
        StringConstraints(max_length=60),
        AfterValidator(_optional("severity", "threat severity")),
    ] = ""


class DraftAction(Model):
    code: ActionCode
    status: Literal["needed", "in_place"] = "needed"


class NarrativeTexts(Model):
    """The narrative fields of an assessment (any subset). Markup is allowed."""

    rationale: str = ""
    habitat: str = ""
    threats: str = ""
    population: str = ""
    range: str = ""
    use_trade: str = ""
    conservation_actions: str = ""
    trend_justification: str = ""


class SuggestRequest(Model):
    """A draft assessment; every part is optional."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "taxon": {"scientific_name": "Fictorasbora lacustris", "family": "CYPRINIDAE"},
                    "category": "EN",
                    "criteria": "B1ab(iii)+2ab(iii)",
                    "texts": {
                        "threats": "The peat swamp forest is being drained and converted to "
                        "oil palm plantations; fires in 2015 burned much of the remaining habitat.",
                        "conservation_actions": "There are no conservation measures in place. "
                        "Protection of the remaining peat swamp is urgently needed.",
                        "range": "Known only from Bukit Rekaan peat swamp in Indonesia and "
                        "one stream in Malaysia.",
                    },
                    "threats": [
                        {"code": "2.2.2", "timing": "Ongoing", "scope": "Majority (50-90%)",
                         "severity": "Rapid Declines"},
                        {"code": "7.1.1"},
                    ],
                    "actions": [{"code": "1.1", "status": "needed"}],
                    "countries": ["ID"],
                    "sites": ["Bukit Rekaan peat swamp"],
                    "habitats": ["5.4"],
                }
            ]
        },
    )

    assessment_id: Annotated[str, StringConstraints(max_length=40)] = Field(
        "", description="Set when the draft revises an assessment already in the graph."
    )
    taxon: DraftTaxon = Field(default_factory=DraftTaxon)
    category: Annotated[
        str,
        StringConstraints(max_length=40),
        AfterValidator(_optional("categories", "category code")),
    ] = ""
    criteria: Annotated[str, StringConstraints(max_length=200)] = ""
    texts: NarrativeTexts = Field(default_factory=NarrativeTexts)
    threats: list[DraftThreat] = Field(default_factory=list, max_length=500)
    actions: list[DraftAction] = Field(default_factory=list, max_length=500)
    research: list[ResearchCode] = Field(default_factory=list, max_length=500)
    countries: list[CountryCode] = Field(default_factory=list, max_length=500)
    sites: list[ShortText] = Field(default_factory=list, max_length=500)
    habitats: list[HabitatCode] = Field(default_factory=list, max_length=500)


class TextSuggestion(Model):
    """A code suggested from the narrative text, with the span that supports it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "https://w3id.org/assess2plan/id/assessment/adraft-suggestion-action_1_1_conservation_actions_57_97",
                    "kind": "action",
                    "code": "1.1",
                    "label": "Site/area protection",
                    "status": "needed",
                    "confidence": 0.91,
                    "field": "conservation_actions",
                    "start": 57,
                    "end": 97,
                    "text": "Protection of the remaining peat swamp",
                    "sentence": "Protection of the remaining peat swamp is urgently needed.",
                    "already_coded": True,
                    "model": "actions/v1",
                }
            ]
        }
    )

    id: str = Field(description="IRI to quote in POST /feedback.")
    kind: Literal["action", "threat", "place", "exsitu_role"]
    code: str
    label: str = ""
    status: Literal["needed", "in_place", "negated", "unknown"] = "unknown"
    confidence: float = Field(ge=0, le=1)
    field: str = ""
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str = Field("", description="The supporting span: texts[field][start:end].")
    sentence: str = ""
    already_coded: bool = Field(False, description="The draft already codes this.")
    model: str = ""


class BucketSuggestion(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "https://w3id.org/assess2plan/id/assessment/adraft-suggestion-bucket_habitat",
                    "bucket": "habitat",
                    "label": "Habitat-recovery-based planning",
                    "probability": 0.82,
                    "recommended": True,
                    "reasons": ["shares threat 2.2 and site Bukit Rekaan with 5 threatened species"],
                    "exsitu_roles": [],
                    "model": "rules/labels.v1",
                }
            ]
        }
    )

    id: str
    bucket: str
    label: str = ""
    probability: float = Field(ge=0, le=1)
    recommended: bool = Field(False, description="At or above the bucket's decision threshold.")
    reasons: list[str] = Field(default_factory=list)
    exsitu_roles: list[str] = Field(default_factory=list)
    model: str = ""


class CoaffectedSpecies(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "taxon_id": "900105",
                    "scientific_name": "Fictorasbora minor",
                    "category": "CR",
                    "shared_threats": ["2.2"],
                    "shared_countries": ["ID"],
                    "shared_places": ["ID", "site-BukitRekaan"],
                    "score": 2,
                }
            ]
        }
    )

    taxon_id: str
    scientific_name: str
    category: str = ""
    shared_threats: list[str] = Field(default_factory=list)
    shared_countries: list[str] = Field(default_factory=list)
    shared_places: list[str] = Field(default_factory=list, description="Countries and other "
                                     "place keys shared (planning index), e.g. 'lme-4_5_4'.")
    score: float = 0


class Completeness(Model):
    section: Literal["empty", "partial", "complete"]
    score: int = Field(ge=0, le=100, description="Percentage of six parts filled.")
    filled: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)


class ConsistencyWarning(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "threat_without_action",
                    "message": "threat 7.1.1 (Increase in fire frequency/intensity) has no "
                    "coded action needed that answers it",
                    "codes": ["7.1.1"],
                    "field": "threats",
                }
            ]
        }
    )

    kind: Literal[
        "threat_without_action",
        "action_without_threat",
        "conservation_section",
        "criteria_category",
        "place_not_coded",
        "threat_not_coded",
        "action_not_coded",
    ]
    message: str
    codes: list[str] = Field(default_factory=list)
    field: str = ""
    start: int | None = None
    end: int | None = None


class SuggestResponse(Model):
    actions: list[TextSuggestion] = Field(default_factory=list)
    threats: list[TextSuggestion] = Field(default_factory=list)
    places: list[TextSuggestion] = Field(default_factory=list)
    buckets: list[BucketSuggestion] | None = Field(
        None, description="null when the planning module is not available (see notes)."
    )
    coaffected: list[CoaffectedSpecies] = Field(default_factory=list)
    completeness: Completeness
    warnings: list[ConsistencyWarning] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list, description="What could not be computed, and why."
    )


# --------------------------------------------------------------------------- feedback, comments

_NOT_IN_NAMES = set("<>{}[]\\|`^=;$")


def _person_text(what: str, required: bool = False) -> Any:
    """Validator of a person's or institution's name: one line of plain text with a letter,
    no markup, code or links (these show on the species page and go into the graph)."""

    def check(value: str) -> str:
        value = " ".join(value.split())
        if not value:
            if required:
                raise ValueError(f"{what} is required")
            return value
        if any(unicodedata.category(ch).startswith("C") for ch in value):
            raise ValueError(f"{what} contains control or invisible characters")
        bad = sorted(set(value) & _NOT_IN_NAMES)
        if bad:
            raise ValueError(f"{what} may not contain {' '.join(bad)}")
        low = value.lower()
        if "://" in low or "www." in low or "@" in value:
            raise ValueError(f"{what} may not contain a link or an e-mail address")
        if not any(ch.isalpha() for ch in value):
            raise ValueError(f"{what} must contain a letter")
        return value

    return AfterValidator(check)


Who = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True),
    _person_text("name"),
]
Institution = Annotated[
    str, StringConstraints(max_length=300, strip_whitespace=True), _person_text("institution")
]


class SuggestionRef(Model):
    """The suggestion judged: as returned by /suggest (or stored in the graph)."""

    id: Annotated[str, StringConstraints(max_length=500)] = Field(
        "", description="The suggestion's IRI from /suggest or the species page."
    )
    assessment_id: Annotated[str, StringConstraints(max_length=40)] = ""
    kind: Literal["action", "threat", "place", "exsitu_role", "bucket"]
    code: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    label: ShortText = ""
    status: Literal["needed", "in_place", "negated", "unknown"] = "unknown"
    confidence: float = Field(0.0, ge=0, le=1)
    field: Annotated[str, StringConstraints(max_length=40)] = ""
    start: int = Field(0, ge=0, le=10_000_000)
    end: int = Field(0, ge=0, le=10_000_000)
    sentence: Annotated[str, StringConstraints(max_length=5000)] = ""
    model: Annotated[str, StringConstraints(max_length=200)] = ""


class FeedbackRequest(Model):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "suggestion": {
                        "assessment_id": EXAMPLE_ASSESSMENT,
                        "kind": "action",
                        "code": "1.1",
                        "label": "Site/area protection",
                        "status": "needed",
                        "confidence": 0.91,
                        "field": "conservation_actions",
                        "start": 57,
                        "end": 97,
                        "sentence": "Protection of the remaining peat swamp is urgently needed.",
                        "model": "actions/v1",
                    },
                    "verdict": "accept",
                    "who": "A. Assessor",
                    "institution": "Sunda Freshwater Fish SG",
                    "note": "coded in the revision",
                }
            ]
        },
    )

    suggestion: SuggestionRef
    verdict: Literal["accept", "reject"]
    who: Who
    institution: Institution = ""
    note: Annotated[str, StringConstraints(max_length=5000)] = ""


class FeedbackResponse(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "https://w3id.org/assess2plan/id/assessment/a900201-feedback-f3a9c2",
                    "suggestion_id": "https://w3id.org/assess2plan/id/assessment/a900201-suggestion-action_1_1_conservation_actions_57_97",
                    "verdict": "accept",
                    "recorded_at": "2025-05-01T10:00:00Z",
                    "graph": "https://w3id.org/assess2plan/graph/feedback",
                }
            ]
        }
    )

    id: str
    suggestion_id: str
    verdict: Literal["accept", "reject"]
    recorded_at: dt.datetime
    graph: str


class CommentRequest(Model):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "species_id": EXAMPLE_TAXON,
                    "name": "R. Planner",
                    "institution": "CPSG Indonesia",
                    "text": "The 2024 survey found a new subpopulation in the Sungai Imajin.",
                }
            ]
        },
    )

    species_id: Annotated[str, StringConstraints(max_length=40)] = Field(
        "", description="Taxon (SIS) id; the comment is about its latest assessment."
    )
    assessment_id: Annotated[str, StringConstraints(max_length=40)] = Field(
        "", description="Or a specific assessment id."
    )
    name: Who
    institution: Annotated[
        str, StringConstraints(max_length=300, strip_whitespace=True),
        _person_text("institution", required=True),
    ] = Field(description="The commenter's institution (required).")
    text: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class CommentOut(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "https://w3id.org/assess2plan/id/assessment/a900201-comment-0b7e",
                    "taxon_id": EXAMPLE_TAXON,
                    "assessment_id": EXAMPLE_ASSESSMENT,
                    "name": "R. Planner",
                    "institution": "CPSG Indonesia",
                    "text": "The 2024 survey found a new subpopulation in the Sungai Imajin.",
                    "created": "2025-05-01T10:00:00Z",
                }
            ]
        }
    )

    id: str
    taxon_id: str = ""
    assessment_id: str = ""
    name: str = ""
    institution: str = ""
    text: str
    created: dt.datetime


# --------------------------------------------------------------------------- datasheets


class Coded(Model):
    code: str
    label: str = ""


class ThreatOut(Model):
    code: str
    label: str = ""
    timing: str = ""
    scope: str = ""
    severity: str = ""
    stresses: list[str] = Field(default_factory=list)
    note: str = ""


class ActionOut(Model):
    code: str = ""
    label: str = ""
    note: str = ""
    question: str = ""
    answer: str = ""


class HabitatOut(Model):
    code: str
    label: str = ""
    suitability: str = ""
    major_importance: bool | None = None
    season: str = ""


class PlaceOut(Model):
    type: str
    code: str
    name: str = ""
    presence: str = ""
    origin: str = ""


class AssessmentSummary(Model):
    assessment_id: str
    category: str = ""
    criteria: str = ""
    year: int | None = None
    date: dt.date | None = None
    latest: bool = False


class StoredSuggestion(Model):
    id: str
    code: str = ""
    label: str = ""
    status: str = ""
    confidence: float | None = None
    field: str = ""
    start: int | None = None
    end: int | None = None
    evidence: str = ""
    model: str = ""
    accepted: int = 0
    rejected: int = 0


class AssessmentSheet(Model):
    """One assessment with its coded parts and narrative texts (latest or older)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "assessment_id": EXAMPLE_ASSESSMENT,
                    "taxon_id": EXAMPLE_TAXON,
                    "scientific_name": "Rasbora fictilis",
                    "category": "CR",
                    "category_label": "Critically Endangered",
                    "criteria": "B1ab(iii)",
                    "year": 2020,
                    "latest": True,
                    "texts": {"threats": "Peat swamp drainage..."},
                    "threats": [{"code": "7.2", "label": "Dams & water management/use"}],
                    "actions_needed": [{"code": "1.1", "label": "Site/area protection"}],
                    "places": [{"type": "country", "code": "ID", "name": "Indonesia"}],
                    "completeness": {"section": "partial", "score": 67},
                }
            ]
        }
    )

    assessment_id: str
    iri: str = ""
    taxon_id: str
    scientific_name: str = ""
    category: str = ""
    category_label: str = ""
    criteria: str = ""
    criteria_version: str = ""
    year: int | None = None
    date: dt.date | None = None
    population_trend: str = ""
    latest: bool = False
    texts: dict[str, str] = Field(default_factory=dict)
    threats: list[ThreatOut] = Field(default_factory=list)
    actions_needed: list[ActionOut] = Field(default_factory=list)
    actions_in_place: list[ActionOut] = Field(default_factory=list)
    research_needed: list[Coded] = Field(default_factory=list)
    habitats: list[HabitatOut] = Field(default_factory=list)
    places: list[PlaceOut] = Field(default_factory=list)
    completeness: Completeness | None = None
    suggestions: list[StoredSuggestion] = Field(default_factory=list)


class TaxonOut(Model):
    taxon_id: str
    iri: str = ""
    scientific_name: str
    authority: str = ""
    rank: str = ""
    kingdom: str = ""
    phylum: str = ""
    class_name: str = ""
    order: str = ""
    family: str = ""
    genus: str = ""
    common_names: list[str] = Field(default_factory=list)
    synonyms: list[str] = Field(default_factory=list)


class SpeciesSheet(Model):
    """The machine-readable datasheet of a species (taxon)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "taxon": {
                        "taxon_id": EXAMPLE_TAXON,
                        "scientific_name": "Rasbora fictilis",
                        "family": "CYPRINIDAE",
                    },
                    "latest": {
                        "assessment_id": EXAMPLE_ASSESSMENT,
                        "taxon_id": EXAMPLE_TAXON,
                        "category": "CR",
                    },
                    "assessments": [
                        {"assessment_id": EXAMPLE_ASSESSMENT, "category": "CR", "year": 2020,
                         "latest": True}
                    ],
                    "comments": [],
                }
            ]
        }
    )

    taxon: TaxonOut
    latest: AssessmentSheet | None = None
    assessments: list[AssessmentSummary] = Field(default_factory=list)
    comments: list[CommentOut] = Field(default_factory=list)


# --------------------------------------------------------------------------- tables


class ThreatCell(Model):
    code: str
    label: str = ""
    scope: str = ""
    severity: str = ""


class ReviewRow(Model):
    taxon_id: str
    scientific_name: str
    family: str = ""
    category: str
    criteria: str = ""
    year: int | None = None
    countries: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)
    threats: list[ThreatCell] = Field(default_factory=list)
    actions_in_place: list[str] = Field(default_factory=list)
    actions_needed: list[str] = Field(default_factory=list)
    suggested_buckets: list[str] = Field(default_factory=list)
    # linked data (kg.links): CITES, ex situ holdings and programmes, pledges
    cites: str = Field("", description="CITES appendix: `II`, or `II (via Acropora)`.")
    ex_situ: str = Field("", description="`global: 12 institutions, 340 individuals; EU: ...`")
    programmes: list[str] = Field(default_factory=list, description="EEP, SSP, Amphibian Ark...")
    pledges: int = Field(0, description="Pledges to take actions forward for the species.")
    pledged_by: list[str] = Field(default_factory=list, description="Their stakeholders.")


class ReviewTable(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "total": 1,
                    "offset": 0,
                    "limit": 1000,
                    "next": None,
                    "filters": {"country": "ID", "threat": "7.2"},
                    "bucket_source": "graph",
                    "rows": [
                        {
                            "taxon_id": EXAMPLE_TAXON,
                            "scientific_name": "Rasbora fictilis",
                            "family": "CYPRINIDAE",
                            "category": "CR",
                            "criteria": "B1ab(iii)",
                            "year": 2020,
                            "countries": ["ID"],
                            "places": ["Lake Fictara"],
                            "threats": [{"code": "7.2", "scope": "Majority (50-90%)",
                                         "severity": "Rapid Declines"}],
                            "actions_in_place": [],
                            "actions_needed": ["1.1"],
                            "suggested_buckets": ["habitat"],
                            "cites": "II",
                            "ex_situ": "global: 12 institutions, 340 individuals",
                            "programmes": ["EEP"],
                            "pledges": 1,
                            "pledged_by": ["Fictland Wetlands Trust"],
                        }
                    ],
                }
            ]
        }
    )

    total: int = Field(description="Rows matching the filters (all pages).")
    offset: int = Field(0, description="Index of the first row of this page.")
    limit: int | None = Field(None, description="Most rows of a page (None: every row).")
    next: str | None = Field(
        None, description="URL of the next page (same filters), or null on the last page."
    )
    filters: dict[str, str] = Field(default_factory=dict)
    bucket_source: str = Field(
        "", description="Where suggested_buckets come from: planning, graph, or '' (none)."
    )
    rows: list[ReviewRow]


# --------------------------------------------------------------------------- clusters


class ClusterSpecies(Model):
    """A species of a cluster (or a single-species candidate) with its link cells."""

    taxon_id: str
    name: str
    category: str
    cites: str = Field("", description="CITES appendix, as in the review table.")
    ex_situ: str = Field("", description="Ex situ holdings, as in the review table.")
    programmes: list[str] = Field(default_factory=list)
    pledges: int = 0
    pledged_by: list[str] = Field(default_factory=list)


class ClusterOut(Model):
    id: str = Field(description="Stable id (threat, place and habitat), for /map?cluster=.")
    title: str
    species: list[ClusterSpecies]
    threats: list[str] = Field(description="Threat codes the species share.")
    places: list[str] = Field(description="Place keys (`ID`, `waterbody-...`).")
    habitats: list[str]
    actions_needed: list[str]
    bucket: Literal["single_species", "habitat", "threat", "ex_situ"]
    cohesion: float
    place_names: dict[str, str] = Field(default_factory=dict)
    threat_labels: dict[str, str] = Field(default_factory=dict)


CLUSTERS_EXAMPLE: dict[str, Any] = {
    "total": 12, "offset": 0, "limit": 10, "next": None,
    "clusters": [{
        "id": "c-T3_2-waterbody-SungaiFiksi-H5_1",
        "title": "13 threatened species in Sungai Fiksi threatened by 3.2 Mining & quarrying",
        "species": [{"taxon_id": "9000450", "name": "Fictigepazaopsis diveae", "category": "VU",
                     "cites": "II", "ex_situ": "", "programmes": [], "pledges": 0,
                     "pledged_by": []}],
        "threats": ["3.2"], "places": ["waterbody-SungaiFiksi"], "habitats": ["5.1"],
        "actions_needed": ["1.1"], "bucket": "habitat", "cohesion": 0.71,
        "place_names": {"waterbody-SungaiFiksi": "Sungai Fiksi"},
        "threat_labels": {"3.2": "Mining & quarrying"},
    }],
    "singletons": [], "singletons_total": 0, "threatened": 170, "coverage": 0.62,
    "mean_cohesion": 0.58, "method": "threat x place x habitat",
}


class ClustersPage(Model):
    model_config = ConfigDict(json_schema_extra={"examples": [CLUSTERS_EXAMPLE]})

    total: int = Field(description="Clusters in all (all pages).")
    offset: int = Field(0, description="Index of the first cluster of this page.")
    limit: int = Field(description="Most clusters of a page.")
    next: str | None = Field(
        None, description="URL of the next page (same parameters), or null on the last page."
    )
    clusters: list[ClusterOut] = Field(description="This page's clusters, largest first.")
    singletons: list[ClusterSpecies] = Field(
        default_factory=list,
        description="Threatened species in no cluster (single-species candidates): on the "
        "first page (offset 0) only.")
    singletons_total: int = Field(0, description="How many single-species candidates.")
    threatened: int = Field(description="Threatened species clustered (all pages).")
    coverage: float = Field(description="Share of them in at least one cluster.")
    mean_cohesion: float = Field(description="Size-weighted mean cohesion of all clusters.")
    method: str


class CodeCount(Model):
    code: str
    label: str = ""
    count: int


class Stats(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "filters": {"country": "ID"},
                    "species": 120,
                    "threatened": 64,
                    "by_category": {"CR": 10, "EN": 24, "VU": 30, "LC": 56},
                    "top_threats": [{"code": "2.2", "label": "Wood & pulp plantations",
                                     "count": 31}],
                    "top_actions_needed": [{"code": "1.1", "label": "Site/area protection",
                                            "count": 22}],
                    "conservation_section": {"empty": 18, "partial": 20, "complete": 26},
                    "mean_completeness": 61.5,
                    "threats_without_action": 40,
                    "species_with_disconnect": 29,
                    "countries": 3,
                }
            ]
        }
    )

    filters: dict[str, str] = Field(default_factory=dict)
    species: int
    threatened: int
    by_category: dict[str, int]
    top_threats: list[CodeCount]
    top_actions_needed: list[CodeCount]
    conservation_section: dict[str, int]
    mean_completeness: float
    threats_without_action: int
    species_with_disconnect: int
    countries: int


class SearchHit(Model):
    taxon_id: str
    assessment_id: str
    scientific_name: str
    category: str = ""
    field: str = ""
    snippet: str = Field("", description="HTML-escaped text with <mark>…</mark> around hits.")
    score: float


class SearchResults(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": "peat drainage",
                    "mode": "text",
                    "total": 1,
                    "hits": [
                        {
                            "taxon_id": EXAMPLE_TAXON,
                            "assessment_id": EXAMPLE_ASSESSMENT,
                            "scientific_name": "Rasbora fictilis",
                            "category": "CR",
                            "field": "threats",
                            "snippet": "…the <mark>peat</mark> swamp is being <mark>drained</mark>…",
                            "score": 7.1,
                        }
                    ],
                    "notes": [],
                }
            ]
        }
    )

    query: str
    mode: Literal["text", "semantic", "name"]
    total: int
    hits: list[SearchHit]
    notes: list[str] = Field(default_factory=list)


class Health(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "ok", "store": "oxigraph:var/graph", "read_only": False,
                 "search": "ready; semantic ready", "tables": "ready", "nlp": "available",
                 "planning": "available", "coaffected_index": "ready", "sheets": "ready"}
            ]
        }
    )

    status: Literal["ok"]
    store: str
    read_only: bool
    search: str
    tables: str
    nlp: str
    planning: str
    coaffected_index: str
    sheets: str = ""


class LibraryQueryOut(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "review_table",
                    "title": "Multi-species review table",
                    "description": "One row per threatened taxon...",
                    "params": ["categoryCode"],
                    "text": "PREFIX a2p: <https://w3id.org/assess2plan/ontology#> SELECT ...",
                }
            ]
        }
    )

    name: str
    title: str
    description: str = ""
    params: list[str] = Field(default_factory=list)
    text: str
