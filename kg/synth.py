"""kg.synth — synthetic Red List downloads of fictional species; writes CSV files only.

The project may not redistribute IUCN Red List data, so demos and tests run on a folder
generated here. It has the layout of the IUCN Red List website's multi-file CSV download
(same file names, same columns in the same order, same value vocabularies, UTF-8, minimal
csv quoting with CRLF line ends, multi-values joined with "|", dates such as
"2009-03-11 00:00:00 UTC", booleans "true"/"false"), but every taxon, site, person and
sentence in it is invented:

- every genus starts with "Fict" and every authority names "Synthetica";
- sites ("Lake Fictara", "Sungai Imajin river", "Bukit Rekaan peat swamp", ...) are made up;
- narrative fields are filled from templates that name the assessment's own coded threats,
  actions, habitats and places, so text -> code models have something to learn.

Only the classification codes and their labels are real: a small subset of the public IUCN
classification schemes (threats v3.3, conservation actions v2.0, research needed, stresses
v1.1, habitats v3.1), ISO 3166 country names as the Red List spells them and a few Large
Marine Ecosystems, embedded below so that generation needs no other file.

Structure that downstream code relies on: species are grouped in genera, each genus lives
around a home site, and each site has a dominant threat profile, so species sharing a site
share threats, countries and needed actions (clusters, co-affected species). About 30% of
threatened assessments have an empty conservation section (no coded actions, no text),
mimicking real gaps. A few taxa have two assessments (an older and a newer one).

Generation is deterministic for a seed (one `random.Random`, no global state), streams
rows to disk with `csv.writer` and keeps only per-genus state in memory.
"""

from __future__ import annotations

import bisect
import csv
import functools
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_Writer = Any  # a csv.writer object

__all__ = [
    "ACTIONS",
    "COUNTRIES",
    "FILES",
    "HABITATS",
    "LMES",
    "RESEARCH",
    "STRESSES",
    "THREATS",
    "write_download",
]

# --------------------------------------------------------------------------------------
# File layout of the website download (header = format, not data)
# --------------------------------------------------------------------------------------

FILES: dict[str, tuple[str, ...]] = {
    "assessments.csv": (
        "assessmentId",
        "internalTaxonId",
        "scientificName",
        "redlistCategory",
        "redlistCriteria",
        "yearPublished",
        "assessmentDate",
        "criteriaVersion",
        "language",
        "rationale",
        "habitat",
        "threats",
        "population",
        "populationTrend",
        "range",
        "useTrade",
        "systems",
        "conservationActions",
        "realm",
        "yearLastSeen",
        "possiblyExtinct",
        "possiblyExtinctInTheWild",
        "scopes",
    ),
    "taxonomy.csv": (
        "internalTaxonId",
        "scientificName",
        "kingdomName",
        "phylumName",
        "orderName",
        "className",
        "familyName",
        "genusName",
        "speciesName",
        "infraType",
        "infraName",
        "infraAuthority",
        "subpopulationName",
        "authority",
        "taxonomicNotes",
    ),
    "simple_summary.csv": (
        "assessmentId",
        "internalTaxonId",
        "scientificName",
        "kingdomName",
        "phylumName",
        "orderName",
        "className",
        "familyName",
        "genusName",
        "speciesName",
        "infraType",
        "infraName",
        "infraAuthority",
        "authority",
        "redlistCategory",
        "redlistCriteria",
        "criteriaVersion",
        "populationTrend",
        "scopes",
    ),
    "threats.csv": (
        "assessmentId",
        "internalTaxonId",
        "scientificName",
        "code",
        "name",
        "stressCode",
        "stressName",
        "ancestry",
        "ias",
        "internationalTrade",
        "scope",
        "severity",
        "text",
        "timing",
        "virus",
    ),
    "conservation_needed.csv": (
        "assessmentId",
        "internalTaxonId",
        "scientificName",
        "code",
        "name",
        "note",
    ),
    "research_needed.csv": (
        "assessmentId",
        "internalTaxonId",
        "scientificName",
        "code",
        "name",
        "note",
    ),
    "habitats.csv": (
        "assessmentId",
        "internalTaxonId",
        "scientificName",
        "code",
        "name",
        "majorImportance",
        "season",
        "suitability",
    ),
    "countries.csv": (
        "assessmentId",
        "internalTaxonId",
        "scientificName",
        "code",
        "name",
        "presence",
        "origin",
        "seasonality",
        "formerlyBred",
    ),
    "lme.csv": (
        "assessmentId",
        "internalTaxonId",
        "scientificName",
        "code",
        "name",
        "formerlyBred",
        "origin",
        "presence",
        "seasonality",
    ),
    "common_names.csv": ("internalTaxonId", "scientificName", "name", "language", "main"),
    "synonyms.csv": (
        "internalTaxonId",
        "scientificName",
        "name",
        "genusName",
        "speciesName",
        "speciesAuthor",
        "infraType",
        "infrarankAuthor",
    ),
    "credits.csv": (
        "assessmentId",
        "internalTaxonId",
        "scientificName",
        "type",
        "text",
        "full",
        "value",
        "order",
    ),
}

README_NAME = "README_SYNTHETIC.txt"

# --------------------------------------------------------------------------------------
# Curated subsets of the public IUCN code lists (labels exactly as in API v4)
# --------------------------------------------------------------------------------------

THREATS: dict[str, str] = {
    "1.1": "Housing & urban areas",
    "1.3": "Tourism & recreation areas",
    "2.1.1": "Shifting agriculture",
    "2.1.2": "Small-holder farming",
    "2.1.3": "Agro-industry farming",
    "2.2.2": "Agro-industry plantations",
    "2.3.2": "Small-holder grazing, ranching or farming",
    "2.4.2": "Industrial aquaculture",
    "3.2": "Mining & quarrying",
    "4.1": "Roads & railroads",
    "5.1.1": "Intentional use (species is the target)",
    "5.3.3": "Unintentional effects: (subsistence/small scale) [harvest]",
    "5.3.4": "Unintentional effects: (large scale) [harvest]",
    "5.4.1": "Intentional use: (subsistence/small scale) [harvest]",
    "5.4.2": "Intentional use: (large scale) [harvest]",
    "5.4.3": "Unintentional effects: (subsistence/small scale) [harvest]",
    "5.4.4": "Unintentional effects: (large scale) [harvest]",
    "6.1": "Recreational activities",
    "7.1.1": "Increase in fire frequency/intensity",
    "7.2.10": "Large dams",
    "7.2.11": "Dams (size unknown)",
    "7.3": "Other ecosystem modifications",
    "8.1.2": "Named species",
    "8.2.2": "Named species",
    "9.1.1": "Sewage",
    "9.2.2": "Seepage from mining",
    "9.3.2": "Soil erosion, sedimentation",
    "9.3.3": "Herbicides and pesticides",
    "9.3.4": "Type Unknown/Unrecorded",
    "11.1": "Habitat shifting & alteration",
    "11.2": "Droughts",
    "11.3": "Temperature extremes",
    "11.4": "Storms & flooding",
}

ACTIONS: dict[str, str] = {
    "1.1": "Site/area protection",
    "1.2": "Resource & habitat protection",
    "2.1": "Site/area management",
    "2.2": "Invasive/problematic species control",
    "2.3": "Habitat & natural process restoration",
    "3.1.1": "Harvest management",
    "3.1.2": "Trade management",
    "3.2": "Species recovery",
    "3.3.1": "Reintroduction",
    "3.4.1": "Captive breeding/artificial propagation",
    "3.4.2": "Genome resource bank",
    "4.2": "Training",
    "4.3": "Awareness & communications",
    "5.1.2": "National level",
    "5.1.3": "Sub-national level",
    "5.4.2": "National level",
    "6.1": "Linked enterprises & livelihood alternatives",
}

RESEARCH: dict[str, str] = {
    "1.1": "Taxonomy",
    "1.2": "Population size, distribution & trends",
    "1.3": "Life history & ecology",
    "1.4": "Harvest, use & livelihoods",
    "1.5": "Threats",
    "1.6": "Actions",
    "2.1": "Species Action/Recovery Plan",
    "2.2": "Area-based Management Plan",
    "2.3": "Harvest & Trade Management Plan",
    "3.1": "Population trends",
    "3.2": "Harvest level trends",
    "3.3": "Trade trends",
    "3.4": "Habitat trends",
}

STRESSES: dict[str, str] = {
    "1.1": "Ecosystem conversion",
    "1.2": "Ecosystem degradation",
    "1.3": "Indirect ecosystem effects",
    "2.1": "Species mortality",
    "2.2": "Species disturbance",
    "2.3.2": "Competition",
    "2.3.7": "Reduced reproductive success",
}

HABITATS: dict[str, str] = {
    "1.6": "Forest - Subtropical/Tropical Moist Lowland",
    "1.8": "Forest - Subtropical/Tropical Swamp",
    "1.9": "Forest - Subtropical/Tropical Moist Montane",
    "5.1": "Wetlands (inland) - Permanent Rivers/Streams/Creeks (includes waterfalls)",
    "5.2": "Wetlands (inland) - Seasonal/Intermittent/Irregular Rivers/Streams/Creeks",
    "5.4": "Wetlands (inland) - Bogs, Marshes, Swamps, Fens, Peatlands",
    "5.5": "Wetlands (inland) - Permanent Freshwater Lakes (over 8ha)",
    "5.7": "Wetlands (inland) - Permanent Freshwater Marshes/Pools (under 8ha)",
    "9.2": "Marine Neritic - Subtidal Rock and Rocky Reefs",
    "9.8": "Marine Neritic - Coral Reef",
    "9.8.2": "Back Slope",
    "9.8.3": "Foreslope (Outer Reef Slope)",
    "9.8.4": "Lagoon",
    "9.9": "Marine Neritic - Seagrass (Submerged)",
    "9.10": "Marine Neritic - Estuaries",
    "12.7": "Marine Intertidal - Mangrove Submerged Roots",
    "14.3": "Artificial/Terrestrial - Plantations",
    "14.6": "Artificial/Terrestrial - Subtropical/Tropical Heavily Degraded Former Forest",
}

COUNTRIES: dict[str, str] = {
    "ID": "Indonesia",
    "MY": "Malaysia",
    "BN": "Brunei Darussalam",
    "SG": "Singapore",
    "TH": "Thailand",
}

# Large Marine Ecosystems as coded in the website download (code -> name)
LMES: dict[str, str] = {
    "4.5.4": "Indonesian Seas",
    "4.5.7": "Sulu-Celebes Sea",
    "4.5.12": "South China Sea",
    "4.5.13": "Gulf of Thailand",
    "4.6.1": "Bay of Bengal",
}

CATEGORIES: dict[str, str] = {
    "LC": "Least Concern",
    "NT": "Near Threatened",
    "VU": "Vulnerable",
    "EN": "Endangered",
    "CR": "Critically Endangered",
    "DD": "Data Deficient",
}
THREATENED = ("VU", "EN", "CR")
_EMPTY_TARGET = 0.30  # share of threatened assessments with no conservation section

