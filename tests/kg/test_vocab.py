"""kg/vocab.py is generated from the ontology and must not drift; misspelt terms raise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_vocab_matches_ontology() -> None:
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_vocab.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr


def test_misspelt_term_raises() -> None:
    from kg.vocab import A2P

    assert str(A2P.hasThreatImpact).endswith("#hasThreatImpact")
    with pytest.raises(AttributeError):
        _ = A2P.hasThreatImpacts


def test_iri_policy_local_names_start_with_a_letter() -> None:
    from kg import iris

    for scheme, code in [
        ("threats", "7.2"),
        ("actions", "3.4.1"),
        ("categories", "LR/nt"),
        ("categories", "Ex?"),
        ("timing", "Past, Unlikely to Return"),
        ("countries", "ID"),
    ]:
        local = iris.concept(scheme, code).rsplit("/", 1)[1]
        assert local[0].isalpha(), (scheme, code, local)
    assert iris.concept("categories", "Ex?") != iris.concept("categories", "Ex")
    assert iris.concept("threats", "7.2") == iris.SCHEME + "threats/T7_2"
