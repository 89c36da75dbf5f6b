"""Metrics, grouped folds, baselines and the evaluation driver on a tiny fixture corpus."""

import itertools
import json

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from altermag.core.errors import AltermagError, ParameterError
from altermag.discovery import baselines as bl
from altermag.discovery import evaluation as ev
from altermag.discovery.datasets import labelled_corpus
from altermag.structures import read_structure
from altermag.symmetry import analyze, crystal_symmetry
from tests.conftest import MAGNDATA_FIXTURES, fixture_file


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """One label/feature cache for the module (what a user's repeated runs share)."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def corpus(cache):
    return labelled_corpus(MAGNDATA_FIXTURES, cache_dir=cache, workers=1, progress=False)


@pytest.fixture(scope="module")
def features(corpus, cache):
    return bl.compute_features(corpus.structures, cache_dir=cache, workers=1, progress=False)


# ------------------------------------------------------------------------------------------------ metrics
def test_metrics_agree_with_sklearn(rng):
    for trial in range(40):
        n = int(rng.integers(5, 60))
        y = rng.integers(0, 2, n)
        if y.sum() in (0, n):
            y[0], y[-1] = 0, 1
        s = rng.integers(0, 6, n) / 5.0 if trial % 2 else rng.normal(size=n)  # with and without ties
        assert ev.roc_auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
        assert ev.average_precision(y, s) == pytest.approx(average_precision_score(y, s), abs=1e-12)


def test_r_precision_is_recall_at_k_with_expected_ties(rng):
    # without ties: recall among the top k = number of positives
    y = np.array([1, 0, 1, 1, 0, 0, 1, 0])
    s = np.array([0.9, 0.8, 0.7, 0.1, 0.6, 0.2, 0.5, 0.3])
    k = y.sum()
    top = np.argsort(-s)[:k]
    assert ev.r_precision(y, s) == pytest.approx(y[top].sum() / k)
    assert ev.r_precision(y, y.astype(float)) == 1.0
    assert ev.r_precision(y, -y.astype(float)) == 0.0
    # with ties: the average over every tie-breaking order (brute force)
    for _ in range(10):
        y = rng.integers(0, 2, 7)
        y[0] = 1
        s = rng.integers(0, 3, 7).astype(float)
        vals = []
        for perm in itertools.permutations(range(7)):
            order = sorted(range(7), key=lambda i: (-s[i], perm[i]))
            vals.append(y[order[:y.sum()]].sum() / y.sum())
        assert ev.r_precision(y, s) == pytest.approx(np.mean(vals))
    # constant score: expected positive rate
    assert ev.r_precision(y, np.zeros(7)) == pytest.approx(y.mean())


def test_metric_input_errors():
    with pytest.raises(ParameterError, match="labels but"):
        ev.metrics([0, 1], [0.1])
    with pytest.raises(ParameterError, match="0/1"):
        ev.metrics([0, 2], [0.1, 0.2])
    with pytest.raises(ParameterError, match="finite"):
        ev.metrics([0, 1], [0.1, np.nan])
    assert np.isnan(ev.roc_auc([1, 1], [0.2, 0.3]))


# ------------------------------------------------------------------------------------------------ splits
def test_grouped_folds_never_share_a_formula(rng):
    groups = np.array([f"F{i}" for i in rng.integers(0, 40, 200)])
    y = (rng.random(200) < 0.3).astype(int)
    splits = ev.grouped_splits(y, groups, folds=5, seeds=(0, 1, 2))
    assert len(splits) == 15
    for sp in splits:
        assert not set(groups[sp["train"]]) & set(groups[sp["test"]])
        assert len(np.intersect1d(sp["train"], sp["test"])) == 0
    for seed in (0, 1, 2):
        tests = np.concatenate([sp["test"] for sp in splits if sp["seed"] == seed])
        assert np.array_equal(np.sort(tests), np.arange(200))  # every item held out exactly once
    with pytest.raises(ParameterError):
        ev.grouped_splits(y, groups, folds=1)
    with pytest.raises(ParameterError, match="groups"):
        ev.grouped_splits(y, np.zeros(200), folds=3)


def test_few_positive_training_set(rng):
    y = (rng.random(300) < 0.3).astype(int)
    train = np.sort(rng.choice(300, 200, replace=False))
    few = ev.few_positive_train(train, y, 14, seed=5)
    assert y[few].sum() == 14
    assert set(few) <= set(train)
    assert set(train[y[train] == 0]) <= set(few)
    assert np.array_equal(few, ev.few_positive_train(train, y, 14, seed=5))
    with pytest.raises(ParameterError):
        ev.few_positive_train(train, y, 10_000, seed=0)


# ------------------------------------------------------------------------------------------------ baselines
def test_point_group_characters():
    """Number of non-trivial 1-d real characters = 2^r − 1 (r = rank of the abelianisation mod squares):
    4/mmm and 6/mmm: 7, m-3m: 3 (O_h/[O_h,O_h] = Z2×Z2), 432: 1, -3m: 3."""
    cases = {"0.607_RuO2": 7, "0.800_MnTe": 7, "1.6_NiO": 3, "0.65_Fe2O3-alpha": 3}
    for name, expected in cases.items():
        s = read_structure(fixture_file(name))
        from altermag.symmetry.enumeration import primitive_symmetry

        _, sym = primitive_symmetry(s)
        chars = bl.point_group_characters(sym.rotations)
        assert len(chars) == expected, name
        R = sym.rotations
        idx = {r.tobytes(): i for i, r in enumerate(R)}
        for chi in chars:  # homomorphism check on the full table
            for a in range(len(R)):
                for b in range(len(R)):
                    assert chi[idx[(R[a] @ R[b]).tobytes()]] == chi[a] * chi[b]
    assert len(bl.point_group_characters(np.eye(3, dtype=int)[None])) == 0


def test_two_sublattice_priors_agree_with_the_experimental_verdict():
    """For one magnetic orbit of two sites there is one compensated order; both priors are then 0/1 and
    equal to whether the experimental (that) order is altermagnetic."""
    for name in ("0.607_RuO2", "0.15_MnF2", "0.800_MnTe", "0.528_CrSb", "0.639_Mn2Au", "0.36_NiF2", "0.178_CoF2"):
        s = read_structure(fixture_file(name))
        am = float(analyze(s).verdict == "altermagnet")
        bare = s.without_moments()
        assert bl.symmetry_prior(bare) == am, name
        assert bl.enumeration_prior(bare) == am, name


def test_prior_is_invariant_under_cell_choice_and_origin():
    s = read_structure(fixture_file("0.65_Fe2O3-alpha")).without_moments()
    p = bl.symmetry_prior(s)
    assert 0 < p < 1  # corundum: the ++-- order is altermagnetic, +-+- (Cr2O3) is PT-symmetric
    assert bl.symmetry_prior(s.supercell([2, 1, 1])) == p
    assert bl.symmetry_prior(s.translated([0.13, 0.27, 0.4])) == p


def test_features_and_baselines_on_fixture_corpus(corpus, features):
    assert len(corpus) >= 15 and 0 < corpus.labels.sum() < len(corpus)
    assert features.X.shape[0] == len(corpus) and not features.errors
    X = features.matrix(include_priors=True)
    assert np.all(np.isfinite(X))
    assert set(bl.PRIOR_FEATURES) <= set(features.names)
    assert features.matrix(False).shape[1] == X.shape[1] - len(bl.PRIOR_FEATURES)
    sg = features.column("space_group")
    for s, g in zip(corpus.structures, sg):
        assert g == crystal_symmetry(s, 1e-2).space_group_number
    idx = np.arange(len(corpus))
    for inc in (False, True):
        f = bl.ForestBaseline(include_priors=inc, n_estimators=30, seed=0).fit(features, idx, corpus.labels)
        p = f.predict_proba(features, idx)
        assert np.all((p >= 0) & (p <= 1)) and np.all(np.isfinite(p))
    with pytest.raises(AltermagError):
        bl.ForestBaseline().fit(features, idx[:3], np.zeros(3))


def test_feature_cache_reused(corpus, tmp_path, monkeypatch):
    t1 = bl.compute_features(corpus.structures[:4], cache_dir=tmp_path, workers=1, progress=False)

    def fail(*a, **k):
        raise AssertionError("recomputed")

    monkeypatch.setattr(bl, "structure_features", fail)
    t2 = bl.compute_features(corpus.structures[:4], cache_dir=tmp_path, workers=1, progress=False)
    assert np.array_equal(t1.X, t2.X)


# ------------------------------------------------------------------------------------------------ driver
def _oracle(ctx, train, test, seed):
    """A plug-in method that returns the truth: the driver must report perfect metrics for it."""
    return ctx.labels[test].astype(float)


def test_evaluate_on_fixture_corpus(corpus, features, cache, tmp_path):
    cfg = ev.EvalConfig.quick(gnn=False, few_positive=3, forest_trees=20)
    oracle = ev.Method("oracle", "baseline", _oracle)
    res = ev.evaluate(corpus, folds=2, seeds=2, config=cfg, out_dir=tmp_path, cache_dir=cache,
                      methods=[oracle], progress=False)
    assert set(res) >= {"gnn", "baselines", "few_positive", "corpus", "splits", "config", "per_split"}
    assert res["gnn"]["status"].startswith("skipped")
    for name in ("paper_rules", "symmetry_prior", "enumeration_prior", "forest", "forest_prior"):
        d = res["baselines"][name]
        assert d["n_splits"] == 4
        for key in ("roc_auc", "pr_auc", "r_precision"):
            assert np.isfinite(d[key]) and 0 <= d[key] <= 1
    assert res["baselines"]["oracle"]["roc_auc"] == 1.0 and res["baselines"]["oracle"]["r_precision"] == 1.0
    assert res["splits"]["max_formula_overlap"] == 0
    for row in res["per_split"]["few_positive"]["forest"]:
        assert row["n_train_positive"] == 3
    assert res["few_positive"]["n_positive"] == 3
    saved = json.loads((tmp_path / "evaluation.json").read_text())
    assert saved["provenance"]["inputs"]["config"]["folds"] == 2
    assert "| forest_prior |" in (tmp_path / "evaluation.md").read_text()
    assert (tmp_path / "embedding.png").stat().st_size > 1000


def test_evaluate_errors(tmp_path, corpus):
    with pytest.raises(AltermagError):
        ev.evaluate(tmp_path / "nowhere", config=ev.EvalConfig.quick(gnn=False), cache_dir=tmp_path, progress=False)
    with pytest.raises(ParameterError):
        ev.evaluate(corpus, folds=1, config=ev.EvalConfig.quick(gnn=False), cache_dir=tmp_path, progress=False)
    with pytest.raises(ParameterError, match="group_by"):
        ev.evaluate(corpus, folds=2, seeds=1, config=ev.EvalConfig.quick(gnn=False, group_by="colour"),
                    cache_dir=tmp_path, progress=False)


@pytest.mark.slow
def test_gnn_runs_in_the_evaluation(corpus, features, cache):
    if ev.gnn_available() is not None:
        pytest.skip(f"GNN modules not available: {ev.gnn_available()}")
    cfg = ev.EvalConfig.quick(hidden=8, n_layers=1, epochs=2, patience=0, pretrain_epochs=1, n_synthetic=4,
                              pretrain_magndata=False, few_positive=0, forest_trees=10, embedding=False)
    res = ev.evaluate(corpus, folds=2, seeds=1, config=cfg, cache_dir=cache, progress=False)
    assert res["gnn"]["variant"] == "gnn_pretrained"
    assert set(res["gnn_variants"]) == {"gnn_scratch", "gnn_pretrained"}
    for d in res["gnn_variants"].values():
        assert d["n_splits"] == 2 and 0 <= d["roc_auc"] <= 1
    assert res["pretraining"]["n_synthetic"] == 4


def test_cli_evaluate_json(corpus, features, cache, tmp_path):
    from typer.testing import CliRunner

    from altermag.cli import app

    args = ["discover", "evaluate", "--corpus", str(MAGNDATA_FIXTURES), "--folds", "2", "--seeds", "1",
            "--few-positive", "2", "--no-gnn", "--quick", "--json", "--cache-dir", str(cache)]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert {"gnn", "baselines", "few_positive"} <= set(out)
    assert np.isfinite(out["baselines"]["symmetry_prior"]["roc_auc"])
    bad = CliRunner().invoke(app, ["discover", "evaluate", "--corpus", str(tmp_path / "none"), "--no-gnn",
                                   "--cache-dir", str(tmp_path)])
    assert bad.exit_code == 1 and "error:" in bad.output
