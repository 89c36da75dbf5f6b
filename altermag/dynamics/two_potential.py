"""Two-potential (generalised potential) force fields for driven, nonconservative spin fields (spec §6).

Out of equilibrium (a strip between leads at bias ``V``) the electronic exchange field on the local
moments, ``H_i = J⟨s_i⟩_neq``, is not the gradient of any energy. Its transverse part is written with
**two** potentials ``E_A = Σ_i ε^A_i`` and ``E_B = Σ_i ε^B_i`` (local site energies from one network
with two outputs)::

    F^X = −∂E^X/∂S                      (autograd, X = A, B)
    H^ML_i = S_i × (F^A_i + S_i × F^B_i) = S_i × F^A_i − (F^B_i)⊥          (spec §6, authors' code form)

``−(F^B)⊥ = (∂E_B/∂S)⊥`` is a gradient (conservative, field-like) field; ``S × F^A`` is a rotated
gradient: divergence-free on (S²)^N, it does no work on ``E_A`` and, in the Landau-Lifshitz equation,
gives the damping/antidamping-like torque ``S × (S × F^A)`` of spin transfer. Note the sign convention
of this code form: the *physical* energy of the conservative part is ``−E_B``.

**Gauge.** The fields ``(F^A)⊥`` and ``(F^B)⊥`` of a given ``H`` are unique, equivalently ``E_A`` and
``E_B`` are unique up to additive constants: if ``S × ∇E_A − ∇⊥E_B = 0`` for all ``S``, then with the
complex structure ``J = S ×`` of (S²)^N this says ``∇E_B = J ∇E_A``, the Cauchy-Riemann equations of
``f = E_A + i E_B`` on the compact Kähler manifold (S²)^N (product of Riemann spheres); a holomorphic
function on a compact connected complex manifold is constant, so both ``E_A`` and ``E_B`` are
constant. The *site* energies ``ε^X_i`` are not unique: only their sums enter (e.g. a constant per
site, or any re-distribution between neighbouring sites that leaves the sums unchanged).

**Limits (honest).** For N > 1 not every tangent field on (S²)^N is of this form, even with global
(non-local) potentials: with the 1-form ``ω`` dual to ``H`` the form reads ``ω = −dE_B + d^c E_A``, so
``dω = dd^c E_A`` must be of type (1,1); a generic field (e.g. one whose component on sphere 1
depends on S_2 through a factor g(S_2) times a rotation generator of S_1) violates this. On a single
sphere (N = 1) the Hodge decomposition always gives the form (S² has no harmonic 1-forms).
Locality of ``ε^A``, ``ε^B`` plus this two-potential form is therefore an **ansatz** (the paper's);
the toy field of :func:`toy_driven_field` is of this form by construction.

Site inputs (spec §6): the bias breaks translation symmetry along x, so the network gets per-site
scalars besides the descriptor, built by :func:`strip_inputs`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from altermag.core.errors import ParameterError

__all__ = [
    "ENCODINGS",
    "FIELD_FORMS",
    "strip_inputs",
    "local_potential",
    "n_site_inputs",
    "check_site_inputs",
    "two_potential_field",
    "toy_driven_field",
]

FIELD_FORMS = ("gradient", "two-potential")
ENCODINGS = ("boundary", "absolute", "bias", None)


def n_site_inputs(encoding: str | None = "boundary", n_boundary: int = 5, potential: bool = False) -> int:
    """Number of per-site extra inputs of :func:`strip_inputs` for ``encoding`` (+1 with ``potential``)."""
    if encoding not in ENCODINGS:
        raise ParameterError(f"site input encoding must be one of {ENCODINGS}, got {encoding!r}")
    if potential and encoding is None:
        raise ParameterError("potential=True needs a site input encoding (it adds a column to it), got encoding=None")
    if encoding == "boundary":
        if int(n_boundary) != n_boundary or n_boundary < 1:
            raise ParameterError(f"n_boundary must be a positive integer, got {n_boundary!r}")
        return 2 * int(n_boundary) + 1 + bool(potential)
    return {"absolute": 2, "bias": 1, None: 0}[encoding] + bool(potential)


def check_site_inputs(site_inputs: dict[str, Any] | None) -> dict[str, Any] | None:
    """Validate and complete a ``site_inputs`` settings dict ``{"encoding": ..., "n_boundary": ...}``."""
    if site_inputs is None:
        return None
    if not isinstance(site_inputs, dict):
        raise ParameterError(f"site_inputs must be a dict like {{'encoding': 'boundary', 'n_boundary': 5}}, got {site_inputs!r}")
    unknown = set(site_inputs) - {"encoding", "n_boundary", "potential"}
    if unknown:
        raise ParameterError(f"unknown site_inputs keys {sorted(unknown)}; allowed: encoding, n_boundary, potential")
    out = {"encoding": site_inputs.get("encoding", "boundary"), "n_boundary": int(site_inputs.get("n_boundary", 5))}
    if site_inputs.get("potential"):  # only recorded when used: older models' settings stay unchanged
        out["potential"] = True
    n_site_inputs(**out)
    return out


def strip_inputs(lattice: Any, bias: float = 0.0, encoding: str | None = "boundary", n_boundary: int = 5,
                 potential: bool = False, spins: np.ndarray | None = None) -> np.ndarray:
    """Per-site extra network inputs (N, n_extra) for a strip between leads at bias ``bias`` (float64).

    * ``"boundary"``: one-hot indicators of the column index for the ``n_boundary`` columns next to
      each lead (``x = 0..n_boundary−1`` from the left lead, then ``Lx−1−x = 0..n_boundary−1`` from the
      right one; all zero in the interior) plus the bias ``V``: translation-invariant in the interior,
      so a model trained on one strip length transfers to longer strips.
    * ``"absolute"``: ``x/(Lx−1)`` plus ``V`` (the paper's position input; valid only on the training length).
    * ``"bias"``: ``V`` only (also for periodic lattices); ``None``: no extra inputs (shape (N, 0)).

    * ``potential=True`` appends one column, the local electrochemical-potential offset φ_i − μ of
      :func:`local_potential` for ``spins`` (required then): the one *non-local* input, computed from the
      whole configuration (it changes at every step of a dynamics run; forces treat it as a parameter).

    Column ``x`` is the integer a1 coordinate (``lattice.coords[:, 0]``); ``V`` in the units of the
    electron model (t1). ``"boundary"`` and ``"absolute"`` need an open strip (``periodic_x=False``).
    """
    n = n_site_inputs(encoding, n_boundary, potential)
    N = int(lattice.n_sites)
    V = float(bias)
    if not np.isfinite(V):
        raise ParameterError(f"bias must be a finite number, got {bias!r}")
    if potential:
        if spins is None:
            raise ParameterError("site inputs with potential=True need the spins (the potential depends on them)")
        out = strip_inputs(lattice, V, encoding, n_boundary)
        return np.concatenate([out, local_potential(spins, lattice, V)[:, None]], axis=1)
    out = np.zeros((N, n))
    if encoding is None:
        return out
    if encoding == "bias":
        out[:, 0] = V
        return out
    if getattr(lattice, "periodic_x", True):
        raise ParameterError(
            f"site input encoding {encoding!r} needs a strip with open x edges (periodic_x=False); "
            "use encoding='bias' or None for periodic lattices"
        )
    x = np.asarray(lattice.coords)[:, 0].astype(int)
    Lx = int(lattice.L)
    if encoding == "absolute":
        out[:, 0] = x / max(Lx - 1, 1)
        out[:, 1] = V
        return out
    nb = int(n_boundary)
    left = x < nb
    out[np.nonzero(left)[0], x[left]] = 1.0
    r = Lx - 1 - x
    right = r < nb
    out[np.nonzero(right)[0], nb + r[right]] = 1.0
    out[:, 2 * nb] = V
    return out


def local_potential(spins: np.ndarray, lattice: Any, bias: float, floor: float = 1e-3) -> np.ndarray:
    """Estimate of the local electrochemical potential φ_i − μ (t1) of every site of a biased strip, (N,).

    A series-resistor model of the strip's columns: the bond between columns x and x+1 in row y conducts with
    the double-exchange transmission cos²(θ/2) = (1 + S·S')/2 (1 for parallel spins, 0 for antiparallel ones),
    a column link with the sum over its Ly rows (at least ``floor``·Ly, so that an insulating antiferromagnet
    has a large but finite resistance), and each lead contact with Ly. The bias V drops along the chain in
    proportion to the resistances, from +V/2 at the left lead (μ_L = μ + V/2) to −V/2 at the right one.

    Why: under bias the non-equilibrium spin density at a site depends on which lead its electrons are in
    equilibrium with, i.e. on insulating (antiferromagnetic) regions anywhere between the site and the leads;
    a local descriptor cannot see them (``docs/driven.md``, locality). This is a cheap proxy, not a transport
    calculation: it gets the limits right (uniform ferromagnet: linear drop; an antiferromagnetic barrier takes
    almost the whole drop, so a ferromagnet beyond it sits at its own lead's potential). O(N), numpy.
    """
    if getattr(lattice, "periodic_x", True):
        raise ParameterError("local_potential needs a strip with open x edges (periodic_x=False)")
    S = np.asarray(spins, dtype=float)
    N, Lx = int(lattice.n_sites), int(lattice.L)
    if S.shape != (N, 3):
        raise ParameterError(f"spins must have shape ({N}, 3), got {S.shape}")
    V = float(bias)
    if not np.isfinite(V):
        raise ParameterError(f"bias must be a finite number, got {bias!r}")
    if not floor > 0:
        raise ParameterError(f"floor must be > 0, got {floor}")
    x, y = np.asarray(lattice.coords)[:, 0].astype(int), np.asarray(lattice.coords)[:, 1].astype(int)
    Ly = int(y.max()) + 1
    grid = np.zeros((Lx, Ly, 3))
    grid[x, y] = S
    g = 0.5 * (1.0 + np.sum(grid[:-1] * grid[1:], axis=-1))  # (Lx-1, Ly) bond transmissions
    R = np.concatenate([[1.0 / Ly], 1.0 / np.maximum(g.sum(axis=1), floor * Ly), [1.0 / Ly]])
    upstream = np.cumsum(R)[:-1]  # resistance between the left lead and column x (x = 0 … Lx-1)
    phi_col = V / 2 - V * upstream / R.sum()
    return phi_col[x]

def two_potential_field(F_A, F_B, S):
    """``H = S × (F_A + S × F_B) = S × F_A − (F_B)⊥`` (numpy arrays or torch tensors, shape (..., 3)).

    Transverse to ``S`` by construction (for unit spins).
    """
    if isinstance(S, np.ndarray):
        cross = np.cross
        return cross(S, F_A + cross(S, F_B))
    import torch

    return torch.linalg.cross(S, F_A + torch.linalg.cross(S, F_B, dim=-1), dim=-1)


def _transverse(H, S):
    return H - np.sum(H * S, axis=-1, keepdims=True) * S


def toy_driven_field(lattice: Any, spins: np.ndarray, J1: float = 1.0, a_J: float = 0.5, profile=None) -> dict[str, Any]:
    """A driven spin field with a known two-potential split (spec §6/§9.8 validation toy).

    * conservative part from the Heisenberg energy ``E_heis = J1 Σ_<ij> S_i·S_j`` (nearest neighbours,
      no bonds across open x edges, periodic y): ``H_cons = (−∂E_heis/∂S)⊥``. In the code form
      ``H = S×F_A − F_B⊥`` this is ``E_B = −E_heis``, ``F_B = −∂E_B/∂S = J1 Σ_{j∈nn(i)} S_j``;
    * a Slonczewski-like spin-transfer term along the bias direction x, in field form ``S_i × p_i``
      (which gives the damping-like torque ``S × (S × p)`` in the Landau-Lifshitz equation), with
      ``p_i = Σ_± a_{i,i±x̂} S_{i±x̂} = −∂E_A/∂S_i``, ``E_A = −Σ_{x bonds} a_{i,i+x̂} S_i·S_{i+x̂}``.
      The bond coefficient is ``a_{i,i+x̂} = a_J (f(x_i) + f(x_i+1))/2`` with the column profile
      ``f`` (``profile``: None -> 1, an array (Lx,) or a callable of the column index array), so
      that for a constant profile ``p_i = a_J (S_{i−x̂} + S_{i+x̂})``.

    Returns a dict of numpy arrays: ``field`` (N, 3) = ``S×F_A − F_B⊥`` (transverse), ``F_A``, ``F_B``
    (full), ``F_A_perp``, ``F_B_perp``, ``torque_part`` (``S×F_A``), ``conservative_part`` (``−F_B⊥``),
    and the potentials ``E_A``, ``E_B`` and site energies ``eps_A``, ``eps_B`` (one valid choice).
    The x direction is the lattice's a1 axis; works for square and triangular lattices.
    """
    S = np.asarray(spins, dtype=float)
    N = int(lattice.n_sites)
    if S.shape != (N, 3):
        raise ParameterError(f"spins must have shape ({N}, 3), got {S.shape}")
    Lx = int(lattice.L)
    x = np.asarray(lattice.coords)[:, 0].astype(int)
    if profile is None:
        f = np.ones(Lx)
    elif callable(profile):
        f = np.asarray(profile(np.arange(Lx)), dtype=float).reshape(Lx)
    else:
        f = np.asarray(profile, dtype=float).reshape(-1)
        if f.shape != (Lx,):
            raise ParameterError(f"profile must have one value per column (Lx={Lx}), got shape {f.shape}")
    Sg = np.vstack([S, np.zeros((1, 3))])  # index -1 (off an open edge) -> the zero ghost spin
    nn = lattice.neighbors(1)
    sum_nn = Sg[nn].sum(1)
    F_B = J1 * sum_nn
    E_heis = 0.5 * J1 * float(np.sum(S * sum_nn))
    plus = lattice.neighbors_at(np.array([[1, 0]]))[:, 0]
    minus = lattice.neighbors_at(np.array([[-1, 0]]))[:, 0]
    a_plus = a_J * 0.5 * (f[x] + f[(x + 1) % Lx])
    a_minus = a_J * 0.5 * (f[x] + f[(x - 1) % Lx])
    a_plus = np.where(plus >= 0, a_plus, 0.0)
    a_minus = np.where(minus >= 0, a_minus, 0.0)
    F_A = a_plus[:, None] * Sg[plus] + a_minus[:, None] * Sg[minus]
    bond_p = np.sum(S * Sg[plus], axis=1)
    E_A = -float(np.sum(a_plus * bond_p))
    torque = np.cross(S, F_A)
    cons = -_transverse(F_B, S)
    return {
        "field": torque + cons,
        "F_A": F_A,
        "F_B": F_B,
        "F_A_perp": _transverse(F_A, S),
        "F_B_perp": _transverse(F_B, S),
        "torque_part": torque,
        "conservative_part": cons,
        "E_A": E_A,
        "E_B": -E_heis,
        "eps_A": -0.5 * (a_plus * bond_p + a_minus * np.sum(S * Sg[minus], axis=1)),
        "eps_B": -0.5 * J1 * np.sum(S * sum_nn, axis=1),
    }
