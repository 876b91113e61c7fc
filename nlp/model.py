"""nlp.model — a trained code mapper on disk (models/<name>/<version>/) and its use on text units.

Layout written by `nlp.train` and read here:

    config.json      kind, version, code space, thresholds, statuses counted, encoder settings
    weights.npz      the linear head (coef, intercept, feature mean/scale) and the embeddings of
                     the public code descriptions; numbers only, no text, no pickle
    metrics.json     figures on the frozen validation and test splits
    MODEL_CARD.md    what it was trained on, hashes, seed, library versions

`load_model` refuses a folder without MODEL_CARD.md.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from nlp.classify import MultiLabelLinear, unit_features
from nlp.codes import CodeSpace, code_space
from nlp.lexicon import fingerprint, lexicon
from nlp.status import status_of
from nlp.units import Unit

__all__ = [
    "CodeModel",
    "Hit",
    "anchor_status",
    "ModelNotFoundError",
    "default_model_root",
    "find_model_dir",
    "load_model",
]

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
MENTION_KIND = {"actions": "action", "threats": "threat"}


class ModelNotFoundError(FileNotFoundError):
    """No trained model where one was expected."""


@dataclass(frozen=True)
class Hit:
    """One suggested code in plain text (offsets into the stripped text of one field)."""

    kind: str  # Mention.kind: action | threat | place | exsitu_role
    code: str
    label: str
    status: str
    confidence: float
    start: int
    end: int
    sent_start: int
    sent_end: int


def default_model_root() -> Path:
    return Path(os.environ.get("A2P_MODEL_DIR") or ROOT / "models")


def _version_key(name: str) -> tuple:
    return tuple(int(p) if p.isdigit() else -1 for p in name.replace("+", ".").replace("-", ".").split("."))


def find_model_dir(kind: str, model_dir: str | Path | None = None) -> Path:
    """`model_dir` itself if it holds config.json, else <root>/<kind>/<newest version>."""
    root = Path(model_dir) if model_dir else default_model_root()
    if (root / "config.json").is_file():
        return root
    base = root / kind if (root / kind).is_dir() else root
    versions = (
        sorted(
            (p for p in base.iterdir() if (p / "config.json").is_file()),
            key=lambda p: _version_key(p.name),
        )
        if base.is_dir()
        else []
    )
    if not versions:
        raise ModelNotFoundError(
            f"no trained {kind} model under {base} (set A2P_MODEL_DIR or run "
            f"`python -m nlp train {kind} --data <export folder>`)"
        )
    return versions[-1]


class CodeModel:
    """A loaded mapper: features → per-code probabilities → hits with status and evidence."""

    def __init__(self, path: Path, config: dict, clf: MultiLabelLinear, desc_emb: np.ndarray):
        self.path = path
        self.config = config
        self.kind: str = config["kind"]
        self.name: str = config["name"]
        self.version: str = config["version"]
        self.space: CodeSpace = code_space(self.kind)
        self.codes: list[str] = list(config["codes"])
        self.index = {c: i for i, c in enumerate(self.codes)}
        self.thresholds: dict[str, float] = config["thresholds"]
        self.child_threshold: float = config.get("child_threshold", 0.5)
        self.count_statuses: frozenset[str] = frozenset(config["count_statuses"])
        self.clf = clf
        self.desc_emb = desc_emb
        if list(config.get("lexicon_codes", lexicon(self.kind).codes)) != list(lexicon(self.kind).codes):
            raise ValueError(f"{path}: trained with a different {self.kind} lexicon; retrain the model")
        if config.get("lexicon_sha256") not in (None, fingerprint(self.kind)):
            log.warning("%s: the %s lexicon changed since training; retrain for best results", path, self.kind)

    @property
    def ident(self) -> str:
        return f"{self.name}/{self.version}"

    @property
    def max_seq_length(self) -> int:
        return int(self.config.get("encoder", {}).get("max_seq_length", 128))

    @property
    def precision(self) -> str:
        return str(self.config.get("encoder", {}).get("precision", "fp32"))

    def probabilities(self, texts: list[str], emb: np.ndarray) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.codes)))
        return self.clf.predict_proba(unit_features(self.kind, texts, emb, self.desc_emb))

    def map_units(self, text: str, units: list[Unit], emb: np.ndarray) -> list[Hit]:
        """Hits of this model's kind for the units of one plain text (emb: one row per unit)."""
        return self.map_batch([(text, units)], emb)[0]

    def map_batch(self, docs: list[tuple[str, list[Unit]]], emb: np.ndarray) -> list[list[Hit]]:
        """`map_units` for many plain texts at once: emb has one row per unit, in order; the
        features and the linear head are computed in one matrix product for the whole batch."""
        texts = [text[u.start : u.end] for text, units in docs for u in units]
        probs = self.probabilities(texts, emb)
        out: list[list[Hit]] = []
        row = 0
        for text, units in docs:
            n = len(units)
            out.append(self._hits(text, units, texts[row : row + n], probs[row : row + n]) if n else [])
            row += n
        return out

    def _hits(self, text: str, units: list[Unit], texts: list[str], probs: np.ndarray) -> list[Hit]:
        lex = lexicon(self.kind)
        kind = MENTION_KIND[self.kind]
        out: list[tuple[Unit, Hit]] = []
        for i, u in enumerate(units):
            row = probs[i]
            cue_hits: dict[str, tuple[int, int]] | None = None
            for code in self.space.level2:
                j = self.index.get(code)
                if j is None or row[j] < self.thresholds.get(code, 0.5):
                    continue
                children = [
                    c
                    for c in self.space.children(code)
                    if c in self.index
                    and self.clf.n_pos_[self.index[c]] > 0
                    and row[self.index[c]] >= self.child_threshold
                ]
                if cue_hits is None:
                    cue_hits = lex.hits(texts[i])
                for c in children or [code]:
                    a, b, status = anchor_status(self.kind, text, u, c, code, cue_hits)
                    hit = Hit(
                        kind,
                        c,
                        self.space.label(c),
                        status,
                        round(float(row[j]), 4),
                        a,
                        b,
                        u.sent_start,
                        u.sent_end,
                    )
                    out.append((u, hit))
        return _innermost(out)


