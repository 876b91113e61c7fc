"""nlp.markup: HTML → plain text, with every plain span mapped back to the original offsets."""

from __future__ import annotations

import pytest

from nlp.markup import strip_markup


def test_plain_text_is_unchanged_with_identity_offsets() -> None:
    s = strip_markup("Fishing nets kill turtles.")
    assert s.text == "Fishing nets kill turtles."
    assert s.original_span(8, 12) == (8, 12)


def test_tags_stripped_block_tags_become_newlines() -> None:
    s = strip_markup("<p>First <em>para</em>.</p><p>Second<br/>line.</p>")
    assert s.text == "First para.\nSecond\nline.\n"


def test_entities_decoded_and_spans_cover_the_entity() -> None:
    original = "Sea &amp; river&#160;fish &lt;3"
    s = strip_markup(original)
    assert s.text == "Sea & river fish <3"
    a, b = s.original_span(0, len(s.text))
    assert original[a:b] == original
    i = s.text.index("&")
    assert original[slice(*s.original_span(i, i + 1))] == "&amp;"


def test_span_in_original_equals_evidence_after_stripping() -> None:
    original = '<p>A <span style="font-style: italic;">captive breeding</span> programme is recommended.</p>'
    s = strip_markup(original)
    i = s.text.index("captive breeding")
    a, b = s.original_span(i, i + len("captive breeding"))
    assert original[a:b] == "captive breeding"
    j = s.text.index("A captive")
    a, b = s.original_span(j, j + len("A captive breeding programme"))
    assert strip_markup(original[a:b]).text == "A captive breeding programme"


def test_lone_angle_bracket_and_unknown_entity_are_text() -> None:
    s = strip_markup("fewer than < 50 adults & &madeup; more")
    assert s.text == "fewer than < 50 adults & &madeup; more"


def test_empty_and_bad_input() -> None:
    assert strip_markup("").text == ""
    assert strip_markup("").original_span(0, 0) == (0, 0)
    with pytest.raises(TypeError):
        strip_markup(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(IndexError):
        strip_markup("abc").original_span(2, 9)


def test_large_markup_input_is_linear_enough() -> None:
    s = strip_markup("<p>a &amp; b</p>" * 20_000)
    assert s.text.count("a & b") == 20_000
    assert len(s.starts) == len(s.text)
