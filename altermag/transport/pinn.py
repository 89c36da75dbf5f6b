"""Physics-informed neural network (PINN) solver of the altermagnet channel (paper Section III).

This is the method of Gao et al. (arXiv:2606.19785, Section III; spec ``transport.md`` §2
"PINN"): a network represents the spin-resolved distribution g_s(x, θ) and is trained to satisfy
the linearised Boltzmann equation of the channel. It exists to reproduce and compare with the
paper; the deterministic solver :func:`altermag.transport.solver.solve` is ~10⁵× faster and more
accurate, and is what every other part of altermag uses.

Equations (units of the paper: ħ = e = 1, μ_L = 1, μ_R = 0, spin s = ±1, elliptic angle θ)::

    residual    R_s(x, θ) = τ v_{x,s}(θ) ∂_x g_s + g_s − μ[g](x),       v_{x,s} = V_s cos θ
    particles   μ[g](x)   = (1/4π) Σ_s ∫_0^{2π} dθ g_s(x, θ)                (Eq. 12)
    contacts    g_s(0, θ) = μ_L for cos θ > 0,  g_s(L, θ) = μ_R for cos θ < 0
    current     J(x)      = m a b Σ_s ∫ dθ v_{x,s} g_s(x, θ),   G = J̄ / (μ_L − μ_R)

Losses (spec Eqs. 18–23), each a mean over the collocation points:

* ``res``  = mean R²  (Eq. 18);
* ``bc``   = mean (g − μ_contact)² over the injected directions at both contacts (Eq. 19);
* ``cont`` = Var_x J / J̄²  (current continuity, Eq. 20);
* ``data`` = (1/N_E) Σ_k [(G(E_k) − G_k^obs)/G_k^obs]²  (inverse mode only, Eq. 22);
* local particle conservation (Eq. 11) holds **exactly by construction**: μ is not a separate
  unknown but the angular mean of g on the same quadrature, so Σ_s ∫dθ (g_s − μ) ≡ 0.

Total: L = w_res·res + w_bc(t)·bc + w_cont(t)·cont [+ w_data(t)·data] with loss weights switched
on gradually (linear ramps) and a cosine-annealed learning rate (Adam), as in the paper.

Network (CONFIRMED part of the paper: 5 hidden layers × 128, tanh, bounded output). Inputs per
point: (2x/L − 1, cos θ, s, ln(λ_s/L)) with λ_s = τ V_s. g depends on θ only through cos θ (mirror
symmetry k_y → −k_y of the model). ln(λ_s/L) makes one network serve several Fermi levels in the
inverse mode (the spec leaves open whether the paper used an E_F input or one network per E_F)
and carries the α, τ dependence into the network. Two output ansätze (``PINNConfig.ansatz``):

* ``"plain"``: g = μ_R + Δμ·sigmoid(N(x, θ, s)) — the textbook bounded-output PINN; the contact
  conditions are enforced only by the ``bc`` loss.
* ``"boundary-layer"`` (default): g = w μ_c + (1 − w)[μ_R + Δμ·sigmoid(N)] with
  w = exp(−x_c/|ℓ|), ℓ = τ V_s cos θ, x_c the distance to the injecting contact and μ_c its
  potential. This is the structure of the exact formal solution (spec Eq. 13): the injected
  contact distribution decays with the exact exponential, and the network only represents the
  smooth "collected" part (a weighted mean of μ, hence in [μ_R, μ_L]). g stays bounded in
  [μ_R, μ_L] (a convex combination) and satisfies the contact conditions exactly, so ``bc`` is 0
  to rounding; the thin boundary layers of near-grazing carriers (width τV|cos θ| → 0) need not
  be learnt. It reaches the 0.5 % target on a CPU; the plain ansatz does not in the same budget
  (measured numbers in ``docs/transport_pinn.md``).

Angular integrals use a Gauss–Legendre rule in θ on each half circle (cos θ > 0 and < 0; the
distribution is discontinuous across cos θ = 0 at the contacts), the same rule for μ and J.
x collocation points are redrawn every epoch (stratified, Chebyshev-graded towards the
contacts); G is evaluated at the end on a fixed Gauss–Legendre grid in x.

Devices: ``PINNConfig.device="auto"`` uses CUDA when ``torch.cuda.is_available()``, else CPU.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from altermag.core.errors import AltermagError, ParameterError
from altermag.transport.channel import ChannelParameters, validate_channel

__all__ = ["PINNConfig", "PINNResult", "train_pinn", "load_pinn_result", "inverse_data"]

_ANSATZE = ("boundary-layer", "plain")
_TRAINABLE = ("alpha", "tau")
MU_LEFT, MU_RIGHT = 1.0, 0.0


@dataclass
class PINNConfig:
    """Settings of :func:`train_pinn` (validated by :meth:`validate`).

    Network: ``layers`` hidden layers of ``width`` tanh neurons (paper: 5 × 128).

    Collocation: ``n_x`` points in x per epoch (redrawn every epoch when ``resample``),
    ``n_theta`` Gauss–Legendre angles per half circle (so 2·n_theta angles, for each spin).
    ``n_eval_x``: Gauss–Legendre points in x for the final conductance.

    Optimiser: Adam for ``epochs`` epochs, learning rate cosine-annealed from ``lr`` to ``lr_min``.
    Inverse mode: the physical parameters are trained with their own Adam groups (learning rates
    ``lr_alpha`` for ρ = artanh(2mα), ``lr_tau`` for ln τ) that start at epoch
    ``data_start·epochs`` (the network first learns the forward solution at the initial guess)
    and are cosine-annealed to zero at the end; ``trainable`` names the fitted parameters.

    Loss weights: ``w_res`` constant; ``w_bc``, ``w_cont`` ramp linearly from 0 over the first
    ``ramp·epochs`` epochs (gradual activation), ``w_data`` ramps over ``ramp·epochs`` epochs
    from ``data_start·epochs``. ``use_continuity=False`` drops the continuity loss (paper Fig. 5).

    ``ansatz``: ``"boundary-layer"`` (exact contact decay, default) or ``"plain"`` (see module
    docstring). ``dtype``: ``"float32"`` or ``"float64"``. ``device``: ``"auto"`` (CUDA if
    available), ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ... ``threads``: torch intra-op threads on
    the CPU, set process-wide with ``torch.set_num_threads`` (None: leave torch's setting).
    ``seed``: network initialisation and collocation
    sampling; the same seed, device and thread count give the same result.
    """

    layers: int = 5
    width: int = 128
    n_x: int = 32
    n_theta: int = 8
    n_eval_x: int = 96
    epochs: int = 3000
    lr: float = 2e-3
    lr_min: float = 2e-5
    lr_alpha: float = 1e-2
    lr_tau: float = 1e-2
    w_res: float = 1.0
    w_bc: float = 1.0
    w_cont: float = 1.0
    w_data: float = 1.0
    ramp: float = 0.1
    data_start: float = 0.2
    use_continuity: bool = True
    ansatz: str = "boundary-layer"
    resample: bool = True
    trainable: tuple = ("alpha", "tau")
    dtype: str = "float32"
    device: str = "auto"
    threads: int | None = None
    seed: int = 0
    checkpoint_every: int = 200

    def validate(self) -> PINNConfig:
        """Raise :class:`ParameterError` naming the first bad field; return ``self``."""
        ints = {"layers": (1, 64), "width": (1, 8192), "n_x": (2, 10**6), "n_theta": (1, 4096),
                "n_eval_x": (2, 10**6), "epochs": (1, 10**8), "checkpoint_every": (1, 10**9)}
        for name, (lo, hi) in ints.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
                raise ParameterError(f"PINNConfig.{name} = {v!r}; allowed: an integer in [{lo}, {hi}]")
        for name in ("lr", "lr_alpha", "lr_tau"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ParameterError(f"PINNConfig.{name} = {v!r}; allowed: a finite number > 0")
        for name in ("lr_min", "w_res", "w_bc", "w_cont", "w_data"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise ParameterError(f"PINNConfig.{name} = {v!r}; allowed: a finite number >= 0")
        if self.lr_min > self.lr:
            raise ParameterError(f"PINNConfig.lr_min = {self.lr_min!r} exceeds lr = {self.lr!r}")
        for name in ("ramp", "data_start"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and 0 <= v < 1):
                raise ParameterError(f"PINNConfig.{name} = {v!r}; allowed: a fraction in [0, 1)")
        if self.ansatz not in _ANSATZE:
            raise ParameterError(f"PINNConfig.ansatz = {self.ansatz!r}; allowed: {', '.join(_ANSATZE)}")
        if self.dtype not in ("float32", "float64"):
            raise ParameterError(f"PINNConfig.dtype = {self.dtype!r}; allowed: float32, float64")
        tr = tuple(self.trainable)
        if not tr or any(t not in _TRAINABLE for t in tr) or len(set(tr)) != len(tr):
            raise ParameterError(f"PINNConfig.trainable = {self.trainable!r}; allowed: a non-empty "
                                 f"subset of {_TRAINABLE}")
        if self.threads is not None and (not isinstance(self.threads, int) or self.threads < 1):
            raise ParameterError(f"PINNConfig.threads = {self.threads!r}; allowed: None or an integer >= 1")
        if not isinstance(self.device, str) or not (self.device in ("auto", "cpu") or self.device.startswith("cuda")):
            raise ParameterError(f"PINNConfig.device = {self.device!r}; allowed: auto, cpu, cuda, cuda:N")
        return self

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["trainable"] = list(self.trainable)
        return d


def inverse_data(data: Any) -> tuple[np.ndarray, np.ndarray]:
    """Normalise inverse-mode data to arrays ``(fermi_energies, conductances)``.

    Accepts a mapping with keys ``fermi_energy`` and ``conductance`` (arrays), a sequence of
    ``(E_F, G)`` pairs, or an (N, 2) array. Conductances in the paper unit (spec §2).
    """
    if data is None:
        raise ParameterError("mode='inverse' needs data: Fermi energies and measured conductances")
    if isinstance(data, Mapping):
        try:
            e, g = data["fermi_energy"], data["conductance"]
        except KeyError as exc:
            raise ParameterError(f"inverse data mapping lacks the key {exc}; "
                                 "expected 'fermi_energy' and 'conductance'") from None
    else:
        arr = np.asarray(data, dtype=float)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ParameterError(f"inverse data of shape {arr.shape}; expected (N, 2) pairs (E_F, G)")
        e, g = arr[:, 0], arr[:, 1]
    e = np.atleast_1d(np.asarray(e, dtype=float))
    g = np.atleast_1d(np.asarray(g, dtype=float))
    if e.shape != g.shape or e.ndim != 1 or e.size < 1:
        raise ParameterError(f"inverse data: {e.size} Fermi energies but {g.size} conductances")
    if not (np.all(np.isfinite(e)) and np.all(e > 0)):
        raise ParameterError(f"inverse data: Fermi energies {e.tolist()} must be finite and > 0")
    if not (np.all(np.isfinite(g)) and np.all(g > 0)):
        raise ParameterError(f"inverse data: conductances {g.tolist()} must be finite and > 0")
    return e, g


# ------------------------------------------------------------------------------------ network


def _resolve_device(name: str):
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ParameterError(f"PINNConfig.device = {name!r} but CUDA is not available; use 'auto' or 'cpu'")
    return torch.device(name)


def _build_network(config: PINNConfig, n_in: int):
    import torch

    class GNet(torch.nn.Module):
        """MLP N(features) with tanh; :meth:`with_dx` also returns ∂N/∂(feature 0) by forward mode."""

        def __init__(self):
            super().__init__()
            sizes = [n_in] + [config.width] * config.layers
            self.hidden = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
            self.out = torch.nn.Linear(config.width, 1)
            for lin in self.hidden:
                torch.nn.init.xavier_normal_(lin.weight)
                torch.nn.init.zeros_(lin.bias)
            torch.nn.init.xavier_normal_(self.out.weight)
            torch.nn.init.zeros_(self.out.bias)

        def forward(self, feats):
            h = feats
            for lin in self.hidden:
                h = torch.tanh(lin(h))
            return self.out(h)[..., 0]

        def with_dx(self, feats, dfeat0: float):
            """N and dN/dx where only feature 0 depends on x, with d(feature 0)/dx = ``dfeat0``.

            Forward-mode tangent propagation through the MLP (cheaper than double autograd).
            """
            lin0 = self.hidden[0]
            h = torch.tanh(lin0(feats))
            dh = (1 - h * h) * (lin0.weight[:, 0] * dfeat0)
            for lin in self.hidden[1:]:
                h = torch.tanh(lin(h))
                dh = (1 - h * h) * (dh @ lin.weight.T)
            return self.out(h)[..., 0], (dh @ self.out.weight.T)[..., 0]

    return GNet()


# ------------------------------------------------------------------------------ the problem


class _Problem:
    """Torch tensors of the discretised kinetic problem for one or several Fermi levels."""

    def __init__(self, fermi_energies, length, mass, config, device, dtype):
        import torch

        self.torch = torch
        self.L = float(length)
        self.m = float(mass)
        self.device, self.dtype = device, dtype
        self.config = config
        t = dict(device=device, dtype=dtype)
        self.EF = torch.as_tensor(np.asarray(fermi_energies, dtype=float), **t)  # (E,)
        self.vF = torch.sqrt(2 * self.EF / self.m)
        nodes, weights = np.polynomial.legendre.leggauss(config.n_theta)
        th = (nodes + 1) * math.pi / 4  # (0, π/2)
        w = weights * math.pi / 4
        theta = np.concatenate([th, math.pi - th[::-1]])  # right movers then left movers
        self.theta = torch.as_tensor(theta, **t)
        self.cos = torch.cos(self.theta)
        # weights over (0, π) summing to π; the full circle is twice that (g(θ) = g(−θ))
        self.w_theta = torch.as_tensor(np.concatenate([w, w[::-1]]), **t)
        self.right = self.cos > 0
        self.spin = torch.as_tensor([1.0, -1.0], **t)
        xn, xw = np.polynomial.legendre.leggauss(config.n_eval_x)
        self.x_eval = torch.as_tensor((xn + 1) * self.L / 2, **t)
        self.xw_eval = torch.as_tensor(xw / 2, **t)  # mean over [0, L]

    def sample_x(self, gen, epoch_random: bool):
        """Stratified Chebyshev-graded points in (0, L): denser towards both contacts."""
        torch = self.torch
        n = self.config.n_x
        if epoch_random:
            u = (torch.arange(n, dtype=self.dtype) + torch.rand(n, generator=gen, dtype=self.dtype)) / n
        else:
            u = (torch.arange(n, dtype=self.dtype) + 0.5) / n
        return (self.L * (1 - torch.cos(math.pi * u)) / 2).to(self.device)

    def evaluate(self, net, x, alpha, tau, need_dx=True):
        """g (E, 2, X, T), τ v_x ∂_x g + g (or None) and V_s (E, 2) at points x (X,), all Fermi levels.

        Axes: E Fermi levels, 2 spins (+1, −1), X positions, T angles (2·n_theta).
        """
        torch = self.torch
        E, X, T = self.EF.shape[0], x.shape[0], self.theta.shape[0]
        anis = 2 * self.m * alpha
        V = self.vF[:, None] * torch.sqrt(1 + self.spin[None, :] * anis)  # (E, 2)
        lam = tau * V  # (E, 2)
        xi = (2 * x / self.L - 1)[None, None, :, None].expand(E, 2, X, T)
        cos = self.cos[None, None, None, :].expand(E, 2, X, T)
        sp = self.spin[None, :, None, None].expand(E, 2, X, T)
        q = torch.log(lam / self.L)[:, :, None, None].expand(E, 2, X, T)
        feats = torch.stack([xi, cos, sp, q], dim=-1)
        if need_dx:
            n, dn = net.with_dx(feats, 2.0 / self.L)
        else:
            n, dn = net(feats), None
        s = torch.sigmoid(n)
        dmu = MU_LEFT - MU_RIGHT
        sig = MU_RIGHT + dmu * s
        dsig = dmu * s * (1 - s) * dn if need_dx else None
        ell = lam[:, :, None, None] * self.cos  # (E, 2, 1, T), signed
        if self.config.ansatz == "plain":
            return sig, (ell * dsig + sig if need_dx else None), V
        # boundary-layer ansatz: w = exp(-x_c/|ℓ|) from the injecting contact
        xc = torch.where(self.right, x[:, None], self.L - x[:, None])  # (X, T)
        w = torch.exp(-xc[None, None] / ell.abs())
        mu_c = torch.where(self.right, torch.as_tensor(MU_LEFT, dtype=self.dtype, device=self.device),
                           torch.as_tensor(MU_RIGHT, dtype=self.dtype, device=self.device))
        g = w * mu_c + (1 - w) * sig
        if not need_dx:
            return g, None, V
        # ℓ ∂_x w = −w for both directions, so the contact terms cancel exactly in ℓ∂_x g + g:
        return g, sig + (1 - w) * ell * dsig, V

    def mu(self, g):
        """μ(x) = (1/4π) Σ_s ∫_0^{2π} g dθ = (1/2π) Σ_s Σ_j w_j g(θ_j), θ_j ∈ (0, π). Shape (E, X)."""
        return (g * self.w_theta).sum(dim=(1, 3)) / (2 * math.pi)

    def current(self, g, V, alpha):
        """J(x) = m a b Σ_s ∫_0^{2π} dθ V_s cos θ g_s. Shape (E, X)."""
        ab = 1 / self.torch.sqrt(1 - (2 * self.m * alpha) ** 2)
        ang = (g * (self.w_theta * self.cos)).sum(dim=3)  # (E, 2, X)
        return 2 * self.m * ab * (V[:, :, None] * ang).sum(dim=1)

    def residual(self, g, tg):
        """R = τ v_x ∂_x g + g − μ[g] (Eq. 18), shape (E, 2, X, T); ``tg`` = τ v_x ∂_x g + g."""
        return tg - self.mu(g)[:, None, :, None]

    def bc_loss(self, net, alpha, tau):
        """Mean squared contact mismatch over injected directions at x = 0 and x = L (Eq. 19)."""
        torch = self.torch
        x = torch.as_tensor([0.0, self.L], dtype=self.dtype, device=self.device)
        g, _, _ = self.evaluate(net, x, alpha, tau, need_dx=False)
        left = g[:, :, 0, :][..., self.right] - MU_LEFT
        right = g[:, :, 1, :][..., ~self.right] - MU_RIGHT
        return 0.5 * ((left ** 2).mean() + (right ** 2).mean())


# ------------------------------------------------------------------------------------- result


@dataclass
class PINNResult:
    """Outcome of :func:`train_pinn`.

    Attributes:
        conductance: G in the paper's unit (spec §2; G/W = (e²/h) G/2π): a float in forward mode
            (at ``fermi_energy``), an array over ``fermi_energies`` in inverse mode (the fitted
            model's G at the data points).
        alpha, tau: the parameters (inputs in forward mode, fitted values in inverse mode).
        length, mass: inputs.
        fermi_energies: Fermi levels the network was trained for (1 in forward mode).
        mode: ``"forward"`` or ``"inverse"``.
        history: per-epoch lists ``loss``, ``res``, ``bc``, ``cont``, ``data``, ``lr``, ``alpha``,
            ``tau`` and ``G`` (batch estimate of G for each Fermi level, list of lists).
        seconds: training wall time.
        x, mu, current: final μ(x) and J(x) on the evaluation grid, arrays (E, n_eval_x);
            ``current_spread`` = (max J − min J)/mean J per Fermi level.
        model: the trained torch module; config: the :class:`PINNConfig`.
        data: inverse-mode data ``{"fermi_energy": [...], "conductance": [...]}`` or None.
        device: the torch device used.
    """

    conductance: Any
    alpha: float
    tau: float
    length: float
    mass: float
    fermi_energies: np.ndarray
    mode: str
    history: dict
    seconds: float
    x: np.ndarray
    mu: np.ndarray
    current: np.ndarray
    current_spread: np.ndarray
    model: Any
    config: PINNConfig
    data: dict | None = None
    device: str = "cpu"
    epochs_done: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def fermi_energy(self) -> float:
        """The (first) Fermi energy."""
        return float(self.fermi_energies[0])

    def g(self, x, theta, spin: int = 1, fermi_energy: float | None = None) -> np.ndarray:
        """Network distribution g_s(x, θ) on the outer product grid (len(x), len(theta)).

        ``theta`` is the elliptic angle (radians, any real value); ``spin`` is +1 or −1.
        """
        import torch

        if spin not in (1, -1):
            raise ParameterError(f"spin = {spin!r}; allowed: +1 or -1")
        ef = self.fermi_energy if fermi_energy is None else float(fermi_energy)
        validate_channel(self.alpha, self.tau, self.length, ef, self.mass)
        prob = _Problem([ef], self.length, self.mass, self.config, torch.device("cpu"),
                        torch.float64 if self.config.dtype == "float64" else torch.float32)
        th = np.atleast_1d(np.asarray(theta, dtype=float))
        prob.theta = torch.as_tensor(th, dtype=prob.dtype)
        prob.cos = torch.cos(prob.theta)
        prob.right = prob.cos > 0
        net = self.model
        if next(net.parameters()).device.type != "cpu":
            import copy

            net = copy.deepcopy(net).to("cpu")
        xt = torch.as_tensor(np.atleast_1d(np.asarray(x, dtype=float)), dtype=prob.dtype)
        with torch.no_grad():
            g, _, _ = prob.evaluate(net, xt, torch.as_tensor(self.alpha, dtype=prob.dtype),
                                       torch.as_tensor(self.tau, dtype=prob.dtype), need_dx=False)
        return g[0, 0 if spin == 1 else 1].numpy().astype(float)

    def summary(self) -> dict:
        """Plain-JSON summary (inputs, results, history) — what :meth:`save` writes."""
        return {
            "mode": self.mode,
            "conductance": self.conductance,
            "alpha": self.alpha,
            "tau": self.tau,
            "length": self.length,
            "mass": self.mass,
            "fermi_energies": self.fermi_energies,
            "seconds": self.seconds,
            "epochs": self.epochs_done,
            "device": self.device,
            "current_spread": self.current_spread,
            "x": self.x,
            "mu": self.mu,
            "current": self.current,
            "history": self.history,
            "data": self.data,
            "config": self.config.as_dict(),
            **self.extra,
        }

    def save(self, path) -> Path:
        """Write the result as JSON (inputs, results, history, provenance) and the network weights.

        The weights go to ``<path>.pt`` next to the JSON (torch ``state_dict``), named in the JSON
        under ``"state_file"``. :func:`load_pinn_result` reads both back.
        """
        import torch

        from altermag.core.io import save_json

        path = Path(path)
        state_file = path.with_name(path.name + ".pt")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = state_file.with_name(f".{state_file.name}.tmp")
        torch.save({k: v.detach().cpu() for k, v in self.model.state_dict().items()}, tmp)
        os.replace(tmp, state_file)
        inputs = {"alpha": self.extra.get("alpha_initial", self.alpha),
                  "tau": self.extra.get("tau_initial", self.tau), "length": self.length,
                  "fermi_energy": self.fermi_energies.tolist(), "mass": self.mass, "mode": self.mode,
                  "config": self.config.as_dict(), "data": self.data}
        return save_json(path, {**self.summary(), "state_file": state_file.name}, inputs=inputs)


def load_pinn_result(path) -> PINNResult:
    """Read a :meth:`PINNResult.save` file back (with the trained network, on the CPU)."""
    import torch

    from altermag.core.io import load_json

    path = Path(path)
    doc = load_json(path)
    d = doc.get("data", doc)
    cfg_d = dict(d["config"])
    cfg_d["trainable"] = tuple(cfg_d.get("trainable", _TRAINABLE))
    config = PINNConfig(**cfg_d)
    net = _build_network(config, 4)
    state = torch.load(path.with_name(d["state_file"]), map_location="cpu", weights_only=True)
    net.load_state_dict(state)
    if config.dtype == "float64":
        net = net.double()
    cond = d["conductance"]
    cond = np.asarray(cond, dtype=float) if isinstance(cond, list) else float(cond)
    return PINNResult(
        conductance=cond, alpha=float(d["alpha"]), tau=float(d["tau"]), length=float(d["length"]),
        mass=float(d["mass"]), fermi_energies=np.asarray(d["fermi_energies"], dtype=float), mode=d["mode"],
        history=d["history"], seconds=float(d["seconds"]), x=np.asarray(d["x"]), mu=np.asarray(d["mu"]),
        current=np.asarray(d["current"]), current_spread=np.asarray(d["current_spread"]), model=net,
        config=config, data=d.get("data"), device="cpu", epochs_done=int(d["epochs"]))


# ----------------------------------------------------------------------------------- training


def _ramp(epoch: int, start: float, length: float, epochs: int) -> float:
    """0 before epoch ``int(start·epochs)``, then linear up to 1 over ``length·epochs`` epochs."""
    e0, n = int(start * epochs), max(length * epochs, 1.0)
    return float(min((epoch - e0 + 1) / n, 1.0)) if epoch >= e0 else 0.0


def _cosine(epoch: int, start: int, epochs: int, hi: float, lo: float) -> float:
    span = max(epochs - start, 1)
    t = min(max(epoch - start, 0), span) / span
    return lo + 0.5 * (hi - lo) * (1 + math.cos(math.pi * t))


def train_pinn(alpha: float, tau: float, length: float, fermi_energy: float = 1.0, mass: float = 1.0, *,
               config: PINNConfig | None = None, mode: str = "forward", data: Any = None,
               checkpoint=None, progress: bool = True) -> PINNResult:
    """Train the PINN of the channel; return the conductance and the trained network.

    Args (paper units, ħ = e = 1, μ_L − μ_R = 1):
        alpha, tau: spin splitting α (|2·mass·alpha| < 1) and relaxation time τ > 0. In inverse
            mode they are the **initial guesses** of the trainable parameters
            (``config.trainable``); the others stay fixed.
        length: channel length L > 0; fermi_energy: E_F > 0 (forward mode); mass: m > 0.
        config: :class:`PINNConfig` (default ``PINNConfig()``).
        mode: ``"forward"`` (given α, τ → G) or ``"inverse"`` (fit α and/or τ to ``data``:
            conductances G_k at Fermi levels E_k, see :func:`inverse_data`; ``fermi_energy`` is
            then ignored). Inverse loss: L_fwd + w_data·L_data (spec Eq. 23).
        checkpoint: path of a torch checkpoint written every ``config.checkpoint_every`` epochs and
            at the end; if it exists and was written for the same inputs, training resumes from it.
        progress: show a progress bar (altermag.core.progress).

    Returns:
        :class:`PINNResult`. Raises :class:`ParameterError` for bad parameters or config.
    """
    import torch

    config = (config if config is not None else PINNConfig()).validate()
    if mode not in ("forward", "inverse"):
        raise ParameterError(f"mode = {mode!r}; allowed: forward, inverse")
    params = ChannelParameters(alpha=alpha, tau=tau, length=length, fermi_energy=fermi_energy, mass=mass)
    if mode == "inverse":
        e_data, g_data = inverse_data(data)
        validate_channel(alpha, tau, length, e_data, mass)
        fermi = e_data
        data_out = {"fermi_energy": e_data.tolist(), "conductance": g_data.tolist()}
    else:
        if data is not None:
            raise ParameterError("data is only used with mode='inverse'")
        fermi, g_data, data_out = np.array([params.fermi_energy]), None, None

    device = _resolve_device(config.device)
    dtype = torch.float64 if config.dtype == "float64" else torch.float32
    if config.threads is not None and device.type == "cpu":
        torch.set_num_threads(config.threads)
    prob = _Problem(fermi, params.length, params.mass, config, device, dtype)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        net = _build_network(config, 4).to(device=device, dtype=dtype)
    gen = torch.Generator().manual_seed(config.seed + 1)

    # physical parameters: 2mα = tanh(ρ) keeps the contour closed, τ = exp(η) keeps τ > 0
    rho = torch.tensor(math.atanh(params.anisotropy), dtype=dtype, device=device)
    eta = torch.tensor(math.log(params.tau), dtype=dtype, device=device)
    inverse = mode == "inverse"
    train_alpha = inverse and "alpha" in config.trainable
    train_tau = inverse and "tau" in config.trainable
    rho.requires_grad_(train_alpha)
    eta.requires_grad_(train_tau)
    groups = [{"params": list(net.parameters()), "lr": config.lr, "name": "net"}]
    if train_alpha:
        groups.append({"params": [rho], "lr": 0.0, "name": "alpha"})
    if train_tau:
        groups.append({"params": [eta], "lr": 0.0, "name": "tau"})
    from altermag.core.optim import Adam

    opt = Adam(groups)
    g_obs = torch.as_tensor(g_data, dtype=dtype, device=device) if inverse else None

    hist: dict[str, list] = {k: [] for k in ("loss", "res", "bc", "cont", "data", "lr", "alpha", "tau", "G")}
    start_epoch, elapsed0 = 0, 0.0
    ck_inputs = {"alpha": params.alpha, "tau": params.tau, "length": params.length, "mass": params.mass,
                 "fermi": [float(e) for e in fermi], "mode": mode, "config": config.as_dict(),
                 "data": data_out}
    ck_path = Path(checkpoint) if checkpoint is not None else None
    if ck_path is not None and ck_path.exists():
        try:
            ck = torch.load(ck_path, map_location=device, weights_only=False)
        except Exception as exc:  # noqa: BLE001 - a corrupt checkpoint is a user-file problem
            raise AltermagError(f"{ck_path}: cannot read PINN checkpoint ({exc})") from exc
        if ck.get("inputs") != ck_inputs:
            raise ParameterError(f"checkpoint {ck_path} was written for other inputs; remove it or "
                                 "pass another checkpoint path")
        net.load_state_dict(ck["net"])
        opt.load_state_dict(ck["opt"])
        with torch.no_grad():
            rho.copy_(ck["rho"])
            eta.copy_(ck["eta"])
        gen.set_state(ck["gen"])
        hist = ck["history"]
        start_epoch, elapsed0 = ck["epoch"], ck["seconds"]

    def save_checkpoint(epoch, seconds):
        tmp = ck_path.with_name(f".{ck_path.name}.tmp")
        ck_path.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"inputs": ck_inputs, "net": net.state_dict(), "opt": opt.state_dict(), "rho": rho.detach(),
                    "eta": eta.detach(), "gen": gen.get_state(), "history": hist, "epoch": epoch,
                    "seconds": seconds}, tmp)
        os.replace(tmp, ck_path)

    from altermag.core.progress import progress as _progress

    epochs = config.epochs
    data_epoch = int(config.data_start * epochs) if inverse else 0
    t0, c0 = time.perf_counter(), time.process_time()
    bar = _progress(total=epochs, initial=start_epoch, desc=f"PINN {mode}", disable=None if progress else True)
    try:
        for epoch in range(start_epoch, epochs):
            lr_net = _cosine(epoch, 0, epochs, config.lr, config.lr_min)
            for grp in opt.param_groups:
                if grp["name"] == "net":
                    grp["lr"] = lr_net
                else:
                    base = config.lr_alpha if grp["name"] == "alpha" else config.lr_tau
                    grp["lr"] = 0.0 if epoch < data_epoch else _cosine(epoch, data_epoch, epochs, base, 0.0)
            w_phys = _ramp(epoch, 0.0, config.ramp, epochs)
            alpha_t = torch.tanh(rho) / (2 * prob.m)
            tau_t = torch.exp(eta)
            x = prob.sample_x(gen, config.resample)
            g, tg, V = prob.evaluate(net, x, alpha_t, tau_t)
            res = (prob.residual(g, tg) ** 2).mean()
            J = prob.current(g, V, alpha_t)  # (E, X)
            Jbar = J.mean(dim=1)
            cont = ((J - Jbar[:, None]) ** 2).mean(dim=1).div(Jbar ** 2).mean()
            loss = config.w_res * res
            if config.ansatz == "plain":
                bc = prob.bc_loss(net, alpha_t, tau_t)
                loss = loss + config.w_bc * w_phys * bc
            else:
                bc = torch.zeros((), dtype=dtype, device=device)  # exact by construction
            if config.use_continuity:
                loss = loss + config.w_cont * w_phys * cont
            G = Jbar / (MU_LEFT - MU_RIGHT)
            if inverse:
                ldata = (((G - g_obs) / g_obs) ** 2).mean()
                w_d = _ramp(epoch, config.data_start, config.ramp, epochs)
                if w_d > 0:
                    loss = loss + config.w_data * w_d * ldata
            else:
                ldata = torch.zeros((), dtype=dtype, device=device)
            opt.zero_grad()
            loss.backward()
            opt.step()
            hist["loss"].append(float(loss.detach()))
            hist["res"].append(float(res.detach()))
            hist["bc"].append(float(bc.detach()))
            hist["cont"].append(float(cont.detach()))
            hist["data"].append(float(ldata.detach()))
            hist["lr"].append(lr_net)
            hist["alpha"].append(float(alpha_t.detach()))
            hist["tau"].append(float(tau_t.detach()))
            hist["G"].append([float(v) for v in G.detach()])
            bar.update(1)
            if epoch % 25 == 0:
                bar.set_postfix(loss=f"{float(loss.detach()):.2e}", G=f"{float(G[0].detach()):.4f}")
            if ck_path is not None and (epoch + 1) % config.checkpoint_every == 0:
                save_checkpoint(epoch + 1, elapsed0 + time.perf_counter() - t0)
    finally:
        bar.close()
    if ck_path is not None and start_epoch < epochs:
        save_checkpoint(epochs, elapsed0 + time.perf_counter() - t0)

    # final evaluation on the fixed Gauss–Legendre x grid
    with torch.no_grad():
        alpha_f = torch.tanh(rho) / (2 * prob.m)
        tau_f = torch.exp(eta)
        g, _, V = prob.evaluate(net, prob.x_eval, alpha_f, tau_f, need_dx=False)
        J = prob.current(g, V, alpha_f)
        mu = prob.mu(g)
        Gf = (J * prob.xw_eval).sum(dim=1) / (MU_LEFT - MU_RIGHT)
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = elapsed0 + time.perf_counter() - t0
    J_np = J.cpu().double().numpy()
    spread = (J_np.max(axis=1) - J_np.min(axis=1)) / np.abs(J_np.mean(axis=1))
    G_np = Gf.cpu().double().numpy()
    # CPU time of this process (all threads): the cost measure that does not depend on how many
    # other jobs share the machine; ``seconds`` is the wall time.
    extra = {"cpu_seconds": time.process_time() - c0, "threads": torch.get_num_threads()}
    if inverse:
        extra.update({"alpha_initial": params.alpha, "tau_initial": params.tau})
    return PINNResult(
        conductance=G_np if inverse else float(G_np[0]),
        alpha=float(alpha_f) if train_alpha else params.alpha,
        tau=float(tau_f) if train_tau else params.tau, length=params.length, mass=params.mass,
        fermi_energies=np.asarray(fermi, dtype=float), mode=mode, history=hist, seconds=seconds,
        x=prob.x_eval.cpu().double().numpy(), mu=mu.cpu().double().numpy(), current=J_np,
        current_spread=spread, model=net, config=config, data=data_out, device=str(device),
        epochs_done=epochs, extra=extra)
