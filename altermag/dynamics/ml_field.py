"""Machine-learned exchange field behind the calculator interface of the ED/KPM solvers.

``MLCalculator(model).energy_and_field(spins) -> (E, H)`` with numpy in and out, for a lattice of
any size: the force field is local, so the same trained network serves 12×12 and 316×316 lattices.
Cost is linear in the number of sites; sites are processed in chunks so that 10⁵ spins fit in
memory. ``H = −∂E/∂S`` by automatic differentiation (its transverse part is what the model was
trained on; see :mod:`altermag.dynamics.network`).

Driven strips (issue 8): a model with site inputs (``model.site_inputs``) gets its per-site extra
inputs from :func:`~altermag.dynamics.two_potential.strip_inputs` for the calculator's ``lattice``
(any strip length) and ``bias``; a two-potential model (``field_form == "two-potential"``) returns
``(nan, H^ML)`` with ``H^ML = S × F^A − (F^B)⊥`` (no energy exists for a nonconservative field)::

    calc = MLCalculator("run/model.pt", lattice=SpinLattice("square", 96, 10, periodic_x=False), bias=0.3)
    _, H = calc.energy_and_field(spins)
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from altermag.core.errors import ParameterError

__all__ = ["MLCalculator", "load_shipped_model", "shipped_models", "DATA_DIR"]

DATA_DIR = Path(__file__).resolve().parent / "data"


def shipped_models() -> list[str]:
    """Names of the models shipped with altermag (``altermag/dynamics/data/<name>.pt``)."""
    return sorted(p.stem for p in DATA_DIR.glob("*.pt"))


def load_shipped_model(name: str = "sd-triangular-tetrahedral"):
    """A shipped :class:`~altermag.dynamics.network.SpinForceField` by name."""
    from altermag.dynamics.network import SpinForceField

    path = DATA_DIR / f"{name}.pt"
    if not path.is_file():
        raise ParameterError(f"no shipped model named {name!r}; available: {shipped_models()}")
    return SpinForceField.load(path)


class MLCalculator:
    """Energy and exchange field from a trained Behler-Parrinello force field.

    Parameters
    ----------
    model: a :class:`~altermag.dynamics.network.SpinForceField`, a path to a saved ``.pt`` model,
        or the name of a shipped model.
    lattice: optional :class:`~altermag.dynamics.lattice.SpinLattice`; without it an ``L × L``
        lattice of the model's kind is assumed from the number of spins (``N = L²``).
    device: ``"cpu"``, ``"cuda"`` or ``"auto"`` (CUDA when available).
    chunk: sites per chunk of the descriptor/network evaluation (memory bound).
    transverse: return only the transverse field ``H − (H·S)S`` (the part that drives LLG).
    threads: torch intra-op threads to use while evaluating (``None``: leave as is).
    bias: the bias ``V`` (t1) fed to models with site inputs (attribute; may be changed between calls).
    extra: explicit per-site extra inputs (N, n_extra_inputs) instead of the ones built from the
        model's ``site_inputs``, ``lattice`` and ``bias``.
    """

    method = "ml"

    def __init__(
        self,
        model: Any = "sd-triangular-tetrahedral",
        lattice: Any = None,
        device: str = "cpu",
        chunk: int = 16384,
        transverse: bool = False,
        threads: int | None = None,
        bias: float = 0.0,
        extra: np.ndarray | None = None,
    ):
        import torch

        from altermag.dynamics.network import SpinForceField

        if isinstance(model, SpinForceField):
            ff = model
        elif isinstance(model, (str, Path)) and Path(model).suffix == ".pt":
            ff = SpinForceField.load(model)
        elif isinstance(model, str):
            ff = load_shipped_model(model)
        else:
            raise ParameterError(f"model must be a SpinForceField, a .pt path or a shipped model name, got {model!r}")
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if chunk < 1:
            raise ParameterError(f"chunk must be >= 1, got {chunk}")
        self.device = torch.device(device)
        self.model = ff.to(self.device)
        self.model.network.eval()
        self.kind = ff.descriptor.lattice_kind
        self.chunk = int(chunk)
        self.transverse = bool(transverse)
        self.threads = threads
        self.lattice = lattice
        self.bias = float(bias)
        self.extra = None if extra is None else np.asarray(extra, dtype=np.float64)
        self.field_form = getattr(ff, "field_form", "gradient")
        self._indices: dict[int, dict] = {}
        self._extra_cache: tuple | None = None
        if lattice is not None:
            self._index_for(lattice.n_sites)
            self._extra_for(lattice.n_sites)
        self.n_evaluations = 0

    def __repr__(self) -> str:
        return f"MLCalculator({self.model!r}, device={self.device})"

    def _index_for(self, n: int) -> dict:
        if n in self._indices:
            return self._indices[n]
        lat = self.lattice
        if lat is None or lat.n_sites != n:
            L = int(round(math.sqrt(n)))
            if L * L != n:
                raise ParameterError(
                    f"{n} spins is not an L×L lattice; pass lattice=SpinLattice({self.kind!r}, L, Ly)"
                )
            from altermag.dynamics.lattice import SpinLattice

            lat = SpinLattice(self.kind, L)
        if getattr(lat, "kind", self.kind) != self.kind:
            raise ParameterError(f"the model is for the {self.kind} lattice, got a {lat.kind} lattice")
        idx = self.model.descriptor.index_tensors(lat)
        idx["neighbors"] = idx["neighbors"].to(self.device)
        self._indices = {n: idx}  # keep one lattice (memory)
        return idx

    def _extra_for(self, n: int, spins: np.ndarray | None = None):
        """Per-site extra inputs (torch, on the device) for ``n`` spins, or None for models without. Inputs that
        depend on the configuration (``site_inputs["potential"]``) are rebuilt from ``spins`` at every call."""
        import torch

        n_extra = self.model.network.n_extra_inputs
        if not n_extra:
            if self.extra is not None and self.extra.size:
                raise ParameterError("this model takes no extra inputs, but extra= was given")
            return None
        if self.extra is not None:
            if self.extra.shape != (n, n_extra):
                raise ParameterError(f"extra must have shape ({n}, {n_extra}), got {self.extra.shape}")
            key = ("explicit", id(self.extra), n)
            arr = self.extra
        else:
            si = getattr(self.model, "site_inputs", None)
            if si is None:
                raise ParameterError(
                    f"the model takes {n_extra} extra inputs per site but records no site_inputs settings; pass extra="
                )
            lat = self.lattice
            if lat is None or lat.n_sites != n:
                raise ParameterError(
                    f"the model's site inputs ({si}) need the lattice: pass lattice=SpinLattice(..., periodic_x=False) "
                    f"with {n} sites"
                )
            key = ("strip", id(lat), n, self.bias)
            arr = None
            if si.get("potential"):
                if spins is None:  # at construction: check the settings on a collinear configuration
                    spins = np.tile([0.0, 0.0, 1.0], (n, 1))
                from altermag.dynamics.two_potential import strip_inputs

                return torch.as_tensor(strip_inputs(lat, self.bias, spins=spins, **si), dtype=torch.float64,
                                       device=self.device)
        if self._extra_cache is not None and self._extra_cache[0] == key:
            return self._extra_cache[1]
        if arr is None:
            from altermag.dynamics.two_potential import strip_inputs

            arr = strip_inputs(self.lattice, self.bias, **si)
        t = torch.as_tensor(arr, dtype=torch.float64, device=self.device)
        self._extra_cache = (key, t)
        return t

    def energy_and_field(self, spins: np.ndarray) -> tuple[float, np.ndarray]:
        """Total energy E and field H (N, 3) = −∂E/∂S (or its transverse part), numpy float64.

        For a two-potential model: ``(nan, S × F^A − (F^B)⊥)`` (transverse by construction)."""
        import torch

        S = np.asarray(spins, dtype=np.float64)
        if S.ndim != 2 or S.shape[1] != 3:
            raise ParameterError(f"spins must have shape (N, 3), got {S.shape}")
        idx = self._index_for(S.shape[0])
        extra = self._extra_for(S.shape[0], S)
        old = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(int(self.threads))
        try:
            St = torch.as_tensor(S, device=self.device)
            if self.field_form == "gradient" and extra is None:
                E, H = self.model.energy_and_field(St, idx, chunk=self.chunk)
            else:
                E, H = self.model.model_field(St, idx, extra, chunk=self.chunk)
        finally:
            if self.threads:
                torch.set_num_threads(old)
        H = H.detach().cpu().numpy()
        if self.transverse:
            H = H - np.sum(H * S, axis=1, keepdims=True) * S
        self.n_evaluations += 1
        return float(E), H

    def field(self, spins: np.ndarray) -> np.ndarray:
        return self.energy_and_field(spins)[1]

    def energy(self, spins: np.ndarray) -> float:
        """Total energy (output 0); ``nan`` for a two-potential model (a driven field has no energy)."""
        import torch

        if self.field_form == "two-potential":
            return float("nan")
        S = torch.as_tensor(np.asarray(spins, dtype=np.float64), device=self.device)
        idx = self._index_for(S.shape[0])
        extra = self._extra_for(S.shape[0], np.asarray(spins, dtype=np.float64))
        with torch.no_grad():
            total = 0.0
            P, C = self.model.descriptor.site_tables(S, idx)
            for a in range(0, S.shape[0], self.chunk):
                sites = torch.arange(a, min(a + self.chunk, S.shape[0]), device=self.device)
                ex = None if extra is None else extra[a : a + self.chunk]
                total += float(self.model.network(self.model.descriptor.from_tables(P, C, idx, sites), ex)[:, 0].sum())
        return total
