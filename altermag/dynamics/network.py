"""Behler-Parrinello force field for classical spins (spec §3).

``ε_i = MLP(G_i)`` with ``G_i`` the symmetry-invariant descriptor of the environment of site ``i``
(:class:`~altermag.dynamics.descriptors.MagneticDescriptor`), ``E = Σ_i ε_i``, and the exchange
field ``H_i = −∂E/∂S_i`` by automatic differentiation through the descriptor. Only the transverse
part ``H⊥_i = H_i − (H_i·S_i) S_i`` drives Landau-Lifshitz-Gilbert dynamics; it is what the model is
trained on by default (the longitudinal part of the ED field depends on how ``E`` is continued off
the unit sphere and has no dynamical meaning).

Design for extensions (issue 8):

* ``n_outputs`` site potentials per site (``ε^A_i, ε^B_i`` of the generalised-potential theory);
  :meth:`SpinForceField.forces` returns ``F^X = −∂(Σ_i ε^X_i)/∂S`` for every output.
* ``n_extra_inputs`` per-site scalars (e.g. the position along a bias) appended to the
  standardised descriptor before the MLP; pass them as ``extra`` (N, n_extra_inputs).

``field_form`` (issue 8, spec §6): ``"gradient"`` (default; ``H = −∂E/∂S`` of output 0) or
``"two-potential"`` (``n_outputs = 2``; ``H = S × F^A − (F^B)⊥``, see
:mod:`altermag.dynamics.two_potential`). ``site_inputs`` (``{"encoding", "n_boundary"}`` or None)
records how the extra inputs are built (:func:`~altermag.dynamics.two_potential.strip_inputs`); both
are saved with the model (files without them load as ``"gradient"`` / None).

Everything is float64. Units: energies and fields in the units of the electron model (t1 = 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from altermag.core.errors import ParameterError
from altermag.dynamics.descriptors import MagneticDescriptor

__all__ = ["BPNetwork", "SpinForceField", "transverse", "ACTIVATIONS"]

ACTIVATIONS = ("silu", "tanh", "gelu", "softplus", "relu")


def transverse(H, S):
    """Transverse part ``H − (H·S) S`` (numpy arrays or torch tensors, shape (..., 3))."""
    if isinstance(H, np.ndarray):
        return H - (H * S).sum(-1, keepdims=True) * S
    return H - (H * S).sum(-1, keepdim=True) * S


def _make_mlp(n_in: int, hidden: tuple[int, ...], n_out: int, activation: str):
    act = {
        "silu": torch.nn.SiLU,
        "tanh": torch.nn.Tanh,
        "gelu": torch.nn.GELU,
        "softplus": torch.nn.Softplus,
        "relu": torch.nn.ReLU,
    }[activation]
    layers: list[Any] = []
    width = n_in
    for h in hidden:
        layers += [torch.nn.Linear(width, h), act()]
        width = h
    layers.append(torch.nn.Linear(width, n_out))
    return torch.nn.Sequential(*layers)


class BPNetwork(torch.nn.Module):
    """The per-site network ``ε_i = MLP([standardised G_i, extra_i])`` (float64).

    Buffers ``feature_mean``/``feature_scale`` standardise the inputs (set them from training data
    with :meth:`set_standardisation`); ``energy_offset`` (n_outputs) is added to every ε_i.
    """

    def __init__(
        self,
        n_features: int,
        hidden: tuple[int, ...] = (128, 64, 32),
        n_outputs: int = 1,
        n_extra_inputs: int = 0,
        activation: str = "silu",
    ):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ParameterError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
        if n_outputs < 1 or n_extra_inputs < 0 or n_features < 1:
            raise ParameterError(
                "need n_features >= 1, n_outputs >= 1, n_extra_inputs >= 0; "
                f"got {n_features}, {n_outputs}, {n_extra_inputs}"
            )
        if any(int(h) < 1 for h in hidden):
            raise ParameterError(f"hidden layer widths must be >= 1, got {hidden}")
        self.n_features = int(n_features)
        self.hidden = tuple(int(h) for h in hidden)
        self.n_outputs = int(n_outputs)
        self.n_extra_inputs = int(n_extra_inputs)
        self.activation = activation
        n_in = self.n_features + self.n_extra_inputs
        self.mlp = _make_mlp(n_in, self.hidden, self.n_outputs, activation)
        self.register_buffer("feature_mean", torch.zeros(n_in))
        self.register_buffer("feature_scale", torch.ones(n_in))
        self.register_buffer("energy_offset", torch.zeros(self.n_outputs))
        self.double()

    def config(self) -> dict[str, Any]:
        return {
            "n_features": self.n_features,
            "hidden": list(self.hidden),
            "n_outputs": self.n_outputs,
            "n_extra_inputs": self.n_extra_inputs,
            "activation": self.activation,
        }

    def set_standardisation(self, features, energy_offset=None) -> None:
        """Mean/scale from a (n, F [+ extra]) sample of inputs; optional per-site energy offset."""
        with torch.no_grad():
            x = torch.as_tensor(features, dtype=self.feature_mean.dtype, device=self.feature_mean.device)
            self.feature_mean.copy_(x.mean(0))
            self.feature_scale.copy_(x.std(0).clamp_min(1e-6))
            if energy_offset is not None:
                self.energy_offset.copy_(torch.as_tensor(energy_offset, dtype=self.energy_offset.dtype))

    def forward(self, G, extra=None):
        if self.n_extra_inputs:
            if extra is None or extra.shape[-1] != self.n_extra_inputs:
                raise ParameterError(f"this network needs extra inputs of width {self.n_extra_inputs}")
            G = torch.cat([G, extra], dim=-1)
        elif extra is not None:
            raise ParameterError("this network takes no extra inputs (n_extra_inputs = 0)")
        # the standardisation (G - mean)/scale is folded into the first linear layer (same numbers, one
        # pass over the (n, F) inputs less)
        first = self.mlp[0]
        W = first.weight / self.feature_scale
        b = first.bias - W @ self.feature_mean
        h = torch.nn.functional.linear(G, W, b)
        for layer in list(self.mlp)[1:]:
            h = layer(h)
        return h + self.energy_offset


class SpinForceField:
    """Descriptor + per-site network: site energies, total energy and fields of spin configurations.

    Holds a :class:`MagneticDescriptor` and a :func:`BPNetwork`. All methods take torch float64
    spins (N, 3) and an index dict from ``descriptor.index_tensors(lattice)``.
    """

    def __init__(
        self,
        descriptor: MagneticDescriptor,
        network,
        field_form: str = "gradient",
        site_inputs: dict[str, Any] | None = None,
    ):
        from altermag.dynamics.two_potential import FIELD_FORMS, check_site_inputs, n_site_inputs

        if network.n_features != descriptor.n_features:
            raise ParameterError(
                f"network expects {network.n_features} features, the descriptor gives {descriptor.n_features}"
            )
        if field_form not in FIELD_FORMS:
            raise ParameterError(f"field_form must be one of {FIELD_FORMS}, got {field_form!r}")
        if field_form == "two-potential" and network.n_outputs != 2:
            raise ParameterError(f"field_form='two-potential' needs n_outputs = 2, got {network.n_outputs}")
        site_inputs = check_site_inputs(site_inputs)
        if site_inputs is not None and n_site_inputs(**site_inputs) != network.n_extra_inputs:
            raise ParameterError(
                f"site_inputs {site_inputs} give {n_site_inputs(**site_inputs)} extra inputs, "
                f"the network takes {network.n_extra_inputs}"
            )
        self.descriptor = descriptor
        self.network = network
        self.field_form = field_form
        self.site_inputs = site_inputs

    @classmethod
    def create(
        cls,
        lattice_kind: str,
        descriptor: dict[str, Any] | None = None,
        hidden: tuple[int, ...] = (128, 64, 32),
        n_outputs: int = 1,
        n_extra_inputs: int = 0,
        activation: str = "silu",
        seed: int = 0,
        field_form: str = "gradient",
        site_inputs: dict[str, Any] | None = None,
    ) -> SpinForceField:
        """A fresh force field (random weights from ``seed``). With ``site_inputs`` the number of extra
        inputs follows from it (``n_extra_inputs`` may then be left at 0)."""
        from altermag.dynamics.two_potential import check_site_inputs, n_site_inputs

        site_inputs = check_site_inputs(site_inputs)
        if site_inputs is not None and not n_extra_inputs:
            n_extra_inputs = n_site_inputs(**site_inputs)
        d = MagneticDescriptor(lattice_kind, **(descriptor or {}))
        torch.manual_seed(seed)
        net = BPNetwork(d.n_features, tuple(hidden), n_outputs, n_extra_inputs, activation)
        return cls(d, net, field_form=field_form, site_inputs=site_inputs)

    @property
    def n_outputs(self) -> int:
        return self.network.n_outputs

    def params(self) -> dict[str, Any]:
        """Descriptor and network settings plus the training metadata (JSON-serialisable)."""
        meta = getattr(self, "metadata", {}) or {}
        return {
            "model": "ml-bp",
            "descriptor": self.descriptor.config(),
            "network": self.network.config(),
            "field_form": self.field_form,
            "site_inputs": self.site_inputs,
            "trained_on": (meta.get("training") or {}).get("data"),
            "held_out": meta.get("metrics"),
        }

    def to(self, device) -> SpinForceField:
        self.network.to(device)
        return self

    # --------------------------------------------------------------------------- evaluation

    def site_energies(self, spins, index, extra=None):
        """ε_i (N, n_outputs) for spins (N, 3)."""
        return self.network(self.descriptor(spins, index), extra)

    def forces(self, spins, index, extra=None, create_graph: bool = False, chunk: int | None = None):
        """Total potentials ``E`` (n_outputs,) and ``F^X = −∂E^X/∂S`` (n_outputs, N, 3).

        ``create_graph=True`` keeps the graph (for training on fields); otherwise the sites are
        processed in chunks of ``chunk`` (default 16384) so memory stays bounded for 10⁵ spins.
        """
        if create_graph:
            S = spins if spins.requires_grad else spins.detach().requires_grad_(True)
            eps = self.site_energies(S, index, extra)
            E = eps.sum(0)
            F = []
            for k in range(self.n_outputs):
                (g,) = torch.autograd.grad(E[k], S, create_graph=True, retain_graph=True)
                F.append(-g)
            return E, torch.stack(F)
        S = spins.detach().requires_grad_(True)
        with torch.enable_grad():
            P, C = self.descriptor.site_tables(S, index)
        N = S.shape[0]
        chunk = int(chunk or 16384)
        Es, Fs = [], []
        for k in range(self.n_outputs):
            Pl = P.detach().requires_grad_(True)
            Cl = C.detach().requires_grad_(True)
            Ek = torch.zeros((), dtype=S.dtype, device=S.device)
            for a in range(0, N, chunk):
                sites = torch.arange(a, min(a + chunk, N), device=S.device)
                with torch.enable_grad():
                    G = self.descriptor.from_tables(Pl, Cl, index, sites)
                    ex = None if extra is None else extra[a : a + chunk]
                    e = self.network(G, ex)[:, k].sum()
                    gP, gC = torch.autograd.grad(e, (Pl, Cl), allow_unused=True)
                Ek = Ek + e.detach()
                if Pl.grad is None:
                    Pl.grad = gP
                else:
                    Pl.grad += gP
                if gC is not None:
                    Cl.grad = gC if Cl.grad is None else Cl.grad + gC
            outs, grads = [P], [Pl.grad]
            if C.requires_grad and Cl.grad is not None:
                outs.append(C)
                grads.append(Cl.grad)
            (gS,) = torch.autograd.grad(outs, S, grad_outputs=grads, retain_graph=k + 1 < self.n_outputs)
            Es.append(Ek)
            Fs.append(-gS)
        return torch.stack(Es), torch.stack(Fs)

    def model_field(self, spins, index, extra=None, create_graph: bool = False, chunk=None):
        """``(E, H)`` of the model's ``field_form``: ``"gradient"``: ``E`` (scalar) and ``H = −∂E/∂S`` of
        output 0; ``"two-potential"``: ``E = nan`` (there is no energy) and
        ``H = S × F^A − (F^B)⊥`` (transverse by construction)."""
        E, F = self.forces(spins, index, extra, create_graph=create_graph, chunk=chunk)
        if self.field_form == "two-potential":
            from altermag.dynamics.two_potential import two_potential_field

            S = spins.detach() if not create_graph else spins
            return torch.full((), float("nan"), dtype=F.dtype, device=F.device), two_potential_field(F[0], F[1], S)
        return E[0], F[0]

    def energy_and_field(self, spins, index, extra=None, output: int = 0, create_graph: bool = False, chunk=None):
        """Total energy ``E`` and field ``H = −∂E/∂S`` (N, 3) of output ``output``."""
        E, F = self.forces(spins, index, extra, create_graph=create_graph, chunk=chunk)
        return E[output], F[output]

    # --------------------------------------------------------------------------- persistence

    def state(self, **metadata: Any) -> dict[str, Any]:
        """A dict of plain data + tensors for ``torch.save`` (loadable with ``weights_only=True``)."""
        return {
            "format": "altermag-spin-force-field-1",
            "descriptor": self.descriptor.config(),
            "descriptor_fingerprint": self.descriptor.fingerprint(),
            "network": self.network.config(),
            "field_form": self.field_form,
            "site_inputs": self.site_inputs,
            "state_dict": {k: v.detach().cpu() for k, v in self.network.state_dict().items()},
            "metadata": metadata,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> SpinForceField:
        if state.get("format") != "altermag-spin-force-field-1":
            raise ParameterError(f"not an altermag spin force field (format={state.get('format')!r})")
        d = MagneticDescriptor(**state["descriptor"])
        if state.get("descriptor_fingerprint") not in (None, d.fingerprint()):
            raise ParameterError(
                "the descriptor rebuilt here differs from the one the model was trained with "
                f"(fingerprint {d.fingerprint()} != {state['descriptor_fingerprint']})"
            )
        cfg = dict(state["network"])
        net = BPNetwork(
            cfg["n_features"], tuple(cfg["hidden"]), cfg["n_outputs"], cfg["n_extra_inputs"], cfg["activation"]
        )
        net.load_state_dict(state["state_dict"])
        ff = cls(d, net, field_form=state.get("field_form") or "gradient", site_inputs=state.get("site_inputs"))
        ff.metadata = dict(state.get("metadata") or {})
        return ff

    def save(self, path, **metadata: Any):
        """Write the model (descriptor config, network config and weights, metadata) to ``path`` (.pt)."""
        from pathlib import Path

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        torch.save(self.state(**metadata), tmp)
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path, map_location="cpu") -> SpinForceField:
        try:
            state = torch.load(path, map_location=map_location, weights_only=True)
        except FileNotFoundError as exc:
            raise ParameterError(f"model file not found: {path}") from exc
        return cls.from_state(state)

    def __repr__(self) -> str:
        extra = "" if self.field_form == "gradient" else f", field_form={self.field_form!r}"
        if self.site_inputs:
            extra += f", site_inputs={self.site_inputs}"
        return f"SpinForceField({self.descriptor!r}, network={self.network.config()}{extra})"
