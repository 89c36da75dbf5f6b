"""Exact enumeration of the compensated collinear k=0 orders of a crystal's magnetic sublattice.

For a structure (moments ignored) the magnetic sites of the primitive cell get signs ±1 with equal
magnitude per species and zero net moment per species; configurations are reduced up to the global
flip and the crystal's space-group operations, and each symmetry-distinct one is classified with the
same spin-group rules as :func:`altermag.symmetry.analyze`. This is the exact version of the discovery
paper's screening rules (which only look at counts and inversion centres).

k=0 orders in the primitive cell can never be "translation" antiferromagnets: the primitive cell has no
pure translation. Orders that need a supercell (type-IV) are outside this enumeration by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from altermag.core.errors import AltermagError
from altermag.structures.elements import magnetic_elements
from altermag.structures.magnetic import MagneticStructure, elements_of
from altermag.symmetry.operations import CrystalSymmetry, crystal_symmetry, primitive_cell
from altermag.symmetry.spingroup import Tolerances, classify_pattern, flip_classes


@dataclass
class Configuration:
    signs: list[int]
    multiplicity: int
    verdict: str
    wave: str | None = None
    form_factor: str | None = None
    spin_laue_group: str | None = None


@dataclass
class EnumerationResult:
    """Symmetry-distinct compensated configurations of the primitive cell and their verdicts."""

    formula: str
    space_group: int
    magnetic_sites: list[int]
    magnetic_species: list[str]
    configurations: list[Configuration] = field(default_factory=list)
    note: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.configurations:
            out[c.verdict] = out.get(c.verdict, 0) + 1
        return out

    @property
    def can_host_altermagnetism(self) -> bool:
        return any(c.verdict == "altermagnet" for c in self.configurations)

    @property
    def altermagnetic_fraction(self) -> float | None:
        """Fraction of symmetry-distinct compensated configurations that are altermagnetic."""
        n = len(self.configurations)
        return None if n == 0 else sum(c.verdict == "altermagnet" for c in self.configurations) / n

    def as_dict(self) -> dict:
        waves = sorted({c.wave for c in self.configurations if c.wave})
        return {
            "formula": self.formula, "space_group": self.space_group,
            "n_magnetic_sites": len(self.magnetic_sites), "magnetic_species": self.magnetic_species,
            "n_configurations": len(self.configurations), "counts": self.counts,
            "can_host_altermagnetism": self.can_host_altermagnetism,
            "altermagnetic_fraction": self.altermagnetic_fraction, "waves": waves, "note": self.note,
            "configurations": [c.__dict__ for c in self.configurations],
        }


def primitive_symmetry(structure: MagneticStructure, symprec: float = 1e-2) -> tuple[MagneticStructure, CrystalSymmetry]:
    """Primitive cell of the crystal (moments dropped) and its symmetry; cached on the structure object,
    since screening asks for it several times."""
    key = ("primitive_symmetry", symprec)
    if key not in structure.cache:
        prim = primitive_cell(structure.without_moments(), symprec)
        structure.cache[key] = (prim, crystal_symmetry(prim, symprec))
    return structure.cache[key]


def magnetic_site_mask(species, elements) -> np.ndarray:
    """True on sites whose species contains a magnetic element (a mixed-occupancy site counts as one
    magnetic site of its composite species, the virtual-crystal reading of a disordered file)."""
    return np.array([any(el in elements for el in elements_of(s)) for s in species])


def enumerate_configurations(structure: MagneticStructure, *, magnetic="broad", symprec: float = 1e-2,
                             max_sites: int = 16, with_form_factor: bool = True) -> EnumerationResult:
    """All symmetry-distinct compensated collinear k=0 configurations of the primitive cell, classified.

    magnetic : magnetic-element set (name, list or comma string; default "broad": 3d, magnetic 4d/5d,
        4f, 5f — see :mod:`altermag.structures.elements`).
    max_sites : refuse (with an error) primitive cells with more magnetic sites than this; the number of
        configurations grows as C(M, M/2).
    """
    elements = magnetic_elements(magnetic)
    prim, sym = primitive_symmetry(structure, symprec)
    mask = magnetic_site_mask(prim.species, elements)
    sites = np.nonzero(mask)[0]
    species_m = [prim.species[i] for i in sites]
    res = EnumerationResult(prim.formula, sym.space_group_number, sites.tolist(), sorted(set(species_m)))
    M = len(sites)
    if M == 0:
        res.note = "no magnetic sites"
        return res
    if M > max_sites:
        raise AltermagError(f"{M} magnetic sites in the primitive cell exceed max_sites={max_sites} "
                            f"(C({M},{M // 2}) configurations); raise max_sites to enumerate anyway")
    groups = [np.array([k for k, s in enumerate(species_m) if s == sp]) for sp in res.magnetic_species]
    if any(len(g) % 2 for g in groups):
        res.note = "odd number of sites of a magnetic species: no compensated configuration"
        return res
    signs = _compensated_signs(M, groups)  # (C, M), first site +1
    reps, mult = _distinct_up_to_symmetry(signs, sym.permutations, sites)
    S = np.zeros((len(reps), len(prim)))
    S[:, sites] = reps
    cls = flip_classes(sym, S, 0.5)  # (C, n_ops)
    is_flip = cls == -1
    ident = np.all(sym.rotations == np.eye(3, dtype=int), axis=(1, 2))
    inv = np.all(sym.rotations == -np.eye(3, dtype=int), axis=(1, 2))
    has_flip = is_flip.any(axis=1)
    afm = (is_flip & (ident | inv)[None, :]).any(axis=1)
    tol = Tolerances(symprec=symprec)
    for k in range(len(reps)):
        if not has_flip[k]:
            verdict = "compensated-ferrimagnet"
        elif afm[k]:
            verdict = "antiferromagnet"
        else:
            verdict = "altermagnet"
        conf = Configuration([int(v) for v in reps[k]], int(mult[k]), verdict)
        if verdict == "altermagnet" and with_form_factor:
            r = classify_pattern(sym, S[k], tol, lattice=prim.lattice)
            conf.wave, conf.form_factor, conf.spin_laue_group = r.wave, r.form_factor, r.spin_laue_group
        res.configurations.append(conf)
    return res


def _compensated_signs(M: int, groups: list[np.ndarray]) -> np.ndarray:
    """All ±1 vectors on M sites with zero sum per group, first site fixed to +1 (global flip removed)."""
    codes = np.arange(2 ** (M - 1), dtype=np.int64)
    bits = ((codes[:, None] >> np.arange(M - 1)) & 1).astype(np.int8)
    signs = np.concatenate([np.ones((len(codes), 1), np.int8), 1 - 2 * bits], axis=1)
    ok = np.ones(len(signs), bool)
    for g in groups:
        ok &= signs[:, g].sum(axis=1) == 0
    return signs[ok]


def _distinct_up_to_symmetry(signs: np.ndarray, permutations: np.ndarray, sites: np.ndarray):
    """Canonical representatives under the operations (restricted to magnetic sites) and the global flip."""
    lookup = np.full(permutations.max() + 1, -1)
    lookup[sites] = np.arange(len(sites))
    perm_m = lookup[permutations[:, sites]]  # (ops, M), positions within the magnetic list
    weights = np.int64(1) << np.arange(signs.shape[1], dtype=np.int64)
    codes = []
    for sgn in (signs, -signs):
        moved = np.empty((len(perm_m),) + signs.shape, dtype=np.int8)
        # image of s under g: (g s)[p(i)] = s[i]
        for k, p in enumerate(perm_m):
            moved[k][:, p] = sgn
        codes.append(((moved > 0).astype(np.int64) * weights).sum(-1))  # (ops, C)
    canon = np.minimum(codes[0].min(0), codes[1].min(0))
    uniq, first, counts = np.unique(canon, return_index=True, return_counts=True)
    return signs[first], counts
