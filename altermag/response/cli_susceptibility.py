"""``altermag chi`` (bare susceptibility) and ``altermag rpa`` (RPA critical U, leading instability, sweeps).

Typer command functions; :data:`COMMANDS` maps name → function and :func:`altermag.response.cli.register`
adds them to the top-level ``altermag`` app. Heavy modules are imported inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from altermag.core.errors import AltermagError
from altermag.response.normal_state import default_mesh
from altermag.response.cli_common import (EF_OPT, J_OPT, JSON_OPT, KT_OPT, MESH_OPT, MODEL_ARG, MU_CONV_OPT,
                                          MU_OPT, NEEL_OPT, NSIGMA_OPT, OUT_OPT, PARAM_OPT, SCHEDULER_OPT,
                                          WORKERS_OPT, emit_json, fail, model_from_argument, parse_mesh,
                                          parse_sweep, parse_vector)



def _mesh(model, mesh):
    m = parse_mesh(mesh)
    if m is None:
        return default_mesh(model)
    return m


def chi(model: str = MODEL_ARG,
        q: Optional[str] = typer.Option(None, "--q", help="One q 'qx,qy,qz' (fractional; paper units: --pi)."),
        path: bool = typer.Option(False, "--path", help="χ⁰ along the model's labelled path (writes a PNG)."),
        pi_units: bool = typer.Option(False, "--pi", help="--q is given in units of π (paper), q_frac = q/2."),
        mesh: Optional[str] = MESH_OPT, kT: float = KT_OPT, n_sigma: Optional[float] = NSIGMA_OPT,
        E_F: Optional[float] = EF_OPT, density: float = typer.Option(20.0, "--density",
                                                                    help="Path points per Å⁻¹."),
        mu: Optional[float] = MU_OPT, J: Optional[float] = J_OPT, neel: Optional[str] = NEEL_OPT,
        mu_convention: str = MU_CONV_OPT, param: Optional[List[str]] = PARAM_OPT,
        json_out: bool = JSON_OPT, out: Optional[Path] = OUT_OPT):
    """Bare static susceptibility χ⁰ (per spin, states/eV/site) at q = 0, at --q or along --path."""
    try:
        import numpy as np

        from altermag.core.io import save_json
        from altermag.response.susceptibility import (bare_susceptibility, chi_along_path, normal_state,
                                                      plot_chi_path)

        m = model_from_argument(model, mu=mu, J=J, neel=neel, mu_convention=mu_convention, params=param)
        st = normal_state(m, mesh=_mesh(m, mesh), kT=kT, n_sigma=n_sigma, E_F=E_F)
        if path:
            data = chi_along_path(m, state=st, density=density)
            png = plot_chi_path(data, (out.with_suffix(".png") if out else Path(f"chi_path_{m.name}.png")))
            res = {**data, "figure": str(png)}
            if not json_out:
                typer.echo(f"{m.name}: χ⁰ along the path ({len(data['x'])} q) → {png}")
                i = int(np.argmax(data["AM"]))
                typer.echo(f"  max χ⁰_AM = {data['AM'][i]:.4g} at q = {np.round(data['q'][i], 4).tolist()}; "
                           f"max χ⁰_FM = {np.max(data['FM']):.4g}")
        else:
            qv = np.zeros(3) if q is None else np.asarray(parse_vector(q, "--q"))
            if pi_units:
                qv = qv / 2.0
            r = bare_susceptibility(m, qv, state=st)
            ch = {k: float(np.real(v[0])) for k, v in r.channels().items()}
            res = {"q": qv, "q_over_pi": 2 * qv, "chi0": ch, "M": np.real(r.M[0]),
                   "chi_tensor_real": np.real(r.chi[0]), "inputs": st.inputs(),
                   "units": {"chi": "states/(eV site spin)", "q": "fractional"}}
            if not json_out:
                typer.echo(f"{m.name}: χ⁰ at q = {qv.tolist()} (mesh {list(st.mesh)}, kT = {st.kT} eV, "
                           f"n_σ = {st.n_sigma:.4f}, E_F = {st.E_F:.4f} eV)")
                for k, v in ch.items():
                    typer.echo(f"  {k:6s} {v: .6g}")
        if out:
            save_json(out, res, inputs=st.inputs())
        if json_out:
            emit_json(res)
    except AltermagError as exc:
        fail(exc)


def rpa(model: str = MODEL_ARG, mesh: Optional[str] = MESH_OPT, kT: float = KT_OPT,
        n_sigma: Optional[float] = NSIGMA_OPT, E_F: Optional[float] = EF_OPT,
        refine: bool = typer.Option(True, "--refine/--no-refine", help="Refine the leading q off the grid."),
        q0_only: bool = typer.Option(False, "--q0-only", help="Only the q = 0 channels (no BZ search)."),
        sweep: Optional[str] = typer.Option(None, "--sweep", help="Sweep, e.g. n_sigma=0.3:0.8:11, kT=0.005,0.01,"
                                                                  " U=0:2:21 (RPA channels at q=0 vs U)."),
        mu: Optional[float] = MU_OPT, J: Optional[float] = J_OPT, neel: Optional[str] = NEEL_OPT,
        mu_convention: str = MU_CONV_OPT, param: Optional[List[str]] = PARAM_OPT,
        workers: Optional[int] = WORKERS_OPT, scheduler: Optional[str] = SCHEDULER_OPT,
        json_out: bool = JSON_OPT, out: Optional[Path] = OUT_OPT):
    """RPA critical U (per-spin Stoner convention, eV): q = 0 AM and FM channels, the leading q over the BZ."""
    try:
        from altermag.core.io import save_json
        from altermag.response.rpa import critical_U, plot_uc_sweep, rpa_sweep

        m = model_from_argument(model, mu=mu, J=J, neel=neel, mu_convention=mu_convention, params=param)
        mm = _mesh(m, mesh)
        if sweep:
            name, values = parse_sweep(sweep)
            sw = rpa_sweep(m, name, values, mesh=mm, kT=kT, n_sigma=n_sigma, E_F=E_F, refine=False,
                           full_bz=not q0_only, workers=workers, scheduler=scheduler, progress=not json_out)
            res = sw.as_dict()
            if out:
                sw.save(out)
                res["figure"] = str(plot_uc_sweep(sw, Path(out).with_suffix(".png")))
            if json_out:
                emit_json(res)
            else:
                for row in sw.rows:
                    typer.echo("  ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                         for k, v in row.items() if k != "q_leading"))
            return
        r = critical_U(m, mesh=mm, kT=kT, n_sigma=n_sigma, E_F=E_F, refine=refine and not q0_only,
                       q_mesh=(1, 1, 1) if q0_only else None, progress=not json_out)
        res = r.as_dict()
        if out:
            save_json(out, res, inputs=res["inputs"])
        if json_out:
            emit_json(res)
        else:
            st = r.state
            typer.echo(f"{m.name}: mesh {list(st.mesh)}, kT = {st.kT} eV, n_σ = {st.n_sigma:.4f}, "
                       f"E_F = {st.E_F:.4f} eV (per-spin Stoner convention)")
            typer.echo(f"  U_c(q=0): AM {r.U_c_q0['AM']:.4f} eV, FM {r.U_c_q0['FM']:.4f} eV")
            typer.echo(f"  leading: U_c = {r.U_c_min:.4f} eV at q = {(2 * r.q_leading).round(4).tolist()} π "
                       f"({r.leading_character}; χ11 {r.leading.chi11:.4g}, χ22 {r.leading.chi22:.4g}, "
                       f"χ12 {r.leading.chi12:.3g})")
    except AltermagError as exc:
        fail(exc)


COMMANDS: dict = {"chi": chi, "rpa": rpa}
