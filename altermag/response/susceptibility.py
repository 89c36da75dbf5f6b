"""Bare (Lindhard) susceptibility χ⁰ of the paramagnetic two-sublattice models (spec §5.1-§5.2, §8).

What is computed
----------------
The static bare susceptibility of the paramagnetic normal state, **per spin** (both spins identical), in
sublattice space with the index placement of Graser et al. (spec §5.2)::

    χ⁰_{l1l2l3l4}(q, z) = −(1/N) Σ_{k,μν} a^{l4}_μ(k) a^{l2}_μ(k) a^{l1}_ν(k+q) a^{l3}_ν(k+q)
                                      · [f(E_ν(k+q)) − f(E_μ(k))] / (E_ν(k+q) − E_μ(k) − z)

with z = 0 (static; degenerate pairs E_ν = E_μ take the limit −f′), z = iν_m (bosonic Matsubara) or
z = ω + iη (retarded). a^l_μ are the (real) eigenvectors of the spinless block ε₀ + t_x τ_x + t_z τ_z in the
**site gauge** of the models (Bloch basis e^{ik·r_site}); k + q is evaluated directly, never wrapped.
Energies in eV, χ⁰ in states / (eV · site · spin); q and k in fractional reciprocal coordinates
(paper's q = 2π q_frac, so ``q_over_pi = 2 q_frac``).

* :func:`bare_susceptibility` — direct sum over the Γ-centred k grid for any set of q (vectorised over k,
  chunked over q).
* :func:`chi0_full_grid` — χ⁰(q) for every q of the grid at once: FFT convolution in (r, τ) with the compact
  intermediate-representation (IR) basis of ``sparse_ir``. G(k, τ) is taken in closed form at the IR τ
  sampling points, transformed to the periodic gauge (H(k+G) = H(k)) so the k-grid FFT is legitimate,
  χ(r, τ) = −G(r, τ) G(−r, −τ) is formed component-wise and reduced to ν = 0 with the IR quadrature
  (fit to the bosonic basis, evaluate at ν = 0); the site gauge is restored at the end. Equal to the direct sum
  on the same grid to ~1e-10.
* :func:`band_decomposition_q0` — the analytic q → 0 band-basis form (Eq. 16): FM and AM channels split into
  intraband and interband parts.

Which q a grid point means: point (i, j, l) of :func:`chi0_full_grid` is q = (i/n1, j/n2, l/n3) ∈ [0, 1)³,
exactly as the direct sum with that q. Other representatives differ for the inter-sublattice components:
χ⁰_{l1l2l3l4}(q + G) = e^{−2πi G·(r_{l1} − r_{l3})} χ⁰_{l1l2l3l4}(q); for the density block χ⁰_{aabb} this is
χ⁰_12(q + G) = e^{2πi G·d} χ⁰_12(q) with d = r_2 − r_1 (spec §8), and χ⁰_11, χ⁰_22 are periodic.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from altermag.core.errors import ParameterError
from altermag.response.normal_state import (check_kT, default_mesh, fermi_level, k_mesh, mesh_shape, minus_df,
                                            occupation, paramagnetic, spinless_bands, spinless_coefficients)

__all__ = ["NormalState", "Chi0Result", "Chi0Grid", "BandDecomposition", "normal_state", "bare_susceptibility",
           "chi0_full_grid", "band_decomposition_q0", "channels", "ir_static_weights", "gauge_phase_sign",
           "chi_along_path", "plot_chi_path"]

log = logging.getLogger(__name__)

#: Index tuples of the density block M_ab = χ⁰_{aabb}.
DENSITY = ((0, 0, 0, 0), (0, 0, 1, 1), (1, 1, 0, 0), (1, 1, 1, 1))


# ------------------------------------------------------------------------------------------- normal state
@dataclass
class NormalState:
    """The paramagnetic normal state on a k grid: the common input of χ⁰ (energies in eV).

    ``E_F`` is relative to the model's own μ (E = 0); ``n_sigma`` is the filling (electrons per spin per site)
    at that E_F on this grid; ``dropped`` lists J/SOC values set to 0 (:func:`normal_state.paramagnetic`).
    """

    model: object
    mesh: tuple
    kT: float
    E_F: float
    n_sigma: float
    dropped: dict
    k: np.ndarray          # (n1, n2, n3, 3) fractional
    E: np.ndarray          # (n1, n2, n3, 2) relative to E_F
    a: np.ndarray          # (n1, n2, n3, 2, 2) site-gauge eigenvectors a[..., l, μ]

    @property
    def N(self) -> int:
        return int(np.prod(self.mesh))

    def inputs(self) -> dict:
        m = self.model
        return {"model": m.name, "params": dict(m.params), "J": m.J, "mu": m.mu,
                "mu_convention": (m.info or {}).get("mu_convention"), "mesh": list(self.mesh), "kT": self.kT,
                "E_F": self.E_F, "n_sigma": self.n_sigma, "dropped": dict(self.dropped),
                "units": {"energy": "eV", "kT": "eV", "chi": "states/(eV site spin)", "q": "fractional"}}

    def bands_at(self, kq: np.ndarray):
        """(E − E_F, a) at arbitrary fractional k (evaluated directly, no wrapping)."""
        eps0, tx, tz = spinless_coefficients(self.model, kq)
        E, a = spinless_bands(eps0, tx, tz)
        return E - self.E_F, a


def normal_state(model, *, mesh=None, kT: float = 0.01, n_sigma: float | None = None,
                 E_F: float | None = None) -> NormalState:
    """Paramagnetic normal state of ``model`` on the Γ-centred ``mesh`` at temperature ``kT`` (eV).

    The Fermi level: ``n_sigma`` (electrons per spin per site) if given, else ``E_F`` (eV relative to the
    model's μ), else E_F = 0. Both given → ParameterError.
    """
    kT = check_kT(kT)
    if n_sigma is not None and E_F is not None:
        raise ParameterError(f"give n_sigma or E_F, not both (n_sigma={n_sigma!r}, E_F={E_F!r})")
    if E_F is not None and not np.isfinite(float(E_F)):
        raise ParameterError(f"E_F must be a finite energy (eV), got {E_F!r}")
    pm, dropped = paramagnetic(model, warn=False)
    shape = mesh_shape(pm, default_mesh(pm) if mesh is None else mesh)
    k = k_mesh(pm, shape)
    eps0, tx, tz = spinless_coefficients(pm, k)
    E, a = spinless_bands(eps0, tx, tz)
    if n_sigma is not None:
        ef = fermi_level(E, n_sigma, kT)
    else:
        ef = 0.0 if E_F is None else float(E_F)
    ns = float(occupation(E - ef, kT).mean())
    return NormalState(pm, shape, kT, float(ef), ns, dropped, k, E - ef, a)


# ------------------------------------------------------------------------------------------- direct sum
class _DensityChannels:
    """``M`` (density block χ⁰_{aabb}, (..., 2, 2)) and ``channels()`` (bare FM/AM, Eqs. 23-24) of a ``chi``
    tensor (..., 2, 2, 2, 2); shared by :class:`Chi0Result` and :class:`Chi0Grid`."""

    chi: np.ndarray

    @property
    def M(self) -> np.ndarray:
        """Density block M_ab(q) = χ⁰_{aabb}(q), shape (..., 2, 2)."""
        return density_block(self.chi)

    def channels(self) -> dict:
        """Bare FM and AM channels (Eqs. 23-24 with χ⁰) and χ11, χ22, χ12: arrays over q."""
        return channels(self.M)


@dataclass
class Chi0Result(_DensityChannels):
    """χ⁰ at a list of q: ``q`` (nq, 3) fractional, ``chi`` (nq, 2, 2, 2, 2) complex (per spin),
    ``z`` the complex frequency (0 = static), ``state`` the normal state used."""

    q: np.ndarray
    chi: np.ndarray
    z: complex
    state: NormalState
    method: str = "direct"

    def as_dict(self) -> dict:
        return {"q": self.q, "q_over_pi": 2 * self.q, "z": [self.z.real, self.z.imag], "method": self.method,
                "chi_real": self.chi.real, "chi_imag": self.chi.imag,
                "M": self.M.real, **{f"chi0_{k}": v.real for k, v in self.channels().items()},
                "inputs": self.state.inputs()}


def density_block(chi: np.ndarray) -> np.ndarray:
    """M_ab = χ_{aabb} from a (..., 2, 2, 2, 2) tensor → (..., 2, 2)."""
    chi = np.asarray(chi)
    M = np.empty(chi.shape[:-4] + (2, 2), chi.dtype)
    for a in range(2):
        for b in range(2):
            M[..., a, b] = chi[..., a, a, b, b]
    return M


def channels(M: np.ndarray) -> dict:
    """FM / AM channel projections of a density block M (..., 2, 2) (Eqs. 23-24, prefactor ½):
    FM = ½ Σ_ab M_ab, AM = ½ Σ_ab (τ_z)_aa (τ_z)_bb M_ab; also χ11, χ22, χ12."""
    M = np.asarray(M)
    return {"FM": 0.5 * (M[..., 0, 0] + M[..., 1, 1] + M[..., 0, 1] + M[..., 1, 0]),
            "AM": 0.5 * (M[..., 0, 0] + M[..., 1, 1] - M[..., 0, 1] - M[..., 1, 0]),
            "chi11": M[..., 0, 0], "chi22": M[..., 1, 1], "chi12": M[..., 0, 1]}


def _frequency(omega, eta, matsubara, kT) -> complex:
    z = 0j
    if matsubara is not None:
        if omega is not None:
            raise ParameterError("give omega (real frequency) or matsubara (index m), not both")
        z = 2j * np.pi * int(matsubara) * kT
    elif omega is not None:
        if eta is None or eta <= 0:
            raise ParameterError(f"real frequency omega={omega!r} needs a broadening eta > 0 (eV), got {eta!r}")
        z = complex(float(omega), float(eta))
    return z


def _logcosh(y):
    y = np.abs(y)
    return y + np.log1p(np.exp(-2.0 * y)) - np.log(2.0)


def _pair_factor(E1, E2, z, kT):
    """F = [f(E2) − f(E1)] / (E2 − E1 − z) (eV⁻¹).

    Static case (z = 0) in the cancellation-free form f(a) − f(b) = −½ sinh(x) / (cosh(a/2T) cosh(b/2T)),
    x = (a − b)/2T, so F = −(1/4T) · [sinh(x)/x] / (cosh(a/2T) cosh(b/2T)); degenerate pairs E1 = E2 give the
    limit f′(E) = −(−f′) smoothly, and nothing overflows.
    """
    if z != 0:
        f1, f2 = occupation(E1, kT), occupation(E2, kT)
        return (f2 - f1) / (E2 - E1 - z)
    A, B = 0.5 * np.asarray(E2, float) / kT, 0.5 * np.asarray(E1, float) / kT
    x = A - B
    ax = np.abs(x)
    lcc = _logcosh(A) + _logcosh(B)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        small = ax <= 1.0
        s_small = np.where(ax == 0, 1.0, np.sinh(np.where(small, x, 0.0)) / np.where(ax == 0, 1.0, x))
        big = np.exp(np.where(small, 0.0, ax + np.log1p(-np.exp(-2.0 * np.maximum(ax, 1.0))) - np.log(2.0) - lcc)
                     ) / np.where(small, 1.0, ax)
        F = np.where(small, s_small * np.exp(-lcc), big)
    return -F / (4.0 * kT)


def _as_q(q) -> np.ndarray:
    q = np.asarray(q, float)
    if q.ndim == 1:
        q = q[None, :]
    if q.ndim != 2 or q.shape[1] not in (2, 3):
        raise ParameterError(f"q must have shape (3,) or (nq, 3) (fractional), got {np.shape(q)}")
    if q.shape[1] == 2:
        q = np.concatenate([q, np.zeros((len(q), 1))], axis=1)
    if not np.all(np.isfinite(q)):
        raise ParameterError("q contains non-finite values")
    return q


def bare_susceptibility(model, q, *, mesh=None, kT: float = 0.01, n_sigma: float | None = None,
                        E_F: float | None = None, omega: float | None = None, eta: float | None = None,
                        matsubara: int | None = None, method: str = "direct", state: NormalState | None = None,
                        chunk: int = 2_000_000, progress: bool = False) -> Chi0Result:
    """χ⁰_{l1l2l3l4}(q) by the direct Lindhard sum over the Γ-centred k grid (spec §5.2 static band form).

    ``q``: (3,) or (nq, 3) fractional (2D models: q_z is ignored by the model). ``mesh`` int or (n1, n2, n3).
    ``kT`` eV. Fermi level from ``n_sigma`` or ``E_F`` (see :func:`normal_state`). Frequency: static by
    default; ``matsubara=m`` gives z = 2πi m kT; ``omega`` (eV) with ``eta`` > 0 gives z = ω + iη.
    ``method``: "direct" (only one; the full grid uses :func:`chi0_full_grid`). ``state`` reuses a
    :class:`NormalState`. Returns :class:`Chi0Result` with ``chi`` (nq, 2, 2, 2, 2) per spin.
    """
    if method != "direct":
        raise ParameterError(f"method must be 'direct' (use chi0_full_grid for the whole grid), got {method!r}")
    st = state if state is not None else normal_state(model, mesh=mesh, kT=kT, n_sigma=n_sigma, E_F=E_F)
    kT = st.kT
    z = _frequency(omega, eta, matsubara, kT)
    q = _as_q(q)
    if st.model.terms.dimension == 2:
        q = q.copy()
        q[:, 2] = 0.0
    k = st.k.reshape(-1, 3)
    N = len(k)
    E1 = st.E.reshape(N, 2)
    a1 = st.a.reshape(N, 2, 2)
    # P[k, μ, l4, l2] = a^{l4}_μ a^{l2}_μ  → (N, 2, 4) with pair index p = 2*l4 + l2
    a1t = np.swapaxes(a1, -1, -2)                                  # [k, μ, l]
    P = (a1t[..., :, None] * a1t[..., None, :]).reshape(N, 2, 4)
    out = np.empty((len(q), 2, 2, 2, 2), complex)
    per = max(1, int(chunk // max(N, 1)))
    idx = range(0, len(q), per)
    if progress:
        from altermag.core.progress import progress as _prog

        idx = _prog(idx, total=len(idx), desc="chi0 direct")
    for s in idx:
        qc = q[s:s + per]
        kq = k[None, :, :] + qc[:, None, :]
        E2, a2 = st.bands_at(kq)                                   # (nc, N, 2), (nc, N, 2, 2)
        F = _pair_factor(E1[None, :, :, None], E2[:, :, None, :], z, kT)   # (nc, N, μ, ν)
        a2t = np.swapaxes(a2, -1, -2)                              # [c, k, ν, l]
        Q = (a2t[..., :, None] * a2t[..., None, :]).reshape(len(qc), N * 2, 4)   # pair r = 2*l1 + l3
        T = F[..., 0, :, None] * P[None, :, 0, None, :] + F[..., 1, :, None] * P[None, :, 1, None, :]
        T = T.reshape(len(qc), N * 2, 4)                           # (nc, N·ν, 4[l4 l2])
        chi = -np.matmul(np.swapaxes(Q, 1, 2), T) / N              # [c, (l1 l3), (l4 l2)]  (BLAS)
        chi = chi.reshape(len(qc), 2, 2, 2, 2)                     # [c, l1, l3, l4, l2]
        out[s:s + per] = np.transpose(chi, (0, 1, 4, 2, 3))        # → [c, l1, l2, l3, l4]
    return Chi0Result(q, out, z, st, "direct")


# ------------------------------------------------------------------------------------------ IR / FFT grid
_IR_CACHE_DIR = Path(os.environ.get("ALTERMAG_CACHE", Path.home() / ".cache" / "altermag")) / "sparse_ir"


@functools.lru_cache(maxsize=16)
def _ir_unit_weights(lambda_: float, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Dimensionless IR τ points x_i ∈ (0, 1) and weights w_i with ∫₀^β χ(τ) dτ ≈ β Σ w_i χ(β x_i) for any
    bosonic χ(τ) whose spectrum lies within |ω| ≤ Λ/β (sparse_ir ``FiniteTempBasis('B', β=1, ωmax=Λ, eps)``,
    ``TauSampling`` fit, evaluated at ν = 0). Cached in memory and on disk (``$ALTERMAG_CACHE``)."""
    key = f"B_L{lambda_:.6g}_eps{eps:.1e}.npz"
    path = _IR_CACHE_DIR / key
    if path.exists():
        try:
            d = np.load(path)
            return d["x"], d["w"]
        except Exception:  # noqa: BLE001 - a damaged cache file is recomputed
            log.warning("ignoring damaged IR cache %s", path)
    import sparse_ir

    basis = sparse_ir.FiniteTempBasis("B", 1.0, float(lambda_), eps)
    smpl = sparse_ir.TauSampling(basis)
    fit = smpl.fit(np.eye(len(smpl.tau)))                      # (L, n_tau)
    uhat0 = basis.uhat(np.array([0]))[:, 0]                     # (L,)
    w = np.real(uhat0 @ fit)
    x = np.asarray(smpl.tau, float)
    try:  # atomic, so parallel sweep workers never read a half-written file
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, x=x, w=w)
        os.replace(tmp, path)
    except OSError as exc:
        log.info("IR basis not cached (%s); it is rebuilt next time", exc)
    return x, w


