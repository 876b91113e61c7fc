"""Planning clusters (kg.planning.clusters) and the genus/family baseline, on hand-made profiles."""

from __future__ import annotations

from kg.planning.clusters import cluster, cohesion, features, shared_key_rate, taxonomic_clusters
from tests.planning.handmade import profile

DAM = ("7.2.10", "Ongoing", "Whole (>90%)", "Very Rapid Declines")
FISH = ("5.4.1", "Ongoing", "Majority (50-90%)", "Rapid Declines")
PLANT = ("2.2.2", "Ongoing", "Majority (50-90%)", "Rapid Declines")


def workshop():  # type: ignore[no-untyped-def]
    lake = [
        profile(
            f"L{i}",
            "EN",
            (DAM,),
            places=("ID", "waterbody-LakeX"),
            habitats=("5.5",),
            genus=f"G{i}",
            family="CYPRINIDAE",
            actions=("1.2",) if i < 3 else (),
        )
        for i in range(4)
    ]
    swamp = [
        profile(
            f"S{i}",
            "VU",
            (PLANT,),
            places=("MY", "site-PeatSwampY"),
            habitats=("1.8",),
            genus="Gswamp",
            family="OSPHRONEMIDAE",
        )
        for i in range(3)
    ]
    odd = [profile("O1", "CR", (FISH,), places=("TH",), habitats=("9.8",), genus="Godd", family="ACROPORIDAE")]
    lc = [profile("X1", "LC", (DAM,), places=("ID", "waterbody-LakeX"), habitats=("5.5",))]
    return lake + swamp + odd + lc


def test_clusters_group_threat_place_habitat_and_flag_single_species() -> None:
    rep = cluster(
        workshop(),
        place_names={"waterbody-LakeX": "Lake X", "site-PeatSwampY": "Peat swamp Y"},
        threat_labels={"7.2": "Dams & water management/use"},
    )
    assert rep.threatened == 8  # LC excluded
    by_id = {c.id: c for c in rep.clusters}
    lake = by_id["c-T7_2-waterbody-LakeX-H5_5"]
    assert {s.taxon_id for s in lake.species} == {f"tL{i}" for i in range(4)}
    assert lake.threats[0] == "7.2" and lake.places[0] == "waterbody-LakeX" and lake.habitats == ["5.5"]
    assert lake.bucket == "threat"  # dams are abated across species
    assert lake.actions_needed == ["1.2"]  # coded for 3 of 4 members
    assert lake.title == "4 threatened species in Lake X threatened by 7.2 Dams & water management/use (habitat 5.5)"
    assert lake.cohesion == 1.0  # identical threat, place and habitat sets
    swamp = by_id["c-T2_2-site-PeatSwampY-H1_8"]
    assert swamp.bucket == "habitat" and swamp.size == 3
    assert [s.taxon_id for s in rep.singletons] == ["tO1"]
    assert rep.coverage == 7 / 8
    # a species joins at most one cluster per threat
    counts = {}
    for c in rep.clusters:
        for s in c.species:
            counts[(s.taxon_id, c.threats[0])] = counts.get((s.taxon_id, c.threats[0]), 0) + 1
    assert max(counts.values()) == 1


def test_min_size_and_member_buckets() -> None:
    rep = cluster(workshop(), min_size=4)
    assert [c.size for c in rep.clusters] == [4]
    assert {s.taxon_id for s in rep.singletons} == {"tS0", "tS1", "tS2", "tO1"}
    votes = {f"L{i}": {"habitat"} for i in range(4)}
    assert cluster(workshop(), min_size=4, buckets=votes).clusters[0].bucket == "habitat"


def test_cohesion_is_mean_pairwise_jaccard() -> None:
    a, b, c = frozenset("ab"), frozenset("ab"), frozenset("cd")
    assert cohesion([a, b]) == 1.0
    assert cohesion([a, b, c]) == (1.0 + 0.0 + 0.0) / 3
    assert cohesion([a]) == 1.0 and cohesion([]) == 0.0
    p = profile("1", "EN", (DAM,), places=("ID",), habitats=("5.5.1",))
    assert features(p) == frozenset({"T7.2", "PID", "H5.5"})


def test_taxonomic_baseline_and_comparison() -> None:
    ps = workshop()
    genus = taxonomic_clusters(ps, "genus")
    assert [c.id for c in genus.clusters] == ["genus-Gswamp"] and genus.coverage == 3 / 8
    fam = taxonomic_clusters(ps, "family", min_size=3)
    assert {c.id for c in fam.clusters} == {"family-CYPRINIDAE", "family-OSPHRONEMIDAE"}
    ours = cluster(ps)
    assert ours.coverage > genus.coverage
    assert shared_key_rate(ours, ps) == 1.0  # members of a cluster always share a threat in a place
