"""nlp.segment — rule-based sentence and clause boundaries on plain text (character offsets).

Tuned for scientific prose in Red List narratives: "et al. 2010", "pers. comm.", "e.g.",
genus initials ("S. apama"), "ca. 30%" and "Mt. Kinabalu" do not end a sentence; a newline
(a `<p>` or `<br/>` in the original) always does. Clauses split a sentence at semicolons,
the separator of the long enumerations of recommended measures and threats.

Pure functions, no I/O; the spaCy component `a2p.SentenceSegmenter.v1` wraps them.
"""

from __future__ import annotations

import re

__all__ = ["clause_spans", "sentence_spans"]

# words (without the final period) after which a period does not end a sentence
_ABBREV_LOWER = frozenset(
    """al e.g i.e eg ie etc.al pers comm obs spp sp ssp subsp var cf ca approx c no nos fig figs
    vol pp vs mt st dr mr mrs ms prof jr sr inc ltd co jan feb mar apr jun jul aug sep sept oct
    nov dec unpubl litt prep eds ed isl esp incl resp sq pop yr yrs min max est cit op
    """.split()
)
_ABBREV_CASED = frozenset("Is Mt St No Co Dr Mr Mrs Ms Prof Jr Sr Rep Dem Fed Gen Ft Pt".split())

# a candidate end: [.!?] (plus closing quotes/brackets) then whitespace then a likely opener
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ])")
_WORD_BEFORE = re.compile(r"(\S+)$")
_NEWLINES = re.compile(r"\n+")


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the period at text[dot] closes an abbreviation or an initial."""
    m = _WORD_BEFORE.search(text, max(0, dot - 40), dot)
    if m is None:
        return False
    word = m.group(1).lstrip("([\"'“‘")
    if not word:
        return False
    if len(word) == 1 and word.isalpha():  # initials, "S. apama", "N. Sumatra"
        return True
    if word in _ABBREV_CASED or word.lower() in _ABBREV_LOWER:
        return True
    # dotted abbreviations: "e.g", "i.e", "U.S", "a.s.l"
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence of `text`, trimmed, in order, never empty."""
    out: list[tuple[int, int]] = []
    para_start = 0
    for nl in [*_NEWLINES.finditer(text), None]:
        para_end = nl.start() if nl is not None else len(text)
        start = para_start
        for m in _END.finditer(text, para_start, para_end):
            dot = m.start()
            if text[dot] == "." and m.end() - dot == 1 and _is_abbreviation(text, dot):
                continue
            s, e = _trim(text, start, m.end())
            if s < e:
                out.append((s, e))
            start = m.end()
        s, e = _trim(text, start, para_end)
        if s < e:
            out.append((s, e))
        if nl is not None:
            para_start = nl.end()
    return out


_CLAUSE_SEP = re.compile(r";\s*")


def clause_spans(text: str, start: int, end: int, min_words: int = 2) -> list[tuple[int, int]]:
    """Split the sentence text[start:end] at semicolons; clauses of fewer than `min_words`
    words are merged into the previous one. Returns trimmed [start, end) pairs."""
    pieces: list[tuple[int, int]] = []
    cur = start
    for m in _CLAUSE_SEP.finditer(text, start, end):
        pieces.append((cur, m.start()))
        cur = m.end()
    pieces.append((cur, end))
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        s, e = _trim(text, s, e)
        if s >= e:
            continue
        if out and len(text[s:e].split()) < min_words:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    if len(out) > 1 and len(text[out[0][0] : out[0][1]].split()) < min_words:
        out[1] = (out[0][0], out[1][1])
        out.pop(0)
    return out
