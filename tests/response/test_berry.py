"""Berry curvature: Kubo vs independent methods (plaquette Berry phase, spin-sector formula of spec Eq. 27),
degenerate subspaces, time reversal, lattice Chern numbers (spec §6, App. H)."""

import numpy as np
import pytest

from altermag.core.errors import ParameterError
from altermag.models import preset
from altermag.models.hamiltonian import TwoSublatticeModel, harmonic_from_trig
from altermag.models.terms import ModelTerms
from altermag.response.berry import (berry_curvature, berry_curvature_linear, berry_curvature_plaquette,
                                     chern_number, sector_hamiltonian)

K = np.array([[0.13, 0.27, 0.31], [0.41, 0.07, 0.22], [0.19, 0.33, 0.45]])


def chern_toy(m0=0.0, J=1.0, A=1.0, B=1.0, a=3.0, dimension=2, c=10.0):
    """2D toy model with d_s = (A sin kx sin ky, s B (cos kx − cos ky), m0 + cos kx + cos ky + s J) per spin
    sector (n̂ = z): a d+id map, sector Chern number ±2 when |m0 + sJ| < 2, 0 when > 2. ``dimension=3``: the
    same layers stacked with spacing ``c`` (Å) and no k_z dependence."""
    X, Y = (1, 0, 0), (0, 1, 0)
    hs = [harmonic_from_trig("eps0", "e0", [(1.0, [])]),
          harmonic_from_trig("tx", "A", [(1.0, [("sin", X), ("sin", Y)])]),
          harmonic_from_trig("tz", "m0", [(1.0, [])]),
          harmonic_from_trig("tz", "t", [(1.0, [("cos", X)]), (1.0, [("cos", Y)])]),
          harmonic_from_trig("lz", "B", [(1.0, [("cos", X)]), (-1.0, [("cos", Y)])])]
    terms = ModelTerms(hs, np.diag([a, a, c]), np.zeros((2, 3)), 1, "toy", dimension=dimension)
    return TwoSublatticeModel(terms, {"e0": 0.0, "A": A, "m0": m0, "t": 1.0, "B": B}, J=J, neel=(0, 0, 1),
                              name="chern-toy")


def test_kubo_equals_plaquette_berry_phase():
    m = preset("RuO2", lambda1=0.05, neel=(1, 0, 0))
    Om = berry_curvature(m, K)
    for bands in ([0], [0, 1], [2]):
        fd = berry_curvature_plaquette(m, K, bands, h=2e-4)
        kubo = Om[..., bands].sum(-1)
        assert np.allclose(fd, kubo, atol=1e-5 * np.abs(kubo).max() + 1e-9, rtol=1e-4)
    assert np.abs(Om).max() > 1e-3  # a non-trivial check


def _matched(m, k, linearised=True):
    lin = berry_curvature_linear(m, k, linearised=linearised)
    Om_l = lin["omega"].reshape(len(k), 3, 4)
    El = lin["energies"].reshape(len(k), 4)
    o = np.argsort(El, axis=-1)
    return np.take_along_axis(Om_l, o[:, None, :], -1)


def test_linear_formula_first_order_in_lambda():
    errs, mags = [], []
    for lam in (0.02, 0.01, 0.005):
        m = preset("RuO2", lambda1=lam, neel=(1, 0, 0))
        Om = berry_curvature(m, K)
        errs.append(np.abs(Om - _matched(m, K)).max())
        mags.append(np.abs(Om).max())
    # curvature ∝ λ; the residual of the linear formula is of higher order (≥ λ²)
    assert mags[0] / mags[1] == pytest.approx(2.0, rel=0.02)
    assert errs[0] < 0.01 * mags[0]
    assert errs[0] / errs[1] > 3.5 and errs[1] / errs[2] > 3.5


def test_sector_formula_exact_when_spin_conserved():
    m = preset("SG136-2D", lambda2=0.1, J=0.2)  # n̂ = z, only λ_z: σ_z conserved
    k = K.copy()
    k[:, 2] = 0
    Om = berry_curvature(m, k)
    assert np.allclose(Om, _matched(m, k, linearised=False), atol=1e-10)
    # opposite spin sectors carry opposite curvature at J → 0 (Appendix H structure)
    lin = berry_curvature_linear(m.with_params(J=0.0), k, linearised=False)["omega"]
    assert np.allclose(lin[..., 0], -lin[..., 1], atol=1e-12)


def test_pt_degenerate_pairs_sum_to_zero():
    # J = 0: PT symmetry makes every band doubly degenerate and the pair's total curvature vanish;
    # the degenerate-subspace treatment must return finite numbers whose pair sums are zero.
    m = preset("RuO2", lambda1=0.05, J=0.0, neel=(1, 0, 0))
    Om = berry_curvature(m, K)
    assert np.all(np.isfinite(Om))
    assert np.allclose(Om[..., 0] + Om[..., 1], 0, atol=1e-8)
    assert np.allclose(Om[..., 2] + Om[..., 3], 0, atol=1e-8)


