"""Steady-state Keldysh NEGF exchange field of a driven s-d strip between two leads (spec §1.3, §6).

Model
-----
The device is an :class:`~altermag.dynamics.models.SDModel` on a square ``SpinLattice(..., periodic_x=False)``
(open along the transport direction x, periodic along y; site index ``i = x + Lx*y``)::

    H_C = − Σ t_ij c†_i c_j − J Σ_i S_i · c†_i σ c_i (+ Σ_i V_i n_i)

with classical unit spins S_i. Two non-magnetic, spin-degenerate leads are attached: lead L to column
x = 0 and lead R to column x = Lx − 1. Energies in units of t1, ħ = e = k_B = 1.

* Bias V: μ_L = μ + V/2, μ_R = μ − V/2 (μ = ``model.mu``); electron temperature T = ``model.temperature`` (> 0)
  in both leads.
* ``leads="square"``: semi-infinite square-lattice leads of the same width Ly, periodic in y, hopping
  ``lead_hopping`` t_L (default t1), zero on-site energy, coupled to the edge column by −t_c (``coupling``,
  default t1) site by site. Per transverse mode k_y = 2πm/Ly the lead surface Green's function is the
  semi-infinite chain result g(w) = (w − √(w−2t_L)√(w+2t_L))/(2t_L²), w = z − ε_m, ε_m = −2t_L cos k_y
  (principal roots: the product has its cut on [−2t_L, 2t_L] only, and Im g < 0 for Im z > 0). Σ = t_c² g.
* ``leads="wide-band"``: Σ = −iΓ/2 on every orbital of the edge column (Γ = ``gamma``), energy independent.

Method
------
G^R(z) = [z − H_C − Σ_L(z) − Σ_R(z)]^{-1} by the recursive Green's function method over the Lx columns
(slice = one column, M = 2Ly orbitals, orbital order (y, spin)), batched over energies (numpy
``linalg.inv``/``matmul`` on (nE, M, M) arrays). The one-particle density matrix is split as

    ρ = ρ_eq(μ_min) + (1/2π) ∫ dε G^R Γ_c G^A [f_c(ε) − f_min(ε)],

with μ_min = min(μ_L, μ_R) and c the lead with the higher chemical potential. ρ_eq is the complex-contour
integral (i/2π)(X − X†), X = ∫ f_min(ε) G^R(ε) dε, closed in the upper half plane by a semicircle from E_B
(below the whole spectrum) to E_∞ = μ_min + δ (δ ≥ 40T) plus the Fermi poles z_n = μ + iπT(2n+1) inside it,
ρ_eq = (i/2π)(Y − Y†) + T Σ_n [G(z_n) + G(z_n)†], Y = ∫_arc f G dz. The radius is chosen so that the arc crosses
Re z = μ midway between two poles. This fills every state below μ, including bound states outside the lead
band (at J = 3 the spin-up band of a FM region reaches −7, below the lead band [−4, 4]). The bias-window term is
integrated on the real axis over [μ_min − 40T, μ_max + 40T] (split at the lead-mode band edges and μ_L, μ_R;
each segment smoothstep-mapped to remove the square-root band-edge singularities). Both integrals use vectorised
adaptive Gauss–Kronrod (7/15) quadrature with interval bisection and the QUADPACK error estimate per interval;
the error of a part is max over all sites and components of (n_i, s_i) of the summed interval estimates. The sum
of both parts must be below ``tol`` (absolute error of the spin density); the meshes of the last call are reused
as the starting meshes of the next one, and lead self-energies are cached per node set.

Outputs
-------
⟨s_i⟩ = Tr_σ[σ ρ_ii], n_i = Tr_σ ρ_ii, field H_i = J⟨s_i⟩ (full vector; not a gradient for V ≠ 0; the
energy is NaN). Currents in units of (e/h)·t1, i.e. I = ∫ dε (...) with energies in t1 (ħ = e = 1: e/h = 1/2π),
positive for electrons flowing from the lead into the device.
"""

from __future__ import annotations

import math
import time
import warnings
from collections import OrderedDict

import numpy as np
from scipy.special import expit

from altermag.core.errors import ParameterError
from altermag.dynamics.lattice import SpinLattice
from altermag.dynamics.models import SDModel, _check_spins

__all__ = ["NEGFCalculator", "surface_green_function", "wall_configuration", "chain_surface_g",
           "LEAD_KINDS"]

LEAD_KINDS = ("square", "wide-band")

# Gauss–Kronrod 7/15 nodes on [-1, 1]
_XGK = np.array([-0.991455371120812639206854697526329, -0.949107912342758524526189684047851,
                 -0.864864423359769072789712788640926, -0.741531185599394439863864773280788,
                 -0.586087235467691130294144845693013, -0.405845151377397166906606412076961,
                 -0.207784955007898467600689403773245, 0.0,
                 0.207784955007898467600689403773245, 0.405845151377397166906606412076961,
                 0.586087235467691130294144845693013, 0.741531185599394439863864773280788,
                 0.864864423359769072789712788640926, 0.949107912342758524526189684047851,
                 0.991455371120812639206854697526329])
