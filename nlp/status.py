"""nlp.status — whether a mention is needed, in place or negated, from cue words around it.

Rules, applied to the sub-clause (split at "but", "however", "although", "whereas", "while",
semicolons and colons) that contains the mention's anchor phrase — or, when the anchor is a
later item of an enumeration ("Recommended measures include A, B where it occurs, and C"),
to the anchor's own item and then the lead-in, so a cue in one item does not leak into the
others:

1. a negation cue before the anchor ("no conservation measures are in place", "it is not
   protected", "there are no ...") → `negated`;
2. otherwise the cue nearest to the anchor decides: a needed cue ("recommended", "should",
   "is required", "proposed", "would benefit") → `needed`; an in-place cue ("is listed",
   "occurs in", "is legally protected", "a programme runs", "has been established") →
   `in_place`;
3. otherwise the status carried from earlier in the sentence: the nearest list lead-in
   ("Recommended measures include: A; B; C", "No measures are in place: A; B" — a clause
   ending with a colon or holding "include", "such as", "namely"...), negation included,
   else the sentence's first clause with a needed / in-place cue;
4. otherwise, for a list item on its own line (bulleted, numbered, or short: `<li>` items
   after markup stripping), the status of the header line above the list
   ("Conservation actions needed:", "No measures in place:");
5. otherwise `unknown`.

For threats only rule 1 applies (with threat negations such as "no major threats").
Pure functions, no I/O.
"""

from __future__ import annotations

import re
from functools import cache

from nlp.lexicon import status_patterns
from nlp.units import enumeration_items

__all__ = ["Status", "status_of"]

Status = str  # "needed" | "in_place" | "negated" | "unknown"

_SUBCLAUSE = re.compile(r",?\s+\b(?:but|however|although|whereas|while|though|yet)\b|;\s*|:\s+|\.\s+", re.IGNORECASE)

_LIST_INTRO = re.compile(r"\b(?:includ\w*|such as|namely|the following|e\.g\.|for example)", re.IGNORECASE)
_BULLET = re.compile(r"[ \t]*(?:[-*•·–—▪►‣◦○●]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)]|\([ivx]{1,4}\))[ \t]+")
_ITEM_MAX_WORDS = 20
_FINITE = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|can|could|may|might)\b", re.IGNORECASE)

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


def _clause_status(text: str, lo: int, hi: int, a: int, b: int) -> Status | None:
    """Status from the cues inside text[lo:hi]: a negation before the anchor's end, else the
    nearest needed / in-place cue; None without a cue."""
    for m in status_patterns()["negated"].finditer(text, lo, hi):
        if m.start() <= b:
            return "negated"
    return _nearest(text, lo, hi, a, b)


def _item_scopes(text: str, lo: int, hi: int, a: int, b: int) -> list[tuple[int, int]]:
    """Where to look for the cues of an anchor in the sub-clause text[lo:hi]: the whole
    sub-clause, or, when the anchor is a later item of an enumeration ("Recommended measures
    include habitat protection, captive breeding where it occurs, and weed control"), its own
    item, then the lead-in (the text up to the end of the first item), so that a cue inside
    one item does not leak into the others; only when neither has a cue, the whole sub-clause
    ("In the US it is present in many MPAs, including A, B, C")."""
    items = enumeration_items(text, lo, hi, 1)
    for i, (x, y) in enumerate(items):
        if x <= a and b <= y:
            return [(x, y), (lo, items[0][1]), (lo, hi)] if i else [(lo, y), (lo, hi)]
    return [(lo, hi)]


def _is_lead_in(text: str, lo: int, hi: int) -> bool:
    return text[lo:hi].rstrip().endswith(":") or text[hi : hi + 1] == ":" or bool(_LIST_INTRO.search(text, lo, hi))


def _sentence_lead_in(text: str, s_lo: int, s_hi: int, a: int) -> Status | None:
    """Status carried to the anchor starting at `a` from an earlier sub-clause of the
    same sentence: the nearest earlier list lead-in ("Recommended measures include: A; B",
    "No measures are in place: A; B") with any cue, negation included; else the first earlier
    sub-clause with a needed / in-place cue."""
    clauses: list[tuple[int, int]] = []
    pos = s_lo
    while pos < s_hi:
        c_lo, c_hi = _subclause(text, s_lo, s_hi, pos)
        if c_lo >= a:
            break
        clauses.append((c_lo, c_hi))
        pos = c_hi + 1
    for c_lo, c_hi in reversed(clauses):
        if _is_lead_in(text, c_lo, c_hi):
            found = _clause_status(text, c_lo, c_hi, c_hi, c_hi)
            if found:
                return found
    for c_lo, c_hi in clauses:
        found = _nearest(text, c_lo, c_hi, c_hi, c_hi)
        if found:
            return found
    return None


def _header_status(text: str, s_lo: int, max_lines: int = 60) -> Status | None:
    """Status carried to a list item on its own line from the header line above the list
    ("Conservation actions needed:" then one item per line, bulleted or not): the lines
    between must all be items (bulleted, or short); a header is a line ending with ':' (or a
    short unpunctuated line right above bulleted lines) and carries its negation or nearest cue."""
    line_lo = text.rfind("\n", 0, s_lo) + 1
    line_hi = text.find("\n", s_lo)
    line_hi = len(text) if line_hi < 0 else line_hi
    if line_lo == 0 or not _is_item(text, line_lo, line_hi):
        return None
    below_bulleted = bool(_BULLET.match(text, line_lo))
    hi = line_lo - 1
    for _ in range(max_lines):
        if hi <= 0:
            return None
        lo = text.rfind("\n", 0, hi) + 1
        line = text[lo:hi].strip()
        if not line:  # blank line: keep walking
            hi = lo - 1
            continue
        bulleted = bool(_BULLET.match(text, lo))
        if line.endswith(":") or (below_bulleted and not bulleted and _is_title(line)):
            return _clause_status(text, lo, hi, hi, hi)
        if not _is_item(text, lo, hi):
            return None
        below_bulleted = bulleted
        hi = lo - 1
    return None


def _is_item(text: str, lo: int, hi: int) -> bool:
    """A line that reads as a list item: bulleted or numbered, or short and without a verb
    such as "is" or "has been" (a line of prose ends the list)."""
    if _BULLET.match(text, lo):
        return True
    return len(text[lo:hi].split()) <= _ITEM_MAX_WORDS and not _FINITE.search(text, lo, hi)


def _is_title(line: str) -> bool:
    return len(line.split()) <= 8 and line[-1] not in ".!?;,"


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
    for x, y in _item_scopes(text, lo, hi, a, b):
        found = _clause_status(text, x, y, a, b)
        if found:
            return found
    return _sentence_lead_in(text, s_lo, s_hi, a) or _header_status(text, s_lo) or "unknown"
