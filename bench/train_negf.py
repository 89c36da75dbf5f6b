"""Reproducible recipe for voltage-driven AF|FM domain-wall motion (issue 8): NEGF-LLG walls, a two-potential ML
force field trained on them, ML-LLG vs NEGF-LLG, and v(V) on a 4× longer strip.

Stages (each < 10 min wall on the shared 2-core machine, or run in the background; data in ``--work``)::

    python3 bench/train_negf.py generate --work /tmp/negf_data   # NEGF-LLG wall runs (training strip) + perturbed
    python3 bench/train_negf.py relabel  --work /tmp/negf_data   # snapshots relabelled at more biases (time-boxed)
    python3 bench/train_negf.py train    --work /tmp/negf_data   # two-potential model, boundary site inputs
    python3 bench/train_negf.py compare  --work /tmp/negf_data   # held-out NEGF-LLG vs ML-LLG walls, several V
    python3 bench/train_negf.py velocity --work /tmp/negf_data   # v(V): ML on the long strip, NEGF on the short one
    python3 bench/train_negf.py figure   --work /tmp/negf_data   # docs/figures/driven_vV.png, driven_xdw.png

Electron model (spec §1.3, RECONSTRUCTED): square-lattice s-d model, t1 = 1, J = 3, T_el = 0.05, μ = μ_c (bulk
AF/FM coexistence, :func:`altermag.dynamics.driven.coexistence_mu`), strip Lx × Ly open along x with semi-infinite
square-lattice leads at both ends, bias μ_L = μ + V/2 (x = 0), μ_R = μ − V/2. Initial state: Néel AF for x < x0, FM
for x ≥ x0 (both along z) with a small random tilt (seeded). LLG: SIB integrator, T_spin = 0.

Results go to ``bench/results/train_negf_<stage>.json`` (with inputs); figures to ``docs/figures``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
FIGURES = ROOT / "docs" / "figures"

CFG = {
    "lx": 16, "ly": 10, "J": 3.0, "temperature_el": 0.05, "leads": "square", "tol": 1e-3,
    "dt": 0.5, "alpha": 0.5, "x0": 8.5, "tilt": 0.1, "steps": 200, "snapshot_every": 5,
    "train_biases": [-2.0, -1.0, 0.0, 1.0], "train_seeds": [0],
    "perturb_sigma": [0.2], "perturb_every": 8,
    "test_biases": [-1.5, 1.0], "test_seed": 100,
    "long_lx": 64, "long_steps": 400, "long_biases": [-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0],
    "descriptor": {"symmetry": "Cs"}, "hidden": [64, 64], "epochs": 50, "batch_size": 4, "lr": 3e-3, "lr_decay": 0.95,
    "site_inputs": {"encoding": "boundary", "n_boundary": 5},
    "relabel_biases": [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0],
}


def _cfg(args) -> dict:
    c = dict(CFG)
    p = Path(args.work) / "config.json"
    if p.exists():
        c.update(json.loads(p.read_text()))
    for k in ("steps", "dt", "alpha", "epochs", "tol", "long_steps", "lr", "lr_decay", "batch_size"):
        v = getattr(args, k, None)
        if v is not None:
            c[k] = v
    c["ml_run"] = getattr(args, "run", None) or c.get("ml_run", "run")
    if getattr(args, "potential", False):
        c["site_inputs"] = {**c["site_inputs"], "potential": True}
    return c


def _mu(c) -> float:
    from altermag.dynamics.driven import coexistence_mu

    return coexistence_mu(J=c["J"], temperature=c["temperature_el"])["mu_c"]


class Recorder:
    """Wraps a field calculator and keeps the field of its last evaluation (the LLG step ends with the field at the
    new spins, so an observables callback sees the field that belongs to the recorded spins)."""

    def __init__(self, calc):
        self.calc = calc
        self.last = None
        self.lattice = calc.lattice
        self.model = getattr(calc, "model", None)
        self.bias = getattr(calc, "bias", None)

    def energy_and_field(self, spins):
        E, H = self.calc.energy_and_field(spins)
        self.last = (np.array(spins), np.array(H))
        return E, H

    def __repr__(self):
        return repr(self.calc)


def _negf(c, bias, lx=None):
    from altermag.dynamics.driven import make_driven_calculator

    return make_driven_calculator(bias, "negf", lx=lx or c["lx"], ly=c["ly"], mu=_mu(c), J=c["J"],
                                  temperature_el=c["temperature_el"], leads=c["leads"], tol=c["tol"])


def negf_wall_job(item: dict) -> dict:
    """One NEGF-LLG wall run; returns trajectory and the (spins, NEGF field) snapshots; writes its HDF5."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from altermag.dynamics.driven import wall_position
    from altermag.dynamics.lattice import SpinLattice

    c, V, seed = item["cfg"], item["bias"], item["seed"]
    lat = SpinLattice("square", c["lx"], c["ly"], periodic_x=False)
    rec = Recorder(_negf(c, V))
    snaps_s, snaps_h, snaps_step = [], [], []
    counter = {"n": 0}

    def obs(spins):
        k = counter["n"]
        counter["n"] += 1
        if k % 20 == 0:
            print(f"    [{item['tag']}] step {k}, x_DW = {wall_position(spins, lat):.3f}", flush=True)
        if k % c["snapshot_every"] == 0 and rec.last is not None:
            snaps_s.append(rec.last[0])
            snaps_h.append(rec.last[1])
            snaps_step.append(k)
        return {"x_dw": wall_position(spins, lat)}

    from altermag.dynamics.llg import run_llg
    from altermag.dynamics.driven import wall_spins, wall_transit

    s0 = wall_spins(lat, c["x0"], tilt=c["tilt"], seed=seed)
    t0 = time.perf_counter()
    res = run_llg(rec, s0, c["steps"], dt=item.get("dt", c["dt"]), alpha=c["alpha"], record_every=1,
                  observables=obs, progress=False, seed=seed, snapshot_every=c["steps"])
    sec = time.perf_counter() - t0
    tr = wall_transit(res["time"], res["x_dw"])
    out = {"bias": V, "seed": seed, "dt": item.get("dt", c["dt"]), "time": res["time"], "x_dw": res["x_dw"],
           "velocity": tr["velocity"], "velocity_err": tr["velocity_err"], "t_depin": tr["t_depin"], "seconds": sec, "n_fields": 2 * c["steps"] + 1,
           "snap_spins": np.array(snaps_s), "snap_fields": np.array(snaps_h), "snap_step": np.array(snaps_step)}
    from altermag.core.io import save_hdf5

    tag = item["tag"]
    save_hdf5(Path(item["work"]) / f"traj_{tag}.h5", {k: v for k, v in out.items()},
              inputs={"cfg": c, "bias": V, "seed": seed, "mu": _mu(c), "tag": tag})
    return {k: v for k, v in out.items() if not k.startswith("snap_")} | {"tag": tag}


