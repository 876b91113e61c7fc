"""kg.links.names: what counts as the same name, and what only as a spelling variant."""

from __future__ import annotations

import pytest

from kg.links.names import canonical, parse, split_synonyms


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Fictorana lacustris", "Fictorana lacustris"),
        ("  Fictorana   lacustris  ", "Fictorana lacustris"),
        ("FICTORANA LACUSTRIS", "Fictorana lacustris"),
        ("fictorana lacustris", "Fictorana lacustris"),
        ("Fictorana (Fictohyla) lacustris Synthetica, 1901", "Fictorana lacustris"),
        ("Fictobarbus pallidus ssp. minor", "Fictobarbus pallidus minor"),
        ("Fictobarbus pallidus subsp. minor (Synthetica, 1950)", "Fictobarbus pallidus minor"),
        ("Fictoflora alba var. rosea", "Fictoflora alba rosea"),
        ("× Fictoflora alba", "Fictoflora alba"),
        ("Fictoflora x alba", "Fictoflora alba"),
        ("Fictoflora ×alba", "Fictoflora alba"),
        ("Neo-Fictus minor", "Neo-Fictus minor"),
        ("Fictorana de Vis, 1890", "Fictorana"),
    ],
)
def test_canonical(raw: str, expected: str) -> None:
    assert canonical(raw) == expected


def _rank(name: str) -> str:
    p = parse(name)
    assert p is not None
    return p.rank


def _key(name: str) -> str:
    p = parse(name)
    assert p is not None
    return p.spelling_key


def test_rank_from_shape() -> None:
    assert _rank("Fictorana") == "genus"
    assert _rank("Fictorana sp.") == "genus"
    assert _rank("Fictorana lacustris") == "species"
    assert _rank("Fictorana lacustris ssp. fictus") == "infraspecific"
    assert parse("1234") is None
    assert parse("") is None


def test_gender_endings_fold_only_in_the_spelling_key() -> None:
    assert canonical("Fictopora magnus") != canonical("Fictopora magna")  # never "normalised"
    assert _key("Fictopora magnus") == _key("Fictopora magna") == _key("Fictopora magnum")
    assert _key("Fictopora magnis") != _key("Fictopora magna")
    # short epithets are left alone ("ua" must not become "u")
    assert _key("Fictopora ua") != _key("Fictopora us")


def test_split_synonyms_with_authors() -> None:
    text = (
        "Fictastrea echinata Dana, 1846, Fictastrea irregularis Quelch, 1886, "
        "Prionofict echinata (Dana, 1846), Fictastrea spinosa Milne Edwards & Haime, 1848"
    )
    assert split_synonyms(text) == [
        "Fictastrea echinata",
        "Fictastrea irregularis",
        "Prionofict echinata",
        "Fictastrea spinosa",
    ]
    assert split_synonyms("Felis fictus Gray in Griffith, 1830") == ["Felis fictus"]
    assert split_synonyms("") == []