# --------------------------------------------------------------------------------------
# Value vocabularies of the download (distributions are rough, not copied)
# --------------------------------------------------------------------------------------

DISTRIBUTIONS = Path(__file__).resolve().parent / "distributions" / "redlist.json"
"""Shapes measured from real Red List material by scripts/measure_distributions.py (numbers only)."""

MAX_THREATS = 12  # the generator's threat pool holds 33 codes; real tails (up to 24) are cut here
MAX_ACTIONS = 12  # of the 17 action codes it knows


@functools.cache
def distributions() -> dict[str, Any]:
    """The recorded distributions (category counts, histograms, text-length quantiles)."""
    data: dict[str, Any] = json.loads(DISTRIBUTIONS.read_text(encoding="utf-8"))
    return data


def _histogram(name: str, cap: int) -> tuple[tuple[str, float], ...]:
    """A recorded histogram of counts >= 1 as weighted choices, counts above `cap` moved to it."""
    merged: dict[int, float] = {}
    for k, n in distributions()[name].items():
        if int(k) >= 1:
            merged[min(int(k), cap)] = merged.get(min(int(k), cap), 0) + n
    return tuple((str(k), float(n)) for k, n in sorted(merged.items()))


def _length_sampler(field: str) -> tuple[list[float], list[float]]:
    """Inverse CDF points (probability, length) from recorded quantiles, with open ends."""
    q = {float(p): float(v) for p, v in distributions()["text_length_quantiles"][field].items()}
    probs = [0.0, *sorted(q), 1.0]
    lengths = [q[min(q)] * 0.5, *(q[p] for p in sorted(q)), q[max(q)] * 1.3]
    return probs, lengths


_CATEGORY_WEIGHTS = tuple(
    (c, float(distributions()["categories"].get(c, 0))) for c in ("LC", "NT", "VU", "EN", "CR", "DD")
)
_THREATS_THREATENED = _histogram("coded_threats_per_threatened_species", MAX_THREATS)
_ACTIONS_THREATENED = _histogram("coded_actions_per_threatened_species", MAX_ACTIONS)
_CRITERIA: dict[str, tuple[str, ...]] = {
    "VU": (
        "A2cd",
        "A4ace",
        "B1ab(iii)",
        "B1ab(iii)+2ab(iii)",
        "C2a(i)",
        "D2",
        "A2c",
        "A2a; B1ab(i)+2ab(i)",
        "B2ab(ii,iii)",
    ),
    "EN": (
        "A2cd",
        "A4ace",
        "B1ab(iii)",
        "B1ab(iii)+2ab(iii)",
        "B2ab(iii)",
        "C2a(i)",
        "D",
        "A2a; B1ab(i)+2ab(i)",
    ),
    "CR": (
        "A2cd",
        "A4ace",
        "B1ab(iii)",
        "B1ab(iii)+2ab(iii)",
        "B2ab(ii,iii)",
        "C2a(i)",
        "D",
        "A2a; B1ab(i)+2ab(i)",
    ),
}
_TIMINGS = (
    ("Ongoing", 85),
    ("Future", 7),
    ("Past, Unlikely to Return", 4),
    ("Past, Likely to Return", 4),
)
_SCOPES = ("Whole (>90%)", "Majority (50-90%)", "Minority (<50%)", "Unknown")
_SEVERITIES = (
    "Very Rapid Declines",
    "Rapid Declines",
    "Slow, Significant Declines",
    "Causing/Could cause fluctuations",
    "Negligible declines",
    "No decline",
    "Unknown",
)

# --------------------------------------------------------------------------------------
# Taxon groups (real higher taxonomy, invented genera)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Family:
    phylum: str
    class_: str
    order: str
    family: str
    suffixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Group:
    key: str
    weight: int
    families: tuple[_Family, ...]
    kinds: tuple[str, ...]  # site kinds it lives in
    habitats: tuple[str, ...]  # habitat codes it may use
    systems: str
    realm: str
    own_threats: tuple[tuple[str, float], ...]  # group-specific threats and their chance
    noun: str  # for common names
    noun_ms: str  # Malay/Indonesian prefix for common names
    noun_fr: str
    marine: bool = False


_GROUPS: tuple[_Group, ...] = (
    _Group(
        "fish",
        45,
        (
            _Family(
                "CHORDATA",
                "ACTINOPTERYGII",
                "CYPRINIFORMES",
                "CYPRINIDAE",
                ("ichthys", "barbus", "rasbora"),
            ),
            _Family(
                "CHORDATA",
                "ACTINOPTERYGII",
                "CYPRINIFORMES",
                "NEMACHEILIDAE",
                ("cheilus", "ichthys"),
            ),
            _Family("CHORDATA", "ACTINOPTERYGII", "SILURIFORMES", "BAGRIDAE", ("mystus", "glanis")),
            _Family(
                "CHORDATA",
                "ACTINOPTERYGII",
                "ANABANTIFORMES",
                "OSPHRONEMIDAE",
                ("opsis", "chromis"),
            ),
        ),
        ("lake", "river", "swamp"),
        ("5.1", "5.2", "5.4", "5.5", "5.7"),
        "Freshwater (=Inland waters)",
        "Indomalayan",
        (("5.4.1", 0.35), ("8.1.2", 0.12)),
        "Barb",
        "Ikan",
        "Barbeau",
    ),
    _Group(
        "frog",
        20,
        (
            _Family("CHORDATA", "AMPHIBIA", "ANURA", "DICROGLOSSIDAE", ("rana", "nectes")),
            _Family("CHORDATA", "AMPHIBIA", "ANURA", "RHACOPHORIDAE", ("hyla", "ixalus")),
            _Family("CHORDATA", "AMPHIBIA", "ANURA", "MEGOPHRYIDAE", ("phrys", "opsis")),
        ),
        ("forest", "montane", "river", "swamp"),
        ("1.6", "1.8", "1.9", "5.1", "5.7", "14.6"),
        "Terrestrial|Freshwater (=Inland waters)",
        "Indomalayan",
        (("5.1.1", 0.08),),
        "Frog",
        "Katak",
        "Grenouille",
    ),
    _Group(
        "primate",
        10,
        (
            _Family("CHORDATA", "MAMMALIA", "PRIMATES", "CERCOPITHECIDAE", ("pithecus", "cebus")),
            _Family("CHORDATA", "MAMMALIA", "PRIMATES", "HYLOBATIDAE", ("bates",)),
            _Family("CHORDATA", "MAMMALIA", "PRIMATES", "LORISIDAE", ("lorisops",)),
        ),
        ("forest", "montane", "swamp"),
        ("1.6", "1.8", "1.9", "14.3", "14.6"),
        "Terrestrial",
        "Indomalayan",
        (("5.1.1", 0.7), ("4.1", 0.25)),
        "Leaf Monkey",
        "Lutung",
        "Singe",
    ),
    _Group(
        "coral",
        25,
        (
            _Family("CNIDARIA", "ANTHOZOA", "SCLERACTINIA", "ACROPORIDAE", ("pora",)),
            _Family("CNIDARIA", "ANTHOZOA", "SCLERACTINIA", "MERULINIDAE", ("astrea", "gyra")),
        ),
        ("reef",),
        ("9.8", "9.8.2", "9.8.3", "9.8.4", "9.2", "9.9", "9.10", "12.7"),
        "Marine",
        "",
        (("11.3", 0.75), ("5.4.1", 0.15)),
        "Coral",
        "Karang",
        "Corail",
        marine=True,
    ),
)

# --------------------------------------------------------------------------------------
# Fictional places
# --------------------------------------------------------------------------------------

_KIND_WEIGHTS = (
    ("lake", 15),
    ("river", 25),
    ("swamp", 15),
    ("forest", 20),
    ("montane", 10),
    ("reef", 15),
)

# threat profile per site kind: (code, weight) — the first draws become the dominant threats
_KIND_THREATS: dict[str, tuple[tuple[str, int], ...]] = {
    "lake": (
        ("2.4.2", 5),
        ("8.1.2", 5),
        ("9.1.1", 4),
        ("9.3.3", 4),
        ("5.4.2", 3),
        ("1.1", 3),
        ("7.3", 2),
        ("9.3.2", 2),
        ("11.2", 1),
    ),
    "river": (
        ("7.2.10", 5),
        ("3.2", 4),
        ("9.3.2", 5),
        ("9.2.2", 3),
        ("2.2.2", 4),
        ("7.2.11", 2),
        ("9.1.1", 2),
        ("5.4.3", 2),
        ("1.1", 2),
        ("11.4", 1),
    ),
    "swamp": (
        ("2.2.2", 8),
        ("7.1.1", 6),
        ("7.3", 5),
        ("2.1.3", 3),
        ("5.3.4", 3),
        ("9.3.4", 2),
        ("11.2", 2),
        ("4.1", 1),
    ),
    "forest": (
        ("5.3.4", 6),
        ("2.2.2", 6),
        ("2.1.3", 3),
        ("4.1", 3),
        ("7.1.1", 3),
        ("2.1.1", 3),
        ("3.2", 2),
        ("5.3.3", 2),
        ("1.1", 1),
    ),
    "montane": (
        ("2.1.2", 5),
        ("4.1", 3),
        ("2.3.2", 3),
        ("5.3.3", 3),
        ("11.1", 3),
        ("1.3", 2),
        ("3.2", 1),
    ),
    "reef": (
        ("11.3", 6),
        ("9.3.2", 4),
        ("5.4.3", 4),
        ("1.1", 3),
        ("1.3", 3),
        ("6.1", 2),
        ("8.2.2", 2),
        ("9.1.1", 2),
        ("5.4.4", 2),
        ("11.1", 2),
        ("11.4", 1),
    ),
}

_KIND_HABITATS: dict[str, tuple[str, ...]] = {
    "lake": ("5.5", "5.7"),
    "river": ("5.1", "5.2", "1.6"),
    "swamp": ("5.4", "1.8", "5.7"),
    "forest": ("1.6", "14.6", "5.1"),
    "montane": ("1.9", "5.1"),
    "reef": ("9.8", "9.8.3", "9.8.2", "9.8.4"),
}


@dataclass(frozen=True, slots=True)
class _Site:
    name: str  # "Lake Fictara"
    short: str  # "Fictara" (for epithets and common names)
    kind: str
    countries: tuple[str, ...]
    pa: str  # protected area covering the site, "" if none
    threats: tuple[str, ...]  # site threat codes, dominant first
    lmes: tuple[str, ...] = ()
    subnational: str = ""  # e.g. "Kalimantan"


