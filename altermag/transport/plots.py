"""Figures of the transport paper, from the deterministic solver (matplotlib, Agg backend).

* :func:`plot_mu_profiles` — μ(x) in the diffusive, crossover and ballistic regimes (paper Fig. 2);
* :func:`plot_distribution` — spin-resolved g_s(x, θ) textures (paper Fig. 3);
* :func:`plot_conductance_vs_tau` — G(τ) with the Sharvin and Drude limits;
* :func:`plot_error_map` — the (α, τ) misfit landscape with the compensation valley, optimisation
  path and 1σ ellipse (paper Figs. 6, 7);
* :func:`plot_fit_report` — data, fit, residuals and error map of one fit.

All quantities in the paper's units (ħ = e = 1; G in the paper's unit, spec §2).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

__all__ = ["plot_mu_profiles", "plot_distribution", "plot_conductance_vs_tau", "plot_error_map", "plot_fit_report"]

L_PAPER = math.sqrt(2)


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_mu_profiles(path, *, taus=(0.2, 1.0, 5.0), alphas=(0.0, 0.4), length=L_PAPER, fermi_energy=1.0, mass=1.0):
    """μ(x)/Δμ for each τ (diffusive → ballistic) and α; returns the profiles as a dict."""
    from altermag.transport.solver import solve

    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    x = np.linspace(0, length, 201)
    out = {"x": x}
    styles = ["-", "--", ":"]
    for j, a in enumerate(alphas):
        for i, t in enumerate(taus):
            sol = solve(a, t, length, fermi_energy, mass)
            mu = sol.mu_at(np.clip(x, 1e-12, length - 1e-12))
            out[f"alpha={a},tau={t}"] = mu
            ax.plot(x / length, mu, styles[j % 3], color=f"C{i}",
                    label=f"α={a:g}, τ={t:g} ({sol.params.regime()})")
    ax.set_xlabel("x / L")
    ax.set_ylabel("μ(x) / Δμ")
    ax.set_title("electrochemical potential, diffusive → ballistic")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return out


def plot_distribution(path, alpha=0.4, tau=1.0, length=L_PAPER, fermi_energy=1.0, mass=1.0, nx=121, ntheta=181):
    """g_s(x, θ) for s = ↑, ↓ as images over (x, θ); returns the arrays."""
    from altermag.transport.solver import solve

    plt = _plt()
    sol = solve(alpha, tau, length, fermi_energy, mass)
    x = np.linspace(0, length, nx)
    th = np.linspace(-np.pi, np.pi, ntheta)
    X, T = np.meshgrid(x, th, indexing="ij")
    g = {s: sol.g(X, T, s) for s in (1, -1)}
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.6), sharey=True)
    for ax, s in zip(axes, (1, -1)):
        im = ax.imshow(g[s].T, origin="lower", aspect="auto", extent=(0, 1, -180, 180), vmin=0, vmax=1, cmap="viridis")
        lam = sol.params.relaxation_length[0 if s == 1 else 1]
        ax.set_title(f"spin {'↑' if s == 1 else '↓'}: λ = τV = {lam:.2f} (L = {length:.2f})", fontsize=9)
        ax.set_xlabel("x / L")
    axes[0].set_ylabel("elliptic angle θ (deg); v_x ∝ cos θ")
    fig.colorbar(im, ax=axes, label="g_s(x, θ) / Δμ")
    fig.suptitle(f"spin-resolved distribution, α = {alpha:g}, τ = {tau:g}", fontsize=10)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return {"x": x, "theta": th, "g_up": g[1], "g_down": g[-1]}


def plot_conductance_vs_tau(path, *, alphas=(0.0, 0.4), taus=None, length=L_PAPER, fermi_energy=1.0, mass=1.0):
    """G(τ) on log axes with the Sharvin (τ → ∞) and Drude (τ → 0) limits; returns the curves."""
    from altermag.transport.channel import ChannelParameters
    from altermag.transport.solver import conductance

    plt = _plt()
    taus = np.geomspace(0.01, 100, 33) if taus is None else np.asarray(taus, float)
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    out = {"tau": taus}
    for i, a in enumerate(alphas):
        G = conductance(a, taus, length, fermi_energy, mass, rtol=1e-4)
        p = ChannelParameters(a, 1.0, length, fermi_energy, mass)
        GD = p.drude * taus
        out[f"G alpha={a}"] = G
        ax.loglog(taus, G, "o-", ms=3, color=f"C{i}", label=f"solver, α={a:g}")
        ax.axhline(p.sharvin, color=f"C{i}", ls="--", lw=1, label=f"Sharvin 2k_FΣb_s = {p.sharvin:.3f}")
        ax.loglog(taus, GD, ":", color=f"C{i}", lw=1, label="Drude 2π m ab v_F² τ/L")
        ax.loglog(taus, 1 / (1 / GD + 1 / p.sharvin), "-", color=f"C{i}", lw=0.6, alpha=0.5)
    ax.set_ylim(min(np.min(v) for k, v in out.items() if k != "tau") / 2,
                3 * max(ChannelParameters(a, 1.0, length, fermi_energy, mass).sharvin for a in alphas))
    ax.set_xlabel("τ (ħ = 1, E_F = 1 units)")
    ax.set_ylabel("G (paper unit; G/W = (e²/h) G/2π)")
    ax.set_title(f"G vs τ, L = {length:.3g} (thin: series 1/G_Sh + 1/G_D)", fontsize=9)
    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return out


def _ellipse(ax, mean, cov, **kw):
    w, v = np.linalg.eigh(cov)
    t = np.linspace(0, 2 * np.pi, 200)
    pts = mean[:, None] + v @ (np.sqrt(np.maximum(w, 0))[:, None] * np.array([np.cos(t), np.sin(t)]))
    ax.plot(pts[0], pts[1], **kw)


def plot_error_map(ax, fermi_energy, conductance_obs, *, length, mass=1.0, alphas=None, taus=None, result=None,
                   truth=None, n_cells=8):
    """Draw log10 of the mean relative squared misfit over (α, τ) on ``ax``; returns (alphas, taus, cost)."""
    from altermag.transport.inverse import error_landscape

    if alphas is None:
        alphas = np.linspace(0.0, 0.48 / mass, 31)
    if taus is None:
        centre = result.tau if result is not None else 1.0
        taus = centre * np.geomspace(0.25, 4, 31)
    cost = error_landscape(fermi_energy, conductance_obs, alphas, taus, length=length, mass=mass, n_cells=n_cells)
    cs = ax.contourf(alphas, taus, np.log10(cost.T + 1e-16), levels=30, cmap="magma_r")
    ax.set_yscale("log")
    ax.set_xlabel("α")
    ax.set_ylabel("τ")
    if result is not None:
        path = np.array([p[:2] for p in result.path])
        ax.plot(path[:, 0], path[:, 1], "c.-", lw=1, ms=4, label="LM path")
        if np.all(np.isfinite(result.covariance)) and len(result.fitted) == 2:
            _ellipse(ax, np.array([result.alpha, result.tau]), result.covariance, color="tab:blue", lw=1.5, label="1σ")
        ax.plot(result.alpha, result.tau, "k*", ms=9, label="fit")
    if truth is not None:
        ax.plot(*truth, "g+", ms=10, mew=2, label="truth")
    ax.legend(fontsize=7, loc="upper right")
    return alphas, taus, cost, cs


def plot_fit_report(result, path, *, landscape: bool = True, truth=None):
    """Data with fit and residuals (left), error landscape with LM path and 1σ ellipse (right)."""
    plt = _plt()
    ncol = 2 if landscape else 1
    fig = plt.figure(figsize=(5 * ncol, 4.6))
    gs = fig.add_gridspec(2, ncol, height_ratios=[3, 1])
    ax = fig.add_subplot(gs[0, 0])
    E = result.fermi_energy
    ax.errorbar(E, result.conductance_obs, yerr=result.sigma, fmt="o", ms=4, label="data")
    Ef = np.linspace(E.min(), E.max(), 60)
    if result.density is None:
        from altermag.transport.solver import conductance

        ax.plot(Ef, conductance(result.alpha, result.tau, result.length, Ef, result.mass, rtol=1e-4), "-",
                label=f"fit α = {result.alpha:.4g} ± {result.alpha_err:.2g}\n    τ = {result.tau:.4g} ± {result.tau_err:.2g}"
                      f"\n    corr = {result.correlation:.3f}")
    else:
        ax.plot(E, result.conductance_fit, "-", label=f"fit α = {result.alpha:.4g}, τ = {result.tau:.4g}")
    ax.set_ylabel("G (paper unit)")
    ax.legend(fontsize=7)
    ax.set_title("conductance spectrum", fontsize=10)
    axr = fig.add_subplot(gs[1, 0], sharex=ax)
    axr.axhline(0, color="k", lw=0.5)
    axr.plot(E, result.residuals, "o", ms=4)
    axr.set_xlabel("E_F (model units)")
    axr.set_ylabel("residual / σ")
    if landscape:
        axm = fig.add_subplot(gs[:, 1])
        _, _, _, cs = plot_error_map(axm, E, result.conductance_obs, length=result.length, mass=result.mass,
                                     result=result, truth=truth)
        fig.colorbar(cs, ax=axm, label="log10 mean rel. misfit²")
        axm.set_title("error landscape (compensation valley)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)
