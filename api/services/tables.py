"""api.services.tables — whole-graph tables (review table, species index) with filters, stats,
map counts and the threat–action disconnect; exports to CSV and Excel.

The two big queries (kg's review_table.rq and api/queries/species_index.rq) run once per
data version and are kept in memory; every filter, figure and export is computed from them.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import hashlib
import io
import logging
import os
import pickle
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from api.schemas import CodeCount, ReviewRow, ReviewTable, Stats, ThreatCell
from api.services import queries
from api.services.codes import codes
from api.services.consistency import THREATENED, completeness
from api.services.links import link_cells
from kg import iris
from kg.query import run
from kg.store import OxigraphStore, Store

log = logging.getLogger("a2p.tables")
TABLES_FORMAT = "2"  # bump when IndexRow or ReviewRow change
RANK_KEYS = ("kingdom", "phylum", "class_name", "order", "family", "genus")
CATEGORY_ORDER = ["EX", "EW", "CR", "EN", "VU", "NT", "LC", "DD", "NE"]


@dataclass(frozen=True)
class IndexRow:
    taxon_id: str
    assessment_id: str
    scientific_name: str
    category: str
    ranks: tuple[str, ...]  # kingdom, phylum, class, order, family, genus (upper-cased)
    countries: tuple[str, ...]
    threats: tuple[str, ...]
    actions_needed: tuple[str, ...]
    has_actions_text: bool
    has_research: bool
    has_habitats: bool
    has_places: bool


@dataclass
class Filters:
    taxon: str = ""  # a higher taxon name at any rank, or a genus/species name prefix
    country: str = ""  # ISO code
    site: str = ""  # substring of a place name
    threat: str = ""  # threat code; sub-codes match (roll-up)
    category: str = ""
    action: str = ""  # action code needed; sub-codes match

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def _split(value: Any, sep: str) -> list[str]:
    return [x for x in str(value).split(sep) if x] if value else []


def _rolls_up(code: str, to: str) -> bool:
    return code == to or code.startswith(to + ".")


def parse_threats(value: Any) -> list[ThreatCell]:
    """'7.2 (Majority (50-90%), Rapid Declines); 2.1' → cells (as review_table.rq writes them)."""
    c = codes()
    scopes = sorted(list(c.schemes["threatscope"].concepts) + ["scope unknown"], key=len,
                    reverse=True)
    out = []
    for part in _split(value, "; "):
        code, _, rest = part.partition(" ")
        scope = severity = ""
        inner = rest[1:-1] if rest.startswith("(") and rest.endswith(")") else ""
        for s in scopes:
            if inner.startswith(s + ", "):
                scope, severity = s, inner[len(s) + 2 :]
                break
        out.append(
            ThreatCell(
                code=code,
                label=c.label("threat", code),
                scope="" if scope == "scope unknown" else scope,
                severity="" if severity == "severity unknown" else severity,
            )
        )
    return sorted(out, key=lambda t: t.code)


class NotReadyError(RuntimeError):
    """The whole-graph tables are still being built (the message says for how long)."""


class Tables:
    """Whole-graph tables of one store, built in a background thread and kept on disk.

    Building reads every latest assessment (two big queries: about a second on the demo
    graph, minutes on a 172k-species graph), so a built version is pickled into
    `folder/tables-<version>.pkl` and reused while the store is unchanged.
    """

    def __init__(
        self,
        store: Store,
        ttl: float = 300.0,
        buckets: Callable[[int], tuple[dict[str, list[str]], str] | None] | None = None,
        folder: str = ":memory:",
    ) -> None:
        self.store = store
        self.ttl = ttl
        self.buckets_source = buckets
        self.folder = folder
        self.request_wait = 20.0  # seconds a request waits for a build before 503
        self.epoch = 0
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._building_since: float | None = None
        self._key: Any = None
        self._built_at = 0.0
        self._index: list[IndexRow] = []
        self._review: list[ReviewRow] = []
        self._by_taxon: dict[str, IndexRow] = {}
        self.bucket_source = ""
        self.error = ""

    def _version(self) -> Any:
        if isinstance(self.store, OxigraphStore):
            return (self.store.generation, self.epoch)
        return self.epoch

    def _file(self, key: Any) -> str | None:
        if self.folder == ":memory:" or not isinstance(self.store, OxigraphStore):
            return None
        digest = hashlib.sha256(f"{TABLES_FORMAT}|{self.store.url}|{key}".encode()).hexdigest()
        return os.path.join(self.folder, f"tables-{digest[:16]}.pkl")

    def invalidate(self) -> None:
        """The store changed through the service: rebuild on next use (and forget the file)."""
        with self._lock:
            old = self._file(self._key) if self._key is not None else None
            self.epoch += 1
        if old:
            with contextlib.suppress(OSError):
                os.unlink(old)

    def state(self) -> str:
        if self._fresh():
            return "ready"
        if self._building_since is not None:
            return f"building ({time.monotonic() - self._building_since:.0f} s)"
        return f"failed: {self.error}" if self.error else "not built"

    def _fresh(self) -> bool:
        if self._key != self._version():
            return False
        if isinstance(self.store, OxigraphStore):
            return True
        return time.monotonic() - self._built_at < self.ttl

    def load(self, wait: float | None = None) -> None:
        """Make sure the tables are built; wait up to `wait` seconds (None: as long as it takes).

        Raises NotReadyError when the build is still running after `wait` seconds.
        """
        if self._fresh():
            return
        with self._lock:
            if self._fresh():
                return
            if self._building_since is None:
                self._building_since = time.monotonic()
                threading.Thread(target=self._build, name="a2p-tables", daemon=True).start()
            deadline = None if wait is None else time.monotonic() + wait
            while not self._fresh() and self._building_since is not None:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise NotReadyError(
                        "the review table is being built from the graph "
                        f"({time.monotonic() - self._building_since:.0f} s so far); retry shortly"
                    )
                self._done.wait(timeout=left)
            if not self._fresh() and self.error:
                raise RuntimeError(f"building the review table failed: {self.error}")

    def _build(self) -> None:
        key = self._version()
        try:
            loaded = self._read(key)
            if loaded is None:
                loaded = self._compute()
                self._write(key, loaded)
            index, review, bucket_source = loaded
            with self._lock:
                self._index, self._review = index, review
                self._by_taxon = {r.taxon_id: r for r in index}
                self.bucket_source = bucket_source
                self._key = key
                self._built_at = time.monotonic()
                self.error = ""
        except Exception as exc:  # noqa: BLE001 - reported to the waiting requests
            log.exception("building the review table failed")
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            with self._lock:
                self._building_since = None
                self._done.notify_all()

    def _read(self, key: Any) -> tuple[list[IndexRow], list[ReviewRow], str] | None:
        path = self._file(key)
        if not path or not os.path.exists(path):
            return None
        try:
            with open(path, "rb") as fh:
                data = pickle.load(fh)  # our own file, written below
            return data["index"], data["review"], data["bucket_source"]
        except Exception:  # noqa: BLE001 - a stale or broken cache is rebuilt
            return None

    def _write(self, key: Any, data: tuple[list[IndexRow], list[ReviewRow], str]) -> None:
        path = self._file(key)
        if not path:
            return
        os.makedirs(self.folder, exist_ok=True)
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "wb") as fh:
            pickle.dump({"index": data[0], "review": data[1], "bucket_source": data[2]}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in glob.glob(os.path.join(self.folder, "tables-*.pkl")):
            if old != path:
                with contextlib.suppress(OSError):
                    os.unlink(old)

    def _compute(self) -> tuple[list[IndexRow], list[ReviewRow], str]:
        t0 = time.perf_counter()
        index = [self._index_row(r) for r in queries.values(self.store, "species_index")]
        found = None
        if self.buckets_source is not None:
            try:
                found = self.buckets_source(len(index))
            except Exception:  # noqa: BLE001 - the table is still useful without buckets
                log.exception("suggested buckets unavailable")
        buckets, source = found if found is not None else ({}, "")
        latest = {r.taxon_id: r.assessment_id for r in index}
        linked = link_cells(self.store)
        review = []
        for r in run(self.store, "review_table").values():
            taxon_id = str(r["taxon"]).rsplit("/sis", 1)[-1]
            review.append(
                ReviewRow(
                    taxon_id=taxon_id,
                    scientific_name=str(r["scientificName"]),
                    family=str(r["family"] or ""),
                    category=str(r["category"]),
                    criteria=str(r["criteria"] or ""),
                    year=int(r["year"]) if r["year"] is not None else None,
                    countries=sorted(_split(r["countries"], "; ")),
                    places=sorted(_split(r["places"], "; ")),
                    threats=parse_threats(r["threats"]),
                    actions_in_place=sorted(_split(r["actionsInPlace"], "; ")),
                    actions_needed=sorted(_split(r["actionsNeeded"], "; ")),
                    suggested_buckets=buckets.get(taxon_id)
                    or buckets.get(iris.assessment(latest.get(taxon_id, "")), []),
                    **linked.get(taxon_id, {}),
                )
            )
        log.info("review table: %d species, %d threatened rows in %.1f s", len(index),
                 len(review), time.perf_counter() - t0)
        return index, review, source

    @staticmethod
    def _index_row(r: dict[str, Any]) -> IndexRow:
        return IndexRow(
            taxon_id=str(r["taxonId"]),
            assessment_id=str(r["assessmentId"]),
            scientific_name=str(r["scientificName"]),
            category=str(r["category"]),
            ranks=tuple(
                str(r[k] or "").upper()
                for k in ("kingdom", "phylum", "className", "order", "family", "genus")
            ),
            countries=tuple(_split(r["countries"], " ")),
            threats=tuple(_split(r["threats"], " ")),
            actions_needed=tuple(_split(r["actionsNeeded"], " ")),
            has_actions_text=bool(r["hasActionsText"]),
            has_research=bool(r["hasResearch"]),
            has_habitats=bool(r["hasHabitats"]),
            has_places=bool(r["hasPlaces"]),
        )

    # ------------------------------------------------------------------ filters

    def _taxon_match(self, row: IndexRow | None, name: str, taxon: str) -> bool:
        t = taxon.strip().upper()
        if not t:
            return True
        if row is not None and t in row.ranks:
            return True
        return name.upper().startswith(t)

    def index_rows(self, f: Filters) -> list[IndexRow]:
        self.load(self.request_wait)
        out = []
        for r in self._index:
            if f.category and r.category != f.category:
                continue
            if f.country and f.country not in r.countries:
                continue
            if f.threat and not any(_rolls_up(t, f.threat) for t in r.threats):
                continue
            if f.action and not any(_rolls_up(a, f.action) for a in r.actions_needed):
                continue
            if f.taxon and not self._taxon_match(r, r.scientific_name, f.taxon):
                continue
            out.append(r)
        return out

    def review(self, f: Filters, limit: int | None = None, offset: int = 0) -> ReviewTable:
        self.load(self.request_wait)
        site = f.site.strip().lower()
        rows = []
        for r in self._review:
            if f.category and r.category != f.category:
                continue
            if f.country and f.country not in r.countries:
                continue
            if site and not any(site in p.lower() for p in r.places):
                continue
            if f.threat and not any(_rolls_up(t.code, f.threat) for t in r.threats):
                continue
            if f.action and not any(_rolls_up(a, f.action) for a in r.actions_needed):
                continue
            if f.taxon and not self._taxon_match(
                self._by_taxon.get(r.taxon_id), r.scientific_name, f.taxon
            ):
                continue
            rows.append(r)
        end = None if limit is None else offset + limit
        return ReviewTable(
            total=len(rows), offset=offset, limit=limit, next=None, filters=f.as_dict(),
            bucket_source=self.bucket_source, rows=rows[offset:end],
        )

    # ------------------------------------------------------------------ figures

    def stats(self, f: Filters) -> Stats:
        rows = self.index_rows(f)
        c = codes()
        by_cat = Counter(r.category for r in rows)
        threatened = [r for r in rows if r.category in THREATENED]
        threat_counts: Counter[str] = Counter()
        action_counts: Counter[str] = Counter()
        sections: Counter[str] = Counter()
        scores = []
        without = 0
        species_with = 0
        countries: set[str] = set()
        for r in rows:
            countries.update(r.countries)
        for r in threatened:
            # count each threat class once per species, at the second level of the scheme
            threat_counts.update({c.rollup("threat", t)[-2] if len(c.rollup("threat", t)) > 1
                                  else t for t in r.threats})
            action_counts.update(set(r.actions_needed))
            comp = completeness(
                conservation_actions_text=r.has_actions_text,
                actions_needed=bool(r.actions_needed),
                research_needed=r.has_research,
                threats=bool(r.threats),
                habitats=r.has_habitats,
                places=r.has_places,
            )
            sections[comp.section] += 1
            scores.append(comp.score)
            unanswered = [
                t for t in r.threats
                if not any(c.action_answers_threat(a, t) for a in r.actions_needed)
            ]
            without += len(unanswered)
            species_with += bool(unanswered)
        order = {k: i for i, k in enumerate(CATEGORY_ORDER)}
        return Stats(
            filters=f.as_dict(),
            species=len(rows),
            threatened=len(threatened),
            by_category=dict(sorted(by_cat.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))),
            top_threats=[
                CodeCount(code=k, label=c.label("threat", k), count=v)
                for k, v in sorted(threat_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
            ],
            top_actions_needed=[
                CodeCount(code=k, label=c.label("action", k), count=v)
                for k, v in sorted(action_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
            ],
            conservation_section={s: sections.get(s, 0) for s in ("empty", "partial", "complete")},
            mean_completeness=round(sum(scores) / len(scores), 1) if scores else 0.0,
            threats_without_action=without,
            species_with_disconnect=species_with,
            countries=len(countries),
        )

    def country_counts(self, f: Filters, taxa: set[str] | None = None) -> dict[str, int]:
        """Threatened species per country (ISO code) matching the filters (and taxa)."""
        counts: Counter[str] = Counter()
        for r in self.index_rows(f):
            if r.category not in THREATENED:
                continue
            if taxa is not None and r.taxon_id not in taxa:
                continue
            counts.update(set(r.countries))
        return dict(counts)

    def disconnect(self, f: Filters) -> list[dict[str, Any]]:
        """Per threat class (first level): threatened species whose threat is / is not answered."""
        c = codes()
        answered: Counter[str] = Counter()
        unanswered: Counter[str] = Counter()
        for r in self.index_rows(f):
            if r.category not in THREATENED:
                continue
            seen: dict[str, bool] = {}
            for t in r.threats:
                top = c.rollup("threat", t)[-1] if c.rollup("threat", t) else t
                ok = any(c.action_answers_threat(a, t) for a in r.actions_needed)
                seen[top] = seen.get(top, True) and ok
            for top, ok in seen.items():
                (answered if ok else unanswered)[top] += 1
        tops = sorted(set(answered) | set(unanswered), key=lambda k: [int(x) for x in k.split(".")
                                                                      if x.isdigit()] or [999])
        return [
            {"code": k, "label": c.label("threat", k), "answered": answered[k],
             "unanswered": unanswered[k]}
            for k in tops
        ]


# --------------------------------------------------------------------------- exports

EXPORT_COLUMNS = [
    ("taxon_id", "Taxon id"),
    ("scientific_name", "Scientific name"),
    ("family", "Family"),
    ("category", "Category"),
    ("criteria", "Criteria"),
    ("year", "Year"),
    ("countries", "Countries"),
    ("places", "Sites and other places"),
    ("threats", "Threats (scope, severity)"),
    ("actions_in_place", "Actions in place"),
    ("actions_needed", "Actions needed"),
    ("suggested_buckets", "Suggested planning bucket"),
    ("cites", "CITES appendix"),
    ("ex_situ", "Ex situ holdings"),
    ("programmes", "Ex situ programmes"),
    ("pledges", "Pledges"),
    ("pledged_by", "Pledged by"),
]


def _cell(row: ReviewRow, key: str) -> Any:
    v = getattr(row, key)
    if key == "threats":
        return "; ".join(
            t.code + (f" ({t.scope or 'scope unknown'}, {t.severity or 'severity unknown'})"
                      if t.scope or t.severity else "")
            for t in v
        )
    if isinstance(v, list):
        return "; ".join(v)
    return "" if v is None else v


def review_csv_chunks(table: ReviewTable, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The review table as CSV (UTF-8 with a BOM, for spreadsheets), `rows_per_chunk` rows at a
    time: a whole-graph export streams instead of being built in memory first."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    w.writerow([label for _, label in EXPORT_COLUMNS])
    for i, r in enumerate(table.rows, 1):
        w.writerow([_csv_safe(_cell(r, k)) for k, _ in EXPORT_COLUMNS])
        if i % rows_per_chunk == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    if out.tell():
        yield out.getvalue().encode("utf-8")


def _csv_safe(v: Any) -> Any:
    """Defuse spreadsheet formula injection in text cells (OWASP CSV injection)."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def review_xlsx(table: ReviewTable) -> bytes:
    """The review table as an Excel workbook: a filterable table plus a sheet of filters."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Review table"
    ws.append([label for _, label in EXPORT_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="2F5D50")
    for r in table.rows:
        ws.append([_csv_safe(_cell(r, k)) for k, _ in EXPORT_COLUMNS])
    widths = [10, 30, 18, 9, 18, 6, 14, 30, 50, 30, 30, 20, 16, 36, 20, 8, 30]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "C2"
    last = get_column_letter(len(EXPORT_COLUMNS))
    ws.auto_filter.ref = f"A1:{last}{max(1, len(table.rows) + 1)}"
    meta = wb.create_sheet("About")
    meta.append(["assess2plan multi-species review table"])
    meta.append(["Rows", table.total])
    for k, v in table.filters.items():
        meta.append([f"Filter: {k}", v])
    meta.append(["Generated", time.strftime("%Y-%m-%d %H:%M:%S")])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
