"""Training Behler-Parrinello spin force fields on ED/KPM fields (spec §3, §9 step 5).

Loss (per batch of configurations)::

    L = mean_i |H⊥_i^ML − H⊥_i^data|² / h²  +  λ_E · mean_c ((E_c^ML − E_c^data)/N_c)² / e²

with ``H⊥ = H − (H·S)S`` the transverse field (``target="full"`` uses all three components),
``h`` the rms transverse field of the training set and ``e`` the spread of the energies per site
(so both terms are dimensionless). Adam, float64, learning rate decayed by ``lr_decay`` per epoch.

Held-out evaluation: whole quench runs (and a fraction of the random configurations) are kept out of
training (``val_fraction``); the reported figure of merit is the **relative transverse-field RMSE**
``RMSE(H⊥^ML − H⊥^data) / rms(H⊥^data)`` on them (target ≤ 1 %).

A run directory holds ``config.yaml`` (the full configuration), ``checkpoint.pt`` (model,
optimiser, history; ``resume=True`` continues from it and gives the same result as an
uninterrupted run), ``model.pt`` (the best model by validation error), ``history.csv``,
``metrics.json`` (with inputs/provenance) and ``parity.png``.

Driven strips (issue 8, spec §6): ``field_form="two-potential"`` (``n_outputs = 2``) trains
``H^ML = S × F^A − (F^B)⊥`` (transverse by construction) against the transverse data field; the
energy term is not used (a driven field has no energy). ``site_inputs = {"encoding", "n_boundary"}``
adds per-site inputs built from each configuration's lattice and bias
(:func:`~altermag.dynamics.two_potential.strip_inputs`); the extra input columns are scaled by their
largest magnitude in the standardisation sample but not shifted (so that a bias ``V`` the model was not
trained on still gives a finite input). Energies that are NaN are ignored.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from altermag.core.errors import ParameterError

__all__ = ["TrainConfig", "TrainingData", "train", "batch_loss", "evaluate", "public_metrics", "parity_plot", "resolve_device"]


@dataclass
class TrainConfig:
    """All settings of a training run (saved as ``config.yaml`` in the run directory).

    ``init_model``: path of a saved model of the same architecture to start from (fine-tuning on more data);
    its weights and input standardisation are kept. Default: fresh weights from ``seed``.
    """

    data: list[str] = field(default_factory=list)
    out: str = "ml_run"
    descriptor: dict[str, Any] = field(default_factory=dict)
    hidden: list[int] = field(default_factory=lambda: [64, 64, 32])
    activation: str = "silu"
    n_outputs: int = 1
    epochs: int = 20
    batch_size: int = 4
    lr: float = 2e-3
    lr_decay: float = 0.9
    energy_weight: float = 0.0
    target: str = "transverse"
    val_fraction: float = 0.2
    seed: int = 0
    device: str = "auto"
    threads: int | None = None
    checkpoint_every: int = 1
    max_configs: int | None = None
    field_form: str = "gradient"
    site_inputs: dict[str, Any] | None = None
    init_model: str | None = None

    @classmethod
    def from_yaml(cls, path: str | Path, **overrides: Any) -> TrainConfig:
        import yaml

        with open(path, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh) or {}
        raw.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_dict(raw)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TrainConfig:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(raw) - names
        if unknown:
            raise ParameterError(f"unknown training options {sorted(unknown)}; allowed: {sorted(names)}")
        cfg = cls(**raw)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        if self.target not in ("transverse", "full"):
            raise ParameterError(f"target must be 'transverse' or 'full', got {self.target!r}")
        if not 0.0 <= self.val_fraction < 1.0:
            raise ParameterError(f"val_fraction must lie in [0, 1), got {self.val_fraction}")
        if self.epochs < 0 or self.batch_size < 1 or self.lr <= 0:
            raise ParameterError(
                f"need epochs >= 0, batch_size >= 1, lr > 0; got {self.epochs}, {self.batch_size}, {self.lr}"
            )
        if not 0 < self.lr_decay <= 1:
            raise ParameterError(f"lr_decay must lie in (0, 1], got {self.lr_decay}")
        if self.energy_weight < 0:
            raise ParameterError(f"energy_weight must be >= 0, got {self.energy_weight}")
        from altermag.dynamics.two_potential import FIELD_FORMS, check_site_inputs

        if self.field_form not in FIELD_FORMS:
            raise ParameterError(f"field_form must be one of {FIELD_FORMS}, got {self.field_form!r}")
        if self.field_form == "two-potential":
            if self.n_outputs != 2:
                raise ParameterError(f"field_form='two-potential' needs n_outputs = 2, got {self.n_outputs}")
            if self.target != "transverse":
                raise ParameterError("field_form='two-potential' trains on the transverse field only (target='transverse')")
            if self.energy_weight > 0:
                raise ParameterError("energy_weight must be 0 for field_form='two-potential' (a driven field has no energy)")
        check_site_inputs(self.site_inputs)
        if self.init_model is not None and not Path(self.init_model).is_file():
            raise ParameterError(f"init_model {self.init_model}: no such model file")

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def resolve_device(device: str) -> str:
    """``"auto"`` -> ``"cuda"`` when a GPU is available, else ``"cpu"``."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ParameterError(f"device={device!r} requested but CUDA is not available")
    return device