def perturb_job(item: dict) -> dict:
    """NEGF fields of perturbed trajectory snapshots (random tilts of width sigma)."""
    from altermag.core.io import load_hdf5

    c = item["cfg"]
    d = load_hdf5(Path(item["work"]) / f"traj_{item['tag']}.h5")["data"]
    calc = _negf(c, item["bias"])
    rng = np.random.default_rng(item["seed"] + 1000)
    S_out, H_out, sig_out = [], [], []
    for k in range(0, len(d["snap_spins"]), c["perturb_every"]):
        for sig in c["perturb_sigma"]:
            s = d["snap_spins"][k] + rng.normal(scale=sig, size=d["snap_spins"][k].shape)
            s /= np.linalg.norm(s, axis=1, keepdims=True)
            S_out.append(s)
            H_out.append(calc.energy_and_field(s)[1])
            sig_out.append(sig)
    return {"tag": item["tag"], "spins": np.array(S_out), "fields": np.array(H_out), "sigma": np.array(sig_out)}


def _run_jobs(fn, items, workers):
    from altermag.core.executor import get_executor

    out = [None] * len(items)
    with get_executor(workers) as ex:
        for i, r in ex.imap_unordered(fn, items, progress=True, desc=fn.__name__):
            if isinstance(r, BaseException):
                raise r
            out[i] = r
            print(f"  done {i}: " + ", ".join(f"{k}={r[k]:.4g}" for k in ("bias", "velocity", "seconds") if k in r),
                  flush=True)
    return out


def _save(name, data, c):
    from altermag.core.io import save_json

    RESULTS.mkdir(parents=True, exist_ok=True)
    save_json(RESULTS / f"train_negf_{name}.json", data, inputs={"cfg": c, "mu": _mu(c)})
    print(f"wrote {RESULTS / f'train_negf_{name}.json'}")


# ---------------------------------------------------------------------------------------------------- stages
def stage_generate(args):
    c = _cfg(args)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    (work / "config.json").write_text(json.dumps(c, indent=1))
    biases = c["train_biases"] if args.biases is None else [float(b) for b in args.biases.split(",")]
    items = [{"cfg": c, "bias": V, "seed": s, "work": str(work), "tag": f"train_V{V:+.2f}_s{s}"}
             for s in c["train_seeds"] for V in biases]
    items = [it for it in items if args.redo or not (work / f"traj_{it['tag']}.h5").exists()]
    if items:
        _run_jobs(negf_wall_job, items, args.workers)
    if args.biases is None:
        build_datasets(c, work, args.workers)


