"""Fermi-Dirac occupation and the Fermi window −∂f/∂E.

Units: energies ``E`` and chemical potential ``mu`` in eV, temperature ``T`` in **kelvin**.
All arguments broadcast against each other (NumPy rules). Both functions are evaluated in a
form that neither overflows nor loses precision far from ``mu`` (no ``exp`` of large numbers).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit

from altermag.core.errors import ParameterError
from altermag.core.units import K_B

__all__ = ["fermi_dirac", "fermi_window"]


def _thermal_energy(T: ArrayLike) -> np.ndarray:
    T = np.asarray(T, dtype=float)
    if np.any(~np.isfinite(T)) or np.any(T < 0):
        raise ParameterError("temperature must be finite and >= 0 K")
    return K_B * T


def fermi_dirac(E: ArrayLike, mu: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Occupation ``f = 1 / (exp((E - mu) / k_B T) + 1)``.

    ``E``, ``mu`` in eV; ``T`` in K, ``T >= 0``. At ``T = 0`` ``f`` is the step function
    ``1`` below ``mu``, ``0`` above and ``1/2`` at ``E == mu``; ``T`` may be an array mixing zero
    and finite temperatures.
    """
    kT = _thermal_energy(T)
    dE = np.asarray(E, dtype=float) - np.asarray(mu, dtype=float)
    safe_kT = np.where(kT > 0, kT, 1.0)
    return np.where(kT > 0, expit(-dE / safe_kT), 0.5 * (1.0 - np.sign(dE)))


def fermi_window(E: ArrayLike, mu: ArrayLike, T: ArrayLike) -> np.ndarray:
    """Fermi window ``-∂f/∂E = f (1 - f) / k_B T`` in eV⁻¹; it integrates to 1 over ``E``.

    ``E``, ``mu`` in eV; ``T`` in K and strictly positive: at ``T = 0`` the window is a Dirac
    delta at ``mu``, which no array of samples represents, so a :class:`ParameterError` is raised
    (evaluate Fermi-surface quantities directly in that limit).
    """
    kT = _thermal_energy(T)
    if np.any(kT == 0):
        raise ParameterError("fermi_window needs T > 0 (at T = 0 it is a Dirac delta)")
    x = np.abs(np.asarray(E, dtype=float) - np.asarray(mu, dtype=float)) / kT
    # Written with exp(-|x|) <= 1 so that nothing overflows far from mu.
    ex = np.exp(-x)
    return ex / (kT * (1.0 + ex) ** 2)
