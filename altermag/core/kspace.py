"""k-space grids and band-structure paths.

Conventions: fractional k are coordinates in the basis of the reciprocal vectors ``b_i`` of a
lattice (``a_i·b_j = 2π δ_ij``); Cartesian k are in Å⁻¹ with the 2π included, so
``k_cart = k_frac @ lattice.reciprocal.matrix`` and ``exp(i k·r)`` needs no extra 2π.
Arrays of k-points have shape ``(N, 3)``; 2D models use the third coordinate 0 (and a
``(n, n, 1)`` mesh).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from altermag.core.errors import ParameterError
from altermag.core.lattice import Lattice

__all__ = [
    "monkhorst_pack",
    "to_cartesian",
    "to_fractional",
    "KPath",
    "kpath",
    "kpath_from_segments",
]

_GREEK = {"GAMMA": "Γ", "SIGMA": "Σ", "DELTA": "Δ", "LAMBDA": "Λ"}


def _as_lattice(lattice: Lattice | ArrayLike) -> Lattice:
    return lattice if isinstance(lattice, Lattice) else Lattice(lattice)


def monkhorst_pack(
    mesh: Sequence[int], shift: ArrayLike = (0.0, 0.0, 0.0), gamma_centered: bool = True
) -> np.ndarray:
    """Uniform grid of fractional k-points, shape ``(n1*n2*n3, 3)``.

    Parameters
    ----------
    mesh
        Number of points ``(n1, n2, n3)`` along ``b1, b2, b3``.
    shift
        Offset of the grid in units of the grid spacing (``0.5`` moves by half a step).
    gamma_centered
        ``True``: points ``(i + s) / n``, which contain Γ when unshifted.
        ``False``: the original Monkhorst-Pack points ``(2i - n + 1) / 2n + s / n``, which avoid
        Γ for even ``n``.

    All points are wrapped into ``[-0.5, 0.5)``. Order: C order over ``(i1, i2, i3)`` (``i3``
    fastest), so ``values.reshape(n1, n2, n3, ...)`` recovers the grid. Each point has weight
    ``1 / (n1*n2*n3)``.
    """
    mesh_t = tuple(mesh)
    if len(mesh_t) != 3 or not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0 for n in mesh_t
    ):
        raise ParameterError(f"mesh must be three positive integers, got {mesh!r}")
    s = np.asarray(shift, dtype=float)
    if s.shape != (3,) or not np.all(np.isfinite(s)):
        raise ParameterError(f"shift must be three finite numbers, got {shift!r}")
    axes = []
    for n, si in zip(mesh_t, s):
        i = np.arange(n)
        axes.append((i + si) / n if gamma_centered else (2 * i - n + 1) / (2 * n) + si / n)
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    return grid - np.floor(grid + 0.5)


def to_cartesian(k_frac: ArrayLike, lattice: Lattice | ArrayLike) -> np.ndarray:
    """Cartesian k (Å⁻¹, 2π included) of fractional k in the reciprocal basis of the real-space ``lattice``."""
    return np.asarray(k_frac, dtype=float) @ _as_lattice(lattice).reciprocal.matrix


def to_fractional(k_cart: ArrayLike, lattice: Lattice | ArrayLike) -> np.ndarray:
    """Inverse of :func:`to_cartesian`: ``k_frac_i = k·a_i / 2π``."""
    return np.asarray(k_cart, dtype=float) @ _as_lattice(lattice).matrix.T / (2 * np.pi)


def _pretty_label(label: str) -> str:
    base, sep, rest = label.partition("_")
    return _GREEK.get(base.upper(), base) + sep + rest


@dataclass(frozen=True, eq=False)
class KPath:
    """A band-structure path.

    Attributes
    ----------
    k_frac
        ``(N, 3)`` fractional k in the reciprocal basis of :attr:`lattice`.
    k_cart
        ``(N, 3)`` Cartesian k (Å⁻¹, 2π included) in the Cartesian frame of :attr:`lattice`.
    x
        ``(N,)`` cumulative path length in Å⁻¹, the abscissa of a band plot. It does not advance
        across a break.
    ticks, labels
        x positions and labels of the high-symmetry points (``"Γ"``; two points meeting at a
        break share one tick labelled ``"Z|X"``).
    breaks
        Indices ``i`` where the path jumps: ``k[i-1] → k[i]`` is not a leg of the path
        (``x[i] == x[i-1]``); don't draw a line across them (see :attr:`segments`).
    lattice
        Real-space lattice whose reciprocal basis ``k_frac`` refers to. For :func:`kpath` this
        is the standardized primitive cell of seekpath, which may differ from the input cell.
    point_coords
        Fractional coordinates (basis of :attr:`lattice`) of every labelled point.
    k_frac_input
        ``(N, 3)`` the same k-points in the reciprocal basis of the *input* cell (equal to
        ``k_frac`` for :func:`kpath_from_segments`): evaluate a model defined on the input cell
        here.
    rotation
        Cartesian rotation from the input frame to the frame of :attr:`lattice`
        (``v_std = rotation @ v_input``); identity for :func:`kpath_from_segments`.
    positions, numbers
        Atoms of :attr:`lattice` (fractional, atomic numbers/types) for :func:`kpath`;
        ``None`` for :func:`kpath_from_segments`.
    """

    k_frac: np.ndarray
    k_cart: np.ndarray
    x: np.ndarray
    ticks: np.ndarray
    labels: list[str]
    breaks: np.ndarray
    lattice: Lattice
    point_coords: dict[str, np.ndarray]
    k_frac_input: np.ndarray
    rotation: np.ndarray = field(default_factory=lambda: np.eye(3))
    positions: np.ndarray | None = None
    numbers: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.x)

    @property
    def segments(self) -> list[slice]:
        """Slices of the continuous pieces of the path (split at :attr:`breaks`), for plotting."""
        edges = [0, *self.breaks.tolist(), len(self.x)]
        return [slice(a, b) for a, b in zip(edges[:-1], edges[1:])]


def _path_x(k_cart: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    step = np.linalg.norm(np.diff(k_cart, axis=0), axis=1)
    step[breaks - 1] = 0.0
    return np.concatenate([[0.0], np.cumsum(step)])


def _ticks(x: np.ndarray, labelled: Sequence[tuple[int, str]], breaks: np.ndarray) -> tuple[np.ndarray, list[str]]:
    break_set = set(breaks.tolist())
    ticks: list[float] = []
    labels: list[str] = []
    last_index = None
    for i, label in labelled:
        if ticks and i in break_set and last_index == i - 1:
            labels[-1] = f"{labels[-1]}|{label}"
        else:
            ticks.append(float(x[i]))
            labels.append(label)
        last_index = i
    return np.array(ticks), labels


def kpath(
    lattice: Lattice | ArrayLike,
    frac_positions: ArrayLike,
    numbers: ArrayLike,
    reference_distance: float = 0.025,
    *,
    with_time_reversal: bool = True,
    symprec: float = 1e-5,
) -> KPath:
    """High-symmetry path of a crystal from :func:`seekpath.get_explicit_k_path` (HPKOT convention).

    Parameters
    ----------
    lattice
        Input cell (rows in Å).
    frac_positions, numbers
        Fractional atomic positions ``(n, 3)`` and integer types ``(n,)``. Give the two
        magnetic sublattices different types to get the path of the magnetic cell.
    reference_distance
        Target spacing of consecutive k-points in Å⁻¹ (2π included).
    with_time_reversal
        Treat ``k`` and ``-k`` as equivalent (true of nonrelativistic bands, including
        altermagnets).

    Returns
    -------
    KPath
        ``k_frac`` refers to the reciprocal basis of seekpath's *standardized primitive* cell,
        returned as ``KPath.lattice`` (with its atoms in ``positions``/``numbers``); it may be a
        different choice of cell, and rotated, with respect to the input. ``k_frac_input`` gives
        the same points in the reciprocal basis of the input cell.
    """
    import seekpath

    lat = _as_lattice(lattice)
    positions = np.asarray(frac_positions, dtype=float)
    types = np.asarray(numbers)
    if positions.ndim != 2 or positions.shape[1] != 3 or len(positions) != len(types) or len(types) == 0:
        raise ParameterError(
            f"frac_positions must have shape (n, 3) and numbers shape (n,), got {positions.shape} and {types.shape}"
        )
    if not reference_distance > 0:
        raise ParameterError(f"reference_distance must be > 0 Å⁻¹, got {reference_distance}")
    try:
        with warnings.catch_warnings():
            # spglib >= 2.5 warns about its error-handling mode on seekpath's behalf; not actionable here.
            warnings.filterwarnings("ignore", category=DeprecationWarning, module="spglib")
            res = seekpath.get_explicit_k_path(
                (np.array(lat.matrix), positions, types),
                with_time_reversal=with_time_reversal,
                reference_distance=reference_distance,
                symprec=symprec,
            )
    except seekpath.SymmetryDetectionError as exc:
        raise ParameterError(f"seekpath could not analyse the structure: {exc}") from exc

    prim = Lattice(res["primitive_lattice"])
    k_frac = np.asarray(res["explicit_kpoints_rel"], dtype=float)
    # seekpath marks a break by a segment starting at the index where the previous one ends;
    # consecutive connected segments share their junction point instead.
    segs = res["explicit_segments"]
    breaks = np.array([s for (_, e), (s, _) in zip(segs[:-1], segs[1:]) if e == s], dtype=int)
    labelled = [(i, _pretty_label(lab)) for i, lab in enumerate(res["explicit_kpoints_labels"]) if lab]
    rotation = np.asarray(res["rotation_matrix"], dtype=float)
    # Row vectors: v_input = rotationᵀ v_std  ⇔  v_input_row = v_std_row @ rotation.
    k_frac_input = to_fractional(k_frac @ prim.reciprocal.matrix @ rotation, lat)
    point_coords = {_pretty_label(k): np.asarray(v, dtype=float) for k, v in res["point_coords"].items()}
    return _assemble(k_frac, prim, breaks, labelled, point_coords, k_frac_input, rotation=rotation,
                     positions=np.asarray(res["primitive_positions"], dtype=float),
                     numbers=np.asarray(res["primitive_types"]))


def _assemble(k_frac, lattice: Lattice, breaks, labelled, point_coords, k_frac_input, **extra) -> KPath:
    """A KPath from fractional points: Cartesian k, plotting distance, ticks."""
    k_cart = k_frac @ lattice.reciprocal.matrix
    breaks = np.asarray(breaks, dtype=int)
    x = _path_x(k_cart, breaks)
    ticks, labels = _ticks(x, labelled, breaks)
    return KPath(k_frac=k_frac, k_cart=k_cart, x=x, ticks=ticks, labels=labels, breaks=breaks, lattice=lattice,
                 point_coords=point_coords, k_frac_input=k_frac_input, **extra)


def kpath_from_segments(
    lattice: Lattice | ArrayLike,
    points: Mapping[str, ArrayLike],
    segments: Sequence[Sequence[str]],
    n_per_inv_angstrom: float = 40.0,
) -> KPath:
    """Path through user-given points, e.g. for 2D models or a non-standard cell.

    Parameters
    ----------
    lattice
        Real-space lattice (rows in Å); ``points`` are fractional in its reciprocal basis.
    points
        Label → fractional coordinates (2 or 3 numbers; a missing third is 0). ``"GAMMA"``
        is written ``"Γ"`` in the labels.
    segments
        Continuous polylines, e.g. ``[["Γ", "X", "M", "Γ"], ["X", "R"]]``: consecutive
        labels are joined; the path jumps between polylines (a break).
    n_per_inv_angstrom
        Point density: a leg of length ``L`` (Å⁻¹) gets ``max(1, ceil(L * n))`` intervals, so
        points are at most ``1/n`` Å⁻¹ apart.
    """
    lat = _as_lattice(lattice)
    if not n_per_inv_angstrom > 0:
        raise ParameterError(f"n_per_inv_angstrom must be > 0, got {n_per_inv_angstrom}")
    coords: dict[str, np.ndarray] = {}
    for name, value in points.items():
        v = np.asarray(value, dtype=float).ravel()
        if v.shape == (2,):
            v = np.append(v, 0.0)
        if v.shape != (3,) or not np.all(np.isfinite(v)):
            raise ParameterError(f"point {name!r} must have 2 or 3 finite fractional coordinates, got {value!r}")
        coords[name] = v
    if not segments or any(isinstance(seg, str) or len(seg) < 2 for seg in segments):
        raise ParameterError("segments must be a list of lists of at least two point labels")

    B = lat.reciprocal.matrix
    pieces: list[np.ndarray] = []
    labelled: list[tuple[int, str]] = []
    breaks: list[int] = []
    n_done = 0
    for seg in segments:
        missing = [name for name in seg if name not in coords]
        if missing:
            raise ParameterError(f"unknown point label(s) {missing}; known: {sorted(coords)}")
        if n_done:
            breaks.append(n_done)
        pieces.append(coords[seg[0]][None, :])
        labelled.append((n_done, _pretty_label(seg[0])))
        n_done += 1
        for p, q in zip(seg[:-1], seg[1:]):
            start, stop = coords[p], coords[q]
            length = np.linalg.norm((stop - start) @ B)
            if length == 0:
                raise ParameterError(f"leg {p}→{q} has zero length")
            n = max(1, math.ceil(length * n_per_inv_angstrom))
            t = np.arange(1, n + 1)[:, None] / n
            pieces.append(start + t * (stop - start))
            n_done += n
            labelled.append((n_done - 1, _pretty_label(q)))

    k_frac = np.concatenate(pieces)
    return _assemble(k_frac, lat, breaks, labelled, {_pretty_label(k): v for k, v in coords.items()}, k_frac)
