"""kg.ingest — Red List exports (CSV folder or .zip) and API v4 JSON → validated records.

Reading is all-or-nothing: the first problem raises `IngestError` naming the file, the
row (1-based data row; the header is row 0) and the column, before anything is written.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from pydantic import ValidationError
from tqdm import tqdm

from kg.records import (
    Action,
    Assessment,
    Bundle,
    CommonName,
    Credit,
    HabitatUse,
    Occurrence,
    ResearchNeeded,
    Synonym,
    Taxon,
    ThreatImpact,
    UseTrade,
)
from kg.schemes import Scheme, load_schemes

csv.field_size_limit(64 * 1024 * 1024)

# Zip bombs: a member is refused, before anything is unpacked, when it would unpack to more than
# MAX_MEMBER_BYTES, or to more than MAX_RATIO times its compressed size once it is larger than
# RATIO_FLOOR (a small file may compress well: a header and a few empty rows). Red List CSVs
# compress 3-10:1; a full download's assessments.csv is about 1.3 GB.
MAX_MEMBER_BYTES = 3 * 1024**3
MAX_RATIO = 100
RATIO_FLOOR = 32 * 1024**2
ASSESSMENT_SECTION = 10_000  # assessments per streamed section (texts make them large)
READ_CHUNK = 1 << 20  # bytes decoded at a time: a file is streamed, never held whole

_UTF16_BOMS = {codecs.BOM_UTF16_LE: "UTF-16LE", codecs.BOM_UTF16_BE: "UTF-16BE"}
_UTF16_NO_BOM = {
    re.compile(rb"^(?:[\x01-\x7f]\x00){2}"): "UTF-16LE",
    re.compile(rb"^(?:\x00[\x01-\x7f]){2}"): "UTF-16BE",
}
_RESAVE = "Red List downloads are UTF-8: re-save the file as UTF-8"


class IngestError(ValueError):
    """Bad input: names the file, row and column."""

    def __init__(self, file: str, message: str, row: int | None = None, column: str | None = None):
        self.file, self.row, self.column, self.message = file, row, column, message
        where = file
        if row is not None:
            where += f", row {row}"
        if column:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.1f} MB"


def _check_member(label: str, info: zipfile.ZipInfo) -> None:
    """Refuse a zip member that would unpack to too much (checked on the central directory;
    zipfile never unpacks more than the declared size, a member that does fails its CRC)."""
    size, packed = info.file_size, max(info.compress_size, 1)
    if size > MAX_MEMBER_BYTES:
        raise IngestError(
            label, f"member unpacks to {_mb(size)}, more than the {_mb(MAX_MEMBER_BYTES)} limit (zip bomb?)"
        )
    if size > RATIO_FLOOR and size > MAX_RATIO * packed:
        raise IngestError(
            label,
            f"member unpacks to {_mb(size)} from {_mb(packed)} (compression ratio {size // packed:,}:1, "
            f"limit {MAX_RATIO}:1): refused as a possible zip bomb",
        )


# --------------------------------------------------------------------------- sources


class _Source:
    """A folder or a zip of CSV files, streamed as UTF-8 text."""

    def __init__(self, path: Path, progress: bool = False):
        self.path = path
        self.progress = progress
        self.label = str(path)
        self._zip: zipfile.ZipFile | None = None
        self._names: dict[str, str] = {}  # lower-cased base name -> member / file path
        if path.is_dir():
            for p in sorted(path.iterdir()):
                if p.is_file():
                    self._names[p.name.lower()] = str(p)
        elif zipfile.is_zipfile(path):
            try:
                self._zip = zipfile.ZipFile(path)
                infos = self._zip.infolist()
            except (zipfile.BadZipFile, OSError) as exc:
                raise IngestError(self.label, f"not a readable zip file ({exc})") from exc
            for info in infos:
                name = info.filename
                pure = PurePosixPath(name.replace("\\", "/"))
                if pure.is_absolute() or ".." in pure.parts or re.match(r"^[A-Za-z]:", name):
                    raise IngestError(self.label, f"zip member {name!r} has an unsafe path")
                if info.is_dir():
                    continue
                _check_member(f"{self.label}:{name}", info)
                self._names[pure.name.lower()] = name
        elif path.suffix.lower() == ".zip":
            raise IngestError(self.label, "not a readable zip file (truncated or corrupt)")
        else:
            raise IngestError(self.label, "not a folder or a .zip of a Red List download")

    def has(self, name: str) -> bool:
        return name in self._names

    def file_label(self, name: str) -> str:
        if self._zip is not None:
            return f"{self.label}:{self._names[name]}"
        return self._names[name]

    def _open(self, name: str) -> IO[bytes]:
        if self._zip is not None:
            return self._zip.open(self._names[name])
        return open(self._names[name], "rb")

    def lines(self, name: str) -> Iterator[str]:
        """The file's text, line by line with its line end (\\n, \\r\\n or \\r), as a CSV reader
        wants it; decoded from UTF-8 while it is read, so memory does not grow with the file."""
        label = self.file_label(name)
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = newlines = 0  # bytes read before this chunk, and the line ends among them
        carry = ""  # the last, unfinished line of the previous chunk
        try:
            with self._open(name) as fh:
                while True:
                    # the first read sees the whole of any byte order mark
                    raw = fh.read(READ_CHUNK if offset else max(READ_CHUNK, 4))
                    end = not raw
                    if offset == 0:
                        _check_not_utf16(label, raw)
                        if raw.startswith(codecs.BOM_UTF8):
                            raw, offset = raw[3:], 3
                    try:
                        text = decoder.decode(raw, final=end)
                    except UnicodeDecodeError as exc:
                        held = len(exc.object) - len(raw)  # bytes of the previous chunk kept back
                        line = newlines + exc.object[: exc.start].count(b"\n") + 1
                        raise IngestError(
                            label,
                            f"not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset "
                            f"{offset - held + exc.start}, line {line}); {_RESAVE}",
                        ) from exc
                    if end:
                        if carry:
                            yield carry
                        return
                    offset += len(raw)
                    newlines += raw.count(b"\n")
                    lines = io.StringIO(carry + text, newline="").readlines()
                    carry = lines.pop() if lines and not lines[-1].endswith("\n") else ""
                    yield from lines
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:  # opening or reading
            raise IngestError(label, f"cannot read ({exc})") from exc


def _check_not_utf16(label: str, head: bytes) -> None:
    found = [
        f"the file is {enc} (byte order mark 0x{bom[0]:02x} 0x{bom[1]:02x} at offset 0, line 1)"
        for bom, enc in _UTF16_BOMS.items()
        if head.startswith(bom)
    ]
    found += [
        f"the file looks like {enc} without a byte order mark (NUL bytes between the letters of line 1)"
        for pattern, enc in _UTF16_NO_BOM.items()
        if pattern.match(head)
    ]
    if found:
        raise IngestError(label, f"not UTF-8: {found[0]}; {_RESAVE}")


def _rows(src: _Source, name: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, row) of a CSV member, checking its shape strictly."""
    label = src.file_label(name)
    bar = tqdm(desc=name, unit=" rows", disable=not src.progress, leave=False)
    reader = csv.reader(src.lines(name), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise IngestError(label, "file is empty (no header row)") from None
    except csv.Error as exc:
        raise IngestError(label, f"malformed CSV header ({exc})", row=0) from exc
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise IngestError(
            label,
            f"missing required column(s) {', '.join(missing)}; found {', '.join(header)}",
            row=0,
            column=missing[0],
        )
    n = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            bar.close()
            return
        except csv.Error as exc:
            hint = ": a quoted field is never closed" if "end of data" in str(exc) else ""
            raise IngestError(label, f"malformed CSV ({exc}){hint}", row=n + 1) from exc
        n += 1
        bar.update()
        if not values or values == [""]:
            continue
        if len(values) != len(header):
            raise IngestError(label, f"has {len(values)} fields where the header has {len(header)}", row=n)
        yield n, dict(zip(header, values, strict=True))


# --------------------------------------------------------------------------- value parsing


class _Checker:
    """Validates codes and labels against the SKOS schemes, raising IngestError."""

    def __init__(self) -> None:
        self.schemes = load_schemes()

    def code(self, scheme: str, value: str, label: str, row: int, column: str) -> str:
        sch: Scheme = self.schemes[scheme]
        code = value.strip()
        if code in sch:
            return code
        found = sch.code_for(code)
        if found is None:
            raise IngestError(label, f"unknown {scheme} code {value!r}", row=row, column=column)
        return found

    def optional(self, scheme: str, value: str | None, label: str, row: int, column: str) -> str:
        value = (value or "").strip()
        if not value:
            return ""
        found = self.schemes[scheme].code_for(value)
        if found is None:
            allowed = ", ".join(sorted(c.label for c in self.schemes[scheme].concepts.values()))
            raise IngestError(
                label,
                f"unknown {scheme} value {value!r} (expected one of: {allowed})",
                row=row,
                column=column,
            )
        return found

    def category(self, value: str, label: str, row: int, column: str) -> str:
        found = self.schemes["categories"].code_for(value)
        if found is None:
            raise IngestError(
                label,
                f"unknown Red List category {value.strip()!r} (expected a name such as "
                "'Endangered' or a code such as 'EN')",
                row=row,
                column=column,
            )
        return found


def _date(value: str, label: str, row: int, column: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S %Z", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise IngestError(label, f"not a date: {value!r}", row=row, column=column)


def _int(value: str | None, label: str, row: int, column: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise IngestError(label, f"not a whole number: {value!r}", row=row, column=column) from None


def _bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    v = str(value).strip().lower()
    if v in ("true", "yes", "1", "t", "y"):
        return True
    if v in ("false", "no", "0", "f", "n"):
        return False
    return None


def _multi(value: str | None) -> tuple[str, ...]:
    """'a|b' or '["a","b"]' -> ('a', 'b')."""
    value = (value or "").strip()
    if not value:
        return ()
    if value.startswith("["):
        try:
            items = json.loads(value)
            return tuple(str(i).strip() for i in items if str(i).strip())
        except json.JSONDecodeError:
            pass
    return tuple(v.strip() for v in value.split("|") if v.strip())


def _ident(value: str, label: str, row: int, column: str) -> str:
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()):  # ASCII digits only (isdigit alone takes '²')
        raise IngestError(label, f"not a Red List id: {value!r}", row=row, column=column)
    return value


# --------------------------------------------------------------------------- export reader

EXPORT_FIELDS = {
    "rationale": "rationale",
    "habitat": "habitat",
    "threats": "threats",
    "population": "population",
    "range": "range",
    "useTrade": "use_trade",
    "conservationActions": "conservation_actions",
}

KNOWN_FILES = {
    "assessments.csv",
    "taxonomy.csv",
    "threats.csv",
    "conservation_needed.csv",
    "research_needed.csv",
    "habitats.csv",
    "countries.csv",
    "lme.csv",
    "simple_summary.csv",
    "common_names.csv",
    "synonyms.csv",
    "credits.csv",
    "usetrade.csv",
    "use_trade.csv",
}


def read_export(path: str | Path, progress: bool = False) -> Bundle:
    """Read one Red List website download (folder or .zip) into a validated Bundle."""
    return _merge(iter_export(path, progress))


def _merge(sections: Iterable[Bundle]) -> Bundle:
    out = Bundle()
    for b in sections:
        out = out.merged(b)
    return out


def iter_export(path: str | Path, progress: bool = False) -> Iterator[Bundle]:
    """Read a Red List download as a stream of validated partial Bundles (the streaming ingest).

    The first sections hold the assessments, ASSESSMENT_SECTION at a time, as they are read
    (their narrative texts are most of a download); the next one the taxa, `names_supplied`
    and `sources`; each following one the records of one file (threats, actions, ...). Only
    one file's records (and only a slice of the assessments) are held at a time; an
    `IngestError` can come from any section, so a consumer writes the sections into an
    uncommitted batch and commits after the last one.
    """
    src = _Source(Path(path), progress)
    if not src.has("assessments.csv"):
        raise IngestError(src.label, "no assessments.csv: not a Red List download (or empty)")
    chk = _Checker()

    # assessments ---------------------------------------------------------
    name = "assessments.csv"
    label = src.file_label(name)
    assessments: list[Assessment] = []  # the section being read
    first_row: dict[str, int] = {}  # every assessment id of the download -> its row
    taxa_names: dict[str, str] = {}
    for n, r in _rows(src, name, ("assessmentId", "internalTaxonId", "scientificName", "redlistCategory")):
        aid = _ident(r["assessmentId"], label, n, "assessmentId")
        if aid in first_row:
            raise IngestError(
                label,
                f"duplicated assessmentId {aid} (first at row {first_row[aid]})",
                row=n,
                column="assessmentId",
            )
        first_row[aid] = n
        tid = _ident(r["internalTaxonId"], label, n, "internalTaxonId")
        sci = r["scientificName"].strip()
        if not sci:
            raise IngestError(label, "empty scientific name", row=n, column="scientificName")
        taxa_names.setdefault(tid, sci)
        texts = {key: r[col] for col, key in EXPORT_FIELDS.items() if r.get(col, "").strip()}
        assessments.append(
            Assessment(
                assessment_id=aid,
                taxon_id=tid,
                scientific_name=sci,
                category=chk.category(r["redlistCategory"], label, n, "redlistCategory"),
                criteria=r.get("redlistCriteria", "").strip(),
                criteria_version=r.get("criteriaVersion", "").strip(),
                assessment_date=_date(r.get("assessmentDate", ""), label, n, "assessmentDate"),
                year_published=_int(r.get("yearPublished"), label, n, "yearPublished"),
                population_trend=chk.optional("poptrends", r.get("populationTrend"), label, n, "populationTrend"),
                scopes=_scopes(chk, r.get("scopes"), label, n),
                systems=tuple(chk.code("systems", s, label, n, "systems") for s in _multi(r.get("systems"))),
                realms=tuple(chk.code("realms", s, label, n, "realm") for s in _multi(r.get("realm"))),
                possibly_extinct=_bool(r.get("possiblyExtinct")),
                possibly_extinct_in_the_wild=_bool(r.get("possiblyExtinctInTheWild")),
                year_last_seen=r.get("yearLastSeen", "").strip(),
                language=r.get("language", "").strip(),
                texts=texts,
                source=label,
            )
        )
        if len(assessments) >= ASSESSMENT_SECTION:
            yield Bundle(assessments=tuple(assessments))
            assessments = []
    if not first_row:
        raise IngestError(label, "no assessment rows")
    if assessments:
        yield Bundle(assessments=tuple(assessments))
    del assessments
    known = first_row

    def owner(lbl: str, n: int, r: dict[str, str]) -> str:
        aid = _ident(r["assessmentId"], lbl, n, "assessmentId")
        if aid not in known:
            raise IngestError(lbl, f"assessmentId {aid} is not in assessments.csv", row=n, column="assessmentId")
        return aid

    # taxonomy ---------------------------------------------------------------
    taxa: dict[str, Taxon] = {}
    tax_file = (
        "taxonomy.csv" if src.has("taxonomy.csv") else ("simple_summary.csv" if src.has("simple_summary.csv") else None)
    )
    if tax_file:
        lbl = src.file_label(tax_file)
        for n, r in _rows(src, tax_file, ("internalTaxonId", "scientificName")):
            tid = _ident(r["internalTaxonId"], lbl, n, "internalTaxonId")
            if tid in taxa:
                continue  # simple_summary has one row per assessment
            taxa[tid] = Taxon(
                taxon_id=tid,
                scientific_name=r["scientificName"].strip(),
                kingdom=r.get("kingdomName", "").strip(),
                phylum=r.get("phylumName", "").strip(),
                class_name=r.get("className", "").strip(),
                order=r.get("orderName", "").strip(),
                family=r.get("familyName", "").strip(),
                genus=r.get("genusName", "").strip(),
                species=r.get("speciesName", "").strip(),
                infra_type=r.get("infraType", "").strip(),
                infra_name=r.get("infraName", "").strip(),
                infra_authority=r.get("infraAuthority", "").strip(),
                subpopulation=r.get("subpopulationName", "").strip(),
                authority=r.get("authority", "").strip(),
                taxonomic_notes=r.get("taxonomicNotes", "").strip(),
            )
    for tid, sci in taxa_names.items():
        if tid not in taxa:
            parts = sci.split()
            taxa[tid] = Taxon(
                taxon_id=tid,
                scientific_name=sci,
                stub=True,
                genus=parts[0] if parts else "",
                species=parts[1] if len(parts) > 1 else "",
            )

    yield Bundle(
        taxa=tuple(taxa.values()),
        names_supplied=tuple(taxa) if src.has("common_names.csv") or src.has("synonyms.csv") else (),
        sources=(src.label,),
    )
    del taxa, taxa_names

    # threats ------------------------------------------------------------------
    threats: dict[tuple[str, str], ThreatImpact] = {}
    if src.has("threats.csv"):
        lbl = src.file_label("threats.csv")
        for n, r in _rows(src, "threats.csv", ("assessmentId", "code")):
            aid = owner(lbl, n, r)
            code = chk.code("threats", r["code"], lbl, n, "code")
            stresses = tuple(chk.code("stresses", s, lbl, n, "stressCode") for s in _multi(r.get("stressCode")))
            key = (aid, code)
            if key in threats:  # some downloads give one row per stress
                prev = threats[key]
                threats[key] = prev.model_copy(update={"stresses": tuple(dict.fromkeys(prev.stresses + stresses))})
                continue
            threats[key] = ThreatImpact(
                assessment_id=aid,
                code=code,
                timing=chk.optional("timing", r.get("timing"), lbl, n, "timing"),
                scope=chk.optional("threatscope", r.get("scope"), lbl, n, "scope"),
                severity=chk.optional("severity", r.get("severity"), lbl, n, "severity"),
                stresses=stresses,
                ancestry=r.get("ancestry", "").strip(),
                ias=r.get("ias", "").strip(),
                international_trade=r.get("internationalTrade", "").strip(),
                virus=r.get("virus", "").strip(),
                text=r.get("text", "").strip(),
            )

    yield Bundle(threats=tuple(threats.values()))
    del threats

    # actions, research, habitats, use and trade -------------------------------
    def coded(file: str, scheme: str) -> Iterator[tuple[str, int, str, str, dict[str, str]]]:
        if not src.has(file):
            return
        lbl = src.file_label(file)
        for n, r in _rows(src, file, ("assessmentId", "code")):
            aid = owner(lbl, n, r)
            yield aid, n, chk.code(scheme, r["code"], lbl, n, "code"), lbl, r

    actions: dict[tuple[str, str], Action] = {}
    for aid, _n, code, _lbl, r in coded("conservation_needed.csv", "actions"):
        note = r.get("note", "").strip()
        note = "" if note == "NA" else note
        prev = actions.get((aid, code))
        if prev and note and note not in prev.note:
            note = f"{prev.note}\n{note}" if prev.note else note
        actions[(aid, code)] = Action(
            assessment_id=aid, code=code, status="needed", note=note or (prev.note if prev else "")
        )

    yield Bundle(actions=tuple(actions.values()))
    del actions

    research: dict[tuple[str, str], ResearchNeeded] = {}
    for aid, _n, code, _lbl, r in coded("research_needed.csv", "research"):
        research[(aid, code)] = ResearchNeeded(assessment_id=aid, code=code, note=r.get("note", "").strip())

    yield Bundle(research=tuple(research.values()))
    del research

    habitats: dict[tuple[str, str], HabitatUse] = {}
    for aid, _n, code, _lbl, r in coded("habitats.csv", "habitats"):
        habitats[(aid, code)] = HabitatUse(
            assessment_id=aid,
            code=code,
            suitability=r.get("suitability", "").strip(),
            major_importance=_bool(r.get("majorImportance")),
            season=r.get("season", "").strip(),
        )

    yield Bundle(habitats=tuple(habitats.values()))
    del habitats

    use_trade: dict[tuple[str, str], UseTrade] = {}
    for file in ("usetrade.csv", "use_trade.csv"):
        for aid, _n, code, _lbl, r in coded(file, "usetrade"):
            use_trade[(aid, code)] = UseTrade(
                assessment_id=aid,
                code=code,
                international=_bool(r.get("international")),
                national=_bool(r.get("national")),
                subsistence=_bool(r.get("subsistence")),
            )

    yield Bundle(use_trade=tuple(use_trade.values()))
    del use_trade

    # places ---------------------------------------------------------------------
    occurrences: dict[tuple[str, str, str], Occurrence] = {}
    for aid, _n, code, _lbl, r in coded("countries.csv", "countries"):
        occurrences[(aid, "country", code)] = Occurrence(
            assessment_id=aid,
            place_type="country",
            code=code,
            name=r.get("name", "").strip(),
            presence=r.get("presence", "").strip(),
            origin=r.get("origin", "").strip(),
            seasonality=_multi(r.get("seasonality")),
            formerly_bred=r.get("formerlyBred", "").strip(),
        )
    if src.has("lme.csv"):
        lbl = src.file_label("lme.csv")
        for n, r in _rows(src, "lme.csv", ("assessmentId", "code", "name")):
            aid = owner(lbl, n, r)
            code = r["code"].strip()
            if not re.fullmatch(r"[0-9]+(\.[0-9]+)*", code):
                raise IngestError(lbl, f"not a large marine ecosystem code: {code!r}", row=n, column="code")
            occurrences[(aid, "lme", code)] = Occurrence(
                assessment_id=aid,
                place_type="lme",
                code=code,
                name=r["name"].strip(),
                presence=r.get("presence", "").strip(),
                origin=r.get("origin", "").strip(),
                seasonality=_multi(r.get("seasonality")),
                formerly_bred=r.get("formerlyBred", "").strip(),
            )

    yield Bundle(occurrences=tuple(occurrences.values()))
    del occurrences

    # names and credits ----------------------------------------------------------
    common: list[CommonName] = []
    if src.has("common_names.csv"):
        lbl = src.file_label("common_names.csv")
        for n, r in _rows(src, "common_names.csv", ("internalTaxonId", "name")):
            tid = _ident(r["internalTaxonId"], lbl, n, "internalTaxonId")
            if r["name"].strip():
                common.append(
                    CommonName(
                        taxon_id=tid,
                        name=r["name"].strip(),
                        language=r.get("language", "").strip(),
                        main=bool(_bool(r.get("main"))),
                    )
                )
    synonyms: list[Synonym] = []
    if src.has("synonyms.csv"):
        lbl = src.file_label("synonyms.csv")
        for n, r in _rows(src, "synonyms.csv", ("internalTaxonId", "name")):
            tid = _ident(r["internalTaxonId"], lbl, n, "internalTaxonId")
            if r["name"].strip():
                synonyms.append(
                    Synonym(taxon_id=tid, name=r["name"].strip(), authority=r.get("speciesAuthor", "").strip())
                )
    yield Bundle(common_names=tuple(dict.fromkeys(common)), synonyms=tuple(dict.fromkeys(synonyms)))
    del common, synonyms

    credits: dict[tuple[str, str], Credit] = {}
    if src.has("credits.csv"):
        lbl = src.file_label("credits.csv")
        for n, r in _rows(src, "credits.csv", ("assessmentId", "type")):
            aid = owner(lbl, n, r)
            role = _role(r["type"])
            text = (r.get("full") or r.get("text") or "").strip()
            if text:
                prev = credits.get((aid, role))
                credits[(aid, role)] = Credit(
                    assessment_id=aid, role=role, names=(prev.names if prev else ()) + (text,)
                )

    yield Bundle(credits=tuple(credits.values()))


def _scopes(chk: _Checker, value: str | None, label: str, row: int) -> tuple[str, ...]:
    """'Global', 'Global|Europe', or the 'Global & Mediterranean' some downloads write."""
    out = []
    for part in _multi(value):
        if chk.schemes["scopes"].code_for(part) is None and " & " in part:
            out.extend(chk.code("scopes", p, label, row, "scopes") for p in part.split(" & "))
        else:
            out.append(chk.code("scopes", part, label, row, "scopes"))
    return tuple(dict.fromkeys(out))


def _role(value: str) -> str:
    v = value.strip().lower()
    if v.startswith("assessor"):
        return "assessor"
    if v.startswith(("reviewer", "evaluator")):
        return "reviewer"
    if v.startswith(("facilitator", "compiler")):
        return "facilitator"
    return "contributor"


# --------------------------------------------------------------------------- API v4 reader

API_DOC_FIELDS = {
    "rationale": "rationale",
    "habitats": "habitat",
    "threats": "threats",
    "population": "population",
    "range": "range",
    "use_trade": "use_trade",
    "measures": "conservation_actions",
    "trend_justification": "trend_justification",
}

# API v4 "in place" questions -> the Conservation Actions code they evidence
IN_PLACE_CODES = {
    "conservation sites identified": "1.1",
    "occurs in at least one protected area": "1.1",
    "occur in at least one pa": "1.1",
    "area based regional management plan": "2.1",
    "invasive species control or prevention": "2.2",
    "harvest management plan": "3.1.1",
    "action recovery plan": "3.2",
    "recovery plan": "3.2",
    "successfully reintroduced or introduced benignly": "3.3.1",
    "subject to ex-situ conservation": "3.4",
    "subject to recent education and awareness programmes": "4.3",
    "included in international legislation": "5.1.1",
    "subject to any international management / trade controls": "5.4.1",
    "subject to any international management/trade controls": "5.4.1",
}


def _code_or_text(value: Any) -> str:
    """API v4 gives some vocabularies as 'eng' and others as {'code': 'eng', 'description': ...}."""
    if isinstance(value, dict):
        return str(value.get("code") or _desc(value))
    return str(value or "")


def _api_code(value: Any) -> str:
    return str(value or "").strip().replace("_", ".")


def _desc(obj: Any) -> str:
    if isinstance(obj, dict):
        d = obj.get("description")
        if isinstance(d, dict):
            return str(d.get("en") or "")
        return str(d or "")
    return ""


def read_api_v4(path: str | Path) -> Bundle:
    """Read API v4 assessment JSON: a file (one assessment or a list) or a folder of them."""
    path = Path(path)
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise IngestError(str(path), "no .json files")
    bundle = Bundle()
    seen: dict[str, str] = {}
    for f in files:
        try:
            data = json.loads(f.read_bytes().decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise IngestError(str(f), f"not UTF-8 ({exc})") from exc
        except json.JSONDecodeError as exc:
            raise IngestError(str(f), f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
        if isinstance(data, list):
            items = data
        elif isinstance(data, dict) and "assessment_id" not in data and "assessments" in data:
            items = data["assessments"]
        else:
            items = [data]
        for i, item in enumerate(items, start=1):
            label = str(f) if len(items) == 1 else f"{f}[{i}]"
            try:
                b = _api_assessment(item, label)
            except ValidationError as exc:
                err = exc.errors()[0]
                field = ".".join(str(x) for x in err["loc"])
                raise IngestError(label, f"unexpected value: {err['msg']}", column=field) from exc
            except (AttributeError, TypeError) as exc:  # a list or text where an object belongs
                raise IngestError(label, f"not an API v4 assessment: unexpected JSON structure ({exc})") from exc
            aid = b.assessments[0].assessment_id
            if aid in seen:
                raise IngestError(
                    label, f"duplicated assessment_id {aid} (also in {seen[aid]})", column="assessment_id"
                )
            seen[aid] = label
            bundle = bundle.merged(b)
    return bundle.model_copy(update={"sources": (str(path),)})


def _api_assessment(d: Any, label: str) -> Bundle:
    if not isinstance(d, dict) or "assessment_id" not in d:
        raise IngestError(label, "not an API v4 assessment (no assessment_id)", column="assessment_id")
    chk = _Checker()
    aid = _ident(str(d["assessment_id"]), label, 1, "assessment_id")
    tx = d.get("taxon") or {}
    tid = _ident(str(d.get("sis_taxon_id") or tx.get("sis_id") or ""), label, 1, "sis_taxon_id")
    cat = d.get("red_list_category") or {}
    if not cat.get("code"):
        raise IngestError(label, "missing red_list_category.code", column="red_list_category")
    doc = d.get("documentation") or {}
    texts = {key: str(doc[col]) for col, key in API_DOC_FIELDS.items() if doc.get(col)}
    sci = tx.get("scientific_name") or ""
    if not sci:
        raise IngestError(label, "missing taxon.scientific_name", column="taxon.scientific_name")
    trend = d.get("population_trend") or {}
    taxon = Taxon(
        taxon_id=tid,
        scientific_name=sci,
        kingdom=tx.get("kingdom_name") or "",
        phylum=tx.get("phylum_name") or "",
        class_name=tx.get("class_name") or "",
        order=tx.get("order_name") or "",
        family=tx.get("family_name") or "",
        genus=tx.get("genus_name") or "",
        species=tx.get("species_name") or "",
        infra_type=tx.get("infra_type") or "",
        infra_name=tx.get("infra_name") or "",
        subpopulation=tx.get("subpopulation_name") or "",
        authority=tx.get("authority") or "",
        taxonomic_notes=str(doc.get("taxonomic_notes") or ""),
    )
    assessment = Assessment(
        assessment_id=aid,
        taxon_id=tid,
        scientific_name=sci,
        category=chk.category(str(cat["code"]), label, 1, "red_list_category.code"),
        criteria=str(d.get("criteria") or "").strip(),
        criteria_version=str(cat.get("version") or ""),
        assessment_date=_date(str(d.get("assessment_date") or ""), label, 1, "assessment_date"),
        year_published=_int(str(d.get("year_published") or ""), label, 1, "year_published"),
        population_trend=chk.optional("poptrends", _desc(trend), label, 1, "population_trend"),
        scopes=tuple(chk.code("scopes", _desc(s), label, 1, "scopes") for s in d.get("scopes") or []),
        systems=tuple(chk.code("systems", _desc(s), label, 1, "systems") for s in d.get("systems") or []),
        realms=tuple(
            chk.code("realms", _desc(s), label, 1, "biogeographical_realms")
            for s in d.get("biogeographical_realms") or []
        ),
        possibly_extinct=_bool(d.get("possibly_extinct")),
        possibly_extinct_in_the_wild=_bool(d.get("possibly_extinct_in_the_wild")),
        texts=texts,
        source=label,
    )
    threats = tuple(
        ThreatImpact(
            assessment_id=aid,
            code=chk.code("threats", _api_code(t.get("code")), label, i, "threats.code"),
            timing=chk.optional("timing", t.get("timing"), label, i, "threats.timing"),
            scope=chk.optional("threatscope", t.get("scope"), label, i, "threats.scope"),
            severity=chk.optional("severity", t.get("severity"), label, i, "threats.severity"),
            score=str(t.get("score") or ""),
            ias=str(t.get("ias") or ""),
            international_trade=str(t.get("internationalTrade") or ""),
            ancestry=str(t.get("ancestry") or ""),
            virus=str(t.get("virus") or ""),
            text=str(t.get("text") or ""),
        )
        for i, t in enumerate(d.get("threats") or [], start=1)
    )
    actions = [
        Action(
            assessment_id=aid,
            code=chk.code("actions", _api_code(a.get("code")), label, i, "conservation_actions.code"),
            status="needed",
            note=str(a.get("note") or ""),
        )
        for i, a in enumerate(d.get("conservation_actions") or [], start=1)
    ]
    supp = d.get("supplementary_info") or {}
    for group in supp.get("conservation_actions_in_place") or []:
        for q in group.get("actions") or []:
            question = str(q.get("name") or "").strip()
            answer = str(q.get("value") or "").strip()
            if not question or not answer.lower().startswith("yes"):
                continue
            actions.append(
                Action(
                    assessment_id=aid,
                    code=IN_PLACE_CODES.get(question.lower(), ""),
                    status="in_place",
                    question=question,
                    answer=answer,
                )
            )
    research = tuple(
        ResearchNeeded(
            assessment_id=aid,
            code=chk.code("research", _api_code(r.get("code")), label, i, "researches.code"),
            note=str(r.get("note") or ""),
        )
        for i, r in enumerate(d.get("researches") or [], start=1)
    )
    habitats = tuple(
        HabitatUse(
            assessment_id=aid,
            code=chk.code("habitats", _api_code(h.get("code")), label, i, "habitats.code"),
            suitability=str(h.get("suitability") or ""),
            major_importance=_bool(h.get("majorImportance")),
            season=str(h.get("season") or ""),
        )
        for i, h in enumerate(d.get("habitats") or [], start=1)
    )
    occ: list[Occurrence] = []
    for loc in d.get("locations") or []:
        code = str(loc.get("code") or "").strip()
        kind = "country" if code in chk.schemes["countries"] else "subnational"
        seas = loc.get("seasonality")
        occ.append(
            Occurrence(
                assessment_id=aid,
                place_type=kind,
                code=code,
                name=_desc(loc),
                presence=str(loc.get("presence") or ""),
                origin=str(loc.get("origin") or ""),
                seasonality=tuple(seas) if isinstance(seas, list) else _multi(seas),
                formerly_bred=str(loc.get("formerlyBred") or ""),
            )
        )
    for lme in d.get("lmes") or []:
        occ.append(Occurrence(assessment_id=aid, place_type="lme", code=_api_code(lme.get("code")), name=_desc(lme)))
    use = tuple(
        UseTrade(
            assessment_id=aid,
            code=chk.code("usetrade", _api_code(u.get("code")), label, i, "use_and_trade.code"),
            international=_bool(u.get("international")),
            national=_bool(u.get("national")),
            subsistence=_bool(u.get("subsistence")),
        )
        for i, u in enumerate(d.get("use_and_trade") or [], start=1)
    )
    common = tuple(
        CommonName(
            taxon_id=tid, name=str(c["name"]), language=_code_or_text(c.get("language")), main=bool(c.get("main"))
        )
        for c in tx.get("common_names") or []
        if c.get("name")
    )
    syn = tuple(
        Synonym(taxon_id=tid, name=s["name"], authority=s.get("species_author") or "")
        for s in tx.get("synonyms") or []
        if s.get("name")
    )
    credits: dict[str, list[str]] = {}
    for c in d.get("credits") or []:
        if c.get("full"):
            credits.setdefault(_role(str(c.get("credit_type_name") or "")), []).append(str(c["full"]))
    return Bundle(
        taxa=(taxon,),
        assessments=(assessment,),
        threats=threats,
        actions=tuple(actions),
        research=research,
        habitats=habitats,
        occurrences=tuple(dict.fromkeys(occ)),
        use_trade=use,
        common_names=tuple(dict.fromkeys(common)),
        synonyms=tuple(dict.fromkeys(syn)),
        names_supplied=(tid,),
        credits=tuple(Credit(assessment_id=aid, role=r, names=tuple(v)) for r, v in credits.items()),
    )


def read_source(path: str | Path, progress: bool = False) -> Bundle:
    """Dispatch on what the path is: API v4 JSON (file or folder of .json) or a CSV download."""
    return _merge(iter_source(path, progress))


def iter_source(path: str | Path, progress: bool = False) -> Iterator[Bundle]:
    """`read_source` as a stream of partial Bundles (see `iter_export`); API v4 JSON is one section."""
    p = Path(path)
    if not p.exists():
        raise IngestError(str(p), "no such file or folder")
    if p.is_file() and p.suffix.lower() == ".json":
        yield read_api_v4(p)
    elif p.is_dir() and not any(p.glob("*.csv")) and any(p.glob("*.json")):
        yield read_api_v4(p)
    elif p.is_dir() and not any(p.iterdir()):
        raise IngestError(str(p), "folder is empty: expected a Red List download")
    else:
        yield from iter_export(p, progress)


def read_sources(paths: list[str | Path], progress: bool = False) -> Bundle:
    """Read several sources into one Bundle; duplicated assessment ids across sources are an error."""
    bundle = Bundle()
    where: dict[str, str] = {}
    if not paths:
        raise IngestError("(no source)", "give at least one Red List download or API v4 JSON")
    for p in paths:
        b = read_source(p, progress)
        for a in b.assessments:
            if a.assessment_id in where:
                raise IngestError(
                    str(p), f"assessment {a.assessment_id} is also in {where[a.assessment_id]}", column="assessmentId"
                )
            where[a.assessment_id] = str(p)
        bundle = bundle.merged(b)
    return bundle
