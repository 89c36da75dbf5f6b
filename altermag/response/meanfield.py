"""Self-consistent Hubbard Hartree-Fock of the two-sublattice models (spec ``minimal_models.md`` §5.3, §8).

The interaction is the on-site Hubbard term on both sublattices (Eq. 19), ``U Σ_i Σ_a n_{ia↑} n_{ia↓}``,
decoupled in the collinear (z) channel::

    U n_↑ n_↓  →  U (⟨n_↑⟩ n_↓ + n_↑ ⟨n_↓⟩ − ⟨n_↑⟩⟨n_↓⟩)        on each sublattice a = 1, 2.

It acts on the paramagnetic block of the model (:func:`altermag.response.normal_state.paramagnetic`: J and
SOC set to 0), so every spin s = ±1 has its own real 2×2 sublattice block, diagonalised in closed form and
vectorised over the whole k grid::

    h_s(k) = ε₀(k) + t_x(k) τ_x + t_z(k) τ_z + U diag(n_{1,−s}, n_{2,−s})

Conventions (shared with :mod:`altermag.response`)
--------------------------------------------------
* Mean fields ``n[s, a]``: electrons of spin s (index 0 = ↑, 1 = ↓) per site of sublattice a (0 = site 1,
  1 = site 2). Sublattice charge ``n_a = n_{a↑} + n_{a↓}``; magnetisation ``m_a = (n_{a↑} − n_{a↓})/2``.
  ``m_AM = (m1 − m2)/2`` (altermagnetic / Néel channel), ``m_FM = (m1 + m2)/2``.
* Filling ``n_sigma``: electrons per spin per site, averaged over spins and sites (``mean(n)``); full
  polarisation of a ferromagnet is ``|m| = n_σ`` (for n_σ ≤ ½), i.e. n/2 with n the electrons per site.
* ``kT`` in eV. ``E_F`` in eV in the frame of the HF Hamiltonian, which contains the full Hartree term;
  ``E_F − U·n_σ`` is comparable with the non-interacting Fermi level (the paramagnet's Hartree shift is U n_σ).
  Fixed-filling runs (default) re-adjust E_F at every iteration; ``E_F=`` runs keep the chemical potential.
* In the AM state the mean field is Eq. (1) with ``J = −U·m_AM`` (J multiplies τ_z σ_z, so J > 0 raises the
  spin-up level of site 1 and makes m1 < 0); :meth:`HartreeFockResult.as_model` returns that model.
* Energies (grand potential Ω, free energy F = Ω + μN) are in eV per site and include the double-counting
  term −U Σ_a n_{a↑}n_{a↓}; they are stationary at the self-consistent solution, so they compare seeds.

A run that does not reach ``tol`` within ``max_iter`` raises :class:`HartreeFockNotConverged` carrying the
last iterate; nothing unconverged is ever returned as a result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from scipy.special import expit

from altermag.core.errors import AltermagError, ParameterError
from altermag.models.hamiltonian import TwoSublatticeModel
from altermag.response.normal_state import (DEFAULT_MESH, check_kT, fermi_level, k_mesh, mesh_shape, paramagnetic,
                                            spinless_coefficients)

__all__ = ["hartree_fock", "HartreeFockResult", "HartreeFockNotConverged", "hf_sweep", "HFSweep",
           "critical_U_hf", "HartreeFockOnset", "state_label", "plot_order_parameter", "tour_figures",
           "STATE_TOL"]

STATE_TOL = 1e-5
"""|m| (per site) below which a channel counts as zero in :func:`state_label`."""

"""Default k mesh per direction for 2D and 3D models (as `altermag rpa`: 48³ is within 5 % of the converged
RuO2 U_c, 300² for the 2D presets)."""

_SEEDS = ("AM", "FM", "PM")
_CONSTRAINTS = (None, "AM", "FM", "PM")
_MU_TOL = 1e-13
_ANDERSON_COND = 1e6
_STABILITY_TOL = 1e-6
_MAX_STEP = 0.05  # largest adaptive plain step, max |Δn|
# projector on the spin (magnetisation) directions of the flattened mean fields [n1↑, n2↑, n1↓, n2↓]
_SPIN = 0.5 * np.array([[1, 0, -1, 0], [0, 1, 0, -1], [-1, 0, 1, 0], [0, -1, 0, 1]], float)


class HartreeFockNotConverged(AltermagError):
    """The self-consistency loop did not reach ``tol`` within ``max_iter`` iterations.

    Attributes: ``U``, ``iterations``, ``residuals`` (max |Δn| per iteration), ``last`` (the last iterate:
    ``{"n": [[n1↑, n2↑], [n1↓, n2↓]], "m1", "m2", "E_F"}``), for diagnosis only — it is not a solution.
    """

    def __init__(self, message: str, U: float | None = None, iterations: int = 0,
                 residuals: Sequence[float] = (), last: dict | None = None):
        super().__init__(message)
        self.U = U
        self.iterations = int(iterations)
        self.residuals = [float(r) for r in residuals]
        self.last = dict(last or {})

    def __reduce__(self):  # picklable for the executor's worker processes
        return type(self), (str(self), self.U, self.iterations, self.residuals, self.last)


def state_label(m1: float, m2: float, tol: float = STATE_TOL) -> str:
    """'PM' (both |m_a| < tol), 'AM' (m1 = −m2), 'FM' (m1 = m2) or 'ferri' (anything else)."""
    if abs(m1) < tol and abs(m2) < tol:
        return "PM"
    if abs(m1 + m2) < 2 * tol:
        return "AM"
    if abs(m1 - m2) < 2 * tol:
        return "FM"
    return "ferri"


# ------------------------------------------------------------------------------------------ k grid
class _Grid:
    """ε₀ − μ, t_x, t_z of the paramagnetic block on a Γ-centred grid (flattened), computed once."""

    def __init__(self, model: TwoSublatticeModel, mesh=None):
        if not isinstance(model, TwoSublatticeModel):
            raise ParameterError(f"expected a TwoSublatticeModel, got {type(model).__name__}")
        self.model = model
        self.model_pm, self.dropped = paramagnetic(model, warn=False)
        if mesh is None:
            mesh = DEFAULT_MESH[model.terms.dimension]
        self.mesh = mesh_shape(model, mesh)
        eps0, tx, tz = spinless_coefficients(self.model_pm, k_mesh(self.model_pm, self.mesh))
        self.eps0, self.tx, self.tz = (np.ascontiguousarray(x.ravel()) for x in (eps0, tx, tz))
        self.tx2 = self.tx ** 2
        r = np.hypot(self.tx, self.tz)
        self.emin, self.emax = float((self.eps0 - r).min()), float((self.eps0 + r).max())

    def filling_pm(self, E_F: float, kT: float) -> float:
        r = np.hypot(self.tx, self.tz)
        E = np.concatenate([self.eps0 - r, self.eps0 + r])
        return float(expit((E_F - E) / kT).mean())


def _mean_field_bands(grid: _Grid, n: np.ndarray, U: float):
    """Energies E (2 spins, N, 2 bands [−, +]) and cos θ (2, N) of h_s for mean fields n[s, a]."""
    V = U * n[::-1]  # V[s, a] = U n[−s, a]
    c = 0.5 * (V[:, 0] + V[:, 1])
    d = 0.5 * (V[:, 0] - V[:, 1])
    dz = grid.tz[None, :] + d[:, None]                       # (2, N)
    r = np.sqrt(grid.tx2[None, :] + dz * dz)
    base = grid.eps0[None, :] + c[:, None]
    E = np.stack([base - r, base + r], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.where(r > 0, dz / np.where(r > 0, r, 1.0), 0.0)
    return E, cos


def _update(grid: _Grid, n: np.ndarray, U: float, kT: float, n_sigma: float | None, E_F: float | None,
            mu_guess: float | None):
    """One HF map: mean fields n → (new densities, E_F, E, f)."""
    E, cos = _mean_field_bands(grid, n, U)
    mu = fermi_level(E, n_sigma, kT, guess=mu_guess, tol=_MU_TOL) if E_F is None else float(E_F)
    f = expit((mu - E) / kT)                                   # (2, N, 2)
    tot = 0.5 * (f[..., 1] + f[..., 0])
    diff = 0.5 * (f[..., 1] - f[..., 0]) * cos                 # upper band has weight (1 + cos θ)/2 on site 1
    new = np.empty((2, 2))
    new[:, 0] = (tot + diff).mean(axis=1)
    new[:, 1] = (tot - diff).mean(axis=1)
    return new, mu, E, f


def _project(n: np.ndarray, constrain: str | None) -> np.ndarray:
    """Symmetrise mean fields n[s, a] onto the AM (n_{1s} = n_{2,−s}), FM (n_{1s} = n_{2s}) or PM subspace."""
    if constrain is None:
        return n
    if constrain == "AM":
        return 0.5 * (n + n[::-1, ::-1])
    if constrain == "FM":
        return np.repeat(n.mean(axis=1, keepdims=True), 2, axis=1)
    return np.full_like(n, n.mean())  # PM


def _energies(E: np.ndarray, mu: float, kT: float, n: np.ndarray, U: float) -> tuple[float, float]:
    """(grand potential, free energy) per site, eV."""
    n_k = E.shape[1]
    x = (mu - E) / kT
    omega_band = -kT * float(np.logaddexp(0.0, x).sum()) / (2 * n_k)  # per site: 2 sites per cell
    omega = omega_band - 0.5 * U * float((n[0] * n[1]).sum())
    return omega, omega + mu * 2.0 * float(n.mean())  # N per site = 2 n_σ


def _seed_fields(seed, n_sigma: float, amplitude: float | None) -> tuple[np.ndarray, str]:
    """n[s, a] for a named or explicit seed; returns (n, description)."""
    amp = 0.5 * min(n_sigma, 1.0 - n_sigma) if amplitude is None else float(amplitude)
    n1 = n2 = 2.0 * n_sigma
    if isinstance(seed, str):
        key = seed.upper()
        if key not in _SEEDS:
            raise ParameterError(f"seed must be 'AM', 'FM', 'PM' or (m1, m2[, n1, n2]), got {seed!r}")
        m1, m2 = {"AM": (amp, -amp), "FM": (amp, amp), "PM": (0.0, 0.0)}[key]
        desc = key
    else:
        try:
            vals = [float(v) for v in seed]
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"seed must be 'AM', 'FM', 'PM' or (m1, m2[, n1, n2]), got {seed!r}") from exc
        if len(vals) not in (2, 4):
            raise ParameterError(f"an explicit seed is (m1, m2) or (m1, m2, n1, n2), got {seed!r}")
        m1, m2 = vals[:2]
        if len(vals) == 4:
            n1, n2 = vals[2:]
        desc = "explicit"
    n = np.array([[n1 / 2 + m1, n2 / 2 + m2], [n1 / 2 - m1, n2 / 2 - m2]])
    if not np.all((n >= 0) & (n <= 1)) or not np.all(np.isfinite(n)):
        raise ParameterError(f"seed {seed!r} gives spin densities outside [0, 1] at n_sigma = {n_sigma:.4g}: "
                             f"{n.tolist()} (need |m_a| ≤ min(n_a, 2 − n_a)/2)")
    return n, desc


# --------------------------------------------------------------------------------------- result
@dataclass
class HartreeFockResult:
    """A converged Hartree-Fock solution (never returned unconverged).

    Order parameters per site: ``m1``, ``m2`` (m_a = (n_{a↑} − n_{a↓})/2), ``m_AM`` = (m1 − m2)/2,
    ``m_FM`` = (m1 + m2)/2; sublattice charges ``n1``, ``n2`` (electrons per site); ``state`` 'PM'|'AM'|'FM'|
    'ferri'; ``E_F`` (eV, HF frame incl. the Hartree shift); ``grand_potential`` and ``free_energy`` (eV per
    site); ``iterations`` and ``residuals`` (max |Δn| per iteration).
    """

    U: float
    kT: float
    n_sigma: float
    E_F: float
    fields: np.ndarray  # n[s, a]
    grand_potential: float
    free_energy: float
    iterations: int
    residuals: list
    seed: str
    constrain: str | None
    fixed: str                     # 'n_sigma' or 'E_F'
    mesh: tuple
    method: str
    tol: float
    model_name: str = ""
    dropped: dict = field(default_factory=dict)
    stable: bool = True
    restarts: int = 0
    stability_eigenvalue: float = math.nan
    converged: bool = True
    _model_pm: Any = field(default=None, repr=False, compare=False)

    @property
    def m1(self) -> float:
        return 0.5 * float(self.fields[0, 0] - self.fields[1, 0])

    @property
    def m2(self) -> float:
        return 0.5 * float(self.fields[0, 1] - self.fields[1, 1])

    @property
    def n1(self) -> float:
        return float(self.fields[:, 0].sum())

    @property
    def n2(self) -> float:
        return float(self.fields[:, 1].sum())

    @property
    def m_AM(self) -> float:
        return 0.5 * (self.m1 - self.m2)

    @property
    def m_FM(self) -> float:
        return 0.5 * (self.m1 + self.m2)

    @property
    def state(self) -> str:
        return state_label(self.m1, self.m2)

    @property
    def order_parameter(self) -> float:
        """|m_AM| in the AM state, |m_FM| in the FM state, max |m_a| for ferri, 0 for the paramagnet."""
        return {"PM": 0.0, "AM": abs(self.m_AM), "FM": abs(self.m_FM)}.get(
            self.state, max(abs(self.m1), abs(self.m2)))

    @property
    def J_equivalent(self) -> float:
        """J (eV) of Eq. (1) that reproduces the AM mean field: J = −U·m_AM."""
        return -self.U * self.m_AM

    def bands(self, k, frame: str = "frac") -> np.ndarray:
        """HF bands at k: array (2 spins [↑, ↓], ..., 2 bands [−, +]) in eV, same frame as ``E_F``."""
        c = self._model_pm.coefficients(k, frame)
        g = _Grid.__new__(_Grid)
        g.eps0, g.tx, g.tz = c[..., 0].ravel(), c[..., 1].ravel(), c[..., 2].ravel()
        g.tx2 = g.tx ** 2
        E, _ = _mean_field_bands(g, self.fields, self.U)
        return E.reshape((2,) + c.shape[:-1] + (2,))

    def as_model(self, tol: float = 1e-6) -> TwoSublatticeModel:
        """The :class:`TwoSublatticeModel` (Eq. 1, n̂ = z) whose bands equal this AM (or PM) solution's.

        ``J = −U·m_AM`` and ``mu`` shifted so that the model's Fermi level is at 0:
        ``mu = mu_model + E_F − U·(n1 + n2)/4``. FM and ferri states, or unequal sublattice charges, are not of
        the form of Eq. (1) (no τ₀σ_z or constant τ_z term) and raise :class:`ParameterError`.
        """
        if abs(self.m_FM) > tol or abs(self.n1 - self.n2) > tol:
            raise ParameterError(f"as_model: the {self.state} state (m_FM = {self.m_FM:.3g}, n1 − n2 = "
                                 f"{self.n1 - self.n2:.3g}) is not of the form of Eq. (1); only AM and PM are")
        shift = self.U * 0.25 * (self.n1 + self.n2)
        return self._model_pm.with_params(J=self.J_equivalent, neel=(0.0, 0.0, 1.0),
                                          mu=self._model_pm.mu + self.E_F - shift,
                                          name=f"{self._model_pm.name} HF U={self.U:g}")

    def as_dict(self) -> dict:
        """JSON-ready summary with inputs."""
        pm = self._model_pm
        return {
            "converged": True, "U": self.U, "kT": self.kT, "n_sigma": self.n_sigma, "E_F": self.E_F,
            "fixed": self.fixed, "m1": self.m1, "m2": self.m2, "n1": self.n1, "n2": self.n2,
            "m_AM": self.m_AM, "m_FM": self.m_FM, "order_parameter": self.order_parameter, "state": self.state,
            "J_equivalent": self.J_equivalent, "fields": np.asarray(self.fields).tolist(),
            "grand_potential": self.grand_potential, "free_energy": self.free_energy,
            "iterations": self.iterations, "residual": self.residuals[-1] if self.residuals else None,
            "residuals": list(self.residuals), "seed": self.seed, "constrain": self.constrain,
            "method": self.method, "tol": self.tol, "stable": self.stable, "restarts": self.restarts,
            "stability_eigenvalue": self.stability_eigenvalue, "mesh": list(self.mesh),
            "model": self.model_name, "params": dict(pm.params) if pm is not None else None,
            "mu": pm.mu if pm is not None else None, "dropped": dict(self.dropped),
            "units": {"energy": "eV", "energy_per": "site", "m": "per site, (n_up - n_down)/2"},
        }


# ------------------------------------------------------------------------------------ the solver
def _check_common(U, kT, n_sigma, E_F, mixing, tol, max_iter, method, constrain):
    try:
        U = float(U)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"U must be a number (eV), got {U!r}") from exc
    if not math.isfinite(U) or U < 0:
        raise ParameterError(f"U must be finite and ≥ 0 eV (repulsive Hubbard U), got {U!r}")
    kT = check_kT(kT)
    if n_sigma is not None and E_F is not None:
        raise ParameterError("give either n_sigma (fixed filling) or E_F (fixed chemical potential), not both")
    if E_F is not None and not math.isfinite(float(E_F)):
        raise ParameterError(f"E_F must be a finite energy (eV), got {E_F!r}")
    if n_sigma is not None and not 0.0 < float(n_sigma) < 1.0:
        raise ParameterError(f"n_sigma (electrons per spin per site) must lie strictly between 0 and 1, "
                             f"got {n_sigma!r}")
    if not 0.0 < float(mixing) <= 1.0:
        raise ParameterError(f"mixing must lie in (0, 1], got {mixing!r}")
    if not float(tol) > 0:
        raise ParameterError(f"tol must be > 0, got {tol!r}")
    if int(max_iter) < 1:
        raise ParameterError(f"max_iter must be ≥ 1, got {max_iter!r}")
    if method not in ("anderson", "linear"):
        raise ParameterError(f"method must be 'anderson' or 'linear', got {method!r}")
    if constrain not in _CONSTRAINTS:
        raise ParameterError(f"constrain must be None, 'AM', 'FM' or 'PM', got {constrain!r}")
    return U, kT


def _iterate(grid: _Grid, x, mu, U, *, target, E_F, kT, mixing, tol, max_iter, method, depth, constrain,
             n_linear: int = 0):
    """Fixed-point loop from mean fields x. Returns (x, mu, E, iterations, residuals, converged)."""
    x = _project(np.asarray(x, float), constrain)
    residuals: list[float] = []
    X: list[np.ndarray] = []
    Fs: list[np.ndarray] = []
    E = None
    converged = False
    it = 0
    beta, prev_r, prev_res = mixing, None, math.inf
    for it in range(1, int(max_iter) + 1):
        g, mu, E, _ = _update(grid, x, U, kT, target, E_F, mu)
        g = _project(g, constrain)
        r = g - x
        res = float(np.abs(r).max())
        residuals.append(res)
        if res < tol:
            converged = True
            break
        xf, rf = x.ravel(), r.ravel()
        # plain (linear-mixing) step; with acceleration on, its weight doubles while successive residuals stay
        # parallel and shrink slowly: this crosses slow stretches of the flow (leaving an unstable paramagnet
        # just above U_c, or the "ghost" of a fixed point near a saddle-node) in a few steps
        # Only the spin part (m1, m2) is amplified: the charge modes contract fast and would diverge.
        rs = _SPIN @ rf
        ns_ = float(np.linalg.norm(rs))
        if method == "anderson" and prev_r is not None and ns_ > 0.5 * prev_res and \
                float(rs @ prev_r) > 0.99 * ns_ * float(np.linalg.norm(prev_r)):
            beta = min(2.0 * beta, max(mixing, _MAX_STEP / max(ns_, 1e-300)))
        else:
            beta = mixing
        x_new = xf + mixing * rf + (beta - mixing) * rs
        if method == "anderson" and it > n_linear:
            X.append(xf.copy())
            Fs.append(rf.copy())
            if len(X) > depth + 1:
                X.pop(0)
                Fs.pop(0)
            if len(X) > 1:
                dX = np.diff(np.array(X), axis=0).T
                dF = np.diff(np.array(Fs), axis=0).T
                # drop the oldest differences while the least-squares problem is ill-conditioned (Walker & Ni
                # 2011): the constrained problems live in 1-3 dimensions, colinear columns would blend stale
                # secant slopes and stall the iteration near U_c
                while dF.shape[1] > 1 and np.linalg.cond(dF) > _ANDERSON_COND:
                    dX, dF = dX[:, 1:], dF[:, 1:]
                    X.pop(0)
                    Fs.pop(0)
                gamma, *_ = np.linalg.lstsq(dF, rf, rcond=None)
                x_and = xf + mixing * rf - (dX + mixing * dF) @ gamma
                # a secant step against the residual heads for an unstable fixed point (uphill in the free
                # energy, e.g. back to the paramagnet above U_c); one shorter than the plain step along the
                # residual is slower than it: keep the plain step in both cases
                if float((x_and - xf) @ rf) > float((x_new - xf) @ rf):
                    x_new = x_and
        prev_r, prev_res = rs, ns_
        if not np.all(np.isfinite(x_new)) or np.any(x_new < 0) or np.any(x_new > 1):
            x_new = np.clip(xf + mixing * rf, 0.0, 1.0)  # safeguard: plain step, restart the history
            X.clear()
            Fs.clear()
        x = _project(x_new.reshape(2, 2), constrain)
    return x, mu, E, it, residuals, converged


def _subspace(constrain: str | None, fixed_n: bool) -> np.ndarray:
    """Orthonormal basis (4, k) of the mean-field directions allowed by the constraint (and fixed N)."""
    P = np.array([_project(e.reshape(2, 2), constrain).ravel() for e in np.eye(4)]).T
    if fixed_n:
        P = P @ (np.eye(4) - np.full((4, 4), 0.25))
    u, sv, _ = np.linalg.svd(P)
    return u[:, sv > 0.5]


def _leading_mode(grid: _Grid, x, mu, U, *, target, E_F, kT, constrain, h: float = 1e-5):
    """Largest real eigenvalue λ of the HF map's Jacobian in the allowed subspace and its direction.

    A fixed point with λ > 1 is unstable (a saddle of the free energy): plain iteration runs away from it, but
    Anderson/Newton-type acceleration may still land on it. Central differences, 2k map evaluations.
    """
    B = _subspace(constrain, E_F is None)
    if B.shape[1] == 0:
        return -math.inf, None
    cols = []
    for b in B.T:
        gp = _project(_update(grid, x + h * b.reshape(2, 2), U, kT, target, E_F, mu)[0], constrain).ravel()
        gm = _project(_update(grid, x - h * b.reshape(2, 2), U, kT, target, E_F, mu)[0], constrain).ravel()
        cols.append((gp - gm) / (2 * h))
    A = B.T @ np.array(cols).T
    w, v = np.linalg.eig(A)
    i = int(np.argmax(w.real))
    vec = B @ v[:, i].real
    vec /= np.abs(vec).max() or 1.0
    return float(w[i].real), vec


def _solve(grid: _Grid, U: float, *, n_sigma, E_F, kT, seed, seed_amplitude, mixing, tol, max_iter,
           method, depth, constrain, initial=None, check_stability=True, max_restarts=4):
    """Seed, iterate, and (``check_stability``) restart away from unstable fixed points.

    ``initial``: optional (n[s,a], mu) warm start replacing the seed.
    Returns x, mu, Ω, F, iterations, residuals, seed description, stable, restarts, leading eigenvalue.
    """
    if E_F is None:
        target = float(grid.filling_pm(0.0, kT)) if n_sigma is None else float(n_sigma)
    else:
        target = None
    n_seed = target if target is not None else grid.filling_pm(float(E_F), kT)
    if initial is not None:
        x, mu = np.array(initial[0], float), initial[1]
        desc = "warm"
    else:
        x, desc = _seed_fields(seed, n_seed, seed_amplitude)
        mu = None
    kw = dict(target=target, E_F=E_F, kT=kT, mixing=mixing, tol=tol, method=method, depth=depth,
              constrain=constrain)
    residuals: list[float] = []
    total = 0
    restarts = 0
    stable, lam = True, math.nan
    n_linear = 0
    while True:
        x, mu, E, it, res, converged = _iterate(grid, x, mu, U, max_iter=int(max_iter) - total,
                                                n_linear=n_linear, **kw)
        total += it
        residuals += res
        if not converged:
            last = {"n": x.tolist(), "m1": 0.5 * (x[0, 0] - x[1, 0]), "m2": 0.5 * (x[0, 1] - x[1, 1]),
                    "E_F": mu, "restarts": restarts}
            raise HartreeFockNotConverged(
                f"Hartree-Fock at U = {U:g} eV did not converge in {total} iterations (residual "
                f"{residuals[-1]:.3g} > tol {tol:g}); try more iterations (max_iter), method='anderson', a "
                f"smaller mixing or a constrained seed", U=U, iterations=total, residuals=residuals, last=last)
        if not check_stability:
            break
        lam, vec = _leading_mode(grid, x, mu, U, target=target, E_F=E_F, kT=kT, constrain=constrain)
        stable = lam <= 1.0 + _STABILITY_TOL
        if stable or restarts >= max_restarts or total >= max_iter:
            break
        # unstable fixed point (e.g. the paramagnet above U_c reached by Anderson): push along the unstable
        # mode, as far as the [0, 1] bounds allow, and let plain mixing carry it away before accelerating
        room = min(float(np.min(np.where(vec > 0, (1 - x.ravel()) / np.where(vec > 0, vec, 1), np.inf))),
                   float(np.min(np.where(vec < 0, x.ravel() / np.where(vec < 0, -vec, 1), np.inf))))
        step = min(0.1, 0.5 * room)
        x = _project(x + step * vec.reshape(2, 2), constrain)
        restarts += 1
        n_linear = 10
    omega, free = _energies(E, mu, kT, x, U)
    return x, mu, omega, free, total, residuals, desc, stable, restarts, lam


def hartree_fock(model: TwoSublatticeModel, U: float, *, n_sigma: float | None = None, E_F: float | None = None,
                 kT: float = 0.01, mesh=None, seed="AM", seed_amplitude: float | None = None,
                 mixing: float = 0.5, method: str = "anderson", anderson_depth: int = 5, tol: float = 1e-8,
                 max_iter: int = 500, constrain: str | None = None, check_stability: bool = True,
                 _grid: _Grid | None = None, _initial=None) -> HartreeFockResult:
    """Self-consistent Hubbard Hartree-Fock on the paramagnetic block of ``model`` (spec §5.3).

    Parameters
    ----------
    model : any :class:`TwoSublatticeModel`; its J and SOC are dropped (recorded in ``dropped``).
    U : on-site Hubbard U (eV) on both sublattices, U ≥ 0.
    n_sigma : fixed filling, electrons per spin per site (E_F re-solved every iteration). Default (with
        ``E_F`` also None): the filling of the model's own μ at U = 0 (RuO2 preset: 0.604).
    E_F : fixed chemical potential (eV, the HF Hamiltonian's frame incl. the Hartree term) instead of n_sigma.
    kT : temperature (eV). mesh : k grid (int or 3-tuple; default ``DEFAULT_MESH``).
    seed : 'AM' (m1 = −m2), 'FM' (m1 = m2), 'PM', or explicit (m1, m2) / (m1, m2, n1, n2).
    seed_amplitude : |m_a| of a named seed (default min(n_σ, 1 − n_σ)/2).
    mixing : linear mixing weight α ∈ (0, 1]. method : 'anderson' (Anderson/DIIS acceleration, depth
        ``anderson_depth``; robust against the critical slowing down near U_c) or 'linear'.
    tol : convergence on the mean fields, max |n_out − n_in|. max_iter : iteration limit.
    constrain : None, 'AM', 'FM' or 'PM': symmetrise the mean fields onto that subspace every step (an FM
        solution between U_c^AM and U_c^FM is only reachable with ``constrain='FM'``).
    check_stability : after convergence, compute the leading eigenvalue λ of the HF map's Jacobian (in the
        allowed subspace); if λ > 1 the fixed point is unstable (a free-energy saddle, e.g. the paramagnet
        above U_c, which Anderson acceleration can land on), so the run restarts along the unstable mode (up
        to 4 times). ``stable`` and ``stability_eigenvalue`` are reported.

    Returns a converged :class:`HartreeFockResult`; raises :class:`HartreeFockNotConverged` otherwise.
    """
    U, kT = _check_common(U, kT, n_sigma, E_F, mixing, tol, max_iter, method, constrain)
    grid = _grid if _grid is not None else _Grid(model, mesh)
    x, mu, omega, free, it, res, desc, stable, restarts, lam = _solve(
        grid, U, n_sigma=n_sigma, E_F=E_F, kT=kT, seed=seed, seed_amplitude=seed_amplitude, mixing=mixing,
        tol=tol, max_iter=max_iter, method=method, depth=int(anderson_depth), constrain=constrain,
        initial=_initial, check_stability=check_stability)
    return HartreeFockResult(
        U=U, kT=kT, n_sigma=float(x.mean()), E_F=float(mu), fields=x, grand_potential=omega, free_energy=free,
        iterations=it, residuals=res, seed=desc, constrain=constrain,
        fixed="n_sigma" if E_F is None else "E_F", mesh=grid.mesh, method=method, tol=float(tol),
        model_name=grid.model.name, dropped=dict(grid.dropped), stable=stable, restarts=restarts,
        stability_eigenvalue=lam, _model_pm=grid.model_pm)


# --------------------------------------------------------------------------------------- sweeps
def _channel_m(d: dict, seed: str) -> float:
    """Order parameter of a sweep record in the channel of its seed (|m_AM| for AM, |m_FM| for FM)."""
    if not d.get("converged"):
        return math.nan
    if seed == "AM":
        return abs(d["m_AM"])
    if seed == "FM":
        return abs(d["m_FM"])
    return d["order_parameter"]


def _sweep_job(item: dict) -> dict:
    """Executor job: one (U, seed, filling) point → a record (converged or not). Module level: picklable."""
    model = TwoSublatticeModel.from_dict(item["model"])
    kw = dict(item["kwargs"])
    base = {"U": item["U"], "seed": item["seed"], "n_sigma_target": item["n_sigma"]}
    try:
        res = hartree_fock(model, item["U"], seed=item["seed"], n_sigma=item["n_sigma"], **kw)
    except HartreeFockNotConverged as exc:
        return {**base, "converged": False, "m1": None, "m2": None, "m_AM": None, "m_FM": None,
                "order_parameter": None, "state": None, "free_energy": None, "grand_potential": None,
                "E_F": None, "iterations": exc.iterations,
                "residual": exc.residuals[-1] if exc.residuals else None, "error": str(exc),
                "last_iterate": exc.last}
    d = res.as_dict()
    d.pop("residuals")
    d.pop("params")
    return {**base, **d}


def _onset_from_curve(U: np.ndarray, m: np.ndarray, threshold: float) -> float | None:
    """Onset U from a sampled m(U): mean-field m² ∝ (U − U_c) extrapolated from the first two ordered points."""
    ok = np.isfinite(m)
    U, m = U[ok], m[ok]
    if len(U) == 0:
        return None
    order = np.argsort(U)
    U, m = U[order], m[order]
    ordered = np.flatnonzero(m > threshold)
    if len(ordered) == 0:
        return None
    i = ordered[0]
    if i == 0:
        return float(U[0]) if len(U) == 1 else None  # ordered at the first point: onset below the range
    lo = U[i - 1]
    if i + 1 < len(U) and m[i + 1] > m[i]:
        m1, m2 = m[i] ** 2, m[i + 1] ** 2
        uc = U[i] - m1 * (U[i + 1] - U[i]) / (m2 - m1)
        return float(min(max(uc, lo), U[i]))
    return float(0.5 * (lo + U[i]))


@dataclass
class HFSweep:
    """Order parameter vs U for several seeds (and fillings). ``points``: one record per (filling, seed, U)
    (see :meth:`HartreeFockResult.as_dict`; non-converged points have ``converged: False`` and null order
    parameters)."""

    U_values: list
    seeds: list
    fillings: list      # n_sigma values (None: the model's own μ)
    points: list
    inputs: dict
    threshold: float = 1e-3

    def _filling(self, n_sigma):
        if n_sigma is None:
            if len(self.fillings) != 1:
                raise ParameterError(f"this sweep has several fillings {self.fillings}: pass n_sigma")
            return self.fillings[0]
        return n_sigma

    def curve(self, seed: str, n_sigma=None) -> tuple[np.ndarray, np.ndarray]:
        """(U, m) of one seed (and filling): m in the seed's channel, NaN where not converged."""
        n_sigma = self._filling(n_sigma)
        pts = sorted((p for p in self.points if p["seed"] == seed and p["n_sigma_target"] == n_sigma),
                     key=lambda p: p["U"])
        return (np.array([p["U"] for p in pts], float),
                np.array([_channel_m(p, seed) for p in pts], float))

    def onset(self, seed: str, n_sigma=None) -> float | None:
        """Onset U of a seed's channel estimated from the sampled curve (m² linear in U near U_c); None if the
        channel never orders in the range, or orders already at its first point."""
        U, m = self.curve(seed, n_sigma)
        return _onset_from_curve(U, m, self.threshold)

    def U_c(self, n_sigma=None) -> dict:
        return {s: self.onset(s, n_sigma) for s in self.seeds}

    def ground_state(self, n_sigma=None) -> list[dict]:
        """Per U: the converged state of lowest free energy among the seeds (None if none converged)."""
        n_sigma = self._filling(n_sigma)
        out = []
        for U in self.U_values:
            cands = [p for p in self.points if p["U"] == U and p["n_sigma_target"] == n_sigma and p["converged"]]
            if not cands:
                out.append({"U": U, "state": None, "seed": None, "free_energy": None, "order_parameter": None})
                continue
            best = min(cands, key=lambda p: p["free_energy"])
            out.append({"U": U, "state": best["state"], "seed": best["seed"], "free_energy": best["free_energy"],
                        "order_parameter": best["order_parameter"]})
        return out

    def as_dict(self) -> dict:
        per_filling = []
        for ns in self.fillings:
            per_filling.append({
                "n_sigma": ns,
                "U_c": self.U_c(ns),
                "curves": {s: {"U": self.curve(s, ns)[0].tolist(), "m": self.curve(s, ns)[1].tolist()}
                           for s in self.seeds},
                "ground_state": self.ground_state(ns),
            })
        out = {"U_values": list(self.U_values), "seeds": list(self.seeds), "fillings": list(self.fillings),
               "threshold": self.threshold, "points": self.points, "results": per_filling,
               "n_failed": sum(1 for p in self.points if not p["converged"]), "inputs": self.inputs}
        if len(self.fillings) == 1:
            out["U_c"] = per_filling[0]["U_c"]
        return out

    def save(self, path) -> Path:
        from altermag.core.io import save_json

        return save_json(path, self.as_dict(), inputs=self.inputs)


