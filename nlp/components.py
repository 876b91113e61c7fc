"""nlp.components — the registered, versioned spaCy components of the extraction pipeline.

Built on `spacy.blank("en")` (see nlp/configs/extract.cfg); spaCy forbids dots in factory
names, so the versioned names are spelt with underscores:

    a2p_SentenceSegmenter_v1   sentence boundaries (nlp.segment)
    a2p_ActionDetector_v1      candidate action units + their status (nlp.units, nlp.status)
    a2p_ThreatDetector_v1      candidate threat units
    a2p_CodeMapper_v1          units → IUCN codes with a trained model (nlp.model), batched
    a2p_PlaceDetector_v1       countries, protected areas, water bodies, sites (nlp.places)
    a2p_ExSituRoleDetector_v1  ex situ roles (nlp.exsitu)

Documents carry the narrative field they come from in `doc._.a2p_field`; every component
appends `nlp.model.Hit` records to `doc._.a2p_hits` (plain-text offsets) and mirrors them as
labelled spans in `doc.spans["a2p_<kind>"]`. The components hold no state besides settings,
and the mapper loads its model and the encoder on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from nlp.embed import Embedder, shared_embedder
from nlp.exsitu import find_roles
from nlp.model import CodeModel, Hit, load_model
from nlp.places import find_places
from nlp.segment import sentence_spans
from nlp.status import status_of
from nlp.units import FieldPolicy, find_units

__all__ = ["ensure_extensions"]


def ensure_extensions() -> None:
    for name, default in (
        ("a2p_field", ""),
        ("a2p_hits", None),
        ("a2p_units", None),
        ("a2p_sents", None),
        ("a2p_text", None),
    ):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


ensure_extensions()


def _hits(doc: Doc) -> list[Hit]:
    if doc._.a2p_hits is None:
        doc._.a2p_hits = []
    return doc._.a2p_hits


def _units(doc: Doc) -> dict:
    if doc._.a2p_units is None:
        doc._.a2p_units = {}
    return doc._.a2p_units


def _text(doc: Doc) -> str:
    """doc.text, computed once (spaCy rebuilds the string from the tokens on every access)."""
    text = doc._.a2p_text
    if text is None:
        text = doc.text
        doc._.a2p_text = text
    return text


def _sentences(doc: Doc) -> list[tuple[int, int]]:
    """Trimmed character spans of the sentences (set once by the segmenter; iterating
    `doc.sents` again in every component costs more than the rest of the pipeline)."""
    spans = doc._.a2p_sents
    if spans is None:
        spans = sentence_spans(_text(doc))
        doc._.a2p_sents = spans
    return spans


def _mirror(doc: Doc, group: str, hits: Iterable[Hit]) -> None:
    spans = []
    for h in hits:
        span = doc.char_span(h.start, h.end, label=h.code, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    if group in doc.spans:
        doc.spans[group].extend(spans)
    else:
        doc.spans[group] = spans


# --------------------------------------------------------------------------- sentences


class SentenceSegmenter:
    """Sets `token.is_sent_start` from `nlp.segment.sentence_spans`."""

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        spans = sentence_spans(_text(doc))
        doc._.a2p_sents = spans
        idx = doc.to_array([IDX]).reshape(-1).astype(numpy.int64)
        flags = numpy.where(numpy.isin(idx, numpy.fromiter((s for s, _ in spans), dtype=numpy.int64)), 1, -1)
        flags[0] = 1
        doc.from_array([SENT_START], flags.astype(numpy.uint64).reshape(-1, 1))
        return doc


@Language.factory("a2p_SentenceSegmenter_v1")
def make_sentence_segmenter(nlp: Language, name: str) -> SentenceSegmenter:
    return SentenceSegmenter()


# --------------------------------------------------------------------------- candidates


class UnitDetector:
    """Candidate units of one kind, with the status of each unit as a whole."""

    def __init__(self, kind: str, policy: FieldPolicy):
        self.kind = kind
        self.policy = policy

    def __call__(self, doc: Doc) -> Doc:
        text = _text(doc)
        units = find_units(text, _sentences(doc), self.kind, doc._.a2p_field, self.policy)
        _units(doc)[self.kind] = units
        spans = []
        for u in units:
            span = doc.char_span(
                u.start,
                u.end,
                label=status_of(text, (u.sent_start, u.sent_end), (u.start, u.end), self.kind),
                alignment_mode="expand",
            )
            if span is not None:
                spans.append(span)
        doc.spans[f"a2p_{self.kind}_units"] = spans
        return doc


_ACTION_DEFAULTS = {
    "primary_fields": ["conservation_actions"],
    "secondary_fields": ["rationale", "use_trade", ""],
    "min_words": 2,
    "max_units": 400,
}
_THREAT_DEFAULTS = {
    "primary_fields": ["threats"],
    "secondary_fields": ["rationale", ""],
    "min_words": 2,
    "max_units": 400,
}


@Language.factory("a2p_ActionDetector_v1", default_config=_ACTION_DEFAULTS)
def make_action_detector(
    nlp: Language,
    name: str,
    primary_fields: list[str],
    secondary_fields: list[str],
    min_words: int,
    max_units: int,
) -> UnitDetector:
    return UnitDetector("actions", FieldPolicy(tuple(primary_fields), tuple(secondary_fields), min_words, max_units))


@Language.factory("a2p_ThreatDetector_v1", default_config=_THREAT_DEFAULTS)
def make_threat_detector(
    nlp: Language,
    name: str,
    primary_fields: list[str],
    secondary_fields: list[str],
    min_words: int,
    max_units: int,
) -> UnitDetector:
    return UnitDetector("threats", FieldPolicy(tuple(primary_fields), tuple(secondary_fields), min_words, max_units))


# --------------------------------------------------------------------------- mapping


class CodeMapper:
    """Maps the candidate units of a kind to codes; embeds all units of a batch at once.

    The first mapper of a batch encodes the candidate units of every kind (one encoder call,
    identical sentences once); a later mapper with the same encoder settings finds them in the
    shared embedder's memo. The linear head runs once per batch on the stacked features.
    """

    def __init__(self, kind: str, model_dir: str, batch_size: int, threads: int, precision: str, workers: int = 1):
        self.kind = kind
        self.model_dir = model_dir or None
        self.batch_size = batch_size
        self.threads = threads
        self.precision = precision
        self.workers = workers
        self._model: CodeModel | None = None

    @property
    def model(self) -> CodeModel:
        if self._model is None:
            self._model = load_model(self.kind, self.model_dir)
        return self._model

    def embedder(self) -> Embedder:
        """The process-wide memoising embedder for this mapper's model and settings."""
        model = self.model
        return shared_embedder(
            model.max_seq_length, self.threads, self.batch_size, self.precision or model.precision, self.workers
        )

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in stream:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._run(batch)
                batch = []
        if batch:
            yield from self._run(batch)

    def _run(self, docs: list[Doc]) -> list[Doc]:
        jobs = [(doc, _units(doc).get(self.kind) or []) for doc in docs]
        if not any(units for _, units in jobs):
            return docs
        model = self.model
        embedder = self.embedder()
        # every kind's units in one call: ours first, the others only warm the memo (so not
        # when the memo is off)
        texts = [_text(doc) for doc in docs]  # jobs are in docs' order
        ours = [text[u.start : u.end] for text, (_, units) in zip(texts, jobs, strict=True) for u in units]
        others = (
            [
                text[u.start : u.end]
                for doc, text in zip(docs, texts, strict=True)
                for kind, units in _units(doc).items()
                if kind != self.kind
                for u in units
            ]
            if embedder.cache_size > 0
            else []
        )
        emb = embedder.encode(ours + others)[: len(ours)]
        mapped = model.map_batch([(text, units) for text, (_, units) in zip(texts, jobs, strict=True)], emb)
        for (doc, _), hits in zip(jobs, mapped, strict=True):
            if hits:
                _hits(doc).extend(hits)
                _mirror(doc, f"a2p_{self.kind}", hits)
        return docs


