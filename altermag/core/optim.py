"""A dependency-light Adam optimiser shared by the project's training loops.

Why not ``torch.optim.Adam``: constructing any ``torch.optim`` optimiser imports ``torch._dynamo``
(5–7 s per process on this project's 2-core machines), which dominated short runs, CLI calls and every
DDP worker's start-up. The update below is the one of ``torch.optim.Adam`` with default flags
(bias-corrected moments, L2 ``weight_decay`` added to the gradient), and the state round-trips through
``state_dict``/``load_state_dict`` for bit-for-bit resume.
"""

from __future__ import annotations

from typing import Iterable

from altermag.core.errors import ParameterError


class Adam:
    """Adam over parameter groups.

    ``params`` is an iterable of tensors (one group with ``lr``/``weight_decay``) or of dicts
    ``{"params": [...], "lr": ..., "weight_decay": ..., "name": ...}`` (missing keys take the
    defaults). A group whose ``lr`` is 0 keeps its moments up to date but does not move its parameters
    (useful to switch a group on later without a restart).
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        import torch

        if lr < 0 or eps <= 0 or not (0 <= betas[0] < 1 and 0 <= betas[1] < 1) or weight_decay < 0:
            raise ParameterError(f"Adam: need lr ≥ 0, eps > 0, 0 ≤ betas < 1, weight_decay ≥ 0; got lr={lr}, "
                                 f"betas={betas}, eps={eps}, weight_decay={weight_decay}")
        items = list(params)
        raw = items if items and isinstance(items[0], dict) else [{"params": items}]
        self.param_groups = []
        for g in raw:
            g = dict(g)
            g["params"] = list(g["params"])
            g.setdefault("lr", lr)
            g.setdefault("weight_decay", weight_decay)
            self.param_groups.append(g)
        self.betas, self.eps = tuple(betas), float(eps)
        self.step_count = 0
        self.m = [[torch.zeros_like(p) for p in g["params"]] for g in self.param_groups]
        self.v = [[torch.zeros_like(p) for p in g["params"]] for g in self.param_groups]

    @property
    def lr(self) -> float:
        """Learning rate of the first group; setting it sets every group's."""
        return self.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        for g in self.param_groups:
            g["lr"] = float(value)

    def zero_grad(self) -> None:
        for g in self.param_groups:
            for p in g["params"]:
                p.grad = None

    def step(self) -> None:
        import torch

        self.step_count += 1
        b1, b2 = self.betas
        bc1 = 1 - b1 ** self.step_count
        bc2_sqrt = (1 - b2 ** self.step_count) ** 0.5
        with torch.no_grad():
            for g, ms, vs in zip(self.param_groups, self.m, self.v):
                for p, m, v in zip(g["params"], ms, vs):
                    if p.grad is None:
                        continue
                    grad = p.grad if not g["weight_decay"] else p.grad.add(p, alpha=g["weight_decay"])
                    m.lerp_(grad, 1 - b1)
                    v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
                    if g["lr"] > 0:
                        p.addcdiv_(m, (v.sqrt() / bc2_sqrt).add_(self.eps), value=-g["lr"] / bc1)

    def state_dict(self) -> dict:
        return {"step": self.step_count, "lr": [g["lr"] for g in self.param_groups],
                "m": [[t.clone() for t in ms] for ms in self.m], "v": [[t.clone() for t in vs] for vs in self.v]}

    def load_state_dict(self, state: dict) -> None:
        if len(state["m"]) != len(self.param_groups):
            raise ParameterError(f"optimizer state has {len(state['m'])} parameter groups, the model "
                                 f"{len(self.param_groups)}")
        self.step_count = int(state["step"])
        for g, lr in zip(self.param_groups, state["lr"]):
            g["lr"] = float(lr)
        for dst, src in zip(self.m + self.v, list(state["m"]) + list(state["v"])):
            for d, s in zip(dst, src):
                d.copy_(s)
