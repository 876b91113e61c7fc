"""kg.records — typed records exchanged between stages; no I/O, no RDF.

Readers (`kg.ingest`) produce these from Red List exports and API v4 JSON; the graph
builder (`kg.build`) turns them into quads; `nlp` produces `Mention` records. Codes are
kept in the IUCN dotted form ("3.4.1"), countries as ISO 3166-1 alpha-2 ("ID").
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    """Base for all records: immutable, no extra fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Taxon(Record):
    """One assessed taxon (species, infraspecific taxon or subpopulation)."""

    taxon_id: str  # the Red List internalTaxonId / SIS id
    scientific_name: str
    kingdom: str = ""
    phylum: str = ""
    class_: str = Field("", alias="class_name")
    order: str = ""
    family: str = ""
    genus: str = ""
    species: str = ""
    infra_type: str = ""  # "ssp.", "var.", "subsp." ...
    infra_name: str = ""
    infra_authority: str = ""
    subpopulation: str = ""
    authority: str = ""
    taxonomic_notes: str = ""
    stub: bool = False  # only the name was known (no taxonomy table): never replaces a full record

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @property
    def rank(self) -> str:
        if self.subpopulation:
            return "subpopulation"
        if self.infra_name:
            return {"var.": "variety", "subsp.": "subspecies", "ssp.": "subspecies"}.get(
                self.infra_type.strip().lower(), "infraspecificname"
            )
        return "species"


NARRATIVE_FIELDS: tuple[str, ...] = (
    "rationale",
    "habitat",
    "threats",
    "population",
    "range",
    "use_trade",
    "conservation_actions",
    "trend_justification",
)
"""Narrative text fields kept verbatim (with their markup) on every assessment."""


class Assessment(Record):
    assessment_id: str
    taxon_id: str
    scientific_name: str
    category: str  # Red List category code: "CR", "EN", "LR/nt", ...
    criteria: str = ""
    criteria_version: str = ""
    assessment_date: date | None = None
    year_published: int | None = None
    population_trend: str = ""  # "Decreasing", "Stable", "Increasing", "Unknown"
    scopes: tuple[str, ...] = ()  # "Global", "Europe", ...
    systems: tuple[str, ...] = ()
    realms: tuple[str, ...] = ()
    possibly_extinct: bool | None = None
    possibly_extinct_in_the_wild: bool | None = None
    year_last_seen: str = ""
    language: str = ""
    texts: dict[str, str] = Field(default_factory=dict)  # NARRATIVE_FIELDS -> text
    source: str = ""  # file or URL it was read from


class ThreatImpact(Record):
    assessment_id: str
    code: str
    timing: str = ""
    scope: str = ""
    severity: str = ""
    score: str = ""  # as given by API v4 ("Low Impact: 3"); computed when absent
    stresses: tuple[str, ...] = ()
    ancestry: str = ""
    ias: str = ""
    international_trade: str = ""
    virus: str = ""
    text: str = ""


class Action(Record):
    """A conservation action, needed (coded in `conservation_needed.csv`) or in place."""

    assessment_id: str
    code: str  # Conservation Actions v2.0 code; empty for an in-place question with no code
    status: Literal["needed", "in_place"] = "needed"
    note: str = ""
    question: str = ""  # API v4 in-place question ("Occurs in at least one PA")
    answer: str = ""  # its answer ("Yes", "Yes, over entire range")


class ResearchNeeded(Record):
    assessment_id: str
    code: str
    note: str = ""


class HabitatUse(Record):
    assessment_id: str
    code: str
    suitability: str = ""
    major_importance: bool | None = None
    season: str = ""


class Occurrence(Record):
    """Presence of the assessed taxon in a place (country, sub-national unit, LME, ...)."""

    assessment_id: str
    place_type: Literal["country", "subnational", "lme", "site", "waterbody", "protectedarea"]
    code: str  # ISO 3166-1 alpha-2 for countries, LME code, or a site key
    name: str = ""
    presence: str = ""
    origin: str = ""
    seasonality: tuple[str, ...] = ()
    formerly_bred: str = ""


class UseTrade(Record):
    assessment_id: str
    code: str
    international: bool | None = None
    national: bool | None = None
    subsistence: bool | None = None


class CommonName(Record):
    taxon_id: str
    name: str
    language: str = ""
    main: bool = False


class Synonym(Record):
    taxon_id: str
    name: str
    authority: str = ""


class Credit(Record):
    assessment_id: str
    role: str  # "assessor", "reviewer", "contributor", "facilitator", "compiler"
    names: tuple[str, ...] = ()


class Bundle(Record):
    """Everything read from one or more sources, ready to build into the graph."""

    taxa: tuple[Taxon, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    threats: tuple[ThreatImpact, ...] = ()
    actions: tuple[Action, ...] = ()
    research: tuple[ResearchNeeded, ...] = ()
    habitats: tuple[HabitatUse, ...] = ()
    occurrences: tuple[Occurrence, ...] = ()
    use_trade: tuple[UseTrade, ...] = ()
    common_names: tuple[CommonName, ...] = ()
    synonyms: tuple[Synonym, ...] = ()
    credits: tuple[Credit, ...] = ()
    names_supplied: tuple[str, ...] = ()  # taxon ids whose common names/synonyms the source gave
    sources: tuple[str, ...] = ()

    def merged(self, other: Bundle) -> Bundle:
        return Bundle(
            **{name: getattr(self, name) + getattr(other, name) for name in type(self).model_fields}
        )


class Mention(Record):
    """A code suggested from narrative text, with its evidence (produced by `nlp`)."""

    kind: Literal["action", "threat", "place", "exsitu_role"]
    code: str
    label: str
    status: Literal["needed", "in_place", "negated", "unknown"] = "unknown"
    confidence: float
    field: str = ""  # source narrative field, one of NARRATIVE_FIELDS or "" for free text
    start: int  # character offsets into the original (unstripped) text
    end: int
    sentence: str
    assessment_id: str = ""
    model: str = ""  # "<model name>/<version>"
