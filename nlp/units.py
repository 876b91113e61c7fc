"""nlp.units — candidate text units for code mapping: the sentences (or semicolon clauses of a
sentence) of a narrative field that may describe a conservation action or a threat.

A clause of at least `min_words` words is a candidate when it contains a cue of `nlp.lexicon`:
in a kind's primary field (conservation actions → `conservation_actions`, threats →
`threats`) any cue, in its secondary fields (the rationale, use and trade, free text) a
generic cue (plus, for actions, a code cue). The items of an enumeration ("include research,
restoration action, habitat management") are extra units when they carry a code cue.
Pure functions on plain text (after `nlp.markup.strip_markup`), no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.lexicon import lexicon
from nlp.segment import clause_spans

__all__ = ["FieldPolicy", "Unit", "find_units"]

_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class FieldPolicy:
    """Which narrative fields a kind reads, and how."""

    primary: tuple[str, ...]
    secondary: tuple[str, ...]
    min_words: int = 2
    max_units: int = 400  # per field; the rest of a very long text is ignored

    def mode(self, field: str) -> str | None:
        if field in self.primary:
            return "all"
        if field in self.secondary:
            return "cued"
        return None


DEFAULT_POLICIES = {
    "actions": FieldPolicy(primary=("conservation_actions",), secondary=("rationale", "use_trade", "")),
    "threats": FieldPolicy(primary=("threats",), secondary=("rationale", "")),
}


@dataclass(frozen=True)
class Unit:
    start: int  # plain-text offsets of the unit (a clause or a whole sentence)
    end: int
    sent_start: int
    sent_end: int


def find_units(
    text: str,
    sentences: list[tuple[int, int]],
    kind: str,
    field: str,
    policy: FieldPolicy | None = None,
) -> list[Unit]:
    """Candidate units of `kind` in `text` (one narrative field, plain text)."""
    policy = policy or DEFAULT_POLICIES[kind]
    mode = policy.mode(field)
    if mode is None:
        return []
    lex = lexicon(kind)
    out: list[Unit] = []
    for s, e in sentences:
        spans = clause_spans(text, s, e) if ";" in text[s:e] else [(s, e)]
        for cs, ce in spans:
            chunk = text[cs:ce]
            if len(_WORD.findall(chunk)) < policy.min_words:
                continue
            if not (lex.has_cue(chunk) or (mode == "all" and lex.code_cue(chunk))):
                continue
            out.append(Unit(cs, ce, s, e))
            for a, b in enumeration_items(text, cs, ce, 1):
                if lex.code_cue(text[a:b]):
                    out.append(Unit(a, b, s, e))
            if len(out) >= policy.max_units:
                return out[: policy.max_units]
    return out


_FINITE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|be|been|being|will|would|can|could|may|might)\b",
    re.IGNORECASE,
)
_ITEM_SEP = re.compile(r",\s*(?:(?:and|or)\s+)?")


def enumeration_items(text: str, start: int, end: int, min_words: int = 2) -> list[tuple[int, int]]:
    """The items of a clause that is an enumeration ("include research, restoration action,
    habitat management, and public education"): at least 3 comma-separated items of at most
    6 words on average, split outside parentheses. Items of fewer than `min_words` words are
    not returned. Returns [] for a clause that is not an enumeration."""
    chunk = text[start:end]
    if chunk.count(",") < 2:
        return []
    cuts: list[tuple[int, int]] = []
    depth = 0
    paren = [0] * (len(chunk) + 1)
    for i, ch in enumerate(chunk):
        depth += ch == "("
        depth -= ch == ")" and depth > 0
        paren[i + 1] = depth
    for m in _ITEM_SEP.finditer(chunk):
        if paren[m.start()] == 0:
            cuts.append((m.start(), m.end()))
    items: list[tuple[int, int]] = []
    cur = 0
    for a, b in cuts + [(len(chunk), len(chunk))]:
        seg = (cur, a)
        cur = b
        sa, sb = seg
        while sa < sb and not chunk[sa].isalnum():
            sa += 1
        while sb > sa and not chunk[sb - 1].isalnum() and chunk[sb - 1] != ")":
            sb -= 1
        if sa >= sb:
            continue
        items.append((sa, sb))
    if len(items) < 3:
        return []
    words = sum(len(chunk[a:b].split()) for a, b in items) / len(items)
    if words > 6 or sum(bool(_FINITE.search(chunk[a:b])) for a, b in items[1:]) > 1:
        return []  # long items or several clauses with verbs: prose, not a list
    return [
        (start + a, start + b)
        for a, b in items
        if (a, b) != (0, len(chunk)) and len(_WORD.findall(chunk[a:b])) >= min_words
    ]
