"""Anomalous Hall conductivity: symmetry-forbidden components, linearity in λ, quantised Chern limit, units,
adaptive convergence, sweeps (spec §6, Eq. 28)."""

import numpy as np
import pytest

from altermag.core.units import E2_H
from altermag.models import preset
from altermag.response.ahc import E2_HBAR, ahc_sweep, anomalous_hall, set_soc, soc_parameters
from altermag.response.berry import chern_number

from .test_berry import chern_toy


@pytest.fixture(scope="module")
def ruo2_x():
    return preset("RuO2", lambda1=0.05, lambda2=0.03, neel=(1, 0, 0))


@pytest.fixture(scope="module")
def sigma_x(ruo2_x):
    return anomalous_hall(ruo2_x, mesh=20, kT=0.01, adaptive=False)


def test_neel_x_only_sigma_xz(sigma_x):
    s = sigma_x.sigma
    assert abs(s["xz"]) > 0.1  # S/cm (non-trivial)
    assert abs(s["yz"]) < 1e-8 * abs(s["xz"]) and abs(s["xy"]) < 1e-8 * abs(s["xz"])
    assert s["zx"] == -s["xz"] and sigma_x.units == "S/cm"


def test_neel_z_and_J0_give_zero(ruo2_x, sigma_x):
    ref = abs(sigma_x.sigma["xz"])
    for m in (ruo2_x.with_params(neel=(0, 0, 1)), ruo2_x.with_params(J=0.0)):
        r = anomalous_hall(m, mesh=20, kT=0.01, adaptive=False)
        assert np.abs(r.hall_vector).max() < 1e-8 * ref


def test_neel_110_hall_vector_parallel(ruo2_x):
    r = anomalous_hall(ruo2_x.with_params(neel=(1, 1, 0)), mesh=16, kT=0.01, adaptive=False)
    hv = r.hall_vector
    assert abs(hv[0]) > 1.0
    assert hv[0] == pytest.approx(hv[1], rel=1e-8) and abs(hv[2]) < 1e-8 * abs(hv[0])


def test_sigma_linear_in_lambda():
    m = preset("RuO2", neel=(1, 0, 0))
    r1, r2 = (anomalous_hall(m.with_params(lambda1=lam), mesh=20, kT=0.02, adaptive=False).sigma["xz"] / lam
              for lam in (0.01, 0.005))
    assert abs(r1) > 10
    assert r1 == pytest.approx(r2, rel=5e-3)
    # and the sign flips with the Néel vector (σ odd in n̂)
    r3 = anomalous_hall(m.with_params(lambda1=0.01, neel=(-1, 0, 0)), mesh=20, kT=0.02, adaptive=False)
    assert r3.sigma["xz"] / 0.01 == pytest.approx(-r1, rel=1e-8)


def test_chern_insulator_quantised_hall():
    m = chern_toy(m0=2.0, J=1.0)
    C = chern_number(m, bands=[0, 1], mesh=32).integer
    # E_F in the gap between bands 1 and 2 (ε₀ = 0 ⇒ the gap is centred at E = 0)
    r = anomalous_hall(m, mesh=64, kT=0.002, E_F=0.0, rtol=1e-3)
    assert r.units == "e^2/h"
    assert r.sigma["xy"] == pytest.approx(-C, abs=2e-3)
    assert r.sigma_S["xy"] == pytest.approx(r.sigma["xy"] * E2_H)


def test_units_prefactor_and_lattice_scaling(ruo2_x, sigma_x):
    # spec §6: e²/(ħ a) ≈ 5.4e3 S/cm for a = 4.49 Å
    assert E2_HBAR / 4.49e-8 == pytest.approx(5.42e3, rel=0.01)
    r = anomalous_hall(ruo2_x, mesh=20, kT=0.01, adaptive=False, lattice_constant=2 * 4.492)
    assert r.sigma["xz"] == pytest.approx(sigma_x.sigma["xz"] / 2, rel=1e-10)


@pytest.mark.slow
def test_adaptive_converges_to_dense_uniform():
    m = preset("RuO2", lambda1=0.05, neel=(1, 0, 0))
    dense = anomalous_hall(m, mesh=128, kT=0.01, adaptive=False).sigma["xz"]
    ad = anomalous_hall(m, mesh=24, kT=0.01, rtol=0.01)
    assert ad.converged
    assert ad.sigma["xz"] == pytest.approx(dense, rel=0.02)


def test_adaptive_refinement_history(ruo2_x):
    r = anomalous_hall(ruo2_x, mesh=12, kT=0.01, rtol=0.05, max_iter=3)
    ns = [h["n_kpoints"] for h in r.history]
    assert ns == sorted(ns) and len(ns) >= 2 and r.n_kpoints == ns[-1]


