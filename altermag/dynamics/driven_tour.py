"""Driven-dynamics section of ``altermag tour`` (≈ 20 s): the NEGF exchange field of a biased AF|FM strip
(column profiles, lead currents, the non-gradient part of the field), and ML-LLG walls on a 3× longer strip with the
shipped two-potential model (docs/driven.md)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

#: parameters of the driven AF|FM strip (docs/driven.md): s-d model, J = 3 at the bulk AF/FM coexistence point
STRIP = {"lx": 16, "ly": 10, "J": 3.0, "temperature": 0.05}


def _jacobian_asymmetry(calc, spins, sites, eps=1e-4) -> float:
    """Relative antisymmetric part of the tangent-space Jacobian ∂H⊥_i/∂S_j over a few sites: zero for a gradient
    field (V = 0), non-zero for the driven field."""
    from altermag.dynamics.llg import transverse

    basis = []
    for i in sites:
        a = np.cross(spins[i], [0.3, 0.5, 0.8])
        a /= np.linalg.norm(a)
        basis.append((i, a))
        basis.append((i, np.cross(spins[i], a)))
    cols = []
    for i, u in basis:
        sp, sm = spins.copy(), spins.copy()
        sp[i] = spins[i] + eps * u
        sm[i] = spins[i] - eps * u
        hp, hm = calc.field(sp), calc.field(sm)
        d = transverse((hp - hm) / (2 * eps), spins)
        cols.append([d[j] @ v for j, v in basis])
    M = np.array(cols).T  # M[a, b] = ∂(H·u_a)/∂(u_b)
    return float(np.linalg.norm(M - M.T) / np.linalg.norm(M + M.T))


def _save_plot(fig, ax, xlabel: str, ylabel: str, path: Path) -> None:
    import matplotlib.pyplot as plt

    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def section(out: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from altermag.core.io import save_json
    from altermag.dynamics.driven import coexistence_mu, wall_spins
    from altermag.dynamics.lattice import SpinLattice
    from altermag.dynamics.models import SDModel
    from altermag.dynamics.negf import NEGFCalculator
    from altermag.tour import Section, html_table

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    mu_c = coexistence_mu(STRIP["J"], temperature=STRIP["temperature"])["mu_c"]
    lat = SpinLattice("square", STRIP["lx"], STRIP["ly"], periodic_x=False)
    model = SDModel(lat, J=STRIP["J"], mu=mu_c, temperature=STRIP["temperature"])
    spins = wall_spins(lat, STRIP["lx"] / 2, tilt=0.1, seed=0)
    rows, profiles = [], {}
    probe = [int(STRIP["lx"] / 2) + STRIP["lx"] * 5 + d for d in (-1, 0)]
    for V in (-1.0, 0.0, 1.0):
        calc = NEGFCalculator(model, bias=V, tol=1e-4)
        t0 = time.perf_counter()
        o = calc.observables(spins)
        sec = time.perf_counter() - t0
        n = o["density"].reshape(STRIP["ly"], STRIP["lx"]).mean(0)
        profiles[V] = n
        rows.append({"V": f"{V:+.1f}", "I_L": f"{o['current_left']:.3e}", "I_R": f"{o['current_right']:.3e}",
                     "err": f"{o['error_estimate']:.1e}", "nE": int(o["n_energies"]), "s": f"{sec:.2f}",
                     "asym": f"{_jacobian_asymmetry(calc, spins, probe):.1e}" if V >= 0 else "–"})
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for V, n in profiles.items():
        ax.plot(np.arange(STRIP["lx"]), n, marker="o", ms=3, label=f"V = {V:+.1f} t1")
    _save_plot(fig, ax, "column x (a); AF for x < 8, FM for x ≥ 8", "electrons per site", out / "driven_negf_profile.png")
    summary = {"mu_c": mu_c, "negf": rows}
    parts = [
        f"<p>s-d strip {STRIP['lx']}×{STRIP['ly']} (J = 3, T_el = 0.05) between square-lattice leads at the bulk AF/FM "
        f"coexistence point μ_c = {mu_c:.3f}, with an AF|FM wall in the middle; μ_L,R = μ_c ± V/2. NEGF lead currents "
        "I_L = −I_R (units e/h·t1), the integration error estimate, the number of energy points, the time per field "
        "and the relative antisymmetric part of the tangent Jacobian ∂H⊥_i/∂S_j on the two sites at the wall "
        "(0 for a gradient field):</p>"
        + html_table(rows, [("V", "V (t1)"), ("I_L", "I_L"), ("I_R", "I_R"), ("err", "error est."), ("nE", "energies"),
                            ("s", "s"), ("asym", "Jacobian asym.")])
        + "<img src='driven_negf_profile.png' width='520'>"
    ]

    # ML-LLG with the shipped two-potential model on a strip 3× longer than its training strip
    from altermag.dynamics.driven import make_driven_calculator, run_wall, wall_transit

    long = SpinLattice("square", 3 * STRIP["lx"], STRIP["ly"], periodic_x=False)
    x0 = long.L / 2 + 0.5
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ml_rows = []
    for V in (0.0, 2.0):
        calc = make_driven_calculator(V, "ml", lx=long.L, ly=STRIP["ly"])
        r = run_wall(calc, long, x0, 160, dt=0.5, alpha=0.5, record_every=2, tilt=0.1, seed=100, progress=False)
        tr = wall_transit(r["time"], r["x_dw"])
        ax.plot(r["time"], r["x_dw"], label=f"V = {V:+.1f} t1")
        ml_rows.append({"V": f"{V:+.1f}", "t_dp": "pinned" if not np.isfinite(tr["t_depin"]) else f"{tr['t_depin']:.1f}",
                        "v": f"{tr['velocity']:+.3f}", "x_end": f"{r['x_dw'][-1]:.1f}",
                        "ms": f"{1e3 * r['seconds'] / (2 * 160 + 1):.1f}"})
    _save_plot(fig, ax, "time (ħ/t1)", "wall position x_DW (a)", out / "driven_ml_wall.png")
    summary["ml_walls"] = ml_rows
    parts.append(
        f"<p>ML-LLG (shipped model <code>sd-square-driven</code>, trained on NEGF fields of the {STRIP['lx']}×{STRIP['ly']} "
        f"strip) on a {long.L}×{STRIP['ly']} strip, wall at x0 = {x0}: at V = 0 it stays pinned; at V = +2 it depins "
        "and the ferromagnet grows (the wall runs to −x). Depinning time, transit velocity (a·t1/ħ), final position "
        "and ms per field:</p>"
        + html_table(ml_rows, [("V", "V (t1)"), ("t_dp", "t_dp (ħ/t1)"), ("v", "v"), ("x_end", "x_DW end"), ("ms", "ms/field")])
        + "<img src='driven_ml_wall.png' width='520'>"
    )
    save_json(out / "driven_tour.json", summary, inputs={"section": "driven", **STRIP})
    parts.append("<p>See docs/negf.md, docs/two_potential.md and docs/driven.md.</p>")
    return Section("Driven spin dynamics: NEGF fields and voltage-driven walls", "\n".join(parts))

