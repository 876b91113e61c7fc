"""Labelling functions (kg.planning.labels): what each one decides, on hand-made profiles."""

from __future__ import annotations

import pytest

from kg.planning import labels
from kg.planning.labels import LabelContext, action_bucket, evidence, gold_buckets, rule_buckets, threat_class
from tests.planning.handmade import profile


@pytest.mark.parametrize(
    ("code", "bucket"),
    [
        ("3.2", "single_species"),
        ("3.3.1", "single_species"),
        ("1.1", "habitat"),
        ("1.2", "habitat"),
        ("2.1", "habitat"),
        ("2.3", "habitat"),
        ("2.2", "threat"),
        ("3.1.1", "threat"),
        ("3.1.2", "threat"),
        ("5.4.2", "threat"),
        ("3.4.1", "ex_situ"),
        ("3.4.2", "ex_situ"),
        ("4.3", None),
        ("5.1.2", None),
        ("6.1", None),
    ],
)
def test_action_codes_map_to_buckets(code: str, bucket: str | None) -> None:
    assert action_bucket(code) == bucket


def test_prefix_match_is_by_code_level_not_by_string() -> None:
    # "3.10" would start with "3.1" as a string; codes are matched level by level
    assert labels._under("3.1.1", ("3.1",))
    assert not labels._under("3.10", ("3.1",))
    assert not labels._under("2.11", ("2.1",))


def test_gold_buckets_come_from_actions_needed_only() -> None:
    p = profile("1", "CR", ("7.2.10",), actions=("3.4.1", "1.1", "4.3"))
    assert gold_buckets(p) == {"ex_situ", "habitat"}
    # the hidden profile has no actions: no gold evidence left
    assert gold_buckets(p.hidden()) == set()
    assert all(e.hidden for e in evidence(p, hidden=True))
    assert not any(e.hidden for e in evidence(p, hidden=False))


def test_hidden_profile_drops_the_conservation_section_and_keeps_the_rest() -> None:
    p = profile(
        "1",
        "EN",
        ("5.4.1",),
        actions=("3.1.1",),
        research=("1.2",),
        texts={"conservation_actions": "Fishing quotas are needed.", "threats": "Overfishing."},
    )
    h = p.hidden()
    assert h.actions == () and h.research == ()
    assert "conservation_actions" not in h.texts and h.texts["threats"] == "Overfishing."
    assert h.threats == p.threats and h.places == p.places


def test_target3_flags_give_single_species_evidence() -> None:
    p = profile("1", "EN", name="Fictus alpha")
    ctx = LabelContext(target3={"Fictus alpha": {"actions": "yes", "smallpop": "NA"}})
    ev = [e for e in evidence(p, ctx) if e.lf == "lf.target3.v1"]
    assert len(ev) == 1 and ev[0].bucket == "single_species" and ev[0].hidden
    assert "recovery action" in ev[0].reason
    assert not [
        e for e in evidence(p, LabelContext(target3={"Fictus alpha": {"actions": "NA"}})) if e.lf == "lf.target3.v1"
    ]


def test_exsitu_evidence_follows_strategy_and_need() -> None:
    p = profile("1", "VU", name="Fictus beta")
    for strategy, need, expect in (
        ("Z", "0", True),
        ("B", "0", True),
        ("W", "0", False),
        ("N", "1", True),
        ("N", "0", False),
    ):
        ctx = LabelContext(exsitu_evidence={"Fictus beta": {"strategy": strategy, "exsitu_needed": need}})
        assert ("ex_situ" in gold_buckets(p, ctx)) is expect, (strategy, need)


