"""Ground-state checks of the s-d model on the triangular lattice (spec §9 step 2, §10).

* :func:`ansatz` builds the candidate states FM, 120°, stripe, up-up-down (uud), coplanar 2Q, 3-up-1-down,
  tetrahedral triple-Q and single-Q coplanar spirals on any compatible lattice.
* :func:`kspace_energy` gives the energy per site of a periodic state in the thermodynamic limit (magnetic supercell
  Bloch Hamiltonian on a K × K grid of the magnetic Brillouin zone, canonical filling at T = 0), and
  :func:`spiral_energy` that of a spiral S_r = (cos q·r, sin q·r, 0) from the 2 × 2 Hamiltonian
  [[ε_k, −J], [−J, ε_{k+q}]].
* :func:`candidate_energies` compares all candidates, by ED on a finite lattice and/or in k-space.
* :func:`relax_to_ground_state` runs ED-LLG from random spins and :func:`classify_state` names the result.

Conventions as in :mod:`altermag.dynamics.models` (n_e electrons per site over both spins, Pauli J, t1 = 1).
"""

from __future__ import annotations

import numpy as np

from altermag.core.errors import ParameterError
from altermag.dynamics.lattice import SpinLattice
from altermag.dynamics.models import SDModel, random_spins

__all__ = ["CANDIDATES", "ansatz", "kspace_energy", "spiral_energy", "best_spiral", "candidate_energies",
           "classify_state", "relax_to_ground_state", "M_POINTS", "K_POINT"]

CANDIDATES = ("FM", "120", "stripe", "uud", "2Q", "3u1d", "tetrahedral")
_S3 = np.sqrt(3.0)
#: the three M points of the triangular lattice (a = 1) and the K point
M_POINTS = np.array([[np.pi, np.pi / _S3], [0.0, 2 * np.pi / _S3], [np.pi, -np.pi / _S3]])
K_POINT = np.array([4 * np.pi / 3, 0.0])
#: magnetic supercell (n1, n2) of each candidate on the triangular lattice
_CELLS = {"FM": (1, 1), "120": (3, 3), "uud": (3, 3), "stripe": (2, 2), "2Q": (2, 2), "3u1d": (2, 2),
          "tetrahedral": (2, 2)}


def ansatz(name: str, lattice: SpinLattice, q=None) -> np.ndarray:
    """Spins (N, 3) of the candidate state ``name`` on ``lattice`` (triangular; FM and spirals on any lattice).

    ``"spiral"`` needs ``q`` (Cartesian, 1/a). The 3-sublattice states need L, Ly divisible by 3, the M-point states
    L, Ly even (a ParameterError otherwise).
    """
    r = lattice.positions
    N = lattice.n_sites
    if name == "FM":
        return np.tile([0.0, 0.0, 1.0], (N, 1))
    if name == "spiral":
        if q is None:
            raise ParameterError("q=None: the spiral ansatz needs a wave vector q")
        ph = r @ np.asarray(q, float)
        return np.stack([np.cos(ph), np.sin(ph), np.zeros(N)], 1)
    if lattice.kind != "triangular":
        raise ParameterError(f"name={name!r}: only FM and spirals are defined on the {lattice.kind} lattice")
    if name not in CANDIDATES:
        raise ParameterError(f"name={name!r}: one of {CANDIDATES + ('spiral',)}")
    n1, n2 = _CELLS[name]
    if lattice.L % n1 or lattice.Ly % n2:
        raise ParameterError(f"name={name!r} needs L, Ly divisible by {n1} (got {lattice.L}×{lattice.Ly})")
    x, y = lattice.coords[:, 0], lattice.coords[:, 1]
    z = np.zeros(N)
    if name == "120":
        ph = r @ K_POINT
        return np.stack([np.cos(ph), np.sin(ph), z], 1)
    if name == "uud":
        sub = (2 * x + y) % 3
        return np.stack([z, z, np.where(sub == 2, -1.0, 1.0)], 1)
    c = np.rint(np.cos(r @ M_POINTS.T))  # (N, 3) entries ±1
    if name == "stripe":
        return np.stack([z, z, c[:, 0]], 1)
    if name == "2Q":
        return np.stack([c[:, 0], c[:, 1], z], 1) / np.sqrt(2)
    if name == "3u1d":
        return np.stack([z, z, np.where(c.sum(1) > 2, -1.0, 1.0)], 1)
    return c / _S3  # tetrahedral


def _band(kind: str, k: np.ndarray, t1: float, t3: float) -> np.ndarray:
    """Dispersion ε_k = −Σ_d t_d e^{ik·d} (Cartesian k (..., 2))."""
    lat = SpinLattice(kind, 8)
    e = 0.0
    for shell, t in ((1, t1), (lat.shell_of_distance(2.0), t3)):
        if t == 0.0:
            continue
        d = lat.offsets(shell) @ lat.a
        e = e - t * np.cos(k @ d.T).sum(-1)
    return e


