"""Shared pieces of the Typer commands: one JSON record per line on stdout, user errors as one ``error: ...`` line.

Kept free of heavy imports so that ``altermag --help`` stays fast.
"""

from __future__ import annotations

import sys

import typer

__all__ = ["emit_json", "fail"]


def emit_json(obj) -> None:
    """Print ``obj`` as one line of strict JSON (NaN/inf rejected; numpy values converted) and flush."""
    from altermag.core.io import dumps

    sys.stdout.write(dumps(obj, strict=True, indent=None) + "\n")
    sys.stdout.flush()


def fail(exc: Exception | str) -> None:
    """Report a user error as ``error: <message>`` on stderr (no traceback) and exit with status 1."""
    typer.secho(f"error: {exc}", fg="red", err=True)
    raise typer.Exit(1)
