"""Observables of spin configurations on a :class:`~altermag.dynamics.lattice.SpinLattice` (spec §5).

All functions are vectorised over sites (and accept a leading batch axis where noted).

* :func:`structure_factor` — S(q) = (1/N) Σ_a |Σ_i S_i^a e^{−iq·r_i}|² on the supercell's q grid (FFT).
* :func:`chirality` — scalar chirality χ_Δ = S_i·(S_j × S_k) of every elementary triangle (counter-clockwise).
* :func:`topological_charge` — Berg–Lüscher solid angles per triangle; Q = Σ Ω_Δ / 4π.
* :func:`nn_correlation` — ⟨S_i·S_j⟩ per neighbour shell; :func:`correlation_function` C(r) by FFT.
* :func:`chiral_domains` / :func:`domain_size` — Ising domains of sign(χ) and their size L(t)
  (three estimators: connected-cluster area, inverse wall density, first zero of C_χ(r)).
* :func:`order_parameters` — the order parameters of the 120° (K point) and tetrahedral (three M points) states.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from altermag.dynamics.lattice import SpinLattice

__all__ = ["structure_factor", "chirality", "topological_charge", "nn_correlation", "correlation_function",
           "chiral_domains", "domain_size", "order_parameters", "fit_power_law", "high_symmetry_points",
           "local_nn_correlation"]


def _grid(lat: SpinLattice, a: np.ndarray) -> np.ndarray:
    """Site array (..., N, k) → (..., Ly, L, k)."""
    return a.reshape(a.shape[:-2] + (lat.Ly, lat.L) + a.shape[-1:])


def structure_factor(lat: SpinLattice, spins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spin structure factor on the allowed q grid.

    Returns ``(q, Sq)``: q (Ly, L, 2) Cartesian wave vectors (units 1/a) and Sq (..., Ly, L), normalised so
    that Σ_q S(q) = N (for unit spins) — a perfect single-Q state has S(Q) = N at its ordering vector.
    """
    s = _grid(lat, np.asarray(spins, float))
    f = np.fft.fft2(s, axes=(-3, -2))  # e^{-2πi(mx/L + ny/Ly)} = e^{-i q·r}
    Sq = np.sum(np.abs(f) ** 2, axis=-1) / lat.n_sites
    return lat.q_grid(), Sq


