"""The committed SKOS concept schemes in ontology/schemes/ (made by scripts/gen_schemes.py)."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from kg import iris  # noqa: E402

SCHEMES_DIR = REPO_ROOT / "ontology" / "schemes"
SHARED_SCHEMES = REPO_ROOT.parent / "shared" / "data" / "iucn-schemes"
A2P = Namespace(iris.ONTOLOGY)

# concept counts = rows (distinct codes) of the source code lists
EXPECTED = {
    "threats": 130,
    "actions": 42,
    "habitats": 126,
    "research": 17,
    "stresses": 16,
    "usetrade": 18,
    "countries": 250,
    "categories": 30,  # 49 API rows = 30 distinct codes across criteria versions
    "systems": 3,
    "realms": 8,
    "poptrends": 4,
    "scopes": 14,
    "timing": 5,
    "threatscope": 4,
    "severity": 7,
}
HIERARCHICAL = {"threats", "actions", "habitats", "research", "stresses", "usetrade"}
LABEL_CODED = {"systems", "realms", "poptrends", "scopes", "timing", "threatscope", "severity"}


@cache
def graph(name: str) -> Graph:
    return Graph().parse(SCHEMES_DIR / f"{name}.ttl", format="turtle")


def concepts(name: str) -> set[URIRef]:
    return set(graph(name).subjects(RDF.type, SKOS.Concept))


def concept_by_notation(name: str, notation: str) -> URIRef:
    found = list(graph(name).subjects(SKOS.notation, Literal(notation)))
    assert len(found) == 1, (name, notation, found)
    return found[0]


def test_scheme_files_are_exactly_the_expected_ones():
    assert sorted(p.stem for p in SCHEMES_DIR.glob("*.ttl")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_concept_counts_and_core_skos(name):
    g = graph(name)
    s = URIRef(iris.scheme(name))
    assert set(g.subjects(RDF.type, SKOS.ConceptScheme)) == {s}
    cs = concepts(name)
    assert len(cs) == EXPECTED[name]
    for c in cs:
        assert str(c).startswith(iris.scheme(name) + "/"), c
        assert set(g.objects(c, SKOS.inScheme)) == {s}, c
        labels = list(g.objects(c, SKOS.prefLabel))
        assert len(labels) == 1 and labels[0].language == "en" and str(labels[0]), c
        assert list(g.objects(c, SKOS.notation)), c
    # scheme metadata
    for p in (DCTERMS.title, OWL.versionInfo, DCTERMS.source, PROV.wasDerivedFrom, DCTERMS.rights):
        assert g.value(s, p) is not None, (name, p)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_iris_follow_the_policy(name):
    g = graph(name)
    for c in concepts(name):
        if name in LABEL_CODED:
            code = str(g.value(c, SKOS.prefLabel))
        else:
            notations = [str(n) for n in g.objects(c, SKOS.notation)]
            assert len(notations) == 1, (c, notations)
            code = notations[0]
        assert str(c) == iris.concept(name, code), (c, code)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broader_chains_are_well_formed(name):
    g = graph(name)
    s = URIRef(iris.scheme(name))
    cs = concepts(name)
    tops = set(g.objects(s, SKOS.hasTopConcept))
    assert tops and tops == set(g.subjects(SKOS.topConceptOf, s))
    for c in cs:
        parents = list(g.objects(c, SKOS.broader))
        assert len(parents) <= 1, c
        assert (c in tops) == (not parents), c
        for p in parents:
            assert p in cs, (c, p)
            assert (p, SKOS.narrower, c) in g
        seen, node = set(), c
        while node is not None:
            assert node not in seen, f"cycle through {node}"
            seen.add(node)
            node = g.value(node, SKOS.broader)
    for p, c in g.subject_objects(SKOS.narrower):
        assert (c, SKOS.broader, p) in g
    if name in HIERARCHICAL:
        for c in cs:
            code = str(g.value(c, SKOS.notation))
            parent = g.value(c, SKOS.broader)
            expected = code.rsplit(".", 1)[0] if "." in code else None
            assert (str(g.value(parent, SKOS.notation)) if parent else None) == expected, code


@pytest.mark.parametrize(("name", "chain"), [("actions", "3.4.1"), ("threats", "5.1.1")])
def test_three_level_chain(name, chain):
    g = graph(name)
    leaf, mid, top = (URIRef(iris.concept(name, chain.rsplit(".", k)[0])) for k in (0, 1, 2))
    assert g.value(leaf, SKOS.broader) == mid
    assert g.value(mid, SKOS.broader) == top
    assert g.value(top, SKOS.broader) is None
    assert (top, SKOS.topConceptOf, URIRef(iris.scheme(name))) in g


def test_threat_7_2_has_definition():
    g = graph("threats")
    d = g.value(URIRef(iris.concept("threats", "7.2")), SKOS.definition)
    assert d is not None and d.language == "en" and "water" in str(d).lower()


def test_definitions_present_where_expected():
    assert sum(1 for _ in graph("habitats").subject_objects(SKOS.definition)) > 90
    g = graph("actions")
    for code in ("1", "1.1", "3.4", "6.5"):
        assert g.value(URIRef(iris.concept("actions", code)), SKOS.definition) is not None, code
    # placeholder text is not a definition
    for _, d in graph("habitats").subject_objects(SKOS.definition):
        assert not str(d).lower().startswith(("not defined", "needs to be", "to be defined")), d


def test_red_list_categories():
    g = graph("categories")

    def val(code, prop):
        v = g.value(concept_by_notation("categories", code), prop)
        return None if v is None else v.toPython()

    assert {c for c in ("CR", "EN", "VU", "NT", "LC", "DD") if val(c, A2P.threatened)} == {
        "CR", "EN", "VU"
    }  # fmt: skip
    assert val("LC", A2P.threatened) is False
    ranks = {"LC": 0, "LR/lc": 0, "NT": 1, "LR/nt": 1, "LR/cd": 1, "VU": 2, "EN": 3, "CR": 4,
             "EW": 5, "EX": 6, "DD": -1, "NE": -2}  # fmt: skip
    assert {c: val(c, A2P.categoryRank) for c in ranks} == ranks
    assert {c: val(c, A2P.starWeight) for c in ("LC", "NT", "VU", "EN", "CR")} == {
        "LC": 0, "NT": 100, "VU": 200, "EN": 300, "CR": 400
    }  # fmt: skip
    cr = concept_by_notation("categories", "CR")
    assert {str(v) for v in g.objects(cr, A2P.criteriaVersion)} == {"2.3", "3.1"}
    assert str(g.value(concept_by_notation("categories", "LR/nt"), SKOS.prefLabel)) == (
        "Lower Risk/near threatened"
    )


def test_countries():
    g = graph("countries")
    gb = URIRef(iris.concept("countries", "GB"))
    assert (gb, RDF.type, A2P.Country) in g
    assert str(g.value(gb, A2P.iso2)) == "GB"


def test_label_coded_schemes_keep_api_code():
    g = graph("systems")
    fw = URIRef(iris.concept("systems", "Freshwater (=Inland waters)"))
    assert {str(n) for n in g.objects(fw, SKOS.notation)} == {"1", "Freshwater (=Inland waters)"}
    assert URIRef(iris.concept("realms", "Indomalayan")) in concepts("realms")
    assert URIRef(iris.concept("poptrends", "Decreasing")) in concepts("poptrends")
    assert URIRef(iris.concept("scopes", "Global")) in concepts("scopes")


def test_threat_impact_weights():
    expected = {
        "timing": {"Ongoing": 3, "Future": 1, "Past, Likely to Return": 1,
                   "Past, Unlikely to Return": 0, "Unknown": None},
        "threatscope": {"Whole (>90%)": 3, "Majority (50-90%)": 2, "Minority (<50%)": 1,
                        "Unknown": 0},
        "severity": {"Very Rapid Declines": 3, "Rapid Declines": 2,
                     "Slow, Significant Declines": 1, "Causing/Could cause fluctuations": 1,
                     "Negligible declines": 0, "No decline": 0, "Unknown": 0},
    }  # fmt: skip
    for name, weights in expected.items():
        g = graph(name)
        for label, w in weights.items():
            c = URIRef(iris.concept(name, label))
            assert str(g.value(c, SKOS.notation)) == label
            v = g.value(c, A2P.impactWeight)
            assert (None if v is None else v.toPython()) == w, (name, label)
    g = graph("severity")
    slow = URIRef(iris.concept("severity", "Slow, Significant Declines"))
    assert Literal("Slow, significant declines", lang="en") in set(g.objects(slow, SKOS.altLabel))


@pytest.mark.shared_data
def test_regeneration_is_byte_identical(tmp_path):
    if not SHARED_SCHEMES.is_dir():
        pytest.skip(f"shared code lists not available at {SHARED_SCHEMES}")
    spec = importlib.util.spec_from_file_location(
        "gen_schemes_under_test", REPO_ROOT / "scripts" / "gen_schemes.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.modules.pop(spec.name, None)
    counts = mod.generate(SHARED_SCHEMES, tmp_path)
    assert counts == EXPECTED
    for name in EXPECTED:
        new = (tmp_path / f"{name}.ttl").read_bytes()
        old = (SCHEMES_DIR / f"{name}.ttl").read_bytes()
        assert new == old, f"{name}.ttl is stale: run scripts/gen_schemes.py"
