"""Itinerant spin models with classical local moments, and a classical Heisenberg reference model.

s-d (Kondo-lattice) model, spec §1.1/§10 conventions::

    H = − Σ_{ij,α} t_ij c†_{iα} c_{jα} − J Σ_i S_i · c†_{iα} σ_{αβ} c_{iβ}  (+ Σ_i V_i n_i)

* |S_i| = 1 classical unit vectors, σ the Pauli matrices (local levels split by 2J), t_ij = t1 (first shell),
  t2 (second shell), t3 (the shell at distance 2, i.e. 2a along the nearest-neighbour directions).
* Energy unit t1 = 1, time unit 1/t1 (ħ = 1).
* ``filling`` = n_e, electrons per site summed over both spins (0 ≤ n_e ≤ 2; half filling n_e = 1),
  used at fixed particle number; or ``mu`` for the grand-canonical ensemble. ``temperature`` is the
  electron temperature k_B T_el in units of t1.
* Single-particle basis index ``2 i + s`` (s = 0 ↑, 1 ↓), so the matrix is (2N, 2N).

The double-exchange model ([PS1]/[PS2]) is the same Hamiltonian on the square lattice with nearest-neighbour
hopping t and finite Hund coupling J_H (Pauli convention, spec §10: J_H = 6, n_e = 0.97).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from altermag.core.errors import ParameterError
from altermag.dynamics.lattice import SpinLattice

__all__ = ["SDModel", "DoubleExchangeModel", "HeisenbergCalculator", "metropolis", "random_spins",
           "DEFAULT_SETS"]

#: Verified parameter sets of spec §10 (t1 = 1, t3 = 0). ``mu_gap`` is a mid-gap chemical potential.
DEFAULT_SETS = {
    "tetrahedral": {"kind": "triangular", "t1": 1.0, "t3": 0.0, "J": 3.0, "filling": 0.5, "mu_gap": -3.30},
    "120": {"kind": "triangular", "t1": 1.0, "t3": 0.0, "J": 5.0, "filling": 1.0, "mu_gap": 1.0},
    "double-exchange": {"kind": "square", "t1": 1.0, "t3": 0.0, "J": 6.0, "filling": 0.97, "mu_gap": None},
}
_ALIASES = {"sd-triangular": "tetrahedral", "tetra": "tetrahedral", "120deg": "120", "neel120": "120",
            "de": "double-exchange", "de-square": "double-exchange", "sd-square": "double-exchange"}


def random_spins(n: int, seed: int | np.random.Generator | None = 0) -> np.ndarray:
    """``n`` independent unit vectors uniformly distributed on the sphere, shape (n, 3)."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    v = rng.normal(size=(n, 3))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _check_spins(spins, n_sites: int) -> np.ndarray:
    s = np.asarray(spins, dtype=float)
    if s.shape != (n_sites, 3):
        raise ParameterError(f"spins shape {s.shape}: expected ({n_sites}, 3)")
    if not np.all(np.isfinite(s)):
        raise ParameterError(f"spins: {int(np.sum(~np.isfinite(s).all(axis=1)))} sites have non-finite components")
    return s


