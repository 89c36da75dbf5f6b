"""Matplotlib figures of minimal models (Agg backend; every function returns the Figure and saves when given
``path``). Colour convention: red = spin along n̂ (⟨σ·n̂⟩ = +1), blue = against, grey = unpolarised."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_bands", "plot_splitting_map", "plot_form_factor", "plot_fermi", "plot_dos"]


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _finish(fig, path):
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def plot_bands(bs, path=None, ax=None, title=None, energy_window=None):
    """Bands (eV) along the path, points coloured by ⟨σ·n̂⟩ (``bs``: :class:`~altermag.models.analysis.BandStructure`)."""
    plt = _plt()
    fig = ax.figure if ax is not None else plt.figure(figsize=(6.4, 4.2))
    ax = ax or fig.add_subplot(111)
    edges = [0, *np.asarray(bs.breaks, int).tolist(), len(bs.x)]
    for a, b in zip(edges[:-1], edges[1:]):
        for n in range(bs.energies.shape[1]):
            ax.plot(bs.x[a:b], bs.energies[a:b, n], color="0.75", lw=0.8, zorder=1)
    # spin-↑ points drawn larger and underneath, so spin-degenerate bands show both colours
    x = np.broadcast_to(bs.x[:, None], bs.energies.shape).ravel()
    e, s = bs.energies.ravel(), bs.spin.ravel()
    order = np.argsort(-s, kind="stable")
    size = np.where(s[order] > 0, 9.0, 3.0)
    sc = ax.scatter(x[order], e[order], c=s[order], s=size, cmap="coolwarm", vmin=-1, vmax=1, zorder=2,
                    linewidths=0)
    for t in bs.ticks:
        ax.axvline(t, color="0.6", lw=0.5)
    ax.axhline(0.0, color="k", lw=0.5, ls="--")
    ax.set_xticks(bs.ticks)
    ax.set_xticklabels(bs.labels)
    ax.set_xlim(bs.x[0], bs.x[-1])
    if energy_window:
        ax.set_ylim(*energy_window)
    ax.set_ylabel("E − E_F (eV)")
    ax.set_xlabel("k along the path (Å⁻¹)")
    ax.set_title(title or f"{bs.name}: bands, colour = ⟨σ·n̂⟩")
    if sc is not None:
        fig.colorbar(sc, ax=ax, label="⟨σ·n̂⟩")
    return _finish(fig, path)


def _diverging_plane_map(values, zero_of, plane, cmap, label, title, path, ax):
    """Symmetric-colour map of ``values`` (n, n) on a plane with the zero lines of ``zero_of``."""
    plt = _plt()
    fig = ax.figure if ax is not None else plt.figure(figsize=(5.0, 4.2))
    ax = ax or fig.add_subplot(111)
    au, av = plane["axes"]
    lim = max(np.abs(values).max(), 1e-12)
    im = ax.pcolormesh(au, av, values.T, cmap=cmap, vmin=-lim, vmax=lim, shading="auto")
    ax.contour(au, av, zero_of.T, levels=[0.0], colors="k", linewidths=0.8)
    fig.colorbar(im, ax=ax, label=label)
    ax.set_xlabel(plane["labels"][0])
    ax.set_ylabel(plane["labels"][1])
    ax.set_aspect("equal")
    ax.set_title(title)
    return _finish(fig, path)


def plot_splitting_map(smap, path=None, band: int = 1, ax=None, title=None):
    """ΔE = E_↑ − E_↓ (meV) of band pair ``band`` (0 lower, 1 upper) on a plane, with the t_z = 0 lines."""
    return _diverging_plane_map(1e3 * smap["splitting"][..., band], smap["tz"], smap, "RdBu_r", "E↑ − E↓ (meV)",
                                title or "spin splitting (black: t_z = 0)", path, ax)


def plot_form_factor(fmap, path=None, ax=None, title=None):
    """The form factor t_z(k) (eV) on a plane."""
    return _diverging_plane_map(fmap["f"], fmap["f"], fmap, "PuOr", "t_z(k) (eV)",
                                title or "form factor f(k) ∝ t_z(k)", path, ax)


def plot_fermi(fc, path=None, ax=None, title=None):
    """Fermi-surface cut: each contour drawn point by point in its spin colour."""
    plt = _plt()
    from matplotlib.collections import LineCollection

    fig = ax.figure if ax is not None else plt.figure(figsize=(5.0, 4.6))
    ax = ax or fig.add_subplot(111)
    lc = None
    for c in fc["contours"]:
        p = c["points"]
        if len(p) < 2:
            continue
        seg = np.stack([p[:-1], p[1:]], axis=1)
        lc = LineCollection(seg, cmap="coolwarm", norm=plt.Normalize(-1, 1), linewidths=1.6)
        lc.set_array(0.5 * (c["spin_points"][:-1] + c["spin_points"][1:]))
        ax.add_collection(lc)
    au, av = fc["axes"]
    ax.set_xlim(au[0], au[-1])
    ax.set_ylim(av[0], av[-1])
    ax.set_aspect("equal")
    ax.set_xlabel(fc["labels"][0])
    ax.set_ylabel(fc["labels"][1])
    if lc is not None:
        fig.colorbar(lc, ax=ax, label="⟨σ·n̂⟩")
    ax.set_title(title or f"Fermi surface at E = {fc['energy']:g} eV")
    return _finish(fig, path)


def plot_dos(d, path=None, ax=None, title=None):
    """DOS (states/eV/cell), per spin when available."""
    plt = _plt()
    fig = ax.figure if ax is not None else plt.figure(figsize=(5.0, 3.6))
    ax = ax or fig.add_subplot(111)
    ax.plot(d["energies"], d["dos"], color="k", lw=1.0, label="total")
    if "dos_up" in d:
        ax.plot(d["energies"], d["dos_up"], color="tab:red", lw=0.8, ls="--", label="spin ↑ (along n̂)")
        ax.plot(d["energies"], d["dos_down"], color="tab:blue", lw=0.8, ls=":", label="spin ↓")
    ax.axvline(0.0, color="0.5", lw=0.5)
    ax.set_xlabel("E − E_F (eV)")
    ax.set_ylabel("DOS (states/eV/cell)")
    ax.legend(fontsize=8)
    ax.set_title(title or f"DOS (Gaussian σ = {d['sigma']:g} eV, mesh {d['mesh']})")
    return _finish(fig, path)
