"""Inverse problem: (α, τ) from G(E_F) — exact recovery, Cramér–Rao agreement, interval calibration."""

import math

import numpy as np
import pytest

from altermag.core.errors import ParameterError
from altermag.transport import conductance
from altermag.transport.inverse import cramer_rao, error_landscape, fermi_energy_from_density, fit_spectrum

L = math.sqrt(2)
E = np.linspace(0.5, 2.0, 8)


@pytest.mark.parametrize("alpha,tau", [(0.3, 1.0), (0.4, 2.0), (0.15, 0.5)])
def test_noise_free_joint_fit_recovers_truth(alpha, tau):
    G = conductance(alpha, tau, L, E, n_cells=16)
    r = fit_spectrum(E, G, length=L, n_cells=16)  # starting point from the built-in grid search
    assert r.converged
    assert abs(r.alpha / alpha - 1) < 1e-6 and abs(r.tau / tau - 1) < 1e-6
    assert r.correlation < -0.9  # the compensation valley


def test_noise_free_single_parameter_and_density_modes():
    G = conductance(0.35, 0.8, L, E, n_cells=16)
    r = fit_spectrum(E, G, length=L, fit=("alpha",), tau=0.8, n_cells=16)
    assert abs(r.alpha / 0.35 - 1) < 1e-6 and r.tau == 0.8 and r.tau_err == 0
    r = fit_spectrum(E, G, length=L, fit=("tau",), alpha=0.35, n_cells=16)
    assert abs(r.tau / 0.8 - 1) < 1e-6
    # the paper's single-parameter test goes down to 2 Fermi levels (Fig. 4a)
    r = fit_spectrum(E[[0, -1]], G[[0, -1]], length=L, fit=("alpha",), tau=0.8, n_cells=16)
    assert abs(r.alpha / 0.35 - 1) < 1e-6
    # carrier densities instead of Fermi energies: E_F = π n/(m a b) depends on α
    n = 0.2 + 0.1 * np.arange(8)
    Ef, _ = fermi_energy_from_density(n, 0.35)
    G = conductance(0.35, 0.8, L, Ef, n_cells=16)
    r = fit_spectrum(density=n, conductance_obs=G, length=L, n_cells=16)
    assert abs(r.alpha / 0.35 - 1) < 1e-6 and abs(r.tau / 0.8 - 1) < 1e-6


def test_sign_of_alpha_is_not_observable():
    assert conductance(-0.3, 1.0, L, E[:3], n_cells=16) == pytest.approx(conductance(0.3, 1.0, L, E[:3], n_cells=16), rel=1e-13)
    r = fit_spectrum(E, conductance(-0.3, 1.0, L, E, n_cells=16), length=L, n_cells=16)
    assert r.alpha == pytest.approx(0.3, rel=1e-6)


@pytest.mark.parametrize("alpha,tau,window,ref", [
    # spec transport.md §6 (independent crb.py): std α/α, std τ/τ, corr for σ = 1 % on 10 points
    (0.4, 1.0, (0.5, 2.0), (0.019, 0.082, -0.994)),
    (0.4, 1.0, (0.2, 5.0), (0.008, 0.037, -0.964)),
    (0.3, 1.0, (0.5, 2.0), (0.064, 0.078, -0.994)),
    (0.2, 0.5, (0.5, 2.0), (0.28, 0.080, -0.997)),
])
def test_cramer_rao_matches_spec_analysis(alpha, tau, window, ref):
    c = cramer_rao(alpha, tau, np.linspace(*window, 10), length=L, rel_sigma=0.01, rtol=1e-5)
    assert c["alpha_rel_err"] == pytest.approx(ref[0], rel=0.05)
    assert c["tau_rel_err"] == pytest.approx(ref[1], rel=0.05)
    assert c["correlation"] == pytest.approx(ref[2], abs=0.002)


def _coverage(n_rep, seed, noise=0.01):
    rng = np.random.default_rng(seed)
    a0, t0 = 0.4, 1.0
    Ew = np.linspace(0.2, 5.0, 10)
    G0 = conductance(a0, t0, L, Ew, n_cells=8)
    hits, est = np.zeros(2), []
    for _ in range(n_rep):
        sig = noise * G0
        r = fit_spectrum(Ew, G0 + sig * rng.standard_normal(G0.shape), length=L, sigma=sig, n_cells=8,
                         alpha=a0, tau=t0)
        hits += [abs(r.alpha - a0) <= r.alpha_err, abs(r.tau - t0) <= r.tau_err]
        est.append((r.alpha, r.tau))
    return hits / n_rep, np.array(est)


def test_interval_calibration_fast():
    cov, est = _coverage(40, seed=11)
    # binomial(40, 0.683): 3σ band ≈ [0.46, 0.90]
    assert np.all((cov > 0.46) & (cov < 0.90)), cov


