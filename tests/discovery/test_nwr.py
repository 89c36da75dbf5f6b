"""NWR-GAE: exact Hungarian W2 vs brute force, neighbour sampling, the loss decreases with every term on."""

import itertools

import numpy as np
import pytest
import torch

from altermag.discovery.graphs import build_graphs
from altermag.discovery.nwr_gae import NWRGAE, PretrainConfig, hungarian_w2, make_encoder, pretrain, sample_neighbours
from altermag.structures import list_references, load_reference


@pytest.fixture(scope="module")
def ref_graphs():
    return build_graphs([load_reference(n) for n in list_references()], progress_bar=False)


@pytest.mark.parametrize("q", [3, 5, 6])
def test_hungarian_equals_brute_force(q, rng):
    N = 12
    x = rng.normal(size=(N, q, 4))
    y = rng.normal(size=(N, q, 4)) * 1.5 + 0.3
    cost = torch.as_tensor(((x[:, :, None, :] - y[:, None, :, :]) ** 2).sum(-1))
    w2, perm = hungarian_w2(cost)
    c = cost.numpy()
    for n in range(N):
        best = min(sum(c[n, a, p[a]] for a in range(q)) for p in itertools.permutations(range(q))) / q
        assert w2[n].item() == pytest.approx(best, rel=1e-12)
        assert sorted(perm[n]) == list(range(q))


def test_w2_of_identical_sets_is_zero_and_matching_is_differentiable(rng):
    x = torch.tensor(rng.normal(size=(4, 6, 3)), requires_grad=True)
    y = x.detach()[:, torch.randperm(6)]  # same sets, shuffled
    cost = ((x.unsqueeze(2) - y.unsqueeze(1)) ** 2).sum(-1)
    w2, _ = hungarian_w2(cost)
    assert torch.allclose(w2, torch.zeros_like(w2), atol=1e-12)
    # moving one generated point changes W2 smoothly and the gradient flows into x
    cost = (((x + 0.1).unsqueeze(2) - y.unsqueeze(1)) ** 2).sum(-1)
    w2, _ = hungarian_w2(cost)
    w2.sum().backward()
    assert x.grad is not None and torch.all(torch.isfinite(x.grad)) and x.grad.abs().sum() > 0
    # for a rigid shift δ of every point W2² = |δ|², matched to itself
    assert w2[0].item() == pytest.approx(3 * 0.01, rel=1e-9)


def test_sample_neighbours_without_then_with_replacement():
    # node 0 has 5 neighbours, node 1 has 2, node 2 has 1
    edges = torch.tensor([[0, 0, 0, 0, 0, 1, 1, 2], [1, 2, 3, 4, 5, 6, 7, 8]])
    g = torch.Generator().manual_seed(1)
    nb = sample_neighbours(edges, 3, 4, torch.rand(8, generator=g), torch.rand(3, 4, generator=g))
    assert len(set(nb[0].tolist())) == 4 and set(nb[0].tolist()) <= {1, 2, 3, 4, 5}
    assert set(nb[1].tolist()) <= {6, 7} and set(nb[1, :2].tolist()) == {6, 7}
    assert nb[2].tolist() == [8, 8, 8, 8]


def test_pretraining_loss_decreases_and_every_term_is_on(ref_graphs):
    cfg = PretrainConfig(hidden=24, epochs=6, batch_size=14, lr=3e-3, seed=3, threads=1)
    _, hist = pretrain(ref_graphs, cfg)
    first, last = hist[0], hist[-1]
    assert last["loss"] < 0.8 * first["loss"]
    for h in hist:
        assert h["feat"] > 0
        for t in range(cfg.n_layers):
            assert h[f"w2_{t}"] > 1e-4  # the W2 term of every layer is switched on
    # the loss is the weighted sum of its terms
    assert first["loss"] == pytest.approx(first["feat"] + first["w2"], rel=1e-5)
    assert last["w2"] < first["w2"]


def test_w2_term_trains_the_encoder(ref_graphs):
    """With λ_s = 0 the encoder still receives gradients (through both the generated and the target sets)."""
    cfg = PretrainConfig(hidden=16, lambda_feat=0.0, lambda_w2=1.0)
    task = NWRGAE(make_encoder(cfg), q=cfg.q, lambda_feat=0.0, lambda_w2=1.0)
    task.graphs = ref_graphs
    from altermag.discovery.training import StepContext

    ctx = StepContext(indices=np.arange(6), lo=0, hi=6, generator=torch.Generator().manual_seed(0), epoch=0)
    loss, metrics = task(ctx)
    loss.backward()
    assert metrics["w2"] > 0
    assert task.encoder.convs[0].lin_centre.weight.grad.abs().sum() > 0
    assert task.encoder.embed.weight.grad.abs().sum() > 0
    assert task.feat_decoder[0].weight.grad is None or task.feat_decoder[0].weight.grad.abs().sum() == 0


def test_paper_code_weight_switches_w2_off(ref_graphs):
    """λ_p = 1e-6 (the public code) makes the W2 contribution negligible next to the feature loss."""
    cfg = PretrainConfig(hidden=16, epochs=1, batch_size=27, lambda_w2=1e-6, threads=1)
    _, hist = pretrain(ref_graphs, cfg)
    h = hist[0]
    assert h["w2"] > 1e-2 * h["feat"]  # the W2 distance itself is not small ...
    assert h["loss"] == pytest.approx(h["feat"] + 1e-6 * h["w2"], rel=1e-6)  # ... the weight enters the loss
    assert h["loss"] - h["feat"] < 1e-4 * h["loss"]  # ... and switches it off
