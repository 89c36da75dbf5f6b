"""Exact-diagonalisation exchange fields (Hellmann-Feynman), spec §2.1.

For fixed classical spins the single-particle matrix H(S) (2N × 2N) is diagonalised; with occupations f_k

* fixed filling, T = 0: the lowest N_e = round(n_e N) levels are filled, E = Σ_{k<N_e} ε_k;
* fixed filling, T > 0: μ solves Σ_k f(ε_k − μ) = N_e, and E is the free energy F = Ω + μ N_e;
* fixed μ: E = Ω = −T Σ_k ln(1 + e^{−(ε_k−μ)/T})  (T = 0: Σ_{ε_k<μ} (ε_k − μ)).

In every case H_i = −∂E/∂S_i = J ⟨c†_i σ c_i⟩ = J Tr_σ[σ ρ_ii] with ρ = Σ_k f_k |k⟩⟨k| (Hellmann-Feynman; the
μ-dependence drops out at fixed N_e). Units of t1. Cost O(N³).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla

from altermag.core.errors import ParameterError
from altermag.dynamics.models import SDModel, _check_spins

__all__ = ["EDCalculator", "fermi", "local_observables"]


def fermi(e: np.ndarray, mu: float, T: float) -> np.ndarray:
    """Fermi function with e, μ and T all in units of t1 (k_B = 1); T = 0 gives θ(μ − ε) (½ at ε = μ).

    A thin adapter over :func:`altermag.core.fermi.fermi_dirac` (energies in eV, T in K): f depends only on
    (ε − μ)/k_B T, so reading the model's energy unit as "eV" and converting T with ``ev_to_kelvin`` is exact.
    """
    from altermag.core.fermi import fermi_dirac
    from altermag.core.units import ev_to_kelvin

    return fermi_dirac(e, mu, ev_to_kelvin(max(float(T), 0.0)))


def _solve_mu(evals: np.ndarray, n_el: float, T: float) -> float:
    lo, hi = evals[0] - 50 * T - 1, evals[-1] + 50 * T + 1
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if fermi(evals, mid, T).sum() > n_el:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-14:
            break
    return 0.5 * (lo + hi)


def local_observables(vecs: np.ndarray, occ: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local density n_i (N,) and spin density s_i = ⟨c†_i σ c_i⟩ (N, 3) from eigenvectors (2N, K) and occupations (K,)."""
    N = vecs.shape[0] // 2
    w = vecs * np.sqrt(occ)[None, :]
    w = w.reshape(N, 2, -1)
    # rho[i, b, a] = <c†_{ia} c_{ib}> = Σ_k f_k v_{ib,k} v*_{ia,k}
    r00 = np.einsum("ik,ik->i", w[:, 0], w[:, 0].conj()).real
    r11 = np.einsum("ik,ik->i", w[:, 1], w[:, 1].conj()).real
    r10 = np.einsum("ik,ik->i", w[:, 1], w[:, 0].conj())  # rho[b=1, a=0] = <c†_0 c_1>
    # s^μ = Σ_ab σ^μ_ab rho_ba = Tr(σ^μ rho):  s_x = 2 Re rho_10, s_y = 2 Im rho_10, s_z = rho_00 − rho_11
    s = np.stack([2 * r10.real, 2 * r10.imag, r00 - r11], axis=1)
    return r00 + r11, s


