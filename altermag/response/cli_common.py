"""Shared pieces of the ``altermag chi | rpa | hf | ahc`` commands: the MODEL argument, the common model
override options, JSON output and user-error handling.

A MODEL argument is a preset name (``RuO2``, ``kappa-Cl``, ...), a catalogue entry ``SG:WYCKOFF``
(``136:2a``, illustrative coefficients) or a model file written by ``TwoSublatticeModel.save``
(``.json``/``.h5``). ``--mu``, ``--J``, ``--neel``, ``--mu-convention`` and ``--param NAME=VALUE`` override it.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from altermag.core.cliutil import parse_values
from altermag.core.errors import AltermagError, ParameterError
from altermag.models.cli import emit_json, fail, parse_params  # one of each, shared with `altermag model`

__all__ = ["model_from_argument", "parse_params", "parse_vector", "parse_sweep", "parse_values", "emit_json", "fail",
           "MODEL_ARG", "PARAM_OPT", "J_OPT", "MU_OPT", "NEEL_OPT", "MU_CONV_OPT", "JSON_OPT", "MESH_OPT",
           "KT_OPT", "NSIGMA_OPT", "EF_OPT", "OUT_OPT", "WORKERS_OPT", "SCHEDULER_OPT", "parse_mesh",
           "AltermagError"]

# Typer option objects shared by the response commands (reuse them in the command signatures).
MODEL_ARG = typer.Argument(..., metavar="MODEL", help="Preset name (RuO2, kappa-Cl, ...), SG:WYCKOFF (136:2a) or a saved "
                                     "model file (.json/.h5).")
PARAM_OPT = typer.Option(None, "--param", "-p", help="Coefficient override NAME=VALUE (eV); repeatable.")
J_OPT = typer.Option(None, "--J", help="Néel exchange J (eV).")
MU_OPT = typer.Option(None, "--mu", help="Chemical potential μ (eV) of the model (ε₀ includes ∓μ).")
NEEL_OPT = typer.Option(None, "--neel", help="Néel vector: 'x', 'y', 'z' or three numbers '1,0,0'.")
MU_CONV_OPT = typer.Option("minus", "--mu-convention",
                           help="Reading of the tabulated μ of a preset: 'minus' (ε₀ − μ) or 'plus' (ε₀ + μ).")
JSON_OPT = typer.Option(False, "--json", help="Print machine-readable JSON to stdout.")
MESH_OPT = typer.Option(None, "--mesh", help="k mesh: one integer (n×n×n, n×n×1 for 2D) or 'n1,n2,n3'.")
KT_OPT = typer.Option(0.01, "--kT", help="Temperature kT (eV).")
NSIGMA_OPT = typer.Option(None, "--n-sigma", help="Filling, electrons per spin per site (0<n<1); "
                                                  "default: the model's own μ (E_F = 0).")
EF_OPT = typer.Option(None, "--E-F", help="Fermi level (eV) relative to the model's μ (not with --n-sigma).")
OUT_OPT = typer.Option(None, "--out", "-o", help="Save the result (JSON with inputs) to this file.")
WORKERS_OPT = typer.Option(None, "--workers", help="Local worker processes for sweeps (default: serial).")
SCHEDULER_OPT = typer.Option(None, "--scheduler", help="Dask scheduler ('local' or tcp://host:port).")


def parse_vector(text, name: str = "vector", n: int = 3) -> list[float]:
    """'x'/'y'/'z' or 'a,b,c' → list of floats (length ``n``)."""
    if text is None:
        return None
    if isinstance(text, (list, tuple)):
        vals = [float(x) for x in text]
    else:
        s = str(text).strip().lower()
        axes = {"x": [1.0, 0.0, 0.0], "y": [0.0, 1.0, 0.0], "z": [0.0, 0.0, 1.0]}
        if s in axes and n == 3:
            return axes[s]
        try:
            vals = [float(x) for x in s.replace(" ", "").split(",") if x != ""]
        except ValueError as exc:
            raise ParameterError(f"{name} must be {n} comma-separated numbers, got {text!r}") from exc
    if len(vals) != n:
        raise ParameterError(f"{name} must have {n} components, got {text!r}")
    return vals


def parse_mesh(text):
    """'24' → 24, '24,24,12' → (24, 24, 12); None stays None."""
    if text is None:
        return None
    s = str(text).strip()
    try:
        parts = [int(x) for x in s.split(",") if x.strip()]
    except ValueError as exc:
        raise ParameterError(f"--mesh must be an integer or 'n1,n2,n3', got {text!r}") from exc
    if not parts or min(parts) < 1 or len(parts) not in (1, 2, 3):
        raise ParameterError(f"--mesh must be a positive integer or 'n1,n2,n3', got {text!r}")
    return parts[0] if len(parts) == 1 else tuple(parts)




def parse_sweep(text: str) -> tuple[str, list[float]]:
    """``"n_sigma=0.3:0.8:11"`` (start:stop:count, inclusive) or ``"kT=0.005,0.01,0.02"`` → (name, values)."""
    if text is None or "=" not in str(text):
        raise ParameterError(f"--sweep expects NAME=START:STOP:COUNT or NAME=v1,v2,..., got {text!r}")
    name, spec = str(text).split("=", 1)
    name = name.strip().replace("-", "_")
    return name, parse_values(spec, f"--sweep {name}")


def model_from_argument(name_or_path, mu: float | None = None, J: float | None = None, neel=None,
                        mu_convention: str = "minus", params: Optional[List[str]] | dict | None = None):
    """The :class:`~altermag.models.TwoSublatticeModel` named by a CLI MODEL argument.

    ``name_or_path``: preset name, ``SG:WYCKOFF`` or an existing model file (``.json``/``.h5``).
    ``mu``/``J`` (eV), ``neel`` ('x' or '1,0,0' or a sequence) and ``params`` (``["name=value", ...]`` or a
    dict) override the model; ``mu_convention`` ('minus'|'plus') applies to presets only (how the tabulated μ
    enters ε₀; a given ``mu`` is read in the same convention). Raises :class:`ParameterError` on bad input.
    """
    from altermag.models.analysis import model_from_spec
    from altermag.models.hamiltonian import TwoSublatticeModel
    from altermag.models.presets import list_presets, preset

    if mu_convention not in ("minus", "plus"):
        raise ParameterError(f"--mu-convention must be 'minus' or 'plus', got {mu_convention!r}")
    changes = dict(params) if isinstance(params, dict) else parse_params(params)
    if J is not None:
        changes["J"] = float(J)
    if neel is not None:
        changes["neel"] = parse_vector(neel, "--neel")
    if isinstance(name_or_path, TwoSublatticeModel):
        if mu is not None:
            changes["mu"] = float(mu)
        return name_or_path.with_params(**changes) if changes else name_or_path
    s = str(name_or_path).strip()
    p = Path(s)
    if p.exists() and p.is_file():
        model = TwoSublatticeModel.load(p)
        if mu is not None:
            changes["mu"] = float(mu) if mu_convention == "minus" else -float(mu)
        return model.with_params(**changes) if changes else model
    presets = {n.lower(): n for n in list_presets()}
    if s.lower() in presets:
        if mu is not None:
            changes["mu"] = float(mu)
        return preset(presets[s.lower()], mu_convention=mu_convention, **changes)
    if p.suffix.lower() in (".json", ".h5", ".hdf5"):
        raise ParameterError(f"model file {s!r} does not exist")
    if mu is not None:
        changes["mu"] = float(mu) if mu_convention == "minus" else -float(mu)
    return model_from_spec(s, None, **changes)
