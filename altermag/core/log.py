"""Logging for altermag: one stderr handler on the ``"altermag"`` logger, configured once.

The level comes from the environment variable ``ALTERMAG_LOG`` (a level name such as ``DEBUG``,
``INFO``, ``WARNING``, or a number; default ``WARNING``) or from :func:`configure_logging`.
Records do not propagate to the root logger, so an application that configures logging itself
does not see every message twice; it can set ``logging.getLogger("altermag").propagate = True``
and remove the handler to route altermag's records through its own handlers.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

__all__ = ["get_logger", "configure_logging"]

ROOT = "altermag"
_HANDLER_NAME = "altermag-stderr"
_lock = threading.Lock()
_configured = False


def _parse_level(value: str | int | None) -> tuple[int, str | None]:
    """Level number, and a complaint when ``value`` is not a level."""
    if value is None or value == "":
        return logging.WARNING, None
    if isinstance(value, int):
        return value, None
    text = value.strip()
    if text.isdigit():
        return int(text), None
    level = logging.getLevelName(text.upper())
    if isinstance(level, int):
        return level, None
    return logging.WARNING, f"unknown log level {value!r}, using WARNING"


def configure_logging(level: str | int | None = None) -> logging.Logger:
    """(Re)configure the ``"altermag"`` logger and return it.

    ``level`` None reads ``ALTERMAG_LOG``. Calling it again only changes the level: there is
    always exactly one altermag handler.
    """
    global _configured
    with _lock:
        logger = logging.getLogger(ROOT)
        if not any(h.get_name() == _HANDLER_NAME for h in logger.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.set_name(_HANDLER_NAME)
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            logger.addHandler(handler)
            logger.propagate = False
        lvl, complaint = _parse_level(os.environ.get("ALTERMAG_LOG") if level is None else level)
        logger.setLevel(lvl)
        _configured = True
    if complaint:
        logger.warning(complaint)
    return logger


def get_logger(name: str) -> logging.Logger:
    """Logger ``name`` inside the ``"altermag"`` hierarchy (pass ``__name__``).

    Names outside it are prefixed (``"screen"`` → ``"altermag.screen"``). The first call
    installs the handler (:func:`configure_logging`).
    """
    if not _configured:
        configure_logging()
    if name != ROOT and not name.startswith(ROOT + "."):
        name = f"{ROOT}.{name}"
    return logging.getLogger(name)