_CURATED_SITES: tuple[tuple[str, str, str, tuple[str, ...], str, tuple[str, ...]], ...] = (
    # name, short, kind, countries, protected area, dominant threats
    ("Lake Fictara", "Fictara", "lake", ("ID",), "", ("8.1.2", "2.4.2", "9.1.1")),
    ("Sungai Imajin river", "Imajin", "river", ("ID", "MY"), "", ("7.2.10", "9.3.2", "3.2")),
    (
        "Bukit Rekaan peat swamp",
        "Rekaan",
        "swamp",
        ("MY", "BN"),
        "Bukit Rekaan National Park",
        ("2.2.2", "7.1.1", "7.3"),
    ),
    (
        "Tasik Khayalan",
        "Khayalan",
        "lake",
        ("MY",),
        "Tasik Khayalan State Park",
        ("9.3.3", "5.4.2", "1.1"),
    ),
    ("Sungai Fiksi", "Fiksi", "river", ("BN", "MY"), "", ("3.2", "9.2.2", "2.2.2")),
    ("Rawa Semu peat swamp", "Semu", "swamp", ("ID",), "", ("7.1.1", "2.2.2", "7.3")),
    (
        "Hutan Imajinasi lowland forest",
        "Imajinasi",
        "forest",
        ("ID", "MY"),
        "Hutan Imajinasi Wildlife Reserve",
        ("5.3.4", "2.2.2", "4.1"),
    ),
    (
        "Gunung Fiktif",
        "Fiktif",
        "montane",
        ("ID",),
        "Gunung Fiktif National Park",
        ("2.1.2", "11.1", "4.1"),
    ),
    (
        "Doi Sommut",
        "Sommut",
        "montane",
        ("TH",),
        "Doi Sommut Wildlife Sanctuary",
        ("2.3.2", "1.3", "2.1.2"),
    ),
    ("Khlong Niyai river", "Niyai", "river", ("TH",), "", ("7.2.11", "9.1.1", "5.4.3")),
    (
        "Karang Khayal reef",
        "Khayal",
        "reef",
        ("ID", "MY"),
        "Karang Khayal Marine Park",
        ("11.3", "5.4.3", "9.3.2"),
    ),
    ("Pulau Rekaan reefs", "Pulaurekaan", "reef", ("SG", "MY"), "", ("1.1", "9.3.2", "11.3")),
)

# country weights and neighbours for multi-country sites, per demo region
_REGIONS: dict[str, dict[str, object]] = {
    "sunda": {
        "weights": (("ID", 45), ("MY", 30), ("TH", 12), ("BN", 6), ("SG", 7)),
        "neighbours": {
            "ID": ("MY", "BN"),
            "MY": ("ID", "BN", "TH", "SG"),
            "BN": ("MY", "ID"),
            "SG": ("MY", "ID"),
            "TH": ("MY",),
        },
        "subnational": {
            "ID": ("Kalimantan", "Sumatra", "Riau Islands"),
            "MY": ("Sarawak", "Sabah", "Johor", "Pahang"),
            "BN": ("Belait", "Temburong"),
            "SG": ("",),
            "TH": ("Narathiwat", "Krabi", "Trang"),
        },
        "lmes": {
            "ID": ("4.5.4", "4.5.7"),
            "MY": ("4.5.12", "4.5.13"),
            "BN": ("4.5.12",),
            "SG": ("4.5.12",),
            "TH": ("4.5.13", "4.6.1"),
        },
    },
}

_SITE_PREFIX: dict[str, dict[str, tuple[str, ...]]] = {
    # kind -> country -> name patterns ("{w}" is the invented word)
    "lake": {
        "ID": ("Danau {w}", "Lake {w}"),
        "MY": ("Tasik {w}",),
        "BN": ("Tasek {w}",),
        "SG": ("{w} Reservoir",),
        "TH": ("Nong {w}", "Bueng {w}"),
    },
    "river": {
        "ID": ("Sungai {w} river", "Sungai {w}"),
        "MY": ("Sungai {w} river",),
        "BN": ("Sungai {w}",),
        "SG": ("Sungei {w}",),
        "TH": ("Khlong {w} river", "Mae Nam {w}"),
    },
    "swamp": {
        "ID": ("Rawa {w} peat swamp",),
        "MY": ("Paya {w} peat swamp",),
        "BN": ("Badas {w} peat swamp",),
        "SG": ("{w} swamp forest",),
        "TH": ("Phru {w} peat swamp",),
    },
    "forest": {
        "ID": ("Hutan {w} lowland forest", "{w} lowland forest"),
        "MY": ("Hutan {w} forest",),
        "BN": ("{w} forest",),
        "SG": ("Bukit {w} forest",),
        "TH": ("Pa {w} forest",),
    },
    "montane": {
        "ID": ("Gunung {w}", "Pegunungan {w}"),
        "MY": ("Gunung {w}", "Bukit {w}"),
        "BN": ("Bukit {w}",),
        "SG": ("Bukit {w}",),
        "TH": ("Doi {w}", "Khao {w}"),
    },
    "reef": {
        "ID": ("Karang {w} reef", "Pulau {w} reefs"),
        "MY": ("Pulau {w} reefs",),
        "BN": ("Terumbu {w} reef",),
        "SG": ("Pulau {w} reefs",),
        "TH": ("Ko {w} reef",),
    },
}
_PA_PATTERNS: dict[str, tuple[str, ...]] = {
    "lake": ("{w} Nature Reserve", "{w} Wetland Park"),
    "river": ("{w} Nature Reserve", "{w} Wildlife Sanctuary"),
    "swamp": ("{w} National Park", "{w} Peat Swamp Forest Reserve"),
    "forest": ("{w} National Park", "{w} Wildlife Reserve", "{w} Forest Reserve"),
    "montane": ("{w} National Park", "{w} Wildlife Sanctuary"),
    "reef": ("{w} Marine Park", "{w} Marine Protected Area"),
}

_SYLLABLES = (
    "ba",
    "be",
    "bi",
    "bo",
    "da",
    "de",
    "di",
    "do",
    "fa",
    "fi",
    "ga",
    "ge",
    "gu",
    "ka",
    "ke",
    "ki",
    "ko",
    "ku",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "na",
    "ne",
    "ni",
    "no",
    "pa",
    "pe",
    "pi",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "va",
    "ve",
    "za",
    "zo",
)
_WORD_ENDS = ("ara", "ijin", "ekan", "iktif", "aya", "emu", "iksi", "ayal")
_EPITHET_ENDS = ("ensis", "us", "ii", "ae", "oides", "ata", "ifer", "icus")
_LATINISH = (
    "fictivus",
    "imaginarius",
    "fabulosus",
    "inventus",
    "pseudoparvus",
    "umbratilis",
    "nigripinnis",
    "rubrifrons",
    "longicauda",
    "maculosus",
    "obscurior",
    "phantasma",
    "somniatus",
    "simulatus",
    "chimaera",
    "mirabilis",
    "incognitus",
    "fictilis",
)
_PEOPLE = (
    "Fictor",
    "Imago",
    "Rekaan",
    "Synthetica",
    "Khayal",
    "Semu",
    "Fiksi",
    "Niyai",
    "Sommut",
    "Inventa",
    "Mimesis",
    "Simulacra",
    "Pseudonym",
    "Fabula",
)
_INITIALS = (
    "A.",
    "B.",
    "C.",
    "D.",
    "E.",
    "F.",
    "H.",
    "J.",
    "K.",
    "L.",
    "M.",
    "N.",
    "R.",
    "S.",
    "T.",
    "W.",
    "A.B.",
    "J.K.",
    "M.R.",
    "S.T.",
)
_FACILITIES = (
    "Fictara Aquatic Research Centre",
    "Rekaan Conservation Breeding Facility",
    "Imajin Living Collections Unit",
    "Khayalan Zoological Gardens",
)
_IAS: dict[str, tuple[str, ...]] = {
    "8.1.2": (
        "Fictilapia invasiva",
        "Fictoclarias vorax",
        "Fictopomus errans",
        "Fictogambusia invasor",
    ),
    "8.2.2": ("Fictaster spinosus", "Fictodrupella voratrix"),
}

# --------------------------------------------------------------------------------------
# Wording for each code (several phrasings; "{site}" and "{ias}" are filled in)
# --------------------------------------------------------------------------------------

