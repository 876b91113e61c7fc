"""Ingest is transactional: SIGKILL `a2p ingest` at random points, the store holds old or new.

A store holds an old graph (a 3,000-species download). `a2p ingest NEW` (a 17,000-species
download) runs as a subprocess and is killed (SIGKILL to its whole process group, as the
kernel's OOM killer or a power cut would) at seeded random times spread over the measured
duration of one complete ingest, some inside the window where the store folder is being
written and some near its end, where the new graph is switched in (runs go on until 20 were
killed before they ended; a run that ends first must have written the new graph). After
every kill the store is reopened the way the next command would open it and must hold
exactly the old graph or exactly the new one (quad count, per-graph counts, and for the old
graph every quad), and take no more disk than the two graphs together.
A final uninterrupted ingest on a killed store must give the new graph.

That ingest mostly adds graphs (the batch is written into a checkpoint of the store). A second,
smaller test kills a re-ingest that replaces every graph of a 3,000-species store (the batch
is bulk-loaded into an empty generation and the kept graphs are copied over), 6 times.

Kills run two at a time (the timings are measured under the same load).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import random
import shutil
import signal
import subprocess
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from relysupport import A2P, Fingerprint, a2p, fingerprint, synth

from kg.load import ingest
from kg.store import OxigraphBatch, Store, open_store

NEW_SPECIES = 17_000
OLD_SPECIES = 3_000
KILLS = 20  # runs killed before they end
MAX_RUNS = 34  # kill times near the end may come after a run has finished: run more then
PARALLEL = 2
REBUILD_SPECIES = 1_000
SEED = 20261125


def folder_state(path: Path) -> set[str]:
    return {p.name for p in path.iterdir()} if path.exists() else set()


def disk_bytes(path: Path) -> int:
    seen: set[tuple[int, int]] = set()
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            st = os.lstat(os.path.join(root, f))
            if (st.st_dev, st.st_ino) not in seen:  # hard links (checkpoints) count once
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total


def dump_digest(store: Store) -> str:
    buf = io.BytesIO()
    store.dump(buf)
    lines = sorted(ln for ln in buf.getvalue().splitlines() if ln.strip())
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


def state_after_kill(path: Path, old: Fingerprint, old_dump: str, new: Fingerprint) -> str:
    """Reopen the store the way the next command would (read-write: leftovers are cleaned up)
    and say which graph it holds: 'old' (every quad checked), 'new' (per-graph counts) or 'torn'."""
    with open_store(f"oxigraph:{path}") as st:
        n = st.count()
        if n == old.quads:
            return "old" if dump_digest(st) == old_dump else "torn"
    if n == new.quads and fingerprint(f"oxigraph:{path}") == new:
        return "new"
    return "torn"


@dataclass
class Run:
    seconds: float  # wall time of the whole ingest
    first_write: float  # when the store folder first changed (seconds from start)
    exit_code: int | None
    stderr: str


def ingest_run(download: Path, store: Path, kill_at: float | None = None) -> Run:
    """`a2p ingest`, watching the store folder; SIGKILL the process group at `kill_at` s."""
    before = folder_state(store)
    start = time.monotonic()
    proc = subprocess.Popen([*A2P, "ingest", str(download), "--store", f"oxigraph:{store}", "-q"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    first_write = float("inf")
    while proc.poll() is None:
        now = time.monotonic() - start
        if first_write == float("inf") and folder_state(store) != before:
            first_write = now
        if kill_at is not None and now >= kill_at:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return Run(now, first_write, None, "")
        time.sleep(0.02)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    return Run(time.monotonic() - start, first_write, proc.returncode, err)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("kill-downloads")
    return synth(base / "old", OLD_SPECIES, 11), synth(base / "new", NEW_SPECIES, 12)


@pytest.mark.slow
def test_sigkill_during_ingest_leaves_old_or_new_graph(
    downloads: tuple[Path, Path], tmp_path: Path
) -> None:
    old_download, new_download = downloads
    template = tmp_path / "old-store"
    a2p("ingest", str(old_download), "--store", f"oxigraph:{template}", "-q")
    kill_and_check(template, new_download, tmp_path, KILLS, MAX_RUNS, min_quads=(100_000, 1_000_000))


@pytest.mark.slow
def test_sigkill_during_reingest_that_rebuilds(tmp_path: Path) -> None:
    """Every graph of a 1,000-species store replaced: the new generation is rebuilt (checked
    in-process first)."""
    download = synth(tmp_path / "download", REBUILD_SPECIES, 13)
    template = tmp_path / "old-store"
    a2p("ingest", str(download), "--store", f"oxigraph:{template}", "-q")
    changed = tmp_path / "changed"
    shutil.copytree(download, changed)
    with open(download / "threats.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    with open(changed / "threats.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows[: len(rows) // 2])  # half the threat rows
    probe = tmp_path / "probe"
    shutil.copytree(template, probe)
    modes: list[str] = []
    begin = OxigraphBatch._begin

    def spy(self: OxigraphBatch, mode: str) -> Any:
        modes.append(mode)
        return begin(self, mode)

    with pytest.MonkeyPatch.context() as mp, open_store(f"oxigraph:{probe}") as st:
        mp.setattr(OxigraphBatch, "_begin", spy)
        ingest([changed], st)
    assert modes == ["rebuild"]
    shutil.rmtree(probe)
    kill_and_check(template, changed, tmp_path, 6, 12, min_quads=(80_000, 80_000))


def kill_and_check(template: Path, new_download: Path, tmp_path: Path, kills: int, max_runs: int,
                   min_quads: tuple[int, int]) -> None:
    """Kill `a2p ingest NEW` into copies of `template` until `kills` runs were killed before
    they ended; every killed store must reopen as the old graph or the new one."""
    old = fingerprint(f"oxigraph:{template}")
    with open_store(f"oxigraph:{template}") as st:
        old_dump = dump_digest(st)
    assert old.quads > min_quads[0]

    # calibrate: two complete ingests side by side, as the kills will run
    refs = [tmp_path / f"ref{i}" for i in range(PARALLEL)]
    for r in refs:
        shutil.copytree(template, r)
    with ThreadPoolExecutor(PARALLEL) as pool:
        calib = list(pool.map(lambda r: ingest_run(new_download, r), refs))
    for run in calib:
        assert run.exit_code == 0, run.stderr
    new = fingerprint(f"oxigraph:{refs[0]}")
    assert fingerprint(f"oxigraph:{refs[1]}") == new, "the same ingest gave two different graphs"
    assert new != old and new.quads > min_quads[1]
    size_limit = disk_bytes(template) + disk_bytes(refs[0])
    duration = min(r.seconds for r in calib)
    write_start = min(max(r.first_write for r in calib), duration * 0.9)
    for r in refs:
        shutil.rmtree(r)

    # kill times as fractions of the ingest's duration; the duration is re-estimated from every
    # run that ends before its kill (the machine's load varies), so the late kills stay late
    rng = random.Random(SEED)
    fractions = [rng.uniform(0.02, 0.98) for _ in range(kills // 2)]  # anywhere
    fractions += [rng.uniform(write_start / duration, 0.99) for _ in range(kills * 3 // 10)]  # writing
    fractions += [rng.uniform(0.8, 0.99) for _ in range(max_runs - len(fractions))]  # switch
    rng.shuffle(fractions)
    estimate = [duration]
    times: dict[int, float] = {}

    def one(i: int) -> tuple[int, str]:
        store = tmp_path / f"kill{i}"
        shutil.copytree(template, store)
        times[i] = fractions[i] * estimate[0]
        run = ingest_run(new_download, store, kill_at=times[i])
        state = state_after_kill(store, old, old_dump, new)
        if run.exit_code is not None:
            assert run.exit_code == 0, run.stderr
            estimate[0] = min(estimate[0], run.seconds)
            assert state == "new", f"run {i} finished without writing the new graph"
            state = "finished"
        assert disk_bytes(store) <= size_limit * 1.1, f"kill {i}: leftovers after reopening"
        return i, state

    # PARALLEL runs at a time, a new one as soon as one is done, until KILLS runs were killed
    started = time.monotonic()
    results: list[tuple[int, str]] = []
    kept: Path | None = None  # the latest killed store, for the final ingest
    with ThreadPoolExecutor(PARALLEL) as pool:
        pending: set[Future[tuple[int, str]]] = set()
        upcoming = iter(range(max_runs))
        while True:
            killed = sum(o != "finished" for _, o in results)
            while len(pending) < PARALLEL and killed + len(pending) < kills:
                i = next(upcoming, None)
                if i is None:
                    break
                pending.add(pool.submit(one, i))
            if not pending:
                break
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                i, outcome = f.result()
                results.append((i, outcome))
                if outcome == "finished":
                    shutil.rmtree(tmp_path / f"kill{i}")
                    continue
                if kept is not None:
                    shutil.rmtree(kept)
                kept = tmp_path / f"kill{i}"
    runs = len(results)
    report = [f"{times[i]:6.1f}s {outcome}" for i, outcome in sorted(results, key=lambda r: times[r[0]])]
    print(f"\ningest of {new_download.name}: {duration:.1f} s (two side by side; "
          f"{estimate[0]:.1f} s at the shortest later), store folder first written at "
          f"{write_start:.1f} s; old graph {old.quads} quads, new {new.quads}")
    print("kills (time since start, store state after reopening):\n  " + "\n  ".join(report))
    outcomes = Counter(outcome for _, outcome in results)
    print(f"{runs} runs in {time.monotonic() - started:.0f} s: {dict(outcomes)}")

    torn = [times[i] for i, outcome in results if outcome == "torn"]
    assert not torn, f"store neither old nor new after a kill: {torn}"
    assert runs - outcomes["finished"] >= kills, f"too few kills landed before the end: {report}"
    assert outcomes["old"] > 0

    # the last killed store is the one a user would retry on: a full ingest gives the new graph
    assert kept is not None
    a2p("ingest", str(new_download), "--store", f"oxigraph:{kept}", "-q")
    assert fingerprint(f"oxigraph:{kept}") == new