@Language.factory(
    "a2p_CodeMapper_v1",
    default_config={
        "kind": "actions",
        "model_dir": "",
        "batch_size": 64,
        "threads": 0,
        "precision": "",
        "workers": 0,
    },
)
def make_code_mapper(
    nlp: Language,
    name: str,
    kind: str,
    model_dir: str,
    batch_size: int,
    threads: int,
    precision: str,
    workers: int,
) -> CodeMapper:
    if kind not in ("actions", "threats"):
        raise ValueError(f"{name}: kind must be 'actions' or 'threats', not {kind!r}")
    if precision not in ("", "fp32", "bf16"):
        raise ValueError(f"{name}: precision must be '', 'fp32' or 'bf16', not {precision!r}")
    if workers < 0 or threads < 0:
        raise ValueError(f"{name}: threads and workers must be >= 0, not {threads} and {workers}")
    return CodeMapper(kind, model_dir, batch_size, threads, precision, workers)


# --------------------------------------------------------------------------- places, ex situ roles


class PlaceDetector:
    def __init__(self, fields: list[str]):
        self.fields = frozenset(fields)

    def __call__(self, doc: Doc) -> Doc:
        if doc._.a2p_field not in self.fields:
            return doc
        sents = _sentences(doc)
        hits = []
        for p in find_places(_text(doc)):
            s, e = next(((a, b) for a, b in sents if a <= p.start < b), (p.start, p.end))
            hits.append(Hit("place", p.code, p.label, "unknown", p.confidence, p.start, p.end, s, e))
        _hits(doc).extend(hits)
        _mirror(doc, "a2p_places", hits)
        return doc


_ALL_FIELDS = [
    "rationale",
    "habitat",
    "threats",
    "population",
    "range",
    "use_trade",
    "conservation_actions",
    "trend_justification",
    "",
]


@Language.factory("a2p_PlaceDetector_v1", default_config={"fields": _ALL_FIELDS})
def make_place_detector(nlp: Language, name: str, fields: list[str]) -> PlaceDetector:
    return PlaceDetector(fields)


class ExSituRoleDetector:
    def __init__(self, fields: list[str]):
        self.fields = frozenset(fields)

    def __call__(self, doc: Doc) -> Doc:
        if doc._.a2p_field not in self.fields:
            return doc
        hits = []
        text = _text(doc)
        for s, e in _sentences(doc):
            for r in find_roles(text, s, e):
                status = status_of(text, (s, e), (r.start, r.end), "actions")
                hits.append(Hit("exsitu_role", r.code, r.label, status, r.confidence, r.start, r.end, s, e))
        _hits(doc).extend(hits)
        _mirror(doc, "a2p_exsitu", hits)
        return doc


@Language.factory(
    "a2p_ExSituRoleDetector_v1",
    default_config={
        "fields": [
            "conservation_actions",
            "rationale",
            "use_trade",
            "threats",
            "population",
            "range",
            "",
        ]
    },
)
def make_exsitu_detector(nlp: Language, name: str, fields: list[str]) -> ExSituRoleDetector:
    return ExSituRoleDetector(fields)
