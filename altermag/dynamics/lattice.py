"""Square and triangular spin lattices: sites, neighbour shells, point-group operations.

Conventions
-----------
* Lengths in units of the lattice constant a = 1.
* Square: a1 = (1, 0), a2 = (0, 1). Triangular: a1 = (1, 0), a2 = (1/2, √3/2).
* Site index ``i = x + L * y`` for integer coordinates ``0 <= x < L``, ``0 <= y < Ly``;
  position ``r_i = x a1 + y a2``. The supercell vectors are ``L a1`` and ``Ly a2`` (rows of ``.cell``).
* Periodic boundaries in both directions by default; ``periodic_x=False`` gives open boundaries along
  x (a strip between leads): neighbours that would cross the x edge are reported as ``-1``.
* Shell ``s`` (``s >= 1``) is the set of sites at the ``s``-th smallest non-zero distance;
  ``shell_distances[0] = 0`` is the site itself. Within a shell the neighbours are ordered
  counter-clockwise by bond angle starting at angle 0 (ties: shorter vector first), the same order for
  every site, so ``neighbors(s)[:, k]`` is always the same bond direction ``offsets(s)[k]``.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from altermag.core.errors import ParameterError

__all__ = ["SpinLattice"]

_SQRT3 = np.sqrt(3.0)


class SpinLattice:
    """A finite square or triangular lattice of classical spins.

    Parameters
    ----------
    kind : "square" | "triangular"
    L : int, number of sites along a1 (x).
    Ly : int, number of sites along a2 (defaults to ``L``).
    periodic_x : bool, periodic boundary along a1 (True) or open (False, strip geometry).
    """

    def __init__(self, kind: str, L: int, Ly: int | None = None, periodic_x: bool = True):
        if kind not in ("square", "triangular"):
            raise ParameterError(f"kind={kind!r}: must be 'square' or 'triangular'")
        if int(L) != L or L < 1:
            raise ParameterError(f"L={L}: must be a positive integer")
        Ly = L if Ly is None else Ly
        if int(Ly) != Ly or Ly < 1:
            raise ParameterError(f"Ly={Ly}: must be a positive integer")
        self.kind = kind
        self.L = int(L)
        self.Ly = int(Ly)
        self.periodic_x = bool(periodic_x)
        if kind == "square":
            self.a = np.array([[1.0, 0.0], [0.0, 1.0]])
        else:
            self.a = np.array([[1.0, 0.0], [0.5, _SQRT3 / 2]])
        self.n_sites = self.L * self.Ly
        y, x = np.divmod(np.arange(self.n_sites), self.L)
        self.coords = np.stack([x, y], axis=1)  # (N, 2) integer lattice coordinates
        self.positions = self.coords @ self.a  # (N, 2) Cartesian
        self.cell = np.array([self.L * self.a[0], self.Ly * self.a[1]])
        self._nb_cache: dict = {}

    # ------------------------------------------------------------------ basic geometry
    def __repr__(self) -> str:
        bc = "" if self.periodic_x else ", periodic_x=False"
        return f"SpinLattice({self.kind!r}, L={self.L}, Ly={self.Ly}{bc})"

    @property
    def coordination(self) -> int:
        """Number of nearest neighbours (4 square, 6 triangular)."""
        return 4 if self.kind == "square" else 6

    @property
    def reciprocal(self) -> np.ndarray:
        """Primitive reciprocal vectors b1, b2 (rows), with a_i · b_j = 2π δ_ij."""
        return 2 * np.pi * np.linalg.inv(self.a).T

    def site_index(self, x, y) -> np.ndarray:
        """Index of the site at integer coordinates (x, y) (wrapped periodically; -1 off an open edge)."""
        x = np.asarray(x)
        y = np.asarray(y) % self.Ly
        if self.periodic_x:
            return (x % self.L) + self.L * y
        return np.where((x >= 0) & (x < self.L), x + self.L * y, -1)

    # ------------------------------------------------------------------ shells and neighbours
    @cached_property
    def _shell_table(self):
        """All integer offsets within a generous radius, grouped by distance."""
        R = 8
        d = np.arange(-R, R + 1)
        dx, dy = np.meshgrid(d, d, indexing="ij")
        off = np.stack([dx.ravel(), dy.ravel()], 1)
        vec = off @ self.a
        dist = np.round(np.linalg.norm(vec, axis=1), 9)
        keep = dist <= R * (0.85 if self.kind == "triangular" else 0.99)
        off, vec, dist = off[keep], vec[keep], dist[keep]
        uniq = np.unique(dist)
        shells = []
        for r in uniq:
            m = dist == r
            o, v = off[m], vec[m]
            ang = np.round(np.mod(np.arctan2(v[:, 1], v[:, 0]), 2 * np.pi), 9)
            order = np.lexsort((np.linalg.norm(v, axis=1), ang))
            shells.append(o[order])
        return uniq, shells

    @property
    def shell_distances(self) -> np.ndarray:
        """Distances of the neighbour shells; index 0 is the site itself (distance 0)."""
        return self._shell_table[0]

    def offsets(self, shell: int) -> np.ndarray:
        """Integer offsets (z, 2) of shell ``shell`` in lattice coordinates, ordered counter-clockwise."""
        uniq, shells = self._shell_table
        if shell < 0 or shell >= len(shells):
            raise ParameterError(f"shell={shell}: must be between 0 and {len(shells) - 1}")
        return shells[shell]

    def shell_of_distance(self, r: float, tol: float = 1e-6) -> int:
        """Index of the shell at distance ``r`` (ParameterError if there is none)."""
        k = np.nonzero(np.abs(self.shell_distances - r) < tol)[0]
        if len(k) == 0:
            raise ParameterError(f"r={r}: no neighbour shell at this distance on the {self.kind} lattice")
        return int(k[0])

    def neighbors_at(self, offsets: np.ndarray) -> np.ndarray:
        """Indices (N, n) of the sites at integer ``offsets`` (n, 2) from every site (-1 across an open edge)."""
        offsets = np.asarray(offsets, dtype=int).reshape(-1, 2)
        x = self.coords[:, 0:1] + offsets[None, :, 0]
        y = self.coords[:, 1:2] + offsets[None, :, 1]
        return self.site_index(x, y)

    def neighbors(self, shell: int = 1) -> np.ndarray:
        """Indices (N, z) of the neighbours in shell ``shell`` (see module docstring for the ordering)."""
        if shell not in self._nb_cache:
            self._nb_cache[shell] = self.neighbors_at(self.offsets(shell))
        return self._nb_cache[shell]

    def offsets_within(self, rcut: float, include_self: bool = False) -> np.ndarray:
        """All integer offsets with 0 < |r| <= rcut (shell by shell, each shell counter-clockwise)."""
        uniq, shells = self._shell_table
        if rcut > uniq[-1]:
            raise ParameterError(f"rcut={rcut}: at most {uniq[-1]:.3f} lattice constants supported")
        sel = [shells[s] for s in range(0 if include_self else 1, len(uniq)) if uniq[s] <= rcut + 1e-9]
        return np.concatenate(sel, axis=0)

    def bonds(self, shell: int = 1) -> np.ndarray:
        """Unique bonds (n_bonds, 2) of shell ``shell`` (each pair once; periodic images kept as separate bonds)."""
        off = self.offsets(shell)
        half = off[: len(off) // 2] if len(off) % 2 == 0 else off
        nb = self.neighbors_at(half)
        i = np.repeat(np.arange(self.n_sites), len(half))
        j = nb.ravel()
        m = j >= 0
        return np.stack([i[m], j[m]], 1)

    # ------------------------------------------------------------------ displacements
    def displacements(self, i, j) -> np.ndarray:
        """Minimal-image Cartesian vectors r_j − r_i (broadcast over index arrays)."""
        i = np.asarray(i)
        j = np.asarray(j)
        d = self.coords[j] - self.coords[i]  # (..., 2) integer
        d = d.astype(float)
        if self.periodic_x:
            d[..., 0] = (d[..., 0] + self.L / 2) % self.L - self.L / 2
        d[..., 1] = (d[..., 1] + self.Ly / 2) % self.Ly - self.Ly / 2
        best = d @ self.a
        if self.kind == "triangular":  # the rhombic cell: also try the neighbouring images
            bn = np.linalg.norm(best, axis=-1)
            sx = [-1, 0, 1] if self.periodic_x else [0]
            for a in sx:
                for b in (-1, 0, 1):
                    if a == 0 and b == 0:
                        continue
                    cand = (d + np.array([a * self.L, b * self.Ly])) @ self.a
                    cn = np.linalg.norm(cand, axis=-1)
                    better = cn < bn - 1e-12
                    best = np.where(better[..., None], cand, best)
                    bn = np.where(better, cn, bn)
        return best

    # ------------------------------------------------------------------ triangles
    def triangles(self) -> np.ndarray:
        """Elementary triangles (n_tri, 3), vertices counter-clockwise.

        Triangular lattice: 2N triangles, ``[:N]`` the up triangles (r, r+a1, r+a2) and ``[N:]`` the down
        triangles (r+a1, r+a1+a2, r+a2) — both of the unit cell at r. Square lattice: each plaquette split
        along its diagonal into (r, r+a1, r+a1+a2) and (r, r+a1+a2, r+a2) (used for the topological charge).
        Triangles that cross an open edge are dropped.
        """
        if self.kind == "triangular":
            up = self.neighbors_at([[0, 0], [1, 0], [0, 1]])
            dn = self.neighbors_at([[1, 0], [1, 1], [0, 1]])
        else:
            up = self.neighbors_at([[0, 0], [1, 0], [1, 1]])
            dn = self.neighbors_at([[0, 0], [1, 1], [0, 1]])
        t = np.concatenate([up, dn], 0)
        return t[(t >= 0).all(1)]

    # ------------------------------------------------------------------ point group
    def point_group(self) -> np.ndarray:
        """Cartesian matrices (G, 2, 2) of the site point group: D4 (8) for square, D6 (12) for triangular.

        Order: the rotations by k·2π/n (k = 0..n−1) first, then the mirrors R_k·M_x with M_x: (x, y) → (x, −y).
        """
        n = 4 if self.kind == "square" else 6
        ops = []
        mx = np.diag([1.0, -1.0])
        for mirror in (False, True):
            for k in range(n):
                th = 2 * np.pi * k / n
                R = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
                ops.append(R @ mx if mirror else R)
        return np.array(ops)

    def integer_point_group(self) -> np.ndarray:
        """The point-group operations acting on integer lattice coordinates, (G, 2, 2) integer.

        For a row vector of integer offsets ``n``: ``n' = n @ M.T`` with ``M = A^{-T} R A^T``... i.e.
        ``(n @ a) @ R.T == (n @ M.T) @ a``.
        """
        A = self.a
        Ainv = np.linalg.inv(A)
        mats = np.array([A @ R.T @ Ainv for R in self.point_group()])  # n @ (A R^T A^-1) = n'
        Mi = np.rint(mats).astype(int)
        if not np.allclose(mats, Mi, atol=1e-9):  # pragma: no cover - guarded by construction
            raise RuntimeError("point-group operation is not integral on this lattice")
        return np.transpose(Mi, (0, 2, 1))  # M with n' = n @ M.T

    def site_permutations(self, ops: np.ndarray | None = None, center: int = 0) -> np.ndarray:
        """Permutations (G, N): ``perm[g, j]`` is the site that site ``j`` is carried to by operation g about ``center``.

        Transformed configuration: ``S_new[perm[g]] = S`` (i.e. ``S'_{g(j)} = S_j``). Requires a periodic
        lattice that is mapped onto itself: ``L == Ly`` (square and triangular).
        ``ops``: Cartesian (G, 2, 2) matrices from :meth:`point_group` (default: the whole group).
        """
        if not self.periodic_x or self.L != self.Ly:
            raise ParameterError(f"site_permutations needs a periodic L × L lattice (got {self!r})")
        full = self.point_group()
        imats = self.integer_point_group()
        if ops is None:
            sel = np.arange(len(full))
        else:
            ops = np.asarray(ops).reshape(-1, 2, 2)
            sel = np.array([int(np.argmin(np.abs(full - o).sum(axis=(1, 2)))) for o in ops])
        c = self.coords[center]
        rel = self.coords - c
        perms = []
        for g in sel:
            new = rel @ imats[g].T + c
            perms.append(self.site_index(new[:, 0], new[:, 1]))
        return np.array(perms)

    def translation_permutation(self, dx: int, dy: int) -> np.ndarray:
        """Permutation (N,) carrying site j to the site translated by dx a1 + dy a2 (periodic)."""
        return self.site_index(self.coords[:, 0] + dx, self.coords[:, 1] + dy)

    def q_grid(self) -> np.ndarray:
        """Allowed wave vectors (Ly, L, 2) of the periodic supercell: q = (m/L) b1 + (n/Ly) b2 (m, n ≥ 0)."""
        b = self.reciprocal
        m = np.arange(self.L) / self.L
        n = np.arange(self.Ly) / self.Ly
        N_, M_ = np.meshgrid(n, m, indexing="ij")
        return M_[..., None] * b[0] + N_[..., None] * b[1]
