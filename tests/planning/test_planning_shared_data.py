"""Readers and labels on the real research tables in ../shared/data (skipped when absent).

Nothing read here is written anywhere: the figures of docs/planning.md come from
`a2p evaluate-planning buckets ../shared/data` and are numbers only.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kg.planning import sources
from kg.planning.labels import LabelContext, gold_buckets, labelled, rule_buckets
from kg.planning.profile import profiles_from_bundle

pytestmark = pytest.mark.shared_data


def test_target2021_tables_give_labelled_profiles(shared_data: Path) -> None:
    d = shared_data / "coded-species-target-2021"
    prof = sources.target2021_profiles(d)
    assert len(prof) > 7000
    lab = [p for p in prof if labelled(p)]
    assert 6000 < len(lab) < 7000
    assert {p.category for p in prof} <= {"CR", "EN", "VU", "EW"}
    ctx = LabelContext.from_profiles(prof, target3=sources.target3(d))
    gold = Counter(b for p in lab for b in gold_buckets(p, ctx))
    assert gold["habitat"] > gold["threat"] > 0 and gold["ex_situ"] > 0 and gold["single_species"] > 0
    # the visible rules never read actions: hiding the section changes none of them
    assert all(rule_buckets(p, ctx) == rule_buckets(p.hidden(), ctx) for p in lab[:500])


def test_exsitu_evidence_and_primates_and_pacific(shared_data: Path) -> None:
    ev = sources.exsitu_evidence(shared_data / "staerk-eu-insitu-exsitu-2022")
    assert Counter(v.get("strategy") for v in ev.values() if v.get("strategy"))["Z"] > 100
    prim = profiles_from_bundle(sources.primates_bundle(shared_data / "redlist-export-primates"))
    assert len(prim) > 200 and sum(labelled(p) for p in prim) > 100
    assert len({p.year for p in prim}) > 3  # a time split is possible
    pac = sources.export_profiles(shared_data / "redlist-export-pacific-marine-2019")
    assert len(pac) == 200 and any(pl.startswith("lme-") for p in pac for pl in p.places)


def test_held_out_bucket_model_beats_the_baselines_on_target2021(shared_data: Path) -> None:
    from nlp.buckets import evaluate

    d = shared_data / "coded-species-target-2021"
    prof = sources.target2021_profiles(d)
    res = evaluate(prof, LabelContext.from_profiles(prof, target3=sources.target3(d)), mentions=False)
    assert res["model"]["mean_macro_f1"] > res["rules"]["mean_macro_f1"] > res["majority"]["mean_macro_f1"] - 0.05
    assert res["model"]["mean_macro_f1"] > 0.6
