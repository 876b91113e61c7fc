"""nlp.dataset — labelled documents → candidate units with embeddings, for training and evaluation.

Uses exactly the pipeline's front half (markup stripping, sentences, candidate units) as pure
functions, so what the model is trained and calibrated on is what `nlp.extract` feeds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nlp.corpus import Doc
from nlp.embed import Embedder
from nlp.lexicon import lexicon
from nlp.markup import strip_markup
from nlp.model import anchor_status
from nlp.segment import sentence_spans
from nlp.status import status_of
from nlp.units import DEFAULT_POLICIES, FieldPolicy, Unit, find_units

__all__ = ["UnitTable", "build_units"]


@dataclass
class UnitTable:
    """All candidate units of one kind over a list of documents (row i = one unit)."""

    kind: str
    doc_of: np.ndarray  # (n,) index into the document list
    texts: list[str]
    plains: list[str]  # plain text of the field each unit comes from (shared objects)
    fields: list[str]
    units: list[Unit]
    unit_status: list[str]
    field_texts: dict[int, list[str]] = field(default_factory=dict)  # doc -> plain texts of its fields
    emb: np.ndarray | None = None
    _cues: dict[int, dict[str, tuple[int, int]]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.texts)

    def rows_of(self, doc_index: int) -> np.ndarray:
        return np.flatnonzero(self.doc_of == doc_index)

    def cues(self, i: int) -> dict[str, tuple[int, int]]:
        if i not in self._cues:
            self._cues[i] = lexicon(self.kind).hits(self.texts[i])
        return self._cues[i]

    def status(self, i: int, code: str, parent: str) -> str:
        """Status of a hit of `code` (child of `parent` or itself) in unit i, as in the pipeline."""
        unit, plain = self.units[i], self.plains[i]
        _start, _end, status = anchor_status(self.kind, plain, unit, code, parent, self.cues(i))
        return status


def build_units(
    docs: list[Doc],
    kind: str,
    embedder: Embedder | None = None,
    policy: FieldPolicy | None = None,
    progress: bool = False,
) -> UnitTable:
    policy = policy or DEFAULT_POLICIES[kind]
    doc_of: list[int] = []
    texts: list[str] = []
    plains: list[str] = []
    fields: list[str] = []
    units: list[Unit] = []
    statuses: list[str] = []
    field_texts: dict[int, list[str]] = {}
    for d_i, doc in enumerate(docs):
        for fname, raw in doc.texts.items():
            if policy.mode(fname) is None and fname not in policy.primary:
                continue
            plain = strip_markup(raw).text
            field_texts.setdefault(d_i, []).append(plain)
            for u in find_units(plain, sentence_spans(plain), kind, fname, policy):
                doc_of.append(d_i)
                texts.append(plain[u.start : u.end])
                plains.append(plain)
                fields.append(fname)
                units.append(u)
                statuses.append(status_of(plain, (u.sent_start, u.sent_end), (u.start, u.end), kind))
    table = UnitTable(
        kind,
        np.asarray(doc_of, dtype=np.int64),
        texts,
        plains,
        fields,
        units,
        statuses,
        field_texts,
    )
    if embedder is not None:
        table.emb = embedder.encode(texts, progress=progress) if texts else np.zeros((0, 384), dtype=np.float32)
    return table
