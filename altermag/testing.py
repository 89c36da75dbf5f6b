"""Physics-invariant assertions that altermag's own tests use and users can run on their structures.

>>> from altermag.testing import assert_classification_invariant, assert_form_factor_parity
>>> assert_classification_invariant(structure)   # flip, origin shift, supercells, rotation, primitive cell
>>> assert_form_factor_parity(structure)         # f(Rk) = ±f(k) for every non-flip/flip operation
"""

from __future__ import annotations

import numpy as np

from altermag.structures.magnetic import MagneticStructure
from altermag.symmetry.operations import crystal_symmetry, primitive_cell, species_types
from altermag.symmetry.spingroup import analyze, collinear_signs, flip_classes


def classification_key(structure: MagneticStructure, **tolerances) -> tuple:
    r = analyze(structure, **tolerances)
    return r.verdict, r.wave, r.detail, r.form_factor


def assert_classification_invariant(structure: MagneticStructure, *, seed: int = 0, **tolerances) -> None:
    """Verdict, class, AFM mechanism and form factor (standard frame) must not change under a global spin
    flip, an origin shift, diagonal and non-diagonal supercells, a rigid rotation and the primitive cell."""
    rng = np.random.default_rng(seed)
    ref = classification_key(structure, **tolerances)
    th = rng.uniform(0, 2 * np.pi)
    Q = np.array([[np.cos(th), -np.sin(th), 0], [np.sin(th), np.cos(th), 0], [0, 0, 1]])
    types = species_types([f"{sp}:{np.round(m, 2).tolist()}" for sp, m in zip(structure.species, structure.moments)])
    variants = {
        "global spin flip": structure.flipped(),
        "origin shift": structure.translated(rng.uniform(-0.5, 0.5, 3)),
        "2x1x1 supercell": structure.supercell([2, 1, 1]),
        "non-diagonal supercell": structure.supercell([[1, 1, 0], [-1, 1, 0], [0, 0, 1]]),
        "rigid rotation": structure.transformed(Q),
        "primitive cell": primitive_cell(structure, tolerances.get("symprec", 1e-2), types=types),
    }
    for name, s in variants.items():
        got = classification_key(s, **tolerances)
        if got != ref:
            raise AssertionError(f"{name} changed the classification: {ref} -> {got}")


def assert_form_factor_parity(structure: MagneticStructure, *, n_k: int = 16, seed: int = 0,
                              atol: float = 1e-9, **tolerances) -> None:
    """For an altermagnet: f(Rk) = −f(k) for every flip operation and +f(k) for every non-flip one."""
    r = analyze(structure, **tolerances)
    if r.verdict != "altermagnet":
        raise AssertionError(f"not an altermagnet ({r.verdict}): no form factor to check")
    tol = r.tolerances
    _, s, _ = collinear_signs(structure, tol)
    sym = crystal_symmetry(structure, tol.symprec)
    chi = flip_classes(sym, s, tol.moment_tol * np.abs(s).max())
    k = np.random.default_rng(seed).normal(size=(n_k, 3))
    f0 = r.formfactor(k)
    if np.abs(f0).max() < 1e-6:
        raise AssertionError("form factor vanishes at random k")
    if not (chi < 0).any():
        raise AssertionError("no flip operation found")
    for R, c in zip(sym.std_cart_rotations, chi):
        if c and not np.allclose(r.formfactor(k @ R.T), c * f0, atol=atol):
            raise AssertionError(f"f(Rk) != {int(c)} f(k) for a {'flip' if c < 0 else 'non-flip'} operation")