_WGK = np.array([0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
                 0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
                 0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
                 0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
                 0.204432940075298892414161999234649, 0.190350578064785409913256402421014,
                 0.169004726639267902826583426598550, 0.140653259715525918745189590510238,
                 0.104790010322250183839876322541518, 0.063092092629978553290700663189204,
                 0.022935322010529224963732008058970])
_WG7 = np.zeros(15)
_WG7[[1, 3, 5, 7, 9, 11, 13]] = [0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                                 0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
                                 0.381830050505118944950369775488975, 0.279705391489276667901467771423780,
                                 0.129484966168869693270611432679082]


# ====================================================================== leads
def chain_surface_g(z, t: float = 1.0) -> np.ndarray:
    """Surface Green's function of a semi-infinite tight-binding chain with hopping −t and zero on-site energy.

    g(z) = (z − √(z−2t)·√(z+2t)) / (2t²) with principal square roots: the product has its branch cut on
    [−2t, 2t] only, g → 1/z at large |z| and Im g < 0 for Im z > 0 (retarded). Real z inside the band are
    taken as z + i0.
    """
    z = np.asarray(z, dtype=complex) + 0.0j  # turn -0.0 imaginary parts into +0.0
    t = float(abs(t))
    s = np.sqrt(z - 2 * t) * np.sqrt(z + 2 * t)
    return (z - s) / (2 * t * t)


def surface_green_function(energies, ly: int, lead_hopping: float = 1.0) -> np.ndarray:
    """Surface Green's function (nE, Ly, Ly) of a semi-infinite square-lattice lead of width ``ly``.

    The lead is a stack of rings (periodic in y, hopping −t_L) coupled by −t_L along x. Each transverse mode
    k_y = 2πm/Ly with energy ε_m = −2t_L cos k_y decouples, g_m(z) = ``chain_surface_g(z − ε_m, t_L)``, and
    g_{yy'} = (1/Ly) Σ_m e^{ik_m(y−y')} g_m. ``energies`` may be complex (retarded branch for Im z ≥ 0).
    """
    ly = int(ly)
    if ly < 1:
        raise ParameterError(f"ly={ly}: must be a positive integer")
    if not np.isfinite(lead_hopping) or lead_hopping == 0:
        raise ParameterError(f"lead_hopping={lead_hopping}: must be a finite non-zero number")
    z = np.atleast_1d(np.asarray(energies, dtype=complex))
    k = 2 * np.pi * np.arange(ly) / ly
    eps = -2.0 * abs(lead_hopping) * np.cos(k)
    if ly == 2:  # the ring of two sites has both bonds between the same pair: hopping −2t_L
        eps = np.array([-2.0, 2.0]) * abs(lead_hopping)
    gm = chain_surface_g(z[:, None] - eps[None, :], lead_hopping)  # (nE, Ly)
    y = np.arange(ly)
    U = np.exp(1j * np.outer(y, k)) / np.sqrt(ly)  # (Ly, Ly), U[y, m]
    return np.einsum("ym,em,xm->eyx", U, gm, U.conj())


def wall_configuration(lattice: SpinLattice, x_wall: float, af_left: bool = True) -> np.ndarray:
    """AF|FM interface: Néel antiferromagnet (±z checkerboard) for x < ``x_wall`` and ferromagnet (+z) for
    x ≥ ``x_wall`` (``af_left=False`` swaps the sides). Returns unit spins (N, 3)."""
    x, y = lattice.coords[:, 0], lattice.coords[:, 1]
    neel = np.where((x + y) % 2 == 0, 1.0, -1.0)
    left = x < x_wall
    sz = np.where(left, neel, 1.0) if af_left else np.where(left, 1.0, neel)
    s = np.zeros((lattice.n_sites, 3))
    s[:, 2] = sz
    return s


def _fermi_complex(z, mu: float, T: float) -> np.ndarray:
    x = (np.asarray(z, complex) - mu) / T
    out = np.empty_like(x)
    pos = x.real > 0
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(-x[pos])
        out[pos] = e / (1.0 + e)
        out[~pos] = 1.0 / (1.0 + np.exp(x[~pos]))
    return out


def _fermi_real(e, mu: float, T: float) -> np.ndarray:
    return expit(-(np.asarray(e, float) - mu) / T)


def _herm_to_real(P: np.ndarray) -> np.ndarray:
    """Hermitian site blocks (..., 2, 2) (P[b, a] = ⟨c†_a c_b⟩ layout) → (..., 4) = (n, s_x, s_y, s_z)."""
    out = np.empty(P.shape[:-2] + (4,))
    out[..., 0] = (P[..., 0, 0] + P[..., 1, 1]).real
    out[..., 1] = 2 * P[..., 1, 0].real
    out[..., 2] = 2 * P[..., 1, 0].imag
    out[..., 3] = (P[..., 0, 0] - P[..., 1, 1]).real
    return out


# ====================================================================== adaptive quadrature
def _mesh_from_points(pts) -> np.ndarray:
    """Contiguous intervals (m, 2) between the sorted unique points (near-duplicates merged)."""
    pts = np.unique(np.asarray(pts, float))
    keep = np.concatenate([[True], np.diff(pts) > 1e-12 * max(1.0, float(np.abs(pts).max()))])
    pts = pts[keep]
    return np.stack([pts[:-1], pts[1:]], 1)