def high_symmetry_points(lat: SpinLattice) -> dict[str, np.ndarray]:
    """Integer (n, m) indices into the (Ly, L) q grid of Γ, the M points and the K points (when allowed)."""
    L, Ly = lat.L, lat.Ly
    pts = {"G": [(0, 0)]}
    if L % 2 == 0 and Ly % 2 == 0:
        pts["M"] = [(0, L // 2), (Ly // 2, 0), (Ly // 2, L // 2)]
    if lat.kind == "triangular" and L % 3 == 0 and Ly % 3 == 0:
        pts["K"] = [(Ly // 3, 2 * L // 3), (2 * Ly // 3, L // 3)]
    if lat.kind == "square" and L % 2 == 0 and Ly % 2 == 0:
        pts["M"] = [(Ly // 2, L // 2)]
        pts["X"] = [(0, L // 2), (Ly // 2, 0)]
    return {k: np.array(v) for k, v in pts.items()}


def chirality(lat: SpinLattice, spins: np.ndarray) -> np.ndarray:
    """Scalar chirality χ = S_i·(S_j × S_k) per triangle of ``lat.triangles()`` (..., n_tri)."""
    tri = lat.triangles()
    s = np.asarray(spins, float)
    a, b, c = s[..., tri[:, 0], :], s[..., tri[:, 1], :], s[..., tri[:, 2], :]
    return np.sum(a * np.cross(b, c), axis=-1)


def topological_charge(lat: SpinLattice, spins: np.ndarray, density: bool = False):
    """Berg–Lüscher topological charge Q = Σ_Δ Ω_Δ/(4π), Ω_Δ = 2 atan2(S1·S2×S3, 1 + S1·S2 + S2·S3 + S3·S1).

    ``density=True`` returns the per-triangle Ω_Δ/(4π) instead of the sum.
    """
    tri = lat.triangles()
    s = np.asarray(spins, float)
    a, b, c = s[..., tri[:, 0], :], s[..., tri[:, 1], :], s[..., tri[:, 2], :]
    num = np.sum(a * np.cross(b, c), axis=-1)
    den = 1 + np.sum(a * b, -1) + np.sum(b * c, -1) + np.sum(c * a, -1)
    q = 2 * np.arctan2(num, den) / (4 * np.pi)
    return q if density else q.sum(axis=-1)


def nn_correlation(lat: SpinLattice, spins: np.ndarray, shells=(1, 2, 3)) -> dict[int, float]:
    """Mean ⟨S_i·S_j⟩ over the bonds of each neighbour shell."""
    s = np.asarray(spins, float)
    out = {}
    for sh in shells:
        nb = lat.neighbors(sh)
        valid = nb >= 0
        prod = np.sum(s[:, None, :] * s[np.maximum(nb, 0)], axis=-1)
        out[int(sh)] = float(prod[valid].mean())
    return out


def local_nn_correlation(lat: SpinLattice, spins: np.ndarray) -> np.ndarray:
    """Per-site mean nearest-neighbour correlation (1/z) Σ_j S_i·S_j (N,): +1 FM, −1 Néel (square)."""
    s = np.asarray(spins, float)
    nb = lat.neighbors(1)
    valid = nb >= 0
    prod = np.sum(s[:, None, :] * s[np.maximum(nb, 0)], axis=-1)
    return np.where(valid, prod, 0).sum(1) / np.maximum(valid.sum(1), 1)


def correlation_function(lat: SpinLattice, field: np.ndarray) -> np.ndarray:
    """Periodic correlation C(Δ) = (1/N) Σ_r f(r)·f(r+Δ) of a site field (N,) or (N, k), on the (Ly, L) grid."""
    f = np.asarray(field, float)
    if f.ndim == 1:
        f = f[:, None]
    g = _grid(lat, f)
    F = np.fft.fft2(g, axes=(0, 1))
    C = np.fft.ifft2(np.abs(F) ** 2, axes=(0, 1)).real.sum(-1) / lat.n_sites
    return C


def _radial(lat: SpinLattice, C: np.ndarray, dr: float = 1.0):
    """Radial average of a (Ly, L) grid function over minimal-image distances."""
    d = np.linalg.norm(lat.displacements(np.zeros(lat.n_sites, int), np.arange(lat.n_sites)), axis=-1)
    d = d.reshape(lat.Ly, lat.L)
    bins = np.floor(d / dr + 0.5).astype(int)
    n = np.bincount(bins.ravel())
    s = np.bincount(bins.ravel(), C.ravel())
    r = np.arange(len(n)) * dr
    m = n > 0
    return r[m], s[m] / n[m]


def chiral_domains(lat: SpinLattice, spins: np.ndarray, threshold: float = 0.0):
    """Ising domains of the site-averaged chirality sign (triangular lattice).

    The chirality of the up and down triangles of each unit cell is averaged into a site field χ_r; domains are
    connected clusters (nearest-neighbour, periodic) of equal sign(χ_r). Returns ``(labels (Ly, L), sizes)``.
    """
    chi = chirality(lat, spins)
    N = lat.n_sites
    cell = 0.5 * (chi[:N] + chi[N:2 * N]) if len(chi) == 2 * N else chi[:N]
    sign = (cell > threshold).reshape(lat.Ly, lat.L)
    labels = np.zeros(sign.shape, int)
    nlab = 0
    structure = np.array([[0, 1, 1], [1, 1, 1], [1, 1, 0]]) if lat.kind == "triangular" else None
    for val in (True, False):
        lab, n = ndimage.label(sign == val, structure=structure)
        labels[lab > 0] = lab[lab > 0] + nlab
        nlab += n
    # merge across the periodic boundaries
    parent = np.arange(nlab + 1)

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def edge(a_sl, b_sl):
        return labels[a_sl], labels[b_sl], sign[a_sl], sign[b_sl]

    pairs = [edge((slice(None), -1), (slice(None), 0)), edge((-1, slice(None)), (0, slice(None)))]
    if lat.kind == "triangular":  # the (−1, +1) bond also crosses the boundaries
        pairs += [edge((slice(1, None), -1), (slice(0, -1), 0)), edge((-1, slice(1, None)), (0, slice(0, -1))),
                  edge((-1, 0), (0, -1))]
    for a, b, sa, sb in pairs:
        same = (sa == sb)
        for x, y in set(zip(a[same].tolist(), b[same].tolist(), strict=False)):
            rx, ry = find(x), find(y)
            if rx != ry:
                parent[max(rx, ry)] = min(rx, ry)
    roots = np.array([find(x) for x in range(nlab + 1)])
    labels = roots[labels]
    _, inv, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    return inv.reshape(labels.shape), sizes


def domain_size(lat: SpinLattice, spins: np.ndarray) -> dict[str, float]:
    """Chiral-domain size estimators (lattice constants).

    * ``L_wall``: 1 / (fraction of nearest-neighbour triangle-cell bonds across which sign(χ) flips) — inverse
      domain-wall density (∝ area/perimeter), capped at the linear system size;
    * ``L_corr``: first zero crossing of the radial chirality correlation C_χ(r) (linear interpolation);
    * ``L_area``: √(mean cluster area, weighted by area) of the connected chiral domains.
    * ``chi_mean``, ``chi_abs``: mean chirality per triangle and mean |χ|.
    """
    chi = chirality(lat, spins)
    N = lat.n_sites
    cell = 0.5 * (chi[:N] + chi[N:2 * N]) if len(chi) == 2 * N else chi[:N]
    sg = np.sign(cell)
    nb = lat.neighbors(1)
    flips = np.mean(sg[:, None] != sg[nb])
    L_wall = float(min(1.0 / flips, max(lat.L, lat.Ly))) if flips > 0 else float(max(lat.L, lat.Ly))
    C = correlation_function(lat, cell - cell.mean() * 0)
    r, c = _radial(lat, C / C[0, 0])
    z = np.nonzero(c <= 0)[0]
    if len(z) and z[0] > 0:
        k = z[0]
        L_corr = float(r[k - 1] + (r[k] - r[k - 1]) * c[k - 1] / (c[k - 1] - c[k]))
    else:
        L_corr = float(r[-1])
    _, sizes = chiral_domains(lat, spins)
    L_area = float(np.sqrt(np.sum(sizes.astype(float) ** 2) / np.sum(sizes)))
    return {"L_wall": L_wall, "L_corr": L_corr, "L_area": L_area, "chi_mean": float(chi.mean()),
            "chi_abs": float(np.abs(chi).mean())}


def order_parameters(lat: SpinLattice, spins: np.ndarray) -> dict[str, float]:
    """Normalised order parameters from S(q)/N: ``m_FM`` (Γ), ``m_K`` (sum over the two K points, 120° → 1),
    ``m_M`` (sum over the three M points; tetrahedral → 1, with ``M_balance`` = min/max of the three weights),
    ``m_X``/``m_Mneel`` on the square lattice (stripe / Néel), and the mean chirality per triangle."""
    _, Sq = structure_factor(lat, spins)
    w = Sq / lat.n_sites
    pts = high_symmetry_points(lat)
    out = {"m_FM": float(w[0, 0])}
    if "K" in pts:
        out["m_K"] = float(sum(w[n, m] for n, m in pts["K"]))
    if lat.kind == "triangular" and "M" in pts:
        vals = np.array([w[n, m] for n, m in pts["M"]])
        out["m_M"] = float(vals.sum())
        out["M_balance"] = float(vals.min() / vals.max()) if vals.max() > 0 else 0.0
    if lat.kind == "square" and "M" in pts:
        out["m_Neel"] = float(sum(w[n, m] for n, m in pts["M"]))
        out["m_X"] = float(sum(w[n, m] for n, m in pts["X"]))
    out["chi_mean"] = float(chirality(lat, spins).mean())
    return out


def fit_power_law(t: np.ndarray, L: np.ndarray, t_min: float | None = None) -> dict[str, float]:
    """Least-squares fit L = A t^n on log-log axes for t ≥ t_min (default: the last 2/3 of the log range).

    Returns ``{"n": exponent, "n_err": standard error, "A": prefactor, "t_min": ..., "n_points": ...}``.
    """
    t = np.asarray(t, float)
    L = np.asarray(L, float)
    m = (t > 0) & (L > 0)
    t, L = t[m], L[m]
    if t_min is None and len(t):
        lt = np.log(t)
        t_min = float(np.exp(lt.min() + (lt.max() - lt.min()) / 3))
    sel = t >= (t_min or 0)
    if sel.sum() < 3:
        return {"n": float("nan"), "n_err": float("nan"), "A": float("nan"), "t_min": t_min,
                "n_points": int(sel.sum())}
    x, y = np.log(t[sel]), np.log(L[sel])
    A = np.vstack([x, np.ones_like(x)]).T
    coef, res, *_ = np.linalg.lstsq(A, y, rcond=None)
    yhat = A @ coef
    dof = max(len(x) - 2, 1)
    s2 = np.sum((y - yhat) ** 2) / dof
    cov = s2 * np.linalg.inv(A.T @ A)
    return {"n": float(coef[0]), "n_err": float(np.sqrt(cov[0, 0])), "A": float(np.exp(coef[1])),
            "t_min": float(t_min), "n_points": int(sel.sum())}
