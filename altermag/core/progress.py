"""Progress bars: a thin wrapper around :mod:`tqdm` that writes to stderr.

Set ``ALTERMAG_NO_PROGRESS=1`` to switch every bar off (batch jobs, CI). Without it,
``disable=None`` leaves the decision to tqdm, which hides bars when stderr is not a terminal, so
log files of cluster jobs are not flooded with carriage returns.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

from tqdm import tqdm

__all__ = ["progress", "progress_disabled"]


def progress_disabled() -> bool:
    """Whether ``ALTERMAG_NO_PROGRESS`` asks for no progress bars (any value but ``""``/``0``)."""
    return os.environ.get("ALTERMAG_NO_PROGRESS", "").strip() not in ("", "0")


def progress(
    iterable: Iterable | None = None,
    total: int | None = None,
    desc: str | None = None,
    disable: bool | None = None,
    **kwargs: Any,
) -> tqdm:
    """A tqdm bar on stderr: iterate over it, or call ``.update(n)`` and ``.close()``.

    ``disable``: ``True`` hides, ``False`` shows, ``None`` shows only on a terminal;
    ``ALTERMAG_NO_PROGRESS`` overrides all three. Extra keyword arguments go to tqdm.
    """
    if progress_disabled():
        disable = True
    kwargs.setdefault("file", sys.stderr)
    kwargs.setdefault("dynamic_ncols", True)
    return tqdm(iterable, total=total, desc=desc, disable=disable, **kwargs)
