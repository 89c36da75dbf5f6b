"""Pauli matrices and the 4-band sublattice ⊗ spin basis.

Index convention: 0 is the identity, 1, 2, 3 are x, y, z (strings ``"0"``, ``"x"``, ``"y"``,
``"z"`` are accepted wherever an index is).

Minimal two-sublattice models of altermagnets are written in the basis

    ``(A↑, A↓, B↑, B↓)``,  i.e. ``index = 2·sublattice + spin``,

so the *sublattice* Pauli matrix τ acts on the **outer** factor and the *spin* Pauli matrix σ
on the **inner** one: ``τ_i σ_j = kron(σ_i, σ_j)`` (:func:`tau_sigma`). Any 4×4 Hermitian matrix
is ``H = Σ_ij c_ij τ_i σ_j`` with 16 real coefficients ``c_ij = Tr(τ_i σ_j H) / 4``
(:func:`pauli_decompose`, :func:`pauli_compose`).

All module-level arrays are read-only, so no caller can corrupt them for everybody else.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from altermag.core.errors import ParameterError

__all__ = [
    "sigma0",
    "sigmax",
    "sigmay",
    "sigmaz",
    "SIGMA",
    "TAU_SIGMA",
    "tau_sigma",
    "pauli_decompose",
    "pauli_compose",
]


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


sigma0 = _readonly(np.array([[1, 0], [0, 1]], dtype=complex))
sigmax = _readonly(np.array([[0, 1], [1, 0]], dtype=complex))
sigmay = _readonly(np.array([[0, -1j], [1j, 0]], dtype=complex))
sigmaz = _readonly(np.array([[1, 0], [0, -1]], dtype=complex))

SIGMA = _readonly(np.stack([sigma0, sigmax, sigmay, sigmaz]))
"""The four Pauli matrices ``(σ0, σx, σy, σz)``, shape (4, 2, 2)."""

TAU_SIGMA = _readonly(np.einsum("iab,jcd->ijacbd", SIGMA, SIGMA).reshape(4, 4, 4, 4))
"""``TAU_SIGMA[i, j] = kron(σ_i, σ_j) = τ_i σ_j``, shape (4, 4, 4, 4)."""

_INDEX = {"0": 0, "x": 1, "y": 2, "z": 3}


def _index(i: int | str) -> int:
    if isinstance(i, str) and i.lower() in _INDEX:
        return _INDEX[i.lower()]
    if isinstance(i, (int, np.integer)) and not isinstance(i, bool) and 0 <= i <= 3:
        return int(i)
    raise ParameterError(f"Pauli index must be 0..3 or one of '0', 'x', 'y', 'z', got {i!r}")


def tau_sigma(i: int | str, j: int | str) -> np.ndarray:
    """The 4×4 matrix ``τ_i σ_j = kron(σ_i, σ_j)``: τ acts on sublattice (outer), σ on spin (inner).

    Returns a writable copy, e.g. ``tau_sigma(3, 3)`` is ``diag(1, -1, -1, 1)``.
    """
    return TAU_SIGMA[_index(i), _index(j)].copy()


def pauli_decompose(H: ArrayLike, *, check_hermitian: bool = True, atol: float = 1e-10) -> np.ndarray:
    """Real Pauli coefficients of a batch of Hermitian matrices.

    Parameters
    ----------
    H
        Array of shape ``(..., 4, 4)`` (sublattice ⊗ spin basis) or ``(..., 2, 2)``.
    check_hermitian
        Raise :class:`ParameterError` when a matrix is not Hermitian within ``atol``; the
        coefficients of a non-Hermitian matrix would not be real and dropping their imaginary
        part silently would hide a bug in the model.

    Returns
    -------
    numpy.ndarray
        For 4×4 input, shape ``(..., 4, 4)`` with ``c[..., i, j]`` the coefficient of
        ``τ_i σ_j`` (16 real numbers per matrix); for 2×2 input, shape ``(..., 4)`` with
        ``c[..., i]`` the coefficient of ``σ_i``. ``pauli_compose(c, n)`` gives ``H`` back.
    """
    H = np.asarray(H)
    if H.ndim < 2 or H.shape[-1] != H.shape[-2] or H.shape[-1] not in (2, 4):
        raise ParameterError(f"expected matrices of shape (..., 4, 4) or (..., 2, 2), got {H.shape}")
    if check_hermitian and not np.allclose(H, np.conj(np.swapaxes(H, -1, -2)), rtol=0.0, atol=atol):
        raise ParameterError("pauli_decompose needs Hermitian matrices")
    n = H.shape[-1]
    basis = SIGMA if n == 2 else TAU_SIGMA.reshape(16, 4, 4)
    # Tr(P H) = Σ_ab P_ab H_ba, and every Pauli product P has Tr(P P) = n.
    c = np.einsum("pab,...ba->...p", basis, H).real / n
    return c if n == 2 else c.reshape(H.shape[:-2] + (4, 4))


def pauli_compose(c: ArrayLike, n: int = 4) -> np.ndarray:
    """Inverse of :func:`pauli_decompose`.

    ``n=4``: ``c`` has shape ``(..., 4, 4)`` and the result ``Σ_ij c_ij τ_i σ_j`` shape
    ``(..., 4, 4)``. ``n=2``: ``c`` has shape ``(..., 4)`` and the result ``Σ_i c_i σ_i`` shape
    ``(..., 2, 2)``. (The size is explicit because a batch of four 2×2 coefficient vectors has
    the same shape as one set of 16 coefficients.)
    """
    c = np.asarray(c)
    if n == 4 and c.ndim >= 2 and c.shape[-2:] == (4, 4):
        return np.einsum("...ij,ijab->...ab", c, TAU_SIGMA)
    if n == 2 and c.ndim >= 1 and c.shape[-1] == 4:
        return np.einsum("...i,iab->...ab", c, SIGMA)
    raise ParameterError(f"pauli_compose(n={n}) got coefficients of shape {c.shape}")
