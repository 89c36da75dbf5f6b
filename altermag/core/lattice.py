"""A light, immutable crystal lattice.

Conventions: the rows of :attr:`Lattice.matrix` are the lattice vectors ``a, b, c`` in Å, so a
point with fractional coordinates ``x`` (a row vector, or a stack of them) is at
``r = x @ matrix``. Reciprocal vectors ``b_i`` obey ``a_i·b_j = 2π δ_ij`` (Å⁻¹). Rotations
``R`` of crystallographic operations (as returned by spglib) act on fractional *column* vectors,
``x' = R x``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike

from altermag.core.errors import ParameterError

__all__ = ["Lattice"]


@dataclass(frozen=True, eq=False)
class Lattice:
    """Three lattice vectors (rows of ``matrix``, Å). Immutable: ``matrix`` is read-only.

    ``Lattice(np.diag([4.59, 4.59, 2.96]))`` or ``Lattice.from_parameters(...)``.
    """

    matrix: np.ndarray

    def __post_init__(self) -> None:
        m = np.array(self.matrix, dtype=float)
        if m.shape != (3, 3) or not np.all(np.isfinite(m)):
            raise ParameterError(f"lattice matrix must be a finite 3x3 array, got shape {m.shape}")
        scale = np.prod(np.linalg.norm(m, axis=1))
        if scale == 0 or abs(np.linalg.det(m)) < 1e-10 * scale:
            raise ParameterError("lattice vectors are linearly dependent (zero cell volume)")
        m.setflags(write=False)
        object.__setattr__(self, "matrix", m)

    @classmethod
    def from_parameters(
        cls, a: float, b: float, c: float, alpha: float, beta: float, gamma: float
    ) -> Lattice:
        """Lattice from lengths (Å) and angles (degrees).

        Orientation: ``a`` along x, ``b`` in the xy plane (positive y), ``c`` with positive z.
        """
        if min(a, b, c) <= 0:
            raise ParameterError(f"lattice lengths must be positive, got {(a, b, c)}")
        al, be, ga = np.radians([alpha, beta, gamma])
        if not all(0 < x < np.pi for x in (al, be, ga)):
            raise ParameterError(f"lattice angles must lie in (0, 180) degrees, got {(alpha, beta, gamma)}")
        cx = np.cos(be)
        cy = (np.cos(al) - np.cos(be) * np.cos(ga)) / np.sin(ga)
        cz2 = 1.0 - cx**2 - cy**2
        if cz2 <= 0:
            raise ParameterError(f"angles {(alpha, beta, gamma)} do not form a cell")
        matrix = [
            [a, 0.0, 0.0],
            [b * np.cos(ga), b * np.sin(ga), 0.0],
            [c * cx, c * cy, c * np.sqrt(cz2)],
        ]
        return cls(np.array(matrix))

    def __repr__(self) -> str:
        a, b, c, al, be, ga = self.parameters
        return f"Lattice(a={a:.6g}, b={b:.6g}, c={c:.6g}, alpha={al:.6g}, beta={be:.6g}, gamma={ga:.6g})"

    def allclose(self, other: Lattice | ArrayLike, atol: float = 1e-8) -> bool:
        """Whether both lattices have the same vectors (same orientation, same order) within ``atol`` Å."""
        other_m = other.matrix if isinstance(other, Lattice) else np.asarray(other, dtype=float)
        return bool(np.allclose(self.matrix, other_m, rtol=0.0, atol=atol))

    @cached_property
    def _inv(self) -> np.ndarray:
        return np.linalg.inv(self.matrix)

    @cached_property
    def reciprocal(self) -> Lattice:
        """Reciprocal lattice (rows ``b_i`` in Å⁻¹, 2π included: ``a_i·b_j = 2π δ_ij``)."""
        return Lattice(2 * np.pi * self._inv.T)

    @property
    def volume(self) -> float:
        """Cell volume in Å³ (positive, whatever the handedness of the vectors)."""
        return float(abs(np.linalg.det(self.matrix)))

    @property
    def lengths(self) -> np.ndarray:
        """``(|a|, |b|, |c|)`` in Å."""
        return np.linalg.norm(self.matrix, axis=1)

    @property
    def angles(self) -> np.ndarray:
        """``(alpha, beta, gamma)`` in degrees: angles b∧c, a∧c, a∧b."""
        m = self.matrix / self.lengths[:, None]
        cosines = [m[1] @ m[2], m[0] @ m[2], m[0] @ m[1]]
        return np.degrees(np.arccos(np.clip(cosines, -1.0, 1.0)))

    @property
    def parameters(self) -> tuple[float, float, float, float, float, float]:
        """``(a, b, c, alpha, beta, gamma)``: lengths in Å, angles in degrees."""
        return tuple(float(x) for x in (*self.lengths, *self.angles))  # type: ignore[return-value]

    def frac_to_cart(self, frac: ArrayLike) -> np.ndarray:
        """Cartesian positions (Å) of fractional coordinates, shape ``(..., 3)``."""
        return np.asarray(frac, dtype=float) @ self.matrix

    def cart_to_frac(self, cart: ArrayLike) -> np.ndarray:
        """Fractional coordinates of Cartesian positions (Å), shape ``(..., 3)``."""
        return np.asarray(cart, dtype=float) @ self._inv

    def cartesian_rotation(self, R_frac: ArrayLike) -> np.ndarray:
        """Cartesian matrices of rotations given on fractional coordinates.

        ``R_frac`` has shape ``(..., 3, 3)`` and acts on fractional column vectors
        (``x' = R x``, spglib's convention). The result acts on Cartesian column vectors,
        ``r' = R_cart r``, with ``R_cart = Aᵀ R A⁻ᵀ`` (``A`` = :attr:`matrix`). For a symmetry
        operation of the lattice it is orthogonal; the same matrix rotates Cartesian k-vectors
        and axial vectors (times ``det R``).
        """
        R = np.asarray(R_frac, dtype=float)
        if R.shape[-2:] != (3, 3):
            raise ParameterError(f"rotations must have shape (..., 3, 3), got {R.shape}")
        return self.matrix.T @ R @ self._inv.T

    def reciprocal_rotation(self, R_frac: ArrayLike) -> np.ndarray:
        """Action on fractional reciprocal coordinates of rotations given on fractional coordinates.

        A real-space rotation ``x' = R x`` maps a wave vector with fractional reciprocal coordinates
        ``κ`` (column) to ``κ' = R⁻ᵀ κ`` (so that ``k·r`` is invariant); ``R⁻ᵀ`` is returned,
        shape ``(..., 3, 3)``. It is integer (and returned as int) for integer ``R`` with
        ``det R = ±1``. Equivalently, ``reciprocal.cart_to_frac`` of :meth:`cartesian_rotation`.
        """
        R = np.asarray(R_frac)
        if R.shape[-2:] != (3, 3):
            raise ParameterError(f"rotations must have shape (..., 3, 3), got {R.shape}")
        Rt = np.swapaxes(np.linalg.inv(R.astype(float)), -1, -2)
        if np.issubdtype(R.dtype, np.integer):
            rounded = np.rint(Rt)
            if np.allclose(Rt, rounded, atol=1e-9):
                return rounded.astype(R.dtype)
        return Rt

    def to_pymatgen(self):
        """This lattice as a :class:`pymatgen.core.Lattice` (pymatgen is imported only here)."""
        from pymatgen.core import Lattice as PmgLattice

        return PmgLattice(np.array(self.matrix))
