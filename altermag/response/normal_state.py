"""The paramagnetic normal state of a two-sublattice model: the common input of χ⁰, RPA and Hartree-Fock.

Without J and SOC, Eq. (1) is spin-diagonal and both spins see the same real 2×2 sublattice block
(spec §5.1, Eq. 9)::

    h(k) = ε₀(k) + t_x(k) τ_x + t_z(k) τ_z,     E_± = ε₀ ± |t|,   |t| = sqrt(t_x² + t_z²)

Conventions used by the whole :mod:`altermag.response` package
----------------------------------------------------------------
* Energies in eV; ε₀ includes −μ of the model, so the model's Fermi level is at E = 0.
* **Temperature is ``kT`` in eV** (the paper's convention, e.g. kT = 0.01), not kelvin.
* **Filling** ``n_sigma``: electrons per spin per site, 0 ≤ n_σ ≤ 1 (spec §8: RuO2 n_σ = 0.604).
* **Gauge**: the Bloch basis carries e^{ik·r_site}; eigenvectors at k + q are computed at k + q itself,
  never wrapped back into the zone (spec §8).
* Band index μ = 0 is the lower band E_−, μ = 1 the upper band E_+. ``a[..., l, μ]`` is the sublattice-l
  component of band μ (real in this block): column 1 = (cos θ/2, sin θ/2), column 0 = (−sin θ/2, cos θ/2),
  with θ = atan2(t_x, t_z) (Eq. 10).
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.special import expit

from altermag.core.errors import ParameterError
from altermag.models.hamiltonian import TwoSublatticeModel

__all__ = ["DEFAULT_MESH", "default_mesh", "paramagnetic", "k_mesh", "spinless_coefficients", "spinless_bands", "occupation", "minus_df",
           "filling", "fermi_level", "check_kT", "mesh_shape"]

log = logging.getLogger(__name__)

_SOC_CHANNELS = ("lx", "ly", "lz")

#: Default k mesh per direction by model dimension, used by every χ⁰/RPA/Hartree-Fock function and command:
#: the smallest grids whose q = 0 critical U stay within 5 % of the converged spec §8 values (RuO2 at 32³ is
#: 5.2 % off in the FM channel; 48³ is within 2 %).
DEFAULT_MESH = {2: 300, 3: 48}


def default_mesh(model: TwoSublatticeModel) -> int:
    """:data:`DEFAULT_MESH` for the model's dimension."""
    return DEFAULT_MESH[model.terms.dimension]


def paramagnetic(model: TwoSublatticeModel, warn: bool = True) -> tuple[TwoSublatticeModel, dict]:
    """The model with J = 0 and every SOC coefficient set to 0, and a record of what was dropped.

    Instabilities (χ⁰, RPA, Hartree-Fock onsets) are properties of the paramagnet, so the response
    functions use this block. Returns ``(model_pm, dropped)`` with ``dropped = {"J": ..., "<lambda name>": ...}``
    (only the non-zero ones); a log warning names them when ``warn``.
    """
    if not isinstance(model, TwoSublatticeModel):
        raise ParameterError(f"expected a TwoSublatticeModel, got {type(model).__name__}")
    soc = sorted({h.parameter for h in model.terms.harmonics if h.channel in _SOC_CHANNELS})
    dropped = {p: model.params[p] for p in soc if model.params[p] != 0.0}
    if model.J != 0.0:
        dropped["J"] = model.J
    if not dropped:
        return model, {}
    if warn:
        log.warning("%s: using the paramagnetic normal state; set to 0: %s", model.name, dropped)
    return model.with_params(J=0.0, **{p: 0.0 for p in soc}), dropped


def mesh_shape(model: TwoSublatticeModel, mesh) -> tuple[int, int, int]:
    """Normalise ``mesh`` (int or 3-tuple) to (n1, n2, n3); 2D models get n3 = 1."""
    if np.isscalar(mesh):
        n = int(mesh)
        shape = (n, n, 1) if model.terms.dimension == 2 else (n, n, n)
    else:
        shape = tuple(int(x) for x in mesh)
        if len(shape) == 2:
            shape = shape + (1,)
    if len(shape) != 3 or min(shape) < 1:
        raise ParameterError(f"mesh must be a positive integer or three positive integers, got {mesh!r}")
    if model.terms.dimension == 2 and shape[2] != 1:
        raise ParameterError(f"model {model.name!r} is 2D: the mesh must have n3 = 1, got {shape}")
    return shape


