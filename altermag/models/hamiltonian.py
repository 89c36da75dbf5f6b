"""The four-band two-sublattice Hamiltonian (Eq. 1 of the minimal-models paper) as a fast, checked object.

    H(k) = ε₀(k) τ₀σ₀ + t_x(k) τ_xσ₀ + t_z(k) τ_zσ₀ + τ_y (λ(k)·σ) + J τ_z (n̂·σ)

Basis ``(A↑, A↓, B↑, B↓)`` (τ on the outer, sublattice factor; σ on the inner, spin factor), as in
:mod:`altermag.core.pauli`. ε₀ includes −μ. The symbolic content comes from a
:class:`~altermag.models.terms.ModelTerms` (lattice harmonics with named free coefficients); a
:class:`TwoSublatticeModel` binds numbers to those coefficients and *compiles* the harmonics into one
table of unique bond vectors ``V`` (M × 3) and one coefficient matrix ``C`` (6 channels × M), so that
every k-dependent quantity is ``cos(2π k·V) @ Cᵀ``, vectorised over any batch shape of k.

Conventions
-----------
* **k frames.** ``frame="frac"`` (default): fractional coordinates of the reciprocal basis of the
  model's cell (``ModelTerms.lattice``), so Γ = (0,0,0) and the paper's dimensionless k_x ≡ k_x a equals
  ``2π k_frac_x`` in orthogonal cells. ``frame="cart"``: Cartesian k in Å⁻¹ (2π included), in the
  Cartesian frame of the model lattice (x ∥ a, z ∥ c in the standard settings).
  ``k_frac = k_cart · Aᵀ / 2π`` with A the lattice matrix (rows a, b, c).
* **Gauge.** The Bloch basis carries ``exp(i k·r_site)``, so H(k + G) = W H(k) W† with
  W = diag(1, e^{iG·d}) ⊗ σ₀ — *not* H(k). Evaluate H at k + q directly; never wrap k back into the zone
  when eigenvectors are combined at different k (spec §8).
* **Velocity.** :meth:`TwoSublatticeModel.velocity` returns ∂H/∂k_cart (eV·Å), analytic; divide by ħ for
  a velocity. In this gauge it is the full (position-including) velocity operator of the tight-binding model.
* Energies in eV. 2D models (``terms.dimension == 2``) ignore k_z.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from altermag.core.errors import AltermagError, ParameterError
from altermag.core.kspace import to_cartesian, to_fractional
from altermag.core.lattice import Lattice
from altermag.core.pauli import TAU_SIGMA
from altermag.models.terms import CHANNELS, Harmonic, ModelTerms

__all__ = ["TwoSublatticeModel", "SymmetryError", "spin_rotation", "space_group_operations",
           "illustrative_params", "harmonic_from_trig", "CHANNEL_MATRICES", "NEEL_MATRICES"]

#: τσ matrix of each channel of :data:`~altermag.models.terms.CHANNELS`: ε₀ τ0σ0, t_x τxσ0, t_z τzσ0, λ τyσ
CHANNEL_MATRICES = np.stack([TAU_SIGMA[0, 0], TAU_SIGMA[1, 0], TAU_SIGMA[3, 0],
                             TAU_SIGMA[2, 1], TAU_SIGMA[2, 2], TAU_SIGMA[2, 3]])
CHANNEL_MATRICES.setflags(write=False)
#: τ_z σ_i (i = x, y, z), the Néel-term matrices
NEEL_MATRICES = np.stack([TAU_SIGMA[3, 1], TAU_SIGMA[3, 2], TAU_SIGMA[3, 3]])
NEEL_MATRICES.setflags(write=False)

_CHUNK = 1 << 16  # k-points per chunk in large evaluations (bounded memory: chunk × bond vectors)


class SymmetryError(AltermagError):
    """A model that violates a symmetry it should have (raised by the checks with ``strict=True``)."""


# ------------------------------------------------------------------------------------------ helpers


def spin_rotation(R: np.ndarray) -> np.ndarray:
    """SU(2) matrix D of a proper Cartesian rotation R (3×3), with D σ_i D† = Σ_j R_ji σ_j.

    Improper R are reduced to their proper part det(R)·R first (spin is an axial vector). Built from the
    rotation quaternion, so it works for every angle including π.
    """
    R = np.asarray(R, float)
    R = R * np.sign(np.linalg.det(R))
    # quaternion (w, x, y, z) from a rotation matrix (Shepperd's method, robust for all angles)
    tr = np.trace(R)
    cand = np.array([tr, R[0, 0], R[1, 1], R[2, 2]])
    i = int(np.argmax(cand))
    if i == 0:
        w = math.sqrt(max(1 + tr, 0.0)) / 2
        x, y, z = (R[2, 1] - R[1, 2]) / (4 * w), (R[0, 2] - R[2, 0]) / (4 * w), (R[1, 0] - R[0, 1]) / (4 * w)
    elif i == 1:
        x = math.sqrt(max(1 + 2 * R[0, 0] - tr, 0.0)) / 2
        w, y, z = (R[2, 1] - R[1, 2]) / (4 * x), (R[0, 1] + R[1, 0]) / (4 * x), (R[0, 2] + R[2, 0]) / (4 * x)
    elif i == 2:
        y = math.sqrt(max(1 + 2 * R[1, 1] - tr, 0.0)) / 2
        w, x, z = (R[0, 2] - R[2, 0]) / (4 * y), (R[0, 1] + R[1, 0]) / (4 * y), (R[1, 2] + R[2, 1]) / (4 * y)
    else:
        z = math.sqrt(max(1 + 2 * R[2, 2] - tr, 0.0)) / 2
        w, x, y = (R[1, 0] - R[0, 1]) / (4 * z), (R[0, 2] + R[2, 0]) / (4 * z), (R[1, 2] + R[2, 1]) / (4 * z)
    # exp(-iθ n·σ/2) = cos(θ/2) − i sin(θ/2) n·σ ; quaternion (w, v) = (cos θ/2, sin θ/2 n)
    return w * TAU_SIGMA[0, 0][:2, :2] - 1j * (x * _S[1] + y * _S[2] + z * _S[3])


_S = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=complex)


@lru_cache(maxsize=64)
def _pyxtal_ops(space_group: int) -> tuple:
    from pyxtal.symmetry import Group

    return tuple((np.rint(op.rotation_matrix).astype(int), np.asarray(op.translation_vector, float))
                 for op in Group(int(space_group))[0].ops)


def space_group_operations(space_group: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """General-position operations (R, t) of a space group in its standard conventional setting
    (fractional coordinates, centring translations included), from pyxtal."""
    if not 1 <= int(space_group) <= 230:
        raise ParameterError(f"space_group must be 1..230, got {space_group}")
    return [(R.copy(), t.copy()) for R, t in _pyxtal_ops(int(space_group))]


def illustrative_params(terms: ModelTerms, scale: float = 1.0) -> dict[str, float]:
    """Deterministic *illustrative* values for every free coefficient of ``terms`` (eV).

    For looking at a generated model when no material numbers exist. Per channel, in generation order
    (nearest shells first), the r-th distinct coefficient (r = 0, 1, ...) gets: ε₀ −0.3 then −0.1/r, t_x 0.8/(r+1),
    t_z 0.3/(r+1), λ 0 (spin–orbit off). Not physics; say so when used.
    """
    out: dict[str, float] = {}
    rank: dict[str, int] = {}
    for h in terms.harmonics:
        if h.parameter in out:
            continue
        r = rank.get(h.channel, 0)
        rank[h.channel] = r + 1
        value = {"eps0": -0.3 if r == 0 else -0.1 / r, "tx": 0.8 / (r + 1), "tz": 0.3 / (r + 1)}.get(h.channel, 0.0)
        out[h.parameter] = scale * value
    return out


# -------------------------------------------------------------------------------------------- model


class TwoSublatticeModel:
    """Eq. (1) with numbers: compiled, vectorised, checkable.

    Parameters
    ----------
    terms : the symbolic model (:class:`~altermag.models.terms.ModelTerms`)
    params : value (eV) of every free coefficient named in ``terms.parameters``; unknown or missing names
        raise :class:`~altermag.core.errors.ParameterError` naming them
    J : Néel exchange splitting (eV), the coefficient of τ_z n̂·σ
    neel : Néel vector direction n̂ (Cartesian, normalised here)
    mu : chemical potential (eV); ε₀ includes −μ
    name : label used in plots and files
    info : free-form metadata (provenance, provisional flags) kept in :meth:`as_dict`

    Examples
    --------
    >>> from altermag.models import preset
    >>> m = preset("RuO2")
    >>> E = m.eigenvalues([[0.1, 0.2, 0.3]])          # fractional k, shape (1, 4), eV
    >>> v = m.velocity([[0.1, 0.2, 0.3]])             # ∂H/∂k_cart, shape (1, 3, 4, 4), eV·Å
    """

    def __init__(self, terms: ModelTerms, params: dict[str, float], J: float = 0.0, neel=(0.0, 0.0, 1.0),
                 mu: float = 0.0, name: str = "", info: dict | None = None):
        if not isinstance(terms, ModelTerms):
            raise ParameterError(f"terms must be a ModelTerms, got {type(terms).__name__}")
        params = dict(params)
        known = terms.parameters
        unknown = sorted(set(params) - set(known))
        missing = [p for p in known if p not in params]
        if unknown or missing:
            msg = []
            if unknown:
                msg.append(f"unknown parameter(s) {unknown}")
            if missing:
                msg.append(f"missing value(s) for {missing}")
            raise ParameterError(f"{'; '.join(msg)}; the model's parameters are {known}")
        for k, v in list(params.items()):
            try:
                params[k] = float(v)
            except (TypeError, ValueError) as exc:
                raise ParameterError(f"parameter {k!r} must be a real number (eV), got {v!r}") from exc
            if not math.isfinite(params[k]):
                raise ParameterError(f"parameter {k!r} must be finite, got {v!r}")
        n = np.asarray(neel, float).reshape(-1)
        if n.shape != (3,) or not np.all(np.isfinite(n)) or np.linalg.norm(n) == 0:
            raise ParameterError(f"neel must be a non-zero 3-vector, got {neel!r}")
        for label, val in (("J", J), ("mu", mu)):
            if not math.isfinite(float(val)):
                raise ParameterError(f"{label} must be a finite number (eV), got {val!r}")
        self.terms = terms
        self.params = params
        self.J = float(J)
        self.neel = n / np.linalg.norm(n)
        self.mu = float(mu)
        self.name = name or f"SG{terms.space_group}:{terms.wyckoff}"
        self.info = dict(info or {})
        self.lattice = np.asarray(terms.lattice, float)
        self._compile()

    # ---------------------------------------------------------------------------- compile
    def _compile(self) -> None:
        keys: dict[tuple, int] = {}
        vecs: list[np.ndarray] = []
        coef: list[np.ndarray] = []
        for h in self.terms.harmonics:
            ch = CHANNELS.index(h.channel)
            val = self.params[h.parameter]
            for v, w in zip(h.vectors, h.weights):
                v = np.where(np.abs(v) < 1e-12, 0.0, v)
                nz = np.flatnonzero(np.abs(v) > 1e-12)
                if len(nz) and v[nz[0]] < 0:  # cos is even: v and −v are the same harmonic
                    v = -v
                key = tuple(np.round(v, 9))
                if key not in keys:
                    keys[key] = len(vecs)
                    vecs.append(v)
                    coef.append(np.zeros(len(CHANNELS)))
                coef[keys[key]][ch] += val * w
        self._V = np.array(vecs, float).reshape(-1, 3)
        self._C = np.array(coef, float).reshape(-1, len(CHANNELS))  # (M, 6)
        if self.terms.dimension == 2:
            self._V[:, 2] = 0.0
        self._R = self._V @ self.lattice  # Cartesian bond vectors (Å)
        self._Hneel = self.J * np.einsum("i,iab->ab", self.neel, NEEL_MATRICES)

    # --------------------------------------------------------------------------- k frames
    def to_frac(self, k, frame: str = "frac") -> np.ndarray:
        """k (..., 3) (or (..., 2) for 2D models) in ``frame`` → fractional reciprocal coordinates."""
        k = np.asarray(k, float)
        if k.ndim == 0 or k.shape[-1] not in (2, 3):
            raise ParameterError(f"k must have shape (..., 3) (or (..., 2) for 2D models), got {k.shape}")
        if k.shape[-1] == 2:
            k = np.concatenate([k, np.zeros(k.shape[:-1] + (1,))], axis=-1)
        if frame == "frac":
            return k
        if frame == "cart":
            return to_fractional(k, self.lattice)
        raise ParameterError(f"frame must be 'frac' or 'cart', got {frame!r}")

    def to_cart(self, k_frac) -> np.ndarray:
        """Fractional reciprocal coordinates → Cartesian k (Å⁻¹, 2π included)."""
        return to_cartesian(k_frac, self.lattice)

    @property
    def reciprocal(self) -> np.ndarray:
        """Reciprocal lattice vectors (rows, Å⁻¹, 2π included)."""
        return Lattice(self.lattice).reciprocal.matrix

    # ------------------------------------------------------------------------ coefficients
    def _map(self, k, frame, fn, out_shape):
        """Apply ``fn(k_frac_flat) -> (n, *out_shape)`` in chunks over any batch shape."""
        kf = self.to_frac(k, frame)
        batch = kf.shape[:-1]
        flat = kf.reshape(-1, 3)
        n = len(flat)
        if n <= _CHUNK:
            return fn(flat).reshape(batch + out_shape)
        out = None
        for s in range(0, n, _CHUNK):
            r = fn(flat[s:s + _CHUNK])
            if out is None:
                out = np.empty((n,) + r.shape[1:], r.dtype)
            out[s:s + _CHUNK] = r
        return out.reshape(batch + out_shape)

    def _coef_flat(self, kf: np.ndarray) -> np.ndarray:
        c = np.cos(2 * np.pi * kf @ self._V.T) @ self._C
        c[:, 0] -= self.mu
        return c

    def coefficients(self, k, frame: str = "frac") -> np.ndarray:
        """(..., 6) real array of (ε₀ − μ, t_x, t_z, λ_x, λ_y, λ_z) at k (eV)."""
        return self._map(k, frame, self._coef_flat, (len(CHANNELS),))

    def channels(self, k, frame: str = "frac") -> dict[str, np.ndarray]:
        """The coefficients as a dict: ``eps0`` (includes −μ), ``tx``, ``tz``, ``lam`` (..., 3)."""
        c = self.coefficients(k, frame)
        return {"eps0": c[..., 0], "tx": c[..., 1], "tz": c[..., 2], "lam": c[..., 3:6]}

    def coefficient_gradients(self, k, frame: str = "frac") -> np.ndarray:
        """(..., 3, 6): ∂(ε₀, t_x, t_z, λ)/∂k_cart (eV·Å)."""
        def fn(kf):
            s = -np.sin(2 * np.pi * kf @ self._V.T)  # (n, M)
            return np.einsum("nm,ma,mc->nac", s, self._R, self._C)
        return self._map(k, frame, fn, (3, len(CHANNELS)))

    # ------------------------------------------------------------------------- matrices
    def _h_from_coef(self, c: np.ndarray) -> np.ndarray:
        return np.einsum("...c,cab->...ab", c.astype(complex), CHANNEL_MATRICES) + self._Hneel

    def hamiltonian(self, k, frame: str = "frac") -> np.ndarray:
        """H(k), shape (..., 4, 4), complex, eV."""
        return self._map(k, frame, lambda kf: self._h_from_coef(self._coef_flat(kf)), (4, 4))

    def paramagnetic_hamiltonian(self, k, frame: str = "frac") -> np.ndarray:
        """H(k) with J = 0 (the part that has the full space-group and time-reversal symmetry)."""
        return self._map(k, frame, lambda kf: np.einsum("...c,cab->...ab", self._coef_flat(kf).astype(complex),
                                                        CHANNEL_MATRICES), (4, 4))

    def velocity(self, k, frame: str = "frac") -> np.ndarray:
        """Analytic ∂H/∂k_cart, shape (..., 3, 4, 4), eV·Å (Cartesian components x, y, z)."""
        def fn(kf):
            s = -np.sin(2 * np.pi * kf @ self._V.T)
            g = np.einsum("nm,ma,mc->nac", s, self._R, self._C)
            return np.einsum("nac,cij->naij", g.astype(complex), CHANNEL_MATRICES)
        return self._map(k, frame, fn, (3, 4, 4))

    def hessian(self, k, frame: str = "frac") -> np.ndarray:
        """Analytic ∂²H/∂k_a∂k_b (Cartesian), shape (..., 3, 3, 4, 4), eV·Å² (for inverse-mass / Drude terms)."""
        def fn(kf):
            c = -np.cos(2 * np.pi * kf @ self._V.T)
            g = np.einsum("nm,ma,mb,mc->nabc", c, self._R, self._R, self._C)
            return np.einsum("nabc,cij->nabij", g.astype(complex), CHANNEL_MATRICES)
        return self._map(k, frame, fn, (3, 3, 4, 4))

    # ---------------------------------------------------------------------------- spectra
    def _closed_form(self, c: np.ndarray) -> np.ndarray:
        e0, tx, tz = c[..., 0], c[..., 1], c[..., 2]
        lx, ly, lz = c[..., 3], c[..., 4], c[..., 5]
        J = self.J
        n = self.neel
        lam2 = lx * lx + ly * ly + lz * lz
        lpar = lx * n[0] + ly * n[1] + lz * n[2]
        tz2 = tz * tz
        A = tx * tx + tz2 + lam2 + J * J
        # |λ × n̂|² = |λ|² − (λ·n̂)²  (clipped against round-off)
        B = 2 * abs(J) * np.sqrt(np.maximum(tz2 + lam2 - lpar * lpar, 0.0))
        hi = np.sqrt(A + B)
        lo = np.sqrt(np.maximum(A - B, 0.0))
        out = np.empty(c.shape[:-1] + (4,), dtype=c.dtype)
        np.subtract(e0, hi, out=out[..., 0])
        np.subtract(e0, lo, out=out[..., 1])
        np.add(e0, lo, out=out[..., 2])
        np.add(e0, hi, out=out[..., 3])
        return out

    def eigenvalues(self, k, frame: str = "frac", method: str = "closed") -> np.ndarray:
        """Band energies (..., 4), ascending, eV.

        ``method="closed"`` (default) uses Eq. (4),
        E = ε₀ ± sqrt(t_x² + t_z² + |λ|² + J² ± 2|J| sqrt(t_z² + |λ × n̂|²)) — exact for every λ and n̂;
        ``method="eigh"`` diagonalises H numerically (same numbers, ~10× slower).
        """
        if method == "closed":
            return self._map(k, frame, lambda kf: self._closed_form(self._coef_flat(kf)), (4,))
        if method == "eigh":
            return self._map(k, frame, lambda kf: np.linalg.eigvalsh(self._h_from_coef(self._coef_flat(kf))), (4,))
        raise ParameterError(f"method must be 'closed' or 'eigh', got {method!r}")

    def eigenvalues_on_grid(self, mesh, method: str = "closed", dtype=np.float64) -> np.ndarray:
        """Bands on the Γ-centred grid k = (i/n1, j/n2, l/n3) (fractional), shape (n1, n2, n3, 4), eV.

        Plane by plane: the harmonics factorise, e^{2πi k·v} = Π_a e^{2πi k_a v_a}, so the coefficients of
        a whole (j, l) plane are two real matrix products with per-axis phase tables — no trigonometric
        function per k-point. Memory is the output array plus one plane of work space
        (``dtype=np.float32`` halves the output). 2D models: use n3 = 1.
        """
        mesh = tuple(int(x) for x in mesh)
        if len(mesh) != 3 or min(mesh) < 1:
            raise ParameterError(f"mesh must be three positive integers, got {mesh!r}")
        if method not in ("closed", "eigh"):
            raise ParameterError(f"method must be 'closed' or 'eigh', got {method!r}")
        V, C = self._V, self._C
        tab = [np.exp(2j * np.pi * np.outer(np.arange(n) / n, V[:, a])) for a, n in enumerate(mesh)]
        P = (tab[1][:, None, :] * tab[2][None, :, :]).reshape(-1, len(V))  # (n2·n3, M)
        Pr, Pi = np.ascontiguousarray(P.real), np.ascontiguousarray(P.imag)
        out = np.empty(mesh + (4,), dtype=dtype)
        for i in range(mesh[0]):
            e = tab[0][i]
            c = Pr @ (e.real[:, None] * C) - Pi @ (e.imag[:, None] * C)
            c[:, 0] -= self.mu
            if method == "closed":
                E = self._closed_form(c)
            else:
                E = np.linalg.eigvalsh(self._h_from_coef(c))
            out[i] = E.reshape(mesh[1], mesh[2], 4)
        return out

    def eigh(self, k, frame: str = "frac") -> tuple[np.ndarray, np.ndarray]:
        """Energies (..., 4) and eigenvectors (..., 4, 4) (columns) of H(k), batched LAPACK."""
        def fn(kf):
            e, u = np.linalg.eigh(self._h_from_coef(self._coef_flat(kf)))
            return np.concatenate([e[:, None, :].astype(complex), u], axis=1)
        r = self._map(k, frame, fn, (5, 4))
        return r[..., 0, :].real.copy(), r[..., 1:, :]

    def velocity_band_basis(self, k, frame: str = "frac") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Energies (..., 4), eigenvectors (..., 4, 4) and velocity matrix elements
        v_nm^a = ⟨n|∂H/∂k_a|m⟩ (..., 3, 4, 4) in eV·Å (Cartesian a) — the input of Kubo-type Berry curvature,
        optical and Drude weights. Diagonal elements are the band velocities ∂E_n/∂k_a (times ħ)."""
        E, U = self.eigh(k, frame)
        v = self.velocity(k, frame)
        return E, U, np.einsum("...in,...aij,...jm->...anm", U.conj(), v, U)

    def spin_operator(self, axis=None) -> np.ndarray:
        """τ₀ ⊗ (â·σ) (4×4) along ``axis`` (default: the Néel vector n̂)."""
        a = self.neel if axis is None else np.asarray(axis, float) / np.linalg.norm(axis)
        return np.einsum("i,iab->ab", a, np.stack([TAU_SIGMA[0, 1], TAU_SIGMA[0, 2], TAU_SIGMA[0, 3]]))

    def bands_with_spin(self, k, frame: str = "frac", axis=None, eta: float = 1e-7):
        """Energies (..., 4) and spin expectation ⟨τ₀ â·σ⟩ (..., 4) per band (â = n̂ by default).

        Degenerate pairs (e.g. on nodal planes, or everywhere at J = 0) have no unique eigenvectors; a
        vanishing perturbation ``eta`` (eV) × τ₀ â·σ selects the spin eigenstates inside every degenerate
        subspace (degenerate perturbation theory), so the spin colour is well defined. The returned
        energies are those of H itself (⟨H⟩), unaffected by ``eta`` to O(eta²).
        """
        S = self.spin_operator(axis)

        def fn(kf):
            H = self._h_from_coef(self._coef_flat(kf))
            _, u = np.linalg.eigh(H + eta * S)
            e = np.einsum("nai,nab,nbi->ni", u.conj(), H, u).real
            s = np.einsum("nai,ab,nbi->ni", u.conj(), S, u).real
            return np.stack([e, s], axis=1)
        r = self._map(k, frame, fn, (2, 4))
        e, s = r[..., 0, :], r[..., 1, :]
        order = np.argsort(e, axis=-1)
        return np.take_along_axis(e, order, -1), np.take_along_axis(s, order, -1)

    def spin_splitting(self, k, frame: str = "frac") -> np.ndarray:
        """Spin splitting ΔE = E_↑ − E_↓ of the lower and upper band pair, shape (..., 2), eV.

        Spin is quantised along n̂. Without the λ × n̂ part of the SOC, spin along n̂ is conserved and
        ΔE_± = ±[sqrt(t_x² + (t_z + J)²) − sqrt(t_x² + (t_z − J)²)] exactly (Eq. 2; ≈ ±2 t_z J/|t|), odd
        in t_z J. With λ × n̂ ≠ 0 the magnitude is the exact splitting of the pair from Eq. (4) and the
        sign is taken from t_z J (zero where t_z J = 0): spin is then not a good quantum number.
        """
        def fn(kf):
            c = self._coef_flat(kf)
            E = self._closed_form(c)
            mag = E[:, 3] - E[:, 2]  # = (E1 − E0) by the ± symmetry of Eq. (4)
            sgn = np.sign(c[:, 2] * self.J)
            return np.stack([-sgn * mag, sgn * mag], axis=-1)
        return self._map(k, frame, fn, (2,))

    # ------------------------------------------------------------------------- symmetry
    def _sample_k(self, k, n: int = 64) -> np.ndarray:
        if k is None:
            k = np.random.default_rng(12345).uniform(-1.0, 1.0, (n, 3))
            if self.terms.dimension == 2:
                k[:, 2] = 0.0
        return self.to_frac(k, "frac").reshape(-1, 3)

    def _operations(self, operations):
        ops = operations if operations is not None else self.terms.operations
        if not ops:
            ops = space_group_operations(self.terms.space_group)
        return [(np.asarray(R, float), np.asarray(t, float)) for R, t in ops]

    def sublattice_permutation(self, R, t, centring=None) -> int:
        """0 if {R|t} maps sublattice 1 onto itself (mod lattice + centring), 1 if it exchanges them.

        Raises :class:`SymmetryError` if it maps site 1 onto neither sublattice (the sites are not an orbit
        of that operation).
        """
        r1, r2 = np.asarray(self.terms.sites, float)
        cent = [np.zeros(3)] if centring is None else centring
        img = np.asarray(R, float) @ r1 + np.asarray(t, float)
        for target, p in ((r1, 0), (r2, 1)):
            for c in cent:
                diff = img - target - c
                if self.terms.dimension == 2:
                    diff[2] = np.round(diff[2])
                if np.all(np.abs(diff - np.round(diff)) < 1e-6):
                    return p
        raise SymmetryError(f"operation R={np.asarray(R).tolist()}, t={np.asarray(t).tolist()} maps site "
                            f"{r1.tolist()} onto neither sublattice of {self.name}")

    def symmetry_matrices(self, operations=None):
        """For each operation: (R_k, U) with R_k acting on fractional k (k' = R_k k) and U the 4×4 unitary of
        H(k') = U H(k) U† (U = P ⊗ D_{1/2}(det R_c · R_c), P = τ₀ or τ_x)."""
        ops = self._operations(operations)
        A = self.lattice
        centring = [t for R, t in ops if np.allclose(R, np.eye(3))] or [np.zeros(3)]
        out = []
        for R, t in ops:
            Rc = A.T @ R @ np.linalg.inv(A.T)
            Rk = np.linalg.inv(R).T
            P = np.eye(2) if self.sublattice_permutation(R, t, centring) == 0 else np.array([[0, 1], [1, 0]])
            out.append((Rk, np.kron(P, spin_rotation(Rc)), Rc))
        return out

    def check_space_group(self, k=None, frame: str = "frac", operations=None, include_J: bool = False,
                          atol: float = 1e-10, strict: bool = False) -> float:
        """max |H(R k) − U H(k) U†| over the space-group operations and sample k (eV).

        The paramagnetic Hamiltonian (J = 0) is tested by default: the Néel term breaks the operations that
        exchange the sublattices unless they are combined with time reversal. ``include_J=True`` tests the
        full H (passes only for operations that leave n̂ and the sublattices invariant, or when J = 0).
        Operations default to ``terms.operations``, else pyxtal's for ``terms.space_group``.
        """
        kf = self._sample_k(None if k is None else self.to_frac(k, frame))
        H = self.hamiltonian if include_J else self.paramagnetic_hamiltonian
        H0 = H(kf)
        err = 0.0
        for Rk, U, _ in self.symmetry_matrices(operations):
            H1 = H(kf @ Rk.T)
            err = max(err, float(np.abs(H1 - U @ H0 @ U.conj().T).max()))
        if strict and err > atol:
            raise SymmetryError(f"{self.name}: space-group covariance violated, max error {err:.3g} eV")
        return err

    def check_time_reversal(self, k=None, frame: str = "frac", atol: float = 1e-10, strict: bool = False) -> float:
        """max |Θ H(k)* Θ† − H_{−J}(−k)| (eV), Θ = τ₀ ⊗ iσ_y.

        Time reversal maps the model onto itself with the Néel vector reversed (J → −J); at J = 0 this is
        the statement Θ H(k)* Θ† = H(−k) of a time-reversal-symmetric paramagnet.
        """
        kf = self._sample_k(None if k is None else self.to_frac(k, frame))
        theta = np.kron(np.eye(2), np.array([[0, 1], [-1, 0]], complex))
        H = self.hamiltonian(kf)
        lhs = theta @ H.conj() @ theta.conj().T
        rhs = self.paramagnetic_hamiltonian(-kf) - self._Hneel
        err = float(np.abs(lhs - rhs).max())
        if strict and err > atol:
            raise SymmetryError(f"{self.name}: time-reversal check failed, max error {err:.3g} eV")
        return err

    def check_hermitian(self, k=None, frame: str = "frac") -> float:
        """max |H − H†| over sample k (eV)."""
        H = self.hamiltonian(self._sample_k(None if k is None else self.to_frac(k, frame)))
        return float(np.abs(H - np.swapaxes(H.conj(), -1, -2)).max())

    # ------------------------------------------------------------------------ parameters
    def with_params(self, **changes) -> "TwoSublatticeModel":
        """A copy with some coefficients (by name) or ``J``, ``mu``, ``neel``, ``name`` changed."""
        params = dict(self.params)
        kw = {"J": self.J, "neel": self.neel, "mu": self.mu, "name": self.name, "info": self.info}
        for key, val in changes.items():
            if key in kw:
                kw[key] = val
            elif key in params:
                params[key] = val
            else:
                raise ParameterError(f"unknown parameter {key!r}; the model's parameters are "
                                     f"{list(params)} plus J, mu, neel, name")
        return TwoSublatticeModel(self.terms, params, **kw)

    def functions(self) -> dict[str, str]:
        """Human-readable form of every channel: ``{"tz": "-0.6·[sin kx sin ky] + ...", ...}``."""
        out: dict[str, list[str]] = {}
        for h in self.terms.harmonics:
            out.setdefault(h.channel, []).append(f"{self.params[h.parameter]:g}·[{h.label or h.parameter}]")
        if self.mu:
            out.setdefault("eps0", []).append(f"{-self.mu:g}")
        return {k: " + ".join(v).replace("+ -", "− ") for k, v in out.items()}

    # ------------------------------------------------------------------------------- I/O
    def as_dict(self) -> dict:
        return {"@class": "TwoSublatticeModel", "name": self.name, "terms": self.terms.as_dict(),
                "params": dict(self.params), "J": self.J, "neel": self.neel.tolist(), "mu": self.mu,
                "info": self.info}

    @classmethod
    def from_dict(cls, d: dict) -> "TwoSublatticeModel":
        try:
            return cls(ModelTerms.from_dict(d["terms"]), d["params"], J=d.get("J", 0.0),
                       neel=d.get("neel", (0, 0, 1)), mu=d.get("mu", 0.0), name=d.get("name", ""),
                       info=d.get("info"))
        except (KeyError, TypeError) as exc:
            raise ParameterError(f"not a serialised TwoSublatticeModel: missing or bad field {exc}") from exc

    def save(self, path) -> Path:
        """Write the model to ``.json`` (with provenance) or ``.h5``/``.hdf5`` (HDF5; the model as JSON
        attribute ``model`` plus the compiled bond table for other tools)."""
        from altermag.core.io import save_hdf5, save_json

        path = Path(path)
        if path.suffix.lower() == ".json":
            return save_json(path, self.as_dict(), inputs={"model": self.name})
        if path.suffix.lower() in (".h5", ".hdf5"):
            return save_hdf5(path, {"bond_vectors_frac": self._V, "bond_coefficients": self._C,
                                    "lattice": self.lattice, "sites": np.asarray(self.terms.sites, float)},
                             inputs={"model": self.name}, attrs={"model": self.as_dict(),
                                                                  "channels": list(CHANNELS)})
        raise ParameterError(f"model file must end in .json, .h5 or .hdf5, got {path.name!r}")

    @classmethod
    def load(cls, path) -> "TwoSublatticeModel":
        """Read a model written by :meth:`save`."""
        from altermag.core.io import load_hdf5, load_json

        path = Path(path)
        if not path.exists():
            raise ParameterError(f"model file {str(path)!r} does not exist")
        if path.suffix.lower() == ".json":
            d = load_json(path)
            d = d.get("data", d) if isinstance(d, dict) else d
        elif path.suffix.lower() in (".h5", ".hdf5"):
            d = load_hdf5(path)["attrs"].get("model")
        else:
            raise ParameterError(f"model file must end in .json, .h5 or .hdf5, got {path.name!r}")
        if not isinstance(d, dict) or d.get("@class") != "TwoSublatticeModel":
            raise ParameterError(f"{path}: not a saved TwoSublatticeModel")
        return cls.from_dict(d)

    def __repr__(self) -> str:
        return (f"TwoSublatticeModel({self.name!r}, SG {self.terms.space_group} {self.terms.wyckoff}, "
                f"{len(self.params)} coefficients, J={self.J:g} eV, n̂={np.round(self.neel, 3).tolist()}, "
                f"μ={self.mu:g} eV)")


