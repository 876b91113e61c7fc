"""Generate kg/vocab.py (rdflib DefinedNamespace classes) from the ontology modules.

python scripts/gen_vocab.py            # rewrite kg/vocab.py
python scripts/gen_vocab.py --check    # exit 1 if kg/vocab.py is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rdflib import Graph, URIRef

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_FILES = [ROOT / "ontology" / "assess2plan.ttl", ROOT / "ontology" / "links.ttl"]
TARGET = ROOT / "kg" / "vocab.py"
NS = "https://w3id.org/assess2plan/ontology#"

HEADER = '''# ruff: noqa: N815
"""kg.vocab — RDF terms of our ontology and the vocabularies we reuse; generated, do not edit.

Regenerate with `python scripts/gen_vocab.py` after changing ontology/assess2plan.ttl;
a test fails when this file drifts from the ontology. `_fail = True` makes a misspelt
term raise instead of minting a new IRI.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace

__all__ = ["A2P", "DWC", "DCTERMS", "OWL", "PROV", "RDF", "RDFS", "SDO", "SKOS", "XSD"]

DWC = Namespace("http://rs.tdwg.org/dwc/terms/")


class A2P(DefinedNamespace):
    """assess2plan ontology terms."""

    _NS = Namespace("{ns}")
    _fail = True

'''


def render() -> str:
    g = Graph()
    for f in ONTOLOGY_FILES:
        g.parse(f)
    terms = sorted(
        {str(s)[len(NS) :] for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(NS)}
    )
    body = "".join(f"    {t}: URIRef\n" for t in terms)
    return HEADER.replace("{ns}", NS) + body


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    text = render()
    if args.check:
        if TARGET.read_text() != text:
            print(f"{TARGET} is out of date: run python scripts/gen_vocab.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
