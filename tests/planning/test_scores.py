"""STAR-style threat-abatement scores (kg.planning.scores)."""

from __future__ import annotations

import pytest

from kg.planning.profile import ThreatFact
from kg.planning.scores import CATEGORY_WEIGHT, contributions, threat_score, threat_scores
from tests.planning.handmade import profile


def test_category_weights_follow_star() -> None:
    assert CATEGORY_WEIGHT == {"NT": 100, "LR/nt": 100, "VU": 200, "EN": 300, "CR": 400}


def test_scope_severity_scores_and_approximation() -> None:
    assert threat_score(ThreatFact("1.1", "Ongoing", "Whole (>90%)", "Very Rapid Declines")) == (0.635, False)
    assert threat_score(ThreatFact("1.1", "Ongoing", "Minority (<50%)", "No decline")) == (0.0, False)
    assert threat_score(ThreatFact("1.1", "Ongoing", "Unknown", "Rapid Declines")) == (0.185, True)  # majority row
    assert threat_score(ThreatFact("1.1", "Ongoing", "Whole (>90%)", "")) == (0.109, True)  # slow column


def test_contributions_sum_to_one_and_roll_up() -> None:
    p = profile(
        "1",
        "EN",
        (
            ("7.2.10", "Ongoing", "Whole (>90%)", "Very Rapid Declines"),
            ("7.2.11", "Ongoing", "Minority (<50%)", "Slow, Significant Declines"),
            ("9.1.1", "Ongoing", "Majority (50-90%)", "Rapid Declines"),
            ("1.1", "Past, Unlikely to Return", "Whole (>90%)", "Very Rapid Declines"),
        ),
    )
    c, approx = contributions(p)
    assert set(c) == {"7.2", "9.1"} and not approx
    assert sum(c.values()) == pytest.approx(1.0)
    assert c["7.2"] == pytest.approx((0.635 + 0.05) / (0.635 + 0.05 + 0.185))
    zero, approx0 = contributions(profile("2", "EN", (("5.1.1", "Ongoing", "Whole (>90%)", "No decline"),)))
    assert zero == {"5.1": 1.0} and approx0


def test_scores_per_threat_and_country() -> None:
    ps = [
        profile("1", "CR", (("5.4.1", "Ongoing", "Whole (>90%)", "Very Rapid Declines"),), places=("ID", "MY")),
        profile(
            "2",
            "VU",
            (
                ("5.4.2", "Ongoing", "Majority (50-90%)", "Rapid Declines"),
                ("2.1.3", "Ongoing", "Majority (50-90%)", "Rapid Declines"),
            ),
            places=("ID",),
        ),
        profile("3", "LC", (("5.4.1", "Ongoing", "Whole (>90%)", "Very Rapid Declines"),), places=("ID",)),
        profile("4", "NT", (("5.4.1", "Ongoing", "", ""),), places=("ID", "lme-4_5_4")),
    ]
    scores = {(s.threat, s.place): s for s in threat_scores(ps, place_names={"ID": "Indonesia"})}
    s = scores[("5.4", "ID")]
    assert s.score == pytest.approx(400 * 0.5 + 200 * 0.5 + 100 * 1.0)
    assert s.species_count == 3 and s.place_name == "Indonesia"
    assert "no AOH maps" in s.approximation and "median class" in s.approximation  # species 4 has no scope
    assert scores[("5.4", "MY")].score == pytest.approx(200)
    assert scores[("2.1", "ID")].score == pytest.approx(100)
    assert not any(p == "lme-4_5_4" for _, p in scores)  # countries only by default
    lme = threat_scores(ps, place_type="lme")
    assert [(x.threat, x.place, x.score) for x in lme] == [("5.4", "lme-4_5_4", 100.0)]
    ranked = threat_scores(ps)
    assert ranked[0].threat == "5.4" and ranked[0].place == "ID"
