"""nlp.pipeline — narrative text → `Mention` records (actions, threats, places, ex situ roles).

The public entry points (re-exported by `nlp`):

    extract(text, field="")            one text (HTML allowed) → list[Mention]
    extract_assessment(assessment)     every narrative field of a kg.records.Assessment
    extract_many(assessments, ...)     many assessments, batched through the pipeline

Markup is stripped first (`nlp.markup`) and every span is mapped back to offsets in the
ORIGINAL text. Texts over `max_chars` raise `InputTooLargeError` (or are skipped, with a warning,
by `extract_many`); empty text gives []; text that is not English gives [] plus a logged note.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.util import load_config, load_model_from_config
from tqdm import tqdm

import nlp.components  # noqa: F401  (registers the factories)
from kg.records import NARRATIVE_FIELDS, Assessment, Mention
from nlp.markup import Stripped, strip_markup
from nlp.model import Hit

__all__ = [
    "Extractor",
    "InputTooLargeError",
    "extract",
    "extract_assessment",
    "extract_many",
    "extract_source",
    "get_extractor",
]

log = logging.getLogger(__name__)

CONFIG = Path(__file__).resolve().parent / "configs" / "extract.cfg"
RULE_MODELS = {"place": "a2p_PlaceDetector/v1", "exsitu_role": "a2p_ExSituRoleDetector/v1"}
MAPPERS = {"action_mapper": "actions", "threat_mapper": "threats"}

_WORDS = re.compile(r"[^\W\d_]+")
_ENGLISH = frozenset(
    """the of and in to is are a an for it its this by with from on as be has have that was were
    not or at which there these species also been may other than their population habitat found
    known threats range""".split()
)


class InputTooLargeError(ValueError):
    """A text longer than the configured limit (`[a2p] max_chars` in nlp/configs/extract.cfg)."""


@dataclass
class _Item:
    key: int
    field: str
    stripped: Stripped


def looks_english(text: str, min_words: int = 12, min_share: float = 0.05) -> bool:
    """False only for texts long enough to judge whose words are hardly ever common English."""
    words = _WORDS.findall(text[:20_000].lower())
    if len(words) < min_words:
        return True
    share = sum(w in _ENGLISH for w in words) / len(words)
    return share >= min_share


class Extractor:
    """A built pipeline plus the settings around it (limits, language check, model names)."""

    def __init__(
        self,
        config_path: str | Path = CONFIG,
        model_dir: str | Path | None = None,
        disable: Iterable[str] = (),
    ):
        overrides = {}
        cfg = load_config(config_path)
        if model_dir:
            for name in MAPPERS:
                if name in cfg["components"]:
                    overrides[f"components.{name}.model_dir"] = str(model_dir)
            cfg = load_config(config_path, overrides=overrides)
        self.settings = dict(cfg.get("a2p", {}))
        self.max_chars = int(self.settings.get("max_chars", 300_000))
        self.pipeline: Language = load_model_from_config(cfg, auto_fill=True, validate=True)
        for name in disable:
            if name in self.pipeline.pipe_names:
                self.pipeline.disable_pipe(name)

    def model_ids(self) -> dict[str, str]:
        """Mention kind -> "<name>/<version>" of what produces it (loads the mapper models)."""
        out = dict(RULE_MODELS)
        for name, kind in MAPPERS.items():
            if name in self.pipeline.pipe_names:
                out["action" if kind == "actions" else "threat"] = self.pipeline.get_pipe(name).model.ident
        return out

    def remember(self, vectors: Mapping[str, Any]) -> None:
        """Seed the code mappers' encoder memo with vectors made by another process's extractor
        of the same models (`nlp.pool`), so asking for those texts here encodes nothing."""
        embedders = {}
        for name in MAPPERS:
            if name in self.pipeline.pipe_names:
                e = self.pipeline.get_pipe(name).embedder()
                embedders[id(e)] = e
        for e in embedders.values():
            e.remember(vectors)

    def _prepare(self, key: int, field: str, text: str, on_too_large: str) -> _Item | None:
        if text is None:
            return None
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        if len(text) > self.max_chars:
            msg = f"text of {len(text):,} characters is over the limit of {self.max_chars:,} ([a2p] max_chars)"
            if on_too_large == "raise":
                raise InputTooLargeError(msg)
            log.warning("skipped field %r: %s", field, msg)
            return None
        if not text.strip():
            return None
        stripped = strip_markup(text)
        if not stripped.text.strip():
            return None
        if not looks_english(
            stripped.text,
            int(self.settings.get("english_min_words", 12)),
            float(self.settings.get("english_min_share", 0.05)),
        ):
            log.info("skipped field %r: the text does not look like English", field)
            return None
        return _Item(key, field, stripped)

    def run(
        self,
        items: Iterable[tuple[int, str, str]],
        batch_size: int = 256,
        on_too_large: str = "raise",
    ) -> Iterator[tuple[int, str, Stripped, list[Hit]]]:
        """(key, field, text) → (key, field, stripped, hits), in input order."""
        prepared = (p for k, f, t in items if (p := self._prepare(k, f, t, on_too_large)) is not None)

        def docs() -> Iterator:
            for item in prepared:
                doc = self.pipeline.make_doc(item.stripped.text)
                doc._.a2p_field = item.field
                doc._.a2p_text = item.stripped.text
                doc.user_data["a2p_item"] = item
                yield doc

        for doc in self.pipeline.pipe(docs(), batch_size=batch_size):
            item: _Item = doc.user_data.pop("a2p_item")
            yield item.key, item.field, item.stripped, list(doc._.a2p_hits or [])

    def mentions(self, stripped: Stripped, field: str, hits: list[Hit], assessment_id: str = "") -> list[Mention]:
        ids = self.model_ids()
        best: dict[tuple, Hit] = {}
        for h in hits:
            k = (h.kind, h.code, h.start, h.end)
            if k not in best or h.confidence > best[k].confidence:
                best[k] = h
        out = []
        for h in sorted(best.values(), key=lambda h: (h.start, h.end, h.kind, h.code)):
            start, end = stripped.original_span(h.start, h.end)
            out.append(
                Mention(
                    kind=h.kind,
                    code=h.code,
                    label=h.label,
                    status=h.status,
                    confidence=h.confidence,
                    field=field,
                    start=start,
                    end=end,
                    sentence=stripped.text[h.sent_start : h.sent_end],
                    assessment_id=assessment_id,
                    model=ids.get(h.kind, ""),
                )
            )
        return out


@cache
def get_extractor(model_dir: str | None = None, config_path: str | None = None) -> Extractor:
    """The process-wide extractor for a model folder (None: $A2P_MODEL_DIR or models/)."""
    return Extractor(config_path or CONFIG, model_dir)


def extract(text: str, field: str = "", *, model_dir: str | Path | None = None) -> list[Mention]:
    """Mentions in one text; `field` is the narrative field it comes from ("" for free text)."""
    if field and field not in NARRATIVE_FIELDS:
        raise ValueError(f"unknown narrative field {field!r} (expected one of {', '.join(NARRATIVE_FIELDS)} or '')")
    ex = get_extractor(str(model_dir) if model_dir else None)
    out: list[Mention] = []
    for _, f, stripped, hits in ex.run([(0, field, text)], on_too_large="raise"):
        out.extend(ex.mentions(stripped, f, hits))
    return out


def extract_assessment(assessment: Assessment, *, model_dir: str | Path | None = None) -> list[Mention]:
    """Mentions in every narrative field of an assessment, with assessment_id and model set."""
    return list(extract_many([assessment], model_dir=model_dir))


def extract_many(
    assessments: Iterable[Assessment],
    batch_size: int = 64,
    progress: bool = False,
    *,
    model_dir: str | Path | None = None,
) -> Iterator[Mention]:
    """Mentions of many assessments, batched: `batch_size` assessments go through the pipeline
    (and the sentence encoder) together. Oversized fields are skipped with a warning."""
    ex = get_extractor(str(model_dir) if model_dir else None)
    order = {f: i for i, f in enumerate(NARRATIVE_FIELDS)}
    bar = tqdm(desc="extract", unit="assessment", disable=not progress)
    batch: list[Assessment] = []

    def flush(batch: list[Assessment]) -> Iterator[Mention]:
        items = [
            (i, f, a.texts[f])
            for i, a in enumerate(batch)
            for f in sorted(a.texts, key=lambda f: order.get(f, len(order)))
        ]
        for i, f, stripped, hits in ex.run(items, batch_size=max(64, batch_size * 8), on_too_large="skip"):
            yield from ex.mentions(stripped, f, hits, batch[i].assessment_id)
        bar.update(len(batch))

    try:
        for a in assessments:
            batch.append(a)
            if len(batch) >= batch_size:
                yield from flush(batch)
                batch = []
        if batch:
            yield from flush(batch)
    finally:
        bar.close()


def extract_source(
    source: str, field: str = "", *, model_dir: str | Path | None = None, progress: bool = False
) -> Iterator[Mention]:
    """Mentions from what the CLI is given: "-" (text on stdin), a text file, or a Red List
    download / API v4 JSON (every narrative field of every assessment, via kg.ingest)."""
    import sys

    from kg.ingest import read_source

    if source == "-":
        yield from extract(sys.stdin.read(), field, model_dir=model_dir)
        return
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"{source}: no such file or folder")
    if path.is_dir() or path.suffix.lower() in (".zip", ".json"):
        bundle = read_source(path)
        yield from extract_many(bundle.assessments, progress=progress, model_dir=model_dir)
        return
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{source}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})") from exc
    yield from extract(text, field, model_dir=model_dir)
