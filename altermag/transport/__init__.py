"""Boltzmann transport of a 2D d-wave altermagnet channel (ballistic to diffusive) and parameter extraction.

Model H = k²/2m + α(k_x² − k_y²)σ_z, two-terminal channel of length L along x, relaxation time τ
(paper arXiv:2606.19785; equation set and conventions in ``docs/transport.md``).

* :func:`solve` / :func:`conductance`: deterministic, differentiable Nyström solver (μ(x),
  g_s(x, θ), J(x), G and ∂G/∂(α, τ, L, E_F, m); torch tensors get autograd).
* :class:`ChannelParameters`: validated parameters, k_F, v_F, Sharvin and Drude limits.
* :func:`fit_spectrum`, :func:`error_landscape`: (α, τ) from G(E_F) with Fisher/bootstrap errors.
* :func:`read_conductance_csv`, :func:`synthetic_spectrum`: measured data in, synthetic data out.
* :func:`train_pinn`: the paper's physics-informed neural network (forward and inverse), for
  comparison (``docs/transport_pinn.md``).
"""

from altermag.transport.channel import SPINS, ChannelParameters, validate_channel
from altermag.transport.data import (
    ConductanceData,
    UnitSystem,
    read_conductance_csv,
    synthetic_spectrum,
    write_conductance_csv,
    write_report,
)
from altermag.transport.inverse import FitResult, cramer_rao, error_landscape, fit_spectrum
from altermag.transport.pinn import PINNConfig, PINNResult, train_pinn
from altermag.transport.solver import (
    PARAMETERS,
    TransportSolution,
    conductance,
    conductance_and_gradient,
    conductance_angular,
    solve,
)

__all__ = [
    "SPINS",
    "ChannelParameters",
    "validate_channel",
    "PARAMETERS",
    "TransportSolution",
    "conductance",
    "conductance_and_gradient",
    "conductance_angular",
    "solve",
    "ConductanceData",
    "UnitSystem",
    "read_conductance_csv",
    "synthetic_spectrum",
    "write_conductance_csv",
    "write_report",
    "FitResult",
    "cramer_rao",
    "error_landscape",
    "fit_spectrum",
    "PINNConfig",
    "PINNResult",
    "train_pinn",
]
