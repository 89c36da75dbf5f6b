"""Kernel-polynomial-method (KPM) exchange fields, spec §2.2 (Weiße et al. RMP 78, 275; Barros & Kato PRB 88, 235101).

The density matrix ρ = f(H) is expanded in Chebyshev polynomials of the rescaled Hamiltonian
H̃ = (H − b)/a (spectrum inside [−1, 1]; a from a Gershgorin bound) with Jackson damping g_m::

    ρ ≈ Σ_{m<M} g_m c_m T_m(H̃),     c_m = Chebyshev coefficients of the Fermi function (T = 0: a step).

ρ is applied to a block of probe vectors ξ_r with the three-term recursion (sparse mat-vecs, O(N M R)), and the
local 2×2 blocks are read off as ρ_{ib,ia} ≈ Σ_r [ρ ξ_r]_{ib} ξ_r(ia)* / Σ_r |ξ_r(ia)|². This is the gradient
of the (KPM-approximated) grand potential with respect to H (∂Ω/∂H = f(H) = ρ), so H_i = J Tr_σ[σ ρ_ii] is the
Barros–Kato "gradient-based probing" field.

Probing:
* ``"random"``: R random-phase vectors on all 2N orbitals (stochastic, error ∝ R^{-1/2}).
* ``"coloring"``: the lattice is coloured so that equally coloured sites are ≥ ``coloring_distance`` apart
  (modular k×k colouring when k divides L and Ly, else greedy); one vector per (colour, spin) with random phases
  on the colour's sites. The error then comes only from ρ_ij between equally coloured sites, which decays
  exponentially with distance in a gapped system. ``n_vectors`` larger than 2 × n_colours repeats the set with
  fresh phases.

Fixed filling: μ is found from the KPM density of states (moments μ_m = Tr T_m(H̃), estimated with the same probe
vectors through the doubling identities, half a recursion); fixed μ is used as given.
"""

from __future__ import annotations

import numpy as np

from altermag.core.errors import ParameterError
from altermag.dynamics.ed import fermi
from altermag.dynamics.models import SDModel, _check_spins

__all__ = ["KPMCalculator", "jackson_kernel", "chebyshev_coefficients", "step_coefficients", "coloring"]


def jackson_kernel(M: int) -> np.ndarray:
    """Jackson damping factors g_m (m = 0..M−1)."""
    m = np.arange(M)
    q = np.pi / (M + 1)
    return ((M - m + 1) * np.cos(q * m) + np.sin(q * m) / np.tan(q)) / (M + 1)


def step_coefficients(x_mu, M: int) -> np.ndarray:
    """Chebyshev coefficients of θ(x_μ − x) on [−1, 1]; broadcasts over ``x_mu`` (…, M)."""
    th = np.arccos(np.clip(np.asarray(x_mu, float), -1, 1))[..., None]
    m = np.arange(1, M)
    c = np.empty(th.shape[:-1] + (M,))
    c[..., 0] = 1 - th[..., 0] / np.pi
    c[..., 1:] = -2 * np.sin(m * th) / (m * np.pi)
    return c


def chebyshev_coefficients(func, M: int, n_nodes: int | None = None) -> np.ndarray:
    """Chebyshev coefficients c_m (m < M) of a smooth function on [−1, 1] by Gauss–Chebyshev quadrature."""
    K = n_nodes or max(4 * M, 1024)
    th = np.pi * (np.arange(K) + 0.5) / K
    f = func(np.cos(th))
    if K >= M:  # c_m = (2/K) Σ_k f(cos θ_k) cos(m θ_k) is a type-II DCT: O(K log K) instead of O(M K)
        from scipy.fft import dct

        c = dct(f, type=2)[:M] / K
    else:
        c = (2.0 / K) * np.cos(np.outer(np.arange(M), th)) @ f
    c[0] /= 2
    return c


def coloring(lattice, distance: int) -> np.ndarray:
    """Site colours such that sites of one colour are at least ``distance`` apart (minimal image).

    Periodic lattices use the modular k × k colouring (x mod k, y mod k) with k the largest divisor of
    gcd(L, Ly) not above ``distance`` when k ≥ ¾·distance (then equally coloured sites are ≥ k apart); otherwise
    a greedy colouring of the graph of sites closer than ``distance`` (at most ≈ 6.8 lattice constants).
    """
    from math import gcd

    k = max(1, min(int(distance), lattice.L, lattice.Ly))
    if lattice.periodic_x:
        g = gcd(lattice.L, lattice.Ly)
        kk = max(d for d in range(1, k + 1) if g % d == 0)
        if kk >= 0.75 * k:
            x, y = lattice.coords[:, 0], lattice.coords[:, 1]
            return (x % kk) + kk * (y % kk)
    distance = min(distance, lattice.shell_distances[-1])
    # greedy: forbid colours of every site closer than `distance`
    offs = lattice.offsets_within(distance - 1e-9)
    nb = lattice.neighbors_at(offs)
    color = -np.ones(lattice.n_sites, int)
    for i in range(lattice.n_sites):
        js = nb[i][nb[i] >= 0]
        used = np.zeros(len(offs) + 2, bool)
        cj = color[js]
        cj = cj[(cj >= 0) & (cj < len(used))]
        used[cj] = True
        color[i] = int(np.argmin(used))
    return color


