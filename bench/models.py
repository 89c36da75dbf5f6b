"""Benchmark: band energies of the four-band minimal model (RuO2 preset, SOC on) on a 200³ k-grid.

    python bench/models.py               # 200³ grid, 20 000-point loop sample
    python bench/models.py --n 100       # quicker

Methods, all measured in the same run on the same model:

* ``closed form (Eq. 4)``   — ``model.eigenvalues_on_grid(mesh)``: coefficients plane by plane from per-axis
  phase tables (two real matrix products per plane, no cos per k), spectrum from Eq. (4); the full grid
  is never materialised as k-points;
* ``batched eigh``          — ``model.eigenvalues_on_grid(mesh, method="eigh")``: LAPACK on (chunk, 4, 4)
  stacks of the same plane-by-plane coefficients; run on an (n/8, n, n) grid and extrapolated linearly
  (said in the table);
* ``per-k eigh loop``        — the baseline a user writes by hand: for each k, build H(k) with NumPy (one
  4×4 matrix) and call ``numpy.linalg.eigh``; timed on ``--loop-sample`` random k and **extrapolated
  linearly** to the full grid (the loop is too slow to run on 8·10⁶ points).

Memory: peak traced allocation (tracemalloc, which sees NumPy buffers), in a separate run from the timing;
full grid for the closed form, the slab for batched eigh. The output array itself is 4 × 8 bytes per
k-point (256 MB at 200³). Agreement of the three methods is checked on the
loop sample. Writes ``bench/results/models.json``. Target: closed form ≥ 50× faster than the per-k loop.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from altermag.models import preset  # noqa: E402

RESULTS = REPO / "bench" / "results" / "models.json"


def per_k_loop(model, k):
    """The hand-written baseline: one H(k) and one numpy.linalg.eigh per k-point."""
    out = np.empty((len(k), 4))
    for i, kk in enumerate(k):
        H = model.hamiltonian(kk)
        out[i] = np.linalg.eigh(H)[0]
    return out


def timed(fn, *args, memory=True):
    if memory:
        tracemalloc.start()
    t0 = time.perf_counter()
    r = fn(*args)
    dt = time.perf_counter() - t0
    peak = None
    if memory:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return r, dt, peak


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200, help="grid points per axis (default 200 → 8·10⁶ k)")
    ap.add_argument("--loop-sample", type=int, default=20000, help="k-points timed in the per-k loop")
    ap.add_argument("--out", type=Path, default=RESULTS, help="results JSON (default bench/results/models.json)")
    args = ap.parse_args(argv)
    n = args.n
    nk = n ** 3
    model = preset("RuO2", lambda1=0.05, lambda2=0.02, neel=(1, 0, 0))

    # timing and memory in separate runs (tracemalloc slows allocation-heavy code down)
    E_closed, t_closed, _ = timed(model.eigenvalues_on_grid, (n, n, n), memory=False)
    del E_closed
    _, _, m_closed = timed(model.eigenvalues_on_grid, (n, n, n))
    # batched eigh on a slab of n/8 planes, extrapolated
    slab = max(1, n // 8)

    def eigh_slab():
        return model.eigenvalues_on_grid((slab, n, n), method="eigh")

    E_eigh_slab, t_eigh_slab, _ = timed(eigh_slab, memory=False)
    _, _, m_eigh = timed(eigh_slab)
    t_eigh = t_eigh_slab * n / slab
    rng = np.random.default_rng(0)
    ks = rng.uniform(-0.5, 0.5, (args.loop_sample, 3))
    E_loop, t_loop_sample, _ = timed(per_k_loop, model, ks, memory=False)
    t_loop = t_loop_sample * nk / len(ks)
    err_closed = float(np.abs(model.eigenvalues(ks) - E_loop).max())
    err_eigh = float(np.abs(model.eigenvalues(ks, method="eigh") - E_loop).max())
    # same slab mesh, closed form vs batched eigh
    err_grid = float(np.abs(E_eigh_slab - model.eigenvalues_on_grid((slab, n, n))).max())

    rows = [
        {"method": "closed form (Eq. 4), full grid", "seconds": t_closed, "measured": "full",
         "peak_MB": m_closed / 2 ** 20, "speedup_vs_loop": t_loop / t_closed},
        {"method": f"batched eigh ({slab}/{n} slab, extrapolated)", "seconds": t_eigh, "measured": "extrapolated",
         "peak_MB": m_eigh / 2 ** 20, "peak_note": "measured on the slab", "speedup_vs_loop": t_loop / t_eigh},
        {"method": f"per-k numpy eigh loop ({len(ks)} k, extrapolated)", "seconds": t_loop,
         "measured": "extrapolated", "peak_MB": None, "speedup_vs_loop": 1.0},
    ]
    print(f"RuO2 preset with SOC (λ1 = 0.05, λ2 = 0.02 eV, n̂ ∥ x), {n}³ = {nk:,} k-points, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    print(f"{'method':<52} {'time (s)':>10} {'peak MB':>9} {'speed-up':>9}")
    for r in rows:
        pk = "—" if r["peak_MB"] is None else f"{r['peak_MB']:.0f}"
        print(f"{r['method']:<52} {r['seconds']:>10.2f} {pk:>9} {r['speedup_vs_loop']:>8.0f}×")
    print(f"max |ΔE| vs loop: closed form {err_closed:.1e} eV, batched eigh {err_eigh:.1e} eV; "
          f"closed vs eigh on the slab {err_grid:.1e} eV")
    target = rows[0]["speedup_vs_loop"] >= 50
    print(f"target closed form ≥ 50× the per-k loop: {'met' if target else 'NOT met'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "grid": n, "n_k": nk, "loop_sample": len(ks), "rows": rows,
        "max_abs_error_eV": {"closed_vs_loop": err_closed, "eigh_vs_loop": err_eigh, "closed_vs_eigh_grid": err_grid},
        "target_50x_met": bool(target),
        "machine": {"python": platform.python_version(), "numpy": np.__version__, "cpu": platform.processor(),
                    "omp_threads": os.environ.get("OMP_NUM_THREADS")},
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
