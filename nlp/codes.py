"""nlp.codes — the code space a mapper predicts (level-2 codes and their level-3 children), with
the public scheme text (label, definition, examples) used for zero-shot matching and as seed
training sentences. Reads `kg.schemes` only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.schemes import Scheme, load_schemes

__all__ = ["CodeSpace", "code_space", "rollup"]

SCHEME_VERSION = {
    "actions": "Conservation Actions Classification Scheme v2.0",
    "threats": "Threats Classification Scheme v3.3",
}


@dataclass(frozen=True)
class CodeSpace:
    kind: str
    scheme: Scheme
    level2: tuple[str, ...]  # predicted at level 2 (and level-1 codes that have no children)
    level3: tuple[str, ...]  # refinements of a level-2 code
    parent: dict[str, str]  # level-3 code -> level-2 code

    @property
    def codes(self) -> tuple[str, ...]:
        return self.level2 + self.level3

    def label(self, code: str) -> str:
        c = self.scheme.concepts.get(code)
        return c.label if c else code

    def children(self, code: str) -> tuple[str, ...]:
        return tuple(c for c in self.level3 if self.parent[c] == code)

    def description(self, code: str) -> str:
        """Label, definition and examples as one text (the zero-shot target of a code)."""
        c = self.scheme.concepts[code]
        parts = [c.label]
        if c.definition:
            parts.append(c.definition)
        elif c.broader and c.broader in self.scheme.concepts:
            p = self.scheme.concepts[c.broader]
            parts.append(f"{p.label}: {p.definition}" if p.definition else p.label)
        if c.examples:
            parts.append(f"For example {c.examples}")
        return ". ".join(s.rstrip(". ") for s in parts) + "."

    def seed_texts(self, code: str) -> list[str]:
        """Short public texts naming the code: label, label parts, definition, each example."""
        c = self.scheme.concepts[code]
        out = [c.label, self.description(code)]
        parts = [p.strip() for p in re.split(r"/|&|,", c.label) if len(p.strip().split()) >= 2]
        out.extend(parts)
        if c.definition:
            out.append(c.definition)
        for ex in re.split(r"[,;]\s*", c.examples or ""):
            ex = re.sub(r"\betc\.?$", "", ex).strip(" .")
            if len(ex) >= 4:
                out.append(ex)
        seen: set[str] = set()
        return [t for t in out if not (t.lower() in seen or seen.add(t.lower()))]


@cache
def code_space(kind: str) -> CodeSpace:
    name = {"actions": "actions", "threats": "threats"}.get(kind)
    if name is None:
        raise ValueError(f"unknown kind {kind!r} (expected 'actions' or 'threats')")
    sch = load_schemes()[name]
    level2: list[str] = []
    level3: list[str] = []
    parent: dict[str, str] = {}
    has_children = {c.broader for c in sch.concepts.values() if c.broader}
    for code in sorted(sch.concepts, key=_sort_key):
        lvl = sch.level(code)
        if lvl == 2 or (lvl == 1 and code not in has_children):
            level2.append(code)
        elif lvl == 3:
            level3.append(code)
            parent[code] = sch.ancestors(code)[1]
    return CodeSpace(kind, sch, tuple(level2), tuple(level3), parent)


def _sort_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in code.split("."))


def rollup(scheme: Scheme, codes: set[str] | frozenset[str], level: int) -> set[str]:
    """The ancestors at `level` of `codes` (codes above that level are dropped)."""
    out: set[str] = set()
    for code in codes:
        anc = scheme.ancestors(code)  # [code, parent, ..., root]
        depth = len(anc)
        if depth >= level:
            out.add(anc[depth - level])
    return out
