"""``altermag transport ...``: thin Typer wrappers over :mod:`altermag.transport`.

Commands: ``solve`` (G, limits, gradients, μ(x) of one channel), ``spectrum`` (G(E_F), optionally
noisy synthetic data as CSV), ``fit`` (α, τ with errors from a G(E_F) CSV; report JSON + PNG),
``map`` (error landscape over (α, τ)), ``pinn`` (the paper's PINN; :mod:`altermag.transport.pinn_cli`).
All numbers in the paper's units (ħ = e = 1, G in the paper's unit: G/W = (e²/h)·G/2π) unless a
CSV says otherwise (see :mod:`altermag.transport.data`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from altermag.core.cliutil import emit_json, fail
from altermag.core.errors import AltermagError
from altermag.transport.pinn_cli import pinn_command

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Boltzmann transport of a d-wave altermagnet channel (paper units: hbar = e = 1).")

ALPHA = typer.Option(..., "--alpha", help="Spin splitting α of α(kx²−ky²)σz; |2·mass·α| < 1.")
TAU = typer.Option(..., "--tau", help="Momentum relaxation time τ > 0.")
LENGTH = typer.Option(..., "--length", help="Channel length L > 0 (paper Table 1: 1.41421356 = √2).")
MASS = typer.Option(1.0, "--mass", help="Band mass m > 0.")
RTOL = typer.Option(1e-4, "--rtol", help="Requested relative accuracy of G.")


def _plain_warnings(command):
    """Report solver warnings (e.g. the accuracy reached on very fine meshes) as one ``warning: ...`` line on
    stderr, without Python's source-line noise."""
    import functools
    import warnings

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            try:
                return command(*args, **kwargs)
            finally:
                for w in caught:
                    typer.echo(f"warning: {w.message}", err=True)
    return wrapper


