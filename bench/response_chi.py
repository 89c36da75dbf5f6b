"""Benchmark: full-grid bare susceptibility χ⁰(q) of the RuO2 model on a 32³ grid (kT = 0.01 eV).

    python bench/response_chi.py            # 32³ grid, 48 sampled q for the direct sum
    python bench/response_chi.py --quick    # 16³ grid

Methods, measured in the same run on the same normal state (paramagnetic RuO2 preset, E_F = model μ):

* ``FFT/IR (all 16)``     — :func:`altermag.response.susceptibility.chi0_full_grid`: closed-form G(k, τ) at the
  sparse-ir τ sampling points, periodic gauge, k-grid FFT correlation, IR quadrature to ν = 0; all 16 sublattice
  components for every q of the grid. The sparse-ir basis is built once and cached (its one-off construction
  time is reported separately and not included).
* ``FFT/IR (density)``    — the same for the 4 components χ⁰_aabb that RPA needs.
* ``direct double sum``  — :func:`altermag.response.susceptibility.bare_susceptibility` (the Lindhard band sum,
  vectorised over k, k + q evaluated directly): timed on ``--sample`` random grid q and **extrapolated
  linearly** to all N q (it costs the same for every q).

Accuracy: max |χ_FFT − χ_direct| / max |χ| over all 16 components on the sampled q. Target: FFT/IR ≥ 100×
faster than the direct double sum, deviation ≤ 1e-6. Writes ``bench/results/response_chi.json``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def run(quick: bool = False, n: int | None = None, sample: int | None = None, seed: int = 0) -> dict:
    """Run the benchmark; returns a JSON-ready dict (also used by ``bench/response.py``)."""
    from altermag.models import preset
    from altermag.response.susceptibility import (bare_susceptibility, chi0_full_grid, ir_static_weights,
                                                  normal_state)

    n = n or (16 if quick else 32)
    sample = sample or (16 if quick else 48)
    kT = 0.01
    model = preset("RuO2")
    st = normal_state(model, mesh=n, kT=kT)
    N = st.N
    wmax = float(st.E.max() - st.E.min()) * 1.02 + 1e-3
    t = time.perf_counter()
    ir_static_weights(1 / kT, wmax)            # basis construction / cache load (reported, not counted)
    t_basis = time.perf_counter() - t

    t = time.perf_counter()
    g = chi0_full_grid(model, state=st)
    t_fft = time.perf_counter() - t
    t = time.perf_counter()
    gd = chi0_full_grid(model, state=st, components="density")
    t_fft_d = time.perf_counter() - t

    rng = np.random.default_rng(seed)
    idx = rng.choice(N, size=min(sample, N), replace=False)
    q = g.q.reshape(-1, 3)[idx]
    bare_susceptibility(model, q[:1], state=st)  # warm-up
    t = time.perf_counter()
    d = bare_susceptibility(model, q, state=st)
    t_dir_sample = time.perf_counter() - t
    t_dir_full = t_dir_sample / len(q) * N

    c = g.chi.reshape(-1, 2, 2, 2, 2)[idx]
    scale = float(np.abs(d.chi).max())
    dev = float(np.abs(c - d.chi).max() / scale)
    dev_d = float(np.abs(gd.M.reshape(-1, 2, 2)[idx] - d.M).max() / scale)
    rows = [
        {"method": "FFT/IR (all 16 components)", "time_s": t_fft, "speedup": t_dir_full / t_fft,
         "max_rel_dev": dev, "measured": "full grid"},
        {"method": "FFT/IR (density block, 4)", "time_s": t_fft_d, "speedup": t_dir_full / t_fft_d,
         "max_rel_dev": dev_d, "measured": "full grid"},
        {"method": "direct double sum", "time_s": t_dir_full, "speedup": 1.0, "max_rel_dev": 0.0,
         "measured": f"{len(q)} q in {t_dir_sample:.2f} s, extrapolated linearly to {N} q"},
    ]
    return {"benchmark": "response_chi", "model": "RuO2", "grid": [n, n, n], "N_q": N, "kT": kT,
            "E_F": st.E_F, "n_sigma": st.n_sigma, "ir": g.ir, "ir_basis_time_s": t_basis,
            "direct_sample_q": int(len(q)), "rows": rows,
            "target": {"speedup_min": 100.0, "max_rel_dev": 1e-6},
            "pass": bool(rows[0]["speedup"] >= 100.0 and dev <= 1e-6),
            "machine": {"python": platform.python_version(), "processor": platform.processor() or platform.machine(),
                        "threads": os.environ.get("OMP_NUM_THREADS")}}


def print_table(res: dict) -> None:
    print(f"χ⁰(q) on the full {'×'.join(map(str, res['grid']))} grid, RuO2, kT = {res['kT']} eV "
          f"(IR: {res['ir']['n_tau']} τ points, Λ = {res['ir']['lambda_basis']:.0f} ≥ βW = {res['ir']['lambda_needed']:.0f}, eps = {res['ir']['eps']:g}; "
          f"basis build/load {res['ir_basis_time_s']:.2f} s, not counted)")
    print(f"{'method':32s} {'time (s)':>10s} {'speedup':>9s} {'max rel dev':>12s}  note")
    for r in res["rows"]:
        print(f"{r['method']:32s} {r['time_s']:10.2f} {r['speedup']:9.0f} {r['max_rel_dev']:12.2e}  {r['measured']}")
    print("PASS" if res["pass"] else "FAIL", "(target ≥ 100× and ≤ 1e-6)")


def main(argv=None) -> dict:
    from altermag.core.io import save_json

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--sample", type=int, default=None)
    a = ap.parse_args(argv)
    res = run(quick=a.quick, n=a.n, sample=a.sample)
    print_table(res)
    out = REPO / "bench" / "results" / "response_chi.json"
    save_json(out, res, inputs={"quick": a.quick, "n": a.n, "sample": a.sample})
    print(f"wrote {out}")
    return res


if __name__ == "__main__":
    main()
