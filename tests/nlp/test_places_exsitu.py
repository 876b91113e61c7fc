"""nlp.places and nlp.exsitu: rule-based places and ex situ roles."""

from __future__ import annotations

import re

from kg.schemes import exsitu_roles
from nlp.exsitu import find_roles
from nlp.places import find_places
from tests.nlp.conftest import REPO_ROOT


def _places(text: str) -> list[tuple[str, str, str]]:
    return [(h.place_type, h.code, text[h.start : h.end]) for h in find_places(text)]


def test_countries_by_name_and_alias() -> None:
    got = _places("It is found in Indonesia, Viet Nam, Vietnam and the Lao PDR.")
    assert ("country", "ID", "Indonesia") in got
    assert ("country", "VN", "Viet Nam") in got
    assert ("country", "VN", "Vietnam") in got
    assert ("country", "LA", "Lao PDR") in got


def test_longest_country_name_wins_and_new_guinea_is_not_guinea() -> None:
    got = _places("Papua New Guinea and the island of New Guinea.")
    assert [g[1] for g in got if g[0] == "country"] == ["PG"]


def test_iso_codes_only_in_lists_or_parentheses() -> None:
    got = _places("Range states: ID, MY; BN. Category CR (IN the list).")
    assert [g[1] for g in got if g[0] == "country"] == ["ID", "MY", "BN"]


def test_protected_areas_water_bodies_and_sites() -> None:
    text = "It lives in Lake Fictara, the Imaginary River and the Fictus Hills, inside Taman Rekaan National Park."
    got = _places(text)
    assert ("waterbody", "waterbody:Lake Fictara", "Lake Fictara") in got
    assert ("waterbody", "waterbody:Imaginary River", "Imaginary River") in got
    assert ("site", "site:Fictus Hills", "Fictus Hills") in got
    assert (
        "protectedarea",
        "protectedarea:Taman Rekaan National Park",
        "Taman Rekaan National Park",
    ) in got


def test_exsitu_roles() -> None:
    def roles(text: str) -> set[str]:
        return {r.code for r in find_roles(text)}

    assert roles("An insurance population is held at two zoos.") == {"insurance"}
    assert roles("Eggs are collected for head-starting.") == {"demographic"}
    assert roles("Captive-bred frogs were released to the wild in a reintroduction.") == {"reintroduction"}
    assert roles("Sperm is stored in a genome resource bank.") == {"genome_bank"}
    assert roles("A captive breeding programme exists.") == {"insurance"}
    assert roles("Research on its diet is needed.") == set()  # no ex situ context
    assert roles("Research on its diet is carried out in captivity.") == {"research"}


def test_exsitu_codes_and_labels_match_the_ontology() -> None:
    ttl = (REPO_ROOT / "ontology" / "assess2plan.ttl").read_text(encoding="utf-8")
    pairs = dict(re.findall(r'skos:notation "([a-z_]+)" ; skos:prefLabel "([^"]+)"@en', ttl))
    assert len(pairs) >= 10
    for code, label in exsitu_roles().labels().items():
        assert pairs.get(code) == label