# ----------------------------------------------------------------------------------------- data


class TrainingData:
    """Configurations grouped by lattice, as torch tensors on the device, with a train/validation split."""

    def __init__(self, cfg: TrainConfig, ff, device):
        import torch

        from altermag.dynamics.dataset import load_dataset

        if not cfg.data:
            raise ParameterError("no training data given (config 'data': list of HDF5 files)")
        self.sets = []
        rng = np.random.default_rng(cfg.seed)
        self.train: list[tuple[int, int]] = []
        self.val: list[tuple[int, int]] = []
        for k, path in enumerate(cfg.data):
            ds = load_dataset(path)
            if ds.kind != ff.descriptor.lattice_kind:
                raise ParameterError(f"{path}: {ds.kind} lattice, but the descriptor is for {ff.descriptor.lattice_kind}")
            if cfg.max_configs is not None and len(ds) > cfg.max_configs:
                ds = ds.subset(np.sort(rng.choice(len(ds), cfg.max_configs, replace=False)))
            lat = ds.lattice()
            idx = ff.descriptor.index_tensors(lat)
            idx["neighbors"] = idx["neighbors"].to(device)
            S = torch.as_tensor(ds.spins, device=device)
            H = torch.as_tensor(ds.fields, device=device)
            site_inputs = getattr(ff, "site_inputs", None)
            base = vcol = every = None
            if site_inputs is not None:
                from altermag.dynamics.two_potential import strip_inputs

                if site_inputs.get("potential"):  # depends on each configuration's spins: precomputed per configuration
                    bias = np.asarray(ds.bias, dtype=float)
                    every = torch.as_tensor(
                        np.stack([strip_inputs(lat, bias[c], spins=ds.spins[c], **site_inputs) for c in range(len(ds))]),
                        device=device,
                    )
                else:
                    base = torch.as_tensor(strip_inputs(lat, 0.0, **site_inputs), device=device)
                    vcol = torch.as_tensor(strip_inputs(lat, 1.0, **site_inputs), device=device) - base
            self.sets.append(
                {
                    "path": path,
                    "index": idx,
                    "spins": S,
                    "fields": H,
                    "fields_t": H - (H * S).sum(-1, keepdim=True) * S,
                    "energies": torch.as_tensor(ds.energies, device=device),
                    "N": lat.n_sites,
                    "source": ds.source,
                    "bias": np.asarray(ds.bias, dtype=float),
                    "extra_base": base,
                    "extra_bias": vcol,
                    "extra_all": every,
                }
            )
            # split by groups (a quench run is one group, every random configuration its own), stratified by
            # source so that the held-out set has whole quench runs and random configurations alike
            run = np.asarray(load_run_ids(path, len(ds), ds))
            val_groups: set = set()
            for src in sorted(set(np.asarray(ds.source).tolist())):
                groups = sorted(set(run[np.asarray(ds.source) == src].tolist()))
                n_val = int(round(cfg.val_fraction * len(groups)))
                if cfg.val_fraction > 0 and len(groups) >= 2:
                    n_val = min(max(n_val, 1), len(groups) - 1)
                gperm = rng.permutation(len(groups))
                val_groups |= {groups[g] for g in gperm[:n_val]}
            for c in range(len(ds)):
                (self.val if run[c] in val_groups else self.train).append((k, c))
        if not self.train:
            raise ParameterError("the training split is empty (too few configurations for val_fraction)")
        Ht = torch.cat([self.sets[k]["fields_t"][c] for k, c in self.train])
        self.h_rms = float(torch.sqrt((Ht * Ht).sum(-1).mean()))
        e = np.array([float(self.sets[k]["energies"][c]) / self.sets[k]["N"] for k, c in self.train])
        e = e[np.isfinite(e)]
        self.e_mean = float(e.mean()) if len(e) else 0.0
        self.e_scale = float(max(e.std(), 1e-3)) if len(e) else 1.0

    def stacked(self, k: int, configs: list[int]):
        """Configurations ``configs`` of set ``k`` stacked along the site axis for one batched forward pass:
        spins (B·N, 3), transverse target fields (B·N, 3), the stacked index tensors (cached per B) and the
        stacked site inputs (None without site inputs)."""
        import torch

        from altermag.dynamics.descriptors import MagneticDescriptor

        s = self.sets[k]
        cache = s.setdefault("stacked_index", {})
        B = len(configs)
        if B not in cache:
            cache[B] = MagneticDescriptor.stack_index(s["index"], B)
        S = torch.cat([s["spins"][c] for c in configs])
        Ht = torch.cat([s["fields_t"][c] for c in configs])
        extra = None if self.extra(k, configs[0]) is None else torch.cat([self.extra(k, c) for c in configs])
        return S, Ht, cache[B], extra

    def extra(self, k: int, c: int):
        """Per-site extra inputs (N, n_extra) of configuration ``c`` of set ``k`` (None without site inputs)."""
        s = self.sets[k]
        if s["extra_all"] is not None:
            return s["extra_all"][c]
        if s["extra_base"] is None:
            return None
        return s["extra_base"] + float(s["bias"][c]) * s["extra_bias"]