class EDCalculator:
    """Energy and exchange field of an :class:`~altermag.dynamics.models.SDModel` by exact diagonalisation.

    ``energy_and_field(spins) -> (E, H)``: E total (free) energy in units of t1 (see module docstring), H (N, 3)
    with H_i = −∂E/∂S_i. The last diagonalisation is kept (``last``: eigenvalues, μ, occupations) so that
    ``observables()`` can report local densities without a second diagonalisation.
    """

    method = "ed"

    def __init__(self, model: SDModel):
        if not isinstance(model, SDModel):
            raise ParameterError(f"model={model!r}: EDCalculator needs an SDModel")
        self.model = model
        self.lattice = model.lattice
        self.last: dict = {}

    def __repr__(self) -> str:
        return f"EDCalculator({self.model!r})"

    def _diagonalize(self, spins: np.ndarray) -> dict:
        """Eigen-decomposition with occupations: ``evals`` (the computed eigenvalues), ``vecs``/``occ`` (occupied
        eigenvectors and their occupations) and ``mu`` (NaN at fixed filling and T = 0)."""
        m = self.model
        H = m.hamiltonian_dense(spins)
        T = m.temperature
        if m.filling is not None and T == 0:  # only the N_e lowest eigenpairs are needed
            ne = m.n_electrons
            if ne == 0:
                return {"evals": np.zeros(0), "vecs": np.zeros((H.shape[0], 0)), "occ": np.zeros(0),
                        "mu": float("nan")}
            evals, vecs = sla.eigh(H, check_finite=False, subset_by_index=[0, ne - 1], driver="evr")
            return {"evals": evals, "vecs": vecs, "occ": np.ones(ne), "mu": float("nan")}
        evals, vecs = sla.eigh(H, check_finite=False, driver="evd")
        mu = m.mu if m.filling is None else _solve_mu(evals, m.n_electrons, T)
        occ = fermi(evals, mu, T)
        keep = occ > 1e-15
        return {"evals": evals, "vecs": vecs[:, keep], "occ": occ[keep], "mu": mu}

    def energy_and_field(self, spins: np.ndarray) -> tuple[float, np.ndarray]:
        """Total energy E (t1) and field H (N, 3), H_i = −∂E/∂S_i."""
        m = self.model
        spins = _check_spins(spins, m.lattice.n_sites)
        d = self._diagonalize(spins)
        mu, evals = d["mu"], d["evals"]
        E = self._energy_from_levels(evals, mu)
        n, s = local_observables(d["vecs"], d["occ"])
        self.last = {"mu": mu, "density": n, "spin_density": s, "evals": evals}
        return E, m.J * s

    def field(self, spins: np.ndarray) -> np.ndarray:
        return self.energy_and_field(spins)[1]

    def energy(self, spins: np.ndarray) -> float:
        """Total energy only (eigenvalues only: cheaper than the field)."""
        m = self.model
        spins = _check_spins(spins, m.lattice.n_sites)
        H = m.hamiltonian_dense(spins)
        if m.filling is not None and m.temperature == 0:
            ne = m.n_electrons
            if ne == 0:
                return 0.0
            ev = sla.eigvalsh(H, check_finite=False, driver="evd")
            return float(ev[:ne].sum())
        ev = sla.eigvalsh(H, check_finite=False)
        mu = m.mu if m.filling is None else _solve_mu(ev, m.n_electrons, m.temperature)
        return self._energy_from_levels(ev, mu)

    def _energy_from_levels(self, evals: np.ndarray, mu: float) -> float:
        """E from the levels: Σ of the N_e lowest (fixed filling, T = 0; ``evals`` then holds just those), else
        Ω = −T Σ ln(1 + e^{−(ε−μ)/T}) (T = 0: Σ min(ε − μ, 0)), plus μ N_e at fixed filling (free energy F)."""
        m = self.model
        T = m.temperature
        if m.filling is not None and T == 0:
            return float(np.sum(evals))
        if T > 0:
            omega = -T * float(np.sum(np.logaddexp(0.0, -(evals - mu) / T)))
        else:
            omega = float(np.sum(np.minimum(evals - mu, 0.0)))
        return omega + (mu * m.n_electrons if m.filling is not None else 0.0)

    def observables(self, spins: np.ndarray) -> dict:
        """Energy, field, local density n_i and spin density ⟨c†σc⟩_i of one configuration."""
        E, H = self.energy_and_field(spins)
        return {"energy": E, "field": H, "density": self.last["density"],
                "spin_density": self.last["spin_density"], "mu": self.last["mu"]}