def build_datasets(c, work, workers):
    """Training datasets from the trajectory files (+ NEGF fields of perturbed snapshots)."""
    from altermag.core.io import load_hdf5
    from altermag.dynamics.dataset import save_spin_dataset
    from altermag.dynamics.lattice import SpinLattice

    lat = SpinLattice("square", c["lx"], c["ly"], periodic_x=False)
    tags = [(V, s, f"train_V{V:+.2f}_s{s}") for s in c["train_seeds"] for V in c["train_biases"]]
    todo = [{"cfg": c, "bias": V, "seed": s, "work": str(work), "tag": t} for V, s, t in tags
            if not (work / f"pert_{t}.h5").exists()]
    if todo and c["perturb_sigma"]:
        for r in _run_jobs(perturb_job, todo, workers):
            from altermag.core.io import save_hdf5

            save_hdf5(work / f"pert_{r['tag']}.h5", r, inputs={"cfg": c})
    files = []
    for run_id, (V, _s, t) in enumerate(tags):
        d = load_hdf5(work / f"traj_{t}.h5")["data"]
        S, H, src, step = [d["snap_spins"]], [d["snap_fields"]], ["negf-llg"] * len(d["snap_spins"]), \
            list(d["snap_step"])
        if (work / f"pert_{t}.h5").exists():
            p = load_hdf5(work / f"pert_{t}.h5")["data"]
            S.append(p["spins"])
            H.append(p["fields"])
            src += ["perturbed"] * len(p["spins"])
            step += [-1] * len(p["spins"])
        S, H = np.concatenate(S), np.concatenate(H)
        path = work / f"data_{t}.h5"
        # every configuration its own group: the validation split (best-epoch selection) then samples all biases;
        # the real held-out test is the compare stage (independent seed, biases not trained on)
        save_spin_dataset(path, lat, S, H, bias=V, source=np.array(src), step=np.array(step),
                          inputs={"negf": {**c, "mu": _mu(c)}, "tag": t, "run_id": run_id})
        files.append(str(path))
        print(f"  dataset {path.name}: {len(S)} configurations")
    (work / "datasets.json").write_text(json.dumps(files))


def relabel_job(item: dict) -> dict:
    """NEGF fields of training-trajectory snapshots (optionally perturbed) at randomly drawn biases of the grid."""
    from altermag.core.io import load_hdf5
    from altermag.dynamics.dataset import save_spin_dataset
    from altermag.dynamics.lattice import SpinLattice

    c, work, w = item["cfg"], Path(item["work"]), item["worker"]
    lat = SpinLattice("square", c["lx"], c["ly"], periodic_x=False)
    pool = []
    for V in c["train_biases"]:
        for s in c["train_seeds"]:
            pool += list(load_hdf5(work / f"traj_train_V{V:+.2f}_s{s}.h5")["data"]["snap_spins"])
    rng = np.random.default_rng(1000 + w)
    calcs, S, H, B = {}, [], [], []
    t0 = time.perf_counter()
    while len(S) < item["n"] and time.perf_counter() - t0 < item["budget"]:
        V = float(rng.choice(c["relabel_biases"]))
        sp = pool[rng.integers(len(pool))]
        sig = float(rng.choice([0.0, 0.1, 0.2]))
        if sig > 0:
            sp = sp + rng.normal(scale=sig, size=sp.shape)
            sp /= np.linalg.norm(sp, axis=1, keepdims=True)
        if V not in calcs:
            calcs[V] = _negf(c, V)
        H.append(calcs[V].energy_and_field(sp)[1])
        S.append(sp)
        B.append(V)
    path = work / f"data_extra_w{w}.h5"
    save_spin_dataset(path, lat, np.array(S), np.array(H), bias=np.array(B), source="relabelled",
                      inputs={"note": "training-trajectory snapshots relabelled at other biases", "worker": w})
    return {"path": str(path), "n": len(S)}


def stage_relabel(args):
    """More training labels without more LLG: the training snapshots (perturbed by 0, 0.1 or 0.2 rad) with NEGF fields
    at biases drawn from ``relabel_biases`` (the held-out test biases are not in it). Time-boxed per worker."""
    c = _cfg(args)
    work = Path(args.work)
    items = [{"cfg": c, "work": str(work), "worker": w, "n": args.n_relabel, "budget": args.budget}
             for w in range(args.workers)]
    res = _run_jobs(relabel_job, items, args.workers)
    files = json.loads((work / "datasets.json").read_text())
    files = [f for f in files if "data_extra" not in f] + [r["path"] for r in res]
    (work / "datasets.json").write_text(json.dumps(files))
    print("relabelled:", [r["n"] for r in res])