def load_run_ids(path, n, ds) -> np.ndarray:
    """Group ids of the configurations of a dataset file (quench run id, unique ids for random ones)."""
    from altermag.core.io import load_hdf5

    d = load_hdf5(path)["data"]
    run = np.asarray(d.get("run", np.arange(n)))
    if ds is not None and len(run) != len(ds):  # subset taken: fall back to one group per configuration
        return np.arange(len(ds))
    src = np.asarray(d.get("source", ["random"] * n))
    inputs = (load_hdf5(path).get("provenance") or {}).get("inputs", {}) or {}
    if inputs.get("group_by_run"):  # save_spin_dataset with explicit run ids: whole runs are held out
        return np.where(run >= 0, run, 10**6 + np.arange(n))
    out = np.where(src == "quench", run, 10**6 + np.arange(n))
    return out


# ------------------------------------------------------------------------------------ training


def batch_loss(ff, data: TrainingData, batch, cfg: TrainConfig):
    """The training loss (normalised transverse-field MSE + weighted energy term) of ``batch`` [(set, config), ...]."""
    import torch

    from altermag.dynamics.two_potential import two_potential_field

    loss_f = 0.0
    loss_e = 0.0
    n_sites = 0
    two = getattr(ff, "field_form", "gradient") == "two-potential"
    if cfg.energy_weight == 0 and len(batch) > 1 and hasattr(data, "stacked"):
        # no per-configuration energies needed: configurations of one lattice go through the network together
        for k in sorted({k for k, _ in batch}):
            cs = [c for kk, c in batch if kk == k]
            S, Ht, idx, extra = data.stacked(k, cs)
            _, F = ff.forces(S, idx, extra, create_graph=True)
            if two:  # the two-potential field is transverse by construction
                err = two_potential_field(F[0], F[1], S) - Ht
            elif cfg.target == "transverse":
                err = F[0] - (F[0] * S).sum(-1, keepdim=True) * S - Ht
            else:
                err = F[0] - torch.cat([data.sets[k]["fields"][c] for c in cs])
            loss_f = loss_f + (err * err).sum()
            n_sites += S.shape[0]
        return loss_f / n_sites / data.h_rms**2
    for k, c in batch:
        s = data.sets[k]
        S = s["spins"][c]
        extra = data.extra(k, c) if hasattr(data, "extra") else None
        E, F = ff.forces(S, s["index"], extra, create_graph=True)
        if two:
            err = two_potential_field(F[0], F[1], S) - s["fields_t"][c]
            loss_f = loss_f + (err * err).sum()
            n_sites += S.shape[0]
            continue
        H = F[0]
        if cfg.target == "transverse":
            Hp = H - (H * S).sum(-1, keepdim=True) * S
            err = Hp - s["fields_t"][c]
        else:
            err = H - s["fields"][c]
        loss_f = loss_f + (err * err).sum()
        n_sites += S.shape[0]
        if cfg.energy_weight > 0 and bool(torch.isfinite(s["energies"][c])):
            de = (E[0] - s["energies"][c]) / s["N"] / data.e_scale
            loss_e = loss_e + de * de
    loss = loss_f / n_sites / data.h_rms**2
    if cfg.energy_weight > 0:
        loss = loss + cfg.energy_weight * loss_e / len(batch)
    return loss if torch.is_tensor(loss) else torch.tensor(loss)


