"""nlp.train — fit an action or threat mapper from narrative text paired with coded tables.

The only code that writes a model folder: <out_dir>/<kind>/<version>/ with config.json,
weights.npz, metrics.json and MODEL_CARD.md (see `nlp.model`).

Method (settings in nlp/configs/train.cfg):

1. Documents: every labelled assessment under the given folders (`nlp.corpus`), split by
   species with a fixed hash of the taxon id: 60% train, 20% validation, 20% test.
2. Candidate units (sentences/clauses) of the kind's fields, embedded once
   (all-MiniLM-L6-v2); features = embedding + lexicon indicators + cosine to each code's
   public description (`nlp.classify.unit_features`).
3. Seed model: one logistic regression per code on the public scheme texts (labels,
   definitions, examples) and, when the data has them, the notes written next to coded actions.
4. Multiple-instance rounds: the coded codes of an assessment are known, but not which
   sentence supports them. In each assessment the units scoring highest for a coded code
   (≥ max(pos_floor, pos_rel × best)) become its positives; every unit of an assessment where
   the code is not coded is a negative (for actions, except units stating what is already in
   place or negated — those describe the action, not the need). Identical sentences (template
   text) are merged with weight √count; every source weighs the same in total.
5. Calibration on the validation split, through the same decision the pipeline makes: which
   statuses count, a global threshold, per-code thresholds shrunk towards it; the zero-shot
   baseline's similarity threshold is tuned there too. The test split is only reported.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from pathlib import Path

import numpy as np
from spacy.util import load_config
from tqdm import tqdm

from nlp.baselines import zero_shot_codes
from nlp.card import model_card
from nlp.classify import MultiLabelLinear, unit_features
from nlp.codes import SCHEME_VERSION, CodeSpace, code_space, rollup
from nlp.corpus import KINDS, SPLIT_BOUNDS, SPLIT_SALT, Doc, is_synthetic, load_corpus
from nlp.dataset import UnitTable, build_units
from nlp.embed import encoder_info, shared_embedder
from nlp.lexicon import fingerprint, lexicon
from nlp.markup import strip_markup
from nlp.model import CodeModel

__all__ = ["TrainingDataError", "is_synthetic", "train"]

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
TRAIN_CFG = Path(__file__).resolve().parent / "configs" / "train.cfg"


class TrainingDataError(ValueError):
    """The given folders do not hold enough labelled text to train on."""


# --------------------------------------------------------------------------- training rows


def _seed_rows(space: CodeSpace, weight: float) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Public scheme texts as rows: (texts, y, w) over space.codes; negatives only between peers."""
    codes = list(space.codes)
    idx = {c: i for i, c in enumerate(codes)}
    positives: dict[str, set[str]] = {}
    for c in codes:
        for t in space.seed_texts(c):
            positives.setdefault(t, set()).update([c, space.parent.get(c, c)])
    texts = list(positives)
    y = np.zeros((len(texts), len(codes)), dtype=np.int8)
    w = np.zeros((len(texts), len(codes)))
    for r, t in enumerate(texts):
        pos = positives[t]
        for c in pos:
            y[r, idx[c]] = 1
            w[r, idx[c]] = weight
        for c in space.level2:
            if c not in pos:
                w[r, idx[c]] = weight  # negative for every other level-2 code
        for c in space.level3:  # negative for siblings of a positive child
            if c not in pos and space.parent[c] in pos and any(p in pos for p in space.children(space.parent[c])):
                w[r, idx[c]] = weight
    return texts, y, w


def _note_rows(docs: list[Doc], kind: str, space: CodeSpace, weight: float) -> tuple[list[str], np.ndarray, np.ndarray]:
    idx = {c: i for i, c in enumerate(space.codes)}
    texts: list[str] = []
    rows: list[tuple[np.ndarray, np.ndarray]] = []
    for d in docs:
        for code, note in d.notes.get(kind, []):
            text = " ".join(strip_markup(note).text.split())
            if len(text.split()) < 3 or code not in idx and space.parent.get(code) is None:
                continue
            y = np.zeros(len(space.codes), dtype=np.int8)
            w = np.zeros(len(space.codes))
            for c in {code, space.parent.get(code, code)}:
                if c in idx:
                    y[idx[c]] = 1
                    w[idx[c]] = weight
            texts.append(text)
            rows.append((y, w))
    if not rows:
        return [], np.zeros((0, len(space.codes)), dtype=np.int8), np.zeros((0, len(space.codes)))
    return texts, np.stack([r[0] for r in rows]), np.stack([r[1] for r in rows])


