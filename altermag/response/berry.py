"""Berry curvature of the four-band two-sublattice model (minimal-models paper Sec. IV; spec §6).

Unlike χ⁰/RPA/Hartree-Fock, the Berry curvature uses the **full** Eq. (1) with J, n̂ and SOC λ.

Conventions
-----------
* Kubo form (spec Eq. 25, identical to −2 Im of the quantum geometric tensor)::

      Ω^{ab}_n(k) = −2 Im Σ_{m≠n} v^a_nm v^b_mn / (E_n − E_m)²,   v^a = ∂H/∂k_a (eV·Å, analytic)

  i.e. Ω = ∂_a A_b − ∂_b A_a with A = i⟨u|∇u⟩ (the usual sign: Ω^{xy} > 0 for a counter-clockwise Berry
  phase). Components are returned as the pseudo-vector (Ω^{yz}, Ω^{zx}, Ω^{xy}) in **Å²**, Cartesian axes of
  the model lattice. The curvature is that of the eigenvectors of H(k) in the model's gauge (Bloch basis
  with e^{ik·r_site}, the tight-binding convention with atomic positions); Brillouin-zone integrals
  (Hall conductivity, Chern numbers) do not depend on this choice.
* **Degeneracies.** Pairs with |E_n − E_m| < ``degeneracy_tol`` (default 1e-8 eV) are left out of the sum.
  For an exactly degenerate subspace this is the trace of its non-Abelian (U(N)) curvature, distributed
  over its members: the individual values are gauge-dependent there, but any sum over the whole subspace —
  and hence the occupation-weighted sum Σ_n f_n Ω_n as long as ``degeneracy_tol`` ≪ kT — is exact,
  because the left-out terms cancel pairwise (Im(v^a_nm v^b_mn) = −Im(v^a_mn v^b_nm)).
* k in fractional reciprocal coordinates by default (``frame="frac"``), or Cartesian Å⁻¹ (``"cart"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from altermag.core.errors import ParameterError
from altermag.models.hamiltonian import CHANNEL_MATRICES, TwoSublatticeModel

__all__ = ["berry_curvature", "berry_curvature_occupied", "berry_curvature_linear", "berry_curvature_plaquette",
           "sector_hamiltonian", "chern_number", "ChernResult", "COMPONENTS"]

#: pseudo-vector order of the returned components: Ω_x = Ω^{yz}, Ω_y = Ω^{zx}, Ω_z = Ω^{xy}
COMPONENTS = ("yz", "zx", "xy")
_PAIRS = ((1, 2), (2, 0), (0, 1))
_CHUNK = 1 << 15


def _check_model(model):
    if not isinstance(model, TwoSublatticeModel):
        raise ParameterError(f"expected a TwoSublatticeModel, got {type(model).__name__}")


def _band_velocity_flat(model: TwoSublatticeModel, kf: np.ndarray):
    """Energies (n, 4) and band-basis velocity matrices v^a_nm (n, 3, 4, 4) (eV·Å) for flat fractional k.

    Same numbers as :meth:`TwoSublatticeModel.velocity_band_basis`, about 2× faster: the Cartesian velocity is
    built as a real (n·3 × 6) @ (6 × 16) product and rotated with batched ``matmul``.
    """
    c = model.coefficients(kf)
    g = model.coefficient_gradients(kf)  # (n, 3, 6)
    H = np.tensordot(c, CHANNEL_MATRICES, axes=([1], [0])) + model._Hneel
    E, U = np.linalg.eigh(H)
    v = np.tensordot(g, CHANNEL_MATRICES, axes=([2], [0]))  # (n, 3, 4, 4)
    Ud = np.conj(np.swapaxes(U, -1, -2))
    return E, np.matmul(np.matmul(Ud[:, None], v), U[:, None])


def _kubo_flat(model: TwoSublatticeModel, kf: np.ndarray, tol: float):
    """E (n, 4), Ω (n, 3, 4) for flat fractional k (n, 3)."""
    E, v = _band_velocity_flat(model, kf)
    dE = E[:, :, None] - E[:, None, :]
    with np.errstate(divide="ignore"):
        w = np.where(np.abs(dE) > tol, 1.0 / np.where(dE == 0, 1.0, dE) ** 2, 0.0)
    out = np.empty((len(kf), 3, E.shape[-1]))
    for c, (a, b) in enumerate(_PAIRS):
        # Σ_m v^a_nm v^b_mn w_nm
        s = np.einsum("knm,kmn,knm->kn", v[:, a], v[:, b], w)
        out[:, c] = -2.0 * s.imag
    return E, out


def berry_curvature(model: TwoSublatticeModel, k, frame: str = "frac", degeneracy_tol: float = 1e-8,
                    return_energies: bool = False):
    """Berry curvature of every band by the Kubo formula with analytic velocity matrices.

    Parameters
    ----------
    model : the full model (J, n̂, λ all enter)
    k : (..., 3) k-points (fractional by default)
    frame : ``"frac"`` or ``"cart"`` (Å⁻¹)
    degeneracy_tol : pairs closer than this (eV) are treated as one degenerate subspace (see module doc)
    return_energies : also return the band energies (..., 4) in eV

    Returns
    -------
    Ω : (..., 3, 4) array in Å²: components (Ω^{yz}, Ω^{zx}, Ω^{xy}) × bands (ascending energy);
        with ``return_energies``: ``(E, Ω)``.
    """
    _check_model(model)
    kf = model.to_frac(k, frame)
    batch = kf.shape[:-1]
    flat = kf.reshape(-1, 3)
    E = np.empty((len(flat), 4))
    Om = np.empty((len(flat), 3, 4))
    for s in range(0, len(flat), _CHUNK):
        E[s:s + _CHUNK], Om[s:s + _CHUNK] = _kubo_flat(model, flat[s:s + _CHUNK], float(degeneracy_tol))
    Om = Om.reshape(batch + (3, 4))
    if return_energies:
        return E.reshape(batch + (4,)), Om
    return Om


def berry_curvature_occupied(model: TwoSublatticeModel, k, kT: float, E_F: float = 0.0, frame: str = "frac"):
    """Σ_n f(E_n − E_F) Ω_n(k), shape (..., 3) in Å² (components yz, zx, xy): the Hall-conductivity integrand.

    Written as Σ_{n<m} (f_n − f_m)·(−2 Im v^a_nm v^b_mn)/(E_n − E_m)², which is smooth through band
    crossings (the f_n = f_m pairs drop out) and needs no degeneracy guard beyond exact zeros.
    """
    _check_model(model)
    kf = model.to_frac(k, frame)
    batch = kf.shape[:-1]
    flat = kf.reshape(-1, 3)
    out = np.empty((len(flat), 3))
    for s in range(0, len(flat), _CHUNK):
        out[s:s + _CHUNK] = _occupied_flat(model, flat[s:s + _CHUNK], kT, E_F)
    return out.reshape(batch + (3,))


def _occupied_flat(model, kf, kT, E_F, cell=None, resolve: float = 0.5, fermi_surface: float = 0.0):
    """Σ f Ω (n, 3); with ``cell`` (n,) Cartesian cell sizes (Å⁻¹) also a bool (n,) "unresolved" flag:
    some pair with |f_n − f_m| > 1e-4 has |E_n − E_m| < |v_n − v_m|·cell / resolve (its avoided crossing
    is sharper than the cell)."""
    from altermag.response.normal_state import occupation

    E, v = _band_velocity_flat(model, kf)
    f = occupation(E - E_F, kT)
    if cell is not None:
        vd = np.real(np.diagonal(v, axis1=-2, axis2=-1))  # (n, 3, 4) band velocities
        iu0 = np.triu_indices(E.shape[-1], 1)
        dv = np.linalg.norm(vd[:, :, iu0[0]] - vd[:, :, iu0[1]], axis=1)  # (n, 6)
        gap = np.abs(E[:, iu0[0]] - E[:, iu0[1]])
        dfp = np.abs(f[:, iu0[0]] - f[:, iu0[1]])
        flag = np.any((dfp > 1e-4) & (resolve * gap < dv * cell[:, None]), axis=1)
        if fermi_surface:
            vn = np.linalg.norm(vd, axis=1) * cell[:, None]  # (n, 4) band energy change across the cell
            fs = (np.abs(E - E_F) < 0.5 * vn + 3 * kT) & (resolve * vn > fermi_surface * kT)
            flag |= np.any(fs, axis=1)
    dE = E[:, :, None] - E[:, None, :]
    df = f[:, :, None] - f[:, None, :]
    iu = np.triu_indices(E.shape[-1], 1)
    dEu = dE[:, iu[0], iu[1]]
    safe = np.abs(dEu) > 1e-14
    w = np.where(safe, df[:, iu[0], iu[1]] / np.where(safe, dEu, 1.0) ** 2, 0.0)  # (n, 6)
    out = np.empty((len(kf), 3))
    for c, (a, b) in enumerate(_PAIRS):
        z = v[:, a][:, iu[0], iu[1]] * v[:, b][:, iu[1], iu[0]]
        out[:, c] = -2.0 * np.sum(z.imag * w, axis=-1)
    if cell is not None:
        return out, flag
    return out


# ------------------------------------------------------------------------ linear-in-λ formula (Eq. 27)


def berry_curvature_linear(model: TwoSublatticeModel, k, frame: str = "frac", linearised: bool = True):
    """The spin-sector formula of spec Eq. (27), an independent check of the Kubo curvature.

    Keeps only λ_∥ = λ·n̂ (the SOC component along the Néel vector). Then σ·n̂ = s = ±1 is conserved and
    each sector is the two-band model d_s = (t_x, s λ_∥, t_z + sJ), E_{±,s} = ε₀ ± |d_s|, with

        Ω^{ab}_{±,s} = ∓ ε_{ijl} d^i ∂_a d^j ∂_b d^l / (2 |d_s|³).

    ``linearised=True`` (default) expands to first order in λ: |d_s| → sqrt(t_x² + (t_z + sJ)²) and the
    triple product keeps its terms linear in λ_∥ (the paper's mechanism). ``linearised=False`` gives the
    exact sector curvature, equal to the Kubo result whenever λ × n̂ ≡ 0 (e.g. Appendix H: n̂ = z with
    only λ_z). The perpendicular SOC λ_⊥ enters the full curvature only at order λ².

    Returns
    -------
    dict with ``"omega"`` (..., 3, 2, 2) Å² [component (yz, zx, xy), branch (0: −, 1: +), sector (0: s=+1,
    1: s=−1)] and ``"energies"`` (..., 2, 2) eV (same branch/sector order; the exact sector bands for
    ``linearised=False``, the λ = 0 bands otherwise).
    """
    _check_model(model)
    n = model.neel
    c = model.coefficients(k, frame)
    g = model.coefficient_gradients(k, frame)  # (..., 3, 6)
    e0, tx, tz = c[..., 0], c[..., 1], c[..., 2]
    lam = c[..., 3:6] @ n
    gtx, gtz = g[..., 1], g[..., 2]  # (..., 3)
    glam = g[..., 3:6] @ n
    omegas, energies = [], []
    for s in (1.0, -1.0):
        dz = tz + s * model.J
        if linearised:
            r = np.sqrt(tx * tx + dz * dz)
        else:
            r = np.sqrt(tx * tx + lam * lam + dz * dz)
        comps = []
        for a, b in _PAIRS:
            if linearised:
                trip = s * (tx * (glam[..., a] * gtz[..., b] - gtz[..., a] * glam[..., b])
                            - lam * (gtx[..., a] * gtz[..., b] - gtz[..., a] * gtx[..., b])
                            + dz * (gtx[..., a] * glam[..., b] - glam[..., a] * gtx[..., b]))
            else:
                d = np.stack([tx, s * lam, dz], -1)
                da = np.stack([gtx[..., a], s * glam[..., a], gtz[..., a]], -1)
                db = np.stack([gtx[..., b], s * glam[..., b], gtz[..., b]], -1)
                trip = np.einsum("...i,...i->...", d, np.cross(da, db))
            with np.errstate(divide="ignore", invalid="ignore"):
                base = np.where(r > 0, trip / (2 * np.where(r > 0, r, 1.0) ** 3), 0.0)
            comps.append(np.stack([base, -base], -1))  # branch −: +base, branch +: −base
        omegas.append(np.stack(comps, -2))  # (..., 3, 2)
        energies.append(np.stack([e0 - r, e0 + r], -1))
    return {"omega": np.stack(omegas, -1), "energies": np.stack(energies, -1)}


# ----------------------------------------------------------------- finite-difference (plaquette) check


def berry_curvature_plaquette(model: TwoSublatticeModel, k, bands, h: float = 1e-4, frame: str = "frac"):
    """Berry curvature of a set of bands from the Berry phase of a small square loop (finite differences).

    The loop of side ``h`` (Å⁻¹) around each Cartesian k in the (a, b) plane gives the flux
    Φ = −arg det Π⟨u(k_i)|u(k_{i+1})⟩ (counter-clockwise), Ω^{ab} ≈ Φ/h². Independent of the velocity
    matrices: a check of :func:`berry_curvature` (summed over ``bands``). Returns (..., 3) Å².
    """
    _check_model(model)
    kc = model.to_cart(model.to_frac(k, frame))
    bands = np.atleast_1d(np.asarray(bands, int))
    out = np.empty(kc.shape[:-1] + (3,))
    for c, (a, b) in enumerate(_PAIRS):
        ea, eb = np.zeros(3), np.zeros(3)
        ea[a], eb[b] = h / 2, h / 2
        corners = [kc - ea - eb, kc + ea - eb, kc + ea + eb, kc - ea + eb]
        states = [model.eigh(p, "cart")[1][..., bands] for p in corners]
        prod = np.ones(kc.shape[:-1], complex)
        for i in range(4):
            m = np.einsum("...ia,...ib->...ab", states[i].conj(), states[(i + 1) % 4])
            prod = prod * np.linalg.det(m)
        out[..., c] = -np.angle(prod) / h ** 2
    return out


# ---------------------------------------------------------------------------------- Chern numbers


def sector_hamiltonian(model: TwoSublatticeModel, k, s: int, frame: str = "frac", atol: float = 1e-10):
    """The 2×2 Hamiltonian of the spin sector σ·n̂ = s (basis A, B with spin along n̂), shape (..., 2, 2).

    Valid when σ·n̂ is conserved (λ × n̂ ≡ 0 at these k); otherwise :class:`ParameterError` with the size
    of the inter-sector coupling.
    """
    _check_model(model)
    if s not in (1, -1):
        raise ParameterError(f"spin sector s must be +1 or -1, got {s!r}")
    n = model.neel
    sig = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]])
    w, vecs = np.linalg.eigh(np.einsum("i,iab->ab", n, sig))
    chi = {-1: vecs[:, 0], 1: vecs[:, 1]}
    B = {t: np.kron(np.eye(2), chi[t][:, None]) for t in (1, -1)}  # (4, 2)
    H = model.hamiltonian(k, frame)
    Hs = B[s].conj().T @ H @ B[s]
    off = B[-s].conj().T @ H @ B[s]
    err = float(np.abs(off).max()) if off.size else 0.0
    if err > atol:
        raise ParameterError(f"σ·n̂ is not conserved for model {model.name!r} (inter-sector coupling up to "
                             f"{err:.3g} eV: λ × n̂ ≠ 0); spin-sector Chern numbers need λ ∥ n̂")
    return Hs


@dataclass
class ChernResult:
    """Chern number of a set of bands on a 2D Brillouin zone (or a plane of a 3D one)."""

    chern: float  # lattice (Fukui-Hatsugai-Suzuki) value; an integer up to round-off when gapped
    bands: list
    sector: int | None
    mesh: tuple
    k3: float
    min_direct_gap: float  # eV, between the chosen set and the other bands
    inputs: dict = field(default_factory=dict)

    @property
    def integer(self) -> int:
        return int(np.rint(self.chern))

    def as_dict(self) -> dict:
        return {"chern": self.chern, "chern_integer": self.integer, "bands": list(self.bands),
                "sector": self.sector, "mesh": list(self.mesh), "k3": self.k3,
                "min_direct_gap": self.min_direct_gap, "inputs": self.inputs}


def chern_number(model: TwoSublatticeModel, *, bands=None, mesh=48, k3: float = 0.0, sector: int | None = None,
                 gap_tol: float = 1e-6) -> ChernResult:
    """Chern number of ``bands`` on the plane k_3 = ``k3`` (fractional) by the lattice method of
    Fukui, Hatsugai & Suzuki (J. Phys. Soc. Jpn. 74, 1674 (2005)), multi-band (determinant links).

    C = (1/2π) Σ_plaquettes F, F = −arg Π_links det⟨u(k)|u(k')⟩ — the flux of Ω^{(b1×b2)} through the plane in
    the sign convention of :func:`berry_curvature` (C = (1/2π)∫ Ω·dS). It is gauge invariant and an exact
    integer whenever the chosen bands are separated from the others by a direct gap at every k.

    Parameters
    ----------
    bands : band indices (ascending energy) of the set; default: the lower half (2 of 4, or 1 of 2 in a sector)
    mesh : n or (n1, n2) plaquettes
    k3 : fractional k along b3 for a 3D model (ignored for 2D models)
    sector : None for the full model; +1/−1 for the spin sector σ·n̂ = s (needs λ ∥ n̂; spec App. H:
        C_{+} = −C_{−})
    gap_tol : minimum direct gap (eV); a smaller gap raises :class:`ParameterError` (C is then ill-defined)
    """
    _check_model(model)
    n1, n2 = (int(mesh), int(mesh)) if np.isscalar(mesh) else tuple(int(x) for x in mesh)
    if min(n1, n2) < 2:
        raise ParameterError(f"mesh must be ≥ 2 plaquettes per direction, got {mesh!r}")
    nb = 4 if sector is None else 2
    bands = list(range(nb // 2)) if bands is None else sorted(int(b) for b in np.atleast_1d(bands))
    if not bands or min(bands) < 0 or max(bands) >= nb or len(set(bands)) != len(bands):
        raise ParameterError(f"bands must be distinct indices in 0..{nb - 1}, got {bands!r}")
    kz = 0.0 if model.terms.dimension == 2 else float(k3)
    g1, g2 = np.meshgrid(np.arange(n1 + 1) / n1, np.arange(n2 + 1) / n2, indexing="ij")
    kf = np.stack([g1, g2, np.full_like(g1, kz)], -1)  # endpoints evaluated directly (no wrapping)
    if sector is None:
        E, U = model.eigh(kf)
    else:
        E, U = np.linalg.eigh(sector_hamiltonian(model, kf, int(sector)))
    others = [b for b in range(nb) if b not in bands]
    gap = np.inf
    for b in bands:
        for o in others:
            gap = min(gap, float(np.abs(E[..., b] - E[..., o]).min()))
    if gap < gap_tol:
        raise ParameterError(f"bands {bands} are not separated from the others by a direct gap "
                             f"(minimum {gap:.3g} eV < gap_tol {gap_tol:g} eV): the Chern number is ill-defined")
    u = U[..., bands]

    def link(x, y):
        return np.linalg.det(np.einsum("...ia,...ib->...ab", x.conj(), y))

    U1 = link(u[:-1, :], u[1:, :])  # (n1, n2+1) along b1
    U2 = link(u[:, :-1], u[:, 1:])  # (n1+1, n2) along b2
    plaq = U1[:, :-1] * U2[1:, :] * np.conj(U1[:, 1:]) * np.conj(U2[:-1, :])
    C = float(-np.angle(plaq).sum() / (2 * np.pi))
    inputs = {"model": model.name, "params": dict(model.params), "J": model.J, "neel": model.neel.tolist(),
              "mu": model.mu}
    return ChernResult(C, bands, sector, (n1, n2), kz, gap, inputs)
