"""``altermag dynamics negf run|velocity``: voltage-driven AF|FM domain-wall runs (thin wrappers over
:mod:`altermag.dynamics.driven`).

``register(negf_app)`` adds the two commands to a Typer app (the ``negf`` group of ``altermag dynamics``)::

    altermag dynamics negf run --lx 24 --ly 10 --bias 0.5 --method negf --steps 400 --json
    altermag dynamics negf run --lx 96 --ly 10 --bias 1.5 --method ml --json        # the shipped sd-square-driven
    altermag dynamics negf velocity --biases 0:2:5 --method ml --model runs/my/model.pt --json

Units: energies and V in t1 (e = 1), times in 1/t1, positions in lattice constants, velocities in lattice constants
per 1/t1. Bias convention μ_L = μ + V/2 (lead at x = 0), μ_R = μ − V/2. The default μ is the AF/FM coexistence
chemical potential μ_c of the bulk s-d model (``coexistence_mu``).
"""

from __future__ import annotations

from typing import Optional

import typer

from altermag.core.cliutil import emit_json as _emit
from altermag.core.cliutil import fail as _fail
from altermag.core.cliutil import parse_values

__all__ = ["register"]




def _user_error(exc: Exception) -> bool:
    from altermag.core.errors import AltermagError

    return isinstance(exc, (AltermagError, FileNotFoundError))


def _factory(method, lx, ly, mu, J, temperature_el, leads, gamma, tol, model):
    import functools

    from altermag.core.errors import ParameterError
    from altermag.dynamics.driven import make_driven_calculator

    if method not in ("negf", "ml", "ed"):
        raise ParameterError(f"--method {method!r}: one of 'negf', 'ml', 'ed'")
    return functools.partial(make_driven_calculator, method=method, lx=lx, ly=ly, mu=mu, J=J,
                             temperature_el=temperature_el, leads=leads, gamma=gamma, tol=tol, model_path=model)


def run_command(
    lx: int = typer.Option(24, "--lx", help="Strip length (sites along x, between the leads)."),
    ly: int = typer.Option(10, "--ly", help="Strip width (periodic y; even for the Néel state)."),
    bias: float = typer.Option(0.0, "--bias", help="Bias V (t1/e): μ_L = μ + V/2, μ_R = μ − V/2."),
    method: str = typer.Option("negf", "--method", help="negf | ml | ed (ed: isolated strip, V = 0 only)."),
    model: Optional[str] = typer.Option(None, "--model", help="ml: a two-potential model.pt or a shipped model name (default: the shipped sd-square-driven)."),
    steps: int = typer.Option(400, "--steps", help="LLG steps."),
    dt: float = typer.Option(0.2, "--dt", help="Time step (1/t1)."),
    alpha: float = typer.Option(0.5, "--alpha", help="Gilbert damping."),
    x0: Optional[float] = typer.Option(None, "--x0", help="Initial wall position (default Lx/2 + 1/2)."),
    mu: Optional[float] = typer.Option(None, "--mu", help="Chemical potential (default: coexistence μ_c)."),
    J: float = typer.Option(3.0, "--J", help="s-d coupling (t1)."),
    temperature_el: float = typer.Option(0.05, "--temperature-el", help="Electron temperature (t1)."),
    temperature: float = typer.Option(0.0, "--temperature", help="Spin bath temperature k_B T (t1)."),
    leads: str = typer.Option("square", "--leads", help="negf: square | wide-band."),
    gamma: float = typer.Option(1.0, "--gamma", help="negf wide-band Γ."),
    tol: float = typer.Option(1e-4, "--tol", help="negf: absolute tolerance of the spin density."),
    tilt: float = typer.Option(0.05, "--tilt", help="Random initial tilt of every spin (rad)."),
    seed: int = typer.Option(0, "--seed"),
    record_every: int = typer.Option(10, "--record-every"),
    velocity_method: str = typer.Option("transit", "--velocity-method", help="transit (Δx/Δt of the run-away phase "
                                        "after depinning) | fit (straight line through the last two thirds)."),
    out: Optional[str] = typer.Option(None, "--out", help="HDF5 trajectory file (with inputs)."),
    json_out: bool = typer.Option(False, "--json"),
):
    """One LLG run of an AF|FM wall (AF on the left) under bias: x_DW(t) and the fitted velocity."""
    try:
        from altermag.dynamics.driven import coexistence_mu, run_wall

        make = _factory(method, lx, ly, mu, J, temperature_el, leads, gamma, tol, model)
        calc = make(bias)
        lat = calc.lattice
        x_start = lx / 2 + 0.5 if x0 is None else x0
        mu_used = mu if mu is not None else coexistence_mu(J=J, temperature=temperature_el)["mu_c"]
        inputs = {"lx": lx, "ly": ly, "bias": bias, "method": method, "model": model, "steps": steps, "dt": dt,
                  "alpha": alpha, "x0": x_start, "mu": mu_used, "J": J, "temperature_el": temperature_el,
                  "temperature": temperature, "leads": leads, "gamma": gamma, "tol": tol, "tilt": tilt,
                  "seed": seed, "velocity_method": velocity_method}
        res = run_wall(calc, lat, x_start, steps, dt=dt, alpha=alpha, temperature=temperature, seed=seed,
                       record_every=record_every, tilt=tilt, out=out, progress=not json_out, inputs=inputs,
                       velocity_method=velocity_method)
    except Exception as exc:  # noqa: BLE001 - user errors become one error line
        if _user_error(exc):
            _fail(exc)
        raise
    rec = {"time": res["time"], "x_dw": res["x_dw"], "velocity": res["velocity"],
           "velocity_err": res["velocity_err"], "t_depin": res["t_depin"], "depinned": res["depinned"],
           "seconds": res["seconds"], "inputs": inputs}
    if json_out:
        _emit(rec)
    else:
        typer.echo(f"{method} wall, {lx}×{ly}, V={bias:g}: x_DW {res['x_dw'][0]:.2f} → {res['x_dw'][-1]:.2f} "
                   f"in t={res['time'][-1]:.4g}; v = {res['velocity']:.4g} ± {res['velocity_err']:.2g} "
                   f"a·t1 ({res['seconds']:.1f} s)")


