"""kg.links.sources — link source files (CSV, gzipped CSV, Green Status JSON) → SourceRow lists.

Reading is strict and all-or-nothing, like kg.ingest: a missing column, a value that is
not a number, an unknown CITES appendix or a non-UTF-8 file raises `IngestError` naming the
file, row and column. Column names are matched ignoring case and punctuation
("scientificName" = "scientific_name" = "Scientific Name"); each column has aliases, so the
CITES Species+ index and the Staerk et al. (2022) EU table are read without conversion.
Formats are documented in docs/links.md.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kg.ingest import IngestError
from kg.links.match import HIGHER_RANKS, SourceRow
from kg.links.names import canonical, split_synonyms
from kg.schemes import load_schemes

csv.field_size_limit(64 * 1024 * 1024)

NA = frozenset({"", "na", "n/a", "nan", "null", "none", "-"})


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class CitesEntry:
    source_id: str  # Species+ taxon concept id
    listing: str  # as published: "I", "I/II", "III/NC"
    appendices: tuple[str, ...]  # ("I", "II")
    listing_date: date | None = None
    annotation: str = ""
    higher_name: str = ""  # genus/family/order name for higher-taxon rows
    higher_rank: str = ""
    own_appendix: str = ""  # 'Appendix II:' of the annotation: the taxon's own listing

    @property
    def inherited_listing(self) -> str:
        """What a higher-taxon listing means for a member species that has no row of its own."""
        return self.own_appendix or self.listing


@dataclass(frozen=True)
class ExSituEntry:
    institutions: int | None
    individuals: int | None
    programmes: tuple[str, ...] = ()
    region: str = "global"
    source: str = ""
    year: int | None = None


@dataclass(frozen=True)
class ScoreEntry:
    scheme: str  # edge | ed | edge_species | aze | national
    value: Decimal | bool | str
    region: str = ""
    year: int | None = None
    site: str = ""
    source: str = ""


@dataclass(frozen=True)
class IdEntry:
    gbif: str = ""
    wikidata: str = ""
    ncbi: str = ""


@dataclass(frozen=True)
class GreenStatusEntry:
    sis_id: str
    assessment_date: date | None
    year: int | None
    score: Decimal | None
    score_min: Decimal | None
    score_max: Decimal | None
    category: str
    legacy: str = ""
    legacy_score: Decimal | None = None
    dependence: str = ""
    dependence_score: Decimal | None = None
    gain: str = ""
    gain_score: Decimal | None = None
    potential: str = ""
    potential_score: Decimal | None = None
    justification: str = ""
    url: str = ""
    assessors: str = ""


@dataclass
class LinkSourceRows:
    """A source file read: label, format profile and rows (rows may share a row number)."""

    kind: str
    label: str
    profile: str
    rows: list[SourceRow]
    lines: int  # data rows in the file


# --------------------------------------------------------------------------- CSV reading


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _open_text(path: Path, encoding: str) -> str:
    label = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(label, f"cannot read ({exc.strerror or exc})") from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise IngestError(label, f"not a readable gzip file ({exc})") from exc
    try:
        return raw.decode(
            "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        )
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise IngestError(
            label,
            f"not {encoding} (byte 0x{raw[exc.start]:02x} at line {line}); "
            "give the file's encoding, e.g. --encoding latin-1",
        ) from exc
    except LookupError as exc:
        raise IngestError(label, f"unknown encoding {encoding!r}") from exc


class _Table:
    """A CSV file with normalised column keys and strict row shapes."""

    def __init__(self, path: Path, encoding: str = "utf-8"):
        self.label = str(path)
        if not path.is_file():
            raise IngestError(self.label, "no such file")
        self.text = _open_text(path, encoding)
        reader = csv.reader(io.StringIO(self.text, newline=""), strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise IngestError(self.label, "file is empty (no header row)") from None
        except csv.Error as exc:
            raise IngestError(self.label, f"malformed CSV header ({exc})", row=0) from exc
        self.header = [h.strip() for h in header]
        self.keys = [_key(h) for h in self.header]
        self.pos: dict[str, int] = {}  # normalised key -> position of the column
        self.clash: dict[str, str] = {}  # keys two columns normalise to -> their names
        for i, (h, k) in enumerate(zip(self.header, self.keys, strict=True)):
            if k in self.pos:
                self.clash[k] = f"{self.header[self.pos[k]]!r} and {h!r}"
            else:
                self.pos[k] = i
        self._reader = reader

    def has(self, *aliases: str) -> bool:
        return any(_key(a) in self.pos for a in aliases)

    def column(self, *aliases: str, required: bool = False, what: str = "") -> str | None:
        """The first alias present (as its normalised key), in alias order."""
        for a in aliases:
            k = _key(a)
            if k in self.clash:
                raise IngestError(
                    self.label, f"columns {self.clash[k]} cannot be told apart", row=0, column=a
                )
            if k in self.pos:
                return k
        if required:
            raise IngestError(
                self.label,
                f"missing required column {what or aliases[0]!r} (also accepted: "
                f"{', '.join(aliases[1:]) or 'none'}); found {', '.join(self.header)}",
                row=0,
                column=aliases[0],
            )
        return None

    def name_of(self, key: str) -> str:
        return self.header[self.pos[key]] if key in self.pos else key

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        n = 0
        while True:
            try:
                values = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                hint = ": a quoted field is never closed" if "end of data" in str(exc) else ""
                raise IngestError(self.label, f"malformed CSV ({exc}){hint}", row=n + 1) from exc
            n += 1
            if not values or values == [""]:
                continue
            if len(values) != len(self.keys):
                raise IngestError(
                    self.label,
                    f"has {len(values)} fields where the header has {len(self.keys)}",
                    row=n,
                )
            yield n, {k: values[i] for k, i in self.pos.items()}


class _Cell:
    """Typed access to one row's cells, raising IngestError with file, row and column."""

    def __init__(self, table: _Table, n: int, row: dict[str, str]):
        self.t, self.n, self.r = table, n, row

    def err(self, key: str, message: str) -> IngestError:
        return IngestError(self.t.label, message, row=self.n, column=self.t.name_of(key))

    def text(self, key: str | None) -> str:
        if key is None:
            return ""
        v = self.r.get(key, "").strip()
        return "" if v.lower() in NA else v

    def integer(self, key: str | None) -> int | None:
        v = self.text(key)
        if not v:
            return None
        try:
            f = Decimal(v)
        except InvalidOperation:
            raise self.err(key or "", f"not a whole number: {v!r}") from None
        if f != f.to_integral_value() or f < 0:
            raise self.err(key or "", f"not a whole number >= 0: {v!r}")
        return int(f)

    def decimal(self, key: str | None) -> Decimal | None:
        v = self.text(key)
        if not v:
            return None
        try:
            d = Decimal(v)
        except InvalidOperation:
            raise self.err(key or "", f"not a number: {v!r}") from None
        if not d.is_finite():
            raise self.err(key or "", f"not a finite number: {v!r}")
        return d

    def boolean(self, key: str | None) -> bool | None:
        v = self.text(key).lower()
        if not v:
            return None
        if v in ("1", "true", "yes", "y", "t"):
            return True
        if v in ("0", "false", "no", "n", "f"):
            return False
        raise self.err(key or "", f"not a yes/no value: {v!r} (use true/false, yes/no or 1/0)")

    def date(self, key: str | None) -> date | None:
        v = self.text(key)
        if not v:
            return None
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S %Z", "%Y-%m-%dT%H:%M:%S"):
            try:
                return datetime.strptime(v, fmt).date()
            except ValueError:
                continue
        raise self.err(key or "", f"not a date: {v!r} (use YYYY-MM-DD)")

    def year(self, key: str | None) -> int | None:
        y = self.integer(key)
        if y is not None and not 1700 <= y <= 2200:
            raise self.err(key or "", f"not a year: {y}")
        return y


