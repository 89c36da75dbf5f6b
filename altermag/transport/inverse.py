"""(α, τ) from conductance spectra G(E_F): Levenberg–Marquardt with exact gradients and honest errors.

The forward model is the deterministic solver (:func:`altermag.transport.solver.conductance_and_gradient`,
exact ∂G/∂α, ∂G/∂τ). Conventions (paper units, ħ = e = 1):

* data: conductances ``G_k`` (paper unit, spec §2) at Fermi energies ``E_k`` (or at carrier
  densities ``n_k``, then E_F = π n / (m a b) depends on α through the density of states a b);
* noise: Gaussian. With ``sigma`` given (absolute, same unit as G) the covariance is the
  Fisher/Cramér–Rao matrix (JᵀΣ⁻¹J)⁻¹; without it the points are weighted by 1/G_k (relative
  errors, the paper's Eq. (22) loss) and the covariance is scaled by the reduced χ² (unknown noise
  level estimated from the residuals);
* **the sign of α is not observable**: G(α) = G(−α) (the two spins swap), so α ≥ 0 is reported;
  at α = 0 the α-derivative vanishes and the Fisher matrix is singular (reported as inf/nan);
* intervals: 1σ (68.27 %) by default; ``errors="bootstrap"`` adds a parametric bootstrap
  (refits of synthetic resamples drawn around the fit) with percentile intervals, ``errors="mcmc"``
  a random-walk Metropolis sample of the posterior (flat priors) with credible intervals.

The α–τ correlation is strongly negative for narrow E_F windows: the compensation valley of the
paper (Fig. 6) — see :func:`error_landscape` and :func:`cramer_rao`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from altermag.core.errors import ParameterError
from altermag.transport.channel import validate_channel
from altermag.transport.solver import conductance_and_gradient

__all__ = ["FitResult", "fit_spectrum", "cramer_rao", "error_landscape", "fermi_energy_from_density",
           "model_spectrum"]

_IDX = {"alpha": 0, "tau": 1}


def fermi_energy_from_density(density, alpha, mass=1.0):
    """E_F = π n / (m a b) with a b = (1 − 4m²α²)^−½ (both spins, ħ = 1); also returns dE_F/dα."""
    density = np.asarray(density, dtype=float)
    ab = (1 - 4 * mass ** 2 * alpha ** 2) ** -0.5
    E = np.pi * density / (mass * ab)
    dE = -E * 4 * mass ** 2 * alpha * ab ** 2
    return E, dE


def model_spectrum(alpha, tau, *, length, mass=1.0, fermi_energy=None, density=None, rtol=1e-5,
                   n_cells=None, grad=False):
    """G at each Fermi energy (or density) for one (α, τ); with ``grad`` also the (N, 2) Jacobian d/d(α, τ)."""
    if (fermi_energy is None) == (density is None):
        raise ParameterError("give exactly one of fermi_energy, density")
    if density is not None:
        E, dE = fermi_energy_from_density(density, alpha, mass)
    else:
        E, dE = np.asarray(fermi_energy, dtype=float), 0.0
    if not grad:
        return conductance_and_gradient(alpha, tau, length, E, mass, rtol=rtol, n_cells=n_cells, grad=False)
    G, dG = conductance_and_gradient(alpha, tau, length, E, mass, rtol=rtol, n_cells=n_cells, grad=True)
    J = np.stack([dG[..., 0] + dG[..., 3] * dE, dG[..., 1]], axis=-1)
    return G, J


@dataclass
class FitResult:
    """Result of :func:`fit_spectrum` (paper units; ``*_err`` are 1σ; intervals at ``confidence``)."""

    alpha: float
    tau: float
    alpha_err: float
    tau_err: float
    correlation: float
    covariance: np.ndarray
    fitted: tuple
    intervals: dict
    confidence: float
    chi2: float
    dof: int
    noise_scale: float
    absolute_sigma: bool
    fermi_energy: np.ndarray
    conductance_obs: np.ndarray
    conductance_fit: np.ndarray
    sigma: np.ndarray
    length: float
    mass: float
    n_iter: int
    converged: bool
    path: list = field(default_factory=list)
    bootstrap: dict | None = None
    mcmc: dict | None = None
    seconds: float = 0.0
    density: np.ndarray | None = None

    @property
    def residuals(self) -> np.ndarray:
        """(G_obs − G_fit)/σ."""
        return (self.conductance_obs - self.conductance_fit) / self.sigma

    @property
    def reduced_chi2(self) -> float:
        return self.chi2 / self.dof if self.dof > 0 else float("nan")

    def as_dict(self) -> dict:
        d = {"alpha": self.alpha, "tau": self.tau, "alpha_err": self.alpha_err, "tau_err": self.tau_err,
             "correlation": self.correlation, "covariance": self.covariance.tolist(), "fitted": list(self.fitted),
             "intervals": self.intervals, "confidence": self.confidence, "chi2": self.chi2, "dof": self.dof,
             "reduced_chi2": self.reduced_chi2, "noise_scale": self.noise_scale,
             "absolute_sigma": self.absolute_sigma, "fermi_energy": self.fermi_energy.tolist(),
             "conductance_obs": self.conductance_obs.tolist(), "conductance_fit": self.conductance_fit.tolist(),
             "sigma": self.sigma.tolist(), "residuals": self.residuals.tolist(), "length": self.length,
             "mass": self.mass, "n_iter": self.n_iter, "converged": self.converged,
             "path": [list(p) for p in self.path], "seconds": self.seconds}
        if self.density is not None:
            d["density"] = self.density.tolist()
        for name in ("bootstrap", "mcmc"):
            extra = getattr(self, name)
            if extra is not None:
                d[name] = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in extra.items()}
        return d


def _z(confidence: float) -> float:
    from scipy.special import ndtri

    if not 0 < confidence < 1:
        raise ParameterError(f"confidence = {confidence} must lie in (0, 1)")
    return float(ndtri(0.5 + confidence / 2))


class _Problem:
    def __init__(self, E, dens, G, w, length, mass, fit, fixed, rtol, n_cells):
        self.E, self.dens, self.G, self.w = E, dens, G, w  # w = 1/σ
        self.length, self.mass, self.fit, self.fixed = length, mass, fit, fixed
        self.rtol, self.n_cells = rtol, n_cells
        self.amax = 0.4995 / mass

    def full(self, p):
        v = dict(self.fixed)
        v.update(zip(self.fit, p))
        return v["alpha"], v["tau"]

    def residual(self, p, grad=True):
        a, t = self.full(p)
        kw = dict(length=self.length, mass=self.mass, rtol=self.rtol, n_cells=self.n_cells)
        if self.dens is not None:
            kw["density"] = self.dens
        else:
            kw["fermi_energy"] = self.E
        if not grad:
            return (model_spectrum(a, t, **kw) - self.G) * self.w
        Gm, J = model_spectrum(a, t, grad=True, **kw)
        cols = [J[:, _IDX[name]] for name in self.fit]
        return (Gm - self.G) * self.w, np.stack(cols, axis=1) * self.w[:, None]

    def clip(self, p):
        p = np.array(p, dtype=float)
        for i, name in enumerate(self.fit):
            if name == "alpha":
                p[i] = min(abs(p[i]), self.amax)
            else:
                p[i] = max(p[i], 1e-8)
        return p


def _initial_guess(prob: _Problem):
    """Coarse grid search (α ∈ [0, 0.48/m], log-spaced τ around L/v_F) with a cheap mesh."""
    vf = math.sqrt(2 * float(np.median(prob.E if prob.E is not None else np.pi * prob.dens / prob.mass)) / prob.mass)
    t0 = prob.length / vf
    agrid = np.linspace(0.0, 0.48 / prob.mass, 7) if "alpha" in prob.fit else np.array([prob.fixed["alpha"]])
    tgrid = t0 * np.logspace(-2, 2, 11) if "tau" in prob.fit else np.array([prob.fixed["tau"]])
    A, T = np.meshgrid(agrid, tgrid, indexing="ij")
    sub = np.unique(np.linspace(0, prob.G.size - 1, min(prob.G.size, 5)).round().astype(int))  # a few points suffice
    if prob.dens is not None:
        E, _ = fermi_energy_from_density(prob.dens[sub][None, None, :], A[..., None], prob.mass)
    else:
        E = prob.E[sub][None, None, :]
    Gm = conductance_and_gradient(A[..., None], T[..., None], prob.length, E, prob.mass, n_cells=8, grad=False,
                                  mesh="cos")
    cost = np.sum(((Gm - prob.G[sub]) * prob.w[sub]) ** 2, axis=-1)
    i, j = np.unravel_index(np.argmin(cost), cost.shape)
    guess = {"alpha": A[i, j], "tau": T[i, j]}
    return np.array([guess[n] for n in prob.fit])


def _lm(prob: _Problem, p0, max_iter=100, xtol=1e-10, ftol=1e-12):
    """Levenberg–Marquardt (Marquardt scaling) on the weighted residuals; returns p, iterations, path, converged."""
    p = prob.clip(p0)
    r, J = prob.residual(p)
    cost = float(r @ r)
    lam = 1e-3
    path = [(*prob.full(p), cost)]
    converged = False
    it = 0
    while it < max_iter:
        it += 1
        A = J.T @ J
        g = J.T @ r
        D = np.diag(np.maximum(np.diag(A), 1e-300))
        improved = False
        while lam < 1e10:
            try:
                step = -np.linalg.solve(A + lam * D, g)
            except np.linalg.LinAlgError:
                lam *= 10
                continue
            pn = prob.clip(p + step)
            rn = prob.residual(pn, grad=False)
            cn = float(rn @ rn)
            if cn <= cost:
                improved = True
                break
            lam *= 10
        if not improved:
            converged = True  # no descent direction left at machine precision
            break
        dp = np.abs(pn - p)
        dc = cost - cn
        p = pn
        r, J = prob.residual(p)
        cost = float(r @ r)
        path.append((*prob.full(p), cost))
        lam = max(lam / 10, 1e-12)
        if np.all(dp <= xtol * (np.abs(p) + xtol)) or dc <= ftol * max(cost, 1e-300):
            converged = True
            break
    return p, r, J, it, path, converged


def fit_spectrum(fermi_energy=None, conductance_obs=None, *, length: float, mass: float = 1.0, density=None,
                 sigma=None, fit=("alpha", "tau"), alpha: float | None = None, tau: float | None = None,
                 errors: str = "fisher", n_bootstrap: int = 200, n_mcmc: int = 4000, seed: int | None = 0,
                 confidence: float = 0.6827, rtol: float = 1e-4, n_cells: int | None = None,
                 max_iter: int = 100, progress: bool = False) -> FitResult:
    """Fit (α, τ) — or one of them with the other fixed — to conductances at several Fermi levels.

    Args:
        fermi_energy: E_F of each point (paper units), or ``None`` with ``density`` given instead.
        conductance_obs: measured G (paper unit, see :func:`altermag.transport.data.read_conductance_csv`).
        length, mass: channel length L and band mass m (fixed, known).
        density: carrier densities n (per unit area, paper units) instead of ``fermi_energy``.
        sigma: absolute 1σ errors of G (scalar or per point). ``None``: relative weighting and the
            noise level estimated from the residuals.
        fit: parameters to fit, ``("alpha", "tau")``, ``("alpha",)`` or ``("tau",)``.
        alpha, tau: starting values of fitted parameters / values of fixed ones (a fixed parameter
            must be given). Missing starting values come from a coarse grid search.
        errors: ``"fisher"`` (Cramér–Rao covariance at the optimum), ``"bootstrap"`` (adds a
            parametric bootstrap of ``n_bootstrap`` refits; percentile intervals) or ``"mcmc"``
            (adds ``n_mcmc`` random-walk Metropolis steps of the posterior with flat priors on
            0 ≤ α < 1/(2m), τ > 0; credible intervals — useful when the valley is curved on the
            scale of the errors, e.g. near α = 0).
        confidence: coverage of the reported ``intervals`` (1σ = 0.6827).
        rtol, n_cells: forward-solver accuracy. The mesh is frozen during the iterations (a smooth
            model); it is re-checked at the optimum against ``rtol`` and the fit refined if needed.

    Returns:
        :class:`FitResult` (``alpha``, ``tau``, ``alpha_err``, ``tau_err``, ``correlation``, ...).

    Raises:
        ParameterError: inconsistent data or parameters (message names the problem).
    """
    t_start = time.perf_counter()
    fit = tuple(fit)
    if not fit or any(f not in _IDX for f in fit) or len(set(fit)) != len(fit):
        raise ParameterError(f"fit = {fit!r}: choose ('alpha', 'tau'), ('alpha',) or ('tau',)")
    if (fermi_energy is None) == (density is None):
        raise ParameterError("give exactly one of fermi_energy, density")
    if errors not in ("fisher", "bootstrap", "mcmc"):
        raise ParameterError(f"errors = {errors!r}: choose 'fisher', 'bootstrap' or 'mcmc'")
    if errors == "bootstrap" and not int(n_bootstrap) >= 10:
        raise ParameterError(f"n_bootstrap = {n_bootstrap} must be >= 10 (percentile intervals need many refits)")
    if errors == "mcmc" and not int(n_mcmc) >= 100:
        raise ParameterError(f"n_mcmc = {n_mcmc} must be >= 100 (20 % burn-in, then a chain long enough for "
                             "quantiles)")
    x = np.asarray(fermi_energy if density is None else density, dtype=float).reshape(-1)
    G = np.asarray(conductance_obs, dtype=float).reshape(-1)
    name = "fermi_energy" if density is None else "density"
    if x.size != G.size:
        raise ParameterError(f"{name} has {x.size} points but conductance_obs has {G.size}")
    if G.size < len(fit):
        raise ParameterError(f"{G.size} data points cannot determine {len(fit)} parameters {fit}")
    if np.any(~np.isfinite(x)) or np.any(x <= 0):
        raise ParameterError(f"{name} must be finite and > 0; got {x[~(np.isfinite(x) & (x > 0))][:3].tolist()}")
    if np.any(~np.isfinite(G)) or np.any(G <= 0):
        bad = np.flatnonzero(~(np.isfinite(G) & (G > 0)))
        raise ParameterError(f"conductance_obs must be finite and > 0; point(s) {bad[:5].tolist()} (0-based) "
                             f"have {G[bad[:5]].tolist()}")
    validate_channel(0.0, 1.0, length, 1.0, mass)
    absolute = sigma is not None
    if absolute:
        sig = np.broadcast_to(np.asarray(sigma, dtype=float), G.shape).astype(float)
        if np.any(~(sig > 0)):
            raise ParameterError("sigma must be > 0 for every point")
    else:
        sig = G.copy()  # relative weighting; scale fitted from the residuals
    fixed = {}
    for pname, val in (("alpha", alpha), ("tau", tau)):
        if pname not in fit:
            if val is None:
                raise ParameterError(f"{pname} is not fitted, so its fixed value must be given")
            fixed[pname] = float(val)
    if "tau" in fixed:
        validate_channel(fixed.get("alpha", 0.0), fixed["tau"], length, 1.0, mass)
    if "alpha" in fixed:
        validate_channel(fixed["alpha"], 1.0, length, 1.0, mass)
    prob = _Problem(x if density is None else None, x if density is not None else None, G, 1.0 / sig,
                    float(length), float(mass), fit, fixed, rtol, n_cells)
    start = {"alpha": alpha, "tau": tau}
    if any(start[n] is None for n in fit):
        guess = _initial_guess(prob)
        p0 = np.array([start[n] if start[n] is not None else guess[i] for i, n in enumerate(fit)], dtype=float)
    else:
        p0 = np.array([start[n] for n in fit], dtype=float)
    for n, v in zip(fit, p0):
        if n == "tau":
            validate_channel(0.0, v, length, 1.0, mass)
        else:
            validate_channel(v, 1.0, length, 1.0, mass)

    # freeze the mesh at what rtol needs at the start, refit if the optimum needs more
    if n_cells is None:
        n_fix = _needed_cells(prob, p0, rtol)
        path_all = []
        for _ in range(4):
            prob.n_cells = n_fix
            p, r, J, it, path, conv = _lm(prob, p0, max_iter)
            path_all += path
            n_new = _needed_cells(prob, p, rtol)
            if np.all(n_new <= n_fix):
                break
            n_new = np.maximum(n_new, n_fix)
            n_fix, p0 = n_new, p
        path = path_all
    else:
        p, r, J, it, path, conv = _lm(prob, p0, max_iter)

    chi2 = float(r @ r)
    dof = G.size - len(fit)
    scale2 = 1.0 if absolute else (chi2 / dof if dof > 0 else float("nan"))
    cov = _covariance(J, scale2)
    vals = dict(zip(fit, p))
    vals.update(fixed)
    a_hat, t_hat = vals["alpha"], vals["tau"]
    C = np.full((2, 2), 0.0)
    for i, ni in enumerate(fit):
        for j, nj in enumerate(fit):
            C[_IDX[ni], _IDX[nj]] = cov[i, j]
    err = np.sqrt(np.diag(C))
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = len(fit) == 2 and np.all(np.isfinite(err)) and err[0] > 0 and err[1] > 0
        corr = float(C[0, 1] / (err[0] * err[1])) if ok else float("nan")
    z = _z(confidence)
    intervals = {n: [float(vals[n] - z * err[_IDX[n]]), float(vals[n] + z * err[_IDX[n]])] for n in fit}
    Gfit = prob.residual(p, grad=False) / prob.w + G
    res = FitResult(alpha=float(a_hat), tau=float(t_hat), alpha_err=float(err[0]), tau_err=float(err[1]),
                    correlation=corr, covariance=C, fitted=fit, intervals=intervals, confidence=confidence,
                    chi2=chi2, dof=dof, noise_scale=math.sqrt(scale2) if scale2 == scale2 else float("nan"),
                    absolute_sigma=absolute, fermi_energy=(x if density is None else
                                                           fermi_energy_from_density(x, a_hat, mass)[0]),
                    conductance_obs=G, conductance_fit=Gfit,
                    sigma=sig * (1.0 if absolute else math.sqrt(scale2) if scale2 == scale2 else 1.0),
                    length=float(length), mass=float(mass), n_iter=it, converged=conv, path=path,
                    density=None if density is None else x)
    if errors == "bootstrap":
        res.bootstrap = _bootstrap(prob, p, Gfit, sig * math.sqrt(scale2), n_bootstrap, seed, confidence, fit,
                                   progress)
        for n in fit:
            res.intervals[n + "_bootstrap"] = res.bootstrap["intervals"][n]
    elif errors == "mcmc":
        res.mcmc = _mcmc(prob, p, cov, scale2, n_mcmc, seed, confidence, fit, progress)
        for n in fit:
            res.intervals[n + "_mcmc"] = res.mcmc["intervals"][n]
    res.seconds = time.perf_counter() - t_start
    return res


def _needed_cells(prob: _Problem, p, rtol) -> int:
    a, t = prob.full(p)
    E = prob.E if prob.dens is None else fermi_energy_from_density(prob.dens, a, prob.mass)[0]
    _, info = conductance_and_gradient(a, t, prob.length, E, prob.mass, rtol=rtol, grad=False, return_info=True)
    return np.atleast_1d(info["n_cells"]) // 2  # coarse level per point


def _covariance(J, scale2):
    F = J.T @ J
    try:
        cov = np.linalg.inv(F) * scale2
        if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) < 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        cov = np.full(F.shape, np.inf)
    return cov


def _bootstrap(prob, p_hat, Gfit, sig, n, seed, confidence, fit, progress):
    """Parametric bootstrap: refit G_fit + N(0, σ²) resamples from the optimum."""
    from altermag.core.progress import progress as bar

    rng = np.random.default_rng(seed)
    G0, w0 = prob.G, prob.w
    samples = []
    it = range(n)
    if progress:
        it = bar(it, total=n, desc="bootstrap")
    for _ in it:
        prob.G = Gfit + sig * rng.standard_normal(Gfit.shape)  # weights w0 kept (same estimator)
        pb, *_ = _lm(prob, p_hat, 50)
        samples.append(pb)
    prob.G, prob.w = G0, w0
    S = np.array(samples)
    lo, hi = 50 * (1 - confidence), 50 * (1 + confidence)
    out = {"samples": S, "std": S.std(axis=0, ddof=1).tolist(),
           "intervals": {n_: np.percentile(S[:, i], [lo, hi]).tolist() for i, n_ in enumerate(fit)}}
    if S.shape[1] == 2:
        out["correlation"] = float(np.corrcoef(S.T)[0, 1])
    return out


def _mcmc(prob, p_hat, cov, scale2, n, seed, confidence, fit, progress):
    """Random-walk Metropolis on the χ² posterior (flat priors), Fisher-shaped Gaussian proposals."""
    from altermag.core.progress import progress as bar

    rng = np.random.default_rng(seed)
    k = len(fit)
    s2 = scale2 if scale2 == scale2 and scale2 > 0 else 1.0
    C = cov if np.all(np.isfinite(cov)) else np.diag(np.maximum(np.abs(p_hat) * 0.05, 1e-6) ** 2)
    chol = np.linalg.cholesky(C * (2.38 ** 2 / k) + 1e-30 * np.eye(k))

    def logp(q):
        for i, name in enumerate(fit):
            if (name == "alpha" and not 0 <= q[i] < prob.amax) or (name == "tau" and q[i] <= 0):
                return -np.inf
        r = prob.residual(q, grad=False)
        return -0.5 * float(r @ r) / s2

    cur, lp = np.array(p_hat, dtype=float), logp(p_hat)
    samples, acc = np.empty((n, k)), 0
    it = range(n)
    if progress:
        it = bar(it, total=n, desc="mcmc")
    for i in it:
        prop = cur + chol @ rng.standard_normal(k)
        if prop[0] < 0 and fit[0] == "alpha":
            prop[0] = -prop[0]  # α ≥ 0 (G is even in α): reflect
        lq = logp(prop)
        if np.log(rng.random()) < lq - lp:
            cur, lp, acc = prop, lq, acc + 1
        samples[i] = cur
    S = samples[n // 5:]  # burn-in
    lo, hi = 50 * (1 - confidence), 50 * (1 + confidence)
    out = {"samples": S, "acceptance": acc / n, "mean": S.mean(axis=0).tolist(), "std": S.std(axis=0, ddof=1).tolist(),
           "intervals": {n_: np.percentile(S[:, i], [lo, hi]).tolist() for i, n_ in enumerate(fit)}}
    if k == 2:
        out["correlation"] = float(np.corrcoef(S.T)[0, 1])
    return out


def cramer_rao(alpha, tau, fermi_energy, *, length, mass=1.0, sigma=None, rel_sigma=None, rtol=1e-6):
    """Cramér–Rao (Fisher) bound for a joint (α, τ) fit of G at ``fermi_energy`` with Gaussian noise.

    Give ``sigma`` (absolute, per point or scalar) or ``rel_sigma`` (σ_k = rel_sigma·G_k). Returns
    ``{"covariance", "alpha_err", "tau_err", "alpha_rel_err", "tau_rel_err", "correlation"}``.
    """
    G, J = model_spectrum(alpha, tau, length=length, mass=mass, fermi_energy=fermi_energy, rtol=rtol, grad=True)
    if (sigma is None) == (rel_sigma is None):
        raise ParameterError("give exactly one of sigma, rel_sigma")
    s = np.broadcast_to(sigma, G.shape) if sigma is not None else rel_sigma * G
    Jw = J / s[:, None]
    C = np.linalg.inv(Jw.T @ Jw)
    e = np.sqrt(np.diag(C))
    return {"covariance": C, "alpha_err": float(e[0]), "tau_err": float(e[1]),
            "alpha_rel_err": float(e[0] / abs(alpha)) if alpha else float("inf"),
            "tau_rel_err": float(e[1] / tau), "correlation": float(C[0, 1] / (e[0] * e[1]))}


def error_landscape(fermi_energy, conductance_obs, alphas, taus, *, length, mass=1.0, rtol=1e-3,
                    n_cells: int | None = None):
    """Mean relative squared misfit (paper Eq. 22) over a grid: ``cost[i, j]`` at (alphas[i], taus[j]).

    The low-cost region is the curved α–τ compensation valley (paper Fig. 6). Batched: one solver
    call for the whole grid × Fermi levels (``n_cells=8`` gives a ~0.3 %-accurate, 4× cheaper map).
    """
    E = np.asarray(fermi_energy, dtype=float)
    Gobs = np.asarray(conductance_obs, dtype=float)
    A, T = np.meshgrid(np.asarray(alphas, float), np.asarray(taus, float), indexing="ij")
    Gm = conductance_and_gradient(A[..., None], T[..., None], length, E, mass, rtol=rtol, n_cells=n_cells, grad=False,
                                  mesh="cos" if n_cells is not None and n_cells <= 16 else None)
    return np.mean(((Gm - Gobs) / Gobs) ** 2, axis=-1)
