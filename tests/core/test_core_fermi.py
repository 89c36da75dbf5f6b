import numpy as np
import pytest

from altermag.core import ParameterError
from altermag.core.fermi import fermi_dirac, fermi_window
from altermag.core.units import K_B


@pytest.mark.parametrize("T", [1.0, 300.0, 5000.0])
def test_fermi_dirac_limits_and_symmetry(T):
    mu = 0.37
    assert fermi_dirac(mu, mu, T) == pytest.approx(0.5)
    kT = K_B * T
    assert fermi_dirac(mu - 40 * kT, mu, T) == pytest.approx(1.0, abs=1e-15)
    assert fermi_dirac(mu + 40 * kT, mu, T) == pytest.approx(0.0, abs=1e-15)
    E = mu + np.linspace(-10, 10, 101) * kT
    f = fermi_dirac(E, mu, T)
    assert np.all(np.diff(f) < 0)
    assert np.allclose(f + fermi_dirac(2 * mu - E, mu, T), 1.0)  # particle-hole symmetry
    assert fermi_dirac(mu + kT, mu, T) == pytest.approx(1 / (np.e + 1))


def test_no_overflow_far_from_mu():
    E = np.array([-100.0, -1.0, 1.0, 100.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is exact enough
        f = fermi_dirac(E, 0.0, 1.0)
        w = fermi_window(E, 0.0, 1.0)
    assert np.array_equal(f, [1.0, 1.0, 0.0, 0.0])
    assert np.all(w >= 0) and np.all(w < 1e-100)


def test_zero_temperature_is_a_step():
    E = np.array([-1.0, 0.0, 1.0])
    assert np.array_equal(fermi_dirac(E, 0.0, 0.0), [1.0, 0.5, 0.0])
    # T broadcasts and may mix 0 and finite temperatures
    f = fermi_dirac(0.01, 0.0, np.array([0.0, 300.0]))
    assert f[0] == 0.0 and 0 < f[1] < 0.5


def test_fermi_window_is_minus_df_de_and_normalised():
    T, mu = 300.0, 0.1
    kT = K_B * T
    E = np.linspace(mu - 40 * kT, mu + 40 * kT, 20001)
    w = fermi_window(E, mu, T)
    assert np.trapezoid(w, E) == pytest.approx(1.0, rel=1e-6)
    assert w.max() == pytest.approx(1 / (4 * kT), rel=1e-6)
    h = 1e-6
    numeric = -(fermi_dirac(E + h, mu, T) - fermi_dirac(E - h, mu, T)) / (2 * h)
    assert np.allclose(w, numeric, rtol=1e-5, atol=1e-8)
    f = fermi_dirac(E, mu, T)
    assert np.allclose(w, f * (1 - f) / kT)


def test_broadcasting():
    E = np.linspace(-0.1, 0.1, 7)[:, None]
    mu = np.array([0.0, 0.05])
    assert fermi_dirac(E, mu, 100.0).shape == (7, 2)
    assert fermi_window(E, mu, 100.0).shape == (7, 2)


def test_bad_temperatures():
    with pytest.raises(ParameterError):
        fermi_dirac(0.0, 0.0, -1.0)
    with pytest.raises(ParameterError):
        fermi_window(0.0, 0.0, 0.0)
    with pytest.raises(ParameterError):
        fermi_dirac(0.0, 0.0, np.nan)