def test_dominant_shared_threat_needs_an_abatable_threat_shared_in_a_place() -> None:
    focal = profile(
        "1",
        "EN",
        (("5.4.1", "Ongoing", "Whole (>90%)", "Rapid Declines"), ("2.1.3", "Ongoing", "Minority (<50%)", "")),
        places=("ID",),
    )
    others = [profile(str(i), "VU", ("5.4.2",), places=("ID",)) for i in range(2, 7)]
    ctx = LabelContext.from_profiles([focal, *others])
    assert ctx.shared["5.4|ID"] == 6
    ev = labels.lf_dominant_shared_threat(focal, ctx)
    assert ev is not None and ev.bucket == "threat" and "5.4" in ev.reason and "6 threatened" in ev.reason
    # the same threat shared by too few species, or in another country: no evidence
    assert labels.lf_dominant_shared_threat(focal, LabelContext.from_profiles([focal, *others[:2]])) is None
    moved = [profile(str(i), "VU", ("5.4.2",), places=("MY",)) for i in range(2, 9)]
    assert labels.lf_dominant_shared_threat(focal, LabelContext.from_profiles([focal, *moved])) is None
    # a habitat-loss threat is not threat-focused however widely shared
    farm = profile("1", "EN", ("2.1.3",), places=("ID",))
    farms = [profile(str(i), "EN", ("2.1.3",), places=("ID",)) for i in range(2, 9)]
    assert labels.lf_dominant_shared_threat(farm, LabelContext.from_profiles([farm, *farms])) is None


def test_shared_counts_only_threatened_species() -> None:
    ps = [profile("1", "EN", ("8.1.2",)), profile("2", "LC", ("8.1.2",)), profile("3", "NT", ("8.1.1",))]
    assert LabelContext.from_profiles(ps).shared == {"8.1|ID": 1}


def test_habitat_loss_share() -> None:
    p = profile(
        "1", "VU", (("2.2.2", "Ongoing", "Whole (>90%)", "Rapid Declines"), ("5.4.1", "Ongoing", "Minority (<50%)", ""))
    )
    ev = labels.lf_habitat_loss(p, LabelContext())
    assert ev is not None and ev.bucket == "habitat" and 0.5 <= ev.strength < 1
    harvest = profile("2", "VU", ("5.4.1", "5.1.1"))
    assert labels.lf_habitat_loss(harvest, LabelContext()) is None
    assert labels.lf_habitat_loss(profile("3", "VU"), LabelContext()) is None  # no threats


@pytest.mark.parametrize(
    ("criteria", "category", "pe", "expect"),
    [
        ("D", "CR", False, True),
        ("C2a(i)", "EN", False, True),
        ("A2cd", "EN", False, False),
        ("B1ab(iii)", "CR", False, True),
        ("B1ab(iii)", "EN", False, False),
        ("A2c", "CR", True, True),
    ],
)
def test_small_population_rule(criteria: str, category: str, pe: bool, expect: bool) -> None:
    p = profile("1", category, criteria=criteria, possibly_extinct=pe)
    assert ("single_species" in rule_buckets(p)) is expect


def test_every_labelling_function_is_versioned_and_unique() -> None:
    names = [lf.name for lf in labels.LABELLING_FUNCTIONS]
    assert len(names) == len(set(names))
    assert all(n.startswith("lf.") and n.rsplit(".", 1)[-1].startswith("v") for n in names)
    assert {lf.bucket for lf in labels.LABELLING_FUNCTIONS if lf.hidden} == {
        "single_species",
        "habitat",
        "threat",
        "ex_situ",
    }
    assert {lf.bucket for lf in labels.LABELLING_FUNCTIONS if not lf.hidden} == {
        "single_species",
        "habitat",
        "threat",
        "ex_situ",
    }
    assert labels.LABELS_VERSION == "labels.v1"


def test_threat_class() -> None:
    assert (
        threat_class("7.2.10") == "threat" and threat_class("8.1.2") == "threat" and threat_class("5.4.4") == "threat"
    )
    assert (
        threat_class("2.2.2") == "habitat" and threat_class("5.3.4") == "habitat" and threat_class("7.1.1") == "habitat"
    )
    assert threat_class("11.3") == ""


def test_label_matrix_rows_follow_bucket_order() -> None:
    p = profile("1", actions=("3.4.1", "2.2"))
    assert labels.label_matrix([p]) == [[0, 0, 1, 1]]
