"""RPA susceptibility with on-site Hubbard U on both sublattices, channel projections, Stoner analysis and the
critical U of the paramagnet (spec §5.2, Eqs. 19-24, and the per-spin conventions of §8).

Conventions
-----------
* χ⁰ is **per spin** (:mod:`altermag.response.susceptibility`); pair indices (l1 l2), (l3 l4) make 4×4
  matrices (pair p = 2 l1 + l2); Uˢ has only Uˢ_{(aa),(aa)} = U. χ^RPA = [1 − χ⁰Uˢ]⁻¹ χ⁰ (Eq. 20).
* Only the density block M_ab(q) = χ⁰_{aabb}(q) enters the physical channels: M^RPA = (1 − U M)⁻¹ M.
  Channels (Eqs. 23-24, prefactor ½): χ_FM = ½ Σ_ab M^RPA_ab, χ_AM = ½ Σ_ab (τ_z)_aa (τ_z)_bb M^RPA_ab.
* Stoner: U_c(q) = 1/λ_max(M(q)); at q = 0, M = [[A, B], [B, A]] gives U_c^FM = 1/(A + B), U_c^AM = 1/(A − B)
  (per-spin Stoner convention of spec §8; in general λ_FM = v_FM·M·v_FM with v_FM = (1, 1)/√2).
* q: fractional reciprocal coordinates; the reported representative lies in (−½, ½]³ and
  ``q_over_pi = 2 q`` is the paper's unit (q_x = π ↔ q_frac = ½). λ_max, χ11, χ22 and |χ12| do not depend on
  the representative, but the *sign* of χ12 does (χ12(q + G) = e^{2πi G·d} χ12(q)), so the FM/AM character of a
  finite-q mode is stated for the reported representative (mode m_a ∝ v_a e^{iq·(R + r_a)}).
* Character labels: "AM" (eigenvector ≈ (1, −1)/√2), "FM" (≈ (1, 1)/√2), "decoupled-SDW" (χ12 ≈ 0: the two
  sublattices decouple, FM and AM are degenerate and cannot be told apart, e.g. RuO2 on q_z = π), "mixed".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from altermag.core.errors import ParameterError
from altermag.response.susceptibility import (NormalState, bare_susceptibility, channels, chi0_full_grid,
                                              density_block, normal_state)

__all__ = ["stoner_matrix", "rpa_susceptibility", "rpa_channels", "stoner", "StonerResult", "critical_U",
           "CriticalU", "rpa_sweep", "SweepResult", "plot_uc_sweep", "tour_figures", "reduce_q",
           "shift_density_block"]

log = logging.getLogger(__name__)

_V_FM = np.array([1.0, 1.0]) / np.sqrt(2.0)
_V_AM = np.array([1.0, -1.0]) / np.sqrt(2.0)


def stoner_matrix(U: float) -> np.ndarray:
    """Uˢ as a 4×4 matrix over pair indices p = 2 l1 + l2: only Uˢ_{(11),(11)} = Uˢ_{(22),(22)} = U."""
    Us = np.zeros((4, 4))
    Us[0, 0] = Us[3, 3] = float(U)
    return Us


def rpa_susceptibility(chi0, U: float) -> np.ndarray:
    """χ^RPA = [1 − χ⁰Uˢ]⁻¹ χ⁰ for χ⁰ (..., 2, 2, 2, 2) (or a Chi0Result/Chi0Grid), same shape.

    Components of χ⁰ that are NaN (``components="density"`` grids) are propagated as NaN except the density
    block, which only needs M (M^RPA = (1 − U M)⁻¹ M). Past the instability (U ≥ U_c) the result is not a
    physical susceptibility (negative or singular).
    """
    chi = getattr(chi0, "chi", chi0)
    chi = np.asarray(chi, complex)
    if chi.shape[-4:] != (2, 2, 2, 2):
        raise ParameterError(f"chi0 must have trailing shape (2, 2, 2, 2), got {chi.shape}")
    if np.isnan(chi).any():
        M = density_block(chi)
        MR = _rpa_density(M, U)
        out = np.full_like(chi, np.nan)
        for a in range(2):
            for b in range(2):
                out[..., a, a, b, b] = MR[..., a, b]
        return out
    X = chi.reshape(chi.shape[:-4] + (4, 4))
    A = np.eye(4) - X @ stoner_matrix(U)
    return np.linalg.solve(A, X).reshape(chi.shape)


def _rpa_density(M, U):
    M = np.asarray(M, complex)
    return np.linalg.solve(np.eye(2) - U * M, M)


def rpa_channels(chi0, U: float) -> dict:
    """RPA FM / AM channels (Eqs. 23-24) and χ11, χ22, χ12 at interaction U (eV), arrays over q."""
    return channels(density_block(rpa_susceptibility(chi0, U)))


def reduce_q(q) -> np.ndarray:
    """Representative of fractional q in (−½, ½]."""
    q = np.asarray(q, float)
    return q - np.ceil(q - 0.5)


def shift_density_block(M, G, d) -> np.ndarray:
    """M(q + G) from M(q): χ⁰_12(q + G) = e^{2πi G·d} χ⁰_12(q), χ⁰_21 with the conjugate phase, χ⁰_aa periodic
    (d = r_2 − r_1 fractional, G integer vector)."""
    M = np.array(M, complex)
    p = np.exp(2j * np.pi * (np.asarray(G, float) @ np.asarray(d, float)))
    M[..., 0, 1] *= p
    M[..., 1, 0] *= np.conj(p)
    return M


def _reduced(q, M, d):
    """(q in (−½, ½]³, M transformed to that representative)."""
    qr = reduce_q(q)
    return qr, shift_density_block(M, np.round(qr - np.asarray(q, float)), d)


@dataclass
class StonerResult:
    """Stoner analysis of M(q) = χ⁰_{aabb}(q): ``lambda_max`` (states/(eV site spin)), ``U_c`` = 1/λ_max (eV),
    ``eigvec`` (2,) normalised with v₀ ≥ 0, χ11, χ22, χ12, FM/AM overlaps and ``character``."""

    q: np.ndarray
    lambda_max: float
    U_c: float
    eigvec: np.ndarray
    chi11: float
    chi22: float
    chi12: float
    overlap_FM: float
    overlap_AM: float
    character: str

    def as_dict(self) -> dict:
        return {"q": self.q, "q_over_pi": 2 * np.asarray(self.q), "lambda_max": self.lambda_max, "U_c": self.U_c,
                "eigvec": self.eigvec, "chi11": self.chi11, "chi22": self.chi22, "chi12": self.chi12,
                "overlap_FM": self.overlap_FM, "overlap_AM": self.overlap_AM, "character": self.character,
                "dominant": self.dominant}

    @property
    def dominant(self) -> str:
        """'AM' or 'FM': the channel with the larger eigenvector overlap (ties → 'degenerate')."""
        if abs(self.overlap_AM - self.overlap_FM) < 1e-9:
            return "degenerate"
        return "AM" if self.overlap_AM > self.overlap_FM else "FM"


def _character(M: np.ndarray, v: np.ndarray, decoupled_tol: float, pure_tol: float):
    c11, c22, c12 = M[0, 0], M[1, 1], M[0, 1]
    oFM, oAM = float((_V_FM @ v) ** 2), float((_V_AM @ v) ** 2)
    if abs(c12) <= decoupled_tol * max(abs(c11), abs(c22), 1e-300):
        return "decoupled-SDW", oFM, oAM
    if oAM >= pure_tol and v[0] * v[1] < 0:
        return "AM", oFM, oAM
    if oFM >= pure_tol and v[0] * v[1] > 0:
        return "FM", oFM, oAM
    return "mixed", oFM, oAM


def stoner(M, q=None, *, decoupled_tol: float = 1e-6, pure_tol: float = 0.75) -> StonerResult:
    """Stoner analysis of one density block M (2, 2) (real symmetric for the static χ⁰) at q.

    λ_max = largest eigenvalue, U_c = 1/λ_max (inf when λ_max ≤ 0). ``character``: "decoupled-SDW" when
    |χ12| ≤ ``decoupled_tol`` · max|χ_aa|, else "AM" ("FM") when the eigenvector's components have opposite
    (equal) signs and its overlap² with (1, −1)/√2 ((1, 1)/√2) is ≥ ``pure_tol``, else "mixed" (``dominant``
    still names the larger overlap). ``M`` may also be a Chi0Result with one q.
    """
    if hasattr(M, "M"):
        q = M.q[0] if q is None else q
        M = M.M[0]
    M = np.asarray(M)
    if np.abs(M.imag).max() > 1e-8 * max(np.abs(M).max(), 1e-300):
        log.debug("stoner: M has an imaginary part %.3g (dropped)", np.abs(M.imag).max())
    M = np.real(M)
    M = 0.5 * (M + M.T)
    w, V = np.linalg.eigh(M)
    lam = float(w[-1])
    v = V[:, -1]
    if v[0] < 0 or (v[0] == 0 and v[1] < 0):
        v = -v
    char, oFM, oAM = _character(M, v, decoupled_tol, pure_tol)
    q = np.zeros(3) if q is None else np.asarray(q, float)
    return StonerResult(q, lam, 1.0 / lam if lam > 0 else float("inf"), v, float(M[0, 0]), float(M[1, 1]),
                        float(M[0, 1]), oFM, oAM, char)


def _lambda_max(M) -> np.ndarray:
    """Largest eigenvalue of real symmetric 2×2 blocks (..., 2, 2), closed form."""
    M = np.real(M)
    a, d, b = M[..., 0, 0], M[..., 1, 1], 0.5 * (M[..., 0, 1] + M[..., 1, 0])
    return 0.5 * (a + d) + np.sqrt(0.25 * (a - d) ** 2 + b ** 2)


# --------------------------------------------------------------------------------------------- critical U
@dataclass
class CriticalU:
    """Critical interactions of the paramagnet (per-spin Stoner convention, eV).

    ``U_c_q0`` {"AM", "FM"}: q = 0 channels; ``U_c_min``: 1/max_q λ_max(q) over the grid (refined off-grid when
    asked); ``q_leading`` fractional in (−½, ½]³ and ``q_leading_over_pi`` = 2 q; ``leading`` the
    :class:`StonerResult` there; ``lambda_map`` summary of λ_max(q) on the grid; ``q0`` the q = 0 analysis."""

    U_c_q0: dict
    U_c_min: float
    q_leading: np.ndarray
    leading_character: str
    leading: StonerResult
    q0: StonerResult
    lambda_map: dict
    state: NormalState
    refined: bool
    timings: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"U_c_q0": self.U_c_q0, "U_c_min": self.U_c_min, "q_leading": self.q_leading,
                "q_leading_over_pi": 2 * np.asarray(self.q_leading), "leading_character": self.leading_character,
                "leading": self.leading.as_dict(), "q0": self.q0.as_dict(),
                "AM_leads_FM_at_q0": bool(self.U_c_q0["AM"] < self.U_c_q0["FM"]),
                "leading_is_q0": bool(np.allclose(self.q_leading, 0.0)), "lambda_map": self.lambda_map,
                "refined": self.refined, "timings_s": self.timings, "inputs": self.state.inputs(),
                "units": {"U": "eV (per-spin Stoner convention, U n_up n_down on each site)",
                          "q": "fractional reciprocal (q_over_pi: paper units, 2 q_frac)",
                          "chi": "states/(eV site spin)"}}


def _q0_channels(M0) -> dict:
    M0 = np.real(np.asarray(M0))
    lam_fm = float(_V_FM @ M0 @ _V_FM)
    lam_am = float(_V_AM @ M0 @ _V_AM)
    return {"AM": 1.0 / lam_am if lam_am > 0 else float("inf"),
            "FM": 1.0 / lam_fm if lam_fm > 0 else float("inf")}


def critical_U(model, *, mesh=None, kT: float = 0.01, n_sigma: float | None = None, E_F: float | None = None,
               q_mesh=None, refine: bool = True, eps: float = 1e-10, top: int = 5,
               state: NormalState | None = None, progress: bool = False) -> CriticalU:
    """Critical U of the q = 0 FM and AM channels and of the leading instability over the whole BZ.

    ``mesh`` k grid (default ``normal_state.DEFAULT_MESH``: 48³ for 3D, 300² for 2D); ``kT`` eV; filling
    ``n_sigma`` (electrons per spin per site) or ``E_F`` (eV, relative to the model's μ). q = 0 uses the direct sum (exact degenerate limit).
    The BZ search uses :func:`chi0_full_grid` (q grid = k grid) unless ``q_mesh`` is given (then the direct
    sum on that coarser q grid); ``refine`` then maximises λ_max(q) off-grid from the best grid point with
    direct sums (Nelder-Mead on the same k grid). ``top`` distinct leading grid q are listed in ``lambda_map``.
    """
    import time

    from scipy.optimize import minimize

    t0 = time.perf_counter()
    st = state if state is not None else normal_state(model, mesh=mesh, kT=kT, n_sigma=n_sigma, E_F=E_F)
    M0 = bare_susceptibility(st.model, np.zeros(3), state=st).M[0]
    q0 = stoner(M0, np.zeros(3))
    Uq0 = _q0_channels(M0)
    t1 = time.perf_counter()
    if q_mesh is None:
        grid = chi0_full_grid(st.model, state=st, eps=eps, components="density", progress=progress)
        qg, Mg = grid.q.reshape(-1, 3), grid.M.reshape(-1, 2, 2)
    else:
        from altermag.response.normal_state import k_mesh

        qg = k_mesh(st.model, q_mesh).reshape(-1, 3)
        Mg = bare_susceptibility(st.model, qg, state=st, progress=progress).M
    t2 = time.perf_counter()
    lam = _lambda_max(Mg)
    order = np.argsort(-lam)
    r_sites = np.asarray(st.model.terms.sites, float)
    d = r_sites[1] - r_sites[0]
    # distinct leading q (skip symmetry images with the same λ within 1e-9 relative)
    lam_sorted = lam[order]
    distinct = np.concatenate([[True], np.abs(np.diff(lam_sorted)) > 1e-9 * abs(lam_sorted[0])])
    tops = []
    for i in order[distinct][:top]:      # at most ``top`` iterations (no Python loop over the q grid)
        r = stoner(*_reduced(qg[i], Mg[i], d)[::-1])
        tops.append({"q": r.q, "q_over_pi": 2 * r.q, "U_c": r.U_c, "character": r.character})
    ibest = int(order[0])
    qbest, Mbest = _reduced(qg[ibest], Mg[ibest], d)
    best = stoner(Mbest, qbest)
    refined = False
    if refine and best.lambda_max > 0:
        dim = st.model.terms.dimension
        n = np.asarray(st.mesh, float)
        # coordinates at 0 or ½ are stationary points of λ(q) (λ(q) = λ(−q) = λ(q + G)): keep them fixed
        free = [j for j in range(dim) if not (np.isclose(abs(qbest[j]), 0.0) or np.isclose(abs(qbest[j]), 0.5))]
        if free:
            def q_of(x):
                qq = qbest.copy()
                qq[free] = x
                return qq

            def neg_lam(x):
                return -_lambda_max(bare_susceptibility(st.model, q_of(x), state=st).M[0])

            x0 = qbest[free]
            simplex = np.vstack([x0] + [x0 + 0.5 * np.eye(len(free))[j] / n[free[j]] for j in range(len(free))])
            res = minimize(neg_lam, x0, method="Nelder-Mead",
                           options={"initial_simplex": simplex, "xatol": 1e-4,
                                    "fatol": 1e-9 * best.lambda_max, "maxfev": 20 * len(free)})
            if -res.fun > best.lambda_max * (1 + 1e-12):
                qq = reduce_q(q_of(res.x))
                best = stoner(bare_susceptibility(st.model, qq, state=st).M[0], qq)
                refined = True
    # never report a finite-q maximum below the q = 0 channels
    if q0.lambda_max >= best.lambda_max:
        best = q0
    t3 = time.perf_counter()
    lam_map = {"grid_shape": list(st.mesh), "lambda_max_grid": float(lam[ibest]),
               "U_c_grid": float(1 / lam[ibest]) if lam[ibest] > 0 else float("inf"),
               "q_grid_best": reduce_q(qg[ibest]), "lambda_q0": q0.lambda_max,
               "lambda_mean": float(lam.mean()), "top": tops}
    U_min = best.U_c
    return CriticalU(Uq0, U_min, best.q, best.character, best, q0, lam_map, st, refined,
                     {"q0": t1 - t0, "grid": t2 - t1, "refine": t3 - t2, "total": t3 - t0})


# ------------------------------------------------------------------------------------------------ sweeps
_SWEEP_STATE = ("n_sigma", "kT", "E_F")


@dataclass
class SweepResult:
    """U_c (q = 0 AM/FM, global minimum) or RPA channels versus one parameter; ``rows`` one dict per value."""

    parameter: str
    values: list
    rows: list
    inputs: dict

    def as_dict(self) -> dict:
        return {"parameter": self.parameter, "values": self.values, "rows": self.rows, "inputs": self.inputs}

    def save(self, path) -> Path:
        from altermag.core.io import save_json

        return save_json(path, self.as_dict(), inputs=self.inputs)


def _sweep_job(item):
    """Worker: one critical_U evaluation (module level, picklable)."""
    from altermag.models.hamiltonian import TwoSublatticeModel

    model_d, kw, model_changes = item
    model = TwoSublatticeModel.from_dict(model_d)
    if model_changes:
        model = model.with_params(**model_changes)
    r = critical_U(model, **kw)
    return {"U_c_AM_q0": r.U_c_q0["AM"], "U_c_FM_q0": r.U_c_q0["FM"], "U_c_min": r.U_c_min,
            "q_leading": r.q_leading.tolist(), "leading_character": r.leading_character,
            "n_sigma": r.state.n_sigma, "E_F": r.state.E_F, "kT": r.state.kT}


def rpa_sweep(model, parameter: str, values, *, mesh=None, kT: float = 0.01, n_sigma: float | None = None,
              E_F: float | None = None, refine: bool = False, full_bz: bool = True, q: tuple = (0, 0, 0),
              workers: int | None = None, scheduler: str | None = None, progress: bool = True) -> SweepResult:
    """Sweep one parameter and record U_c^AM(q=0), U_c^FM(q=0), U_c_min and the leading q (per value).

    ``parameter``: "n_sigma" (filling, the usual U_c-vs-filling curve), "kT", "E_F", "mu", "J" or any model
    coefficient name — each value runs :func:`critical_U` as one job through
    :func:`altermag.core.executor.get_executor` (``workers``/``scheduler``; serial when ``workers`` is None or
    1). ``full_bz=False`` skips the BZ search (q = 0 only, faster; U_c_min is then the q = 0 minimum).
    ``parameter="U"``: the RPA FM/AM channels at ``q`` versus U (no executor; one χ⁰), to show the divergence
    at U → U_c⁻. Returns a :class:`SweepResult` (save it with ``.save(path)``; inputs included).
    """
    from altermag.core.executor import get_executor

    values = [float(v) for v in np.atleast_1d(values)]
    if not values:
        raise ParameterError("values must not be empty")
    base_inputs = {"model": model.name, "params": dict(model.params), "J": model.J, "mu": model.mu,
                   "mesh": mesh, "kT": kT, "n_sigma": n_sigma, "E_F": E_F, "parameter": parameter,
                   "values": values, "refine": refine, "full_bz": full_bz}
    if parameter == "U":
        bad = [v for v in values if not np.isfinite(v) or v < 0]
        if bad:
            raise ParameterError(f"U must be finite and ≥ 0 eV (repulsive Hubbard U), got {bad[0]!r}")
        res = bare_susceptibility(model, np.asarray(q, float), mesh=mesh, kT=kT, n_sigma=n_sigma, E_F=E_F)
        rows = []
        for U in values:
            ch = {k: float(np.real(v[0])) for k, v in rpa_channels(res.chi, U).items()}
            rows.append({"U": U, **{(k if k.startswith("chi") else f"chi_{k}"): v for k, v in ch.items()}})
        base_inputs["q"] = list(map(float, q))
        return SweepResult("U", values, rows, base_inputs)
    kw = {"mesh": mesh, "kT": kT, "n_sigma": n_sigma, "E_F": E_F, "refine": refine,
          "q_mesh": None if full_bz else (1, 1, 1)}
    allowed = set(_SWEEP_STATE) | {"mu", "J"} | set(model.params)
    if parameter not in allowed:
        raise ParameterError(f"parameter {parameter!r} cannot be swept; allowed: U, {sorted(allowed)}")
    items = []
    for v in values:
        k2, ch = dict(kw), {}
        if parameter in _SWEEP_STATE:
            k2[parameter] = v
            if parameter == "n_sigma":
                k2["E_F"] = None
            if parameter == "E_F":
                k2["n_sigma"] = None
        else:
            ch[parameter] = v
        items.append((model.as_dict(), k2, ch))
    ex = get_executor(1 if workers is None else workers, scheduler)
    with ex:
        out = ex.map(_sweep_job, items, progress=progress, desc=f"U_c vs {parameter}")
    rows = [{parameter: v, **r} for v, r in zip(values, out)]
    return SweepResult(parameter, values, rows, base_inputs)


def plot_uc_sweep(sweep: SweepResult, path) -> Path:
    """U_c^AM, U_c^FM (q = 0) and U_c_min versus the swept parameter (or RPA channels vs U) to a PNG."""
    from altermag.response.plotting import pyplot, save_figure

    plt = pyplot()

    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    x = [r[sweep.parameter] for r in sweep.rows]
    if sweep.parameter == "U":
        ax.plot(x, [r["chi_AM"] for r in sweep.rows], "o-", label="χ_AM^RPA")
        ax.plot(x, [r["chi_FM"] for r in sweep.rows], "s-", label="χ_FM^RPA")
        ax.set_xlabel("U (eV)")
        ax.set_ylabel("χ^RPA (states/eV/site/spin)")
    else:
        ax.plot(x, [r["U_c_AM_q0"] for r in sweep.rows], "o-", label="U_c AM (q=0)")
        ax.plot(x, [r["U_c_FM_q0"] for r in sweep.rows], "s-", label="U_c FM (q=0)")
        ax.plot(x, [r["U_c_min"] for r in sweep.rows], "k--", label="U_c min (all q)")
        unit = {"n_sigma": "n_σ (electrons/spin/site)", "kT": "kT (eV)", "E_F": "E_F (eV)"}
        ax.set_xlabel(unit.get(sweep.parameter, f"{sweep.parameter} (eV)"))
        ax.set_ylabel("critical U (eV)")
    ax.legend(fontsize=8)
    ax.set_title(sweep.inputs.get("model", ""))
    return save_figure(fig, path, dpi=120)


def tour_figures(out) -> dict:
    """Tour contribution: bare χ⁰ channels of the κ-Cl model along its path (PNG) and the key U_c numbers."""
    from altermag.models import preset
    from altermag.response.susceptibility import chi_along_path, plot_chi_path

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    m = preset("kappa-Cl")
    st = normal_state(m, mesh=96, kT=0.005)
    data = chi_along_path(m, state=st, density=8.0)
    png = plot_chi_path(data, out / "response_chi_path_kappa-Cl.png",
                        title="κ-Cl bare χ⁰ along the path (96², kT = 0.005 eV)")
    r = critical_U(m, state=st, refine=False)
    nums = {"model": "kappa-Cl", "mesh": [96, 96, 1], "kT": 0.005, "U_c_q0": r.U_c_q0, "U_c_min": r.U_c_min,
            "q_leading_over_pi": (2 * r.q_leading).tolist(), "leading_character": r.leading_character,
            "figure": png.name}
    return nums