def augment_configuration(c, rng, lat, pool) -> tuple[np.ndarray, str]:
    """One training configuration for the augment stage: a (possibly rough) AF|FM wall anywhere in the strip with a
    random tilt, or a perturbed training-trajectory snapshot. Returns (spins, source label)."""
    from altermag.dynamics.driven import wall_spins

    u = rng.random()
    if u < 0.35 or not pool:  # straight wall at a random position
        s = wall_spins(lat, float(rng.uniform(1.5, c["lx"] - 1.5)), tilt=float(rng.uniform(0.03, 0.35)),
                       seed=int(rng.integers(2**31)))
        return s, "wall"
    if u < 0.6:  # rough wall: the AF|FM boundary shifts row by row (a random walk in x)
        x0 = rng.uniform(3.0, c["lx"] - 3.0) + np.cumsum(rng.integers(-1, 2, size=c["ly"]))
        x, y = lat.coords[:, 0], lat.coords[:, 1].astype(int)
        af = x < x0[y]
        s = np.zeros((lat.n_sites, 3))
        s[:, 2] = np.where(af, np.where((x + y) % 2 == 0, 1.0, -1.0), 1.0)
        tilt = float(rng.uniform(0.03, 0.35))
        s += rng.normal(scale=tilt, size=s.shape)
        return s / np.linalg.norm(s, axis=1, keepdims=True), "rough-wall"
    sp = pool[rng.integers(len(pool))]
    sig = float(rng.choice([0.05, 0.1, 0.2, 0.3]))
    sp = sp + rng.normal(scale=sig, size=sp.shape)
    return sp / np.linalg.norm(sp, axis=1, keepdims=True), "trajectory-perturbed"


def augment_job(item: dict) -> dict:
    """NEGF labels of :func:`augment_configuration` draws at biases from ``relabel_biases``; saved in chunks of
    ``chunk`` configurations (a killed run keeps what it finished). Time-boxed."""
    from altermag.core.io import load_hdf5
    from altermag.dynamics.dataset import save_spin_dataset
    from altermag.dynamics.lattice import SpinLattice

    c, work = item["cfg"], Path(item["work"])
    lat = SpinLattice("square", c["lx"], c["ly"], periodic_x=False)
    pool = []
    for V in c["train_biases"]:
        for s in c["train_seeds"]:
            pool += list(load_hdf5(work / f"traj_train_V{V:+.2f}_s{s}.h5")["data"]["snap_spins"])
    rng = np.random.default_rng(item["seed"])
    calcs, paths, n = {}, [], 0
    S, H, B, src = [], [], [], []
    t0 = time.perf_counter()
    while n < item["n"] and time.perf_counter() - t0 < item["budget"]:
        V = float(rng.choice(c["relabel_biases"]))
        sp, label = augment_configuration(c, rng, lat, pool)
        if V not in calcs:
            calcs[V] = _negf(c, V)
        H.append(calcs[V].energy_and_field(sp)[1])
        S.append(sp)
        B.append(V)
        src.append(label)
        n += 1
        if len(S) == item["chunk"]:
            path = work / f"data_aug_s{item['seed']}_c{len(paths)}.h5"
            save_spin_dataset(path, lat, np.array(S), np.array(H), bias=np.array(B), source=np.array(src),
                              inputs={"note": "augment stage", "seed": item["seed"]})
            paths.append(str(path))
            S, H, B, src = [], [], [], []
            print(f"  [augment {item['seed']}] {n} configurations, {time.perf_counter() - t0:.0f} s", flush=True)
    if S:
        path = work / f"data_aug_s{item['seed']}_c{len(paths)}.h5"
        save_spin_dataset(path, lat, np.array(S), np.array(H), bias=np.array(B), source=np.array(src),
                          inputs={"note": "augment stage", "seed": item["seed"]})
        paths.append(str(path))
    return {"paths": paths, "n": n, "seconds": time.perf_counter() - t0}


def stage_augment(args):
    """More, more diverse labels: straight and rough walls at any position with tilts up to 0.35 rad, and perturbed
    training snapshots, each labelled at a bias from ``relabel_biases`` (held-out biases and seeds excluded)."""
    c = _cfg(args)
    work = Path(args.work)
    items = [{"cfg": c, "work": str(work), "worker": w, "seed": args.seed + w, "n": args.n_relabel,
              "budget": args.budget, "chunk": 25} for w in range(args.workers)]
    res = _run_jobs(augment_job, items, args.workers)
    collect_datasets(work)
    print("augmented:", [r["n"] for r in res])


