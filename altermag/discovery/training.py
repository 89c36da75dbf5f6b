"""A small, deterministic training loop: checkpoints, bit-for-bit resume, DDP, YAML run configs.

Used by :func:`altermag.discovery.nwr_gae.pretrain` and :func:`altermag.discovery.classifier.train_classifier`.

* **Task modules.** The loop trains an ``nn.Module`` whose ``forward(ctx)`` returns ``(loss_part, metrics)``
  for one step. ``ctx`` (:class:`StepContext`) holds the *global* batch (item indices, identical on every
  process), the slice of it this process works on, and a ``torch.Generator``. A task draws all its random
  numbers for the **global** batch from that generator and keeps its own slice, and normalises its loss by
  global counts, so that ``loss_part`` summed over processes is the single-process loss. Hence DDP with W
  processes computes the same gradient as one process (up to floating-point summation order).
* **Data order.** Epoch e visits ``permutation(items)`` drawn from ``numpy.random.default_rng([seed, e])``:
  a pure function of (seed, epoch), so resuming needs only (epoch, step in epoch).
* **Checkpoints** (``out_dir/checkpoint.pt``, written atomically every ``checkpoint_every`` optimizer steps
  and at each epoch end, by rank 0): model and optimizer states (the learning rate is a function of the
  epoch), the task generator's state, the
  torch / NumPy / Python global RNG states, epoch, step, history and the task's ``extra`` state (e.g. the
  early-stopping best weights). ``resume=True`` restores all of it and skips the finished steps: a run
  killed with SIGKILL and resumed ends with the same weights, bit for bit, as an uninterrupted run (CPU,
  deterministic algorithms, same thread count).
* **Run configs**: ``out_dir/config.yaml`` holds the full configuration of the run (and ``history.json`` the
  per-epoch metrics, saved with provenance).
* **DDP**: launched with ``torchrun --nproc_per_node W ...``, the loop initialises ``torch.distributed``
  (gloo on CPU, NCCL on CUDA) from the environment, wraps the task in ``DistributedDataParallel`` and gives
  rank r the r-th contiguous part of every global batch.
"""

from __future__ import annotations

import os
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from altermag.core.errors import ParameterError
from altermag.core.optim import Adam
from altermag.core.log import get_logger

_log = get_logger(__name__)

CHECKPOINT = "checkpoint.pt"


@dataclass
class LoopConfig:
    """epochs; batch_size (global, over all processes); lr (Adam); weight_decay; milestones/gamma
    (MultiStepLR, in epochs); seed; checkpoint_every (optimizer steps, 0 = only at epoch ends);
    device ('cpu', 'cuda' or 'auto'); threads (torch intra-op threads, None = leave); grad_clip (None = off)."""

    epochs: int = 10
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 0.0
    milestones: tuple = (100,)
    gamma: float = 0.1
    seed: int = 0
    checkpoint_every: int = 0
    device: str = "cpu"
    threads: int | None = None
    grad_clip: float | None = None

    def validate(self) -> None:
        if self.epochs < 1:
            raise ParameterError(f"epochs = {self.epochs} must be >= 1")
        if self.batch_size < 1:
            raise ParameterError(f"batch_size = {self.batch_size} must be >= 1")
        if not (0 < self.lr < 10):
            raise ParameterError(f"lr = {self.lr} is outside the allowed range (0, 10)")
        if self.checkpoint_every < 0:
            raise ParameterError(f"checkpoint_every = {self.checkpoint_every} must be >= 0")


@dataclass
class StepContext:
    """What a task's forward needs for one step (see the module docstring)."""

    indices: np.ndarray  # global batch: item indices (may repeat: up-sampling)
    lo: int  # this process works on indices[lo:hi]
    hi: int
    generator: torch.Generator
    epoch: int
    world_size: int = 1
    device: Any = "cpu"

    @property
    def local(self) -> np.ndarray:
        return self.indices[self.lo:self.hi]


@dataclass
class DistInfo:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    initialised_here: bool = False

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def dist_info(device: str = "cpu") -> DistInfo:
    """Initialise torch.distributed from torchrun's environment (gloo on CPU, NCCL on CUDA) when
    ``WORLD_SIZE`` > 1; otherwise a single-process DistInfo."""
    ws = int(os.environ.get("WORLD_SIZE", "1"))
    if ws <= 1:
        return DistInfo()
    import torch.distributed as dist

    here = False
    if not dist.is_initialized():
        backend = "nccl" if str(device).startswith("cuda") else "gloo"
        dist.init_process_group(backend=backend)
        here = True
    return DistInfo(rank=dist.get_rank(), world_size=dist.get_world_size(),
                    local_rank=int(os.environ.get("LOCAL_RANK", "0")), initialised_here=here)


