"""api.services.sheet_store — every species' JSON datasheet precomputed per store generation.

Building a datasheet from the graph costs a few milliseconds of CPU per request (half a dozen
look-ups and a pydantic model); on a 172k-species graph nearly every request for a random
taxon misses the LRU cache (`datasheet.SheetCache`). This store builds the JSON datasheet of
every taxon once, in a background thread, into SQLite (zlib-compressed), keyed by the store's
generation: an ingest switches the generation and with it the file, so a sheet of another
generation is never served.

What the service itself writes without switching the generation is handled in two ways:

* comments and stored suggestions (POST /comments, /feedback, `a2p enrich`) are *not* part of
  the stored sheet. A request checks with two pattern look-ups (`Store.contains`) whether the
  taxon has comments or its latest assessment has suggestions; only then is the sheet built live;
* any other write through the service (SPARQL Update, links and pledges) calls `invalidate()`:
  the file is removed and a new one is built under a new epoch; meanwhile sheets are built live.

Only Oxigraph stores are precomputed: the file is keyed by their generation. The store is read
through the `Store` contract alone (`triples`, `contains` and the builder's queries), so a store
that can say when its content changed (a version the key can hold) could be precomputed too.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterator

from rdflib import Literal, URIRef

from kg import iris
from kg.store import OxigraphStore, Store
from kg.vocab import A2P, SDO

log = logging.getLogger("a2p.api")

SHEETS_FORMAT = 1  # bump when the stored JSON changes shape
_CHUNK = 500

# builds a taxon's sheet without comments and stored suggestions: (JSON, latest assessment
# IRI or ''), None for an unknown taxon
Builder = Callable[[Store, str], "tuple[bytes, str] | None"]


class SheetStore:
    """Precomputed species datasheets (JSON) of one Oxigraph store."""

    def __init__(self, store: Store, builder: Builder, folder: str = ":memory:",
                 enabled: bool = True) -> None:
        self.store = store
        self.builder = builder
        self.folder = folder
        self.enabled = enabled and isinstance(store, OxigraphStore)
        self.epoch = 0
        self.error = ""
        self.built = 0
        self.hits = self.live = 0
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._key: tuple[str, int] | None = None
        self._path = ""
        self._building: tuple[str, int] | None = None
        self._since = 0.0

    # -- state

    def _version(self) -> tuple[str, int]:
        return (getattr(self.store, "generation", ""), self.epoch)

    def _file(self, key: tuple[str, int]) -> str:
        if self.folder == ":memory:":
            return ""
        return os.path.join(self.folder, f"{self._prefix()}{_digest(f'{SHEETS_FORMAT}|{key}')}.sqlite")

    def _prefix(self) -> str:
        return f"sheets-{_digest(str(getattr(self.store, 'url', '')))}-"

    def _remove_others(self, keep: str) -> None:
        """Files of this store's older generations and epochs (a reader that still has one open
        keeps reading it until it closes)."""
        for f in os.listdir(self.folder):
            p = os.path.join(self.folder, f)
            if f.startswith(self._prefix()) and f.endswith(".sqlite") and p != keep:
                with contextlib.suppress(OSError):
                    os.unlink(p)

    def state(self) -> str:
        if not self.enabled:
            return "disabled" if isinstance(self.store, OxigraphStore) else "unavailable"
        if self._db is not None and self._key == self._version():
            return "ready"
        if self._building is not None:
            return (f"building ({self.built} sheets, "
                    f"{time.monotonic() - self._since:.0f} s)")
        return f"failed: {self.error}" if self.error else "not built"

    # -- reading

    def get(self, taxon_id: str) -> bytes | None:
        """The taxon's JSON datasheet, or None: not built (yet), unknown taxon, or a taxon with
        comments or stored suggestions (the caller builds those live)."""
        if not self.enabled:
            return None
        db = self._db
        if db is None or self._key != self._version():
            self.start()
            return None
        with self._lock:
            if db is not self._db:
                return None
            row = db.execute("SELECT body, latest FROM sheets WHERE id = ?",
                             (taxon_id,)).fetchone()
        if row is None or self._has_annotations(taxon_id, row[1]):
            self.live += 1
            return None
        self.hits += 1
        return zlib.decompress(row[0])

    def _has_annotations(self, taxon_id: str, latest: str) -> bool:
        if self.store.contains(predicate=SDO.about, obj=URIRef(iris.taxon(taxon_id))):
            return True
        return bool(latest) and self.store.contains(predicate=A2P.aboutAssessment, obj=URIRef(latest))

    # -- building

    def start(self) -> None:
        """Build (or open the file of) the current version in a background thread."""
        if not self.enabled:
            return
        key = self._version()
        with self._lock:
            if self._building == key or (self._db is not None and self._key == key):
                return
            self._building, self._since, self.built = key, time.monotonic(), 0
        threading.Thread(target=self._build, args=(key,), name="a2p-sheets",
                         daemon=True).start()

    def wait(self, timeout: float = 600.0) -> bool:
        """Block until the current version is ready (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        self.start()
        while time.monotonic() < deadline:
            if self.state() == "ready":
                return True
            if self._building is None and self.error:
                return False
            time.sleep(0.02)
        return False

    def invalidate(self) -> None:
        """The graph changed through the service: forget the file; build a new one."""
        with self._lock:
            self.epoch += 1
            old, self._db, self._key, path = self._db, None, None, self._path
            self._path = ""
        if old is not None:
            old.close()
        if path:
            with contextlib.suppress(OSError):
                os.unlink(path)
        self.start()

    def _build(self, key: tuple[str, int]) -> None:
        try:
            path = self._file(key)
            db: sqlite3.Connection | None
            with _file_lock(path):
                if path and os.path.exists(path):
                    db = _connect(path)
                else:
                    db = self._compute(key, path)
            if db is None:
                return  # superseded by a newer version
            with self._lock:
                if key != self._version():
                    db.close()
                    return
                old, self._db, self._key, self._path = self._db, db, key, path
                self.error = ""
            if old is not None:
                old.close()
        except Exception as exc:  # noqa: BLE001 - reported through /health; sheets built live
            log.exception("precomputing the datasheets failed")
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            with self._lock:
                if self._building == key:
                    self._building = None

    def _compute(self, key: tuple[str, int], path: str) -> sqlite3.Connection | None:
        ids = sorted({str(o) for _, _, o in self.store.triples(predicate=A2P.sisTaxonId)
                      if isinstance(o, Literal)})
        tmp = f"{path}.tmp{os.getpid()}" if path else ""
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        db = _connect(tmp or ":memory:")
        db.execute("CREATE TABLE sheets (id TEXT PRIMARY KEY, latest TEXT, body BLOB)")
        t0 = time.monotonic()
        for i in range(0, len(ids), _CHUNK):
            if key != self._version():
                db.close()
                if tmp:
                    os.unlink(tmp)
                return None
            rows = []
            for taxon_id in ids[i:i + _CHUNK]:
                built = self.builder(self.store, taxon_id)
                if built is not None:
                    rows.append((taxon_id, built[1], zlib.compress(built[0], 6)))
            db.executemany("INSERT OR REPLACE INTO sheets VALUES (?, ?, ?)", rows)
            db.commit()
            self.built += len(rows)
        log.info("precomputed %d datasheets in %.0f s", self.built, time.monotonic() - t0)
        if not tmp:
            return db
        db.close()
        os.replace(tmp, path)
        self._remove_others(path)
        return _connect(path)

    def close(self) -> None:
        with self._lock:
            db, self._db = self._db, None
            self.epoch += 1  # a running build stops at its next chunk
        if db is not None:
            db.close()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _connect(path: str) -> sqlite3.Connection:
    return sqlite3.connect(path, check_same_thread=False, isolation_level="DEFERRED")


@contextlib.contextmanager
def _file_lock(path: str) -> Iterator[None]:
    """One builder per file across worker processes (the others wait, then read it)."""
    if not path:
        yield
        return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path + ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