def _innermost(pairs: list[tuple[Unit, Hit]]) -> list[Hit]:
    """Drop a hit when a unit nested inside its unit (an enumeration item) has the same code."""
    by_code: dict[str, list[Unit]] = {}
    for u, h in pairs:
        by_code.setdefault(h.code, []).append(u)
    keep = []
    for u, h in pairs:
        inner = any(
            v is not u and u.start <= v.start and v.end <= u.end and (v.start, v.end) != (u.start, u.end)
            for v in by_code[h.code]
        )
        if not inner:
            keep.append(h)
    return keep


def anchor_status(
    kind: str, text: str, unit: Unit, code: str, parent: str, cue_hits: dict[str, tuple[int, int]]
) -> tuple[int, int, str]:
    """Evidence span of `code` in a unit (its cue phrase, else the unit) and the status there."""
    rel = cue_hits.get(code) or cue_hits.get(parent)
    a, b = (unit.start + rel[0], unit.start + rel[1]) if rel else (unit.start, unit.end)
    return a, b, status_of(text, (unit.sent_start, unit.sent_end), (a, b), kind)


def load_model(kind: str, model_dir: str | Path | None = None) -> CodeModel:
    """The model of `kind` (see `find_model_dir`), loaded once per folder and file version."""
    path = find_model_dir(kind, model_dir).resolve()
    stamp = tuple((path / f).stat().st_mtime_ns if (path / f).exists() else 0 for f in _FILES)
    return _load(str(path), stamp)


_FILES = ("config.json", "weights.npz", "MODEL_CARD.md")


@cache
def _load(path_str: str, stamp: tuple[int, ...]) -> CodeModel:
    path = Path(path_str)
    if not (path / "MODEL_CARD.md").is_file():
        raise ModelNotFoundError(f"{path}: no MODEL_CARD.md; refusing a model without a card")
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    with np.load(path / "weights.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    clf = MultiLabelLinear.from_arrays(arrays)
    return CodeModel(path, config, clf, arrays["desc_emb"].astype(np.float32))
