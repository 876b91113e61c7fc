"""Threat x place keys (kg.planning.keys): computed from profiles and from the store."""

from __future__ import annotations

from rdflib import URIRef

from kg import iris
from kg.planning.graphdata import load_profiles
from kg.planning.keys import KEYS_GRAPH, has_keys, keys_for, parse_key, threat_key, write_keys
from kg.query import run
from kg.store import Store, open_store
from tests.planning.handmade import profile


def test_key_format_round_trips() -> None:
    assert threat_key("7.2", "ID") == "T7_2|ID"
    assert threat_key("7", "lme-4_5_4") == "T7|lme-4_5_4"
    assert parse_key("T7_2|waterbody-LakeFictara") == ("7.2", "waterbody-LakeFictara")


def test_keys_roll_up_to_levels_one_and_two_and_skip_past_threats() -> None:
    p = profile(
        "1",
        "EN",
        (("7.2.10", "Ongoing", "", ""), ("1.1", "Past, Unlikely to Return", "", ""), ("9.1.1", "Future", "", "")),
        places=("ID", "lme-4_5_4"),
    )
    assert keys_for(p) == {
        "T7|ID",
        "T7_2|ID",
        "T9|ID",
        "T9_1|ID",
        "T7|lme-4_5_4",
        "T7_2|lme-4_5_4",
        "T9|lme-4_5_4",
        "T9_1|lme-4_5_4",
    }
    assert keys_for(profile("2", "EN", ("7.2.10",), places=())) == set()
    assert "T7_2|waterbody-LakeX" in keys_for(p, ["waterbody-LakeX"])


def _keys(store: Store, aid: str) -> set[str]:
    rows = run(store, "planning_keys", assessment=URIRef(iris.assessment(aid))).values()
    return {r["key"] for r in rows}


def test_keys_in_the_store_for_the_mini_export(mini_store: Store) -> None:
    profiles = load_profiles(mini_store, parts=("threats", "places"))
    ids = {p.assessment_id for p in profiles}
    assert "800101" not in ids and "800102" in ids  # latest assessments only
    n = write_keys(mini_store, profiles, {"800109": [("waterbody", "Sungai Fiksi", "Sungai Fiksi")]})
    assert n > 0 and has_keys(mini_store)
    assert KEYS_GRAPH in mini_store.graph_names()
    # Rasbora fictilis (latest 800102): 7.2.10 and 2.1.3 in ID and MY
    assert _keys(mini_store, "800102") == {
        "T7|ID",
        "T7|MY",
        "T7_2|ID",
        "T7_2|MY",
        "T2|ID",
        "T2|MY",
        "T2_1|ID",
        "T2_1|MY",
    }
    assert _keys(mini_store, "800101") == set()  # the older assessment gets none
    assert _keys(mini_store, "800111") == set()  # 7.2.10 past, unlikely to return
    assert _keys(mini_store, "800106") == set()  # presence uncertain: no extant place
    # 800108: ID is possibly extinct, the LME counts as a place
    k108 = _keys(mini_store, "800108")
    assert "T5_4|lme-5_2_36" in k108 and "T5_4|TH" in k108 and not any(k.endswith("|ID") for k in k108)
    # a place read from text gets a key and a described node in the keys graph
    assert "T7_2|waterbody-SungaiFiksi" in _keys(mini_store, "800109")
    from kg.planning.graphdata import place_names

    assert place_names(mini_store)["waterbody-SungaiFiksi"] == "Sungai Fiksi"


def test_writing_keys_twice_replaces_the_graph(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with open_store(f"oxigraph:{tmp_path / 'g'}") as st:
        write_keys(st, [profile("1", "EN", ("7.2.10",))])
        write_keys(st, [profile("2", "EN", ("8.1.2",))])
        rows = run(st, "planning_keys").values()
        assert {r["key"] for r in rows} == {"T8|ID", "T8_1|ID"}
