"""The shared Adam optimiser: the torch.optim.Adam update, parameter groups, exact state round trip."""

import pytest

torch = pytest.importorskip("torch")

from altermag.core.errors import ParameterError  # noqa: E402
from altermag.core.optim import Adam  # noqa: E402


def _train(model, opt, steps, seed=1):
    g = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        x = torch.randn(7, 5, generator=g)
        opt.zero_grad()
        (model(x) ** 2).sum().backward()
        opt.step()


def test_adam_equals_torch_optim_adam_bit_for_bit():
    torch.manual_seed(0)
    a, b = torch.nn.Linear(5, 3), torch.nn.Linear(5, 3)
    b.load_state_dict(a.state_dict())
    _train(a, torch.optim.Adam(a.parameters(), lr=1e-2, weight_decay=1e-3), 20)
    _train(b, Adam(b.parameters(), lr=1e-2, weight_decay=1e-3), 20)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


def test_zero_lr_group_is_frozen_and_other_group_moves():
    torch.manual_seed(0)
    m = torch.nn.Linear(5, 3)
    w0, b0 = m.weight.detach().clone(), m.bias.detach().clone()
    opt = Adam([{"params": [m.weight], "lr": 1e-2}, {"params": [m.bias], "lr": 0.0}])
    _train(m, opt, 5)
    assert torch.equal(m.bias, b0) and not torch.equal(m.weight, w0)


def test_state_dict_round_trip_resumes_exactly():
    torch.manual_seed(0)
    ref, res = torch.nn.Linear(5, 3), torch.nn.Linear(5, 3)
    res.load_state_dict(ref.state_dict())
    o_ref = Adam(ref.parameters(), lr=3e-3)
    _train(ref, o_ref, 10, seed=1)
    _train(ref, o_ref, 10, seed=2)
    o1 = Adam(res.parameters(), lr=3e-3)
    _train(res, o1, 10, seed=1)
    state = o1.state_dict()
    o2 = Adam(res.parameters(), lr=99.0)  # a fresh optimiser: state restores lr, moments and step count
    o2.load_state_dict(state)
    _train(res, o2, 10, seed=2)
    for p, q in zip(ref.parameters(), res.parameters()):
        assert torch.equal(p, q)


def test_bad_hyperparameters_are_rejected():
    with pytest.raises(ParameterError, match="lr"):
        Adam([torch.zeros(2, requires_grad=True)], lr=-1.0)