NAME_ALIASES = (
    "scientificName",
    "iucn.species",
    "FullName",
    "Scientific Name",
    "taxonName",
    "name",
    "species",
)
SIS_ALIASES = ("sisTaxonId", "internalTaxonId", "sis_id", "iucnTaxonId")


def _name_cols(t: _Table) -> tuple[str, str | None, str | None]:
    """Columns of the scientific name, the Red List taxon id and the family (optional)."""
    name = t.column(*NAME_ALIASES, required=True, what="scientificName")
    assert name is not None
    return name, t.column(*SIS_ALIASES), t.column("family", "familyName")


def _sis(c: _Cell, key: str | None) -> str:
    v = c.text(key)
    if v and not re.fullmatch(r"[0-9]+", v):
        raise c.err(key or "", f"not a Red List taxon id: {v!r}")
    return v


# --------------------------------------------------------------------------- CITES

APPENDICES = ("I", "II", "III")


def read_cites(path: str | Path, encoding: str = "utf-8") -> LinkSourceRows:
    """The CITES Species+ index CSV (plain or gzipped): one row per taxon with its listing."""
    t = _Table(Path(path), encoding)
    name = t.column(
        "FullName", "Scientific Name", "scientificName", "TaxonName", required=True, what="FullName"
    )
    listing = t.column(
        "CurrentListing",
        "Listing",
        "Appendix",
        "citesAppendix",
        required=True,
        what="CurrentListing",
    )
    tid = t.column("TaxonId", "Id", "TaxonConceptId")
    rank = t.column("RankName", "Rank", "taxonRank")
    syn = t.column("SynonymsWithAuthors", "Synonyms")
    when = t.column("ListingDate", "EffectiveAt", "Effective At", "EffectiveDate", "DateListed")
    note = t.column("FullAnnotationEnglish", "AnnotationEnglish", "Annotation")
    fam = t.column("Family")
    rows: list[SourceRow] = []
    lines = 0
    for n, r in t.rows():
        lines += 1
        c = _Cell(t, n, r)
        nm = c.text(name)
        if not nm:
            raise c.err(name, "empty taxon name")
        raw = c.text(listing)
        parts = [p.strip() for p in raw.split("/") if p.strip()]
        bad = [p for p in parts if p not in (*APPENDICES, "NC")]
        if bad:
            raise c.err(
                listing, f"unknown CITES listing {raw!r} (expected I, II, III or NC joined by '/')"
            )
        rk = c.text(rank).lower()
        ann = " ".join(re.sub(r"<[^>]+>", "", c.text(note)).split())
        own = re.match(r"Appendix (III|II|I)\s*:\s*(.*)$", ann)
        entry = CitesEntry(
            source_id=c.text(tid),
            listing="/".join(parts),
            appendices=tuple(p for p in parts if p in APPENDICES),
            listing_date=c.date(when),
            annotation=own.group(2) if own else ann,
            own_appendix=own.group(1) if own else "",
        )
        if rk in HIGHER_RANKS:
            entry = replace(entry, higher_name=nm.split()[0], higher_rank=rk)
        rows.append(
            SourceRow(
                row=n,
                name=nm,
                payload=entry,
                synonyms=tuple(split_synonyms(c.text(syn))),
                rank=rk,
                family=c.text(fam),
            )
        )
    return LinkSourceRows("cites", t.label, "species+", rows, lines)


