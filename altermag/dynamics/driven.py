"""Voltage-driven AF|FM domain-wall motion on an open strip (issue 8, spec §1.3, §5, §6).

Setup (spec §1.3, RECONSTRUCTED): the square-lattice s-d model (t1 = 1, J = 3) on an Lx × Ly strip, open along x
(leads at the x = 0 and x = Lx − 1 columns), periodic along y. The Néel antiferromagnet (insulating, n_e ≈ 1) and the
ferromagnet (metallic, n_e ≈ 0.63) have equal bulk grand potentials at the coexistence chemical potential μ_c
(:func:`coexistence_mu`; μ_c = −2.4082 for J = 3, T_el = 0.05), so at μ = μ_c an AF|FM interface is neutral and a
bias V (μ_L = μ + V/2 at x = 0, μ_R = μ − V/2 at the far lead) or a shift of μ pushes it.

Conventions
-----------
* Wall position ``x_DW`` in lattice constants, measured along x from column 0. A sharp wall whose last AF column is
  c − 1 and whose first FM column is c lies at ``x_DW = c − 1/2`` (the mid-point between the columns).
* :func:`wall_profile` is the column profile of nearest-neighbour correlations: at integer x the mean over y of the
  vertical bonds S(x, y)·S(x, y+1) of column x, at half-integer x + 1/2 the mean of the horizontal bonds
  S(x, y)·S(x+1, y). It is −1 in the Néel state and +1 in the ferromagnet, and invariant under global spin rotations.
* Times in 1/t1 (ħ = 1), LLG with γ = 1 (see :mod:`altermag.dynamics.llg`); velocities in lattice constants per 1/t1.
"""

from __future__ import annotations

import time as _time
from pathlib import Path

import numpy as np

from altermag.core.errors import ParameterError
from altermag.dynamics.lattice import SpinLattice

__all__ = ["coexistence_mu", "bulk_grand_potentials", "wall_profile", "wall_position", "wall_spins", "run_wall",
           "make_driven_calculator",
           "wall_velocity", "wall_transit", "velocity_curve"]


# ============================================================================ bulk thermodynamics
def _omega_levels(E: np.ndarray, mu: float, T: float) -> np.ndarray:
    if T > 0:
        return -T * np.logaddexp(0.0, -(E - mu) / T)
    return np.minimum(E - mu, 0.0)


def _occ(E: np.ndarray, mu: float, T: float) -> np.ndarray:
    if T > 0:
        return 0.5 * (1.0 - np.tanh((E - mu) / (2 * T)))
    return (E < mu).astype(float) + 0.5 * (E == mu)


def _bulk_levels(J: float, t1: float, nk: int) -> tuple[np.ndarray, np.ndarray]:
    """Levels per site on an nk × nk k-mesh: FM (ε_k ∓ J) and Néel (±√(ε_k² + J²)), each (2, nk²)."""
    k = (np.arange(nk) + 0.5) / nk * 2 * np.pi
    kx, ky = np.meshgrid(k, k, indexing="ij")
    e = (-2.0 * t1 * (np.cos(kx) + np.cos(ky))).ravel()
    fm = np.stack([e - J, e + J])
    Ek = np.sqrt(e ** 2 + J ** 2)
    # Néel: the magnetic BZ holds half the k-points with 2 bands per spin; summing ±E_k over the full BZ and
    # dividing by two (one factor 2 for the spins) gives the same levels per site.
    af = np.stack([-Ek, Ek])
    return fm, af


