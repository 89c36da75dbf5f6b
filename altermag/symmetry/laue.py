"""Spin Laue groups in the notation of the altermagnet literature (e.g. ``²4/¹m²m¹m`` for RuO2).

Each position of the Hermann–Mauguin symbol of the crystal's Laue group G_L names an operation along a
symmetry direction; the superscript is 1 if that operation keeps the spin sublattices (in H) and 2 if it
exchanges them (C₂ spin rotation; in G∖H). The Laue groups are formed by adding inversion to both H and G,
since the spin splitting is even in k.

Directions are those of the International Tables in the idealised standard setting of spglib (a ∥ x,
c ∥ z; hexagonal b at 120°). When the magnetic group is an orthorhombic or tetragonal subgroup of a cubic
crystal, its axes need not lie along x, y, z: they are then taken from the group itself and the symbol is
followed by the axes, e.g. ``²4/¹m²m¹m (4∥[100], [010], [011])``. Because χ(−R) = χ(R) in a Laue group, a mirror has the superscript of the
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
    out = _decorate(positions, R, chi)
    if out is None and laue in ("mmm", "4/m", "4/mmm"):
        positions, axes = _axes_from_group(laue, R)
        out = _decorate(positions, R, chi)
        if out is not None:
            out += " (" + ", ".join(axes) + ")"
    return out


def _direction_label(v: np.ndarray) -> str:
    w = v / np.max(np.abs(v))
    w = np.round(w * (1 if np.allclose(w, np.round(w), atol=1e-6) else 2)).astype(int)
    if w[np.nonzero(w)[0][0]] < 0:
        w = -w
    return "[" + "".join(str(a) if a >= 0 else f"-{-a}" for a in w) + "]"


def _axes_from_group(laue: str, R: np.ndarray):
    """Symbol positions with the axes of the group itself (for subgroups of a cubic crystal)."""
    axes = [_axis_and_order(r) for r in R]  # proper parts: the Laue group contains −R with R
    twofold = []
    for a, n in axes:
        if n == 2 and not any(abs(abs(a @ b) - 1) < 1e-6 for b in twofold):
            twofold.append(a / np.linalg.norm(a))
    along_xyz = lambda v: np.isclose(np.max(np.abs(v)), 1.0)  # noqa: E731
    if laue == "mmm":
        # x, y, z-like order: sort by the Cartesian component each axis leans on, then lexicographically
        twofold.sort(key=lambda v: (int(np.argmax(np.abs(v))), tuple(-np.abs(v))))
        return [[("m", v, 2)] for v in twofold], [_direction_label(v) for v in twofold]
    main = next(a for a, n in axes if n == 4)
    perp = [v for v in twofold if abs(v @ main) < 1e-6]
    positions = [[("4", main, 4), ("/m", main, 2)]]
    labels = [f"4∥{_direction_label(main)}"]
    if laue == "4/mmm":
        first = next((v for v in perp if along_xyz(v)), perp[0])
        second = next(v for v in perp if abs(abs(v @ first) - np.sqrt(0.5)) < 1e-6)
        positions += [[("m", first, 2)], [("m", second, 2)]]
        labels += [_direction_label(first), _direction_label(second)]
    return positions, labels


def _decorate(positions, R, chi) -> str | None:
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
