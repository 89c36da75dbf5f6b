"""Reproducible recipe for the shipped ``double-exchange`` force field (issue 7, square-lattice DE quench).

Stages (ED data under ``--work``, not in the repository):

    python3 bench/train_de.py generate --work /tmp/de --round 0      # ED pool (and the independent test set)
    python3 bench/train_de.py generate --work /tmp/de --test-only    # only the test set
    python3 bench/train_de.py generate --work /tmp/de --polarons     # Néel + isolated flipped spins (arrested states)
    python3 bench/train_de.py generate --work /tmp/de --round 1      # more pools with fresh seeds (1, 2, ...)
    python3 bench/train_de.py train    --work /tmp/de --epochs 120 --lr-decay 0.97
    python3 bench/train_de.py finetune --work /tmp/de --from-run run --run run_ft --epochs 40 --lr 3e-4
    python3 bench/train_de.py evaluate --work /tmp/de --run run      # independent test set, per source and site class
    python3 bench/train_de.py compare  --work /tmp/de --run run      # FM / Néel fractions, ML-LLG vs ED-LLG, 16×16
                                                                     # (--run - : only the ED half, cached)
    python3 bench/train_de.py ship     --work /tmp/de --run run      # into altermag/dynamics/data + parity figure

Electron model: double exchange on the square lattice, n_e = 0.97 (3 % holes), J_H = 6 (Pauli), t = 1,
canonical, T_el = 0 (spec §1.2/§10). Configurations: ED-LLG quench runs on 16×16 from random spins into a bath at
T = 0.01 (α = 0.5, dt = 0.4, 500 steps, a snapshot every 10) and random configurations. Round r uses seed r
(4 quench runs; 30 random configurations in round 0, 10 after); the test set uses seed 900 (2 runs, 6 random).
Training, warm restarts and the train/validation split (by whole quench run) are those of
``bench/train_sd120.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_sd120 as common  # noqa: E402  (merge, config, evaluate_model, finetune, _public)

ROOT = common.ROOT
L = 16
QUENCH = {"quench_steps": 500, "snapshot_every": 10, "dt": 0.4, "alpha": 0.5, "quench_temperature": 0.01}
MODEL_TEXT = "double exchange, square, t=1, J_H=6 (Pauli), n_e=0.97, ED, canonical, T_el=0, 16x16"


def generate(work: Path, round_: int, workers: int, test_only: bool = False) -> dict:
    from altermag.dynamics.dataset import generate_dataset

    work.mkdir(parents=True, exist_ok=True)
    log_path = work / "generate_log.json"
    log = json.loads(log_path.read_text()) if log_path.is_file() else {}
    sets = [(f"train_r{round_}", dict(n_quench_runs=4, n_random=30 if round_ == 0 else 10, seed=round_))]
    if test_only:
        sets = []
    if round_ == 0 or test_only:
        sets.append(("test", dict(n_quench_runs=2, n_random=6, seed=900)))
    for name, kw in sets:
        t0 = time.perf_counter()
        generate_dataset(work / f"{name}.h5", "double-exchange", L=L, workers=workers, progress=False, **QUENCH, **kw)
        log[name] = time.perf_counter() - t0
        print(f"{name}: {log[name]:.0f} s", flush=True)
    log_path.write_text(json.dumps(log, indent=1))
    if (work / "train_all.h5").is_file():
        (work / "train_all.h5").unlink()  # re-merged with the new pool on the next train/finetune
    return log


def polaron_states(n_configs: int, seed: int, n_flips=(4, 8, 12), noises=(0.05, 0.1, 0.2, 0.3)) -> np.ndarray:
    """Néel states on 16×16 with K isolated flipped spins (K around the 8 holes of N_e = 248) plus Gaussian
    noise: the arrested hole-bound polaron states of the quench, with fewer, as many and more flips than holes."""
    from altermag.dynamics.experiments import ordered_state
    from altermag.dynamics.lattice import SpinLattice

    lat = SpinLattice("square", L)
    nb = lat.neighbors(1)
    rng = np.random.default_rng(seed)
    out = []
    for c in range(n_configs):
        S = ordered_state("double-exchange", lat)
        k = n_flips[c % len(n_flips)]
        free = np.ones(lat.n_sites, bool)
        for i in rng.permutation(lat.n_sites):
            if k == 0:
                break
            if free[i]:
                S[i] *= -1
                free[i] = False
                free[nb[i]] = False  # isolated: no two flipped spins are neighbours
                k -= 1
        S = S + noises[(c // len(n_flips)) % len(noises)] * rng.normal(size=S.shape)
        out.append(S / np.linalg.norm(S, axis=1, keepdims=True))
    return np.array(out)


def generate_polarons(work: Path, n_configs: int = 120, seed: int = 77, workers: int = 1) -> None:
    from altermag.dynamics.dataset import label_configurations

    t0 = time.perf_counter()
    label_configurations(work / "train_polarons.h5", polaron_states(n_configs, seed), "double-exchange", L=L,
                         source="perturbed", workers=workers, batch=10, progress=False,
                         inputs={"origin": "Neel + 4/8/12 isolated flipped spins + noise 0.05-0.3", "seed": seed})
    print(f"train_polarons: {time.perf_counter() - t0:.0f} s", flush=True)
    if (work / "train_all.h5").is_file():
        (work / "train_all.h5").unlink()


def site_classes(model_path: str, files: list[str]) -> dict:
    """Transverse-field error on the quench snapshots by site class: FM (local nn correlation c_i > 0.5, the
    hole-bound polarons), Néel (c_i < −0.5) and the rest."""
    from altermag.dynamics import observables as ob
    from altermag.dynamics.dataset import load_dataset
    from altermag.dynamics.ml_field import MLCalculator

    acc: dict[str, list] = {"FM": [], "Neel": [], "other": []}
    for f in files:
        ds = load_dataset(f)
        lat = ds.lattice()
        calc = MLCalculator(model_path, lattice=lat)
        for c in np.flatnonzero(np.asarray(ds.source).astype(str) == "quench"):
            S = ds.spins[c]
            H = calc.energy_and_field(S)[1]
            Hp = H - (H * S).sum(1, keepdims=True) * S
            Ht = ds.fields[c] - (ds.fields[c] * S).sum(1, keepdims=True) * S
            cc = ob.local_nn_correlation(lat, S)
            for name, m in (("FM", cc > 0.5), ("Neel", cc < -0.5), ("other", np.abs(cc) <= 0.5)):
                acc[name].append(np.stack([((Hp[m] - Ht[m]) ** 2).sum(1), (Ht[m] ** 2).sum(1)], 1))
    out = {}
    for name, parts in acc.items():
        a = np.concatenate(parts)
        out[name] = {"n_sites": int(len(a)), "relative_field_rmse": float(np.sqrt(a[:, 0].mean() / a[:, 1].mean()))}
    return out


def compare(work: Path, run: str, n_runs: int = 4, steps: int = 500) -> dict:
    """FM and Néel area fractions over the last 10 records (t = 160–200 for 500 steps at dt = 0.4) of 16×16
    quenches from the same random starts (seeds 100, 101, ...) and the same bath noise: ED-LLG against ML-LLG with
    the model of ``run``."""
    from altermag.dynamics.experiments import de_quench, make_calculator

    out: dict = {"window": f"last 10 of {steps} steps (dt = 0.4), 16x16, T = 0.01, alpha = 0.5",
                 "seeds": list(range(100, 100 + n_runs))}
    cache = work / f"compare_ed_{n_runs}x{steps}.json"  # the ED half does not depend on the model: computed once
    for label, method, kw in (("ED", "ed", {}), ("ML", "ml", {"ml_model": str(work / run / "model.pt")})):
        if label == "ED" and cache.is_file():
            out["ED"] = json.loads(cache.read_text())
            continue
        if label == "ML" and run == "-":
            break
        calc = make_calculator("double-exchange", method, L, **kw)
        rows = []
        for s in range(n_runs):
            r = de_quench(calc, None, n_steps=steps, temperature=0.01, dt=0.4, alpha=0.5, seed=100 + s,
                          record_every=10, progress=False)
            rows.append((r["fm_fraction"][-10:].mean(), r["neel_fraction"][-10:].mean(), r["fm_cluster"][-10:].mean()))
            print(label, s, rows[-1], flush=True)
        a = np.array(rows)
        out[label] = {"fm_fraction": float(a[:, 0].mean()), "fm_std_runs": float(a[:, 0].std()),
                      "neel_fraction": float(a[:, 1].mean()), "fm_cluster": float(a[:, 2].mean()),
                      "per_run_fm": a[:, 0].tolist()}
        if label == "ED":
            cache.write_text(json.dumps(out["ED"]))
    return out


def ship(work: Path, run: str) -> None:
    import yaml

    from altermag.core.io import load_json, save_json
    from altermag.dynamics.training import parity_plot

    rdir = work / run
    dest = ROOT / "altermag" / "dynamics" / "data"
    shutil.copy(rdir / "model.pt", dest / "double-exchange.pt")
    cfg = yaml.safe_load((rdir / "config.yaml").read_text())
    (dest / "double-exchange.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    m = load_json(rdir / "metrics.json")
    m = m.get("data", m)
    test = common.evaluate_model(str(rdir / "model.pt"), [str(work / "test.h5")])
    m["independent_test"] = common._public(test)
    m["independent_test_by_site_class"] = site_classes(str(rdir / "model.pt"), [str(work / "test.h5")])
    gen = json.loads((work / "generate_log.json").read_text()) if (work / "generate_log.json").is_file() else {}
    m["training_data"] = {"files": [p.name for p in sorted(work.glob("train_r*.h5"))], "test_files": ["test.h5"],
                          "model": MODEL_TEXT, "origin": "ED-LLG quench runs + random configurations; recipe "
                          "bench/train_de.py", "generation_wall_seconds": gen}
    save_json(dest / "double-exchange.metrics.json", m, inputs={"config": cfg, "recipe": "bench/train_de.py"})
    fig = ROOT / "docs" / "figures" / "dynamics_ml" / "de_parity_heldout.png"
    parity_plot(test["all"], fig, title="double-exchange: independent test set (16x16 ED)")
    print(json.dumps(m["independent_test"]["all"], indent=1))
    print(f"shipped {dest / 'double-exchange.pt'}; figure {fig}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stage", choices=["generate", "train", "finetune", "evaluate", "compare", "ship"])
    ap.add_argument("--work", default="/tmp/de")
    ap.add_argument("--round", type=int, default=0)
    ap.add_argument("--test-only", action="store_true", help="generate: only the independent test set")
    ap.add_argument("--polarons", action="store_true", help="generate: Néel + isolated flipped spins (polaron states)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=120)
    ap.add_argument("--hidden", default="64,64,32")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--lr-decay", type=float, default=0.97)
    ap.add_argument("--lr-min", type=float, default=1e-6)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--energy-weight", type=float, default=0.0)
    ap.add_argument("--run", default="run")
    ap.add_argument("--from-run", default=None)
    ap.add_argument("--resume", action="store_true")
    a = ap.parse_args(argv)
    os.environ.setdefault("ALTERMAG_NO_PROGRESS", "1")
    work = Path(a.work)
    if a.stage == "generate" and a.polarons:
        generate_polarons(work, workers=a.workers)
    elif a.stage == "generate":
        generate(work, a.round, a.workers, a.test_only)
    elif a.stage == "train":
        from altermag.dynamics.training import train

        cfg = common.config(work, a.epochs, [int(x) for x in a.hidden.split(",")], a.lr, a.lr_decay, a.batch,
                            a.threads, {}, a.run)
        cfg.val_fraction = 0.2
        cfg.energy_weight = a.energy_weight
        res = train(cfg, resume=a.resume, progress=False, log=lambda r: print(json.dumps(r), flush=True))
        print(json.dumps({k: v for k, v in res["metrics"].items() if k != "descriptor"}, indent=1, default=str))
    elif a.stage == "finetune":
        m = common.finetune(work, a.from_run, a.run, a.epochs, a.lr, a.lr_min, a.batch)
        print(json.dumps({k: v for k, v in m.items() if k != "descriptor"}, indent=1, default=str))
    elif a.stage == "evaluate":
        model = str(work / a.run / "model.pt")
        res = common._public(common.evaluate_model(model, [str(work / "test.h5")]))
        res["by_site_class"] = site_classes(model, [str(work / "test.h5")])
        print(json.dumps(res, indent=1))
    elif a.stage == "compare":
        print(json.dumps(compare(work, a.run), indent=1))
    elif a.stage == "ship":
        ship(work, a.run)


if __name__ == "__main__":
    main()
