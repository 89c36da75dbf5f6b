"""Benchmark: time and memory per exchange-field evaluation, ED vs KPM vs ML (issue 7).

One run measures, each in a fresh subprocess (so that the peak memory is that of one evaluation):

* ED (dense Hermitian eigensolver, occupied eigenvectors only) for L = 12, 24, 36 (N = 144 … 1296) and, with
  ``--ed-full``, L = 48 (N = 2304; ~1–3 min here). Without it the L = 48 time is extrapolated with the stated
  fit t = c·N³ through the largest measured size (the O(N³) law of dense diagonalisation).
* KPM (Chebyshev recursion with sparse mat-vecs, colouring probes) for L = 12 … 48 at the settings in
  ``KPM_SETTINGS``, with the rms error of the transverse field against ED where ED was run.
* ML (the shipped Behler–Parrinello model through ``MLCalculator``) for L = 12 … 320 (N up to 102 400), with its
  error against ED for L ≤ 36; the ML cost exponent is fitted on N ≥ 2304.

All timings are for the seeded random configuration of ``altermag dynamics field`` at the default tetrahedral
parameter set (n_e = 0.5, J = 3), one BLAS/torch thread unless ``--threads`` is given. Ratios are computed from the
same run. Output: a table on stdout and ``bench/results/dynamics.json``.

    python3 bench/dynamics.py [--ed-full] [--quick] [--threads 1] [--ml-device cpu]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

KPM_SETTINGS = [  # (n_moments, coloring_distance)
    (500, 6),
    (1000, 12),
]

_CHILD = r"""
import json, os, resource, sys, time
os.environ.setdefault("ALTERMAG_NO_PROGRESS", "1")
threads = int(sys.argv[5])
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(threads)
import numpy as np
from threadpoolctl import threadpool_limits
threadpool_limits(threads)
method, L, extra, device = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
from altermag.dynamics.experiments import make_calculator, _rel_rms
from altermag.dynamics.models import random_spins
if method == "ml":
    import torch
    torch.set_num_threads(threads)
calc = make_calculator("tetrahedral", method, L, ml_model=extra.get("ml_model"),
                       kpm_moments=extra.get("M", 1000), kpm_distance=extra.get("d", 6), device=device)
S = random_spins(L * L, 0)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if method == "ml":
    calc.energy_and_field(S)  # warm-up: index tensors
reps = extra.get("reps", 1)
t0 = time.perf_counter()
c0 = time.process_time()
for _ in range(reps):
    E, H = calc.energy_and_field(S)
sec = (time.perf_counter() - t0) / reps
cpu = (time.process_time() - c0) / reps
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = {"seconds": sec, "cpu_seconds": cpu, "peak_rss_mb": peak / 1024, "delta_rss_mb": (peak - base) / 1024, "energy": E}
ref = extra.get("ref")
if ref:
    H0 = np.load(ref)
    out["rel_rms_transverse"] = _rel_rms(H, H0, S)
    out["rel_rms_full"] = _rel_rms(H, H0)
if extra.get("save"):
    np.save(extra["save"], H)
