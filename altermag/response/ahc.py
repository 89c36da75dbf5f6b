"""Anomalous Hall conductivity of the four-band model (minimal-models paper Sec. IV, spec Eq. 28).

    σ_ab = −(e²/ħ) Σ_n ∫_BZ d³k/(2π)³ f(E_n(k) − E_F) Ω^{ab}_n(k)

with the Kubo Berry curvature of :mod:`altermag.response.berry` (full model: J, n̂ and λ all enter).

Units and conventions
---------------------
* 3D models: σ in **S/cm**, from the model's lattice (Å) — or the lattice uniformly rescaled so that
  |a₁| = ``lattice_constant`` (c/a kept; σ ∝ 1/length). σ_ab = −σ_ba; the Hall vector is
  (σ_yz, σ_zx, σ_xy).
* 2D models (``terms.dimension == 2``): σ_xy in **e²/h per layer** (= −C for a filled Chern band), also
  given in S per square (``sigma_S``).
* Temperature ``kT`` in eV; filling by ``n_sigma`` (electrons per spin per site of the full four-band
  model, i.e. electrons per cell / 4) or ``E_F`` (eV, relative to the model's energies; 0 = the model's μ).
* k-integration: a Γ-centred base mesh whose points are cell centres, plus **adaptive refinement**
  (WannierBerri-style local refinement): a cell is *unresolved* when some band pair with |f_n − f_m| > 1e-4
  has an (avoided) crossing sharper than the cell, |E_n − E_m| < |v_n − v_m|·(cell size)/``resolve``. Each
  iteration splits the unresolved cells (largest |contribution| first, at most ``max_refine``) into 2×2×2
  (2D: 2×2) sub-cells; it stops when no cell is unresolved or when the change of σ stayed below ``rtol``
  (relative to |σ|, absolute floor ``atol``) for ``patience`` consecutive iterations. Selecting cells by a
  resolution criterion rather than by the size of their sampled value avoids the selection bias of
  value-based refinement (measured: value-based refinement converged to a value 5 % off).
  Hot spots are the SOC-gapped nodal planes (RuO2: X–M, Z–R) and the Weyl loops on k_z = π.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from altermag.core.errors import ParameterError
from altermag.core.units import E_CHARGE, E2_H, HBAR_SI
from altermag.models.hamiltonian import TwoSublatticeModel
from altermag.response.berry import _CHUNK, _occupied_flat, berry_curvature_occupied
from altermag.response.normal_state import check_kT, fermi_level, mesh_shape

__all__ = ["anomalous_hall", "AHCResult", "ahc_sweep", "AHCSweep", "soc_parameters", "set_soc",
           "E2_HBAR", "berry_plane", "plot_berry_plane", "plot_sigma_sweep", "tour_figures"]

log = logging.getLogger(__name__)

E2_HBAR: float = E_CHARGE ** 2 / HBAR_SI
"""e²/ħ in S (≈ 2.434e-4 S)."""

_SOC_CHANNELS = ("lx", "ly", "lz")


# ------------------------------------------------------------------------------------------ SOC knobs


def soc_parameters(model: TwoSublatticeModel) -> list[str]:
    """Names of the model's SOC coefficients (channels λ_x, λ_y, λ_z) in generation order."""
    return list(dict.fromkeys(h.parameter for h in model.terms.harmonics if h.channel in _SOC_CHANNELS))


def set_soc(model: TwoSublatticeModel, value: float, which: str | None = None) -> TwoSublatticeModel:
    """The model with its SOC strength set to ``value`` (eV) — the meaning of ``altermag ahc --soc``.

    ``which=None``: the **first (lowest-order) SOC coefficient** in the model's generation order is set
    (RuO2, MnF2, CrSb, MnTe, SG223: ``lambda1``; FeSb2: ``lambda_x``; the 2D SG 136/123 models:
    ``lambda2``); the others keep their values. ``which="all"``: every SOC coefficient is set to
    ``value``. ``which=NAME``: that coefficient.
    """
    names = soc_parameters(model)
    if not names:
        raise ParameterError(f"model {model.name!r} has no spin-orbit coefficients (no λ terms); "
                             f"--soc cannot be applied")
    if which is None:
        targets = names[:1]
    elif which == "all":
        targets = names
    elif which in names:
        targets = [which]
    else:
        raise ParameterError(f"SOC coefficient {which!r} not in model {model.name!r}; its SOC coefficients "
                             f"are {names}")
    return model.with_params(**{t: float(value) for t in targets})


