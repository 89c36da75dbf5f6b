"""The catalogue of two-sublattice altermagnet models: Tables 1–2 of the minimal-models paper, *derived*.

Roig et al. (PRB 110, 144412 (2024)) list 40 (space group, Wyckoff) rows for which a four-band model
with one magnetic orbital per site describes an altermagnet. Nothing here is typed from those tables:
the rows are enumerated from the crystallographic data of all 230 space groups (pyxtal's copy of the
International Tables, standard settings), with the criterion

* the space group is centrosymmetric;
* a Wyckoff orbit has **two sites per primitive cell** (conventional multiplicity / number of centring
  translations = 2);
* each site is an **inversion centre** (its site-symmetry group contains −1).

For such an orbit the operations that keep site 1 in place (modulo lattice and centring translations)
form an index-2 subgroup H; χ = +1 on H and −1 on the sublattice-exchanging coset is then a real
one-dimensional representation Γ of the point group, the representation of τ_z. Γ is never the identity
(the two sites are exchanged by some operation) and, because the sites are inversion centres, an
exchange by inversion would need d to be a centring translation, which multiplicity 2 excludes. So every
such orbit hosts a collinear compensated order (opposite moments on the two sites) that is an
altermagnet. Γ is named with Mulliken labels from its characters on the rotations (D6h: C2′ ∥ **a**,
as in the spec); f(k) is the lowest-degree polynomial transforming as Γ
(:func:`altermag.symmetry.form_factor`), whose degree gives the wave class (2, 4, 6 → d, g, i).

Wyckoff positions of one space group with the same Γ form one *row*, which reproduces the paper's
grouping (e.g. 84 "2a–2d" is one row although d differs, 127 "2a,2b" and "2c,2d" are two rows because
Γ differs). The one exception is SG 67 (Cmme): the seed prints a single row "4c–4f", while 4c,4d and
4e,4f carry Γ = B3g and B2g (site axes along a and b). The catalogue keeps the seed's row (so there are
40 rows) and records both irreps; see ``docs/models_catalogue.md``.

Conventions: coordinates are fractions of the conventional cell of the standard setting (pyxtal /
International Tables: monoclinic unique axis b, cell choice 1; R groups in hexagonal axes). Cartesian
axes: x ∥ a, y in the ab plane, z completing a right-handed frame (z ∥ c for all systems above
monoclinic).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from altermag.core.errors import ParameterError

#: Schoenflies symbols of the centrosymmetric (Laue) point groups
SCHOENFLIES = {"-1": "Ci", "2/m": "C2h", "mmm": "D2h", "4/m": "C4h", "4/mmm": "D4h", "-3": "C3i",
               "-3m": "D3d", "6/m": "C6h", "6/mmm": "D6h", "m-3": "Th", "m-3m": "Oh"}

#: representative conventional cells (a, b, c in Å; α, β, γ in degrees) used when no lattice is given.
#: Generic (unequal) lengths so that shells are not accidentally degenerate; tetragonal c/a = 0.7 is
#: rutile-like; the monoclinic β ≠ 90° keeps the monoclinic shell structure.
REPRESENTATIVE_CELLS = {
    "triclinic": (1.0, 1.13, 1.27, 80.0, 95.0, 100.0),
    "monoclinic": (1.0, 1.13, 1.27, 90.0, 95.0, 90.0),
    "orthorhombic": (1.0, 1.13, 1.27, 90.0, 90.0, 90.0),
    "tetragonal": (1.0, 1.0, 0.7, 90.0, 90.0, 90.0),
    "trigonal": (1.0, 1.0, 1.3, 90.0, 90.0, 120.0),
    "rhombohedral": (1.0, 1.0, 2.6, 90.0, 90.0, 120.0),
    "hexagonal": (1.0, 1.0, 1.3, 90.0, 90.0, 120.0),
    "cubic": (1.0, 1.0, 1.0, 90.0, 90.0, 90.0),
}

#: centring translations by the first letter of the Hermann–Mauguin symbol
CENTRINGS = {
    "P": [(0, 0, 0)],
    "A": [(0, 0, 0), (0, 0.5, 0.5)],
    "B": [(0, 0, 0), (0.5, 0, 0.5)],
    "C": [(0, 0, 0), (0.5, 0.5, 0)],
    "I": [(0, 0, 0), (0.5, 0.5, 0.5)],
    "F": [(0, 0, 0), (0, 0.5, 0.5), (0.5, 0, 0.5), (0.5, 0.5, 0)],
    "R": [(0, 0, 0), (2 / 3, 1 / 3, 1 / 3), (1 / 3, 2 / 3, 2 / 3)],
}

#: the seed's printed Wyckoff column where it disagrees with the computation (documented differences)
SEED_NOTES = {
    15: "the seed prints '2a-2d'; C2/c is C-centred, so these orbits are 4a-4d in the conventional cell "
        "(2 sites per primitive cell), as computed",
    67: "the seed prints one row '4c-4f'; computation gives site axes along a (4c,4d: 2/m.., Γ=B3g, d=(0,1/2,0)) "
        "and along b (4e,4f: .2/m., Γ=B2g, d=(1/2,0,0)); the two are related by the a↔b relabelling that "
        "maps Cmme onto itself, which is presumably why the paper prints one row",
}

F_NOTE = ("not in the paper's tables: an F-centred orbit with two inversion-centre sites per primitive cell "
          "satisfies the stated criterion but is not listed (the paper's rows have conventional multiplicity "
          "2, 4 or 6 only)")

#: rows of Table 3 of the paper (non-symmorphic groups with nodal planes); the rest of the primitive
#: entries are in Table 4. Used only to label entries (the criterion is checked in the tests).
_TABLE3 = {11, 14, 51, 53, 55, 58, 127, 128, 136, 176, 193, 194}


def lattice_from_parameters(a, b, c, alpha, beta, gamma) -> np.ndarray:
    """Rows a, b, c (Å) with a ∥ x and b in the xy plane (angles in degrees).

    The matrix of :meth:`altermag.core.lattice.Lattice.from_parameters` (same orientation), with
    round-off entries (|x| < 1e-14, e.g. cos 90°) set to exact zeros so bond shells compare exactly.
    """
    from altermag.core.lattice import Lattice

    M = np.array(Lattice.from_parameters(a, b, c, alpha, beta, gamma).matrix, float)
    M[np.abs(M) < 1e-14] = 0.0
    return M


def lattice_system(space_group: int) -> str:
    """Crystal system of a space-group number ('trigonal' split off 'rhombohedral' for R groups)."""
    n = int(space_group)
    if n <= 2:
        return "triclinic"
    if n <= 15:
        return "monoclinic"
    if n <= 74:
        return "orthorhombic"
    if n <= 142:
        return "tetragonal"
    if n <= 167:
        return "rhombohedral" if n in (146, 148, 155, 160, 161, 166, 167) else "trigonal"
    if n <= 194:
        return "hexagonal"
    return "cubic"


def representative_lattice(space_group: int) -> np.ndarray:
    """The default cell of :data:`REPRESENTATIVE_CELLS` for the crystal system of ``space_group``."""
    return lattice_from_parameters(*REPRESENTATIVE_CELLS[lattice_system(space_group)])


def frac_str(x: float) -> str:
    """'1/2', '0', '-1/4', … for a coordinate (denominator ≤ 24)."""
    f = Fraction(float(x)).limit_denominator(24)
    return str(f)


def vec_str(v) -> str:
    return "(" + ",".join(frac_str(x) for x in v) + ")"


# ----------------------------------------------------------------------------------------------------
# space-group data (pyxtal)
# ----------------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=256)
def space_group_data(space_group: int) -> dict:
    """Operations, centring and Wyckoff positions of a space group in its standard setting (pyxtal).

    Returns a dict with ``symbol``, ``point_group`` (HM), ``rotations`` (n,3,3) int and ``translations``
    (n,3) of the conventional general position (centring included), ``centring`` (m,3) and
    ``wyckoffs``: list of (letter, multiplicity, site-symmetry symbol, positions (mult,3)); positions
    are the fixed points for special positions and are None for positions with free parameters.
    """
    n = int(space_group)
    if not 1 <= n <= 230:
        raise ParameterError(f"space_group={space_group!r} is not a space-group number (allowed: 1..230)")
    from pyxtal.symmetry import Group

    g = Group(n)
    ops = g[0].ops
    rot = np.array([np.rint(op.rotation_matrix).astype(int) for op in ops])
    tra = np.array([op.translation_vector for op in ops], dtype=float) % 1.0
    centring = np.array(CENTRINGS[g.symbol[0]], dtype=float)
    wyck = []
    for wp in g:
        R0 = np.array([op.rotation_matrix for op in wp.ops])
        fixed = bool(np.allclose(R0, 0.0))
        pos = np.array([op.translation_vector for op in wp.ops], float) % 1.0 if fixed else None
        wyck.append((wp.letter, int(wp.multiplicity), _LazySiteSymbol(wp) if fixed else "", pos))
    pg = str(g.point_group).replace("-3m1", "-3m").replace("-31m", "-3m")
    return {"number": n, "symbol": str(g.symbol), "point_group": pg, "rotations": rot, "translations": tra,
            "centring": centring, "wyckoffs": wyck, "lattice_type": str(g.lattice_type)}


class _LazySiteSymbol:
    """pyxtal's site-symmetry symbol, computed on first use (it is the slow part of pyxtal)."""

    def __init__(self, wp):
        self._wp, self._s = wp, None

    def __str__(self) -> str:
        if self._s is None:
            self._wp.get_site_symmetry()
            self._s = str(self._wp.site_symm)
        return self._s