def _gold(space: CodeSpace, codes: frozenset[str]) -> tuple[set[str], set[str]]:
    """(level-2 codes, level-3 codes) of a coded set."""
    g2 = rollup(space.scheme, set(codes), 2) | {c for c in codes if c in space.level2}
    g3 = {c for c in codes if c in space.parent}
    return g2, g3


def _source_weights(docs: list[Doc]) -> dict[str, float]:
    n = Counter(d.source for d in docs)
    total = sum(n.values())
    return {s: total / (len(n) * k) for s, k in n.items()}


def _weak_labels(
    probs: np.ndarray, table: UnitTable, docs: list[Doc], space: CodeSpace, params: dict
) -> tuple[np.ndarray, np.ndarray]:
    """Per-unit positive and negative weights (n_units, n_codes) from assessment-level codes."""
    kind = space.kind
    idx = {c: i for i, c in enumerate(space.codes)}
    pos = np.zeros(probs.shape)
    neg = np.zeros(probs.shape)
    src_w = _source_weights(docs)
    no_neg = {"in_place", "negated"} if kind == "actions" else {"negated"}
    floor, rel = float(params["pos_floor"]), float(params["pos_rel"])
    boost = float(params["cue_boost"])
    for d_i, doc in enumerate(docs):
        rows = table.rows_of(d_i)
        if not rows.size:
            continue
        g2, g3 = _gold(space, doc.labels[kind] or frozenset())
        w = src_w[doc.source]
        ok_pos = np.array([r for r in rows if table.unit_status[r] != "negated"], dtype=np.int64)
        ok_neg = np.array([r for r in rows if table.unit_status[r] not in no_neg], dtype=np.int64)
        for c in space.level2:
            j = idx[c]
            if c not in g2:
                if ok_neg.size:
                    neg[ok_neg, j] += w
                continue
            if not ok_pos.size:
                continue
            cued = [any(k == c or space.parent.get(k) == c for k in table.cues(r)) for r in ok_pos]
            scores = probs[ok_pos, j] + boost * np.array(cued, dtype=float)
            top = scores.max()
            if top < floor:
                continue
            sel = ok_pos[scores >= max(floor, rel * top)]
            pos[sel, j] += w
            kids = space.children(c)
            if any(k in g3 for k in kids):
                for k in kids:
                    (pos if k in g3 else neg)[sel, idx[k]] += w
    return pos, neg


