"""nlp.exsitu — ex situ roles (IUCN SSC ex situ guidelines, 2014) named in a sentence.

Role codes and labels are the skos:notation and skos:prefLabel values of a2p:ExSituRoles in
ontology/assess2plan.ttl, read through `kg.schemes.exsitu_roles` (the one list of roles).
Generic words ("research", "education", "reintroduction") count only when the sentence is
about ex situ work (captivity, zoos, aquaria, breeding centres, gene banks...). A
captive-breeding programme with no stated purpose is read as an insurance population, with a
lower confidence. Pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.schemes import exsitu_roles
from nlp.lexicon import exsitu_patterns

__all__ = ["RoleHit", "find_roles"]


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
    labels = exsitu_roles().labels()
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
        hits.append(RoleHit(code, labels[code], m.start(), m.end(), conf))
    # an explicit purpose makes the generic "captive breeding = insurance" reading redundant
    if len(hits) > 1:
        hits = [h for h in hits if not (h.code == "insurance" and h.confidence < 0.6)]
    return hits