def k_mesh(model: TwoSublatticeModel, mesh) -> np.ndarray:
    """Γ-centred grid k = (i/n1, j/n2, l/n3) in fractional coordinates, shape (n1, n2, n3, 3)."""
    n1, n2, n3 = mesh_shape(model, mesh)
    g = np.meshgrid(np.arange(n1) / n1, np.arange(n2) / n2, np.arange(n3) / n3, indexing="ij")
    return np.stack(g, axis=-1)


def spinless_coefficients(model: TwoSublatticeModel, k, frame: str = "frac"):
    """(ε₀ − μ, t_x, t_z) at k, each of shape k.shape[:-1], eV. J and λ are not part of this block."""
    c = model.coefficients(k, frame)
    return c[..., 0], c[..., 1], c[..., 2]


def spinless_bands(eps0, tx, tz) -> tuple[np.ndarray, np.ndarray]:
    """Bands ``E`` (..., 2) (E_−, E_+) and real eigenvectors ``a`` (..., 2, 2) of ε₀ + t_x τ_x + t_z τ_z."""
    eps0, tx, tz = np.broadcast_arrays(*(np.asarray(x, float) for x in (eps0, tx, tz)))
    r = np.hypot(tx, tz)
    E = np.stack([eps0 - r, eps0 + r], axis=-1)
    half = 0.5 * np.arctan2(tx, tz)
    c, s = np.cos(half), np.sin(half)
    a = np.empty(eps0.shape + (2, 2))
    a[..., 0, 0], a[..., 1, 0] = -s, c  # lower band
    a[..., 0, 1], a[..., 1, 1] = c, s   # upper band
    return E, a


def check_kT(kT: float) -> float:
    """Validate a temperature kT (eV): finite and > 0 (the response functions need a smooth f)."""
    try:
        kT = float(kT)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"kT must be a number (eV), got {kT!r}") from exc
    if not np.isfinite(kT) or kT <= 0:
        raise ParameterError(f"kT must be finite and > 0 eV (a smooth Fermi function), got {kT!r}")
    return kT


def occupation(E, kT: float) -> np.ndarray:
    """Fermi function f(E) = 1/(e^{E/kT} + 1) with the Fermi level at E = 0 (E, kT in eV)."""
    return expit(-np.asarray(E, float) / check_kT(kT))


def minus_df(E, kT: float) -> np.ndarray:
    """−∂f/∂E (eV⁻¹), written without overflow."""
    kT = check_kT(kT)
    x = np.abs(np.asarray(E, float)) / kT
    ex = np.exp(-x)
    return ex / (kT * (1.0 + ex) ** 2)


def filling(E, kT: float, E_F: float = 0.0) -> float:
    """Electrons per spin per site, n_σ = (1/2N) Σ_{k,μ} f(E_μ(k) − E_F), for bands E (..., 2) on a grid."""
    E = np.asarray(E, float)
    return float(occupation(E - E_F, kT).sum() / (E.size))


def fermi_level(E, n_sigma: float, kT: float, guess: float | None = None, tol: float = 1e-13) -> float:
    """The E_F (eV, relative to the energies E) at which :func:`filling` equals ``n_sigma``.

    Safeguarded Newton on the monotonic filling (bisection whenever a Newton step leaves the bracket), so a
    good ``guess`` (e.g. the previous Hartree-Fock iteration's E_F) converges in two or three steps; the
    filling error is below ``tol`` unless the target lies in a gap. Raises :class:`ParameterError` unless
    0 < n_σ < 1.
    """
    n_sigma = float(n_sigma)
    if not 0.0 < n_sigma < 1.0:
        raise ParameterError(f"n_sigma (electrons per spin per site) must lie strictly between 0 and 1, "
                             f"got {n_sigma!r}")
    kT = check_kT(kT)
    E = np.asarray(E, float).ravel()
    lo, hi = float(E.min()) - 50 * kT, float(E.max()) + 50 * kT
    mu = 0.5 * (lo + hi) if guess is None or not lo < guess < hi else float(guess)
    for _ in range(200):
        f = expit((mu - E) / kT)
        val = float(f.mean()) - n_sigma
        if abs(val) < tol:
            break
        if val < 0:
            lo = mu
        else:
            hi = mu
        der = float((f * (1.0 - f)).mean()) / kT
        step = mu - val / der if der > 1e-300 else np.nan
        mu = step if lo < step < hi else 0.5 * (lo + hi)
        if hi - lo < 1e-15 * max(1.0, abs(mu)):
            break
    return mu
