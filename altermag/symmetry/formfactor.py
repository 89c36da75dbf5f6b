"""Lowest-order spin-splitting form factor f(k) of a collinear magnet, derived by projection.

The nonrelativistic spin splitting ΔE(k) = E↑(k) − E↓(k) of a collinear magnet with non-flip point
operations H and flip point operations G∖H satisfies ΔE(Rk) = χ(R) ΔE(k) with χ = +1 on H, −1 on G∖H,
and ΔE(−k) = ΔE(k) (the spin-only group contains time reversal combined with a spin rotation). The
lowest-degree polynomial with this property is found by applying the projector

    P f(k) = (1/|G|) Σ_g χ(g) f(R_g⁻¹ k)

to all monomials of degree n = 2, 4, 6; the first degree with a non-zero image gives the class
(d, g, i-wave: 2, 4, 6 nodal planes through Γ). No lookup table: this works for every space group.

k is Cartesian (kx, ky, kz) in the frame in which the rotations are given.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from itertools import combinations_with_replacement

import numpy as np

WAVE_BY_DEGREE = {2: "d", 4: "g", 6: "i"}


@dataclass(frozen=True)
class FormFactor:
    """Result of the projection: degree, wave class and a basis of invariant polynomials.

    ``basis`` is a list of coefficient vectors over ``monomials`` (exponent triples); ``expressions``
    are readable strings (sympy, factorised) of each basis polynomial.
    """

    degree: int
    wave: str
    monomials: tuple[tuple[int, int, int], ...]
    basis: np.ndarray
    expressions: tuple[str, ...]

    @property
    def expression(self) -> str:
        """One string: the polynomial, or c1*(…) + c2*(…) when the invariant space has dimension > 1."""
        if len(self.expressions) == 1:
            return self.expressions[0]
        return " + ".join(f"c{i + 1}*({e})" for i, e in enumerate(self.expressions))

    def __call__(self, k: np.ndarray, coefficients=None) -> np.ndarray:
        """Evaluate Σ c_i f_i(k) on Cartesian k of shape (..., 3) (default: all c_i = 1)."""
        k = np.asarray(k, float)
        c = np.ones(len(self.basis)) if coefficients is None else np.asarray(coefficients, float)
        mono = _monomial_values(k, self.monomials)
        return mono @ (c @ self.basis)


def _monomials(degree: int) -> tuple[tuple[int, int, int], ...]:
    out = []
    for combo in combinations_with_replacement(range(3), degree):
        out.append(tuple(combo.count(i) for i in range(3)))
    return tuple(sorted(set(out), reverse=True))


def _monomial_values(k: np.ndarray, monomials) -> np.ndarray:
    e = np.asarray(monomials)  # (m, 3)
    return np.prod(k[..., None, :] ** e, axis=-1)


def project(rotations: np.ndarray, characters: np.ndarray, degree: int) -> np.ndarray:
    """Projected monomials of ``degree``: rows are coefficient vectors (over :func:`_monomials`) of P m_j.

    ``rotations`` (n, 3, 3) Cartesian, ``characters`` (n,) ±1.
    """
    monos = _monomials(degree)
    rng = np.random.default_rng(12345)
    pts = rng.normal(size=(3 * len(monos) + 8, 3))
    V = _monomial_values(pts, monos)  # (K, m)
    inv = np.linalg.inv(rotations)  # R⁻¹
    moved = np.einsum("nij,kj->nki", inv, pts)  # R⁻¹ k for each op
    W = _monomial_values(moved, monos)  # (n, K, m)
    Wsum = np.einsum("n,nkm->km", characters.astype(float), W) / len(rotations)
    coef, *_ = np.linalg.lstsq(V, Wsum, rcond=None)  # columns: coefficients of P m_j
    return coef.T


def _rref(M: np.ndarray, tol: float = 1e-8) -> np.ndarray:
    A = M.copy()
    rows, cols = A.shape
    r = 0
    for c in range(cols):
        if r == rows:
            break
        piv = r + np.argmax(np.abs(A[r:, c]))
        if abs(A[piv, c]) < tol:
            continue
        A[[r, piv]] = A[[piv, r]]
        A[r] /= A[r, c]
        for i in range(rows):
            if i != r:
                A[i] -= A[i, c] * A[r]
        r += 1
    A = A[:r]
    A[np.abs(A) < tol] = 0.0
    return A


def _to_string(coeffs: np.ndarray, monos) -> str:
    return _poly_string(tuple(np.round(coeffs, 9).tolist()), tuple(monos))


@functools.lru_cache(maxsize=4096)
def _poly_string(coeffs: tuple, monos: tuple) -> str:
    """Readable polynomial with the smallest integer (or √3-multiple) coefficients, factorised."""
    import sympy as sp

    kx, ky, kz = sp.symbols("kx ky kz")
    expr = 0
    for c, (a, b, d) in zip(coeffs, monos):
        if abs(c) > 1e-9:
            expr += sp.nsimplify(round(float(c), 10), [sp.sqrt(3)], tolerance=1e-8) * kx**a * ky**b * kz**d
    expr = sp.factor(expr)
    content, prim = sp.factor_terms(expr).as_coeff_Mul()
    if content.is_Rational:  # drop an overall rational factor such as 1/3; keep the sign convention
        expr = sp.sign(content) * prim
    return str(expr).replace("**", "^")


@functools.lru_cache(maxsize=4096)
def _cached_form_factor(key: bytes, n: int, chars: bytes, max_degree: int):
    rots = np.frombuffer(key).reshape(n, 3, 3)
    ch = np.frombuffer(chars, dtype=np.int64)
    for degree in range(2, max_degree + 1, 2):
        P = project(rots, ch, degree)
        basis = _rref(P)
        if len(basis):
            monos = _monomials(degree)
            exprs = tuple(_to_string(b, monos) for b in basis)
            return FormFactor(degree, WAVE_BY_DEGREE.get(degree, f"degree-{degree}"), monos, basis, exprs)
    return None


def form_factor(rotations: np.ndarray, characters: np.ndarray, max_degree: int = 6) -> FormFactor | None:
    """Lowest-degree even polynomial odd under the χ = −1 operations and invariant under the rest.

    ``rotations``: Cartesian point operations (n, 3, 3) of the spin group's space part (duplicates
    allowed), ``characters``: +1 non-flip, −1 flip. Returns ``None`` when no polynomial up to
    ``max_degree`` exists (no flip operation: s-wave; or a conventional AFM, where χ is not a character).
    """
    R = np.round(np.asarray(rotations, float), 10)
    ch = np.asarray(characters, dtype=np.int64)
    # unique (rotation, character) pairs; a rotation in both classes means χ is ill-defined (no splitting)
    uniq: dict[bytes, int] = {}
    for r, c in zip(R, ch):
        key = r.tobytes()
        if uniq.setdefault(key, int(c)) != int(c):
            return None
    keys = sorted(uniq)
    Rs = np.array([np.frombuffer(k).reshape(3, 3) for k in keys])
    cs = np.array([uniq[k] for k in keys], dtype=np.int64)
    # ΔE is even in k: adding −R with the same character leaves the projection unchanged on even degrees
    return _cached_form_factor(Rs.tobytes(), len(Rs), cs.tobytes(), max_degree)
