"""``altermag dynamics generate|train``: Typer commands for ML training data and force-field training.

Registered by :mod:`altermag.dynamics.cli` (``app.command("generate")(generate_command)``). Both take
an optional YAML config whose keys are the option names (underscores); command-line options given
explicitly override the file. Heavy imports happen inside the commands.

Examples::

    altermag dynamics generate --model tetrahedral --size 12 --n-random 60 --n-quench-runs 4 \\
        --quench-steps 1000 --out data_L12.h5
    altermag dynamics train --data data_L12.h5 --out run1 --epochs 30
    altermag dynamics train --config run1/config.yaml --resume --json
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from altermag.core.cliutil import fail as _fail

__all__ = ["generate_command", "train_command"]


def _load_yaml(path: Optional[Path]) -> dict:
    if path is None:
        return {}
    import yaml

    from altermag.core.errors import ParameterError

    if not path.is_file():
        raise ParameterError(f"config file not found: {path}")
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    if not isinstance(raw, dict):
        raise ParameterError(f"{path}: the YAML config must be a mapping of option names to values")
    return {str(k).replace("-", "_"): v for k, v in raw.items()}



def generate_command(
    config: Optional[Path] = typer.Option(None, "--config", help="YAML file with any of the options below."),
    out: Optional[Path] = typer.Option(None, "--out", help="HDF5 file to write (default dataset_L<size>.h5)."),
    model: Optional[str] = typer.Option(None, "--model", help="Preset: tetrahedral | 120 | double-exchange."),
    size: Optional[int] = typer.Option(None, "--size", help="Lattice size L (L × L sites)."),
    method: Optional[str] = typer.Option(None, "--method", help="ed | kpm."),
    n_random: Optional[int] = typer.Option(None, "--n-random", help="Random (T = ∞) configurations."),
    n_quench_runs: Optional[int] = typer.Option(None, "--n-quench-runs", help="LLG quench runs to sample."),
    quench_steps: Optional[int] = typer.Option(None, "--quench-steps", help="LLG steps per quench run."),
    snapshot_every: Optional[int] = typer.Option(None, "--snapshot-every", help="Steps between kept snapshots."),
    quench_temperature: Optional[float] = typer.Option(None, "--quench-temperature", help="Bath temperature (t1)."),
    dt: Optional[float] = typer.Option(None, "--dt", help="LLG time step (1/t1)."),
    alpha: Optional[float] = typer.Option(None, "--alpha", help="Gilbert damping."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Random seed."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Local worker processes (1 = serial)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Dask scheduler address or 'local'."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON summary."),
) -> None:
    """Generate ED/KPM training data (random + LLG-quench configurations) as HDF5."""
    from altermag.core.errors import AltermagError
    from altermag.core.io import dumps

    try:
        opts = _load_yaml(config)
        given = {
            "out": out, "model": model, "L": size, "method": method, "n_random": n_random,
            "n_quench_runs": n_quench_runs, "quench_steps": quench_steps, "snapshot_every": snapshot_every,
            "quench_temperature": quench_temperature, "dt": dt, "alpha": alpha, "seed": seed,
            "workers": workers, "scheduler": scheduler,
        }
        if "size" in opts:
            opts["L"] = opts.pop("size")
        opts.update({k: v for k, v in given.items() if v is not None})
        opts.setdefault("model", "tetrahedral")
        opts.setdefault("L", 12)
        opts.setdefault("workers", 1)
        opts["out"] = str(opts.get("out") or f"dataset_L{opts['L']}.h5")
        import inspect

        from altermag.dynamics.dataset import generate_dataset, load_dataset

        allowed = set(inspect.signature(generate_dataset).parameters)
        unknown = set(opts) - allowed
        if unknown:
            raise AltermagError(f"unknown generate options {sorted(unknown)}; allowed: {sorted(allowed)}")
        path = generate_dataset(**opts)
        ds = load_dataset(path)
        summary = {
            "out": str(path),
            "configurations": len(ds),
            "sites": int(ds.spins.shape[1]),
            "random": int((ds.source == "random").sum()),
            "quench": int((ds.source == "quench").sum()),
            "cpu_seconds": ds.inputs.get("cpu_seconds"),
            "field_evaluations": ds.inputs.get("field_evaluations"),
        }
    except AltermagError as exc:
        _fail(exc)
    if json_out:
        typer.echo(dumps(summary, strict=True))
    else:
        typer.echo(
            f"wrote {summary['out']}: {summary['configurations']} configurations of {summary['sites']} sites "
            f"({summary['random']} random, {summary['quench']} quench), {summary['cpu_seconds']:.1f} s of field evaluations"
        )


def train_command(
    config: Optional[Path] = typer.Option(None, "--config", help="YAML training config (TrainConfig fields)."),
    data: Optional[list[Path]] = typer.Option(None, "--data", help="Dataset HDF5 file(s) (repeat the option)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Run directory."),
    epochs: Optional[int] = typer.Option(None, "--epochs"),
    lr: Optional[float] = typer.Option(None, "--lr"),
    batch_size: Optional[int] = typer.Option(None, "--batch-size"),
    energy_weight: Optional[float] = typer.Option(None, "--energy-weight"),
    device: Optional[str] = typer.Option(None, "--device", help="auto | cpu | cuda."),
    seed: Optional[int] = typer.Option(None, "--seed"),
    field_form: Optional[str] = typer.Option(None, "--field-form", help="gradient (H = −∂E/∂S) | two-potential "
                                             "(H = S×F_A − F_B⊥, driven strips; sets 2 outputs)."),
    site_inputs: Optional[str] = typer.Option(None, "--site-inputs", help="Per-site inputs of driven strips: "
                                              "boundary[:N] | absolute | bias | none, optionally "
                                              "+potential (local electrochemical potential, a non-local input)."),
    symmetry: Optional[str] = typer.Option(None, "--symmetry", help="Descriptor point group: full | D2 | Cs "
                                           "(driven strips: Cs or D2)."),
    init_model: Optional[Path] = typer.Option(None, "--init-model", help="Start from this saved model (same "
                                              "architecture; fine-tuning on more data)."),
    resume: bool = typer.Option(False, "--resume", help="Continue from <out>/checkpoint.pt."),
    json_out: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
) -> None:
    """Train a Behler-Parrinello force field on fields (+ optional energies); writes model.pt, metrics, parity plot."""
    from altermag.core.errors import AltermagError
    from altermag.core.io import dumps

    try:
        from altermag.dynamics.training import TrainConfig, train

        opts = _load_yaml(config)
        given = {
            "data": [str(p) for p in data] if data else None, "out": str(out) if out else None,
            "epochs": epochs, "lr": lr, "batch_size": batch_size, "energy_weight": energy_weight,
            "device": device, "seed": seed, "init_model": str(init_model) if init_model else None,
        }
        opts.update({k: v for k, v in given.items() if v is not None})
        if field_form is not None:
            opts["field_form"] = field_form
            if field_form == "two-potential":
                opts["n_outputs"] = 2
        if site_inputs is not None:
            spec, plus, extra = site_inputs.partition("+")
            if plus and extra != "potential":
                raise AltermagError(f"--site-inputs {site_inputs!r}: the only addition is '+potential'")
            enc, _, nb = spec.partition(":")
            if enc == "none":
                opts["site_inputs"] = None
            else:
                try:
                    opts["site_inputs"] = {"encoding": enc, **({"n_boundary": int(nb)} if nb else {}),
                                           **({"potential": True} if plus else {})}
                except ValueError:
                    raise AltermagError(f"--site-inputs {site_inputs!r}: expected ENCODING or boundary:N") from None
        if symmetry is not None:
            opts["descriptor"] = {**(opts.get("descriptor") or {}), "symmetry": symmetry}
        cfg = TrainConfig.from_dict(opts)
        res = train(cfg, resume=resume, progress=sys.stderr.isatty())
    except AltermagError as exc:
        _fail(exc)
    m = res["metrics"]
    if json_out:
        typer.echo(dumps({"out": str(res["out"]), **m}, strict=True))
    else:
        h = m.get("held_out") or {}
        rel = h.get("relative_field_rmse")
        typer.echo(
            f"model: {res['out'] / 'model.pt'}; held-out transverse-field RMSE "
            + (f"{h['field_rmse']:.4g} t1 = {100 * rel:.2f} % of the typical field" if rel is not None else "n/a")
        )
