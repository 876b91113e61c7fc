"""Extraction in worker processes (nlp.pool) gives what extraction in this process gives, hands
the worker's unit vectors to this process's encoder memo, and survives a worker's death."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from kg.records import Assessment
from nlp.embed import Embedder, recording
from nlp.pool import ExtractionPool, WorkerDiedError

TEXTS = {
    "threats": "It is hunted for bushmeat in Fictonia and trapped for the pet trade along the Fictara "
    "River, where forest clearance for oil palm plantations continues at a high rate.",
    "conservation_actions": "A captive breeding programme is recommended. It occurs in Lake Fictara "
    "National Park. Research into its population trend is needed.",
    "rationale": "Listed as Endangered because of habitat loss to agriculture in Indonesia.",
}


def _records(n: int = 3) -> list[Assessment]:
    return [
        Assessment(assessment_id=f"a{i}", taxon_id=f"t{i}", scientific_name="Fictus testus", category="EN",
                   texts={f: t.replace("Fictonia", f"Fictonia {i}") for f, t in TEXTS.items()})
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def pool(model_root):
    p = ExtractionPool(1, str(model_root))
    p.start()
    yield p
    p.close()


def _mapper_embedder(extractor) -> Embedder:
    return extractor.pipeline.get_pipe("threat_mapper").embedder()


def test_pool_gives_the_mentions_of_in_process_extraction_and_seeds_the_memo(pool, extractor, model_root) -> None:
    from nlp.pipeline import extract_many

    records = _records()
    embedder = _mapper_embedder(extractor)
    # a bf16 vector depends (in the last bits) on the batch it was encoded in: start both sides
    # with an empty memo, so both encode these texts in the same batches
    embedder.clear()
    with recording() as asked:
        here = list(extract_many(records, batch_size=len(records), model_dir=str(model_root)))
    assert here and asked  # the mappers asked the encoder for the candidate units
    embedder.clear()
    there = pool.extract_many(records)
    assert there == here
    # every vector the worker was asked for is now in this process's memo: nothing is encoded
    texts = sorted(asked)
    vecs = embedder.encode(texts)
    assert embedder.encoded == 0
    np.testing.assert_array_equal(vecs, np.stack([asked[t] for t in texts]))


def test_a_killed_worker_is_replaced_and_the_call_runs_again(model_root) -> None:
    p = ExtractionPool(1, str(model_root))
    try:
        p.start()
        pid = p._pool().submit(os.getpid).result()
        os.kill(pid, signal.SIGKILL)
        assert p.extract_many(_records(1))  # on a fresh worker
        assert p._pool().submit(os.getpid).result() != pid
    finally:
        p.close()


def test_workers_that_cannot_start_raise_worker_died(tmp_path) -> None:
    p = ExtractionPool(1, str(tmp_path / "no-models"))  # the workers' start fails: no models
    try:
        with pytest.raises(WorkerDiedError, match="ended \\(twice\\)"):
            p.extract_many(_records(1))
    finally:
        p.close()


def test_processes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ExtractionPool(0)


def test_recording_collects_memo_hits_and_remember_checks_shapes(extractor) -> None:
    e = Embedder(precision="fp32", workers=1)
    first = e.encode(["Nest boxes should be installed."])
    with recording() as seen:
        again = e.encode(["Nest boxes should be installed."])  # a memo hit is recorded too
    assert e.encoded == 1 and list(seen) == ["Nest boxes should be installed."]
    np.testing.assert_array_equal(seen["Nest boxes should be installed."], first[0])
    np.testing.assert_array_equal(again, first)
    other = Embedder(precision="fp32", workers=1)
    other.remember(seen)
    np.testing.assert_array_equal(other.encode(list(seen)), first)
    assert other.encoded == 0
    with pytest.raises(ValueError, match="expected \\(384,\\)"):
        other.remember({"x": np.zeros(3, dtype=np.float32)})


def test_workers_end_when_the_server_process_is_killed(tmp_path, model_root) -> None:
    """A server killed with SIGKILL never shuts its pool down: the workers notice and end."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    script = tmp_path / "server.py"
    script.write_text(
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})\n"
        "from nlp.pool import ExtractionPool\n"
        "if __name__ == '__main__':\n"
        f"    p = ExtractionPool(2, {str(model_root)!r})\n"
        "    p.start()\n"
        "    print(sorted(p._pool()._processes), flush=True)\n"
        "    time.sleep(120)\n"
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(x) for x in proc.stdout.readline().strip("[]\n").split(",")]
        assert len(pids) == 2
        proc.kill()
        proc.wait(10)
        deadline = time.monotonic() + 20
        alive = pids
        while alive and time.monotonic() < deadline:
            time.sleep(0.2)
            alive = [p for p in pids if _alive(p)]
        assert not alive, f"workers {alive} outlived their parent"
    finally:
        proc.kill()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