def hf_sweep(model: TwoSublatticeModel, U_values, *, seeds=("AM", "FM"), n_sigma=None, fillings=None,
             kT: float = 0.01, mesh=None, constrain: str | None = "seed", workers: int | None = None,
             scheduler: str | None = None, threshold: float = 1e-3, progress: bool = True,
             **hf_kwargs) -> HFSweep:
    """Hartree-Fock at every U of ``U_values`` for every seed (and every filling of ``fillings``).

    Jobs go through :func:`altermag.core.executor.get_executor` (serial when ``workers`` is None or 1; local
    processes for ``workers`` > 1; Dask with ``scheduler``). ``constrain='seed'`` (default) keeps each named
    seed in its own symmetry subspace (AM seed → AM branch, FM seed → FM branch, the metastable FM branch
    included); ``constrain=None`` lets seeds drift (an FM seed turns AM between U_c^AM and U_c^FM). Points that
    do not converge are kept with ``converged: False``. ``hf_kwargs`` go to :func:`hartree_fock`.
    """
    from altermag.core.executor import get_executor

    U_values = [float(u) for u in np.atleast_1d(np.asarray(U_values, float))]
    if not U_values:
        raise ParameterError("U_values is empty")
    if isinstance(seeds, str):
        seeds = (seeds,)
    seeds = [str(s).upper() for s in seeds]
    for s in seeds:
        if s not in _SEEDS:
            raise ParameterError(f"seeds must be among {_SEEDS}, got {s!r}")
    if fillings is not None and n_sigma is not None:
        raise ParameterError("give n_sigma (one filling) or fillings (several), not both")
    hk = {k: hf_kwargs[k] for k in ("mixing", "tol", "max_iter", "method") if k in hf_kwargs}
    for U in U_values:  # user errors are raised here, not buried in the points
        _check_common(U, kT, n_sigma, hf_kwargs.get("E_F"), hk.get("mixing", 0.5), hk.get("tol", 1e-8),
                      hk.get("max_iter", 500), hk.get("method", "anderson"), None)
    for x in fillings or []:
        _check_common(0.0, kT, x, None, 0.5, 1e-8, 1, "anderson", None)
    fixed_EF = hf_kwargs.get("E_F") is not None
    if fixed_EF and (fillings is not None or n_sigma is not None):
        raise ParameterError("give E_F (fixed chemical potential) or n_sigma/fillings, not both")
    fills = [float(x) for x in fillings] if fillings is not None else [None if n_sigma is None else float(n_sigma)]
    if fixed_EF:
        mesh = mesh_shape(model, mesh if mesh is not None else DEFAULT_MESH[model.terms.dimension])
    elif None in fills:
        # the model's own filling, made explicit so every point carries it
        g = _Grid(model, mesh)
        own = g.filling_pm(0.0, check_kT(kT))
        fills = [own if x is None else x for x in fills]
        mesh = g.mesh
    else:
        mesh = mesh_shape(model, mesh if mesh is not None else DEFAULT_MESH[model.terms.dimension])
    if constrain not in (None, "seed", "AM", "FM", "PM"):
        raise ParameterError(f"constrain must be None, 'seed', 'AM', 'FM' or 'PM', got {constrain!r}")
    md = model.as_dict()
    items = []
    for ns in fills:
        for s in seeds:
            c = s if constrain == "seed" else constrain
            for U in U_values:
                items.append({"model": md, "U": U, "seed": s, "n_sigma": ns,
                              "kwargs": {"kT": kT, "mesh": mesh, "constrain": c, **hf_kwargs}})
    points: list = [None] * len(items)
    with get_executor(1 if workers is None else workers, scheduler) as ex:
        for i, rec in ex.imap_unordered(_sweep_job, items, progress=progress, desc="Hartree-Fock"):
            if isinstance(rec, BaseException):
                it = items[i]
                rec = {"U": it["U"], "seed": it["seed"], "n_sigma_target": it["n_sigma"], "converged": False,
                       "m1": None, "m2": None, "m_AM": None, "m_FM": None, "order_parameter": None,
                       "state": None, "free_energy": None, "error": f"{type(rec).__name__}: {rec}"}
            points[i] = rec
    inputs = {"model": model.name, "params": dict(model.params), "mu": model.mu, "J_input": model.J,
              "kT": kT, "mesh": list(mesh), "fillings": fills, "seeds": seeds, "constrain": constrain,
              "U_values": U_values, **{k: v for k, v in hf_kwargs.items()}}
    return HFSweep(U_values=U_values, seeds=seeds, fillings=fills, points=points, inputs=inputs,
                   threshold=threshold)


