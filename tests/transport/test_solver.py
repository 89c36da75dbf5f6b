"""Physics checks of the deterministic Boltzmann solver (spec transport.md §2–§4)."""

import math

import numpy as np
import pytest

from altermag.core.errors import ParameterError
from altermag.transport import (
    PARAMETERS,
    ChannelParameters,
    conductance,
    conductance_and_gradient,
    conductance_angular,
    solve,
)

L_PAPER = math.sqrt(2)  # the spec's Table 1 convention: m = 1, E_F = 1, L = √2
# Table 1 of arXiv:2606.19785: (alpha, tau, G_ref)
TABLE1 = [(0.0, 0.2, 1.3367), (0.0, 1.0, 3.3808), (0.0, 5.0, 4.9423),
          (0.4, 0.2, 2.1266), (0.4, 1.0, 5.0716), (0.4, 5.0, 7.3120)]


def test_table1_conductances_within_0p2_percent():
    a, t, ref = (np.array(c) for c in zip(*TABLE1))
    G = conductance(a, t, L_PAPER)
    assert np.all(np.abs(G / ref - 1) < 2e-3), G / ref - 1


@pytest.mark.parametrize("tau", [0.2, 1.0, 5.0])
def test_table1_alpha_ratios_within_0p1_percent(tau):
    ref = dict(((a, t), g) for a, t, g in TABLE1)
    G0, G4 = conductance([0.0, 0.4], tau, L_PAPER)
    assert abs((G4 / G0) / (ref[(0.4, tau)] / ref[(0.0, tau)]) - 1) < 1e-3


def test_adaptive_accuracy_meets_rtol():
    a, t, _ = (np.array(c) for c in zip(*TABLE1))
    tight = conductance(a, t, L_PAPER, rtol=1e-6)
    for rtol in (1e-3, 1e-4):
        G = conductance(a, t, L_PAPER, rtol=rtol)
        assert np.all(np.abs(G / tight - 1) < rtol)


def test_two_independent_methods_agree():
    """Bessel-kernel Nyström vs angular Gauss–Legendre quadrature with exponential cell integrals.

    Same x-mesh, so only the kernel evaluation differs (exact Bickley integrals vs θ quadrature)."""
    for a, t in [(0.0, 0.5), (0.4, 1.0), (-0.3, 3.0)]:
        Gb = conductance(a, t, L_PAPER, n_cells=16)
        Ga = float(conductance_angular(a, t, L_PAPER, n_cells=16, n_theta=24))
        assert abs(Ga / Gb - 1) < 1e-6


@pytest.mark.parametrize("alpha", [0.0, 0.4])
def test_sharvin_limit(alpha):
    p = ChannelParameters(alpha, 1.0, L_PAPER)
    assert p.sharvin == pytest.approx(2 * p.k_fermi * ((1 - 2 * alpha) ** -0.5 + (1 + 2 * alpha) ** -0.5))
    d = [1 - conductance(alpha, tau, L_PAPER, rtol=1e-7) / p.sharvin for tau in (1e2, 1e3, 1e4)]
    assert 0 < d[2] < 2e-4
    # the approach is ~1/τ
    assert 8 < d[0] / d[1] < 12 and 8 < d[1] / d[2] < 12


@pytest.mark.parametrize("alpha", [0.0, 0.4])
def test_drude_limit(alpha):
    """G → G_D = 2π m a b v_F² τ / L as τ → 0, with a residual (contact) resistance ∝ 1/G_Sh."""
    taus = np.array([0.04, 0.02, 0.01])
    G = conductance(alpha, taus, L_PAPER, rtol=1e-5)
    p = [ChannelParameters(alpha, t, L_PAPER) for t in taus]
    GD = np.array([q.drude for q in p])
    assert GD[0] == pytest.approx(2 * np.pi * (1 - 4 * alpha ** 2) ** -0.5 * 2 * 0.04 / L_PAPER)
    assert np.all(G < GD) and np.all(np.diff(G / GD) > 0) and G[-1] / GD[-1] > 0.98
    q = (1 / G - 1 / GD) * p[0].sharvin  # residual resistance in units of the Sharvin resistance
    assert np.all((q > 0.95) & (q < 1.2)) and np.ptp(q) < 0.03


