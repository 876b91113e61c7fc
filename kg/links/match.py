"""kg.links.match — match names from other databases to the graph's taxa, and say why not.

Order of attempts for one source row (the first that gives exactly one taxon wins):

    sis_id      the row carries a Red List taxon id that is in the graph
    exact       the name is a taxon's a2p:scientificName as written
    normalised  equal after case, whitespace, hybrid sign, subgenus, rank markers, authority
    synonym     the name is one of the taxon's a2p:synonym (the Red List's synonyms), or one
                of the row's own synonyms (e.g. the CITES index) is the taxon's name
    spelling    equal once the gender endings -us/-a/-um of the epithets are folded
    rank        an infraspecific name whose species is in the graph (linked to the species)

A row that matches several taxa at a level is `ambiguous` and never linked. A row that
matches nothing is reported with a reason: `spelling` (an epithet within two edits in the
same genus: not linked), `synonym` (the same epithet in another genus of the same family,
when the source gives families, not listed as a synonym: not linked), `rank` (a species
name where the graph holds only infraspecific taxa), `higher_rank` (a genus or higher
name), `not_found`, `invalid`, or `empty` (nothing to link: no current CITES listing, no
identifier). When several rows reach the same taxon (and the same record key), only those
of the best method are kept; the others are `superseded`. Nothing is matched silently:
`MatchReport` lists every non-exact match and every unmatched row with its reason.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from kg.links.names import ParsedName, canonical, parse
from kg.query import run
from kg.store import Store
from kg.vocab import A2P

METHODS = ("sis_id", "exact", "normalised", "synonym", "spelling", "rank", "higher_taxon")
REASONS = (
    "ambiguous",
    "superseded",
    "spelling",
    "synonym",
    "rank",
    "higher_rank",
    "not_found",
    "invalid",
    "empty",
)
HIGHER_RANKS = frozenset(
    {
        "kingdom",
        "phylum",
        "class",
        "order",
        "suborder",
        "superfamily",
        "family",
        "subfamily",
        "tribe",
        "genus",
        "subgenus",
    }
)


@dataclass(frozen=True)
class GraphTaxon:
    iri: str
    taxon_id: str
    name: str
    rank: str = "species"
    genus: str = ""
    family: str = ""
    order: str = ""
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    taxon: GraphTaxon
    method: str
    detail: str = ""


@dataclass(frozen=True)
class Miss:
    reason: str
    detail: str = ""
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceRow:
    """One row of a link source, as the matcher needs it; `payload` is the source's record."""

    row: int
    name: str
    payload: Any = None
    synonyms: tuple[str, ...] = ()
    sis_id: str = ""
    rank: str = ""  # as declared by the source (lower case), "" when unknown
    key: str = ""  # rows with different keys never supersede each other
    family: str = ""  # as given by the source; enables the "same epithet, other genus" hint


@dataclass(frozen=True)
class MatchedRow:
    row: int
    name: str
    taxon: str
    taxon_id: str
    taxon_name: str
    method: str
    detail: str = ""


@dataclass(frozen=True)
class UnmatchedRow:
    row: int
    name: str
    reason: str
    detail: str = ""
    candidates: tuple[str, ...] = ()


@dataclass
class MatchReport:
    """What a link ingest matched, how, and what it could not match and why."""

    kind: str
    source: str
    rows: int = 0  # distinct source rows (a row may give several records, e.g. per region)
    matched: list[MatchedRow] = field(default_factory=list)
    unmatched: list[UnmatchedRow] = field(default_factory=list)

    def by_method(self) -> dict[str, int]:
        """Links (distinct source row and taxon) per match method."""
        c = Counter(m for m, _row, _taxon in {(m.method, m.row, m.taxon) for m in self.matched})
        return {m: c[m] for m in METHODS if c[m]}

    def by_reason(self) -> dict[str, int]:
        """Unmatched source rows per reason (a row counts once per reason)."""
        c = Counter(r for r, _row in {(u.reason, u.row) for u in self.unmatched})
        return {r: c[r] for r in REASONS if c[r]}

    def links(self) -> int:
        return sum(self.by_method().values())

    def unmatched_rows(self) -> int:
        return len({u.row for u in self.unmatched} - {m.row for m in self.matched})

    def taxa(self) -> set[str]:
        return {m.taxon for m in self.matched}

    def not_exact(self) -> list[MatchedRow]:
        """Matches a person should look at (everything but sis_id and exact)."""
        return [m for m in self.matched if m.method not in ("sis_id", "exact")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "rows": self.rows,
            "links": self.links(),
            "unmatched": self.unmatched_rows(),
            "taxa": len(self.taxa()),
            "by_method": self.by_method(),
            "by_reason": self.by_reason(),
            "not_exact": [asdict(m) for m in self.not_exact()],
            "unmatched_rows": [
                {**asdict(u), "candidates": list(u.candidates)} for u in self.unmatched
            ],
        }

    def write_csv(self, path: str | Path) -> None:
        """Every row's outcome: row, name, status (method or reason), taxon, detail, candidates."""
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(
                ["row", "name", "outcome", "status", "taxon", "taxonName", "detail", "candidates"]
            )
            for m in sorted(self.matched, key=lambda m: m.row):
                w.writerow(
                    [m.row, m.name, "matched", m.method, m.taxon, m.taxon_name, m.detail, ""]
                )
            for u in sorted(self.unmatched, key=lambda u: u.row):
                w.writerow(
                    [
                        u.row,
                        u.name,
                        "unmatched",
                        u.reason,
                        "",
                        "",
                        u.detail,
                        "; ".join(u.candidates),
                    ]
                )


