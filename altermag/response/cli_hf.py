"""``altermag hf``: self-consistent Hubbard Hartree-Fock (order parameter vs U, onset U of each channel).

Typer command function; :data:`COMMANDS` maps name → function and :func:`altermag.response.cli.register` adds it
to the top-level ``altermag`` app. Heavy modules are imported inside the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from altermag.core.errors import AltermagError, ParameterError
from altermag.response.cli_common import (J_OPT, JSON_OPT, KT_OPT, MESH_OPT, MODEL_ARG, MU_CONV_OPT, MU_OPT,
                                          NEEL_OPT, NSIGMA_OPT, OUT_OPT, PARAM_OPT, SCHEDULER_OPT, WORKERS_OPT,
                                          emit_json, fail, model_from_argument, parse_mesh, parse_values)


def _parse_range(text: str) -> list[float]:
    """'1.5:3.0:16' (start:stop:count, inclusive) or '1.5,2,2.5' → list of U values."""
    return parse_values(text, "--U-range")


def _parse_seeds(text: str) -> list[str]:
    s = str(text).strip().upper()
    if s == "BOTH":
        return ["AM", "FM"]
    seeds = [x.strip() for x in s.split(",") if x.strip()]
    bad = [x for x in seeds if x not in ("AM", "FM", "PM")]
    if not seeds or bad:
        raise ParameterError(f"--seed must be AM, FM, PM, both or a comma list of them, got {text!r}")
    return seeds


def hf(model: str = MODEL_ARG,
       U: Optional[float] = typer.Option(None, "--U", help="One Hubbard U (eV)."),
       U_range: Optional[str] = typer.Option(None, "--U-range",
                                             help="U sweep START:STOP:COUNT (inclusive) or u1,u2,... (eV)."),
       seed: str = typer.Option("both", "--seed", help="AM, FM, PM, both (= AM,FM) or a comma list."),
       n_sigma: Optional[float] = NSIGMA_OPT,
       fillings: Optional[str] = typer.Option(None, "--fillings",
                                              help="Several fillings n_σ, comma-separated (m vs U per filling)."),
       kT: float = KT_OPT, mesh: Optional[str] = MESH_OPT,
       constrain: str = typer.Option("seed", "--constrain",
                                     help="'seed' (each seed kept in its symmetry subspace), 'none' (seeds may "
                                          "drift: an FM seed turns AM between the onsets), AM, FM or PM."),
       bisect: bool = typer.Option(False, "--bisect", help="With --U-range: refine each onset U_c by bisection "
                                                          "(critical_U_hf, U_tol 1e-3) instead of the curve."),
       mixing: float = typer.Option(0.5, "--mixing", help="Linear mixing weight (0, 1]."),
       method: str = typer.Option("anderson", "--method", help="anderson (accelerated) or linear."),
       tol: float = typer.Option(1e-8, "--tol", help="Convergence: max |Δn| of the mean fields."),
       max_iter: int = typer.Option(500, "--max-iter", help="Iteration limit per point."),
       plot: Optional[Path] = typer.Option(None, "--plot", help="With --U-range: write m vs U to this PNG."),
       workers: Optional[int] = WORKERS_OPT, scheduler: Optional[str] = SCHEDULER_OPT,
       mu: Optional[float] = MU_OPT, J: Optional[float] = J_OPT, neel: Optional[str] = NEEL_OPT,
       mu_convention: str = MU_CONV_OPT, param: Optional[List[str]] = PARAM_OPT,
       json_out: bool = JSON_OPT, out: Optional[Path] = OUT_OPT):
    """Hubbard Hartree-Fock on the paramagnetic block: sublattice magnetisations m1, m2, m_AM, m_FM, the state
    (PM/AM/FM/ferri) and E_F at fixed filling and kT (eV); with --U-range the order parameter vs U per seed and
    the onset U_c of each channel. Non-converged points are reported (converged: false), never as results."""
    try:
        from altermag.response.meanfield import critical_U_hf, hf_sweep, plot_order_parameter
        from altermag.response.normal_state import default_mesh

        if (U is None) == (U_range is None):
            raise ParameterError("give exactly one of --U (one value) or --U-range (a sweep)")
        if n_sigma is not None and fillings is not None:
            raise ParameterError("give --n-sigma or --fillings, not both")
        U_values = [float(U)] if U is not None else _parse_range(U_range)
        seeds = _parse_seeds(seed)
        cons = None if constrain.lower() == "none" else (constrain if constrain == "seed" else constrain.upper())
        m = model_from_argument(model, mu=mu, J=J, neel=neel, mu_convention=mu_convention, params=param)
        msh = parse_mesh(mesh)
        if msh is None:
            msh = default_mesh(m)
        fill_list = None
        if fillings is not None:
            try:
                fill_list = [float(x) for x in fillings.split(",") if x.strip()]
            except ValueError as exc:
                raise ParameterError(f"--fillings must be comma-separated numbers, got {fillings!r}") from exc
        sw = hf_sweep(m, U_values, seeds=seeds, n_sigma=n_sigma, fillings=fill_list, kT=kT, mesh=msh,
                      constrain=cons, workers=workers, scheduler=scheduler, mixing=mixing, method=method,
                      tol=tol, max_iter=max_iter)
        res = sw.as_dict()
        res["units"] = {"U": "eV", "kT": "eV", "E_F": "eV", "m": "per site, (n_up - n_down)/2",
                        "free_energy": "eV per site", "n_sigma": "electrons per spin per site"}
        if U is not None:
            res["mode"] = "single"
            res["U"] = float(U)
            res["states"] = {p["seed"] if len(sw.fillings) == 1 else f"{p['seed']}@{p['n_sigma_target']:.4g}": p
                             for p in sw.points}
            res.pop("U_c", None)
        else:
            res["mode"] = "sweep"
            res["U_c_method"] = "curve: m² linear in U between the first two ordered points"
            if bisect:
                res["U_c_method"] = "bisection (critical_U_hf, branch='pm', U_tol=1e-3)"
                for blk in res["results"]:
                    blk["U_c"] = {}
                    for s in seeds:
                        if s == "PM":
                            continue
                        try:
                            c = critical_U_hf(m, s, n_sigma=blk["n_sigma"], kT=kT, mesh=msh,
                                              constrain=cons,
                                              mixing=mixing, method=method, tol=tol, max_iter=max_iter)
                            blk["U_c"][s] = c.U_c
                        except AltermagError as exc:
                            blk["U_c"][s] = None
                            blk.setdefault("U_c_errors", {})[s] = str(exc)
                if len(res["results"]) == 1:
                    res["U_c"] = res["results"][0]["U_c"]
            if plot:
                res["figure"] = str(plot_order_parameter(sw, plot))
        if out:
            from altermag.core.io import save_json

            save_json(out, res, inputs=sw.inputs)
        if json_out:
            emit_json(res)
            return
        inp = sw.inputs
        typer.echo(f"{m.name}: Hartree-Fock, mesh {inp['mesh']}, kT = {kT} eV, constrain = {cons}")
        for blk in res["results"]:
            typer.echo(f"  n_σ = {blk['n_sigma']:.4f}")
            for p in (q for q in sw.points if q["n_sigma_target"] == blk["n_sigma"]):
                if p["converged"]:
                    typer.echo(f"    U = {p['U']:7.4f}  {p['seed']} seed → {p['state']:5s} m1 = {p['m1']: .5f} "
                               f"m2 = {p['m2']: .5f}  F = {p['free_energy']: .6f} eV/site  E_F = {p['E_F']:.4f}")
                else:
                    typer.echo(f"    U = {p['U']:7.4f}  {p['seed']} seed → NOT CONVERGED "
                               f"(residual {p.get('residual')})")
            if U is None:
                uc = ", ".join(f"{k} {'—' if v is None else f'{v:.4f}'}" for k, v in blk["U_c"].items())
                typer.echo(f"    onset U_c: {uc} eV")
        if U is None and plot:
            typer.echo(f"  figure → {res['figure']}")
        if res["n_failed"]:
            typer.echo(f"  {res['n_failed']} point(s) did not converge (see --json)")
    except AltermagError as exc:
        fail(exc)


COMMANDS = {"hf": hf}
