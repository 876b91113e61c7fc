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