class SDModel:
    """s-d / Kondo-lattice model with classical spins (see module docstring for the conventions).

    Parameters
    ----------
    lattice : SpinLattice
    t1, t2, t3 : hopping amplitudes of shells 1, 2 and of the distance-2 shell (units of t1).
    J : s-d coupling (Pauli convention).
    filling : electrons per site n_e (both spins); fixed particle number N_e = round(n_e N).
    mu : chemical potential (grand canonical). Give ``filling`` or ``mu``, not both; neither gives n_e = 0.5.
    temperature : electron temperature (units of t1); 0 fills the lowest N_e levels.
    onsite : optional on-site potential V_i (N,), e.g. a bias profile.
    """

    name = "sd"

    def __init__(self, lattice: SpinLattice, t1: float = 1.0, t3: float = 0.0, J: float = 3.0,
                 filling: float | None = None, mu: float | None = None, temperature: float = 0.0,
                 t2: float = 0.0, onsite: np.ndarray | None = None):
        if not isinstance(lattice, SpinLattice):
            raise ParameterError(f"lattice={lattice!r}: must be a SpinLattice")
        if filling is not None and mu is not None:
            raise ParameterError(f"filling={filling} and mu={mu}: give only one of them")
        if filling is None and mu is None:
            filling = 0.5
        if filling is not None and not (0.0 <= filling <= 2.0):
            raise ParameterError(f"filling={filling}: electrons per site must lie in [0, 2]")
        if temperature < 0:
            raise ParameterError(f"temperature={temperature}: must be >= 0")
        self.lattice = lattice
        self.t1, self.t2, self.t3, self.J = float(t1), float(t2), float(t3), float(J)
        self.filling = None if filling is None else float(filling)
        self.mu = None if mu is None else float(mu)
        self.temperature = float(temperature)
        N = lattice.n_sites
        self.onsite = None if onsite is None else np.asarray(onsite, float).reshape(N)
        self.n_electrons = None if filling is None else int(round(self.filling * N))
        self._hop = None
        self._hop_dense = None

    # ---------------------------------------------------------------- constructors
    @classmethod
    def default(cls, kind: str = "tetrahedral", L: int = 12, Ly: int | None = None, **overrides) -> "SDModel":
        """Model at a verified parameter set of spec §10: ``"tetrahedral"`` (alias ``"sd-triangular"``;
        triangular, n_e = 0.5, J = 3), ``"120"`` (triangular, n_e = 1, J = 5) or ``"double-exchange"``
        (square, n_e = 0.97, J_H = 6), on an L × Ly lattice. Keyword overrides replace parameters."""
        key = _ALIASES.get(kind, kind)
        if key not in DEFAULT_SETS:
            raise ParameterError(f"kind={kind!r}: one of {sorted(DEFAULT_SETS) + sorted(_ALIASES)}")
        p = dict(DEFAULT_SETS[key])
        lat = SpinLattice(p.pop("kind"), L, Ly)
        p.pop("mu_gap")
        p.update(overrides)
        if "mu" in overrides and overrides["mu"] is not None:
            p["filling"] = None
        if key == "double-exchange":
            return DoubleExchangeModel(lat, t=p["t1"], J_H=p["J"], filling=p["filling"], mu=p.get("mu"),
                                       temperature=p.get("temperature", 0.0))
        return cls(lat, **p)

    def params(self) -> dict:
        """The model parameters (JSON-serialisable)."""
        return {"model": self.name, "kind": self.lattice.kind, "L": self.lattice.L, "Ly": self.lattice.Ly,
                "periodic_x": self.lattice.periodic_x, "t1": self.t1, "t2": self.t2, "t3": self.t3, "J": self.J,
                "filling": self.filling, "mu": self.mu, "temperature": self.temperature}

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.lattice!r}, t1={self.t1}, t3={self.t3}, J={self.J}, "
                f"filling={self.filling}, mu={self.mu}, T={self.temperature})")

    # ---------------------------------------------------------------- matrices
    @property
    def n_orbitals(self) -> int:
        return 2 * self.lattice.n_sites

    def hopping_matrix(self) -> sp.csr_matrix:
        """Spin-independent part (N, N): −t_ij (+ V_i on the diagonal), Hermitian, real."""
        if self._hop is None:
            lat = self.lattice
            N = lat.n_sites
            rows, cols, vals = [], [], []
            shells = [(1, self.t1), (2, self.t2)]
            if self.t3 != 0.0:
                shells.append((lat.shell_of_distance(2.0), self.t3))
            for s, t in shells:
                if t == 0.0:
                    continue
                nb = lat.neighbors(s)
                i = np.repeat(np.arange(N), nb.shape[1])
                j = nb.ravel()
                m = j >= 0
                rows.append(i[m])
                cols.append(j[m])
                vals.append(np.full(m.sum(), -t))
            if self.onsite is not None:
                rows.append(np.arange(N))
                cols.append(np.arange(N))
                vals.append(self.onsite)
            if rows:
                h = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                                  shape=(N, N)).tocsr()
            else:
                h = sp.csr_matrix((N, N))
            self._hop = h
        return self._hop

    def spectral_bound(self) -> float:
        """Upper bound on |ε| (Gershgorin): max row sum of |t_ij| + |V_i| + |J|."""
        h = abs(self.hopping_matrix())
        return float(np.max(np.asarray(h.sum(axis=1)).ravel(), initial=0.0)) + abs(self.J)

    def _local_blocks(self, spins: np.ndarray) -> np.ndarray:
        """−J S_i·σ as (N, 2, 2) complex blocks."""
        s = spins
        J = self.J
        blk = np.empty((len(s), 2, 2), complex)
        blk[:, 0, 0] = -J * s[:, 2]
        blk[:, 1, 1] = J * s[:, 2]
        blk[:, 0, 1] = -J * (s[:, 0] - 1j * s[:, 1])
        blk[:, 1, 0] = -J * (s[:, 0] + 1j * s[:, 1])
        return blk

    def hamiltonian(self, spins: np.ndarray) -> sp.csr_matrix:
        """Sparse single-particle Hamiltonian (2N, 2N) complex for the spin configuration ``spins`` (N, 3)."""
        N = self.lattice.n_sites
        spins = _check_spins(spins, N)
        hop = sp.kron(self.hopping_matrix(), sp.identity(2), format="csr")
        i = np.arange(N)
        r = np.stack([2 * i, 2 * i, 2 * i + 1, 2 * i + 1], 1).ravel()
        c = np.stack([2 * i, 2 * i + 1, 2 * i, 2 * i + 1], 1).ravel()
        loc = sp.csr_matrix((self._local_blocks(spins).reshape(-1), (r, c)), shape=(2 * N, 2 * N))
        return (hop.astype(complex) + loc).tocsr()

    def hamiltonian_dense(self, spins: np.ndarray) -> np.ndarray:
        """Dense single-particle Hamiltonian (2N, 2N) complex."""
        N = self.lattice.n_sites
        spins = _check_spins(spins, N)
        h = np.zeros((N, 2, N, 2), complex)
        if getattr(self, "_hop_dense", None) is None:
            self._hop_dense = self.hopping_matrix().toarray()
        hop = self._hop_dense
        h[:, 0, :, 0] = hop
        h[:, 1, :, 1] = hop
        i = np.arange(N)
        h[i, :, i, :] += self._local_blocks(spins)
        return h.reshape(2 * N, 2 * N)


