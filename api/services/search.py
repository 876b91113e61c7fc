"""api.services.search — full-text (SQLite FTS5) and semantic (sentence embeddings) search
over every narrative field and name of every latest assessment.

The index is built from the graph (api/queries/narratives.rq, names.rq) in a background
thread at start-up, into `A2P_SEARCH_INDEX/fts-<store>-<version>.sqlite` (reused while the
store is unchanged) or in memory. Ranking is FTS5's BM25 with names weighted up; snippets
come back HTML-escaped with <mark> around the matched words.

Semantic search embeds each text (first 128 word pieces) with the all-MiniLM-L6-v2 encoder
of nlp.embed, lazily, after the text index; it is skipped with a clear note when the nlp
package (or its encoder) cannot be imported.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import logging
import os
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.schemas import SearchHit, SearchResults
from api.services import queries
from kg import iris
from kg.store import OxigraphStore, Store

log = logging.getLogger("a2p.search")

_TAG = re.compile(r"<[^>]{0,200}>")
_WORD = re.compile(r"\w+", re.UNICODE)
_SNIP_OPEN, _SNIP_CLOSE = "\x02", "\x03"
INDEX_VERSION = "1"


def plain(text: str) -> str:
    """Narrative markup (<p>, <em>, entities) → plain text."""
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", text))).strip()


def fts_query(q: str, any_word: bool = False) -> str:
    """User text → a safe FTS5 query: quoted words (AND, or OR), the last one as a prefix."""
    words = _WORD.findall(q)[:32]
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    if len(words[-1]) >= 3:
        quoted[-1] = quoted[-1] + "*"
    return (" OR " if any_word else " ").join(quoted)


def _snippet(marked: str) -> str:
    esc = html.escape(marked, quote=False)
    return esc.replace(_SNIP_OPEN, "<mark>").replace(_SNIP_CLOSE, "</mark>")


@dataclass
class SearchIndex:
    """The text index (always) and the embedding index (when nlp is importable)."""

    store: Store
    folder: str = "var/search"
    semantic_enabled: bool = True
    semantic_max_docs: int = 50_000
    state: str = "not built"
    semantic_state: str = "not built"
    docs: int = 0
    _path: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ready: threading.Event = field(default_factory=threading.Event)
    _closing: threading.Event = field(default_factory=threading.Event)
    _local: threading.local = field(default_factory=threading.local)
    _mem: sqlite3.Connection | None = None
    _vectors: Any = None
    _vector_rows: Any = None
    _thread: threading.Thread | None = None
    epoch: int = 0

    def invalidate(self) -> None:
        """The graph's texts may have changed: forget the index files and rebuild."""
        old = self._path
        self.epoch += 1
        self.state = "not built"
        self.semantic_state = "not built"
        self._vectors = self._vector_rows = None
        if old:
            for f in Path(old).parent.glob(Path(old).stem + "*"):
                f.unlink(missing_ok=True)
        self.start(background=True)

    # -- building

    def version(self) -> str:
        gen = self.store.generation if isinstance(self.store, OxigraphStore) else str(time.time())
        key = f"{INDEX_VERSION}|{self.store.url}|{gen}|{self.epoch}"
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def start(self, background: bool = True) -> None:
        """Build (or reuse) the index; in a daemon thread unless `background` is False."""
        self._ready.clear()
        if background:
            self._thread = threading.Thread(target=self._build_safely, name="a2p-search", daemon=True)
            self._thread.start()
        else:
            self._build_safely()

    def wait(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    def close(self, timeout: float = 60.0) -> None:
        """Stop a semantic build between two chunks and wait for the build thread: a daemon
        thread still inside the encoder when the interpreter exits aborts the process
        ("terminate called without an active exception", exit status 134 after Ctrl-C)."""
        self._closing.set()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout)

    def _build_safely(self) -> None:
        try:
            self._build_text()
        except Exception as exc:  # noqa: BLE001 - reported through /health and /search notes
            log.exception("search index build failed")
            self.state = f"failed: {exc}"
        finally:
            self._ready.set()
        if self.state == "ready" and self.semantic_enabled:
            try:
                self._build_semantic()
            except Exception as exc:  # noqa: BLE001
                log.warning("semantic index unavailable: %s", exc)
                self.semantic_state = f"unavailable: {exc}"

    def _build_text(self) -> None:
        self.state = "building"
        in_memory = self.folder == ":memory:" or not isinstance(self.store, OxigraphStore)
        version = self.version()
        if not in_memory:
            Path(self.folder).mkdir(parents=True, exist_ok=True)
            path = os.path.join(self.folder, f"fts-{version}.sqlite")
            if os.path.exists(path):
                self._path = path
                self.docs = self._connect().execute("SELECT COUNT(*) FROM docs").fetchone()[0]
                self.state = "ready"
                return
            tmp = path + f".tmp{os.getpid()}"
            if os.path.exists(tmp):
                os.unlink(tmp)
            con = sqlite3.connect(tmp)
        else:
            con = sqlite3.connect(":memory:", check_same_thread=False)
        t0 = time.perf_counter()
        self._fill(con)
        con.commit()
        self.docs = con.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        if in_memory:
            self._mem = con
        else:
            con.close()
            os.replace(tmp, path)
            for old in Path(self.folder).glob("fts-*.sqlite"):
                if old.name != os.path.basename(path):
                    old.unlink(missing_ok=True)
            self._path = path
        self.state = "ready"
        log.info("search index: %d texts in %.1f s", self.docs, time.perf_counter() - t0)

    def _fill(self, con: sqlite3.Connection) -> None:
        con.executescript(
            """
            CREATE TABLE docs(id INTEGER PRIMARY KEY, taxon_id TEXT, assessment_id TEXT,
                              name TEXT, category TEXT, field TEXT, text TEXT);
            CREATE VIRTUAL TABLE fts USING fts5(text, name, content='docs', content_rowid='id',
                                                tokenize='porter unicode61 remove_diacritics 2');
            """
        )
        batch: list[tuple[str, str, str, str, str, str]] = []

        def flush() -> None:
            con.executemany(
                "INSERT INTO docs(taxon_id, assessment_id, name, category, field, text) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                batch,
            )
            batch.clear()

        names: dict[str, set[str]] = {}
        heads: dict[str, tuple[str, str, str]] = {}
        by_assessment: dict[str, tuple[str, str, str, str]] = {}
        for r in queries.values(self.store, "names"):
            tid = str(r["taxonId"])
            aid = str(r["assessmentId"])
            heads[tid] = (aid, str(r["scientificName"]), str(r["category"]))
            by_assessment[iris.assessment(aid)] = (tid, aid, str(r["scientificName"]),
                                                   str(r["category"]))
            names.setdefault(tid, {str(r["scientificName"])})
            if r["name"]:
                names[tid].add(str(r["name"]))
        for tid, (aid, sci, cat) in heads.items():
            batch.append((tid, aid, sci, cat, "name", " · ".join(sorted(names[tid]))))
        flush()
        for r in queries.values(self.store, "narratives"):
            head = by_assessment.get(str(r["assessment"]))
            if head is None:  # not a latest assessment
                continue
            text = plain(str(r["text"] or ""))
            if text:
                batch.append((*head, str(r["field"]), text))
            if len(batch) >= 5000:
                flush()
        flush()
        con.execute("INSERT INTO fts(rowid, text, name) SELECT id, text, name FROM docs")

    def _connect(self) -> sqlite3.Connection:
        if self._mem is not None:
            return self._mem
        con = getattr(self._local, "con", None)
        if con is None or getattr(self._local, "path", "") != self._path:
            con = sqlite3.connect(f"file:{self._path}?mode=ro", uri=True, check_same_thread=False)
            self._local.con, self._local.path = con, self._path
        return con

    def _build_semantic(self) -> None:
        self.semantic_state = "building"
        try:
            from nlp.embed import Embedder
        except Exception as exc:  # noqa: BLE001 - any import failure means "unavailable"
            self.semantic_state = f"unavailable: nlp.embed cannot be imported ({exc})"
            return
        import numpy as np

        cached = None
        if self._path:
            cached = self._path.replace(".sqlite", f"-vec{self.semantic_max_docs}.npz")
            if os.path.exists(cached):
                data = np.load(cached)
                self._vectors, self._vector_rows = data["vectors"], data["rows"]
                self.semantic_state = "ready"
                return
        with self._lock:
            con = self._connect()
            rows = con.execute(
                "SELECT id, text FROM docs WHERE field != 'name' ORDER BY id LIMIT ?",
                (self.semantic_max_docs,),
            ).fetchall()
        if not rows:
            self.semantic_state = "ready"
            self._vectors = np.zeros((0, 384), dtype=np.float32)
            self._vector_rows = np.zeros(0, dtype=np.int64)
            return
        emb = Embedder(batch_size=64, cache_size=0)
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        parts = []
        step = 128  # a chunk is the longest a shutdown waits for (close())
        for i in range(0, len(rows), step):
            if self._closing.is_set():
                self.semantic_state = "stopped (the server is shutting down)"
                return
            parts.append(emb.encode([r[1] for r in rows[i : i + step]]))
            self.semantic_state = f"building ({min(i + step, len(rows))}/{len(rows)} texts)"
        self._vectors = np.vstack(parts)
        self._vector_rows = ids
        if cached:
            tmp = cached + f".tmp{os.getpid()}.npz"
            np.savez(tmp, vectors=self._vectors, rows=ids)
            os.replace(tmp, cached)
        self.semantic_state = "ready"

    # -- searching

    def search(self, q: str, mode: str = "text", limit: int = 20, offset: int = 0) -> SearchResults:
        notes: list[str] = []
        if self.state != "ready":
            return SearchResults(query=q, mode=mode, total=0, hits=[],  # type: ignore[arg-type]
                                 notes=[f"the search index is {self.state}"])
        if mode == "semantic":
            if self.semantic_state != "ready":
                notes.append(f"semantic search is {self.semantic_state}; showing text search")
                mode = "text"
            else:
                return self._semantic(q, limit, offset)
        names_only = mode == "name"
        con = self._connect()
        where = "fts MATCH ?" + (" AND docs.field = 'name'" if names_only else "")
        sql = (
            "SELECT docs.taxon_id, docs.assessment_id, docs.name, docs.category, docs.field, "
            f"snippet(fts, 0, '{_SNIP_OPEN}', '{_SNIP_CLOSE}', '…', 24), "
            "bm25(fts, 1.0, 4.0) AS score "
            f"FROM fts JOIN docs ON docs.id = fts.rowid WHERE {where} "
            "ORDER BY score LIMIT ? OFFSET ?"
        )
        count_sql = f"SELECT COUNT(*) FROM fts JOIN docs ON docs.id = fts.rowid WHERE {where}"
        rows: list[Any] = []
        total = 0
        for any_word in (False, True):
            fq = fts_query(q, any_word)
            if not fq:
                break
            with self._lock if self._mem is not None else contextlib.nullcontext():
                rows = con.execute(sql, (fq, limit, offset)).fetchall()
                total = con.execute(count_sql, (fq,)).fetchone()[0]
            if rows or len(_WORD.findall(q)) < 2:
                if any_word and rows:
                    notes.append("no text has every word; showing texts with any of them")
                break
        hits = [
            SearchHit(
                taxon_id=r[0], assessment_id=r[1], scientific_name=r[2], category=r[3],
                field=r[4], snippet=_snippet(r[5]), score=round(-float(r[6]), 4),
            )
            for r in rows
        ]
        return SearchResults(query=q, mode="name" if names_only else "text", total=total,
                             hits=hits, notes=notes)

    def _semantic(self, q: str, limit: int, offset: int) -> SearchResults:
        import numpy as np

        from nlp.embed import shared_embedder

        notes: list[str] = []
        vec = shared_embedder().encode([q])[0]
        sims = self._vectors @ vec
        k = min(len(sims), offset + limit)
        if k == 0:
            return SearchResults(query=q, mode="semantic", total=0, hits=[], notes=notes)
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])][offset:]
        con = self._connect()
        hits = []
        for i in top:
            rid = int(self._vector_rows[i])
            with self._lock if self._mem is not None else contextlib.nullcontext():
                r = con.execute(
                    "SELECT taxon_id, assessment_id, name, category, field, text FROM docs "
                    "WHERE id = ?", (rid,)
                ).fetchone()
            text = r[5]
            hits.append(
                SearchHit(
                    taxon_id=r[0], assessment_id=r[1], scientific_name=r[2], category=r[3],
                    field=r[4], snippet=html.escape(text[:240] + ("…" if len(text) > 240 else "")),
                    score=round(float(sims[i]), 4),
                )
            )
        if len(self._vector_rows) < self.docs - 1:
            notes.append(f"semantic index covers the first {len(self._vector_rows)} texts "
                         "(A2P_SEMANTIC_MAX_DOCS)")
        return SearchResults(query=q, mode="semantic", total=len(sims), hits=hits, notes=notes)
