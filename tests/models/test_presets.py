"""Material presets: Table 5 numbers, the paper's qualitative RuO2 facts, the 2D SG 136 / SG 123 pair."""

import numpy as np
import pytest

from altermag.core.errors import ParameterError
from altermag.models import list_presets, preset, preset_info
from altermag.models.analysis import wave_class

# Table 5 rows exactly as in the spec (§2.2), typed here independently of the package's copy
TABLE5 = {
    "RuO2": [-0.05, 0.7, 0.5, -0.15, -0.4, -0.6, 0.3, 1.7, 0.25],
    "MnF2": [0, 0.13, 0, -0.02, 0.015, 0, 0.03, 0.33, -0.01],
    "FeSb2": [-0.1, -0.05, -0.05, 0.06, 0.1, 0.05, -0.05, 0.05, -0.1, 0.15, -0.12],
}


def test_required_presets_exist():
    names = set(list_presets())
    assert {"RuO2", "MnF2", "FeSb2", "kappa-Cl", "CrSb", "MnTe", "SG223", "SG136-2D", "SG123-2D",
            "SG136-2D-flat", "SG123-2D-flat"} <= names
    assert preset("κ-Cl").name == "kappa-Cl" and preset("ruo2").name == "RuO2"


@pytest.mark.parametrize("name", TABLE5)
def test_table5_numbers_and_provisional_flags(name):
    m = preset(name)
    row = TABLE5[name]
    tvals = [m.params[f"t{i + 1}"] for i in range(len(row) - 1)]
    assert tvals == row[:-1] and m.mu == row[-1]
    prov = m.info["provisional"]
    assert "mapping" in prov and "J" in prov and "mu" in prov
    assert preset(name, mu_convention="plus").mu == -row[-1]


def test_kappa_cl_is_2d_with_the_table5_numbers():
    m = preset("kappa-Cl")
    assert m.terms.dimension == 2
    assert {k: m.params[k] for k in ("t1", "t2", "t4", "t8", "t10")} == {"t1": 0.08, "t2": -0.01, "t4": -0.03,
                                                                         "t8": 0.05, "t10": 0.3}
    assert m.mu == -0.1
    k = np.array([[0.1, 0.2, 0.0], [0.1, 0.2, 0.37]])
    assert np.allclose(m.hamiltonian(k)[0], m.hamiltonian(k)[1])  # k_z is ignored


def test_overrides_and_errors():
    m = preset("RuO2", J=0.0, lambda1=0.05, neel=(1, 0, 0))
    assert m.J == 0 and m.params["lambda1"] == 0.05 and np.allclose(m.neel, [1, 0, 0])
    with pytest.raises(ParameterError, match="t42"):
        preset("RuO2", t42=1.0)
    with pytest.raises(ParameterError, match="unknown preset"):
        preset("NotAMaterial")
    with pytest.raises(ParameterError, match="mu_convention"):
        preset("RuO2", mu_convention="sideways")


# ----------------------------------------------------------------------------- RuO2: the paper's statements

def _line(a, b, n=41):
    t = np.linspace(0, 1, n)[:, None]
    return np.asarray(a, float) + t * (np.asarray(b, float) - np.asarray(a, float))


G, X, M, Z, R, A = (0, 0, 0), (0.5, 0, 0), (0.5, 0.5, 0), (0, 0, 0.5), (0.5, 0, 0.5), (0.5, 0.5, 0.5)


@pytest.mark.parametrize("J", [0.0, 0.3, 1.0])
def test_ruo2_nodal_lines_x_m_and_z_r_a(J):
    """On X–M and Z–R–A t_x = t_z = 0: the bands are pairwise degenerate for any J (λ = 0)."""
    m = preset("RuO2", J=J)
    for a, b in ((X, M), (Z, R), (R, A)):
        E = m.eigenvalues(_line(a, b))
        assert np.abs(E[:, 1] - E[:, 0]).max() < 1e-12 and np.abs(E[:, 3] - E[:, 2]).max() < 1e-12
    # ... but not along Γ–M, Γ–X, A–Z when J ≠ 0 (generic lines)
    E = m.eigenvalues(_line(G, M)[1:-1])
    assert (np.abs(E[:, 1] - E[:, 0]).min() > 1e-6) == (J > 0)


def test_ruo2_a_z_splitting_is_controlled_by_tz_only():
    """Along A–Z (k_z = π, k_x = k_y = q), J = 0: ΔE = 2|t6 − t7| sin² q, independent of t_x, ε₀."""
    q = np.linspace(0, np.pi, 31)
    k = np.stack([q, q, np.full_like(q, np.pi)], -1) / (2 * np.pi)
    for changes in ({}, {"t8": 3.0, "t1": 0.4, "t3": -0.2}):
        m = preset("RuO2", J=0.0, **changes)
        E = m.eigenvalues(k)
        assert np.allclose(E[:, 2] - E[:, 1], 2 * abs(-0.6 - 0.3) * np.sin(q) ** 2, atol=1e-12)
    m = preset("RuO2", J=0.0, t6=0.1, t7=0.1)  # t6 = t7: t_z vanishes on A–Z → degenerate
    assert np.abs(np.diff(m.eigenvalues(k), axis=-1)).max() < 1e-12


