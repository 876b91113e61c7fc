"""kg.planning.sources — readers for the research tables planning is evaluated on (not shipped).

These read files a developer has locally (../shared/data); nothing they return may be
committed (IUCN terms: no redistribution of Red List data or derivatives). Each reader
returns profiles or evidence maps keyed the way `kg.planning.labels.LabelContext` expects.

- `target3(dir)`: Target-3 flags per scientific name (Bolam et al. 2021, species needing
  recovery action: `actions`, `smallpop`, `other_threats`).
- `target2021_profiles(dir)`: ~7,000 threatened species with coded actions needed and
  level-2 threats × stresses (no places, habitats or text).
- `genus_taxonomy(file)`: genus -> class, order, family from the CITES Species+ index.
- `exsitu_evidence(dir)`: ex situ strategy and need per species (Staerk et al., EU vertebrates).
- `primates_bundle(dir)`: a Red List download of assessments.csv only plus the coded actions
  and level-2 threats joined to it, read leniently (unknown scope labels are kept as text).
"""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from kg.ingest import read_source
from kg.planning.profile import Profile, ThreatFact, profiles_from_bundle
from kg.records import Action, Assessment, Bundle, Taxon, ThreatImpact
from kg.schemes import load_schemes

_CATEGORY_TEXT = {
    "critically endangered": "CR",
    "endangered": "EN",
    "vulnerable": "VU",
    "near threatened": "NT",
    "least concern": "LC",
    "data deficient": "DD",
    "extinct in the wild": "EW",
    "extinct": "EX",
}
_TEXT_FIELDS = {
    "rationale": "rationale",
    "habitat": "habitat",
    "threats": "threats",
    "population": "population",
    "range": "range",
    "useTrade": "use_trade",
    "conservationActions": "conservation_actions",
}


def _rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with open(path, encoding=encoding, newline="", errors="replace") as fh:
        return list(csv.DictReader(fh))


def category_code(text: str) -> str:
    t = text.strip()
    return _CATEGORY_TEXT.get(t.lower(), load_schemes()["categories"].code_for(t) or t)


def target3(folder: Path) -> dict[str, dict[str, str]]:
    out = {}
    for r in _rows(Path(folder) / "target3_eligible.csv"):
        out[r["scientificName"].strip()] = {
            "actions": r.get("actions", ""),
            "smallpop": r.get("smallpop", ""),
            "other_threats": r.get("other_threats", ""),
            "category": category_code(r.get("redlistCategory", "")),
        }
    return out


def genus_taxonomy(cites_index: Path) -> dict[str, tuple[str, str, str]]:
    """Genus -> (class, order, family) from the CITES Species+ index (plain or gzipped CSV)."""
    opener = gzip.open if str(cites_index).endswith(".gz") else open
    out: dict[str, tuple[str, str, str]] = {}
    with opener(cites_index, "rt", encoding="utf-8", newline="", errors="replace") as fh:
        for r in csv.DictReader(fh):
            g = (r.get("Genus") or "").strip()
            if g and g not in out:
                out[g] = tuple((r.get(k) or "").strip() for k in ("Class", "Order", "Family"))  # type: ignore[assignment]
    return out


CITES_INDEX = Path("cites-index-2017") / "Index_of_CITES_Species_2017-04-21.csv.gz"


def sibling_taxonomy(folder: Path) -> dict[str, tuple[str, str, str]] | None:
    """Genus -> (class, order, family) from the CITES index next to `folder` (../shared/data), if there."""
    path = Path(folder).resolve().parent / CITES_INDEX
    return genus_taxonomy(path) if path.is_file() else None