@functools.lru_cache(maxsize=1)
def centrosymmetric_groups() -> tuple[int, ...]:
    """Numbers of the 92 centrosymmetric space groups (spglib's symmetry database)."""
    import spglib

    out = set()
    for hall in range(1, 531):
        sgt = spglib.get_spacegroup_type(hall)
        ops = spglib.get_symmetry_from_database(hall)
        if np.any(np.all(np.asarray(ops["rotations"]) == -np.eye(3, dtype=int), axis=(1, 2))):
            out.add(int(sgt.number))
    return tuple(sorted(out))


def _equiv(a: np.ndarray, b: np.ndarray, centring: np.ndarray, tol: float = 1e-6) -> bool:
    """True if fractional points a and b coincide modulo lattice and centring translations."""
    diff = (b - a)[None, :] - centring
    return bool(np.any(np.all(np.abs(diff - np.rint(diff)) < tol, axis=1)))


def cartesian_rotations(rotations: np.ndarray, lattice: np.ndarray) -> np.ndarray:
    """R_c = Aᵀ R A⁻ᵀ for fractional rotations R (A: rows = lattice vectors)."""
    A = np.asarray(lattice, float)
    return np.einsum("ij,njk,kl->nil", A.T, np.asarray(rotations, float), np.linalg.inv(A.T))