def harmonic_from_trig(channel: str, parameter: str, products, shell: int = 1, label: str = "") -> Harmonic:
    """A :class:`Harmonic` from a sum of products of trigonometric factors of 2π k_frac·v.

    ``products`` is a list of ``(weight, [("cos"|"sin", v), ...])`` with v fractional bond vectors; each
    product ``weight × Π_i trig_i(2π k·v_i)`` must contain an even number of sines (so it is even in k)
    and is expanded exactly into ``Σ_s c_s cos(2π k·V_s)``. An empty factor list is the constant 1.
    E.g. sin k_x sin k_y is ``[(1.0, [("sin", (1, 0, 0)), ("sin", (0, 1, 0))])]``.
    """
    terms: dict[tuple, float] = {}
    for weight, factors in products:
        factors = [(f, np.asarray(v, float)) for f, v in factors]
        if any(f not in ("cos", "sin") for f, _ in factors):
            raise ParameterError(f"{label or parameter}: factors must be 'cos' or 'sin'")
        if sum(f == "sin" for f, _ in factors) % 2:
            raise ParameterError(f"{label or parameter}: a product with an odd number of sines is odd in k")
        for signs in np.ndindex(*(2,) * len(factors)):
            s = 1 - 2 * np.array(signs, dtype=int)
            c = complex(weight)
            vec = np.zeros(3)
            for (f, v), si in zip(factors, s):
                c *= 0.5 if f == "cos" else si / 2j
                vec = vec + si * v
            nz = np.flatnonzero(np.abs(vec) > 1e-12)
            if len(nz) and vec[nz[0]] < 0:
                vec = -vec
            key = tuple(np.round(vec, 9) + 0.0)
            terms[key] = terms.get(key, 0.0) + c.real
    items = [(np.array(k), w) for k, w in terms.items() if abs(w) > 1e-14]
    if not items:
        raise ParameterError(f"{label or parameter}: the products cancel to zero")
    return Harmonic(channel, np.array([v for v, _ in items]), np.array([w for _, w in items]), parameter,
                    shell, label)