def velocity_command(
    biases: str = typer.Option("-0.8,-0.4,0,0.4,0.8", "--biases", help="Comma-separated bias voltages (t1/e)."),
    lx: int = typer.Option(24, "--lx"),
    ly: int = typer.Option(10, "--ly"),
    method: str = typer.Option("negf", "--method", help="negf | ml."),
    model: Optional[str] = typer.Option(None, "--model", help="ml: a two-potential model.pt or a shipped model name (default: the shipped sd-square-driven)."),
    steps: int = typer.Option(400, "--steps"),
    dt: float = typer.Option(0.2, "--dt"),
    alpha: float = typer.Option(0.5, "--alpha"),
    x0: Optional[float] = typer.Option(None, "--x0", help="Initial wall position (default Lx/2 + 1/2)."),
    mu: Optional[float] = typer.Option(None, "--mu", help="Chemical potential (default: coexistence μ_c)."),
    J: float = typer.Option(3.0, "--J"),
    temperature_el: float = typer.Option(0.05, "--temperature-el"),
    temperature: float = typer.Option(0.0, "--temperature", help="Spin bath temperature (t1)."),
    leads: str = typer.Option("square", "--leads"),
    gamma: float = typer.Option(1.0, "--gamma"),
    tol: float = typer.Option(1e-4, "--tol"),
    tilt: float = typer.Option(0.05, "--tilt"),
    seed: int = typer.Option(0, "--seed"),
    t_min: Optional[float] = typer.Option(None, "--t-min", help="Fit the velocity for t >= t_min "
                                          "(default: last two thirds of the run)."),
    record_every: int = typer.Option(10, "--record-every"),
    workers: int = typer.Option(1, "--workers", help="Parallel runs (local processes)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler ('local' or tcp://...)."),
    velocity_method: str = typer.Option("transit", "--velocity-method", help="transit (Δx/Δt of the run-away phase "
                                        "after depinning) | fit (straight line through the last two thirds)."),
    out: Optional[str] = typer.Option(None, "--out", help="JSON file with the curve and its inputs."),
    json_out: bool = typer.Option(False, "--json"),
):
    """Wall velocity v(V): one independent wall run per bias."""
    try:
        from altermag.core.errors import ParameterError
        from altermag.dynamics.driven import coexistence_mu, velocity_curve
        from altermag.dynamics.lattice import SpinLattice

        vs = parse_values(biases, "--biases")
        make = _factory(method, lx, ly, mu, J, temperature_el, leads, gamma, tol, model)
        make(vs[0])  # validate the inputs before starting any run
        if int(lx) != lx or lx < 2:
            raise ParameterError(f"--lx {lx}: must be >= 2")
        lat = SpinLattice("square", lx, ly, periodic_x=False)
        x_start = lx / 2 + 0.5 if x0 is None else x0
        res = velocity_curve(make, vs, lat, x_start, steps, dt=dt, alpha=alpha, temperature=temperature, seed=seed,
                             record_every=record_every, tilt=tilt, t_min=t_min, workers=workers,
                             scheduler=scheduler, progress=not json_out, out=out, velocity_method=velocity_method)
        mu_used = mu if mu is not None else coexistence_mu(J=J, temperature=temperature_el)["mu_c"]
        inputs = {"lx": lx, "ly": ly, "method": method, "model": model, "steps": steps, "dt": dt, "alpha": alpha,
                  "x0": x_start, "mu": mu_used, "J": J, "temperature_el": temperature_el, "temperature": temperature,
                  "leads": leads, "tol": tol, "tilt": tilt, "seed": seed, "t_min": t_min,
                  "velocity_method": velocity_method}
    except Exception as exc:  # noqa: BLE001
        if _user_error(exc):
            _fail(exc)
        raise
    rec = {"bias": res["bias"], "velocity": res["velocity"], "velocity_err": res["velocity_err"],
           "t_depin": res["t_depin"], "depinned": res["depinned"], "time": res["time"], "x_dw": res["x_dw"],
           "seconds": res["seconds"], "inputs": inputs}
    if json_out:
        _emit(rec)
    else:
        for b, v, e, td in zip(res["bias"], res["velocity"], res["velocity_err"], res["t_depin"]):
            typer.echo(f"V = {b:+.3f}   v = {v:+.4g} ± {e:.2g}   depinning at t = {td:.4g}")


def register(negf_app: typer.Typer) -> typer.Typer:
    """Add the ``run`` and ``velocity`` commands to ``negf_app`` (returns it)."""
    negf_app.command("run", help="One AF|FM wall run under bias (NEGF or ML fields): x_DW(t), velocity.")(run_command)
    negf_app.command("velocity", help="Wall velocity v(V) over several biases.")(velocity_command)
    return negf_app
