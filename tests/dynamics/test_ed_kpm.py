"""Exchange fields: ED against finite differences and the analytic FM field; KPM convergence to ED."""

import numpy as np
import pytest

from altermag.dynamics.ed import EDCalculator
from altermag.dynamics.kpm import KPMCalculator, jackson_kernel, step_coefficients
from altermag.dynamics.lattice import SpinLattice
from altermag.dynamics.models import DoubleExchangeModel, SDModel, random_spins


def _fd_field(calc, S, sites, d=1e-5):
    out = np.zeros((len(sites), 3))
    for n, i in enumerate(sites):
        for a in range(3):
            Sp, Sm = S.copy(), S.copy()
            Sp[i, a] += d
            Sm[i, a] -= d
            out[n, a] = -(calc.energy(Sp) - calc.energy(Sm)) / (2 * d)
    return out


@pytest.mark.parametrize("kw", [dict(filling=0.5), dict(filling=0.5, temperature=0.3), dict(mu=-3.3),
                                dict(mu=0.4, temperature=0.2)])
def test_ed_field_is_minus_gradient(kw):
    model = SDModel(SpinLattice("triangular", 6), J=3.0, **kw)
    ed = EDCalculator(model)
    S = random_spins(36, 4)
    E, H = ed.energy_and_field(S)
    assert np.isclose(E, ed.energy(S), atol=1e-9)
    sites = [0, 7, 20]
    assert np.allclose(H[sites], _fd_field(ed, S, sites), atol=1e-6)


def test_ed_double_exchange_gradient():
    model = DoubleExchangeModel(SpinLattice("square", 6), J_H=6.0, filling=0.97, temperature=0.1)
    ed = EDCalculator(model)
    S = random_spins(36, 2)
    _, H = ed.energy_and_field(S)
    assert np.allclose(H[[3, 11]], _fd_field(ed, S, [3, 11]), atol=1e-6)


def test_uniform_fm_field_is_analytic():
    """Uniform FM along n: H_i = J m n with m = (1/N) Σ_k [f(ε_k − J) − f(ε_k + J)] (T > 0 fixed filling)."""
    L, J, T, ne = 6, 2.0, 0.25, 0.75  # N_e = 27
    lat = SpinLattice("triangular", L)
    model = SDModel(lat, J=J, filling=ne, temperature=T)
    n = np.array([0.3, -0.5, 0.8])
    n /= np.linalg.norm(n)
    S = np.tile(n, (lat.n_sites, 1))
    E, H = EDCalculator(model).energy_and_field(S)
    k = lat.q_grid().reshape(-1, 2)
    eps = -np.cos(k @ (lat.offsets(1) @ lat.a).T).sum(1)  # −Σ_d cos(k·d) over the 6 neighbours
    levels = np.concatenate([eps - J, eps + J])
    from scipy.optimize import brentq

    def f(e, mu):
        return 0.5 * (1 - np.tanh(0.5 * (e - mu) / T))

    mu = brentq(lambda mu: f(levels, mu).sum() - model.n_electrons, -20, 20, xtol=1e-14)
    m = (f(eps - J, mu) - f(eps + J, mu)).sum() / lat.n_sites
    assert np.allclose(H, J * m * n[None, :], atol=1e-10)


def test_ed_rotation_covariance():
    model = SDModel.default("tetrahedral", L=6)
    ed = EDCalculator(model)
    S = random_spins(36, 1)
    from scipy.spatial.transform import Rotation

    R = Rotation.random(random_state=3).as_matrix()
    E1, H1 = ed.energy_and_field(S)
    E2, H2 = ed.energy_and_field(S @ R.T)
    assert np.isclose(E1, E2, atol=1e-10)
    assert np.allclose(H2, H1 @ R.T, atol=1e-10)