def test_time_reversal_odd():
    # Θ maps (k, J) → (−k, −J); the curvature is odd: Ω_n^{J}(k) = −Ω_n^{−J}(−k)
    m = preset("RuO2", lambda1=0.05, neel=(1, 0, 0))
    a = berry_curvature(m, K)
    b = berry_curvature(m.with_params(J=-m.J), -K)
    assert np.allclose(a, -b, atol=1e-10)
    assert np.abs(a).max() > 1e-3


def test_chern_sectors_integer_and_opposite():
    m = chern_toy(m0=0.0, J=1.0)
    cp = chern_number(m, sector=1, mesh=40)
    cm = chern_number(m, sector=-1, mesh=40)
    assert abs(cp.chern - round(cp.chern)) < 1e-8 and abs(cm.chern - round(cm.chern)) < 1e-8
    assert abs(cp.integer) == 2 and cp.integer == -cm.integer


def test_chern_full_model_lattice_equals_kubo():
    # m0 = 2, J = 1: sector + has |m0 + J| = 3 > 2 (trivial), sector − has |m0 − J| = 1 (C = ±2), so the lower
    # two bands of the full model carry a net Chern number
    m = chern_toy(m0=2.0, J=1.0)
    c = chern_number(m, bands=[0, 1], mesh=48)
    assert abs(c.chern - round(c.chern)) < 1e-8 and abs(c.integer) == 2
    cs = chern_number(m, sector=-1, mesh=48).integer + chern_number(m, sector=1, mesh=48).integer
    assert c.integer == cs
    n = 240
    g = (np.arange(n) + 0.5) / n
    kx, ky = np.meshgrid(g, g, indexing="ij")
    k = np.stack([kx, ky, 0 * kx], -1)
    Om = berry_curvature(m, k)[..., 2, :2].sum(-1)  # Ω^{xy} of the lower two bands
    b = m.reciprocal
    area = abs(np.linalg.det(b[:2, :2]))
    kubo = Om.mean() * area / (2 * np.pi)
    assert kubo == pytest.approx(c.chern, abs=1e-3)


def test_chern_rejects_gapless_and_nonconserved():
    m = chern_toy(m0=0.0, J=2.0)  # sector +: m0 + J = 2 closes the gap at M
    with pytest.raises(ParameterError):
        chern_number(m, sector=1, mesh=40)
    r = preset("RuO2", lambda1=0.05, neel=(1, 0, 0))
    with pytest.raises(ParameterError):
        sector_hamiltonian(r, K, 1)


def test_kubo_equals_wannierberri_pointwise():
    wb = pytest.importorskip("wannierberri")
    import warnings

    from altermag.models.export import to_tbmodels

    m = preset("RuO2", lambda1=0.05, lambda2=0.02, neel=(1, 1, 0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        system = wb.system.System_TBmodels(to_tbmodels(m), berry=True)
        theirs = np.array([np.asarray(wb.evaluate_k(system, k=tuple(k), quantities=["berry_curvature"]))
                           for k in K])
    ours = np.swapaxes(berry_curvature(m, K), -1, -2)
    assert np.allclose(ours, theirs, atol=1e-10 * np.abs(ours).max())


def test_appendix_h_sectors_trivial_with_lowest_order_terms():
    # spec App. H: on k_z = 0 only λ_z survives, σ_z is conserved, and with the lowest-order terms d_s vanishes
    # only at J = 0 — so each gapped sector has C = 0 (the paper's Eq. 40 needs extra terms); RuO2 at k_z = 0
    m = preset("RuO2", lambda2=0.05)
    for s in (1, -1):
        c = chern_number(m, sector=s, k3=0.0, mesh=32)
        assert c.min_direct_gap > 0.1 and abs(c.chern) < 1e-8


def test_sector_kubo_integral_equals_lattice_chern():
    m = chern_toy(m0=0.5, J=1.0)
    n = 200
    g = (np.arange(n) + 0.5) / n
    kx, ky = np.meshgrid(g, g, indexing="ij")
    k = np.stack([kx, ky, 0 * kx], -1)
    om = berry_curvature_linear(m, k, linearised=False)["omega"][..., 2, 0, :]  # Ω^{xy}, lower branch, (s=+, s=−)
    area = abs(np.linalg.det(m.reciprocal[:2, :2]))
    for i, s in enumerate((1, -1)):
        c = chern_number(m, sector=s, mesh=40)
        assert om[..., i].mean() * area / (2 * np.pi) == pytest.approx(c.chern, abs=2e-3)
        assert abs(c.integer) == (2 if abs(0.5 + s * 1.0) < 2 else 0)
