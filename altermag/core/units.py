"""Physical constants and the unit conventions of altermag.

Conventions used by every sub-package (docstrings only mention deviations):

* energies in **eV**; temperatures given as ``T`` are in **kelvin** (convert with
  :func:`kelvin_to_ev`);
* lengths in **Å**; real-space lattice vectors are the *rows* of a 3×3 matrix;
* wave vectors either *Cartesian* in **Å⁻¹**, including the 2π (``k·a_i = 2π k_frac_i``), or
  *fractional* coordinates in the basis of the reciprocal lattice vectors ``b_i``
  (``a_i·b_j = 2π δ_ij``);
* magnetic moments in **μB**, magnetic fields in **T**;
* conductances in **S** or in units of **e²/h** (one spin channel, *not* the ``2e²/h`` of
  :data:`G0`), conductivities in S/m unless stated.

The constants are CODATA values taken from :mod:`scipy.constants`; names ending in ``_SI`` are in
SI units, the others in the eV/Å units above.
"""

from __future__ import annotations

import numpy as np
import scipy.constants as _sc
from numpy.typing import ArrayLike

__all__ = [
    "E_CHARGE",
    "EV",
    "HBAR_SI",
    "HBAR",
    "H_PLANCK_SI",
    "H_PLANCK",
    "K_B_SI",
    "K_B",
    "MU_B_SI",
    "MU_B",
    "M_E",
    "ANGSTROM",
    "E2_H",
    "G0",
    "HBAR2_2ME",
    "kelvin_to_ev",
    "ev_to_kelvin",
    "siemens_to_e2h",
    "e2h_to_siemens",
]

E_CHARGE: float = _sc.e
"""Elementary charge e in C."""
EV: float = _sc.electron_volt
"""One electronvolt in J."""
HBAR_SI: float = _sc.hbar
"""Reduced Planck constant ħ in J·s."""
HBAR: float = _sc.hbar / _sc.e
"""Reduced Planck constant ħ in eV·s."""
H_PLANCK_SI: float = _sc.h
"""Planck constant h in J·s."""
H_PLANCK: float = _sc.h / _sc.e
"""Planck constant h in eV·s."""
K_B_SI: float = _sc.k
"""Boltzmann constant k_B in J/K."""
K_B: float = _sc.k / _sc.e
"""Boltzmann constant k_B in eV/K."""
MU_B_SI: float = _sc.physical_constants["Bohr magneton"][0]
"""Bohr magneton μB in J/T."""
MU_B: float = _sc.physical_constants["Bohr magneton in eV/T"][0]
"""Bohr magneton μB in eV/T."""
M_E: float = _sc.m_e
"""Electron rest mass in kg."""
ANGSTROM: float = _sc.angstrom
"""One ångström in m."""
E2_H: float = _sc.e**2 / _sc.h
"""Conductance e²/h in S (≈ 3.874e-5 S, i.e. 1/25812.8 Ω)."""
G0: float = 2 * E2_H
"""Conductance quantum 2e²/h in S (both spin channels)."""
HBAR2_2ME: float = _sc.hbar**2 / (2 * _sc.m_e) / _sc.e / _sc.angstrom**2
"""ħ²/(2 m_e) in eV·Å² (≈ 3.81): free-electron dispersion E = HBAR2_2ME · |k|² with k in Å⁻¹."""


def kelvin_to_ev(T: ArrayLike) -> np.ndarray | float:
    """Thermal energy k_B·T in eV of a temperature ``T`` in K."""
    return np.multiply(T, K_B)


def ev_to_kelvin(energy: ArrayLike) -> np.ndarray | float:
    """Temperature in K whose thermal energy k_B·T is ``energy`` (eV)."""
    return np.divide(energy, K_B)


def siemens_to_e2h(g: ArrayLike) -> np.ndarray | float:
    """Conductance ``g`` in S expressed in units of e²/h."""
    return np.divide(g, E2_H)


def e2h_to_siemens(g: ArrayLike) -> np.ndarray | float:
    """Conductance ``g`` in units of e²/h expressed in S."""
    return np.multiply(g, E2_H)