def _adaptive_gk(fun, intervals: np.ndarray, tol: float, max_evals: int, n_err: int | None = None):
    """Vectorised adaptive Gauss–Kronrod 7/15 quadrature of a vector-valued function.

    ``fun(x)`` maps nodes (n,) to values (n, K) (real). ``intervals`` (m, 2) is the starting mesh. Intervals are
    bisected (those carrying the largest error first, all new nodes evaluated in one call) until the error estimate
    max_k Σ_intervals err_k (over the first ``n_err`` components; err the QUADPACK qk15 estimate per interval) is
    ≤ ``tol`` or ``max_evals`` would be exceeded. Returns (integral (K,), error estimate, n_evals, final intervals, per-component error (K,),
    converged).
    """
    iv = np.asarray(intervals, float).reshape(-1, 2)

    def evaluate(iv):
        mid = 0.5 * (iv[:, 0] + iv[:, 1])
        half = 0.5 * (iv[:, 1] - iv[:, 0])
        x = mid[:, None] + half[:, None] * _XGK[None, :]
        vals = fun(x.ravel()).reshape(len(iv), 15, -1)
        K = half[:, None] * np.einsum("n,mnk->mk", _WGK, vals)
        G = half[:, None] * np.einsum("n,mnk->mk", _WG7, vals)
        # QUADPACK (qk15) error estimate: resasc·min(1, (200|K−G|/resasc)^1.5), resasc = ∫|f − mean f|
        mean = K / np.where(half > 0, 2 * half, 1.0)[:, None]
        resasc = half[:, None] * np.einsum("n,mnk->mk", _WGK, np.abs(vals - mean[:, None, :]))
        d = np.abs(K - G)
        with np.errstate(divide="ignore", invalid="ignore"):
            err = np.where(resasc > 0, resasc * np.minimum(1.0, (200 * d / resasc) ** 1.5), d)
        return K, np.maximum(err, 50 * np.finfo(float).eps * np.abs(K))

    K, E = evaluate(iv)
    n_evals = 15 * len(iv)
    nerr = K.shape[1] if n_err is None else n_err
    converged = True
    while True:
        tot_k = E[:, :nerr].sum(axis=0)  # error bound of every component
        total = float(tot_k.max())
        if total <= tol:
            break
        # rank intervals by their error in the components that still exceed tol/2
        err_i = E[:, :nerr][:, tot_k > 0.5 * tol].max(axis=1)
        order = np.argsort(err_i)[::-1]
        rest = err_i.sum() - np.cumsum(err_i[order])
        k = int(np.searchsorted(-rest, -0.5 * tol)) + 1  # smallest k with rest[k-1] <= tol/2
        k = min(max(k, 1), len(iv))
        if n_evals + 30 * k > max_evals:
            converged = False
            break
        split = order[:k]
        keep = np.setdiff1d(np.arange(len(iv)), split)
        a, b = iv[split, 0], iv[split, 1]
        m = 0.5 * (a + b)
        new = np.concatenate([np.stack([a, m], 1), np.stack([m, b], 1)])
        Kn, En = evaluate(new)
        n_evals += 15 * len(new)
        iv = np.concatenate([iv[keep], new])
        K = np.concatenate([K[keep], Kn])
        E = np.concatenate([E[keep], En])
    order = np.argsort(iv[:, 0])
    iv = iv[order]
    return K.sum(0), float(E[:, :nerr].sum(axis=0).max()), n_evals, iv, E.sum(0), converged


def coarsen_mesh(intervals: np.ndarray, floor: np.ndarray | None = None) -> np.ndarray:
    """Merge adjacent pairs of equally long intervals (an undone bisection) once, left to right.

    A reused adaptive mesh is coarsened this way before each new evaluation, so that refinement follows features
    that move between configurations (an LLG run) instead of accumulating every interval ever needed. Intervals of
    ``floor`` (the starting mesh) are never merged across their boundaries.
    """
    iv = np.asarray(intervals, float).reshape(-1, 2)
    if len(iv) < 2:
        return iv
    bounds = set() if floor is None else set(np.asarray(floor, float).ravel().tolist())
    out = []
    j = 0
    while j < len(iv):
        if j + 1 < len(iv):
            a, b = iv[j], iv[j + 1]
            la, lb = a[1] - a[0], b[1] - b[0]
            if a[1] == b[0] and abs(la - lb) <= 1e-12 * max(abs(la), 1e-300) and a[1] not in bounds:
                out.append((a[0], b[1]))
                j += 2
                continue
        out.append(tuple(iv[j]))
        j += 1
    return np.array(out)