def mulliken_label(point_group: str, cart_rotations: np.ndarray, chi: np.ndarray) -> str:
    """Mulliken label of a real 1D representation χ of a centrosymmetric point group.

    ``cart_rotations`` in the frame x ∥ a, z ∥ c. Rules (characters on proper rotations):
    C2h: B if χ(C2) = −1; D2h: B1/B2/B3 by which C2 (z/y/x) has χ = +1; C4h, C6h: B if χ(C4/C6) = −1;
    D4h: A2 if χ(C4z)=+1, else B1 (χ(C2x)=+1) or B2; D3d: A2; D6h: A2 if χ(C6)=+1, else B1 (χ(C2 ∥ a)=+1)
    or B2; Oh: A2 if χ(C4) = −1 and χ(C3) = +1. Suffix g/u from χ(−1).
    """
    R = np.asarray(cart_rotations, float)
    chi = np.asarray(chi, int)
    det = np.linalg.det(R)
    inv_mask = np.all(np.abs(R + np.eye(3)) < 1e-6, axis=(1, 2))
    suffix = "g" if (not inv_mask.any() or chi[inv_mask][0] > 0) else "u"
    proper = R * det[:, None, None]  # proper part (χ of −R equals χ(R)·χ(−1))
    chi_p = chi * np.where(det > 0, 1, chi[inv_mask][0] if inv_mask.any() else 1)

    def char_of(axis, order):
        axis = np.asarray(axis, float) / np.linalg.norm(axis)
        ang = 2 * np.pi / order
        for Rp, c in zip(proper, chi_p):
            tr = np.trace(Rp)
            if abs(tr - (1 + 2 * np.cos(ang))) > 1e-6:
                continue
            w = np.array([Rp[2, 1] - Rp[1, 2], Rp[0, 2] - Rp[2, 0], Rp[1, 0] - Rp[0, 1]])
            if order == 2:  # axis = eigenvector with eigenvalue 1
                if np.allclose(Rp @ axis, axis, atol=1e-6):
                    return int(c)
            elif np.linalg.norm(np.cross(w, axis)) < 1e-6 * max(1.0, np.linalg.norm(w)):
                return int(c)
        return None

    if np.all(chi_p > 0):
        return ("A1" if point_group in ("4/mmm", "-3m", "6/mmm", "m-3m") else "A") + suffix
    x, y, z = np.eye(3)
    if point_group == "2/m":
        return "B" + suffix
    if point_group == "mmm":
        for lab, ax in (("B1", z), ("B2", y), ("B3", x)):
            if char_of(ax, 2) == 1:
                return lab + suffix
    if point_group in ("4/m", "6/m"):
        return "B" + suffix
    if point_group == "4/mmm":
        if char_of(z, 4) == 1:
            return "A2" + suffix
        return ("B1" if char_of(x, 2) == 1 else "B2") + suffix
    if point_group == "-3m":
        return "A2" + suffix
    if point_group == "6/mmm":
        if char_of(z, 6) == 1:
            return "A2" + suffix
        return ("B1" if char_of(x, 2) == 1 else "B2") + suffix
    if point_group == "m-3m":
        return ("A2" if char_of(z, 4) == -1 else "A1") + suffix
    return "?" + suffix