def test_fermi_energy_scaling_law_machine_precision():
    """G(E_F; α, τ, L) = k_F Φ(v_F τ/L; mα): G(E, τ) = √(E/E') G(E', τ√(E/E'))."""
    rng = np.random.default_rng(1)
    for _ in range(4):
        a, t, E = rng.uniform(-0.45, 0.45), rng.uniform(0.1, 3), rng.uniform(0.3, 3)
        G1 = conductance(a, t, L_PAPER, fermi_energy=E, n_cells=24)
        G2 = math.sqrt(E) * conductance(a, t * math.sqrt(E), L_PAPER, fermi_energy=1.0, n_cells=24)
        assert G1 == pytest.approx(G2, rel=1e-12)
    # and with the mass: only mα, v_Fτ/L and k_F enter
    # m = 2, α = 0.2: k_F = 2, v_F = 1, mα = 0.4  ↔  m = 1, α = 0.4, τ' = τ/√2: k_F = √2, v_F = √2
    G1 = conductance(0.2, 1.0, 1.3, fermi_energy=1.0, mass=2.0, n_cells=24)
    G2 = conductance(0.4, 1.0 / math.sqrt(2), 1.3, n_cells=24)
    assert G1 == pytest.approx(math.sqrt(2) * G2, rel=1e-12)


@pytest.mark.parametrize("base,mesh", [
    ((0.3, 0.8, 1.2, 1.5, 0.9), "cos"),        # crossover: graded mesh, dense solves
    ((0.35, 0.08, 1.3, 1.2, 1.1), "uniform"),  # diffusive side: uniform mesh, Toeplitz solves
])
def test_gradients_match_finite_differences(base, mesh):
    base = np.array(base)  # alpha, tau, length, fermi_energy, mass
    G, dG, info = conductance_and_gradient(*base, n_cells=16, return_info=True)
    assert info["mesh"] == mesh
    n = int(info["n_cells"]) // 2
    for k, name in enumerate(PARAMETERS):
        h = 1e-5 * max(1.0, abs(base[k]))
        up, dn = base.copy(), base.copy()
        up[k] += h
        dn[k] -= h
        fd = (conductance(*up, n_cells=n) - conductance(*dn, n_cells=n)) / (2 * h)
        assert dG[k] == pytest.approx(fd, rel=1e-6, abs=1e-8), name


def test_torch_autograd_matches_adjoint_and_independent_autograd():
    torch = pytest.importorskip("torch")
    a = torch.tensor([0.0, 0.25, 0.4], dtype=torch.float64, requires_grad=True)
    t = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    G = conductance(a, t, L_PAPER, rtol=1e-8)
    G.sum().backward()
    _, dG = conductance_and_gradient(a.detach().numpy(), 1.0, L_PAPER, rtol=1e-8)
    np.testing.assert_allclose(a.grad.numpy(), dG[:, 0], rtol=1e-12)
    assert t.grad.item() == pytest.approx(dG[:, 1].sum(), rel=1e-12)
    # independent route: autograd through the pure-torch angular solver
    a2 = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    t2 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    conductance_angular(a2, t2, L_PAPER, n_cells=16, n_theta=24).backward()
    _, dG16 = conductance_and_gradient(0.4, 1.0, L_PAPER, n_cells=16)
    assert a2.grad.item() == pytest.approx(dG16[0], rel=1e-6)
    assert t2.grad.item() == pytest.approx(dG16[1], rel=1e-6)


def test_batched_equals_scalar_and_broadcasts():
    E = np.array([0.5, 1.0, 2.0])
    a = np.array([[0.1], [0.3]])
    G = conductance(a, 0.7, 1.0, fermi_energy=E)
    assert G.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert G[i, j] == pytest.approx(conductance(float(a[i, 0]), 0.7, 1.0, fermi_energy=float(E[j])), rel=1e-12)