def _fill(levels: np.ndarray, n_e: float, n_sites: int) -> float:
    ne = int(round(n_e * n_sites))
    lv = np.sort(levels.ravel())
    return float(lv[:ne].sum()) / n_sites


def kspace_energy(cell_spins: np.ndarray, n1: int, n2: int, kind: str = "triangular", t1: float = 1.0,
                  t3: float = 0.0, J: float = 3.0, filling: float = 0.5, K: int = 48) -> float:
    """Energy per site of the periodic state with magnetic supercell n1 × n2 (spins ``cell_spins`` (n1 n2, 3) in the
    site order x + n1 y) on a K × K grid of the magnetic BZ — identical to ED on an (n1 K) × (n2 K) lattice."""
    cell = SpinLattice(kind, n1, n2)
    ns = cell.n_sites
    lat8 = SpinLattice(kind, 8)
    shells = [(1, t1)]
    if t3 != 0.0:
        shells.append((lat8.shell_of_distance(2.0), t3))
    u = np.arange(K) / K
    U1, U2 = np.meshgrid(u, u, indexing="ij")
    # fractional k of the supercell BZ → phases e^{2πi (u1 R1 + u2 R2)} for supercell translations R
    Hk = np.zeros((K * K, ns, 2, ns, 2), complex)
    xs, ys = cell.coords[:, 0], cell.coords[:, 1]
    for shell, t in shells:
        for dx, dy in lat8.offsets(shell):
            X, Y = xs + dx, ys + dy
            R1, R2 = np.floor_divide(X, n1), np.floor_divide(Y, n2)
            j = (X % n1) + n1 * (Y % n2)
            ph = np.exp(2j * np.pi * (U1.ravel()[:, None] * R1[None, :] + U2.ravel()[:, None] * R2[None, :]))
            for s in range(2):
                np.add.at(Hk, (slice(None), np.arange(ns), s, j, s), -t * ph)
    S = np.asarray(cell_spins, float)
    blk = np.empty((ns, 2, 2), complex)
    blk[:, 0, 0], blk[:, 1, 1] = -J * S[:, 2], J * S[:, 2]
    blk[:, 0, 1] = -J * (S[:, 0] - 1j * S[:, 1])
    blk[:, 1, 0] = -J * (S[:, 0] + 1j * S[:, 1])
    i = np.arange(ns)
    for a in range(2):
        for b in range(2):
            Hk[:, i, a, i, b] += blk[None, :, a, b]
    ev = np.linalg.eigvalsh(Hk.reshape(K * K, 2 * ns, 2 * ns))
    return _fill(ev, filling, K * K * ns)


def spiral_energy(q, kind: str = "triangular", t1: float = 1.0, t3: float = 0.0, J: float = 3.0,
                  filling: float = 0.5, K: int = 96, L: int | None = None) -> float:
    """Energy per site of the coplanar spiral with wave vector q (Cartesian). ``L``: use the k grid of an L × L
    periodic lattice (then equal to ED there, q must be an allowed wave vector); else a K × K grid."""
    lat = SpinLattice(kind, L or K)
    k = lat.q_grid().reshape(-1, 2)
    q = np.asarray(q, float)
    e1 = _band(kind, k, t1, t3)
    e2 = _band(kind, k + q, t1, t3)
    avg, dif = 0.5 * (e1 + e2), 0.5 * (e1 - e2)
    root = np.sqrt(dif ** 2 + J ** 2)
    return _fill(np.concatenate([avg - root, avg + root]), filling, len(k))


def best_spiral(kind: str = "triangular", t1: float = 1.0, t3: float = 0.0, J: float = 3.0, filling: float = 0.5,
                L: int | None = None, n_q: int = 24, K: int = 72) -> dict:
    """Lowest-energy single-Q coplanar spiral: scan q over the allowed wave vectors of an L × L lattice (``L``
    given: exact on that lattice) or over an n_q × n_q grid of the BZ with a K × K k grid, then refine locally."""
    lat = SpinLattice(kind, L or n_q)
    qs = lat.q_grid().reshape(-1, 2)
    es = np.array([spiral_energy(q, kind, t1, t3, J, filling, K=K, L=L) for q in qs])
    i = int(np.argmin(es))
    best_q, best_e = qs[i], es[i]
    if L is None:  # local refinement (Nelder–Mead) in the bulk
        from scipy.optimize import minimize

        r = minimize(lambda q: spiral_energy(q, kind, t1, t3, J, filling, K=K), best_q, method="Nelder-Mead",
                     options={"xatol": 1e-4, "fatol": 1e-8, "maxiter": 200})
        if r.fun < best_e:
            best_q, best_e = r.x, float(r.fun)
    return {"q": np.asarray(best_q), "energy": float(best_e)}