# ----------------------------------------------------------------------------------------------------
# the catalogue
# ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WyckoffOrbit:
    """One multiplicity-2 (primitive) Wyckoff orbit of inversion centres.

    ``r1``, ``r2``: the two sublattice sites (conventional fractions; r₂ is the first listed coordinate of
    the orbit not equivalent to r₁, shifted so that ``d = r2 − r1`` has components in [0, 1)), ``chi``: ±1 per operation of
    ``space_group_data(sg)['rotations']`` (+1 keeps site 1, −1 exchanges the sites).
    """

    space_group: int
    wyckoff: str  # e.g. "2a"
    letter: str
    multiplicity: int
    site_symmetry: str
    r1: tuple
    r2: tuple
    d: tuple
    chi: tuple
    irrep: str
    wave: str
    form_factor: str
    degree: int

    def as_dict(self) -> dict:
        return {"wyckoff": self.wyckoff, "multiplicity": self.multiplicity, "site_symmetry": self.site_symmetry,
                "r1": list(self.r1), "r2": list(self.r2), "d": list(self.d),
                "r1_str": vec_str(self.r1), "r2_str": vec_str(self.r2), "d_str": vec_str(self.d),
                "irrep": self.irrep, "wave": self.wave, "form_factor": self.form_factor, "degree": self.degree}


