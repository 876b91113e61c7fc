"""nlp.pool — extraction in worker processes, for a server that extracts concurrent drafts.

In one process the extraction's Python work (spaCy, the place and role patterns, the code
mappers) holds the GIL, so two threads extracting at once share one core for it; only the
encoder's kernels run in parallel. `ExtractionPool` runs `extract_many` in `processes` worker
processes (spawned, each with its own GIL, one torch and one BLAS thread, the pipeline loaded
once at start) and returns the same mentions. Every vector the worker's encoder was asked for
comes back too and goes into this process's encoder memo (`Extractor.remember`), so what reads
the extraction's unit embeddings here (the planning bucket model) encodes nothing again.

    pool = ExtractionPool(2)
    mentions = pool.extract_many(assessments)   # list[Mention], as nlp.extract_many gives
    pool.close()

A worker that dies (killed, out of memory) makes the calls it was running start a fresh set of
workers and run once more there; a call whose second run fails too raises `WorkerDiedError`.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait
from typing import Any

from kg.records import Assessment, Mention

__all__ = ["ExtractionPool", "WorkerDiedError"]

log = logging.getLogger(__name__)


class WorkerDiedError(RuntimeError):
    """Extraction worker processes ended twice under one call (or could not start)."""


class ExtractionPool:
    """`extract_many` in `processes` spawned worker processes (see the module docstring)."""

    def __init__(self, processes: int, model_dir: str | None = None) -> None:
        if processes < 1:
            raise ValueError(f"processes must be at least 1, not {processes}")
        self.processes = processes
        self.model_dir = model_dir
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self, timeout: float = 300.0) -> None:
        """Start every worker and wait until each has loaded the pipeline (idempotent)."""
        ex = self._pool()
        ready: set[int] = set()
        deadline = time.monotonic() + timeout
        while len(ready) < self.processes:  # a loaded worker answers; one still loading does not
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(ready)} of {self.processes} nlp workers ready after {timeout:.0f} s")
            ready.update(f.result() for f in [ex.submit(_pid, 0.2) for _ in range(self.processes)])

    def extract_many(self, assessments: Sequence[Assessment]) -> list[Mention]:
        """Mentions of `assessments`, as `nlp.extract_many` gives them (one batch)."""
        from nlp.pipeline import get_extractor

        if not assessments:
            return []
        for attempt in (1, 2):  # a worker killed under the call: once more on fresh workers
            ex = self._pool()
            try:
                mentions, vectors = ex.submit(_extract, list(assessments), self.model_dir).result()
                break
            except BrokenProcessPool as exc:
                self._discard(ex)
                if attempt == 2:
                    raise WorkerDiedError(f"an nlp extraction worker process ended (twice): {exc}") from exc
                log.warning("an nlp extraction worker process ended; starting new workers: %s", exc)
        get_extractor(self.model_dir).remember(vectors)
        return mentions

    def close(self) -> None:
        with self._lock:
            ex, self._executor = self._executor, None
        if ex is not None:
            ex.shutdown(wait=True, cancel_futures=True)

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(self.model_dir,),
                )
            return self._executor

    def _discard(self, ex: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is ex:
                self._executor = None
        ex.shutdown(wait=False, cancel_futures=True)


def _pid(wait: float) -> int:
    time.sleep(wait)  # long enough for the other workers to take the other calls
    return os.getpid()


def _exit_with_parent() -> None:
    """End this worker when the process that started it ends, even by SIGKILL (the pool's
    own shutdown never runs then)."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        wait([parent.sentinel])
        os._exit(0)


def _start_worker(model_dir: str | None) -> None:
    """A worker's start: one compute thread, the pipeline and its models loaded, encoder warm."""
    import torch
    from threadpoolctl import threadpool_limits

    from nlp.pipeline import extract

    # Ctrl-C in a terminal reaches the whole process group: the server shuts the pool down
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, name="a2p-parent-watch", daemon=True).start()
    torch.set_num_threads(1)
    threadpool_limits(1, user_api="blas")
    extract("Habitat loss to agriculture is a threat; a protected area is needed.", model_dir=model_dir)


def _extract(assessments: list[Assessment], model_dir: str | None) -> tuple[list[Mention], dict[str, Any]]:
    from nlp.embed import recording
    from nlp.pipeline import extract_many

    with recording() as seen:
        mentions = list(extract_many(assessments, batch_size=max(1, len(assessments)), model_dir=model_dir))
    return mentions, seen