def test_sparse_equals_dense_and_hermitian():
    model = SDModel(SpinLattice("triangular", 6), t3=-0.85, J=1.0, mu=0.0)
    S = random_spins(36, 0)
    Hs = model.hamiltonian(S).toarray()
    Hd = model.hamiltonian_dense(S)
    assert np.allclose(Hs, Hd) and np.allclose(Hd, Hd.conj().T)
    # bandwidth: uniform FM, J = 0 limits of the triangular band [−6, 3] (t3 = 0)
    m0 = SDModel(SpinLattice("triangular", 6), J=0.0, mu=0.0)
    ev = np.linalg.eigvalsh(m0.hamiltonian_dense(S))
    assert np.isclose(ev.min(), -6) and np.isclose(ev.max(), 3)


def test_chebyshev_step_and_kernel():
    x = np.linspace(-0.95, 0.95, 41)
    M = 2000
    c = step_coefficients(0.1, M) * jackson_kernel(M)
    T = np.polynomial.chebyshev.chebval(x, c)
    far = np.abs(x - 0.1) > 0.05
    assert np.allclose(T[far], (x[far] < 0.1).astype(float), atol=1e-3)


def test_kpm_converges_to_ed_with_moments():
    """With an exact colouring (every site its own colour) only the Chebyshev truncation remains: the error falls
    with M; with a finite colouring distance, more repeats (random phases) reduce the probing error."""
    model = SDModel.default("tetrahedral", L=6, temperature=0.1)
    S = random_spins(36, 5)
    E, H = EDCalculator(model).energy_and_field(S)
    errs = []
    for M in (64, 192, 768):
        kpm = KPMCalculator(model, n_moments=M, probing="coloring", coloring_distance=6)  # 36 colours: exact
        Ek, Hk = kpm.energy_and_field(S)
        errs.append(np.sqrt(np.mean((Hk - H) ** 2)) / np.sqrt(np.mean(H ** 2)))
    assert errs[0] > errs[1] > errs[2]
    assert errs[2] < 4e-3
    assert abs(Ek - E) / abs(E) < 1e-3


def test_kpm_random_probing_error_falls_with_vectors():
    model = SDModel.default("tetrahedral", L=6, temperature=0.2)
    S = random_spins(36, 6)
    _, H = EDCalculator(model).energy_and_field(S)
    err = {}
    for R in (4, 64):
        e = [np.sqrt(np.mean((KPMCalculator(model, 256, R, probing="random", seed=s).field(S) - H) ** 2))
             for s in range(3)]
        err[R] = np.mean(e)
    assert err[64] < 0.5 * err[4]  # ∝ R^{-1/2}: expected ratio 0.25


def test_kpm_fixed_mu_matches_ed():
    model = SDModel(SpinLattice("triangular", 6), J=3.0, mu=-3.3, temperature=0.15)
    S = random_spins(36, 7)
    E, H = EDCalculator(model).energy_and_field(S)
    Ek, Hk = KPMCalculator(model, n_moments=1024, coloring_distance=6).energy_and_field(S)
    assert np.sqrt(np.mean((Hk - H) ** 2)) / np.sqrt(np.mean(H ** 2)) < 2e-3
    assert abs(Ek - E) / abs(E) < 1e-3


def test_kpm_error_falls_with_coloring_distance_gapped_state():
    """Near-tetrahedral (gapped) configuration on 12×12: at fixed M the probing error falls as the colouring
    distance grows (d = 3 → 6), and exact probing (every site its own colour) is far better still."""
    from altermag.dynamics.ground_states import ansatz

    model = SDModel.default("tetrahedral", L=12)
    rng = np.random.default_rng(1)
    S = ansatz("tetrahedral", model.lattice) + 0.3 * rng.normal(size=(144, 3))
    S /= np.linalg.norm(S, axis=1, keepdims=True)
    _, H = EDCalculator(model).energy_and_field(S)
    err = {}
    for d in (3, 6, 12):
        kpm = KPMCalculator(model, n_moments=250, probing="coloring", coloring_distance=d, seed=2)
        err[d] = np.sqrt(np.mean((kpm.field(S) - H) ** 2)) / np.sqrt(np.mean(H ** 2))
        if d < 12:
            assert kpm.coloring_distance >= d - 1e-9 and not kpm.exact_probing
    assert kpm.exact_probing
    assert err[3] > 1.5 * err[6] > 1.5 * err[12], err
    assert err[12] < 1e-3, err