def _assemble(
    table: UnitTable,
    feats: np.ndarray,
    pos: np.ndarray,
    neg: np.ndarray,
    extra: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge identical unit texts (weight / √count), add seed and note rows; (x, y, w)."""
    first: dict[str, int] = {}
    groups: list[list[int]] = []
    for i, t in enumerate(table.texts):
        key = " ".join(t.lower().split())
        if key not in first:
            first[key] = len(groups)
            groups.append([])
        groups[first[key]].append(i)
    n_u = len(groups)
    k = pos.shape[1]
    feats_u = np.zeros((n_u, feats.shape[1]), dtype=np.float32)
    pos_u = np.zeros((n_u, k))
    neg_u = np.zeros((n_u, k))
    for g, members in enumerate(groups):
        feats_u[g] = feats[members[0]]
        damp = 1.0 / np.sqrt(len(members))
        pos_u[g] = pos[members].sum(axis=0) * damp
        neg_u[g] = neg[members].sum(axis=0) * damp
    xs = [feats_u, feats_u] + [e[0] for e in extra]
    ys = [np.ones((n_u, k), dtype=np.int8), np.zeros((n_u, k), dtype=np.int8)] + [e[1] for e in extra]
    ws = [pos_u, neg_u] + [e[2] for e in extra]
    return np.vstack(xs), np.vstack(ys), np.vstack(ws)


# --------------------------------------------------------------------------- calibration


def _doc_hits(model: CodeModel, table: UnitTable, n_docs: int) -> list[list[tuple[str, str, float]]]:
    """Per document, (level-2 code, status, confidence) of every hit the pipeline would emit."""
    out: list[list[tuple[str, str, float]]] = [[] for _ in range(n_docs)]
    if not len(table):
        return out
    by_plain: dict[tuple[int, int], list[int]] = {}
    for i in range(len(table)):
        by_plain.setdefault((int(table.doc_of[i]), id(table.plains[i])), []).append(i)
    for (d_i, _), rows in by_plain.items():
        plain = table.plains[rows[0]]
        hits = model.map_units(plain, [table.units[i] for i in rows], table.emb[rows])
        for h in hits:
            out[d_i].append((model.space.parent.get(h.code, h.code), h.status, h.confidence))
    return out


def _calibrate(
    model: CodeModel,
    table: UnitTable,
    docs: list[Doc],
    status_options: list[list[str]],
    params: dict,
) -> dict:
    space, kind = model.space, model.kind
    grid = [float(x) for x in params["threshold_grid"]]
    hits = _doc_hits(model, table, len(docs))
    gold = [_gold(space, d.labels[kind] or frozenset())[0] for d in docs]

    def scores(statuses: frozenset[str]) -> list[dict[str, float]]:
        out = []
        for dh in hits:
            best: dict[str, float] = {}
            for code, status, conf in dh:
                if status in statuses and conf > best.get(code, 0.0):
                    best[code] = conf
            out.append(best)
        return out

    def micro(sc: list[dict[str, float]], th: dict[str, float] | float) -> tuple[float, int, int, int]:
        tp = fp = fn = 0
        for g, s in zip(gold, sc, strict=True):
            p = {c for c, v in s.items() if v >= (th if isinstance(th, float) else th.get(c, 0.5))}
            tp += len(p & g)
            fp += len(p - g)
            fn += len(g - p)
        f = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        return f, tp, fp, fn

    best = None
    for opt in status_options:
        st = frozenset(opt)
        sc = scores(st)
        for t in grid:
            f = micro(sc, t)[0]
            if best is None or f > best[0] + 1e-9:
                best = (f, st, t, sc)
    assert best is not None
    f_global, statuses, t_global, sc = best
    shrink = float(params["shrink"])
    thresholds: dict[str, float] = {}
    for c in space.level2:
        rows = []
        for t in grid:
            tp = fp = fn = 0
            for g, s in zip(gold, sc, strict=True):
                p = s.get(c, 0.0) >= t
                tp += int(p and c in g)
                fp += int(p and c not in g)
                fn += int(not p and c in g)
            f = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            rows.append((f, -(fp + fn), t))
        f_c, _, t_c = max(rows)
        n_c = sum(1 for g, s in zip(gold, sc, strict=True) if c in g or s.get(c, 0.0) >= t_global)
        thresholds[c] = round((n_c * t_c + shrink * t_global) / (n_c + shrink), 4)
    f_final = micro(sc, thresholds)[0]
    if f_final < f_global:  # per-code thresholds must not hurt on the split they were fit on
        thresholds = dict.fromkeys(space.level2, t_global)
        f_final = f_global
    return {
        "count_statuses": sorted(statuses),
        "global_threshold": t_global,
        "thresholds": thresholds,
        "val_micro_f1_l2_global": round(f_global, 4),
        "val_micro_f1_l2": round(f_final, 4),
    }


def _tune_zero_shot(
    table: UnitTable,
    docs: list[Doc],
    space: CodeSpace,
    desc_emb: np.ndarray,
    statuses: frozenset[str],
    grid: list[float],
) -> float:
    kind = space.kind
    codes = list(space.codes)
    sims = table.emb @ desc_emb.T if len(table) else np.zeros((0, len(codes)))
    allowed_rows = np.array([s in statuses for s in table.unit_status], dtype=bool)
    best = (-1.0, grid[0])
    for tau in grid:
        tp = fp = fn = 0
        for d_i, d in enumerate(docs):
            rows = table.rows_of(d_i)
            rows = rows[allowed_rows[rows]] if rows.size else rows
            pred = rollup(space.scheme, zero_shot_codes(sims[rows], codes, tau), 2)
            g = _gold(space, d.labels[kind] or frozenset())[0]
            tp += len(pred & g)
            fp += len(pred - g)
            fn += len(g - pred)
        f = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f > best[0] + 1e-9:
            best = (f, tau)
    return best[1]


# --------------------------------------------------------------------------- entry point


def train(
    kind: str,
    export_dirs: list[str | Path] | str | Path,
    out_dir: str | Path,
    seed: int = 0,
    *,
    version: str | None = None,
    config_path: str | Path | None = None,
    progress: bool = True,
    allow_real_data_in_repo: bool = False,
) -> Path:
    """Train the `kind` mapper ("actions" or "threats") on every labelled document under
    `export_dirs`; write <out_dir>/<kind>/<version>/ and return that folder.

    Refuses to write a model trained on anything but synthetic downloads (folders with
    README_SYNTHETIC.txt, made by kg.synth) into the repository's models/ folder unless
    `allow_real_data_in_repo`: Red List data and its derivatives may not be redistributed."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
    if isinstance(export_dirs, (str, Path)):
        export_dirs = [export_dirs]
    paths = [Path(p) for p in export_dirs]
    for p in paths:
        if not p.exists():
            raise FileNotFoundError(f"{p}: no such file or folder")
    synthetic = all(is_synthetic(p) for p in paths)
    repo_models = (ROOT / "models").resolve()
    target = Path(out_dir).resolve()
    if not synthetic and not allow_real_data_in_repo and (target == repo_models or repo_models in target.parents):
        raise ValueError(
            f"refusing to write a model trained on non-synthetic data into {repo_models} "
            "(it would be committed); "
            "use --out var/models (git-ignored) or pass --allow-real-data-in-repo"
        )
    cfg = load_config(config_path or TRAIN_CFG)
    params = dict(cfg["train"])
    enc = dict(cfg["encoder"])
    version = version or str(params["version"])
    np.random.seed(seed)
    started = time.time()

    space = code_space(kind)
    codes = list(space.codes)
    docs = [d for d in load_corpus(paths) if d.labels.get(kind)]
    splits = {s: [d for d in docs if d.split == s] for s in ("train", "val", "test")}
    if len(splits["train"]) < 5 or len(splits["val"]) < 2:
        raise TrainingDataError(
            f"{kind}: {len(splits['train'])} training and {len(splits['val'])} validation "
            "assessments with coded "
            f"{kind} under {', '.join(map(str, paths))}; need at least 5 and 2"
        )
    log.info("%s: %s assessments", kind, {s: len(v) for s, v in splits.items()})

    # the process-wide embedder: the evaluation below then finds validation and test units cached
    embedder = shared_embedder(
        int(enc["max_seq_length"]),
        int(enc["threads"]),
        int(enc["batch_size"]),
        str(enc.get("precision", "fp32")),
    )
    desc_emb = embedder.encode([space.description(c) for c in codes])
    tables = {}
    for s in ("train", "val"):
        tables[s] = build_units(splits[s], kind, embedder, progress=progress)
    seed_texts, seed_y, seed_w = _seed_rows(space, float(params["seed_weight"]))
    note_texts, note_y, note_w = _note_rows(splits["train"], kind, space, float(params["note_weight"]))
    extra_texts = seed_texts + note_texts
    feats_extra = unit_features(kind, extra_texts, embedder.encode(extra_texts), desc_emb)
    y_extra = np.vstack([seed_y, note_y])
    w_extra = np.vstack([seed_w, note_w])
    tr = tables["train"]
    feats_tr = unit_features(kind, tr.texts, tr.emb, desc_emb)

    def fit(x, y, w) -> MultiLabelLinear:
        return MultiLabelLinear(C=float(params["C"]), random_state=seed).fit(x, y, sample_weight=w, mask=w > 0)

    clf = fit(feats_extra, y_extra, w_extra)
    rounds = int(params["iterations"])
    for _ in tqdm(range(rounds), desc=f"train {kind}", disable=not progress):
        scores = clf.predict_proba(feats_tr)
        pos, neg = _weak_labels(scores, tr, splits["train"], space, params)
        x, y, w = _assemble(tr, feats_tr, pos, neg, [(feats_extra, y_extra, w_extra)])
        clf = fit(x, y, w)

    name = kind
    config = {
        "name": name,
        "version": version,
        "kind": kind,
        "scheme": SCHEME_VERSION[kind],
        "codes": codes,
        "level2": list(space.level2),
        "level3": list(space.level3),
        "lexicon_codes": list(lexicon(kind).codes),
        "lexicon_sha256": fingerprint(kind),
        "thresholds": dict.fromkeys(space.level2, min(float(x) for x in params["threshold_grid"])),
        "child_threshold": float(params["child_threshold"]),
        "count_statuses": sorted(cfg["statuses"][kind][0]),
        "encoder": {
            **encoder_info(),
            "max_seq_length": int(enc["max_seq_length"]),
            "precision": embedder.precision,
        },
        "features": {
            "embedding": 384,
            "lexicon": len(lexicon(kind).codes),
            "description_similarity": len(codes),
        },
    }
    probe = CodeModel(Path("<training>"), config, clf, desc_emb)
    cal = _calibrate(probe, tables["val"], splits["val"], [list(x) for x in cfg["statuses"][kind]], params)
    config["thresholds"] = cal["thresholds"]
    config["count_statuses"] = cal["count_statuses"]
    config["zero_shot_threshold"] = _tune_zero_shot(
        tables["val"],
        splits["val"],
        space,
        desc_emb,
        frozenset(cal["count_statuses"]),
        [float(x) for x in params["zero_shot_grid"]],
    )
    config["calibration"] = {k: v for k, v in cal.items() if k not in ("thresholds", "count_statuses")}
    config["split"] = {
        "rule": f"sha256('{SPLIT_SALT}:' + taxon id) % 100: [0,{SPLIT_BOUNDS[0]}) train, "
        f"[{SPLIT_BOUNDS[0]},{SPLIT_BOUNDS[1]}) validation, [{SPLIT_BOUNDS[1]},100) test",
        "assessments": {s: len(v) for s, v in splits.items()},
    }
    config["seed"] = seed

    out = Path(out_dir) / name / version
    out.mkdir(parents=True, exist_ok=True)
    arrays = clf.to_arrays()
    arrays["desc_emb"] = desc_emb.astype(np.float32)
    np.savez_compressed(out / "weights.npz", **arrays)
    (out / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    # a provisional card so the folder loads for the evaluation below
    (out / "MODEL_CARD.md").write_text(f"# {name} {version}\n\n(training in progress)\n", encoding="utf-8")

    from nlp.evaluate import evaluate_docs  # the folder must exist first

    metrics = {
        "model": f"{name}/{version}",
        "kind": kind,
        "validation": evaluate_docs(kind, splits["val"], out, progress=progress),
        "test": evaluate_docs(kind, splits["test"], out, progress=progress) if splits["test"] else None,
        "training": {
            "assessments": {s: len(v) for s, v in splits.items()},
            "sources": dict(Counter(d.source for d in docs)),
            "units_train": len(tr),
            "units_train_unique": len(set(tr.texts)),
            "seed_texts": len(seed_texts),
            "note_texts": len(note_texts),
            "positives_per_code": {c: int(n) for c, n in zip(codes, clf.n_pos_, strict=True)},
            "seconds": round(time.time() - started, 1),
            "seed": seed,
        },
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (out / "MODEL_CARD.md").write_text(model_card(config, metrics, paths, synthetic), encoding="utf-8")
    return out
