"""Export a :class:`~altermag.models.hamiltonian.TwoSublatticeModel` to real-space tight-binding form:
PythTB, TBmodels (and through TBmodels to WannierBerri), or a plain hopping list.

Every harmonic ``c·w·cos(2π k·v)`` becomes two hoppings of amplitude ``c·w/2`` along ``+v`` and ``−v``:

* intra-sublattice (ε₀, t_z; ``v`` a lattice vector): orbital a → a with ``R = v`` (the hermitian
  conjugate, ``R = −v``, is added by the tools themselves); ``v = 0`` terms and ``−μ``, ``J τ_z n̂·σ`` are
  on-site energies;
* inter-sublattice (t_x, λ; ``v ∈ d + lattice``): orbital 1 → 2 with ``R = v − d`` and ``R = −v − d``,
  spin matrix ``σ₀`` for t_x and ``−i σ_j`` for λ_j (the τ_y (λ·σ) block H₁₂ = −i λ·σ).

Orbitals sit at the two magnetic sites, so the tools' *convention 1* (phases e^{ik·(R + r_j − r_i)}) is
exactly the gauge of :class:`TwoSublatticeModel`: H matrices agree element by element, not only their
eigenvalues (checked by :func:`roundtrip_error`).

Tool versions: PythTB **1.8** (the last release for Python < 3.12, installed here) is supported. PythTB
2.x (Python ≥ 3.12) renamed the API (``TBModel``, ``set_hop`` keyword changes); :func:`to_pythtb` raises a
clear error for it. TBmodels ≥ 1.4 is supported. **WannierBerri** is not a dependency: give it the
TBmodels object, ``wannierberri.system.System_TBmodels(to_tbmodels(model), berry=True, spin=True)`` (or
``System_PythTB(to_pythtb(model))``); WannierBerri reads the orbital positions and hoppings from it.
The spin operator there is not read from TBmodels: σ acts on the inner index of the orbital pairs
(2s, 2s+1) of :func:`to_tbmodels`, i.e. orbitals ordered (A↑, A↓, B↑, B↓).
"""

from __future__ import annotations

import numpy as np

from altermag.core.errors import ParameterError
from altermag.core.pauli import SIGMA
from altermag.models.hamiltonian import TwoSublatticeModel

__all__ = ["hopping_list", "to_pythtb", "to_tbmodels", "roundtrip_error"]

_SPIN = {0: ("intra", SIGMA[0], +1), 2: ("intra", SIGMA[0], -1),  # ε₀ (both sites), t_z (+A, −B)
         1: ("inter", SIGMA[0], None), 3: ("inter", -1j * SIGMA[1], None),
         4: ("inter", -1j * SIGMA[2], None), 5: ("inter", -1j * SIGMA[3], None)}


def _dim(model):
    return 2 if model.terms.dimension == 2 else 3


def hopping_list(model: TwoSublatticeModel, tol: float = 1e-14) -> dict:
    """Real-space form of the model.

    Returns ``{"lattice" (dim, dim) Å, "positions" (2, dim) fractional, "onsite" [2×2 spin matrix per site],
    "hoppings": [(amp 2×2, i, j, R tuple), ...]}`` with H_ij(k) = Σ amp e^{2πi k·(R + r_j − r_i)} + h.c.
    (site indices i, j ∈ {0, 1}; spin blocks in the ↑, ↓ basis).
    """
    dim = _dim(model)
    V, C = model._V, model._C
    sites = np.asarray(model.terms.sites, float)
    if dim == 2:
        sites = sites.copy()
        sites[:, 2] = 0.0
    d = sites[1] - sites[0]
    onsite = [np.zeros((2, 2), complex), np.zeros((2, 2), complex)]
    n = model.neel
    jn = model.J * np.einsum("i,iab->ab", n, SIGMA[1:])
    onsite[0] += jn - model.mu * SIGMA[0]
    onsite[1] += -jn - model.mu * SIGMA[0]
    hops: dict[tuple, np.ndarray] = {}

    def add(i, j, R, amp):
        key = (i, j, tuple(int(x) for x in R[:dim]))
        hops[key] = hops.get(key, 0) + amp

    for v, c in zip(V, C):
        for ch, val in enumerate(c):
            if abs(val) < tol:
                continue
            kind, mat, sign = _SPIN[ch]
            if kind == "intra":
                if np.any(np.abs(v - np.round(v)) > 1e-9):
                    raise ParameterError(f"intra-sublattice bond {v.tolist()} is not a lattice vector")
                if np.allclose(v, 0):
                    onsite[0] += val * mat
                    onsite[1] += sign * val * mat
                else:
                    add(0, 0, np.round(v), 0.5 * val * mat)
                    add(1, 1, np.round(v), 0.5 * sign * val * mat)
            else:
                for vv in (v, -v):
                    R = vv - d
                    if np.any(np.abs(R - np.round(R)) > 1e-9):
                        raise ParameterError(f"inter-sublattice bond {v.tolist()} is not in d + lattice "
                                             f"(d = {d.tolist()})")
                    add(0, 1, np.round(R), 0.5 * val * mat)
    return {"lattice": model.lattice[:dim, :dim], "positions": sites[:, :dim], "onsite": onsite,
            "hoppings": [(amp, i, j, R) for (i, j, R), amp in hops.items() if np.abs(amp).max() > tol]}


