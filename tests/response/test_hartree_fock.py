"""Physics checks of the self-consistent Hubbard Hartree-Fock (altermag.response.meanfield).

Reference values: spec ``minimal_models.md`` §8 (measured on the reconstructed presets; 5 % tolerance) and an
independent q = 0 Lindhard sum written here (per-spin Stoner convention: U_c^AM = 1/(A − B), U_c^FM = 1/(A + B)).
"""

import json

import numpy as np
import pytest
from scipy.special import expit

from altermag.models import preset
from altermag.response.meanfield import (HartreeFockNotConverged, _Grid, critical_U_hf, hartree_fock,
                                            hf_sweep, plot_order_parameter, tour_figures)
from altermag.response.normal_state import k_mesh, paramagnetic


@pytest.fixture(scope="module")
def ruo2():
    return preset("RuO2")


@pytest.fixture(scope="module")
def kcl():
    return preset("kappa-Cl")


@pytest.fixture(scope="module")
def grid16(ruo2):
    return _Grid(ruo2, 16)


def _blocks(model, k, fields, U):
    """Independent HF blocks h_s(k) (2 spins, N, 2, 2) from the model's own 4×4 paramagnetic Hamiltonian."""
    pm, _ = paramagnetic(model, warn=False)
    H = pm.hamiltonian(k).reshape(-1, 4, 4)
    out = np.empty((2,) + H.shape[:1] + (2, 2), complex)
    for s, idx in ((0, [0, 2]), (1, [1, 3])):  # basis A↑, A↓, B↑, B↓
        out[s] = H[:, idx][:, :, idx] + np.diag(U * np.asarray(fields)[1 - s])
    return out


def _densities_eigh(model, mesh, fields, U, E_F, kT):
    """n[s, a] from numpy eigh of the HF blocks at a given E_F (no shared code with the solver)."""
    k = k_mesh(model, mesh).reshape(-1, 3)
    h = _blocks(model, k, fields, U)
    E, V = np.linalg.eigh(h)
    f = expit((E_F - E) / kT)
    n = np.einsum("snab,snb->sa", np.abs(V) ** 2, f) / len(k)
    return n.real, float(f.mean())


def _stoner_q0(model, mesh, kT):
    """Independent q = 0 χ⁰_aabb (per spin) by the band Lindhard sum; returns (U_c^AM, U_c^FM)."""
    pm, _ = paramagnetic(model, warn=False)
    k = k_mesh(pm, mesh).reshape(-1, 3)
    H = pm.hamiltonian(k)[:, [0, 2]][:, :, [0, 2]].real  # spin-up block
    E, a = np.linalg.eigh(H)
    f = expit(-E / kT)
    dE = E[:, :, None] - E[:, None, :]
    df = f[:, :, None] - f[:, None, :]
    intra = np.broadcast_to((-(f * (1 - f)) / kT)[:, :, None], dE.shape)
    safe = np.where(np.abs(dE) > 1e-10, dE, 1.0)
    L = np.where(np.abs(dE) > 1e-10, df / safe, intra)
    chi = -np.einsum("kam,kbm,kan,kbn,kmn->ab", a, a, a, a, L) / len(k)
    A, B = chi[0, 0], chi[0, 1]
    return 1 / (A - B), 1 / (A + B)


# --------------------------------------------------------------------------------- basic physics
def test_U0_is_the_paramagnet(ruo2, grid16):
    from altermag.response.normal_state import fermi_level, spinless_bands, spinless_coefficients

    r = hartree_fock(ruo2, 0.0, kT=0.01, seed="AM", _grid=grid16)
    assert r.state == "PM" and abs(r.m1) < 1e-7 and abs(r.m2) < 1e-7
    pm, _ = paramagnetic(ruo2, warn=False)
    E, _ = spinless_bands(*spinless_coefficients(pm, k_mesh(pm, 16)))
    assert r.n_sigma == pytest.approx(float(expit(-E / 0.01).mean()), abs=1e-10)  # default: the model's own μ
    assert r.E_F == pytest.approx(fermi_level(E, r.n_sigma, 0.01), abs=1e-8)
    assert r.as_model().J == 0.0