# -------------------------------------------------------------------------------------------- result


@dataclass
class AHCResult:
    """Anomalous Hall conductivity and how it was converged (see module doc for units)."""

    sigma: dict  # component → value; 3D: S/cm, 2D: e²/h per layer
    units: str
    E_F: float
    n_sigma: float | None
    kT: float
    mesh: tuple
    n_kpoints: int
    converged: bool
    history: list  # [{"iteration", "n_kpoints", "sigma": {...}, "change"}, ...]
    rtol: float
    wall_time: float
    lattice_constant: float
    sigma_S: dict | None = None  # 2D only: S per square
    inputs: dict = field(default_factory=dict)

    @property
    def hall_vector(self) -> np.ndarray:
        """(σ_yz, σ_zx, σ_xy) in :attr:`units`."""
        return np.array([self.sigma["yz"], self.sigma["zx"], self.sigma["xy"]])

    def as_dict(self) -> dict:
        d = {"sigma": dict(self.sigma), "units": self.units, "E_F": self.E_F, "n_sigma": self.n_sigma,
             "kT": self.kT, "mesh": list(self.mesh), "n_kpoints": self.n_kpoints, "converged": self.converged,
             "rtol": self.rtol, "history": self.history, "wall_time": self.wall_time,
             "lattice_constant": self.lattice_constant, "hall_vector": self.hall_vector.tolist(),
             "inputs": self.inputs}
        if self.sigma_S is not None:
            d["sigma_S_per_square"] = dict(self.sigma_S)
        return d

    def save(self, path) -> Path:
        from altermag.core.io import save_json

        return save_json(path, self.as_dict(), inputs=self.inputs)


def _components(vec) -> dict:
    x, y, z = (float(v) for v in vec)  # (σ_yz, σ_zx, σ_xy)
    return {"xy": z, "yz": x, "zx": y, "yx": -z, "zy": -x, "xz": -y}


def _model_inputs(model: TwoSublatticeModel) -> dict:
    return {"model": model.name, "params": dict(model.params), "J": model.J, "neel": model.neel.tolist(),
            "mu": model.mu, "dimension": int(model.terms.dimension)}


# ---------------------------------------------------------------------------------------- integrator


