"""``altermag dynamics negf field``: steady-state NEGF exchange field of a biased s-d strip.

The lead registers ``negf_app`` as ``altermag dynamics negf``. Example::

    altermag dynamics negf field --lx 24 --ly 10 --J 3 --mu -2.41 --temperature 0.05 --bias 0.5 \\
        --config wall --json

``--config wall`` is the AF|FM interface of spec §1.3 (Néel AF for x < Lx/2, FM for x ≥ Lx/2), ``random`` random
unit spins (``--seed``), ``fm`` all +z, ``af`` Néel ±z. Energies in units of t1; currents in (e/h)·t1.
"""

from __future__ import annotations

import time

import typer

__all__ = ["negf_app", "field_command"]

negf_app = typer.Typer(help="Steady-state Keldysh NEGF exchange fields of a biased s-d strip between two leads.",
                       no_args_is_help=True)

CONFIGS = ("wall", "random", "fm", "af")


@negf_app.callback()
def _main():
    """Steady-state Keldysh NEGF exchange fields of a biased s-d strip between two leads."""


def _configuration(lattice, config: str, seed: int):
    import numpy as np

    from altermag.core.errors import ParameterError
    from altermag.dynamics.models import random_spins
    from altermag.dynamics.negf import wall_configuration

    if config == "wall":
        return wall_configuration(lattice, lattice.L / 2)
    if config == "random":
        return random_spins(lattice.n_sites, seed)
    if config == "fm":
        return np.tile([0.0, 0.0, 1.0], (lattice.n_sites, 1))
    if config == "af":
        return wall_configuration(lattice, lattice.L + 1)
    raise ParameterError(f"config={config!r}: one of {CONFIGS}")


def negf_field(lx: int = 24, ly: int = 10, J: float = 3.0, mu: float = -2.41, temperature: float = 0.05,
               bias: float = 0.5, leads: str = "square", gamma: float = 1.0, config: str = "wall", seed: int = 0,
               tol: float = 1e-6) -> dict:
    """Run one NEGF field evaluation and return the summary dict of the CLI (JSON keys are a stable contract)."""
    import numpy as np

    from altermag.core.errors import ParameterError
    from altermag.dynamics.lattice import SpinLattice
    from altermag.dynamics.models import SDModel
    from altermag.dynamics.negf import NEGFCalculator

    if config not in CONFIGS:
        raise ParameterError(f"config={config!r}: one of {CONFIGS}")
    lat = SpinLattice("square", lx, ly, periodic_x=False)
    model = SDModel(lat, J=J, mu=mu, temperature=temperature)
    calc = NEGFCalculator(model, bias=bias, leads=leads, gamma=gamma, tol=tol)
    S = _configuration(lat, config, seed)
    t0 = time.perf_counter()
    o = calc.observables(S)
    seconds = time.perf_counter() - t0
    H = o["field"]
    Ht = H - np.sum(H * S, axis=1, keepdims=True) * S
    col = lambda a: a.reshape(ly, lx).mean(0).tolist()  # noqa: E731  column average (site i = x + Lx*y)
    return {"lx": lx, "ly": ly, "J": J, "bias": bias, "mu": mu, "temperature": temperature, "leads": leads,
            "gamma": gamma if leads == "wide-band" else None, "config": config, "seed": seed, "tol": tol,
            "current_left": o["current_left"], "current_right": o["current_right"],
            "error_estimate": o["error_estimate"], "n_energies": o["n_energies"], "seconds": seconds,
            "density_profile": col(o["density"]),
            "spin_density_profile": col(np.sum(o["spin_density"] * S, axis=1)),
            "spin_density_norm_profile": col(np.linalg.norm(o["spin_density"], axis=1)),
            "field_transverse_rms": float(np.sqrt(np.mean(np.sum(Ht ** 2, axis=1)))),
            "converged": o["converged"]}


@negf_app.command("field")
def field_command(
    lx: int = typer.Option(24, "--lx", help="Strip length along the transport direction x (columns)."),
    ly: int = typer.Option(10, "--ly", help="Strip width along y (periodic)."),
    J: float = typer.Option(3.0, "--J", help="s-d coupling J (units of t1)."),
    mu: float = typer.Option(-2.41, "--mu", help="Equilibrium chemical potential μ (t1)."),
    temperature: float = typer.Option(0.05, "--temperature", help="Electron temperature k_B T (t1), > 0."),
    bias: float = typer.Option(0.5, "--bias", help="Bias V: μ_L = μ + V/2 (x = 0), μ_R = μ − V/2."),
    leads: str = typer.Option("square", "--leads", help="square | wide-band."),
    gamma: float = typer.Option(1.0, "--gamma", help="Γ of the wide-band leads (t1)."),
    config: str = typer.Option("wall", "--config", help="wall | random | fm | af."),
    seed: int = typer.Option(0, "--seed", help="Seed of --config random."),
    tol: float = typer.Option(1e-6, "--tol", help="Target absolute error of the spin density."),
    json_out: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
):
    """NEGF field, local densities and lead currents of one spin configuration."""
    from altermag.core.errors import AltermagError
    from altermag.core.io import dumps

    try:
        d = negf_field(lx=lx, ly=ly, J=J, mu=mu, temperature=temperature, bias=bias, leads=leads, gamma=gamma,
                       config=config, seed=seed, tol=tol)
    except AltermagError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if json_out:
        typer.echo(dumps(d))
        return
    typer.echo(f"NEGF strip {lx}x{ly}, J={J}, mu={mu}, T={temperature}, V={bias}, leads={leads}, config={config}")
    typer.echo(f"  current I_L = {d['current_left']:.6g}, I_R = {d['current_right']:.6g}  [(e/h) t1]")
    typer.echo(f"  error estimate {d['error_estimate']:.2g}, {d['n_energies']} energies, {d['seconds']:.2f} s")
    typer.echo(f"  transverse field rms {d['field_transverse_rms']:.4g}")
    typer.echo("  x   density   s.S")
    for x, (n, s) in enumerate(zip(d["density_profile"], d["spin_density_profile"])):
        typer.echo(f"  {x:<3d} {n:8.4f} {s:8.4f}")