class KPMCalculator:
    """KPM energy and exchange field of an :class:`SDModel`; same interface as :class:`EDCalculator`.

    Parameters
    ----------
    model : SDModel
    n_moments : number M of Chebyshev moments (resolution ≈ π a / M in energy).
    n_vectors : probe vectors. ``"random"``: R (default 32). ``"coloring"``: at least 2 × n_colours; more repeat
        the colour set with fresh phases.
    probing : ``"coloring"`` (default) or ``"random"``.
    coloring_distance : minimal distance k between equally coloured sites (default 4).
    seed : seed of the random phases (a new set is drawn at each call, from this stream).
    """

    method = "kpm"

    def __init__(self, model: SDModel, n_moments: int = 400, n_vectors: int | None = None,
                 probing: str = "coloring", coloring_distance: int = 4, seed: int = 0):
        if not isinstance(model, SDModel):
            raise ParameterError(f"model={model!r}: KPMCalculator needs an SDModel")
        if probing not in ("coloring", "random"):
            raise ParameterError(f"probing={probing!r}: 'coloring' or 'random'")
        if n_moments < 4:
            raise ParameterError(f"n_moments={n_moments}: must be >= 4")
        if n_vectors is not None and n_vectors < 1:
            raise ParameterError(f"n_vectors={n_vectors}: must be >= 1 (or None for the default)")
        if probing == "coloring" and coloring_distance < 1:
            raise ParameterError(f"coloring_distance={coloring_distance}: must be >= 1 lattice constant")
        self.model = model
        self.lattice = model.lattice
        self.n_moments = int(n_moments)
        self.probing = probing
        self.rng = np.random.default_rng(seed)
        N = self.lattice.n_sites
        if probing == "coloring":
            self.colors = coloring(self.lattice, coloring_distance)
            coloring_distance = self._actual_distance(self.colors)
            self.n_colors = int(self.colors.max()) + 1
            base = 2 * self.n_colors
            self.n_repeat = max(1, (n_vectors or base) // base)
            self.n_vectors = base * self.n_repeat
        else:
            self.n_vectors = int(n_vectors or 32)
            self.n_repeat = self.n_vectors
        #: smallest distance between equally coloured sites (None: every site has its own colour, exact probing)
        self.coloring_distance = None if not np.isfinite(coloring_distance) else coloring_distance
        self.exact_probing = probing == "coloring" and self.coloring_distance is None
        self.scale = 1.01 * model.spectral_bound()
        self.shift = 0.0
        self.kernel = jackson_kernel(self.n_moments)
        self.last: dict = {}
        self._N = N

    def __repr__(self) -> str:
        return (f"KPMCalculator({self.model!r}, n_moments={self.n_moments}, n_vectors={self.n_vectors}, "
                f"probing={self.probing!r})")

    def _actual_distance(self, colors) -> float:
        """Smallest minimal-image distance between two distinct sites of equal colour."""
        lat = self.lattice
        first = np.unique(colors, return_index=True)[1]
        best = np.inf
        for c, i in zip(np.unique(colors), first, strict=False):
            js = np.nonzero(colors == c)[0]
            js = js[js != i]
            if len(js):
                best = min(best, float(np.linalg.norm(lat.displacements(np.full(len(js), i), js), axis=-1).min()))
        return best

    # ------------------------------------------------------------------ probe vectors
    def probe_vectors(self) -> np.ndarray:
        """A fresh block of probe vectors (2N, R) complex."""
        N = self._N
        if self.probing == "random":
            ph = self.rng.uniform(0, 2 * np.pi, size=(2 * N, self.n_vectors))
            return np.exp(1j * ph)
        blocks = []
        for _ in range(self.n_repeat):
            V = np.zeros((N, 2, self.n_colors, 2), complex)
            ph = np.exp(1j * self.rng.uniform(0, 2 * np.pi, size=N))
            i = np.arange(N)
            for a in range(2):
                V[i, a, self.colors, a] = ph
            blocks.append(V.reshape(2 * N, 2 * self.n_colors))
        return np.concatenate(blocks, axis=1)

    # ------------------------------------------------------------------ core
    def _rescaled(self, spins):
        H = self.model.hamiltonian(spins)
        return (H / self.scale).tocsr()  # shift b = 0 (bound symmetric)

    def _moments(self, Ht, V) -> np.ndarray:
        """Trace moments μ_m = Σ_r ξ_r† T_m ξ_r (m < M) from M/2 recursion steps (doubling identities)."""
        M = self.n_moments
        half = (M + 1) // 2
        mu = np.zeros(M)
        t0 = V
        t1 = Ht @ V
        mu0 = np.vdot(V, V).real
        mu1 = np.vdot(V, t1).real
        mu[0], mu[1] = mu0, mu1
        for m in range(1, half):
            # t0 = T_{m-1} V, t1 = T_m V
            if 2 * m < M:
                mu[2 * m] = 2 * np.vdot(t1, t1).real - mu0
            t2 = 2 * (Ht @ t1) - t0
            if 2 * m + 1 < M:
                mu[2 * m + 1] = 2 * np.vdot(t2, t1).real - mu1
            t0, t1 = t1, t2
        return mu

    def _find_mu(self, mom: np.ndarray, n_el: float) -> float:
        g = self.kernel
        T = self.model.temperature / self.scale
        lo, hi = -1.0, 1.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if T > 0:
                c = chebyshev_coefficients(lambda x, mid=mid: fermi(x, mid, T), self.n_moments)
            else:
                c = step_coefficients(mid, self.n_moments)
            n = float(np.sum(g * c * mom))
            if n > n_el:
                hi = mid
            else:
                lo = mid
        return 0.5 * (lo + hi)

    def energy_and_field(self, spins: np.ndarray) -> tuple[float, np.ndarray]:
        """KPM estimate of the energy E (t1) and the field H (N, 3), H_i = −∂E/∂S_i."""
        m = self.model
        spins = _check_spins(spins, self._N)
        Ht = self._rescaled(spins)
        V = self.probe_vectors()
        M = self.n_moments
        g = self.kernel
        T = m.temperature / self.scale
        mom = None
        if m.filling is not None:
            mom = self._moments(Ht, V) / self.n_repeat
            x_mu = self._find_mu(mom, m.n_electrons)
        else:
            x_mu = (m.mu - self.shift) / self.scale
        if T > 0:
            c = chebyshev_coefficients(lambda x: fermi(x, x_mu, T), M)
        else:
            c = step_coefficients(x_mu, M)
        gc = g * c
        # ρ V by the recursion
        t0 = V
        t1 = Ht @ V
        rhoV = gc[0] * t0 + gc[1] * t1
        for k in range(2, M):
            t2 = 2 * (Ht @ t1) - t0
            rhoV += gc[k] * t2
            t0, t1 = t1, t2
        N = self._N
        w = np.sum(np.abs(V) ** 2, axis=1).reshape(N, 2)  # normalisation per (i, a)
        A = rhoV.reshape(N, 2, -1)
        B = V.reshape(N, 2, -1).conj()
        # R[i, b, a] = Σ_r A[i,b,r] B[i,a,r] / w[i,a]
        R = np.einsum("ibr,iar->iba", A, B) / w[:, None, :]
        r00, r11, r10, r01 = R[:, 0, 0], R[:, 1, 1], R[:, 1, 0], R[:, 0, 1]
        # s^μ = Tr(σ^μ ρ) with ρ Hermitian: average the two off-diagonal estimates
        off = 0.5 * (r10 + r01.conj())
        s = np.stack([2 * off.real, 2 * off.imag, (r00 - r11).real], axis=1)
        dens = (r00 + r11).real
        mu_phys = x_mu * self.scale + self.shift
        # energy
        if T > 0:
            if mom is None:
                mom = self._moments(Ht, V) / self.n_repeat
            a = self.scale

            def phi(x):
                z = -(a * x - mu_phys) / m.temperature
                return -m.temperature * np.logaddexp(0.0, z)
            omega = float(np.sum(g * chebyshev_coefficients(phi, M) * mom))
            E = omega + (mu_phys * m.n_electrons if m.filling is not None else 0.0)
        else:
            HrhoV = (Ht @ rhoV) * self.scale
            tr_hrho = float(np.vdot(V, HrhoV).real) / self.n_repeat
            E = tr_hrho if m.filling is not None else tr_hrho - mu_phys * float(np.vdot(V, rhoV).real) / self.n_repeat
        self.last = {"mu": mu_phys, "density": dens, "spin_density": s}
        return E, m.J * s

    def field(self, spins: np.ndarray) -> np.ndarray:
        return self.energy_and_field(spins)[1]

    def energy(self, spins: np.ndarray) -> float:
        return self.energy_and_field(spins)[0]