@pytest.mark.slow
def test_interval_calibration_200_repetitions_and_cramer_rao_widths():
    cov, est = _coverage(240, seed=12)
    assert np.all(np.abs(cov - 0.6827) < 0.09), cov  # 3σ binomial band for 240 draws
    Ew = np.linspace(0.2, 5.0, 10)
    G0 = conductance(0.4, 1.0, L, Ew, n_cells=8)
    c = cramer_rao(0.4, 1.0, Ew, length=L, sigma=0.01 * G0)
    emp = est.std(axis=0, ddof=1)
    assert emp[0] == pytest.approx(c["alpha_err"], rel=0.15) and emp[1] == pytest.approx(c["tau_err"], rel=0.15)
    assert np.corrcoef(est.T)[0, 1] == pytest.approx(c["correlation"], abs=0.03)


def test_reported_widths_agree_with_cramer_rao_and_bootstrap():
    rng = np.random.default_rng(5)
    Ew = np.linspace(0.2, 5.0, 10)
    G0 = conductance(0.4, 1.0, L, Ew, n_cells=8)
    sig = 0.01 * G0
    r = fit_spectrum(Ew, G0 + sig * rng.standard_normal(10), length=L, sigma=sig, n_cells=8,
                     errors="bootstrap", n_bootstrap=60, seed=1)
    c = cramer_rao(0.4, 1.0, Ew, length=L, sigma=sig)
    # Fisher at the estimate vs Cramér–Rao at the truth: same to first order in the noise
    assert r.alpha_err == pytest.approx(c["alpha_err"], rel=0.2) and r.tau_err == pytest.approx(c["tau_err"], rel=0.2)
    assert r.correlation == pytest.approx(c["correlation"], abs=0.02)
    b = r.bootstrap["std"]
    assert b[0] == pytest.approx(r.alpha_err, rel=0.35) and b[1] == pytest.approx(r.tau_err, rel=0.35)
    lo, hi = r.intervals["alpha_bootstrap"]
    assert lo < r.alpha < hi


def test_relative_weighting_estimates_noise_level():
    rng = np.random.default_rng(3)
    Ew = np.linspace(0.2, 5.0, 12)
    G0 = conductance(0.4, 1.0, L, Ew, n_cells=8)
    r = fit_spectrum(Ew, G0 * (1 + 0.02 * rng.standard_normal(12)), length=L, n_cells=8)
    assert 0.01 < r.noise_scale < 0.035  # estimated relative noise ≈ 2 %
    assert not r.absolute_sigma


def test_error_landscape_has_compensation_valley():
    G = conductance(0.3, 1.0, L, E, n_cells=16)
    alphas = np.linspace(0.1, 0.4, 7)
    taus = np.geomspace(0.5, 2.0, 41)
    cost = error_landscape(E, G, alphas, taus, length=L, rtol=1e-4)
    assert cost.shape == (7, 41)
    best_tau = taus[np.argmin(cost, axis=1)]
    assert np.all(np.diff(best_tau) <= 0) and best_tau[0] > best_tau[-1]  # larger α ↔ shorter τ
    # the valley floor is much lower than the walls at the same α
    assert np.all(cost.min(axis=1) < 0.05 * cost.max(axis=1))


@pytest.mark.parametrize("kwargs,match", [
    ({"conductance_obs": [1.0, 2.0]}, "points"),
    ({"fit": ("beta",)}, "fit"),
    ({"fit": ("alpha",)}, "tau"),
    ({"sigma": -1.0}, "sigma"),
    ({"length": -1.0}, "length"),
    ({"alpha": 0.7}, "alpha"),
    ({"conductance_obs": [1.0, -2.0, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0]}, r"point\(s\) \[1\]"),
    ({"errors": "jackknife"}, "errors"),
    ({"errors": "bootstrap", "n_bootstrap": 1}, "n_bootstrap"),
    ({"errors": "mcmc", "n_mcmc": 10}, "n_mcmc"),
])
def test_bad_fit_inputs(kwargs, match):
    args = {"fermi_energy": E, "conductance_obs": np.ones(8), "length": L, **kwargs}
    with pytest.raises(ParameterError, match=match):
        fit_spectrum(**args)


def test_mcmc_posterior_matches_fisher():
    rng = np.random.default_rng(8)
    Ew = np.linspace(0.2, 5.0, 10)
    G0 = conductance(0.4, 1.0, L, Ew, n_cells=8)
    sig = 0.01 * G0
    r = fit_spectrum(Ew, G0 + sig * rng.standard_normal(10), length=L, sigma=sig, n_cells=8, errors="mcmc",
                     n_mcmc=1500, seed=2)
    m = r.mcmc
    assert 0.15 < m["acceptance"] < 0.6
    assert m["std"][0] == pytest.approx(r.alpha_err, rel=0.3) and m["std"][1] == pytest.approx(r.tau_err, rel=0.3)
    assert m["correlation"] < -0.9
    lo, hi = r.intervals["alpha_mcmc"]
    assert lo < r.alpha < hi
