"""Typer command functions of this part of ``altermag.response``; :data:`COMMANDS` maps name → function and
:func:`altermag.response.cli.register` adds them to the top-level ``altermag`` app.

``altermag ahc PRESET --soc LAMBDA --neel x --json`` — anomalous Hall conductivity (S/cm; 2D: e²/h per layer).
"""

from __future__ import annotations

from typing import List, Optional

import typer

from altermag.core.errors import ParameterError
from altermag.response.cli_common import (EF_OPT, J_OPT, JSON_OPT, KT_OPT, MESH_OPT, MODEL_ARG, MU_CONV_OPT,
                                          MU_OPT, NSIGMA_OPT, OUT_OPT, PARAM_OPT, SCHEDULER_OPT, WORKERS_OPT,
                                          AltermagError, emit_json, fail, model_from_argument, parse_mesh)


def _neel(text):
    if text is None:
        return None
    s = str(text).strip().lower()
    if s in ("110", "[110]"):
        return "1,1,0"
    if len(s) == 3 and s.isdigit():
        return ",".join(s)
    if len(s) == 4 and s.startswith("-") and s[1:].isdigit():
        raise ParameterError(f"--neel {text!r}: write negative directions as comma-separated numbers, e.g. '-1,0,0'")
    return s


def ahc(model: str = MODEL_ARG,
        soc: Optional[float] = typer.Option(None, "--soc", help="SOC strength λ (eV): sets the model's first "
                                            "(lowest-order) SOC coefficient — lambda1 for RuO2/MnF2/CrSb/MnTe/"
                                            "SG223, lambda_x for FeSb2, lambda2 for the 2D models; use --param "
                                            "NAME=VALUE for the others."),
        neel: Optional[str] = typer.Option(None, "--neel", help="Néel vector: x, y, z, 110 or 'a,b,c'."),
        J: Optional[float] = J_OPT, mu: Optional[float] = MU_OPT, mu_convention: str = MU_CONV_OPT,
        param: Optional[List[str]] = PARAM_OPT, mesh: Optional[str] = MESH_OPT, kT: float = KT_OPT,
        n_sigma: Optional[float] = NSIGMA_OPT, E_F: Optional[float] = EF_OPT,
        rtol: float = typer.Option(0.01, "--rtol", help="Relative convergence target of the adaptive k-grid."),
        adaptive: bool = typer.Option(True, "--adaptive/--uniform", help="Adaptive refinement of hot cells."),
        lattice_constant: Optional[float] = typer.Option(None, "--lattice-constant",
                                                         help="|a| in Å (cell rescaled uniformly)."),
        sweep: Optional[str] = typer.Option(None, "--sweep", help="Sweep NAME=START:STOP:COUNT or NAME=v1,v2 "
                                            "(NAME: lambda, lambda_scale, J, mu or a coefficient)."),
        plot: Optional[str] = typer.Option(None, "--plot", help="PNG path: σ vs the swept parameter (with "
                                           "--sweep) or the Berry curvature on the k_y = 0 plane."),
        workers: Optional[int] = WORKERS_OPT, scheduler: Optional[str] = SCHEDULER_OPT,
        out: Optional[str] = OUT_OPT, json: bool = JSON_OPT):
    """Anomalous Hall conductivity σ_ab = −(e²/ħ) Σ_n ∫ f Ω_n (S/cm; 2D models: e²/h per layer)."""
    try:
        from altermag.response.ahc import ahc_sweep, anomalous_hall, plot_berry_plane, plot_sigma_sweep, set_soc
        from altermag.response.cli_common import parse_sweep

        m = model_from_argument(model, mu=mu, J=J, neel=_neel(neel), mu_convention=mu_convention, params=param)
        if soc is not None:
            m = set_soc(m, soc)
        mesh_v = parse_mesh(mesh) or (24 if m.terms.dimension == 3 else 96)
        kwargs = dict(mesh=mesh_v, kT=kT, E_F=E_F, n_sigma=n_sigma, rtol=rtol, adaptive=adaptive,
                      lattice_constant=lattice_constant)
        if sweep:
            name, values = parse_sweep(sweep)
            sw = ahc_sweep(m, name, values, workers=workers, scheduler=scheduler, out=out, **kwargs)
            d = sw.as_dict()
            d["sigma"] = {c: sw.sigma(c).tolist() for c in ("xy", "yz", "zx", "xz", "zy", "yx")}
            d["units"] = next((r["units"] for r in sw.results if "units" in r), "")
            if plot:
                d["plot"] = str(plot_sigma_sweep(sw, plot))
        else:
            r = anomalous_hall(m, **kwargs)
            if out:
                r.save(out)
            d = r.as_dict()
            if plot:
                d["plot"] = str(plot_berry_plane(m, plot, plane="ky=0", kT=kT, E_F=r.E_F))
    except AltermagError as exc:
        fail(exc)
    if json:
        emit_json(d)
        return
    if sweep:
        typer.echo(f"{m.name}: σ ({d['units']}) vs {d['parameter']}")
        for v, xz, xy in zip(d["values"], d["sigma"]["xz"], d["sigma"]["xy"]):
            typer.echo(f"  {v:10.4g}   σ_xz = {xz:11.5g}   σ_xy = {xy:11.5g}")
    else:
        typer.echo(f"{m.name}: J = {m.J:g} eV, n̂ = {[round(x, 3) for x in m.neel.tolist()]}, "
                   f"E_F = {d['E_F']:.4g} eV, kT = {kT:g} eV")
        for c in ("xy", "yz", "zx", "xz"):
            typer.echo(f"  σ_{c} = {d['sigma'][c]: .5g} {d['units']}")
        typer.echo(f"  k-points: {d['n_kpoints']}, converged: {d['converged']} (rtol {rtol:g})")
    if out:
        typer.echo(f"saved {out}")


COMMANDS: dict = {"ahc": ahc}
