"""Nonrelativistic spin-group analysis of a collinear magnetic structure.

Definitions (spec ``discovery.md`` §1). Let G be the space group of the crystal with moments ignored
(atoms typed by species), in the given cell — so the pure translations of a magnetic supercell are
operations of G. Each g ∈ G maps the collinear sign pattern s onto itself (non-flip, subgroup H), onto
−s (flip coset G∖H, spin operation C₂⊥), or onto neither (g is no symmetry of the magnet).

Verdicts:

* ``nonmagnetic``  — no moment above the moment tolerance;
* ``noncollinear`` — moments not parallel within the collinearity tolerance;
* ``ferromagnet``  — non-zero net moment (ferrimagnets included; ``detail`` says which);
* ``compensated-ferrimagnet`` — zero net moment but no flip operation (s-wave splitting);
* ``antiferromagnet`` — some flip operation is a pure translation {C₂⊥‖τ} or has point part −1
  ({C₂⊥‖Ī}, i.e. PT): bands are spin-degenerate everywhere;
* ``altermagnet``  — flip operations exist and none has point part ±1.

For altermagnets the spin Laue group is reported as the pair of Laue groups ``G_L ⊃ H_L`` (point parts
plus inversion), the class d/g/i and the form factor f(k) from :mod:`altermag.symmetry.formfactor`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import spglib

from altermag.core.errors import ParameterError
from altermag.structures.magnetic import MagneticStructure
from altermag.symmetry.formfactor import FormFactor, form_factor
from altermag.symmetry.laue import spin_laue_symbol
from altermag.symmetry.operations import (CrystalSymmetry, crystal_symmetry, operation_xyz,
                                          point_operation_symbol, primitive_cell, species_types)

VERDICTS = ("altermagnet", "antiferromagnet", "ferromagnet", "compensated-ferrimagnet", "noncollinear",
            "nonmagnetic")


@dataclass(frozen=True)
class Tolerances:
    """Tolerances of the analysis, all exposed on the CLI.

    symprec : Å, spglib's position tolerance.
    moment_tol : relative; a site is magnetic if |m| > moment_tol · max|m|; two collinear moments are
        equal (or opposite) if they differ by less than moment_tol · max|m|; the net moment of the
        collinear pattern, |Σ m·n̂| along the spin axis n̂, is zero if below moment_tol · max|m| (the
        perpendicular remainder is the canting that ``collinear_tol`` tolerates).
    collinear_tol : relative, per site; collinear if every magnetic site's moment component perpendicular
        to the common axis is below collinear_tol · |m_i| (an angle of about 5.7° for 0.1): experimental
        files carry small SOC canting (e.g. hematite, NiF2), while a small moment far off the axis is
        noncollinear however small it is.
    """

    symprec: float = 1e-2
    moment_tol: float = 0.05
    collinear_tol: float = 0.1

    def __post_init__(self):
        for name in ("symprec", "moment_tol", "collinear_tol"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v > 0):
                raise ParameterError(f"{name} must be a positive number, got {v}")
        if self.moment_tol >= 1 or self.collinear_tol >= 1:
            raise ParameterError("moment_tol and collinear_tol are relative and must be < 1")


@dataclass
class SpinGroupResult:
    """Everything the analysis found; :meth:`as_dict` is the stable JSON record of ``altermag classify``."""

    verdict: str
    reason: str
    space_group: int | None = None
    space_group_symbol: str | None = None
    wave: str | None = None
    form_factor: str | None = None
    form_factor_basis: tuple[str, ...] = ()
    form_factor_cell: str | None = None
    spin_laue_group: str | None = None
    laue_group: str | None = None
    nonflip_laue_group: str | None = None
    flip_operations: list[dict] = field(default_factory=list)
    detail: str | None = None
    axis: list[float] | None = None
    n_magnetic: int = 0
    net_moment: float = 0.0
    signs: np.ndarray | None = None
    tolerances: Tolerances = field(default_factory=Tolerances)
    formfactor: FormFactor | None = None
    source: str | None = None
    formula: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "formula": self.formula,
            "verdict": self.verdict,
            "wave": self.wave,
            "spin_laue_group": self.spin_laue_group,
            "form_factor": self.form_factor,
            "form_factor_basis": list(self.form_factor_basis),
            "form_factor_cell_frame": self.form_factor_cell,
            "space_group": self.space_group,
            "space_group_symbol": self.space_group_symbol,
            "laue_group": self.laue_group,
            "nonflip_laue_group": self.nonflip_laue_group,
            "reason": self.reason,
            "detail": self.detail,
            "flip_operations": self.flip_operations,
            "n_magnetic_sites": self.n_magnetic,
            "net_moment_muB": round(float(self.net_moment), 6),
            "spin_axis": self.axis,
            "tolerances": {"symprec": self.tolerances.symprec, "moment_tol": self.tolerances.moment_tol,
                           "collinear_tol": self.tolerances.collinear_tol},
        }


# ------------------------------------------------------------------------------------------ collinear
def collinear_signs(structure: MagneticStructure, tol: Tolerances) -> tuple[str | None, np.ndarray, np.ndarray]:
    """Project moments on their common axis.

    Returns (problem, s, axis): ``problem`` is ``"nonmagnetic"``, ``"noncollinear"`` or None; ``s`` is the
    signed moment per site along ``axis`` (0 on non-magnetic sites).
    """
    m = structure.moments
    mag = np.linalg.norm(m, axis=1)
    mmax = mag.max() if len(mag) else 0.0
    if not structure.has_moments or mmax < 1e-8:
        return "nonmagnetic", np.zeros(len(m)), np.array([0.0, 0.0, 1.0])
    magnetic = mag > tol.moment_tol * mmax
    M = m[magnetic]
    w, v = np.linalg.eigh(M.T @ M)
    axis = v[:, -1]
    axis = axis * np.sign(axis[np.argmax(np.abs(axis))])
    par = M @ axis
    perp = np.linalg.norm(M - np.outer(par, axis), axis=1)
    if np.any(perp > tol.collinear_tol * mag[magnetic]):
        return "noncollinear", np.zeros(len(m)), axis
    s = np.zeros(len(m))
    s[magnetic] = par
    return None, s, axis


def moment_classes(s: np.ndarray, atol: float) -> np.ndarray:
    """Integer class per site: signed moments within ``atol`` of each other (chained) share a class."""
    order = np.argsort(s)
    breaks = np.concatenate([[0], np.cumsum(np.diff(s[order]) > atol)])
    out = np.empty(len(s), dtype=int)
    out[order] = breaks
    return out


# ------------------------------------------------------------------------------------------ flips
def flip_classes(sym: CrystalSymmetry, s: np.ndarray, atol: float) -> np.ndarray:
    """Per operation: +1 non-flip, −1 flip, 0 not a symmetry of the pattern s. Vectorised over s (…, N)."""
    s = np.asarray(s, float)
    moved = s[..., sym.permutations]  # s at the images of the tracked sites, (..., n_ops, T)
    own = s[..., None, sym.tracked]
    same = np.all(np.abs(moved - own) <= atol, axis=-1)
    flip = np.all(np.abs(moved + own) <= atol, axis=-1)
    return np.where(same, 1, np.where(flip, -1, 0))


def _laue_symbol(rotations: np.ndarray) -> str:
    rots = np.concatenate([rotations, -rotations])
    uniq = np.unique(rots.reshape(len(rots), -1), axis=0).reshape(-1, 3, 3)
    return str(spglib.get_pointgroup(uniq.astype("intc"))[0]).strip()


def classify_pattern(sym: CrystalSymmetry, s: np.ndarray, tol: Tolerances, *, lattice=None,
                     with_form_factor: bool | str = True) -> SpinGroupResult:
    """Verdict for one collinear pattern ``s`` (signed moments per site) on a crystal ``sym``.

    ``with_form_factor``: False, True (standard-setting frame) or "both" (also the cell's own frame).
    """
    mmax = np.abs(s).max()
    atol = tol.moment_tol * mmax
    magnetic = np.abs(s) > 0
    net = float(s.sum())
    base = dict(space_group=sym.space_group_number, space_group_symbol=sym.space_group_symbol,
                n_magnetic=int(magnetic.sum()), net_moment=net, signs=s, tolerances=tol)
    if abs(net) > atol:
        detail = "ferrimagnet" if (s > 0).any() and (s < 0).any() else "ferromagnet"
        return SpinGroupResult("ferromagnet", f"net moment {net:.3g} μB per magnetic primitive cell", detail=detail, **base)
    cls = flip_classes(sym, s, atol)
    keep = cls != 0
    R, t, chi = sym.rotations[keep], sym.translations[keep], cls[keep]
    is_flip = chi < 0
    if not is_flip.any():
        return SpinGroupResult("compensated-ferrimagnet",
                               "zero net moment but no operation exchanges the up and down sublattices",
                               **base)
    ident = np.all(R == np.eye(3, dtype=int), axis=(1, 2))
    inv = np.all(R == -np.eye(3, dtype=int), axis=(1, 2))
    flips_desc = _describe_flips(R[is_flip], t[is_flip], lattice)
    laue = _laue_symbol(R)
    h_laue = _laue_symbol(R[~is_flip])
    for mask, mechanism, spin_op in ((ident, "translation", "{C2⊥‖τ}"), (inv, "inversion", "{C2⊥‖Ī}, PT")):
        if (mask & is_flip).any():
            k = np.nonzero(mask & is_flip)[0][0]
            return SpinGroupResult(
                "antiferromagnet",
                f"{mechanism} {operation_xyz(R[k], t[k])} exchanges the spin sublattices ({spin_op}): "
                "bands are spin-degenerate", detail=mechanism, flip_operations=flips_desc, laue_group=laue,
                nonflip_laue_group=h_laue, **base)
    res = SpinGroupResult(
        "altermagnet", "spin sublattices related only by rotations/mirrors (no flip translation or inversion)",
        flip_operations=flips_desc, laue_group=laue, nonflip_laue_group=h_laue,
        spin_laue_group=spin_laue_symbol(laue, sym.std_cart_rotations[keep], chi) or f"{laue} ⊃ {h_laue}",
        **base)
    if with_form_factor:
        chi_std = sym.std_cart_rotations[keep]
        ff = form_factor(chi_std, chi)
        if ff is None:  # pragma: no cover - every altermagnet has a d/g/i-wave invariant
            raise RuntimeError("altermagnet without an even invariant polynomial up to degree 6")
        res.formfactor = ff
        res.wave = ff.wave
        res.form_factor = ff.expression
        res.form_factor_basis = ff.expressions
        if with_form_factor == "both":
            res.form_factor_cell = form_factor(sym.cart_rotations[keep], chi).expression
    return res


def _describe_flips(R, t, lattice) -> list[dict]:
    """One entry per distinct point operation of the flip coset (first translation found)."""
    seen: dict[bytes, dict] = {}
    for r, tr in zip(R, t):
        key = r.tobytes()
        if key not in seen:
            seen[key] = {"xyz": operation_xyz(r, tr),
                         "point_operation": point_operation_symbol(r, lattice) if lattice is not None else None}
    return list(seen.values())


def analyze(structure: MagneticStructure, *, symprec: float = 1e-2, moment_tol: float = 0.05,
            collinear_tol: float = 0.1, with_form_factor: bool = True) -> SpinGroupResult:
    """Spin-group analysis of a magnetic structure (see the module docstring for the definitions).

    Tolerances: ``symprec`` in Å; ``moment_tol`` and ``collinear_tol`` relative to the largest moment.
    """
    tol = Tolerances(symprec, moment_tol, collinear_tol)
    problem, s, axis = collinear_signs(structure, tol)
    common = dict(source=structure.source, formula=structure.formula, tolerances=tol)
    if problem == "nonmagnetic":
        why = "no moments given" if not structure.has_moments else "no moment above the moment tolerance"
        sym = crystal_symmetry(structure, symprec)
        return SpinGroupResult("nonmagnetic", why, space_group=sym.space_group_number,
                               space_group_symbol=sym.space_group_symbol, **common)
    if problem == "noncollinear":
        sym = crystal_symmetry(structure, symprec)
        return SpinGroupResult("noncollinear", "moments are not parallel within the collinearity tolerance "
                               "(spin-group classification here covers collinear magnets)",
                               space_group=sym.space_group_number, space_group_symbol=sym.space_group_symbol,
                               axis=None, **common)
    # Work in the magnetic primitive cell (lattice of the translations that keep the pattern). Every
    # spin-group operation normalises that lattice, while spglib only returns operations that keep the
    # *given* lattice: a redundant supercell would hide rotations (e.g. the 3-fold of a 2x1x1 hexagonal cell).
    cell = structure.with_moments(np.outer(s, axis))
    types = species_types([f"{sp}|{c}" for sp, c in zip(cell.species, moment_classes(s, tol.moment_tol * np.abs(s).max()))])
    cell = primitive_cell(cell, symprec, types=types)
    s_input, s = s, cell.moments @ axis
    # only sites with a moment need following: an operation that maps one onto a moment-less site fails
    sym = crystal_symmetry(cell, symprec, track=np.nonzero(s)[0])
    res = classify_pattern(sym, s, tol, lattice=cell.lattice,
                           with_form_factor="both" if with_form_factor else False)
    # report per-site quantities for the sites the user gave, not the reduced cell's
    res.source, res.formula = structure.source, structure.formula
    res.signs, res.n_magnetic = s_input, int(np.count_nonzero(s_input))
    res.net_moment = float(s_input.sum())
    if res.verdict == "ferromagnet":
        res.reason = f"net moment {res.net_moment:.3g} μB per cell (along the spin axis)"
    res.axis = [round(float(a), 6) for a in axis]
    return res
