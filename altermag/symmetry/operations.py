"""Space-group operations of a crystal and how they permute its atoms.

:class:`CrystalSymmetry` is computed once per crystal (spglib on the cell typed by species, moments
ignored) and holds every operation of the given cell (pure lattice translations of a supercell
included) with the atom permutation it induces. Spin-group analysis and configuration enumeration are
then pure array operations on sign patterns: an operation g with permutation p is *non-flip* for a
collinear pattern s if s[p] = s, *flip* if s[p] = −s, and not a symmetry otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import spglib
from scipy.spatial import cKDTree

from altermag.core.errors import StructureError
from altermag.structures.magnetic import MagneticStructure


@dataclass(frozen=True, eq=False)
class CrystalSymmetry:
    """Operations (R, t) of a crystal in the basis of its given cell, with atom permutations.

    ``rotations`` (n, 3, 3) int act on fractional coordinates, ``translations`` (n, 3), ``permutations``
    (n, N): operation k moves atom i onto atom ``permutations[k, i]``. ``cart_rotations`` are the same
    rotations in the Cartesian frame of the cell; ``std_cart_rotations`` in the frame of spglib's
    idealised standard setting (x ∥ a_std, the frame in which form factors are reported).
    Only the atoms in ``tracked`` are followed (all by default; the magnetic ones suffice for spin
    groups): ``permutations[k, j]`` is the image of atom ``tracked[j]``.
    """

    rotations: np.ndarray
    translations: np.ndarray
    permutations: np.ndarray
    tracked: np.ndarray
    cart_rotations: np.ndarray
    std_cart_rotations: np.ndarray
    space_group_number: int
    space_group_symbol: str
    hall_number: int
    wyckoffs: tuple[str, ...]
    equivalent_atoms: np.ndarray
    site_symmetries: tuple[str, ...]
    std_rotation: np.ndarray
    n_primitive_atoms: int
    symprec: float

    @property
    def order(self) -> int:
        return len(self.rotations)

    @property
    def is_centrosymmetric(self) -> bool:
        return bool(np.any(np.all(self.rotations == -np.eye(3, dtype=int), axis=(1, 2))))


def species_types(species) -> np.ndarray:
    """Integer type per site from species labels (for spglib)."""
    lookup: dict[str, int] = {}
    return np.array([lookup.setdefault(s, len(lookup) + 1) for s in species])


def crystal_symmetry(structure: MagneticStructure, symprec: float = 1e-3,
                     types: np.ndarray | None = None, track=None) -> CrystalSymmetry:
    """Space group of ``structure`` with moments ignored (atoms typed by species unless ``types`` given).

    ``symprec`` is spglib's distance tolerance in Å; ``track``: indices of the atoms whose permutation
    is needed (default all).
    """
    if types is None:
        types = species_types(structure.species)
    cell = (structure.lattice, structure.frac_coords, types)
    ds = spglib.get_symmetry_dataset(cell, symprec=symprec)
    if ds is None:
        raise StructureError(f"spglib could not find the space group (symprec={symprec} Å): "
                             "overlapping atoms or a badly distorted cell", structure.source)
    R = np.asarray(ds.rotations, dtype=int)
    t = np.asarray(ds.translations, dtype=float)
    tracked = np.arange(len(structure)) if track is None else np.asarray(track, dtype=int)
    perms = atom_permutations(structure, R, t, types, tol=max(4 * symprec, 1e-3), track=tracked)
    A = structure.lattice.T
    cart = np.einsum("ij,njk,kl->nil", A, R, np.linalg.inv(A))
    Q = np.asarray(ds.std_rotation_matrix)
    std_cart = np.einsum("ij,njk,lk->nil", Q, cart, Q)
    n_prim = int(len(np.unique(ds.mapping_to_primitive)))
    return CrystalSymmetry(
        rotations=R, translations=t, permutations=perms, tracked=tracked, cart_rotations=cart, std_cart_rotations=std_cart,
        space_group_number=int(ds.number), space_group_symbol=str(ds.international),
        hall_number=int(ds.hall_number), wyckoffs=tuple(ds.wyckoffs),
        equivalent_atoms=np.asarray(ds.equivalent_atoms), site_symmetries=tuple(ds.site_symmetry_symbols),
        std_rotation=Q, n_primitive_atoms=n_prim, symprec=symprec,
    )


def atom_permutations(structure: MagneticStructure, R: np.ndarray, t: np.ndarray, types: np.ndarray,
                      tol: float, track: np.ndarray | None = None) -> np.ndarray:
    """(n_ops, T): operation k sends atom ``track[j]`` to atom ``perm[k, j]`` (matched within tol Å)."""
    frac = np.mod(structure.frac_coords, 1.0)
    track = np.arange(len(frac)) if track is None else track
    lat = structure.lattice
    images = np.mod(np.einsum("nij,aj->nai", R, frac[track]) + t[:, None, :], 1.0)  # (n, T, 3)
    tree = cKDTree(frac, boxsize=1.0 + 1e-12)
    k = min(4, len(frac))
    _, idx = tree.query(images.reshape(-1, 3) % 1.0, k=k)
    idx = idx.reshape(len(R), len(track), k)
    diff = images[:, :, None, :] - frac[idx]
    diff -= np.round(diff)
    dist = np.linalg.norm(diff @ lat, axis=-1)  # Cartesian distances to the k candidates
    best = np.argmin(dist, axis=-1)
    perm = np.take_along_axis(idx, best[..., None], axis=-1)[..., 0]
    dmin = np.take_along_axis(dist, best[..., None], axis=-1)[..., 0]
    ok = (dmin < tol) & (types[perm] == types[track][None, :])
    if not ok.all():
        raise StructureError(f"a space-group operation does not map the atoms onto each other within {tol:.2g} Å "
                             "(symmetry tolerance inconsistent with the positions)", structure.source)
    if (np.diff(np.sort(perm, axis=1), axis=1) == 0).any():
        raise StructureError("symmetry operation maps two atoms onto one site (overlapping atoms?)",
                             structure.source)
    return perm


def primitive_cell(structure: MagneticStructure, symprec: float = 1e-2,
                   types: np.ndarray | None = None) -> MagneticStructure:
    """Primitive cell of the crystal typed by species (or by ``types``); moments dropped unless typed."""
    if types is None:
        types = species_types(structure.species)
    out = spglib.standardize_cell((structure.lattice, structure.frac_coords, types), to_primitive=True,
                                  no_idealize=True, symprec=symprec)
    if out is None:
        raise StructureError(f"spglib found no primitive cell (symprec={symprec} Å)", structure.source)
    lat, pos, num = out
    first = {int(t): i for i, t in reversed(list(enumerate(types)))}
    species = tuple(structure.species[first[int(t)]] for t in num)
    moments = np.array([structure.moments[first[int(t)]] for t in num]) if structure.has_moments else None
    return MagneticStructure(lattice=lat, frac_coords=pos, species=species, moments=moments,
                             source=structure.source, has_moments=structure.has_moments,
                             info=dict(structure.info))


# ------------------------------------------------------------------------------------------ naming
def operation_xyz(R: np.ndarray, t: np.ndarray) -> str:
    """Jones-faithful symbol, e.g. ``-y+1/2,x+1/2,z+1/2``."""
    out = []
    for row, tr in zip(np.asarray(R), np.mod(np.asarray(t, float), 1.0)):
        s = ""
        for c, v in zip("xyz", row):
            if v:
                s += ("+" if v > 0 else "-") + ("" if abs(v) == 1 else str(abs(int(v)))) + c
        fr = Fraction(float(tr)).limit_denominator(48)
        if fr and fr != 1:
            s += f"+{fr}"
        out.append(s.lstrip("+") or "0")
    return ",".join(out)


def point_operation_symbol(R: np.ndarray, lattice: np.ndarray) -> str:
    """Symbol of a point operation with its axis in the direct-lattice basis, e.g. ``4+[001]``, ``m[110]``.

    ``R`` acts on fractional coordinates of the cell with row vectors ``lattice``; for mirrors and
    rotoinversions the bracket gives the axis (the mirror normal), as in the International Tables.
    """
    R = np.asarray(R, float)
    det = np.linalg.det(R)
    proper = R * np.sign(det)
    order = {3: 1, -1: 2, 0: 3, 1: 4, 2: 6}[int(round(np.trace(proper)))]
    if order == 1:
        return "1" if det > 0 else "-1"
    w, v = np.linalg.eig(proper)
    axis = np.real(v[:, np.argmin(np.abs(w - 1))])
    axis = axis / axis[np.argmax(np.abs(axis))]
    axis = _integer_direction(axis)
    sense = ""
    if order > 2:
        A = np.asarray(lattice, float).T
        pc = A @ proper @ np.linalg.inv(A)
        anti = np.array([pc[2, 1] - pc[1, 2], pc[0, 2] - pc[2, 0], pc[1, 0] - pc[0, 1]])
        sense = "+" if anti @ (A @ axis) > 0 else "-"
    ax = "[" + "".join(str(int(a)) if a >= 0 else f"-{int(-a)}" for a in axis) + "]"
    if det > 0:
        return f"{order}{sense}{ax}"
    if order == 2:
        return f"m{ax}"
    return f"-{order}{sense}{ax}"


def _integer_direction(v: np.ndarray) -> np.ndarray:
    for scale in range(1, 13):
        w = v * scale
        if np.allclose(w, np.round(w), atol=1e-6):
            w = np.round(w)
            if w[np.nonzero(w)[0][0]] < 0:
                w = -w
            return w
    raise ValueError(f"axis {v} is not a rational lattice direction")


