"""kg.links.match: every match method, every reason for not matching, and nothing silent."""

from __future__ import annotations

import csv

import pytest

from kg.links.match import GraphTaxon, Match, Miss, SourceRow, TaxonIndex, match_rows, resolve_taxon


def t(
    sis: str,
    name: str,
    rank: str = "species",
    family: str = "RANIDAE",
    synonyms: tuple[str, ...] = (),
) -> GraphTaxon:
    return GraphTaxon(f"urn:t:{sis}", sis, name, rank, name.split()[0], family, "ANURA", synonyms)


LAC = t("1", "Fictorana lacustris", synonyms=("Fictohyla vulgaris",))
MON = t("2", "Fictorana montana", synonyms=("Fictohyla montana", "Fictohyla vulgaris"))
MAG = t("3", "Fictopora magna", family="ACROPORIDAE")
SSP = t("4", "Fictobarbus pallidus ssp. minor", rank="subspecies", family="CYPRINIDAE")
SP = t("5", "Fictoglis insularis", family="FICTOGLIRIDAE")
SUBPOP = t("6", "Fictoglis insularis", rank="subpopulation", family="FICTOGLIRIDAE")
SCUTA = t("7", "Fictopora scuta", family="ACROPORIDAE")
SCUTUM = t("8", "Fictopora scutum", family="ACROPORIDAE")

INDEX = TaxonIndex([LAC, MON, MAG, SSP, SP, SUBPOP, SCUTA, SCUTUM])


def method(res: Match | Miss) -> str:
    return res.method if isinstance(res, Match) else f"miss:{res.reason}"


@pytest.mark.parametrize(
    ("name", "kwargs", "expected", "taxon"),
    [
        ("Fictorana lacustris", {}, "exact", LAC),
        ("FICTORANA  LACUSTRIS", {}, "normalised", LAC),
        ("Fictobarbus pallidus minor", {}, "normalised", SSP),
        ("Fictohyla montana", {}, "synonym", MON),
        ("Fictonewgenus lacustris", {"synonyms": ("Fictorana lacustris",)}, "synonym", LAC),
        ("Fictopora magnus", {}, "spelling", MAG),
        ("Fictorana lacustris fictus", {}, "rank", LAC),
        ("Anything at all", {"sis_id": "2"}, "sis_id", MON),
        ("Fictoglis insularis", {}, "exact", SP),  # the species, not its subpopulation
    ],
)
def test_match_methods(name: str, kwargs: dict, expected: str, taxon: GraphTaxon) -> None:
    res = INDEX.match(name, **kwargs)
    assert method(res) == expected
    assert isinstance(res, Match) and res.taxon == taxon
    if expected not in ("exact", "sis_id"):
        assert res.detail  # every non-exact match says why


@pytest.mark.parametrize(
    ("name", "kwargs", "reason", "candidates"),
    [
        ("Fictohyla vulgaris", {}, "ambiguous", 2),  # a synonym of two taxa
        ("Fictopora scutus", {}, "ambiguous", 2),  # gender key of two taxa
        ("Fictorana lacustra", {}, "spelling", 1),  # two edits away: reported, not linked
        ("Fictohyla lacustris", {"family": "Ranidae"}, "synonym", 1),  # same epithet, same family
        ("Fictohyla lacustris", {}, "not_found", 0),  # without a family: no guess at all
        ("Fictobarbus pallidus", {}, "rank", 1),  # only a subspecies of it in the graph
        ("Fictorana", {}, "higher_rank", 0),
        ("Fictorana lacustris", {"rank": "genus"}, "higher_rank", 0),
        ("Nonexistus fictus", {}, "not_found", 0),
        ("123 not a name", {}, "invalid", 0),
    ],
)
def test_miss_reasons(name: str, kwargs: dict, reason: str, candidates: int) -> None:
    res = INDEX.match(name, **kwargs)
    assert isinstance(res, Miss), res
    assert res.reason == reason
    assert len(res.candidates) == candidates


def test_not_found_says_when_the_genus_is_known() -> None:
    res = INDEX.match("Fictorana zzzzzzzz")
    assert isinstance(res, Miss) and "genus Fictorana is in the graph" in res.detail


def test_match_rows_keeps_the_best_method_per_taxon_and_key(tmp_path) -> None:
    rows = [
        SourceRow(1, "Fictorana lacustris fictus", key="a"),  # rank
        SourceRow(2, "Fictorana lacustris", key="a"),  # exact: supersedes row 1
        SourceRow(3, "Fictohyla montana", key="a"),  # synonym
        SourceRow(4, "Fictorana montana", key="b"),  # exact, other key: both kept
        SourceRow(5, "Nonexistus fictus"),
    ]
    kept, report = match_rows(INDEX, rows, "test", "rows.csv")
    assert [r.row for r, _ in kept] == [2, 3, 4]
    assert report.rows == 5
    assert report.by_method() == {"exact": 2, "synonym": 1}
    assert report.by_reason() == {"superseded": 1, "not_found": 1}
    sup = next(u for u in report.unmatched if u.reason == "superseded")
    assert sup.row == 1 and "row 2" in sup.detail
    assert report.taxa() == {LAC.iri, MON.iri}
    assert [m.name for m in report.not_exact()] == ["Fictohyla montana"]
    out = tmp_path / "report.csv"
    report.write_csv(out)
    lines = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(lines) == 5 and {ln["outcome"] for ln in lines} == {"matched", "unmatched"}


def test_resolve_taxon_never_takes_a_spelling_or_rank_match() -> None:
    assert resolve_taxon(INDEX, "Fictorana lacustris") == LAC
    assert resolve_taxon(INDEX, "Fictohyla montana") == MON  # synonym: accepted
    assert resolve_taxon(INDEX, "2") == MON
    assert resolve_taxon(INDEX, "<https://w3id.org/assess2plan/id/taxon/sis3>") == MAG
    with pytest.raises(ValueError, match="did you mean 'Fictopora magna'"):
        resolve_taxon(INDEX, "Fictopora magnus")
    with pytest.raises(ValueError, match="did you mean"):
        resolve_taxon(INDEX, "Fictorana lacustris fictus")
    with pytest.raises(ValueError, match="not an assessed taxon"):
        resolve_taxon(INDEX, "Nonexistus fictus")
    with pytest.raises(ValueError, match="no assessed taxon with Red List id 99"):
        resolve_taxon(INDEX, "99")
