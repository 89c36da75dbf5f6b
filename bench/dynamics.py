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

Equal-accuracy mode (ML vs KPM at the same transverse-field error against ED, issue 7):

    python3 bench/dynamics.py --equal-accuracy --model sd-triangular-120 [--ea-sizes 24,48]

builds held-out configurations at the model's parameter set on each L × L lattice (12×12 ED-LLG quench
snapshots tiled onto L × L with noise 0.05, the 120° state + noise 0.1 / 0.3, one random configuration; seeds
never used in training), labels them with ED, and measures per field evaluation (CPU seconds, one thread) the
relative transverse RMS error and time of the ML model and of KPM on a grid of moment counts M and colouring
distances d. It reports the cheapest KPM setting whose error is at most the ML error (pooled, and per configuration)
and the time ratio. Output: a table and ``bench/results/dynamics_equal_accuracy.json`` (sizes measured in separate
commands are merged); the ED references are cached in ``/tmp/altermag_bench_dynamics`` (ED at L = 48 ≈ 1 min each).
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
from altermag.dynamics.experiments import make_calculator, relative_rms_error
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
    out["rel_rms_transverse"] = relative_rms_error(H, H0, S)
    out["rel_rms_full"] = relative_rms_error(H, H0)
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


EA_MOMENTS = (16, 24, 28, 32, 40, 48, 64, 128, 256)
EA_DISTANCES = (2, 3, 4, 6, 8, 12)
_EA_PRESET = {"sd-triangular-120": "120", "sd-triangular-tetrahedral": "tetrahedral"}


def _ea_configurations(preset: str, L: int, seed: int = 4242) -> list[tuple[str, np.ndarray]]:
    """Held-out test configurations on an L × L lattice (L a multiple of 12): (label, spins)."""
    from altermag.dynamics.dataset import make_calculator as mk_calc
    from altermag.dynamics.dataset import make_model, tile_configurations
    from altermag.dynamics.ground_states import ansatz
    from altermag.dynamics.lattice import SpinLattice
    from altermag.dynamics.llg import llg_integrator
    from altermag.dynamics.models import random_spins

    rng = np.random.default_rng(seed)
    out = []
    # ED-LLG quench on 12×12 (T = 0.03, α = 0.5, dt = 0.4), snapshots at steps 100 and 300, tiled onto L × L
    init, step = llg_integrator(mk_calc(make_model(preset, 12)), alpha=0.5, dt=0.4, temperature=0.03, seed=seed + 1)
    st = init(random_spins(144, seed))
    snaps = []
    for n in range(1, 301):
        st = step(st)
        if n in (100, 300):
            snaps.append(st.spins.copy())
    tiled = tile_configurations(np.array(snaps), 12, L, noise=0.05, seed=seed + 2)
    out += [(f"quench step {n} (tiled)", S) for n, S in zip((100, 300), tiled)]
    if preset == "120":
        from scipy.spatial.transform import Rotation

        base = ansatz("120", SpinLattice("triangular", L))
        for sig in (0.1, 0.3):
            S = base @ Rotation.random(random_state=rng).as_matrix().T + sig * rng.normal(size=base.shape)
            out.append((f"120 + noise {sig}", S / np.linalg.norm(S, axis=1, keepdims=True)))
    out.append(("random", random_spins(L * L, seed + 3)))
    return out


def _transverse(H, S):
    return H - np.sum(H * S, 1, keepdims=True) * S


def _ea_per_config(entry: dict) -> dict:
    """For each configuration: the cheapest KPM setting of the grid whose error on it is at most the ML error."""
    out = {}
    for label, e_ml in entry["ml"]["per_config"].items():
        ok = [r for r in entry["kpm"] if r["per_config"].get(label, np.inf) <= e_ml]
        m = min(ok, key=lambda r: r["cpu_seconds"]) if ok else None
        out[label] = {"ml_error": e_ml, "kpm": None if m is None else {
            "n_moments": m["n_moments"], "coloring_distance": m["coloring_distance"],
            "error": m["per_config"][label], "time_ratio_kpm_over_ml": m["time_ratio_kpm_over_ml"]}}
    return out


def _ea_print_per_config(L, per):
    print(f"L={L}: per configuration, cheapest KPM with err⊥ <= ML err⊥")
    for label, v in per.items():
        k = v["kpm"]
        print(f"  {label:26s} ML {v['ml_error']:.4f}  " + ("none in the grid" if k is None else
              f"KPM M={k['n_moments']} d={k['coloring_distance']} err⊥={k['error']:.4f}  "
              f"time KPM/ML = {k['time_ratio_kpm_over_ml']:.1f}"))


