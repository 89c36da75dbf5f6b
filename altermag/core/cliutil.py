"""Shared pieces of the Typer commands: one JSON record per line on stdout, user errors as one ``error: ...`` line.

Kept free of heavy imports so that ``altermag --help`` stays fast.
"""

from __future__ import annotations

import sys

import typer

__all__ = ["emit_json", "fail", "parse_values"]


def emit_json(obj) -> None:
    """Print ``obj`` as strict JSON (numpy-aware, NaN/±inf → null) on one line to stdout and flush."""
    from altermag.core.io import dumps

    sys.stdout.write(dumps(obj, strict=True, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def fail(exc: Exception | str) -> None:
    """Report a user error as ``error: <message>`` on stderr (no traceback) and exit with status 1."""
    typer.secho(f"error: {exc}", fg="red", err=True)
    raise typer.Exit(1)


def parse_values(spec, option: str) -> list[float]:
    """``"0.3:0.8:11"`` (START:STOP:COUNT, inclusive) or ``"0.005,0.01,0.02"`` → list of floats.

    ``option`` names the CLI option in the :class:`ParameterError` raised on bad input."""
    import numpy as np

    from altermag.core.errors import ParameterError

    s = str(spec).strip()
    try:
        if ":" in s:
            a, b, c = s.split(":")
            count = int(c)
            if count < 1:
                raise ValueError
            vals = np.linspace(float(a), float(b), count).tolist()
        else:
            vals = [float(x) for x in s.split(",") if x.strip()]
    except ValueError as exc:
        raise ParameterError(f"{option} must be START:STOP:COUNT or v1,v2,..., got {spec!r}") from exc
    if not vals:
        raise ParameterError(f"{option}: no values in {spec!r}")
    return vals