def test_filling_and_soc_knobs(ruo2_x):
    assert soc_parameters(ruo2_x) == ["lambda1", "lambda2"]
    assert set_soc(preset("RuO2"), 0.07).params["lambda1"] == 0.07
    r = anomalous_hall(ruo2_x, mesh=12, kT=0.01, n_sigma=0.5, adaptive=False)
    E = ruo2_x.eigenvalues_on_grid((12, 12, 12))
    from altermag.response.normal_state import filling
    assert filling(E, 0.01, r.E_F) == pytest.approx(0.5, abs=1e-8)


def test_sweeps_lambda_and_J(tmp_path):
    m = preset("RuO2", lambda1=0.02, neel=(1, 0, 0))
    sw = ahc_sweep(m, "lambda", [0.01, 0.02], mesh=12, kT=0.02, adaptive=False, out=tmp_path / "s.json")
    s = sw.sigma("xz")
    assert s[1] == pytest.approx(2 * s[0], rel=0.02)
    assert (tmp_path / "s.json").exists()
    sj = ahc_sweep(m, "J", [0.0, 0.3], mesh=12, kT=0.02, adaptive=False)
    assert abs(sj.sigma("xz")[0]) < 1e-9 and abs(sj.sigma("xz")[1]) > 1.0


def test_plots_and_tour(tmp_path):
    from altermag.response.ahc import berry_plane, plot_berry_plane, plot_sigma_sweep, tour_figures

    m = preset("RuO2", lambda1=0.05, neel=(1, 0, 0))
    u, v, vals, labels = berry_plane(m, plane="ky=0", n=21, component="xz")
    # {C2x|½½½}·Θ is a symmetry for n̂ = x (C2x exchanges the sublattices, Θ restores the Néel sign):
    # it maps (k_x, k_y, k_z) → (−k_x, k_y, k_z) and leaves Ω_y = Ω^{zx} unchanged
    assert np.allclose(vals, vals[::-1, :], atol=1e-9 * np.abs(vals).max()) and labels == ["k_x", "k_z"]
    assert plot_berry_plane(m, tmp_path / "b.png", n=21).stat().st_size > 1000
    sw = ahc_sweep(m, "lambda", [0.0, 0.05], mesh=8, adaptive=False)
    assert plot_sigma_sweep(sw, tmp_path / "s.png").stat().st_size > 1000
    d = tour_figures(tmp_path / "tour")
    assert (tmp_path / "tour" / "ahc_berry_plane.png").exists()
    assert d["sigma_max_abs_neel_z_S_per_cm"] < 1e-6 * abs(d["sigma_xz_S_per_cm"])


@pytest.mark.slow
def test_adaptive_hard_case_independent_of_base_mesh():
    # small exchange gap (J = 0.1 eV): uniform 48³…128³ scatter between −21 and −41 S/cm; the adaptive
    # integrator must give the same σ from two different base meshes
    m = preset("RuO2", lambda1=0.05, J=0.1, neel=(1, 0, 0))
    a = anomalous_hall(m, mesh=24, kT=0.01, rtol=0.01)
    b = anomalous_hall(m, mesh=40, kT=0.01, rtol=0.01)
    assert a.converged and b.converged
    assert a.sigma["xz"] == pytest.approx(b.sigma["xz"], rel=0.03, abs=0.2)


def test_layered_3d_limit_gives_2d_conductance_per_layer():
    """Independent check of the S/cm conversion: a 3D model with no k_z dispersion is a stack of 2D layers
    spaced by c, so σ_3D (S/cm) = σ_2D (e²/h per layer) × e²/h (S, CODATA literal) / c (cm)."""
    c_ang = 7.0
    s2 = anomalous_hall(chern_toy(m0=2.0, J=1.0), mesh=48, kT=0.002, E_F=0.0, rtol=1e-3)
    s3 = anomalous_hall(chern_toy(m0=2.0, J=1.0, dimension=3, c=c_ang), mesh=(48, 48, 2), kT=0.002, E_F=0.0, rtol=1e-3)
    assert s2.units == "e^2/h" and s3.units == "S/cm"
    assert abs(s2.sigma["xy"]) == pytest.approx(2.0, abs=1e-3)          # |C| = 2 per layer
    e2_over_h = 3.874045865e-5                                            # S (CODATA 2018, exact)
    assert s3.sigma["xy"] == pytest.approx(s2.sigma["xy"] * e2_over_h / (c_ang * 1e-8), rel=1e-3)
    assert E2_HBAR == pytest.approx(2.434e-4, rel=1e-3)                   # spec §6


def test_sweep_through_local_processes_equals_serial():
    m = preset("RuO2", lambda1=0.02, neel=(1, 0, 0))
    kw = dict(mesh=8, kT=0.02, adaptive=False)
    serial = ahc_sweep(m, "J", [0.2, 0.4], **kw)
    par = ahc_sweep(m, "J", [0.2, 0.4], workers=2, **kw)
    assert np.allclose(par.sigma("xz"), serial.sigma("xz"), rtol=1e-12)
    assert abs(serial.sigma("xz")).min() > 0.1