def test_fermi_matches_closed_form_and_step_limit():
    """ed.fermi (an adapter over altermag.core.fermi with t1 units) = 1/(e^{(ε−μ)/T} + 1); T = 0: θ(μ − ε), ½ at μ."""
    from altermag.dynamics.ed import fermi

    e = np.linspace(-8, 8, 161)
    for T in (0.05, 0.3, 2.0):
        with np.errstate(over="ignore"):
            ref = 1.0 / (np.exp((e - 0.4) / T) + 1.0)
        assert np.allclose(fermi(e, 0.4, T), ref, rtol=1e-13, atol=1e-300)
    step = fermi(np.array([-1.0, 0.4, 1.0]), 0.4, 0.0)
    assert np.array_equal(step, [1.0, 0.5, 0.0])


@pytest.mark.parametrize("T", [0.0, 0.2])
def test_local_density_sums_to_electron_number_and_kpm_agrees(T):
    """ED local densities n_i sum to N_e at fixed filling (T = 0 and T > 0), are uniform (= n_e) for a uniform FM
    state at T > 0 by translation symmetry, and KPM with exact probing reproduces them."""
    model = SDModel.default("tetrahedral", L=6, temperature=T)
    ed = EDCalculator(model)
    S = random_spins(36, 11)
    o = ed.observables(S)
    assert np.isclose(o["density"].sum(), model.n_electrons, atol=1e-9)
    assert np.all(o["density"] > 0) and np.all(o["density"] < 2)
    assert np.allclose(np.linalg.norm(o["spin_density"], axis=1) <= o["density"] + 1e-12, True)
    if T > 0:  # at T = 0 the 6×6 FM state half-fills a degenerate shell: the density is then basis-dependent
        fm = ed.observables(np.tile([0.0, 0.6, 0.8], (36, 1)))
        assert np.allclose(fm["density"], model.n_electrons / 36, atol=1e-10)
    kpm = KPMCalculator(model, n_moments=512, coloring_distance=6)
    kpm.energy_and_field(S)
    assert kpm.exact_probing
    assert np.sqrt(np.mean((kpm.last["density"] - o["density"]) ** 2)) < 0.02


def test_kpm_bad_parameters():
    from altermag.core.errors import ParameterError

    model = SDModel.default("tetrahedral", L=6)
    for kw in (dict(n_moments=2), dict(n_vectors=0), dict(n_vectors=-5, probing="random"), dict(coloring_distance=0),
               dict(coloring_distance=-2), dict(probing="stochastic")):
        with pytest.raises(ParameterError):
            KPMCalculator(model, **kw)


def test_chebyshev_coefficients_of_exp_are_bessel_functions():
    """e^x = I_0(1) + 2 Σ_{m≥1} I_m(1) T_m(x): the quadrature (DCT) coefficients equal the analytic ones, with the
    default node count and with fewer nodes than moments (direct-sum branch)."""
    from scipy.special import iv

    from altermag.dynamics.kpm import chebyshev_coefficients

    M = 20
    ref = 2 * iv(np.arange(M), 1.0)
    ref[0] /= 2
    assert np.allclose(chebyshev_coefficients(np.exp, M), ref, atol=1e-15)
    assert np.allclose(chebyshev_coefficients(np.exp, 40, n_nodes=30)[:12], 2 * iv(np.arange(12), 1.0)
                       * np.r_[0.5, np.ones(11)], atol=1e-14)


def test_calculators_reject_bad_spin_arrays():
    from altermag.core.errors import ParameterError

    model = SDModel.default("tetrahedral", L=4)
    S = random_spins(16, 0)
    S[3, 1] = np.nan
    for calc in (EDCalculator(model), KPMCalculator(model, n_moments=16)):
        for bad in (S, random_spins(15, 0)):
            with pytest.raises(ParameterError, match="spins"):
                calc.energy_and_field(bad)
