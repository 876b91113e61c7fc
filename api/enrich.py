"""api.enrich — graph texts → nlp mentions → suggestions in their own named graph with PROV."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from kg import iris
from kg.build import Quads, mention_quads
from kg.fetch import bundle
from kg.records import Mention
from kg.store import Store


@dataclass
class EnrichReport:
    assessments: int
    mentions: int
    graphs: dict[str, int]  # named graph -> mentions written there
    seconds: float


RULES_MODEL = "rules/v1"  # mentions from rule components that carry no trained model id


def _segment(part: str) -> str:
    seg = re.sub(r"[^A-Za-z0-9_.-]", "_", part)
    return seg if seg[:1].isalpha() else "v" + seg


def suggestion_graph(model: str) -> str:
    """graph/nlp/<name>/<version> for a model id '<name>/<version>' ('actions/0.1.0' -> .../actions/v0.1.0)."""
    return iris.graph("nlp", *[_segment(p) for p in model.split("/") if p])


def enrich(store: Store, progress: bool = False) -> EnrichReport:
    """Extract mentions from every latest assessment's narrative texts into the graph.

    The model's graph is replaced as a whole (re-running is idempotent); assessor-coded
    facts live in other graphs and are never touched.
    """
    import nlp

    t0 = time.perf_counter()
    b = bundle(store)
    by_model: dict[str, list[Mention]] = {}
    for m in nlp.extract_many(b.assessments, progress=progress):
        by_model.setdefault(m.model or RULES_MODEL, []).append(m)
    q = Quads()
    graphs: dict[str, int] = {}
    for model, mentions in sorted(by_model.items()):
        graph = suggestion_graph(model)
        mention_quads(q, mentions, model, graph)
        graphs[graph] = len(mentions)
    store.replace(q.data(), drop_graphs=list(graphs))
    return EnrichReport(len(b.assessments), sum(graphs.values()), graphs, time.perf_counter() - t0)