# --------------------------------------------------------------------------- ex situ

PROGRAMMES = {
    "eep": "EEP",
    "esb": "ESB",
    "ssp": "SSP",
    "aark": "Amphibian Ark",
    "amphibianark": "Amphibian Ark",
    "cpsg": "CPSG",
    "tag": "TAG",
    "asmp": "ASMP",
    "zaa": "ZAA",
    "rrp": "RRP",
}


def _programmes(value: str) -> tuple[str, ...]:
    out = []
    for p in re.split(r"[|;]", value):
        p = " ".join(p.split())
        if p and p.lower() not in NA:
            out.append(PROGRAMMES.get(_key(p), p))
    return tuple(dict.fromkeys(out))


def _staerk(t: _Table) -> bool:
    return t.has("iucn.species") and t.has("gbif.species")


def read_exsitu(path: str | Path, encoding: str = "utf-8") -> LinkSourceRows:
    """Ex situ holdings CSV (docs/links.md), or the Staerk et al. EU species table."""
    t = _Table(Path(path), encoding)
    rows: list[SourceRow] = []
    lines = 0
    if _staerk(t):
        cols = {
            k: t.column(k, required=True)
            for k in (
                "iucn.species",
                "gbif.species",
                "nr.zoos.global",
                "pop.zoo.global",
                "nr.zoos.eu",
                "pop.zoo.eu",
                "eep",
                "esb",
                "aark",
                "family",
            )
        }
        for n, r in t.rows():
            lines += 1
            c = _Cell(t, n, r)
            nm = c.text(cols["iucn.species"])
            gb = c.text(cols["gbif.species"])
            syn = (gb,) if gb and canonical(gb) != canonical(nm) else ()
            # EAZA programmes (EEP, ESB) are European; Amphibian Ark is global
            progs = {
                "global": ("Amphibian Ark",) if c.boolean(cols["aark"]) else (),
                "EU": tuple(p for k, p in (("eep", "EEP"), ("esb", "ESB")) if c.boolean(cols[k])),
            }
            for region, inst, ind in (
                ("global", "nr.zoos.global", "pop.zoo.global"),
                ("EU", "nr.zoos.eu", "pop.zoo.eu"),
            ):
                e = ExSituEntry(
                    c.integer(cols[inst]),
                    c.integer(cols[ind]),
                    progs[region],
                    region,
                    "Species360 ZIMS via Staerk et al. 2022",
                )
                rows.append(SourceRow(n, nm, e, syn, key=region, family=c.text(cols["family"])))
        return LinkSourceRows("exsitu", t.label, "staerk2022", rows, lines)
    name, sis, fam = _name_cols(t)
    inst = t.column("institutions", "nInstitutions", "holders", "zoos")
    ind = t.column("individuals", "nIndividuals", "specimens", "population")
    if inst is None and ind is None:
        raise IngestError(
            t.label,
            "needs an 'institutions' or an 'individuals' column",
            row=0,
            column="institutions",
        )
    prog = t.column("programme", "programmes", "program", "programs")
    region = t.column("region", "scope")
    source = t.column("source", "database")
    year = t.column("year", "date")
    for n, r in t.rows():
        lines += 1
        c = _Cell(t, n, r)
        nm = c.text(name)
        if not nm and not c.text(sis):
            raise c.err(name, "empty scientific name")
        e = ExSituEntry(
            c.integer(inst),
            c.integer(ind),
            _programmes(c.text(prog)),
            c.text(region) or "global",
            c.text(source),
            c.year(year),
        )
        rows.append(SourceRow(n, nm, e, sis_id=_sis(c, sis), key=e.region, family=c.text(fam)))
    return LinkSourceRows("exsitu", t.label, "a2p", rows, lines)