def evaluate(ff, data_or_sets, configs=None, h_rms: float | None = None) -> dict[str, Any]:
    """Field and energy errors of ``ff`` on ``configs`` [(set, config), ...] of a ``TrainingData``.

    Returns ``field_rmse`` (transverse, t1), ``field_rms`` (rms transverse data field),
    ``relative_field_rmse`` (their ratio), ``field_mae``, ``energy_rmse_per_site`` (NaN for a
    two-potential model or without finite energies) and the predicted/true transverse components (for
    parity plots). Works for both field forms (``ff.field_form``).
    """
    data = data_or_sets
    pred, true, de = [], [], []
    for k, c in configs:
        s = data.sets[k]
        S = s["spins"][c]
        extra = data.extra(k, c) if hasattr(data, "extra") else None
        E, H = ff.model_field(S, s["index"], extra)
        Hp = H - (H * S).sum(-1, keepdim=True) * S
        pred.append(Hp.detach().cpu().numpy().reshape(-1, 3))
        true.append(s["fields_t"][c].cpu().numpy().reshape(-1, 3))
        de.append((float(E) - float(s["energies"][c])) / s["N"])
    if not pred:
        return {}
    pred_a, true_a = np.concatenate(pred), np.concatenate(true)
    err = pred_a - true_a
    rmse = float(np.sqrt((err**2).sum(1).mean()))
    rms = float(np.sqrt((true_a**2).sum(1).mean()))
    de = np.array(de)
    de = de[np.isfinite(de)]
    return {
        "field_rmse": rmse,
        "field_rms": rms,
        "relative_field_rmse": rmse / rms,
        "field_mae": float(np.abs(err).mean()),
        "field_max_error": float(np.abs(err).max()),
        "energy_rmse_per_site": float(np.sqrt(np.mean((de - de.mean()) ** 2))) if len(de) > 1 else float("nan"),
        "energy_offset_per_site": float(de.mean()) if len(de) else float("nan"),
        "n_configs": len(configs),
        "n_sites": int(len(pred_a)),
        "pred": pred_a,
        "true": true_a,
    }


def parity_plot(metrics: dict[str, Any], path: str | Path, title: str = "held-out transverse field") -> Path:
    """Parity plot (predicted vs ED transverse field components) with the relative RMSE in the title."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p, t = metrics["pred"].ravel(), metrics["true"].ravel()
    fig, ax = plt.subplots(figsize=(4.2, 4.0))
    lim = float(max(np.abs(t).max(), np.abs(p).max()) * 1.05)
    ax.plot([-lim, lim], [-lim, lim], "k-", lw=0.8)
    ax.plot(t, p, ".", ms=1.5, alpha=0.4)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_xlabel("ED transverse field component (t1)")
    ax.set_ylabel("ML transverse field component (t1)")
    ax.set_title(f"{title}\nRMSE/rms = {100 * metrics['relative_field_rmse']:.2f} %", fontsize=9)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def public_metrics(m: dict[str, Any]) -> dict[str, Any]:
    """:func:`evaluate`'s metrics without the per-site prediction arrays (JSON-ready)."""
    return {k: v for k, v in m.items() if k not in ("pred", "true")}