def anomalous_hall(model: TwoSublatticeModel, *, mesh=24, kT: float = 0.01, E_F: float | None = None,
                   n_sigma: float | None = None, adaptive: bool = True, rtol: float = 0.01,
                   atol: float | None = None, lattice_constant: float | None = None, max_iter: int = 30,
                   resolve: float = 0.5, fermi_surface: float = 0.0, max_refine: int = 50000, patience: int = 2,
                   max_kpoints: int = 4_000_000, progress: bool = False) -> AHCResult:
    """σ_ab of Eq. (28) with adaptive k-refinement (see module doc).

    Parameters
    ----------
    model : the full model (J, n̂, λ)
    mesh : base mesh, n or (n1, n2, n3) (2D: n3 = 1)
    kT : temperature (eV)
    E_F, n_sigma : Fermi level (eV, relative to the model's energies) or filling (electrons per spin per
        site); not both (ParameterError); neither: E_F = 0
    adaptive : refine hot cells until converged (False: the base mesh only)
    rtol : relative convergence target of the Hall vector per refinement step
    atol : absolute floor of the convergence test (default 0.01 S/cm in 3D, 1e-4 e²/h in 2D), so that
        symmetry-forbidden (zero) results converge
    lattice_constant : |a₁| in Å; the model cell is rescaled uniformly (default: the model's lattice)
    max_iter, max_kpoints : limits; stopping at a limit gives ``converged=False`` (and a log warning)
    resolve, max_refine, patience : refinement criterion, cap of cells split per iteration, and the number
        of consecutive small changes that count as converged (see module doc)
    """
    if not isinstance(model, TwoSublatticeModel):
        raise ParameterError(f"expected a TwoSublatticeModel, got {type(model).__name__}")
    t0 = time.perf_counter()
    kT = check_kT(kT)
    if not 0 < rtol < 1:
        raise ParameterError(f"rtol must lie in (0, 1), got {rtol!r}")
    if not resolve > 0:
        raise ParameterError(f"resolve must be > 0, got {resolve!r}")
    for label, val in (("max_iter", max_iter), ("max_refine", max_refine), ("patience", patience),
                       ("max_kpoints", max_kpoints)):
        if int(val) != val or val < 1:
            raise ParameterError(f"{label} must be a positive integer, got {val!r}")
    shape = mesh_shape(model, mesh)
    dim = int(model.terms.dimension)
    A = model.lattice
    a0 = float(np.linalg.norm(A[0]))
    if lattice_constant is None:
        scale = 1.0
        lattice_constant = a0
    else:
        lattice_constant = float(lattice_constant)
        if not np.isfinite(lattice_constant) or lattice_constant <= 0:
            raise ParameterError(f"lattice_constant must be > 0 Å, got {lattice_constant!r}")
        scale = lattice_constant / a0
    if dim == 3:
        volume = abs(float(np.linalg.det(A))) * scale ** 3  # Å³
        # σ [S/cm] = −(e²/ħ) ⟨ΣfΩ⟩ [Å²] / V [Å³] × 1e8 ; Ω ∝ scale²
        factor = -E2_HBAR * 1e8 * scale ** 2 / volume
        units = "S/cm"
        atol = 0.01 if atol is None else float(atol)
    else:
        area = float(np.linalg.norm(np.cross(A[0], A[1]))) * scale ** 2
        factor = -E2_HBAR / E2_H * scale ** 2 / area  # → e²/h per layer
        units = "e^2/h"
        atol = 1e-4 if atol is None else float(atol)

    # base mesh: Γ-centred points = centres of cells of side 1/n_i
    n1, n2, n3 = shape
    g = np.meshgrid(np.arange(n1) / n1, np.arange(n2) / n2, np.arange(n3) / n3, indexing="ij")
    k = np.stack(g, -1).reshape(-1, 3)
    h = np.tile(np.array([1.0 / n1, 1.0 / n2, 1.0 / n3 if dim == 3 else 0.0]), (len(k), 1))
    w = np.full(len(k), 1.0 / len(k))

    if n_sigma is not None and E_F is not None:
        raise ParameterError(f"give n_sigma or E_F, not both (n_sigma={n_sigma!r}, E_F={E_F!r})")
    if n_sigma is not None:
        E = model.eigenvalues_on_grid(shape)
        E_F = fermi_level(E, n_sigma, kT)
    elif E_F is None:
        E_F = 0.0
    E_F = float(E_F)
    if not np.isfinite(E_F):
        raise ParameterError(f"E_F must be a finite energy (eV), got {E_F!r}")

    bnorm = np.linalg.norm(model.reciprocal, axis=1)  # |b_i| (Å⁻¹), model frame (v·cell is scale-invariant)

    def evaluate(kk, hh):
        cell = np.linalg.norm(hh * bnorm, axis=1)
        vals = np.empty((len(kk), 3))
        flags = np.empty(len(kk), bool)
        for s0 in range(0, len(kk), _CHUNK):
            vals[s0:s0 + _CHUNK], flags[s0:s0 + _CHUNK] = _occupied_flat(
                model, kk[s0:s0 + _CHUNK], kT, E_F, cell=cell[s0:s0 + _CHUNK], resolve=resolve,
                fermi_surface=fermi_surface)
        return vals, flags

    vals, flags = evaluate(k, h)  # (n, 3) Å²
    contrib = w[:, None] * vals
    total = contrib.sum(0)
    history = [{"iteration": 0, "n_kpoints": int(len(k)), "sigma": _components(factor * total), "change": None,
                "unresolved": int(flags.sum())}]
    converged = not adaptive
    n_used = len(k)
    ndiv = 8 if dim == 3 else 4
    offs = np.array(np.meshgrid([-0.25, 0.25], [-0.25, 0.25], [-0.25, 0.25] if dim == 3 else [0.0],
                                indexing="ij")).reshape(3, -1).T  # (ndiv, 3) child-centre offsets / h
    halve = np.array([2.0, 2.0, 2.0 if dim == 3 else 1.0])
    it = 0
    small = 0
    while adaptive and it < max_iter:
        cand = np.flatnonzero(flags)
        if len(cand) == 0:
            converged = True
            break
        it += 1
        mag = np.linalg.norm(contrib[cand], axis=1)
        sel = cand[np.argsort(mag)[::-1][:max_refine]]
        if n_used + len(sel) * ndiv > max_kpoints:
            log.warning("anomalous_hall: k-point limit %d reached before convergence", max_kpoints)
            break
        keep = np.ones(len(k), bool)
        keep[sel] = False
        kc = (k[sel][:, None, :] + offs[None] * h[sel][:, None, :]).reshape(-1, 3)
        hc = np.repeat(h[sel] / halve, ndiv, axis=0)
        wc = np.repeat(w[sel] / ndiv, ndiv)
        vc, fc = evaluate(kc, hc)
        n_used += len(kc)
        k = np.concatenate([k[keep], kc])
        h = np.concatenate([h[keep], hc])
        w = np.concatenate([w[keep], wc])
        flags = np.concatenate([flags[keep], fc])
        contrib = np.concatenate([contrib[keep], wc[:, None] * vc])
        new_total = contrib.sum(0)
        change = float(np.linalg.norm(factor * (new_total - total)))
        ref = max(float(np.linalg.norm(factor * new_total)), atol / rtol)
        total = new_total
        history.append({"iteration": it, "n_kpoints": int(n_used), "sigma": _components(factor * total),
                        "change": change / ref, "unresolved": int(flags.sum())})
        if progress:
            log.info("AHC iteration %d: %d k-points, σ = %s", it, n_used, _components(factor * total))
        small = small + 1 if change < rtol * ref else 0
        if small >= patience:
            converged = True
            break
    if adaptive and not converged:
        log.warning("anomalous_hall(%s): not converged to rtol=%g after %d iterations (%d k-points)",
                    model.name, rtol, it, n_used)
    sigma = _components(factor * total)
    sigma_S = None
    if dim == 2:
        sigma_S = {c: v * E2_H for c, v in sigma.items()}
    inputs = {**_model_inputs(model), "mesh": list(shape), "kT": kT, "E_F": E_F, "n_sigma": n_sigma,
              "adaptive": adaptive, "rtol": rtol, "atol": atol, "lattice_constant": lattice_constant}
    return AHCResult(sigma, units, E_F, None if n_sigma is None else float(n_sigma), kT, shape, int(n_used),
                     bool(converged), history, rtol, time.perf_counter() - t0, lattice_constant, sigma_S, inputs)


