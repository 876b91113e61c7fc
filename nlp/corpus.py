"""nlp.corpus — labelled narrative documents for training and evaluation, and the species split.

Reads what a user has, in any mix:

- Red List website downloads (a folder or .zip with assessments.csv), through `kg.ingest`;
  their own conservation_needed.csv / threats.csv give the labels. Extra coded tables in the
  same folder (`threats*.csv`, `*actions*.csv` keyed by assessmentId) add labels that the
  download lacks. If `kg.ingest` refuses the download (it validates every column), the
  narrative columns and coded tables are read leniently instead, with a warning;
- narrative CSVs from the API v3 `/species/narrative` endpoint (iucn_sid, rationale, threats,
  conservationmeasures, ...);
- stand-alone coded tables (e.g. the actions-needed and threats tables published with
  research papers) keyed by assessmentId, internalTaxonId or scientificName, which label
  documents that have none of their own (by assessment id, then taxon id, then name).

A species (taxon id) is in exactly one split, chosen by a hash of the id so that the same
species falls in the same split in every source and on every machine: see `split_of`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.ingest import IngestError, read_export
from kg.records import NARRATIVE_FIELDS
from kg.schemes import Scheme, load_schemes

__all__ = ["KINDS", "Doc", "is_synthetic", "load_corpus", "split_of"]

log = logging.getLogger(__name__)

KINDS = ("actions", "threats")
SCHEME_OF = {"actions": "actions", "threats": "threats"}
SPLIT_SALT = "a2p-split-v1"
SPLIT_BOUNDS = (60, 80)  # hash % 100: [0, 60) train, [60, 80) validation, [80, 100) test

csv.field_size_limit(64 * 1024 * 1024)

# export column -> narrative field
_EXPORT_COLUMNS = {
    "rationale": "rationale",
    "habitat": "habitat",
    "threats": "threats",
    "population": "population",
    "range": "range",
    "useTrade": "use_trade",
    "conservationActions": "conservation_actions",
}
# API v3 narrative column -> narrative field
_V3_COLUMNS = {
    "rationale": "rationale",
    "habitat": "habitat",
    "threats": "threats",
    "population": "population",
    "geographicrange": "range",
    "usetrade": "use_trade",
    "conservationmeasures": "conservation_actions",
}
_ID_COLUMNS = ("iucn_sid", "taxonid", "internalTaxonId", "sis_id")
_NAME_COLUMNS = ("scientificName", "sciname", "scientific_name", "binomial")
_CODE_COLUMNS = ("code", "thr_lev2", "thr_lev3")
_MISSING = {"", "NA", "N/A", "NULL", "None", "nan"}


def is_synthetic(path: Path) -> bool:
    """A download written by kg.synth (it leaves README_SYNTHETIC.txt beside the CSV files)."""
    return path.is_dir() and (path / "README_SYNTHETIC.txt").is_file()


def split_of(key: str) -> str:
    """'train', 'val' or 'test' for a species key (the Red List taxon id, else the name)."""
    h = int(hashlib.sha256(f"{SPLIT_SALT}:{key}".encode()).hexdigest(), 16) % 100
    if h < SPLIT_BOUNDS[0]:
        return "train"
    if h < SPLIT_BOUNDS[1]:
        return "val"
    return "test"


@dataclass
class Doc:
    """One assessment's narrative text with the codes coded for it (None = not coded)."""

    source: str
    assessment_id: str
    taxon_id: str
    scientific_name: str
    texts: dict[str, str]
    labels: dict[str, frozenset[str] | None] = field(default_factory=lambda: dict.fromkeys(KINDS))
    label_source: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.taxon_id or self.scientific_name.lower()

    @property
    def split(self) -> str:
        return split_of(self.key)


# --------------------------------------------------------------------------- helpers


def _clean(value: str | None) -> str:
    value = (value or "").strip()
    return "" if value in _MISSING else value


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return [h.strip() for h in (reader.fieldnames or [])], rows


def _first(header: list[str], names: Iterable[str]) -> str | None:
    for n in names:
        if n in header:
            return n
    return None


def _kind_of_table(name: str) -> str | None:
    n = name.lower()
    if "threat" in n:
        return "threats"
    if "action" in n or "conservation_needed" in n or "measures" in n:
        return "actions"
    return None


def _code(scheme: Scheme, value: str) -> str | None:
    value = _clean(value)
    if not value:
        return None
    return scheme.code_for(value.replace("_", "."))


@dataclass
class _Table:
    """A coded table: key -> codes (and notes), for one kind."""

    kind: str
    label: str
    by_assessment: dict[str, set[str]] = field(default_factory=dict)
    by_taxon: dict[str, set[str]] = field(default_factory=dict)
    by_name: dict[str, set[str]] = field(default_factory=dict)
    notes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # assessment id -> notes