# --------------------------------------------------------------------------- the index


def _levenshtein(a: str, b: str, limit: int = 2) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


class TaxonIndex:
    """The graph's assessed taxa indexed by every form of name the matcher tries."""

    def __init__(self, taxa: Iterable[GraphTaxon]):
        self.taxa = list(taxa)
        self.by_sis: dict[str, GraphTaxon] = {}
        self.by_exact: dict[str, list[GraphTaxon]] = defaultdict(list)
        self.by_canon: dict[str, list[GraphTaxon]] = defaultdict(list)
        self.by_syn: dict[str, list[GraphTaxon]] = defaultdict(list)
        self.by_spell: dict[str, list[GraphTaxon]] = defaultdict(list)
        self.by_genus: dict[str, list[tuple[ParsedName, GraphTaxon]]] = defaultdict(list)
        self.by_epithets: dict[tuple[str, ...], list[tuple[str, GraphTaxon]]] = defaultdict(list)
        self.infra_by_species: dict[str, list[GraphTaxon]] = defaultdict(list)
        for t in self.taxa:
            self.by_sis[t.taxon_id] = t
            self.by_exact[t.name.strip()].append(t)
            p = parse(t.name)
            if p is None:
                continue
            self.by_canon[p.canonical].append(t)
            self.by_spell[p.spelling_key].append(t)
            self.by_genus[p.genus].append((p, t))
            if p.epithets:
                self.by_epithets[p.epithets].append((p.genus, t))
            if p.rank == "infraspecific":
                self.infra_by_species[p.species].append(t)
            for s in t.synonyms:
                self.by_syn[canonical(s)].append(t)

    @classmethod
    def from_store(cls, store: Store) -> TaxonIndex:
        """Every assessed taxon of the graph (a link ingest matches thousands of rows)."""
        return cls._from_rows(run(store, "links_taxon_names").values())

    @classmethod
    def for_names(cls, store: Store, names: Iterable[str]) -> TaxonIndex:
        """The taxa that `resolve_taxon` could answer for these names, found by bound look-ups
        (`links_taxon_lookup`, then `links_taxon_names` per taxon): resolving them against this
        index gives what the whole graph's index gives, in milliseconds, not a read of every
        taxon (a request names a few taxa; the index of 172,000 takes half a minute)."""
        found: set[str] = set()
        for name in names:
            for prop, key in lookup_keys(name):
                rows = run(store, "links_taxon_lookup", property=URIRef(prop), key=Literal(key))
                found.update(str(r["taxon"]) for r in rows.rows)
        rows_: list[dict[str, Any]] = []
        for iri in sorted(found):
            rows_ += run(store, "links_taxon_names", taxon=URIRef(iri)).values()
        return cls._from_rows(rows_)

    @classmethod
    def _from_rows(cls, rows: Iterable[dict[str, Any]]) -> TaxonIndex:
        taxa: dict[str, dict[str, Any]] = {}
        for r in rows:
            t = taxa.setdefault(
                r["taxon"],
                {
                    "iri": r["taxon"],
                    "taxon_id": str(r["taxonId"]),
                    "name": str(r["name"]),
                    "rank": str(r["rank"] or "species"),
                    "genus": str(r["genus"] or ""),
                    "family": str(r["family"] or ""),
                    "order": str(r["order"] or ""),
                    "synonyms": [],
                },
            )
            if r["synonym"] and r["synonym"] not in t["synonyms"]:
                t["synonyms"].append(str(r["synonym"]))
        return cls(
            GraphTaxon(**{**t, "synonyms": tuple(sorted(t["synonyms"]))})
            for t in sorted(taxa.values(), key=lambda t: t["iri"])
        )

    def __len__(self) -> int:
        return len(self.taxa)

    # -- matching
    def match(
        self,
        name: str,
        *,
        synonyms: Sequence[str] = (),
        sis_id: str = "",
        rank: str = "",
        family: str = "",
    ) -> Match | Miss:
        """Match one name (see the module docstring for the order of attempts)."""
        if sis_id and sis_id in self.by_sis:
            t = self.by_sis[sis_id]
            same = canonical(name) == canonical(t.name) if name else True
            return Match(
                t, "sis_id", "" if same else f"source name {name!r}, Red List name {t.name!r}"
            )
        p = parse(name)
        if p is None:
            return Miss("invalid", f"{name!r} is not a scientific name")
        if rank.lower() in HIGHER_RANKS or p.rank == "genus":
            return Miss(
                "higher_rank",
                f"{rank.lower() or 'genus'}-level name; links are made to species and below",
            )
        attempts: list[tuple[str, list[GraphTaxon], Callable[[GraphTaxon], str]]] = [
            ("exact", self.by_exact.get(name.strip(), []), lambda t: ""),
            (
                "normalised",
                self.by_canon.get(p.canonical, []),
                lambda t: f"{name!r} written {t.name!r} in the Red List",
            ),
            (
                "synonym",
                self.by_syn.get(p.canonical, []),
                lambda t: f"the Red List lists {p.canonical!r} as a synonym of {t.name!r}",
            ),
        ]
        src_syn: list[GraphTaxon] = []
        for s in synonyms:
            for t in self.by_canon.get(canonical(s), []):
                if t not in src_syn:
                    src_syn.append(t)
        attempts.append(
            (
                "synonym",
                src_syn,
                lambda t: (
                    f"the source lists the Red List name {t.name!r} as a synonym of {p.canonical!r}"
                ),
            )
        )
        attempts.append(
            (
                "spelling",
                self.by_spell.get(p.spelling_key, []),
                lambda t: f"{p.canonical!r} differs from {t.name!r} in gender endings only",
            )
        )
        if p.rank == "infraspecific":
            species = [t for t in self.by_canon.get(p.species, []) if t.rank == "species"]
            attempts.append(
                (
                    "rank",
                    species,
                    lambda t: (
                        f"infraspecific name {p.canonical!r} linked to the species {t.name!r}"
                    ),
                )
            )
        for method, cands, detail in attempts:
            picked = _pick(cands)
            if isinstance(picked, GraphTaxon):
                return Match(picked, method, detail(picked))
            if picked:
                return Miss(
                    "ambiguous",
                    f"{method} match to {len(picked)} taxa",
                    tuple(f"{t.name} ({t.iri})" for t in picked),
                )
        return self._why_not(p, family)

    def _why_not(self, p: ParsedName, family: str) -> Miss:
        if p.rank == "species" and p.canonical in self.infra_by_species:
            infra = self.infra_by_species[p.canonical]
            return Miss(
                "rank",
                f"species name; the graph holds only infraspecific taxa of {p.canonical!r}",
                tuple(t.name for t in infra),
            )
        near = [
            t.name
            for q, t in self.by_genus.get(p.genus, [])
            if len(q.epithets) == len(p.epithets)
            and _levenshtein(" ".join(q.epithets), " ".join(p.epithets)) <= 2
        ]
        if near:
            return Miss(
                "spelling", f"close to {', '.join(map(repr, near))}; not linked", tuple(near)
            )
        moved = [
            t.name
            for g, t in self.by_epithets.get(p.epithets, [])
            if g != p.genus and family and t.family.lower() == family.lower()
        ]
        if moved:
            return Miss(
                "synonym",
                f"same epithet in another genus ({', '.join(map(repr, moved))}) but not listed "
                "as a synonym; not linked",
                tuple(moved),
            )
        if p.genus in self.by_genus:
            return Miss("not_found", f"genus {p.genus} is in the graph, this epithet is not")
        return Miss("not_found")