# --------------------------------------------------------------------------- prioritisation

SCHEMES = ("edge", "ed", "edge_species", "aze", "national")
_COUNTRY = re.compile(r"[A-Z]{2}")


def _category(c: _Cell, key: str) -> str:
    v = c.text(key)
    code = load_schemes()["categories"].code_for(v)
    if code is None:
        raise c.err(key, f"unknown red list category {v!r}")
    return code


def read_scores(path: str | Path, encoding: str = "utf-8") -> LinkSourceRows:
    """Prioritisation schemes CSV (long format, docs/links.md), or the Staerk et al. table."""
    t = _Table(Path(path), encoding)
    rows: list[SourceRow] = []
    lines = 0
    if _staerk(t):
        cols = {
            k: t.column(k, required=True)
            for k in (
                "iucn.species",
                "gbif.species",
                "ed.value",
                "edge",
                "aze",
                "redlist.eu",
                "redlist.europe",
                "family",
            )
        }
        src = "Staerk et al. 2022"
        for n, r in t.rows():
            lines += 1
            c = _Cell(t, n, r)
            nm = c.text(cols["iucn.species"])
            gb = c.text(cols["gbif.species"])
            syn = (gb,) if gb and canonical(gb) != canonical(nm) else ()
            entries: list[ScoreEntry] = []
            if (ed := c.decimal(cols["ed.value"])) is not None:
                entries.append(ScoreEntry("ed", ed, source=src))
            if (edge := c.boolean(cols["edge"])) is not None:
                entries.append(ScoreEntry("edge_species", edge, source=src))
            if (aze := c.boolean(cols["aze"])) is not None:
                entries.append(ScoreEntry("aze", aze, source=src))
            for col, region in (("redlist.eu", "EU"), ("redlist.europe", "Europe")):
                if c.text(cols[col]):
                    entries.append(
                        ScoreEntry("national", _category(c, cols[col] or ""), region, source=src)
                    )
            rows.extend(
                SourceRow(
                    n, nm, e, syn, key=f"{e.scheme}|{e.region}", family=c.text(cols["family"])
                )
                for e in entries
            )
        return LinkSourceRows("scores", t.label, "staerk2022", rows, lines)
    name, sis, fam = _name_cols(t)
    scheme = t.column("scheme", "list", required=True)
    value = t.column("value", "score", "status", "category", required=True)
    region = t.column("region", "country", "iso2")
    year = t.column("year")
    site = t.column("site", "azeSite")
    source = t.column("source")
    for n, r in t.rows():
        lines += 1
        c = _Cell(t, n, r)
        nm = c.text(name)
        sch = c.text(scheme).lower().replace("-", "_").replace(" ", "_")
        if sch not in SCHEMES:
            raise c.err(
                scheme or "",
                f"unknown scheme {c.text(scheme)!r} (expected one of {', '.join(SCHEMES)})",
            )
        reg = c.text(region)
        val: Decimal | bool | str | None
        if sch in ("edge", "ed"):
            val = c.decimal(value)
        elif sch in ("edge_species", "aze"):
            val = c.boolean(value)
        else:
            if not reg:
                raise c.err(
                    region or scheme or "",
                    "a national status needs a region (ISO 3166-1 alpha-2 code or region name)",
                )
            val = _category(c, value or "") if c.text(value) else None
        if val is None:
            raise c.err(value or "", "empty value")
        e = ScoreEntry(sch, val, reg, c.year(year), c.text(site), c.text(source))
        rows.append(
            SourceRow(n, nm, e, sis_id=_sis(c, sis), key=f"{sch}|{reg}", family=c.text(fam))
        )
    return LinkSourceRows("scores", t.label, "a2p", rows, lines)


