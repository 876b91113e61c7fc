"""kg.iris — the IRI policy in code: mint every IRI the project writes; no I/O.

See ontology/README.md for the policy. Every local name starts with a letter (rdflib's
Turtle writer degrades badly otherwise), codes keep their digits with "." → "_".
"""

from __future__ import annotations

import functools
import hashlib
import re

BASE = "https://w3id.org/assess2plan/"
ONTOLOGY = BASE + "ontology#"
SCHEME = BASE + "scheme/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
# graph and subject of the write token of a remote store (kg.store.SparqlStore.version); outside
# GRAPH, so never counted, dumped or listed with the data graphs
STORE_VERSION = BASE + "store-version"

# scheme name -> letter prefix for its concept local names ("" = the code is already a name)
SCHEME_PREFIX: dict[str, str] = {
    "threats": "T",
    "actions": "A",
    "habitats": "H",
    "research": "R",
    "stresses": "S",
    "usetrade": "U",
    "countries": "",
    "categories": "",
    "systems": "",
    "realms": "",
    "poptrends": "",
    "scopes": "",
    "timing": "",
    "threatscope": "",
    "severity": "",
    "lme": "L",
}

_SAFE = re.compile(r"[^A-Za-z0-9_]+")


@functools.lru_cache(maxsize=1 << 16)  # pure; the builder asks for the same codes millions of times
def code_local(code: str) -> str:
    """A code as a local-name fragment.

    '3.4.1' -> '3_4_1'; 'LR/nt' -> 'LR_nt'; 'Ex?' -> 'ExQ';
    'Past, Unlikely to Return' -> 'PastUnlikelyToReturn'.
    """
    code = code.strip()
    if re.fullmatch(r"[0-9]+(\.[0-9]+)*", code):
        return code.replace(".", "_")
    if re.fullmatch(r"[A-Za-z]+(/[A-Za-z]+)?", code):
        return code.replace("/", "_")
    words = [w for w in _SAFE.split(code.replace("?", " Q")) if w]
    return "".join(w[:1].upper() + w[1:] for w in words)


def scheme(name: str) -> str:
    """IRI of a concept scheme, e.g. scheme('threats')."""
    return SCHEME + name


def concept(scheme_name: str, code: str) -> str:
    """IRI of a concept in one of our SKOS schemes, e.g. concept('threats', '7.2')."""
    prefix = SCHEME_PREFIX[scheme_name]
    local = prefix + code_local(code)
    if not local[:1].isalpha():
        local = "C" + local
    return f"{SCHEME}{scheme_name}/{local}"


def taxon(taxon_id: str) -> str:
    return f"{ID}taxon/sis{taxon_id}"


def higher_taxon(rank: str, name: str) -> str:
    return f"{ID}taxon/{rank}-{code_local(name)}"


def assessment(assessment_id: str) -> str:
    return f"{ID}assessment/a{assessment_id}"


def part(assessment_id: str, kind: str, key: str) -> str:
    """A node hanging off an assessment: kind is threat, action, research, habitat, occurrence..."""
    return f"{ID}assessment/a{assessment_id}-{kind}-{code_local(key)}"


def place(kind: str, code: str) -> str:
    """A place other than a country (countries are concepts of the countries scheme)."""
    return f"{ID}place/{kind}-{code_local(code)}"


def graph(*parts: str) -> str:
    """Named graph IRI: graph('assessment', 'a123'), graph('scheme', 'threats')."""
    return GRAPH + "/".join(parts)


def assessment_graph(assessment_id: str) -> str:
    return graph("assessment", f"a{assessment_id}")


def taxon_graph(taxon_id: str) -> str:
    """The taxon's own record (replaced only by a source with a taxonomy table)."""
    return graph("taxon", f"sis{taxon_id}")


def names_graph(taxon_id: str) -> str:
    """Common names and synonyms (replaced only by a source that lists names)."""
    return graph("names", f"sis{taxon_id}")


def latest_graph(taxon_id: str) -> str:
    """The taxon's latest-assessment marker (recomputed whenever its assessments are ingested)."""
    return graph("latest", f"sis{taxon_id}")


def suggestion(model: str, version: str, key: str) -> str:
    """A suggestion made by a model or rule set (planning buckets, co-affected lists, clusters,
    scores): suggestion('buckets', '0.1.0', 'a123-habitat') → id/suggestion/buckets-v0_1_0-A123-habitat.
    The key's "-"-separated parts are kept apart ('7.2-ID' → '7_2-ID', '11-lme-1' ≠ '1.1-lme-1').
    Stable: the same model version and key mint the same IRI, so writing again replaces it."""
    local = "-".join(code_local(k) for k in key.split("-"))
    return f"{ID}suggestion/{code_local(model)}-v{code_local(version)}-{local}"


def text_suggestion(assessment_id: str, key: str) -> str:
    """A suggestion extracted from an assessment's text (one span): hangs off the assessment."""
    return part(assessment_id or "draft", "suggestion", key)


def feedback(assessment_id: str, ident: str) -> str:
    """An assessor's feedback on a suggestion (ident: a fresh unique id, e.g. uuid4().hex)."""
    return part(assessment_id or "draft", "feedback", ident)


def comment(assessment_id: str, ident: str) -> str:
    """A planner's comment on an assessment (ident: a fresh unique id, e.g. uuid4().hex)."""
    return part(assessment_id or "draft", "comment", ident)


def agent(name: str, institution: str = "") -> str:
    """A person who gave feedback or a comment, identified by name and institution (hashed:
    no personal data in the IRI)."""
    digest = hashlib.sha256(f"{name}\x1f{institution}".encode()).hexdigest()[:20]
    return f"{ID}agent/p{digest}"