def resolve_device(device: str, info: DistInfo) -> torch.device:
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ParameterError("device = 'cuda' but no CUDA device is available")
        return torch.device(f"cuda:{info.local_rank}" if info.world_size > 1 else device)
    return torch.device("cpu")


def save_yaml(path: Path, data: dict) -> None:
    import yaml

    from altermag.core.io import to_jsonable

    path.write_text(yaml.safe_dump(to_jsonable(data), sort_keys=False))


def epoch_order(items: np.ndarray, seed: int, epoch: int) -> np.ndarray:
    """Visiting order of ``items`` in ``epoch``: a pure function of (seed, epoch)."""
    return np.random.default_rng([int(seed), int(epoch)]).permutation(items)


def multistep_lr(base: float, milestones, gamma: float, epoch: int) -> float:
    """MultiStepLR: base · gamma^(number of milestones ≤ epoch)."""
    return base * gamma ** sum(1 for m in milestones if epoch >= m)


def _atomic_torch_save(obj, path: Path) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def _rng_states(gen: torch.Generator) -> dict:
    return {"task": gen.get_state(), "torch": torch.get_rng_state(), "numpy": np.random.get_state(),
            "python": random.getstate(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None}


def _set_rng_states(gen: torch.Generator, st: dict) -> None:
    gen.set_state(st["task"])
    torch.set_rng_state(st["torch"])
    np.random.set_state(st["numpy"])
    random.setstate(st["python"])
    if st.get("cuda") is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(st["cuda"])


@dataclass
class LoopResult:
    history: list[dict] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    stopped_early: bool = False
    steps: int = 0


#: settings that may change between a run and its resumption (they do not change the numbers on CPU)
RESUME_FREE = ("checkpoint_every", "threads", "device", "world_size")


def _flat_settings(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat_settings(v, f"{prefix}{k}."))
        elif k not in RESUME_FREE:
            out[f"{prefix}{k}"] = list(v) if isinstance(v, tuple) else v
    return out


def _check_resume_settings(path: Path, ck: dict, now: dict) -> None:
    """--resume with other settings than the checkpointed run would silently mix two runs: refuse it."""
    if "settings" not in ck:
        return
    new = _flat_settings(now)
    diff = sorted(k for k in set(ck["settings"]) | set(new) if ck["settings"].get(k) != new.get(k))
    if diff:
        shown = ", ".join(f"{k}: {ck['settings'].get(k)!r} → {new.get(k)!r}" for k in diff[:4])
        raise ParameterError(f"{path}: cannot resume with changed settings ({shown}"
                             f"{', …' if len(diff) > 4 else ''}); use the run's settings or a new --out folder")


def train_loop(task: torch.nn.Module, items: np.ndarray, config: LoopConfig, *, out_dir=None,
               resume: bool = False, run_config: dict | None = None,
               epoch_end: Callable[[torch.nn.Module, int, dict, dict], bool] | None = None,
               extra: dict | None = None, desc: str = "training", kill_after_steps: int | None = None
               ) -> LoopResult:
    """Train ``task`` over ``items`` (an index array; repeats allowed). See the module docstring.

    epoch_end(task, epoch, metrics, extra) → stop? is called on every process after each epoch (it may
    evaluate a validation set, update ``extra`` and ``metrics``). ``run_config`` is written to
    ``out_dir/config.yaml``. ``kill_after_steps`` (testing only) raises SystemExit after that many steps.
    """
    from altermag.core.progress import progress

    config.validate()
    info = dist_info(config.device)
    device = resolve_device(config.device, info)
    if config.threads:
        torch.set_num_threads(int(config.threads))
    # (torch.use_deterministic_algorithms is not called: it imports torch._inductor, ~7 s; every op used
    # here — Linear, index_add_ on CPU, gather, argsort(stable) — is deterministic on CPU already)
    task.to(device)
    out = Path(out_dir) if out_dir is not None else None
    if out is not None and info.is_main:
        out.mkdir(parents=True, exist_ok=True)
        save_yaml(out / "config.yaml", {"loop": asdict(config), **(run_config or {}),
                                        "world_size": info.world_size})
    torch.manual_seed(config.seed)
    np.random.seed(config.seed % 2**32)
    random.seed(config.seed)
    gen = torch.Generator().manual_seed(config.seed)
    params = [p for p in task.parameters() if p.requires_grad]
    opt = Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    result = LoopResult(extra=dict(extra or {}))
    epoch, step_in_epoch, global_step = 0, 0, 0
    sums: dict[str, float] = {}  # running metric sums of the current epoch (checkpointed)
    items = np.asarray(items)
    if resume and out is not None and (out / CHECKPOINT).exists():
        ck = torch.load(out / CHECKPOINT, map_location=device, weights_only=False)
        _check_resume_settings(out / CHECKPOINT, ck, {"loop": asdict(config), **(run_config or {})})
        try:
            task.load_state_dict(ck["model"])
        except RuntimeError as exc:
            raise ParameterError(f"{out / CHECKPOINT}: the checkpoint does not fit this model "
                                 f"({str(exc).splitlines()[0]}); resume with the run's own settings") from None
        opt.load_state_dict(ck["optimizer"])
        _set_rng_states(gen, ck["rng"])
        epoch, step_in_epoch, global_step = ck["epoch"], ck["step_in_epoch"], ck["global_step"]
        result.history, result.extra = ck["history"], ck["extra"]
        sums.update(ck.get("epoch_sums", {}))
        if ck.get("finished"):
            result.steps = global_step
            result.stopped_early = ck.get("stopped_early", False)
            return result
        _log.info("resumed from %s at epoch %d step %d", out / CHECKPOINT, epoch, step_in_epoch)
    model = task
    if info.world_size > 1:
        from torch.nn.parallel import DistributedDataParallel as DDP

        # device_ids=None: the task (already on its device) receives the StepContext unchanged; DDP does
        # not try to move a dataclass holding a torch.Generator
        model = DDP(task, device_ids=None)

    def checkpoint(finished=False, stopped=False):
        if out is None or not info.is_main:
            return
        _atomic_torch_save({"model": task.state_dict(), "optimizer": opt.state_dict(), "rng": _rng_states(gen), "epoch": epoch,
                            "step_in_epoch": step_in_epoch, "global_step": global_step,
                            "history": result.history, "extra": result.extra, "finished": finished,
                            "stopped_early": stopped, "config": asdict(config),
                            "settings": _flat_settings({"loop": asdict(config), **(run_config or {})}),
                            "epoch_sums": dict(sums)}, out / CHECKPOINT)

    B = config.batch_size
    n_batches = int(np.ceil(len(items) / B))
    bar = progress(total=config.epochs * n_batches, desc=desc, disable=None if info.is_main else True)
    bar.update(epoch * n_batches + step_in_epoch)
    stopped = False
    while epoch < config.epochs:
        order = epoch_order(items, config.seed, epoch)
        opt.lr = multistep_lr(config.lr, config.milestones, config.gamma, epoch)
        task.train()
        if step_in_epoch == 0:
            sums.clear()
        for b in range(step_in_epoch, n_batches):
            idx = order[b * B:(b + 1) * B]
            per = int(np.ceil(len(idx) / info.world_size))
            lo, hi = min(info.rank * per, len(idx)), min((info.rank + 1) * per, len(idx))
            ctx = StepContext(indices=idx, lo=lo, hi=hi, generator=gen, epoch=epoch,
                              world_size=info.world_size, device=device)
            opt.zero_grad()
            loss_part, metrics = model(ctx)
            (loss_part * info.world_size).backward()
            if config.grad_clip:
                torch.nn.utils.clip_grad_norm_(params, config.grad_clip)
            opt.step()
            for k, v in metrics.items():
                sums[k] = sums.get(k, 0.0) + float(v)
            sums["loss"] = sums.get("loss", 0.0) + float(loss_part.detach())
            step_in_epoch, global_step = b + 1, global_step + 1
            bar.update(1)
            if config.checkpoint_every and global_step % config.checkpoint_every == 0 and b + 1 < n_batches:
                checkpoint()
            if kill_after_steps is not None and global_step >= kill_after_steps:
                raise SystemExit(f"stopped after {global_step} steps (kill_after_steps)")
        if info.world_size > 1:
            import torch.distributed as dist

            keys = sorted(sums)
            t = torch.tensor([sums[k] for k in keys], dtype=torch.float64, device=device)
            dist.all_reduce(t)
            epoch_sums = dict(zip(keys, t.tolist()))
        else:
            epoch_sums = dict(sums)
        metrics = {k: v / n_batches for k, v in epoch_sums.items()}
        metrics.update(epoch=epoch, lr=opt.lr)
        if epoch_end is not None:
            stopped = bool(epoch_end(task, epoch, metrics, result.extra))
        result.history.append(metrics)
        epoch, step_in_epoch = epoch + 1, 0
        sums.clear()
        checkpoint(finished=stopped or epoch >= config.epochs, stopped=stopped)
        if stopped:
            break
    bar.close()
    result.stopped_early = stopped
    result.steps = global_step
    if out is not None and info.is_main:
        from altermag.core.io import save_json

        save_json(out / "history.json", result.history, inputs={"loop": asdict(config), **(run_config or {})})
    return result
