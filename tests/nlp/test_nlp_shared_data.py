"""Checks on the shared real Red List data (skipped when ../shared/data is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.corpus import load_corpus

pytestmark = pytest.mark.shared_data


def test_shared_sources_are_labelled_and_split_by_species(shared_data: Path) -> None:
    docs = load_corpus([shared_data])
    actions = [d for d in docs if d.labels["actions"]]
    threats = [d for d in docs if d.labels["threats"]]
    assert len(actions) > 300 and len(threats) > 300
    assert {d.source for d in actions} >= {
        "redlist-export-pacific-marine-2019",
        "redlist-export-primates",
    }
    keys = {}
    for d in docs:
        assert keys.setdefault(d.key, d.split) == d.split
    assert len({d.key for d in docs}) == len(docs)  # one document per species