def active_job(item: dict) -> dict:
    """Active learning: ML-LLG wall runs with the current model (training strip, new seeds, random wall positions and
    training biases), snapshots labelled with the NEGF field at the run's bias. The configurations the model itself
    visits, including its wrong turns, are exactly where it needs labels. Chunked saving, time-boxed."""
    import torch

    torch.set_num_threads(1)
    from altermag.dynamics.dataset import save_spin_dataset
    from altermag.dynamics.driven import run_wall
    from altermag.dynamics.lattice import SpinLattice

    c, work = item["cfg"], Path(item["work"])
    lat = SpinLattice("square", c["lx"], c["ly"], periodic_x=False)
    rng = np.random.default_rng(item["seed"])
    calcs, paths, n = {}, [], 0
    S, H, B, steps = [], [], [], []
    t0 = time.perf_counter()
    while n < item["n"] and time.perf_counter() - t0 < item["budget"]:
        V = float(rng.choice([b for b in c["relabel_biases"] if b != 0.0]))
        x0 = float(rng.choice([5.5, 6.5, 7.5, 8.5, 9.5, 10.5]))
        res = run_wall(_ml(c, V, c["lx"], work), lat, x0, c["steps"], dt=c["dt"], alpha=c["alpha"],
                       seed=int(rng.integers(10**6, 2 * 10**6)), record_every=c["steps"], tilt=c["tilt"],
                       progress=False, snapshot_every=item["every"])
        snaps = np.asarray(res["spins"])[1:]  # the initial state is a plain tilted wall
        if V not in calcs:
            calcs[V] = _negf(c, V)
        for k, sp in enumerate(snaps):
            if time.perf_counter() - t0 > item["budget"]:
                break
            H.append(calcs[V].energy_and_field(sp)[1])
            S.append(sp)
            B.append(V)
            steps.append((k + 1) * item["every"])
            n += 1
        path = work / f"data_active_{c['ml_run']}_s{item['seed']}_c{len(paths)}.h5"
        if S:
            save_spin_dataset(path, lat, np.array(S), np.array(H), bias=np.array(B), source="ml-llg", step=np.array(steps),
                              inputs={"note": "active stage: ML-LLG snapshots with NEGF labels", "model": c["ml_run"]})
            paths.append(str(path))
            print(f"  [active {item['seed']}] V={V:+.2f} x0={x0}: {n} configurations, {time.perf_counter() - t0:.0f} s",
                  flush=True)
        S, H, B, steps = [], [], [], []
    return {"paths": paths, "n": n, "seconds": time.perf_counter() - t0}


def stage_active(args):
    """Label the configurations visited by ML-LLG with the current model (``--run``) and add them to the data."""
    c = _cfg(args)
    work = Path(args.work)
    items = [{"cfg": c, "work": str(work), "seed": args.seed + w, "n": args.n_relabel, "budget": args.budget,
              "every": 10} for w in range(args.workers)]
    res = _run_jobs(active_job, items, args.workers)
    collect_datasets(work)
    print("active:", [r["n"] for r in res])


def collect_datasets(work: Path) -> list[str]:
    """datasets.json = the trajectory datasets + every relabel/augment/active chunk found in ``work``."""
    files = json.loads((work / "datasets.json").read_text())
    base = [f for f in files if Path(f).name.startswith("data_train_") or Path(f).name.startswith("data_extra_")]
    extra = sorted(str(p) for pat in ("data_aug_*.h5", "data_active_*.h5") for p in work.glob(pat))
    files = base + [f for f in extra if f not in base]
    (work / "datasets.json").write_text(json.dumps(files))
    return files


def stage_train(args):
    import torch

    from altermag.dynamics.training import TrainConfig, train

    torch.set_num_threads(1)
    c = _cfg(args)
    work = Path(args.work)
    files = json.loads((work / "datasets.json").read_text())
    cfg = TrainConfig(data=files, n_outputs=2, field_form="two-potential", site_inputs=c["site_inputs"],
                      descriptor=c["descriptor"], hidden=c["hidden"], epochs=c["epochs"], batch_size=c["batch_size"],
                      lr=c["lr"], lr_decay=c["lr_decay"], val_fraction=0.2, out=str(work / c["ml_run"]), threads=1,
                      device="cpu", init_model=str(work / args.init_run / "model.pt") if args.init_run else None)
    t0 = time.perf_counter()
    res = train(cfg, resume=args.resume)
    metrics = json.loads((work / c["ml_run"] / "metrics.json").read_text())
    _save(_tagged("train", c), {"metrics": metrics, "seconds": time.perf_counter() - t0, "n_files": len(files),
                                "n_configs": metrics.get("n_train_configs", 0) + metrics.get("n_val_configs", 0)}, c)
    return res


def _ml(c, bias, lx, work):
    from altermag.dynamics.driven import make_driven_calculator

    return make_driven_calculator(bias, "ml", lx=lx, ly=c["ly"], model_path=str(Path(work) / c["ml_run"] / "model.pt"))


def _tagged(name: str, c: dict) -> str:
    """Result name of a stage that depends on the ML run (``--run``): the default run keeps the plain name."""
    return name if c["ml_run"] == "run" else f"{name}_{c['ml_run']}"