def equal_accuracy(args) -> dict:
    """ML vs KPM at equal accuracy (see the module docstring); returns the result dict."""
    import torch
    from threadpoolctl import threadpool_limits

    from altermag.dynamics.dataset import make_model
    from altermag.dynamics.ed import EDCalculator
    from altermag.dynamics.kpm import KPMCalculator
    from altermag.dynamics.ml_field import MLCalculator

    preset = _EA_PRESET.get(args.model, args.model)
    name = args.ml_model or args.model  # --ml-model: a .pt file to test instead of the shipped model
    threadpool_limits(args.threads)
    torch.set_num_threads(args.threads)
    moments = [int(x) for x in args.ea_moments.split(",")]
    dists = [int(x) for x in args.ea_distances.split(",")]
    result = {"sizes": {}}
    for L in [int(x) for x in args.ea_sizes.split(",")]:
        model = make_model(preset, L)
        configs = _ea_configurations(preset, L)
        if args.ea_max_configs and args.ea_max_configs < len(configs):  # evenly spaced subset (ED cost at L = 48)
            configs = [configs[i] for i in np.linspace(0, len(configs) - 1, args.ea_max_configs).round().astype(int)]
        ed = EDCalculator(model)
        refs = []
        cache_dir = Path("/tmp") / "altermag_bench_dynamics"
        cache_dir.mkdir(parents=True, exist_ok=True)
        for k, (label, S) in enumerate(configs):
            # ED references are cached in /tmp (keyed by the configuration; ED at L = 48 costs ~1 min each)
            cache = cache_dir / f"ea_{preset}_L{L}_{k}.npz"
            if cache.is_file():
                z = np.load(cache)
                if np.array_equal(z["S"], S):
                    refs.append({"label": label, "S": S, "Ht": z["Ht"], "ed_cpu": float(z["ed_cpu"]),
                                 "ed_wall": float(z["ed_wall"]), "ed_cached": True})
                    continue
            c0, t0 = time.process_time(), time.perf_counter()
            _, H = ed.energy_and_field(S)
            refs.append({"label": label, "S": S, "Ht": _transverse(H, S), "ed_cpu": time.process_time() - c0,
                         "ed_wall": time.perf_counter() - t0})
            np.savez(cache, S=S, Ht=refs[-1]["Ht"], ed_cpu=refs[-1]["ed_cpu"], ed_wall=refs[-1]["ed_wall"])
        den = sum(float((r["Ht"] ** 2).sum()) for r in refs)

        def measure(calc, reps=1, warm=False, refs=refs, den=den):
            num, cpu, wall, per = 0.0, 0.0, 0.0, {}
            for r in refs:
                if warm:
                    calc.energy_and_field(r["S"])
                c0, t0 = time.process_time(), time.perf_counter()
                for _ in range(reps):
                    _, H = calc.energy_and_field(r["S"])
                cpu += (time.process_time() - c0) / reps
                wall += (time.perf_counter() - t0) / reps
                e = float(((_transverse(H, r["S"]) - r["Ht"]) ** 2).sum())
                num += e
                per[r["label"]] = float(np.sqrt(e / (r["Ht"] ** 2).sum()))
            n = len(refs)
            return {"rel_rms_transverse": float(np.sqrt(num / den)), "cpu_seconds": cpu / n, "wall_seconds": wall / n,
                    "per_config": per}

        ml = measure(MLCalculator(name, lattice=model.lattice), reps=3, warm=True)
        print(f"L={L} N={L * L}: ED {np.mean([r['ed_cpu'] for r in refs]):.3g} s cpu per field; "
              f"ML ({name}) err⊥ = {ml['rel_rms_transverse']:.4f}, {ml['cpu_seconds']:.4g} s cpu", flush=True)
        kpm_rows = []
        print(f"{'M':>5} {'d':>3} {'R':>4} {'err⊥':>9} {'cpu s':>9} {'KPM/ML':>8}")
        for d in dists:
            if d > L:
                continue
            for M in moments:
                calc = KPMCalculator(model, n_moments=M, coloring_distance=d, seed=1)
                r = measure(calc)
                r.update({"n_moments": M, "coloring_distance": d, "n_vectors": calc.n_vectors,
                          "actual_distance": calc.coloring_distance})
                r["time_ratio_kpm_over_ml"] = r["cpu_seconds"] / ml["cpu_seconds"]
                kpm_rows.append(r)
                print(f"{M:5d} {d:3d} {calc.n_vectors:4d} {r['rel_rms_transverse']:9.4f} {r['cpu_seconds']:9.4g} "
                      f"{r['time_ratio_kpm_over_ml']:8.1f}", flush=True)
        ok = [r for r in kpm_rows if r["rel_rms_transverse"] <= ml["rel_rms_transverse"]]
        match = min(ok, key=lambda r: r["cpu_seconds"]) if ok else None
        best = min(kpm_rows, key=lambda r: r["rel_rms_transverse"]) if kpm_rows else None
        entry = {
            "N": L * L,
            "configurations": [r["label"] for r in refs],
            "ed_cpu_seconds": float(np.mean([r["ed_cpu"] for r in refs])),
            "ed_wall_seconds": float(np.mean([r["ed_wall"] for r in refs])),
            "ml": ml,
            "kpm": kpm_rows,
            "kpm_matching_ml": None if match is None else {k: match[k] for k in (
                "n_moments", "coloring_distance", "n_vectors", "rel_rms_transverse", "cpu_seconds",
                "time_ratio_kpm_over_ml")},
            "kpm_most_accurate": None if best is None else {k: best[k] for k in (
                "n_moments", "coloring_distance", "rel_rms_transverse", "cpu_seconds", "time_ratio_kpm_over_ml")},
            "speedup_ml_vs_ed": float(np.mean([r["ed_cpu"] for r in refs])) / ml["cpu_seconds"],
        }
        if match is None:
            print(f"L={L}: no KPM setting of the grid reaches the ML error {ml['rel_rms_transverse']:.4f}")
        else:
            print(f"L={L}: cheapest KPM with err⊥ <= ML: M={match['n_moments']} d={match['coloring_distance']} "
                  f"err⊥={match['rel_rms_transverse']:.4f}, {match['cpu_seconds']:.4g} s = "
                  f"{match['time_ratio_kpm_over_ml']:.1f}× the ML time", flush=True)
        entry["kpm_matching_ml_per_config"] = _ea_per_config(entry)
        _ea_print_per_config(L, entry["kpm_matching_ml_per_config"])
        result["sizes"][str(L)] = entry
    return result


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
    ap.add_argument("--out", default=None, help="output JSON (default bench/results/dynamics.json, or "
                    "dynamics_equal_accuracy.json with --equal-accuracy)")
    ap.add_argument("--equal-accuracy", action="store_true", help="ML vs KPM at equal accuracy (see the docstring)")
    ap.add_argument("--model", default="sd-triangular-120", help="equal-accuracy mode: shipped ML model name "
                    "(sd-triangular-120 | sd-triangular-tetrahedral); its parameter set is used")
    ap.add_argument("--ea-sizes", default="24", help="equal-accuracy mode: comma list of L (multiples of 12)")
    ap.add_argument("--ea-max-configs", type=int, default=None, help="equal-accuracy mode: use at most this many "
                    "of the 5 configurations (evenly spaced; ED at L = 48 costs ~1 min each)")
    ap.add_argument("--ea-moments", default=",".join(map(str, EA_MOMENTS)))
    ap.add_argument("--ea-distances", default=",".join(map(str, EA_DISTANCES)))
    args = ap.parse_args(argv)
    if args.equal_accuracy:
        from altermag.core.io import save_json

        out = args.out or str(Path(__file__).parent / "results" / "dynamics_equal_accuracy.json")
        res = equal_accuracy(args)
        if Path(out).is_file():  # keep the sizes not re-measured now (L = 24 and 48 can be separate commands)
            from altermag.core.io import load_json

            old = load_json(out)
            old = old.get("data", old)
            res["sizes"] = {**{k: v for k, v in old.get("sizes", {}).items() if k not in res["sizes"]}, **res["sizes"]}
            for v in res["sizes"].values():  # (older files: add the per-configuration matching)
                v.setdefault("kpm_matching_ml_per_config", _ea_per_config(v))
        save_json(out, res, inputs={"argv": sys.argv[1:] if argv is None else list(argv), "threads": args.threads,
                                    "model": args.model, "timing_basis": "CPU seconds per field evaluation, "
                                    "one BLAS/torch thread, averaged over the configurations",
                                    "error": "sqrt(sum |H_perp - H_perp^ED|^2 / sum |H_perp^ED|^2) over all "
                                             "configurations and sites"})
        print(f"wrote {out}")
        return
    if args.out is None:
        args.out = str(Path(__file__).parent / "results" / "dynamics.json")
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