def target2021_profiles(folder: Path, taxonomy: Mapping[str, tuple[str, str, str]] | None = None) -> list[Profile]:
    """Threatened species of the 2021 coded tables as profiles (threats level 2, actions needed).

    `taxonomy`: genus -> (class, order, family) where known (the tables name species only)."""
    folder = Path(folder)
    taxonomy = taxonomy or {}
    flags = target3(folder)
    actions: dict[str, set[str]] = defaultdict(set)
    ids: dict[str, tuple[str, str]] = {}
    for r in _rows(folder / "actions_needed.csv"):
        name = r["scientificName"].strip()
        actions[name].add(r["code"].strip())
        ids[name] = (r["assessmentId"].strip(), r["internalTaxonId"].strip())
    threats: dict[str, dict[str, None]] = defaultdict(dict)
    stresses: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in _rows(folder / "threats_stresses.csv"):
        name, code = r["scientificName"].strip(), r["thr_lev2"].strip()
        if code and code != "NA":
            threats[name][code] = None
            stresses[(name, code)].add(r.get("stressName", ""))
    out = []
    for n, (name, f) in enumerate(sorted(flags.items())):
        aid, tid = ids.get(name, (f"t3-{n}", f"t3-{n}"))
        genus = name.split(" ", 1)[0]
        cls, order, family = taxonomy.get(genus, ("", "", ""))
        out.append(
            Profile(
                assessment_id=aid,
                taxon_id=tid,
                name=name,
                category=f["category"],
                class_=cls,
                order=order,
                family=family,
                genus=genus,
                threats=tuple(
                    ThreatFact(c, "Ongoing", stresses=tuple(sorted(stresses[(name, c)]))) for c in threats.get(name, {})
                ),
                actions=tuple(sorted(actions.get(name, ()))),
            )
        )
    return out


def exsitu_evidence(folder: Path) -> dict[str, dict[str, str]]:
    """Scientific name -> strategy (W/Z/B/N), exsitu_needed, exsitu_in_place, zoo holdings, programme."""
    folder = Path(folder)
    out: dict[str, dict[str, str]] = {}
    for r in _rows(folder / "SupplementalFile1_EUSpeciesData.csv", "latin-1"):
        name = (r.get("iucn.species") or r.get("gbif.species") or "").strip()
        programme = any(r.get(k, "0") == "1" for k in ("eep", "esb", "aark"))
        out[name] = {
            "exsitu_needed": r.get("redlist.exsitu.needed", ""),
            "exsitu_in_place": r.get("redlist.exsitu", ""),
            "zoo_holdings": r.get("nr.zoos.global", ""),
            "breeding_programme": "1" if programme else "0",
            "category": r.get("redlist.europe", ""),
            "class": r.get("class", ""),
        }
        g = (r.get("gbif.species") or "").strip()
        if g and g != name:
            out[g] = out[name]
    for r in _rows(folder / "RankingEUSpecies.csv", "latin-1"):
        name = r["gbif.species"].strip()
        out.setdefault(name, {})["strategy"] = r.get("net.strategy", "")
    return out


def primates_bundle(folder: Path) -> Bundle:
    """assessments.csv + conservation_needed.csv + threats_level2_2021.csv, read leniently."""
    folder = Path(folder)
    rows = _rows(folder / "assessments.csv")
    taxa, assessments = {}, []
    for r in rows:
        tid = r["internalTaxonId"].strip()
        name = r["scientificName"].strip()
        taxa[tid] = Taxon(
            taxon_id=tid, scientific_name=name, class_name="MAMMALIA", order="PRIMATES", genus=name.split(" ")[0]
        )
        d = r.get("assessmentDate", "")[:10]
        assessments.append(
            Assessment(
                assessment_id=r["assessmentId"].strip(),
                taxon_id=tid,
                scientific_name=name,
                category=category_code(r["redlistCategory"]),
                criteria=r.get("redlistCriteria", ""),
                assessment_date=date.fromisoformat(d) if len(d) == 10 else None,
                year_published=int(r["yearPublished"]) if r.get("yearPublished", "").isdigit() else None,
                population_trend=r.get("populationTrend", ""),
                possibly_extinct=r.get("possiblyExtinct", "").lower() == "true",
                possibly_extinct_in_the_wild=r.get("possiblyExtinctInTheWild", "").lower() == "true",
                texts={k: r.get(col, "") for col, k in _TEXT_FIELDS.items() if r.get(col, "").strip()},
            )
        )
    actions = [
        Action(assessment_id=r["assessmentId"].strip(), code=r["code"].strip(), note=r.get("note", ""))
        for r in _rows(folder / "conservation_needed.csv")
    ]
    threats = [
        ThreatImpact(assessment_id=r["assessmentId"].strip(), code=r["code"].strip(), timing="Ongoing")
        for r in _rows(folder / "threats_level2_2021.csv")
    ]
    return Bundle(
        taxa=tuple(taxa.values()), assessments=tuple(assessments), actions=tuple(actions), threats=tuple(threats)
    )


def export_profiles(folder: Path) -> list[Profile]:
    """Profiles of a standard Red List download (kg.ingest), latest assessment per taxon."""
    return profiles_from_bundle(read_source(Path(folder)))