def ml_wall_job(item: dict) -> dict:
    import torch

    torch.set_num_threads(1)
    from altermag.dynamics.driven import run_wall
    from altermag.dynamics.lattice import SpinLattice

    c, V = item["cfg"], item["bias"]
    lx = item.get("lx", c["lx"])
    lat = SpinLattice("square", lx, c["ly"], periodic_x=False)
    calc = _ml(c, V, lx, item["work"])
    x0 = item.get("x0", c["x0"])
    steps = item.get("steps", c["steps"])
    res = run_wall(calc, lat, x0, steps, dt=c["dt"], alpha=c["alpha"], seed=item["seed"], record_every=1,
                   tilt=c["tilt"], progress=False, snapshot_every=steps)
    return {"bias": V, "lx": lx, "time": res["time"], "x_dw": res["x_dw"], "velocity": res["velocity"],
            "velocity_err": res["velocity_err"], "t_depin": res["t_depin"], "seconds": res["seconds"],
            "seconds_per_field": res["seconds"] / (2 * steps + 1)}


def stage_compare(args):
    c = _cfg(args)
    work = Path(args.work)
    biases = c["test_biases"] if args.biases is None else [float(b) for b in args.biases.split(",")]
    items = [{"cfg": c, "bias": V, "seed": c["test_seed"], "work": str(work), "tag": f"test_V{V:+.2f}"}
             for V in biases]
    need = [it for it in items if args.redo or not (work / f"traj_{it['tag']}.h5").exists()]
    if need:
        _run_jobs(negf_wall_job, need, args.workers)
    if args.negf_only:
        return
    from altermag.core.io import load_hdf5

    ml_items = []
    for it in items:  # same length as the NEGF reference run
        n = len(load_hdf5(work / f"traj_{it['tag']}.h5")["data"]["time"]) - 1
        ml_items.append({"cfg": c, "bias": it["bias"], "seed": c["test_seed"], "work": str(work), "steps": n})
    ml = _run_jobs(ml_wall_job, ml_items, args.workers)
    from altermag.dynamics.driven import wall_transit

    rows = []
    for it, m in zip(items, ml):
        d = load_hdf5(work / f"traj_{it['tag']}.h5")["data"]
        xn, xm = np.asarray(d["x_dw"]), np.asarray(m["x_dw"])
        dx = np.abs(xn - xm)
        tn, tm = wall_transit(d["time"], xn), wall_transit(m["time"], xm)
        rows.append({"bias": it["bias"], "time": d["time"], "x_dw_negf": xn, "x_dw_ml": xm,
                     "max_abs_dx": float(dx.max()), "final_dx": float(dx[-1]),
                     "velocity_negf": tn["velocity"], "velocity_negf_err": tn["velocity_err"],
                     "t_depin_negf": tn["t_depin"], "direction_negf": tn["direction"],
                     "velocity_ml": tm["velocity"], "velocity_ml_err": tm["velocity_err"],
                     "t_depin_ml": tm["t_depin"], "direction_ml": tm["direction"],
                     "negf_seconds": float(d["seconds"]), "ml_seconds": m["seconds"],
                     "negf_seconds_per_field": float(d["seconds"]) / (2 * len(xn) - 1),
                     "ml_seconds_per_field": m["seconds_per_field"]})
        print(f"V={it['bias']:+.2f}: max|Δx_DW| = {dx.max():.3f}, NEGF: v = {tn['velocity']:+.4f}, "
              f"t_depin = {tn['t_depin']:.1f}; ML: v = {tm['velocity']:+.4f}, t_depin = {tm['t_depin']:.1f}")
    field = heldout_field_error(c, work, items)
    _save(_tagged("compare", c), {"rows": rows, "max_abs_dx": max(r["max_abs_dx"] for r in rows), "heldout_field": field}, c)


def heldout_field_error(c, work, items) -> dict:
    """Relative transverse RMSE of the ML field against NEGF on the snapshots of the held-out NEGF-LLG runs."""
    from altermag.core.io import load_hdf5
    from altermag.dynamics.llg import transverse

    out = {}
    num = den = 0.0
    for it in items:
        d = load_hdf5(work / f"traj_{it['tag']}.h5")["data"]
        calc = _ml(c, it["bias"], c["lx"], work)
        S, H = np.asarray(d["snap_spins"]), np.asarray(d["snap_fields"])
        Hm = np.array([calc.energy_and_field(s)[1] for s in S])
        e = transverse(Hm, S) - transverse(H, S)
        r = transverse(H, S)
        key = f"{it['bias']:+.2f}"
        out[key] = float(np.sqrt(np.mean(e ** 2) / np.mean(r ** 2)))
        num += float(np.sum(e ** 2))
        den += float(np.sum(r ** 2))
        print(f"  held-out V={key}: relative transverse RMSE {out[key]:.3f}")
    out["all"] = float(np.sqrt(num / den))
    return out