def test_paramagnet_free_energy_is_hartree_shifted(ruo2, grid16):
    """Constrained PM: every level shifts by U n_σ, so F(U) = F(0) + U n_σ² and E_F(U) = E_F(0) + U n_σ."""
    r0 = hartree_fock(ruo2, 0.0, seed="PM", constrain="PM", n_sigma=0.55, _grid=grid16)
    for U in (1.0, 3.0):
        r = hartree_fock(ruo2, U, seed="PM", constrain="PM", n_sigma=0.55, _grid=grid16)
        assert r.free_energy == pytest.approx(r0.free_energy + U * 0.55 ** 2, abs=1e-9)
        assert r.E_F == pytest.approx(r0.E_F + U * 0.55, abs=1e-8)


def test_self_consistency_and_particle_number(ruo2, grid16):
    for seed, U, ns in (("AM", 2.2, None), ("FM", 3.2, 0.55), ((0.1, -0.05), 2.6, 0.62)):
        r = hartree_fock(ruo2, U, kT=0.01, seed=seed, n_sigma=ns, _grid=grid16, tol=1e-10)
        n, nbar = _densities_eigh(ruo2, 16, r.fields, U, r.E_F, 0.01)
        np.testing.assert_allclose(n, r.fields, atol=1e-9)
        assert nbar == pytest.approx(r.n_sigma if ns is None else ns, abs=1e-10)
        assert r.fields.mean() == pytest.approx(nbar, abs=1e-10)
        assert r.residuals[-1] < 1e-10 and r.converged


def test_am_bands_equal_as_model(ruo2, grid16, rng):
    r = hartree_fock(ruo2, 2.2, kT=0.01, seed="AM", _grid=grid16)
    assert r.state == "AM" and r.m_AM > 0.15
    model = r.as_model()
    assert model.J == pytest.approx(-2.2 * r.m_AM) and np.allclose(model.neel, [0, 0, 1])
    k = rng.random((50, 3))
    hf = r.bands(k) - r.E_F                       # (2, 50, 2)
    H = model.hamiltonian(k)
    for s, idx in ((0, [0, 2]), (1, [1, 3])):  # spin-resolved: fixes the sign of J
        np.testing.assert_allclose(np.linalg.eigvalsh(H[:, idx][:, :, idx]), hf[s], atol=1e-10)
    np.testing.assert_allclose(np.sort(model.eigenvalues(k), axis=-1),
                               np.sort(np.concatenate([hf[0], hf[1]], axis=-1), axis=-1), atol=1e-10)


def test_as_model_rejects_ferromagnet(ruo2, grid16):
    from altermag.core.errors import ParameterError

    r = hartree_fock(ruo2, 3.2, seed="FM", constrain="FM", _grid=grid16)
    assert r.state == "FM"
    with pytest.raises(ParameterError, match="Eq. \\(1\\)"):
        r.as_model()


def test_fixed_chemical_potential_reproduces_fixed_filling(ruo2, grid16):
    r = hartree_fock(ruo2, 2.4, seed="AM", n_sigma=0.58, _grid=grid16)
    g = hartree_fock(ruo2, 2.4, seed="AM", E_F=r.E_F, _grid=grid16)
    assert g.fixed == "E_F" and g.E_F == r.E_F
    assert g.n_sigma == pytest.approx(0.58, abs=1e-7)
    assert g.m_AM == pytest.approx(r.m_AM, abs=1e-7)
    assert g.grand_potential == pytest.approx(r.grand_potential, abs=1e-8)


def test_hellmann_feynman_free_energy(ruo2, grid16):
    """At the stationary HF solution dF/dU (fixed N) = ⟨n↑n↓⟩ per site = ½ Σ_a n_a↑ n_a↓."""
    h = 1e-4
    U = 2.3
    r = hartree_fock(ruo2, U, seed="AM", n_sigma=0.6, _grid=grid16, tol=1e-11)
    Fp = hartree_fock(ruo2, U + h, seed="AM", n_sigma=0.6, _grid=grid16, tol=1e-11).free_energy
    Fm = hartree_fock(ruo2, U - h, seed="AM", n_sigma=0.6, _grid=grid16, tol=1e-11).free_energy
    assert (Fp - Fm) / (2 * h) == pytest.approx(0.5 * float((r.fields[0] * r.fields[1]).sum()), abs=1e-6)


