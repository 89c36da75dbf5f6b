"""Reproducible recipe for the shipped ``sd-triangular-120`` force field (issue 7, gapped 120° point).

Stages (each one command of < 10 min on a 2-core CPU, except ``train`` with many epochs, which can be
resumed):

    python3 bench/train_sd120.py generate --work /tmp/sd120      # ED datasets (train pool + independent test set)
    python3 bench/train_sd120.py generate --work /tmp/sd120 --round 1   # optional: another pool, fresh seeds
    python3 bench/train_sd120.py train    --work /tmp/sd120 --epochs 60 [--resume]
    python3 bench/train_sd120.py finetune --work /tmp/sd120 --from-run run --run run_ft --epochs 30 --lr 1e-3
    python3 bench/train_sd120.py evaluate --work /tmp/sd120 [--model PATH]   # held-out table per subset
    python3 bench/train_sd120.py ship     --work /tmp/sd120      # copy into altermag/dynamics/data + parity figure

Electron model: s-d model on the triangular lattice at the verified 120° point of spec §10 (t1 = 1, t3 = 0,
J = 5, n_e = 1, canonical, T_el = 0; gap 6 t1), ED reference fields on 12×12 (commensurate with the
3-sublattice order).

Configurations (all 12×12):

* ``quench``: ED-LLG runs from random spins into a bath at T ∈ {0.003, 0.01, 0.03, 0.1} (α = 0.5,
  dt = 0.4, 400 steps, a snapshot every 8 steps) — the configurations met while the 120° order forms;
* ``random``: uniformly random spins (T = ∞);
* ``perturbed``: the perfect 120° state (random global rotation, random translation, either vector
  chirality) with Gaussian noise σ ∈ {0.05, 0.1, 0.2, 0.3, 0.45, 0.6} per spin component, renormalised.

The **test set** is generated with independent seeds (whole quench runs never seen in training or model
selection); the training pool is split by whole trajectory by :func:`altermag.dynamics.training.train`
(the validation part only selects the best epoch).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
L = 12
TEMPS = (0.003, 0.01, 0.03, 0.1)
NOISES = (0.05, 0.1, 0.2, 0.3, 0.45, 0.6)
QUENCH = {"quench_steps": 400, "snapshot_every": 8, "dt": 0.4, "alpha": 0.5}
MODEL_TEXT = ("s-d triangular, t1=1, t3=0, J=5, n_e=1 (spec §10 120-degree point), ED, T_el=0, 12x12")


def perturbed_120(n_per_noise: int, seed: int, noises=NOISES, L: int = L) -> tuple[np.ndarray, np.ndarray]:
    """Perfect 120° states (random rotation / translation / vector chirality) plus Gaussian noise.
    Returns spins (S, L², 3) and the noise width of each configuration."""
    from scipy.spatial.transform import Rotation

    from altermag.dynamics.ground_states import ansatz
    from altermag.dynamics.lattice import SpinLattice

    lat = SpinLattice("triangular", L)
    base = ansatz("120", lat)
    rng = np.random.default_rng(seed)
    out, sig = [], []
    for s in noises:
        for _ in range(n_per_noise):
            S = base.copy()
            if rng.random() < 0.5:  # opposite vector chirality
                S[:, 1] *= -1
            shift = lat.site_index((lat.coords[:, 0] + rng.integers(3)) % L, (lat.coords[:, 1] + rng.integers(3)) % L)
            S = S[shift]
            S = S @ Rotation.random(random_state=rng).as_matrix().T
            S = S + s * rng.normal(size=S.shape)
            out.append(S / np.linalg.norm(S, axis=1, keepdims=True))
            sig.append(s)
    return np.array(out), np.array(sig)


def generate(work: Path, workers: int, test_only: bool = False, round_: int = 0) -> dict:
    """ED datasets. Round 0 writes the training pool and the independent test set; round r > 0 adds another
    training pool of the same composition with fresh seeds (``train_r<r>_*.h5``; the test set is untouched)."""
    from altermag.dynamics.dataset import generate_dataset, label_configurations

    work.mkdir(parents=True, exist_ok=True)
    log_path = work / "generate_log.json"
    log = json.loads(log_path.read_text()) if round_ and log_path.is_file() else {}
    tag = f"train_r{round_}_" if round_ else "train_"
    sets = [] if test_only else [
        (f"{tag}q{T}", dict(n_quench_runs=3, n_random=15, quench_temperature=T, seed=100 * (round_ + 1) + k))
        for k, T in enumerate(TEMPS)
    ]
    if not round_:
        sets += [(f"test_q{T}", dict(n_quench_runs=1, n_random=5, quench_temperature=T, seed=900 + k))
                 for k, T in enumerate(TEMPS)]
    for name, kw in sets:
        t0 = time.perf_counter()
        generate_dataset(work / f"{name}.h5", "120", L=L, workers=workers, progress=False, **QUENCH, **kw)
        log[name] = time.perf_counter() - t0
        print(f"{name}: {log[name]:.0f} s", flush=True)
    perturbed = [] if test_only else [(f"{tag}perturbed", 25, 7 + 10 * round_)]
    for name, n, seed in perturbed + ([] if round_ else [("test_perturbed", 5, 907)]):
        S, sig = perturbed_120(n, seed)
        t0 = time.perf_counter()
        label_configurations(work / f"{name}.h5", S, "120", L=L, source="perturbed", workers=workers, batch=10,
                             progress=False, inputs={"noise": sig.tolist(), "origin": "120-degree state + noise"})
        log[name] = time.perf_counter() - t0
        print(f"{name}: {log[name]:.0f} s", flush=True)
    log_path.write_text(json.dumps(log, indent=1))
    if round_ and (work / "train_all.h5").is_file():
        (work / "train_all.h5").unlink()  # re-merged with the new pool on the next train/finetune
    return log


def merge_training_files(work: Path, seed: int = 0) -> Path:
    """Merge the ``train_*.h5`` files into one file with the configurations in random order.

    Quench-run ids are made unique across files (so that the split by whole trajectory still holds). The
    random order matters: ``train`` standardises the descriptor on the *first* 64 training configurations,
    and a file that starts with nearly perfect 120° states (vanishing non-A1 components) gives scales that
    blow up on disordered configurations."""
    from altermag.core.io import save_hdf5
    from altermag.dynamics.dataset import load_dataset
    from altermag.dynamics.training import load_run_ids

    parts = sorted(p for p in work.glob("train_*.h5") if p.name != "train_all.h5")
    keys = ("spins", "fields", "energies", "source", "run", "step")
    acc = {k: [] for k in keys}
    for k, p in enumerate(parts):
        ds = load_dataset(p)
        run = np.asarray(load_run_ids(p, len(ds), ds))
        src = np.asarray(ds.source).astype(str)
        acc["spins"].append(ds.spins)
        acc["fields"].append(ds.fields)
        acc["energies"].append(ds.energies)
        acc["source"].append(src)
        acc["run"].append(np.where(src == "quench", 1000 * k + run, -1))
        from altermag.core.io import load_hdf5

        acc["step"].append(np.asarray(load_hdf5(p)["data"].get("step", np.zeros(len(ds), int))))
    arr = {k: np.concatenate(v) for k, v in acc.items()}
    perm = np.random.default_rng(seed).permutation(len(arr["energies"]))
    arr = {k: v[perm] for k, v in arr.items()}
    inputs = dict(load_dataset(parts[0]).inputs)
    inputs.update({"merged_from": [p.name for p in parts], "shuffle_seed": seed})
    return save_hdf5(work / "train_all.h5", arr, inputs=inputs)


def train_files(work: Path) -> list[str]:
    if not (work / "train_all.h5").is_file():
        merge_training_files(work)
    return [str(work / "train_all.h5")]


def test_files(work: Path) -> list[str]:
    return sorted(str(p) for p in work.glob("test_*.h5"))


def config(work: Path, epochs: int, hidden, lr: float, lr_decay: float, batch: int, threads: int,
           descriptor: dict | None = None, run: str = "run"):
    from altermag.dynamics.training import TrainConfig

    return TrainConfig(data=train_files(work), out=str(work / run), descriptor=descriptor or {},
                       hidden=list(hidden), epochs=epochs, batch_size=batch, lr=lr, lr_decay=lr_decay,
                       val_fraction=0.15, seed=0, threads=threads)


def evaluate_model(model, files: list[str]) -> dict:
    """Relative transverse RMSE of ``model`` (path or SpinForceField) per source on the given dataset files."""
    import torch

    from altermag.dynamics.dataset import load_dataset
    from altermag.dynamics.network import SpinForceField

    ff = SpinForceField.load(model) if isinstance(model, (str, Path)) else model
    acc: dict[str, list] = {}
    for f in files:
        ds = load_dataset(f)
        idx = ff.descriptor.index_tensors(ds.lattice())
        for c in range(len(ds)):
            S = torch.as_tensor(ds.spins[c])
            _, H = ff.energy_and_field(S, idx)
            H = H.detach().numpy()
            Sn = ds.spins[c]
            Hp = H - (H * Sn).sum(1, keepdims=True) * Sn
            Ht = ds.fields[c] - (ds.fields[c] * Sn).sum(1, keepdims=True) * Sn
            src = str(ds.source[c])
            acc.setdefault(src, []).append((Hp, Ht))
            acc.setdefault("all", []).append((Hp, Ht))
            acc.setdefault(f"{Path(f).stem}/{src}", []).append((Hp, Ht))  # per file (quench temperature)
    out = {}
    for src, pairs in acc.items():
        p = np.concatenate([a for a, _ in pairs])
        t = np.concatenate([b for _, b in pairs])
        rmse = float(np.sqrt(((p - t) ** 2).sum(1).mean()))
        rms = float(np.sqrt((t**2).sum(1).mean()))
        out[src] = {"n_configs": len(pairs), "n_sites": int(len(t)), "field_rms": rms, "field_rmse": rmse,
                    "relative_field_rmse": rmse / rms, "pred": p, "true": t}
    return out


def finetune(work: Path, src: str, dst: str, epochs: int, lr: float, lr_min: float, batch: int, seed: int = 1) -> dict:
    """Warm restart: continue the best model of run ``src`` with Adam and a cosine learning-rate schedule from
    ``lr`` to ``lr_min`` over ``epochs`` (same data, same train/validation split, same loss as ``train``, built
    from :mod:`altermag.dynamics.training`'s own data/loss/evaluation helpers). Writes ``<work>/<dst>/`` with
    ``model.pt``, ``config.yaml`` (the source configuration plus a ``finetune`` entry, kept in the metrics),
    ``history.csv`` and ``metrics.json`` like a training run; the best epoch by validation error is kept."""
    import math

    import torch
    import yaml

    from altermag.core.io import save_csv, save_json
    from altermag.dynamics import training as tr
    from altermag.dynamics.network import SpinForceField

    sdir, ddir = work / src, work / dst
    ddir.mkdir(parents=True, exist_ok=True)
    cfg = tr.TrainConfig.from_yaml(sdir / "config.yaml")
    cfg.data = train_files(work)  # (re-)merged pool: includes any --round pools generated since the source run
    ff = SpinForceField.load(sdir / "model.pt")
    data = tr.TrainingData(cfg, ff, torch.device("cpu"))  # same seed and files -> the same split as the source run
    opt = torch.optim.Adam(ff.network.parameters(), lr=lr)
    val0 = tr.evaluate(ff, data, data.val)["relative_field_rmse"]
    best = {"val": val0, "state": {k: v.clone() for k, v in ff.network.state_dict().items()}, "epoch": 0}
    history = []
    print(json.dumps({"epoch": 0, "val_relative_field_rmse": val0}), flush=True)
    for epoch in range(epochs):
        for g in opt.param_groups:
            g["lr"] = lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * epoch / max(epochs - 1, 1)))
        t0 = time.perf_counter()
        order = np.random.default_rng([seed, epoch]).permutation(len(data.train))
        ff.network.train()
        tot, nb = 0.0, 0
        for b in range(0, len(order), batch):
            opt.zero_grad()
            loss = tr.batch_loss(ff, data, [data.train[j] for j in order[b : b + batch]], cfg)
            loss.backward()
            opt.step()
            tot, nb = tot + float(loss.detach()), nb + 1
        ff.network.eval()
        v = tr.evaluate(ff, data, data.val)["relative_field_rmse"]
        rec = {"epoch": epoch + 1, "train_loss": tot / nb, "val_relative_field_rmse": v,
               "lr": opt.param_groups[0]["lr"], "seconds": time.perf_counter() - t0}
        history.append(rec)
        print(json.dumps(rec), flush=True)
        if v < best["val"]:
            best = {"val": v, "state": {k: t.detach().clone() for k, t in ff.network.state_dict().items()},
                    "epoch": epoch + 1}
    ff.network.load_state_dict(best["state"])
    ff.network.eval()
    val = tr.evaluate(ff, data, data.val)
    by_source = {}
    for s_ in ("random", "quench", "perturbed"):
        sel = [(k, c) for k, c in data.val if data.sets[k]["source"][c] == s_]
        if sel:
            by_source[s_] = tr.public_metrics(tr.evaluate(ff, data, sel))
    src_metrics = json.loads((sdir / "metrics.json").read_text())
    src_metrics = src_metrics.get("data", src_metrics)
    ft = {"from_run": src, "epochs": epochs, "lr": lr, "lr_min": lr_min, "schedule": "cosine", "batch_size": batch,
          "seed": seed, "best_epoch": best["epoch"], "source_best_epoch": src_metrics.get("best_epoch"),
          "source_epochs": src_metrics.get("epochs")}
    metrics = {
        "held_out": tr.public_metrics(val),
        "held_out_by_source": by_source,
        "train_subset": tr.public_metrics(tr.evaluate(ff, data, data.train[: min(len(data.train), 50)])),
        "best_epoch": src_metrics.get("best_epoch"),
        "epochs": src_metrics.get("epochs"),
        "finetune": ft,
        "n_train_configs": len(data.train),
        "n_val_configs": len(data.val),
        "typical_transverse_field": data.h_rms,
        "descriptor": ff.descriptor.summary(),
        "n_parameters": int(sum(p.numel() for p in ff.network.parameters())),
        "device": "cpu",
        "training_seconds": float(src_metrics.get("training_seconds", 0.0)) + sum(h["seconds"] for h in history),
    }
    raw = cfg.as_dict()
    raw["out"] = str(ddir)
    (ddir / "config.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    ff.save(ddir / "model.pt", training={**raw, "finetune": ft}, metrics=tr.public_metrics(val))
    save_json(ddir / "metrics.json", metrics, inputs={"config": raw, "finetune": ft})
    save_csv(ddir / "history.csv", {k: np.array([h[k] for h in history]) for k in history[0]},
             inputs={"config": raw, "finetune": ft})
    return metrics


def _public(d):
    from altermag.dynamics.training import public_metrics

    return {k: public_metrics(v) for k, v in d.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stage", choices=["generate", "train", "finetune", "evaluate", "ship"])
    ap.add_argument("--work", default="/tmp/sd120")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--test-only", action="store_true")
    ap.add_argument("--round", type=int, default=0, help="generate: extra training pool with fresh seeds (r > 0)")
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--hidden", default="64,64,32")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--lr-decay", type=float, default=0.95)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--descriptor", default="{}", help="JSON dict of MagneticDescriptor options")
    ap.add_argument("--run", default="run")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--model", default=None)
    ap.add_argument("--from-run", default=None, help="finetune: source run directory name (in --work)")
    ap.add_argument("--lr-min", type=float, default=1e-5, help="finetune: final learning rate (cosine)")
    args = ap.parse_args(argv)
    os.environ.setdefault("ALTERMAG_NO_PROGRESS", "1")
    work = Path(args.work)
    if args.stage == "generate":
        generate(work, args.workers, args.test_only, args.round)
    elif args.stage == "train":
        from altermag.dynamics.training import train

        cfg = config(work, args.epochs, [int(x) for x in args.hidden.split(",")], args.lr, args.lr_decay,
                     args.batch, args.threads, json.loads(args.descriptor), args.run)

        def log(rec):
            print(json.dumps(rec), flush=True)

        res = train(cfg, resume=args.resume, progress=False, log=log)
        print(json.dumps({k: v for k, v in res["metrics"].items() if k != "descriptor"}, indent=1, default=str))
    elif args.stage == "finetune":
        m = finetune(work, args.from_run, args.run, args.epochs, args.lr, args.lr_min, args.batch)
        print(json.dumps({k: v for k, v in m.items() if k != "descriptor"}, indent=1, default=str))
    elif args.stage == "evaluate":
        model = args.model or str(work / args.run / "model.pt")
        res = evaluate_model(model, test_files(work))
        print(json.dumps(_public(res), indent=1))
    elif args.stage == "ship":
        ship(work, args.run)


def ship(work: Path, run: str = "run") -> None:
    """Copy the trained model into the package with its config and held-out + test metrics; parity figure."""
    import yaml

    from altermag.core.io import load_json, save_json
    from altermag.dynamics.training import parity_plot

    rdir = work / run
    dest = ROOT / "altermag" / "dynamics" / "data"
    shutil.copy(rdir / "model.pt", dest / "sd-triangular-120.pt")
    cfg = yaml.safe_load((rdir / "config.yaml").read_text())
    (dest / "sd-triangular-120.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    m = load_json(rdir / "metrics.json")
    m = m.get("data", m)
    test = evaluate_model(str(rdir / "model.pt"), test_files(work))
    gen = json.loads((work / "generate_log.json").read_text()) if (work / "generate_log.json").is_file() else {}
    m["independent_test"] = _public(test)
    m["training_data"] = {
        "files": [f"{Path(f).name}" for f in train_files(work)],
        "test_files": [f"{Path(f).name}" for f in test_files(work)],
        "model": MODEL_TEXT,
        "origin": (f"ED-LLG quench runs from random spins (alpha=0.5, dt=0.4, 400 steps, snapshot every 8) at "
                   f"T in {list(TEMPS)} (3 runs each for training, 1 each for the test set), random "
                   f"configurations, 120-degree states + Gaussian noise {list(NOISES)}; recipe bench/train_sd120.py"),
        "generation_wall_seconds": gen,
    }
    save_json(dest / "sd-triangular-120.metrics.json", m, inputs={"config": cfg, "recipe": "bench/train_sd120.py"})
    fig = ROOT / "docs" / "figures" / "dynamics_ml" / "parity_heldout_120.png"
    parity_plot(test["all"], fig, title="sd-triangular-120: independent test set (12x12 ED)")
    print(json.dumps(_public(test), indent=1))
    print(f"shipped {dest / 'sd-triangular-120.pt'}; figure {fig}")


if __name__ == "__main__":
    main()
