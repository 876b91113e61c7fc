"""nlp.metrics — assessment-level precision, recall and F1 of predicted against coded code sets,
rolled up to a scheme level (micro over all assessment×code decisions, macro over codes).
Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping

from kg.schemes import Scheme
from nlp.codes import rollup

__all__ = ["prf", "score_sets"]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score_sets(
    gold: Mapping[str, frozenset[str] | set[str]],
    pred: Mapping[str, frozenset[str] | set[str]],
    scheme: Scheme,
    level: int,
) -> dict:
    """Figures over the assessments in `gold` (a missing prediction is an empty set).

    Returns micro and macro precision/recall/F1, per-code figures (support = coded
    assessments, predicted = assessments predicted) and the number of assessments. Macro
    averages over the codes that are coded or predicted at least once.
    """
    counts: dict[str, list[int]] = {}  # code -> [tp, fp, fn]
    for aid, g in gold.items():
        gs = rollup(scheme, set(g), level)
        ps = rollup(scheme, set(pred.get(aid, ())), level)
        for c in gs | ps:
            row = counts.setdefault(c, [0, 0, 0])
            if c in gs and c in ps:
                row[0] += 1
            elif c in ps:
                row[1] += 1
            else:
                row[2] += 1
    tp = sum(r[0] for r in counts.values())
    fp = sum(r[1] for r in counts.values())
    fn = sum(r[2] for r in counts.values())
    mp, mr, mf = prf(tp, fp, fn)
    per_code = {}
    for c in sorted(counts, key=lambda c: tuple(int(x) for x in c.split(".") if x.isdigit())):
        t, f_, n = counts[c]
        p, r, f = prf(t, f_, n)
        per_code[c] = {
            "label": scheme.concepts[c].label if c in scheme.concepts else c,
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "support": t + n,
            "predicted": t + f_,
        }
    k = len(per_code)
    return {
        "level": level,
        "n_assessments": len(gold),
        "micro": {
            "precision": round(mp, 4),
            "recall": round(mr, 4),
            "f1": round(mf, 4),
            "tp": tp,
            "fp": fp,
            "fn": fn,
        },
        "macro": {
            "precision": round(sum(v["precision"] for v in per_code.values()) / k, 4) if k else 0.0,
            "recall": round(sum(v["recall"] for v in per_code.values()) / k, 4) if k else 0.0,
            "f1": round(sum(v["f1"] for v in per_code.values()) / k, 4) if k else 0.0,
        },
        "per_code": per_code,
    }
