"""Benchmark: how local is the exchange field? (issue 7, accuracy target of the ML force fields)

For each electron model / ensemble and each kind of configuration, ``field_locality`` redraws every spin
farther than r_c from a probe site, recomputes the ED field, and reports the part of the transverse field at the
probe that the r_c-neighbourhood does not determine, relative to the rms transverse field. This is the error
floor of *any* local force field (Behler-Parrinello or otherwise) with cutoff r_c, so it says where the ≤ 1 %
target of the issue is reachable. ED on L × L (default 24; canonical ensembles at T_el = 0 unless stated).

    python3 bench/dynamics_locality.py [--size 24] [--probes 4] [--cutoffs 2,3,4,6] [--quick]

Output: a table on stdout and ``bench/results/dynamics_locality.json`` (inputs included).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path



ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (label, preset, overrides): the default sets of spec §10, plus the tetrahedral set in the grand-canonical
# ensemble (μ mid-gap, spec §10) and at a finite electron temperature, to test whether either restores locality.
MODELS = [
    ("120 (n_e=1, J=5; gap 6)", "120", {}),
    ("tetrahedral (n_e=0.5, J=3)", "tetrahedral", {}),
    ("tetrahedral, mu=-3.30 (grand canonical)", "tetrahedral", {"mu": -3.30}),
    ("tetrahedral, mu=-3.30, T_el=0.05", "tetrahedral", {"mu": -3.30, "temperature": 0.05}),
    ("double-exchange (n_e=0.97, J_H=6)", "double-exchange", {}),
]
def main(argv=None) -> dict:
    from altermag.core.io import save_json
    from altermag.dynamics import EDCalculator, SDModel, random_spins
    from altermag.dynamics.experiments import field_locality, ordered_state

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=24)
    ap.add_argument("--probes", type=int, default=4)
    ap.add_argument("--cutoffs", default="2,3,4,6")
    ap.add_argument("--noise", type=float, default=0.3, help="Gaussian noise per component on the ordered state")
    ap.add_argument("--quick", action="store_true", help="12×12, 2 probes, cutoffs 2,4 (smoke run)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "dynamics_locality.json"))
    a = ap.parse_args(argv)
    if a.quick:
        a.size, a.probes, a.cutoffs = 12, 2, "2,4"
    cutoffs = [float(x) for x in a.cutoffs.split(",")]
    rows = []
    for label, preset, over in MODELS:
        model = SDModel.default(preset, L=a.size, **over)
        calc = EDCalculator(model)
        lat = model.lattice
        S_ord = ordered_state(preset, lat, noise=a.noise, seed=11)
        for cname, S in (("random", random_spins(lat.n_sites, 1)), (f"ordered+noise {a.noise}", S_ord)):
            t0 = time.perf_counter()
            res = field_locality(calc, S, cutoffs=cutoffs, n_probes=a.probes, seed=5)
            rows.append({"model": label, "preset": preset, "overrides": over, "configuration": cname,
                         "field_rms": res["field_rms"], "relative_nonlocal": res["relative_nonlocal"],
                         "probes": res["probes"], "seconds": time.perf_counter() - t0})
            cells = "  ".join(f"{100 * res['relative_nonlocal'][str(r)]:7.3f}%" for r in cutoffs)
            print(f"{label:42s} {cname:18s} rms={res['field_rms']:.4f}  {cells}", flush=True)
    hdr = "  ".join(f"r_c={r:<4g}" for r in cutoffs)
    print(f"\n(columns: non-local part of H⊥ relative to rms H⊥ at {hdr}; {a.size}×{a.size} ED, {a.probes} probes)")
    out = {"rows": rows}
    save_json(a.out, out, inputs={"size": a.size, "probes": a.probes, "cutoffs": cutoffs, "noise": a.noise,
                                  "threads": os.environ.get("OMP_NUM_THREADS")})
    print(f"wrote {a.out}")
    return out


if __name__ == "__main__":
    main()
