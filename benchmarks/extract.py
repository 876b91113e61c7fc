"""benchmarks.extract — throughput and peak memory of the full extraction pipeline on CPU.

    python benchmarks/extract.py [--source DIR] [--limit N] [--unbatched-limit N] [--json]

Data sets (each measured the same way, in the same process):

* `synthetic`: a synthetic download written by kg.synth into a temporary folder (300
  species, seed 11; narrative lengths as the generator writes them);
* `real`: the shared pacific and primates exports, when ../shared/data exists — the honest
  "typical length" (real Red List narratives are longer and more varied);
* or the downloads given with --source (repeatable; replaces both).

For each: (1) the full pipeline (`nlp.extract_many`, batched, every narrative field; places,
ex situ roles, action and threat mapping) from an empty sentence-embedding cache —
assessments/s, texts/s, sentences/s, units encoded/s and process CPU-seconds per assessment
(wall-clock rates depend on what else runs on the machine; the load average is printed);
(2) the keyword baseline over the same fields; (3) the baseline: the same pipeline unbatched,
one assessment at a time and the encoder called once per text unit (batch 1, no cache, one
encoder worker), on
the first `--unbatched-limit` assessments. Then the size limits: a 1 MB text (rejected by
`[a2p] max_chars`) and a text just under the limit (extracted), with their seconds.

Peak memory is the process's maximum resident set size. The last line is the headline:
batched pipeline throughput on the last data set (the real texts when present) as a
multiple of its unbatched run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SHARED = ROOT.parent / "shared" / "data"


def _assessments(sources: list[Path]) -> list:
    from kg.records import Assessment
    from nlp.corpus import load_corpus

    out = []
    for d in load_corpus(sources):
        out.append(
            Assessment(
                assessment_id=d.assessment_id or d.taxon_id or str(len(out)),
                taxon_id=d.taxon_id or "0",
                scientific_name=d.scientific_name or "unknown",
                category="NE",
                texts=dict(d.texts),
            )
        )
    return out


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(name: str, assessments: list, args, model_dir: str | None, emb) -> dict:
    """Batched pipeline, keyword baseline and unbatched baseline on one data set."""
    import nlp
    from nlp.baselines import keyword_codes
    from nlp.markup import strip_markup
    from nlp.segment import sentence_spans

    texts = [t for a in assessments for t in a.texts.values() if t.strip()]
    n_sent = sum(len(sentence_spans(strip_markup(t).text)) for t in texts)
    chars = sum(len(t) for t in texts)

    # 1. full pipeline, batched, from an empty embedding cache
    emb.clear()
    t0, c0 = time.perf_counter(), time.process_time()
    n_mentions = sum(1 for _ in nlp.extract_many(assessments, batch_size=args.batch_size, model_dir=model_dir))
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    units = emb.encoded
    load = os.getloadavg()[0]

    # 2. keyword baseline over the same fields
    t1 = time.perf_counter()
    for a in assessments:
        plain = [strip_markup(t).text for t in a.texts.values()]
        keyword_codes("actions", plain)
        keyword_codes("threats", plain)
    dt_kw = time.perf_counter() - t1

    # 3. baseline: unbatched, one assessment at a time, one unit per encoder call, no cache
    sub = assessments[: args.unbatched_limit]
    emb.clear()
    emb.batch_size, saved = 1, emb.batch_size
    emb.cache_size, saved_cache = 0, emb.cache_size
    emb.workers, saved_workers = 1, emb.workers
    t2 = time.perf_counter()
    for a in sub:
        for _ in nlp.extract_many([a], batch_size=1, model_dir=model_dir):
            pass
    dt_ub = time.perf_counter() - t2
    emb.batch_size, emb.cache_size, emb.workers = saved, saved_cache, saved_workers
    emb.clear()

    n = len(assessments)
    res = {
        "data": name,
        "assessments": n,
        "texts": len(texts),
        "sentences": n_sent,
        "characters": chars,
        "chars_per_assessment": round(chars / max(n, 1)),
        "mentions": n_mentions,
        "units_encoded": units,
        "units_per_assessment": round(units / max(n, 1), 1),
        "seconds": round(dt, 2),
        "cpu_seconds": round(cpu, 2),
        "cpu_ms_per_assessment": round(1000 * cpu / max(n, 1), 1),
        "assessments_per_s": round(n / dt, 2),
        "texts_per_s": round(len(texts) / dt, 1),
        "sentences_per_s": round(n_sent / dt, 1),
        "units_encoded_per_s": round(units / dt, 1),
        "keyword_baseline_assessments_per_s": round(n / dt_kw, 1),
        "unbatched_assessments": len(sub),
        "unbatched_assessments_per_s": round(len(sub) / dt_ub, 2),
        "load_average_1min": round(load, 2),
        "peak_rss_mb": round(_peak_mb(), 1),
    }
    res["speedup_vs_unbatched"] = round(res["assessments_per_s"] / max(res["unbatched_assessments_per_s"], 1e-9), 2)
    return res


def _limits(model_dir: str | None, filler: list[str], emb) -> dict:
    """Seconds to reject a 1 MB text, and to extract a text just under `max_chars` (both made
    of the measured narratives, one after the other, from an empty embedding cache)."""
    import nlp
    from nlp.pipeline import InputTooLargeError, get_extractor

    limit = get_extractor(model_dir).max_chars
    para = "\n".join(filler)
    big = para * (1_000_000 // max(len(para), 1) + 1)
    emb.clear()
    t0 = time.perf_counter()
    try:
        nlp.extract(big, "conservation_actions", model_dir=model_dir)
        rejected = False
    except InputTooLargeError:
        rejected = True
    dt_big = time.perf_counter() - t0
    near = big[: limit - 1]
    t1 = time.perf_counter()
    got = nlp.extract(near, "conservation_actions", model_dir=model_dir)
    dt_near = time.perf_counter() - t1
    return {
        "one_mb_chars": len(big),
        "one_mb_rejected": rejected,
        "one_mb_seconds": round(dt_big, 4),
        "near_limit_chars": len(near),
        "near_limit_seconds": round(dt_near, 2),
        "near_limit_mentions": len(got),
        "peak_rss_mb": round(_peak_mb(), 1),
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", action="append", type=Path, help="Red List download(s) (repeatable).")
    ap.add_argument("--limit", type=int, default=0, help="Use at most N assessments per data set (0 = all).")
    ap.add_argument("--synthetic-species", type=int, default=300)
    ap.add_argument("--unbatched-limit", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--model-dir", type=Path, default=None)
    ap.add_argument("--no-limits", action="store_true", help="Skip the 1 MB / near-limit timings.")
    ap.add_argument("--json", action="store_true", help="Also print the figures as one JSON object.")
    args = ap.parse_args(argv)

    import torch

    from nlp.pipeline import get_extractor

    tmp = None
    sets: list[tuple[str, list[Path]]] = []
    if args.source:
        sets.append((", ".join(str(s) for s in args.source), args.source))
    else:
        from kg.synth import write_download

        tmp = tempfile.TemporaryDirectory()
        write_download(Path(tmp.name), species=args.synthetic_species, seed=11)
        sets.append((f"synthetic (kg.synth, {args.synthetic_species} species, seed 11)", [Path(tmp.name)]))
        if SHARED.is_dir():
            sets.append(
                (
                    "real (shared pacific marine + primates exports)",
                    [SHARED / "redlist-export-pacific-marine-2019", SHARED / "redlist-export-primates"],
                )
            )
        else:
            print(f"(no shared data at {SHARED}: real-text figures skipped)")

    model_dir = str(args.model_dir) if args.model_dir else None
    ex = get_extractor(model_dir)
    ids = ex.model_ids()  # load the models
    mapper = ex.pipeline.get_pipe("action_mapper")
    emb = mapper.embedder()
    precision = emb.precision
    emb.encode([f"warm up {i}" for i in range(2 * emb.batch_size)])  # loads the encoder, starts the workers
    emb.clear()

    rows = []
    filler: list[str] = []
    for name, sources in sets:
        assessments = _assessments(sources)
        if args.limit:
            assessments = assessments[: args.limit]
        rows.append(_measure(name, assessments, args, model_dir, emb))
        filler = [t for a in assessments for f, t in a.texts.items() if f == "conservation_actions" and t.strip()]
    limits = None if args.no_limits else _limits(model_dir, filler, emb)
    if tmp is not None:
        tmp.cleanup()

    print(
        f"models: {ids['action']}, {ids['threat']}; encoder precision {precision}, batches of "
        f"{emb.batch_size} units on {emb.workers} encoder workers (1 torch thread each; calling thread "
        f"{torch.get_num_threads()}) on {os.cpu_count()} CPUs; batch {args.batch_size} assessments"
    )
    cols = (
        "data set",
        "n",
        "chars/assessment",
        "units/assessment",
        "assessments/s",
        "texts/s",
        "sentences/s",
        "units/s",
        "CPU ms/assessment",
        "unbatched baseline/s",
        "keyword baseline/s",
        "load",
    )
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        vals = (
            r["data"],
            r["assessments"],
            r["chars_per_assessment"],
            r["units_per_assessment"],
            r["assessments_per_s"],
            r["texts_per_s"],
            r["sentences_per_s"],
            r["units_encoded_per_s"],
            r["cpu_ms_per_assessment"],
            f"{r['unbatched_assessments_per_s']} (n={r['unbatched_assessments']})",
            r["keyword_baseline_assessments_per_s"],
            r["load_average_1min"],
        )
        print("| " + " | ".join(str(v) for v in vals) + " |")
    if limits:
        print(
            f"1 MB text ({limits['one_mb_chars']:,} chars): "
            f"{'rejected (InputTooLargeError)' if limits['one_mb_rejected'] else 'NOT rejected'} "
            f"in {limits['one_mb_seconds']} s; a text just under the limit ({limits['near_limit_chars']:,} chars): "
            f"{limits['near_limit_mentions']} mentions in {limits['near_limit_seconds']} s"
        )
    peak = round(_peak_mb(), 1)
    print(f"peak memory (max RSS of the process, all runs): {peak} MB")
    res = {"sets": rows, "limits": limits, "models": ids, "encoder_precision": precision, "peak_rss_mb": peak}
    if args.json:
        print(json.dumps(res))
    r = rows[-1]  # the real texts when present
    print(
        f"headline: batched pipeline {r['assessments_per_s']} assessments/s on {r['data']} = "
        f"{r['speedup_vs_unbatched']}x the unbatched baseline "
        f"({r['unbatched_assessments_per_s']}/s) measured in the same process"
    )
    return res


if __name__ == "__main__":
    main()