@dataclass(frozen=True)
class CatalogueEntry:
    """One row of Tables 1–2: a space group and the Wyckoff orbits that share Γ (see module docstring).

    ``wyckoff`` is the row label ("2a-2d", "2a,2b", "4c"); ``orbits`` the individual positions;
    ``irrep``/``form_factor`` are the row's Γ and representative f(k) (Cartesian k, x ∥ a) — for the
    SG 67 row, which mixes two Γ, both are given separated by " / ". ``primitive``: P lattice (the 27
    entries of Tables 3–4); ``table``: 1 (monoclinic, orthorhombic) or 2; ``notes``: differences from
    the seed's printed table.
    """

    space_group: int
    symbol: str
    point_group: str
    point_group_hm: str
    crystal_system: str
    wyckoff: str
    orbits: tuple[WyckoffOrbit, ...]
    irrep: str
    wave: str
    form_factor: str
    table: int
    primitive: bool
    notes: str = ""
    extra: dict = field(default_factory=dict)
    in_paper: bool = True

    @property
    def label(self) -> str:
        return f"{self.space_group}:{self.wyckoff}"

    @property
    def letters(self) -> list[str]:
        return [o.wyckoff for o in self.orbits]

    @property
    def site_symmetry(self) -> str:
        return " / ".join(dict.fromkeys(o.site_symmetry for o in self.orbits))

    @property
    def d(self) -> list[str]:
        return list(dict.fromkeys(vec_str(o.d) for o in self.orbits))

    def orbit(self, wyckoff: str) -> WyckoffOrbit:
        w = _norm_letter(wyckoff)
        for o in self.orbits:
            if o.letter == w:
                return o
        raise ParameterError(f"wyckoff={wyckoff!r} is not in row {self.label} (positions: {self.letters})")

    def as_dict(self) -> dict:
        """JSON-friendly dict; keys space_group, wyckoff, irrep, wave, form_factor are a stable contract."""
        return {"space_group": self.space_group, "symbol": self.symbol, "point_group": self.point_group,
                "point_group_hm": self.point_group_hm, "crystal_system": self.crystal_system,
                "wyckoff": self.wyckoff, "letters": self.letters, "site_symmetry": self.site_symmetry,
                "d": self.d, "irrep": self.irrep, "wave": self.wave, "form_factor": self.form_factor,
                "table": self.table, "primitive": self.primitive, "label": self.label,
                "positions": [o.as_dict() for o in self.orbits], "notes": self.notes, "in_paper": self.in_paper}


def _norm_letter(w: str) -> str:
    s = str(w).strip().lower()
    return s.lstrip("0123456789") or s


def _row_label(orbits) -> str:
    mult = orbits[0].multiplicity
    letters = sorted(o.letter for o in orbits)
    codes = [ord(c) for c in letters]
    if len(letters) >= 3 and codes == list(range(codes[0], codes[0] + len(codes))):
        return f"{mult}{letters[0]}-{mult}{letters[-1]}"
    return ",".join(f"{mult}{c}" for c in letters)


def find_orbits(space_group: int, lattice: np.ndarray | None = None) -> list[WyckoffOrbit]:
    """All multiplicity-2 (primitive cell) Wyckoff orbits of inversion centres of one space group."""
    from altermag.symmetry import form_factor

    data = space_group_data(space_group)
    R, T, C = data["rotations"], data["translations"], data["centring"]
    if not np.any(np.all(R == -np.eye(3, dtype=int), axis=(1, 2))):
        return []
    A = representative_lattice(space_group) if lattice is None else np.asarray(lattice, float)
    Rc = cartesian_rotations(R, A)
    out = []
    for letter, mult, ssym, pos in data["wyckoffs"]:
        if pos is None or mult != 2 * len(C):
            continue
        r1 = pos[0]
        # inversion centre: some operation with R = −1 fixes r1 modulo the lattice (and centring)
        inv = np.all(R == -np.eye(3, dtype=int), axis=(1, 2))
        if not any(_equiv(-r1 + t, r1, C) for t in T[inv]):
            continue
        images = (np.einsum("nij,j->ni", R, r1) + T) % 1.0
        chi = np.array([1 if _equiv(im, r1, C) else -1 for im in images])
        others = [p for p in pos if not _equiv(p, r1, C)]
        if not others:
            continue
        # the exchanged partner: the first listed (International Tables order) site not equivalent to
        # r1; d = r2 − r1 taken modulo 1 (non-negative components), so r2 = r1 + d
        d = (others[0] - r1) % 1.0
        d = np.where(np.abs(d - 1.0) < 1e-9, 0.0, d)
        ff = form_factor(Rc, chi, max_degree=6)
        irrep = mulliken_label(data["point_group"], Rc, chi)
        out.append(WyckoffOrbit(int(space_group), f"{mult}{letter}", letter, mult, str(ssym),
                                tuple(float(x) for x in r1), tuple(float(x) for x in r1 + d),
                                tuple(float(x) for x in d), tuple(int(c) for c in chi), irrep,
                                ff.wave if ff else "", ff.expression if ff else "", ff.degree if ff else 0))
    return out


