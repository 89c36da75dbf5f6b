"""Encoder invariances, calibration, up-sampling, ranking, the iterative loop, save/load."""

import numpy as np
import pytest
import torch

from altermag.core.errors import ParameterError
from altermag.discovery.classifier import (Classifier, TrainConfig, _nll, fit_temperature, iterative_discovery, rank,
                                           split_validation, train_classifier)
from altermag.discovery.encoder import CGCNNEncoder, EncoderConfig
from altermag.discovery.graphs import build_graph, build_graphs, collate
from altermag.structures import list_references, load_reference, reference_info

TINY = dict(hidden=16, mlp_hidden=16, epochs=12, batch_size=9, lr=3e-3, patience=0, threads=1)


@pytest.fixture(scope="module")
def refs():
    names = list_references()
    graphs = build_graphs([load_reference(n) for n in names], progress_bar=False)
    labels = np.array([1 if reference_info(n).get("role") == "positive" else 0 for n in names])
    return names, graphs, labels


def _encoder(seed=0, **kw):
    torch.manual_seed(seed)
    return CGCNNEncoder(EncoderConfig(hidden=12, **kw)).eval()


def test_pooled_embedding_is_invariant_under_cell_choice_and_atom_order(rng):
    enc = _encoder()
    s = load_reference("MnTe")
    with torch.no_grad():
        e1 = enc.embed_graphs(collate([build_graph(s)]))
        e2 = enc.embed_graphs(collate([build_graph(s.supercell([[1, 1, 0], [0, 1, 0], [0, 0, 2]]))]))
        perm = rng.permutation(len(s))
        from dataclasses import replace

        sp = replace(s, frac_coords=s.frac_coords[perm], species=tuple(s.species[k] for k in perm),
                     moments=s.moments[perm], labels=tuple(s.labels[k] for k in perm))
        e3 = enc.embed_graphs(collate([build_graph(sp)]))
    torch.testing.assert_close(e2, e1, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(e3, e1, rtol=1e-5, atol=1e-5)


def test_conv_is_paper_eq1_and_magnetic_term_acts():
    """h' = h + LN(Σ_j σ(z W_f + b_f) ⊙ softplus(z W_s + m_j h_j W_m + b_s)), z = h_i ⊕ h_j ⊕ u_ij."""
    enc = _encoder()
    g = build_graph(load_reference("CrSb"))
    b = collate([g])
    conv = enc.convs[0]
    with torch.no_grad():
        h = enc.embed(b.x)
        H = conv.hidden
        W = torch.cat([conv.lin_centre.weight, conv.lin_neigh.weight, conv.lin_edge.weight], dim=1)  # (2H, 2H+G)
        i, j = b.edge_index
        z = torch.cat([h[i], h[j], b.edge_attr], dim=1)
        pre = z @ W.T + conv.lin_edge.bias
        core = pre[:, H:] + conv.lin_m(h[j]) * b.magnetic[j, None].float()
        msg = torch.sigmoid(pre[:, :H]) * torch.nn.functional.softplus(core)
        ref = h + conv.norm(torch.zeros_like(h).index_add_(0, i, msg))
        torch.testing.assert_close(conv(h, b.edge_index, b.edge_attr, b.magnetic), ref, rtol=1e-5, atol=1e-5)
        # the magnetic flags change the embedding only through W_m
        b2 = collate([g])
        b2.magnetic = ~b2.magnetic
        assert not torch.allclose(enc.embed_graphs(b2), enc.embed_graphs(b))
        enc0 = _encoder(magnetic_term=False)
        torch.testing.assert_close(enc0.embed_graphs(b2), enc0.embed_graphs(b))


def test_temperature_scaling_recovers_known_temperature(rng):
    z = rng.normal(0, 2, size=4000)
    y = (rng.random(4000) < 1 / (1 + np.exp(-z))).astype(int)
    logits = np.stack([np.zeros_like(z), 3.0 * z], axis=1)  # over-confident by a factor 3
    T = fit_temperature(logits, y)
    assert T == pytest.approx(3.0, rel=0.12)
    assert _nll(logits, y, T) < _nll(logits, y) - 0.05
    from altermag.discovery.classifier import calibrate_temperature

    assert calibrate_temperature(logits, y)[0] == T  # an informative fit is used as it is


def test_uninformative_validation_sets_keep_temperature_one():
    """A perfectly separated validation set drives the NLL fit to T -> 0 (all probabilities 0/1): kept at 1."""
    from altermag.discovery.classifier import calibrate_temperature

    logits = np.array([[0.0, 2.0], [0.0, 1.0], [0.0, -1.0], [0.0, -3.0]])
    assert fit_temperature(logits, np.array([1, 1, 0, 0])) < 0.06  # what the bare fit does
    T, note = calibrate_temperature(logits, np.array([1, 1, 0, 0]))
    assert T == 1.0 and "separated" in note
    T, note = calibrate_temperature(logits, np.array([1, 0, 0, 0]))
    assert T == 1.0 and "need >= 2" in note
    T, _ = calibrate_temperature(logits, np.array([1, 0, 1, 0]))  # overlapping classes: a real fit
    assert 0.06 < T < 20


def test_training_learns_and_calibration_lowers_validation_nll(refs):
    names, graphs, _ = refs
    # an unambiguous crystal-chemistry target: "contains oxygen"
    y = np.array([int(any(s == "O" for s in load_reference(n).species)) for n in names])
    clf = train_classifier(graphs, y, TrainConfig(**dict(TINY, epochs=25), val_fraction=0.3), groups=names)
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(y, clf.predict_proba(graphs)) > 0.9
    info = clf.info
    assert info["n_val"] > 0 and "val_nll_calibrated" in info
    assert info["val_nll_calibrated"] <= info["val_nll_uncalibrated"] + 1e-9
    assert len(info["history"]) == 25 and all("val_loss" in h for h in info["history"])


def test_upsampling_class_weights_and_grouped_split(refs):
    names, graphs, labels = refs
    y = np.zeros(len(names), dtype=int)
    y[[0, 3, 5]] = 1  # three positives
    clf = train_classifier(graphs, y, TrainConfig(**dict(TINY, epochs=2), upsample_to=0.4, val_fraction=0.0))
    n_items = clf.info["train_items_after_upsampling"]
    n_pos_items = n_items - (len(y) - 3)
    assert n_pos_items / n_items >= 0.4 and n_pos_items % 3 == 0
    assert clf.info["class_weight"][1] == pytest.approx((len(y) - 3) / n_pos_items)
    groups = [n.split("-")[0] for n in names]  # CuF2 and CuF2-experimental share a group
    tr, va = split_validation(labels, groups, 0.3, seed=1)
    assert not set(np.asarray(groups)[tr]) & set(np.asarray(groups)[va])
    assert len(tr) + len(va) == len(names)


def test_save_load_rank_and_graph_features(refs, tmp_path):
    names, graphs, labels = refs
    gf = np.stack([3.0 * labels + 0.01 * np.arange(len(labels)), np.ones(len(labels))], axis=1)
    clf = train_classifier(graphs, labels, TrainConfig(**dict(TINY, epochs=3)), graph_features=gf, groups=names)
    p = clf.predict_proba(graphs, gf)
    assert np.all((p >= 0) & (p <= 1))
    assert p[labels == 1].min() > p[labels == 0].max()  # the leaky feature is used (wide path)
    clf.save(tmp_path / "m.pt")
    back = Classifier.load(tmp_path / "m.pt")
    np.testing.assert_allclose(back.predict_proba(graphs, gf), p, rtol=1e-6)
    with pytest.raises(ParameterError, match="graph_features"):
        back.predict_proba(graphs)
    ranking = rank(back, graphs, names, threshold=0.5, graph_features=gf, exclude=["RuO2", "MnTe"])
    assert len(ranking) == len(names) - 2 and {"RuO2", "MnTe"}.isdisjoint(r["name"] for r in ranking)
    probs = [r["probability"] for r in ranking]
    assert probs == sorted(probs, reverse=True)
    assert all(r["above_threshold"] == (r["probability"] > 0.5) for r in ranking)
    assert back.embed(graphs).shape == (len(graphs), 4 * 16)
    with pytest.raises(ParameterError, match="threshold"):
        rank(back, graphs, names, threshold=1.5, graph_features=gf)


def test_iterative_discovery_adds_confirmed_positives(refs):
    names, graphs, labels = refs
    train_idx = np.arange(0, len(names), 2)
    cand_idx = np.arange(1, len(names), 2)
    truth = {i: bool(labels[c]) for i, c in enumerate(cand_idx)}
    asked = []

    def oracle(i):
        asked.append(i)
        return truth[i]

    out = iterative_discovery([graphs[i] for i in train_idx], labels[train_idx], [graphs[i] for i in cand_idx],
                              [names[i] for i in cand_idx], rounds=2, threshold=0.3, oracle=oracle,
                              config=TrainConfig(**dict(TINY, epochs=3)), groups=[names[i] for i in train_idx])
    r1, r2 = out["rounds"]
    assert len(asked) == len(set(asked))  # every candidate is queried at most once
    assert r1["n_flagged"] == len(r1["confirmed"]) + len(r1["rejected"]) + len(r1["unknown"])
    assert r2["n_positive"] == r1["n_positive"] + len(r1["confirmed"])
    assert r2["n_train"] == r1["n_train"] + len(r1["confirmed"]) + len(r1["rejected"])
    assert set(r1["confirmed"]) <= {names[c] for c in cand_idx if labels[c] == 1}
    assert isinstance(out["classifier"], Classifier)


def test_bad_inputs(refs):
    names, graphs, labels = refs
    with pytest.raises(ParameterError, match="both classes"):
        train_classifier(graphs, np.zeros(len(graphs)), TrainConfig(**TINY))
    with pytest.raises(ParameterError, match="labels"):
        train_classifier(graphs, labels[:-1], TrainConfig(**TINY))
    with pytest.raises(ParameterError, match="dropout"):
        train_classifier(graphs, labels, TrainConfig(**dict(TINY, dropout=1.5)))


def test_symmetry_oracle_confirms_from_known_moments():
    from altermag.discovery.classifier import symmetry_oracle

    assert symmetry_oracle(load_reference("RuO2")) is True
    assert symmetry_oracle(load_reference("NiO")) is False
    assert symmetry_oracle(load_reference("RuO2").without_moments()) is None  # unknown order: unconfirmed


def test_distance_augmentation_changes_the_input_rotation_would_not(refs):
    """Strain/jitter changes the edge features (and the loss); with σ = 0 the step sees the plain graphs."""
    from altermag.discovery.classifier import ClassifierNet, _FineTuneTask
    from altermag.discovery.training import StepContext

    names, graphs, labels = refs
    torch.manual_seed(0)
    net = ClassifierNet(CGCNNEncoder(EncoderConfig(hidden=8)), 0, 8, dropout=0.0)

    def loss(strain, noise):
        cfg = TrainConfig(**dict(TINY, hidden=8, mlp_hidden=8, dropout=0.0), strain=strain, edge_noise=noise)
        task = _FineTuneTask(net, graphs, labels, None, cfg, np.array([1.0, 1.0]))
        ctx = StepContext(indices=np.arange(8), lo=0, hi=8, generator=torch.Generator().manual_seed(3), epoch=0)
        return float(task(ctx)[0].detach())

    plain = torch.nn.functional.cross_entropy(net.logits(collate(graphs[:8])), torch.as_tensor(labels[:8])).item()
    assert loss(0.0, 0.0) == pytest.approx(plain, rel=1e-6)
    assert abs(loss(0.05, 0.0) - plain) > 1e-6 and abs(loss(0.0, 0.05) - plain) > 1e-6
