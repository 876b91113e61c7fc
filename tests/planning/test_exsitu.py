"""The IUCN SSC ex situ guidelines' decision steps (kg.planning.exsitu)."""

from __future__ import annotations

from kg.planning.exsitu import POPULATION_NEEDED, ExSituContext, evaluate, reversibility
from kg.schemes import exsitu_roles
from tests.planning.handmade import profile


def test_reversibility_of_threat_classes() -> None:
    assert reversibility("11.3") == "no" and reversibility("8.1.2") == "no" and reversibility("7.2.10") == "no"
    assert reversibility("5.4.1") == "yes" and reversibility("6.1") == "yes"
    assert reversibility("2.2.2") == "slow" and reversibility("7.1.1") == "slow"


def test_critically_endangered_small_population_with_irreversible_threat() -> None:
    p = profile(
        "1",
        "CR",
        (("11.3", "Ongoing", "Whole (>90%)", "Very Rapid Declines"), ("5.4.3", "Ongoing", "", "")),
        criteria="C2a(i)",
        trend="Decreasing",
        class_="ANTHOZOA",
    )
    ev = evaluate(p)
    assert ev.recommended
    assert "insurance" in ev.roles and "demographic" in ev.roles and "genome_bank" in ev.roles
    assert [s.step for s in ev.steps] == [1, 2, 3, 4, 5]
    assert ev.steps[0].supports is True
    assert any("11.3" in f and "not reversible" in f for f in ev.steps[0].findings)
    assert any("coral propagation" in f for f in ev.steps[3].findings)
    assert any("founders" in f for f in ev.steps[3].findings)  # small population: founder removal risk
    assert set(ev.roles) <= set(exsitu_roles().concepts)


def test_reversible_threats_only_give_no_role() -> None:
    p = profile(
        "1",
        "EN",
        (("5.4.1", "Ongoing", "Majority (50-90%)", "Rapid Declines"),),
        criteria="A2d",
        class_="ACTINOPTERYGII",
    )
    ev = evaluate(p)
    assert not ev.recommended and ev.roles == []
    assert "in situ action alone" in ev.steps[4].findings[0]


def test_least_concern_is_not_recommended_even_with_irreversible_threats() -> None:
    ev = evaluate(profile("1", "LC", ("11.3",), class_="ANTHOZOA"))
    assert not ev.recommended


def test_extinct_in_the_wild_means_long_term_preservation() -> None:
    ev = evaluate(profile("1", "EW", (), places=()))
    assert ev.recommended and ev.roles == ["preservation"]


def test_no_threats_leaves_the_status_review_undecided() -> None:
    ev = evaluate(profile("1", "EN", (), criteria="A2c"))
    assert ev.steps[0].supports is None and not ev.recommended


def test_lost_places_suggest_a_reintroduction_source() -> None:
    p = profile(
        "1", "EN", ("7.2.10",), places=("ID",), lost_places=("MY",), trend="Decreasing", class_="ACTINOPTERYGII"
    )
    ev = evaluate(p)
    assert "reintroduction" in ev.roles and "insurance" in ev.roles


def test_outside_evidence_enters_feasibility_and_roles() -> None:
    p = profile("1", "EN", ("8.1.2",), class_="INSECTA")
    bare = evaluate(p)
    assert bare.steps[3].supports is None  # no established husbandry known for the class
    held = evaluate(
        p, ExSituContext(zoo_holdings=12, breeding_programme=True, text_roles=("education",), source="ZIMS")
    )
    assert held.steps[3].supports is True
    assert any("12 institution" in f for f in held.steps[3].findings)
    assert "education" in held.roles
    none_held = evaluate(p, ExSituContext(zoo_holdings=0))
    assert any("not held" in f for f in none_held.steps[3].findings)


def test_disease_threat_adds_a_transmission_risk() -> None:
    ev = evaluate(profile("1", "CR", (("8.5.2", "Ongoing", "Whole (>90%)", "Very Rapid Declines"),), class_="AMPHIBIA"))
    assert ev.recommended and "rescue" in ev.roles
    assert any("disease transmission" in f for f in ev.steps[3].findings)


def test_one_list_of_roles_read_from_the_ontology() -> None:
    from nlp.exsitu import find_roles
    from nlp.lexicon import EXSITU_CUES

    roles = exsitu_roles()
    assert len(roles.concepts) == 10
    assert roles.concepts["insurance"].iri.endswith("#RoleInsurancePopulation")
    assert roles.concepts["insurance"].label == "Insurance population"
    # every role the guidelines' steps describe, and every role the text cues find, is in the ontology
    assert set(POPULATION_NEEDED) == set(roles.concepts)
    assert set(EXSITU_CUES) <= set(roles.concepts)
    (hit,) = find_roles("Individuals are held in a genome resource bank as cryopreserved sperm.")
    assert (hit.code, hit.label) == ("genome_bank", roles.concepts["genome_bank"].label)
