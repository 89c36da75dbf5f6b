"""Benchmark of the response functions (issue 4), both parts measured in one run:

    python bench/response.py            # full sizes
    python bench/response.py --quick    # smaller grids (a smoke run)

(a) ``bench/response_chi.py`` — full-grid bare susceptibility χ⁰(q) of RuO2 on a 32³ grid: FFT convolution
    with the sparse-ir Matsubara basis vs the direct Lindhard double sum (target ≥ 100× faster, equal to 1e-6);
(b) ``bench/response_ahc.py`` — σ_xz of the RuO2 model with SOC, converged to 1 %: this project vs
    WannierBerri fed the same model through the TBmodels export (target: agree within 1 %, no slower).

Each part prints its own table and writes ``bench/results/response_<part>.json``; the combined record goes to
``bench/results/response.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

HERE = Path(__file__).resolve().parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (smoke run)")
    ap.add_argument("--only", choices=["chi", "ahc"], help="run one part only")
    args = ap.parse_args(argv)
    record = {"machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                          "cpus": os.cpu_count()}, "quick": args.quick, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    for part in ("chi", "ahc"):
        if args.only and part != args.only:
            continue
        print(f"\n=== part {part} ===")
        record[part] = _load(f"response_{part}").main(["--quick"] if args.quick else [])
    out = HERE / "results" / "response.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(record, indent=2, default=str))
    print(f"\nwrote {out}")
    return record


if __name__ == "__main__":
    main()