print("RESULT " + json.dumps(out))
"""


def _run(method, L, extra, device="cpu", threads=1, timeout=590):
    cmd = [sys.executable, "-c", _CHILD, method, str(L), json.dumps(extra), device, str(threads)]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout} s"}
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            r = json.loads(line[7:])
            r["wall_s"] = time.perf_counter() - t0
            return r
    return {"error": (p.stderr or p.stdout).strip().splitlines()[-1] if (p.stderr or p.stdout) else "no output"}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ed-full", action="store_true", help="run ED at L = 48 instead of extrapolating")
    ap.add_argument("--quick", action="store_true", help="small sizes only (smoke test)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ml-device", default="cpu")
    ap.add_argument("--ml-model", default=None)
    ap.add_argument("--methods", default="ed,kpm,ml", help="comma list; rows of other methods are kept from an "
                    "existing --out file (so the run can be split into commands of < 10 min); "
                    "'none' only recomputes the summary")
    ap.add_argument("--sizes", default=None, help="comma list of L to (re-)measure (default: all of each method)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "dynamics.json"))
    args = ap.parse_args(argv)
    methods = set(args.methods.split(","))
    only = None if args.sizes is None else {int(x) for x in args.sizes.split(",")}
    tmp = Path("/tmp") / "altermag_bench_dynamics"
    tmp.mkdir(parents=True, exist_ok=True)

    ed_sizes = [12, 24] if args.quick else [12, 24, 36] + ([48] if args.ed_full else [])
    kpm_sizes = [12, 24] if args.quick else [12, 24, 36, 48]
    ml_sizes = [12, 24, 48] if args.quick else [12, 24, 36, 48, 96, 160, 224, 320]
    if only is not None:
        ed_sizes = [L for L in ed_sizes if L in only]
        kpm_sizes = [L for L in kpm_sizes if L in only]
        ml_sizes = [L for L in ml_sizes if L in only]
    rows = []
    if Path(args.out).is_file():  # keep the rows not re-measured now
        from altermag.core.io import load_json

        old = load_json(args.out)
        old = old.get("data", old)
        rows = [r for r in old.get("rows", []) if r["method"] not in methods
                or (only is not None and r["L"] not in only)]
    refs = {r["L"]: r["ref_file"] for r in rows if r["method"] == "ed" and r.get("ref_file")
            and Path(r["ref_file"]).is_file()}
    if "ed" not in methods:
        ed_sizes = []
    if "kpm" not in methods:
        kpm_sizes = []
    if "ml" not in methods:
        ml_sizes = []
    for L in ed_sizes:
        save = str(tmp / f"ed_{L}.npy")
        r = _run("ed", L, {"save": save}, threads=args.threads)
        if "error" not in r:
            refs[L] = save
            r["ref_file"] = save
        rows.append({"method": "ed", "L": L, "N": L * L, **r})
        print(f"ed   L={L:4d} N={L * L:6d}  {r.get('cpu_seconds', float('nan')):10.4f} s cpu ({r.get('seconds', float('nan')):.3g} wall)  "
              f"{r.get('peak_rss_mb', float('nan')):8.1f} MB", flush=True)
    # O(N^3) extrapolation of ED to L = 48 through the largest measured size
    ed_ok = [r for r in rows if r["method"] == "ed" and "cpu_seconds" in r]
    if not ed_ok:
        raise SystemExit("no ED timing: run with --methods ed first")
    small = [r for r in ed_ok if r["N"] < 2304] or ed_ok
    big = max(small, key=lambda r: r["N"])  # the extrapolation uses only sizes below N = 2304
    c = big["cpu_seconds"] / big["N"] ** 3
    ed_48 = next((r["cpu_seconds"] for r in ed_ok if r["L"] == 48), None)
    ed_48_extrap = c * 2304 ** 3
    fit_pts = [(r["N"], r["cpu_seconds"]) for r in ed_ok if r["N"] >= 576]
    ed_exponent = (float(np.polyfit(np.log([p[0] for p in fit_pts]), np.log([p[1] for p in fit_pts]), 1)[0])
                   if len(fit_pts) >= 2 else None)
    for M, d in KPM_SETTINGS:
        for L in kpm_sizes:
            if L % d and d <= L:
                continue
            extra = {"M": M, "d": min(d, L)}
            if L in refs:
                extra["ref"] = refs[L]
            r = _run("kpm", L, extra, threads=args.threads)
            rows.append({"method": "kpm", "L": L, "N": L * L, "n_moments": M, "coloring_distance": min(d, L), **r})
            print(f"kpm  L={L:4d} N={L * L:6d} M={M} d={min(d, L)}  {r.get('cpu_seconds', float('nan')):10.4f} s cpu ({r.get('seconds', float('nan')):.3g} wall)  "
                  f"{r.get('peak_rss_mb', float('nan')):8.1f} MB  err⊥={r.get('rel_rms_transverse', float('nan')):.3g}"
                  + (f"  {r['error']}" if "error" in r else ""), flush=True)
    for L in ml_sizes:
        extra = {"reps": 3 if L <= 48 else 1, "ml_model": args.ml_model}
        if L in refs:
            extra["ref"] = refs[L]
        r = _run("ml", L, extra, device=args.ml_device, threads=args.threads)
        rows.append({"method": "ml", "L": L, "N": L * L, **r})
        print(f"ml   L={L:4d} N={L * L:6d}  {r.get('cpu_seconds', float('nan')):10.4f} s cpu ({r.get('seconds', float('nan')):.3g} wall)  "
              f"{r.get('peak_rss_mb', float('nan')):8.1f} MB  err⊥={r.get('rel_rms_transverse', float('nan')):.3g}"
              + (f"  {r['error']}" if "error" in r else ""), flush=True)

    ml_ok = {r["L"]: r for r in rows if r["method"] == "ml" and "cpu_seconds" in r}
    kpm48 = [r for r in rows if r["method"] == "kpm" and r["L"] == 48 and "cpu_seconds" in r]
    summary = {"ed_seconds_N2304": ed_48, "ed_seconds_N2304_extrapolated": ed_48_extrap,
               "ed_extrapolation": f"t = c N^3 through N = {big['N']} ({big['cpu_seconds']:.3g} s CPU)",
               "timing_basis": "CPU seconds of the evaluating process (one thread); wall seconds are in the rows "
                               "(the machine is shared, wall times vary several-fold with the load)",
               "ed_fitted_exponent": ed_exponent}
    if 48 in ml_ok:
        ed_ref = ed_48 if ed_48 is not None else ed_48_extrap
        summary["ml_seconds_N2304"] = ml_ok[48]["cpu_seconds"]
        summary["speedup_ml_vs_ed_N2304"] = ed_ref / ml_ok[48]["cpu_seconds"]
        summary["speedup_ml_vs_ed_basis"] = "measured ED" if ed_48 is not None else "extrapolated ED (N^3)"
        summary["speedup_ml_vs_kpm_N2304"] = {f"M={r['n_moments']},d={r['coloring_distance']}":
                                              r["cpu_seconds"] / ml_ok[48]["cpu_seconds"] for r in kpm48}
    big_ml = [(r["N"], r["cpu_seconds"]) for r in ml_ok.values() if r["N"] >= 2304]
    if len(big_ml) >= 2:
        summary["ml_cost_exponent"] = float(np.polyfit(np.log([p[0] for p in big_ml]),
                                                       np.log([p[1] for p in big_ml]), 1)[0])
        summary["ml_largest_N"] = max(p[0] for p in big_ml)
    # accuracy at the largest size with an ED reference, KPM settings vs ML
    acc = {}
    for r in rows:
        if "rel_rms_transverse" in r:
            key = r["method"] if r["method"] != "kpm" else f"kpm M={r['n_moments']} d={r['coloring_distance']}"
            acc.setdefault(key, {})[r["L"]] = r["rel_rms_transverse"]
    summary["rel_rms_transverse_vs_ed"] = acc
    print(json.dumps(summary, indent=1))
    from altermag.core.io import save_json

    save_json(args.out, {"rows": rows, "summary": summary},
              inputs={"argv": sys.argv[1:], "threads": args.threads, "ml_device": args.ml_device,
                      "kpm_settings": KPM_SETTINGS, "configuration": "random_spins(N, seed=0)",
                      "model": "tetrahedral (triangular, n_e=0.5, J=3, T=0)"})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
