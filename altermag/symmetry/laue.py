"""Spin Laue groups in the notation of the altermagnet literature (e.g. ``²4/¹m²m¹m`` for RuO2).

Each position of the Hermann–Mauguin symbol of the crystal's Laue group G_L names an operation along a
symmetry direction; the superscript is 1 if that operation keeps the spin sublattices (in H) and 2 if it
exchanges them (C₂ spin rotation; in G∖H). Inversion is always superscript 1 (nonrelativistic spin groups
contain {C₂‖Ī}·T... the Laue group is formed with inversion added to both H and G).

Directions are those of the International Tables in the idealised standard setting of spglib (a ∥ x,
c ∥ z; hexagonal b at 120°). Because χ(−R) = χ(R) in a Laue group, a mirror has the superscript of the
two-fold rotation about its normal and −3 that of 3, so every position reduces to a proper rotation.
"""

from __future__ import annotations

import numpy as np

_S3 = np.sqrt(3.0)
_X, _Y, _Z = (1.0, 0, 0), (0, 1.0, 0), (0, 0, 1.0)
_XY, _111 = (1.0, 1.0, 0), (1.0, 1.0, 1.0)
_HEX_A, _HEX_A_MINUS_B = (1.0, 0, 0), (1.5, -_S3 / 2, 0)

# Laue group → symbol positions; each position is a list of (text, direction, proper rotation order)
_POSITIONS = {
    "mmm": [[("m", _X, 2)], [("m", _Y, 2)], [("m", _Z, 2)]],
    "4/m": [[("4", _Z, 4), ("/m", _Z, 2)]],
    "4/mmm": [[("4", _Z, 4), ("/m", _Z, 2)], [("m", _X, 2)], [("m", _XY, 2)]],
    "-3": [[("-3", _Z, 3)]],
    "-3m1": [[("-3", _Z, 3)], [("m", _HEX_A, 2)], [("1", None, 1)]],
    "-31m": [[("-3", _Z, 3)], [("1", None, 1)], [("m", _HEX_A_MINUS_B, 2)]],
    "6/m": [[("6", _Z, 6), ("/m", _Z, 2)]],
    "6/mmm": [[("6", _Z, 6), ("/m", _Z, 2)], [("m", _HEX_A, 2)], [("m", _HEX_A_MINUS_B, 2)]],
    "m-3": [[("m", _Z, 2)], [("-3", _111, 3)]],
    "m-3m": [[("m", _Z, 2)], [("-3", _111, 3)], [("m", _XY, 2)]],
}
_SUP = {1: "¹", -1: "²"}


def _axis_and_order(R: np.ndarray) -> tuple[np.ndarray, int]:
    P = R * np.sign(np.linalg.det(R))
    order = {3: 1, -1: 2, 0: 3, 1: 4, 2: 6}[int(round(np.trace(P)))]
    w, v = np.linalg.eig(P)
    return np.real(v[:, np.argmin(np.abs(w - 1))]), order


def _character(rotations, chi, direction, order) -> int | None:
    d = np.asarray(direction, float)
    d = d / np.linalg.norm(d)
    for R, c in zip(rotations, chi):
        axis, n = _axis_and_order(R)
        if n == order and abs(abs(axis @ d) - 1) < 1e-6:
            return int(c)
    return None


def spin_laue_symbol(laue: str, std_rotations: np.ndarray, chi: np.ndarray) -> str | None:
    """Decorated symbol of the spin Laue group, or None if the setting is not recognised.

    ``laue``: spglib's symbol of G_L; ``std_rotations``: Cartesian point operations of G (standard frame),
    ``chi``: +1 non-flip, −1 flip.
    """
    R = np.asarray(std_rotations, float)
    chi = np.asarray(chi)
    if laue == "-3m":
        laue = "-3m1" if _character(R, chi, _HEX_A, 2) is not None else "-31m"
    if laue == "2/m":  # the unique axis, whatever the setting
        two = [(r, c) for r, c in zip(R, chi) if _axis_and_order(r)[1] == 2]
        if not two:
            return None
        axis = _axis_and_order(two[0][0])[0]
        positions = [[("2", axis, 2), ("/m", axis, 2)]]
    elif laue in _POSITIONS:
        positions = _POSITIONS[laue]
    else:
        return None
    out = ""
    for pos in positions:
        for text, direction, order in pos:
            if direction is None:
                out += text
                continue
            c = _character(R, chi, direction, order)
            if c is None:
                return None
            sep = "/" if text.startswith("/") else ""
            out += f"{sep}{_SUP[c]}{text.lstrip('/')}"
    return out
