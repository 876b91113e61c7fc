"""kg.build — records → N-Quads; pure functions, no I/O and no store access.

Each assessment lives in its own named graph (graph/assessment/a<ID>); a taxon's record,
names and latest-assessment marker in three graphs of their own, so re-ingesting an export
replaces exactly what it supplies and nothing else (see ontology/README.md). Shared nodes
(higher taxa, name-only taxon stubs, places) go to add-only graphs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from rdflib.namespace import DefinedNamespace

from kg import iris, vocab
from kg.records import Assessment, Bundle, Mention, Taxon, ThreatImpact
from kg.vocab import DCTERMS, PROV, RDF, RDFS, SKOS, XSD


class _Terms:
    """A vocab namespace whose terms are looked up once (a misspelt term still raises), then
    read as plain strings: the builder writes millions of quads."""

    def __init__(self, ns: type[DefinedNamespace]) -> None:
        self._ns = ns

    def __getattr__(self, name: str) -> str:
        value = str(getattr(self._ns, name))
        setattr(self, name, value)
        return value


A2P = _Terms(vocab.A2P)
_concept = functools.lru_cache(maxsize=1 << 16)(iris.concept)

# --------------------------------------------------------------------------- N-Quads text

_ESC = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESC_RE = re.compile(r'[\\"\n\r\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')


def _esc(s: str) -> str:
    return _ESC_RE.sub(lambda m: _ESC.get(m.group(), f"\\u{ord(m.group()):04X}"), s)


def iri(value: str) -> str:
    if any(c in value for c in '<>"{}|^`\\ \n'):
        raise ValueError(f"not a valid IRI: {value!r}")
    return f"<{value}>"


def lit(value: object, datatype: str | None = None, lang: str | None = None) -> str:
    """An N-Quads literal; Python bool/int/float/datetime/date pick their XSD type."""
    if isinstance(value, bool):
        return f'"{"true" if value else "false"}"^^<{XSD.boolean}>'
    if isinstance(value, int):
        return f'"{value}"^^<{XSD.integer}>'
    if isinstance(value, float):
        if datatype is not None:
            return f'"{value}"^^<{datatype}>'
        # xsd:decimal has no exponent form: 1e-05 must be written 0.00001
        text = format(Decimal(repr(value)), "f")
        return f'"{text}"^^<{XSD.decimal}>'
    if isinstance(value, datetime):
        return f'"{value.isoformat()}"^^<{XSD.dateTime}>'
    if isinstance(value, date):
        return f'"{value.isoformat()}"^^<{XSD.date}>'
    text = _esc(str(value))
    if lang:
        return f'"{text}"@{lang}'
    if datatype:
        return f'"{text}"^^<{datatype}>'
    return f'"{text}"'


@dataclass
class Quads:
    """An append-only buffer of N-Quads lines, grouped by the graphs they replace."""

    lines: list[str] = field(default_factory=list)
    replaced_graphs: set[str] = field(default_factory=set)

    def add(self, s: str, p: str, o: str, g: str) -> None:
        self.lines.append(f"<{s}> <{p}> {o} <{g}> .\n")

    def node(self, s: str, p: str, o: str, g: str) -> None:
        self.lines.append(f"<{s}> <{p}> <{o}> <{g}> .\n")

    def data(self) -> bytes:
        return "".join(self.lines).encode("utf-8")

    def chunks(self, lines: int = 100_000) -> Iterator[bytes]:
        """The N-Quads in pieces of `lines` lines (no large transient copy of the whole text)."""
        for i in range(0, len(self.lines), lines):
            yield "".join(self.lines[i : i + lines]).encode("utf-8")

    def __len__(self) -> int:
        return len(self.lines)


# --------------------------------------------------------------------------- vocab helpers

TYPE = str(RDF.type)
LABEL = str(RDFS.label)

NARRATIVE_PROPS = {
    "rationale": A2P.rationaleText,
    "habitat": A2P.habitatText,
    "threats": A2P.threatsText,
    "population": A2P.populationText,
    "range": A2P.rangeText,
    "use_trade": A2P.useTradeText,
    "conservation_actions": A2P.conservationActionsText,
    "trend_justification": A2P.trendJustificationText,
}

ROLE_PROPS = {
    "assessor": A2P.assessor,
    "reviewer": A2P.reviewer,
    "contributor": A2P.contributor,
    "facilitator": A2P.facilitator,
}

# IUCN threat impact scoring: weights of timing, scope and severity (Threats Classification Scheme)
TIMING_WEIGHT = {
    "Ongoing": 3,
    "Future": 1,
    "Past, Likely to Return": 1,
    "Past, Unlikely to Return": 0,
}
SCOPE_WEIGHT = {"Whole (>90%)": 3, "Majority (50-90%)": 2, "Minority (<50%)": 1}
SEVERITY_WEIGHT = {
    "Very Rapid Declines": 3,
    "Rapid Declines": 2,
    "Slow, Significant Declines": 1,
    "Causing/Could cause fluctuations": 1,
}


def impact_score(t: ThreatImpact) -> tuple[int, str]:
    """(score, label) of the IUCN threat impact scoring system."""
    score = (
        TIMING_WEIGHT.get(t.timing, 0)
        + SCOPE_WEIGHT.get(t.scope, 0)
        + SEVERITY_WEIGHT.get(t.severity, 0)
    )
    if t.timing == "Past, Unlikely to Return":
        return score, "Past Impact"
    if score >= 8:
        return score, "High Impact"
    if score >= 6:
        return score, "Medium Impact"
    if score >= 3:
        return score, "Low Impact"
    return score, "No/Negligible Impact"


_ROMAN = re.compile(r"\(([ivx,\s]+)\)")


def parse_criteria(criteria: str) -> list[str]:
    """'B1ab(iii)+2ab(iii)' -> ['B1a', 'B1b(iii)', 'B2a', 'B2b(iii)'].

    Unparseable parts are skipped (the criteria string itself is always kept).
    """
    out: list[str] = []
    for group in re.split(r"[;,]\s*(?=[A-E])", criteria.strip()):
        group = group.strip().rstrip(";")
        m = re.match(r"^([A-E])(.*)$", group)
        if not m:
            continue
        letter, rest = m.group(1), m.group(2)
        if not rest:
            out.append(letter)
            continue
        for sub in rest.split("+"):
            sm = re.match(r"^(\d?)(.*)$", sub.strip())
            if not sm:
                continue
            num, tail = sm.group(1), sm.group(2)
            head = letter + num
            if not tail:
                out.append(head)
                continue
            for lm in re.finditer(r"([a-e])(\(([ivx,\s]+)\))?", tail):
                if lm.group(3):
                    for roman in lm.group(3).split(","):
                        out.append(f"{head}{lm.group(1)}({roman.strip()})")
                else:
                    out.append(f"{head}{lm.group(1)}")
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------- latest assessment


@dataclass(frozen=True)
class AssessmentKey:
    """What is needed to decide which assessment of a taxon is the latest."""

    assessment_id: str
    taxon_id: str
    year: int | None
    date: date | None
    is_global: bool

    def sort_key(self) -> tuple[int, int, str, int]:
        return (
            1 if self.is_global else 0,
            self.year or 0,
            self.date.isoformat() if self.date else "",
            int(self.assessment_id) if self.assessment_id.isdigit() else 0,
        )


def key_of(a: Assessment) -> AssessmentKey:
    return AssessmentKey(
        a.assessment_id,
        a.taxon_id,
        a.year_published,
        a.assessment_date,
        not a.scopes or "Global" in a.scopes,
    )


def latest_by_taxon(keys: Iterable[AssessmentKey]) -> dict[str, str]:
    """taxon id -> assessment id of its latest assessment (global preferred)."""
    best: dict[str, AssessmentKey] = {}
    for k in keys:
        cur = best.get(k.taxon_id)
        if cur is None or k.sort_key() > cur.sort_key():
            best[k.taxon_id] = k
    return {t: k.assessment_id for t, k in best.items()}


# --------------------------------------------------------------------------- builder

RANKS = ("kingdom", "phylum", "class", "order", "family", "genus")


def latest_markers(q: Quads, keys: Iterable[AssessmentKey], taxa: Iterable[str]) -> None:
    """The latest-assessment marker of each of `taxa`, chosen among `keys`."""
    latest = latest_by_taxon(keys)
    for tid in taxa:
        q.node(iris.taxon(tid), A2P.latestAssessment, iris.assessment(latest[tid]), iris.latest_graph(tid))


def replaced_graphs(bundle: Bundle) -> set[str]:
    """The graphs a bundle replaces: its assessments, full taxon records, latest markers, names."""
    out = {iris.assessment_graph(a.assessment_id) for a in bundle.assessments}
    out.update(iris.taxon_graph(t.taxon_id) for t in bundle.taxa if not t.stub)
    out.update(iris.latest_graph(a.taxon_id) for a in bundle.assessments)
    out.update(iris.names_graph(tid) for tid in bundle.names_supplied)
    return out


def build(
    bundle: Bundle,
    existing: Iterable[AssessmentKey] = (),
    *,
    latest: bool = True,
    by_name: dict[str, Taxon] | None = None,
    seen: set[tuple[str, str | None]] | None = None,
) -> Quads:
    """Quads for a bundle; `existing` are assessments already in the store (for 'latest').

    With `latest=False` the markers are left out (the streaming ingest writes them once, after
    every section of every source, with `latest_markers`); the graphs they live in are still
    listed in `replaced_graphs`. A bundle built in slices passes every taxon by name
    (`by_name`, to link infraspecific taxa to their species) and one `seen` set (shared nodes
    already written: higher taxa, places).
    """
    q = Quads()
    g_tax = iris.graph("taxonomy")
    g_places = iris.graph("places")
    if by_name is None:
        by_name = {t.scientific_name: t for t in bundle.taxa}

    higher: set[tuple[str, str | None]] = set() if seen is None else seen
    for t in bundle.taxa:
        _taxon(q, t, g_tax, by_name, higher)
    if latest:
        latest_markers(
            q,
            [*existing, *(key_of(a) for a in bundle.assessments)],
            {a.taxon_id for a in bundle.assessments},
        )
    for c in bundle.common_names:
        g = iris.names_graph(c.taxon_id)
        lang = _lang(c.language)
        prop = A2P.mainCommonName if c.main else A2P.commonName
        q.add(iris.taxon(c.taxon_id), prop, lit(c.name, lang=lang), g)
    # a synonym listed twice (e.g. with two authorities) is one triple: the graph is a set,
    # and writing it twice only costs the loader
    for tid, name in dict.fromkeys((s.taxon_id, s.name) for s in bundle.synonyms):
        q.add(iris.taxon(tid), A2P.synonym, lit(name), iris.names_graph(tid))

    for a in bundle.assessments:
        _assessment(q, a)
    for ti in bundle.threats:
        _threat(q, ti)
    for ac in bundle.actions:
        g = iris.assessment_graph(ac.assessment_id)
        a_iri = iris.assessment(ac.assessment_id)
        key = ac.code or ac.question
        node = iris.part(ac.assessment_id, "inplace" if ac.status == "in_place" else "action", key)
        q.node(node, TYPE, A2P.ActionInPlace if ac.status == "in_place" else A2P.ActionNeeded, g)
        q.node(
            a_iri, A2P.hasActionInPlace if ac.status == "in_place" else A2P.hasActionNeeded, node, g
        )
        if ac.code:
            q.node(node, A2P.action, _concept("actions", ac.code), g)
        if ac.note:
            q.add(node, A2P.note, lit(ac.note), g)
        if ac.question:
            q.add(node, A2P.inPlaceQuestion, lit(ac.question), g)
            q.add(node, A2P.inPlaceAnswer, lit(ac.answer), g)
    for r in bundle.research:
        g = iris.assessment_graph(r.assessment_id)
        node = iris.part(r.assessment_id, "research", r.code)
        q.node(node, TYPE, A2P.ResearchNeeded, g)
        q.node(iris.assessment(r.assessment_id), A2P.hasResearchNeeded, node, g)
        q.node(node, A2P.research, _concept("research", r.code), g)
        if r.note:
            q.add(node, A2P.note, lit(r.note), g)
    for h in bundle.habitats:
        g = iris.assessment_graph(h.assessment_id)
        node = iris.part(h.assessment_id, "habitat", h.code)
        q.node(node, TYPE, A2P.HabitatUse, g)
        q.node(iris.assessment(h.assessment_id), A2P.hasHabitatUse, node, g)
        q.node(node, A2P.habitat, _concept("habitats", h.code), g)
        if h.suitability:
            q.add(node, A2P.suitability, lit(h.suitability), g)
        if h.major_importance is not None:
            q.add(node, A2P.majorImportance, lit(h.major_importance), g)
        if h.season:
            q.add(node, A2P.season, lit(h.season), g)
    for u in bundle.use_trade:
        g = iris.assessment_graph(u.assessment_id)
        node = iris.part(u.assessment_id, "use", u.code)
        q.node(node, TYPE, A2P.UseTrade, g)
        q.node(iris.assessment(u.assessment_id), A2P.hasUseTrade, node, g)
        q.node(node, A2P.useType, _concept("usetrade", u.code), g)
        for prop, v in (
            (A2P.international, u.international),
            (A2P.national, u.national),
            (A2P.subsistence, u.subsistence),
        ):
            if v is not None:
                q.add(node, prop, lit(v), g)
    places_done = higher
    for o in bundle.occurrences:
        g = iris.assessment_graph(o.assessment_id)
        node = iris.part(o.assessment_id, "occ", f"{o.place_type}_{o.code}")
        place = _place(q, o.place_type, o.code, o.name, g_places, places_done)
        q.node(node, TYPE, A2P.Occurrence, g)
        q.node(iris.assessment(o.assessment_id), A2P.hasOccurrence, node, g)
        q.node(node, A2P.place, place, g)
        if o.presence:
            q.add(node, A2P.presence, lit(o.presence), g)
        if o.origin:
            q.add(node, A2P.origin, lit(o.origin), g)
        for s in o.seasonality:
            q.add(node, A2P.seasonality, lit(s), g)
        if o.formerly_bred:
            q.add(node, A2P.formerlyBred, lit(o.formerly_bred), g)
    for cr in bundle.credits:
        for name in dict.fromkeys(cr.names):  # a name listed twice in one credit: one triple
            q.add(
                iris.assessment(cr.assessment_id),
                ROLE_PROPS[cr.role],
                lit(name),
                iris.assessment_graph(cr.assessment_id),
            )

    q.replaced_graphs.update(replaced_graphs(bundle))
    return q


def _lang(language: str) -> str | None:
    lang = language.strip().lower()
    lang = {
        "english": "en",
        "eng": "en",
        "french": "fr",
        "fre": "fr",
        "spanish": "es",
        "spa": "es",
    }.get(lang, lang)
    return lang if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{1,8})*", lang) else None


def _taxon(q: Quads, t: Taxon, g_tax: str, by_name: dict[str, Taxon], higher: set[tuple[str, str | None]]) -> None:
    s = iris.taxon(t.taxon_id)
    # a stub (name only) is added beside whatever the store knows, never replacing it
    g = g_tax if t.stub else iris.taxon_graph(t.taxon_id)
    q.node(s, TYPE, A2P.Taxon, g)
    q.add(s, A2P.sisTaxonId, lit(t.taxon_id), g)
    q.add(s, A2P.scientificName, lit(t.scientific_name), g)
    q.add(s, LABEL, lit(t.scientific_name), g)
    q.add(s, A2P.rank, lit(t.rank), g)
    for prop, v in (
        (A2P.kingdom, t.kingdom),
        (A2P.phylum, t.phylum),
        (A2P.className, t.class_),
        (A2P.order, t.order),
        (A2P.family, t.family),
        (A2P.genus, t.genus),
        (A2P.specificEpithet, t.species),
        (A2P.infraspecificEpithet, t.infra_name),
        (A2P.subpopulationName, t.subpopulation),
        (A2P.taxonomicNotes, t.taxonomic_notes),
    ):
        if v:
            q.add(s, prop, lit(v), g)
    authority = t.infra_authority if t.infra_name and t.infra_authority else t.authority
    if authority:
        q.add(s, A2P.authority, lit(authority), g)
    # higher taxonomy, add-only
    chain = [
        (r, v)
        for r, v in zip(
            RANKS, (t.kingdom, t.phylum, t.class_, t.order, t.family, t.genus), strict=True
        )
        if v
    ]
    parent = None
    for rank, name in chain:
        node = iris.higher_taxon(rank, name)
        if (node, parent) in higher:  # written already for an earlier taxon of this bundle
            parent = node
            continue
        higher.add((node, parent))
        q.node(node, TYPE, A2P.Taxon, g_tax)
        q.add(node, A2P.rank, lit(rank), g_tax)
        q.add(node, A2P.scientificName, lit(name), g_tax)
        q.add(node, LABEL, lit(name), g_tax)
        if parent:
            q.node(node, A2P.parentTaxon, parent, g_tax)
        parent = node
    if t.rank != "species" and t.genus and t.species:
        sp_name = f"{t.genus} {t.species}"
        sp = by_name.get(sp_name)
        if sp is not None and sp.rank == "species":
            q.node(s, A2P.parentTaxon, iris.taxon(sp.taxon_id), g)
        else:
            node = iris.higher_taxon("species", sp_name)
            q.node(node, TYPE, A2P.Taxon, g_tax)
            q.add(node, A2P.rank, lit("species"), g_tax)
            q.add(node, A2P.scientificName, lit(sp_name), g_tax)
            if parent:
                q.node(node, A2P.parentTaxon, parent, g_tax)
            q.node(s, A2P.parentTaxon, node, g)
    elif parent:
        q.node(s, A2P.parentTaxon, parent, g)


def _assessment(q: Quads, a: Assessment) -> None:
    s = iris.assessment(a.assessment_id)
    g = iris.assessment_graph(a.assessment_id)
    q.node(s, TYPE, A2P.Assessment, g)
    q.add(s, A2P.assessmentId, lit(a.assessment_id), g)
    q.node(s, A2P.assessesTaxon, iris.taxon(a.taxon_id), g)
    q.node(s, A2P.category, _concept("categories", a.category), g)
    year = f", {a.year_published}" if a.year_published else ""
    q.add(s, LABEL, lit(f"{a.scientific_name} ({a.category}{year})"), g)
    if a.criteria:
        q.add(s, A2P.criteria, lit(a.criteria), g)
        elements = parse_criteria(a.criteria)
        for e in elements:
            q.add(s, A2P.criterionElement, lit(e), g)
        for letter in sorted({e[0] for e in elements}):
            q.add(s, A2P.criterionGroup, lit(letter), g)
    if a.criteria_version:
        q.add(s, A2P.criteriaVersion, lit(a.criteria_version), g)
    if a.assessment_date:
        q.add(s, A2P.assessmentDate, lit(a.assessment_date), g)
    if a.year_published is not None:
        q.add(s, A2P.yearPublished, lit(a.year_published), g)
    if a.population_trend:
        q.node(s, A2P.populationTrend, _concept("poptrends", a.population_trend), g)
    for sc in a.scopes:
        q.node(s, A2P.assessmentScope, _concept("scopes", sc), g)
    for sy in a.systems:
        q.node(s, A2P.system, _concept("systems", sy), g)
    for r in a.realms:
        q.node(s, A2P.realm, _concept("realms", r), g)
    if a.possibly_extinct is not None:
        q.add(s, A2P.possiblyExtinct, lit(a.possibly_extinct), g)
    if a.possibly_extinct_in_the_wild is not None:
        q.add(s, A2P.possiblyExtinctInTheWild, lit(a.possibly_extinct_in_the_wild), g)
    if a.year_last_seen:
        q.add(s, A2P.yearLastSeen, lit(a.year_last_seen), g)
    if a.language:
        q.add(s, A2P.language, lit(a.language), g)
    if a.source:
        q.add(s, A2P.sourceFile, lit(a.source), g)
    for name, text in a.texts.items():
        if text.strip():
            q.add(s, NARRATIVE_PROPS[name], lit(text), g)


def _threat(q: Quads, t: ThreatImpact) -> None:
    g = iris.assessment_graph(t.assessment_id)
    node = iris.part(t.assessment_id, "threat", t.code)
    q.node(node, TYPE, A2P.ThreatImpact, g)
    q.node(iris.assessment(t.assessment_id), A2P.hasThreatImpact, node, g)
    q.node(node, A2P.threat, _concept("threats", t.code), g)
    if t.timing:
        q.node(node, A2P.timing, _concept("timing", t.timing), g)
    if t.scope:
        q.node(node, A2P.threatScope, _concept("threatscope", t.scope), g)
    if t.severity:
        q.node(node, A2P.severity, _concept("severity", t.severity), g)
    score, label = impact_score(t)
    m = re.search(r"(\d+)\s*$", t.score)
    if m:  # the published score wins over our computation
        score, label = int(m.group(1)), t.score.split(":")[0].strip()
    q.add(node, A2P.impactScore, lit(score), g)
    q.add(node, A2P.impactLabel, lit(label), g)
    for st in t.stresses:
        q.node(node, A2P.stress, _concept("stresses", st), g)
    for prop, v in (
        (A2P.invasiveSpecies, t.ias),
        (A2P.internationalTrade, t.international_trade),
        (A2P.ancestry, t.ancestry),
        (A2P.virus, t.virus),
        (A2P.note, t.text),
    ):
        if v:
            q.add(node, prop, lit(v), g)


PLACE_CLASS = {
    "subnational": A2P.SubnationalUnit,
    "lme": A2P.LargeMarineEcosystem,
    "site": A2P.Site,
    "waterbody": A2P.WaterBody,
    "protectedarea": A2P.ProtectedArea,
}


def place_iri(place_type: str, code: str) -> str:
    if place_type == "country":
        return _concept("countries", code)
    return iris.place(place_type, code)


def _place(
    q: Quads, place_type: str, code: str, name: str, g: str, done: set[tuple[str, str | None]]
) -> str:
    node = place_iri(place_type, code)
    if place_type == "country" or (node, None) in done:
        return node
    done.add((node, None))
    q.node(node, TYPE, PLACE_CLASS[place_type], g)
    q.add(node, A2P.placeCode, lit(code), g)
    if name:
        q.add(node, LABEL, lit(name), g)
    return node


# --------------------------------------------------------------------------- vocabularies


def vocabulary_graphs() -> Iterator[tuple[str, str]]:
    """(graph IRI, ontology-relative file) of everything loaded beside the data."""
    yield iris.graph("ontology"), "assess2plan.ttl"
    yield iris.graph("ontology"), "links.ttl"
    yield iris.graph("scheme", "threat-action"), "threat_action_map.ttl"
    from kg.schemes import scheme_files

    for f in scheme_files():
        yield iris.graph("scheme", f.stem), f"schemes/{f.name}"


# --------------------------------------------------------------------------- suggestions


def mention_quads(q: Quads, mentions: Iterable[Mention], model: str, graph: str) -> None:
    """Extracted mentions as a2p:Suggestion nodes with PROV provenance, in their own graph."""
    activity = iris.graph("activity", iris.code_local(model))
    q.node(activity, TYPE, str(PROV.Activity), graph)
    q.add(activity, LABEL, lit(f"extraction by {model}"), graph)
    scheme_of = {"action": "actions", "threat": "threats"}
    for m in mentions:
        key = f"{model}_{m.kind}_{m.code}_{m.field}_{m.start}_{m.end}"
        node = iris.part(m.assessment_id or "text", "suggestion", key)
        q.node(node, TYPE, A2P.Suggestion, graph)
        q.node(node, TYPE, str(PROV.Entity), graph)
        if m.assessment_id:
            q.node(node, A2P.aboutAssessment, iris.assessment(m.assessment_id), graph)
        if m.kind in scheme_of:
            q.node(node, A2P.suggestedCode, _concept(scheme_of[m.kind], m.code), graph)
        elif m.kind == "place" and len(m.code) == 2 and m.code.isalpha():
            q.node(node, A2P.suggestedCode, _concept("countries", m.code), graph)
        q.add(node, SKOS.notation, lit(m.code), graph)
        q.add(node, LABEL, lit(m.label), graph)
        q.add(node, A2P.mentionStatus, lit(m.status), graph)
        q.add(node, A2P.confidence, lit(round(float(m.confidence), 4)), graph)
        q.add(node, A2P.sourceField, lit(m.field), graph)
        q.add(node, A2P.spanStart, lit(m.start), graph)
        q.add(node, A2P.spanEnd, lit(m.end), graph)
        q.add(node, A2P.evidenceText, lit(m.sentence), graph)
        q.node(node, str(PROV.wasGeneratedBy), activity, graph)
        q.add(node, str(DCTERMS.source), lit(m.model or model), graph)
