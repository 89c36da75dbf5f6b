"""NWR-GAE: exact Hungarian W2 vs brute force, neighbour sampling, the loss decreases with every term on."""

import itertools

import numpy as np
import pytest
import torch

from altermag.discovery.graphs import build_graphs
from altermag.discovery.encoder import GatedConv
from altermag.discovery.nwr_gae import (NWRGAE, PretrainConfig, hungarian_w2, make_encoder, matched_w2, pairwise_sq_dist,
                                       pretrain, sample_neighbours)
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


def test_fast_matched_w2_equals_the_cost_matrix_path(rng):
    """The training path (assignment from a no-grad cost tensor, loss = direct matched distance, analytic
    backward) gives the value and the gradients of the plain autograd path Hungarian(‖a‖²+‖b‖²−2ab)/d."""
    N, q, d, M = 9, 6, 5, 14
    g0 = torch.tensor(rng.normal(size=(N, q, d)))
    h0 = torch.tensor(rng.normal(size=(M, d)) * 1.3)
    nb = torch.tensor(rng.integers(0, M, size=(N, q)))
    w = torch.tensor(rng.uniform(0.5, 2.0, size=N))
    g1, h1 = g0.clone().requires_grad_(), h0.clone().requires_grad_()
    fast = matched_w2(g1, h1, nb)
    (fast * w).sum().backward()
    g2, h2 = g0.clone().requires_grad_(), h0.clone().requires_grad_()
    slow = hungarian_w2(pairwise_sq_dist(g2, h2[nb]) / d)[0]
    (slow * w).sum().backward()
    assert torch.allclose(fast, slow, rtol=1e-10, atol=1e-12)
    assert torch.allclose(g1.grad, g2.grad, rtol=1e-9, atol=1e-12)
    assert torch.allclose(h1.grad, h2.grad, rtol=1e-9, atol=1e-12)  # repeated neighbours accumulate


def test_gated_conv_equals_linear_on_the_concatenation(rng):
    """The block-wise convolution equals paper Eq. 1 written literally: z_ij = h_i ⊕ h_j ⊕ u_ij through one
    Linear, gate/core halves, magnetic term on magnetic neighbours only, sum over edges, residual + LayerNorm."""
    torch.manual_seed(0)
    H, De, N, E = 6, 4, 7, 30
    conv = GatedConv(H, De, magnetic_term=True).double()
    with torch.no_grad():  # non-trivial LayerNorm affine parameters
        conv.norm.weight.uniform_(0.5, 1.5)
        conv.norm.bias.uniform_(-0.5, 0.5)
    h = torch.tensor(rng.normal(size=(N, H)))
    ei = torch.tensor(rng.integers(0, N, size=(2, E)))
    u = torch.tensor(rng.normal(size=(E, De)))
    mag = torch.tensor(rng.integers(0, 2, size=N)).bool()
    W = torch.cat([conv.lin_centre.weight, conv.lin_neigh.weight, conv.lin_edge.weight], dim=1)  # (2H, 2H+De)
    z = torch.cat([h[ei[0]], h[ei[1]], u], dim=1) @ W.T + conv.lin_edge.bias
    core = z[:, H:] + mag[ei[1]].double().unsqueeze(1) * (h[ei[1]] @ conv.lin_m.weight.T)
    msg = torch.sigmoid(z[:, :H]) * torch.nn.functional.softplus(core)
    agg = torch.zeros(N, H, dtype=torch.float64).index_add_(0, ei[0], msg)
    expected = h + conv.norm(agg)
    assert torch.allclose(conv(h, ei, u, mag), expected, rtol=1e-12, atol=1e-12)
