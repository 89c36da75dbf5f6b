"""Spin-dynamics section of ``altermag tour`` (≤ 60 s): ground-state energies at the verified parameter sets,
an ED-LLG relaxation from random spins into the 120° state, and (when the shipped ML model is present) an ML-LLG
relaxation of a larger tetrahedral lattice with its chirality map."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np


def section(out: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from altermag.core.io import save_json
    from altermag.dynamics import observables as ob
    from altermag.dynamics.ed import EDCalculator
    from altermag.dynamics.ground_states import candidate_energies, classify_state
    from altermag.dynamics.llg import run_llg
    from altermag.dynamics.models import SDModel, random_spins
    from altermag.tour import Section, html_table

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    parts = []

    # 1. candidate energies (k-space on the 12×12 k grid = ED on 12×12, and a 48×48 grid)
    rows = []
    for label, J, ne in (("tetrahedral set (n_e = 0.5, J = 3)", 3.0, 0.5), ("120° set (n_e = 1, J = 5)", 5.0, 1.0)):
        r = candidate_energies(J=J, filling=ne, L=None, K=48, spiral=False)
        e = r["energies"]
        row = {"set": label, "lowest": r["ordering"][0]}
        row.update({k: f"{v:.4f}" for k, v in e.items()})
        rows.append(row)
    save_json(out / "dynamics_ground_states.json", rows, inputs={"method": "k-space 48x48, T_el = 0"})
    cols = [("set", "parameter set"), ("lowest", "lowest")] + [(k, k) for k in
                                                                ("FM", "120", "stripe", "uud", "2Q", "3u1d",
                                                                 "tetrahedral")]
    parts.append("<p>Energies per site (t1) of the candidate orders of the triangular s-d model "
                 "(magnetic-supercell k-space, 48×48 grid, T_el = 0):</p>" + html_table(rows, cols))

    # 2. ED-LLG relaxation from random spins at the 120° set
    model = SDModel.default("120", L=6)
    calc = EDCalculator(model)
    lat = model.lattice
    res = run_llg(calc, random_spins(lat.n_sites, 1), 400, dt=0.2, alpha=0.5, record_every=5, progress=False,
                  seed=2, observables=lambda s: {"m_K": ob.order_parameters(lat, s)["m_K"],
                                                 "nn1": ob.nn_correlation(lat, s, (1,))[1]})
    state = classify_state(lat, res["final_spins"])
    fig, axs = plt.subplots(1, 2, figsize=(9, 3.5))
    axs[0].plot(res["time"], res["energy"] / lat.n_sites)
    axs[0].set_xlabel("time (1/t1)")
    axs[0].set_ylabel("energy per site (t1)")
    axs[1].plot(res["time"], res["m_K"], label="S(K)/N (120° order)")
    axs[1].plot(res["time"], res["nn1"], label="⟨S_i·S_j⟩ nn")
    axs[1].set_xlabel("time (1/t1)")
    axs[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "dynamics_ed_llg.png", dpi=100)
    plt.close(fig)
    parts.append(f"<p>ED-LLG (α = 0.5, dt = 0.2/t1, T = 0) on 6×6 at n_e = 1, J = 5 from random spins: final state "
                 f"<b>{state}</b>, S(K)/N = {res['m_K'][-1]:.3f}, nn correlation {res['nn1'][-1]:.3f} (120°: −0.5); "
                 f"{res['seconds']:.1f} s.</p><img src='dynamics_ed_llg.png' width='640'>")
    summary = {"ed_llg": {"state": state, "m_K": float(res["m_K"][-1]), "seconds": res["seconds"]}}

    # 3. ML-LLG with the shipped model (if any), within the remaining time
    try:
        from altermag.dynamics.ml_field import MLCalculator, shipped_models

        names = shipped_models()
    except ImportError:
        names = []
    name = "sd-triangular-tetrahedral"
    if name in names and time.perf_counter() - t_start < 30:
        from altermag.dynamics.lattice import SpinLattice

        lat2 = SpinLattice("triangular", 24)
        ml = MLCalculator(name, lattice=lat2, threads=1)
        n_steps = 300
        ml.energy_and_field(random_spins(lat2.n_sites, 0))  # builds the index tensors
        t0 = time.perf_counter()
        ml.energy_and_field(random_spins(lat2.n_sites, 0))
        per = time.perf_counter() - t0
        n_steps = int(max(20, min(n_steps, (50 - (time.perf_counter() - t_start)) / max(2 * per, 1e-3))))
        r2 = run_llg(ml, random_spins(lat2.n_sites, 3), n_steps, dt=0.1, alpha=0.5, record_every=max(n_steps // 20, 1),
                     progress=False, seed=4)
        S = r2["final_spins"]
        chi = ob.chirality(lat2, S)
        N = lat2.n_sites
        cell = 0.5 * (chi[:N] + chi[N:])
        fig, ax = plt.subplots(figsize=(5, 4))
        p = lat2.positions
        sc = ax.scatter(p[:, 0], p[:, 1], c=cell, cmap="coolwarm", vmin=-0.8, vmax=0.8, s=14)
        ax.set_aspect("equal")
        ax.set_xlabel("x (a)")
        ax.set_ylabel("y (a)")
        ax.set_title(f"ML-LLG 24×24, t = {r2['time'][-1]:.0f}/t1: scalar chirality")
        fig.colorbar(sc, ax=ax)
        fig.tight_layout()
        fig.savefig(out / "dynamics_ml_llg.png", dpi=100)
        plt.close(fig)
        op = ob.order_parameters(lat2, S)
        parts.append(f"<p>ML-LLG with the shipped model '{name}' on 24×24 at the tetrahedral set, {n_steps} steps "
                     f"(dt = 0.1/t1, α = 0.5, T = 0) from random spins ({r2['seconds']:.1f} s): mean |χ| per triangle "
                     f"{np.abs(chi).mean():.3f} (ideal tetrahedral 0.770), mean χ {chi.mean():+.3f}, "
                     f"S(M)/N = {op.get('m_M', 0):.3f}.</p>"
                     "<img src='dynamics_ml_llg.png' width='420'>")
        summary["ml_llg"] = {"n_steps": n_steps, "chi_abs": float(np.abs(chi).mean()), "seconds": r2["seconds"]}
    else:
        parts.append("<p>(No shipped ML model found or no time left: ML-LLG part skipped.)</p>")
    save_json(out / "dynamics_tour.json", summary, inputs={"section": "dynamics"})
    parts.append("<p>See docs/dynamics.md and docs/dynamics_ml.md.</p>")
    return Section("Spin dynamics: itinerant magnets, exchange fields and LLG", "\n".join(parts))
