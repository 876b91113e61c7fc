"""nlp.segment and nlp.units: sentences, clauses, enumerations, candidate units."""

from __future__ import annotations

from nlp.segment import clause_spans, sentence_spans
from nlp.units import enumeration_items, find_units


def _sents(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def test_abbreviations_do_not_end_sentences() -> None:
    text = (
        "It was recorded by Doe et al. 2010 in Mt. Fictus. Numbers fell by ca. 30% "
        "(pers. comm. 2019). F. imaginaria is rare."
    )
    assert _sents(text) == [
        "It was recorded by Doe et al. 2010 in Mt. Fictus.",
        "Numbers fell by ca. 30% (pers. comm. 2019).",
        "F. imaginaria is rare.",
    ]


def test_newlines_always_end_sentences_and_blank_text_has_none() -> None:
    assert _sents("Habitat protection\nNest boxes are needed") == [
        "Habitat protection",
        "Nest boxes are needed",
    ]
    assert sentence_spans("") == []
    assert sentence_spans("  \n ") == []


def test_clauses_split_at_semicolons() -> None:
    text = "Needed: surveys; new reserves; and fire control."
    assert [text[a:b] for a, b in clause_spans(text, 0, len(text))] == [
        "Needed: surveys",
        "new reserves",
        "and fire control.",
    ]


def test_enumeration_items() -> None:
    text = "Measures include surveys of the lakes, weed control, fire management, and school visits"
    items = [text[a:b] for a, b in enumeration_items(text, 0, len(text))]
    assert items == [
        "Measures include surveys of the lakes",
        "weed control",
        "fire management",
        "school visits",
    ]
    prose = "In the north, where the forest is intact and wet, it is common."
    assert enumeration_items(prose, 0, len(prose)) == []


def test_candidate_units_follow_the_field_policy() -> None:
    text = "The frog is green. A captive breeding programme is recommended."
    sents = sentence_spans(text)
    units = find_units(text, sents, "actions", "conservation_actions")
    assert [text[u.start : u.end] for u in units] == ["A captive breeding programme is recommended."]
    assert find_units(text, sents, "actions", "habitat") == []  # not an action field
    threats = "Logging is the main threat. Logging bans are needed."
    got = find_units(threats, sentence_spans(threats), "threats", "rationale")
    assert [threats[u.start : u.end] for u in got] == ["Logging is the main threat."]
