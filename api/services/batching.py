"""api.services.batching — gather work from concurrent requests and run it in batches.

The sentence encoder behind /suggest is several times faster per text when it sees many
texts at once, so work submitted by concurrent request threads is queued and a single
worker thread runs up to `max_batch` items through `run(items) -> results` together. With
`max_batch=1` every item runs alone, one at a time (the default of A2P_SUGGEST_BATCH since nlp
sorts its encoder batches by token count and spreads them over encoder workers itself;
`benchmarks/api.py --grid` compares).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    """`submit(item)` → a Future of `run([... item ...])[i]`, batched across callers.

    `run` gets the items of one batch in submission order and returns one result per item;
    an exception it raises is handed to every caller of that batch. The worker thread exits
    after `idle_seconds` without work and is restarted by the next submit.
    """

    def __init__(self, run: Callable[[list[T]], Sequence[R]], max_batch: int = 32,
                 name: str = "a2p-batcher", idle_seconds: float = 60.0, workers: int = 1) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, not {max_batch}")
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self._fn = run
        self.max_batch = max_batch
        self.name = name
        self.idle_seconds = idle_seconds
        self.workers = workers
        self.batches = 0  # batches run so far (for tests and diagnostics)
        self._queue: list[tuple[T, Future[R]]] = []
        self._cv = threading.Condition()
        self._threads: list[threading.Thread] = []

    def submit(self, item: T) -> Future[R]:
        fut: Future[R] = Future()
        with self._cv:
            self._queue.append((item, fut))
            self._threads = [t for t in self._threads if t.is_alive()]
            if len(self._threads) < min(self.workers, len(self._queue) + self._busy()):
                t = threading.Thread(target=self._loop, name=self.name, daemon=True)
                self._threads.append(t)
                t.start()
            self._cv.notify()
        return fut

    def _busy(self) -> int:
        return sum(1 for t in self._threads if getattr(t, "a2p_busy", False))

    def _loop(self) -> None:
        me = threading.current_thread()
        while True:
            with self._cv:
                me.a2p_busy = False  # type: ignore[attr-defined]
                while not self._queue:
                    if not self._cv.wait(timeout=self.idle_seconds):
                        if me in self._threads:
                            self._threads.remove(me)
                        return
                batch = self._queue[: self.max_batch]
                self._queue = self._queue[self.max_batch :]
                me.a2p_busy = True  # type: ignore[attr-defined]
                self.batches += 1
            try:
                results = list(self._fn([item for item, _ in batch]))
                if len(results) != len(batch):
                    raise RuntimeError(f"{self.name}: {len(results)} results for {len(batch)} items")
            except Exception as exc:  # noqa: BLE001 - handed to every waiting caller
                for _, fut in batch:
                    fut.set_exception(exc)
                continue
            for (_, fut), res in zip(batch, results, strict=True):
                fut.set_result(res)
