"""Benchmark: altermag's spin-group analysis against amcheck, spinspg and findspingroup, plus ``altermag screen``.

    python bench/symmetry.py                       # ~300 0.* entries, findspingroup on 20, both screen modes
    python bench/symmetry.py --n 100 --no-screen   # quicker

Per structure and tool, on the same pre-parsed :class:`MagneticStructure` (``bench/peers.py``):

* ``altermag read``     — ``read_structure`` of the magCIF (reported, not compared: peers get parsed input);
* ``altermag analyze``  — ``analyze`` with its defaults (spglib symmetry, flips, spin Laue group, form
  factor): the figure compared with the peers;
* ``altermag analyze (no ff)`` — the same without the form factor (verdict only, like the peers);
* ``amcheck``  — spglib symmetry of the species-typed cell + spin letters + ``amcheck.is_altermagnet``,
  on the entries it runs on (collinear and magnetic; its refusals after running are included);
* ``spinspg``  — ``get_spin_symmetry`` and the verdict mapping;
* ``findspingroup`` — ``find_spin_group_basic_from_data`` on a smaller seeded sample (seconds per file).

Reported per tool: count, median and 95th percentile of the per-structure time, total, and throughput;
the throughput ratio altermag/amcheck is taken on the entries both ran on. Then the wall time of
``altermag screen <magndata> --out <tmp> --workers 2`` with ``--mode paper`` and ``--mode exact``
(subprocess). Targets: ≥ 2× amcheck's throughput; the whole folder screened in under 60 s.
Writes ``bench/results/symmetry.json`` (git-ignored) with machine information.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from altermag.core.errors import StructureError  # noqa: E402
from altermag.structures import read_structure  # noqa: E402
from altermag.symmetry import analyze  # noqa: E402
from bench import peers  # noqa: E402

DEFAULT_MAGNDATA = REPO.parent / "shared" / "data" / "magndata"
RESULTS = REPO / "bench" / "results" / "symmetry.json"


def machine_info() -> dict:
    cpu = platform.processor() or ""
    cpuinfo = Path("/proc/cpuinfo")  # Linux only; elsewhere platform.processor() stays
    if cpuinfo.is_file():
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                    if line.startswith("model name")), cpu)
    versions = {}
    for pkg in ("altermag", "numpy", "scipy", "spglib", "amcheck", "spinspg", "findspingroup"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        affinity = os.cpu_count()
    return {"platform": platform.platform(), "python": sys.version.split()[0], "cpu": cpu,
            "cpu_count": os.cpu_count(), "cpus_usable": affinity,
            "loadavg_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
            "versions": versions}


def stats(times) -> dict:
    t = np.asarray(times, float)
    if not len(t):
        return {"n": 0}
    return {"n": int(len(t)), "median_ms": 1e3 * float(np.median(t)), "p95_ms": 1e3 * float(np.percentile(t, 95)),
            "mean_ms": 1e3 * float(t.mean()), "max_ms": 1e3 * float(t.max()), "total_s": float(t.sum()),
            "per_s": float(len(t) / t.sum()) if t.sum() > 0 else None}


def _timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def bench_structures(files: list[Path], fsg_files: set[str], timeout: float) -> dict:
    rows = []
    # warm-up: imports and first-call caches of every tool, outside the timings
    warm = read_structure(files[0])
    analyze(warm)
    peers.amcheck_verdict(warm)
    peers.spinspg_verdict(warm)
    if fsg_files:
        peers.findspingroup_verdict(warm, timeout=timeout)
    gc.collect()
    for i, path in enumerate(files):
        row = {"file": path.name}
        try:
            s, row["t_read"] = _timed(read_structure, path)
        except StructureError as exc:
            row["read_error"] = str(exc)[:200]
            rows.append(row)
            continue
        row["n_sites"] = len(s)
        r, row["t_analyze"] = _timed(analyze, s)
        row["ours"] = r.verdict
        _, row["t_analyze_noff"] = _timed(analyze, s, with_form_factor=False)
        a = peers.amcheck_verdict(s, timeout=timeout)
        row["amcheck"] = a.verdict
        row["amcheck_reason"] = a.reason
        if a.verdict is not None or a.reason.startswith(("not accepted", "timeout")):
            row["t_amcheck"] = a.seconds  # amcheck ran (or ran out of time) on this entry
        b = peers.spinspg_verdict(s, timeout=timeout)
        row["spinspg"], row["t_spinspg"] = b.verdict, b.seconds
        if path.name in fsg_files:
            c = peers.findspingroup_verdict(s, timeout=timeout)
            row["findspingroup"], row["t_findspingroup"] = c.verdict, c.seconds
        rows.append(row)
        if (i + 1) % 50 == 0:
            print(f"  {i + 1}/{len(files)} structures", file=sys.stderr, flush=True)
    return rows


def summarise(rows) -> dict:
    ok = [r for r in rows if "t_analyze" in r]
    tools = {
        "altermag read": [r["t_read"] for r in ok],
        "altermag analyze": [r["t_analyze"] for r in ok],
        "altermag analyze (no ff)": [r["t_analyze_noff"] for r in ok],
        "amcheck": [r["t_amcheck"] for r in ok if "t_amcheck" in r],
        "spinspg": [r["t_spinspg"] for r in ok],
        "findspingroup": [r["t_findspingroup"] for r in ok if "t_findspingroup" in r],
    }
    out = {name: stats(t) for name, t in tools.items()}
    both = [r for r in ok if "t_amcheck" in r]
    ours_t = sum(r["t_analyze"] for r in both)
    am_t = sum(r["t_amcheck"] for r in both)
    ours_noff = sum(r["t_analyze_noff"] for r in both)
    fsg_rows = [r for r in ok if "t_findspingroup" in r]
    out["ratios"] = {
        "entries_both_ran": len(both),
        "throughput_altermag_over_amcheck": am_t / ours_t if ours_t else None,
        "throughput_altermag_noff_over_amcheck": am_t / ours_noff if ours_noff else None,
        "throughput_altermag_over_spinspg": (sum(r["t_spinspg"] for r in ok) / sum(r["t_analyze"] for r in ok)
                                             if ok else None),
        "throughput_altermag_over_findspingroup": (
            sum(r["t_findspingroup"] for r in fsg_rows) / sum(r["t_analyze"] for r in fsg_rows) if fsg_rows else None),
        "target_vs_amcheck": 2.0,
    }
    agree = {}
    for tool in ("amcheck", "spinspg", "findspingroup"):
        cmp = [(r["ours"], r[tool]) for r in ok if r.get(tool) is not None]
        if tool == "amcheck":
            same = [(o == "altermagnet") == (p == "altermagnet") for o, p in cmp]
        else:
            same = [o == p for o, p in cmp]
        agree[tool] = {"compared": len(cmp), "agree": int(sum(same))}
    out["agreement_in_sample"] = agree
    out["read_errors"] = [r["file"] for r in rows if "read_error" in r]
    return out


def bench_screen(folder: Path, workers: int, timeout: float) -> dict:
    exe = shutil.which("altermag")
    cmd0 = [exe] if exe else [sys.executable, "-c", "from altermag.cli import main; main()"]
    out = {"folder": str(folder), "n_files": sum(1 for f in folder.iterdir() if f.is_file()),
           "n_mcif": len(list(folder.glob("*.mcif"))), "workers": workers}
    for mode in ("paper", "exact"):
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / f"screen_{mode}.jsonl"
            cmd = [*cmd0, "screen", str(folder), "--out", str(target), "--workers", str(workers), "--mode", mode]
            t0 = time.perf_counter()
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
                wall = time.perf_counter() - t0
                n_rec = sum(1 for _ in target.open()) if target.exists() else 0
                out[mode] = {"wall_s": wall, "returncode": proc.returncode, "records": n_rec,
                             "command": "altermag " + " ".join(cmd[len(cmd0):]),
                             "stdout_tail": proc.stdout[-1500:], "stderr_tail": proc.stderr[-1500:]}
            except subprocess.TimeoutExpired:
                out[mode] = {"wall_s": None, "returncode": None, "timeout_s": timeout}
        print(f"  screen --mode {mode}: {out[mode].get('wall_s')}", file=sys.stderr, flush=True)
    out["target_s"] = 60.0
    return out


def table(summary: dict, screen: dict | None, info: dict, args) -> str:
    lines = [f"machine: {info['cpu']} ({info['cpus_usable']} usable CPUs), Python {info['python']}, "
             f"load avg at start {', '.join(f'{x:.2f}' for x in info['loadavg_at_start'] or [])}",
             f"sample: {args.n} 0.* entries (seed {args.seed}), findspingroup on {args.n_fsg} of them",
             "",
             f"{'tool':<26}{'n':>5}{'median ms':>11}{'p95 ms':>10}{'total s':>10}{'per s':>9}",
             "-" * 71]
    for name in ("altermag read", "altermag analyze", "altermag analyze (no ff)", "amcheck", "spinspg",
                 "findspingroup"):
        s = summary[name]
        if not s.get("n"):
            lines.append(f"{name:<26}{0:>5}")
            continue
        lines.append(f"{name:<26}{s['n']:>5}{s['median_ms']:>11.2f}{s['p95_ms']:>10.2f}{s['total_s']:>10.2f}"
                     f"{s['per_s']:>9.1f}")
    r = summary["ratios"]
    lines += ["",
              f"throughput altermag/amcheck on the {r['entries_both_ran']} entries both ran: "
              f"{r['throughput_altermag_over_amcheck']:.2f}x (no form factor: "
              f"{r['throughput_altermag_noff_over_amcheck']:.2f}x; target >= 2x)",
              f"throughput altermag/spinspg: {r['throughput_altermag_over_spinspg']:.2f}x; "
              f"altermag/findspingroup: {(r['throughput_altermag_over_findspingroup'] or float('nan')):.0f}x"]
    ag = summary["agreement_in_sample"]
    lines.append("agreement in the sample: " + ", ".join(f"{k} {v['agree']}/{v['compared']}" for k, v in ag.items()))
    if screen:
        lines.append("")
        for mode in ("paper", "exact"):
            m = screen.get(mode, {})
            wall = m.get("wall_s")
            lines.append(f"altermag screen <magndata: {screen['n_mcif']} .mcif> --workers {screen['workers']} "
                         f"--mode {mode}: " + (f"{wall:.1f} s wall (rc {m['returncode']}, {m['records']} records; "
                                               f"target < 60 s)" if wall is not None else "timed out"))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--magndata", type=Path, default=DEFAULT_MAGNDATA)
    ap.add_argument("--n", type=int, default=300, help="0.* entries timed (seeded sample)")
    ap.add_argument("--n-fsg", type=int, default=20, help="of those, entries also given to findspingroup")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--timeout", type=float, default=120.0, help="per-call limit of a peer (s)")
    ap.add_argument("--workers", type=int, default=2, help="workers of altermag screen")
    ap.add_argument("--no-screen", action="store_true")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    if not args.magndata.is_dir():
        sys.exit(f"MAGNDATA folder not found: {args.magndata} (pass --magndata)")
    info = machine_info()
    rng = random.Random(args.seed)
    names = sorted(p.name for p in args.magndata.glob("0.*.mcif"))
    sample = sorted(rng.sample(names, min(args.n, len(names))))
    fsg = set(rng.sample(sample, min(args.n_fsg, len(sample))))
    print(f"timing {len(sample)} structures ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    rows = bench_structures([args.magndata / n for n in sample], fsg, args.timeout)
    summary = summarise(rows)
    screen = None if args.no_screen else bench_screen(args.magndata, args.workers, timeout=1800)
    text = table(summary, screen, info, args)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    record = {"command": "python bench/symmetry.py " + " ".join(argv if argv is not None else sys.argv[1:]),
              "date": time.strftime("%Y-%m-%d %H:%M:%S %z"), "machine": info, "seed": args.seed,
              "summary": summary, "screen": screen, "table": text, "rows": rows,
              "bench_wall_s": time.perf_counter() - t0}
    args.out.write_text(json.dumps(record, indent=1, default=str))
    print(f"\nwritten {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
