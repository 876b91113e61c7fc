"""Tests for kg.synth — the synthetic (fictional) Red List website download."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from kg import synth
from kg.synth import write_download

N = 60
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
REAL_EXPORT = SHARED / "redlist-export-pacific-marine-2019"
SCHEMES = SHARED / "iucn-schemes"

# Headers of the IUCN Red List website download (format, not data), copied from the first
# lines of a real download; research_needed, common_names, synonyms and credits were not in
# that download and follow the documented column lists of the same download type.
EXPECTED_HEADERS: dict[str, list[str]] = {
    "assessments.csv": (
        "assessmentId,internalTaxonId,scientificName,redlistCategory,redlistCriteria,"
        "yearPublished,assessmentDate,criteriaVersion,language,rationale,habitat,"
        "threats,population,populationTrend,range,useTrade,systems,conservationActions,"
        "realm,yearLastSeen,possiblyExtinct,possiblyExtinctInTheWild,scopes"
    ).split(","),
    "taxonomy.csv": (
        "internalTaxonId,scientificName,kingdomName,phylumName,orderName,className,"
        "familyName,genusName,speciesName,infraType,infraName,infraAuthority,"
        "subpopulationName,authority,taxonomicNotes"
    ).split(","),
    "simple_summary.csv": (
        "assessmentId,internalTaxonId,scientificName,kingdomName,phylumName,orderName,"
        "className,familyName,genusName,speciesName,infraType,infraName,infraAuthority,"
        "authority,redlistCategory,redlistCriteria,criteriaVersion,populationTrend,"
        "scopes"
    ).split(","),
    "threats.csv": (
        "assessmentId,internalTaxonId,scientificName,code,name,stressCode,stressName,"
        "ancestry,ias,internationalTrade,scope,severity,text,timing,virus"
    ).split(","),
    "conservation_needed.csv": ("assessmentId,internalTaxonId,scientificName,code,name,note").split(
        ","
    ),
    "research_needed.csv": ("assessmentId,internalTaxonId,scientificName,code,name,note").split(
        ","
    ),
    "habitats.csv": (
        "assessmentId,internalTaxonId,scientificName,code,name,majorImportance,season,suitability"
    ).split(","),
    "countries.csv": (
        "assessmentId,internalTaxonId,scientificName,code,name,presence,origin,"
        "seasonality,formerlyBred"
    ).split(","),
    "lme.csv": (
        "assessmentId,internalTaxonId,scientificName,code,name,formerlyBred,origin,"
        "presence,seasonality"
    ).split(","),
    "common_names.csv": ("internalTaxonId,scientificName,name,language,main").split(","),
    "synonyms.csv": (
        "internalTaxonId,scientificName,name,genusName,speciesName,speciesAuthor,"
        "infraType,infrarankAuthor"
    ).split(","),
    "credits.csv": ("assessmentId,internalTaxonId,scientificName,type,text,full,value,order").split(
        ","
    ),
}

CATEGORIES = {
    "Least Concern",
    "Near Threatened",
    "Vulnerable",
    "Endangered",
    "Critically Endangered",
    "Data Deficient",
}
THREATENED = {"Vulnerable", "Endangered", "Critically Endangered"}
TIMINGS = {"Ongoing", "Past, Unlikely to Return", "Future", "Past, Likely to Return"}
SCOPES = {"", "Whole (>90%)", "Majority (50-90%)", "Minority (<50%)", "Unknown"}
SEVERITIES = {
    "",
    "Very Rapid Declines",
    "Rapid Declines",
    "Slow, Significant Declines",
    "Causing/Could cause fluctuations",
    "Negligible declines",
    "No decline",
    "Unknown",
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2} 00:00:00 UTC$")


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("synth7")
    counts = write_download(folder, species=N, seed=7)
    return folder, counts


@pytest.fixture(scope="module")
def tables(out: tuple[Path, dict[str, int]]) -> dict[str, list[dict[str, str]]]:
    folder, _ = out
    return {name: _read(folder, name) for name in EXPECTED_HEADERS}


def test_files_and_headers(out: tuple[Path, dict[str, int]]) -> None:
    folder, counts = out
    assert set(counts) == set(EXPECTED_HEADERS)
    for name, header in EXPECTED_HEADERS.items():
        raw = (folder / name).read_bytes()
        first = raw.split(b"\r\n", 1)[0].decode("utf-8")
        assert first.split(",") == header, name
        assert not raw.startswith(b"\xef\xbb\xbf"), f"{name} has a BOM"
    assert (folder / "README_SYNTHETIC.txt").is_file()


@pytest.mark.shared_data
def test_headers_match_real_download() -> None:
    if not REAL_EXPORT.is_dir():
        pytest.skip("shared data not available")
    for path in sorted(REAL_EXPORT.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            real = next(csv.reader(fh))
        assert EXPECTED_HEADERS[path.name] == real, path.name


def test_counts_and_parse(
    out: tuple[Path, dict[str, int]], tables: dict[str, list[dict[str, str]]]
) -> None:
    folder, counts = out
    for name, rows in tables.items():
        assert counts[name] == len(rows), name
        assert all(None not in row for row in rows), f"{name}: ragged row"
        assert (folder / name).read_bytes().endswith(b"\r\n"), name
    assert len(tables["taxonomy.csv"]) == N
    assert len(tables["assessments.csv"]) == len(tables["simple_summary.csv"]) > N
    for name in ("lme.csv", "common_names.csv", "synonyms.csv", "research_needed.csv"):
        assert tables[name], f"{name} is empty"


def test_deterministic(out: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    folder, counts = out
    again = write_download(tmp_path / "again", species=N, seed=7)
    assert again == counts
    for name in [*EXPECTED_HEADERS, "README_SYNTHETIC.txt"]:
        assert (tmp_path / "again" / name).read_bytes() == (folder / name).read_bytes(), name


def test_different_seed_differs(out: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    folder, _ = out
    write_download(tmp_path / "other", species=N, seed=8)
    for name in ("assessments.csv", "taxonomy.csv", "threats.csv"):
        assert (tmp_path / "other" / name).read_bytes() != (folder / name).read_bytes()


def test_referential_integrity(tables: dict[str, list[dict[str, str]]]) -> None:
    taxon_of = {a["assessmentId"]: a["internalTaxonId"] for a in tables["assessments.csv"]}
    assert len(taxon_of) == len(tables["assessments.csv"]), "duplicate assessmentId"
    taxa = [t["internalTaxonId"] for t in tables["taxonomy.csv"]]
    assert len(set(taxa)) == len(taxa), "taxonomy.csv must have one row per taxon"
    assert set(taxon_of.values()) == set(taxa)
    for name in (
        "simple_summary.csv",
        "threats.csv",
        "conservation_needed.csv",
        "research_needed.csv",
        "habitats.csv",
        "countries.csv",
        "lme.csv",
        "credits.csv",
    ):
        for row in tables[name]:
            assert row["assessmentId"] in taxon_of, name
            assert taxon_of[row["assessmentId"]] == row["internalTaxonId"], name
    for name in ("common_names.csv", "synonyms.csv"):
        for row in tables[name]:
            assert row["internalTaxonId"] in set(taxa), name
    # every assessment has at least one country and one habitat
    assert {r["assessmentId"] for r in tables["countries.csv"]} == set(taxon_of)
    assert {r["assessmentId"] for r in tables["habitats.csv"]} == set(taxon_of)


def test_codes_in_embedded_lists(tables: dict[str, list[dict[str, str]]]) -> None:
    for r in tables["threats.csv"]:
        assert synth.THREATS[r["code"]] == r["name"]
        stresses = r["stressCode"].split("|") if r["stressCode"] else []
        names = r["stressName"].split("|") if r["stressName"] else []
        assert [synth.STRESSES[c] for c in stresses] == names
        assert r["timing"] in TIMINGS
        assert r["scope"] in SCOPES and r["severity"] in SEVERITIES
        assert r["internationalTrade"] in {"", "Yes", "No"}
        assert r["ancestry"] == r["virus"] == ""
    for r in tables["conservation_needed.csv"]:
        assert synth.ACTIONS[r["code"]] == r["name"]
    for r in tables["research_needed.csv"]:
        assert synth.RESEARCH[r["code"]] == r["name"]
    for r in tables["habitats.csv"]:
        assert synth.HABITATS[r["code"]] == r["name"]
        assert r["suitability"] in {"Suitable", "Marginal", "Unknown"}
        assert r["majorImportance"] in {"", "Yes", "No"}
    for r in tables["countries.csv"]:
        assert synth.COUNTRIES[r["code"]] == r["name"]
        assert r["seasonality"] in {"", '["Resident"]'}
    for r in tables["lme.csv"]:
        assert synth.LMES[r["code"]] == r["name"]


@pytest.mark.shared_data
def test_embedded_labels_match_official_code_lists() -> None:
    if not SCHEMES.is_dir():
        pytest.skip("shared data not available")

    def load(name: str) -> dict[str, str]:
        with open(SCHEMES / name, encoding="utf-8", newline="") as fh:
            return {r["code"]: r["label_en"] for r in csv.DictReader(fh)}

    for embedded, name in (
        (synth.THREATS, "api_v4_threats_v3.3.csv"),
        (synth.ACTIONS, "api_v4_conservation_actions_v2.0.csv"),
        (synth.RESEARCH, "api_v4_research_needed.csv"),
        (synth.STRESSES, "api_v4_stresses_v1.1.csv"),
        (synth.HABITATS, "api_v4_habitats_v3.1.csv"),
        (synth.COUNTRIES, "api_v4_countries_iso2.csv"),
    ):
        official = load(name)
        for code, label in embedded.items():
            assert official.get(code) == label, (name, code)


def test_value_vocabularies(tables: dict[str, list[dict[str, str]]]) -> None:
    for a in tables["assessments.csv"]:
        assert a["redlistCategory"] in CATEGORIES
        assert DATE.match(a["assessmentDate"])
        assert 2008 <= int(a["yearPublished"]) <= 2025
        assert int(a["assessmentDate"][:4]) <= int(a["yearPublished"])
        assert a["criteriaVersion"] == "3.1" and a["language"] == "English"
        assert a["scopes"] == "Global"
        assert a["possiblyExtinct"] in {"true", "false"}
        assert a["possiblyExtinctInTheWild"] in {"true", "false"}
        assert a["populationTrend"] in {"Increasing", "Decreasing", "Stable", "Unknown"}
        assert (a["redlistCriteria"] != "") == (a["redlistCategory"] in THREATENED)
        for system in a["systems"].split("|"):
            assert system in {"Terrestrial", "Freshwater (=Inland waters)", "Marine"}
        assert a["rationale"] and a["threats"] and a["range"] and a["habitat"]
    for r in tables["common_names.csv"]:
        assert r["main"] in {"true", "false"}
    for r in tables["credits.csv"]:
        assert r["type"] in {"Assessor", "Reviewer", "Contributor", "Facilitator"}
        assert r["full"] in {"true", "false"}
    markup = "".join(a["rationale"] + a["threats"] for a in tables["assessments.csv"])
    assert "<em>" in markup and "<p>" in markup


def test_empty_conservation_fraction(tables: dict[str, list[dict[str, str]]]) -> None:
    coded = Counter(r["assessmentId"] for r in tables["conservation_needed.csv"])
    threatened = [a for a in tables["assessments.csv"] if a["redlistCategory"] in THREATENED]
    assert threatened
    empty = [a for a in threatened if not coded[a["assessmentId"]] and not a["conservationActions"]]
    assert 0.15 <= len(empty) / len(threatened) <= 0.50
    # the others have actions: coded rows and narrative go together
    for a in threatened:
        if a not in empty:
            assert a["conservationActions"]


def test_fictional_markers(
    out: tuple[Path, dict[str, int]], tables: dict[str, list[dict[str, str]]]
) -> None:
    folder, _ = out
    for t in tables["taxonomy.csv"]:
        assert t["genusName"].startswith("Fict")
        assert t["scientificName"].startswith(t["genusName"] + " ")
        assert "Synthetica" in t["authority"]
        assert t["kingdomName"] == "ANIMALIA"
    for s in tables["synonyms.csv"]:
        assert s["genusName"].startswith("Fict") and "Synthetica" in s["speciesAuthor"]
    readme = (folder / "README_SYNTHETIC.txt").read_text(encoding="utf-8")
    assert "FICTIONAL" in readme and "assess2plan" in readme and "NOT IUCN" in readme


def test_special_taxa(tables: dict[str, list[dict[str, str]]]) -> None:
    per_taxon: dict[str, list[dict[str, str]]] = defaultdict(list)
    for a in tables["assessments.csv"]:
        per_taxon[a["internalTaxonId"]].append(a)
    twice = [rows for rows in per_taxon.values() if len(rows) == 2]
    assert twice, "at least one taxon must have two assessments"
    for old, new in (sorted(rows, key=lambda a: a["yearPublished"]) for rows in twice):
        assert old["assessmentId"] != new["assessmentId"]
        assert old["yearPublished"] < new["yearPublished"]
    taxa = tables["taxonomy.csv"]
    assert any(t["infraType"] == "ssp." and t["infraName"] and t["infraAuthority"] for t in taxa)
    assert any(t["subpopulationName"] for t in taxa)
    assert any(a["redlistCategory"] == "Data Deficient" for a in tables["assessments.csv"])
    for t in taxa:
        if t["infraName"]:
            assert t["scientificName"].endswith(f" ssp. {t['infraName']}")


def test_shared_structure(tables: dict[str, list[dict[str, str]]]) -> None:
    """Species cluster by place and threat: several share a threat within a country."""
    countries: dict[str, set[str]] = defaultdict(set)
    for r in tables["countries.csv"]:
        countries[r["assessmentId"]].add(r["code"])
    shared = Counter(
        (r["code"], c) for r in tables["threats.csv"] for c in countries[r["assessmentId"]]
    )
    assert shared.most_common(1)[0][1] >= 5
    per = Counter(r["assessmentId"] for r in tables["threats.csv"])
    assert max(per.values()) <= synth.MAX_THREATS
    assert all(1 <= len(v) <= 4 for v in countries.values())
    named = "Lake Fictara", "Sungai Imajin river", "Bukit Rekaan peat swamp"
    text = "".join(a["range"] for a in tables["assessments.csv"])
    assert any(n in text for n in named)


def test_rejects_unknown_region(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_download(tmp_path, species=1, region="atlantis")


# --------------------------------------------------------------------------- measured shapes

SHAPE_N = 1500


@pytest.fixture(scope="module")
def shaped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]]]:
    folder = tmp_path_factory.mktemp("synth-shape")
    write_download(folder, species=SHAPE_N, seed=21)
    return {n: _read(folder, n) for n in ("assessments.csv", "threats.csv", "conservation_needed.csv")}


def _mean(hist: dict[str, float]) -> float:
    return sum(int(k) * n for k, n in hist.items()) / sum(hist.values())


def _capped(name: str, cap: int) -> dict[str, float]:
    out: dict[str, float] = {}
    for k, n in synth.distributions()[name].items():
        key = str(min(int(k), cap))
        out[key] = out.get(key, 0) + n
    return out


def test_recorded_distributions_are_numbers_only() -> None:
    d = synth.distributions()
    assert set(d) >= {"categories", "threats_per_assessment", "actions_per_assessment",
                      "countries_per_assessment", "text_length_quantiles"}
    text = synth.DISTRIBUTIONS.read_text(encoding="utf-8")
    # aggregates only: no scientific names, ids or narrative sentences
    assert not re.search(r"\b[A-Z][a-z]+ [a-z]{4,}\b(?! [a-z])", json_values(d))
    assert not re.search(r"\d{6,}", text)


def json_values(d: object) -> str:
    if isinstance(d, dict):
        return " ".join(json_values(v) for k, v in d.items() if k not in ("about",))
    return str(d)


def test_categories_follow_recorded_shares(shaped: dict[str, list[dict[str, str]]]) -> None:
    names = {"Least Concern": "LC", "Near Threatened": "NT", "Vulnerable": "VU", "Endangered": "EN",
             "Critically Endangered": "CR", "Data Deficient": "DD"}
    got = Counter(names[a["redlistCategory"]] for a in shaped["assessments.csv"])
    rec = {c: n for c, n in synth.distributions()["categories"].items() if c in names.values()}
    total_got, total_rec = sum(got.values()), sum(rec.values())
    for c, n in rec.items():
        assert abs(got[c] / total_got - n / total_rec) < 0.05, c


def test_threats_and_actions_per_threatened_assessment(shaped: dict[str, list[dict[str, str]]]) -> None:
    threatened = {a["assessmentId"] for a in shaped["assessments.csv"] if a["redlistCategory"] in THREATENED}
    per_threat = Counter(r["assessmentId"] for r in shaped["threats.csv"] if r["assessmentId"] in threatened)
    per_action = Counter(
        r["assessmentId"] for r in shaped["conservation_needed.csv"] if r["assessmentId"] in threatened
    )
    rec_t = _mean(_capped("coded_threats_per_threatened_species", synth.MAX_THREATS))
    rec_a = _mean(_capped("coded_actions_per_threatened_species", synth.MAX_ACTIONS))
    got_t = sum(per_threat.values()) / len(threatened)
    got_a = sum(per_action.values()) / len(per_action)  # those with a coded action, as recorded
    assert abs(got_t - rec_t) / rec_t < 0.15, (got_t, rec_t)
    assert abs(got_a - rec_a) / rec_a < 0.15, (got_a, rec_a)
    # the spread is there too, not just the mean
    assert max(per_threat.values()) >= 8 and min(per_threat.values()) <= 2


@pytest.mark.parametrize("field", ["rationale", "habitat", "threats", "range", "conservationActions"])
def test_text_lengths_follow_recorded_quantiles(shaped: dict[str, list[dict[str, str]]], field: str) -> None:
    lengths = sorted(len(a[field]) for a in shaped["assessments.csv"] if a[field])
    rec = synth.distributions()["text_length_quantiles"][field]
    for q in ("0.25", "0.5", "0.75"):
        got = lengths[int(float(q) * len(lengths))]
        assert abs(got - rec[q]) / rec[q] < 0.3, (field, q, got, rec[q])
