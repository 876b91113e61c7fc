"""api.demo — the demo job: synthetic download → graph → NLP suggestions (then `a2p demo` serves it)."""

from __future__ import annotations

from pathlib import Path

from api.enrich import enrich
from kg import iris
from kg.load import ingest
from kg.query import stats
from kg.store import open_store
from kg.synth import write_download

DEMO_SEED = 7


def run_demo(store_url: str, data_dir: Path, species: int = 300) -> dict[str, int]:
    """Write the demo download (if absent), ingest it (idempotent) and return the stats."""
    if not (data_dir / "assessments.csv").exists():
        write_download(data_dir, species=species, seed=DEMO_SEED, progress=True)
    with open_store(store_url) as st:
        ingest([data_dir], st, progress=True)
        if not any(g.startswith(iris.graph("nlp")) for g in st.graph_names()):
            enrich(st, progress=True)  # suggestions from the texts, once
        return stats(st)
