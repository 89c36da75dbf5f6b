"""Benchmark: time per NEGF exchange-field evaluation of a biased s-d strip, against a dense-inverse baseline and an
untrained two-output ML force field (issue 8).

* NEGF (recursive Green's functions, vectorised over energies, adaptive contour + bias window) on strips
  16×12, 32×24, 48×36, 64×48 (``--quick``: 16×12, 32×24) at J = 3, μ = −2.41, T = 0.05, V = 0.5, square leads, for an
  AF|FM wall configuration with 0.05 noise. Two timings per size: ``cold`` (first call, adaptive meshes built from
  scratch) and ``warm`` (a second, slightly perturbed configuration starting from the reused meshes, the LLG
  situation; measured up to 32×24, larger strips get one cold call only, reported in both columns). With the
  number of energy points and the error estimate.
* Dense baseline at the smallest size: the same energy nodes, each with a dense inverse of (z − H_C − Σ_L − Σ_R)
  (2N × 2N), time extrapolated from a batch of 64 nodes to the node count of the warm NEGF call.
* ML: ``SpinForceField.create("square", n_outputs=2, n_extra_inputs=1)`` (untrained; cost does not depend on the
  weights), both potentials and their gradients via ``ff.forces`` with the x-coordinate as extra input, on open strips
  up to 512×96 (periodic lattices of the same size if open-boundary descriptors are unavailable; the table says
  which).

One BLAS/torch thread. Output: a table on stdout and ``bench/results/negf.json``.

    python3 bench/negf.py [--quick] [--tol 1e-4]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402

NEGF_SIZES = [(16, 12), (32, 24), (48, 36), (64, 48)]
ML_SIZES = [(16, 12), (32, 24), (48, 36), (64, 48), (128, 96), (256, 96), (512, 96)]


def wall_spins(lat, seed):
    from altermag.dynamics.negf import wall_configuration

    S = wall_configuration(lat, lat.L / 2)
    S = S + 0.05 * np.random.default_rng(seed).normal(size=S.shape)
    return S / np.linalg.norm(S, axis=1, keepdims=True)


def bench_negf(lx, ly, tol, bias=0.5, warm_call=True):
    from altermag.dynamics.lattice import SpinLattice
    from altermag.dynamics.models import SDModel
    from altermag.dynamics.negf import NEGFCalculator

    lat = SpinLattice("square", lx, ly, periodic_x=False)
    calc = NEGFCalculator(SDModel(lat, J=3.0, mu=-2.41, temperature=0.05), bias=bias, tol=tol)
    t0 = time.perf_counter()
    o1 = calc.observables(wall_spins(lat, 0))
    cold = time.perf_counter() - t0
    S2 = wall_spins(lat, 0) + 0.01 * np.random.default_rng(1).normal(size=(lat.n_sites, 3))
    S2 /= np.linalg.norm(S2, axis=1, keepdims=True)
    if warm_call:
        t0 = time.perf_counter()
        o2 = calc.observables(S2)
        warm = time.perf_counter() - t0
    else:  # large strips: one (cold) call only, to keep the run short; reported as both
        o2, warm = o1, cold
    return calc, S2, {"lx": lx, "ly": ly, "n_sites": lat.n_sites, "cold_seconds": cold, "warm_seconds": warm,
                      "n_energies_cold": o1["n_energies"], "n_energies_warm": o2["n_energies"],
                      "error_estimate": o2["error_estimate"], "current_left": o2["current_left"],
                      "current_right": o2["current_right"]}


def bench_dense(calc, S, n_nodes, batch=64):
    """Dense-inverse time for ``n_nodes`` energies (extrapolated from ``batch`` nodes on the arc and window)."""
    th = np.linspace(0.1, 3.0, batch // 2)
    z = np.concatenate([calc._c - calc._R * np.cos(th) + 1j * calc._R * np.sin(th),
                        np.linspace(*calc._win, batch - batch // 2) + 0j])
    t0 = time.perf_counter()
    calc.dense_inverse_green_function(z, S)
    per_node = (time.perf_counter() - t0) / len(z)
    return per_node * n_nodes, per_node


def bench_ml(lx, ly, reps=3):
    import torch

    from altermag.dynamics.lattice import SpinLattice
    from altermag.dynamics.models import random_spins
    from altermag.dynamics.network import SpinForceField

    torch.set_num_threads(1)
    ff = SpinForceField.create("square", n_outputs=2, n_extra_inputs=1)
    boundary = "open"
    lat = SpinLattice("square", lx, ly, periodic_x=False)
    idx = ff.descriptor.index_tensors(lat)
    S = torch.as_tensor(random_spins(lat.n_sites, 0))
    extra = torch.as_tensor(lat.coords[:, :1] / lat.L, dtype=torch.float64)
    ff.forces(S, idx, extra)  # warm-up
    t0 = time.perf_counter()
    for _ in range(reps):
        ff.forces(S, idx, extra)
    return {"lx": lx, "ly": ly, "n_sites": lat.n_sites, "seconds": (time.perf_counter() - t0) / reps,
            "boundary": boundary}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="NEGF only at 16×12 and 32×24, ML up to 128×96.")
    ap.add_argument("--tol", type=float, default=1e-4, help="NEGF spin-density tolerance (default 1e-4).")
    ap.add_argument("--sizes", default=None,
                    help="NEGF strips to run, e.g. '48x36,64x48' (default: all; with --quick the two smallest). "
                         "Rows of other sizes already in --out are kept (merge), so long sizes can run separately.")
    ap.add_argument("--no-ml", action="store_true", help="Skip the ML column (keep the one in --out).")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "negf.json"))
    args = ap.parse_args()
    from altermag.core.io import load_json, save_json

    negf_sizes = NEGF_SIZES[:2] if args.quick else NEGF_SIZES
    if args.sizes:
        negf_sizes = [tuple(int(v) for v in item.split("x")) for item in args.sizes.split(",")]
    ml_sizes = [] if args.no_ml else (ML_SIZES[:5] if args.quick else ML_SIZES)
    old = {}
    if Path(args.out).is_file():
        try:
            old = load_json(args.out)["data"]
        except Exception:  # noqa: BLE001 - a corrupt or foreign file is simply replaced
            old = {}
    rows = []
    dense = old.get("dense_baseline")
    for lx, ly in negf_sizes:
        calc, S, r = bench_negf(lx, ly, args.tol, warm_call=lx * ly <= 32 * 24)
        r["warm_measured"] = lx * ly <= 32 * 24
        if (lx, ly) == NEGF_SIZES[0]:
            t_dense, per_node = bench_dense(calc, S, r["n_energies_warm"])
            dense = {"lx": lx, "ly": ly, "seconds": t_dense, "seconds_per_energy": per_node,
                     "n_energies": r["n_energies_warm"], "ratio_dense_over_negf_warm": t_dense / r["warm_seconds"]}
        rows.append(r)
        print(f"NEGF {lx:3d}x{ly:<3d} cold {r['cold_seconds']:8.2f} s ({r['n_energies_cold']:5d} E)  warm "
              f"{r['warm_seconds']:8.2f} s ({r['n_energies_warm']:5d} E)  err {r['error_estimate']:.2g}", flush=True)
    ml_rows = []
    for lx, ly in ml_sizes:
        r = bench_ml(lx, ly)
        ml_rows.append(r)
        print(f"ML   {lx:3d}x{ly:<3d} {r['seconds']:8.4f} s  ({r['boundary']})", flush=True)
    if not ml_rows:
        ml_rows = old.get("ml", [])
    done = {(r["lx"], r["ly"]) for r in rows}
    rows = sorted(rows + [r for r in old.get("negf", []) if (r["lx"], r["ly"]) not in done], key=lambda r: r["n_sites"])
    ml_by = {(r["lx"], r["ly"]): r for r in ml_rows}
    print()
    print(f"{'strip':>8} {'N':>6} {'NEGF warm (s)':>14} {'energies':>9} {'err est':>9} {'ML (s)':>9} {'NEGF/ML':>9}")
    for r in rows:
        ml = ml_by.get((r["lx"], r["ly"]))
        ratio = r["warm_seconds"] / ml["seconds"] if ml else float("nan")
        r["ml_seconds"] = ml["seconds"] if ml else None
        r["ratio_negf_over_ml"] = ratio if ml else None
        print(f"{r['lx']:>4}x{r['ly']:<3} {r['n_sites']:>6} {r['warm_seconds']:>14.3f} {r['n_energies_warm']:>9} "
              f"{r['error_estimate']:>9.2g} {ml['seconds'] if ml else float('nan'):>9.4f} {ratio:>9.1f}")
    for r in ml_rows:
        if (r["lx"], r["ly"]) not in {(q["lx"], q["ly"]) for q in rows}:
            print(f"{r['lx']:>4}x{r['ly']:<3} {r['n_sites']:>6} {'-':>14} {'-':>9} {'-':>9} {r['seconds']:>9.4f}")
    if dense:
        print(f"\ndense-inverse baseline at {dense['lx']}x{dense['ly']}: {dense['seconds']:.3f} s for "
              f"{dense['n_energies']} energies ({dense['seconds_per_energy'] * 1e3:.2f} ms each) = "
              f"{dense['ratio_dense_over_negf_warm']:.1f}x the RGF time")
    inputs = {"J": 3.0, "mu": -2.41, "temperature": 0.05, "bias": 0.5, "leads": "square", "tol": args.tol,
              "config": "wall + 0.05 noise", "threads": 1, "quick": args.quick}
    save_json(args.out, {"negf": rows, "dense_baseline": dense, "ml": ml_rows}, inputs=inputs)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
