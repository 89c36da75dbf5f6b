"""Symbolic terms of the two-sublattice four-band model (Eq. 1 of the minimal-models paper).

    H(k) = ε₀(k) τ₀σ₀ + t_x(k) τ_xσ₀ + t_z(k) τ_zσ₀ + τ_y (λ(k)·σ) + J τ_z (n̂·σ)

Because inversion sits on the magnetic atoms, every coefficient function is real and even in k, so each
is a sum of *lattice harmonics* ``Σ_j w_j cos(2π k·v_j)`` over a star of bond vectors ``v_j``. This
module holds that data: the generator (:mod:`altermag.models.generator`) produces it, the Hamiltonian
object (:mod:`altermag.models.hamiltonian`) compiles it into vectorised callables.

Conventions
-----------
* ``vectors`` are bond vectors in **fractional coordinates of the model's cell** (the conventional cell
  of the standard setting for catalogue entries). Intra-sublattice bonds (ε₀, t_z) are lattice vectors;
  inter-sublattice bonds (t_x, λ) lie in ``d + lattice``, so they may be half-integer. This is the gauge
  in which the Bloch basis carries ``exp(i k·r_site)``: t_x(k+G) = exp(iG·d) t_x(k).
* k is given in **fractional reciprocal coordinates** of the same cell (``k_frac``), so a harmonic is
  ``Σ_j w_j cos(2π k_frac·v_j)``. The paper's dimensionless momenta k_x ≡ k_x a equal ``2π k_frac_x`` for
  orthogonal cells.
* λ components (channels ``lx``, ``ly``, ``lz``) refer to **Cartesian spin axes** of the model's lattice
  (x ∥ a, z ∥ c in the standard setting).
* Energies (coefficients) are in eV.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from altermag.core.errors import ParameterError

#: the coefficient functions of Eq. (1); λ is split into its Cartesian components
CHANNELS = ("eps0", "tx", "tz", "lx", "ly", "lz")


@dataclass(frozen=True, eq=False)
class Harmonic:
    """One symmetry-adapted lattice harmonic ``h(k) = Σ_j w_j cos(2π k_frac·v_j)`` times a free coefficient.

    Attributes
    ----------
    channel : one of :data:`CHANNELS`
    vectors : (n, 3) bond vectors, fractional coordinates of the model cell
    weights : (n,) real weights (a symmetry projection fixes them up to one overall factor)
    parameter : name of the free real coefficient (eV) that multiplies ``h``; harmonics that share a
        parameter are tied together by symmetry (e.g. the two components of an in-plane λ).
    shell : neighbour-shell index (1 = nearest) the harmonic was generated from
    label : human-readable form, e.g. ``"sin kx sin ky"``
    """

    channel: str
    vectors: np.ndarray
    weights: np.ndarray
    parameter: str
    shell: int = 1
    label: str = ""

    def __post_init__(self):
        if self.channel not in CHANNELS:
            raise ParameterError(f"unknown channel {self.channel!r}; expected one of {CHANNELS}")
        v = np.asarray(self.vectors, dtype=float).reshape(-1, 3)
        w = np.asarray(self.weights, dtype=float).reshape(-1)
        if len(v) != len(w):
            raise ParameterError(f"harmonic {self.parameter!r}: {len(v)} vectors but {len(w)} weights")
        object.__setattr__(self, "vectors", v)
        object.__setattr__(self, "weights", w)

    def __call__(self, k_frac: np.ndarray) -> np.ndarray:
        """h(k) for k of shape (..., 3) in fractional reciprocal coordinates."""
        return np.cos(2 * np.pi * np.asarray(k_frac, float) @ self.vectors.T) @ self.weights

    def gradient(self, k_frac: np.ndarray) -> np.ndarray:
        """∂h/∂k_frac, shape (..., 3)."""
        ph = 2 * np.pi * np.asarray(k_frac, float) @ self.vectors.T
        return -2 * np.pi * (np.sin(ph) * self.weights) @ self.vectors

    def as_dict(self) -> dict:
        return {"channel": self.channel, "vectors": self.vectors.tolist(), "weights": self.weights.tolist(),
                "parameter": self.parameter, "shell": int(self.shell), "label": self.label}

    @classmethod
    def from_dict(cls, d: dict) -> "Harmonic":
        return cls(d["channel"], np.asarray(d["vectors"]), np.asarray(d["weights"]), d["parameter"],
                   int(d.get("shell", 1)), d.get("label", ""))


@dataclass(eq=False)
class ModelTerms:
    """The symbolic model of one (space group, Wyckoff) entry: harmonics plus the symmetry data they obey.

    Attributes
    ----------
    harmonics : all generated harmonics (any channel, any shell)
    lattice : (3, 3) rows = a, b, c in Å of the model cell (used for Cartesian k and spin rotations)
    sites : (2, 3) fractional positions r₁, r₂ of the two magnetic sublattices; d = r₂ − r₁
    space_group, wyckoff : e.g. 136, "2a"
    irrep : Mulliken label Γ of τ_z (e.g. "B2g"); wave : "d" | "g" | "i"
    operations : list of (R, t) in fractional coordinates of the model cell (the space group's coset
        representatives, centring included) used to generate and to verify the model
    dimension : 3, or 2 for layer models (k_z and c are then ignored)
    info : free-form metadata (point group, site symmetry, form factor, provenance)
    """

    harmonics: list[Harmonic]
    lattice: np.ndarray
    sites: np.ndarray
    space_group: int
    wyckoff: str
    irrep: str = ""
    wave: str = ""
    operations: list = field(default_factory=list)
    dimension: int = 3
    info: dict = field(default_factory=dict)

    @property
    def d(self) -> np.ndarray:
        return np.asarray(self.sites[1], float) - np.asarray(self.sites[0], float)

    @property
    def parameters(self) -> list[str]:
        """Free coefficient names in generation order (no duplicates)."""
        return list(dict.fromkeys(h.parameter for h in self.harmonics))

    def channel(self, name: str) -> list[Harmonic]:
        return [h for h in self.harmonics if h.channel == name]

    def as_dict(self) -> dict:
        return {"harmonics": [h.as_dict() for h in self.harmonics], "lattice": np.asarray(self.lattice).tolist(),
                "sites": np.asarray(self.sites).tolist(), "space_group": int(self.space_group),
                "wyckoff": self.wyckoff, "irrep": self.irrep, "wave": self.wave,
                "operations": [[np.asarray(R).tolist(), np.asarray(t).tolist()] for R, t in self.operations],
                "dimension": int(self.dimension), "info": self.info}

    @classmethod
    def from_dict(cls, d: dict) -> "ModelTerms":
        return cls([Harmonic.from_dict(h) for h in d["harmonics"]], np.asarray(d["lattice"], float),
                   np.asarray(d["sites"], float), int(d["space_group"]), d["wyckoff"], d.get("irrep", ""),
                   d.get("wave", ""), [(np.asarray(R), np.asarray(t)) for R, t in d.get("operations", [])],
                   int(d.get("dimension", 3)), d.get("info", {}))
