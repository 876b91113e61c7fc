"""kg.planning.models — planning result records (pydantic); no I/O, no RDF."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Bucket = Literal["single_species", "habitat", "threat", "ex_situ"]
BUCKETS: tuple[Bucket, ...] = ("single_species", "habitat", "threat", "ex_situ")
"""The four CPSG planning buckets, by their skos:notation in ontology/assess2plan.ttl."""

BUCKET_LABELS: dict[str, str] = {
    "single_species": "Single-species recovery planning",
    "habitat": "Habitat-recovery-based planning",
    "threat": "Threat-focused planning",
    "ex_situ": "Ex situ management planning",
}


class Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(Result):
    """One piece of bucket evidence produced by a labelling function."""

    bucket: Bucket
    lf: str  # labelling function and version, e.g. "lf.actions.exsitu.v1"
    reason: str  # readable by a planner
    hidden: bool  # True when it reads the conservation section (hidden in evaluation)
    strength: float = 1.0


class ExSituStep(Result):
    """One decision step of the IUCN SSC ex situ guidelines (2014) and what the data say."""

    step: int
    title: str
    findings: list[str] = Field(default_factory=list)
    supports: bool | None = None  # does this step support ex situ management? None: undecided


class ExSituEvaluation(Result):
    recommended: bool
    roles: list[str] = Field(default_factory=list)  # a2p:ExSituRoles notations
    steps: list[ExSituStep] = Field(default_factory=list)
    version: str = "exsitu.guidelines.v1"

    def summary(self) -> str:
        verdict = "ex situ management has a role" if self.recommended else "no ex situ role shown"
        return verdict + (f" ({', '.join(self.roles)})" if self.roles else "")


class BucketRecommendation(Result):
    taxon_id: str
    bucket: Bucket
    probability: float
    reasons: list[str] = Field(default_factory=list)
    exsitu_roles: list[str] = Field(default_factory=list)
    assessment_id: str = ""
    scientific_name: str = ""
    recommended: bool = False  # probability at or above the bucket's decision threshold
    exsitu: ExSituEvaluation | None = None
    model: str = ""  # "<model>/<version>" or "rules/<labels version>"


class CoAffected(Result):
    taxon_id: str
    name: str
    category: str
    score: float
    shared_threats: list[str] = Field(default_factory=list)  # threat codes (level 2, else 1)
    shared_places: list[str] = Field(default_factory=list)  # place keys ("ID", "lme-4_5_4")
    assessment_id: str = ""
    basis: Literal["coded", "inferred"] = "coded"  # focal threats coded or inferred from text


class SpeciesRef(Result):
    taxon_id: str
    name: str
    category: str


class Cluster(Result):
    id: str
    title: str
    species: list[SpeciesRef]
    threats: list[str]
    places: list[str]
    habitats: list[str]
    actions_needed: list[str]
    bucket: Bucket
    cohesion: float
    place_names: dict[str, str] = Field(default_factory=dict)
    threat_labels: dict[str, str] = Field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.species)


class ClusterReport(Result):
    """Clusters plus the species that fall in none (single-species candidates) and summary figures."""

    clusters: list[Cluster]
    singletons: list[SpeciesRef]
    threatened: int
    coverage: float  # share of threatened species in at least one cluster
    mean_cohesion: float  # size-weighted mean cohesion of the clusters
    method: str


class ThreatScore(Result):
    threat: str  # threat code (level 2 by default)
    place: str  # place key
    score: float
    species_count: int
    approximation: str
    threat_label: str = ""
    place_name: str = ""
    place_type: str = ""
