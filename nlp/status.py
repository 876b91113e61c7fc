"""nlp.status — whether a mention is needed, in place or negated, from cue words around it.

Rules, applied to the sub-clause (split at "but", "however", "although", "whereas", "while")
that contains the mention's anchor phrase:

1. a negation cue before the anchor ("no conservation measures are in place", "it is not
   protected", "there are no ...") → `negated`;
2. otherwise the cue nearest to the anchor decides: a needed cue ("recommended", "should",
   "is required", "proposed", "would benefit") → `needed`; an in-place cue ("is listed",
   "occurs in", "is legally protected", "a programme runs", "has been established") →
   `in_place`;
3. otherwise the status of the sentence's first cued clause ("Recommended measures include
   A; B; C" makes B and C needed);
4. otherwise `unknown`.

For threats only rule 1 applies (with threat negations such as "no major threats").
Pure functions, no I/O.
"""

from __future__ import annotations

import re
from functools import cache

from nlp.lexicon import status_patterns

__all__ = ["Status", "status_of"]

Status = str  # "needed" | "in_place" | "negated" | "unknown"

_SUBCLAUSE = re.compile(r",?\s+\b(?:but|however|although|whereas|while|though|yet)\b|;\s*|:\s+|\.\s+", re.IGNORECASE)

_THREAT_NEGATION = (
    r"\bno (?:\w+ ){0,3}threats?\b",
    r"\bnot (?:\w+ ){0,2}threat\w*",
    r"\bunlikely to (?:be|pose|represent)\b",
    r"\bnot (?:currently |significantly )?(?:affected|impacted|threatened)\b",
    r"\bnone\b",
    r"\bnot known to be\b",
    r"\bno (?:evidence|indication|records?)\b",
    r"\bthere (?:are|is) no\b",
)


@cache
def _threat_negation() -> re.Pattern[str]:
    return re.compile("|".join(_THREAT_NEGATION), re.IGNORECASE)


def _subclause(text: str, lo: int, hi: int, pos: int) -> tuple[int, int]:
    """Bounds, inside [lo, hi), of the sub-clause that contains position pos."""
    start, end = lo, hi
    for m in _SUBCLAUSE.finditer(text, lo, hi):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    return start, end


def _nearest(text: str, lo: int, hi: int, a: int, b: int) -> Status | None:
    pats = status_patterns()
    best: tuple[int, int, str] | None = None  # (distance, preference, status)
    for status, pref in (("needed", 0), ("in_place", 1)):
        for m in pats[status].finditer(text, lo, hi):
            if m.end() <= a:
                dist = a - m.end()
            elif m.start() >= b:
                dist = m.start() - b
            else:
                dist = 0
            key = (dist, pref, status)
            if best is None or key < best:
                best = key
    return best[2] if best else None


def status_of(
    text: str,
    sentence: tuple[int, int],
    anchor: tuple[int, int],
    kind: str = "actions",
) -> Status:
    """Status of the mention anchored at text[anchor] inside text[sentence]."""
    s_lo, s_hi = sentence
    a, b = anchor
    lo, hi = _subclause(text, s_lo, s_hi, a)
    if kind == "threats":
        m = _threat_negation().search(text, lo, hi)
        return "negated" if m is not None and m.start() <= b else "unknown"
    neg = status_patterns()["negated"]
    for m in neg.finditer(text, lo, hi):
        if m.start() <= b:
            return "negated"
    found = _nearest(text, lo, hi, a, b)
    if found:
        return found
    # inherit from the first cued sub-clause of the sentence ("Recommended ... include A; B")
    pos = s_lo
    while pos < s_hi:
        c_lo, c_hi = _subclause(text, s_lo, s_hi, pos)
        if c_lo >= a:
            break
        found = _nearest(text, c_lo, c_hi, c_hi, c_hi)
        if found:
            return found
        pos = c_hi + 1
    return "unknown"
