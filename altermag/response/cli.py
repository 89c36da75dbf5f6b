"""Top-level commands ``altermag chi | rpa | hf | ahc`` (thin wrappers over :mod:`altermag.response`).

Each part of the package keeps its command functions in its own module (``cli_susceptibility``, ``cli_hf``,
``cli_ahc``) as a ``COMMANDS`` mapping; :func:`register` adds them to the main app.
"""

from __future__ import annotations


def register(app) -> None:
    from altermag.response import cli_ahc, cli_hf, cli_susceptibility

    for module in (cli_susceptibility, cli_hf, cli_ahc):
        for name, fn in module.COMMANDS.items():
            app.command(name)(fn)