def _pick(cands: list[GraphTaxon]) -> GraphTaxon | list[GraphTaxon]:
    """One taxon, or the ambiguous list ([] = none). Subpopulations yield to their species."""
    uniq = list(dict.fromkeys(cands))
    if len(uniq) == 1:
        return uniq[0]
    not_subpop = [t for t in uniq if t.rank != "subpopulation"]
    if len(not_subpop) == 1:
        return not_subpop[0]
    return uniq


# --------------------------------------------------------------------------- many rows

RANK_OF = {m: i for i, m in enumerate(METHODS)}


def match_rows(
    index: TaxonIndex, rows: Iterable[SourceRow], kind: str, source: str
) -> tuple[list[tuple[SourceRow, Match]], MatchReport]:
    """Match every row; keep, per taxon and row key, only the rows of the best method."""
    report = MatchReport(kind=kind, source=source)
    found: list[tuple[SourceRow, Match]] = []
    seen: set[int] = set()
    for r in rows:
        if r.row not in seen:
            seen.add(r.row)
            report.rows += 1
        res = index.match(
            r.name, synonyms=r.synonyms, sis_id=r.sis_id, rank=r.rank, family=r.family
        )
        if isinstance(res, Miss):
            report.unmatched.append(
                UnmatchedRow(r.row, r.name, res.reason, res.detail, res.candidates)
            )
        else:
            found.append((r, res))
    best: dict[tuple[str, str], tuple[int, SourceRow, Match]] = {}
    for r, m in found:
        k = (m.taxon.iri, r.key)
        if k not in best or RANK_OF[m.method] < best[k][0]:
            best[k] = (RANK_OF[m.method], r, m)
    kept: list[tuple[SourceRow, Match]] = []
    for r, m in found:
        level, br, bm = best[(m.taxon.iri, r.key)]
        if RANK_OF[m.method] > level:
            report.unmatched.append(
                UnmatchedRow(
                    r.row,
                    r.name,
                    "superseded",
                    f"{m.method} match to {m.taxon.name!r}, which row {br.row} ({br.name!r}) "
                    f"already matches by {bm.method}",
                    (m.taxon.name,),
                )
            )
            continue
        kept.append((r, m))
        report.matched.append(
            MatchedRow(
                r.row, r.name, m.taxon.iri, m.taxon.taxon_id, m.taxon.name, m.method, m.detail
            )
        )
    return kept, report