def stage_velocity(args):
    from altermag.core.io import load_hdf5
    from altermag.dynamics.driven import wall_transit

    c = _cfg(args)
    work = Path(args.work)
    items = [{"cfg": c, "bias": V, "seed": 7, "work": str(work), "lx": c["long_lx"], "x0": c["long_lx"] / 2 + 0.5,
              "steps": c["long_steps"]} for V in c["long_biases"]]
    ml = _run_jobs(ml_wall_job, items, args.workers)
    negf = []
    for f in sorted(work.glob("traj_*.h5")):
        d = load_hdf5(f)["data"]
        tr = wall_transit(d["time"], d["x_dw"])
        negf.append({"file": f.name, "bias": float(load_hdf5(f)["provenance"]["inputs"]["bias"]),
                     "velocity": tr["velocity"], "velocity_err": tr["velocity_err"], "t_depin": tr["t_depin"],
                     "seconds": float(d["seconds"]),
                     "seconds_per_field": float(d["seconds"]) / (2 * len(d["time"]) - 1)})
    out = {"ml_long": {"lx": c["long_lx"], "bias": [r["bias"] for r in ml], "velocity": [r["velocity"] for r in ml],
                       "velocity_err": [r["velocity_err"] for r in ml], "t_depin": [r["t_depin"] for r in ml],
                       "time": [r["time"] for r in ml],
                       "x_dw": [r["x_dw"] for r in ml], "seconds_per_field": float(np.mean([r["seconds_per_field"]
                                                                                          for r in ml]))},
           "negf_short": negf, "timing": field_timing(c, work)}
    _save(_tagged("velocity", c), out, c)


def field_timing(c, work, repeats: int = 3) -> dict:
    """Seconds per field evaluation, NEGF vs ML, on the same wall configuration of the training strip (V = 1), and
    ML on the long strip; best of ``repeats`` (the machine is shared)."""
    import torch

    from altermag.dynamics.driven import wall_spins
    from altermag.dynamics.lattice import SpinLattice

    torch.set_num_threads(1)
    out = {}
    for name, lx, mk in (("negf", c["lx"], lambda lx: _negf(c, 1.0, lx)), ("ml", c["lx"], lambda lx: _ml(c, 1.0, lx, work)),
                         ("ml_long", c["long_lx"], lambda lx: _ml(c, 1.0, lx, work))):
        lat = SpinLattice("square", lx, c["ly"], periodic_x=False)
        calc = mk(lx)
        s = wall_spins(lat, lx / 2 + 0.5, tilt=c["tilt"], seed=3)
        calc.energy_and_field(s)
        best = np.inf
        for k in range(repeats):
            s2 = wall_spins(lat, lx / 2 + 0.5, tilt=c["tilt"], seed=4 + k)
            t0 = time.perf_counter()
            calc.energy_and_field(s2)
            best = min(best, time.perf_counter() - t0)
        out[f"{name}_seconds"] = best
        out[f"{name}_sites"] = lat.n_sites
    out["speedup_ml_vs_negf_training_strip"] = out["negf_seconds"] / out["ml_seconds"]
    print("  timing:", out)
    return out


