"""TaxonIndex.for_names: a request's taxa resolved through bound look-ups give exactly what the
whole graph's index gives, and never read every taxon."""

from __future__ import annotations

from typing import Any

import pytest

import kg.links.match as match
from kg import iris
from kg.links.match import TaxonIndex, lookup_keys, resolve_taxon
from kg.store import Store

# every form a person may give, for every match method and every reason for refusing one
VALUES = [
    "Fictorana lacustris",  # exact
    "FICTORANA  LACUSTRIS",  # normalised
    "fictorana lacustris Synthetica, 1901",  # normalised, with the authority
    "Fictobarbus pallidus minor",  # normalised infraspecific
    "Fictobarbus pallidus ssp. minor",
    "Fictohyla montana",  # the Red List's synonym
    "Fictohyla vulgaris",  # a synonym of two taxa: ambiguous
    "Fictopora magnus",  # spelling: did you mean
    "Fictopora magnaa",  # close in the genus: refused as a spelling
    "Fictorana lacustris fictus",  # rank: did you mean the species
    "Fictoglis insularis",  # the species, not its subpopulation
    "Fictorana nova",  # genus in the graph, epithet not
    "Nogenus nospecies",  # nothing
    "Fictorana",  # a genus
    "not a name",  # shaped like a name, not in the graph
    "?? 42",  # invalid
    "700005",  # Red List ids
    "999999",
    iris.taxon("700002"),  # an IRI
    f"<{iris.taxon('700003')}>",
]


def outcome(index: TaxonIndex, value: str) -> str:
    try:
        return resolve_taxon(index, value).iri
    except ValueError as exc:
        return f"refused: {exc}"


def test_every_value_resolves_as_with_the_whole_index(store: Store) -> None:
    whole = TaxonIndex.from_store(store)
    assert len(whole) == 8
    for value in VALUES:
        small = TaxonIndex.for_names(store, [value])
        assert outcome(small, value) == outcome(whole, value), value
        assert len(small) < len(whole) or value == "Fictohyla vulgaris"
    # every taxon of the graph by its own name and id
    for t in whole.taxa:
        for value in (t.name, t.name.lower(), t.taxon_id):
            assert outcome(TaxonIndex.for_names(store, [value]), value) == outcome(whole, value)


def test_outcomes_are_the_expected_ones(store: Store) -> None:
    """Not only equal to the whole index: right (so the comparison above cannot pass vacuously)."""
    index = TaxonIndex.for_names(store, VALUES)
    assert outcome(index, "FICTORANA  LACUSTRIS") == iris.taxon("700001")
    assert outcome(index, "Fictohyla montana") == iris.taxon("700002")
    assert outcome(index, "Fictoglis insularis") == iris.taxon("700007")
    assert outcome(index, iris.taxon("700002")) == iris.taxon("700002")
    assert "did you mean 'Fictopora magna'" in outcome(index, "Fictopora magnus")
    assert "ambiguous" in outcome(index, "Fictohyla vulgaris")
    assert "genus Fictorana is in the graph" in outcome(index, "Fictorana nova")
    assert "higher_rank" in outcome(index, "Fictorana")
    assert "invalid" in outcome(index, "?? 42")
    assert "no assessed taxon with Red List id 999999" in outcome(index, "999999")


def test_lookups_are_bound_never_a_scan(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []
    real = match.run

    def spy(st: Store, name: str, **bindings: Any) -> Any:
        calls.append((name, bindings))
        return real(st, name, **bindings)

    monkeypatch.setattr(match, "run", spy)
    TaxonIndex.for_names(store, ["Fictopora magnus", "700002"])
    assert calls
    assert all(b for _, b in calls), "every query has a bound value"
    assert {n for n, _ in calls} == {"links_taxon_lookup", "links_taxon_names"}
    assert lookup_keys("?? 42") == lookup_keys("Fictorana") == []
    assert lookup_keys("700002") == [(str(match.A2P.sisTaxonId), "700002")]
