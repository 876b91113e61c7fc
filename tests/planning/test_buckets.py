"""The bucket recommender (nlp.buckets): no leakage, the estimator contract, evaluation, reasons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kg.planning.labels import LabelContext, gold_buckets, labelled
from kg.planning.models import BUCKETS
from nlp import buckets as nb
from tests.planning.handmade import MINI, profile


@pytest.fixture(scope="module")
def synth_profiles(synth_dir: Path):  # type: ignore[no-untyped-def]
    return nb.load_profiles([synth_dir])


def test_features_never_see_the_conservation_section() -> None:
    base = dict(
        criteria="B1ab(iii)",
        trend="Decreasing",
        habitats=("5.5",),
        class_="ACTINOPTERYGII",
        texts={"threats": "The main threat is the construction of dams.", "range": "Known only from Lake Fictara."},
    )
    p = profile("1", "EN", (("7.2.10", "Ongoing", "Whole (>90%)", "Rapid Declines"),), **base)
    with_section = profile(
        "1",
        "EN",
        (("7.2.10", "Ongoing", "Whole (>90%)", "Rapid Declines"),),
        actions=("3.4.1", "2.2"),
        research=("1.2",),
        **{**base, "texts": {**base["texts"], "conservation_actions": "Captive breeding is needed."}},
    )
    assert nb.base_features(with_section.hidden()) == nb.base_features(p)
    f = nb.base_features(p)
    assert f["cat=EN"] == 1.0 and f["thr2:7.2"] > 0 and f["crit:B1"] == 1.0 and f["hab2:5.5"] == 1.0
    assert f["tmen:7.2"] == 1.0  # threat cue in the threats text
    assert f["tplace:waterbody"] == 1.0  # a place named in the range text
    assert not any(k.startswith(("act", "3.4")) for k in f)


def test_split_by_species_is_stable_and_time_split_is_ordered(synth_profiles) -> None:  # type: ignore[no-untyped-def]
    lab = [p for p in synth_profiles if labelled(p)]
    tr, te, _ = nb.split(lab, "species")
    assert tr and te and not set(tr) & set(te)
    assert nb.split(lab, "species")[1] == te
    assert not {lab[i].taxon_id for i in tr} & {lab[i].taxon_id for i in te}
    tr, te, rule = nb.split(lab, "time")
    assert max(lab[i].year or 0 for i in tr) < min(lab[i].year or 0 for i in te)
    assert "train" in rule
    with pytest.raises(ValueError):
        nb.split([profile("1", year=2020), profile("2", year=2020)], "time")


def test_genus_split_holds_out_whole_genera() -> None:
    ps = [profile(str(i), genus=f"Genus{i % 12}") for i in range(120)]
    tr, te, rule = nb.split(ps, "genus")
    assert tr and te and "genus" in rule
    assert not {ps[i].genus for i in tr} & {ps[i].genus for i in te}
    assert nb.split(ps, "genus")[1] == te


def test_taxonomy_features_and_regularisation_chosen_on_training_rows() -> None:
    f = nb.base_features(profile("1", class_="Actinopterygii", family="Cyprinidae", genus="Rasbora"), mentions=False)
    assert f["class=ACTINOPTERYGII"] == f["family=CYPRINIDAE"] == f["genus=RASBORA"] == 1.0
    # a bucket that only genus predicts; C is the grid value with the best out-of-fold macro-F1
    rng = np.random.default_rng(0)
    genera = [f"G{i}" for i in range(40)]
    X, Y = [], []  # noqa: N806
    for i in range(400):
        g = genera[i % 40]
        X.append({"bias": 1.0, f"genus={g}": 1.0, "noise": float(rng.random())})
        Y.append([int(int(g[1:]) % 2 == 0), int(rng.random() < 0.5), 1 - int(int(g[1:]) % 2 == 0), 0])
    grid = (0.0003, 0.01, 1.0)
    m = nb.BucketRecommender(Cs=grid).fit(X, np.asarray(Y))
    M = m._matrix(X)  # noqa: N806
    for b in (0, 1, 2):
        scores = {C: round(m._oof(M, np.asarray(Y)[:, b], C)[0], 4) for C in grid}
        best = max(scores.values())
        assert m.C_[b] == min(C for C in grid if scores[C] == best)  # ties: the stronger regularisation
        assert abs(m.inner_f1_[b] - best) < 1e-4
    assert m.inner_f1_[0] > 0.95 and m.inner_f1_[1] < 0.7  # genus signal vs coin flips
    assert m.constant_[3] == 0.0  # a bucket with one class gets its prior
    assert nb.BucketRecommender(Cs=None, C=0.2).fit(X, np.asarray(Y)).C_[0] == 0.2


def test_recommender_contract_and_artifact_round_trip(synth_profiles, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = LabelContext.from_profiles(synth_profiles)
    lab = [p for p in synth_profiles if labelled(p)]
    Y = np.asarray([[int(b in gold_buckets(p, ctx)) for b in BUCKETS] for p in lab])  # noqa: N806
    X = nb.featurize([p.hidden() for p in lab], ctx)  # noqa: N806
    model = nb.BucketRecommender(C=0.5)
    assert model.fit(X, Y) is model
    P = model.predict_proba(X)  # noqa: N806
    assert P.shape == (len(lab), 4) and ((P >= 0) & (P <= 1)).all()
    assert ((model.thresholds_ >= 0) & (model.thresholds_ <= 1)).all()
    assert list(model.classes_) == list(BUCKETS)
    model.save(tmp_path)
    again = nb.BucketRecommender.load(tmp_path)
    assert np.allclose(again.predict_proba(X), P)
    assert (again.predict(X) == model.predict(X)).all()
    # reasons: contributions are named features, largest first
    c = model.contributions(X[0], 0)
    assert c and all(isinstance(n, str) for n, _ in c) and c == sorted(c, key=lambda kv: -kv[1])
    # every feature counted once: contributions (plus the bias column) add up to the decision
    # value, and recommend()'s one-pass form for all buckets gives the same lists
    names = model.vectorizer_.feature_names_
    bias_col = names.index("bias") if "bias" in names else None
    for i in range(min(5, len(X))):
        m = model._matrix([X[i]]).toarray()[0]
        rows = model.contributions_of_row(model._matrix([X[i]]), [0, 1, 2, 3])
        for b in range(4):
            assert rows[b] == model.contributions(X[i], b)
            bias = m[bias_col] * model.coef_[b, bias_col] if bias_col is not None else 0.0
            total = sum(v for _, v in rows[b]) + bias + model.intercept_[b]
            assert np.isclose(total, model.decision_function([X[i]])[0, b])


def test_a_bucket_with_one_class_gets_a_constant_probability() -> None:
    X = [{"a": float(i % 2), "b": 1.0} for i in range(40)]  # noqa: N806
    Y = np.zeros((40, 4), dtype=int)  # noqa: N806
    Y[::2, 1] = 1
    m = nb.BucketRecommender().fit(X, Y)
    P = m.predict_proba(X)  # noqa: N806
    assert (P[:, 0] == 0).all() and m.constant_[0] == 0.0 and m.constant_[1] < 0


def test_evaluation_reports_model_and_both_baselines(synth_profiles) -> None:  # type: ignore[no-untyped-def]
    res = nb.evaluate(synth_profiles, how="species")
    for k in ("model", "majority", "rules"):
        assert set(BUCKETS) <= set(res[k]) and 0 <= res[k]["mean_macro_f1"] <= 1
    assert all(res["majority"][b]["macro_f1"] <= 0.5 for b in BUCKETS)
    assert res["model"]["mean_macro_f1"] > res["majority"]["mean_macro_f1"]
    assert res["test"] > 0 and res["train"] > res["test"]


def test_recommendations_carry_reasons_and_the_exsitu_steps(synth_profiles) -> None:  # type: ignore[no-untyped-def]
    empty = [p for p in synth_profiles if p.threatened and not p.has_conservation_section][:5]
    recs = nb.recommend(empty, None, LabelContext.from_profiles(synth_profiles))
    assert len(recs) == 4 * len(empty)
    assert all(r.model.startswith("rules/") for r in recs)
    for r in recs:
        if r.recommended:
            assert r.reasons
        if r.bucket == "ex_situ":
            assert r.exsitu is not None and [s.step for s in r.exsitu.steps] == [1, 2, 3, 4, 5]
            assert r.exsitu_roles == r.exsitu.roles
        else:
            assert r.exsitu is None and r.exsitu_roles == []


def test_training_refuses_real_data_in_the_repository(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="non-synthetic"):
        nb.train([MINI], nb.MODELS / "buckets", embed=False)


def test_train_writes_a_loadable_model_with_card(synth_dir: Path, tmp_path: Path) -> None:
    out = nb.train([synth_dir], tmp_path / "models", seed=1, embed=False)
    assert {f.name for f in out.iterdir()} >= set(nb.REQUIRED_FILES) | {"config.json"}
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in card and "macro-F1" in card and "majority" in card
    loaded = nb.load_model(tmp_path / "models")
    assert loaded.ident == f"buckets/{out.name}" and not loaded.embed
    (out / "MODEL_CARD.md").unlink()
    nb._load_cached.cache_clear()
    with pytest.raises(nb.ModelNotFoundError, match="MODEL_CARD"):
        nb.load_model(out)


def test_coded_buckets_are_named_but_never_predicted_from() -> None:
    p = profile("1", "EN", ("5.4.1",), places=("ID",), actions=("3.4.1",))
    recs = {r.bucket: r for r in nb.recommend([p], None, LabelContext())}
    assert recs["ex_situ"].reasons[0].startswith("coded in the assessment: actions needed 3.4.1")
    assert not recs["ex_situ"].recommended and recs["ex_situ"].probability == 0.0  # visible rules only


@pytest.mark.slow
def test_unit_embeddings_reuse_what_the_extraction_encoded() -> None:
    """Embed mode "units": the bucket model embeds the clauses the extraction maps to codes,
    with its encoder, so a draft extracted first costs the bucket model no encoding at all."""
    import nlp
    from kg.records import Assessment

    texts = {
        "rationale": "Listed as Endangered because its forest is being cleared for oil palm; "
        "the population is declining.",
        "threats": "Logging and conversion of lowland forest to plantations are the main threats. "
        "Hunting for the pet trade also occurs. No other threats are known.",
        "habitat": "It lives in lowland rainforest.",
    }
    p = profile("1", "EN", ("2.1.3", "5.3.5"), places=("ID",), texts=texts)
    enc = nb.profile_embedder("units")
    assert isinstance(enc, nb.UnitEncoder) and enc.embedder.max_seq_length == 64
    units = nb.unit_texts(p.hidden())
    assert units and len(units) == len(set(units))
    assert any("oil palm" in u for u in units) and any("Hunting" in u for u in units)
    assert not any("rainforest" in u for u in units)  # the extraction reads no habitat units
    enc.embedder.clear()
    list(nlp.extract_many([Assessment(assessment_id="a", taxon_id="t", scientific_name="x",
                                      category="EN", texts=texts)]))
    before = enc.embedder.encoded
    assert before >= len(units)
    E = nb.embeddings([p.hidden()], enc)
    assert enc.embedder.encoded == before  # every unit came from the extraction's memo
    assert E.shape == (1, 384) and abs(float(np.linalg.norm(E[0])) - 1.0) < 1e-5
    fields = nb.embeddings([p.hidden()], nb.profile_embedder("fields"))
    assert float(fields[0] @ E[0]) < 0.999  # a different feature than the 0.2.0 fields mode
    with pytest.raises(ValueError, match="embed mode"):
        nb.profile_embedder("sentences")


def test_the_committed_model_embeds_units_and_its_card_says_so() -> None:
    loaded = nb.load_model()
    assert loaded.meta.get("embed_mode") == nb.EMBED_MODE == "units" and loaded.embed
    card = (loaded.folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "candidate units" in card and "--embed units" in card