def candidate_energies(J: float = 3.0, filling: float = 0.5, t1: float = 1.0, t3: float = 0.0, L: int | None = 12,
                       K: int | None = None, spiral: bool = True) -> dict:
    """Energies per site of every candidate state of the triangular s-d model.

    ``L``: ED on an L × L periodic lattice (L divisible by 6 so that every candidate fits). ``K``: k-space on a
    K × K magnetic-BZ grid instead (thermodynamic limit for large K). Returns
    ``{"energies": {name: e}, "ordering": [names, lowest first], "spiral_q": q, "method": ...}``.
    """
    from altermag.dynamics.ed import EDCalculator

    energies = {}
    if K is None:
        if L is None or L % 6:
            raise ParameterError(f"L={L}: the ED comparison needs L divisible by 6")
        model = SDModel(SpinLattice("triangular", L), t1=t1, t3=t3, J=J, filling=filling)
        ed = EDCalculator(model)
        for name in CANDIDATES:
            energies[name] = ed.energy(ansatz(name, model.lattice)) / model.lattice.n_sites
        if spiral:
            sp = best_spiral("triangular", t1, t3, J, filling, L=L)
            energies["spiral"] = sp["energy"]
        method = f"ED {L}x{L}"
    else:
        unit = SpinLattice("triangular", 6)
        for name in CANDIDATES:
            n1, n2 = _CELLS[name]
            cell = SpinLattice("triangular", n1, n2)
            s = ansatz(name, unit)
            idx = unit.site_index(cell.coords[:, 0], cell.coords[:, 1])
            energies[name] = kspace_energy(s[idx], n1, n2, "triangular", t1, t3, J, filling, K=max(K // n1, 4))
        if spiral:
            sp = best_spiral("triangular", t1, t3, J, filling, K=K)
            energies["spiral"] = sp["energy"]
        method = f"k-space {K}x{K}"
    order = sorted(energies, key=energies.get)
    return {"energies": energies, "ordering": order, "spiral_q": None if not spiral else sp["q"],
            "method": method, "params": {"J": J, "filling": filling, "t1": t1, "t3": t3}}


def classify_state(lattice: SpinLattice, spins: np.ndarray, tol: float = 0.9) -> str:
    """Name of the order of a (relaxed) configuration from S(q) weights: 'tetrahedral' (three equal M peaks,
    |χ| > 0), '120' (K peaks), 'FM', 'stripe'/'2Q' (one/two M peaks) or 'disordered'."""
    from altermag.dynamics.observables import chirality, order_parameters

    op = order_parameters(lattice, spins)
    if op.get("m_K", 0) > tol:
        return "120"
    if op["m_FM"] > tol:
        return "FM"
    if op.get("m_M", 0) > tol:
        from altermag.dynamics.observables import high_symmetry_points, structure_factor

        _, Sq = structure_factor(lattice, spins)
        w = np.array([Sq[n, m] for n, m in high_symmetry_points(lattice)["M"]]) / lattice.n_sites
        n_peaks = int(np.sum(w > 0.1 * w.max()))
        if n_peaks == 3 and op["M_balance"] > 0.9 and abs(np.mean(chirality(lattice, spins))) > 0.7:
            return "tetrahedral"
        return {1: "stripe", 2: "2Q"}.get(n_peaks, "triple-Q (distorted)")
    return "disordered"


def relax_to_ground_state(model: SDModel, n_steps: int = 1500, seed: int = 0, dt: float = 0.1, alpha: float = 0.5,
                          anneal_temperature: float = 0.0, anneal_steps: int = 0, progress: bool = False) -> dict:
    """ED-LLG relaxation from random spins (optionally a short anneal at ``anneal_temperature`` first, then T = 0).

    Returns ``{"state": classify_state(...), "energy_per_site", "order": order parameters, "spins"}``.
    """
    from altermag.dynamics.ed import EDCalculator
    from altermag.dynamics.llg import run_llg
    from altermag.dynamics.observables import order_parameters

    calc = EDCalculator(model)
    lat = model.lattice
    s = random_spins(lat.n_sites, seed)
    if anneal_steps:
        s = run_llg(calc, s, anneal_steps, dt=dt, alpha=alpha, temperature=anneal_temperature,
                    record_every=max(anneal_steps, 1), progress=progress, seed=seed + 100)["final_spins"]
    res = run_llg(calc, s, n_steps, dt=dt, alpha=alpha, temperature=0.0, record_every=max(n_steps // 50, 1),
                  progress=progress, seed=seed + 200)
    S = res["final_spins"]
    return {"state": classify_state(lat, S), "energy_per_site": float(res["energy"][-1]) / lat.n_sites,
            "order": order_parameters(lat, S), "spins": S, "energy_trace": res["energy"] / lat.n_sites,
            "time": res["time"]}
