"""nlp.status: needed / in place / negated from cue words around the mention."""

from __future__ import annotations

import pytest

from nlp.status import status_of


def _status(text: str, anchor: str, kind: str = "actions") -> str:
    i = text.index(anchor)
    return status_of(text, (0, len(text)), (i, i + len(anchor)), kind)


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("A captive breeding programme is recommended.", "captive breeding", "needed"),
        ("Nest boxes should be installed along the river.", "Nest boxes", "needed"),
        ("There is an urgent need for site protection.", "site protection", "needed"),
        ("The lizard is listed on CITES Appendix I.", "CITES", "in_place"),
        ("It occurs in two protected areas.", "protected areas", "in_place"),
        ("It is legally protected in Fictonia.", "legally protected", "in_place"),
        ("A breeding programme runs at the city zoo.", "breeding programme", "in_place"),
        ("No conservation measures are in place.", "conservation measures", "negated"),
        ("The species is not legally protected.", "legally protected", "negated"),
        ("It does not occur in any protected area.", "protected area", "negated"),
        ("Habitat protection.", "Habitat protection", "unknown"),
    ],
)
def test_status(text: str, anchor: str, expected: str) -> None:
    assert _status(text, anchor) == expected


def test_nearest_cue_and_clause_scope() -> None:
    text = "It is listed on CITES Appendix II and habitat protection is recommended."
    assert _status(text, "CITES") == "in_place"
    assert _status(text, "habitat protection") == "needed"
    text = "It does not occur in any protected area, but new reserves should be established."
    assert _status(text, "protected area") == "negated"
    assert _status(text, "reserves") == "needed"


def test_list_items_inherit_the_lead_in() -> None:
    text = "Recommended measures include surveys; weed control; and fire management."
    assert _status(text, "fire management") == "needed"


def test_threat_negation() -> None:
    assert _status("There are no major threats to this frog.", "threats", "threats") == "negated"
    assert _status("Logging is a major threat.", "Logging", "threats") == "unknown"


def _sent_status(text: str, anchor: str) -> str:
    """Status of `anchor` within its own sentence (as the pipeline calls it)."""
    from nlp.segment import sentence_spans

    i = text.index(anchor)
    sent = next((s, e) for s, e in sentence_spans(text) if s <= i < e)
    return status_of(text, sent, (i, i + len(anchor)), "actions")


ITEMS = ("habitat protection", "captive breeding", "control of feral cats")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Recommended actions include: habitat protection; captive breeding; and control of feral cats.", "needed"),
        ("Recommended actions include habitat protection, captive breeding and control of feral cats.", "needed"),
        ("Conservation actions needed:\n- habitat protection\n- captive breeding\n- control of feral cats", "needed"),
        ("Actions needed\n1. habitat protection\n2) captive breeding\n(c) control of feral cats", "needed"),
        ("Measures in place:\n* habitat protection\n* captive breeding\n* control of feral cats", "in_place"),
        ("No measures are in place, such as habitat protection, captive breeding or control of feral cats.", "negated"),
        (
            "No conservation measures are in place: habitat protection; captive breeding; control of feral cats.",
            "negated",
        ),
        ("No measures are in place:\n- habitat protection\n- captive breeding\n\n- control of feral cats", "negated"),
    ],
)
def test_status_carries_over_coordinated_and_listed_items(text: str, expected: str) -> None:
    assert [_sent_status(text, item) for item in ITEMS] == [expected] * 3


def test_list_items_from_markup_inherit_the_header() -> None:
    from nlp.markup import strip_markup

    html = "<p>Conservation actions needed:</p><ul><li>Captive breeding</li><li>Control of feral cats</li></ul>"
    plain = strip_markup(html).text
    assert _sent_status(plain, "Captive breeding") == "needed"
    assert _sent_status(plain, "Control of feral cats") == "needed"


def test_a_cue_in_one_item_does_not_leak_into_the_others() -> None:
    text = "Recommended measures include habitat protection, ongoing patrols, and control of feral cats."
    assert _sent_status(text, "habitat protection") == "needed"
    assert _sent_status(text, "patrols") == "in_place"
    assert _sent_status(text, "control of feral cats") == "needed"  # was in_place: "ongoing" was nearer
    text = "It occurs in three reserves, including Fictus Park, the proposed Fictara Reserve, and Mount Fictum."
    assert _sent_status(text, "Mount Fictum") == "in_place"  # was needed: "proposed" was nearer
    assert _sent_status(text, "Fictara Reserve") == "needed"
    # no cue in the item nor the lead-in: the whole clause decides
    text = "In Fictonia, it is present in many reserves, including Fictus Park, Lake Fictara and Mount Fictum."
    assert _sent_status(text, "Mount Fictum") == "in_place"
    text = "Actions needed:\n- captive breeding\n- legislation is already in place\n- nest boxes"
    assert _sent_status(text, "captive breeding") == "needed"
    assert _sent_status(text, "legislation") == "in_place"
    assert _sent_status(text, "nest boxes") == "needed"


def test_list_scope_ends_at_prose_or_the_next_header() -> None:
    text = (
        "Measures in place:\n- legislation\n- protected areas\n"
        "Actions needed:\n- captive breeding\n- surveys\n"
        "The frog was first described in 1901 from one specimen found near the river mouth.\n"
        "Nest boxes."
    )
    assert _sent_status(text, "legislation") == "in_place"
    assert _sent_status(text, "protected areas") == "in_place"
    assert _sent_status(text, "captive breeding") == "needed"
    assert _sent_status(text, "surveys") == "needed"
    assert _sent_status(text, "Nest boxes") == "unknown"  # a prose line ends the list
    # a line that is not under a header, and a first line, stay unknown
    assert _sent_status("Nest boxes.\nWeed control.", "Weed control") == "unknown"
    assert _sent_status("Weed control.", "Weed control") == "unknown"


def test_negation_scope_stops_at_the_clause() -> None:
    text = "No measures are in place; captive breeding is recommended."
    assert _sent_status(text, "captive breeding") == "needed"
    text = "There are no protected areas, but habitat protection is proposed."
    assert _sent_status(text, "habitat protection") == "needed"
