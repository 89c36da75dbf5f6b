"""Typer command functions of this part of ``altermag.response``; :data:`COMMANDS` maps name → function and
:func:`altermag.response.cli.register` adds them to the top-level ``altermag`` app."""

COMMANDS: dict = {}