# ------------------------------------------------------------------- a taxon named by a person

ACCEPTED = frozenset({"sis_id", "exact", "normalised", "synonym"})


def _person_value(value: str) -> str:
    """A taxon as a person gives it, as resolve_taxon reads it: whitespace normalised, a
    taxon IRI reduced to its Red List id."""
    from kg import iris

    v = " ".join(str(value).split()).strip("<>")
    prefix = iris.taxon("")
    return v[len(prefix) :] if v.startswith(prefix) else v


def lookup_keys(value: str) -> list[tuple[str, str]]:
    """(naming property IRI, value) pairs whose taxa include every taxon `resolve_taxon` can
    answer, or name in its message, for `value`: its Red List id; or the name as written, the
    taxa of its genus (every exact, normalised, spelling and rank candidate and the
    "genus is in the graph" hint share the parsed genus) and the taxa listing it as a synonym.
    Nothing for a value that is no scientific name or names a genus (refused whatever the
    graph holds)."""
    v = _person_value(value)
    if v.isdigit():
        return [(str(A2P.sisTaxonId), v)]
    p = parse(v)
    if p is None or p.rank == "genus":
        return []
    first = v.replace("×", " ").split()[0] if v.replace("×", " ").split() else p.genus
    genera = dict.fromkeys((p.genus, first, first.capitalize(), p.genus.upper()))
    synonyms = dict.fromkeys((p.canonical, v))
    keys = [(str(A2P.scientificName), v)]
    keys += [(str(A2P.genus), g) for g in genera]
    keys += [(str(A2P.synonym), s) for s in synonyms]
    return keys


def resolve_taxon(index: TaxonIndex, value: str) -> GraphTaxon:
    """A taxon given as a scientific name, a Red List taxon id or a taxon IRI; raises ValueError.

    Only sis_id, exact, normalised and synonym matches are accepted: a spelling or rank
    match is refused with a "did you mean" message, never taken silently.
    """
    v = _person_value(value)
    if v.isdigit():
        if v in index.by_sis:
            return index.by_sis[v]
        raise ValueError(f"no assessed taxon with Red List id {v} in the graph")
    res = index.match(v)
    if isinstance(res, Match):
        if res.method in ACCEPTED:
            return res.taxon
        raise ValueError(
            f"{v!r} is not the name of an assessed taxon in the graph; did you mean "
            f"{res.taxon.name!r} ({res.detail})? Give that name or its Red List id "
            f"{res.taxon.taxon_id}"
        )
    extra = f": {res.detail}" if res.detail else ""
    raise ValueError(f"{v!r} is not an assessed taxon in the graph ({res.reason}{extra})")
