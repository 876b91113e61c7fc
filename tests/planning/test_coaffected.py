"""Co-affected species (kg.planning.coaffected): ranking on hand-made profiles, the graph path, masking."""

from __future__ import annotations

import pytest

from kg.planning.coaffected import KeyIndex, average_precision, coaffected_sparql, evaluate_masking, weights_of
from kg.planning.keys import write_keys
from kg.store import open_store
from tests.planning.handmade import profile

STRONG = ("Ongoing", "Whole (>90%)", "Very Rapid Declines")
WEAK = ("Ongoing", "Minority (<50%)", "Slow, Significant Declines")


def fixture():  # type: ignore[no-untyped-def]
    return [
        profile("1", "EN", (("7.2.10", *STRONG), ("8.1.2", *WEAK)), places=("ID", "waterbody-LakeX"), taxon_id="focal"),
        # same dam threat at the same lake, heavy impact, CR
        profile("2", "CR", (("7.2.10", *STRONG),), places=("ID", "waterbody-LakeX"), taxon_id="lake-dam-cr"),
        # a sibling sub-code (7.2.11) at the lake: shares 7.2 by roll-up
        profile("3", "VU", (("7.2.11", *STRONG),), places=("waterbody-LakeX",), taxon_id="lake-dam-sibling"),
        # the dam threat only in the same country
        profile("4", "CR", (("7.2.10", *STRONG),), places=("ID",), taxon_id="country-dam"),
        # the dam threat elsewhere: not co-affected
        profile("5", "CR", (("7.2.10", *STRONG),), places=("MY",), taxon_id="elsewhere"),
        # at the lake but another threat class entirely
        profile("6", "CR", (("2.1.3", *STRONG),), places=("waterbody-LakeX",), taxon_id="lake-farming"),
        # Least Concern with the same threats: kept, but low
        profile("7", "LC", (("7.2.10", *STRONG),), places=("ID", "waterbody-LakeX"), taxon_id="lake-dam-lc"),
        # the dam threat at the lake but past: no key
        profile(
            "8",
            "CR",
            (("7.2.10", "Past, Unlikely to Return", "Whole (>90%)", "Very Rapid Declines"),),
            places=("waterbody-LakeX",),
            taxon_id="past",
        ),
    ]


def test_ranking_follows_threat_place_impact_and_category() -> None:
    index = KeyIndex(fixture())
    res = index.coaffected("1", k=10)
    order = [r.taxon_id for r in res]
    assert order[0] == "lake-dam-cr"
    assert "elsewhere" not in order and "lake-farming" not in order and "past" not in order and "focal" not in order
    assert order.index("lake-dam-sibling") < order.index("country-dam")  # a shared lake beats a shared country
    assert order[-1] == "lake-dam-lc"  # category weight LC 0.25
    top = res[0]
    assert top.shared_threats == ["7.2"] and top.shared_places == ["ID", "waterbody-LakeX"]
    assert res[order.index("lake-dam-sibling")].shared_threats == ["7.2"]  # via roll-up, not 7.2.10
    assert all(a.score >= b.score for a, b in zip(res, res[1:], strict=False))
    assert index.coaffected("1", k=2) == res[:2]


def test_ties_are_broken_deterministically() -> None:
    ps = [profile("1", "EN", ("9.1.1",)), *[profile(str(i), "VU", ("9.1.1",)) for i in range(2, 30)]]
    a = [r.taxon_id for r in KeyIndex(ps).coaffected("1", 10)]
    b = [r.taxon_id for r in KeyIndex(ps).coaffected("1", 10)]
    assert a == b == [f"t{i}" for i in range(2, 12)]


def test_inferred_threats_are_used_when_the_focal_species_has_none() -> None:
    ps = fixture()
    ps[0] = profile("1", "EN", (), places=("ID", "waterbody-LakeX"), taxon_id="focal")
    index = KeyIndex(ps)
    assert index.coaffected("1", 5) == []
    res = index.coaffected("1", 5, infer=lambda p: {"7.2": 1.0})
    assert res and res[0].taxon_id == "lake-dam-cr" and all(r.basis == "inferred" for r in res)