def test_ruo2_spin_splitting_along_m_gamma_and_a_z_needs_j():
    for a, b in ((M, G), (A, Z)):
        k = _line(a, b)[1:-1]
        assert np.abs(preset("RuO2", J=0.0).spin_splitting(k)).max() < 1e-14
        assert np.abs(preset("RuO2", J=0.2).spin_splitting(k)).min() > 1e-5  # ∝ q² near Γ, A
        # Γ–X: t_z = 0 there (d_xy nodal plane k_y = 0): no spin splitting even with J
    assert np.abs(preset("RuO2", J=0.2).spin_splitting(_line(G, X))).max() < 1e-14


def test_ruo2_van_hove_point_at_a():
    """ε₀(A) = 0 before μ (spec §7); zero velocity at A; along A–Z the two bands disperse oppositely."""
    m = preset("RuO2", J=0.0)
    assert abs(m.coefficients(A)[0] + m.mu) < 1e-14
    assert np.abs(m.velocity([A])).max() < 1e-12
    d = 1e-3
    ka = np.array([A, np.subtract(A, (d, d, 0)), np.subtract(A, (2 * d, 2 * d, 0))])
    E = m.eigenvalues(ka)
    curv = E[2] - 2 * E[1] + E[0]
    assert curv[0] * curv[3] < 0 and abs(curv[0]) > 1e-8 and abs(curv[3]) > 1e-8


# ----------------------------------------------------------------------------- 2D SG 136 vs SG 123 pair

@pytest.mark.parametrize("name", ["SG136-2D", "SG136-2D-flat"])
def test_2d_sg136_degenerate_on_whole_zone_boundary(name):
    m = preset(name, J=0.0)
    t = np.linspace(-0.5, 0.5, 41)
    edge = np.concatenate([np.stack([np.full_like(t, 0.5), t, 0 * t], -1), np.stack([t, np.full_like(t, 0.5), 0 * t], -1)])
    assert np.ptp(m.eigenvalues(edge), axis=-1).max() < 1e-12


@pytest.mark.parametrize("name", ["SG123-2D", "SG123-2D-flat"])
def test_2d_sg123_degenerate_only_at_m(name):
    m = preset(name, J=0.0)
    assert np.ptp(m.eigenvalues([0.5, 0.5, 0])) < 1e-12
    t = np.linspace(-0.45, 0.45, 31)
    edge = np.stack([np.full_like(t, 0.5), t, 0 * t], -1)
    assert np.ptp(m.eigenvalues(edge), axis=-1).min() > 1e-3  # split at X by t_z


def test_2d_pair_mu_at_the_m_van_hove_point_and_flat_variant():
    for name in ("SG136-2D", "SG123-2D", "SG136-2D-flat", "SG123-2D-flat"):
        m = preset(name, J=0.0)
        assert abs(m.coefficients([0.5, 0.5, 0])[0]) < 1e-12  # ε₀(M) − μ = 0
        assert np.abs(m.velocity([[0.5, 0.5, 0]])).max() < 1e-12
    # the flat variant: ∂²ε₀/∂k_x² = 0 at M (t1 + t4 = t3 + t5 in the spec's words); not so for RuO2 at k_z = 0
    for name, flat in (("SG136-2D-flat", True), ("SG136-2D", False)):
        hxx = preset(name, J=0.0).hessian([[0.5, 0.5, 0]])[0, 0, 0]
        assert (abs(hxx[0, 0]) < 1e-12) == flat
    # the RuO2-at-k_z=0 model equals the 3D RuO2 preset on the k_z = 0 plane (J, λ = 0)
    k = np.random.default_rng(0).uniform(-0.5, 0.5, (30, 3))
    k[:, 2] = 0
    m2, m3 = preset("SG136-2D", J=0.0), preset("RuO2", J=0.0)
    assert np.allclose(m2.eigenvalues(k) + m2.mu, m3.eigenvalues(k) + m3.mu, atol=1e-12)


@pytest.mark.parametrize("name,wave", [("RuO2", "d"), ("MnF2", "d"), ("FeSb2", "d"), ("kappa-Cl", "d"),
                                       ("CrSb", "g"), ("MnTe", "g"), ("SG223", "i"), ("SG123-2D", "d")])
def test_wave_class_measured_from_tz(name, wave):
    m = preset(name)
    assert wave_class(m) == wave == preset_info(name)["wave"]


def test_preset_wave_and_irrep_agree_with_catalogue():
    cat = pytest.importorskip("altermag.models.catalogue")
    for name, (sg, wy) in {"RuO2": (136, "2a"), "FeSb2": (58, "2a"), "CrSb": (194, "2a"),
                           "SG223": (223, "2a"), "SG123-2D": (123, "2f")}.items():
        e = cat.get_entry(sg, wy)
        assert e.wave == preset(name).terms.wave
