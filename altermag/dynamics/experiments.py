"""LLG experiments of issue 7 item 7, written against the calculator interface so that ED, KPM and the ML
force field (``altermag.dynamics.ml_field.MLCalculator``) can all be used.

Every function takes ``calculator`` (anything with ``energy_and_field(spins) -> (E, H)`` and, ideally, a
``lattice`` attribute), runs stochastic LLG (:func:`altermag.dynamics.llg.run_llg`), records observables vs
time and, when ``out`` (a folder) is given, writes ``trajectory.h5`` (snapshots, energies, observables),
``summary.json`` (scalars with the inputs) and PNG figures.

* :func:`relax_from_random` — relaxation from random spins (T = 0 or a small T): does the 120°/tetrahedral
  order appear?  Records S(q) order parameters, chirality, nn correlations.
* :func:`thermal_quench` — quench from T = ∞ (random spins) to a bath temperature T; chiral domain size L(t) by three
  estimators and the power-law fit L ~ t^n ([COARSE] reports n ≈ 1).
* :func:`compare_relaxations` — two calculators from the same initial state with the same noise: energies, nn
  correlations and C(r, t) side by side (ML-LLG vs ED-LLG).
* :func:`field_locality` — how much of the field at a site its r_c-neighbourhood determines (the error floor
  of any local force field with that cutoff).
* :func:`de_quench` — double-exchange thermal quench: Néel / FM regions from the local nn correlation, FM
  fraction and FM cluster size vs time (arrested phase separation).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from altermag.core.errors import ParameterError
from altermag.dynamics import observables as ob
from altermag.dynamics.llg import run_llg, transverse
from altermag.dynamics.models import random_spins

__all__ = ["relax_from_random", "thermal_quench", "compare_relaxations", "de_quench", "domain_growth",
           "make_calculator", "field_benchmark", "run_experiment", "analyze_trajectory",
           "standard_observables", "field_locality", "ordered_state", "relative_rms_error"]


def _lattice(calculator, lattice):
    lat = lattice if lattice is not None else getattr(calculator, "lattice", None)
    if lat is None:
        raise ParameterError("lattice=None: the calculator has no .lattice; pass lattice=")
    return lat


def standard_observables(lat, domains: bool = False):
    """Observable callable ``spins -> dict`` used by the experiments (order parameters, nn correlations,
    optionally the chiral-domain sizes)."""

    def f(spins):
        d = ob.order_parameters(lat, spins)
        nn = ob.nn_correlation(lat, spins, shells=(1, 2, 3))
        d.update({f"nn{k}": v for k, v in nn.items()})
        if domains:
            d.update(ob.domain_size(lat, spins))
        return d

    return f


def _save(out, name, res, inputs, summary, plots):
    if out is None:
        return
    from altermag.core.io import save_hdf5, save_json

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    arrays = {k: v for k, v in res.items() if isinstance(v, np.ndarray)}
    save_hdf5(out / "trajectory.h5", arrays, inputs=inputs)
    save_json(out / "summary.json", summary, inputs=inputs)
    if plots:
        import matplotlib

        matplotlib.use("Agg")
        for fn in plots:
            fn(out)


def _calc_info(calculator):
    info = {"calculator": type(calculator).__name__, "repr": repr(calculator)[:400]}
    if hasattr(calculator, "model"):
        info["model"] = calculator.model.params()
    return info


def _plot_series(res, keys, fname, ylabel, logxy=False):
    def plot(out):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 3.6))
        for k in keys:
            if k in res:
                t, y = res["time"], res[k]
                m = (t > 0) & (y > 0) if logxy else slice(None)
                ax.plot(t[m], y[m], label=k)
        ax.set_xlabel("time (1/t1)")
        ax.set_ylabel(ylabel)
        if logxy:
            ax.set_xscale("log")
            ax.set_yscale("log")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(out / fname, dpi=110)
        plt.close(fig)

    return plot


def _plot_final(lat, spins, fname):
    def plot(out):
        import matplotlib.pyplot as plt

        fig, axs = plt.subplots(1, 2, figsize=(9, 4))
        q, Sq = ob.structure_factor(lat, spins)
        qq = q.reshape(-1, 2)
        sc = axs[0].scatter(qq[:, 0], qq[:, 1], c=Sq.ravel() / lat.n_sites, s=12, cmap="magma")
        axs[0].set_xlabel("q_x (1/a)")
        axs[0].set_ylabel("q_y (1/a)")
        axs[0].set_title("S(q)/N")
        fig.colorbar(sc, ax=axs[0])
        chi = ob.chirality(lat, spins)
        N = lat.n_sites
        cell = 0.5 * (chi[:N] + chi[N:2 * N]) if len(chi) == 2 * N else chi[:N]
        r = lat.positions
        if lat.kind == "triangular":
            sc2 = axs[1].scatter(r[:, 0], r[:, 1], c=cell, s=max(2, 4000 / N), cmap="coolwarm", vmin=-0.8, vmax=0.8)
            axs[1].set_title("scalar chirality per cell")
        else:
            sc2 = axs[1].scatter(r[:, 0], r[:, 1], c=ob.local_nn_correlation(lat, spins), s=max(2, 4000 / N),
                                 cmap="coolwarm", vmin=-1, vmax=1)
            axs[1].set_title("local nn correlation")
        axs[1].set_aspect("equal")
        axs[1].set_xlabel("x (a)")
        axs[1].set_ylabel("y (a)")
        fig.colorbar(sc2, ax=axs[1])
        fig.tight_layout()
        fig.savefig(out / fname, dpi=110)
        plt.close(fig)

    return plot


def relax_from_random(calculator, lattice=None, n_steps: int = 2000, dt: float = 0.05, alpha: float = 0.5,
                      temperature: float = 0.0, seed: int = 0, spins0: np.ndarray | None = None,
                      record_every: int = 10, snapshot_every: int | None = None, out=None,
                      progress: bool = True) -> dict:
    """LLG relaxation from random spins (seeded) or from ``spins0``.

    Returns the :func:`run_llg` record plus order parameters vs time (``m_K``, ``m_M``, ``M_balance``, ``chi_mean``,
    ``nn1..3``) and ``final`` (the last values). Units: time 1/t1, energies t1 (total).
    """
    lat = _lattice(calculator, lattice)
    s0 = random_spins(lat.n_sites, seed) if spins0 is None else np.asarray(spins0, float)
    res = run_llg(calculator, s0, n_steps, dt=dt, alpha=alpha, temperature=temperature, record_every=record_every,
                  progress=progress, seed=seed + 1, observables=standard_observables(lat),
                  snapshot_every=snapshot_every or max(record_every, n_steps // 20 or 1))
    final = {k: float(v[-1]) for k, v in res.items() if isinstance(v, np.ndarray) and v.ndim == 1
             and k not in ("time", "snapshot_time")}
    final["energy_per_site"] = float(res["energy"][-1]) / lat.n_sites
    res["final"] = final
    inputs = {"experiment": "relax_from_random", "n_steps": n_steps, "dt": dt, "alpha": alpha,
              "temperature": temperature, "seed": seed, "L": lat.L, "Ly": lat.Ly, "kind": lat.kind,
              **_calc_info(calculator)}
    summary = {"final": final, "seconds": res["seconds"]}
    _save(out, "relax", res, inputs, summary,
          [_plot_series(res, ["m_K", "m_M", "chi_mean", "nn1"], "order_vs_time.png", "order parameter"),
           _plot_final(lat, res["final_spins"], "final_state.png")])
    return res


def domain_growth(t: np.ndarray, L: np.ndarray, t_min: float | None = None) -> dict:
    """Fit L(t) = A t^n (see :func:`altermag.dynamics.observables.fit_power_law`)."""
    return ob.fit_power_law(t, L, t_min)


def thermal_quench(calculator, lattice=None, n_steps: int = 4000, temperature: float = 0.01, dt: float = 0.05,
                   alpha: float = 0.5, seed: int = 0, record_every: int = 20, snapshot_every: int | None = None,
                   t_min: float | None = None, out=None, progress: bool = True) -> dict:
    """Thermal quench from random spins into a bath at ``temperature``; chiral domain size L(t) and its
    growth exponent (fits of ``L_wall``, ``L_corr`` and ``L_area`` in ``res["fits"]``)."""
    lat = _lattice(calculator, lattice)
    s0 = random_spins(lat.n_sites, seed)
    res = run_llg(calculator, s0, n_steps, dt=dt, alpha=alpha, temperature=temperature, record_every=record_every,
                  progress=progress, seed=seed + 1, observables=standard_observables(lat, domains=True),
                  snapshot_every=snapshot_every or max(record_every, n_steps // 20 or 1))
    fits = {k: domain_growth(res["time"], res[k], t_min) for k in ("L_wall", "L_corr", "L_area") if k in res}
    res["fits"] = fits
    inputs = {"experiment": "thermal_quench", "n_steps": n_steps, "dt": dt, "alpha": alpha,
              "temperature": temperature, "seed": seed, "L": lat.L, "Ly": lat.Ly, "kind": lat.kind,
              **_calc_info(calculator)}
    summary = {"fits": fits, "final": {k: float(res[k][-1]) for k in ("L_wall", "L_corr", "L_area", "chi_abs")
                                       if k in res}, "seconds": res["seconds"]}

    def plot_L(out):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 3.8))
        t = res["time"]
        for k in ("L_wall", "L_corr", "L_area"):
            m = t > 0
            ax.loglog(t[m], res[k][m], ".", ms=3, label=f"{k}: n = {fits[k]['n']:.2f} ± {fits[k]['n_err']:.2f}")
            f = fits[k]
            if np.isfinite(f["n"]):
                tt = t[t >= f["t_min"]]
                ax.loglog(tt, f["A"] * tt ** f["n"], "-", lw=1)
        ax.set_xlabel("time (1/t1)")
        ax.set_ylabel("chiral domain size L (a)")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / "domain_growth.png", dpi=110)
        plt.close(fig)

    _save(out, "quench", res, inputs, summary, [plot_L, _plot_final(lat, res["final_spins"], "final_state.png")])
    return res


def compare_relaxations(calc_ref, calc_test, lattice=None, n_steps: int = 500, dt: float = 0.05,
                        alpha: float = 0.5, temperature: float = 0.0, seed: int = 0, record_every: int = 10,
                        out=None, progress: bool = True, labels=("ED", "ML"), reference: dict | None = None) -> dict:
    """Run two calculators from the same random start (and the same noise) and compare.

    Returns ``{"ref": res_ref, "test": res_test, "metrics": {...}}`` with the maximal difference of the nn
    correlations over time, of the energy per site, and of the radial spin correlation C(r) at the final time.
    ``reference``: the ``"ref"`` result of an earlier call with the same lattice, seed and run settings (e.g. an
    expensive ED run), reused instead of running ``calc_ref`` again (``calc_ref`` may then be None if
    ``lattice`` is given); its initial state and time grid are checked.
    """
    lat = _lattice(calc_test if calc_ref is None else calc_ref, lattice)
    s0 = random_spins(lat.n_sites, seed)
    kw = dict(n_steps=n_steps, dt=dt, alpha=alpha, temperature=temperature, record_every=record_every,
              progress=progress, seed=seed + 1, observables=standard_observables(lat),
              snapshot_every=max(record_every, n_steps // 10 or 1))
    if reference is None:
        if calc_ref is None:
            raise ParameterError("calc_ref=None needs reference= (a stored reference run)")
        a = run_llg(calc_ref, s0, **kw)
    else:
        a = reference
        n_rec = n_steps // record_every + 1
        if not np.allclose(np.asarray(a["spins"])[0], s0) or len(a["time"]) != n_rec \
                or not np.isclose(a["time"][-1], n_steps * dt):
            raise ParameterError("reference= was run from another initial state or with other n_steps/dt/"
                                 "record_every than this comparison")
    b = run_llg(calc_test, s0, **kw)
    ra, ca = ob._radial(lat, ob.correlation_function(lat, a["final_spins"]))
    rb, cb = ob._radial(lat, ob.correlation_function(lat, b["final_spins"]))
    N = lat.n_sites
    metrics = {"max_diff_nn1": float(np.max(np.abs(a["nn1"] - b["nn1"]))),
               "max_diff_nn2": float(np.max(np.abs(a["nn2"] - b["nn2"]))),
               "max_diff_energy_per_site": float(np.max(np.abs(a["energy"] - b["energy"])) / N),
               "max_diff_Cr_final": float(np.max(np.abs(ca - cb))),
               "seconds_ref": a["seconds"], "seconds_test": b["seconds"]}
    inputs = {"experiment": "compare_relaxations", "n_steps": n_steps, "dt": dt, "alpha": alpha,
              "temperature": temperature, "seed": seed, "L": lat.L, "Ly": lat.Ly, "kind": lat.kind,
              "ref": _calc_info(calc_ref) if calc_ref is not None else "stored reference run",
              "test": _calc_info(calc_test)}
    res = {"ref": a, "test": b, "metrics": metrics, "r": ra, "C_ref": ca, "C_test": cb}

    def plot(out):
        import matplotlib.pyplot as plt

        fig, axs = plt.subplots(1, 3, figsize=(12, 3.6))
        for r, lab, st in ((a, labels[0], "-"), (b, labels[1], "--")):
            axs[0].plot(r["time"], r["energy"] / N, st, label=lab)
            for k in ("nn1", "nn2", "nn3"):
                axs[1].plot(r["time"], r[k], st, label=f"{lab} {k}")
        axs[2].plot(ra, ca, "o-", label=labels[0])
        axs[2].plot(rb, cb, "x--", label=labels[1])
        axs[0].set_ylabel("energy per site (t1)")
        axs[1].set_ylabel("⟨S_i·S_j⟩")
        axs[2].set_ylabel("C(r) final")
        axs[2].set_xlabel("r (a)")
        for ax in axs[:2]:
            ax.set_xlabel("time (1/t1)")
        for ax in axs:
            ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / "compare.png", dpi=110)
        plt.close(fig)

    if out is not None:
        from altermag.core.io import save_hdf5, save_json

        outp = Path(out)
        outp.mkdir(parents=True, exist_ok=True)
        save_hdf5(outp / "trajectory.h5", {"ref": {k: v for k, v in a.items() if isinstance(v, np.ndarray)},
                                           "test": {k: v for k, v in b.items() if isinstance(v, np.ndarray)},
                                           "r": ra, "C_ref": ca, "C_test": cb}, inputs=inputs)
        save_json(outp / "summary.json", {"metrics": metrics}, inputs=inputs)
        import matplotlib

        matplotlib.use("Agg")
        plot(outp)
    return res


def de_quench(calculator, lattice=None, n_steps: int = 4000, temperature: float = 0.01, dt: float = 0.05,
              alpha: float = 0.5, seed: int = 0, record_every: int = 20, fm_threshold: float = 0.5,
              out=None, progress: bool = True) -> dict:
    """Double-exchange thermal quench: Néel and FM regions from the local nn correlation c_i (c_i > threshold:
    FM, c_i < −threshold: Néel). Records ``fm_fraction``, ``neel_fraction``, ``fm_cluster`` (mean FM cluster
    area, area-weighted) vs time; their saturation signals arrested phase separation. With an ED/KPM calculator
    the local density is recorded at the snapshots (``density``)."""
    lat = _lattice(calculator, lattice)
    s0 = random_spins(lat.n_sites, seed)
    from scipy import ndimage

    def obs(spins):
        c = ob.local_nn_correlation(lat, spins)
        fm = (c > fm_threshold).reshape(lat.Ly, lat.L)
        lab, n = ndimage.label(fm)
        sizes = np.bincount(lab.ravel())[1:] if n else np.zeros(1)
        d = {"fm_fraction": float(fm.mean()), "neel_fraction": float((c < -fm_threshold).mean()),
             "fm_cluster": float(np.sum(sizes.astype(float) ** 2) / max(np.sum(sizes), 1)),
             "nn1": ob.nn_correlation(lat, spins, (1,))[1]}
        return d

    res = run_llg(calculator, s0, n_steps, dt=dt, alpha=alpha, temperature=temperature, record_every=record_every,
                  progress=progress, seed=seed + 1, observables=obs,
                  snapshot_every=max(record_every, n_steps // 20 or 1))
    if hasattr(calculator, "observables"):
        res["density"] = np.array([calculator.observables(s)["density"] for s in res["spins"][-1:]])
    inputs = {"experiment": "de_quench", "n_steps": n_steps, "dt": dt, "alpha": alpha, "temperature": temperature,
              "seed": seed, "L": lat.L, "Ly": lat.Ly, "kind": lat.kind, **_calc_info(calculator)}
    summary = {"final": {k: float(res[k][-1]) for k in ("fm_fraction", "neel_fraction", "fm_cluster", "nn1")},
               "seconds": res["seconds"]}
    _save(out, "de", res, inputs, summary,
          [_plot_series(res, ["fm_fraction", "neel_fraction"], "fractions.png", "area fraction"),
           _plot_series(res, ["fm_cluster"], "fm_cluster.png", "FM cluster area (sites)", logxy=True),
           _plot_final(lat, res["final_spins"], "final_state.png")])
    return res


# ====================================================================== calculators, CLI back ends
#: shipped ML model of each default parameter set (``altermag.dynamics.ml_field.shipped_models()``)
SHIPPED_ML = {"tetrahedral": "sd-triangular-tetrahedral", "120": "sd-triangular-120",
              "double-exchange": "double-exchange"}


def _canonical(model: str) -> str:
    from altermag.dynamics.models import _ALIASES, DEFAULT_SETS

    key = _ALIASES.get(model, model)
    if key not in DEFAULT_SETS:
        raise ParameterError(f"model={model!r}: one of {sorted(DEFAULT_SETS) + sorted(_ALIASES)}")
    return key


def make_calculator(model, method: str = "ed", size: int = 12, ml_model: str | None = None,
                    kpm_moments: int = 1000, kpm_distance: int = 12, kpm_vectors: int | None = None,
                    device: str = "cpu", seed: int = 0):
    """Calculator for a parameter-set name (``"tetrahedral"``, ``"120"``, ``"double-exchange"``, aliases) or an
    :class:`SDModel`, with ``method`` ``"ed"``, ``"kpm"`` or ``"ml"`` (ML: ``ml_model`` a shipped name or a .pt path,
    default the shipped model of the parameter set)."""
    from altermag.dynamics.models import SDModel

    if isinstance(model, str):
        key = _canonical(model)
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 2:
            raise ParameterError(f"size={size!r}: lattice size L must be an integer >= 2")
        m = SDModel.default(key, L=size)
    else:
        m, key = model, None
    if method == "ed":
        from altermag.dynamics.ed import EDCalculator

        return EDCalculator(m)
    if method == "kpm":
        from altermag.dynamics.kpm import KPMCalculator

        return KPMCalculator(m, n_moments=kpm_moments, n_vectors=kpm_vectors, coloring_distance=kpm_distance,
                             seed=seed)
    if method == "ml":
        try:
            from altermag.dynamics.ml_field import MLCalculator
        except ImportError as exc:  # pragma: no cover - torch missing
            raise ParameterError(f"method='ml' needs the ML side (torch): {exc}") from exc
        name = ml_model or SHIPPED_ML.get(key or "", "sd-triangular-tetrahedral")
        calc = MLCalculator(name, lattice=m.lattice, device=device)
        calc.model_params = m.params()
        return calc
    raise ParameterError(f"method={method!r}: one of 'ed', 'kpm', 'ml'")


def relative_rms_error(H, H_ref, S=None) -> float:
    """rms(H − H_ref) / rms(H_ref) over all sites and components; with spins ``S`` (N, 3), of the parts
    perpendicular to the spins (H⊥, the part that drives LLG)."""
    if S is not None:
        H, H_ref = transverse(H, S), transverse(H_ref, S)
    return float(np.sqrt(np.mean((H - H_ref) ** 2) / np.mean(H_ref ** 2)))


def field_benchmark(model: str = "sd-triangular", size: int = 12, method: str = "ed", seed: int = 0,
                    n_moments: int = 1000, coloring_distance: int = 12, ml_model: str | None = None,
                    reference: bool = True, max_reference_size: int = 48) -> dict:
    """Time one field evaluation of a seeded random configuration and compare it with ED.

    Returns ``seconds`` (one ``energy_and_field`` call; for ML after one warm-up call that builds the index
    tensors), ``relative_rms_vs_ed`` = rms(H⊥ − H⊥_ED)/rms(H⊥_ED) over the components transverse to the spins (the
    part that drives LLG; null for ED or L > ``max_reference_size``), ``relative_rms_full_vs_ed`` for the whole
    vector, ``energy_per_site`` and ``ed_seconds``.
    """
    import time

    if size < 2:
        raise ParameterError(f"size={size}: must be >= 2")
    key = _canonical(model)
    calc = make_calculator(key, method, size, ml_model=ml_model, kpm_moments=n_moments,
                           kpm_distance=coloring_distance, seed=seed)
    lat = calc.lattice if getattr(calc, "lattice", None) is not None else calc.model.lattice
    S = random_spins(lat.n_sites, seed)
    if method == "ml":
        calc.energy_and_field(S)
    t0 = time.perf_counter()
    E, H = calc.energy_and_field(S)
    sec = time.perf_counter() - t0
    rec = {"model": key, "method": method, "size": size, "n_sites": lat.n_sites, "seed": seed,
           "seconds": sec, "energy_per_site": E / lat.n_sites, "relative_rms_vs_ed": None,
           "relative_rms_full_vs_ed": None, "relative_rms_transverse_vs_ed": None, "ed_seconds": None}
    if method == "kpm":
        rec.update(n_moments=calc.n_moments, n_vectors=calc.n_vectors, coloring_distance=calc.coloring_distance,
                   exact_probing=calc.exact_probing)
    if method == "ml":
        rec["ml_model"] = ml_model or SHIPPED_ML.get(key)
    if method != "ed" and reference and size <= max_reference_size:
        from altermag.dynamics.ed import EDCalculator
        from altermag.dynamics.models import SDModel

        t0 = time.perf_counter()
        E0, H0 = EDCalculator(SDModel.default(key, L=size)).energy_and_field(S)
        rec["ed_seconds"] = time.perf_counter() - t0
        rec["relative_rms_vs_ed"] = relative_rms_error(H, H0, S)
        rec["relative_rms_transverse_vs_ed"] = rec["relative_rms_vs_ed"]
        rec["relative_rms_full_vs_ed"] = relative_rms_error(H, H0)
        rec["energy_error_per_site"] = (E - E0) / lat.n_sites
    return rec


_ORDERED_STATE = {"tetrahedral": "tetrahedral", "120": "120", "double-exchange": "neel"}


def ordered_state(model: str, lattice, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    """Ordered state of a parameter set on ``lattice`` (tetrahedral, 120°, or the Néel state for
    ``"double-exchange"``), plus Gaussian noise of width ``noise`` per spin component, renormalised. (N, 3)."""
    from altermag.dynamics.ground_states import ansatz

    key = _canonical(model)
    if noise < 0:
        raise ParameterError(f"noise={noise}: must be >= 0")
    if _ORDERED_STATE[key] == "neel":
        if lattice.kind != "square" or lattice.L % 2 or lattice.Ly % 2:
            raise ParameterError(f"the Néel state needs an even square lattice (got {lattice!r})")
        S = ansatz("spiral", lattice, q=(np.pi, np.pi))  # the (π, π) spiral is the Néel state
    else:
        S = ansatz(_ORDERED_STATE[key], lattice)
    if noise:
        S = S + noise * np.random.default_rng(seed).normal(size=S.shape)
        S /= np.linalg.norm(S, axis=1, keepdims=True)
    return S


def field_locality(calculator, spins: np.ndarray, cutoffs=(3.0, 4.0, 6.0), n_probes: int = 4, seed: int = 0,
                   lattice=None) -> dict:
    """Nearsightedness of the exchange field: how much of H⊥_i is fixed by the spins within r_c of site i.

    For ``n_probes`` sites i (spread over the lattice) and each cutoff r_c (lattice constants), every spin
    farther than r_c from i is redrawn at random, the field is recomputed, and the change of the transverse
    field at i is recorded. ``relative_nonlocal[r_c]`` = rms|ΔH⊥_i| / √2 / rms|H⊥| — the √2 because the change
    is the difference of two independent draws of the outside — is the error floor of any model that sees
    only the spins within r_c (a Behler-Parrinello descriptor of that cutoff), relative to the typical
    transverse field of the configuration. 0 for a field of finite range ≤ r_c. Costs
    ``n_probes × len(cutoffs) + 1`` field evaluations. Returns also the per-probe values and ``field_rms``.
    """
    lat = _lattice(calculator, lattice)
    S = np.asarray(spins, dtype=float)
    if S.shape != (lat.n_sites, 3):
        raise ParameterError(f"spins shape {S.shape}: expected ({lat.n_sites}, 3)")
    if n_probes < 1:
        raise ParameterError(f"n_probes={n_probes}: must be >= 1")
    cutoffs = [float(r) for r in np.atleast_1d(cutoffs)]
    if any(not r > 0 for r in cutoffs):
        raise ParameterError(f"cutoffs={cutoffs}: must be > 0")

    H0 = transverse(calculator.energy_and_field(S)[1], S)
    rms = float(np.sqrt(np.mean(np.sum(H0 ** 2, 1))))
    rng = np.random.default_rng(seed)
    probes = np.unique(np.linspace(0, lat.n_sites, n_probes, endpoint=False).astype(int) + lat.L // 2)
    probes = probes % lat.n_sites
    per = {r: [] for r in cutoffs}
    for i in probes:
        dist = np.linalg.norm(lat.displacements(int(i), np.arange(lat.n_sites)), axis=1)
        for r in cutoffs:
            far = dist > r + 1e-9
            if not far.any():
                raise ParameterError(f"cutoff {r} covers the whole {lat.L}×{lat.Ly} lattice: use a larger lattice")
            S2 = S.copy()
            S2[far] = random_spins(int(far.sum()), rng)
            H2 = transverse(calculator.energy_and_field(S2)[1][i], S[i])
            per[r].append(float(np.linalg.norm(H2 - H0[i])))
    rel = {str(r): float(np.sqrt(np.mean(np.square(per[r])) / 2) / rms) if rms > 0 else None for r in cutoffs}
    return {"cutoffs": cutoffs, "relative_nonlocal": rel, "field_rms": rms, "probes": probes.tolist(),
            "delta_per_probe": {str(r): per[r] for r in cutoffs}, "n_evaluations": 1 + len(probes) * len(cutoffs)}


_DEFAULTS = {"model": "tetrahedral", "size": 12, "method": "ed", "experiment": "relax", "steps": 1000, "dt": 0.05,
             "alpha": 0.5, "temperature": None, "seed": 0, "record_every": 10, "out": None, "ml_model": None,
             "kpm_moments": 1000, "kpm_distance": 12, "kpm_vectors": None, "device": "cpu"}


_INT_KEYS = {"size": 2, "steps": 0, "seed": None, "record_every": 1, "kpm_moments": 4, "kpm_distance": 1,
             "kpm_vectors": 1}
_FLOAT_KEYS = ("dt", "alpha", "temperature")


def _validated_config(config: dict) -> dict:
    """Defaults filled in, unknown keys rejected and every value converted to its type; a bad value raises
    :class:`ParameterError` naming the key, the value and the allowed range (one line, no traceback)."""
    cfg = dict(_DEFAULTS)
    unknown = set(config) - set(_DEFAULTS)
    if unknown:
        raise ParameterError(f"config: unknown keys {sorted(unknown)}; allowed {list(_DEFAULTS)}")
    cfg.update({k: v for k, v in config.items() if v is not None})
    for k, lo in _INT_KEYS.items():
        v = cfg[k]
        if v is None:
            continue
        if isinstance(v, bool) or not (isinstance(v, (int, np.integer))
                                       or (isinstance(v, float) and float(v).is_integer())):
            raise ParameterError(f"{k}={v!r}: must be an integer")
        cfg[k] = int(v)
        if lo is not None and cfg[k] < lo:
            raise ParameterError(f"{k}={cfg[k]}: must be >= {lo}")
    for k in _FLOAT_KEYS:
        v = cfg[k]
        if v is None:
            continue
        try:
            cfg[k] = float(v)
        except (TypeError, ValueError):
            raise ParameterError(f"{k}={v!r}: must be a number") from None
        if not np.isfinite(cfg[k]):
            raise ParameterError(f"{k}={v!r}: must be finite")
    if cfg["dt"] <= 0:
        raise ParameterError(f"dt={cfg['dt']}: time step must be > 0")
    if cfg["alpha"] < 0:
        raise ParameterError(f"alpha={cfg['alpha']}: damping must be >= 0")
    if cfg["temperature"] is not None and cfg["temperature"] < 0:
        raise ParameterError(f"temperature={cfg['temperature']}: must be >= 0")
    for k in ("model", "method", "experiment", "device"):
        if not isinstance(cfg[k], str):
            raise ParameterError(f"{k}={cfg[k]!r}: must be a string")
    return cfg


def run_experiment(config: dict, progress: bool = True) -> dict:
    """Run one experiment from a config dict (keys of :data:`_DEFAULTS`; the CLI's ``run`` options).

    ``experiment``: ``relax`` (T default 0), ``quench`` (T default 0.01), ``de-quench`` (T default 0.01) or
    ``compare`` (``method`` against ED from the same start). Returns a JSON-ready summary.
    """
    cfg = _validated_config(config)
    exp = cfg["experiment"]
    if exp not in ("relax", "quench", "de-quench", "compare"):
        raise ParameterError(f"experiment={exp!r}: one of relax, quench, de-quench, compare")
    T = cfg["temperature"]
    if T is None:
        T = 0.0 if exp in ("relax", "compare") else 0.01
    key = _canonical(cfg["model"])
    kw = dict(ml_model=cfg["ml_model"], kpm_moments=int(cfg["kpm_moments"]), kpm_distance=int(cfg["kpm_distance"]),
              kpm_vectors=cfg["kpm_vectors"], device=cfg["device"], seed=int(cfg["seed"]))
    calc = make_calculator(key, cfg["method"], int(cfg["size"]), **kw)
    lat = calc.lattice
    common = dict(n_steps=int(cfg["steps"]), dt=float(cfg["dt"]), alpha=float(cfg["alpha"]), temperature=float(T),
                  seed=int(cfg["seed"]), record_every=int(cfg["record_every"]), out=cfg["out"], progress=progress)
    if exp == "relax":
        res = relax_from_random(calc, lat, **common)
        final = res["final"]
    elif exp == "quench":
        res = thermal_quench(calc, lat, **common)
        final = {k: float(res[k][-1]) for k in ("L_wall", "L_corr", "L_area", "chi_abs")}
        final.update({f"n_{k}": v["n"] for k, v in res["fits"].items()})
    elif exp == "de-quench":
        res = de_quench(calc, lat, **common)
        final = {k: float(res[k][-1]) for k in ("fm_fraction", "neel_fraction", "fm_cluster", "nn1")}
    else:
        ref = make_calculator(key, "ed", int(cfg["size"]))
        res = compare_relaxations(ref, calc, lat, labels=("ED", cfg["method"].upper()), **common)
        final = res["metrics"]
        res["seconds"] = res["metrics"]["seconds_ref"] + res["metrics"]["seconds_test"]
    return {"experiment": exp, "method": cfg["method"], "model": key, "size": int(cfg["size"]),
            "temperature": T, "steps": int(cfg["steps"]), "dt": float(cfg["dt"]), "alpha": float(cfg["alpha"]),
            "seconds": float(res["seconds"]), "final": final, "out": None if cfg["out"] is None else str(cfg["out"])}


def analyze_trajectory(path, out=None) -> dict:
    """Observables of every snapshot of a ``trajectory.h5`` written by :func:`run_llg` / the experiments:
    order parameters, chirality, chiral domain sizes and (for ≥ 4 snapshots with t > 0) the L(t) power-law fit.
    Writes ``analysis.json`` and ``analysis.png`` into ``out`` (default: the trajectory's folder)."""
    from altermag.core.io import load_hdf5, save_json
    from altermag.dynamics.lattice import SpinLattice

    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"trajectory={path}: file not found")
    doc = load_hdf5(path)
    data = doc["data"]
    if "spins" not in data:
        raise ParameterError(f"trajectory={path}: no 'spins' dataset (not written by altermag dynamics run)")
    inp = (doc.get("provenance") or {}).get("inputs", {})
    spins = np.asarray(data["spins"])
    n_sites = spins.shape[1]
    kind = inp.get("kind") or (inp.get("model") or {}).get("kind") or "triangular"
    L = int(inp.get("L") or (inp.get("model") or {}).get("L") or round(np.sqrt(n_sites)))
    Ly = int(inp.get("Ly") or (inp.get("model") or {}).get("Ly") or n_sites // L)
    lat = SpinLattice(kind, L, Ly)
    t = np.asarray(data.get("snapshot_time", np.arange(len(spins))))
    rows = []
    for s in spins:
        r = ob.order_parameters(lat, s)
        r.update({f"nn{k}": v for k, v in ob.nn_correlation(lat, s).items()})
        if kind == "triangular":
            r.update(ob.domain_size(lat, s))
        r["Q"] = float(ob.topological_charge(lat, s))
        rows.append(r)
    series = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    fit = None
    if kind == "triangular" and np.sum(t > 0) >= 4:
        fit = ob.fit_power_law(t, series["L_wall"])
    outdir = Path(out) if out is not None else path.parent
    outdir.mkdir(parents=True, exist_ok=True)
    rec = {"trajectory": str(path), "lattice": repr(lat), "n_snapshots": int(len(spins)), "time": t,
           "series": series, "final": {k: float(v[-1]) for k, v in series.items()}, "fit": fit}
    save_json(outdir / "analysis.json", rec, inputs={"trajectory": str(path), **inp})
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(1, 2, figsize=(9, 3.6))
    for k in ("m_K", "m_M", "m_FM", "chi_abs", "nn1"):
        if k in series:
            axs[0].plot(t, series[k], label=k)
    axs[0].set_xlabel("time (1/t1)")
    axs[0].set_ylabel("order parameter")
    axs[0].legend(fontsize=7)
    if "L_wall" in series:
        m = t > 0
        axs[1].loglog(t[m], series["L_wall"][m], "o-", ms=3, label="L_wall")
        axs[1].loglog(t[m], series["L_area"][m], "s-", ms=3, label="L_area")
        axs[1].set_ylabel("chiral domain size (a)")
    axs[1].set_xlabel("time (1/t1)")
    axs[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(outdir / "analysis.png", dpi=110)
    plt.close(fig)
    rec["files"] = [str(outdir / "analysis.json"), str(outdir / "analysis.png")]
    return rec
