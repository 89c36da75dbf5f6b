"""Bare susceptibility χ⁰: FFT/IR full grid vs the direct Lindhard sum, gauge relation χ⁰(q+G), the analytic
q → 0 band decomposition (Eq. 16), t_x ≡ 0 limit, an independent single-band Lindhard sum."""

import numpy as np
import pytest

from altermag.core.errors import ParameterError
from altermag.models import preset
from altermag.response.normal_state import k_mesh, minus_df, occupation, spinless_coefficients
from altermag.response.susceptibility import (band_decomposition_q0, bare_susceptibility, chi0_full_grid,
                                              gauge_phase_sign, normal_state)

CASES = [("RuO2", {}, 8, 0.05),
         ("SG123-2D-flat", {}, 16, 0.02),           # sites (0,½), (½,0): d = (½, −½)
         ("kappa-Cl", {}, 12, 0.02),
         ("FeSb2", {"mu_convention": "plus"}, (6, 8, 10), 0.03),   # non-cubic mesh
         ("CrSb", {}, (6, 6, 4), 0.05),                           # hexagonal, d = (0, 0, ½)
         ("SG223", {}, 4, 0.05)]


@pytest.mark.parametrize("name,kw,mesh,kT", CASES)
def test_full_grid_equals_direct_sum(name, kw, mesh, kT):
    m = preset(name, **kw)
    g = chi0_full_grid(m, mesh=mesh, kT=kT)
    d = bare_susceptibility(m, g.q.reshape(-1, 3), mesh=mesh, kT=kT)
    c = g.chi.reshape(-1, 2, 2, 2, 2)
    scale = np.abs(d.chi).max()
    assert np.abs(c - d.chi).max() <= 1e-6 * scale
    # the inter-sublattice block is not trivially zero, so the gauge handling is really tested
    assert np.abs(d.M[:, 0, 1]).max() > 1e-3 * scale


def test_density_only_grid_matches_full():
    m = preset("RuO2")
    a = chi0_full_grid(m, mesh=6, kT=0.05)
    b = chi0_full_grid(m, mesh=6, kT=0.05, components="density")
    assert np.allclose(a.M, b.M, atol=1e-12)
    assert np.isnan(b.chi[..., 0, 1, 0, 1]).all()


@pytest.mark.parametrize("name", ["RuO2", "SG123-2D-flat"])
def test_umklapp_phase_relation(name):
    """χ⁰_{l1l2l3l4}(q + G) = e^{−2πi s G·(r_l1 − r_l3)} χ⁰(q); for the density block χ⁰_12(q+G) = e^{2πiG·d} χ⁰_12."""
    m = preset(name)
    dim = m.terms.dimension
    mesh = 8 if dim == 3 else 16
    q = np.array([0.13, 0.31, 0.22 if dim == 3 else 0.0])
    Gs = [np.array(g, float) for g in ([1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 1, 1])[: (5 if dim == 3 else 3)]]
    r = np.asarray(m.terms.sites, float)
    s = gauge_phase_sign(m)
    d = r[1] - r[0]
    base = bare_susceptibility(m, q, mesh=mesh, kT=0.03).chi[0]
    flipped = False
    for G in Gs:
        shifted = bare_susceptibility(m, q + G, mesh=mesh, kT=0.03).chi[0]
        for l1 in range(2):
            for l3 in range(2):
                phase = np.exp(-2j * np.pi * s * G @ (r[l1] - r[l3]))
                assert np.allclose(shifted[l1, :, l3, :], phase * base[l1, :, l3, :], atol=1e-12)
        assert np.isclose(shifted[0, 0, 1, 1], np.exp(2j * np.pi * G @ d) * base[0, 0, 1, 1], atol=1e-12)
        assert np.isclose(shifted[0, 0, 0, 0], base[0, 0, 0, 0], atol=1e-12)
        flipped |= np.exp(2j * np.pi * G @ d).real < 0
    assert flipped  # at least one G changes the sign of χ⁰_12


def test_ruo2_chi12_vanishes_on_qz_pi_plane():
    m = preset("RuO2")
    q = np.array([[0.2, 0.3, 0.5], [0.5, 0.0, 0.0], [0.0, 0.0, 0.5], [0.5, 0.0, 0.5]])  # q_z = π, X, Z, R
    M = bare_susceptibility(m, q, mesh=8, kT=0.05).M
    assert np.abs(M[:, 0, 1]).max() < 1e-12 * np.abs(M).max()
    assert np.abs(M[:, 0, 0]).min() > 1e-3


def test_symmetries_of_chi0():
    m = preset("kappa-Cl")
    q = np.array([[0.11, 0.27, 0.0], [-0.11, -0.27, 0.0]])
    r = bare_susceptibility(m, q, mesh=24, kT=0.02)
    M = r.M.real
    assert np.allclose(M[0], M[0].T, atol=1e-13)            # real symmetric density block
    assert np.allclose(M[0], M[1], atol=1e-12)              # χ(q) = χ(−q) (inversion)
    assert np.abs(r.chi.imag).max() < 1e-14                 # static χ⁰ is real
    assert np.linalg.eigvalsh(M[0]).min() > 0               # paramagnet: χ⁰ positive definite


