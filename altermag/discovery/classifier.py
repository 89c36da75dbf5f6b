"""Fine-tuned altermagnet classifier: calibrated probabilities, ranking, the iterative discovery loop.

Model: CGCNN encoder (optionally pre-trained by :func:`altermag.discovery.nwr_gae.pretrain`) → mean pooling
over all layers → [optional per-graph features, standardised] → 2-layer MLP (ReLU, dropout 0.25) → 2 logits
(graph features also enter the logits through a direct linear term, a "wide & deep" head)
(paper: Adam 1e-3, MultiStepLR milestone 100, 500 epochs, batch 512; our defaults are smaller, see
:class:`TrainConfig`).

Few positives are handled by (i) **up-sampling** positives by duplication to a target positive fraction,
(ii) **class weights** in the cross-entropy, (iii) **augmentation that changes these features**: rotating a
crystal does nothing to a distance-only graph (the paper's "rotation" augmentation was a no-op), so we
jitter the interatomic distances instead (a random isotropic strain per crystal, σ = ``strain``, plus an
independent relative noise per edge, σ = ``edge_noise``) and recompute the Gaussian expansion, and
(iv) **early stopping** on the validation loss (validation split grouped by ``groups``, e.g. reduced
formula, stratified by label).

Probabilities are **calibrated** by temperature scaling (Guo et al. 2017): after training, one temperature
T > 0 is fitted on the validation logits by minimising the negative log-likelihood;
p = softmax(logits / T)[1]. ``Classifier.info`` records validation NLL before/after.
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from torch import nn

from altermag.core.errors import ParameterError
from altermag.core.log import get_logger
from altermag.discovery.encoder import CGCNNEncoder, EncoderConfig
from altermag.discovery.graphs import CrystalGraph, GraphConfig, collate
from altermag.discovery.training import LoopConfig, StepContext, train_loop

_log = get_logger(__name__)


@dataclass
class TrainConfig:
    """Fine-tuning settings.

    hidden, n_layers, magnetic_term: encoder (used only when no pre-trained encoder is given);
    mlp_hidden, dropout: classifier head (paper: dropout 0.25);
    epochs, batch_size, lr, milestones, weight_decay, seed: training loop; checkpoint_every (steps);
    class_weight: weight of the positive class in the cross-entropy, ``"balanced"`` (n_neg/n_pos after
        up-sampling) or a number; upsample_to: duplicate positives until they are this fraction of the
        training items (0 = off);
    strain, edge_noise: distance augmentation σ (relative), 0 = off;
    val_fraction: validation share (grouped, stratified); patience: early-stopping epochs without a
        lower validation loss (0 = off); calibrate: temperature scaling on the validation split;
    threshold: probability above which ``rank`` flags a candidate (paper 0.9);
    freeze_encoder: train only the head; graph: the GraphConfig (as dict) the graphs were built with;
    feature_names: names of the ``graph_features`` columns; names known to
        :data:`altermag.discovery.predict.STRUCTURE_FEATURES` (``"symmetry_prior"``) let
        ``altermag discover predict`` compute them from a structure file.
    """

    hidden: int = 128
    n_layers: int = 3
    magnetic_term: bool = True
    mlp_hidden: int = 128
    dropout: float = 0.25
    epochs: int = 60
    batch_size: int = 64
    lr: float = 1e-3
    milestones: tuple = (100,)
    weight_decay: float = 0.0
    seed: int = 0
    checkpoint_every: int = 0
    class_weight: str | float = "balanced"
    upsample_to: float = 0.25
    strain: float = 0.02
    edge_noise: float = 0.01
    val_fraction: float = 0.2
    patience: int = 15
    calibrate: bool = True
    threshold: float = 0.9
    freeze_encoder: bool = False
    device: str = "cpu"
    threads: int | None = None
    graph: dict = field(default_factory=lambda: GraphConfig().as_dict())
    feature_names: tuple = ()

    def validate(self) -> None:
        if not (0.0 <= self.dropout < 1.0):
            raise ParameterError(f"dropout = {self.dropout} is outside [0, 1)")
        if not (0.0 <= self.val_fraction < 0.9):
            raise ParameterError(f"val_fraction = {self.val_fraction} is outside [0, 0.9)")
        if not (0.0 <= self.upsample_to < 1.0):
            raise ParameterError(f"upsample_to = {self.upsample_to} is outside [0, 1)")
        if not (0.0 < self.threshold < 1.0):
            raise ParameterError(f"threshold = {self.threshold} is outside (0, 1)")
        if self.strain < 0 or self.edge_noise < 0:
            raise ParameterError(f"strain = {self.strain}, edge_noise = {self.edge_noise} must be >= 0")

    def loop(self) -> LoopConfig:
        return LoopConfig(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                          weight_decay=self.weight_decay, milestones=tuple(self.milestones), seed=self.seed,
                          checkpoint_every=self.checkpoint_every, device=self.device, threads=self.threads)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


# ------------------------------------------------------------------------------------------------ network
class ClassifierNet(nn.Module):
    """Encoder + pooled embedding (+ graph features) + MLP head → 2 logits. Dropout uses masks passed in
    (drawn for the global batch, see training.py) or none at evaluation."""

    def __init__(self, encoder: CGCNNEncoder, n_graph_features: int = 0, mlp_hidden: int = 128,
                 dropout: float = 0.25):
        super().__init__()
        self.encoder = encoder
        self.n_graph_features = n_graph_features
        self.dropout = dropout
        self.fc1 = nn.Linear(encoder.pooled_dim + n_graph_features, mlp_hidden)
        self.fc2 = nn.Linear(mlp_hidden, 2)
        # "wide" path: the graph features also reach the logits linearly, so that a strong scalar feature
        # (the symmetry prior) is usable from the first epoch instead of being one input among hundreds
        self.fc_direct = nn.Linear(n_graph_features, 2, bias=False) if n_graph_features else None
        self.register_buffer("gf_mean", torch.zeros(n_graph_features))
        self.register_buffer("gf_std", torch.ones(n_graph_features))

    def hidden_features(self, batch) -> torch.Tensor:
        h = self.encoder.embed_graphs(batch)
        if self.n_graph_features:
            gf = (batch.graph_features - self.gf_mean) / self.gf_std
            h = torch.cat([h, gf], dim=1)
        return h

    def logits(self, batch, drop_mask: torch.Tensor | None = None) -> torch.Tensor:
        h = self.hidden_features(batch)
        a = torch.relu(self.fc1(h))
        if drop_mask is not None and self.dropout > 0:
            a = a * drop_mask / (1.0 - self.dropout)
        out = self.fc2(a)
        if self.fc_direct is not None:
            out = out + self.fc_direct(h[:, -self.n_graph_features:])
        return out


class _FineTuneTask(nn.Module):
    """One training step of the classifier (global-batch randomness, global normalisation)."""

    def __init__(self, net: ClassifierNet, graphs, labels, graph_features, config: TrainConfig, class_w):
        super().__init__()
        self.net = net
        self.graphs, self.labels, self.gf = graphs, labels, graph_features
        self.cfg = config
        self.gc = GraphConfig.from_dict(config.graph)
        self.class_w = class_w  # (2,) float

    def forward(self, ctx: StepContext):
        idx = ctx.indices
        gl = [self.graphs[i] for i in idx]
        n_edges = np.array([g.n_edges for g in gl])
        B, E = len(idx), int(n_edges.sum())
        gen = ctx.generator
        strain = torch.randn(B, generator=gen) * self.cfg.strain
        enoise = torch.randn(E, generator=gen) * self.cfg.edge_noise
        mask = (torch.rand(B, self.cfg.mlp_hidden, generator=gen) >= self.cfg.dropout).float()
        y_all = torch.as_tensor(self.labels[idx], dtype=torch.long)
        w_all = torch.as_tensor(self.class_w, dtype=torch.float32)[y_all]
        denom = w_all.sum()
        lo, hi = ctx.lo, ctx.hi
        if hi <= lo:
            return sum(p.sum() * 0 for p in self.parameters()), {}
        e0, e1 = int(n_edges[:lo].sum()), int(n_edges[:hi].sum())
        local = gl[lo:hi]
        edge_attr = None
        if self.cfg.strain > 0 or self.cfg.edge_noise > 0:
            d = torch.cat([torch.as_tensor(g.edge_distance) for g in local]).double()
            per_graph = torch.repeat_interleave(strain[lo:hi].double(), torch.as_tensor(n_edges[lo:hi]))
            d = d * (1 + per_graph) * (1 + enoise[e0:e1].double())
            centres = torch.as_tensor(self.gc.centres)
            edge_attr = [torch.exp(-((d[:, None] - centres[None, :]) ** 2) / self.gc.width ** 2).float().numpy()]
        gf = None if self.gf is None else self.gf[idx[lo:hi]]
        batch = collate(local, gf, edge_attr=edge_attr, device=ctx.device)
        logits = self.net.logits(batch, mask[lo:hi].to(ctx.device))
        y = y_all[lo:hi].to(ctx.device)
        ce = nn.functional.cross_entropy(logits, y, reduction="none")
        loss = (ce * w_all[lo:hi].to(ctx.device)).sum() / denom
        return loss, {}


# ------------------------------------------------------------------------------------------------ helpers
def _batched_logits(net: ClassifierNet, graphs, graph_features, batch_size=256, device="cpu") -> np.ndarray:
    net.eval()
    out = []
    with torch.no_grad():
        for s in range(0, len(graphs), batch_size):
            gf = None if graph_features is None else graph_features[s:s + batch_size]
            out.append(net.logits(collate(graphs[s:s + batch_size], gf, device=device)).cpu().numpy())
    net.train()
    return np.concatenate(out) if out else np.zeros((0, 2))


def _nll(logits: np.ndarray, y: np.ndarray, T: float = 1.0) -> float:
    z = logits / T
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean())


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature T ∈ [0.05, 20] minimising the NLL of softmax(logits/T) on (logits, y)."""
    from scipy.optimize import minimize_scalar

    res = minimize_scalar(lambda lt: _nll(logits, y, math.exp(lt)), bounds=(math.log(0.05), math.log(20.0)),
                          method="bounded", options={"xatol": 1e-4})
    return float(math.exp(res.x))