# ---------------------------------------------------------------------------------- critical U
@dataclass
class HartreeFockOnset:
    """Onset of one HF channel: ``U_c`` (eV) bracketed to ``U_tol``; ``evaluations``: (U, |m|) visited."""

    seed: str
    U_c: float
    bracket: tuple
    threshold: float
    U_tol: float
    n_sigma: float
    kT: float
    mesh: tuple
    constrain: str | None
    evaluations: list
    branch: str = "pm"

    def as_dict(self) -> dict:
        return {"branch": self.branch, "seed": self.seed, "U_c": self.U_c, "bracket": list(self.bracket), "threshold": self.threshold,
                "U_tol": self.U_tol, "n_sigma": self.n_sigma, "kT": self.kT, "mesh": list(self.mesh),
                "constrain": self.constrain, "evaluations": self.evaluations}


def critical_U_hf(model: TwoSublatticeModel, seed: str = "AM", *, n_sigma: float | None = None,
                  kT: float = 0.01, mesh=None, threshold: float = 1e-3, U_tol: float = 1e-3,
                  U_bracket: tuple | None = None, constrain: str | None = "seed", branch: str = "pm",
                  **hf_kwargs) -> HartreeFockOnset:
    """Onset U of the ``seed`` channel ('AM' or 'FM'): the smallest U with |m| > ``threshold``, by bisection.

    ``branch='pm'`` (default): every U starts from a tiny seed (|m| = 1e-4) next to the paramagnet, so the onset
    is where the paramagnet becomes unstable in that channel — the linearised HF condition
    m_a = U Σ_b χ⁰_ab m_b, i.e. the q = 0 RPA U_c of the same mesh, kT and filling. ``branch='ordered'``
    follows the ordered solution down from large U (warm starts): for a first-order onset it ends lower
    (hysteresis; the difference is the width of the metastable window).
    ``constrain='seed'`` (default) enforces the channel's symmetry at every step, so the FM onset is found
    even where the paramagnet is already AM-unstable (spec §8). Without ``U_bracket`` the upper end starts at a
    quarter of the band width and doubles (up to 8 band widths). Accuracy: bisection to ``U_tol``; since
    m ∝ sqrt(U − U_c) in mean field, the threshold adds ≈ threshold²/a² (a ≈ 0.5 eV^-1/2 for RuO2: < 1e-5 eV).
    """
    seed = str(seed).upper()
    if seed not in ("AM", "FM"):
        raise ParameterError(f"seed must be 'AM' or 'FM' for critical_U_hf, got {seed!r}")
    if branch not in ("pm", "ordered"):
        raise ParameterError(f"branch must be 'pm' or 'ordered', got {branch!r}")
    c = seed if constrain == "seed" else constrain
    kT = check_kT(kT)
    grid = _Grid(model, mesh)
    ns = grid.filling_pm(0.0, kT) if n_sigma is None else float(n_sigma)
    evals: list = []
    amp = 1e-4 if branch == "pm" else None

    def order(U, initial=None):
        kw = dict(n_sigma=ns, kT=kT, seed=seed, seed_amplitude=amp, constrain=c, _grid=grid, **hf_kwargs)
        try:
            r = hartree_fock(model, U, _initial=initial, **kw)
        except HartreeFockNotConverged:
            try:
                r = hartree_fock(model, U, _initial=initial,
                                 **{**kw, "max_iter": 4 * hf_kwargs.get("max_iter", 500), "mixing": 0.2})
            except HartreeFockNotConverged as exc:
                # only near a spinodal (saddle-node "ghost"): classify by the last iterate, flag it
                m1, m2 = exc.last["m1"], exc.last["m2"]
                m = abs(0.5 * (m1 - m2)) if seed == "AM" else abs(0.5 * (m1 + m2))
                evals.append({"U": U, "m": m, "iterations": exc.iterations, "converged": False})
                return m, None
        m = abs(r.m_AM) if seed == "AM" else abs(r.m_FM)
        evals.append({"U": U, "m": m, "iterations": r.iterations, "converged": True})
        return m, r

    width = grid.emax - grid.emin
    if U_bracket is not None:
        lo, hi = (float(x) for x in U_bracket)
        if not 0 <= lo < hi:
            raise ParameterError(f"U_bracket must be (lo, hi) with 0 ≤ lo < hi, got {U_bracket!r}")
        m_hi, r_hi = order(hi)
        if m_hi <= threshold or r_hi is None:
            raise ParameterError(f"no {seed} order at the upper end U = {hi:g} of U_bracket (|m| = {m_hi:.3g})")
        if order(lo)[0] > threshold:
            raise ParameterError(f"already {seed}-ordered at the lower end U = {lo:g} of U_bracket")
    else:
        lo, hi = 0.0, 0.25 * width
        while True:
            m_hi, r_hi = order(hi)
            if m_hi > threshold and r_hi is not None:
                break
            lo = hi
            hi *= 2
            if hi > 8 * width:
                raise ParameterError(f"no {seed} order up to U = {lo:g} eV (8× the band width)")
    warm = (r_hi.fields, r_hi.E_F)
    while hi - lo > U_tol:
        mid = 0.5 * (lo + hi)
        m, r = order(mid, warm if branch == "ordered" else None)
        if m > threshold:
            hi = mid
            if r is not None:
                warm = (r.fields, r.E_F)
        else:
            lo = mid
    return HartreeFockOnset(seed=seed, U_c=0.5 * (lo + hi), bracket=(lo, hi), threshold=threshold, U_tol=U_tol,
                     n_sigma=ns, kT=kT, mesh=grid.mesh, constrain=c, evaluations=evals, branch=branch)


