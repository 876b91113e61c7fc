"""Batched encoding with parallel encoder workers and the batched linear head give the same
results as encoding and mapping one text at a time (small hand-written texts)."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.embed import Embedder, get_encoder
from nlp.segment import sentence_spans
from nlp.units import find_units

TEXTS = [
    "Nest boxes should be installed.",
    "A captive breeding programme is recommended to secure an insurance population of the species.",
    "Hunting.",
    "It is hunted for bushmeat in Fictonia and trapped for the pet trade along the Fictara River, "
    "where forest clearance for oil palm plantations continues at a high rate.",
    "Invasive rats should be eradicated from the island.",
    "It occurs in Lake Fictara National Park.",
    "Research into its population trend is needed.",
    "Nest boxes should be installed.",  # a duplicate: encoded once, returned twice
    "No conservation measures are in place.",
]


def _model_settings(extractor) -> tuple[int, str]:
    mapper = extractor.pipeline.get_pipe("action_mapper")
    return mapper.model.max_seq_length, mapper.precision or mapper.model.precision


def test_parallel_workers_return_the_single_worker_vectors_in_input_order(extractor) -> None:
    msl, _ = _model_settings(extractor)
    one = Embedder(msl, batch_size=2, precision="fp32", workers=1)
    two = Embedder(msl, batch_size=2, precision="fp32", workers=2)
    v1, v2 = one.encode(TEXTS), two.encode(TEXTS)
    assert v1.shape == (len(TEXTS), 384) and v1.dtype == np.float32
    np.testing.assert_array_equal(v1, v2)  # same batches, whichever thread runs them
    assert one.encoded == two.encoded == len(set(TEXTS))
    np.testing.assert_array_equal(v2[0], v2[7])
    np.testing.assert_allclose(np.linalg.norm(v2, axis=1), 1.0, atol=1e-5)
    # each row is the text's own embedding: as the encoder gives it for the text alone
    ref = get_encoder(msl).encode(TEXTS, batch_size=1, normalize_embeddings=True, convert_to_numpy=True)
    assert float(np.min(np.sum(ref * v2, axis=1))) > 0.9999
    # the workers run one torch thread each; the calling thread keeps the process's setting
    import torch

    before = torch.get_num_threads()
    pool = two._workers()
    assert [pool.submit(torch.get_num_threads).result() for _ in range(4)] == [1, 1, 1, 1]
    assert torch.get_num_threads() == before
    # memoised: a second call encodes nothing new
    again = two.encode(list(reversed(TEXTS)))
    np.testing.assert_array_equal(again, v2[::-1])
    assert two.encoded == len(set(TEXTS))


def test_embedder_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="workers"):
        Embedder(workers=-1)
    with pytest.raises(ValueError, match="precision"):
        Embedder(precision="fp16")


def test_map_batch_equals_map_units_per_text(extractor) -> None:
    mapper = extractor.pipeline.get_pipe("action_mapper")
    model = mapper.model
    docs = []
    for text in (
        "A captive breeding programme is recommended. Nest boxes should be installed; "
        "invasive rats should be eradicated.",
        "No conservation measures are in place.",
        "It occurs in Lake Fictara National Park. Recommended actions include habitat protection, "
        "captive breeding, and public education.",
    ):
        docs.append((text, find_units(text, sentence_spans(text), "actions", "conservation_actions")))
    assert all(units for _, units in docs)
    emb = mapper.embedder().encode([t[u.start : u.end] for t, units in docs for u in units])
    batched = model.map_batch(docs, emb)
    rows = np.cumsum([0] + [len(units) for _, units in docs])
    single = [model.map_units(t, units, emb[rows[i] : rows[i + 1]]) for i, (t, units) in enumerate(docs)]
    assert batched == single
    assert any(h.code == "3.4.1" for h in batched[0])
    assert model.map_batch([], np.zeros((0, 384), dtype=np.float32)) == []


def test_first_mapper_encodes_every_kind_once(extractor) -> None:
    """One encoder call per batch for actions and threats: the threat mapper finds its units
    memoised by the action mapper."""
    from nlp.pipeline import Extractor

    ex = Extractor(model_dir=extractor.pipeline.get_pipe("action_mapper").model.path.parent.parent)
    emb = ex.pipeline.get_pipe("action_mapper").embedder()
    assert emb is ex.pipeline.get_pipe("threat_mapper").embedder()
    emb.clear()
    text = "Nest boxes should be installed. It is threatened by hunting for bushmeat."
    calls: list[int] = []
    original = emb._run_encoder

    def counting(texts, progress):
        calls.append(len(texts))
        return original(texts, progress)

    emb._run_encoder = counting
    try:
        hits = [h for _, _, _, hs in ex.run([(0, "", text)]) for h in hs]
    finally:
        del emb._run_encoder
    assert {h.kind for h in hits} >= {"action", "threat"}
    assert len(calls) == 1 and calls[0] == emb.encoded >= 2


def test_code_mapper_rejects_negative_workers() -> None:
    import spacy

    import nlp.components  # noqa: F401

    blank = spacy.blank("en")
    with pytest.raises(ValueError, match="workers"):
        blank.add_pipe("a2p_CodeMapper_v1", config={"workers": -1})


def test_concurrent_callers_get_the_sequential_vectors(extractor) -> None:
    """Several threads encoding through one Embedder at once (as /suggest's request workers
    do): the memo and the tokenizer are shared safely, each caller gets exactly the vectors
    a sequential caller gets, and no text is lost from the memo."""
    import threading

    msl, _ = _model_settings(extractor)
    sequential = Embedder(msl, batch_size=4, precision="fp32", workers=1, cache_size=0)
    calls = [TEXTS[i:] + TEXTS[:i] for i in range(len(TEXTS))] * 3
    want = [sequential.encode(c) for c in calls]

    shared = Embedder(msl, batch_size=4, precision="fp32", workers=1)
    got: list[np.ndarray | None] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int) -> None:
        start.wait(30)
        got[i] = shared.encode(calls[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for w, g in zip(want, got, strict=True):
        assert g is not None
        np.testing.assert_array_equal(g, w)
    # every distinct text is memoised once (some may have been encoded by two callers at once)
    assert len(set(TEXTS)) <= shared.encoded <= len(calls) * len(set(TEXTS))
    before = shared.encoded
    np.testing.assert_array_equal(shared.encode(TEXTS), want[0])
    assert shared.encoded == before


def test_bf16_encoder_with_precast_weights_gives_the_autocast_vectors(extractor) -> None:
    """The bf16 encoder's linear layers hold bfloat16 weights (cast once, not on every pass):
    its vectors are exactly those of fp32 weights under autocast."""
    import torch

    from nlp.embed import _forward, _rows

    msl, _ = _model_settings(extractor)
    bf16 = get_encoder(msl, 0, "bf16")
    assert bf16 is not get_encoder(msl, 0, "fp32")
    assert {m.weight.dtype for m in bf16.modules() if isinstance(m, torch.nn.Linear)} == {torch.bfloat16}
    got = Embedder(msl, batch_size=64, precision="bf16", workers=1, cache_size=0).encode(TEXTS)
    fp32 = get_encoder(msl, 0, "fp32")
    feats = fp32.preprocess(TEXTS)
    n = feats["attention_mask"].sum(dim=1).numpy()
    order = np.lexsort((np.arange(len(TEXTS)), -n))
    want = np.empty_like(got)
    want[order] = _forward(fp32, _rows(feats, order, int(n[order[0]])), "bf16")
    np.testing.assert_array_equal(got, want)
