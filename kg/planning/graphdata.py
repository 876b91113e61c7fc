"""kg.planning.graphdata — the store → planning profiles, through narrow library scans.

`kg.fetch.bundle` rebuilds full records and is the right reader for one assessment or a
workshop set. Clustering and scoring every threatened species of a 172,000-species graph
need a few columns of everything: on Oxigraph each OPTIONAL or property path costs tens of
microseconds per row, so the planning queries (kg/queries/planning_scan_*.rq) are single
patterns or two-pattern joins, read as plain strings and joined here in Python.

`tuples(store, name)` is the one reader: on a store that offers pyoxigraph's raw results
(`OxigraphStore.raw_query`) it serialises the solutions to TSV in Rust and splits them,
several times faster than building rdflib terms; on other stores it uses `Store.select`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any

import pyoxigraph as ox

from kg import iris
from kg.planning.profile import ABSENT_PRESENCE, EXCLUDED_ORIGIN, THREATENED, Profile, ThreatFact
from kg.query import library, run
from kg.schemes import load_schemes
from kg.store import Store, python_value

_COUNTRY = iris.SCHEME + "countries/"
_PLACE = iris.ID + "place/"
_ASSESSMENT = iris.ID + "assessment/a"
_TAXON = iris.ID + "taxon/sis"


def place_key_of_iri(place: str) -> str:
    """Country concept or id/place/ IRI -> place key ('ID', 'lme-4_5_4')."""
    if place.startswith(_COUNTRY):
        return place[len(_COUNTRY) :]
    if place.startswith(_PLACE):
        return place[len(_PLACE) :]
    return place.rsplit("/", 1)[-1]


def assessment_id_of_iri(a: str) -> str:
    return a[len(_ASSESSMENT) :] if a.startswith(_ASSESSMENT) else a.rsplit("/", 1)[-1]


# --------------------------------------------------------------------------- reading rows

_ESCAPES = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_SIMPLE = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(s: str) -> str:
    if "\\" not in s:
        return s

    def sub(m: re.Match[str]) -> str:
        g = m.group(1)
        if g[0] in "uU" and len(g) > 1:
            return chr(int(g[1:], 16))
        return _SIMPLE.get(g, g)

    return _ESCAPES.sub(sub, s)


def _tsv_term(cell: str) -> str | None:
    """One SPARQL TSV cell -> IRI string or literal lexical form (None when unbound)."""
    if not cell:
        return None
    if cell[0] == "<":
        return cell[1:-1]
    if cell[0] == '"':
        return _unescape(cell[1 : cell.rindex('"')])
    if cell.startswith("_:"):
        return cell
    return cell  # bare numbers and booleans (Turtle short forms)


def tuples(store: Store, name: str, **bindings: Any) -> tuple[list[str], list[tuple[str | None, ...]]]:
    """(variables, rows of plain strings) of a library query; IRIs as strings, literals lexical."""
    raw = getattr(store, "raw_query", None)
    if raw is not None:
        res = raw(library()[name].text, {k: v for k, v in bindings.items() if v is not None} or None)
        if isinstance(res, ox.QuerySolutions):
            names = [v.value for v in res.variables]
            data = (res.serialize(format=ox.QueryResultsFormat.TSV) or b"").decode("utf-8")
            lines = data.split("\n")
            rows = [tuple(_tsv_term(c) for c in line.split("\t")) for line in lines[1:] if line]
            return names, rows
    rows_ = run(store, name, **bindings)
    return rows_.vars, [
        tuple(None if r[v] is None else str(python_value(r[v])) for v in rows_.vars) for r in rows_.rows
    ]


@cache
def _codes() -> dict[str, str]:
    """Concept IRI -> code (notation) over every scheme."""
    out: dict[str, str] = {}
    for sch in load_schemes().values():
        out.update(sch.by_iri)
    return out


def code_of(iri: str | None) -> str:
    if not iri:
        return ""
    return _codes().get(iri, iri.rsplit("/", 1)[-1])


# --------------------------------------------------------------------------- profiles


def latest(store: Store) -> dict[str, tuple[str, str]]:
    """Latest assessment IRI -> (taxon IRI, category code)."""
    taxon_of: dict[str, str] = {}
    category: dict[str, str] = {}
    for s, k, o in tuples(store, "planning_scan_latest")[1]:
        if s is None or o is None:
            continue
        if k == "latest":
            taxon_of[o] = s
        else:
            category[s] = o
    return {a: (t, code_of(category.get(a))) for a, t in taxon_of.items()}


def _linked(
    rows: list[tuple[str | None, ...]], has: str, heads: dict[str, Any]
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Split a scan into (node -> assessment) for `has` rows of wanted assessments and
    (node -> {attribute: value}) for the others."""
    owner: dict[str, str] = {}
    attrs: dict[str, dict[str, str]] = defaultdict(dict)
    for s, k, o in rows:
        if s is None or o is None:
            continue
        if k == has:
            if s in heads:
                owner[o] = s
        else:
            attrs[s][k] = o  # type: ignore[index]
    return owner, attrs