def test_free_energy_picks_the_state_and_fm_seed_drifts(ruo2, grid16):
    """Between the onsets an unconstrained FM seed turns AM (spec §8); F orders AM < PM, and AM < FM above both."""
    am = hartree_fock(ruo2, 2.4, seed="AM", _grid=grid16)
    pm = hartree_fock(ruo2, 2.4, seed="PM", constrain="PM", _grid=grid16)
    fm_free = hartree_fock(ruo2, 2.4, seed="FM", _grid=grid16)
    assert am.state == "AM" and pm.state == "PM"
    assert am.free_energy < pm.free_energy - 1e-3
    assert fm_free.state == "AM" and fm_free.restarts >= 1  # the FM-symmetric fixed point was unstable
    assert fm_free.free_energy == pytest.approx(am.free_energy, abs=1e-8)
    fm = hartree_fock(ruo2, 3.2, seed="FM", constrain="FM", _grid=grid16)
    am = hartree_fock(ruo2, 3.2, seed="AM", _grid=grid16)
    assert fm.state == "FM" and am.state == "AM" and am.free_energy < fm.free_energy
    # below the FM onset the paramagnet is stable inside the FM subspace ...
    pm_fm = hartree_fock(ruo2, 2.4, seed="FM", constrain="FM", seed_amplitude=0.0, _grid=grid16)
    assert pm_fm.state == "PM" and pm_fm.stable and pm_fm.stability_eigenvalue < 1
    # ... but a saddle in the full space (AM-unstable): kept only with check_stability off
    raw = hartree_fock(ruo2, 2.4, seed="PM", _grid=grid16, check_stability=False)
    assert raw.state == "PM"
    full = hartree_fock(ruo2, 2.4, seed="PM", _grid=grid16)
    assert full.state == "AM" and full.stability_eigenvalue < 1


def test_not_converged_raises(ruo2, grid16):
    with pytest.raises(HartreeFockNotConverged) as exc:
        hartree_fock(ruo2, 2.2, seed="AM", max_iter=2, _grid=grid16)
    e = exc.value
    assert e.iterations == 2 and len(e.residuals) == 2 and e.residuals[-1] > 1e-8
    assert set(e.last) >= {"n", "m1", "m2", "E_F"}
    import pickle

    assert pickle.loads(pickle.dumps(e)).residuals == e.residuals
    sw = hf_sweep(ruo2, [2.2], seeds=("AM",), mesh=12, max_iter=2, progress=False)
    p = sw.points[0]
    assert p["converged"] is False and p["m_AM"] is None and p["order_parameter"] is None
    assert np.isnan(sw.curve("AM")[1][0])


def test_linear_mixing_agrees_with_anderson(ruo2, grid16):
    a = hartree_fock(ruo2, 2.6, seed="AM", _grid=grid16)
    b = hartree_fock(ruo2, 2.6, seed="AM", method="linear", mixing=0.5, max_iter=3000, _grid=grid16)
    assert b.m_AM == pytest.approx(a.m_AM, abs=1e-7)
    assert a.iterations < b.iterations


def test_bad_parameters(ruo2, grid16):
    from altermag.core.errors import ParameterError

    for kw in ({"U": -1.0}, {"U": 1.0, "kT": 0.0}, {"U": 1.0, "n_sigma": 1.2}, {"U": 1.0, "seed": "XY"},
               {"U": 1.0, "seed": (0.9, 0.9)}, {"U": 1.0, "n_sigma": 0.5, "E_F": 0.1},
               {"U": 1.0, "constrain": "AFM"}, {"U": 1.0, "mixing": 1.5}):
        with pytest.raises(ParameterError):
            hartree_fock(ruo2, _grid=grid16, **kw)


# ------------------------------------------------------------------------- Stoner and regression
def test_onset_equals_q0_rpa_on_the_same_grid(ruo2, kcl):
    """Linearised HF is the q = 0 RPA: the HF onset (bisection on |m|) equals 1/(A ∓ B) of the same grid."""
    am, fm = _stoner_q0(ruo2, 16, 0.01)
    for seed, ref in (("AM", am), ("FM", fm)):
        c = critical_U_hf(ruo2, seed, kT=0.01, mesh=16, U_tol=1e-3, U_bracket=(ref - 0.3, ref + 0.3))
        assert c.U_c == pytest.approx(ref, abs=1.5e-3)
    am, fm = _stoner_q0(kcl, 60, 0.005)
    for seed, ref in (("AM", am), ("FM", fm)):
        c = critical_U_hf(kcl, seed, kT=0.005, mesh=60, U_tol=2e-4)
        assert c.U_c == pytest.approx(ref, abs=3e-4)