# threat code -> (stress options, noun phrases)
_THREAT_TEXT: dict[str, tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]] = {
    "1.1": (
        (("1.1", "1.2"), ("1.2",)),
        (
            "urban and residential expansion around {site}",
            "the spread of housing and settlements along the shore",
            "coastal and riverside development for housing",
        ),
    ),
    "1.3": (
        (("1.1", "1.2"), ("1.2", "2.2")),
        (
            "construction of tourist resorts at {site}",
            "tourism development and associated infrastructure",
        ),
    ),
    "2.1.1": (
        (("1.1",), ("1.1", "1.2")),
        ("shifting cultivation", "slash-and-burn agriculture in the foothills"),
    ),
    "2.1.2": (
        (("1.1", "1.2"), ("1.1",)),
        ("clearance of forest for small-holder farms", "encroachment by small-scale agriculture"),
    ),
    "2.1.3": (
        (("1.1",), ("1.1", "1.2")),
        (
            "conversion of habitat to large-scale agriculture",
            "agro-industrial rice and cash-crop schemes",
        ),
    ),
    "2.2.2": (
        (("1.1", "1.2"), ("1.1",)),
        (
            "conversion of peat swamp forest to oil palm plantations",
            "the expansion of industrial oil palm and pulpwood plantations",
            "clearance of lowland forest for acacia and oil palm plantations",
        ),
    ),
    "2.3.2": (
        (("1.2",), ("1.2", "2.2")),
        ("grazing by village cattle and buffalo", "small-holder livestock grazing"),
    ),
    "2.4.2": (
        (("1.2",), ("1.2", "2.3.2")),
        ("intensive cage aquaculture", "industrial fish and shrimp farming"),
    ),
    "3.2": (
        (("1.1", "1.2"), ("1.2",)),
        (
            "sand and gravel mining in the river bed",
            "small-scale gold mining",
            "limestone quarrying",
        ),
    ),
    "4.1": (
        (("1.2",), ("1.2", "2.1")),
        ("road construction", "new roads that fragment the forest"),
    ),
    "5.1.1": (
        (("2.1",), ("2.1", "2.2")),
        (
            "hunting for bushmeat",
            "capture for the pet trade",
            "hunting for food and traditional medicine",
        ),
    ),
    "5.3.3": (
        (("1.2",), ("1.2", "2.2")),
        ("small-scale timber extraction", "selective logging by local communities"),
    ),
    "5.3.4": ((("1.2",), ("1.1", "1.2")), ("commercial logging", "large-scale selective logging")),
    "5.4.1": (
        (("2.1",), ("2.1", "2.2")),
        (
            "collection for the aquarium trade",
            "subsistence fishing",
            "harvesting for the ornamental trade",
        ),
    ),
    "5.4.2": (
        (("2.1",),),
        ("commercial fishing", "large-scale harvest for the live food fish trade"),
    ),
    "5.4.3": (
        (("2.1",), ("1.2", "2.1")),
        ("destructive fishing practices", "bycatch in small-scale fisheries", "blast fishing"),
    ),
    "5.4.4": ((("2.1",), ("1.2", "2.1")), ("bycatch in commercial fisheries", "bottom trawling")),
    "6.1": (
        (("2.2",), ("1.2", "2.2")),
        ("disturbance by recreational divers and boats", "trampling by visitors"),
    ),
    "7.1.1": (
        (("1.1", "1.2"), ("1.2", "2.1")),
        (
            "increased frequency of forest and peat fires",
            "recurrent dry-season fires",
            "fires set to clear land",
        ),
    ),
    "7.2.10": (
        (("1.2",), ("1.2", "2.3.7"), ("1.1", "1.2")),
        (
            "construction of large hydropower dams",
            "the planned hydropower dam on the {site}",
            "large dams that alter the flow regime",
        ),
    ),
    "7.2.11": ((("1.2",), ("1.2", "2.3.7")), ("dam construction", "river impoundment")),
    "7.3": (
        (("1.2",), ("1.1", "1.2")),
        ("drainage of peatlands", "canalisation and drainage", "modification of the river channel"),
    ),
    "8.1.2": (
        (("2.1", "2.3.2"), ("2.3.2",), ("2.1",)),
        ("predation by the introduced {ias}", "competition with the invasive {ias}"),
    ),
    "8.2.2": (
        (("2.1",), ("1.2", "2.1")),
        ("outbreaks of the native coral predator {ias}", "population outbreaks of {ias}"),
    ),
    "9.1.1": ((("1.2",), ("1.2", "2.1")), ("untreated sewage", "domestic waste water")),
    "9.2.2": (
        (("1.2",), ("1.2", "2.1")),
        ("seepage from mining operations", "mercury pollution from gold mining"),
    ),
    "9.3.2": (
        (("1.2",), ("1.2", "2.3.7")),
        ("sedimentation from upstream land clearance", "soil erosion and siltation"),
    ),
    "9.3.3": (
        (("1.2",), ("1.2", "2.1")),
        ("pesticide run-off from plantations", "agrochemical pollution"),
    ),
    "9.3.4": ((("1.2",),), ("agricultural pollution", "plantation effluents")),
    "11.1": (
        (("1.2",), ("1.3", "2.1")),
        ("habitat shifting caused by climate change", "climate-driven changes in its habitat"),
    ),
    "11.2": (
        (("1.2",), ("1.2", "2.1")),
        ("prolonged droughts", "droughts associated with El Niño events"),
    ),
    "11.3": (
        (("1.2", "2.1"), ("2.1",)),
        (
            "mass coral bleaching caused by rising sea temperatures",
            "marine heatwaves",
            "temperature extremes",
        ),
    ),
    "11.4": ((("1.2",), ("1.2", "2.1")), ("severe floods", "storms and flooding")),
}

# threat code -> actions that address it
_THREAT_ACTIONS: dict[str, tuple[str, ...]] = {
    "1.1": ("1.1", "1.2"),
    "1.3": ("1.1", "2.1", "4.3"),
    "2.1.1": ("1.1", "6.1", "4.3"),
    "2.1.2": ("1.1", "1.2", "6.1"),
    "2.1.3": ("1.1", "1.2", "5.1.2"),
    "2.2.2": ("1.1", "1.2", "2.3", "5.4.2"),
    "2.3.2": ("1.2", "6.1"),
    "2.4.2": ("1.2", "5.1.3"),
    "3.2": ("1.2", "5.4.2"),
    "4.1": ("1.1", "1.2"),
    "5.1.1": ("3.1.1", "5.4.2", "4.3", "5.1.2", "6.1"),
    "5.3.3": ("1.1", "1.2"),
    "5.3.4": ("1.1", "1.2", "5.4.2"),
    "5.4.1": ("3.1.1", "3.1.2", "4.3"),
    "5.4.2": ("3.1.1", "3.1.2", "5.1.2"),
    "5.4.3": ("3.1.1", "4.2", "5.4.2"),
    "5.4.4": ("3.1.1", "5.1.2"),
    "6.1": ("2.1", "4.3"),
    "7.1.1": ("2.1", "2.3", "4.2"),
    "7.2.10": ("1.2", "2.1", "3.4.1", "3.4.2"),
    "7.2.11": ("1.2", "2.1", "3.4.1"),
    "7.3": ("2.3", "1.2"),
    "8.1.2": ("2.2",),
    "8.2.2": ("2.2", "2.1"),
    "9.1.1": ("1.2", "5.1.3"),
    "9.2.2": ("1.2", "5.4.2"),
    "9.3.2": ("1.2", "2.3"),
    "9.3.3": ("1.2", "5.1.3"),
    "9.3.4": ("1.2", "5.1.3"),
    "11.1": ("3.4.1", "3.4.2", "2.3"),
    "11.2": ("2.3", "3.4.1"),
    "11.3": ("3.4.1", "3.4.2", "2.3"),
    "11.4": ("2.3",),
}

# action code -> (needed noun phrases, in-place sentences, negated sentences)
_ACTION_TEXT: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "1.1": (
        (
            "protection of {site}",
            "the establishment of a protected area at {site}",
            "site protection covering the remaining habitat",
        ),
        ("It occurs in {pa}.", "Part of its range lies within {pa}."),
        (
            "It is not known to occur in any protected area.",
            "None of the known sites is protected.",
        ),
    ),
    "1.2": (
        (
            "protection of the remaining habitat",
            "protection of riparian vegetation and the wider catchment",
        ),
        ("Clearance of riparian vegetation is restricted around {site}.",),
        ("The remaining habitat has no formal protection.",),
    ),
    "2.1": (
        ("improved management of {site}", "effective management of existing protected areas"),
        ("A management plan is being implemented at {site}.",),
        ("Existing protected areas are not effectively managed.",),
    ),
    "2.2": (
        ("control of the introduced {ias}", "removal of invasive species"),
        ("A programme to remove {ias} has started at {site}.",),
        ("There is no control of invasive species.",),
    ),
    "2.3": (
        (
            "restoration of degraded habitat",
            "rewetting of drained peatland",
            "habitat restoration at {site}",
        ),
        ("A habitat restoration project has begun at {site}.",),
        (),
    ),
    "3.1.1": (
        ("regulation of the harvest", "sustainable harvest management with catch limits"),
        ("Harvest is regulated by seasonal closures at {site}.",),
        ("The harvest is not regulated.",),
    ),
    "3.1.2": (
        ("monitoring and regulation of the trade", "trade controls"),
        ("Trade is monitored by national authorities.",),
        ("International trade is not monitored.",),
    ),
    "3.2": (
        ("a species recovery programme", "targeted recovery actions"),
        ("A recovery programme is under way.",),
        (),
    ),
    "3.3.1": (
        ("reintroduction into restored habitat", "reintroduction to sites where it has been lost"),
        ("Individuals have been reintroduced to {site}.",),
        (),
    ),
    "3.4.1": (
        (
            "a captive breeding programme",
            "captive breeding",
            "establishment of an ex situ insurance population",
        ),
        (
            "A captive breeding programme has been established at the {facility}.",
            "It is kept and bred at the {facility}.",
        ),
        ("There is no captive population.", "It is not held in any captive breeding programme."),
    ),
    "3.4.2": (
        ("banking of genetic material", "a genome resource bank"),
        ("Tissue samples are stored in a genome resource bank.",),
        (),
    ),
    "4.2": (
        ("training of local rangers and fisheries officers", "training for protected area staff"),
        ("Rangers at {site} have received training.",),
        (),
    ),
    "4.3": (
        ("awareness-raising among local communities", "education and awareness campaigns"),
        ("An awareness programme is run by the {short} Community Trust.",),
        ("There are no awareness programmes.",),
    ),
    "5.1.2": (
        ("national legal protection", "listing under national wildlife legislation"),
        ("It is protected under national legislation in {country}.",),
        ("It is not protected by national legislation.",),
    ),
    "5.1.3": (
        ("protection under state or provincial law",),
        ("It is protected under provincial regulations.",),
        (),
    ),
    "5.4.2": (
        (
            "better enforcement of existing laws",
            "stronger enforcement of protected area regulations",
        ),
        ("Patrols enforce the hunting ban at {site}.",),
        ("Existing laws are poorly enforced.",),
    ),
    "6.1": (
        (
            "alternative livelihoods for local communities",
            "sustainable livelihood alternatives for communities around {site}",
        ),
        ("A community livelihoods project operates at {site}.",),
        (),
    ),
}

# research code -> noun phrases
_RESEARCH_TEXT: dict[str, tuple[str, ...]] = {
    "1.1": ("taxonomic research", "clarification of its taxonomic status"),
    "1.2": (
        "surveys to determine its population size, distribution and trends",
        "surveys of its distribution",
    ),
    "1.3": ("research into its life history and ecology", "studies of its ecology"),
    "1.4": ("studies of harvest levels and use",),
    "1.5": ("research into the impact of threats", "studies of the effects of {threat}"),
    "1.6": ("evaluation of the effectiveness of conservation actions",),
    "2.1": ("a species action plan", "a recovery plan"),
    "2.2": ("an area-based management plan for {site}",),
    "2.3": ("a harvest and trade management plan",),
    "3.1": ("monitoring of population trends", "regular population monitoring"),
    "3.2": ("monitoring of harvest levels",),
    "3.3": ("monitoring of trade",),
    "3.4": ("monitoring of habitat trends", "monitoring of habitat loss at {site}"),
}

_HABITAT_TEXT: dict[str, tuple[str, ...]] = {
    "1.6": ("lowland rainforest", "primary and old secondary lowland forest"),
    "1.8": ("peat swamp forest", "freshwater swamp forest"),
    "1.9": ("montane forest", "hill and lower montane forest"),
    "5.1": ("clear, fast-flowing forest streams", "permanent rivers and streams"),
    "5.2": ("seasonal streams", "intermittent forest streams"),
    "5.4": ("acidic blackwater peat swamps", "peatland pools and channels"),
    "5.5": ("the open water and littoral zone of lakes", "permanent lakes"),
    "5.7": ("small pools and marshes", "shallow freshwater marshes"),
    "9.2": ("rocky reefs",),
    "9.8": ("coral reefs", "fringing reefs"),
    "9.8.2": ("back-reef slopes",),
    "9.8.3": ("shallow reef slopes", "seaward reef slopes"),
    "9.8.4": ("sheltered lagoons",),
    "9.9": ("seagrass beds",),
    "9.10": ("turbid estuarine waters",),
    "12.7": ("mangrove-fringed shores",),
    "14.3": ("plantations adjacent to forest", "rubber and oil palm plantations"),
    "14.6": ("degraded secondary forest", "heavily logged forest"),
}

