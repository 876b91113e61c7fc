"""kg.schemes — the IUCN classification code lists, read from ontology/schemes/*.ttl.

Used to validate codes at ingest, to map export labels ("Critically Endangered",
"Majority (50-90%)") to concepts, and by `nlp` for code labels and definitions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from kg import iris
from kg.vocab import A2P, SKOS

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = Path(os.environ.get("A2P_ONTOLOGY_DIR", ROOT / "ontology"))

_SKOS = str(SKOS)
_VERSION = str(A2P.criteriaVersion)


@dataclass
class Concept:
    code: str
    iri: str
    label: str
    broader: str | None = None  # parent code
    definition: str = ""
    examples: str = ""
    alt_labels: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()  # criteria versions a Red List category belongs to


@dataclass
class Scheme:
    name: str
    concepts: dict[str, Concept] = field(default_factory=dict)  # code -> concept
    by_label: dict[str, str] = field(default_factory=dict)  # lower-cased label -> code
    by_iri: dict[str, str] = field(default_factory=dict)  # IRI -> code

    def __contains__(self, code: str) -> bool:
        return code in self.concepts

    def code_for(self, value: str) -> str | None:
        """A code given either the code itself or one of its labels (case-insensitive)."""
        value = value.strip()
        if value in self.concepts:
            return value
        return self.by_label.get(value.lower())

    def ancestors(self, code: str) -> list[str]:
        """code, its parent, grand-parent... ('3.4.1' -> ['3.4.1', '3.4', '3'])."""
        out = []
        cur: str | None = code
        while cur is not None and cur in self.concepts and cur not in out:
            out.append(cur)
            cur = self.concepts[cur].broader
        return out

    def level(self, code: str) -> int:
        return len(self.ancestors(code))

    def labels(self) -> dict[str, str]:
        """code -> preferred label."""
        return {c: x.label for c, x in self.concepts.items()}


def scheme_files(ontology_dir: Path = ONTOLOGY_DIR) -> list[Path]:
    return sorted((ontology_dir / "schemes").glob("*.ttl"))


@lru_cache(maxsize=4)
def load_schemes(ontology_dir: Path = ONTOLOGY_DIR) -> dict[str, Scheme]:
    """Every scheme in ontology/schemes, keyed by its name (file stem)."""
    out: dict[str, Scheme] = {}
    for path in scheme_files(ontology_dir):
        out[path.stem] = _read_scheme(path.stem, path)
    if not out:
        raise FileNotFoundError(f"no SKOS schemes in {ontology_dir / 'schemes'}")
    return out


def _read_scheme(name: str, path: Path) -> Scheme:
    prefix = iris.scheme(name) + "/"
    props: dict[str, dict[str, list[str]]] = {}
    with open(path, "rb") as fh:
        for t in ox.parse(fh, ox.RdfFormat.TURTLE):
            s = t.subject
            if not isinstance(s, ox.NamedNode) or not s.value.startswith(prefix):
                continue
            p = t.predicate.value
            if p.startswith(_SKOS):
                key = p[len(_SKOS) :]
            elif p == _VERSION:
                key = "criteriaVersion"
            else:
                continue
            props.setdefault(s.value, {}).setdefault(key, []).append(t.object.value)
    sch = Scheme(name)
    for iri, pv in props.items():
        notations = pv.get("notation", [])
        if not notations:
            continue
        # the primary code is the notation the IRI was minted from; others are aliases
        primary = [n for n in notations if _minted(name, n) == iri]
        code = primary[0] if primary else sorted(notations)[0]
        aliases = [n for n in notations if n != code]
        sch.concepts[code] = Concept(
            code=code,
            iri=iri,
            label=pv.get("prefLabel", [""])[0],
            definition=" ".join(pv.get("definition", [])),
            examples=" ".join(pv.get("example", [])),
            alt_labels=tuple(sorted(pv.get("altLabel", []) + aliases)),
            versions=tuple(sorted(pv.get("criteriaVersion", []))),
        )
        sch.by_iri[iri] = code
    for iri, pv in props.items():
        code = sch.by_iri.get(iri)
        if code and pv.get("broader"):
            sch.concepts[code].broader = sch.by_iri.get(pv["broader"][0])

    # where two codes share a label ("Vulnerable": VU and the pre-1994 V), the current wins
    def preference(c: Concept) -> tuple[int, str]:
        return (
            0 if "3.1" in c.versions or not c.versions else 1 if "2.3" in c.versions else 2,
            c.code,
        )

    for c in sorted(sch.concepts.values(), key=preference):
        for label in (c.label, *c.alt_labels):
            sch.by_label.setdefault(label.lower(), c.code)
    return sch


def _minted(name: str, code: str) -> str | None:
    try:
        return iris.concept(name, code)
    except KeyError:
        return None


@lru_cache(maxsize=8)
def ontology_scheme(scheme_iri: str, path: Path = ONTOLOGY_DIR / "assess2plan.ttl") -> Scheme:
    """A concept scheme declared in the ontology file itself (a2p:ExSituRoles, a2p:PlanningBuckets),
    its concepts keyed by skos:notation, in the order the file lists them."""
    in_scheme, notation, pref = _SKOS + "inScheme", _SKOS + "notation", _SKOS + "prefLabel"
    props: dict[str, dict[str, str]] = {}
    members: list[str] = []
    with open(path, "rb") as fh:
        for t in ox.parse(fh, ox.RdfFormat.TURTLE):
            s, p = t.subject, t.predicate.value
            if not isinstance(s, ox.NamedNode):
                continue
            if p == in_scheme and t.object.value == scheme_iri:
                members.append(s.value)
            elif p in (notation, pref):
                props.setdefault(s.value, {}).setdefault(p[len(_SKOS) :], t.object.value)
    sch = Scheme(scheme_iri.rsplit("#", 1)[-1])
    for iri in members:
        code = props.get(iri, {}).get("notation")
        if not code:
            raise ValueError(f"{path}: concept {iri} of {scheme_iri} has no skos:notation")
        label = props[iri].get("prefLabel", code)
        sch.concepts[code] = Concept(code=code, iri=iri, label=label)
        sch.by_iri[iri] = code
        sch.by_label.setdefault(label.lower(), code)
    if not sch.concepts:
        raise ValueError(f"{path}: no concepts in scheme {scheme_iri}")
    return sch


def exsitu_roles() -> Scheme:
    """The ex situ conservation roles (a2p:ExSituRoles; IUCN SSC ex situ guidelines, 2014)."""
    return ontology_scheme(str(A2P.ExSituRoles))