def test_ruo2_regression_spec8(ruo2):
    """Spec §8 (40³, kT = 0.01, n_σ = 0.604): m = 0.11, 0.23, 0.33 at U = 2.0, 2.2, 2.7; AM onset 1.95 ± 0.05;
    the FM onset within 5 % of the q = 0 value 2.70 (issue #4) and above the AM onset."""
    g = _Grid(ruo2, 40)
    for U, ref in ((2.0, 0.11), (2.2, 0.23), (2.7, 0.33)):
        r = hartree_fock(ruo2, U, kT=0.01, seed="AM", constrain="AM", _grid=g)
        assert r.n_sigma == pytest.approx(0.604, abs=5e-4)
        assert r.m_AM == pytest.approx(ref, rel=0.05)
    am = critical_U_hf(ruo2, "AM", kT=0.01, mesh=40, U_tol=4e-3, U_bracket=(1.7, 2.2))
    fm = critical_U_hf(ruo2, "FM", kT=0.01, mesh=40, U_tol=4e-3, U_bracket=(2.3, 3.0))
    assert am.U_c == pytest.approx(1.95, abs=0.05)
    assert fm.U_c == pytest.approx(2.70, rel=0.05)
    assert am.U_c < fm.U_c


@pytest.mark.slow
def test_ruo2_regression_spec8_48(ruo2):
    am = critical_U_hf(ruo2, "AM", kT=0.01, mesh=48, U_tol=1e-3, U_bracket=(1.7, 2.2))
    fm = critical_U_hf(ruo2, "FM", kT=0.01, mesh=48, U_tol=1e-3, U_bracket=(2.3, 3.1))
    assert am.U_c == pytest.approx(1.94, rel=0.05) and fm.U_c == pytest.approx(2.70, rel=0.05)
    ref_am, ref_fm = _stoner_q0(ruo2, 48, 0.01)
    assert am.U_c == pytest.approx(ref_am, abs=2e-3) and fm.U_c == pytest.approx(ref_fm, abs=2e-3)


def test_kappa_cl_regression_spec8(kcl):
    """κ-Cl (kT = 0.005): AM onset 0.220, FM 0.266 (5 %); FM saturates at full polarisation n/2 by U ≈ 0.5."""
    am = critical_U_hf(kcl, "AM", kT=0.005, mesh=100, U_tol=1e-3)
    fm = critical_U_hf(kcl, "FM", kT=0.005, mesh=100, U_tol=1e-3)
    assert am.U_c == pytest.approx(0.220, rel=0.05) and fm.U_c == pytest.approx(0.266, rel=0.05)
    assert am.U_c < fm.U_c
    g = _Grid(kcl, 100)
    r5 = hartree_fock(kcl, 0.5, kT=0.005, seed="FM", constrain="FM", _grid=g)
    r6 = hartree_fock(kcl, 0.6, kT=0.005, seed="FM", constrain="FM", _grid=g)
    assert r5.m_FM > 0.98 * r5.n_sigma
    assert r6.m_FM == pytest.approx(r6.n_sigma, abs=1e-6)  # n↓ = 0: |m| = n/2 (n electrons per site)


def test_2d_flat_models_sg123_needs_larger_U():
    """Spec §8 (flat-ε₀ 2D models, kT = 0.005, van Hove filling): AM onsets 0.391 (SG 136) and 0.709 (SG 123)."""
    u136 = critical_U_hf(preset("SG136-2D-flat"), "AM", kT=0.005, mesh=200, U_tol=2e-3).U_c
    u123 = critical_U_hf(preset("SG123-2D-flat"), "AM", kT=0.005, mesh=200, U_tol=2e-3).U_c
    assert u136 == pytest.approx(0.391, rel=0.05) and u123 == pytest.approx(0.709, rel=0.05)
    assert u123 > 1.5 * u136


