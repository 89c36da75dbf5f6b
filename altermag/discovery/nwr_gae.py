"""NWR-GAE pre-training: feature reconstruction + neighbourhood Wasserstein reconstruction.

Graph auto-encoder via neighbourhood Wasserstein reconstruction (Tang, Li & Yang, ICLR 2022), as used by
the discovery paper (Extended Data Fig. 2). For every node i and every layer t = 0 … T−1:

* ψ_p^(t): from the node's layer-(t+1) embedding h_i^(t+1), a Gaussian sampler draws q latent vectors
  z_a = χ_μ(h) + exp(½ χ_logσ²(h)) ⊙ ε_a (ε_a ~ N(0, 1)), and an MLP χ_p maps them to q generated
  neighbour embeddings ĝ_a;
* the target is q neighbours j_b of i sampled from its edge list (without replacement; with replacement
  when the node has fewer than q), with their actual layer-t embeddings h_{j_b}^(t);
* the squared 2-Wasserstein distance between the two empirical measures of q points,
  W₂² = min_π (1/q) Σ_a c(ĝ_a, h_{j_π(a)}), with c(x, y) = ‖x − y‖² / d (per feature dimension so that the
  term is O(1) at any width), is computed exactly by Hungarian matching
  (:func:`scipy.optimize.linear_sum_assignment`) on the cost matrices of **all nodes of the batch, built as
  one (N, q, q) tensor** (without gradient: it only decides the assignments); the loss is the matched cost,
  computed directly as the distance to the re-ordered targets and differentiable w.r.t. both point sets
  (:func:`matched_w2`).

ψ_s: an MLP reconstructs each node's input element features from h^(T) (mean squared error).
Loss = λ_s L_s + λ_p Σ_t mean_i W₂²(i, t). Defaults λ_s = λ_p = 1 (the public code's λ_p = 1e-6 switched the
W₂ term off; :func:`pretrain` records both terms per epoch so one can check that each is non-zero).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from torch import nn

from altermag.core.errors import ParameterError
from altermag.discovery.encoder import CGCNNEncoder, EncoderConfig
from altermag.discovery.graphs import CrystalGraph, GraphConfig, collate
from altermag.discovery.training import LoopConfig, StepContext, train_loop


@dataclass
class PretrainConfig:
    """Pre-training settings. hidden/n_layers/magnetic_term: encoder (paper: 512, 3, on); q: sampled
    neighbours per node (paper 10); lambda_feat / lambda_w2: loss weights λ_s, λ_p; epochs, batch_size (graphs
    per global batch), lr, milestones, seed, checkpoint_every (steps), device, threads: the training loop."""

    hidden: int = 512
    n_layers: int = 3
    magnetic_term: bool = True
    q: int = 10
    lambda_feat: float = 1.0
    lambda_w2: float = 1.0
    epochs: int = 20
    batch_size: int = 64
    lr: float = 1e-3
    milestones: tuple = (100,)
    seed: int = 0
    checkpoint_every: int = 0
    device: str = "cpu"
    threads: int | None = None
    graph: dict = field(default_factory=lambda: GraphConfig().as_dict())

    def loop(self) -> LoopConfig:
        return LoopConfig(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                          milestones=tuple(self.milestones), seed=self.seed,
                          checkpoint_every=self.checkpoint_every, device=self.device, threads=self.threads)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "PretrainConfig":
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def _mlp(d_in: int, d_hidden: int, d_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(d_in, d_hidden), nn.ReLU(), nn.Linear(d_hidden, d_out))


def hungarian_w2(cost: torch.Tensor) -> tuple[torch.Tensor, np.ndarray]:
    """Exact optimal matching of every (q, q) cost matrix in ``cost`` (N, q, q).

    Returns (matched cost per problem (N,) = (1/q) Σ_a cost[n, a, π_n(a)], differentiable; assignments (N, q)).
    The assignments are solved by SciPy's Jonker–Volgenant solver over the batch in-process (a 10×10
    problem takes microseconds: no process pool); the costs come from one tensor op.
    """
    N, q, q2 = cost.shape
    if q != q2:
        raise ParameterError(f"cost matrices must be square, got ({q}, {q2})")
    c = cost.detach().to("cpu", torch.float64).numpy()
    perm = np.empty((N, q), dtype=np.int64)
    for n in range(N):
        perm[n] = linear_sum_assignment(c[n])[1]
    p = torch.as_tensor(perm, device=cost.device)
    matched = cost.gather(2, p.unsqueeze(2)).squeeze(2)
    return matched.mean(dim=1), perm


def pairwise_sq_dist(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """‖a_n,k − b_n,l‖² for (N, q, d) × (N, q, d) → (N, q, q), as |a|² + |b|² − 2 a·b (one batched matmul:
    no (N, q, q, d) intermediate in forward or backward); clamped at 0 against round-off."""
    sq = (a * a).sum(2).unsqueeze(2) + (b * b).sum(2).unsqueeze(1) - 2.0 * torch.bmm(a, b.transpose(1, 2))
    return sq.clamp(min=0.0)


class _MatchedSqDist(torch.autograd.Function):
    """(1/(q d)) Σ_a ‖a_n,a − h[idx_n,a]‖² per problem n, for generated sets ``a`` (N, q, d) and target rows
    ``h[idx]`` already in matched order (idx (N·q,)), with the analytic gradients ±2 (a − b)/(q d) (the target
    one scattered straight into h by ``index_add_``): no autograd graph of element-wise (N, q, d)
    intermediates, which at large width cost more than the arithmetic (every fresh large tensor is paged in)."""

    @staticmethod
    def forward(ctx, a, h, idx):
        N, q, d = a.shape
        diff = h.index_select(0, idx).reshape(N, q, d)
        torch.sub(a, diff, out=diff)
        flat = diff.reshape(N, 1, q * d)
        out = torch.bmm(flat, flat.transpose(1, 2)).reshape(N) / (q * d)  # Σ over (a, k) without a squared copy
        ctx.save_for_backward(diff, idx)
        ctx.n_rows = h.shape[0]
        return out

    @staticmethod
    def backward(ctx, grad):
        diff, idx = ctx.saved_tensors
        N, q, d = diff.shape
        ga = diff * (grad * (2.0 / (q * d))).reshape(N, 1, 1)
        gh = None
        if ctx.needs_input_grad[1]:
            gh = ga.new_zeros(ctx.n_rows, d).index_add_(0, idx, ga.reshape(N * q, d), alpha=-1.0)
        return ga, gh, None


class _Reparam(torch.autograd.Function):
    """z = μ ⊕_q + σ ⊕_q ⊙ ε for μ, σ (N, h) and ε (N, q, h) (no gradient to ε); backward: Σ_a g and
    Σ_a g ⊙ ε with one (N, q, h) temporary."""

    @staticmethod
    def forward(ctx, mu, sigma, eps):
        ctx.save_for_backward(eps)
        return torch.addcmul(mu.unsqueeze(1), sigma.unsqueeze(1), eps)

    @staticmethod
    def backward(ctx, g):
        (eps,) = ctx.saved_tensors
        return g.sum(1), (g * eps).sum(1), None


def matched_w2(generated: torch.Tensor, h_target: torch.Tensor, nb: torch.Tensor) -> torch.Tensor:
    """W₂²(i) per node (N,) between the generated sets (N, q, d) and the target sets ``h_target[nb]``
    (nb (N, q) node indices), with c(x, y) = ‖x − y‖² / d and exact Hungarian matching.

    Equal to ``hungarian_w2(pairwise_sq_dist(generated, h_target[nb]) / d)[0]`` (same assignments, same
    value up to float round-off), computed faster: the (N, q, q) cost matrices are built without gradient
    only to find the assignments; the loss is then the direct matched distance to the re-ordered targets, so
    backward never touches the cost matrices, the norms or the batched products."""
    N, q, d = generated.shape
    with torch.no_grad():
        target = h_target.index_select(0, nb.reshape(-1)).reshape(N, q, d)
        sq_g = torch.linalg.vector_norm(generated, dim=2).square_()  # no (N, q, d) squared copies
        sq_t = torch.linalg.vector_norm(target, dim=2).square_()
        cost = torch.baddbmm(sq_g.unsqueeze(2) + sq_t.unsqueeze(1), generated, target.transpose(1, 2), alpha=-2.0)
    perm = hungarian_w2(cost)[1]
    nb_matched = nb.gather(1, torch.as_tensor(perm, device=nb.device))
    return _MatchedSqDist.apply(generated, h_target, nb_matched.reshape(-1))


def sample_neighbours(edge_index: torch.Tensor, n_nodes: int, q: int, keys: torch.Tensor, fill: torch.Tensor
                      ) -> torch.Tensor:
    """q neighbour node indices per node (N, q): the q edges with the smallest random ``keys`` (E,) of each
    centre (without replacement); a node with degree d < q fills slots d … q−1 with its edge
    ``floor(fill · d)`` (``fill`` (N, q) uniform in [0, 1)). Every node must have ≥ 1 edge."""
    centre = edge_index[0]
    E = centre.shape[0]
    order = torch.argsort(keys, stable=True)
    order = order[torch.argsort(centre[order], stable=True)]  # by centre, then by key
    deg = torch.bincount(centre, minlength=n_nodes)
    start = torch.cumsum(deg, 0) - deg
    slot = torch.arange(q, device=centre.device).unsqueeze(0).expand(n_nodes, q)
    d = deg.unsqueeze(1)
    pick = torch.where(slot < d, slot, (fill * d).floor().long().clamp(max=(d - 1).clamp(min=0)))
    pos = (start.unsqueeze(1) + pick).clamp(max=max(E - 1, 0))
    return edge_index[1][order[pos]]


class NWRGAE(nn.Module):
    """Encoder + decoders (ψ_s, and per layer ψ_p = χ_μ, χ_logσ², χ_p). ``forward(ctx)`` is one training step
    on the graphs ``ctx.local`` of ``self.graphs`` (see :mod:`altermag.discovery.training`)."""

    def __init__(self, encoder: CGCNNEncoder, q: int = 10, lambda_feat: float = 1.0, lambda_w2: float = 1.0):
        super().__init__()
        self.encoder = encoder
        h = encoder.config.hidden
        self.q, self.lambda_feat, self.lambda_w2 = q, lambda_feat, lambda_w2
        self.feat_decoder = _mlp(h, h, encoder.config.node_dim)
        self.mu = nn.ModuleList(_mlp(h, h, h) for _ in range(encoder.config.n_layers))
        self.logvar = nn.ModuleList(_mlp(h, h, h) for _ in range(encoder.config.n_layers))
        self.gen = nn.ModuleList(_mlp(h, h, h) for _ in range(encoder.config.n_layers))
        self.graphs: list[CrystalGraph] = []

    def losses(self, batch, keys, fill, eps):
        """Per-node terms: feature MSE (N,) and W₂² (T, N), given the global-batch random draws sliced to
        this batch: keys (E,), fill (N, q), eps (T, N, q, hidden)."""
        layers = self.encoder(batch)
        N = batch.x.shape[0]
        feat = ((self.feat_decoder(layers[-1]) - batch.x) ** 2).mean(dim=1)
        nb = sample_neighbours(batch.edge_index, N, self.q, keys, fill)  # (N, q)
        w2 = []
        for t in range(self.encoder.config.n_layers):
            h_next = layers[t + 1]
            mu, logvar = self.mu[t](h_next), self.logvar[t](h_next)
            z = _Reparam.apply(mu, torch.exp(0.5 * logvar), eps[t])  # (N, q, h)
            gen, Nq = self.gen[t], z.shape[0] * z.shape[1]
            # = gen(z) on the (N q, h) rows: the ReLU in place on the Linear's own output (one (N, q, h)
            # tensor less; on a 3-d input the Linear output is a view and an in-place op would cost copies)
            generated = gen[2](torch.relu_(gen[0](z.reshape(Nq, -1)))).reshape(z.shape[0], z.shape[1], -1)
            # W₂² against the targets h^(t)[nb] (N, q, h): assignments from the (N, q, q) cost tensor,
            # value = the matched cost (c = ‖·‖²/d), see matched_w2
            w2.append(matched_w2(generated, layers[t], nb))
        return feat, torch.stack(w2)

    def forward(self, ctx: StepContext):
        gl = [self.graphs[i] for i in ctx.indices]
        n_nodes = np.array([g.n_nodes for g in gl])
        n_edges = np.array([g.n_edges for g in gl])
        N, E = int(n_nodes.sum()), int(n_edges.sum())
        T, q, h = self.encoder.config.n_layers, self.q, self.encoder.config.hidden
        # random numbers for the whole global batch (same on every process), then this process's slice
        keys = torch.rand(E, generator=ctx.generator)
        fill = torch.rand(N, q, generator=ctx.generator)
        eps = torch.randn(T, N, q, h, generator=ctx.generator)
        n0, n1 = int(n_nodes[:ctx.lo].sum()), int(n_nodes[:ctx.hi].sum())
        e0, e1 = int(n_edges[:ctx.lo].sum()), int(n_edges[:ctx.hi].sum())
        dev = ctx.device
        if ctx.hi <= ctx.lo:  # an empty shard (tiny last batch): zero loss that still touches the graph
            return sum(p.sum() * 0 for p in self.parameters()), {"feat": 0.0, "w2": 0.0}
        batch = collate(gl[ctx.lo:ctx.hi], device=dev)
        feat, w2 = self.losses(batch, keys[e0:e1].to(dev), fill[n0:n1].to(dev), eps[:, n0:n1].to(dev))
        loss = (self.lambda_feat * feat.sum() + self.lambda_w2 * w2.sum()) / N
        metrics = {"feat": float(feat.detach().sum()) / N, "w2": float(w2.detach().sum()) / N}
        for t in range(T):
            metrics[f"w2_{t}"] = float(w2[t].detach().sum()) / N
        return loss, metrics


def make_encoder(config: PretrainConfig) -> CGCNNEncoder:
    gc = GraphConfig.from_dict(config.graph)
    return CGCNNEncoder(EncoderConfig(node_dim=gc.node_dim, edge_dim=gc.edge_dim, hidden=config.hidden,
                                      n_layers=config.n_layers, magnetic_term=config.magnetic_term))


def pretrain(graphs: list[CrystalGraph], config: PretrainConfig = PretrainConfig(), out_dir=None,
             resume: bool = False, *, kill_after_steps: int | None = None) -> tuple[CGCNNEncoder, list[dict]]:
    """Self-supervised NWR-GAE pre-training of a CGCNN encoder on unlabelled ``graphs``.

    Returns (encoder, history: one dict per epoch with ``loss``, ``feat``, ``w2``, ``w2_0`` … and ``lr``).
    With ``out_dir``: checkpoints (``checkpoint.pt``), ``config.yaml``, ``history.json`` and the encoder
    (``encoder.pt``, loadable with :func:`load_encoder`); ``resume=True`` continues a killed run.
    """
    if not graphs:
        raise ParameterError("pretrain needs at least one graph")
    gc = GraphConfig.from_dict(config.graph)
    if graphs[0].node_features.shape[1] != gc.node_dim or graphs[0].edge_features.shape[1] != gc.edge_dim:
        raise ParameterError(f"graphs have node/edge dims {graphs[0].node_features.shape[1]}/"
                             f"{graphs[0].edge_features.shape[1]} but config.graph implies {gc.node_dim}/{gc.edge_dim}")
    torch.manual_seed(config.seed)
    encoder = make_encoder(config)
    task = NWRGAE(encoder, q=config.q, lambda_feat=config.lambda_feat, lambda_w2=config.lambda_w2)
    task.graphs = list(graphs)
    res = train_loop(task, np.arange(len(graphs)), config.loop(), out_dir=out_dir, resume=resume,
                     run_config={"pretrain": config.as_dict(), "n_graphs": len(graphs)}, desc="NWR-GAE pre-training",
                     kill_after_steps=kill_after_steps)
    encoder = encoder.cpu()
    if out_dir is not None and int(__import__("os").environ.get("RANK", "0")) == 0:
        save_encoder(encoder, __import__("pathlib").Path(out_dir) / "encoder.pt", extra={"pretrain": config.as_dict()})
    return encoder, res.history


def save_encoder(encoder: CGCNNEncoder, path, extra: dict | None = None) -> None:
    torch.save({"encoder_config": encoder.config.as_dict(), "state_dict": encoder.state_dict(),
                "extra": extra or {}}, path)


def load_encoder(path) -> CGCNNEncoder:
    """Encoder saved by :func:`pretrain` (``out_dir/encoder.pt``) or :func:`save_encoder`."""
    from altermag.core.errors import AltermagError

    try:  # weights_only: tensors and plain containers, never arbitrary pickled code
        d = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise AltermagError(f"encoder file not found: {path}") from None
    except Exception as exc:
        raise AltermagError(f"cannot read encoder file {path} ({type(exc).__name__}: {exc})") from None
    if not isinstance(d, dict) or "encoder_config" not in d or "state_dict" not in d:
        raise AltermagError(f"{path} is not an encoder saved by 'altermag discover pretrain'")
    enc = CGCNNEncoder(EncoderConfig(**d["encoder_config"]))
    enc.load_state_dict(d["state_dict"])
    return enc
