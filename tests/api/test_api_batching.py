"""Batching of /suggest work across concurrent requests (api.services.batching, BucketEngine)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from api.schemas import SuggestRequest
from api.services import planning_link
from api.services.batching import Batcher
from api.services.suggest import BucketEngine, draft_bundle
from kg.planning.models import BucketRecommendation


def test_batcher_gathers_concurrent_items_in_order() -> None:
    gate = threading.Event()
    seen: list[list[int]] = []

    def run(items: list[int]) -> list[int]:
        gate.wait(5)  # hold the first batch so that the others queue up behind it
        seen.append(list(items))
        return [i * 10 for i in items]

    b: Batcher[int, int] = Batcher(run, max_batch=4)
    futures = [b.submit(i) for i in range(9)]
    gate.set()
    assert [f.result(5) for f in futures] == [i * 10 for i in range(9)]
    assert sorted(x for batch in seen for x in batch) == list(range(9))
    assert all(len(batch) <= 4 for batch in seen) and len(seen) < 9
    assert all(batch == sorted(batch) for batch in seen)


def test_batcher_hands_a_failure_to_every_caller_of_the_batch() -> None:
    def run(items: list[str]) -> list[str]:
        if "bad" in items:
            raise ValueError("no good")
        return items

    b: Batcher[str, str] = Batcher(run, max_batch=1)
    with pytest.raises(ValueError, match="no good"):
        b.submit("bad").result(5)
    assert b.submit("fine").result(5) == "fine"  # the worker survives
    short: Batcher[str, str] = Batcher(lambda items: [], max_batch=2)
    with pytest.raises(RuntimeError, match="0 results for 1 items"):
        short.submit("x").result(5)
    with pytest.raises(ValueError):
        Batcher(run, max_batch=0)


def test_batcher_workers_run_batches_side_by_side() -> None:
    def side_by_side(workers: int, wait: float) -> tuple[list[Any], set[int]]:
        both = threading.Barrier(2, timeout=wait)  # passes only when two batches run at once
        threads: set[int] = set()

        def run(items: list[int]) -> list[int]:
            threads.add(threading.get_ident())
            both.wait()
            return items

        b: Batcher[int, int] = Batcher(run, max_batch=1, workers=workers)
        futures = [b.submit(i) for i in range(4)]
        return [f.exception(10) or f.result() for f in futures], threads

    results, threads = side_by_side(2, 5.0)
    assert results == [0, 1, 2, 3] and len(threads) == 2
    results, threads = side_by_side(1, 0.2)  # one at a time: the barrier always breaks
    assert all(isinstance(r, threading.BrokenBarrierError) for r in results) and len(threads) == 1
    with pytest.raises(ValueError):
        Batcher(lambda items: items, workers=0)


def _draft(i: int) -> SuggestRequest:
    return SuggestRequest.model_validate({
        "taxon": {"scientific_name": f"Species {i}"}, "category": "EN",
        "threats": [{"code": "2.1" if i % 2 else "5.1"}], "countries": ["ID"],
        "texts": {"threats": f"Threat text {i}."}})


def test_bucket_engine_batches_drafts_and_returns_each_its_own(monkeypatch: Any) -> None:
    """Drafts sent together all carry the id "draft": each gets its own four rows back."""
    calls: list[list[str]] = []
    gate = threading.Event()

    def fake_recommend(profiles: list[Any], store: Any = None) -> list[BucketRecommendation]:
        gate.wait(5)
        calls.append([p.assessment_id for p in profiles])
        assert len({p.assessment_id for p in profiles}) == len(profiles)  # unique in a batch
        return [BucketRecommendation(taxon_id=p.taxon_id, bucket=b, probability=0.5,
                                     reasons=[p.name], assessment_id=p.assessment_id,
                                     scientific_name=p.name)
                for p in profiles for b in ("habitat", "threat")]

    real = planning_link.function
    monkeypatch.setattr(planning_link, "function",
                        lambda name: fake_recommend if name == "recommend_for_profiles"
                        else real(name))
    engine = BucketEngine(max_batch=8)
    with ThreadPoolExecutor(12) as pool:
        futures = [pool.submit(engine.recommend, draft_bundle(_draft(i))) for i in range(12)]
        gate.set()
        results = [f.result(10) for f in futures]
    for i, recs in enumerate(results):
        assert [r.bucket for r in recs] == ["habitat", "threat"]
        assert all(r.reasons == [f"Species {i}"] for r in recs)  # its own, not a neighbour's
        assert all(r.assessment_id == "draft" for r in recs)  # the draft's id restored
    assert len(calls) < 12 and max(len(c) for c in calls) > 1


def test_bucket_engine_reports_a_missing_planning_module(monkeypatch: Any) -> None:
    monkeypatch.setattr(planning_link, "function", lambda name: None)
    engine = BucketEngine()
    assert engine.recommender() is None
    with pytest.raises(RuntimeError, match="recommend_for_profiles"):
        engine.recommend(draft_bundle(_draft(1)))


def test_compute_threads_cap_torch_and_blas_and_zero_leaves_them() -> None:
    """A2P_TORCH_THREADS caps torch and numpy's BLAS pools (two spinning BLAS threads made the
    nlp mappers' small products cost up to 9 ms of CPU on a busy machine); 0 changes nothing."""
    import torch
    from threadpoolctl import threadpool_info, threadpool_limits

    from api.services.suggest import limit_compute_threads

    def blas() -> list[int]:
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    before_torch = torch.get_num_threads()
    with threadpool_limits(2, user_api="blas"):
        torch.set_num_threads(2)
        try:
            limit_compute_threads(0)
            assert torch.get_num_threads() == 2 and set(blas()) <= {2}
            limit_compute_threads(1)
            assert torch.get_num_threads() == 1
            assert blas() and set(blas()) == {1}
        finally:
            torch.set_num_threads(before_torch)
