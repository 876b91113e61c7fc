"""benchmarks.extract — throughput and peak memory of the full extraction pipeline on CPU.

    python benchmarks/extract.py [--source DIR] [--limit N] [--unbatched-limit N] [--json]

Reads assessments from a Red List download (default: the shared pacific and primates exports
when ../shared/data exists, else a synthetic download written by kg.synth into a temporary
folder), then measures, in the same process:

1. the full pipeline (`nlp.extract_many`, batched, every narrative field; places, ex situ
   roles, action and threat mapping), starting from an empty sentence-embedding cache:
   assessments/s, texts/s, sentences/s, units encoded/s;
2. the keyword baseline over the same fields (assessments/s);
3. the same pipeline unbatched: one assessment at a time and the encoder called once per
   text unit (batch size 1), on the first `--unbatched-limit` assessments.

Peak memory is the process's maximum resident set size. The last line is the headline:
batched pipeline throughput as a multiple of the unbatched run.
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


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", action="append", type=Path, help="Red List download(s) (repeatable).")
    ap.add_argument("--limit", type=int, default=0, help="Use at most N assessments (0 = all).")
    ap.add_argument("--unbatched-limit", type=int, default=40)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--model-dir", type=Path, default=None)
    ap.add_argument("--json", action="store_true", help="Also print the figures as one JSON object.")
    args = ap.parse_args(argv)

    import nlp
    from nlp.baselines import keyword_codes
    from nlp.embed import get_encoder, shared_embedder
    from nlp.markup import strip_markup
    from nlp.pipeline import get_extractor
    from nlp.segment import sentence_spans

    tmp = None
    if args.source:
        sources = args.source
        label = ", ".join(str(s) for s in sources)
    elif SHARED.is_dir():
        sources = [
            SHARED / "redlist-export-pacific-marine-2019",
            SHARED / "redlist-export-primates",
        ]
        label = "shared real exports (pacific marine + primates)"
    else:
        from kg.synth import write_download

        tmp = tempfile.TemporaryDirectory()
        write_download(Path(tmp.name), species=300, seed=11)
        sources = [Path(tmp.name)]
        label = "synthetic download (kg.synth, 300 species, seed 11)"
    assessments = _assessments(sources)
    if args.limit:
        assessments = assessments[: args.limit]
    texts = [t for a in assessments for t in a.texts.values() if t.strip()]
    n_sent = sum(len(sentence_spans(strip_markup(t).text)) for t in texts)
    chars = sum(len(t) for t in texts)

    model_dir = str(args.model_dir) if args.model_dir else None
    ex = get_extractor(model_dir)
    ids = ex.model_ids()  # load the models
    mapper = ex.pipeline.get_pipe("action_mapper")
    precision = mapper.precision or mapper.model.precision
    enc_key = (mapper.model.max_seq_length, mapper.threads, mapper.batch_size, precision)
    get_encoder(mapper.model.max_seq_length, mapper.threads).encode(["warm up"])
    import torch

    # 1. full pipeline, batched, from an empty embedding cache
    emb = shared_embedder(*enc_key)
    emb.clear()
    t0 = time.perf_counter()
    n_mentions = sum(1 for _ in nlp.extract_many(assessments, batch_size=args.batch_size, model_dir=model_dir))
    dt = time.perf_counter() - t0
    units = emb.encoded

    # 2. keyword baseline over the same fields
    t1 = time.perf_counter()
    for a in assessments:
        plain = [strip_markup(t).text for t in a.texts.values()]
        keyword_codes("actions", plain)
        keyword_codes("threats", plain)
    dt_kw = time.perf_counter() - t1

    # 3. unbatched: one assessment at a time, one unit per encoder call
    sub = assessments[: args.unbatched_limit]
    emb.clear()
    emb.batch_size, saved = 1, emb.batch_size
    emb.cache_size, saved_cache = 0, emb.cache_size
    t2 = time.perf_counter()
    for a in sub:
        for _ in nlp.extract_many([a], batch_size=1, model_dir=model_dir):
            pass
    dt_ub = time.perf_counter() - t2
    emb.batch_size, emb.cache_size = saved, saved_cache

    res = {
        "data": label,
        "assessments": len(assessments),
        "texts": len(texts),
        "sentences": n_sent,
        "characters": chars,
        "mentions": n_mentions,
        "units_encoded": units,
        "seconds": round(dt, 2),
        "assessments_per_s": round(len(assessments) / dt, 2),
        "texts_per_s": round(len(texts) / dt, 1),
        "sentences_per_s": round(n_sent / dt, 1),
        "units_encoded_per_s": round(units / dt, 1),
        "keyword_baseline_assessments_per_s": round(len(assessments) / dt_kw, 1),
        "unbatched_assessments": len(sub),
        "unbatched_assessments_per_s": round(len(sub) / dt_ub, 2),
        "peak_rss_mb": round(_peak_mb(), 1),
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "models": ids,
        "encoder_precision": precision,
    }
    res["speedup_vs_unbatched"] = round(res["assessments_per_s"] / max(res["unbatched_assessments_per_s"], 1e-9), 2)
    print(f"data: {label}")
    print(f"assessments: {len(assessments)}  texts: {len(texts)}  sentences: {n_sent}  characters: {chars:,}")
    print(
        f"models: {ids['action']}, {ids['threat']}; encoder precision {precision}; "
        f"torch threads {res['torch_threads']} "
        f"on {res['cpu_count']} CPUs (load average at the end {res['load_average_1min']})"
    )
    print(
        f"full pipeline (batched): {dt:.1f} s, {res['assessments_per_s']} assessments/s, "
        f"{res['texts_per_s']} texts/s, {res['sentences_per_s']} sentences/s, "
        f"{units} units encoded "
        f"({res['units_encoded_per_s']}/s), {n_mentions} mentions"
    )
    print(f"keyword baseline: {res['keyword_baseline_assessments_per_s']} assessments/s")
    print(
        f"unbatched pipeline ({len(sub)} assessments, encoder batch 1, no cache): "
        f"{res['unbatched_assessments_per_s']} assessments/s"
    )
    print(f"peak memory (max RSS): {res['peak_rss_mb']} MB")
    if args.json:
        print(json.dumps(res))
    print(
        f"headline: batched pipeline {res['assessments_per_s']} assessments/s = "
        f"{res['speedup_vs_unbatched']}x the unbatched run "
        f"({res['unbatched_assessments_per_s']}/s) measured in the same process"
    )
    if tmp is not None:
        tmp.cleanup()
    return res


if __name__ == "__main__":
    main()
