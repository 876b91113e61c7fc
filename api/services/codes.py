"""api.services.codes — the IUCN code lists as the API sees them: validation, labels, roll-up,
and which actions answer which threats (ontology/threat_action_map.ttl). Read once, no store.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from kg.schemes import ONTOLOGY_DIR, Scheme, load_schemes
from kg.vocab import A2P

# request field kind -> scheme name
SCHEME_OF = {
    "threat": "threats",
    "action": "actions",
    "habitat": "habitats",
    "research": "research",
    "country": "countries",
    "category": "categories",
    "stress": "stresses",
}


@dataclass(frozen=True)
class Codes:
    schemes: dict[str, Scheme]
    answers: dict[str, frozenset[str]]  # action code -> threat codes it answers (as mapped)

    def scheme(self, kind: str) -> Scheme:
        return self.schemes[SCHEME_OF.get(kind, kind)]

    def known(self, kind: str, code: str) -> bool:
        return code in self.scheme(kind)

    def canonical(self, kind: str, value: str) -> str | None:
        """The code for a code or a label (case-insensitive), None when unknown."""
        return self.scheme(kind).code_for(value)

    def label(self, kind: str, code: str) -> str:
        c = self.scheme(kind).concepts.get(code)
        return c.label if c else ""

    def iri(self, kind: str, code: str) -> str:
        return self.scheme(kind).concepts[code].iri

    def rollup(self, kind: str, code: str) -> list[str]:
        """code and its ancestors ('7.2.1' -> ['7.2.1', '7.2', '7'])."""
        return self.scheme(kind).ancestors(code)

    def threats_answered(self, action: str) -> set[str]:
        """Threat codes (at the mapped level) that an action code or any ancestor answers."""
        out: set[str] = set()
        for a in self.rollup("action", action):
            out |= self.answers.get(a, frozenset())
        return out

    def action_answers_threat(self, action: str, threat: str) -> bool:
        return bool(self.threats_answered(action) & set(self.rollup("threat", threat)))


@lru_cache(maxsize=1)
def codes() -> Codes:
    schemes = load_schemes()
    actions, threats = schemes["actions"], schemes["threats"]
    answers: dict[str, set[str]] = {}
    with open(ONTOLOGY_DIR / "threat_action_map.ttl", "rb") as fh:
        for t in ox.parse(fh, ox.RdfFormat.TURTLE):
            if t.predicate.value != str(A2P.answersThreat):
                continue
            a = actions.by_iri.get(t.subject.value)
            th = threats.by_iri.get(t.object.value)
            if a and th:
                answers.setdefault(a, set()).add(th)
    return Codes(schemes, {k: frozenset(v) for k, v in answers.items()})
