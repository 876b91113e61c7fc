"""kg.links.places — place specifications ("ID", "lme:34", "waterbody:Lake Fictara") → IRIs.

    country    "ID", "country:ID", "Indonesia"          → scheme/countries/ID
    LME        "lme:34" (the Red List's LME code)       → id/place/lme-34
    sub-nat.   "subnational:RU-EU"                       → id/place/subnational-RU_EU
    site       "site:NAME", "waterbody:NAME", "protectedarea:NAME"
                                                       → id/place/<kind>-<Name>, labelled NAME
    any IRI    "<https://...>" or "https://..."         → as given

Sites are not coded in Red List downloads, so their only key is their name (as in
nlp.places); the name is also what "affected species" looks for in narrative text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg import iris
from kg.build import Quads, iri, lit
from kg.schemes import load_schemes
from kg.vocab import A2P, RDF, RDFS

SITE_KINDS = ("site", "waterbody", "protectedarea")
PLACE_CLASS = {
    "site": A2P.Site,
    "waterbody": A2P.WaterBody,
    "protectedarea": A2P.ProtectedArea,
    "lme": A2P.LargeMarineEcosystem,
    "subnational": A2P.SubnationalUnit,
}


@dataclass(frozen=True)
class PlaceRef:
    iri: str
    kind: str  # country | lme | subnational | site | waterbody | protectedarea | iri
    code: str  # ISO2, LME code, sub-national code, or the site's name
    name: str = ""

    @property
    def spec(self) -> str:
        if self.kind == "iri":
            return self.iri
        return self.code if self.kind == "country" else f"{self.kind}:{self.code}"

    def to_dict(self) -> dict[str, str]:
        return {
            "iri": self.iri,
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "spec": self.spec,
        }


def resolve_place(spec: str) -> PlaceRef:
    """Parse a place specification (see the module docstring); raises ValueError."""
    text = " ".join(str(spec).split())
    if not text:
        raise ValueError("empty place")
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if re.match(r"https?://", text):
        iri(text)  # raises ValueError on characters an IRI cannot hold
        countries = load_schemes()["countries"]
        if text in countries.by_iri:
            code = countries.by_iri[text]
            return PlaceRef(text, "country", code, countries.concepts[code].label)
        return PlaceRef(text, "iri", text, "")
    kind, sep, value = text.partition(":")
    kind = kind.lower().replace("_", "").replace(" ", "") if sep else "country"
    value = value.strip() if sep else text
    if kind == "country":
        countries = load_schemes()["countries"]
        code = countries.code_for(value.upper() if len(value) == 2 else value)
        if code is None:
            raise ValueError(
                f"unknown country {value!r} (give an ISO 3166-1 alpha-2 code such as 'ID')"
            )
        return PlaceRef(
            iris.concept("countries", code), "country", code, countries.concepts[code].label
        )
    if kind == "lme":
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)*", value):
            raise ValueError(f"not a large marine ecosystem code: {value!r}")
        return PlaceRef(iris.place("lme", value), "lme", value, "")
    if kind == "subnational":
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", value):
            raise ValueError(f"not a sub-national code: {value!r}")
        return PlaceRef(
            iris.place("subnational", value.replace("-", "_")), "subnational", value, ""
        )
    if kind in SITE_KINDS:
        if len(value) > 200 or not iris.code_local(value):
            raise ValueError(f"not a usable site name: {value!r}")
        return PlaceRef(iris.place(kind, value), kind, value, value)
    raise ValueError(
        f"unknown place kind {kind!r}: use an ISO country code, lme:CODE, subnational:CODE, "
        "site:NAME, waterbody:NAME, protectedarea:NAME or an IRI"
    )


def place_from_graph(iri_: str, name: str | None = None, code: str | None = None) -> dict[str, str]:
    """A place read back from the graph (its IRI, label, a2p:placeCode) as PlaceRef.to_dict()."""
    if code and ":" in code and code.split(":", 1)[0] in SITE_KINDS:
        return resolve_place(code).to_dict()
    for kind in SITE_KINDS:  # a site whose code another module wrote without the kind
        if iri_.startswith(iris.place(kind, "")):
            for given in (code, name):
                try:
                    ref = resolve_place(f"{kind}:{given}") if given else None
                except ValueError:
                    continue
                if ref is not None and ref.iri == iri_:
                    return ref.to_dict()
    countries = load_schemes()["countries"]
    if iri_ in countries.by_iri:
        return resolve_place(countries.by_iri[iri_]).to_dict()
    lme = iris.place("lme", "")
    if iri_.startswith(lme) and re.fullmatch(r"[0-9_]+", iri_[len(lme) :]):
        c = iri_[len(lme) :].replace("_", ".")
        return {"iri": iri_, "kind": "lme", "code": c, "name": name or "", "spec": f"lme:{c}"}
    return {"iri": iri_, "kind": "iri", "code": iri_, "name": name or "", "spec": iri_}


def place_quads(q: Quads, place: PlaceRef) -> None:
    """Describe a site or water body (typed, labelled) in the add-only graph/places.

    Like kg.build's places, site nodes are shared by every record naming them and never
    dropped, so the same triples are not repeated in each pledge's or event's graph.
    """
    if place.kind in SITE_KINDS:
        g = iris.graph("places")
        q.node(place.iri, str(RDF.type), PLACE_CLASS[place.kind], g)
        q.add(place.iri, str(RDFS.label), lit(place.name), g)
        q.add(place.iri, A2P.placeCode, lit(f"{place.kind}:{place.code}"), g)