def _read_table(path: Path, kind: str) -> _Table | None:
    header, rows = _read_csv(path)
    code_col = _first(header, _CODE_COLUMNS)
    aid_col = "assessmentId" if "assessmentId" in header else None
    tid_col = _first(header, _ID_COLUMNS)
    name_col = _first(header, _NAME_COLUMNS)
    if code_col is None or not (aid_col or tid_col or name_col):
        return None
    scheme = load_schemes()[SCHEME_OF[kind]]
    t = _Table(kind, str(path))
    bad = 0
    for r in rows:
        code = _code(scheme, r.get(code_col, ""))
        if code is None:
            bad += 1
            continue
        aid = _clean(r.get(aid_col)) if aid_col else ""
        tid = _clean(r.get(tid_col)) if tid_col else ""
        name = _clean(r.get(name_col)).lower() if name_col else ""
        if aid:
            t.by_assessment.setdefault(aid, set()).add(code)
            note = _clean(r.get("note"))
            if note:
                t.notes.setdefault(aid, []).append((code, note))
        if tid:
            t.by_taxon.setdefault(tid, set()).add(code)
        if name:
            t.by_name.setdefault(name, set()).add(code)
    if bad:
        log.warning("%s: %d row(s) with an empty or unknown %s code skipped", path, bad, kind)
    return t


def _is_export(path: Path) -> bool:
    if path.is_dir():
        return (path / "assessments.csv").is_file()
    if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return any(Path(n).name.lower() == "assessments.csv" for n in z.namelist())
    return False


# --------------------------------------------------------------------------- readers


def _export_docs(path: Path) -> list[Doc]:
    name = path.name
    try:
        bundle = read_export(path)
    except IngestError as exc:
        if not path.is_dir():
            raise
        log.warning("kg.ingest refused %s (%s); reading its narratives and codes leniently", path, exc)
        return _lenient_export(path)
    docs: dict[str, Doc] = {}
    for a in bundle.assessments:
        docs[a.assessment_id] = Doc(name, a.assessment_id, a.taxon_id, a.scientific_name, dict(a.texts))
    own = {
        "actions": "conservation_needed.csv",
        "threats": "threats.csv",
    }
    coded: dict[str, dict[str, set[str]]] = {"actions": {}, "threats": {}}
    notes: dict[str, list[tuple[str, str]]] = {}
    for act in bundle.actions:
        if act.code and act.status == "needed":
            coded["actions"].setdefault(act.assessment_id, set()).add(act.code)
            if act.note:
                notes.setdefault(act.assessment_id, []).append((act.code, act.note))
    for th in bundle.threats:
        coded["threats"].setdefault(th.assessment_id, set()).add(th.code)
    for kind in KINDS:
        if not _has_file(path, own[kind]):
            continue
        for aid, doc in docs.items():
            doc.labels[kind] = frozenset(coded[kind].get(aid, ()))
            doc.label_source[kind] = own[kind]
    for aid, ns in notes.items():
        docs[aid].notes["actions"] = ns
    if path.is_dir():
        _add_extra_tables(path, docs, skip={"conservation_needed.csv", "threats.csv"})
    return list(docs.values())


def _has_file(path: Path, name: str) -> bool:
    if path.is_dir():
        return (path / name).is_file()
    with zipfile.ZipFile(path) as z:
        return any(Path(n).name.lower() == name for n in z.namelist())


def _add_extra_tables(folder: Path, docs: dict[str, Doc], skip: set[str]) -> None:
    """Coded tables beside assessments.csv that kg.ingest does not read (keyed by assessmentId)."""
    for p in sorted(folder.glob("*.csv")):
        if p.name.lower() in skip or p.name.lower() == "assessments.csv":
            continue
        kind = _kind_of_table(p.name)
        if kind is None:
            continue
        table = _read_table(p, kind)
        if table is None or not table.by_assessment:
            continue
        for aid, doc in docs.items():
            if doc.labels.get(kind) is None:
                doc.labels[kind] = frozenset(table.by_assessment.get(aid, ()))
                doc.label_source[kind] = p.name
                if table.notes.get(aid):
                    doc.notes.setdefault(kind, []).extend(table.notes[aid])


def _lenient_export(folder: Path) -> list[Doc]:
    header, rows = _read_csv(folder / "assessments.csv")
    docs: dict[str, Doc] = {}
    for r in rows:
        aid = _clean(r.get("assessmentId"))
        if not aid.isdigit() or aid in docs:
            continue
        texts = {f: r[c] for c, f in _EXPORT_COLUMNS.items() if _clean(r.get(c))}
        docs[aid] = Doc(
            folder.name,
            aid,
            _clean(r.get("internalTaxonId")),
            _clean(r.get("scientificName")),
            texts,
        )
    _add_extra_tables(folder, docs, skip=set())
    return list(docs.values())