def _ladder(lam: float) -> float:
    """Λ rounded up to 10·2^j (so a few cached IR bases serve every temperature and bandwidth)."""
    lam = max(float(lam), 1.0)
    return float(10.0 * 2.0 ** np.ceil(np.log2(lam / 10.0))) if lam > 10 else 10.0


def ir_static_weights(beta: float, wmax: float, eps: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """IR τ points (0 < τ < β) and weights for χ(ν = 0) = ∫₀^β χ(τ) dτ ≈ Σ w_i χ(τ_i) of a bosonic function
    with spectral width ≤ ``wmax`` (eV); Λ = β ωmax is rounded up to a coarse ladder so bases are reused."""
    x, w = _ir_unit_weights(_ladder(beta * wmax), float(eps))
    return beta * x, beta * w


def gauge_phase_sign(model) -> int:
    """s = ±1 such that h_per(k) = D h_site(k) D†, D = diag(e^{2πi s k·r_l}), is periodic under k → k + G."""
    r = np.asarray(model.terms.sites, float)
    rng = np.random.default_rng(0)
    k = rng.random((4, 3))
    if model.terms.dimension == 2:
        k[:, 2] = 0.0
    Gs = np.eye(3)[: model.terms.dimension]

    def h(kk):
        e, tx, tz = spinless_coefficients(model, kk)
        return np.stack([np.stack([e + tz, tx], -1), np.stack([tx, e - tz], -1)], -2).astype(complex)

    for s in (1, -1):
        def hp(kk, s=s):
            D = np.exp(2j * np.pi * s * (kk @ r.T))
            return D[..., :, None] * h(kk) * D[..., None, :].conj()
        if all(np.abs(hp(k + G) - hp(k)).max() < 1e-9 * max(1.0, np.abs(h(k)).max()) for G in Gs):
            return s
    raise ParameterError(f"model {model.name!r}: no periodic gauge diag(e^(±ik·r)) found for the sites "
                         f"{r.tolist()}; the FFT method needs one (use bare_susceptibility)")


@dataclass
class Chi0Grid(_DensityChannels):
    """χ⁰ on the whole q grid (= the k grid). ``chi`` (n1, n2, n3, 2, 2, 2, 2) complex per spin; grid point
    (i, j, l) is q = (i/n1, j/n2, l/n3) (see the module docstring for other representatives). Components not
    computed (``components="density"``) are NaN."""

    q: np.ndarray
    chi: np.ndarray
    state: NormalState
    components: str
    ir: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        ch = self.channels()
        return {"q_grid_shape": list(self.q.shape[:3]), "components": self.components, "ir": self.ir,
                "M_real": self.M.real, **{f"chi0_{k}": v.real for k, v in ch.items()},
                "inputs": self.state.inputs()}


def _G_tau(E, a, tau, beta):
    """Closed-form G_{ll'}(k, τ) = −Σ_μ a^l_μ a^{l'}_μ e^{−E_μ τ} (1 − f(E_μ)), 0 < τ < β. E (..., 2),
    a (..., 2, 2) → (..., 2, 2)."""
    g = np.exp(-E * tau - np.logaddexp(0.0, -beta * E))      # e^{−Eτ} f(−E), stable
    return -np.einsum("...xm,...ym,...m->...xy", a, a, g)


def chi0_full_grid(model, *, mesh=None, kT: float = 0.01, n_sigma: float | None = None,
                   E_F: float | None = None, eps: float = 1e-10, components: str = "all",
                   state: NormalState | None = None, progress: bool = False) -> Chi0Grid:
    """Static χ⁰(q) on every q of the k grid by FFT convolution in (r, τ) with the sparse-ir IR basis.

    χ⁰_{l1l2l3l4}(q) = Σ_i w_i (1/N) Σ_k G^site_{l4l2}(k, β−τ_i) e^{−2πi s k·(r_{l1}−r_{l3})} G^per_{l1l3}(k+q, τ_i)
    · e^{−2πi s q·(r_{l1}−r_{l3})}, with G^per = D G^site D† periodic in k (so the k sum is a cyclic
    correlation done by FFT) and (τ_i, w_i) the IR quadrature of ∫₀^β dτ (:func:`ir_static_weights`; ``eps``
    is the IR accuracy). ``components``: "all" (16) or "density" (the 4 χ⁰_{aabb} needed by RPA; 4× faster).
    Equals :func:`bare_susceptibility` with q = (i/n1, j/n2, l/n3) to ~eps.
    """
    if components not in ("all", "density"):
        raise ParameterError(f"components must be 'all' or 'density', got {components!r}")
    st = state if state is not None else normal_state(model, mesh=mesh, kT=kT, n_sigma=n_sigma, E_F=E_F)
    beta = 1.0 / st.kT
    shape = st.mesh
    r = np.asarray(st.model.terms.sites, float)
    s = gauge_phase_sign(st.model)
    wmax = float(st.E.max() - st.E.min()) * 1.02 + 1e-3
    tau, w = ir_static_weights(beta, wmax, eps)
    k = st.k
    D = np.exp(2j * np.pi * s * (k @ r.T))                        # (n1, n2, n3, 2)
    # which (l1 l3 | l4 l2) combinations: index tensor [l1, l2, l3, l4]
    combos = [(l1, l2, l3, l4) for l1 in range(2) for l2 in range(2) for l3 in range(2) for l4 in range(2)]
    if components == "density":
        combos = list(DENSITY)
    bpairs = sorted({(c[0], c[2]) for c in combos})              # (l1, l3) periodic factors at k + q
    apairs = sorted({(c[3], c[1], c[0], c[2]) for c in combos})  # (l4, l2, l1, l3) phased factors at k
    ph = {(l1, l3): np.exp(-2j * np.pi * s * (k @ (r[l1] - r[l3]))) for l1 in range(2) for l3 in range(2)}
    acc = {c: np.zeros(shape, complex) for c in combos}
    it = range(len(tau))
    if progress:
        from altermag.core.progress import progress as _prog

        it = _prog(it, total=len(tau), desc="chi0 IR/FFT")
    axes = (0, 1, 2)
    for i in it:
        Gt = _G_tau(st.E, st.a, tau[i], beta)                     # site gauge, τ_i
        Gb = _G_tau(st.E, st.a, beta - tau[i], beta)              # site gauge, β − τ_i
        FB = {}
        for (l1, l3) in bpairs:
            Gper = D[..., l1] * Gt[..., l1, l3] * D[..., l3].conj()
            FB[(l1, l3)] = np.fft.fftn(Gper, axes=axes)
        IA = {}
        for (l4, l2, l1, l3) in apairs:
            IA[(l4, l2, l1, l3)] = np.fft.ifftn(Gb[..., l4, l2] * ph[(l1, l3)], axes=axes)
        for c in combos:
            l1, l2, l3, l4 = c
            acc[c] += w[i] * FB[(l1, l3)] * IA[(l4, l2, l1, l3)]
    chi = np.full(shape + (2, 2, 2, 2), np.nan, complex)
    qgrid = k.copy()
    for c in combos:
        l1, l2, l3, l4 = c
        val = np.fft.ifftn(acc[c], axes=axes)   # = (1/N) Σ_k A(k) B(k+q)
        chi[(Ellipsis,) + c] = val * np.exp(-2j * np.pi * s * (qgrid @ (r[l1] - r[l3])))
    ir = {"eps": eps, "n_tau": int(len(tau)), "lambda_needed": float(beta * wmax),
          "lambda_basis": _ladder(beta * wmax), "wmax_eV": wmax, "gauge_sign": s}
    return Chi0Grid(qgrid, chi, st, components, ir)


# ------------------------------------------------------------------------------------- Eq. 16 diagnostic
@dataclass
class BandDecomposition:
    """Eq. 16: bare FM and AM channels at q → 0 (channel normalisation ½ Σ, per spin, states/(eV site)),
    split into intraband and interband parts."""

    FM_intra: float
    FM_inter: float
    AM_intra: float
    AM_inter: float
    state: NormalState

    @property
    def FM(self) -> float:
        return self.FM_intra + self.FM_inter

    @property
    def AM(self) -> float:
        return self.AM_intra + self.AM_inter

    def as_dict(self) -> dict:
        return {"FM": self.FM, "AM": self.AM, "FM_intra": self.FM_intra, "FM_inter": self.FM_inter,
                "AM_intra": self.AM_intra, "AM_inter": self.AM_inter,
                "interband_fraction_AM": self.AM_inter / self.AM if self.AM else float("nan"),
                "U_c_q0": {"AM": 1.0 / self.AM if self.AM > 0 else float("inf"),
                           "FM": 1.0 / self.FM if self.FM > 0 else float("inf")},
                "inputs": self.state.inputs()}


def band_decomposition_q0(model, *, mesh=None, kT: float = 0.01, n_sigma: float | None = None,
                          E_F: float | None = None, state: NormalState | None = None) -> BandDecomposition:
    """Analytic q → 0 static χ⁰ in the band basis (spec Eqs. 11-16), per spin and site::

        FM = (1/2N) Σ_{k,n} (−f′(E_n))                                  (intraband only)
        AM = (1/2N) Σ_k [ (t_z²/|t|²)(−f′(E_+) − f′(E_−)) − 2 (t_x²/|t|²)(f(E_+) − f(E_−))/(E_+ − E_−) ]
               └──────────── intraband ────────────┘  └────────────── interband ──────────────┘

    Equal to ½ Σ_ab (±)χ⁰_{aabb}(q = 0) of :func:`bare_susceptibility`; U_c^{FM,AM}(q=0) = 1/FM, 1/AM.
    """
    st = state if state is not None else normal_state(model, mesh=mesh, kT=kT, n_sigma=n_sigma, E_F=E_F)
    eps0, tx, tz = spinless_coefficients(st.model, st.k)
    t2 = tx ** 2 + tz ** 2
    deg = t2 < 1e-24
    cz = np.where(deg, 1.0, tz ** 2 / np.where(deg, 1.0, t2))
    cx = 1.0 - cz
    mdf = minus_df(st.E, st.kT)                                   # (…, 2)
    N2 = 2.0 * st.N
    FM_intra = float(mdf.sum() / N2)
    inter = -2.0 * _pair_factor(st.E[..., 0], st.E[..., 1], 0, st.kT)  # −2 (f+ − f−)/(E+ − E−) ≥ 0
    AM_intra = float((cz * mdf.sum(-1)).sum() / N2)
    AM_inter = float((cx * inter).sum() / N2)
    return BandDecomposition(FM_intra, 0.0, AM_intra, AM_inter, st)


# ----------------------------------------------------------------------------------------- paths, plots
def chi_along_path(model, *, mesh=None, kT: float = 0.01, n_sigma=None, E_F=None, density: float = 20.0,
                   path=None, state: NormalState | None = None) -> dict:
    """Bare χ⁰ channels along the model's labelled path (``altermag.models.analysis.paper_path``), direct sum.

    Returns {"x", "ticks", "labels", "q" (fractional), "FM", "AM", "chi11", "chi22", "chi12", "inputs"}."""
    from altermag.models.analysis import paper_path

    st = state if state is not None else normal_state(model, mesh=mesh, kT=kT, n_sigma=n_sigma, E_F=E_F)
    kp = path if path is not None else paper_path(st.model, density=density)
    res = bare_susceptibility(st.model, kp.k_frac, state=st)
    ch = {k: v.real for k, v in res.channels().items()}
    return {"x": np.asarray(kp.x), "ticks": list(np.asarray(kp.ticks, float)), "labels": list(kp.labels),
            "q": np.asarray(kp.k_frac), **ch, "inputs": st.inputs()}


def plot_chi_path(data: dict, path, title: str | None = None) -> Path:
    """Plot χ⁰ channels (FM, AM, χ11, χ12) along a path (``chi_along_path`` output) to a PNG."""
    from altermag.response.plotting import pyplot, save_figure

    plt = pyplot()

    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for key, st in (("AM", "-"), ("FM", "-"), ("chi11", "--"), ("chi12", ":")):
        ax.plot(data["x"], data[key], st, label={"chi11": "χ⁰₁₁", "chi12": "χ⁰₁₂"}.get(key, f"χ⁰_{key}"))
    for t in data["ticks"]:
        ax.axvline(t, color="0.8", lw=0.6)
    ax.set_xticks(data["ticks"])
    ax.set_xticklabels(data["labels"])
    ax.set_xlim(data["x"][0], data["x"][-1])
    ax.set_ylabel("χ⁰ (states / eV / site / spin)")
    ax.set_xlabel("q along the path")
    ax.legend(fontsize=8, ncol=4)
    ax.set_title(title or data["inputs"]["model"])
    return save_figure(fig, path, dpi=120)
