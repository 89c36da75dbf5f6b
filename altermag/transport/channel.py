"""The d-wave altermagnet channel: parameters, validation, Fermi-surface quantities and limits.

Model (spec ``transport.md`` §2, paper arXiv:2606.19785 Eq. (1))::

    H = k²/(2m) + α (k_x² − k_y²) σ_z,      transport along x (a principal axis)

Units are the paper's (INFERRED from its Table 1): ħ = e = 1; energies, lengths and times in any
consistent system with ħ = 1 (the paper's Table 1 uses m = 1, E_F = 1, L = √2). Spin s = ±1.

* 1/m_{s,x} = 1/m + 2sα, 1/m_{s,y} = 1/m − 2sα; the Fermi contour is a closed ellipse only for
  |2mα| < 1.
* Elliptic angle θ: k_x = a_s k cos θ, k_y = b_s k sin θ with a_s = (1+2smα)^−½, b_s = (1−2smα)^−½;
  a_s b_s = (1−4m²α²)^−½ is spin independent (density-of-states enhancement).
* k_F = √(2 m E_F), v_F = √(2 E_F / m); v_{x,s}(θ) = V_s cos θ with V_s = v_F √(1+2smα);
  relaxation length λ_s = τ V_s.
* Conductance "paper unit": G = m a b Σ_s ∫dθ v_{x,s} g_s / Δμ (no (2π)⁻² factor); physical
  conductance per width G/W = (e²/h) G / (2π).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from altermag.core.errors import ParameterError

__all__ = ["ChannelParameters", "validate_channel", "SPINS"]

SPINS = (+1, -1)
"""Spin labels s = +1 (↑) and −1 (↓), in this order in every spin-resolved array."""


def _check_finite(name: str, value) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name} = {value!r} is not finite; allowed: a finite real number")
    return arr


def validate_channel(alpha, tau, length, fermi_energy=1.0, mass=1.0) -> None:
    """Raise :class:`~altermag.core.errors.ParameterError` naming the first bad parameter.

    Accepts scalars or arrays (every element is checked). Allowed ranges:
    |2·mass·alpha| < 1 (closed Fermi contour), tau > 0, length > 0, fermi_energy > 0, mass > 0.
    """
    a = _check_finite("alpha", alpha)
    t = _check_finite("tau", tau)
    L = _check_finite("length", length)
    e = _check_finite("fermi_energy", fermi_energy)
    m = _check_finite("mass", mass)
    if np.any(m <= 0):
        raise ParameterError(f"mass = {_show(m[m <= 0])} must be > 0")
    if np.any(t <= 0):
        raise ParameterError(f"tau = {_show(t[t <= 0])} must be > 0 (momentum relaxation time)")
    if np.any(L <= 0):
        raise ParameterError(f"length = {_show(L[L <= 0])} must be > 0 (channel length)")
    if np.any(e <= 0):
        raise ParameterError(f"fermi_energy = {_show(e[e <= 0])} must be > 0 (measured from the band bottom)")
    x = np.abs(2 * np.broadcast_to(m, np.broadcast_shapes(m.shape, a.shape)) * a)
    if np.any(x >= 1):
        bad = np.broadcast_to(a, x.shape)[x >= 1]
        raise ParameterError(
            f"alpha = {_show(bad)} gives |2·mass·alpha| = {_show(x[x >= 1])} >= 1: the Fermi contour of one "
            f"spin is open; allowed: |alpha| < 1/(2·mass)")


def _show(arr: np.ndarray):
    arr = np.ravel(arr)
    return float(arr[0]) if arr.size == 1 else arr[:4].tolist()


@dataclass(frozen=True)
class ChannelParameters:
    """Parameters of the two-terminal d-wave altermagnet channel, validated on construction.

    Attributes (paper units, ħ = e = 1):
        alpha: spin-splitting coefficient α of α(k_x² − k_y²)σ_z; |2·mass·alpha| < 1.
        tau: momentum relaxation time τ > 0.
        length: channel length L > 0 (the paper's Table 1: L = √2).
        fermi_energy: E_F > 0 measured from the band bottom.
        mass: band mass m > 0.
    """

    alpha: float
    tau: float
    length: float
    fermi_energy: float = 1.0
    mass: float = 1.0

    def __post_init__(self):
        validate_channel(self.alpha, self.tau, self.length, self.fermi_energy, self.mass)
        for name in ("alpha", "tau", "length", "fermi_energy", "mass"):
            object.__setattr__(self, name, float(getattr(self, name)))

    # ---- Fermi surface -------------------------------------------------------------------------
    @property
    def k_fermi(self) -> float:
        """k_F = √(2 m E_F) (in the elliptic variables; the same for both spins)."""
        return math.sqrt(2 * self.mass * self.fermi_energy)

    @property
    def v_fermi(self) -> float:
        """v_F = √(2 E_F / m)."""
        return math.sqrt(2 * self.fermi_energy / self.mass)

    @property
    def anisotropy(self) -> float:
        """Dimensionless 2mα (|2mα| < 1)."""
        return 2 * self.mass * self.alpha

    @property
    def a(self) -> np.ndarray:
        """a_s = (1+2smα)^−½ for s = (+1, −1)."""
        return np.array([(1 + s * self.anisotropy) ** -0.5 for s in SPINS])

    @property
    def b(self) -> np.ndarray:
        """b_s = (1−2smα)^−½ for s = (+1, −1)."""
        return np.array([(1 - s * self.anisotropy) ** -0.5 for s in SPINS])

    @property
    def ab(self) -> float:
        """a_s b_s = (1−4m²α²)^−½ (spin independent)."""
        return (1 - self.anisotropy ** 2) ** -0.5

    @property
    def velocity(self) -> np.ndarray:
        """V_s = v_F √(1+2smα): v_{x,s}(θ) = V_s cos θ, for s = (+1, −1)."""
        return np.array([self.v_fermi * math.sqrt(1 + s * self.anisotropy) for s in SPINS])

    @property
    def relaxation_length(self) -> np.ndarray:
        """λ_s = τ V_s (longitudinal mean free path at θ = 0), for s = (+1, −1)."""
        return self.tau * self.velocity

    @property
    def density(self) -> float:
        """Carrier density n = a b m E_F / π (both spins; per unit area, ħ = 1)."""
        return self.ab * self.mass * self.fermi_energy / math.pi

    # ---- limits (spec §4) ------------------------------------------------------------------------
    @property
    def sharvin(self) -> float:
        """Ballistic limit τ → ∞: G_Sh = 2 k_F Σ_s b_s = 2k_F[(1−2mα)^−½ + (1+2mα)^−½] (paper unit)."""
        return 2 * self.k_fermi * float(np.sum(self.b))

    @property
    def drude(self) -> float:
        """Diffusive limit τ → 0: G_D = 2π m a b v_F² τ / L (paper unit)."""
        return 2 * math.pi * self.mass * self.ab * self.v_fermi ** 2 * self.tau / self.length

    @property
    def knudsen(self) -> float:
        """v_F τ / L: the single dimensionless transport parameter besides mα (G = k_F Φ(v_F τ/L; mα))."""
        return self.v_fermi * self.tau / self.length

    def regime(self) -> str:
        """'diffusive' (v_Fτ/L < 0.3), 'crossover', or 'ballistic' (v_Fτ/L > 3)."""
        kn = self.knudsen
        return "diffusive" if kn < 0.3 else "ballistic" if kn > 3 else "crossover"

    def as_dict(self) -> dict:
        return {"alpha": self.alpha, "tau": self.tau, "length": self.length,
                "fermi_energy": self.fermi_energy, "mass": self.mass}
