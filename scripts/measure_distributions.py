"""Measure the shape of real Red List material and record it as numbers for kg.synth.

    python scripts/measure_distributions.py [--data ../shared/data] [--out kg/distributions/redlist.json]

Reads the real exports in the shared data folder (development only, never committed):
redlist-export-pacific-marine-2019 (a complete website download), redlist-export-primates
(assessments and coded actions) and coded-species-target-2021 (coded actions and threats of
about 7k threatened species). Writes only aggregates: category shares, histograms of threats,
actions and countries per assessment (by category group), and quantiles of narrative text
lengths. No names, ids or text leave the data folder. `kg.synth` draws from the output.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.ingest import EXPORT_FIELDS  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "kg" / "distributions" / "redlist.json"

PACIFIC = "redlist-export-pacific-marine-2019"
PRIMATES = "redlist-export-primates"
CODED = "coded-species-target-2021"

CATEGORY_CODES = {
    "Least Concern": "LC",
    "Near Threatened": "NT",
    "Vulnerable": "VU",
    "Endangered": "EN",
    "Critically Endangered": "CR",
    "Data Deficient": "DD",
    "Extinct": "EX",
    "Extinct in the Wild": "EW",
    "Lower Risk/least concern": "LR/lc",
    "Lower Risk/near threatened": "LR/nt",
    "Lower Risk/conservation dependent": "LR/cd",
}
GROUPS = {"VU": "threatened", "EN": "threatened", "CR": "threatened", "NT": "NT", "DD": "DD", "LC": "LC"}
TEXT_COLUMNS = {col: col for col in EXPORT_FIELDS}  # narrative columns of assessments.csv
QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)


def rows(path: Path) -> Iterable[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def quantiles(values: list[int]) -> dict[str, int]:
    values = sorted(values)
    if not values:
        return {}
    return {f"{q:g}": values[min(len(values) - 1, int(q * len(values)))] for q in QUANTILES}


def histogram(per: Counter[str], ids: Iterable[str]) -> dict[str, int]:
    """How many assessments have 0, 1, 2, ... rows (ids without rows count as 0)."""
    h = Counter(per.get(i, 0) for i in ids)
    return {str(k): h[k] for k in sorted(h)}


def measure(data: Path) -> dict[str, object]:
    assessments: dict[str, dict[str, str]] = {}  # assessment id -> category code, source
    texts: dict[str, list[int]] = defaultdict(list)
    text_present: Counter[str] = Counter()
    sources: dict[str, int] = {}
    for folder in (PACIFIC, PRIMATES):
        n = 0
        for r in rows(data / folder / "assessments.csv"):
            n += 1
            code = CATEGORY_CODES.get(r["redlistCategory"].strip(), r["redlistCategory"].strip())
            assessments[r["assessmentId"]] = {"category": code, "source": folder}
            for col, key in TEXT_COLUMNS.items():
                text = (r.get(col) or "").strip()
                if text:
                    texts[key].append(len(text))
                    text_present[key] += 1
        sources[f"{folder}/assessments.csv"] = n
    n_assessments = len(assessments)

    def per_assessment(path: Path) -> Counter[str]:
        c: Counter[str] = Counter()
        keys: set[tuple[str, str]] = set()
        for r in rows(path):
            key = (r["assessmentId"], r["code"])
            if key not in keys:  # one row per stress in some downloads
                keys.add(key)
                c[r["assessmentId"]] += 1
        sources[str(path.relative_to(data))] = len(keys)
        return c

    def by_group(per: Counter[str], ids: Iterable[str]) -> dict[str, dict[str, int]]:
        grouped: dict[str, list[str]] = defaultdict(list)
        for i in ids:
            g = GROUPS.get(assessments[i]["category"]) if i in assessments else "threatened"
            if g:
                grouped[g].append(i)
        return {g: histogram(per, grouped[g]) for g in sorted(grouped)}

    pacific_ids = [i for i, a in assessments.items() if a["source"] == PACIFIC]
    threats = per_assessment(data / PACIFIC / "threats.csv")
    countries = per_assessment(data / PACIFIC / "countries.csv")
    actions = per_assessment(data / PACIFIC / "conservation_needed.csv")
    # coded actions of threatened species at large (Bolam et al.): only species with at least
    # one coded action are listed, so they give the shape of the non-empty part
    coded = per_assessment(data / CODED / "actions_needed.csv")
    coded_threats: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for r in rows(data / CODED / "threats_stresses.csv"):
        key = (r["scientificName"], r["thr_lev2"])
        if key not in seen:
            seen.add(key)
            coded_threats[r["scientificName"]] += 1
    sources[f"{CODED}/threats_stresses.csv"] = len(seen)

    categories = Counter(a["category"] for a in assessments.values())
    return {
        "about": (
            "Aggregates measured by scripts/measure_distributions.py from real Red List material "
            "(development only); numbers, not data. kg.synth draws from them."
        ),
        "sources": sources,
        "assessments": n_assessments,
        "categories": {k: categories[k] for k in sorted(categories)},
        "threats_per_assessment": by_group(threats, pacific_ids),
        "actions_per_assessment": by_group(actions, pacific_ids),
        "countries_per_assessment": by_group(countries, pacific_ids),
        "coded_actions_per_threatened_species": histogram(coded, list(coded)),
        "coded_threats_per_threatened_species": histogram(coded_threats, list(coded_threats)),
        "text_share": {k: round(text_present[k] / n_assessments, 4) for k in TEXT_COLUMNS.values()},
        "text_length_quantiles": {k: quantiles(texts[k]) for k in TEXT_COLUMNS.values()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    if not (args.data / PACIFIC).is_dir():
        raise SystemExit(f"{args.data}: no {PACIFIC} folder (the shared development data)")
    result = measure(args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