def calibrate_temperature(logits: np.ndarray, y: np.ndarray) -> tuple[float, str]:
    """(T, note): :func:`fit_temperature`, except where the fit carries no information — a validation set
    with fewer than 2 items of a class, or one the logits separate perfectly (its NLL falls monotonically
    as T → 0, so the fit runs into the lower bound and would make every probability 0 or 1). There T = 1 is
    kept and ``note`` says why."""
    y = np.asarray(y)
    n_pos = int(y.sum())
    if min(n_pos, len(y) - n_pos) < 2:
        return 1.0, f"skipped: {n_pos} positive / {len(y) - n_pos} negative validation items (need >= 2 each)"
    T = fit_temperature(logits, y)
    if T <= 0.05 * 1.01:
        return 1.0, "skipped: the validation set is perfectly separated (NLL -> 0 as T -> 0); T = 1 kept"
    return T, "temperature scaling on the validation split"


def split_validation(labels: np.ndarray, groups, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train_idx, val_idx): grouped (no group in both), stratified by label when possible."""
    n = len(labels)
    if fraction <= 0 or n < 5:
        return np.arange(n), np.zeros(0, dtype=int)
    groups = np.asarray(groups if groups is not None else np.arange(n))
    from sklearn.model_selection import StratifiedGroupKFold

    k = max(2, int(round(1.0 / fraction)))
    n_pos = int(labels.sum())
    if min(n_pos, n - n_pos) >= k:
        splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        tr, va = next(splitter.split(np.zeros(n), labels, groups))
        return np.sort(tr), np.sort(va)
    # too few of one class to stratify: put ~fraction of the groups in validation, keep ≥1 positive in train
    rng = np.random.default_rng(seed)
    ug = rng.permutation(np.unique(groups))
    val_groups = set(ug[: max(1, int(round(fraction * len(ug))))].tolist())
    va = np.array([i for i in range(n) if groups[i] in val_groups], dtype=int)
    tr = np.setdiff1d(np.arange(n), va)
    if labels[tr].sum() == 0 or labels[tr].sum() == len(tr):
        return np.arange(n), np.zeros(0, dtype=int)
    return tr, va


# ------------------------------------------------------------------------------------------------ model
class Classifier:
    """A trained classifier: ``predict_proba``, ``embed``, ``save``/``load``. ``info`` holds the training
    record (sizes, validation NLL before/after calibration, temperature, history)."""

    def __init__(self, net: ClassifierNet, temperature: float, config: TrainConfig, info: dict | None = None):
        self.net = net.cpu().eval()
        self.temperature = float(temperature)
        self.config = config
        self.info = info or {}

    @property
    def graph_config(self) -> GraphConfig:
        return GraphConfig.from_dict(self.config.graph)

    def _gf(self, graphs, graph_features):
        if self.net.n_graph_features:
            if graph_features is None:
                raise ParameterError(f"this classifier was trained with {self.net.n_graph_features} graph "
                                     "features per structure; pass graph_features")
            gf = np.asarray(graph_features, dtype=np.float32).reshape(len(graphs), -1)
            if gf.shape[1] != self.net.n_graph_features:
                raise ParameterError(f"graph_features has {gf.shape[1]} columns, the classifier expects "
                                     f"{self.net.n_graph_features}")
            return gf
        return None

    def logits(self, graphs: Sequence[CrystalGraph], graph_features=None, batch_size: int = 256) -> np.ndarray:
        """Uncalibrated logits (n, 2)."""
        return _batched_logits(self.net, list(graphs), self._gf(graphs, graph_features), batch_size)

    def predict_proba(self, graphs: Sequence[CrystalGraph], graph_features=None, batch_size: int = 256
                      ) -> np.ndarray:
        """Calibrated probability (n,) that each crystal's magnetic order is altermagnetic."""
        if len(graphs) == 0:
            return np.zeros(0)
        z = self.logits(graphs, graph_features, batch_size).astype(np.float64) / self.temperature
        return 1.0 / (1.0 + np.exp(-(z[:, 1] - z[:, 0])))

    def embed(self, graphs: Sequence[CrystalGraph], batch_size: int = 256) -> np.ndarray:
        """Pooled encoder embedding (n, (n_layers+1)·hidden) of each crystal (no graph features)."""
        out = []
        self.net.eval()
        with torch.no_grad():
            for s in range(0, len(graphs), batch_size):
                out.append(self.net.encoder.embed_graphs(collate(list(graphs[s:s + batch_size]))).numpy())
        return np.concatenate(out) if out else np.zeros((0, self.net.encoder.pooled_dim))

    def save(self, path) -> Path:
        """One file (torch.save of plain tensors and JSON-able dicts)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"format": "altermag-discovery-classifier-1", "state_dict": self.net.state_dict(),
                    "encoder_config": self.net.encoder.config.as_dict(),
                    "n_graph_features": self.net.n_graph_features, "temperature": self.temperature,
                    "config": self.config.as_dict(), "info": _jsonable(self.info)}, path)
        return path

    @classmethod
    def load(cls, path) -> "Classifier":
        from altermag.core.errors import AltermagError

        try:
            d = torch.load(path, map_location="cpu", weights_only=True)
        except FileNotFoundError:
            raise AltermagError(f"model file not found: {path}") from None
        except Exception as exc:
            raise AltermagError(f"cannot read model file {path} ({type(exc).__name__}: {exc})") from None
        if d.get("format") != "altermag-discovery-classifier-1":
            raise AltermagError(f"{path} is not an altermag discovery classifier")
        cfg = TrainConfig.from_dict(d["config"])
        enc = CGCNNEncoder(EncoderConfig(**d["encoder_config"]))
        net = ClassifierNet(enc, d["n_graph_features"], cfg.mlp_hidden, cfg.dropout)
        net.load_state_dict(d["state_dict"])
        return cls(net, d["temperature"], cfg, d.get("info", {}))


def _jsonable(obj):
    from altermag.core.io import to_jsonable

    return to_jsonable(obj)


def train_classifier(graphs: Sequence[CrystalGraph], labels, config: TrainConfig = TrainConfig(), *,
                     encoder: CGCNNEncoder | None = None, graph_features=None, groups=None, out_dir=None,
                     resume: bool = False, kill_after_steps: int | None = None) -> Classifier:
    """Fine-tune a classifier on ``graphs`` with binary ``labels`` (1 = altermagnet).

    encoder: a (pre-trained) CGCNNEncoder, copied (the argument is not modified); None → fresh encoder.
    graph_features: optional (n, k) per-graph features (e.g. the symmetry prior) concatenated to the pooled
        embedding; standardised with the training mean/std; must then be given to ``predict_proba`` too.
    groups: group label per graph (e.g. reduced formula) for the grouped validation split.
    out_dir/resume: checkpoints, config.yaml, history.json; ``resume`` continues a killed run.
    """
    config.validate()
    graphs = list(graphs)
    y = np.asarray(labels).astype(int).reshape(-1)
    if len(y) != len(graphs):
        raise ParameterError(f"{len(graphs)} graphs but {len(y)} labels")
    if not set(np.unique(y)) <= {0, 1}:
        raise ParameterError("labels must be 0/1")
    if y.sum() == 0 or y.sum() == len(y):
        raise ParameterError(f"labels need both classes (got {int(y.sum())} positives of {len(y)})")
    gc = GraphConfig.from_dict(config.graph)
    if graphs[0].node_features.shape[1] != gc.node_dim or graphs[0].edge_features.shape[1] != gc.edge_dim:
        raise ParameterError(f"graphs have node/edge dims {graphs[0].node_features.shape[1]}/"
                             f"{graphs[0].edge_features.shape[1]}; config.graph implies {gc.node_dim}/{gc.edge_dim}")
    gf = None
    if graph_features is not None:
        gf = np.asarray(graph_features, dtype=np.float32).reshape(len(graphs), -1)
        if config.feature_names and len(config.feature_names) != gf.shape[1]:
            raise ParameterError(f"feature_names has {len(config.feature_names)} names for {gf.shape[1]} "
                                 "graph_features columns")
    torch.manual_seed(config.seed)
    if encoder is None:
        enc = CGCNNEncoder(EncoderConfig(node_dim=gc.node_dim, edge_dim=gc.edge_dim, hidden=config.hidden,
                                         n_layers=config.n_layers, magnetic_term=config.magnetic_term))
        pretrained = False
    else:
        enc = copy.deepcopy(encoder).cpu()
        if enc.config.node_dim != gc.node_dim or enc.config.edge_dim != gc.edge_dim:
            raise ParameterError("the pre-trained encoder was built for other graph features "
                                 f"({enc.config.node_dim}/{enc.config.edge_dim} vs {gc.node_dim}/{gc.edge_dim})")
        pretrained = True
    net = ClassifierNet(enc, 0 if gf is None else gf.shape[1], config.mlp_hidden, config.dropout)
    if config.freeze_encoder:
        for p in net.encoder.parameters():
            p.requires_grad_(False)
    tr, va = split_validation(y, groups, config.val_fraction, config.seed)
    if gf is not None:
        net.gf_mean.copy_(torch.as_tensor(gf[tr].mean(0)))
        net.gf_std.copy_(torch.as_tensor(gf[tr].std(0) + 1e-6))
    # up-sampling of positives by duplication
    pos, neg = tr[y[tr] == 1], tr[y[tr] == 0]
    items = tr
    if config.upsample_to > 0 and len(pos) / len(tr) < config.upsample_to:
        reps = int(math.ceil(config.upsample_to * len(neg) / ((1 - config.upsample_to) * len(pos))))
        items = np.sort(np.concatenate([neg, np.repeat(pos, reps)]))
    n_pos_items = int(y[items].sum())
    n_neg_items = len(items) - n_pos_items
    if config.class_weight == "balanced":
        cw = np.array([1.0, n_neg_items / max(n_pos_items, 1)])
    else:
        cw = np.array([1.0, float(config.class_weight)])
    task = _FineTuneTask(net, graphs, y, gf, config, cw)

    def epoch_end(task_, epoch, metrics, extra):
        if len(va) == 0:
            return False
        lg = _batched_logits(task_.net, [graphs[i] for i in va], None if gf is None else gf[va],
                             device=next(task_.net.parameters()).device)
        ce = _nll_weighted(lg, y[va], cw)
        metrics["val_loss"] = ce
        if ce < extra.get("best_val", float("inf")) - 1e-6:
            extra["best_val"], extra["best_epoch"], extra["bad"] = ce, epoch, 0
            extra["best_state"] = {k: v.detach().cpu().clone() for k, v in task_.net.state_dict().items()}
        else:
            extra["bad"] = extra.get("bad", 0) + 1
        return bool(config.patience) and extra["bad"] >= config.patience

    res = train_loop(task, items, config.loop(), out_dir=out_dir, resume=resume,
                     run_config={"train": config.as_dict(), "n_graphs": len(graphs), "n_positive": int(y.sum()),
                                 "pretrained_encoder": pretrained}, epoch_end=epoch_end,
                     desc="fine-tuning", kill_after_steps=kill_after_steps)
    net = task.net.cpu()
    if "best_state" in res.extra:
        net.load_state_dict(res.extra["best_state"])
    info = {"n_train": int(len(tr)), "n_val": int(len(va)), "n_positive": int(y.sum()),
            "n_train_positive": int(y[tr].sum()), "n_val_positive": int(y[va].sum()),
            "train_items_after_upsampling": int(len(items)), "class_weight": cw.tolist(),
            "pretrained_encoder": pretrained, "best_epoch": res.extra.get("best_epoch"),
            "epochs_run": len(res.history), "stopped_early": res.stopped_early,
            "history": [{k: v for k, v in h.items()} for h in res.history]}
    T = 1.0
    if len(va):
        lg = _batched_logits(net, [graphs[i] for i in va], None if gf is None else gf[va])
        info["val_nll_uncalibrated"] = _nll(lg, y[va])
        if config.calibrate and 0 < y[va].sum() < len(va):
            T, info["calibration"] = calibrate_temperature(lg, y[va])
            info["val_nll_calibrated"] = _nll(lg, y[va], T)
        p = 1 / (1 + np.exp(-(lg[:, 1] - lg[:, 0]) / T))
        if 0 < y[va].sum() < len(va):
            from sklearn.metrics import average_precision_score, roc_auc_score

            info["val_roc_auc"] = float(roc_auc_score(y[va], p))
            info["val_pr_auc"] = float(average_precision_score(y[va], p))
    info["temperature"] = T
    clf = Classifier(net, T, config, info)
    if out_dir is not None:
        import os

        if int(os.environ.get("RANK", "0")) == 0:
            clf.save(Path(out_dir) / "model.pt")
    return clf


def _nll_weighted(logits, y, cw) -> float:
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    w = np.asarray(cw)[y]
    return float(-(w * logp[np.arange(len(y)), y]).sum() / w.sum())


# ------------------------------------------------------------------------------------------------ ranking
def rank(classifier: Classifier, graphs: Sequence[CrystalGraph], names: Sequence[str], threshold: float | None = None,
         *, graph_features=None, exclude: Sequence[str] = ()) -> list[dict]:
    """Candidates sorted by calibrated probability: dicts ``rank, name, probability, above_threshold``.
    ``exclude``: names never ranked (e.g. the training positives — the paper's code ranked its own)."""
    threshold = classifier.config.threshold if threshold is None else threshold
    if not (0 < threshold < 1):
        raise ParameterError(f"threshold = {threshold} is outside (0, 1)")
    if len(names) != len(graphs):
        raise ParameterError(f"{len(graphs)} graphs but {len(names)} names")
    ex = set(exclude)
    keep = [i for i, n in enumerate(names) if n not in ex]
    gf = None if graph_features is None else np.asarray(graph_features)[keep]
    p = classifier.predict_proba([graphs[i] for i in keep], gf)
    order = np.argsort(-p, kind="stable")
    return [{"rank": r + 1, "name": names[keep[i]], "index": int(keep[i]), "probability": float(p[i]),
             "above_threshold": bool(p[i] > threshold)} for r, i in enumerate(order)]


def symmetry_oracle(structure) -> bool | None:
    """Default confirmation: the spin-group verdict of a structure with known moments (True = altermagnet);
    None when the moments are unknown (the candidate stays unconfirmed)."""
    if structure is None or not getattr(structure, "has_moments", False):
        return None
    from altermag.symmetry import analyze

    return analyze(structure).verdict == "altermagnet"


def iterative_discovery(graphs: Sequence[CrystalGraph], labels, candidate_graphs: Sequence[CrystalGraph],
                        candidate_names: Sequence[str], *, rounds: int = 3, threshold: float = 0.9,
                        oracle: Callable[[int], bool | None] | None = None, candidate_structures=None,
                        config: TrainConfig = TrainConfig(), encoder: CGCNNEncoder | None = None,
                        graph_features=None, candidate_graph_features=None, groups=None,
                        add_negatives: bool = True, max_queries: int | None = None) -> dict:
    """The paper's loop: train → rank candidates → confirm those with p > threshold → add → retrain.

    oracle(i) → True (altermagnet), False (not) or None (unknown) for candidate i; default:
    :func:`symmetry_oracle` on ``candidate_structures[i]`` (the experimental or computed magnetic order;
    in the paper this step was DFT). Confirmed positives join the training set with label 1 (and rejected
    ones with label 0 if ``add_negatives``); every queried candidate leaves the candidate pool.
    Returns {"rounds": [{round, n_train, n_positive, n_flagged, confirmed, rejected, unknown, top}], "classifier"}.
    """
    if rounds < 1:
        raise ParameterError(f"rounds = {rounds} must be >= 1")
    if oracle is None:
        if candidate_structures is None:
            raise ParameterError("iterative_discovery needs an oracle or candidate_structures with moments")
        cs = list(candidate_structures)
        oracle = lambda i: symmetry_oracle(cs[i])  # noqa: E731
    train_g, y = list(graphs), list(np.asarray(labels).astype(int))
    gfe = None if graph_features is None else list(np.asarray(graph_features))
    cgf = None if candidate_graph_features is None else np.asarray(candidate_graph_features)
    grp = None if groups is None else list(groups)
    pool = list(range(len(candidate_graphs)))
    out, clf = [], None
    for r in range(rounds):
        clf = train_classifier(train_g, y, config, encoder=encoder,
                               graph_features=None if gfe is None else np.asarray(gfe), groups=grp)
        ranking = rank(clf, [candidate_graphs[i] for i in pool], [str(i) for i in pool], threshold,
                       graph_features=None if cgf is None else cgf[pool]) if pool else []
        flagged = [int(rec["name"]) for rec in ranking if rec["above_threshold"]]
        if max_queries is not None:
            flagged = flagged[:max_queries]
        conf, rej, unk = [], [], []
        for i in flagged:
            v = oracle(i)
            (unk if v is None else conf if v else rej).append(i)
            if v is not None:
                if v or add_negatives:
                    train_g.append(candidate_graphs[i])
                    y.append(int(bool(v)))
                    if gfe is not None:
                        gfe.append(cgf[i])
                    if grp is not None:
                        grp.append(f"candidate:{candidate_names[i]}")
        pool = [i for i in pool if i not in set(flagged)]
        out.append({"round": r + 1, "n_train": len(y) - len(conf) - (len(rej) if add_negatives else 0),
                    "n_positive": int(sum(y)) - len(conf), "n_flagged": len(flagged),
                    "confirmed": [candidate_names[i] for i in conf], "rejected": [candidate_names[i] for i in rej],
                    "unknown": [candidate_names[i] for i in unk],
                    "top": [{"name": candidate_names[int(rec["name"])], "probability": rec["probability"]}
                            for rec in ranking[:10]]})
    return {"rounds": out, "classifier": clf}
