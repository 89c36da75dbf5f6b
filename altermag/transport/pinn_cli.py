"""``altermag transport pinn``: train the PINN solver (forward or inverse) from the command line.

Registered by ``altermag/transport/cli.py`` as ``app.command("pinn")(pinn_command)``. torch is
imported inside the command so that ``altermag --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from typing import Optional

import typer

from altermag.core.errors import AltermagError

__all__ = ["pinn_command", "read_inverse_csv", "load_inverse_data"]


def read_inverse_csv(path: Path) -> dict:
    """Read PINN inverse-mode data: a CSV with columns ``fermi_energy`` and ``conductance``.

    Values in the paper's units (E_F in the model's energy unit, G in the paper's conductance
    unit, spec §2). Lines starting with ``#`` are comments (files written by
    :func:`altermag.core.io.save_csv` load as they are). For measured data in S or e²/h, convert
    with the transport data reader first.
    """
    import csv

    from altermag.core.errors import ParameterError

    path = Path(path)
    if not path.is_file():
        raise AltermagError(f"{path}: no such file")
    with open(path, encoding="utf-8") as fh:
        rows = [r for r in csv.reader(line for line in fh if line.strip() and not line.lstrip().startswith("#"))]
    if not rows:
        raise ParameterError(f"{path}: empty CSV; expected columns fermi_energy, conductance")
    head = [h.strip().lower() for h in rows[0]]
    try:
        ie, ig = head.index("fermi_energy"), head.index("conductance")
    except ValueError:
        raise ParameterError(f"{path}: header {rows[0]} lacks the columns fermi_energy and conductance") from None
    try:
        e = [float(r[ie]) for r in rows[1:]]
        g = [float(r[ig]) for r in rows[1:]]
    except (ValueError, IndexError) as exc:
        raise ParameterError(f"{path}: non-numeric or missing value ({exc})") from None
    return {"fermi_energy": e, "conductance": g}


def load_inverse_data(path: Path, length: float, mass: float):
    """Inverse-mode data from ``path``: ``(data, length, mass, note)``.

    Files the transport data reader understands (:func:`altermag.transport.data.read_conductance_csv`:
    physical units with ``# length``/``# width`` metadata, or model units with ``# length``) are
    converted to model units, and their channel length and mass replace ``length``/``mass``
    (``note`` says so when they differ). Otherwise a plain CSV with columns ``fermi_energy``,
    ``conductance`` in model units (:func:`read_inverse_csv`) is read.
    """
    from altermag.core.errors import ParameterError

    try:
        from altermag.transport.data import read_conductance_csv

        cd = read_conductance_csv(path)
    except AltermagError:
        return read_inverse_csv(path), length, mass, ""
    if cd.fermi_energy is None:
        raise ParameterError(f"{path}: the PINN inverse mode needs Fermi energies (a density column is given; "
                             "E_F(n) depends on the fitted alpha): use 'altermag transport fit' for density data")
    note = ""
    if abs(cd.length - length) > 1e-9 * abs(cd.length) or abs(cd.mass - mass) > 1e-12:
        note = (f"note: using the channel of {path} in model units: length = {cd.length:.6g}, mass = {cd.mass:.6g} "
                f"(instead of --length {length:g} --mass {mass:g})")
    data = {"fermi_energy": np.asarray(cd.fermi_energy, dtype=float).tolist(),
            "conductance": np.asarray(cd.conductance, dtype=float).tolist()}
    return data, float(cd.length), float(cd.mass), note


def pinn_command(
    alpha: float = typer.Option(..., "--alpha", help="Spin splitting α (|2mα| < 1); initial guess in inverse mode."),
    tau: float = typer.Option(..., "--tau", help="Relaxation time τ > 0; initial guess in inverse mode."),
    length: float = typer.Option(..., "--length", help="Channel length L > 0 (paper Table 1: 1.41421)."),
    fermi_energy: float = typer.Option(1.0, "--fermi-energy", help="Fermi energy E_F > 0 (forward mode)."),
    mass: float = typer.Option(1.0, "--mass", help="Band mass m > 0."),
    epochs: int = typer.Option(3000, "--epochs", help="Adam epochs (cosine-annealed learning rate)."),
    no_continuity: bool = typer.Option(False, "--no-continuity", help="Drop the current-continuity loss."),
    inverse_data: Optional[Path] = typer.Option(None, "--inverse-data", help="CSV with columns fermi_energy, "
                                                "conductance (paper units): fit α and τ to it (inverse mode)."),
    out: Path = typer.Option(Path("pinn_result.json"), "--out", help="Result JSON (weights go to OUT.pt)."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON summary."),
    n_x: int = typer.Option(32, "--n-x", help="x collocation points per epoch."),
    n_theta: int = typer.Option(8, "--n-theta", help="Gauss-Legendre angles per half circle."),
    ansatz: str = typer.Option("boundary-layer", "--ansatz", help="boundary-layer (exact contact decay) or plain."),
    seed: int = typer.Option(0, "--seed", help="Random seed (initialisation, collocation)."),
    device: str = typer.Option("auto", "--device", help="auto (CUDA if available), cpu, cuda."),
    threads: Optional[int] = typer.Option(None, "--threads", help="torch CPU threads (default: torch's)."),
    checkpoint: Optional[Path] = typer.Option(None, "--checkpoint", help="Checkpoint file (resume if present)."),
):
    """Train the physics-informed neural network of the channel (paper Sec. III) and compare with the reference solver."""
    from altermag.core.io import dumps

    try:
        from altermag.transport.pinn import PINNConfig, train_pinn
        from altermag.transport.solver import conductance as ref_conductance

        config = PINNConfig(epochs=epochs, use_continuity=not no_continuity, n_x=n_x, n_theta=n_theta,
                            ansatz=ansatz, seed=seed, device=device, threads=threads)
        if inverse_data is not None:
            data, length, mass, note = load_inverse_data(inverse_data, length, mass)
            if note:
                typer.echo(note, err=True)
            res = train_pinn(alpha, tau, length, fermi_energy, mass, config=config, mode="inverse", data=data,
                             checkpoint=checkpoint)
            ref = np.asarray(ref_conductance(res.alpha, res.tau, length, np.asarray(data["fermi_energy"]), mass),
                             dtype=float)
            G = np.asarray(res.conductance, dtype=float)
            rel = float(np.max(np.abs(G / ref - 1)))
            obs = np.asarray(data["conductance"], dtype=float)
            summary = {"conductance": G.tolist(), "reference_conductance": ref.tolist(), "relative_error": rel,
                       "seconds": res.seconds, "epochs": res.epochs_done, "alpha": res.alpha, "tau": res.tau,
                       "fermi_energy": data["fermi_energy"], "observed_conductance": obs.tolist(),
                       "data_relative_rms": float(np.sqrt(np.mean((ref / obs - 1) ** 2))), "device": res.device}
        else:
            res = train_pinn(alpha, tau, length, fermi_energy, mass, config=config, checkpoint=checkpoint)
            ref = float(ref_conductance(alpha, tau, length, fermi_energy, mass, rtol=1e-6))
            summary = {"conductance": res.conductance, "reference_conductance": ref,
                       "relative_error": res.conductance / ref - 1, "seconds": res.seconds,
                       "epochs": res.epochs_done, "alpha": alpha, "tau": tau, "device": res.device}
        res.extra["reference"] = summary
        res.save(out)
    except AltermagError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if json_out:
        sys.stdout.write(dumps(summary, strict=True) + "\n")
    else:
        if inverse_data is not None:
            typer.echo(f"PINN inverse fit: alpha = {res.alpha:.6g}, tau = {res.tau:.6g} "
                       f"({res.epochs_done} epochs, {res.seconds:.1f} s on {res.device})")
            typer.echo(f"  PINN G vs reference solver at the fitted (alpha, tau): max rel. error {rel:.3%}")
        else:
            typer.echo(f"PINN G = {res.conductance:.6g} (paper unit); reference solver G = {ref:.6g}; "
                       f"relative error {res.conductance / ref - 1:+.3%}")
            typer.echo(f"  {res.epochs_done} epochs, {res.seconds:.1f} s on {res.device}")
        typer.echo(f"  result: {out} (weights {out.name}.pt)")