# -------------------------------------------------------------------------------------------- sweeps


@dataclass
class AHCSweep:
    """σ versus one parameter (λ, J, ...)."""

    parameter: str
    values: list
    results: list  # AHCResult.as_dict() per value (or {"error": ...})
    inputs: dict = field(default_factory=dict)

    def sigma(self, component: str = "xz") -> np.ndarray:
        return np.array([r["sigma"][component] if "sigma" in r else np.nan for r in self.results])

    def as_dict(self) -> dict:
        return {"parameter": self.parameter, "values": list(self.values), "results": self.results,
                "inputs": self.inputs}

    def save(self, path) -> Path:
        from altermag.core.io import save_json

        return save_json(path, self.as_dict(), inputs=self.inputs)


def _apply(model: TwoSublatticeModel, parameter: str, value: float) -> TwoSublatticeModel:
    if parameter == "lambda":
        return set_soc(model, value)
    if parameter == "lambda_scale":
        names = soc_parameters(model)
        return model.with_params(**{n: model.params[n] * value for n in names})
    if parameter in ("J", "mu") or parameter in model.params:
        return model.with_params(**{parameter: float(value)})
    raise ParameterError(f"sweep parameter {parameter!r} unknown: use 'lambda' (the --soc coefficient), "
                         f"'lambda_scale' (multiplies every SOC coefficient), 'J', 'mu' or one of "
                         f"{list(model.params)}")


