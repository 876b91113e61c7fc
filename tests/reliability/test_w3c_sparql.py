"""The W3C SPARQL 1.1 query test suite, run through our HTTP endpoint (/sparql).

`scripts/install.sh` copies the suite from the source package of the installed rdflib into
the git-ignored `var/w3c/sparql11`; without it this test skips. Every data file of the query
test manifests goes into one Oxigraph store, in a named graph called by the file's W3C IRI.
Each query-evaluation test then runs through `/sparql` (the real endpoint: screening, the
query process, content negotiation) with its dataset given by the protocol parameters
`default-graph-uri` / `named-graph-uri` (unless the query has its own FROM), and its result
is compared with the expected one: solutions as a multiset (in order when the query has
ORDER BY), blank nodes matched by a consistent renaming, numbers by value; CONSTRUCT
graphs by isomorphism. Syntax tests check 200 for valid and 400 for invalid queries.

The pass count is printed, failures are written to `var/w3c/failures.txt`, and the test
asserts the pass count does not fall below the recorded floor.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import BNode, Graph, Literal, Namespace, URIRef, namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.query import Result

from api.main import create_app
from api.settings import Settings
from kg.store import open_store

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "var" / "w3c" / "sparql11"
FAILURES = ROOT / "var" / "w3c" / "failures.txt"
W3C_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
NO_GRAPH = "urn:x-a2p-test:no-named-graph"  # a named-graph-uri naming no graph: none visible

# the query-language parts of the suite (SPARQL 1.1 Query's conformance list, plus results
# in CSV/TSV/JSON); entailment, federation (SERVICE is refused here) and update are not run
QUERY_DIRS = [
    "aggregates", "bind", "bindings", "construct", "exists", "functions", "grouping",
    "negation", "project-expression", "property-path", "subquery", "syntax-query",
    "csv-tsv-res", "json-res",
]
# measured (rdflib 7.6.0's copy, pyoxigraph 0.5): 172 of 183 evaluation tests and 92 of 95
# syntax tests pass; the rest are Oxigraph's own deviations (BNODE(str) scoping, STRDT/STRLANG
# on xsd:string, a custom function) and relative IRIs, which need the query file's location
# as base IRI — an HTTP endpoint cannot know it
EVAL_FLOOR = 172
SYNTAX_FLOOR = 92

RESULT_FORMATS = {".srx": "xml", ".srj": "json", ".tsv": "tsv", ".csv": "csv"}
RESULT_MEDIA = {"xml": "application/sparql-results+json", "json": "application/sparql-results+json",
                "tsv": "text/tab-separated-values", "csv": "text/csv"}
RDF_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".rdf": ox.RdfFormat.RDF_XML,
               ".nt": ox.RdfFormat.N_TRIPLES}


@dataclass
class Case:
    name: str
    kind: str  # eval | positive | negative
    query: str  # W3C IRI of the query file
    data: list[str] = field(default_factory=list)
    graph_data: list[str] = field(default_factory=list)
    result: str | None = None


def local(iri: str) -> Path:
    return SUITE / iri.removeprefix(W3C_BASE)


def cases() -> Iterator[Case]:
    kinds = {MF.QueryEvaluationTest: "eval", MF.CSVResultFormatTest: "eval",
             MF.PositiveSyntaxTest11: "positive", MF.NegativeSyntaxTest11: "negative"}
    for d in QUERY_DIRS:
        g = Graph()
        g.parse(SUITE / d / "manifest.ttl", format="turtle", publicID=f"{W3C_BASE}{d}/manifest.ttl")
        for lst in g.objects(None, MF.entries):
            for test in Collection(g, lst):
                kind = next((kinds[t] for t in g.objects(test, namespace.RDF.type) if t in kinds), None)
                if kind is None:
                    continue
                action = g.value(test, MF.action)
                if kind == "eval":
                    result = g.value(test, MF.result)
                    yield Case(str(test).removeprefix(W3C_BASE), kind, str(g.value(action, QT.query)),
                               [str(x) for x in g.objects(action, QT.data)],
                               [str(x) for x in g.objects(action, QT.graphData)],
                               str(result) if result else None)
                else:
                    yield Case(str(test).removeprefix(W3C_BASE), kind, str(action))


# --------------------------------------------------------------------------- comparison


def norm(t: object) -> object:
    """RDF 1.1: a plain literal is an xsd:string literal."""
    if isinstance(t, Literal) and t.datatype == namespace.XSD.string:
        return Literal(str(t))
    return t


def same_term(a: object, b: object, bmap: dict[BNode, BNode]) -> bool:
    if isinstance(a, BNode) or isinstance(b, BNode):
        if not (isinstance(a, BNode) and isinstance(b, BNode)):
            return False
        if a in bmap:
            return bmap[a] == b
        if b in bmap.values():
            return False
        bmap[a] = b
        return True
    a, b = norm(a), norm(b)
    if a == b:
        return True
    if isinstance(a, Literal) and isinstance(b, Literal) and a.datatype and b.datatype:
        try:
            return bool(a.eq(b)) and a.datatype == b.datatype
        except TypeError:
            return False
    return False


def same_row(r1: dict[str, object], r2: dict[str, object], bmap: dict[BNode, BNode]) -> bool:
    if r1.keys() != r2.keys():
        return False
    trial = dict(bmap)
    if all(same_term(r1[k], r2[k], trial) for k in r1):
        bmap.clear()
        bmap.update(trial)
        return True
    return False


def match(got: list[dict[str, object]], want: list[dict[str, object]], ordered: bool) -> bool:
    if len(got) != len(want):
        return False
    if ordered:
        bmap: dict[BNode, BNode] = {}
        return all(same_row(a, b, bmap) for a, b in zip(got, want, strict=True))

    def search(i: int, left: list[dict[str, object]], bmap: dict[BNode, BNode]) -> bool:
        if i == len(got):
            return True
        for j, cand in enumerate(left):
            trial = dict(bmap)
            if same_row(got[i], cand, trial) and search(i + 1, left[:j] + left[j + 1:], trial):
                return True
        return False

    return search(0, list(want), {})


def rows(res: Result) -> list[dict[str, object]]:
    names = [str(v) for v in res.vars or []]
    return [{n: row[n] for n in names if row[n] is not None} for row in res]


# --------------------------------------------------------------------------- the run


@dataclass
class Outcome:
    passed: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def load_store(url: str, all_cases: list[Case]) -> None:
    """Every data file in its own named graph, called by the file's W3C IRI."""
    quads: list[ox.Quad] = []
    for iri in sorted({i for c in all_cases for i in c.data + c.graph_data}):
        f = local(iri)
        g = ox.NamedNode(iri)
        for t in ox.parse(path=str(f), format=RDF_FORMATS[f.suffix], base_iri=iri):
            quads.append(ox.Quad(t.subject, t.predicate, t.object, g))
    with open_store(url) as st:
        st.replace(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")


def run_case(client: TestClient, c: Case) -> str | None:
    """None when the test passes, else why not."""
    query = local(c.query).read_text(encoding="utf-8")
    params: list[tuple[str, str]] = []
    if not re.search(r"\bFROM\b", query, re.IGNORECASE):
        params += [("default-graph-uri", g) for g in c.data or [NO_GRAPH]]
        params += [("named-graph-uri", g) for g in c.graph_data or [NO_GRAPH]]
    expected = local(c.result) if c.result else None
    graph_result = expected is not None and expected.suffix in RDF_FORMATS
    accept = "*/*" if c.kind != "eval" else (
        "application/n-triples" if graph_result else RESULT_MEDIA[RESULT_FORMATS[expected.suffix]])
    r = client.post("/sparql", params=params, data={"query": query},
                    headers={"Accept": accept})
    if c.kind == "negative":
        return None if r.status_code == 400 else f"HTTP {r.status_code}, expected 400"
    if r.status_code >= 500:
        return f"HTTP {r.status_code} (server error): {r.text[:300]}"
    if r.status_code != 200:
        return f"HTTP {r.status_code}: {r.text[:300]}"
    if c.kind == "positive":
        return None
    assert expected is not None
    if graph_result:
        got, want = Graph(), Graph()
        got.parse(data=r.content, format="nt")
        want.parse(expected, format={".ttl": "turtle", ".rdf": "xml", ".nt": "nt"}[expected.suffix],
                   publicID=c.result)
        if len(want) and (want.value(None, namespace.RDF.type) == URIRef(
                "http://www.w3.org/2001/sw/DataAccess/tests/result-set#ResultSet")):
            return "expected results are an RDF result set (not compared by this harness)"
        return None if isomorphic(got, want) else f"graphs differ: got {len(got)}, want {len(want)}"
    # CSV and TSV expectations are compared with our own CSV/TSV (CSV carries no types)
    fmt = RESULT_FORMATS[expected.suffix]
    res = Result.parse(io.BytesIO(r.content), format=fmt if fmt in ("csv", "tsv") else "json")
    want_res = Result.parse(expected.open("rb"), format=fmt)
    if want_res.type == "ASK" or res.type == "ASK":
        ok = res.type == want_res.type and res.askAnswer == want_res.askAnswer
        return None if ok else f"ASK {res.askAnswer}, want {want_res.askAnswer}"
    ordered = bool(re.search(r"\bORDER\s+BY\b", query, re.IGNORECASE))
    got_rows, want_rows = rows(res), rows(want_res)
    if match(got_rows, want_rows, ordered):
        return None
    return f"{len(got_rows)} solutions, want {len(want_rows)}: got {got_rows[:3]} want {want_rows[:3]}"


@pytest.mark.slow
def test_w3c_sparql11_query_suite(tmp_path: Path) -> None:
    if not (SUITE / "manifest-all.ttl").exists():
        pytest.skip(f"{SUITE} is absent: scripts/install.sh fetches it from rdflib's source "
                    "package (needs the package index at install time)")
    all_cases = list(cases())
    load_store(f"oxigraph:{tmp_path / 'w3c'}", all_cases)
    settings = Settings(store=f"oxigraph:{tmp_path / 'w3c'}", read_only=True, index_dir=":memory:",
                        warm_up=False, semantic_search=False, use_nlp=False, sparql_processes=1,
                        sparql_timeout=20)
    out = Outcome()
    with TestClient(create_app(settings)) as client:
        for c in all_cases:
            group = "eval" if c.kind == "eval" else "syntax"
            out.total[group] += 1
            why = run_case(client, c)
            if why is None:
                out.passed[group] += 1
            else:
                out.failures.append(f"{c.name}\t{why}")
        # the endpoint is still healthy after the whole suite
        assert client.get("/health").json()["status"] == "ok"
    FAILURES.parent.mkdir(parents=True, exist_ok=True)
    FAILURES.write_text("\n".join(out.failures) + "\n", encoding="utf-8")
    print(f"\nW3C SPARQL 1.1 query tests through /sparql: evaluation {out.passed['eval']} of "
          f"{out.total['eval']} pass, syntax {out.passed['syntax']} of {out.total['syntax']} "
          f"(failures in {FAILURES})")
    server_errors = [f for f in out.failures if "server error" in f]
    assert not server_errors, server_errors
    assert out.passed["eval"] >= EVAL_FLOOR
    assert out.passed["syntax"] >= SYNTAX_FLOOR