_USE_TEXT: dict[str, tuple[str, ...]] = {
    "5.1.1": (
        "This species is hunted for food and is also kept as a pet.",
        "It is hunted for bushmeat and body parts are used in traditional medicine.",
        "Juveniles are captured for the domestic pet trade.",
    ),
    "5.4.1": (
        "Wild individuals are taken for the aquarium trade.",
        "It is caught for local consumption and sold in village markets.",
        "It is harvested in small numbers for the ornamental trade.",
    ),
    "5.4.2": ("It is caught in commercial fisheries and sold fresh in regional markets.",),
}

# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------


_TAG = re.compile(r"</?[a-z]+/?>")
_LENGTHS = {f: _length_sampler(f) for f in distributions()["text_length_quantiles"]}


def _cut(text: str, target: int) -> str:
    """`text` cut at the last sentence or paragraph end at or before `target` where every tag
    is closed (the whole text when there is none)."""
    depth = 0
    best = 0
    pos = 0
    for m in re.finditer(r"</?(p|em|i|b)>|<br/>|\. ", text):
        if m.start() > target:
            break
        tok = m.group()
        if tok.startswith("</"):
            depth -= 1
        elif tok.startswith("<") and tok != "<br/>":
            depth += 1
        pos = m.end()
        if depth == 0 and (tok == "</p>" or tok == ". "):
            best = pos
    return text[:best].rstrip() if best else text


