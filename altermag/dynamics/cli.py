"""``altermag dynamics ...``: thin Typer wrappers over :mod:`altermag.dynamics`."""

from __future__ import annotations

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="dynamics")
