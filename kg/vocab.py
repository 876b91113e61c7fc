# ruff: noqa: N815
"""kg.vocab — RDF terms of our ontology and the vocabularies we reuse; generated, do not edit.

Regenerate with `python scripts/gen_vocab.py` after changing ontology/assess2plan.ttl;
a test fails when this file drifts from the ontology. `_fail = True` makes a misspelt
term raise instead of minting a new IRI.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace

__all__ = ["A2P", "DWC", "DCTERMS", "OWL", "PROV", "RDF", "RDFS", "SDO", "SKOS", "XSD"]

DWC = Namespace("http://rs.tdwg.org/dwc/terms/")


class A2P(DefinedNamespace):
    """assess2plan ontology terms."""

    _NS = Namespace("https://w3id.org/assess2plan/ontology#")
    _fail = True

    ActionInPlace: URIRef
    ActionNeeded: URIRef
    ActionPlan: URIRef
    Assessment: URIRef
    Comment: URIRef
    ConservationAction: URIRef
    Country: URIRef
    ExSituManagement: URIRef
    ExSituProgramme: URIRef
    ExSituRole: URIRef
    ExSituRoles: URIRef
    Feedback: URIRef
    HabitatBased: URIRef
    HabitatUse: URIRef
    LargeMarineEcosystem: URIRef
    Occurrence: URIRef
    Organisation: URIRef
    Person: URIRef
    Place: URIRef
    PlanningBucket: URIRef
    PlanningBuckets: URIRef
    Pledge: URIRef
    Programme: URIRef
    ProtectedArea: URIRef
    RecoveryPlan: URIRef
    ResearchNeeded: URIRef
    RoleDemographicReinforcement: URIRef
    RoleEcologicalReplacement: URIRef
    RoleEducation: URIRef
    RoleGeneticReinforcement: URIRef
    RoleGenomeResourceBank: URIRef
    RoleInsurancePopulation: URIRef
    RoleLongTermPreservation: URIRef
    RoleReintroductionSource: URIRef
    RoleResearch: URIRef
    RoleTemporaryRescue: URIRef
    SingleSpeciesRecovery: URIRef
    Site: URIRef
    Stakeholder: URIRef
    SubnationalUnit: URIRef
    Suggestion: URIRef
    Taxon: URIRef
    ThreatFocused: URIRef
    ThreatImpact: URIRef
    UseTrade: URIRef
    WaterBody: URIRef
    aboutAssessment: URIRef
    action: URIRef
    ancestry: URIRef
    answersThreat: URIRef
    assessesTaxon: URIRef
    assessmentDate: URIRef
    assessmentId: URIRef
    assessmentScope: URIRef
    assessor: URIRef
    atPlace: URIRef
    authority: URIRef
    category: URIRef
    className: URIRef
    commonName: URIRef
    confidence: URIRef
    conservationActionsText: URIRef
    contact: URIRef
    contributor: URIRef
    criteria: URIRef
    criteriaVersion: URIRef
    criterionElement: URIRef
    criterionGroup: URIRef
    evidenceText: URIRef
    exSituRole: URIRef
    facilitator: URIRef
    family: URIRef
    forTaxon: URIRef
    formerlyBred: URIRef
    genus: URIRef
    habitat: URIRef
    habitatText: URIRef
    hasActionInPlace: URIRef
    hasActionNeeded: URIRef
    hasHabitatUse: URIRef
    hasOccurrence: URIRef
    hasResearchNeeded: URIRef
    hasThreatImpact: URIRef
    hasUseTrade: URIRef
    impactLabel: URIRef
    impactScore: URIRef
    impactWeight: URIRef
    inPlaceAnswer: URIRef
    inPlaceQuestion: URIRef
    infraspecificEpithet: URIRef
    institution: URIRef
    international: URIRef
    internationalTrade: URIRef
    invasiveSpecies: URIRef
    iso2: URIRef
    kingdom: URIRef
    language: URIRef
    latestAssessment: URIRef
    mainCommonName: URIRef
    majorImportance: URIRef
    mentionStatus: URIRef
    narrative: URIRef
    national: URIRef
    note: URIRef
    onSuggestion: URIRef
    order: URIRef
    origin: URIRef
    parentTaxon: URIRef
    phylum: URIRef
    place: URIRef
    placeCode: URIRef
    pledgedBy: URIRef
    populationText: URIRef
    populationTrend: URIRef
    possiblyExtinct: URIRef
    possiblyExtinctInTheWild: URIRef
    presence: URIRef
    probability: URIRef
    programmeFor: URIRef
    rangeText: URIRef
    rank: URIRef
    rationaleText: URIRef
    realm: URIRef
    reason: URIRef
    research: URIRef
    reviewer: URIRef
    rollsUpTo: URIRef
    scientificName: URIRef
    season: URIRef
    seasonality: URIRef
    severity: URIRef
    sisTaxonId: URIRef
    sourceField: URIRef
    sourceFile: URIRef
    spanEnd: URIRef
    spanStart: URIRef
    specificEpithet: URIRef
    status: URIRef
    stress: URIRef
    subpopulationName: URIRef
    subsistence: URIRef
    suggestedBucket: URIRef
    suggestedCode: URIRef
    suitability: URIRef
    synonym: URIRef
    system: URIRef
    taxonomicNotes: URIRef
    threat: URIRef
    threatPlaceKey: URIRef
    threatScope: URIRef
    threatsText: URIRef
    timing: URIRef
    trendJustificationText: URIRef
    useTradeText: URIRef
    useType: URIRef
    verdict: URIRef
    virus: URIRef
    withinPlace: URIRef
    yearLastSeen: URIRef
    yearPublished: URIRef
