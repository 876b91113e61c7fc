"""nlp.evaluate — extraction from an export's narrative text against its coded tables.

For each assessment that has coded actions (or threats), three systems suggest a code set
from the text, compared at scheme level 1 and 2 (micro and macro P/R/F1, per code):

    keyword    scheme labels found verbatim (nlp.baselines)
    zero-shot  cosine of candidate units to code descriptions, τ from the model's validation
    model      the extraction pipeline (`nlp.extract`) with the trained mapper: codes of the
               mentions whose status the model counts (e.g. needed/unknown for actions)

`split` keeps only the species of one split of the fixed hash split (`nlp.corpus.split_of`);
"all" (default) scores everything given, e.g. a held-out export.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from nlp.baselines import keyword_codes, zero_shot_codes
from nlp.codes import code_space
from nlp.corpus import KINDS, Doc, load_corpus
from nlp.dataset import build_units
from nlp.markup import strip_markup
from nlp.metrics import score_sets
from nlp.model import CodeModel, load_model
from nlp.pipeline import MAPPERS, Extractor
from nlp.units import DEFAULT_POLICIES

__all__ = ["evaluate", "evaluate_docs", "format_report"]

SPLITS = ("all", "train", "val", "test")
MENTION_KIND = {"actions": "action", "threats": "threat"}


def evaluate(
    kind: str,
    export_dir: str | Path,
    model_dir: str | Path | None = None,
    split: str = "all",
    progress: bool = False,
) -> dict:
    """Score the three systems on the assessments of `export_dir` that have coded `kind`."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (expected one of {', '.join(SPLITS)})")
    docs = [d for d in load_corpus([export_dir]) if d.labels.get(kind)]
    if split != "all":
        docs = [d for d in docs if d.split == split]
    if not docs:
        raise ValueError(f"{export_dir}: no assessment with coded {kind} (split {split})")
    model = load_model(kind, model_dir)
    result = evaluate_docs(kind, docs, model.path, progress=progress)
    result["export"] = str(export_dir)
    result["split"] = split
    seen = model.config.get("split", {}).get("assessments", {})
    result["note"] = (
        "split 'all' includes species the model was trained on if it was trained on this data"
        if split == "all" and seen
        else ""
    )
    return result