# --------------------------------------------------------------------------- identifiers


def read_ids(path: str | Path, encoding: str = "utf-8") -> LinkSourceRows:
    """Identifier mapping CSV: scientificName (or sisTaxonId) to GBIF, Wikidata, NCBI ids."""
    t = _Table(Path(path), encoding)
    staerk = _staerk(t)
    name, sis, fam = _name_cols(t)
    alt = t.column("gbif.species") if staerk else None
    gbif = t.column("gbifKey", "gbif", "gbif.id", "gbifTaxonKey", "gbifId", "taxonKey")
    wd = t.column("wikidata", "wikidataQid", "qid", "wikidataId")
    ncbi = t.column("ncbi", "ncbiTaxonId", "ncbiTaxId", "taxid", "ncbiId")
    if not (gbif or wd or ncbi):
        raise IngestError(
            t.label,
            "needs at least one of the columns gbifKey, wikidata, ncbiTaxonId",
            row=0,
            column="gbifKey",
        )
    rows: list[SourceRow] = []
    lines = 0
    for n, r in t.rows():
        lines += 1
        c = _Cell(t, n, r)
        g, q, nc = c.text(gbif), c.text(wd), c.text(ncbi)
        if g and not re.fullmatch(r"[0-9]+", g):
            raise c.err(gbif or "", f"not a GBIF key: {g!r}")
        m = re.fullmatch(r"(?:https?://(?:www\.)?wikidata\.org/(?:wiki|entity)/)?(Q[0-9]+)", q)
        if q and not m:
            raise c.err(wd or "", f"not a Wikidata QID: {q!r}")
        if nc and not re.fullmatch(r"[0-9]+", nc):
            raise c.err(ncbi or "", f"not an NCBI taxon id: {nc!r}")
        nm = c.text(name)
        a = c.text(alt)
        syn = (a,) if a and canonical(a) != canonical(nm) else ()
        rows.append(
            SourceRow(
                n,
                nm,
                IdEntry(g, m.group(1) if m else "", nc),
                syn,
                sis_id=_sis(c, sis),
                family=c.text(fam),
            )
        )
    return LinkSourceRows("ids", t.label, "staerk2022" if staerk else "a2p", rows, lines)


# --------------------------------------------------------------------------- Green Status


def _pct(value: Any, label: str, where: str, low: int = 0) -> Decimal | None:
    """'33%' -> 33. The species recovery score is 0..100; the conservation metrics
    (legacy, dependence, gain, recovery potential) are differences and may be negative."""
    if value is None or str(value).strip().lower() in NA:
        return None
    v = str(value).strip().rstrip("%").strip()
    try:
        d = Decimal(v)
    except InvalidOperation:
        raise IngestError(label, f"not a percentage: {value!r}", column=where) from None
    if not (d.is_finite() and low <= d <= 100):
        raise IngestError(label, f"not a percentage between {low} and 100: {value!r}", column=where)
    return d