def load_profiles(
    store: Store,
    *,
    categories: Iterable[str] | None = None,
    threatened_only: bool = False,
    parts: Iterable[str] = ("threats", "places", "habitats", "actions"),
    texts: bool = False,
    threats_from: str = "coded",
    places_from: str = "coded",
    assessment_attrs: bool = True,
) -> list[Profile]:
    """Profiles of every taxon's latest assessment (optionally only some categories).

    `parts` picks what is read (threats, places, habitats, actions); `texts` adds the range,
    threats, habitat and rationale texts. `threats_from="keys"` / `places_from="keys"` read
    threats (level 2, current only) and places (coded and text-derived) from the precomputed
    threat x place keys instead of the coded parts: one scan of one graph, the fast path for
    clustering. `assessment_attrs` adds criteria, year, trend and the possibly-extinct tags.
    For one assessment use `kg.fetch.bundle`.
    """
    wanted = set(categories) if categories is not None else (THREATENED if threatened_only else None)
    heads = {a: tc for a, tc in latest(store).items() if wanted is None or tc[1] in wanted}
    taxa: dict[str, dict[str, str]] = defaultdict(dict)
    want_taxa = {t for t, _ in heads.values()}
    for t, k, v in tuples(store, "planning_scan_taxa")[1]:
        if t in want_taxa and v is not None:
            taxa[t][k] = v  # type: ignore[index]
    attrs: dict[str, dict[str, str]] = defaultdict(dict)
    if assessment_attrs:
        for a, k, v in tuples(store, "planning_scan_assessments")[1]:
            if a in heads and v is not None:
                attrs[a][k] = v  # type: ignore[index]
    parts = set(parts)
    threats: dict[str, list[ThreatFact]] = defaultdict(list)
    places: dict[str, dict[str, None]] = defaultdict(dict)
    lost: dict[str, dict[str, None]] = defaultdict(dict)
    if "keys" in (threats_from, places_from):
        l2: dict[str, set[str]] = defaultdict(set)
        l1: dict[str, set[str]] = defaultdict(set)
        for a, key in tuples(store, "planning_keys")[1]:
            if a not in heads or not key or "|" not in key:
                continue
            t, place = key.split("|", 1)
            code = t[1:].replace("_", ".")
            (l2 if "." in code else l1)[a].add(code)
            places[a][place] = None
        if "threats" in parts and threats_from == "keys":
            for a in set(l1) | set(l2):
                codes = set(l2.get(a, ())) | {
                    c for c in l1.get(a, ()) if not any(x.split(".")[0] == c for x in l2.get(a, ()))
                }
                threats[a] = [ThreatFact(c, "Ongoing") for c in sorted(codes)]
        if "places" not in parts or places_from != "keys":
            places.clear()
        parts -= {p for p, src in (("threats", threats_from), ("places", places_from)) if src == "keys"}
    if "threats" in parts:
        owner, ta = _linked(tuples(store, "planning_scan_threats")[1], "has", heads)
        for node, a in owner.items():
            e = ta.get(node, {})
            if "threat" in e:
                threats[a].append(
                    ThreatFact(
                        code_of(e["threat"]),
                        code_of(e.get("timing")),
                        code_of(e.get("scope")),
                        code_of(e.get("severity")),
                    )
                )
    if "places" in parts:
        owner, pa = _linked(tuples(store, "planning_scan_places")[1], "has", heads)
        for node, a in owner.items():
            oa = pa.get(node, {})
            if "place" not in oa or oa.get("origin", "") in EXCLUDED_ORIGIN:
                continue
            key = place_key_of_iri(oa["place"])
            (lost if oa.get("presence", "") in ABSENT_PRESENCE else places)[a][key] = None
    habitats: dict[str, set[str]] = defaultdict(set)
    actions: dict[str, set[str]] = defaultdict(set)
    if parts & {"habitats", "actions"}:
        hab_owner: dict[str, str] = {}
        act_owner: dict[str, str] = {}
        value: dict[str, str] = {}
        for s, k, o in tuples(store, "planning_scan_coded")[1]:
            if s is None or o is None:
                continue
            if k == "hasHabitat":
                if s in heads:
                    hab_owner[o] = s
            elif k == "hasAction":
                if s in heads:
                    act_owner[o] = s
            else:
                value[s] = o
        if "habitats" in parts:
            for node, a in hab_owner.items():
                if node in value:
                    habitats[a].add(code_of(value[node]))
        if "actions" in parts:
            for node, a in act_owner.items():
                if node in value:
                    actions[a].add(code_of(value[node]))
    text: dict[str, dict[str, str]] = defaultdict(dict)
    if texts:
        for a, k, v in tuples(store, "planning_scan_texts")[1]:
            if a in heads and v:
                text[a][k] = v  # type: ignore[index]
    out = []
    for a, (t, cat) in heads.items():
        tx, at = taxa.get(t, {}), attrs.get(a, {})
        pl = places.get(a, {})
        year = at.get("year")
        name = tx.get("name", "")
        out.append(
            Profile(
                assessment_id=at.get("id") or assessment_id_of_iri(a),
                taxon_id=tx.get("id") or t.rsplit("/sis", 1)[-1],
                name=name,
                category=cat,
                criteria=at.get("criteria", ""),
                year=int(year) if year and year.isdigit() else None,
                trend=code_of(at.get("trend")),
                class_=tx.get("class", ""),
                order=tx.get("order", ""),
                family=tx.get("family", ""),
                genus=tx.get("genus", "") or name.split(" ", 1)[0],
                threats=tuple(sorted(threats.get(a, ()), key=lambda x: x.code)),
                habitats=tuple(sorted(habitats.get(a, ()))),
                places=tuple(sorted(pl)),
                lost_places=tuple(sorted(k for k in lost.get(a, {}) if k not in pl)),
                actions=tuple(sorted(actions.get(a, ()))),
                texts=text.get(a, {}),
                possibly_extinct=at.get("pe") == "true",
                possibly_extinct_in_the_wild=at.get("pew") == "true",
            )
        )
    out.sort(key=lambda p: p.assessment_id)
    return out


def place_names(store: Store) -> dict[str, str]:
    """Place key -> name for every place with an occurrence."""
    out = {}
    for p, name in tuples(store, "planning_place_names")[1]:
        if p and name:
            out[place_key_of_iri(p)] = name
    return out


def latest_assessment_of(store: Store, taxon_id: str) -> str | None:
    """The assessment id of a taxon's latest assessment (None when the taxon is unknown)."""
    rows = run(store, "planning_taxon_latest", taxonId=taxon_id).values()
    return str(rows[0]["assessmentId"]) if rows else None
