"""kg.links.names — scientific names parsed and normalised for matching; pure functions.

    parse("Acropora (Isopora) palifera Lamarck, 1816")  -> Acropora palifera
    parse("Panthera pardus ssp. nimr")                  -> Panthera pardus nimr
    parse("× Fictara fictilis") / "Fictara x fictilis"  -> Fictara fictilis (hybrid sign dropped)
    parse("ACROPORA PROSTRATA")                         -> Acropora prostrata

`canonical` (case, whitespace, hybrid sign, subgenus, rank markers and authority removed) is
what a "normalised" match compares. `spelling_key` also folds the Latin gender endings
-us/-a/-um of every epithet; a match on it is only ever reported as a "spelling" match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RANK_MARKERS = frozenset(
    "ssp ssp. subsp subsp. var var. f. fo. forma subvar. subvar morph morpha race cv. "
    "subspecies variety".split()
)
HYBRID_MARKERS = frozenset({"x", "×", "X"})
# a name stops (the rest is authority or qualifier) at these tokens
STOP_TOKENS = frozenset(
    {"sp", "sp.", "spp", "spp.", "cf", "cf.", "aff", "aff.", "sensu", "s.l.", "s.s."}
)
# lowercase words that start an author name, not an epithet ("de Vis", "van Hasselt")
AUTHOR_PARTICLES = frozenset(
    {
        "de",
        "da",
        "del",
        "della",
        "der",
        "di",
        "du",
        "van",
        "von",
        "le",
        "la",
        "in",
        "ex",
        "et",
        "d'",
    }
)
_EPITHET = re.compile(r"[a-z][a-z-]*[a-z]\.?$|[a-z]$")
_GENUS = re.compile(r"[A-Z][a-z]*(?:-[A-Z]?[a-z]+)*$")
_GENDER = re.compile(r"(us|um|a)$")


@dataclass(frozen=True)
class ParsedName:
    """A scientific name reduced to its genus and epithets (no authority, no markers)."""

    genus: str
    epithets: tuple[str, ...] = ()
    hybrid: bool = False

    @property
    def canonical(self) -> str:
        return " ".join((self.genus, *self.epithets))

    @property
    def species(self) -> str:
        """Genus and specific epithet ('' when the name is above species rank)."""
        return f"{self.genus} {self.epithets[0]}" if self.epithets else ""

    @property
    def rank(self) -> str:
        """'genus' (or above), 'species' or 'infraspecific', from the name's shape."""
        return (
            ("genus", "species")[len(self.epithets)] if len(self.epithets) < 2 else "infraspecific"
        )

    @property
    def spelling_key(self) -> str:
        """Canonical name with -us/-a/-um folded in every epithet (4 letters or more)."""
        eps = (_GENDER.sub("", e) if len(e) >= 4 else e for e in self.epithets)
        return " ".join((self.genus.lower(), *eps))


def parse(name: str) -> ParsedName | None:
    """Parse a scientific name; None when it does not start with a genus-like word."""
    text = " ".join(name.replace("×", " × ").replace("\u00a0", " ").split())
    if not text:
        return None
    if text.upper() == text:  # all capitals: 'ACROPORA PROSTRATA'
        words = text.lower().split()
        text = " ".join([words[0].capitalize(), *words[1:]])
    tokens = text.split(" ")
    hybrid = False
    while tokens and tokens[0] in HYBRID_MARKERS:
        hybrid = True
        tokens = tokens[1:]
    if not tokens:
        return None
    genus = tokens[0]
    if genus[:1].islower() and genus.isalpha():  # 'acropora prostrata'
        genus = genus.capitalize()
    if genus[:1].isupper() and genus[1:].isupper():  # 'ACROPORA prostrata'
        genus = genus.capitalize()
    if not _GENUS.fullmatch(genus):
        return None
    epithets: list[str] = []
    rest = tokens[1:]
    i = 0
    # subgenus in parentheses right after the genus
    if rest and rest[0].startswith("(") and rest[0].endswith(")") and rest[0][1:2].isupper():
        i = 1
    while i < len(rest):
        tok = rest[i]
        low = tok.lower()
        if tok in HYBRID_MARKERS and epithets == [] or tok == "×":
            hybrid = True
            i += 1
            continue
        if low in RANK_MARKERS:
            i += 1
            continue
        if low in STOP_TOKENS:
            break
        nxt = rest[i + 1] if i + 1 < len(rest) else ""
        if low in AUTHOR_PARTICLES and nxt[:1].isupper():
            break
        if not _EPITHET.fullmatch(tok):
            break  # an authority ('Lamarck,', '(Dana', '1846') or anything else
        epithets.append(tok.rstrip("."))
        if len(epithets) == 3:
            break
        i += 1
    return ParsedName(genus, tuple(epithets), hybrid)


def canonical(name: str) -> str:
    """The canonical form of a name, or the whitespace-normalised name when unparseable."""
    p = parse(name)
    return p.canonical if p else " ".join(name.split())


_SYN_START = re.compile(r"(?:(?<=, )|^)(?=[A-Z][a-z-]+ (?:\([A-Z][a-z]+\) )?[a-z][a-z-]+)")


def split_synonyms(text: str) -> list[str]:
    """Split a list of synonyms with authors ('A b Dana, 1846, C d (Ehr., 1834)') into names.

    A new synonym starts after ', ' where a capitalised word is followed by a lowercase
    epithet; authorities ('Dana, 1846') never have that shape. Returns canonical names.
    """
    text = text.strip()
    if not text:
        return []
    starts = [m.start() for m in _SYN_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    parts = [
        text[a:b].strip().rstrip(",") for a, b in zip(starts, [*starts[1:], len(text)], strict=True)
    ]
    out: list[str] = []
    for part in parts:
        p = parse(part)
        if p and p.epithets and p.canonical not in out:
            out.append(p.canonical)
    return out
