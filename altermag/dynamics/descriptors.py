"""Symmetry-invariant magnetic descriptors for Behler-Parrinello spin force fields (spec §4).

For every site ``i`` the descriptor ``G_i`` is a vector of numbers that depend on the spins in a
neighbourhood of ``i`` and are

* invariant under a global SO(3) rotation of all spins (no spin-orbit coupling),
* invariant under the site point group of the lattice (D4 square, D6 triangular) acting about ``i``,
* equivariant under lattice translations (``G_i`` is a function of the environment only),
* smooth (differentiable, in float64 PyTorch) functions of the spins.

Construction (spec §4.2-4.4):

1. **SO(3) invariants.** Bond variables ``b_jk = S_j·S_k`` for every bond from the centre to a site
   within ``cutoff`` and for every pair of non-centre sites that both lie within ``bond_cutoff`` of
   the centre (optionally at most ``pair_max_length`` apart); scalar chiralities
   ``chi = S_p·(S_q×S_r)`` of the elementary triangles (counter-clockwise ordered) whose three
   corners lie within ``chirality_cutoff``.
2. **Orbits and irreps.** Bonds (triangles) are grouped into orbits of the point group. The group
   acts on an orbit by a permutation matrix (signed by ``det g`` for the pseudo-scalar chiralities,
   because a mirror reverses the orientation of a triangle). Projection operators
   ``P^Γ_mn = (d_Γ/|G|) Σ_g D^Γ(g)_mn P(g)`` split every orbit into symmetry-adapted components
   ``f^{Γ,c}_m`` that transform with the **same** real irrep matrices ``D^Γ(g)`` for all copies ``c``
   (partner functions generated from ``P^Γ_{m1}``), so products between copies are invariant.
3. **Invariants.** A1 components as they are; for every other irrep copy the power spectrum
   ``|f^{Γ,c}|²`` and the reference-irrep bispectrum ``f^{Γ,c}·ref^Γ`` with a reference
   ``ref^Γ = r^Γ/sqrt(|r^Γ|² + eps²)``, ``r^Γ = Σ_c w_c f^{Γ,c}`` (fixed weights decaying with the
   distance of the orbit from the centre). ``ref^Γ`` transforms like ``Γ``, so the projection is
   exactly invariant; the smooth normalisation replaces the ``sign()`` of the authors' code
   (spec §4.4, "for smoother forces") and keeps the descriptor differentiable everywhere.

Everything lattice-specific is precomputed once as index tensors (:meth:`MagneticDescriptor.index_tensors`),
so evaluating all ``N`` descriptors is a handful of gathers and einsums, linear in ``N``.

Conventions: lattice constant 1; square lattice a1 = (1, 0), a2 = (0, 1); triangular lattice
a1 = (1, 0), a2 = (1/2, √3/2). Spins are unit vectors, shape (N, 3), float64.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from altermag.core.errors import ParameterError

__all__ = [
    "MagneticDescriptor",
    "primitive_vectors",
    "point_group",
    "irreps",
    "CHARACTER_TABLES",
    "lattice_coordinates",
    "SYMMETRIES",
    "site_permutation",
    "random_rotation",
]

_KINDS = ("square", "triangular")


def primitive_vectors(kind: str) -> np.ndarray:
    """Primitive vectors (rows a1, a2) of the ``"square"`` or ``"triangular"`` lattice, lattice constant 1."""
    if kind == "square":
        return np.array([[1.0, 0.0], [0.0, 1.0]])
    if kind == "triangular":
        return np.array([[1.0, 0.0], [0.5, math.sqrt(3.0) / 2.0]])
    raise ParameterError(f"lattice_kind must be one of {_KINDS}, got {kind!r}")


def _rot(theta: float) -> np.ndarray:
    c, s = math.cos(theta), math.sin(theta)
    return np.array([[c, -s], [s, c]])


def _refl(psi: float) -> np.ndarray:
    """Reflection across the line at angle psi/2 (matrix [[cos ψ, sin ψ], [sin ψ, -cos ψ]])."""
    c, s = math.cos(psi), math.sin(psi)
    return np.array([[c, s], [s, -c]])


SYMMETRIES = ("full", "D2", "Cs")
"""Site symmetry groups a descriptor can be made invariant under: ``"full"`` (D4 square / D6 triangular),
``"D2"`` (the subgroup that keeps the x axis: E, C2, the mirrors x -> −x and y -> −y) and ``"Cs"`` (E and
the mirror y -> −y only). The subgroups are for systems whose symmetry is lowered by a direction along x,
e.g. a strip biased along x (spec §6): a spin-transfer term along the bias is not invariant under the
90° rotation of D4, so a fully D4-invariant descriptor cannot represent it in the interior of the strip."""


def point_group(kind: str, symmetry: str = "full") -> tuple[np.ndarray, list[str]]:
    """Point group of a site: Cartesian 2×2 matrices (G, 2, 2) and their labels.

    D4 (order 8) for the square lattice, D6 (order 12) for the triangular lattice; rotations by
    ``2πk/n`` first, then the reflections ``σ(ψ)`` across the line at angle ``ψ/2``. ``symmetry``
    (see :data:`SYMMETRIES`) selects a subgroup (same element order, filtered).
    """
    n = {"square": 4, "triangular": 6}.get(kind)
    if n is None:
        raise ParameterError(f"lattice_kind must be one of {_KINDS}, got {kind!r}")
    if symmetry not in SYMMETRIES:
        raise ParameterError(f"symmetry must be one of {SYMMETRIES}, got {symmetry!r}")
    mats, labels = [], []
    for k in range(n):
        mats.append(_rot(2 * math.pi * k / n))
        labels.append(f"C{n}^{k}" if k else "E")
    for k in range(n):
        mats.append(_refl(2 * math.pi * k / n))
        labels.append(f"sigma({360 * k / (2 * n):g}deg)")
    if symmetry != "full":
        keep = [
            j
            for j, g in enumerate(mats)
            if abs(g[0, 1]) < 1e-9 and abs(g[1, 0]) < 1e-9 and (symmetry == "D2" or g[0, 0] > 0)
        ]
        mats = [np.round(mats[j]) for j in keep]
        labels = [labels[j] for j in keep]
    return np.array(mats), labels


def _harmonic(g: np.ndarray, m: int) -> np.ndarray:
    """O(2) -> O(2) homomorphism rot(θ) -> rot(mθ), σ(ψ) -> σ(mψ)."""
    if np.linalg.det(g) > 0:
        return _rot(m * math.atan2(g[1, 0], g[0, 0]))
    return _refl(m * math.atan2(g[1, 0], g[0, 0]))


def irreps(kind: str, symmetry: str = "full") -> dict[str, np.ndarray]:
    """Real irreducible representations ``{name: D (G, d, d)}`` of the site point group.

    Built from the O(2) harmonics ``m``: D4 = {A1, A2 (det), B1, B2 (diagonal entries of m = 2), E (m = 1)};
    D6 = {A1, A2, B1, B2 (diagonal entries of m = 3), E1 (m = 1), E2 (m = 2)}. B1 is even under the
    mirror across the x axis (a lattice vector). The subgroups ``"D2"``/``"Cs"`` are abelian; their
    irreps are one-dimensional: ``A1``, ``Bx`` (odd under x -> −x), ``By`` (odd under y -> −y), ``Bxy``.
    """
    if symmetry != "full":
        mats, _ = point_group(kind, symmetry)
        out_s: dict[str, np.ndarray] = {}
        seen: list[np.ndarray] = []
        for name, (a, b) in (("A1", (0, 0)), ("Bx", (1, 0)), ("By", (0, 1)), ("Bxy", (1, 1))):
            chi = np.array([g[0, 0] ** a * g[1, 1] ** b for g in mats])
            if any(np.array_equal(chi, c) for c in seen):
                continue
            seen.append(chi)
            out_s[name] = chi.reshape(-1, 1, 1).astype(float)
        return out_s
    mats, _ = point_group(kind)
    half = {"square": 2, "triangular": 3}[kind]
    out: dict[str, np.ndarray] = {}
    out["A1"] = np.ones((len(mats), 1, 1))
    out["A2"] = np.array([[[np.linalg.det(g)]] for g in mats])
    hb = np.array([_harmonic(g, half) for g in mats])
    out["B1"] = np.round(hb[:, 0:1, 0:1])
    out["B2"] = np.round(hb[:, 1:2, 1:2])
    if kind == "square":
        out["E"] = np.array([_harmonic(g, 1) for g in mats])
    else:
        out["E1"] = np.array([_harmonic(g, 1) for g in mats])
        out["E2"] = np.array([_harmonic(g, 2) for g in mats])
    for D in out.values():
        D[np.abs(D) < 1e-14] = 0.0
    return out


def _character_table(kind: str) -> dict[str, list[float]]:
    return {name: [float(np.trace(d)) for d in D] for name, D in irreps(kind).items()}


CHARACTER_TABLES: dict[str, dict[str, list[float]]] = {k: _character_table(k) for k in _KINDS}
"""Characters ``χ^Γ(g)`` of D4 (``"square"``) and D6 (``"triangular"``), ordered as :func:`point_group`."""


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    """A Haar-random proper rotation matrix (3×3, det +1)."""
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


# ------------------------------------------------------------------------------------- geometry


def _int_group(kind: str, symmetry: str = "full") -> np.ndarray:
    """The point-group matrices in the integer basis of (a1, a2): n' = M n."""
    A = primitive_vectors(kind).T  # columns a1, a2
    mats, _ = point_group(kind, symmetry)
    out = np.array([np.linalg.solve(A, g @ A) for g in mats])
    ints = np.rint(out)
    assert np.allclose(out, ints, atol=1e-9)
    return ints.astype(np.int64)