def test_weights_use_both_levels_for_inferred_codes() -> None:
    w = weights_of(profile("1", places=("ID",)), {"7.2": 1.0})
    assert set(w) == {"T7_2|ID", "T7|ID"} and w["T7_2|ID"] > w["T7|ID"]


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_graph_query_path_agrees_with_the_index(backend: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kg.load import ingest
    from tests.planning.handmade import MINI

    url = "memory:" if backend == "memory" else f"oxigraph:{tmp_path / 'g'}"
    with open_store(url) as st:
        ingest([MINI], st)
        from kg.planning.graphdata import load_profiles

        profiles = load_profiles(st, parts=("threats", "places"))
        write_keys(st, profiles)
        index = KeyIndex(profiles)
        for p in profiles:
            want = index.coaffected(p.assessment_id, 5)
            got = coaffected_sparql(st, p.assessment_id, 5)
            assert [(r.taxon_id, r.score, r.shared_threats, r.shared_places) for r in got] == [
                (r.taxon_id, r.score, r.shared_threats, r.shared_places) for r in want
            ], p.assessment_id


def test_average_precision() -> None:
    assert average_precision([1, 2, 3], {1, 2, 3}) == 1.0
    assert average_precision([9, 1, 2], {1, 2}) == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert average_precision([], {1}) == 0.0


def test_masking_evaluation_rewards_the_right_inference() -> None:
    ps = fixture() + [profile(str(i), "EN", (("7.2.10", *STRONG),), places=("waterbody-LakeX",)) for i in range(10, 16)]
    by_id = {p.assessment_id: p for p in ps}

    def oracle(p):  # type: ignore[no-untyped-def]
        return by_id[p.assessment_id].threat_weights(2)

    res = evaluate_masking(
        ps, {"oracle": oracle, "wrong": lambda p: {"11.3": 1.0}, "places": None}, k=5, max_focal=None
    )
    assert res["oracle"]["recall@5"] == 1.0 and res["oracle"]["MAP"] == 1.0
    assert res["wrong"]["recall@5"] == 0.0
    assert 0 < res["places"]["recall@5"] < 1
    assert res["oracle"]["focal"] == res["places"]["focal"] > 0


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_shortlist_cutoff_gives_the_same_200_candidates(backend: str, synth_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """planning_coaffected with ?minShared bound to the 200th candidate's count (what
    coaffected_sparql runs) returns exactly the rows of the full ranking; on the synthetic
    download most focal species have more than 200 candidates, so the bound is exercised."""
    from rdflib import Literal, URIRef

    from kg.load import ingest
    from kg.planning.coaffected import shortlist_cutoff
    from kg.planning.keys import compute_keys
    from kg.query import run

    url = "memory:" if backend == "memory" else f"oxigraph:{tmp_path / 'g'}"
    with open_store(url) as st:
        ingest([synth_dir], st)
        compute_keys(st)
        focal = sorted({str(r["assessment"]) for r in run(st, "planning_keys").rows})[::40][:8]
        cut = 0
        for f in focal:
            a = URIRef(f)
            t = shortlist_cutoff(st, a)
            full = run(st, "planning_coaffected", focal=a).rows
            if t is None:
                assert len(full) < 200
                continue
            cut += 1
            bounded = run(st, "planning_coaffected", focal=a, minShared=Literal(t)).rows
            assert len(full) == 200 and int(full[-1]["shared"]) == t
            assert [(r["candidate"], int(r["shared"])) for r in bounded] == [
                (r["candidate"], int(r["shared"])) for r in full
            ], f
        assert cut >= 3, "too few focal species with more than 200 candidates to test the bound"