@pytest.mark.parametrize("name,kw,mesh,kT", [("RuO2", {}, 16, 0.01), ("kappa-Cl", {}, 64, 0.005),
                                             ("SG136-2D-flat", {}, 64, 0.01)])
def test_q0_limit_equals_eq16(name, kw, mesh, kT):
    m = preset(name, **kw)
    bd = band_decomposition_q0(m, mesh=mesh, kT=kT)
    ch = bare_susceptibility(m, np.zeros(3), mesh=mesh, kT=kT).channels()
    assert np.isclose(ch["FM"][0].real, bd.FM, rtol=1e-12)
    assert np.isclose(ch["AM"][0].real, bd.AM, rtol=1e-12)
    small = bare_susceptibility(m, np.array([1e-6, 2e-6, 0.0]), mesh=mesh, kT=kT).channels()
    assert np.isclose(small["FM"][0].real, bd.FM, rtol=1e-4)
    assert np.isclose(small["AM"][0].real, bd.AM, rtol=1e-4)
    assert bd.AM_inter > 0 and bd.FM_inter == 0


def test_fm_q0_is_intraband_density_of_states():
    """FM(q→0) = −⟨Σ_n f′(E_n)⟩ computed independently from the band energies."""
    m = preset("RuO2")
    kT = 0.02
    k = k_mesh(m, 12)
    e0, tx, tz = spinless_coefficients(m, k)
    t = np.hypot(tx, tz)
    dos = 0.5 * np.mean(minus_df(e0 - t, kT) + minus_df(e0 + t, kT))
    ch = bare_susceptibility(m, np.zeros(3), mesh=12, kT=kT).channels()
    assert np.isclose(ch["FM"][0].real, dos, rtol=1e-12)


@pytest.mark.parametrize("name,param", [("RuO2", "t8"), ("SG123-2D-flat", "t8")])
def test_tx_zero_makes_am_equal_fm(name, param):
    m = preset(name, **{param: 0.0})
    mesh = 10 if m.terms.dimension == 3 else 24
    q = np.array([[0, 0, 0], [0.1, 0.2, 0.0], [0.3, 0.05, 0.25], [0.5, 0.5, 0.0]])
    r = bare_susceptibility(m, q, mesh=mesh, kT=0.03)
    ch = r.channels()
    assert np.abs(r.M[:, 0, 1]).max() < 1e-14 * np.abs(r.M).max()     # exact up to round-off
    assert np.allclose(ch["AM"], ch["FM"], rtol=1e-13, atol=0)
    bd = band_decomposition_q0(m, mesh=mesh, kT=0.03)
    assert bd.AM == pytest.approx(bd.FM, rel=1e-13) and bd.AM_inter < 1e-13 * bd.AM


def test_single_band_lindhard_independent():
    """t_x = t_z = 0: χ⁰_1111(q) is the plain Lindhard function of ε₀ (independent numpy sum)."""
    m = preset("RuO2", t6=0.0, t7=0.0, t8=0.0)
    kT, mesh = 0.04, 10
    q = np.array([0.1, 0.3, 0.2])
    k = k_mesh(m, mesh).reshape(-1, 3)
    e1 = spinless_coefficients(m, k)[0]
    e2 = spinless_coefficients(m, k + q)[0]
    f1, f2 = occupation(e1, kT), occupation(e2, kT)
    deg = np.abs(e2 - e1) < 1e-9                       # symmetry-equivalent pairs: the limit −f′ = f(1−f)/kT
    ref = -np.mean(np.where(deg, -f1 * (1 - f1) / kT, (f2 - f1) / np.where(deg, 1.0, e2 - e1)))
    r = bare_susceptibility(m, q, mesh=mesh, kT=kT)
    assert r.chi[0, 0, 0, 0, 0].real == pytest.approx(ref, rel=1e-12)
    assert r.chi[0, 1, 1, 1, 1].real == pytest.approx(ref, rel=1e-12)


def test_dynamic_frequencies():
    m = preset("kappa-Cl")
    q = np.array([0.1, 0.2, 0.0])
    st = normal_state(m, mesh=32, kT=0.02)
    static = bare_susceptibility(m, q, state=st)
    m0 = bare_susceptibility(m, q, state=st, matsubara=0)
    m1 = bare_susceptibility(m, q, state=st, matsubara=1)
    assert np.allclose(m0.chi, static.chi)
    # Matsubara χ is real, positive and decreasing in |ν| for the density channels (spectral representation)
    assert 0 < m1.channels()["FM"][0].real < static.channels()["FM"][0].real
    big = bare_susceptibility(m, q, state=st, omega=0.0, eta=100.0)
    assert abs(big.channels()["FM"][0]) < 0.05 * static.channels()["FM"][0].real
    with pytest.raises(ParameterError):
        bare_susceptibility(m, q, state=st, omega=0.1)


def test_filling_and_inputs():
    m = preset("RuO2")
    st = normal_state(m, mesh=12, kT=0.01, n_sigma=0.5)
    assert st.n_sigma == pytest.approx(0.5, abs=1e-9)
    assert st.dropped == {"J": m.J}
    with pytest.raises(ParameterError):
        normal_state(m, mesh=12, kT=0.01, n_sigma=0.5, E_F=0.1)
    with pytest.raises(ParameterError):
        normal_state(m, mesh=12, kT=-1.0)