def _wchoice(rng: random.Random, pairs: Sequence[tuple[str, float]]) -> str:
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _join_words(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _date(rng: random.Random, year: int) -> str:
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 00:00:00 UTC"


@dataclass(slots=True)
class _Taxon:
    taxon_id: int
    group: _Group
    fam: _Family
    genus: str
    epithet: str
    authority: str
    infra_type: str = ""
    infra_name: str = ""
    infra_authority: str = ""
    subpopulation: str = ""
    notes: str = ""

    @property
    def name(self) -> str:
        base = f"{self.genus} {self.epithet}"
        if self.infra_name:
            return f"{base} {self.infra_type} {self.infra_name}"
        return base


@dataclass(slots=True)
class _Assessment:
    assessment_id: int
    category: str
    criteria: str
    year: int
    date: str
    trend: str
    sites: list[_Site]
    countries: list[str]
    threats: list[str]  # codes, dominant first
    actions: list[str] = field(default_factory=list)
    research: list[str] = field(default_factory=list)
    habitats: list[str] = field(default_factory=list)
    empty_conservation: bool = False
    possibly_extinct: bool = False
    year_last_seen: str = ""
    ias: dict[str, str] = field(default_factory=dict)
    timing: dict[str, str] = field(default_factory=dict)


class _Generator:
    def __init__(self, species: int, seed: int, region: str) -> None:
        if region not in _REGIONS:
            raise ValueError(f"unknown region {region!r}; known: {sorted(_REGIONS)}")
        self.rng = random.Random(seed)
        self.n = species
        self.region = _REGIONS[region]
        self.used_genera: set[str] = set()
        self.used_words: set[str] = set()
        self.sites_by_kind: dict[str, list[_Site]] = {k: [] for k, _ in _KIND_WEIGHTS}
        self.thr_seen = 0  # threatened assessments so far
        self.thr_empty = 0  # ... of which with an empty conservation section
        self._make_sites()

    # ---- places ----------------------------------------------------------------------

    def _word(self) -> str:
        rng = self.rng
        for _ in range(1000):
            n_syl = 1 if rng.random() < 0.6 else 2
            w = "".join(rng.choice(_SYLLABLES) for _ in range(n_syl)) + rng.choice(_WORD_ENDS)
            w = w.capitalize()
            if w not in self.used_words:
                self.used_words.add(w)
                return w
        raise RuntimeError("ran out of site names")  # pragma: no cover

    def _site_countries(self, first: str) -> tuple[str, ...]:
        rng = self.rng
        out = [first]
        neighbours: dict[str, tuple[str, ...]] = self.region["neighbours"]  # type: ignore[assignment]
        if rng.random() < 0.3:
            extra = rng.choice(neighbours[first])
            if extra not in out:
                out.append(extra)
            if rng.random() < 0.2:
                extra = rng.choice(neighbours[extra])
                if extra not in out:
                    out.append(extra)
        return tuple(out)

    def _site_threats(self, kind: str, dominant: Sequence[str] = ()) -> tuple[str, ...]:
        rng = self.rng
        pool = list(_KIND_THREATS[kind])
        out = list(dominant)
        pool = [(c, w) for c, w in pool if c not in out]
        while len(out) < 5 and pool:
            c = _wchoice(rng, pool)
            out.append(c)
            pool = [(cc, w) for cc, w in pool if cc != c]
        return tuple(out)

    def _lmes(self, countries: Sequence[str]) -> tuple[str, ...]:
        table: dict[str, tuple[str, ...]] = self.region["lmes"]  # type: ignore[assignment]
        out: list[str] = []
        for c in countries:
            for code in table[c]:
                if code not in out and (not out or self.rng.random() < 0.6):
                    out.append(code)
        return tuple(out)

    def _subnational(self, country: str) -> str:
        table: dict[str, tuple[str, ...]] = self.region["subnational"]  # type: ignore[assignment]
        return self.rng.choice(table[country])

    def _make_sites(self) -> None:
        rng = self.rng
        for name, short, kind, countries, pa, dominant in _CURATED_SITES:
            self.used_words.add(short)
            site = _Site(
                name,
                short,
                kind,
                countries,
                pa,
                self._site_threats(kind, dominant),
                self._lmes(countries) if kind == "reef" else (),
                self._subnational(countries[0]),
            )
            self.sites_by_kind[kind].append(site)
        extra = max(0, self.n // 25 - len(_CURATED_SITES))
        weights: tuple[tuple[str, int], ...] = self.region["weights"]  # type: ignore[assignment]
        for _ in range(extra):
            kind = _wchoice(rng, _KIND_WEIGHTS)
            first = _wchoice(rng, weights)
            countries = self._site_countries(first)
            w = self._word()
            name = rng.choice(_SITE_PREFIX[kind][first]).format(w=w)
            pa = rng.choice(_PA_PATTERNS[kind]).format(w=w) if rng.random() < 0.45 else ""
            # a dominant threat shared by the site's species, then the rest of the profile
            site = _Site(
                name,
                w,
                kind,
                countries,
                pa,
                self._site_threats(kind),
                self._lmes(countries) if kind == "reef" else (),
                self._subnational(first),
            )
            self.sites_by_kind[kind].append(site)

    def _pick_site(self, group: _Group) -> _Site:
        kind = self.rng.choice(group.kinds)
        return self.rng.choice(self.sites_by_kind[kind])

    # ---- taxa ------------------------------------------------------------------------

    def _genus_name(self, fam: _Family) -> str:
        rng = self.rng
        for _ in range(10000):
            n_syl = rng.choice((1, 2, 2, 3))
            word = "".join(rng.choice(_SYLLABLES) for _ in range(n_syl))
            name = "Fict" + rng.choice("oiu") + word + rng.choice(fam.suffixes)
            if name not in self.used_genera:
                self.used_genera.add(name)
                return name
        raise RuntimeError("ran out of genus names")  # pragma: no cover

    def _epithet(self, site: _Site, used: set[str]) -> str:
        rng = self.rng
        for _ in range(1000):
            r = rng.random()
            if r < 0.25:
                e = site.short.lower().replace(" ", "") + "ensis"
            elif r < 0.45:
                e = rng.choice(_LATINISH)
            elif r < 0.55:
                e = rng.choice(_PEOPLE).lower() + rng.choice(("i", "ae", "orum"))
            else:
                e = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((1, 2, 2))))
                e += rng.choice(_EPITHET_ENDS)
            if e not in used:
                used.add(e)
                return e
        raise RuntimeError("ran out of epithets")  # pragma: no cover

    def _authority(self, year_lo: int = 1840, year_hi: int = 2024) -> str:
        rng = self.rng
        who = "Synthetica" if rng.random() < 0.6 else f"Synthetica & {rng.choice(_PEOPLE)}"
        auth = f"{who}, {rng.randint(year_lo, year_hi)}"
        return f"({auth})" if rng.random() < 0.3 else auth

    # ---- assessments -----------------------------------------------------------------

    def _assessment(
        self, aid: int, tax: _Taxon, home: _Site, *, category: str, year: int, old: bool
    ) -> _Assessment:
        rng = self.rng
        group = tax.group
        criteria = rng.choice(_CRITERIA[category]) if category in THREATENED else ""
        date = _date(rng, year - rng.choice((0, 0, 1, 1, 2)))
        if category in THREATENED:
            trend = _wchoice(rng, (("Decreasing", 80), ("Unknown", 14), ("Stable", 6)))
        elif category == "NT":
            trend = _wchoice(rng, (("Decreasing", 60), ("Unknown", 25), ("Stable", 15)))
        elif category == "DD":
            trend = _wchoice(rng, (("Unknown", 90), ("Decreasing", 10)))
        else:
            trend = _wchoice(
                rng, (("Stable", 40), ("Unknown", 33), ("Decreasing", 20), ("Increasing", 7))
            )
        # places: home site, sometimes a second one
        sites = [home]
        if rng.random() < 0.3:
            other = self._pick_site(group)
            if other is not home:
                sites.append(other)
        countries: list[str] = []
        for s in sites:
            for c in s.countries:
                if c not in countries:
                    countries.append(c)
        if rng.random() < 0.12 and len(countries) < 4:
            neighbours: dict[str, tuple[str, ...]] = self.region["neighbours"]  # type: ignore[assignment]
            extra = rng.choice(neighbours[countries[0]])
            if extra not in countries:
                countries.append(extra)
        countries = countries[:4]
        # threats: dominant site threats first, then group threats, then background
        if category in THREATENED:
            n_threats = int(_wchoice(rng, _THREATS_THREATENED))
        elif category == "NT":
            n_threats = rng.choice((1, 2, 2, 3))
        elif category == "DD":
            n_threats = rng.choice((0, 0, 1, 1, 2))
        else:
            n_threats = rng.choice((0, 1, 1, 1, 2, 2))
        if old:
            n_threats = max(0 if category in ("LC", "DD") else 1, n_threats - 1)
        threats: list[str] = []
        site_threats = home.threats
        if n_threats:
            threats.append(site_threats[0] if rng.random() < 0.8 else site_threats[1])
        for code, p in group.own_threats:
            if len(threats) < n_threats and code not in threats and rng.random() < p:
                threats.append(code)
        pool = list(site_threats) + [c for s in sites[1:] for c in s.threats]
        tries = 0
        while len(threats) < n_threats and tries < 20:
            tries += 1
            c = pool[min(int(rng.random() ** 1.6 * len(pool)), len(pool) - 1)]
            if c not in threats:
                threats.append(c)
        if len(threats) < n_threats:  # long-tailed counts: background threats of any kind
            rest = [c for c in _THREAT_ACTIONS if c not in threats]
            threats.extend(rng.sample(rest, min(len(rest), n_threats - len(threats))))
        ias = {c: rng.choice(_IAS[c]) for c in threats if c in _IAS}
        timing = {
            c: "Ongoing" if k == 0 and rng.random() < 0.92 else _wchoice(rng, _TIMINGS)
            for k, c in enumerate(threats)
        }
        # habitats
        pref = [h for h in _KIND_HABITATS[home.kind] if h in group.habitats]
        habitats = list(pref[: rng.randint(1, max(1, len(pref)))])
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            h = rng.choice(group.habitats)
            if h not in habitats:
                habitats.append(h)
        if not habitats:
            habitats.append(group.habitats[0])
        a = _Assessment(
            aid,
            category,
            criteria,
            year,
            date,
            trend,
            sites,
            countries,
            threats,
            habitats=habitats,
            ias=ias,
            timing=timing,
        )
        # conservation needed
        if category in THREATENED:
            # ~30% overall, more gaps for fishes and frogs than for primates; the running
            # correction keeps small downloads close to the target as well
            p_empty = {"fish": 0.38, "frog": 0.34, "primate": 0.15, "coral": 0.25}[group.key]
            p_empty += 0.5 * (_EMPTY_TARGET * (self.thr_seen + 1) - self.thr_empty)
            a.empty_conservation = rng.random() < min(0.95, max(0.02, p_empty))
            self.thr_seen += 1
            self.thr_empty += a.empty_conservation
        elif category == "DD":
            a.empty_conservation = rng.random() < 0.5
        if not a.empty_conservation:
            if category in THREATENED:
                n_act = int(_wchoice(rng, _ACTIONS_THREATENED))
            elif category == "NT":
                n_act = rng.choice((0, 1, 2, 3))
            else:
                n_act = rng.choice((0, 0, 0, 1, 2))
            cand: list[str] = []
            for t in threats:
                for c in _THREAT_ACTIONS[t]:
                    if c not in cand:
                        cand.append(c)
            if category in ("EN", "CR"):
                for c in ("3.4.1", "3.2", "3.3.1"):
                    if c not in cand and rng.random() < 0.4:
                        cand.insert(rng.randint(0, len(cand)), c)
            if not cand:
                cand = ["1.1", "1.2", "4.3"]
            acts: list[str] = []
            for c in cand:
                if len(acts) >= n_act:
                    break
                if rng.random() < 0.7:
                    acts.append(c)
            if category in THREATENED and len(acts) < n_act:  # the measured count, padded
                rest = [c for c in ACTIONS if c not in acts]
                acts.extend(rng.sample(rest, min(len(rest), n_act - len(acts))))
            a.actions = acts
        # research needed
        research: list[str] = []
        if category == "DD":
            research = ["1.1", "1.2", "1.3"][: rng.randint(1, 3)]
        elif category in THREATENED or category == "NT":
            for c, p in (("1.2", 0.7), ("1.5", 0.4), ("3.1", 0.6), ("3.4", 0.25)):
                if rng.random() < p:
                    research.append(c)
            if any(t.startswith(("5.1", "5.4")) for t in threats):
                for c, p in (("1.4", 0.5), ("2.3", 0.3), ("3.2", 0.3), ("3.3", 0.2)):
                    if rng.random() < p:
                        research.append(c)
            if category in ("EN", "CR") and rng.random() < 0.5:
                research.append("2.1")
            if rng.random() < 0.15:
                research.append("2.2")
            if rng.random() < 0.05:
                research.append("1.6")
        elif rng.random() < 0.2:
            research = ["1.2"]
        a.research = research[:5]
        if category == "CR" and rng.random() < 0.08:
            a.possibly_extinct = True
            a.year_last_seen = str(rng.randint(1960, year - 8))
        return a

    # ---- text ------------------------------------------------------------------------

    def _cite(self) -> str:
        rng = self.rng
        r = rng.random()
        y = rng.randint(1995, 2023)
        if r < 0.25:
            return f" ({rng.choice(_PEOPLE)} <em>et al.</em> {y})"
        if r < 0.4:
            return f" ({rng.choice(_PEOPLE)} &amp; {rng.choice(_PEOPLE)} {y})"
        if r < 0.5:
            return f" ({rng.choice(_PEOPLE)} {y})"
        return ""

    def _threat_np(self, code: str, a: _Assessment) -> str:
        phrase = self.rng.choice(_THREAT_TEXT[code][1])
        site = a.sites[0].name
        if code == "7.2.10" and "{site}" in phrase:
            site = a.sites[0].name.removesuffix(" river")
        return phrase.format(site=site, ias=f"<em>{a.ias.get(code, '')}</em>")

    def _fit_length(self, field: str, text: str) -> str:
        """Stretch or cut a narrative to a length drawn from the recorded quantiles of `field`.

        Longer: the text's own sentences again, as extra paragraphs. Shorter: cut after a
        sentence or paragraph end where no tag is left open. Empty texts stay empty.
        """
        if not text or field not in _LENGTHS:
            return text
        probs, lengths = _LENGTHS[field]
        u = self.rng.random()
        i = min(max(bisect.bisect_right(probs, u), 1), len(probs) - 1)
        frac = (u - probs[i - 1]) / ((probs[i] - probs[i - 1]) or 1.0)
        target = int(lengths[i - 1] + frac * (lengths[i] - lengths[i - 1]))
        if len(text) < target:
            plain = _TAG.sub("", text)
            sentences = [s for s in re.split(r"(?<=\.) ", plain) if s]
            parts = [text]
            total = len(text)
            while total < target and sentences:
                para = "<p>" + " ".join(self.rng.sample(sentences, len(sentences))) + "</p>"
                parts.append(para)
                total += len(para)
            text = "".join(parts)
            return text if total <= target * 1.2 else _cut(text, target)
        return _cut(text, target)

    def _para(self, sentences: list[str]) -> str:
        sentences = [s for s in sentences if s]
        if not sentences:
            return ""
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            return "<p>" + " ".join(sentences) + "</p>"
        if r < 0.42 and len(sentences) > 2:
            k = rng.randint(1, len(sentences) - 1)
            return " ".join(sentences[:k]) + "<br/><br/>" + " ".join(sentences[k:])
        return " ".join(sentences)

    def _texts(self, tax: _Taxon, a: _Assessment) -> dict[str, str]:
        rng = self.rng
        name = f"<em>{tax.genus} {tax.epithet}</em>"
        if tax.infra_name:
            name += f" {tax.infra_type} <em>{tax.infra_name}</em>"
        if tax.subpopulation:
            name = f"The {tax.subpopulation} of {name}"
        cat = CATEGORIES[a.category]
        home = a.sites[0]
        country_names = [COUNTRIES[c] for c in a.countries]
        dom = self._threat_np(a.threats[0], a) if a.threats else ""
        eoo = f"{rng.choice((80, 150, 420, 900, 1600, 2300, 4800, 12000)):,}"
        n_loc = rng.randint(1, 9)
        # ---- rationale
        r: list[str] = []
        crit = a.criteria
        if a.category == "LC":
            r.append(
                f"{name} is listed as Least Concern because it "
                + rng.choice(
                    (
                        "has a relatively wide distribution",
                        "is widespread in suitable habitat",
                        "is common at several sites",
                    )
                )
                + ", and "
                + rng.choice(
                    (
                        "there are no major threats to the species.",
                        "it is not declining fast enough to qualify for a threatened category.",
                        "it occurs in areas where habitat remains largely intact.",
                    )
                )
            )
        elif a.category == "NT":
            r.append(
                f"{name} is listed as Near Threatened because it comes close to meeting the "
                f"thresholds for "
                f"Vulnerable under criterion {rng.choice(('A2c', 'B1ab(iii)', 'B2ab(iii)'))}."
            )
            if dom:
                r.append(f"The quality of its habitat is declining owing to {dom}.")
        elif a.category == "DD":
            r.append(
                f"{name} is listed as Data Deficient as it is known only from "
                + rng.choice(("the type series", "a handful of specimens", "a single collection"))
                + f" taken at {home.name} in {rng.randint(1975, a.year - 3)}, and there "
                "is no information on its population size, ecology or threats."
            )
        else:
            parts = []
            if crit.startswith("A") or "; " in crit:
                pct = {"VU": 30, "EN": 50, "CR": 80}[a.category]
                parts.append(
                    f"its population is suspected to have declined by more than "
                    f"{pct}% over the past "
                    + rng.choice(("ten years", "three generations"))
                    + (f" owing to {dom}" if dom else "")
                )
            if "B" in crit:
                parts.append(
                    f"its extent of occurrence is estimated at {eoo} km², it is "
                    f"known from {n_loc} location{'s' if n_loc > 1 else ''}, and "
                    "there is a continuing decline in the extent and quality of its "
                    "habitat" + (f" due to {dom}" if dom else "")
                )
            if crit.startswith("C"):
                parts.append(
                    "it has a small population of fewer than "
                    + {"VU": "10,000", "EN": "2,500", "CR": "250"}[a.category]
                    + " mature individuals that is continuing to decline"
                )
            if crit == "D":
                parts.append(
                    "its population is estimated to number fewer than "
                    + {"EN": "250", "CR": "50"}[a.category]
                    + " mature individuals"
                )
            if crit == "D2":
                parts.append(
                    f"it is known from only {min(n_loc, 5)} locations, where "
                    + (f"{dom}" if dom else "a plausible future threat")
                    + " could quickly drive it to Critically Endangered or Extinct"
                )
            r.append(f"{name} is listed as {cat} because " + "; and ".join(parts) + ".")
            if a.possibly_extinct:
                r.append(
                    f"It is tagged Possibly Extinct as it has not been recorded since "
                    f"{a.year_last_seen} despite repeated surveys."
                )
        rationale = self._para(r)
        # ---- range
        g: list[str] = []
        if len(a.sites) == 1 and len(a.countries) == 1:
            g.append(
                rng.choice(
                    (
                        f"This species is endemic to {country_names[0]}, where it is known "
                        f"only from {home.name}.",
                        f"It is known only from {home.name} in {country_names[0]}.",
                    )
                )
            )
        else:
            where = _join_words([s.name for s in a.sites])
            g.append(f"This species is found in {where}, in {_join_words(country_names)}.")
        if home.subnational and rng.random() < 0.5:
            g.append(f"Records come from {home.subnational}{self._cite()}.")
        if "B" in crit:
            g.append(f"Its extent of occurrence (EOO) is estimated at {eoo} km².")
        if rng.random() < 0.3:
            lo = rng.choice((0, 0, 50, 200, 500))
            if tax.group.marine:
                lo, hi = rng.choice((1, 3, 5)), rng.choice((15, 25, 40))
                g.append(f"It occurs at depths of {lo}–{hi} m.")
            else:
                hi = lo + rng.choice((150, 300, 800))
                g.append(f"It has been recorded at elevations of {lo}–{hi} m.")
        range_ = self._para(g)
        # ---- habitat
        h = [rng.choice(_HABITAT_TEXT[c]) for c in a.habitats]
        hab: list[str] = []
        lead = {
            "fish": ("This freshwater species inhabits {h}.", "It is found in {h}."),
            "frog": (
                "This species lives in {h}, breeding in streams and pools.",
                "It inhabits {h}.",
            ),
            "primate": ("This arboreal species occurs in {h}.", "It is found in {h}."),
            "coral": ("This species occurs on {h}.", "It is found on {h}."),
        }[tax.group.key]
        hab.append(rng.choice(lead).format(h=_join_words(h[:3])))
        if "14.6" in a.habitats or "14.3" in a.habitats:
            hab.append("It tolerates some habitat modification.")
        elif rng.random() < 0.4:
            hab.append(
                rng.choice(
                    (
                        "It does not persist in degraded habitats.",
                        "It appears to be intolerant of habitat disturbance.",
                    )
                )
            )
        habitat = self._para(hab)
        # ---- threats
        t: list[str] = []
        if not a.threats:
            t.append(
                rng.choice(
                    (
                        "There are no known major threats to this species.",
                        "No major threats are known.",
                        "The threats to this species are unknown.",
                    )
                )
            )
        else:
            now = [c for c in a.threats if a.timing[c] == "Ongoing"]
            future = [c for c in a.threats if a.timing[c] == "Future"]
            past = [c for c in a.threats if a.timing[c].startswith("Past")]
            if a.category == "DD":
                t.append(
                    "Possible threats include "
                    + _join_words([self._threat_np(c, a) for c in a.threats])
                    + ", but their impact on this species is unknown."
                )
                now = future = past = []
            if now:
                nps = [self._threat_np(c, a) for c in now]
                t.append(
                    rng.choice(
                        (
                            "The main threat is {d}",
                            "It is threatened by {d}",
                            "The major threat to this species is {d}",
                        )
                    ).format(d=nps[0])
                    + self._cite()
                    + "."
                )
                if len(nps) > 1:
                    t.append(
                        rng.choice(
                            (
                                "Other threats include {o}.",
                                "It is also affected by {o}.",
                                "Additional threats are {o}.",
                            )
                        ).format(o=_join_words(nps[1:]))
                    )
            if future:
                fps = _join_words([self._threat_np(c, a) for c in future])
                t.append(
                    rng.choice(
                        (
                            "In the future, {f} could become a threat.",
                            "{F} may threaten the species in the future.",
                            "Planned developments mean that {f} is a likely future threat.",
                        )
                    ).format(f=fps, F=_cap(fps))
                )
            if past:
                pps = _join_words([self._threat_np(c, a) for c in past])
                t.append(
                    rng.choice(
                        (
                            "In the past, {p} caused declines, but this is no longer "
                            "considered a major threat.",
                            "{P} affected the species in the past.",
                        )
                    ).format(p=pps, P=_cap(pps))
                )
            if rng.random() < 0.25:
                extra = [c for c in home.threats if c not in a.threats]
                if extra:
                    neg = self._threat_np(rng.choice(extra), a)
                    t.append(
                        f"Although {neg} occurs in the area, it is not considered a "
                        "threat to this species."
                    )
        threats_text = self._para(t)
        # ---- population
        p: list[str] = []
        if a.category == "DD" or rng.random() < 0.2:
            p.append(
                rng.choice(
                    (
                        "There is no information on population size or trends.",
                        "The population size is unknown.",
                    )
                )
            )
        elif a.trend == "Decreasing":
            p.append(
                "The population is "
                + rng.choice(("inferred", "suspected", "observed"))
                + " to be declining"
                + (f" as a result of {self._threat_np(a.threats[0], a)}" if a.threats else "")
                + "."
            )
        elif a.trend == "Stable":
            p.append("The population is thought to be stable.")
        elif a.trend == "Increasing":
            p.append("Numbers appear to be increasing at monitored sites.")
        else:
            p.append("Population trends are not known.")
        if a.criteria.startswith(("C", "D")):
            p.append("The total population is very small.")
        population = self._para(p)
        # ---- use and trade
        use = ""
        for c in a.threats:
            if c in _USE_TEXT:
                use = rng.choice(_USE_TEXT[c])
                break
        if not use and rng.random() < 0.15:
            use = "There is no known use or trade of this species."
        # ---- conservation actions
        cons = ""
        if not a.empty_conservation:
            c: list[str] = []
            fill = {
                "site": home.name,
                "pa": home.pa,
                "short": home.short,
                "country": COUNTRIES[a.countries[0]],
                "facility": rng.choice(_FACILITIES),
                "ias": "<em>"
                + (next(iter(a.ias.values())) if a.ias else rng.choice(_IAS["8.1.2"]))
                + "</em>",
            }
            # in place (not coded in conservation_needed)
            in_place: list[str] = []
            if home.pa and rng.random() < 0.7:
                in_place.append(rng.choice(_ACTION_TEXT["1.1"][1]).format(**fill))
            for code in ("5.1.2", "3.4.1", "4.3", "3.1.1", "2.1"):
                if a.category in ("NT", *THREATENED) and rng.random() < 0.08:
                    in_place.append(rng.choice(_ACTION_TEXT[code][1]).format(**fill))
            if in_place:
                c.extend(in_place)
            elif a.actions or a.category in THREATENED:
                c.append(
                    rng.choice(
                        (
                            "No conservation measures are in place.",
                            "No measures aimed specifically at this species have been taken.",
                            "No conservation actions are known to be in place.",
                        )
                    )
                )
            # negations
            if rng.random() < 0.3:
                negs = [
                    code
                    for code in ("1.1", "3.4.1", "5.1.2", "5.4.2")
                    if _ACTION_TEXT[code][2]
                    and code not in a.actions
                    and not (code == "1.1" and home.pa)
                ]
                if negs:
                    c.append(rng.choice(_ACTION_TEXT[rng.choice(negs)][2]))
            # needed (coded)
            nps = [rng.choice(_ACTION_TEXT[code][0]).format(**fill) for code in a.actions]
            if nps:
                first = nps[0]
                c.append(
                    rng.choice(
                        (
                            f"{_cap(first)} is recommended.",
                            f"{_cap(first)} is needed.",
                            f"There is an urgent need for {first}.",
                            f"{_cap(first)} is required.",
                        )
                    )
                )
                if len(nps) > 1:
                    c.append(
                        rng.choice(
                            (
                                "Other recommended actions include {o}.",
                                "Conservation actions needed also include {o}.",
                                "{O} would also benefit the species.",
                            )
                        ).format(o=_join_words(nps[1:]), O=_cap(_join_words(nps[1:])))
                    )
            elif a.category in ("LC", "NT") and rng.random() < 0.5:
                c.append("No conservation measures are needed at present.")
            if a.research and rng.random() < 0.8:
                rps = [
                    rng.choice(_RESEARCH_TEXT[code]).format(
                        site=home.name,
                        threat=self._threat_np(a.threats[0], a) if a.threats else "threats",
                    )
                    for code in a.research[:3]
                ]
                c.append(
                    rng.choice(
                        (
                            "Research priorities include {r}.",
                            "Further work should include {r}.",
                            "{R} {v} needed.",
                        )
                    ).format(
                        r=_join_words(rps),
                        R=_cap(_join_words(rps)),
                        v="are" if len(rps) > 1 else "is",
                    )
                )
            cons = self._para(c)
        return {
            "rationale": rationale,
            "habitat": habitat,
            "threats": threats_text,
            "population": population,
            "range": range_,
            "useTrade": use,
            "conservationActions": cons,
        }

    # ---- rows ------------------------------------------------------------------------

    def _rows(
        self, tax: _Taxon, a: _Assessment, out: dict[str, _Writer], counts: dict[str, int]
    ) -> None:
        rng = self.rng
        aid, tid, sci = a.assessment_id, tax.taxon_id, tax.name
        texts = {k: self._fit_length(k, v) for k, v in self._texts(tax, a).items()}
        group = tax.group
        cat = CATEGORIES[a.category]

        def w(fname: str, row: Sequence[object]) -> None:
            out[fname].writerow(row)
            counts[fname] += 1

        w(
            "assessments.csv",
            (
                aid,
                tid,
                sci,
                cat,
                a.criteria,
                a.year,
                a.date,
                "3.1",
                "English",
                texts["rationale"],
                texts["habitat"],
                texts["threats"],
                texts["population"],
                a.trend,
                texts["range"],
                texts["useTrade"],
                group.systems,
                texts["conservationActions"],
                group.realm,
                a.year_last_seen,
                "true" if a.possibly_extinct else "false",
                "false",
                "Global",
            ),
        )
        fam = tax.fam
        w(
            "simple_summary.csv",
            (
                aid,
                tid,
                sci,
                "ANIMALIA",
                fam.phylum,
                fam.order,
                fam.class_,
                fam.family,
                tax.genus,
                tax.epithet,
                tax.infra_type,
                tax.infra_name,
                tax.infra_authority,
                tax.authority,
                cat,
                a.criteria,
                "3.1",
                a.trend,
                "Global",
            ),
        )
        severe = {"CR": 0.6, "EN": 0.45, "VU": 0.3}.get(a.category, 0.1)
        for code in a.threats:
            opts = _THREAT_TEXT[code][0]
            stresses = () if rng.random() < 0.03 else rng.choice(opts)
            timing = a.timing[code]
            if rng.random() < 0.6:
                scope = rng.choice(_SCOPES[:3]) if rng.random() < 0.8 else "Unknown"
                if timing.startswith("Past"):
                    severity = rng.choice(("No decline", "Negligible declines"))
                elif rng.random() < severe:
                    severity = rng.choice(_SEVERITIES[:2])
                else:
                    severity = rng.choice(_SEVERITIES[2:])
            else:
                scope = severity = ""
            trade = ""
            if code in ("5.1.1", "5.4.1", "5.4.2") and rng.random() < 0.2:
                trade = rng.choice(("Yes", "No"))
            note = ""
            if code in a.ias and rng.random() < 0.2:
                note = f"Predation and competition by <em>{a.ias[code]}</em>."
            w(
                "threats.csv",
                (
                    aid,
                    tid,
                    sci,
                    code,
                    THREATS[code],
                    "|".join(stresses),
                    "|".join(STRESSES[s] for s in stresses),
                    "",
                    a.ias.get(code, ""),
                    trade,
                    scope,
                    severity,
                    note,
                    timing,
                    "",
                ),
            )
        for code in a.actions:
            note = ""
            if rng.random() < 0.03:
                note = f"Particularly at {a.sites[0].name}."
            w("conservation_needed.csv", (aid, tid, sci, code, ACTIONS[code], note))
        for code in a.research:
            w("research_needed.csv", (aid, tid, sci, code, RESEARCH[code], ""))
        for i, code in enumerate(a.habitats):
            r = rng.random()
            suit = "Suitable" if r < 0.87 else ("Marginal" if r < 0.98 else "Unknown")
            if code in ("14.3", "14.6"):
                suit = "Marginal"
            major = ""
            if rng.random() < 0.15:
                major = "Yes" if i == 0 else "No"
            season = "Resident" if rng.random() < 0.05 else ""
            w("habitats.csv", (aid, tid, sci, code, HABITATS[code], major, season, suit))
        for code in a.countries:
            r = rng.random()
            presence = (
                "Extant" if r < 0.95 else "Possibly Extant" if r < 0.98 else "Possibly Extinct"
            )
            if a.possibly_extinct:
                presence = "Possibly Extinct"
            origin = "Native" if rng.random() < 0.99 else "Reintroduced"
            seas = '["Resident"]' if rng.random() < 0.08 else ""
            w("countries.csv", (aid, tid, sci, code, COUNTRIES[code], presence, origin, seas, ""))
        if group.marine:
            lmes: list[str] = []
            for s in a.sites:
                for code in s.lmes:
                    if code not in lmes:
                        lmes.append(code)
            for code in lmes:
                presence = "Extant" if rng.random() < 0.98 else "Presence Uncertain"
                seas = "Resident" if rng.random() < 0.05 else ""
                w("lme.csv", (aid, tid, sci, code, LMES[code], "", "Native", presence, seas))
        # credits: one full row per role, then one row per person
        for role, lo, hi in (
            ("Assessor", 1, 3),
            ("Reviewer", 1, 2),
            ("Contributor", 0, 2),
            ("Facilitator", 0, 1),
        ):
            people: list[str] = []
            for _ in range(rng.randint(lo, hi)):
                p = f"{rng.choice(_PEOPLE)}, {rng.choice(_INITIALS)}"
                if p not in people:
                    people.append(p)
            if not people:
                continue
            full = (", ".join(people[:-1]) + " & " + people[-1]) if len(people) > 1 else people[0]
            w("credits.csv", (aid, tid, sci, role, full, "true", "", ""))
            for k, p in enumerate(people, 1):
                w("credits.csv", (aid, tid, sci, role, "", "false", p, k))

    def _taxon_rows(
        self, tax: _Taxon, home: _Site, out: dict[str, _Writer], counts: dict[str, int]
    ) -> None:
        rng = self.rng
        fam = tax.fam
        sci = tax.name

        def w(fname: str, row: Sequence[object]) -> None:
            out[fname].writerow(row)
            counts[fname] += 1

        synonyms: list[tuple[str, str, str]] = []
        if not tax.subpopulation and not tax.infra_name and rng.random() < 0.15:
            for _ in range(rng.choice((1, 1, 2))):
                if rng.random() < 0.6:
                    g = self._genus_name(fam)
                    e = tax.epithet
                else:
                    g = tax.genus
                    e = tax.epithet[:-2] + rng.choice(("a", "um", "is", "ea"))
                if e == tax.epithet and g == tax.genus:
                    continue
                synonyms.append((g, e, self._authority(1840, 1960)))
            if synonyms and rng.random() < 0.6:
                g0 = synonyms[0][0]
                tax.notes = rng.choice(
                    (
                        f"This species was previously placed in the genus <em>{g0}</em>"
                        f"{self._cite() or ' (Synthetica 2015)'}.",
                        f"Formerly treated as <em>{g0} {synonyms[0][1]}</em>.",
                    )
                )
        if not tax.notes and rng.random() < 0.04:
            tax.notes = (
                f"The taxonomic status of populations outside {home.name} requires confirmation."
            )
        w(
            "taxonomy.csv",
            (
                tax.taxon_id,
                sci,
                "ANIMALIA",
                fam.phylum,
                fam.order,
                fam.class_,
                fam.family,
                tax.genus,
                tax.epithet,
                tax.infra_type,
                tax.infra_name,
                tax.infra_authority,
                tax.subpopulation,
                tax.authority,
                tax.notes,
            ),
        )
        for g, e, auth in synonyms:
            w("synonyms.csv", (tax.taxon_id, sci, f"{g} {e}", g, e, auth, "", ""))
        # common names
        if rng.random() < 0.75:
            grp = tax.group
            adj = rng.choice(
                (home.short, home.short, rng.choice(("Fictive", "Imaginary", "Phantom", "Mock")))
            )
            noun = grp.noun
            if grp.key == "fish":
                noun = rng.choice(("Barb", "Rasbora", "Loach", "Catfish", "Gourami"))
            elif grp.key == "frog":
                noun = rng.choice(("Frog", "Tree Frog", "Stream Frog", "Litter Frog"))
            elif grp.key == "primate":
                noun = rng.choice(("Leaf Monkey", "Gibbon", "Slow Loris", "Macaque"))
            elif grp.key == "coral":
                noun = rng.choice(("Staghorn Coral", "Brain Coral", "Table Coral"))
            if tax.infra_name:
                noun += f" ({tax.infra_name.capitalize()})"
            w("common_names.csv", (tax.taxon_id, sci, f"{adj} {noun}", "English", "true"))
            if grp.noun_ms and rng.random() < 0.35:
                lang = "Malay" if "MY" in home.countries else "Indonesian"
                w(
                    "common_names.csv",
                    (tax.taxon_id, sci, f"{grp.noun_ms} {home.short}", lang, "false"),
                )
            if rng.random() < 0.1:
                w(
                    "common_names.csv",
                    (
                        tax.taxon_id,
                        sci,
                        f"{grp.noun_fr} imaginé de {home.short}",
                        "French",
                        "false",
                    ),
                )

    # ---- main loop -------------------------------------------------------------------

    def run(self, out: dict[str, _Writer], counts: dict[str, int], progress: bool) -> None:
        rng = self.rng
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=self.n, unit="taxa", desc="synthetic download")
        group_weights = [(g.key, g.weight) for g in _GROUPS]
        groups = {g.key: g for g in _GROUPS}
        genus_left = 0
        genus = ""
        fam: _Family | None = None
        group: _Group | None = None
        genus_site: _Site | None = None
        epithets: set[str] = set()
        last: _Taxon | None = None
        tid_base, aid_base = 9_000_000, 900_000_000
        for i in range(self.n):
            special = i % 100
            if genus_left <= 0 or fam is None or group is None or genus_site is None:
                group = groups[_wchoice(rng, group_weights)]
                fam = rng.choice(group.families)
                genus = self._genus_name(fam)
                genus_site = self._pick_site(group)
                genus_left = min(1 + int(rng.expovariate(0.3)), 15)
                epithets = set()
            genus_left -= 1
            home = genus_site if rng.random() < 0.75 else self._pick_site(group)
            tid = tid_base + i * 5 + rng.randrange(5)
            aid = aid_base + i * 20 + rng.randrange(10)
            is_ssp = special in (5, 17, 41) and last is not None
            is_subpop = i % 500 == 29 and last is not None
            if (is_ssp or is_subpop) and last is not None:
                # an infraspecific taxon or subpopulation of the previous species
                tax = _Taxon(tid, last.group, last.fam, last.genus, last.epithet, last.authority)
                if is_ssp:
                    tax.infra_type = "ssp."
                    tax.infra_name = self._epithet(home, {last.epithet})
                    tax.infra_authority = self._authority(1900, 2024)
                else:
                    tax.subpopulation = f"{home.short} subpopulation"
            else:
                tax = _Taxon(
                    tid, group, fam, genus, self._epithet(home, epithets), self._authority()
                )
            category = _wchoice(rng, _CATEGORY_WEIGHTS)
            if special == 11:
                category = "DD"
            year = rng.randint(2008, 2025)
            two = i % 30 == 3 or rng.random() < 0.01
            self._taxon_rows(tax, home, out, counts)
            if two:
                year = max(year, 2016)
                old_year = rng.randint(2008, year - 4)
                old_cat = (
                    {"CR": "EN", "EN": "VU", "VU": "NT", "NT": "LC"}.get(category, category)
                    if rng.random() < 0.6
                    else category
                )
                old = self._assessment(
                    aid + 10, tax, home, category=old_cat, year=old_year, old=True
                )
                self._rows(tax, old, out, counts)
            a = self._assessment(aid, tax, home, category=category, year=year, old=False)
            self._rows(tax, a, out, counts)
            if not tax.infra_name and not tax.subpopulation:
                last = tax
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()


