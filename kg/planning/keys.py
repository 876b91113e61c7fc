"""kg.planning.keys — precomputed threat × place keys, in their own named graph.

For each taxon's latest assessment, each current coded threat rolled up to level 1 and 2,
and each place where the taxon is extant (country, sub-national unit, LME, site, water body,
protected area), one literal on the assessment:

    <assessment> a2p:threatPlaceKey "T7_2|ID"  (in graph/planning/keys)

The threat part is the threat concept's local name (T7_2), the place part the place key of
`kg.planning.profile` ("ID", "lme-4_5_4", "waterbody-LakeFictara"). Threats coded "Past,
Unlikely to Return" get no key. Places read from narrative text (passed in as
`text_places`) get a key like coded ones and a place node (type, label, code) in the same
graph, marked as derived from text with PROV, so that they never mix with coded places.

Species sharing a key share a threat in a place: co-affected species and clusters become
lookups on one literal instead of joins over threats and places (see ENGINE-NOTES.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from kg import iris
from kg.build import Quads, lit
from kg.planning.profile import Profile, level
from kg.query import run
from kg.store import Store
from kg.vocab import A2P, DCTERMS, PROV, RDF, RDFS, XSD

KEYS_VERSION = "keys.v1"
KEYS_GRAPH = iris.graph("planning", "keys")
TEXT_PLACE_CLASS = {"site": A2P.Site, "waterbody": A2P.WaterBody, "protectedarea": A2P.ProtectedArea}


def threat_key(code: str, place: str) -> str:
    """('7.2', 'ID') -> 'T7_2|ID'."""
    return f"T{iris.code_local(code)}|{place}"


def parse_key(key: str) -> tuple[str, str]:
    """'T7_2|ID' -> ('7.2', 'ID')."""
    t, _, place = key.partition("|")
    return t[1:].replace("_", "."), place


def keys_for(p: Profile, extra_places: Iterable[str] = ()) -> set[str]:
    """The threat × place keys of one profile (current threats, level 1 and 2, extant places)."""
    places = list(dict.fromkeys([*p.places, *extra_places]))
    out: set[str] = set()
    for t in p.current_threats():
        for lv in (1, 2):
            code = level(t.code, lv)
            for pl in places:
                out.add(threat_key(code, pl))
    return out


def keys_quads(
    profiles: Iterable[Profile],
    text_places: Mapping[str, Iterable[tuple[str, str, str]]] | None = None,
) -> Quads:
    """Quads of graph/planning/keys. `text_places`: assessment id -> (place type, code, name)
    read from its narrative text (site, waterbody or protectedarea)."""
    q = Quads()
    g = KEYS_GRAPH
    activity = iris.graph("activity", "planning-keys", KEYS_VERSION)
    q.node(activity, str(RDF.type), str(PROV.Activity), g)
    q.add(activity, str(RDFS.label), lit(f"threat x place keys ({KEYS_VERSION})"), g)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    q.add(activity, str(PROV.endedAtTime), lit(now, str(XSD.dateTime)), g)
    q.node(g, str(PROV.wasGeneratedBy), activity, g)
    text_places = text_places or {}
    described: set[str] = set()
    for p in profiles:
        extra = []
        for ptype, code, name in text_places.get(p.assessment_id, ()):
            node = iris.place(ptype, code)
            key = node.rsplit("/", 1)[-1]
            extra.append(key)
            if node not in described and ptype in TEXT_PLACE_CLASS:
                described.add(node)
                q.node(node, str(RDF.type), TEXT_PLACE_CLASS[ptype], g)
                q.add(node, str(RDFS.label), lit(name or code), g)
                q.add(node, A2P.placeCode, lit(code), g)
                q.node(node, str(PROV.wasGeneratedBy), activity, g)
                q.add(node, str(DCTERMS.source), lit("narrative text"), g)
        a = iris.assessment(p.assessment_id)
        for k in sorted(keys_for(p, extra)):
            q.add(a, A2P.threatPlaceKey, lit(k), g)
    q.replaced_graphs.add(g)
    return q


def write_keys(
    store: Store,
    profiles: Iterable[Profile],
    text_places: Mapping[str, Iterable[tuple[str, str, str]]] | None = None,
) -> int:
    """Replace graph/planning/keys with the keys of `profiles`; returns the number of quads."""
    q = keys_quads(profiles, text_places)
    store.replace(q.data(), drop_graphs=q.replaced_graphs)
    return len(q)


def compute_keys(store: Store, text_places: Mapping[str, Iterable[tuple[str, str, str]]] | None = None) -> int:
    """Read every latest assessment's threats and places from the store and write its keys."""
    from kg.planning.graphdata import load_profiles

    profiles = load_profiles(store, parts=("threats", "places"), assessment_attrs=False)
    return write_keys(store, profiles, text_places)


def has_keys(store: Store) -> bool:
    """Whether graph/planning/keys has been written."""
    return len(run(store, "planning_has_keys")) > 0