def lattice_coordinates(lattice: Any, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer coordinates (N, 2) of the sites of ``lattice`` in the basis (a1, a2) and the periodic
    supercell (2, 2) (rows: the two supercell vectors in the same integer basis).

    ``lattice`` needs ``positions`` (N, 2) in units of the lattice constant; the supercell is taken
    from ``lattice.supercell``/``lattice.L, lattice.Ly`` (``L a1``, ``Ly a2``). For a strip
    (``lattice.periodic_x == False``) the cell is the same, but only its second row is a period:
    :meth:`MagneticDescriptor.index_tensors` pads beyond the open x edges with ghost sites.
    """
    A = primitive_vectors(kind)
    pos = np.asarray(lattice.positions, dtype=float)[:, :2]
    coords = np.linalg.solve(A.T, pos.T).T
    icoords = np.rint(coords)
    if not np.allclose(coords, icoords, atol=1e-6):
        raise ParameterError(
            f"lattice positions are not on the {kind} Bravais lattice with a1={A[0].tolist()}, a2={A[1].tolist()}"
        )
    icoords = icoords.astype(np.int64)
    L = int(lattice.L)
    Ly = getattr(lattice, "Ly", None)
    Ly = L if Ly is None else int(Ly)
    if L * Ly != len(pos):
        raise ParameterError(f"lattice has {len(pos)} sites, expected L*Ly = {L * Ly}")
    return icoords, np.array([[L, 0], [0, Ly]], dtype=np.int64)


class _SiteTable:
    """Maps integer lattice coordinates (any, wrapped periodically) to site indices."""

    def __init__(self, icoords: np.ndarray, supercell: np.ndarray):
        self.T = supercell
        self.Tinv = np.linalg.inv(supercell.astype(float))
        red = self.reduce(icoords)
        keys = self._key(red)
        self.order = np.argsort(keys)
        self.sorted_keys = keys[self.order]
        if len(np.unique(keys)) != len(keys):
            raise ParameterError("two sites of the lattice map onto the same periodic image")

    def reduce(self, m: np.ndarray) -> np.ndarray:
        c = np.floor(m @ self.Tinv + 1e-9).astype(np.int64)
        return m - c @ self.T

    def _key(self, red: np.ndarray) -> np.ndarray:
        span = int(np.abs(self.T).sum()) + 1
        return (red[..., 0] + span) * (4 * span) + (red[..., 1] + span)

    def lookup(self, m: np.ndarray) -> np.ndarray:
        keys = self._key(self.reduce(m.reshape(-1, 2)))
        pos = np.searchsorted(self.sorted_keys, keys)
        pos = np.clip(pos, 0, len(self.sorted_keys) - 1)
        if not np.all(self.sorted_keys[pos] == keys):
            raise ParameterError("a neighbour displacement does not land on a lattice site")
        return self.order[pos].reshape(m.shape[:-1])


def site_permutation(lattice: Any, kind: str, op: int, centre: int = 0) -> np.ndarray:
    """Site permutation ``p`` of point-group operation ``op`` (index into :func:`point_group`) about
    site ``centre``: the site at ``r_centre + d`` goes to the site at ``r_centre + g d``.

    A spin configuration transforms as ``S'[p] = S`` (spins are not rotated: no spin-orbit coupling).
    Periodic lattices only (a point-group operation about a site does not map an open strip onto itself).
    """
    if not getattr(lattice, "periodic_x", True):
        raise ParameterError("site_permutation needs a periodic lattice (periodic_x=True)")
    icoords, cell = lattice_coordinates(lattice, kind)
    table = _SiteTable(icoords, cell)
    M = _int_group(kind)[op]
    # the supercell must be invariant under g for the operation to act on the periodic lattice
    for v in cell:
        img = M @ v
        c = img @ table.Tinv
        if not np.allclose(c, np.rint(c), atol=1e-9):
            raise ParameterError(f"point-group operation {op} does not map the periodic supercell onto itself")
    d = icoords - icoords[centre]
    return table.lookup(icoords[centre] + d @ M.T)


# ------------------------------------------------------------------------------------ orbits/irreps


@dataclass
class _Orbit:
    kind: str  # "bond" | "chirality"
    members: list  # tuples of neighbourhood-site indices
    perms: np.ndarray  # (G, n, n) signed permutation matrices: P(g)[k, l] = ±1 if member_k = g member_l
    radius: float  # max distance of a member's sites from the centre


def _gram_schmidt_range(P: np.ndarray, tol: float = 1e-8) -> list[np.ndarray]:
    """Deterministic orthonormal basis of the range of a projector (columns taken in order)."""
    basis: list[np.ndarray] = []
    for k in range(P.shape[1]):
        v = P[:, k].copy()
        for b in basis:
            v -= (b @ v) * b
        nrm = np.linalg.norm(v)
        if nrm > tol:
            v = v / nrm
            # sign convention: first entry with |v| > tol is positive
            j = int(np.argmax(np.abs(v) > tol))
            basis.append(v if v[j] > 0 else -v)
    return basis


def _decompose(perms: np.ndarray, reps: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray]]:
    """Split a (signed) permutation representation into irrep copies.

    Returns ``[(irrep name, E (d, n)), ...]`` with rows ``e_m`` such that
    ``P(g) e_n = Σ_m D(g)_mn e_m``; all rows together form an orthonormal basis.
    """
    G, n, _ = perms.shape
    out = []
    for name, D in reps.items():
        d = D.shape[1]
        Pmn = np.einsum("gmn,gkl->mnkl", D, perms) * (d / G)
        for v in _gram_schmidt_range(Pmn[0, 0]):
            E = np.stack([Pmn[m, 0] @ v for m in range(d)])
            out.append((name, E))
    U = np.concatenate([E for _, E in out], axis=0)
    if U.shape[0] != n or not np.allclose(U @ U.T, np.eye(n), atol=1e-10):
        raise RuntimeError("irrep decomposition failed: the symmetry-adapted basis is not orthonormal and complete")
    return out


class MagneticDescriptor:
    """SO(3)- and point-group-invariant descriptor of the spin environment of every site.

    Parameters
    ----------
    lattice_kind: ``"square"`` (D4) or ``"triangular"`` (D6).
    cutoff: radius (lattice constants) of the centre bonds ``S_i·S_j``.
    bond_cutoff: both ends of a non-centre bond ``S_j·S_k`` lie within this radius (0 disables).
    pair_max_length: longest non-centre bond kept (``None``: no limit).
    chirality_cutoff: all corners of an elementary triangle lie within this radius (0 disables).
    reference_eps: smoothing ``eps`` of the reference-irrep normalisation.
    invariants: ``"both"`` (power spectrum + reference bispectrum, default), ``"power"`` or ``"reference"``.
    symmetry: site group the descriptor is invariant under, ``"full"`` (D4/D6, default), ``"D2"`` or
        ``"Cs"`` (subgroups for systems with a preferred x direction, e.g. a biased strip; see :data:`SYMMETRIES`).

    Open boundaries: on a strip (``lattice.periodic_x == False``) the environment is padded beyond the
    open x edges with ghost sites of zero spin, so bond products and chiralities that involve a ghost
    are 0 and every site has a descriptor of the same length (periodic y still wraps).

    Call it on a float64 torch tensor of spins (N, 3) to get descriptors (N, F); the lattice is
    bound with :meth:`bind` (or pass precomputed :meth:`index_tensors`).
    """

    def __init__(
        self,
        lattice_kind: str,
        cutoff: float = 4.0,
        bond_cutoff: float = 2.0,
        pair_max_length: float | None = None,
        chirality_cutoff: float = 2.0,
        reference_eps: float = 0.05,
        invariants: str = "both",
        symmetry: str = "full",
    ):
        primitive_vectors(lattice_kind)  # validates the kind
        if symmetry not in SYMMETRIES:
            raise ParameterError(f"symmetry must be one of {SYMMETRIES}, got {symmetry!r}")
        self.symmetry = symmetry
        if not cutoff >= 1.0:
            raise ParameterError(f"cutoff must be >= 1 lattice constant, got {cutoff}")
        if bond_cutoff < 0 or chirality_cutoff < 0:
            raise ParameterError(
                f"bond_cutoff and chirality_cutoff must be >= 0, got {bond_cutoff}, {chirality_cutoff}"
            )
        if invariants not in ("both", "power", "reference"):
            raise ParameterError(f"invariants must be 'both', 'power' or 'reference', got {invariants!r}")
        if not reference_eps > 0:
            raise ParameterError(f"reference_eps must be > 0, got {reference_eps}")
        self.lattice_kind = lattice_kind
        self.cutoff = float(cutoff)
        self.bond_cutoff = float(bond_cutoff)
        self.pair_max_length = None if pair_max_length is None else float(pair_max_length)
        self.chirality_cutoff = float(chirality_cutoff)
        self.reference_eps = float(reference_eps)
        self.invariants = invariants
        self._build()
        self._bound: dict[str, Any] | None = None
        self._bound_key = None

    # ----------------------------------------------------------------------------- construction

    def config(self) -> dict[str, Any]:
        """Constructor arguments (JSON-serialisable); ``MagneticDescriptor(**d.config())`` rebuilds it."""
        return {
            "lattice_kind": self.lattice_kind,
            "cutoff": self.cutoff,
            "bond_cutoff": self.bond_cutoff,
            "pair_max_length": self.pair_max_length,
            "chirality_cutoff": self.chirality_cutoff,
            "reference_eps": self.reference_eps,
            "invariants": self.invariants,
            # only recorded when not the default, so that configs/fingerprints of existing models are unchanged
            **({"symmetry": self.symmetry} if self.symmetry != "full" else {}),
        }

    def _build(self) -> None:
        kind = self.lattice_kind
        A = primitive_vectors(kind)
        rmax = max(self.cutoff, 2 * self.bond_cutoff, self.chirality_cutoff)
        nmax = int(math.ceil(2 * rmax)) + 2
        grid = np.array([(a, b) for a in range(-nmax, nmax + 1) for b in range(-nmax, nmax + 1)], dtype=np.int64)
        cart = grid @ A
        r = np.linalg.norm(cart, axis=1)
        keep = r <= rmax + 1e-9
        grid, cart, r = grid[keep], cart[keep], r[keep]
        ang = np.mod(np.arctan2(cart[:, 1], cart[:, 0]), 2 * np.pi)
        order = np.lexsort((np.round(ang, 9), np.round(r, 9)))
        self.offsets = grid[order]  # (M, 2) integer displacements, centre first
        self.offsets_cart = cart[order]
        self.radii = r[order]
        index = {tuple(v): k for k, v in enumerate(self.offsets.tolist())}
        tol = 1e-9

        # -- bonds: centre bonds and pair bonds (unordered pairs of neighbourhood indices)
        M = len(self.offsets)
        bonds = [(0, j) for j in range(1, M) if self.radii[j] <= self.cutoff + tol]
        inner = [j for j in range(1, M) if self.radii[j] <= self.bond_cutoff + tol]
        for a_ in range(len(inner)):
            for b_ in range(a_ + 1, len(inner)):
                j, k = inner[a_], inner[b_]
                if self.pair_max_length is not None:
                    if np.linalg.norm(self.offsets_cart[j] - self.offsets_cart[k]) > self.pair_max_length + tol:
                        continue
                bonds.append((j, k))
        # -- elementary triangles (counter-clockwise)
        tri_sides = {"triangular": (1.0, 1.0, 1.0), "square": (1.0, 1.0, math.sqrt(2.0))}[kind]
        inside = [j for j in range(M) if self.radii[j] <= self.chirality_cutoff + tol]
        tris = set()
        if self.chirality_cutoff > 0:
            for a_ in range(len(inside)):
                for b_ in range(a_ + 1, len(inside)):
                    for c_ in range(b_ + 1, len(inside)):
                        p, q, s = inside[a_], inside[b_], inside[c_]
                        P, Q, S = self.offsets_cart[[p, q, s]]
                        sides = sorted([np.linalg.norm(P - Q), np.linalg.norm(Q - S), np.linalg.norm(S - P)])
                        if np.allclose(sides, tri_sides, atol=1e-6):
                            cross = (Q - P)[0] * (S - P)[1] - (Q - P)[1] * (S - P)[0]
                            tris.add(self._canon_tri((p, q, s) if cross > 0 else (p, s, q)))
        tris = sorted(tris)

        Gint = _int_group(kind, self.symmetry)
        dets = np.rint([np.linalg.det(g) for g in point_group(kind, self.symmetry)[0]]).astype(int)
        G = len(Gint)

        def img(site: int, g: int) -> int:
            return index[tuple((Gint[g] @ self.offsets[site]).tolist())]

        def orbits_of(items, kind_: str, sign: np.ndarray) -> list[_Orbit]:
            """Orbits of ``items`` (tuples of sites) under the point group; ``sign[g]`` is +1 for bonds
            (scalars) and det g for triangles (scalar chirality is a pseudo-scalar)."""
            key = {frozenset(t): k for k, t in enumerate(items)}

            def image(m: int, g: int) -> int:
                return key[frozenset(img(s, g) for s in items[m])]

            seen = np.zeros(len(items), bool)
            out: list[_Orbit] = []
            for k in range(len(items)):
                if seen[k]:
                    continue
                members = list(dict.fromkeys(image(k, g) for g in range(G)))
                seen[members] = True
                pos = {m: x for x, m in enumerate(members)}
                perms = np.zeros((G, len(members), len(members)))
                for g in range(G):
                    for l_, m in enumerate(members):
                        perms[g, pos[image(m, g)], l_] = sign[g]
                rad = max(self.radii[s] for m in members for s in items[m])
                out.append(_Orbit(kind_, [items[m] for m in members], perms, float(rad)))
            return out

        orbits = orbits_of(bonds, "bond", np.ones(G)) + orbits_of(tris, "chirality", dets.astype(float))
        # orbits sorted by size: each size class is one contiguous block of the raw vector
        orbits = sorted(orbits, key=lambda o: len(o.members))
        self.orbits = orbits
        self.n_bonds = len(bonds)
        self.n_triangles = len(tris)

        # -- symmetry-adapted components: f = U_orbit @ raw_orbit, stacked by orbit size
        reps = irreps(kind, self.symmetry)
        self.irrep_names = list(reps)
        comp_irrep: list[str] = []
        comp_copy: list[int] = []  # global copy id per component
        comp_weight: list[float] = []
        self._raw_bonds = np.array([m for o in orbits if o.kind == "bond" for m in o.members], dtype=np.int64).reshape(
            -1, 2
        )
        self._raw_tris = np.array(
            [m for o in orbits if o.kind == "chirality" for m in o.members], dtype=np.int64
        ).reshape(-1, 3)
        # raw vector layout: orbit after orbit (sorted by size); _raw_order maps it into [bonds..., triangles...]
        raw_order = []
        nbond = ntri = 0
        for o in orbits:
            for _m in o.members:
                if o.kind == "bond":
                    raw_order.append(nbond)
                    nbond += 1
                else:
                    raw_order.append(len(self._raw_bonds) + ntri)
                    ntri += 1
        self._raw_order = np.array(raw_order, dtype=np.int64)
        raw_pos = 0
        groups: dict[int, dict[str, list]] = {}
        copy_id = 0
        for o in orbits:
            n = len(o.members)
            start = raw_pos
            raw_pos += n
            parts = _decompose(o.perms, reps)
            U = np.concatenate([E for _, E in parts], axis=0)
            grp = groups.setdefault(n, {"idx": [], "U": [], "out": []})
            grp["idx"].append(np.arange(start, start + n))
            grp["U"].append(U)
            out_idx = []
            for name, E in parts:
                for _m in range(E.shape[0]):
                    out_idx.append(len(comp_irrep))
                    comp_irrep.append(name)
                    comp_copy.append(copy_id)
                    comp_weight.append(1.0 / (1.0 + o.radius) ** 2)
                copy_id += 1
            grp["out"].append(np.array(out_idx))
        # components ordered group by group (so that evaluation is one concatenation)
        new_pos = np.empty(len(comp_irrep), dtype=np.int64)
        self._groups = []
        offset = 0
        for _, g in sorted(groups.items()):
            idx, U, out = np.stack(g["idx"]), np.stack(g["U"]), np.stack(g["out"])
            assert np.array_equal(idx.reshape(-1), np.arange(idx[0, 0], idx[0, 0] + idx.size))
            new_pos[out.reshape(-1)] = offset + np.arange(out.size)
            offset += out.size
            self._groups.append((idx, U))
        self.n_components = len(comp_irrep)
        comp_irrep_a = np.array(comp_irrep)[np.argsort(new_pos)]
        comp_copy_a = np.array(comp_copy)[np.argsort(new_pos)]
        comp_weight_a = np.array(comp_weight)[np.argsort(new_pos)]
        # per irrep: (copies, d) component indices and the copy weights
        self._irrep_index: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name in self.irrep_names:
            sel = np.nonzero(comp_irrep_a == name)[0]
            if len(sel) == 0:
                continue
            d = reps[name].shape[1]
            idx = sel.reshape(-1, d)
            assert np.all(comp_copy_a[idx] == comp_copy_a[idx[:, :1]])
            self._irrep_index[name] = (idx, comp_weight_a[idx[:, 0]])
        # one permutation makes every irrep a contiguous block (copies, d) of the component vector
        self._irrep_perm = np.concatenate([idx.reshape(-1) for idx, _ in self._irrep_index.values()])
        self._irrep_slices = {}
        start = 0
        for name, (idx, _) in self._irrep_index.items():
            self._irrep_slices[name] = (start, idx.shape[0], idx.shape[1])
            start += idx.size
        self._build_tables()
        names = []
        for name, (idx, _) in self._irrep_index.items():
            if name == "A1":
                names += [f"A1[{c}]" for c in range(len(idx))]
                continue
            if self.invariants in ("both", "power"):
                names += [f"|{name}[{c}]|^2" for c in range(len(idx))]
            if self.invariants in ("both", "reference"):
                names += [f"{name}[{c}].ref" for c in range(len(idx))]
        self.feature_names = names
        self.n_features = len(names)

    @staticmethod
    def _canon_tri(t: tuple[int, int, int]) -> tuple[int, int, int]:
        k = int(np.argmin(t))
        return tuple(t[k:] + t[:k])  # type: ignore[return-value]

    def fingerprint(self) -> str:
        """SHA-256 of the geometry and transformation matrices (a trained model checks it on load)."""
        h = hashlib.sha256()
        h.update(repr(self.config()).encode())
        h.update(np.ascontiguousarray(self._raw_bonds).tobytes())
        h.update(np.ascontiguousarray(self._raw_tris).tobytes())
        h.update(np.ascontiguousarray(self._raw_order).tobytes())
        for idx, U in self._groups:
            h.update(np.ascontiguousarray(idx).tobytes())
            h.update(np.round(U, 10).tobytes())
        for name, (idx, w) in self._irrep_index.items():
            h.update(name.encode() + np.ascontiguousarray(idx).tobytes() + np.round(w, 12).tobytes())
        return h.hexdigest()[:16]

    def summary(self) -> dict[str, Any]:
        """Counts of neighbourhood sites, bonds, triangles, orbits, components and features."""
        return {
            **self.config(),
            "neighbourhood_sites": int(len(self.offsets)),
            "bonds": self.n_bonds,
            "triangles": self.n_triangles,
            "orbits": len(self.orbits),
            "orbit_sizes": sorted({len(o.members) for o in self.orbits}),
            "components": self.n_components,
            "features": self.n_features,
            "irrep_copies": {k: int(len(v[0])) for k, v in self._irrep_index.items()},
        }

    # ----------------------------------------------------------------------------- lattice binding

    def index_tensors(self, lattice: Any) -> dict[str, Any]:
        """Precomputed tensors for ``lattice`` (an object with ``positions``, ``L``, ``Ly``):
        ``"neighbors"`` (N, M) site index of each neighbourhood offset of every site.

        On a strip (``lattice.periodic_x == False``, open along a1) offsets beyond the open x edges map
        to the ghost index ``N`` (a site of zero spin) and the dict has ``"ghost": True``.
        """
        import torch

        icoords, cell = lattice_coordinates(lattice, self.lattice_kind)
        if not getattr(lattice, "periodic_x", True):
            return self._open_index_tensors(icoords, cell)
        table = _SiteTable(icoords, cell)
        nb = table.lookup(icoords[:, None, :] + self.offsets[None, :, :])
        # the neighbourhood must not wrap onto itself (two offsets on one periodic image)
        srt = np.sort(nb[:1], axis=1)
        if np.any(srt[:, 1:] == srt[:, :-1]):
            raise ParameterError(
                f"lattice too small for the descriptor: the neighbourhood of radius {float(self.radii.max()):.3g} "
                "wraps onto itself under the periodic boundary conditions (use a larger lattice or a smaller cutoff)"
            )
        return {"neighbors": torch.as_tensor(nb, dtype=torch.long), "n_sites": len(icoords)}

    def _open_index_tensors(self, icoords: np.ndarray, cell: np.ndarray) -> dict[str, Any]:
        """Index tensors of a strip open along a1 (ghost index N beyond the x edges), periodic along a2."""
        import torch

        N = len(icoords)
        Lx, Ly = int(cell[0, 0]), int(cell[1, 1])
        x0, y0 = icoords[:, 0], icoords[:, 1]
        if not (np.array_equal(np.sort(x0 + Lx * y0), np.arange(N)) and x0.min() == 0 and x0.max() == Lx - 1):
            raise ParameterError("strip lattices must have sites at integer coordinates 0 <= x < L, 0 <= y < Ly")
        site_of = np.empty(N, dtype=np.int64)
        site_of[x0 + Lx * y0] = np.arange(N)
        x = x0[:, None] + self.offsets[None, :, 0]
        y = np.mod(y0[:, None] + self.offsets[None, :, 1], Ly)
        inside = (x >= 0) & (x < Lx)
        nb = np.where(inside, site_of[np.where(inside, x, 0) + Lx * y], N)
        # the neighbourhood must not wrap onto itself along the periodic y direction
        srt = np.sort(nb, axis=1)
        if np.any((srt[:, 1:] == srt[:, :-1]) & (srt[:, 1:] < N)):
            raise ParameterError(
                f"strip too narrow for the descriptor: the neighbourhood of radius {float(self.radii.max()):.3g} "
                f"wraps onto itself along the periodic y direction (Ly={Ly}; use a wider strip or a smaller cutoff)"
            )
        return {"neighbors": torch.as_tensor(nb, dtype=torch.long), "n_sites": N, "ghost": True}

    @staticmethod
    def stack_index(index: dict[str, Any], copies: int) -> dict[str, Any]:
        """Index tensors for ``copies`` configurations of one lattice stacked along the site axis, i.e. spins of
        shape (copies·N, 3) with configuration b in rows b·N … (b+1)·N − 1. Each copy sees only its own spins
        (on a strip all copies share one ghost, index copies·N), so one forward pass over the stack gives every
        configuration's descriptors, site energies and fields at once (used to batch training)."""
        import torch

        if copies < 1:
            raise ParameterError(f"copies must be >= 1, got {copies}")
        nb, N = index["neighbors"], int(index["n_sites"])
        shift = (torch.arange(copies, device=nb.device) * N)[:, None, None]
        stacked = nb[None] + shift
        if index.get("ghost"):
            stacked = torch.where(nb[None] >= N, torch.full_like(stacked, copies * N), stacked)
        out = {"neighbors": stacked.reshape(copies * N, nb.shape[1]), "n_sites": copies * N}
        if index.get("ghost"):
            out["ghost"] = True
        return out

    def bind(self, lattice: Any) -> MagneticDescriptor:
        """Attach ``lattice`` (its index tensors are cached until another lattice is bound)."""
        key = (id(lattice), len(lattice.positions))
        if self._bound_key != key:
            self._bound = self.index_tensors(lattice)
            self._bound_key = key
            self._bound_lattice = lattice
        return self

    # ----------------------------------------------------------------------------- evaluation

    def __call__(self, spins, index: dict[str, Any] | None = None, sites=None):
        """Descriptors (n, F) of ``sites`` (default: all) for spins (N, 3) (torch float64)."""
        idx = self._index(spins, index)
        P, C = self.site_tables(spins, idx)
        return self.from_tables(P, C, idx, sites)

    def _index(self, spins, index):
        idx = index if index is not None else self._bound
        if idx is None:
            raise ParameterError("no lattice bound: call descriptor.bind(lattice) or pass index=...")
        if tuple(spins.shape) != (idx["n_sites"], 3):
            raise ParameterError(f"spins must have shape ({idx['n_sites']}, 3), got {tuple(spins.shape)}")
        if idx["neighbors"].device != spins.device:
            idx["neighbors"] = idx["neighbors"].to(spins.device)
        return idx

    def site_tables(self, spins, index: dict[str, Any] | None = None):
        """Per-site tables of the SO(3) invariants, computed once for the whole lattice.

        ``P`` (N, n_pair_types): ``S_j·S_{j+δ}`` for every bond displacement type δ;
        ``C`` (N, n_triangle_types): ``S_j·(S_{j+u}×S_{j+v})`` for every elementary-triangle shape.
        Every bond/chirality of every environment is an entry of these tables. On a strip (index with
        ``"ghost"``) entries that involve a ghost site beyond an open edge are 0.
        """
        import torch

        idx = self._index(spins, index)
        nb = idx["neighbors"]
        c = self._cache(spins.device, spins.dtype)
        Sg = torch.cat([spins, spins.new_zeros((1, 3))]) if idx.get("ghost") else spins
        P = (spins[:, None, :] * Sg[nb[:, c["delta_nb"]]]).sum(-1)
        if self.n_triangles:
            u, v = Sg[nb[:, c["tri_u"]]], Sg[nb[:, c["tri_v"]]]
            C = (spins[:, None, :] * torch.linalg.cross(u, v, dim=-1)).sum(-1)
        else:
            C = spins.new_zeros((spins.shape[0], 0))
        return P, C

    def from_tables(self, P, C, index: dict[str, Any] | None = None, sites=None):
        """Descriptors (n, F) of ``sites`` from the tables of :meth:`site_tables`."""
        import torch

        idx = index if index is not None else self._bound
        nb = idx["neighbors"]
        if nb.device != P.device:
            nb = nb.to(P.device)
        if sites is not None:
            nb = nb[sites]
        c = self._cache(P.device, P.dtype)
        T = torch.cat([P, C], dim=1) if self.n_triangles else P
        if idx.get("ghost"):  # bonds/triangles anchored at a ghost site are 0
            T = torch.cat([T, T.new_zeros((1, T.shape[1]))])
        raw = T.reshape(-1)[nb[:, c["anchor"]] * T.shape[1] + c["type"]]
        return self._invariants(raw, c)

    def _invariants(self, raw, c):
        """Irrep components and their invariants from the raw bond/chirality vector (n, B + T)."""
        import torch

        n = raw.shape[0]
        comp = torch.cat(
            [
                torch.einsum("nok,omk->nom", raw[:, a:b].reshape(n, no, k), U).reshape(n, -1)
                for (a, b, no, k), U in c["groups"]
            ],
            dim=1,
        )[:, c["irrep_perm"]]
        feats = []
        eps2 = self.reference_eps**2
        for name, (start, copies, d) in self._irrep_slices.items():
            f = comp[:, start : start + copies * d].reshape(n, copies, d)
            if name == "A1":
                feats.append(f[..., 0])
                continue
            if self.invariants in ("both", "power"):
                feats.append((f * f).sum(-1))
            if self.invariants in ("both", "reference"):
                r = torch.einsum("ncd,c->nd", f, c["irreps"][name][1])
                ref = r * torch.rsqrt((r * r).sum(-1, keepdim=True) + eps2)
                feats.append(torch.einsum("ncd,nd->nc", f, ref))
        return torch.cat(feats, dim=1)

    def from_environment(self, env):
        """Descriptors (n, F) from the spins of each neighbourhood, ``env`` (n, M, 3) ordered as
        :attr:`offsets` (a lattice-free path, used to cross-check :meth:`__call__`)."""
        import torch

        bp, bq = self._raw_bonds[:, 0], self._raw_bonds[:, 1]
        raw = [(env[:, bp] * env[:, bq]).sum(-1)]
        if self.n_triangles:
            t = self._raw_tris
            raw.append((env[:, t[:, 0]] * torch.linalg.cross(env[:, t[:, 1]], env[:, t[:, 2]], dim=-1)).sum(-1))
        raw = torch.cat(raw, dim=1)[:, torch.as_tensor(self._raw_order, device=env.device)]
        return self._invariants(raw, self._cache(env.device, env.dtype))

    def _build_tables(self) -> None:
        """Translate every bond/triangle of the environment into (anchor site, column) of the global tables
        ``[P | C]`` of :meth:`site_tables`, in the order of the raw vector."""
        index = {tuple(v): k for k, v in enumerate(self.offsets.tolist())}
        deltas: dict[tuple, int] = {}
        b_anchor, b_type = [], []
        for p, q in self._raw_bonds.tolist():
            d = self.offsets[q] - self.offsets[p]
            if d[0] > 0 or (d[0] == 0 and d[1] > 0):
                a = p
            else:
                a, d = q, -d
            b_anchor.append(a)
            b_type.append(deltas.setdefault(tuple(d.tolist()), len(deltas)))
        self._delta_nb = np.array([index[d] for d in deltas], dtype=np.int64)
        shapes: dict[tuple, int] = {}
        t_anchor, t_type = [], []
        for t in self._raw_tris.tolist():
            k = min(range(3), key=lambda m: tuple(self.offsets[t[m]].tolist()))
            a, b, c = t[k], t[(k + 1) % 3], t[(k + 2) % 3]
            shape = (
                tuple((self.offsets[b] - self.offsets[a]).tolist()),
                tuple((self.offsets[c] - self.offsets[a]).tolist()),
            )
            t_anchor.append(a)
            t_type.append(len(deltas) + shapes.setdefault(shape, len(shapes)))
        self._tri_u = np.array([index[s[0]] for s in shapes], dtype=np.int64)
        self._tri_v = np.array([index[s[1]] for s in shapes], dtype=np.int64)
        anchor = np.array(b_anchor + t_anchor, dtype=np.int64)
        ttype = np.array(b_type + t_type, dtype=np.int64)
        self._anchor = anchor[self._raw_order]
        self._type = ttype[self._raw_order]

    def _cache(self, dev, dt) -> dict[str, Any]:
        import torch

        cache = getattr(self, "_tcache", None)
        if cache is not None and cache["device"] == dev and cache["dtype"] == dt:
            return cache

        def L(x):
            return torch.as_tensor(np.ascontiguousarray(x), dtype=torch.long, device=dev)

        cache = {
            "device": dev,
            "dtype": dt,
            "delta_nb": L(self._delta_nb),
            "anchor": L(self._anchor),
            "type": L(self._type),
            "tri_u": L(self._tri_u),
            "tri_v": L(self._tri_v),
            "groups": [
                ((int(i[0, 0]), int(i[0, 0] + i.size), i.shape[0], i.shape[1]), torch.as_tensor(U, dtype=dt, device=dev))
                for i, U in self._groups
            ],
            "irrep_perm": L(self._irrep_perm),
            "irreps": {
                k: (L(i), torch.as_tensor(w, dtype=dt, device=dev)) for k, (i, w) in self._irrep_index.items()
            },
        }
        self._tcache = cache
        return cache

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"MagneticDescriptor({self.lattice_kind!r}, cutoff={self.cutoff}, bond_cutoff={self.bond_cutoff}, "
            f"chirality_cutoff={self.chirality_cutoff}: {s['bonds']} bonds, {s['triangles']} triangles, "
            f"{s['orbits']} orbits -> {s['features']} features)"
        )