@pytest.mark.parametrize("alpha,tau", [(0.0, 0.2), (0.4, 1.0), (0.4, 5.0)])
def test_solution_self_consistency_and_current_conservation(alpha, tau):
    sol = solve(alpha, tau, L_PAPER, rtol=1e-6)
    L = L_PAPER
    # Eq. (12): μ(x) is the flat angular mean of g over both spins
    x = np.array([0.1, 0.35, 0.7, 1.2])[:, None]
    th = (np.arange(2000) + 0.5) / 2000 * 2 * np.pi
    gu, gd = sol.g(x, th[None], +1), sol.g(x, th[None], -1)
    mu_from_g = (gu.mean(1) + gd.mean(1)) / 2
    np.testing.assert_allclose(mu_from_g, sol.mu_at(x[:, 0]), atol=2e-4)
    assert gu.min() >= -1e-12 and gu.max() <= 1 + 1e-12
    # contacts: injected carriers carry the contact potential
    cosp = np.cos(th) > 0
    assert np.allclose(sol.g(0.0, th[cosp], -1), 1.0) and np.allclose(sol.g(L, th[~cosp], +1), 0.0)
    # current from g: J = m a b Σ_s ∫dθ V_s cos θ g_s equals G
    p = sol.params
    J = p.mass * p.ab * 2 * np.pi * sum(V * np.mean(np.cos(th) * sol.g(0.6, th, s)) for V, s in zip(p.velocity, (1, -1)))
    assert J == pytest.approx(sol.conductance, rel=1e-3)
    # current conservation: J(0) = J(L) to rounding, and J(x) constant to the solver accuracy
    J0, JL = sol.current_at([0.0, L])
    assert J0 == pytest.approx(JL, rel=1e-12) and J0 == pytest.approx(sol.conductance, rel=1e-12)
    dev = np.max(np.abs(sol.current / sol.conductance - 1))
    assert dev < 5e-4
    coarse = solve(alpha, tau, L_PAPER, n_cells=8)
    assert np.max(np.abs(coarse.current / coarse.conductance - 1)) > 2 * dev  # converges with the mesh
    # mirror symmetry of the channel: μ(x) + μ(L − x) = μ_L + μ_R
    np.testing.assert_allclose(sol.mu + sol.mu[::-1], 1.0, atol=1e-10)


def test_profiles_match_spec_section3():
    """μ(x) at x = 0+, L/4, L/2 (spec §3, α=0: τ=0.2 → .893 .689 .500; τ=5 → .590 .542 .500)."""
    for tau, ref in [(0.2, (0.893, 0.689, 0.5)), (1.0, (0.729, 0.606, 0.5)), (5.0, (0.590, 0.542, 0.5))]:
        sol = solve(0.0, tau, L_PAPER)
        mu = sol.mu_at([1e-9, L_PAPER / 4, L_PAPER / 2])
        np.testing.assert_allclose(mu, ref, atol=2e-3)
    # the diffusive profile is nearly linear, the ballistic one flat with a contact jump ≈ 1/2
    diff = solve(0.0, 0.02, L_PAPER).mu_at([L_PAPER / 4, L_PAPER / 2])
    assert diff[0] == pytest.approx(0.75, abs=0.02)


def test_spin_resolved_current_follows_velocity_anisotropy():
    sol = solve(0.4, 1.0, L_PAPER)
    assert sum(sol.conductance_spin) == pytest.approx(sol.conductance, rel=1e-10)
    assert sol.conductance_spin[0] > 3 * sol.conductance_spin[1]  # V_↑/V_↓ = 3
    assert solve(0.0, 1.0, L_PAPER).spin_polarization == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("kwargs,name", [
    ({"alpha": 0.5}, "alpha"), ({"alpha": -0.6}, "alpha"), ({"tau": 0.0}, "tau"), ({"tau": -1.0}, "tau"),
    ({"length": 0.0}, "length"), ({"fermi_energy": -0.1}, "fermi_energy"), ({"mass": 0.0}, "mass"),
    ({"alpha": 0.3, "mass": 2.0}, "alpha"), ({"tau": float("nan")}, "tau"),
])
def test_bad_parameters_raise_parameter_error_naming_them(kwargs, name):
    args = {"alpha": 0.1, "tau": 1.0, "length": 1.0, "fermi_energy": 1.0, "mass": 1.0, **kwargs}
    for fn in (solve, conductance, ChannelParameters):
        with pytest.raises(ParameterError, match=name):
            fn(**args)