# ====================================================================== calculator
class NEGFCalculator:
    """Non-equilibrium exchange field H_i = J⟨s_i⟩ of a biased s-d strip (see the module docstring).

    Parameters
    ----------
    model : SDModel on a square ``SpinLattice(..., periodic_x=False)``, grand canonical (``mu`` given) with
        ``temperature`` > 0 (electron temperature, units of t1). Its on-site potential is included.
    bias : V (units of t1/e); μ_L = μ + V/2 (lead at x = 0), μ_R = μ − V/2 (lead at x = Lx − 1).
    leads : "square" (semi-infinite square-lattice leads) or "wide-band" (Σ = −iΓ/2 on the edge columns).
    gamma : Γ of the wide-band leads.
    lead_hopping, coupling : t_L and the device–lead hopping t_c of the square leads (default ``model.t1``).
    tol : target absolute error of the spin density (sum of the contour and bias-window error estimates).
    max_energies : maximum number of energy points per field evaluation; when exhausted a RuntimeWarning is
        issued (``on_fail="warn"``) or a ParameterError raised (``on_fail="raise"``).
    window : half-width of the Fermi tails kept, in units of T (default 40: f = e^{-40} ≈ 4e-18 beyond).
    reuse_mesh : start each evaluation from the adaptive meshes of the previous one (fast in LLG loops).
    """

    method = "negf"

    def __init__(self, model: SDModel, bias: float = 0.0, leads: str = "square", gamma: float = 1.0,
                 lead_hopping: float | None = None, coupling: float | None = None, tol: float = 1e-6,
                 max_energies: int = 200_000, window: float = 40.0, reuse_mesh: bool = True,
                 on_fail: str = "warn", chunk_mb: float = 256.0):
        if not isinstance(model, SDModel):
            raise ParameterError(f"model={model!r}: NEGFCalculator needs an SDModel")
        lat = model.lattice
        if lat.kind != "square":
            raise ParameterError(f"lattice kind={lat.kind!r}: the NEGF strip needs a 'square' SpinLattice")
        if lat.periodic_x:
            raise ParameterError("lattice periodic_x=True: the NEGF device must be open along x "
                                 "(SpinLattice('square', Lx, Ly, periodic_x=False)) so that leads can be attached")
        if model.filling is not None or model.mu is None:
            raise ParameterError(f"model filling={model.filling}: NEGF is grand canonical; build the model with "
                                 "mu=... (e.g. SDModel(lattice, J=3, mu=-2.41, temperature=0.05))")
        if not (np.isfinite(model.temperature) and model.temperature > 0):
            raise ParameterError(f"model temperature={model.temperature}: the NEGF contour needs an electron "
                                 "temperature > 0 (e.g. temperature=0.05)")
        if leads not in LEAD_KINDS:
            raise ParameterError(f"leads={leads!r}: must be one of {LEAD_KINDS}")
        for name, v in (("bias", bias), ("gamma", gamma), ("tol", tol)):
            if not np.isfinite(v):
                raise ParameterError(f"{name}={v}: must be finite")
        if leads == "wide-band" and not gamma > 0:
            raise ParameterError(f"gamma={gamma}: the wide-band coupling Γ must be > 0")
        if not tol > 0:
            raise ParameterError(f"tol={tol}: must be > 0")
        if int(max_energies) < 100:
            raise ParameterError(f"max_energies={max_energies}: must be >= 100")
        if on_fail not in ("warn", "raise"):
            raise ParameterError(f"on_fail={on_fail!r}: 'warn' or 'raise'")
        self.model = model
        self.lattice = lat
        self.bias = float(bias)
        self.leads = leads
        self.gamma = float(gamma)
        self.lead_hopping = float(model.t1 if lead_hopping is None else lead_hopping)
        self.coupling = float(model.t1 if coupling is None else coupling)
        if leads == "square":
            if not (np.isfinite(self.lead_hopping) and self.lead_hopping != 0):
                raise ParameterError(f"lead_hopping={lead_hopping}: must be finite and non-zero")
            if not np.isfinite(self.coupling):
                raise ParameterError(f"coupling={coupling}: must be finite")
        self.tol = float(tol)
        self.max_energies = int(max_energies)
        self.window = float(window)
        self.reuse_mesh = bool(reuse_mesh)
        self.on_fail = on_fail
        self.chunk_mb = float(chunk_mb)

        self.mu = float(model.mu)
        self.T = float(model.temperature)
        self.mu_L = self.mu + 0.5 * self.bias
        self.mu_R = self.mu - 0.5 * self.bias
        self.mu_min = min(self.mu_L, self.mu_R)
        self.mu_max = max(self.mu_L, self.mu_R)
        self.Lx, self.Ly = lat.L, lat.Ly
        self.M = 2 * self.Ly
        self._setup_slices()
        self._setup_contour()
        self._sigma_cache: OrderedDict = OrderedDict()
        self._mesh: dict = {}
        self.last: dict = {}
        self.n_evaluations = 0

    # ---------------------------------------------------------------- set-up
    def __repr__(self) -> str:
        extra = f", gamma={self.gamma}" if self.leads == "wide-band" else \
            f", lead_hopping={self.lead_hopping}, coupling={self.coupling}"
        return (f"NEGFCalculator({self.model!r}, bias={self.bias}, leads={self.leads!r}{extra}, "
                f"tol={self.tol:g})")

    def params(self) -> dict:
        """The inputs (JSON-serialisable)."""
        return {"method": "negf", "model": self.model.params(), "bias": self.bias, "leads": self.leads,
                "gamma": self.gamma, "lead_hopping": self.lead_hopping, "coupling": self.coupling,
                "tol": self.tol, "max_energies": self.max_energies, "window": self.window,
                "mu_L": self.mu_L, "mu_R": self.mu_R}

    def _setup_slices(self):
        m, Lx, Ly = self.model, self.Lx, self.Ly
        h = m.hopping_matrix().tocoo()
        N = self.lattice.n_sites
        x = np.arange(N) % Lx
        dx = np.abs(x[h.row] - x[h.col])
        if np.any(dx > 1):
            raise ParameterError("the model couples columns more than one apart (t3 != 0?): the recursive "
                                 "Green's function needs couplings between neighbouring columns only")
        hd = np.zeros((Lx, Ly, Lx, Ly))
        ys = np.arange(N) // Lx
        np.add.at(hd, (x[h.row], ys[h.row], x[h.col], ys[h.col]), h.data)
        I2 = np.eye(2)
        self._H0 = np.stack([np.kron(hd[c, :, c, :], I2) for c in range(Lx)]).astype(complex)
        self._V = np.stack([np.kron(hd[c, :, c + 1, :], I2) for c in range(Lx - 1)]).astype(complex) \
            if Lx > 1 else np.zeros((0, self.M, self.M), complex)
        # scalar couplings V_x = v I (nearest-neighbour square lattice): cheaper recursion
        self._vscal = None
        if Lx > 1:
            d = np.array([self._V[c, 0, 0] for c in range(Lx - 1)])
            if np.allclose(self._V, d[:, None, None] * np.eye(self.M)[None], atol=0, rtol=0):
                self._vscal = d

    def _setup_contour(self):
        m = self.model
        if self.leads == "square":
            bound = max(m.spectral_bound() + abs(self.coupling), 4 * abs(self.lead_hopping) + abs(self.coupling))
            self.E_B = -bound - 0.5
        else:
            # the Lorentzian tails below E_B are added to second order in 1/E_B (``_wide_band_tail``); the third-order
            # remainder ~ Γ·bound²/(6π|E_B|³) is kept below tol/10
            bound = m.spectral_bound()
            self.E_B = -max(4.0 * (bound + 1.0), (self.gamma * bound ** 2 / (0.6 * math.pi * self.tol)) ** (1 / 3))
        mu, T = self.mu_min, self.T
        if mu <= self.E_B + 1e-9:
            raise ParameterError(f"mu={mu}: below every state (lower spectral bound {self.E_B:.3g})")
        n_p = max(1, math.ceil(math.sqrt(self.window * T * (mu - self.E_B)) / (2 * math.pi * T)))
        h = 2 * math.pi * T * n_p
        self.n_poles = n_p
        self.E_inf = mu + h * h / (mu - self.E_B)
        self._c = 0.5 * (self.E_B + self.E_inf)
        self._R = 0.5 * (self.E_inf - self.E_B)
        self.poles = mu + 1j * math.pi * T * (2 * np.arange(n_p) + 1)
        # real-axis bias window and breakpoints at the lead mode band edges
        lo, hi = self.mu_min - self.window * T, self.mu_max + self.window * T
        self._win = (lo, hi)
        edges = []
        if self.leads == "square":
            k = 2 * np.pi * np.arange(self.Ly) / self.Ly
            tl = abs(self.lead_hopping)
            eps = -2 * tl * np.cos(k)
            edges = np.concatenate([eps - 2 * tl, eps + 2 * tl])
        pts = np.unique(np.concatenate([[lo, hi], [e for e in edges if lo < e < hi],
                                        [c for c in (self.mu_min, self.mu_max) if lo < c < hi]]))
        # the window is integrated in a variable t ∈ [0, K]: segment k (between consecutive breakpoints, which include
        # every lead-mode band edge and μ_L, μ_R) is mapped by ε = a + (b − a)(3u² − 2u³), u = t − k, whose Jacobian
        # 6u(1 − u)(b − a) vanishes at the breakpoints and smooths the square-root band-edge singularities
        self._win_pts = _mesh_from_points(np.concatenate([pts, np.linspace(lo, hi, 9)]))
        K = len(self._win_pts)
        tk = np.linspace(0, K, 2 * K + 1)
        self._win_init = np.stack([tk[:-1], tk[1:]], 1)
        th = np.linspace(0, np.pi, 17)
        # cluster the starting arc mesh near Re z = μ
        th_mu = math.acos(np.clip((self._c - mu) / self._R, -1, 1))
        th = np.unique(np.concatenate([th, th_mu + np.array([-0.2, -0.05, 0.0, 0.05, 0.2])]))
        th = th[(th >= 0) & (th <= np.pi)]
        self._arc_init = np.stack([th[:-1], th[1:]], 1)

    # ---------------------------------------------------------------- self-energies
    def _sigma(self, z: np.ndarray) -> np.ndarray:
        """Lead self-energy of one edge column (nE, M, M) in the slice basis (y, spin); both leads are equal."""
        if self.leads == "wide-band":
            return np.broadcast_to(-0.5j * self.gamma * np.eye(self.M), (len(z), self.M, self.M))
        key = z.tobytes()
        hit = self._sigma_cache.get(key)
        if hit is not None:
            self._sigma_cache.move_to_end(key)
            return hit
        g = surface_green_function(z, self.Ly, self.lead_hopping) * self.coupling ** 2
        S = np.zeros((len(z), self.Ly, 2, self.Ly, 2), complex)
        S[:, :, 0, :, 0] = g
        S[:, :, 1, :, 1] = g
        S = S.reshape(len(z), self.M, self.M)
        self._sigma_cache[key] = S
        if len(self._sigma_cache) > 32:
            self._sigma_cache.popitem(last=False)
        return S

    def lead_self_energy(self, energies) -> np.ndarray:
        """Σ^R(ε) of one lead on its edge column (nE, 2Ly, 2Ly), orbital order (y, spin)."""
        return np.array(self._sigma(np.atleast_1d(np.asarray(energies, complex))))

    # ---------------------------------------------------------------- slices
    def _slices(self, spins) -> np.ndarray:
        s = _check_spins(spins, self.lattice.n_sites)
        Hs = self._H0.copy()
        blk = self.model._local_blocks(s).reshape(self.Ly, self.Lx, 2, 2)
        ar = np.arange(self.Ly)
        view = Hs.reshape(self.Lx, self.Ly, 2, self.Ly, 2)
        view[:, ar, :, ar, :] += blk
        return Hs

    def _chunk(self) -> int:
        per = self.Lx * self.M * self.M * 16 * 3
        return max(1, int(self.chunk_mb * 2 ** 20 / per))

    def _forward(self, z, Hs, Vs, vsc, SigA, SigB):
        """Left-connected Green's functions g[x] (list of (n, M, M)); Σ_A on slice 0, Σ_B on the last slice."""
        M, Lx = self.M, len(Hs)
        zI = z[:, None, None] * np.eye(M)[None]
        g = []
        for x in range(Lx):
            A = zI - Hs[x]
            if x == 0:
                A = A - SigA
            else:
                if vsc is not None:
                    A = A - (abs(vsc[x - 1]) ** 2) * g[-1]
                else:
                    V = Vs[x - 1]
                    A = A - V.conj().T @ g[-1] @ V
            if x == Lx - 1:
                A = A - SigB
            g.append(np.linalg.inv(A))
        return g

    def _diag_blocks(self, z, Hs):
        """Site-diagonal 2×2 blocks of G^R(z): (n, N, 2, 2) in site order."""
        out = []
        for a in range(0, len(z), self._chunk()):
            zc = z[a:a + self._chunk()]
            Sig = self._sigma(zc)
            g = self._forward(zc, Hs, self._V, self._vscal, Sig, Sig)
            Lx, Ly = self.Lx, self.Ly
            ar = np.arange(Ly)
            blocks = np.empty((len(zc), Lx, Ly, 2, 2), complex)
            G = g[-1]
            blocks[:, -1] = G.reshape(len(zc), Ly, 2, Ly, 2)[:, ar, :, ar, :].transpose(1, 0, 2, 3)
            for x in range(Lx - 2, -1, -1):
                if self._vscal is not None:
                    G = g[x] + abs(self._vscal[x]) ** 2 * (g[x] @ G @ g[x])
                else:
                    V = self._V[x]
                    G = g[x] + g[x] @ V @ G @ V.conj().T @ g[x]
                blocks[:, x] = G.reshape(len(zc), Ly, 2, Ly, 2)[:, ar, :, ar, :].transpose(1, 0, 2, 3)
            out.append(blocks.transpose(0, 2, 1, 3, 4).reshape(len(zc), Lx * Ly, 2, 2))
        return np.concatenate(out)

    def _gamma_factor(self, Sig):
        """Γ = i(Σ − Σ†) = W W† with W (n, M, r): eigen-decomposition, only the r open channels kept."""
        Gam = 1j * (Sig - np.conj(np.swapaxes(Sig, -1, -2)))
        w, U = np.linalg.eigh(Gam)
        w = np.clip(w, 0.0, None)
        keep = w.max(axis=0) > 1e-13 * max(float(w.max()), 1e-300)
        if not keep.any():
            keep[-1] = True
        return Gam, U[:, :, keep] * np.sqrt(w[:, None, keep])

    def _column(self, z, Hs, from_left: bool):
        """C_x = G_{x,c} W (n, Lx, M, r) for the lead column c (0 if ``from_left`` else Lx−1) in true x order,
        the edge block G_{c,c} (n, M, M), Γ (n, M, M) and its factor W (Γ = W W†)."""
        Sig = self._sigma(z)
        Gam, W = self._gamma_factor(Sig)
        if from_left:  # mirror the chain so that column c becomes the last slice
            Hr = Hs[::-1]
            Vr = np.conj(np.transpose(self._V[::-1], (0, 2, 1)))
            vsc = None if self._vscal is None else np.conj(self._vscal[::-1])
        else:
            Hr, Vr, vsc = Hs, self._V, self._vscal
        g = self._forward(z, Hr, Vr, vsc, Sig, Sig)
        Lx = self.Lx
        cols = np.empty((len(z), Lx) + W.shape[1:], complex)
        Gcc = g[-1]
        C = Gcc @ W
        cols[:, Lx - 1] = C
        for x in range(Lx - 2, -1, -1):
            if vsc is not None:
                C = vsc[x] * (g[x] @ C)
            else:
                C = g[x] @ (Vr[x] @ C)
            cols[:, x] = C
        if from_left:
            cols = cols[:, ::-1]
        return cols, Gcc, Gam, W

    # ---------------------------------------------------------------- integrands
    def _arc_integrand(self, Hs):
        c, R, mu, T = self._c, self._R, self.mu_min, self.T

        def fun(theta):
            z = c - R * np.cos(theta) + 1j * R * np.sin(theta)
            dz = R * (np.sin(theta) + 1j * np.cos(theta))
            w = (_fermi_complex(z, mu, T) * dz)[:, None, None, None]
            F = w * self._diag_blocks(z, Hs)
            P = (1j / (2 * np.pi)) * (F - np.conj(np.swapaxes(F, -1, -2)))
            return _herm_to_real(P).reshape(len(z), -1)
        return fun

    def _window_integrand(self, Hs):
        from_left = self.mu_L > self.mu_R
        mu_c = self.mu_max
        mu_o = self.mu_min
        T, Lx, Ly = self.T, self.Lx, self.Ly
        c_idx = 0 if from_left else Lx - 1
        o_idx = Lx - 1 - c_idx

        seg = self._win_pts

        def fun(t):
            k = np.clip(np.floor(t).astype(int), 0, len(seg) - 1)
            u = t - k
            a_k, w_k = seg[k, 0], seg[k, 1] - seg[k, 0]
            e = a_k + w_k * u * u * (3 - 2 * u)
            n = len(e)
            df = (_fermi_real(e, mu_c, T) - _fermi_real(e, mu_o, T)) * (6 * u * (1 - u) * w_k)
            out = np.zeros((n, 4 * self.lattice.n_sites + 2))
            step = self._chunk()
            for a in range(0, n, step):
                ec = e[a:a + step]
                nc = len(ec)
                cols, Gcc, Gam, W = self._column(ec.astype(complex), Hs, from_left)
                C = cols.reshape(nc, Lx, Ly, 2, -1)
                c0, c1 = C[..., 0, :], C[..., 1, :]
                P = np.empty((nc, Lx, Ly, 2, 2), complex)
                P[..., 0, 0] = np.einsum("nxyk,nxyk->nxy", c0, c0.conj())
                P[..., 1, 1] = np.einsum("nxyk,nxyk->nxy", c1, c1.conj())
                P[..., 1, 0] = np.einsum("nxyk,nxyk->nxy", c1, c0.conj())
                P[..., 0, 1] = P[..., 1, 0].conj()
                P = P * (df[a:a + nc] / (2 * np.pi))[:, None, None, None, None]
                vals = _herm_to_real(P).transpose(0, 2, 1, 3).reshape(nc, -1)  # site order i = x + Lx*y
                WH = np.conj(np.swapaxes(W, -1, -2))
                X = WH @ Gcc @ W
                t_mw = -2 * np.einsum("nij,nji->n", Gam, Gcc).imag - np.sum(np.abs(X) ** 2, axis=(1, 2))
                Y = WH @ cols[:, o_idx]
                t_ls = np.sum(np.abs(Y) ** 2, axis=(1, 2))
                out[a:a + nc, :-2] = vals
                out[a:a + nc, -2] = df[a:a + nc] * t_mw   # current from lead c into the device (Meir–Wingreen)
                out[a:a + nc, -1] = -df[a:a + nc] * t_ls  # current from lead o into the device
            return out
        return fun

    # ---------------------------------------------------------------- public API
    def density_matrix_blocks(self, spins) -> dict:
        """Local observables of one configuration: ``density`` (N,), ``spin_density`` (N, 3), currents, errors."""
        t0 = time.perf_counter()
        Hs = self._slices(spins)
        N = self.lattice.n_sites
        has_window = self.mu_max > self.mu_min
        tol_arc = 0.5 * self.tol if has_window else self.tol
        budget = self.max_energies - self.n_poles
        # equilibrium part: arc + Fermi poles
        start = self._mesh.get("arc") if self.reuse_mesh else None
        start = None if start is None else coarsen_mesh(start, self._arc_init)
        res = _adaptive_gk(self._arc_integrand(Hs), start if start is not None else self._arc_init,
                           tol_arc, budget if not has_window else budget // 2)
        q_arc, err_arc, n_arc, mesh_arc, _, ok_arc = res
        self._mesh["arc"] = mesh_arc
        Gp = self._diag_blocks(self.poles, Hs)
        Pp = self.T * (Gp + np.conj(np.swapaxes(Gp, -1, -2))).sum(0)
        q_eq = q_arc.reshape(N, 4) + _herm_to_real(Pp)
        if self.leads == "wide-band":
            q_eq = q_eq + self._wide_band_tail(Hs)
        err_win, n_win, ok_win = 0.0, 0, True
        I_c = I_o = 0.0
        cur_err = 0.0
        q = q_eq
        if has_window:
            start = self._mesh.get("window") if self.reuse_mesh else None
            start = self._win_init if start is None else coarsen_mesh(start, self._win_init)
            res = _adaptive_gk(self._window_integrand(Hs), start,
                               self.tol - err_arc if err_arc < 0.5 * self.tol else 0.5 * self.tol,
                               self.max_energies - n_arc - self.n_poles, n_err=4 * N)
            q_win, err_win, n_win, mesh_win, e_comp, ok_win = res
            self._mesh["window"] = mesh_win
            q = q_eq + q_win[:-2].reshape(N, 4)
            I_c, I_o = float(q_win[-2]), float(q_win[-1])
            cur_err = float(max(e_comp[-2], e_comp[-1]))
        if self.mu_L >= self.mu_R:
            I_L, I_R = I_c, I_o
        else:
            I_L, I_R = I_o, I_c
        err = err_arc + err_win
        converged = ok_arc and ok_win and err <= self.tol
        if not converged:
            msg = (f"NEGF quadrature did not reach tol={self.tol:g} within max_energies={self.max_energies} "
                   f"(error estimate {err:.3g}); raise max_energies or tol")
            if self.on_fail == "raise":
                raise ParameterError(msg)
            warnings.warn(msg, RuntimeWarning, stacklevel=3)
        self.n_evaluations += 1
        out = {"density": q[:, 0].copy(), "spin_density": q[:, 1:].copy(), "current_left": I_L,
               "current_right": I_R, "current_error": cur_err, "error_estimate": err,
               "error_contour": err_arc, "error_window": err_win,
               "n_energies": int(n_arc + self.n_poles + n_win), "n_contour": int(n_arc), "n_poles": self.n_poles,
               "n_window": int(n_win), "converged": bool(converged), "seconds": time.perf_counter() - t0}
        self.last = out
        return out

    def _wide_band_tail(self, Hs) -> np.ndarray:
        """∫_{-∞}^{E_B} A(ε) dε/2π for the wide-band leads, from G ≈ 1/ε + H_eff/ε² + H_eff²/ε³ (edge sites only)."""
        N = self.lattice.n_sites
        tail = np.zeros((N, 2, 2), complex)
        EB = self.E_B
        Ly, Lx = self.Ly, self.Lx
        ar = np.arange(Ly)
        for c in sorted({0, Lx - 1}):
            mult = 2 if (Lx == 1) else 1
            Gm = self.gamma * mult
            h = Hs[c].reshape(Ly, 2, Ly, 2)[ar, :, ar, :]  # (Ly, 2, 2)
            blk = Gm * np.eye(2) / (2 * np.pi * abs(EB)) - Gm * 2 * h / (4 * np.pi * EB ** 2)
            tail[c + Lx * ar] += blk
        return _herm_to_real(tail)

    def observables(self, spins) -> dict:
        """``field`` (N, 3) = J⟨s_i⟩, ``density`` n_i (N,), ``spin_density`` ⟨s_i⟩ (N, 3), ``current_left`` and
        ``current_right`` (electron currents from each lead into the device, units (e/h)·t1; conservation
        I_L = −I_R), ``error_estimate`` (abs. error of the spin density), ``n_energies`` and diagnostics."""
        d = dict(self.density_matrix_blocks(spins))
        d["field"] = self.model.J * d["spin_density"]
        return d

    def energy_and_field(self, spins) -> tuple[float, np.ndarray]:
        """(NaN, H) with H_i = J⟨s_i⟩ (N, 3): out of equilibrium there is no energy."""
        return float("nan"), self.observables(spins)["field"]

    def field(self, spins) -> np.ndarray:
        return self.energy_and_field(spins)[1]

    def energy(self, spins) -> float:
        return float("nan")

    def dense_inverse_green_function(self, energies, spins) -> np.ndarray:
        """Reference G^R(z) = [z − H_C − Σ_L(z) − Σ_R(z)]⁻¹ (n, 2N, 2N) by dense inversion, O(n·N³).

        For checks and benchmarks of the column recursion on small strips; orbital index ``2 i + s``."""
        z = np.atleast_1d(np.asarray(energies, dtype=complex))
        lat = self.lattice
        N, Lx, Ly = lat.n_sites, lat.L, lat.Ly
        H = self.model.hamiltonian_dense(_check_spins(spins, N))
        Sig = self.lead_self_energy(z)
        A = z[:, None, None] * np.eye(2 * N) - H[None]
        for c in (0, Lx - 1):
            idx = np.array([2 * (c + Lx * y) + s for y in range(Ly) for s in range(2)])
            A[:, idx[:, None], idx[None, :]] -= Sig
        return np.linalg.inv(A)

    def transmission(self, energies, spins) -> np.ndarray:
        """Landauer transmission T(ε) = Tr[Γ_L G^R Γ_R G^A] (spin summed) at real energies (nE,)."""
        e = np.atleast_1d(np.asarray(energies, float))
        if not np.all(np.isfinite(e)):
            raise ParameterError("energies: must be finite")
        Hs = self._slices(spins)
        out = []
        for a in range(0, len(e), self._chunk()):
            ec = e[a:a + self._chunk()].astype(complex)
            cols, Gcc, Gam, W = self._column(ec, Hs, from_left=True)
            Y = np.conj(np.swapaxes(W, -1, -2)) @ cols[:, self.Lx - 1]  # W† G_{Lx-1,0} W
            out.append(np.sum(np.abs(Y) ** 2, axis=(1, 2)))
        return np.concatenate(out)

    def landauer_current(self, spins, n_points: int = 4001) -> float:
        """I = ∫ T(ε)[f_L − f_R] dε in units of (e/h)·t1 (trapezoid on a dense uniform grid; a cross-check)."""
        lo, hi = self._win
        e = np.linspace(lo, hi, int(n_points))
        Tr = self.transmission(e, spins)
        df = _fermi_real(e, self.mu_L, self.T) - _fermi_real(e, self.mu_R, self.T)
        y = Tr * df
        return float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(e)))
