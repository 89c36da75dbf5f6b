"""``altermag models ...``: thin Typer wrappers over :mod:`altermag.models`."""

from __future__ import annotations

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="models")
