"""nlp — narrative text → suggested IUCN codes with evidence (actions, threats, places, roles).

Public API (imported lazily, so `import nlp` stays cheap and loads no model):

    nlp.extract(text, field="") -> list[Mention]
    nlp.extract_assessment(assessment) -> list[Mention]
    nlp.extract_many(assessments, batch_size=64, progress=False) -> Iterator[Mention]
    nlp.train.train(kind, export_dirs, out_dir, seed) -> Path
    nlp.evaluate.evaluate(kind, export_dir, model_dir=None) -> dict

The pipeline itself lives in `nlp.pipeline` (a module named `nlp.extract` would shadow the
`nlp.extract` function).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["InputTooLargeError", "extract", "extract_assessment", "extract_many"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("nlp.pipeline"), name)
    raise AttributeError(f"module 'nlp' has no attribute {name!r}")