def _sweep_job(item):
    """Module-level (picklable) job: (model dict, parameter, value, kwargs) → AHCResult dict."""
    model_dict, parameter, value, kwargs = item
    model = _apply(TwoSublatticeModel.from_dict(model_dict), parameter, value)
    return anomalous_hall(model, **kwargs).as_dict()


def ahc_sweep(model: TwoSublatticeModel, parameter: str, values, *, workers: int | None = None,
              scheduler: str | None = None, out=None, **kwargs) -> AHCSweep:
    """σ for each value of ``parameter`` through :func:`altermag.core.executor.get_executor`.

    ``parameter``: ``"lambda"`` (sets the SOC coefficient of :func:`set_soc`), ``"lambda_scale"``
    (multiplies every SOC coefficient), ``"J"``, ``"mu"`` or any coefficient name. ``kwargs`` go to
    :func:`anomalous_hall`. Serial unless ``workers`` > 1 or a Dask ``scheduler`` is given. A failed point is
    recorded as ``{"error": ...}``. ``out``: JSON path to save the sweep with its inputs.
    """
    from altermag.core.executor import get_executor

    values = [float(v) for v in values]
    if not values:
        raise ParameterError("values must not be empty")
    _apply(model, parameter, values[0])  # validate the parameter name early
    # user errors in the shared options are raised here, not buried as NaN points
    check_kT(kwargs.get("kT", 0.01))
    if kwargs.get("n_sigma") is not None and not 0.0 < float(kwargs["n_sigma"]) < 1.0:
        raise ParameterError(f"n_sigma (electrons per spin per site) must lie strictly between 0 and 1, "
                             f"got {kwargs['n_sigma']!r}")
    mesh_shape(model, kwargs.get("mesh", 24))
    items = [(model.as_dict(), parameter, v, kwargs) for v in values]
    results: list = [None] * len(items)
    # the executor is closed afterwards (worker processes / Dask client released); it draws the progress bar
    with get_executor(1 if workers is None and scheduler is None else workers, scheduler) as ex:
        for i, r in ex.imap_unordered(_sweep_job, items, progress=True, desc=f"AHC vs {parameter}"):
            results[i] = {"error": f"{type(r).__name__}: {r}"} if isinstance(r, BaseException) else r
    if all("error" in r for r in results):
        raise ParameterError(f"every point of the {parameter} sweep failed; first: {results[0]['error']}")
    inputs = {**_model_inputs(model), "parameter": parameter, "values": values,
              "kwargs": {k: v for k, v in kwargs.items()}}
    sweep = AHCSweep(parameter, values, results, inputs)
    if out is not None:
        sweep.save(out)
    return sweep


# --------------------------------------------------------------------------------------------- plots


def berry_plane(model: TwoSublatticeModel, *, plane: str = "ky=0", n: int = 121, kT: float = 0.01,
                E_F: float = 0.0, component: str = "xz"):
    """Σ_n f_n Ω^{ab}_n on a plane of the BZ: returns (u, v, values) with u, v fractional coordinates
    (−½..½) of the two in-plane axes and values (n, n) in Å². ``plane``: ``"kx=c"``, ``"ky=c"``, ``"kz=c"``
    (c fractional)."""
    try:
        axis_name, c = plane.replace(" ", "").split("=")
        axis = {"kx": 0, "ky": 1, "kz": 2}[axis_name]
        c = float(c)
    except (ValueError, KeyError) as exc:
        raise ParameterError(f"plane must look like 'ky=0' or 'kz=0.5', got {plane!r}") from exc
    comp = {"yz": (0, 1), "zy": (0, -1), "zx": (1, 1), "xz": (1, -1), "xy": (2, 1), "yx": (2, -1)}
    if component not in comp:
        raise ParameterError(f"component must be one of {list(comp)}, got {component!r}")
    g = np.linspace(-0.5, 0.5, n)
    U, V = np.meshgrid(g, g, indexing="ij")
    others = [i for i in range(3) if i != axis]
    k = np.zeros(U.shape + (3,))
    k[..., others[0]], k[..., others[1]], k[..., axis] = U, V, c
    ci, sgn = comp[component]
    vals = sgn * berry_curvature_occupied(model, k, kT, E_F)[..., ci]
    return g, g, vals, [("k_x", "k_y", "k_z")[i] for i in others]