def stage_figure(args):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from altermag.core.io import load_json

    c = _cfg(args)
    FIGURES.mkdir(parents=True, exist_ok=True)
    vel = load_json(RESULTS / f"train_negf_{_tagged('velocity', c)}.json")["data"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    ax = axes[0]
    ml = vel["ml_long"]
    ylim = 2.2

    def off_scale(v, err):  # a one-record jump (resolution-limited) or a collapse faster than the axis shows
        return err >= 0.5 * abs(v) > 0 or abs(v) > ylim

    pts = list(zip(ml["bias"], ml["velocity"], ml["velocity_err"]))
    ok = [p for p in pts if not off_scale(p[1], p[2])]
    ax.errorbar([p[0] for p in ok], [p[1] for p in ok], yerr=[p[2] for p in ok], fmt="o-",
                label=f"ML-LLG, {ml['lx']}×{c['ly']}")
    far = [p for p in pts if off_scale(p[1], p[2])]
    if far:
        ax.plot([p[0] for p in far], [np.sign(p[1]) * 0.95 * ylim for p in far], "^", color="C0",
                label="ML: collapse / one-record jump (off scale)")
    ng = vel["negf_short"]
    okn = [r for r in ng if not off_scale(r["velocity"], r["velocity_err"])]
    jump = [r for r in ng if r not in okn]
    ax.errorbar([r["bias"] for r in okn], [r["velocity"] for r in okn], yerr=[r["velocity_err"] for r in okn], fmt="s",
                mfc="none", label=f"NEGF-LLG, {c['lx']}×{c['ly']}")
    if jump:
        ax.plot([r["bias"] for r in jump], [np.sign(r["velocity"]) * 0.95 * ylim for r in jump], "v", mfc="none",
                color="C1", label="NEGF: one-record jump (off scale)")
    ax.set_ylim(-ylim, ylim)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xlabel("bias V (t$_1$/e)")
    ax.set_ylabel("transit velocity v (a · t$_1$/ħ)")
    ax.legend(fontsize=7)
    ax.set_title("AF|FM wall, s-d J=3, μ=μ$_c$")
    ax = axes[1]
    ax.plot(ml["bias"], ml["t_depin"], "o-", label=f"ML-LLG, {ml['lx']}×{c['ly']}")
    ax.plot([r["bias"] for r in ng], [r["t_depin"] for r in ng], "s", mfc="none", label=f"NEGF-LLG, {c['lx']}×{c['ly']}")
    ax.set_xlabel("bias V (t$_1$/e)")
    ax.set_ylabel("depinning time (ħ/t$_1$)")
    ax.legend(fontsize=7)
    ax.set_title("time until |x$_{DW}$ − x$_0$| ≥ a/2")
    fig.tight_layout()
    fig.savefig(FIGURES / "driven_vV.png", dpi=130)
    plt.close(fig)
    from altermag.core.io import load_hdf5

    work = Path(args.work)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    ax = axes[0]
    files = sorted(work.glob("traj_train_*.h5"), key=lambda f: float(load_hdf5(f)["provenance"]["inputs"]["bias"]))
    for i, f in enumerate(files):
        d = load_hdf5(f)
        ax.plot(d["data"]["time"], d["data"]["x_dw"], color=plt.cm.coolwarm(i / max(len(files) - 1, 1)),
                label=f"V={float(d['provenance']['inputs']['bias']):+.2f}")
    ax.set_xlabel("time (ħ/t$_1$)")
    ax.set_ylabel("wall position x$_{DW}$ (a)")
    ax.set_title(f"NEGF-LLG, training strip {c['lx']}×{c['ly']}")
    ax.legend(fontsize=7)
    ax = axes[1]
    cmp_path = RESULTS / f"train_negf_{_tagged('compare', c)}.json"
    if cmp_path.exists():
        cmp_ = load_json(cmp_path)["data"]
        for i, r in enumerate(cmp_["rows"]):
            col = f"C{i}"
            ax.plot(r["time"], r["x_dw_negf"], "-", color=col, label=f"V={r['bias']:+.2f} NEGF")
            ax.plot(r["time"], r["x_dw_ml"], "--", color=col, label=f"V={r['bias']:+.2f} ML")
        ax.legend(fontsize=7, ncol=2)
    ax.set_xlabel("time (ħ/t$_1$)")
    ax.set_ylabel("wall position x$_{DW}$ (a)")
    ax.set_title("held-out runs: NEGF-LLG (solid) vs ML-LLG (dashed)")
    fig.tight_layout()
    fig.savefig(FIGURES / "driven_xdw.png", dpi=130)
    plt.close(fig)
    print("wrote", FIGURES / "driven_vV.png", FIGURES / "driven_xdw.png")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stage", choices=["generate", "datasets", "relabel", "augment", "active", "train", "compare", "velocity", "figure"])
    ap.add_argument("--n-relabel", type=int, default=10**6, help="relabel: configurations per worker")
    ap.add_argument("--budget", type=float, default=540.0, help="relabel: seconds per worker")
    ap.add_argument("--run", default=None, help="ML run directory name in --work (train/compare/velocity/active; "
                    "default run)")
    ap.add_argument("--potential", action="store_true", help="train: add the local-potential site input "
                    "(altermag.dynamics.two_potential.local_potential)")
    ap.add_argument("--init-run", default=None, help="train: start from <work>/<init-run>/model.pt (fine-tuning)")
    ap.add_argument("--seed", type=int, default=2000, help="augment: seed of worker 0 (worker w uses seed + w)")
    ap.add_argument("--work", default="/tmp/negf_data")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--redo", action="store_true")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--biases", default=None, help="comma-separated subset of biases (generate/compare)")
    ap.add_argument("--negf-only", action="store_true", help="compare: only the NEGF-LLG reference runs")
    for k, t in (("steps", int), ("dt", float), ("alpha", float), ("epochs", int), ("tol", float),
                 ("long_steps", int), ("lr", float), ("lr_decay", float), ("batch_size", int)):
        ap.add_argument(f"--{k.replace('_', '-')}", type=t, default=None)
    args = ap.parse_args()
    if args.stage == "datasets":
        c = _cfg(args)
        build_datasets(c, Path(args.work), args.workers)
        return
    {"generate": stage_generate, "relabel": stage_relabel, "augment": stage_augment, "active": stage_active, "train": stage_train, "compare": stage_compare, "velocity": stage_velocity,
     "figure": stage_figure}[args.stage](args)


if __name__ == "__main__":
    main()