def bulk_grand_potentials(mu, J: float = 3.0, t1: float = 1.0, temperature: float = 0.05, nk: int = 400) -> dict:
    """Bulk grand potential per site Ω(μ) (t1) and density n(μ) (electrons per site, both spins) of the uniform
    ferromagnet and of the Néel antiferromagnet of the square-lattice s-d model (k-space, nk × nk mesh).

    Returns ``{"mu", "omega_fm", "omega_af", "n_fm", "n_af"}`` (arrays shaped like ``mu``).
    """
    fm, af = _bulk_levels(float(J), float(t1), int(nk))
    mus = np.atleast_1d(np.asarray(mu, float))
    out = {k: np.empty(mus.shape) for k in ("omega_fm", "omega_af", "n_fm", "n_af")}
    for i, m in enumerate(mus):
        out["omega_fm"][i] = _omega_levels(fm, m, temperature).sum(0).mean()
        out["omega_af"][i] = _omega_levels(af, m, temperature).sum(0).mean()
        out["n_fm"][i] = _occ(fm, m, temperature).sum(0).mean()
        out["n_af"][i] = _occ(af, m, temperature).sum(0).mean()
    shape = np.shape(mu)
    res = {k: (v.reshape(shape) if shape else float(v[0])) for k, v in out.items()}
    res["mu"] = mu
    return res


def coexistence_mu(J: float = 3.0, t1: float = 1.0, temperature: float = 0.05, nk: int = 400,
                   bracket: tuple[float, float] | None = None) -> dict:
    """Chemical potential μ_c where the bulk grand potentials of the ferromagnet and the Néel antiferromagnet of
    the square-lattice s-d model are equal, Ω_FM(μ_c) = Ω_AF(μ_c) (k-space sums on an nk × nk mesh).

    ``dΩ/dμ = −n``: the denser phase (the Néel insulator, n ≈ 1) wins above μ_c, the ferromagnet below.
    Returns ``{"mu_c", "n_fm", "n_af", "omega", "J", "t1", "temperature", "nk"}`` (energies in t1, densities in
    electrons per site). The default bracket is the AF gap region below half filling, [−(√(16 t1² + J²)), 0].
    """
    from scipy.optimize import brentq

    if J <= 0:
        raise ParameterError(f"J={J}: the s-d coupling must be > 0")
    if t1 <= 0:
        raise ParameterError(f"t1={t1}: must be > 0")
    if temperature < 0:
        raise ParameterError(f"temperature={temperature}: must be >= 0")
    if int(nk) != nk or nk < 8:
        raise ParameterError(f"nk={nk}: k-mesh must be an integer >= 8")
    fm, af = _bulk_levels(float(J), float(t1), int(nk))

    def diff(m):
        return float(_omega_levels(fm, m, temperature).sum(0).mean() - _omega_levels(af, m, temperature).sum(0).mean())

    lo, hi = bracket if bracket is not None else (-np.sqrt(16 * t1 ** 2 + J ** 2) + 1e-6, 0.0)
    if np.sign(diff(lo)) == np.sign(diff(hi)):
        raise ParameterError(f"bracket=({lo}, {hi}): Ω_FM − Ω_AF does not change sign there (J={J}, t1={t1})")
    mu_c = brentq(diff, lo, hi, xtol=1e-12)
    g = bulk_grand_potentials(mu_c, J, t1, temperature, nk)
    return {"mu_c": float(mu_c), "n_fm": g["n_fm"], "n_af": g["n_af"], "omega": g["omega_fm"],
            "omega_diff": diff(mu_c), "J": float(J), "t1": float(t1), "temperature": float(temperature),
            "nk": int(nk)}


# ============================================================================ wall geometry
def _check_strip(lattice, spins=None) -> np.ndarray | None:
    if not isinstance(lattice, SpinLattice) or lattice.kind != "square":
        raise ParameterError(f"lattice={lattice!r}: the AF|FM wall needs a square SpinLattice strip")
    if spins is None:
        return None
    s = np.asarray(spins, float)
    if s.shape != (lattice.n_sites, 3):
        raise ParameterError(f"spins shape {s.shape}: expected ({lattice.n_sites}, 3) for {lattice!r}")
    if not np.all(np.isfinite(s)):
        raise ParameterError("spins: non-finite components")
    return s