def plot_berry_plane(model: TwoSublatticeModel, path, *, plane: str = "ky=0", n: int = 121, kT: float = 0.01,
                     E_F: float = 0.0, component: str = "xz") -> Path:
    """PNG of Σ_n f_n Ω^{ab}_n on a BZ plane (symmetric-log colour scale). Returns the path."""
    from altermag.response.plotting import pyplot, save_figure

    plt = pyplot()
    from matplotlib.colors import SymLogNorm

    u, v, vals, labels = berry_plane(model, plane=plane, n=n, kT=kT, E_F=E_F, component=component)
    vmax = float(np.abs(vals).max()) or 1.0
    fig, ax = plt.subplots(figsize=(4.6, 3.8))
    im = ax.pcolormesh(u, v, vals.T, cmap="RdBu_r", shading="auto",
                       norm=SymLogNorm(linthresh=vmax * 1e-3, vmin=-vmax, vmax=vmax))
    fig.colorbar(im, ax=ax, label=f"$\\sum_n f_n \\Omega_n^{{{component}}}$ (Å²)")
    ax.set_xlabel(f"{labels[0]} (fractional, units of its reciprocal vector)")
    ax.set_ylabel(f"{labels[1]} (fractional)")
    ax.set_title(f"{model.name}: Berry curvature, {plane}", fontsize=9)
    return save_figure(fig, path, dpi=110)


def plot_sigma_sweep(sweep: AHCSweep, path, component: str = "xz") -> Path:
    """PNG of σ_component versus the swept parameter. Returns the path."""
    from altermag.response.plotting import pyplot, save_figure

    plt = pyplot()
    units = next((r.get("units") for r in sweep.results if "units" in r), "")
    fig, ax = plt.subplots(figsize=(4.4, 3.2))
    ax.plot(sweep.values, sweep.sigma(component), "o-")
    ax.axhline(0, color="0.6", lw=0.5)
    ax.set_xlabel(f"{sweep.parameter} (eV)" if sweep.parameter != "lambda_scale" else "SOC scale factor")
    ax.set_ylabel(f"σ_{component} ({units})")
    ax.set_title(f"{sweep.inputs.get('model', '')}: σ_{component} vs {sweep.parameter}", fontsize=9)
    return save_figure(fig, path, dpi=110)


def tour_figures(out) -> dict:
    """Tour contribution (≤ 15 s): RuO2 with λ₁ = 0.05 eV, n̂ = x — Berry curvature Σ f Ω^{xz} on the k_y = 0
    plane (PNG) and σ_xz on a coarse adaptive grid. Returns the key numbers and the figure path."""
    from altermag.models import preset

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    m = preset("RuO2", lambda1=0.05, neel=(1, 0, 0))
    png = plot_berry_plane(m, out / "ahc_berry_plane.png", plane="ky=0", n=81, component="xz")
    r = anomalous_hall(m, mesh=16, kT=0.01, rtol=0.05, max_iter=6)
    m0 = m.with_params(neel=(0, 0, 1))
    r0 = anomalous_hall(m0, mesh=12, kT=0.01, adaptive=False)
    return {"figure": str(png), "model": m.name, "lambda1": 0.05, "neel": "x", "kT": 0.01,
            "sigma_xz_S_per_cm": r.sigma["xz"], "sigma_yz_S_per_cm": r.sigma["yz"], "sigma_xy_S_per_cm": r.sigma["xy"],
            "n_kpoints": r.n_kpoints, "converged_rtol_0.05": r.converged,
            "sigma_max_abs_neel_z_S_per_cm": float(np.abs(r0.hall_vector).max()),
            "note": "λ₁ illustrative (NOT RECOVERED); tour grid coarse (5 % target)"}