@functools.lru_cache(maxsize=1)
def _catalogue() -> tuple[CatalogueEntry, ...]:
    entries = []
    for sg in centrosymmetric_groups():
        orbits = find_orbits(sg)
        if not orbits:
            continue
        data = space_group_data(sg)
        groups: dict[str, list[WyckoffOrbit]] = {}
        for o in sorted(orbits, key=lambda o: o.letter):
            groups.setdefault(o.irrep, []).append(o)
        rows = list(groups.values())
        if sg == 67 and len(rows) > 1:  # the seed prints one row (see SEED_NOTES)
            rows = [sorted([o for r in rows for o in r], key=lambda o: o.letter)]
        pg = data["point_group"]
        for row in rows:
            irreps = list(dict.fromkeys(o.irrep for o in row))
            ffs = list(dict.fromkeys(o.form_factor for o in row))
            entries.append(CatalogueEntry(
                space_group=sg, symbol=data["symbol"], point_group=SCHOENFLIES.get(pg, pg), point_group_hm=pg,
                crystal_system=lattice_system(sg), wyckoff=_row_label(row), orbits=tuple(row),
                irrep=" / ".join(irreps), wave=row[0].wave, form_factor=" / ".join(ffs),
                table=1 if sg <= 74 else 2, primitive=data["symbol"][0] == "P",
                notes=SEED_NOTES.get(sg, F_NOTE if data["symbol"][0] == "F" else ""),
                extra={"table3": sg in _TABLE3} if data["symbol"][0] == "P" else {},
                in_paper=data["symbol"][0] != "F"))
    return tuple(entries)


def catalogue(complete: bool = False) -> list[CatalogueEntry]:
    """The 40 rows of Tables 1–2, derived from crystallographic data (cached; a few s the first time).

    The criterion of the paper, applied literally, also admits four rows with an F-centred lattice
    (69 Fmmm 8c, 8d, 8e and 226 Fm-3c 8b), which the paper's tables do not list; ``complete=True``
    returns them too (``in_paper=False``).
    """
    return [e for e in _catalogue() if complete or e.in_paper]


def get_entry(space_group, wyckoff: str | None = None) -> CatalogueEntry:
    """The catalogue row of ``space_group`` containing ``wyckoff`` ("2a", "a", or a row label "2a-2d").

    ``space_group`` may also be a combined label "136:2a". With ``wyckoff=None`` the space group must
    have a single row. Raises :class:`ParameterError` listing the valid pairs otherwise.
    """
    if wyckoff is None and isinstance(space_group, str) and ":" in space_group:
        space_group, wyckoff = space_group.split(":", 1)
    try:
        sg = int(space_group)
    except (TypeError, ValueError):
        raise ParameterError(f"space_group={space_group!r} is not an integer space-group number") from None
    rows = [e for e in _catalogue() if e.space_group == sg]
    valid = ", ".join(e.label for e in _catalogue())
    if not rows:
        raise ParameterError(f"space_group={sg} has no two-sublattice altermagnet entry in Tables 1-2 "
                             f"(no multiplicity-2 orbit of inversion centres); valid entries: {valid}")
    if wyckoff is None:
        if len(rows) == 1:
            return rows[0]
        raise ParameterError(f"space_group={sg} has several rows ({', '.join(e.label for e in rows)}); "
                             "give the Wyckoff position")
    w = str(wyckoff).strip().replace("–", "-").replace(" ", "")
    for e in rows:
        if w.lower() == e.wyckoff.lower() or w.lower() in [x.lower() for x in e.wyckoff.split(",")]:
            return e
    letter = _norm_letter(w)
    for e in rows:
        for o in e.orbits:
            if o.letter == letter and (not w[0].isdigit() or w.lower() == o.wyckoff):
                return e
    raise ParameterError(f"wyckoff={wyckoff!r} is not a two-sublattice position of space group {sg} "
                         f"(rows: {', '.join(e.label for e in rows)}); valid entries: {valid}")


def get_orbit(space_group, wyckoff: str) -> WyckoffOrbit:
    """The single Wyckoff orbit (space group, "2a"); a row label selects its first position."""
    e = get_entry(space_group, wyckoff)
    w = str(wyckoff).strip()
    if "-" in w or "," in w or "–" in w:
        return e.orbits[0]
    return e.orbit(w)
