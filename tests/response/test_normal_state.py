"""The shared normal-state block: eigen-decomposition, filling ↔ Fermi level, paramagnetic reduction."""

import numpy as np
import pytest
from scipy.integrate import trapezoid

from altermag.core.errors import ParameterError
from altermag.models import preset
from altermag.response.normal_state import (fermi_level, filling, k_mesh, mesh_shape, minus_df, occupation,
                                            paramagnetic, spinless_bands, spinless_coefficients)


def test_spinless_bands_diagonalise_the_block(rng):
    e0, tx, tz = rng.normal(size=(3, 500))
    tx[:5] = 0.0
    tz[5:10] = 0.0
    E, a = spinless_bands(e0, tx, tz)
    H = np.zeros((500, 2, 2))
    H[:, 0, 0], H[:, 1, 1] = e0 + tz, e0 - tz
    H[:, 0, 1] = H[:, 1, 0] = tx
    assert np.allclose(H @ a, a * E[:, None, :], atol=1e-12)
    assert np.allclose(np.swapaxes(a, 1, 2) @ a, np.eye(2), atol=1e-12)
    assert np.allclose(E, np.linalg.eigvalsh(H), atol=1e-12)


def test_ruo2_filling_matches_spec_section_8():
    """Spec §8: RuO2 with ε₀ − μ, μ = 0.25 has n_σ = 0.604 electrons per spin per site."""
    m, _ = paramagnetic(preset("RuO2"), warn=False)
    E, _ = spinless_bands(*spinless_coefficients(m, k_mesh(m, 32)))
    assert filling(E, 0.01) == pytest.approx(0.604, abs=0.002)


def test_fermi_level_inverts_filling():
    m, _ = paramagnetic(preset("kappa-Cl"), warn=False)
    E, _ = spinless_bands(*spinless_coefficients(m, k_mesh(m, 64)))
    for n in (0.2, 0.336, 0.5, 0.9):
        ef = fermi_level(E, n, 0.005)
        assert filling(E, 0.005, ef) == pytest.approx(n, abs=1e-10)
    assert fermi_level(E, 0.3, 0.005) < fermi_level(E, 0.4, 0.005)


def test_occupation_and_derivative_consistent():
    E = np.linspace(-0.2, 0.2, 4001)
    f = occupation(E, 0.01)
    num = -np.gradient(f, E)
    assert np.allclose(num, minus_df(E, 0.01), atol=1e-3)
    assert trapezoid(minus_df(E, 0.01), E) == pytest.approx(1.0, abs=1e-6)


def test_paramagnetic_drops_J_and_soc_only():
    m = preset("RuO2", lambda1=0.03)
    pm, dropped = paramagnetic(m, warn=False)
    assert dropped == {"lambda1": 0.03, "J": m.J}
    assert pm.J == 0 and pm.params["lambda1"] == 0
    assert pm.params["t8"] == m.params["t8"] and pm.mu == m.mu
    same, none = paramagnetic(pm, warn=False)
    assert same is pm and none == {}


def test_bad_inputs_are_named():
    m = preset("kappa-Cl")
    assert mesh_shape(m, 10) == (10, 10, 1)
    with pytest.raises(ParameterError, match="2D"):
        mesh_shape(m, (10, 10, 4))
    with pytest.raises(ParameterError, match="kT"):
        occupation([0.0], 0.0)
    with pytest.raises(ParameterError, match="n_sigma"):
        fermi_level(np.zeros((4, 2)), 1.2, 0.01)


def test_package_exports_never_shadow_submodules():
    """``import altermag.response.<module> as m`` must give the module, not a re-exported function."""
    import importlib
    import pkgutil
    import types

    import altermag.response as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f"altermag.response.{info.name}")
        assert getattr(pkg, info.name, mod) is mod, info.name
    assert all(not isinstance(getattr(pkg, n), types.ModuleType) for n in pkg.__all__)