def train(config: TrainConfig | dict[str, Any], resume: bool = False, progress: bool = True, log=None) -> dict[str, Any]:
    """Train a force field; returns ``{"model": SpinForceField, "metrics": ..., "history": [...], "out": Path}``.

    ``resume=True`` continues from ``<out>/checkpoint.pt`` (same configuration required).
    """
    import torch
    import yaml

    from altermag.core.io import save_csv, save_json
    from altermag.core.progress import progress as pbar
    from altermag.dynamics.network import SpinForceField

    cfg = config if isinstance(config, TrainConfig) else TrainConfig.from_dict(dict(config))
    cfg.validate()
    device = torch.device(resolve_device(cfg.device))
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    old_threads = torch.get_num_threads()
    if cfg.threads:
        torch.set_num_threads(int(cfg.threads))
    try:
        ff = SpinForceField.create(
            _kind_of(cfg.data[0]) if cfg.data else "triangular",
            cfg.descriptor,
            tuple(cfg.hidden),
            cfg.n_outputs,
            0,
            cfg.activation,
            seed=cfg.seed,
            field_form=cfg.field_form,
            site_inputs=cfg.site_inputs,
        ).to(device)
        data = TrainingData(cfg, ff, device)
        if cfg.field_form == "two-potential" and ff.descriptor.symmetry == "full":
            import warnings

            warnings.warn(
                "two-potential model with a fully D4/D6-invariant descriptor: spin-transfer terms along the bias "
                "direction are not representable in the strip interior; use descriptor={'symmetry': 'D2'} or 'Cs' "
                "(docs/two_potential.md)",
                UserWarning,
                stacklevel=2,
            )
        opt = torch.optim.Adam(ff.network.parameters(), lr=cfg.lr)
        sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=cfg.lr_decay)
        history: list[dict[str, Any]] = []
        best = {"val": float("inf"), "state": None, "epoch": -1}
        start_epoch = 0
        ckpt_path = out / "checkpoint.pt"
        if resume:
            if not ckpt_path.is_file():
                raise ParameterError(f"resume=True but there is no checkpoint at {ckpt_path}")
            ck = torch.load(ckpt_path, map_location=device, weights_only=False)
            if ck["config"] != _comparable(cfg):
                raise ParameterError("the checkpoint was written with a different configuration; cannot resume")
            ff.network.load_state_dict(ck["network"])
            opt.load_state_dict(ck["optimizer"])
            sched.load_state_dict(ck["scheduler"])
            history = ck["history"]
            best = ck["best"]
            start_epoch = ck["epoch"]
        elif cfg.init_model:
            # warm start (fine-tuning on more data): weights and input standardisation of a saved model
            src = SpinForceField.load(cfg.init_model, map_location=device)
            keys = ("descriptor", "network", "field_form", "site_inputs")
            a, b = ({k: m.params()[k] for k in keys} for m in (src, ff))
            if a != b:
                raise ParameterError(f"init_model {cfg.init_model}: its architecture {a} differs from this configuration's {b}")
            ff.network.load_state_dict(src.network.state_dict())
        else:
            # standardise inputs and energy offset from a seeded random sample of the training configurations
            # (the first ones of a file may all be one kind, e.g. near-perfect ordered states)
            pick = np.sort(np.random.default_rng(cfg.seed).choice(len(data.train), min(len(data.train), 64),
                                                                  replace=False))
            with torch.no_grad():
                G = torch.cat(
                    [
                        ff.descriptor(data.sets[k]["spins"][c], data.sets[k]["index"])
                        for k, c in (data.train[i] for i in pick)
                    ]
                )
                if ff.network.n_extra_inputs:
                    X = torch.cat([data.extra(k, c) for k, c in (data.train[i] for i in pick)])
                    G = torch.cat([G, X], dim=1)
            offset = [0.0] * cfg.n_outputs if cfg.field_form == "two-potential" else [data.e_mean] * cfg.n_outputs
            ff.network.set_standardisation(G, energy_offset=offset)
            if ff.network.n_extra_inputs:
                # extra inputs (one-hot columns, x, V): scaled by their largest magnitude, not shifted
                with torch.no_grad():
                    nF = ff.network.n_features
                    X = G[:, nF:]
                    ff.network.feature_mean[nF:] = 0.0
                    amax = X.abs().max(0).values
                    ff.network.feature_scale[nF:] = torch.where(amax > 1e-12, amax, torch.ones_like(amax))
        with open(out / "config.yaml", "w", encoding="utf-8") as fh:
            yaml.safe_dump(cfg.as_dict(), fh, sort_keys=False)
        bar = pbar(range(start_epoch, cfg.epochs), desc="train", disable=None if progress else True)
        for epoch in bar:
            t0 = time.perf_counter()
            order = np.random.default_rng([cfg.seed, epoch]).permutation(len(data.train))
            ff.network.train()
            tot, nb = 0.0, 0
            for b in range(0, len(order), cfg.batch_size):
                batch = [data.train[j] for j in order[b : b + cfg.batch_size]]
                opt.zero_grad()
                loss = batch_loss(ff, data, batch, cfg)
                loss.backward()
                opt.step()
                tot += float(loss.detach())
                nb += 1
            sched.step()
            ff.network.eval()
            val = evaluate(ff, data, data.val) if data.val else {}
            rec = {
                "epoch": epoch + 1,
                "train_loss": tot / max(nb, 1),
                "val_relative_field_rmse": val.get("relative_field_rmse", float("nan")),
                "val_field_rmse": val.get("field_rmse", float("nan")),
                "lr": float(opt.param_groups[0]["lr"]),
                "seconds": time.perf_counter() - t0,
            }
            history.append(rec)
            score = rec["val_relative_field_rmse"] if data.val else rec["train_loss"]
            if score < best["val"]:
                best = {
                    "val": score,
                    "state": {k: v.detach().clone() for k, v in ff.network.state_dict().items()},
                    "epoch": epoch + 1,
                }
            if log is not None:
                log(rec)
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{rec['train_loss']:.3g}", val=f"{rec['val_relative_field_rmse']:.3g}")
            if (epoch + 1) % cfg.checkpoint_every == 0 or epoch + 1 == cfg.epochs:
                torch.save(
                    {
                        "config": _comparable(cfg),
                        "epoch": epoch + 1,
                        "network": ff.network.state_dict(),
                        "optimizer": opt.state_dict(),
                        "scheduler": sched.state_dict(),
                        "history": history,
                        "best": best,
                    },
                    ckpt_path,
                )
        if best["state"] is not None:
            ff.network.load_state_dict(best["state"])
        ff.network.eval()
        val = evaluate(ff, data, data.val) if data.val else {}
        trn = evaluate(ff, data, data.train[: min(len(data.train), 50)])
        by_source = {}
        for src in ("random", "quench"):
            sel = [(k, c) for k, c in data.val if data.sets[k]["source"][c] == src]
            if sel:
                by_source[src] = public_metrics(evaluate(ff, data, sel))
        metrics = {
            "held_out": public_metrics(val),
            "held_out_by_source": by_source,
            "train_subset": public_metrics(trn),
            "best_epoch": best["epoch"],
            "epochs": cfg.epochs,
            "n_train_configs": len(data.train),
            "n_val_configs": len(data.val),
            "typical_transverse_field": data.h_rms,
            "descriptor": ff.descriptor.summary(),
            "n_parameters": int(sum(p.numel() for p in ff.network.parameters())),
            "device": str(device),
            "training_seconds": float(sum(h["seconds"] for h in history)),
        }
        inputs = {"config": cfg.as_dict()}
        ff.save(out / "model.pt", training=cfg.as_dict(), metrics=public_metrics(val) if val else public_metrics(trn))
        save_json(out / "metrics.json", metrics, inputs=inputs)
        if history:
            save_csv(out / "history.csv", {k: np.array([h[k] for h in history]) for k in history[0]}, inputs=inputs)
        if val:
            parity_plot(val, out / "parity.png")
        return {"model": ff, "metrics": metrics, "history": history, "out": out}
    finally:
        if cfg.threads:
            torch.set_num_threads(old_threads)


def _comparable(cfg: TrainConfig) -> dict[str, Any]:
    d = cfg.as_dict()
    for k in ("epochs", "out", "device", "threads", "checkpoint_every"):
        d.pop(k, None)
    return d


def _kind_of(path: str) -> str:
    from altermag.core.io import load_hdf5

    inputs = (load_hdf5(path).get("provenance") or {}).get("inputs", {})
    try:
        return inputs["lattice"]["kind"]
    except (KeyError, TypeError) as exc:
        raise ParameterError(f"{path}: no lattice kind recorded; not a dataset from generate_dataset") from exc