def wall_profile(spins: np.ndarray, lattice: SpinLattice) -> tuple[np.ndarray, np.ndarray]:
    """Column profile of nearest-neighbour correlations ``(x, p)``.

    ``x`` = 0, 1/2, 1, …, Lx − 1; at integer x, p is the mean over y of the vertical bonds S(x, y)·S(x, y+1); at
    half-integer x + 1/2 the mean of the horizontal bonds S(x, y)·S(x+1, y) (periodic x adds the bond Lx−1 → 0 at
    x = Lx − 1/2). p = −1 for the Néel state, +1 for the ferromagnet; invariant under global spin rotations.
    """
    s = _check_strip(lattice, spins)
    L, Ly = lattice.L, lattice.Ly
    g = s.reshape(Ly, L, 3)  # site index x + L y
    vert = np.sum(g * np.roll(g, -1, axis=0), axis=-1).mean(0)  # (L,)
    nh = L if lattice.periodic_x else L - 1
    hor = np.sum(g * np.roll(g, -1, axis=1), axis=-1).mean(0)[:nh]
    x = np.arange(L + nh) * 0.5
    p = np.empty(L + nh)
    p[0::2] = vert
    p[1::2] = hor
    return x, p


def wall_position(spins: np.ndarray, lattice: SpinLattice, af_left: bool | None = True) -> float:
    """x-position (lattice constants) of the AF|FM interface.

    The profile p(x) of :func:`wall_profile` is matched to a single step (−1 on the AF side, +1 on the FM side):
    the step location minimising Σ_AF-side max(p, 0) + Σ_FM-side max(−p, 0) is chosen (so isolated noisy points do
    not create spurious crossings), and the zero crossing of p between the two profile points around it is found by
    linear interpolation (sub-lattice-constant precision; a sharp wall between columns c − 1 and c gives c − 1/2).
    If the whole strip is FM (AF) the result is the edge position −1/2 (Lx − 1/2) on the side where the AF (FM)
    region disappeared. ``af_left``: AF on the small-x side (True), on the large-x side (False), or None = decided
    from the profile (the side with the lower mean correlation).
    """
    x, p = wall_profile(spins, lattice)
    if af_left is None:
        h = len(p) // 2
        af_left = bool(p[:h].mean() <= p[h:].mean())
    q = p if af_left else p[::-1]
    xs = x if af_left else x[::-1]
    n = len(q)
    # cost[k] = step after index k-1 (k AF points on the left): k = 0 .. n
    left = np.concatenate([[0.0], np.cumsum(np.maximum(q, 0.0))])  # AF points that look FM
    right = np.concatenate([np.cumsum(np.maximum(-q[::-1], 0.0))[::-1], [0.0]])  # FM points that look AF
    cost = left + right
    best = np.flatnonzero(cost <= cost.min() + 1e-12)
    crossing = [k for k in best if 0 < k < n and q[k - 1] <= 0 <= q[k]]
    if crossing:
        best = np.array(crossing)
    k = int(best[len(best) // 2])  # middle of a degenerate range
    d = 1.0 if af_left else -1.0
    if k == 0:  # everything looks FM: the AF region vanished at its edge
        return float(xs[0] - 0.5 * d)
    if k == n:  # everything looks AF
        return float(xs[-1] + 0.5 * d)
    a, b = q[k - 1], q[k]
    xa, xb = xs[k - 1], xs[k]
    if a <= 0 <= b and b > a:
        return float(xa + (xb - xa) * (-a) / (b - a))
    return float(0.5 * (xa + xb))


def wall_spins(lattice: SpinLattice, x0: float, af_left: bool = True, axis=(0.0, 0.0, 1.0), tilt: float = 0.0,
               seed: int = 0) -> np.ndarray:
    """A sharp AF|FM wall: Néel order along ``axis`` (sign (−1)^(x+y)) on the AF side (x < x0 if ``af_left``),
    the ferromagnet along ``axis`` on the other side. ``tilt`` > 0 adds a random small rotation to every spin
    (Gaussian transverse components of standard deviation ``tilt`` radians, seeded) to break the collinear fixed
    point of the LLG equation. Shape (N, 3)."""
    _check_strip(lattice)
    if tilt < 0:
        raise ParameterError(f"tilt={tilt}: must be >= 0")
    ax = np.asarray(axis, float)
    if ax.shape != (3,) or not np.linalg.norm(ax) > 0:
        raise ParameterError(f"axis={axis}: a non-zero 3-vector is needed")
    ax = ax / np.linalg.norm(ax)
    x, y = lattice.coords[:, 0], lattice.coords[:, 1]
    af = (x < x0) if af_left else (x >= x0)
    sign = np.where(af, np.where((x + y) % 2 == 0, 1.0, -1.0), 1.0)
    s = sign[:, None] * ax[None, :]
    if tilt > 0:
        rng = np.random.default_rng(seed)
        d = rng.normal(scale=tilt, size=s.shape)
        d -= np.sum(d * s, axis=1, keepdims=True) * s
        s = s + d
        s /= np.linalg.norm(s, axis=1, keepdims=True)
    return s


# ============================================================================ dynamics
def run_wall(calculator, lattice: SpinLattice, x0: float, n_steps: int, dt: float = 0.1, alpha: float = 0.5,
             temperature: float = 0.0, seed: int = 0, record_every: int = 10, out: str | Path | None = None,
             spins0: np.ndarray | None = None, tilt: float = 0.05, af_left: bool = True,
             snapshot_every: int | None = None, progress: bool = True, inputs: dict | None = None,
             max_rotation: float | None = None, velocity_method: str = "transit") -> dict:
    """LLG run of an AF|FM wall driven by ``calculator`` (``energy_and_field(spins) -> (E, H)``; only H⊥ is used).

    Starts from ``spins0`` or from :func:`wall_spins` (sharp wall at ``x0``, AF on the left if ``af_left``, small
    random ``tilt``). Integrator and units as :func:`altermag.dynamics.llg.run_llg` (dt in 1/t1, Gilbert damping
    ``alpha``, bath ``temperature`` in t1). The wall position is recorded every ``record_every`` steps.

    Returns ``{"time", "x_dw", "energy", "spins" (snapshots), "snapshot_time", "final_spins", "seconds",
    "velocity", "velocity_err", "t_depin", "depinned", "fit_velocity", "fit_velocity_err"}``: ``velocity`` is the
    transit velocity of :func:`wall_transit` (``velocity_method="transit"``, the default: walls on the lattice sit
    pinned and then run) or the straight-line fit of :func:`wall_velocity` (``"fit"``). ``out``: HDF5 file with the
    same arrays and the inputs.
    """
    if velocity_method not in ("transit", "fit"):
        raise ParameterError(f"velocity_method={velocity_method!r}: 'transit' or 'fit'")
    from altermag.dynamics.llg import run_llg

    _check_strip(lattice)
    if int(n_steps) != n_steps or n_steps < 1:
        raise ParameterError(f"n_steps={n_steps}: must be a positive integer")
    if not (0 <= x0 <= lattice.L):
        raise ParameterError(f"x0={x0}: the initial wall must lie inside the strip, 0 <= x0 <= {lattice.L}")
    s0 = wall_spins(lattice, x0, af_left=af_left, tilt=tilt, seed=seed) if spins0 is None \
        else _check_strip(lattice, spins0)

    def obs(spins):
        return {"x_dw": wall_position(spins, lattice, af_left=af_left)}

    meta = {"experiment": "driven-wall", "x0": x0, "tilt": tilt, "af_left": af_left, "lattice": repr(lattice),
            "Lx": lattice.L, "Ly": lattice.Ly}
    for k in ("bias", "method"):
        if hasattr(calculator, k):
            meta[k] = getattr(calculator, k)
    meta.update(inputs or {})
    t0 = _time.perf_counter()
    res = run_llg(calculator, s0, int(n_steps), dt=dt, alpha=alpha, temperature=temperature,
                  record_every=record_every, out=None, progress=progress, seed=seed, observables=obs,
                  snapshot_every=snapshot_every or max(record_every, int(n_steps) // 20 or 1), inputs=meta,
                  max_rotation=max_rotation)
    res["seconds"] = _time.perf_counter() - t0
    _add_velocities(res, lattice, velocity_method)
    if out is not None:
        from altermag.core.io import save_hdf5

        full = {"n_steps": int(n_steps), "dt": dt, "alpha": alpha, "temperature": temperature, "seed": seed,
                "record_every": record_every, "calculator": repr(calculator)}
        if hasattr(calculator, "model") and hasattr(calculator.model, "params"):
            full["model"] = calculator.model.params()
        full.update(meta)
        full["velocity_method"] = velocity_method
        save_hdf5(out, {k: v for k, v in res.items() if isinstance(v, (np.ndarray, float, int))}, inputs=full)
    return res


def _add_velocities(res: dict, lattice: SpinLattice, method: str, t_min: float | None = None) -> dict:
    v, ve = wall_velocity(res["time"], res["x_dw"], t_min=t_min, x_range=(0.0, lattice.L - 1.0))
    tr = wall_transit(res["time"], res["x_dw"])
    res["fit_velocity"], res["fit_velocity_err"] = v, ve
    res["t_depin"], res["depinned"] = tr["t_depin"], bool(tr["depinned"])
    if method == "transit":
        res["velocity"], res["velocity_err"] = tr["velocity"], tr["velocity_err"]
    else:
        res["velocity"], res["velocity_err"] = v, ve
    return res


def wall_velocity(time: np.ndarray, x_dw: np.ndarray, t_min: float | None = None,
                  x_range: tuple[float, float] | None = None) -> tuple[float, float]:
    """Wall velocity v = dx_DW/dt (lattice constants per 1/t1) by a least-squares line through the points with
    t >= ``t_min`` (default: the last two thirds of the run, which excludes the initial transient).
    ``x_range=(lo, hi)``: the fit stops at the first point where x_DW leaves [lo, hi] (e.g. the wall reaching a
    lead). Returns (v, standard error of the slope); (nan, nan) with fewer than 3 usable points."""
    t = np.asarray(time, float).ravel()
    x = np.asarray(x_dw, float).ravel()
    if t.shape != x.shape:
        raise ParameterError(f"time {t.shape} and x_dw {x.shape}: must have the same length")
    if t_min is None:
        t_min = t[0] + (t[-1] - t[0]) / 3.0 if len(t) else 0.0
    m = (t >= t_min) & np.isfinite(x)
    if x_range is not None:
        out_ = np.flatnonzero((x < x_range[0]) | (x > x_range[1]))
        if len(out_):
            m[out_[0]:] = False
    if m.sum() < 3:
        return float("nan"), float("nan")
    tt, xx = t[m], x[m]
    A = np.stack([tt - tt.mean(), np.ones_like(tt)], 1)
    coef, *_ = np.linalg.lstsq(A, xx, rcond=None)
    r = xx - A @ coef
    dof = max(len(tt) - 2, 1)
    sxx = float(np.sum((tt - tt.mean()) ** 2))
    err = float(np.sqrt(np.sum(r ** 2) / dof / sxx)) if sxx > 0 else float("nan")
    return float(coef[0]), err


def wall_transit(time: np.ndarray, x_dw: np.ndarray, threshold: float = 0.5, distance: float | None = None) -> dict:
    """Depinning time and transit velocity of a wall that sits pinned and then runs (avalanche-like motion).

    The wall depins at the first record where |x_DW − x_DW(0)| >= ``threshold``. The transit velocity is the mean
    velocity from the last pinned record to the first record where |x_DW − x_DW(0)| >= ``distance`` (default: the
    largest displacement reached), i.e. Δx/Δt over the run-away phase, with the sign of the motion (+x: the AF
    side grows). Its error is the timing resolution |v|·δt/Δt (δt the record interval).

    Returns ``{"depinned", "t_depin", "velocity", "velocity_err", "displacement", "direction"}``; a wall that never
    depins has velocity 0, ``t_depin`` NaN and its error bounded by threshold/duration.
    """
    t = np.asarray(time, float).ravel()
    x = np.asarray(x_dw, float).ravel()
    if t.shape != x.shape or len(t) < 2:
        raise ParameterError(f"time {t.shape} and x_dw {x.shape}: need equal lengths >= 2")
    if not threshold > 0:
        raise ParameterError(f"threshold={threshold}: must be > 0")
    d = x - x[0]
    moved = np.flatnonzero(np.abs(d) >= threshold)
    if len(moved) == 0:
        return {"depinned": False, "t_depin": float("nan"), "velocity": 0.0,
                "velocity_err": float(threshold / max(t[-1] - t[0], 1e-300)),
                "displacement": float(d[-1]), "direction": 0}
    k = int(moved[0])
    direction = int(np.sign(d[k]))
    reach = float(np.max(direction * d)) if distance is None else float(distance)
    far = np.flatnonzero(direction * d >= reach - 1e-12)
    e = int(far[0]) if len(far) else len(d) - 1
    e = max(e, k)
    b = k - 1
    dt_run = t[e] - t[b]
    v = (x[e] - x[b]) / dt_run
    dt_rec = float(np.median(np.diff(t)))
    return {"depinned": True, "t_depin": float(t[k]), "velocity": float(v),
            "velocity_err": float(abs(v) * dt_rec / dt_run), "displacement": float(d[e]), "direction": direction}


def _velocity_job(item: dict) -> dict:
    calc = item["make_calculator"](item["bias"])
    lat = item["lattice"]
    res = run_wall(calc, lat, item["x0"], item["n_steps"], dt=item["dt"], alpha=item["alpha"],
                   temperature=item["temperature"], seed=item["seed"], record_every=item["record_every"],
                   tilt=item["tilt"], progress=False, snapshot_every=item["n_steps"])
    _add_velocities(res, lat, item["velocity_method"], t_min=item["t_min"])
    return {k: res[k] for k in ("time", "x_dw", "velocity", "velocity_err", "t_depin", "depinned", "fit_velocity",
                                "fit_velocity_err", "seconds")} | {"bias": item["bias"]}


def velocity_curve(make_calculator, biases, lattice: SpinLattice, x0: float, n_steps: int, dt: float = 0.1,
                   alpha: float = 0.5, temperature: float = 0.0, seed: int = 0, record_every: int = 10,
                   tilt: float = 0.05, t_min: float | None = None, workers: int | None = 1,
                   scheduler: str | None = None, progress: bool = True, out: str | Path | None = None,
                   velocity_method: str = "transit") -> dict:
    """Wall velocity v(V): one independent :func:`run_wall` per bias, on ``get_executor(workers, scheduler)``.

    ``make_calculator(bias) -> calculator`` must be picklable (a top-level function or a ``functools.partial`` of
    one) when ``workers`` > 1. Returns ``{"bias", "velocity", "velocity_err", "t_depin", "depinned", "time" (list per
    bias), "x_dw" (list), "seconds"}`` in the order of ``biases`` (``velocity_method`` as in :func:`run_wall`;
    ``t_min`` only for "fit"); ``out``: JSON with the inputs.
    """
    if velocity_method not in ("transit", "fit"):
        raise ParameterError(f"velocity_method={velocity_method!r}: 'transit' or 'fit'")
    from altermag.core.executor import get_executor

    biases = [float(b) for b in np.atleast_1d(biases)]
    if not biases:
        raise ParameterError("biases: give at least one bias voltage")
    _check_strip(lattice)
    items = [{"make_calculator": make_calculator, "bias": b, "lattice": lattice, "x0": x0, "n_steps": int(n_steps),
              "dt": dt, "alpha": alpha, "temperature": temperature, "seed": seed, "record_every": record_every,
              "tilt": tilt, "t_min": t_min, "velocity_method": velocity_method} for b in biases]
    results: list = [None] * len(items)
    with get_executor(workers, scheduler) as ex:
        for i, r in ex.imap_unordered(_velocity_job, items, progress=progress, desc="v(V)"):
            if isinstance(r, BaseException):
                raise r
            results[i] = r
    res = {"bias": biases, "velocity": [r["velocity"] for r in results],
           "velocity_err": [r["velocity_err"] for r in results], "t_depin": [r["t_depin"] for r in results],
           "depinned": [r["depinned"] for r in results], "time": [r["time"] for r in results],
           "x_dw": [r["x_dw"] for r in results], "seconds": [r["seconds"] for r in results]}
    if out is not None:
        from altermag.core.io import save_json

        save_json(out, res, inputs={"lattice": repr(lattice), "x0": x0, "n_steps": n_steps, "dt": dt, "alpha": alpha,
                                    "temperature": temperature, "seed": seed, "tilt": tilt, "t_min": t_min,
                                    "velocity_method": velocity_method})
    return res


# ============================================================================ calculators
DRIVEN_MODEL = "sd-square-driven"  # the shipped two-potential model (docs/driven.md, run4)

def make_driven_calculator(bias: float, method: str = "negf", lx: int = 24, ly: int = 10, mu: float | None = None,
                           J: float = 3.0, t1: float = 1.0, temperature_el: float = 0.05, leads: str = "square",
                           gamma: float = 1.0, tol: float = 1e-4, model_path: str | None = None):
    """Field calculator of the driven strip at bias ``bias`` (picklable through ``functools.partial``, for
    :func:`velocity_curve`).

    ``method="negf"``: :class:`~altermag.dynamics.negf.NEGFCalculator` of ``SDModel(SpinLattice("square", lx, ly,
    periodic_x=False), t1, J, mu, temperature_el)`` with ``leads``/``gamma``/``tol``; ``mu`` defaults to the
    coexistence μ_c of :func:`coexistence_mu`. ``method="ml"``: the two-potential
    :class:`~altermag.dynamics.ml_field.MLCalculator` of ``model_path`` (a ``.pt`` file or a shipped model name;
    default the shipped ``"sd-square-driven"``, trained on NEGF fields for J = 3, t1 = 1, T_el = 0.05, μ = μ_c,
    ``docs/driven.md``) on the same strip (any ``lx``; the model's descriptor needs ``ly`` ≥ 9) at ``bias``.
    ``method="ed"``: the equilibrium grand-canonical ED field of the isolated strip (bias must be 0).
    """
    if int(lx) != lx or lx < 2 or int(ly) != ly or ly < 2:
        raise ParameterError(f"lx={lx}, ly={ly}: the strip needs at least 2 × 2 sites")
    lat = SpinLattice("square", int(lx), int(ly), periodic_x=False)
    if method == "ml":
        model = str(model_path or DRIVEN_MODEL)
        trained_mu = mu is None or abs(mu - coexistence_mu(J=3.0, temperature=0.05)["mu_c"]) < 1e-6
        if model == DRIVEN_MODEL and (J != 3.0 or t1 != 1.0 or temperature_el != 0.05 or not trained_mu):
            raise ParameterError(
                f"the shipped model {DRIVEN_MODEL!r} was trained for J = 3, t1 = 1, T_el = 0.05 at μ = μ_c; got "
                f"J={J}, t1={t1}, temperature_el={temperature_el}, mu={mu}: train a model for these parameters "
                "(bench/train_negf.py) and pass model_path"
            )
        if model.endswith(".pt") and not Path(model).exists():
            raise ParameterError(f"model_path={model_path!r}: no such file")
        from altermag.dynamics.ml_field import MLCalculator

        calc = MLCalculator(model, lattice=lat, bias=float(bias))
        calc.bias = float(bias)
        return calc
    from altermag.dynamics.models import SDModel

    if mu is None:
        mu = coexistence_mu(J=J, t1=t1, temperature=temperature_el)["mu_c"]
    model = SDModel(lat, t1=t1, J=J, mu=float(mu), temperature=temperature_el)
    if method == "negf":
        from altermag.dynamics.negf import NEGFCalculator

        return NEGFCalculator(model, bias=float(bias), leads=leads, gamma=gamma, tol=tol)
    if method == "ed":
        if bias != 0:
            raise ParameterError(f"bias={bias}: the ED field is an equilibrium field; use method='negf' for V != 0")
        from altermag.dynamics.ed import EDCalculator

        calc = EDCalculator(model)
        calc.bias = 0.0
        return calc
    raise ParameterError(f"method={method!r}: one of 'negf', 'ml', 'ed'")
