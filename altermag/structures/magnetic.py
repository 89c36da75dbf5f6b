"""The one magnetic-structure type that every capability passes around.

A :class:`MagneticStructure` is a periodic crystal (lattice, fractional coordinates, species) with one
magnetic moment vector per site. Conventions:

* ``lattice``: rows are the lattice vectors a, b, c in Å (Cartesian, the frame of the source file:
  for CIF/magCIF a ∥ x and b in the xy plane, as in pymatgen).
* ``moments``: Cartesian moment vectors in μB, shape (N, 3). Sites without a moment carry zeros.
* ``species``: element symbols. A disordered (mixed-occupancy) site carries a composite label such as
  ``"Fe0.5Ga0.5"``; :func:`elements_of` splits it.
* ``has_moments``: False when the source gave no moments at all (e.g. a plain CIF); the configuration
  enumeration of :mod:`altermag.symmetry` is meant for those.

pymatgen ``Structure`` and ASE ``Atoms`` convert both ways (:meth:`from_pymatgen`, :meth:`to_pymatgen`,
:meth:`from_ase`, :meth:`to_ase`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from altermag.core.errors import StructureError

_COMPOSITE = re.compile(r"([A-Z][a-z]?)([0-9.]*)")


def elements_of(species: str) -> tuple[str, ...]:
    """Element symbols in a species label (``"Fe"`` → ``("Fe",)``, ``"Fe0.5Ga0.5"`` → ``("Fe", "Ga")``)."""
    return tuple(m.group(1) for m in _COMPOSITE.finditer(species))


@dataclass(frozen=True, eq=False)
class MagneticStructure:
    """A crystal with one Cartesian moment vector (μB) per site. See the module docstring."""

    lattice: np.ndarray
    frac_coords: np.ndarray
    species: tuple[str, ...]
    moments: np.ndarray
    labels: tuple[str, ...] = ()
    source: str | None = None
    has_moments: bool = True
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        lat = np.asarray(self.lattice, dtype=float).reshape(3, 3)
        frac = np.asarray(self.frac_coords, dtype=float).reshape(-1, 3)
        n = len(frac)
        mom = np.zeros((n, 3)) if self.moments is None else np.asarray(self.moments, dtype=float)
        if mom.shape != (n, 3):
            raise StructureError(f"moments have shape {mom.shape}, expected ({n}, 3)", self.source)
        if len(self.species) != n:
            raise StructureError(f"{len(self.species)} species for {n} sites", self.source)
        if n == 0:
            raise StructureError("structure has no atoms", self.source)
        if not np.all(np.isfinite(lat)) or abs(np.linalg.det(lat)) < 1e-6:
            raise StructureError("lattice vectors are degenerate or not finite (zero cell volume)", self.source)
        if not np.all(np.isfinite(frac)) or not np.all(np.isfinite(mom)):
            raise StructureError("non-finite coordinates or moments", self.source)
        labels = tuple(self.labels) if self.labels else tuple(f"{s}{i + 1}" for i, s in enumerate(self.species))
        object.__setattr__(self, "lattice", lat)
        object.__setattr__(self, "frac_coords", frac)
        object.__setattr__(self, "moments", mom)
        object.__setattr__(self, "species", tuple(self.species))
        object.__setattr__(self, "labels", labels)
        # derived quantities (e.g. the primitive cell's symmetry) computed once per object; a copy made
        # with dataclasses.replace starts empty, so a moved or rotated structure never reuses them
        object.__setattr__(self, "cache", {})

    # ------------------------------------------------------------------ basic properties
    def __len__(self) -> int:
        return len(self.frac_coords)

    @property
    def cart_coords(self) -> np.ndarray:
        return self.frac_coords @ self.lattice

    @property
    def volume(self) -> float:
        return float(abs(np.linalg.det(self.lattice)))

    @property
    def formula(self) -> str:
        """Reduced formula (pymatgen convention), e.g. ``"RuO2"``."""
        from pymatgen.core import Composition

        counts: dict[str, float] = {}
        for sp in self.species:
            for el, amt in _COMPOSITE.findall(sp):
                counts[el] = counts.get(el, 0.0) + (float(amt) if amt else 1.0)
        return Composition(counts).reduced_formula

    @property
    def name(self) -> str:
        return self.info.get("name") or self.formula

    def moment_magnitudes(self) -> np.ndarray:
        return np.linalg.norm(self.moments, axis=1)

    def __repr__(self) -> str:
        return (f"MagneticStructure({self.name}, {len(self)} sites, "
                f"{int((self.moment_magnitudes() > 0).sum())} with moments, source={self.source!r})")

    # ------------------------------------------------------------------ derived structures
    def with_moments(self, moments) -> "MagneticStructure":
        """Same crystal with new moments: shape (N, 3) Cartesian μB, or (N,) collinear along z."""
        m = np.asarray(moments, dtype=float)
        if m.ndim == 1:
            m = np.outer(m, [0.0, 0.0, 1.0])
        return replace(self, moments=m, has_moments=True)

    def without_moments(self) -> "MagneticStructure":
        return replace(self, moments=np.zeros_like(self.moments), has_moments=False)

    def flipped(self) -> "MagneticStructure":
        """Global spin flip (time reversal of the moment pattern)."""
        return replace(self, moments=-self.moments)

    def translated(self, shift) -> "MagneticStructure":
        """Origin shift by a fractional vector (positions wrapped into [0, 1))."""
        return replace(self, frac_coords=np.mod(self.frac_coords + np.asarray(shift, float), 1.0))

    def supercell(self, scaling) -> "MagneticStructure":
        """Supercell with integer matrix ``scaling`` (rows: new vectors in units of old ones); moments copied."""
        S = np.asarray(scaling, dtype=int)
        if S.shape == (3,):
            S = np.diag(S)
        det = int(round(np.linalg.det(S)))
        if det < 1:
            raise StructureError(f"supercell matrix must have positive determinant, got {det}")
        # enumerate the lattice points of the old lattice inside the new cell
        corners = np.array(np.meshgrid(*[[0, 1]] * 3, indexing="ij")).reshape(3, -1).T @ S
        lo, hi = corners.min(0), corners.max(0)
        grid = np.array(np.meshgrid(*[np.arange(a, b + 1) for a, b in zip(lo, hi)], indexing="ij")).reshape(3, -1).T
        inv = np.linalg.inv(S)
        frac_new = grid @ inv
        inside = np.all((frac_new > -1e-9) & (frac_new < 1 - 1e-9), axis=1)
        shifts = grid[inside]
        if len(shifts) != det:
            raise StructureError("supercell enumeration failed (numerical tolerance)")
        pos = (self.frac_coords[None, :, :] + shifts[:, None, :]).reshape(-1, 3) @ inv
        n = len(shifts)
        return replace(
            self,
            lattice=S @ self.lattice,
            frac_coords=np.mod(pos, 1.0),
            species=self.species * n,
            moments=np.tile(self.moments, (n, 1)),
            labels=self.labels * n,
        )

    def transformed(self, rotation_cart) -> "MagneticStructure":
        """Rigidly rotate crystal and moments by a Cartesian proper rotation (moments are axial vectors)."""
        Q = np.asarray(rotation_cart, float)
        return replace(self, lattice=self.lattice @ Q.T, moments=self.moments @ Q.T)

    # ------------------------------------------------------------------ serialisation
    def as_dict(self) -> dict:
        return {
            "@class": "MagneticStructure",
            "lattice": self.lattice.tolist(),
            "frac_coords": self.frac_coords.tolist(),
            "species": list(self.species),
            "moments": self.moments.tolist(),
            "labels": list(self.labels),
            "source": self.source,
            "has_moments": self.has_moments,
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "MagneticStructure":
        return cls(
            lattice=d["lattice"], frac_coords=d["frac_coords"], species=tuple(d["species"]),
            moments=d["moments"], labels=tuple(d.get("labels", ())), source=d.get("source"),
            has_moments=d.get("has_moments", True), info=d.get("info", {}),
        )

    # ------------------------------------------------------------------ adapters
    @classmethod
    def from_pymatgen(cls, structure, source: str | None = None) -> "MagneticStructure":
        """From a pymatgen ``Structure``; moments from the ``magmom`` site property (scalars → along z)."""
        if not structure.is_ordered:
            species = tuple("".join(f"{el.symbol}{amt:g}" for el, amt in site.species.items())
                            for site in structure)
        else:
            species = tuple(site.specie.symbol for site in structure)
        mag = structure.site_properties.get("magmom")
        has = mag is not None
        moments = np.zeros((len(structure), 3))
        if has:
            for i, m in enumerate(mag):
                arr = np.asarray(getattr(m, "moment", m), dtype=float)
                moments[i] = arr if arr.shape == (3,) else (0.0, 0.0, float(arr))
        return cls(lattice=structure.lattice.matrix, frac_coords=structure.frac_coords, species=species,
                   moments=moments, source=source, has_moments=has)

    def to_pymatgen(self):
        """pymatgen ``Structure`` with a ``magmom`` site property: Cartesian [mx, my, mz] lists in μB
        (plain lists, not ``Magmom`` objects, so that ``as_dict()`` stays JSON-serialisable)."""
        from pymatgen.core import Composition, Structure

        species = [Composition({el: float(a) if a else 1.0 for el, a in _COMPOSITE.findall(s)})
                   if not _is_element(s) else s for s in self.species]
        return Structure(self.lattice, species, self.frac_coords,
                         site_properties={"magmom": self.moments.tolist()})

    @classmethod
    def from_ase(cls, atoms, source: str | None = None) -> "MagneticStructure":
        """From ASE ``Atoms``; moments from the initial magnetic moments (scalars → along z)."""
        mags = atoms.get_initial_magnetic_moments()
        has = bool(np.any(mags))
        mags = np.asarray(mags, dtype=float)
        moments = mags if mags.ndim == 2 else np.outer(mags, [0.0, 0.0, 1.0])
        return cls(lattice=np.asarray(atoms.cell), frac_coords=atoms.get_scaled_positions(wrap=True),
                   species=tuple(atoms.get_chemical_symbols()), moments=moments, source=source,
                   has_moments=has)

    def to_ase(self):
        """ASE ``Atoms`` with vector initial magnetic moments (μB). Disordered sites are not supported."""
        from ase import Atoms

        if not all(_is_element(s) for s in self.species):
            raise StructureError("ASE Atoms cannot hold mixed-occupancy sites", self.source)
        return Atoms(symbols=list(self.species), scaled_positions=self.frac_coords, cell=self.lattice,
                     pbc=True, magmoms=self.moments)


def _is_element(label: str) -> bool:
    m = _COMPOSITE.fullmatch(label)
    return bool(m) and not m.group(2)
