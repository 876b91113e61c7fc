"""nlp.baselines — the two reference mappers the trained model is compared with.

(a) keyword: a code is predicted when one of its scheme labels occurs verbatim (case-
    insensitive, word-bounded) in the kind's fields: the full label and, for labels joined
    with "/", "&" or ",", each part of two words or more ("Captive breeding/artificial
    propagation" → "captive breeding", "artificial propagation"). No status, no threshold.
(b) zero-shot: the candidate units and statuses of the pipeline, each unit mapped to every
    code whose description (label + definition + examples, `nlp.codes`) has a cosine
    similarity ≥ τ with it; τ is tuned on the validation split at training time.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

from nlp.codes import code_space

__all__ = ["keyword_codes", "zero_shot_codes"]


@cache
def _label_patterns(kind: str) -> list[tuple[str, re.Pattern[str]]]:
    space = code_space(kind)
    out = []
    for code in space.codes:
        label = space.label(code)
        forms = {label.lower()}
        for part in re.split(r"/|&|,", label):
            part = part.strip().lower()
            if len(part.split()) >= 2:
                forms.add(part)
        rx = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + r")(?!\w)",
            re.IGNORECASE,
        )
        out.append((code, rx))
    return out


def keyword_codes(kind: str, texts: list[str]) -> set[str]:
    """Codes whose labels occur in any of `texts` (plain text)."""
    found: set[str] = set()
    for code, rx in _label_patterns(kind):
        if any(rx.search(t) for t in texts):
            found.add(code)
    return found


def zero_shot_codes(sims: np.ndarray, codes: list[str], tau: float, allowed: np.ndarray | None = None) -> set[str]:
    """Codes with a unit whose similarity reaches tau; sims is (units, codes), allowed masks it."""
    if sims.size == 0:
        return set()
    ok = sims >= tau
    if allowed is not None:
        ok &= allowed
    return {codes[j] for j in np.flatnonzero(ok.any(axis=0))}