def to_pythtb(model: TwoSublatticeModel):
    """A ``pythtb.tb_model`` (PythTB 1.8, ``nspin=2``): two orbitals at the magnetic sites, spinful.

    k in PythTB is in reduced coordinates of the same reciprocal cell as ``frame="frac"`` here.
    """
    import pythtb

    if not hasattr(pythtb, "tb_model"):
        raise ParameterError(f"PythTB {getattr(pythtb, '__version__', '?')} is not supported: this export "
                             "targets the PythTB 1.8 API (tb_model); PythTB 2.x needs Python ≥ 3.12")
    hl = hopping_list(model)
    dim = len(hl["lattice"])
    tb = pythtb.tb_model(dim, dim, hl["lattice"].tolist(), hl["positions"].tolist(), nspin=2)
    tb.set_onsite([hl["onsite"][0], hl["onsite"][1]])
    for amp, i, j, R in hl["hoppings"]:
        tb.set_hop(amp, i, j, list(R), mode="add")
    return tb


def to_tbmodels(model: TwoSublatticeModel):
    """A ``tbmodels.Model`` with four orbitals (A↑, A↓, B↑, B↓) at the two magnetic sites.

    Evaluate with ``tb.hamilton(k, convention=1)`` to get exactly :meth:`TwoSublatticeModel.hamiltonian`.
    Usable by WannierBerri: ``wannierberri.system.System_TBmodels(tb, berry=True)``.
    """
    import tbmodels

    hl = hopping_list(model)
    dim = len(hl["lattice"])
    pos = np.repeat(hl["positions"], 2, axis=0) % 1.0
    shift = np.floor(hl["positions"] + 1e-12)  # TBmodels maps positions into the home cell
    on_site = np.concatenate([np.real(np.diag(hl["onsite"][0])), np.real(np.diag(hl["onsite"][1]))])
    tb = tbmodels.Model(on_site=on_site, pos=pos, uc=hl["lattice"], dim=dim, occ=0, contains_cc=False)
    for s in range(2):  # off-diagonal spin parts of the on-site blocks (J n̂·σ with n̂ not ∥ z)
        off = hl["onsite"][s][0, 1]
        if abs(off) > 0:
            tb.add_hop(off, 2 * s, 2 * s + 1, [0] * dim)
    for amp, i, j, R in hl["hoppings"]:
        Rt = np.asarray(R) + shift[j] - shift[i]
        for a in range(2):
            for b in range(2):
                if abs(amp[a, b]) > 0:
                    if i == j and a == b and not np.any(Rt):
                        continue
                    tb.add_hop(complex(amp[a, b]), 2 * i + a, 2 * j + b, Rt.astype(int).tolist())
    return tb


def roundtrip_error(model: TwoSublatticeModel, k=None, tools=("pythtb", "tbmodels")) -> dict:
    """Max |H_tool(k) − H(k)| and max |E_tool − E| (eV) over sample k for each exporter."""
    dim = _dim(model)
    if k is None:
        k = np.random.default_rng(3).uniform(-1, 1, (40, 3))
        if dim == 2:
            k[:, 2] = 0
    k = np.asarray(k, float)
    H = model.hamiltonian(k)
    E = model.eigenvalues(k)
    out = {}
    if "pythtb" in tools:
        tb = to_pythtb(model)
        Hp = np.array([tb._gen_ham(kk[:dim]).reshape(4, 4) for kk in k])
        Ep = np.array(tb.solve_all(k[:, :dim])).T if len(k) else np.zeros((0, 4))
        out["pythtb"] = {"hamiltonian": float(np.abs(Hp - H).max()), "bands": float(np.abs(np.sort(Ep) - E).max())}
    if "tbmodels" in tools:
        tb = to_tbmodels(model)
        Ht = np.asarray(tb.hamilton(k[:, :dim], convention=1))
        Et = np.asarray(tb.eigenval(k[:, :dim]))
        out["tbmodels"] = {"hamiltonian": float(np.abs(Ht - H).max()), "bands": float(np.abs(np.sort(Et) - E).max())}
    return out