_README = """\
SYNTHETIC DATA - NOT IUCN RED LIST DATA
=======================================

Every taxon, assessment, site, person, common name and sentence in this folder is
FICTIONAL. The files were generated by assess2plan (module kg.synth) from a random
seed; they are not, and are not derived from, assessments published on the IUCN Red
List of Threatened Species. Any resemblance to real taxa, places or people is
coincidental. Fictional markers: every genus name starts with "Fict" and every
authority names "Synthetica".

The folder imitates the FORMAT of the IUCN Red List website's multi-file CSV download
(file names, columns, value vocabularies, UTF-8, "|" for multi-values) so that software
written for real downloads can be demonstrated and tested without redistributing IUCN
data. Classification codes and their labels (threats, stresses, conservation actions,
research needed, habitats, countries, Large Marine Ecosystems) are those of the public
IUCN classification schemes; their assignment to taxa here is random.

Do not use these files for any conservation, scientific or policy purpose.

Generator settings: species={species} seed={seed} region={region}
Files:
{files}
"""


def write_download(
    out_dir: Path,
    *,
    species: int = 300,
    seed: int = 7,
    region: str = "sunda",
    progress: bool = False,
) -> dict[str, int]:
    """Write a synthetic, fictional Red List website download into `out_dir`.

    Creates the folder if needed and (over)writes the CSV files listed in `FILES` plus
    `README_SYNTHETIC.txt`. `species` is the number of taxa (a few taxa get two
    assessments, so assessments.csv has slightly more rows). Output is byte-identical for
    the same arguments. Returns the number of data rows (header excluded) per CSV file.
    """
    if species < 0:
        raise ValueError("species must be >= 0")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    gen = _Generator(species, seed, region)
    counts = dict.fromkeys(FILES, 0)
    handles = {}
    try:
        writers: dict[str, _Writer] = {}
        for fname, header in FILES.items():
            fh = open(out_dir / fname, "w", encoding="utf-8", newline="")  # noqa: SIM115
            handles[fname] = fh
            writers[fname] = csv.writer(fh)
            writers[fname].writerow(header)
        gen.run(writers, counts, progress)
    finally:
        for fh in handles.values():
            fh.close()
    files = "\n".join(f"  {name}: {n} rows" for name, n in counts.items())
    (out_dir / README_NAME).write_text(
        _README.format(species=species, seed=seed, region=region, files=files),
        encoding="utf-8",
        newline="\n",
    )
    return counts