def read_green_status(path: str | Path) -> LinkSourceRows:
    """IUCN Green Status assessments: API v4 JSON ({"assessments": [...]}, a list or one)."""
    p = Path(path)
    label = str(p)
    text = _open_text(p, "utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(
            label, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    if isinstance(data, dict) and isinstance(data.get("assessments"), list):
        items = data["assessments"]
    elif isinstance(data, list):
        items = data
    elif isinstance(data, dict):
        items = [data]
    else:
        raise IngestError(label, "not Green Status JSON (expected an object or a list)")
    rows: list[SourceRow] = []
    for i, d in enumerate(items, start=1):
        where = f"{label}[{i}]"
        if not isinstance(d, dict) or not isinstance(d.get("taxon"), dict):
            raise IngestError(
                where, "not a Green Status assessment (no 'taxon' object)", column="taxon"
            )
        if "species_recovery_score_best" not in d and "species_recovery_category" not in d:
            raise IngestError(
                where,
                "not a Green Status assessment (no species recovery score)",
                column="species_recovery_score_best",
            )
        tx = d["taxon"]
        sis = str(tx.get("sis_id") or "").strip()
        if sis and not sis.isdigit():
            raise IngestError(where, f"not a Red List taxon id: {sis!r}", column="taxon.sis_id")
        name = str(tx.get("scientific_name") or "").strip()
        if not name and not sis:
            raise IngestError(
                where,
                "no taxon.scientific_name and no taxon.sis_id",
                column="taxon.scientific_name",
            )
        ad = str(d.get("assessment_date") or "").strip()
        try:
            adate = datetime.strptime(ad[:10], "%Y-%m-%d").date() if ad else None
        except ValueError:
            raise IngestError(where, f"not a date: {ad!r}", column="assessment_date") from None
        yr = str(d.get("assessment_year") or "").strip()
        if yr and not yr.isdigit():
            raise IngestError(where, f"not a year: {yr!r}", column="assessment_year")
        syns = tuple(
            str(s.get("name") or "")
            for s in tx.get("synonyms") or []
            if isinstance(s, dict) and s.get("name")
        )
        e = GreenStatusEntry(
            sis_id=sis,
            assessment_date=adate,
            year=int(yr) if yr else (adate.year if adate else None),
            score=_pct(d.get("species_recovery_score_best"), where, "species_recovery_score_best"),
            score_min=_pct(
                d.get("species_recovery_score_minimum"), where, "species_recovery_score_minimum"
            ),
            score_max=_pct(
                d.get("species_recovery_score_maximum"), where, "species_recovery_score_maximum"
            ),
            category=str(d.get("species_recovery_category") or ""),
            legacy=str(d.get("conservation_legacy_category") or ""),
            legacy_score=_pct(
                d.get("conservation_legacy_best"), where, "conservation_legacy_best", -100
            ),
            dependence=str(d.get("conservation_dependence_category") or ""),
            dependence_score=_pct(
                d.get("conservation_dependence_best"), where, "conservation_dependence_best", -100
            ),
            gain=str(d.get("conservation_gain_category") or ""),
            gain_score=_pct(d.get("conservation_gain_best"), where, "conservation_gain_best", -100),
            potential=str(d.get("recovery_potential_category") or ""),
            potential_score=_pct(
                d.get("recovery_potential_best"), where, "recovery_potential_best", -100
            ),
            justification=str(d.get("justification") or ""),
            url=str(d.get("url") or ""),
            assessors=str(d.get("assessor_names") or ""),
        )
        rows.append(
            SourceRow(
                i,
                name,
                e,
                tuple(dict.fromkeys(canonical(s) for s in syns)),
                sis_id=sis,
                key=str(adate or yr),
            )
        )
    return LinkSourceRows("greenstatus", label, "api-v4", rows, len(items))


READERS = {
    "cites": read_cites,
    "exsitu": read_exsitu,
    "scores": read_scores,
    "ids": read_ids,
}
