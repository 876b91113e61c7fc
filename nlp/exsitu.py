"""nlp.exsitu — ex situ roles (IUCN SSC ex situ guidelines, 2014) named in a sentence.

Role codes are the skos:notation values of a2p:ExSituRoles in ontology/assess2plan.ttl
(insurance, demographic, genetic, reintroduction, ecological_replacement, research,
education, rescue, genome_bank, preservation). Generic words ("research", "education",
"reintroduction") count only when the sentence is about ex situ work (captivity, zoos,
aquaria, breeding centres, gene banks...). A captive-breeding programme with no stated
purpose is read as an insurance population, with a lower confidence. Pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from nlp.lexicon import exsitu_patterns

__all__ = ["EXSITU_LABELS", "RoleHit", "find_roles"]

# skos:prefLabel of each role in ontology/assess2plan.ttl (checked by tests/nlp)
EXSITU_LABELS: dict[str, str] = {
    "insurance": "Insurance population",
    "demographic": "Demographic manipulation and reinforcement (e.g. head-starting)",
    "genetic": "Genetic reinforcement",
    "reintroduction": "Source for reintroduction, reinforcement or assisted colonisation",
    "ecological_replacement": "Ecological replacement",
    "research": "Research and training",
    "education": "Education and awareness",
    "rescue": "Temporary rescue",
    "genome_bank": "Genome resource banking",
    "preservation": "Long-term preservation of a species extinct in the wild",
}

_GENERIC_INSURANCE = ("captive", "breeding programme", "breeding program", "captive population")


@dataclass(frozen=True)
class RoleHit:
    code: str
    label: str
    start: int  # anchor phrase, offsets into the text passed to find_roles
    end: int
    confidence: float


def find_roles(text: str, start: int = 0, end: int | None = None) -> list[RoleHit]:
    """Ex situ roles named in text[start:end] (one sentence), at most one hit per role."""
    end = len(text) if end is None else end
    ctx, roles = exsitu_patterns()
    has_ctx = ctx.search(text, start, end) is not None
    hits: list[RoleHit] = []
    for code, (rx, needs_ctx) in roles.items():
        if needs_ctx and not has_ctx:
            continue
        m = rx.search(text, start, end)
        if m is None:
            continue
        phrase = m.group(0).lower()
        conf = 0.85
        if code == "insurance" and phrase.startswith(_GENERIC_INSURANCE):
            conf = 0.5
        hits.append(RoleHit(code, EXSITU_LABELS[code], m.start(), m.end(), conf))
    # an explicit purpose makes the generic "captive breeding = insurance" reading redundant
    if len(hits) > 1:
        hits = [h for h in hits if not (h.code == "insurance" and h.confidence < 0.6)]
    return hits