def evaluate_docs(kind: str, docs: list[Doc], model_dir: str | Path, progress: bool = False) -> dict:
    model: CodeModel = load_model(kind, model_dir)
    space = code_space(kind)
    policy = DEFAULT_POLICIES[kind]
    gold = {str(i): frozenset(d.labels[kind] or ()) for i, d in enumerate(docs)}

    # (c) the pipeline itself
    other = [n for n, k in MAPPERS.items() if k != kind]
    detector = {"actions": "threats", "threats": "actions"}[kind]
    ex = Extractor(model_dir=model.path, disable=[*other, detector, "places", "exsitu"])
    items = [(i, f, t) for i, d in enumerate(docs) for f, t in d.texts.items() if policy.mode(f) is not None]
    pred_model: dict[str, set[str]] = {k: set() for k in gold}
    want = MENTION_KIND[kind]
    for i, _field, _stripped, hits in ex.run(items, on_too_large="skip"):
        for h in hits:
            if h.kind == want and h.status in model.count_statuses:
                pred_model[str(i)].add(h.code)

    # (a) keyword baseline on the same fields
    pred_kw = {
        str(i): keyword_codes(kind, [strip_markup(t).text for f, t in d.texts.items() if policy.mode(f) is not None])
        for i, d in enumerate(docs)
    }

    # (b) zero-shot baseline on the same candidate units
    mapper = next(n for n, k in MAPPERS.items() if k == kind)
    embedder = ex.pipeline.get_pipe(mapper).embedder()  # the model's embeddings are memoised there
    table = build_units(docs, kind, embedder, progress=progress)
    codes = list(model.codes)
    tau = float(model.config.get("zero_shot_threshold", 0.5))
    sims = table.emb @ model.desc_emb.T if len(table) else np.zeros((0, len(codes)))
    ok = np.array([s in model.count_statuses for s in table.unit_status], dtype=bool)
    pred_zs: dict[str, set[str]] = {}
    for i in range(len(docs)):
        rows = table.rows_of(i)
        rows = rows[ok[rows]] if rows.size else rows
        pred_zs[str(i)] = zero_shot_codes(sims[rows], codes, tau)

    systems = {}
    for name, pred in (("keyword", pred_kw), ("zero-shot", pred_zs), ("model", pred_model)):
        systems[name] = {
            "level1": score_sets(gold, pred, space.scheme, 1),
            "level2": score_sets(gold, pred, space.scheme, 2),
        }
    by_source = {}
    for src in sorted({d.source for d in docs}):
        keys = [str(i) for i, d in enumerate(docs) if d.source == src]
        g = {k: gold[k] for k in keys}
        by_source[src] = {
            "n_assessments": len(keys),
            **{
                name: score_sets(g, pred, space.scheme, 2)["micro"]["f1"]
                for name, pred in (
                    ("keyword", pred_kw),
                    ("zero-shot", pred_zs),
                    ("model", pred_model),
                )
            },
        }
    return {
        "kind": kind,
        "model": model.ident,
        "model_dir": str(model.path),
        "n_assessments": len(docs),
        "label_sources": dict(Counter(d.label_source.get(kind, "") for d in docs)),
        "count_statuses": sorted(model.count_statuses),
        "zero_shot_threshold": tau,
        "systems": systems,
        "by_source_micro_f1_level2": by_source,
    }


def format_report(result: dict, per_code: bool = True) -> str:
    """Plain-text report; its last line is `micro-F1 level-2: X.XXX` of the model."""
    lines = [
        f"{result['kind']}: {result['n_assessments']} assessments"
        + (f" from {result['export']}" if result.get("export") else "")
        + (f" (split {result['split']})" if result.get("split") else "")
        + f"; model {result['model']}",
        f"statuses counted: {', '.join(result['count_statuses'])}; zero-shot tau {result['zero_shot_threshold']}",
        "",
        f"{'system':<10} {'level':<5} "
        + " ".join(f"{h:>8}" for h in ("micro-P", "micro-R", "micro-F1", "macro-P", "macro-R", "macro-F1")),
    ]
    for name, res in result["systems"].items():
        for lvl in ("level1", "level2"):
            r = res[lvl]
            lines.append(
                f"{name:<10} {lvl[-1]:<5} "
                + " ".join(f"{r[avg][m]:>8.3f}" for avg in ("micro", "macro") for m in ("precision", "recall", "f1"))
            )
    if result.get("by_source_micro_f1_level2"):
        lines += ["", "micro-F1 level-2 by source:"]
        for src, row in result["by_source_micro_f1_level2"].items():
            lines.append(
                f"  {src:<40} n={row['n_assessments']:<4} keyword {row['keyword']:.3f}  "
                f"zero-shot {row['zero-shot']:.3f}  model {row['model']:.3f}"
            )
    if per_code:
        lines += [
            "",
            "model, per code (level 2):",
            f"  {'code':<6} {'P':>6} {'R':>6} {'F1':>6} {'coded':>6} {'pred':>6}  label",
        ]
        for code, r in result["systems"]["model"]["level2"]["per_code"].items():
            lines.append(
                f"  {code:<6} {r['precision']:>6.3f} {r['recall']:>6.3f} {r['f1']:>6.3f} "
                f"{r['support']:>6} {r['predicted']:>6}  {r['label']}"
            )
    if result.get("note"):
        lines += ["", f"note: {result['note']}"]
    lines.append(f"micro-F1 level-2: {result['systems']['model']['level2']['micro']['f1']:.3f}")
    return "\n".join(lines)