def _narrative_docs(path: Path) -> list[Doc]:
    header, rows = _read_csv(path)
    id_col = _first(header, _ID_COLUMNS)
    name_col = _first(header, _NAME_COLUMNS)
    out: list[Doc] = []
    seen: set[str] = set()
    for r in rows:
        tid = _clean(r.get(id_col)) if id_col else ""
        if not tid or tid in seen:
            continue
        seen.add(tid)
        texts = {f: r[c] for c, f in _V3_COLUMNS.items() if _clean(r.get(c))}
        name = _clean(r.get(name_col)) if name_col else ""
        if name.isdigit():
            name = ""
        out.append(Doc(path.parent.name, "", tid, name, texts))
    return out


def _is_narratives(header: list[str]) -> bool:
    return bool(_first(header, _ID_COLUMNS)) and sum(c in header for c in _V3_COLUMNS) >= 3


# --------------------------------------------------------------------------- discovery


def _walk(paths: Iterable[Path]) -> Iterator[Path]:
    for p in paths:
        if _is_export(p) or p.is_file():
            yield p
        elif p.is_dir():
            for child in sorted(p.iterdir()):
                if child.name.startswith("."):
                    continue
                if _is_export(child) or child.suffix.lower() == ".csv":
                    yield child
                elif child.is_dir():
                    yield from (c for c in sorted(child.glob("*.csv")))
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")


def load_corpus(paths: Iterable[str | Path]) -> list[Doc]:
    """Every labelled or unlabelled document found under `paths`, one per species.

    A species seen in several sources is kept once, from the source that labels the most
    kinds itself (a download with its own coded tables beats a narratives file).
    """
    docs: list[Doc] = []
    tables: list[_Table] = []
    names: dict[str, str] = {}  # taxon id -> scientific name
    exports: set[Path] = set()
    for p in _walk([Path(x) for x in paths]):
        if _is_export(p):
            exports.add(p)
            docs.extend(_export_docs(p))
            continue
        if any(p.parent == e for e in exports) or p.suffix.lower() != ".csv":
            continue
        if (p.parent / "assessments.csv").is_file():
            continue  # a member of a download, read with it
        header, rows = _read_csv(p)
        tid_col, name_col = _first(header, _ID_COLUMNS), _first(header, _NAME_COLUMNS)
        if tid_col and name_col:
            for r in rows:
                tid, nm = _clean(r.get(tid_col)), _clean(r.get(name_col))
                if tid and nm and not nm.isdigit():
                    names.setdefault(tid, nm)
        if _is_narratives(header):
            docs.extend(_narrative_docs(p))
            continue
        kind = _kind_of_table(p.name)
        if kind:
            table = _read_table(p, kind)
            if table is not None:
                tables.append(table)
    for d in docs:
        if not d.scientific_name and d.taxon_id in names:
            d.scientific_name = names[d.taxon_id]
        if d.taxon_id and d.scientific_name:
            names.setdefault(d.taxon_id, d.scientific_name)
    for t in tables:
        for d in docs:
            if d.labels.get(t.kind) is not None:
                continue
            codes = None
            if d.assessment_id and d.assessment_id in t.by_assessment:
                codes = t.by_assessment[d.assessment_id]
            elif not d.assessment_id and d.taxon_id in t.by_taxon:
                codes = t.by_taxon[d.taxon_id]
            elif not d.assessment_id and d.scientific_name.lower() in t.by_name:
                codes = t.by_name[d.scientific_name.lower()]
            if codes is not None:
                d.labels[t.kind] = frozenset(codes)
                d.label_source[t.kind] = Path(t.label).name
                if d.assessment_id in t.notes:
                    d.notes.setdefault(t.kind, []).extend(t.notes[d.assessment_id])
    # one document per species: prefer own labels, then any labels, then longer text
    best: dict[str, Doc] = {}
    order: list[str] = []
    for d in docs:
        k = d.key
        if k not in best:
            best[k] = d
            order.append(k)
            continue
        if _rank(d) > _rank(best[k]):
            best[k] = d
    return [best[k] for k in order]


def _rank(d: Doc) -> tuple[int, int, int]:
    own = sum(
        1
        for k in KINDS
        if d.labels.get(k) is not None and d.label_source.get(k, "").startswith(("conservation_needed", "threats.csv"))
    )
    labelled = sum(1 for k in KINDS if d.labels.get(k) is not None)
    return (own, labelled, sum(len(t) for t in d.texts.values()))


def narrative_fields() -> tuple[str, ...]:
    return NARRATIVE_FIELDS