@pytest.mark.slow
def test_fesb2_plus_reading_spec8():
    m = preset("FeSb2", mu_convention="plus")
    am = critical_U_hf(m, "AM", n_sigma=0.46, kT=0.005, mesh=48).U_c
    fm = critical_U_hf(m, "FM", n_sigma=0.46, kT=0.005, mesh=48).U_c
    assert am == pytest.approx(0.223, rel=0.05) and fm == pytest.approx(0.316, rel=0.05)


def test_mean_field_onset_is_square_root(kcl):
    g = _Grid(kcl, 100)
    c = critical_U_hf(kcl, "AM", kT=0.005, mesh=100, U_tol=2e-5, U_bracket=(0.215, 0.225))
    d = np.array([0.001, 0.002, 0.004, 0.008])
    m = [hartree_fock(kcl, c.U_c + x, kT=0.005, seed="AM", constrain="AM", _grid=g).m_AM for x in d]
    slope = np.polyfit(np.log(d), np.log(np.abs(m)), 1)[0]
    assert slope == pytest.approx(0.5, abs=0.08)


# ------------------------------------------------------------------------------------ sweeps, plots
def test_sweep_executor_and_ground_state(ruo2, tmp_path):
    U = [1.6, 2.2, 2.8, 3.4]
    s1 = hf_sweep(ruo2, U, mesh=12, progress=False)
    s2 = hf_sweep(ruo2, U, mesh=12, workers=2, progress=False)
    for a, b in zip(s1.points, s2.points):
        assert a["converged"] and b["converged"]
        assert a["m1"] == pytest.approx(b["m1"], abs=1e-9) and a["seed"] == b["seed"] and a["U"] == b["U"]
    gs = s1.ground_state()
    assert gs[0]["state"] == "PM" and all(g["state"] == "AM" for g in gs[1:])
    for g in gs:  # lowest free energy among the seeds at that U
        Fs = [p["free_energy"] for p in s1.points if p["U"] == g["U"]]
        assert g["free_energy"] == min(Fs)
    d = s1.as_dict()
    assert set(d["U_c"]) == {"AM", "FM"} and d["n_failed"] == 0
    path = s1.save(tmp_path / "hf.json")
    saved = json.loads(path.read_text())
    assert saved["provenance"]["inputs"]["mesh"] == [12, 12, 12]
    png = plot_order_parameter(s1, tmp_path / "m.png")
    assert png.stat().st_size > 1000


def test_sweep_curve_onset_and_fillings(kcl):
    """Spec §8: κ-Cl orders AM first for E_F at or above the van Hove filling (n_σ = 0.336), FM first below it."""
    sw = hf_sweep(kcl, np.linspace(0.16, 0.34, 10), fillings=[0.3, 0.3356, 0.37], kT=0.005, mesh=60,
                  progress=False)
    assert sw.fillings == [0.3, 0.3356, 0.37]
    u = {ns: sw.U_c(ns) for ns in sw.fillings}
    assert u[0.3356]["AM"] < u[0.3356]["FM"] and u[0.37]["AM"] < u[0.37]["FM"]
    assert u[0.3]["FM"] < u[0.3]["AM"]
    exact = critical_U_hf(kcl, "AM", n_sigma=0.3356, kT=0.005, mesh=60, U_tol=1e-4).U_c
    assert sw.onset("AM", 0.3356) == pytest.approx(exact, abs=0.02)  # curve estimate within the U step


def test_tour_figures(tmp_path):
    import time

    t = time.perf_counter()
    d = tour_figures(tmp_path)
    assert time.perf_counter() - t < 15
    assert (tmp_path / d["figure"]).exists() and d["AM_before_FM"] and d["n_failed"] == 0


@pytest.mark.slow
def test_sweep_on_dask_local_cluster(ruo2):
    pytest.importorskip("dask.distributed")
    U = [1.6, 2.4]
    a = hf_sweep(ruo2, U, mesh=12, progress=False)
    b = hf_sweep(ruo2, U, mesh=12, workers=2, scheduler="local", progress=False)
    for p, q in zip(a.points, b.points):
        assert p["m1"] == pytest.approx(q["m1"], abs=1e-9) and p["state"] == q["state"]