# ---------------------------------------------------------------------------------------- plots
def plot_order_parameter(sweep: HFSweep, path, title: str | None = None) -> Path:
    """Order parameter vs U (one line per seed and filling; open symbols = non-converged gaps). Returns path."""
    from altermag.response.plotting import pyplot, save_figure

    plt = pyplot()

    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    styles = {"AM": ("-", "o"), "FM": ("--", "s"), "PM": (":", "^")}
    cmap = plt.get_cmap("viridis")
    nf = len(sweep.fillings)
    for j, ns in enumerate(sweep.fillings):
        color = cmap(0.15 + 0.7 * j / max(nf - 1, 1)) if nf > 1 else None
        for s in sweep.seeds:
            U, m = sweep.curve(s, ns)
            ls, mk = styles.get(s, ("-", "o"))
            lab = f"{s} seed" + (f", n_σ = {ns:.3f}" if nf > 1 else "")
            ax.plot(U, m, ls=ls, marker=mk, ms=3.5, color=color if color is not None else
                    ("C0" if s == "AM" else "C3"), label=lab)
    ax.set_xlabel("U (eV)")
    ax.set_ylabel("order parameter |m| per site, m = (n↑ − n↓)/2")
    ax.set_title(title or f"Hartree-Fock: {sweep.inputs.get('model', '')}, kT = {sweep.inputs.get('kT')} eV")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return save_figure(fig, path, dpi=120)


def tour_figures(out) -> dict:
    """Small RuO2 HF sweep (AM and FM seeds, 24³ grid): one PNG in ``out`` and the key numbers (≤ 15 s)."""
    from altermag.models import preset

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model = preset("RuO2")
    U = np.linspace(1.5, 3.5, 21)
    sw = hf_sweep(model, U, seeds=("AM", "FM"), kT=0.01, mesh=24, progress=False)
    png = plot_order_parameter(sw, out / "hf_order_parameter_RuO2.png",
                               title="RuO2 Hartree-Fock (24³ grid, kT = 0.01 eV)")
    uc = sw.U_c()
    return {"figure": png.name, "model": "RuO2", "mesh": 24, "kT": 0.01, "n_sigma": sw.fillings[0],
            "U_c": uc, "AM_before_FM": (uc["AM"] is not None and (uc["FM"] is None or uc["AM"] < uc["FM"])),
            "n_failed": sw.as_dict()["n_failed"]}