@app.command()
@_plain_warnings
def solve(
    alpha: float = ALPHA, tau: float = TAU, length: float = LENGTH,
    fermi_energy: float = typer.Option(1.0, "--fermi-energy", help="Fermi energy E_F > 0 (from the band bottom)."),
    mass: float = MASS, rtol: float = RTOL,
    profile: bool = typer.Option(False, "--profile", help="Include x, μ(x), J(x) in the JSON output."),
    out: Optional[Path] = typer.Option(None, "--out", help="Save the full solution (with inputs) as JSON."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
):
    """Conductance of one channel, its Sharvin/Drude limits and ∂G/∂(α, τ, L, E_F, m)."""
    try:
        from altermag.transport.solver import solve as _solve

        sol = _solve(alpha, tau, length, fermi_energy, mass, rtol=rtol)
    except AltermagError as exc:
        fail(exc)
    rec = sol.as_dict()
    if not profile:
        for k in ("x", "mu", "current"):
            rec.pop(k)
    if out is not None:
        from altermag.core.io import save_json

        save_json(out, sol.as_dict(), inputs={"alpha": alpha, "tau": tau, "length": length,
                                              "fermi_energy": fermi_energy, "mass": mass, "rtol": rtol})
    if json_out:
        emit_json(rec)
        return
    p = sol.params
    typer.echo(f"G = {sol.conductance:.6g} (paper unit)  = {sol.conductance_e2h_per_width:.6g} e²/h per unit width"
               f"   [{p.regime()}, v_Fτ/L = {p.knudsen:.3g}, est. rel. error {sol.error_estimate:.1e}]")
    typer.echo(f"  spin-resolved G_↑, G_↓ = {sol.conductance_spin[0]:.6g}, {sol.conductance_spin[1]:.6g}"
               f"  (polarisation {sol.spin_polarization:+.4f})")
    typer.echo(f"  Sharvin limit {p.sharvin:.6g}   Drude limit {p.drude:.6g}")
    typer.echo("  dG/dα = {alpha:.6g}  dG/dτ = {tau:.6g}  dG/dL = {length:.6g}".format(**sol.gradient))


@app.command()
@_plain_warnings
def spectrum(
    alpha: float = ALPHA, tau: float = TAU, length: float = LENGTH, mass: float = MASS,
    e_min: float = typer.Option(0.5, "--e-min", help="Lowest Fermi energy."),
    e_max: float = typer.Option(2.0, "--e-max", help="Highest Fermi energy."),
    points: int = typer.Option(10, "--points", help="Number of Fermi levels (linearly spaced)."),
    noise: float = typer.Option(0.0, "--noise", help="Relative Gaussian noise added (0.01 = 1 %)."),
    seed: int = typer.Option(0, "--seed", help="Noise seed."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the spectrum as a CSV readable by `fit`."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
):
    """G(E_F) at fixed (α, τ, L); with --noise a synthetic data set for `fit`."""
    import numpy as np

    try:
        from altermag.transport.data import synthetic_spectrum, write_conductance_csv

        if points < 1 or not (0 < e_min <= e_max):
            raise AltermagError(f"need points >= 1 and 0 < e_min <= e_max (got {points}, {e_min}, {e_max})")
        E = np.linspace(e_min, e_max, points)
        data = synthetic_spectrum(alpha, tau, length, E, mass=mass, noise=noise, seed=seed)
    except AltermagError as exc:
        fail(exc)
    if out is not None:
        write_conductance_csv(out, data)
    rec = {"alpha": alpha, "tau": tau, "length": length, "mass": mass, "fermi_energy": E,
           "conductance": data.conductance, "conductance_exact": data.raw["conductance_exact"], "noise": noise,
           "sigma": data.sigma, "file": None if out is None else str(out)}
    if json_out:
        emit_json(rec)
        return
    for e, g in zip(E, data.conductance):
        typer.echo(f"E_F = {e:10.5g}   G = {g:.6g}")
    if out is not None:
        typer.echo(f"wrote {out}")


@app.command()
@_plain_warnings
def fit(
    data: Path = typer.Argument(..., help="CSV of G(E_F) (format: docs/transport.md; S, e²/h or model units)."),
    fix_tau: Optional[float] = typer.Option(None, "--fix-tau", help="Fit α only, τ fixed (model units)."),
    fix_alpha: Optional[float] = typer.Option(None, "--fix-alpha", help="Fit τ only, α fixed (model units)."),
    bootstrap: int = typer.Option(0, "--bootstrap", help="Also a parametric bootstrap with this many refits."),
    mcmc: int = typer.Option(0, "--mcmc", help="Also sample the posterior with this many Metropolis steps."),
    confidence: float = typer.Option(0.6827, "--confidence", help="Coverage of the reported intervals."),
    rtol: float = typer.Option(1e-4, "--rtol", help="Forward-solver accuracy during the fit."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for the report (JSON + PNG)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
):
    """Fit (α, τ) with 1σ errors, α–τ correlation and intervals to a measured conductance spectrum."""
    try:
        from altermag.transport.data import read_conductance_csv, write_report

        d = read_conductance_csv(data)
        if fix_tau is not None and fix_alpha is not None:
            raise AltermagError("--fix-tau and --fix-alpha together leave nothing to fit")
        kw = {}
        if fix_tau is not None:
            kw = {"fit": ("alpha",), "tau": fix_tau}
        elif fix_alpha is not None:
            kw = {"fit": ("tau",), "alpha": fix_alpha}
        if bootstrap < 0 or mcmc < 0:
            raise AltermagError(f"--bootstrap ({bootstrap}) and --mcmc ({mcmc}) must be >= 0")
        if bootstrap > 0 and mcmc > 0:
            raise AltermagError("choose one of --bootstrap, --mcmc")
        errors = "bootstrap" if bootstrap > 0 else "mcmc" if mcmc > 0 else "fisher"
        res = d.fit(errors=errors, n_bootstrap=bootstrap, n_mcmc=mcmc, confidence=confidence,
                    rtol=rtol, progress=errors != "fisher" and not json_out, **kw)
    except AltermagError as exc:
        fail(exc)
    rec = res.as_dict()
    rec.pop("path")
    for extra in ("bootstrap", "mcmc"):
        if extra in rec:
            rec[extra].pop("samples", None)
    rec["physical"] = d.physical(res)
    rec["source"] = str(data)
    if out is not None:
        rep = write_report(res, out, data=d)
        rec["report"] = str(Path(out) / "transport_fit.json")
        rec["figure"] = rep["figure"]
    if json_out:
        emit_json(rec)
        return
    typer.echo(f"{data}: {len(d)} points, fitted {', '.join(res.fitted)} in {res.seconds:.2f} s "
               f"({res.n_iter} iterations, χ²/dof = {res.reduced_chi2:.3g})")
    typer.echo(f"  α = {res.alpha:.6g} ± {res.alpha_err:.2g}    τ = {res.tau:.6g} ± {res.tau_err:.2g}"
               f"    corr(α, τ) = {res.correlation:.4f}")
    for k, v in res.intervals.items():
        typer.echo(f"  {k}: [{v[0]:.6g}, {v[1]:.6g}] ({100 * confidence:.4g} %)")
    if rec["physical"]:
        ph = rec["physical"]
        typer.echo(f"  physical: α = {ph['alpha_eV_A2']:.4g} ± {ph['alpha_err_eV_A2']:.2g} eV·Å², "
                   f"τ = {ph['tau_ps']:.4g} ± {ph['tau_err_ps']:.2g} ps, 2m*α/ħ² = {ph['anisotropy_2m_alpha']:.4g}")
    if out is not None:
        typer.echo(f"  report: {rec['report']}, {rec['figure']}")


@app.command("map")
@_plain_warnings
def map_(
    data: Path = typer.Argument(..., help="CSV of G(E_F) (as for `fit`)."),
    alpha_max: Optional[float] = typer.Option(None, "--alpha-max",
                                              help="Largest α of the map (model units; < 1/(2·mass); "
                                                   "default 0.96/(2·mass))."),
    tau_min: Optional[float] = typer.Option(None, "--tau-min", help="Smallest τ (default: fit τ / 4)."),
    tau_max: Optional[float] = typer.Option(None, "--tau-max", help="Largest τ (default: fit τ × 4)."),
    points: int = typer.Option(41, "--points", help="Grid points per axis."),
    out: Path = typer.Option(Path("transport_map.png"), "--out", help="PNG of the map (JSON next to it)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
):
    """Error landscape (mean relative misfit², paper Eq. 22) over (α, τ): the compensation valley."""
    import numpy as np

    try:
        from altermag.core.io import save_json
        from altermag.transport.data import read_conductance_csv
        from altermag.transport.plots import _plt, plot_error_map

        d = read_conductance_csv(data)
        if d.density is not None:
            raise AltermagError(f"{data}: the map needs Fermi energies (density data: use `fit`)")
        a_lim = 1.0 / (2.0 * d.mass)
        if alpha_max is not None and not 0 < alpha_max < a_lim:
            raise AltermagError(f"--alpha-max = {alpha_max} must lie in (0, 1/(2·mass)) = (0, {a_lim:.6g}) "
                                "(closed Fermi contours)")
        if points < 2:
            raise AltermagError(f"--points = {points} must be >= 2")
        for opt, v in (("--tau-min", tau_min), ("--tau-max", tau_max)):
            if v is not None and not v > 0:
                raise AltermagError(f"{opt} = {v} must be > 0")
        res = d.fit()
        t_lo, t_hi = tau_min or res.tau / 4, tau_max or res.tau * 4
        if not t_lo < t_hi:
            raise AltermagError(f"--tau-min ({t_lo:.6g}) must be smaller than --tau-max ({t_hi:.6g})")
        alphas = np.linspace(0.0, alpha_max if alpha_max is not None else 0.96 * a_lim, points)
        taus = np.geomspace(t_lo, t_hi, points)
        plt = _plt()
        fig, ax = plt.subplots(figsize=(5.5, 4.4))
        _, _, cost, cs = plot_error_map(ax, d.fermi_energy, d.conductance, length=d.length, mass=d.mass,
                                        alphas=alphas, taus=taus, result=res)
        fig.colorbar(cs, ax=ax, label="log10 mean rel. misfit²")
        fig.tight_layout()
        fig.savefig(out, dpi=110)
        plt.close(fig)
        js = Path(out).with_suffix(".json")
        save_json(js, {"alpha": alphas, "tau": taus, "cost": cost, "fit": {"alpha": res.alpha, "tau": res.tau}},
                  inputs={"data": str(data)})
    except AltermagError as exc:
        fail(exc)
    i, j = np.unravel_index(np.argmin(cost), cost.shape)
    rec = {"figure": str(out), "json": str(js), "alpha_min": float(alphas[i]), "tau_min": float(taus[j]),
           "cost_min": float(cost[i, j]), "fit_alpha": res.alpha, "fit_tau": res.tau, "correlation": res.correlation}
    if json_out:
        emit_json(rec)
    else:
        typer.echo(f"wrote {out} and {js}; grid minimum at α = {rec['alpha_min']:.4g}, τ = {rec['tau_min']:.4g}")


app.command("pinn")(pinn_command)
