"""``altermag dynamics ...``: thin Typer wrappers over :mod:`altermag.dynamics`.

* ``generate`` / ``train`` — ML training data and force-field training (:mod:`altermag.dynamics.ml_cli`).
* ``run`` — one LLG experiment (relax | quench | de-quench | compare) with ED, KPM or ML fields, from options or a
  YAML config whose keys are the option names (``steps: 2000``, ``method: kpm`` ...).
* ``analyze`` — observables of a trajectory file written by ``run``.
* ``field`` — the field of one seeded random configuration at the default parameter set, timed, against ED.

Example::

    altermag dynamics field --model sd-triangular --size 24 --method kpm --json
    altermag dynamics run --model tetrahedral --size 12 --method ed --experiment relax --steps 2000 --out runs/r1
    altermag dynamics run --config quench.yaml
    altermag dynamics analyze runs/r1/trajectory.h5 --json
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from altermag.core.cliutil import emit_json as _emit
from altermag.core.cliutil import fail as _fail

from altermag.dynamics.ml_cli import generate_command, train_command
from altermag.dynamics.driven_cli import register as _register_driven
from altermag.dynamics.negf_cli import negf_app

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Itinerant spin models, exchange fields (ED/KPM/ML), stochastic LLG.")
app.command("generate", help="Generate ML training data (spins and ED/KPM fields) to HDF5.")(generate_command)
app.command("train", help="Train a Behler-Parrinello force field on a dataset.")(train_command)
_register_driven(negf_app)  # adds `negf run` and `negf velocity` (driven AF|FM walls)
app.add_typer(negf_app, name="negf", help="Biased strips between leads: NEGF exchange fields, driven domain walls.")




@app.command()
def field(
    model: str = typer.Option("sd-triangular", "--model", help="Parameter set: sd-triangular (= tetrahedral), "
                              "120, double-exchange."),
    size: int = typer.Option(12, "--size", help="Lattice size L (L × L sites)."),
    method: str = typer.Option("ed", "--method", help="ed | kpm | ml."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random spin configuration."),
    n_moments: int = typer.Option(1000, "--kpm-moments", help="KPM: Chebyshev moments."),
    coloring_distance: int = typer.Option(12, "--kpm-distance", help="KPM: colouring distance "
                                           "(capped at L; L ≤ 12 means exact probing)."),
    ml_model: Optional[str] = typer.Option(None, "--ml-model", help="ML: shipped model name or .pt path "
                                           "(default: the shipped model of the parameter set)."),
    reference: bool = typer.Option(True, "--reference/--no-reference", help="Compare with ED when L ≤ 48."),
    json_out: bool = typer.Option(False, "--json"),
):
    """Exchange field of one seeded random configuration: seconds per evaluation, rms error vs ED."""
    try:
        from altermag.dynamics.experiments import field_benchmark

        rec = field_benchmark(model, size, method, seed=seed, n_moments=n_moments,
                              coloring_distance=coloring_distance, ml_model=ml_model, reference=reference)
    except Exception as exc:  # noqa: BLE001 - user errors and missing models become one error line
        from altermag.core.errors import AltermagError

        if isinstance(exc, (AltermagError, FileNotFoundError, ImportError)):
            _fail(exc)
        raise
    if json_out:
        _emit(rec)
    else:
        rel = rec["relative_rms_vs_ed"]
        typer.echo(f"{method} field, {rec['model']} L={size} (N={rec['n_sites']}): {rec['seconds']:.4g} s"
                   + ("" if rel is None else f", relative rms vs ED {rel:.3e} "
                      f"(transverse {rec['relative_rms_transverse_vs_ed']:.3e})"))


@app.command()
def locality(
    model: str = typer.Option("sd-triangular", "--model", help="Parameter set: sd-triangular (= tetrahedral), "
                              "120, double-exchange."),
    size: int = typer.Option(24, "--size", help="Lattice size L (L × L sites; larger than 2 r_c)."),
    configuration: str = typer.Option("random", "--config", help="random | ordered (the parameter set's "
                                      "ordered state plus --noise)."),
    noise: float = typer.Option(0.3, "--noise", help="ordered: Gaussian noise per spin component."),
    cutoffs: str = typer.Option("2,3,4,6", "--cutoffs", help="Comma-separated cutoff radii r_c (lattice constants)."),
    probes: int = typer.Option(4, "--probes", help="Number of probe sites."),
    seed: int = typer.Option(0, "--seed", help="Seed of the configuration and of the redrawn spins."),
    json_out: bool = typer.Option(False, "--json"),
):
    """Nearsightedness of the ED exchange field: the part of H⊥ at a site that its r_c-neighbourhood does not
    fix (the error floor of any local force field with that cutoff), relative to the rms transverse field."""
    try:
        from altermag.core.errors import ParameterError
        from altermag.dynamics.experiments import field_locality, make_calculator, ordered_state
        from altermag.dynamics.models import random_spins

        try:
            radii = [float(x) for x in cutoffs.split(",") if x.strip()]
        except ValueError as exc:
            raise ParameterError(f"--cutoffs {cutoffs!r}: comma-separated numbers expected") from exc
        calc = make_calculator(model, "ed", size)
        lat = calc.lattice
        if configuration == "random":
            S = random_spins(lat.n_sites, seed)
        elif configuration == "ordered":
            S = ordered_state(model, lat, noise=noise, seed=seed)
        else:
            raise ParameterError(f"--config {configuration!r}: one of 'random', 'ordered'")
        rec = field_locality(calc, S, cutoffs=radii, n_probes=probes, seed=seed)
        rec.update(model=model, size=size, configuration=configuration,
                   noise=noise if configuration == "ordered" else None, model_params=calc.model.params())
    except Exception as exc:  # noqa: BLE001 - user errors become one error line
        from altermag.core.errors import AltermagError

        if isinstance(exc, AltermagError):
            _fail(exc)
        raise
    if json_out:
        _emit(rec)
    else:
        cells = ", ".join(f"r_c = {r:g}: {100 * v:.3g} %" for r, v in zip(radii, rec["relative_nonlocal"].values()))
        typer.echo(f"non-local part of H⊥ ({model}, {configuration}, {size}×{size}, {len(rec['probes'])} probes; "
                   f"rms H⊥ = {rec['field_rms']:.4g}): {cells}")


_RUN_KEYS = ("model", "size", "method", "experiment", "steps", "dt", "alpha", "temperature", "seed",
             "record_every", "out", "ml_model", "kpm_moments", "kpm_distance", "kpm_vectors", "device")


@app.command()
def run(
    config: Optional[Path] = typer.Option(None, "--config", help="YAML file with any of the options below."),
    model: Optional[str] = typer.Option(None, "--model", help="tetrahedral | 120 | double-exchange "
                                        "(default tetrahedral)."),
    size: Optional[int] = typer.Option(None, "--size", help="Lattice size L (default 12)."),
    method: Optional[str] = typer.Option(None, "--method", help="ed | kpm | ml (default ed)."),
    experiment: Optional[str] = typer.Option(None, "--experiment", help="relax | quench | de-quench | compare "
                                             "(compare: ML or KPM against ED; default relax)."),
    steps: Optional[int] = typer.Option(None, "--steps", help="LLG steps (default 1000)."),
    dt: Optional[float] = typer.Option(None, "--dt", help="Time step, 1/t1 (default 0.05)."),
    alpha: Optional[float] = typer.Option(None, "--alpha", help="Gilbert damping (default 0.5)."),
    temperature: Optional[float] = typer.Option(None, "--temperature", help="Bath temperature k_B T, t1 "
                                                "(default 0; quench default 0.01)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of the initial state and noise (default 0)."),
    record_every: Optional[int] = typer.Option(None, "--record-every", help="Steps between records (10)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder (trajectory.h5, summary.json, PNGs)."),
    ml_model: Optional[str] = typer.Option(None, "--ml-model", help="ML model: shipped name or .pt path."),
    kpm_moments: Optional[int] = typer.Option(None, "--kpm-moments", help="KPM moments (default 1000)."),
    kpm_distance: Optional[int] = typer.Option(None, "--kpm-distance", help="KPM colouring distance (12)."),
    kpm_vectors: Optional[int] = typer.Option(None, "--kpm-vectors", help="KPM probe vectors (default: one "
                                              "colour set)."),
    device: Optional[str] = typer.Option(None, "--device", help="ML device: cpu | cuda | auto."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
):
    """Run one LLG experiment and write its trajectory, summary and figures."""
    import numpy as np

    from altermag.core.errors import AltermagError, ParameterError

    try:
        cfg = {}
        if config is not None:
            import yaml

            if not config.is_file():
                raise ParameterError(f"config={config}: file not found")
            try:
                raw = yaml.safe_load(config.read_text()) or {}
            except yaml.YAMLError as exc:
                msg = " ".join(str(exc).split())
                raise ParameterError(f"config={config}: not valid YAML ({msg})") from None
            if not isinstance(raw, dict):
                raise ParameterError(f"config={config}: must be a mapping of option names to values")
            cfg = {str(k).replace("-", "_"): v for k, v in raw.items()}
            unknown = set(cfg) - set(_RUN_KEYS)
            if unknown:
                raise ParameterError(f"config={config}: unknown keys {sorted(unknown)}; allowed {list(_RUN_KEYS)}")
        given = dict(model=model, size=size, method=method, experiment=experiment, steps=steps, dt=dt, alpha=alpha,
                     temperature=temperature, seed=seed, record_every=record_every, out=out, ml_model=ml_model,
                     kpm_moments=kpm_moments, kpm_distance=kpm_distance, kpm_vectors=kpm_vectors, device=device)
        cfg.update({k: v for k, v in given.items() if v is not None})
        from altermag.dynamics.experiments import run_experiment

        summary = run_experiment(cfg)
    except (AltermagError, OSError) as exc:  # OSError: unwritable --out, unreadable files
        _fail(exc)
    if json_out:
        _emit(summary)
    else:
        typer.echo(f"{summary['experiment']} with {summary['method']} on {summary['model']} "
                   f"L={summary['size']}: {summary['seconds']:.1f} s")
        for k, v in summary.get("final", {}).items():
            typer.echo(f"  {k:<18} {v:.6g}" if isinstance(v, (int, float, np.floating)) else f"  {k:<18} {v}")
        if summary.get("out"):
            typer.echo(f"  wrote {summary['out']}")


@app.command()
def analyze(
    trajectory: Path = typer.Argument(..., help="trajectory.h5 written by 'altermag dynamics run'."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for analysis.json and PNGs "
                                       "(default: next to the trajectory)."),
    json_out: bool = typer.Option(False, "--json"),
):
    """Observables of every snapshot of a trajectory: order parameters, chirality, domain sizes, L(t) fit."""
    from altermag.core.errors import AltermagError

    try:
        from altermag.dynamics.experiments import analyze_trajectory

        rec = analyze_trajectory(trajectory, out)
    except (AltermagError, OSError) as exc:  # OSError: unwritable --out, unreadable files
        _fail(exc)
    if json_out:
        _emit(rec)
    else:
        typer.echo(f"{trajectory}: {rec['n_snapshots']} snapshots of {rec['lattice']}")
        for k, v in rec["final"].items():
            typer.echo(f"  {k:<12} {v:.6g}")
        if rec.get("fit"):
            f = rec["fit"]
            typer.echo(f"  L(t) ~ t^n: n = {f['n']:.3f} ± {f['n_err']:.3f} ({f['n_points']} points)")
        typer.echo(f"  wrote {rec['files']}")
