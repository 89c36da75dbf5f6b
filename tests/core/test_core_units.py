import numpy as np
import pytest

from altermag.core import units as u


def test_constants_have_their_codata_values_in_package_units():
    assert u.K_B * 300 == pytest.approx(0.025852, rel=1e-4)  # k_B T at room temperature, eV
    assert u.E2_H == pytest.approx(3.8740458e-5, rel=1e-7)
    assert 1 / u.E2_H == pytest.approx(25812.807, rel=1e-7)  # von Klitzing constant, Ω
    assert u.G0 == pytest.approx(2 * u.E2_H)
    assert u.MU_B == pytest.approx(5.7883818e-5, rel=1e-7)
    assert u.HBAR2_2ME == pytest.approx(3.80998, rel=1e-5)
    assert u.ANGSTROM == 1e-10


def test_constants_are_mutually_consistent():
    assert u.HBAR == pytest.approx(u.H_PLANCK / (2 * np.pi), rel=1e-12)
    assert u.HBAR == pytest.approx(u.HBAR_SI / u.EV, rel=1e-12)
    assert u.MU_B == pytest.approx(u.MU_B_SI / u.EV, rel=1e-9)
    assert u.K_B == pytest.approx(u.K_B_SI / u.E_CHARGE, rel=1e-12)
    assert u.E2_H == pytest.approx(u.E_CHARGE**2 / u.H_PLANCK_SI, rel=1e-12)
    # ħ²/2m in eV Å² from the SI constants
    assert u.HBAR2_2ME == pytest.approx(u.HBAR_SI**2 / (2 * u.M_E) / u.EV / u.ANGSTROM**2, rel=1e-12)


def test_conversions_round_trip_and_vectorise():
    g = np.array([0.0, 1.0, 2.5])
    assert np.allclose(u.siemens_to_e2h(u.e2h_to_siemens(g)), g)
    assert u.e2h_to_siemens(1.0) == pytest.approx(u.E2_H)
    T = np.array([0.0, 4.2, 300.0])
    assert np.allclose(u.ev_to_kelvin(u.kelvin_to_ev(T)), T)
    assert u.ev_to_kelvin(1.0) == pytest.approx(11604.518, rel=1e-6)