class DoubleExchangeModel(SDModel):
    """Square-lattice double-exchange model with finite Hund coupling (spec §1.2, §10).

    Same Hamiltonian as :class:`SDModel` with t1 = t and J = J_H (Pauli convention; J_H = 6 ⇔ J_s = 12
    with s = σ/2). Default: n_e = 0.97 electrons per site (3 % holes, 0.485 per spin-orbital).
    """

    name = "double-exchange"

    def __init__(self, lattice: SpinLattice, t: float = 1.0, J_H: float = 6.0, filling: float | None = 0.97,
                 mu: float | None = None, temperature: float = 0.0, onsite: np.ndarray | None = None):
        if mu is not None:
            filling = None
        super().__init__(lattice, t1=t, t3=0.0, J=J_H, filling=filling, mu=mu, temperature=temperature,
                         onsite=onsite)


# ====================================================================== classical Heisenberg reference
class HeisenbergCalculator:
    """Classical Heisenberg model E = Σ_shells J_s Σ_<ij>_s S_i·S_j − h·Σ_i S_i (J > 0 antiferromagnetic).

    Same interface as the electronic calculators: ``energy_and_field(spins) -> (E, H)`` with
    H_i = −∂E/∂S_i = −Σ_j J_ij S_j + h. Used to validate the stochastic LLG integrator against Monte Carlo.
    """

    def __init__(self, lattice: SpinLattice, J1: float = -1.0, J2: float = 0.0, J3: float = 0.0,
                 h=(0.0, 0.0, 0.0)):
        self.lattice = lattice
        self.couplings = [(1, float(J1)), (2, float(J2)), (3, float(J3))]
        self.couplings = [(s, j) for s, j in self.couplings if j != 0.0]
        self.h = np.asarray(h, float)

    def field(self, spins: np.ndarray) -> np.ndarray:
        s = np.asarray(spins, float)
        H = np.broadcast_to(self.h, s.shape).copy()
        for shell, Jv in self.couplings:
            nb = self.lattice.neighbors(shell)
            valid = (nb >= 0)[..., None]
            H -= Jv * np.where(valid, s[np.maximum(nb, 0)], 0.0).sum(axis=1)
        return H

    def energy_and_field(self, spins: np.ndarray) -> tuple[float, np.ndarray]:
        s = np.asarray(spins, float)
        H = self.field(s)
        # the pair term is counted twice in Σ_i S_i·(H_i − h)
        E = -0.5 * np.sum(s * (H - self.h)) - np.sum(s * self.h)
        return float(E), H

    def energy(self, spins: np.ndarray) -> float:
        return self.energy_and_field(spins)[0]


def _greedy_coloring(neigh: list[np.ndarray], N: int) -> np.ndarray:
    """Greedy colouring of the interaction graph (no two interacting sites share a colour)."""
    color = -np.ones(N, int)
    for i in range(N):
        used = set(color[np.concatenate([n[i] for n in neigh])].tolist())
        c = 0
        while c in used:
            c += 1
        color[i] = c
    return color


def metropolis(calc: HeisenbergCalculator, spins: np.ndarray, temperature: float, n_sweeps: int,
               seed: int = 0, step: float = 0.6, record_every: int = 1):
    """Metropolis Monte Carlo for a :class:`HeisenbergCalculator` (checkerboard-parallel sweeps).

    Proposal: S' = normalise(S + step·ξ), ξ ~ N(0, 1)³ (symmetric). Returns ``(spins, energies)`` with the
    total energy recorded every ``record_every`` sweeps.
    """
    rng = np.random.default_rng(seed)
    s = np.array(spins, float)
    N = len(s)
    neigh = [calc.lattice.neighbors(sh) for sh, _ in calc.couplings]
    color = _greedy_coloring(neigh, N)
    groups = [np.nonzero(color == c)[0] for c in range(color.max() + 1)]
    energies = []
    beta = 1.0 / temperature
    for sweep in range(n_sweeps):
        for g in groups:
            H = calc.field(s)[g]
            new = s[g] + step * rng.normal(size=(len(g), 3))
            new /= np.linalg.norm(new, axis=1, keepdims=True)
            dE = -np.sum((new - s[g]) * H, axis=1)
            acc = rng.random(len(g)) < np.exp(-beta * np.clip(dE, 0, None))
            s[g[acc]] = new[acc]
        if (sweep + 1) % record_every == 0:
            energies.append(calc.energy(s))
    return s, np.array(energies)
