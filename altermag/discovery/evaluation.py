"""Held-out evaluation of the altermagnet classifier against baselines, on grouped folds.

Protocol (spec ``discovery.md`` §5, the part the discovery paper lacks):

* corpus: :func:`altermag.discovery.datasets.labelled_corpus` (structure with moments removed → "its
  experimental k=0 order is altermagnetic");
* splits: :class:`sklearn.model_selection.StratifiedGroupKFold` (``folds`` folds, shuffled with each of the
  ``seeds`` seeds) grouped by reduced formula (``group_by="formula"``, the same compound never sits in train
  and test) or by element set (``group_by="family"``, stricter);
* metrics per held-out fold: ROC-AUC, PR-AUC (average precision) and R-precision = recall at k = number of
  held-out positives (= precision at that k; ties in the score are counted at their expected value);
  reported as mean ± std over the splits;
* methods, all on the same splits: the baselines of :mod:`altermag.discovery.baselines` (paper rules,
  symmetry priors, random forests with and without the priors) and the GNN of
  :mod:`altermag.discovery.classifier`, from scratch and from the NWR-GAE pre-trained encoder, both with the
  symmetry prior as a graph feature. The pre-training corpus never contains a labelled structure
  (MAGNDATA files outside the labelled corpus + PyXtal crystals), so pre-training cannot leak test labels
  or test structures;
* few-positive experiment: each training fold keeps all its negatives but only ``few_positive`` (14)
  random positives (seeded per split), test folds unchanged;
* embedding visualisation: PCA and t-SNE of the pre-trained encoder's and a fine-tuned classifier's
  pooled embeddings, coloured by label (PNG).

Every method is a :class:`Method` (``fit_predict(ctx, train, test, seed) -> scores``), so new scorers plug
in without touching the driver. :func:`evaluate` returns (and saves, with its inputs) the dict
``{"gnn": {...}, "baselines": {NAME: {...}}, "few_positive": {...}, ...}``; :func:`markdown_report`
renders the tables of ``docs/discovery_evaluation.md``.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from altermag.core.errors import AltermagError, ParameterError
from altermag.core.log import get_logger

_log = get_logger(__name__)

__all__ = ["EvalConfig", "EvalContext", "Method", "aggregate", "average_precision", "evaluate", "grouped_splits",
           "markdown_report", "metrics", "r_precision", "roc_auc", "BASELINE_METHODS"]


# --------------------------------------------------------------------------------------------- metrics
def _check_binary(y, s):
    y = np.asarray(y).astype(int).reshape(-1)
    s = np.asarray(s, dtype=float).reshape(-1)
    if len(y) != len(s):
        raise ParameterError(f"{len(y)} labels but {len(s)} scores")
    if not set(np.unique(y)) <= {0, 1}:
        raise ParameterError("labels must be 0/1")
    if not np.all(np.isfinite(s)):
        raise ParameterError("scores must be finite")
    return y, s


def roc_auc(y, s) -> float:
    """Area under the ROC curve = P(score of a random positive > a random negative), ties count ½
    (Mann–Whitney U with mid-ranks). NaN if a class is missing."""
    from scipy.stats import rankdata

    y, s = _check_binary(y, s)
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    r = rankdata(s)
    return float((r[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def average_precision(y, s) -> float:
    """PR-AUC as average precision: Σ_n (R_n − R_{n−1}) P_n over the distinct score thresholds (tied
    scores enter together), the definition of ``sklearn.metrics.average_precision_score``."""
    y, s = _check_binary(y, s)
    n1 = int(y.sum())
    if n1 == 0:
        return float("nan")
    order = np.argsort(-s, kind="mergesort")
    ys, ss = y[order], s[order]
    last = np.r_[np.nonzero(np.diff(ss))[0], len(ss) - 1]  # last index of each block of tied scores
    tp = np.cumsum(ys)[last]
    precision = tp / (last + 1)
    recall = tp / n1
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def r_precision(y, s) -> float:
    """Recall at k = number of positives (equals precision at k). Ties at the k-th score are counted at
    their expected value over random tie-breaking, so a constant score gives the positive rate."""
    y, s = _check_binary(y, s)
    k = int(y.sum())
    if k == 0:
        return float("nan")
    sk = np.sort(s)[::-1][k - 1]
    above = s > sk
    tie = s == sk
    n_above = int(above.sum())
    expected = y[above].sum() + (k - n_above) * y[tie].sum() / tie.sum()
    return float(expected / k)


def metrics(y, s) -> dict[str, float]:
    """ROC-AUC, PR-AUC, R-precision and the positive rate of one held-out set."""
    y, s = _check_binary(y, s)
    return {"roc_auc": roc_auc(y, s), "pr_auc": average_precision(y, s), "r_precision": r_precision(y, s),
            "n": int(len(y)), "n_positive": int(y.sum())}


def aggregate(rows: list[dict]) -> dict:
    """Mean and std (population, over splits) of each metric; ``n_splits``."""
    out: dict[str, Any] = {"n_splits": len(rows)}
    for key in ("roc_auc", "pr_auc", "r_precision"):
        v = np.array([r[key] for r in rows], dtype=float)
        v = v[np.isfinite(v)]
        out[key] = float(v.mean()) if len(v) else float("nan")
        out[f"{key}_std"] = float(v.std()) if len(v) else float("nan")
    return out


# --------------------------------------------------------------------------------------------- splits
def grouped_splits(labels, groups, folds: int = 5, seeds=(0, 1, 2)) -> list[dict]:
    """``StratifiedGroupKFold`` splits for each seed: list of ``{"seed", "fold", "train", "test"}``.

    No group appears in both train and test of a split. Raises :class:`ParameterError` when there are fewer
    groups than folds or a class has fewer members than folds.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    y = np.asarray(labels).astype(int)
    g = np.asarray(groups)
    if folds < 2:
        raise ParameterError(f"folds must be >= 2, got {folds}")
    n_groups = len(np.unique(g))
    if n_groups < folds:
        raise ParameterError(f"folds = {folds} but only {n_groups} groups")
    if min(y.sum(), len(y) - y.sum()) < folds:
        raise ParameterError(f"folds = {folds} but a class has only {min(y.sum(), len(y) - y.sum())} members")
    out = []
    for seed in seeds:
        cv = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=int(seed))
        for k, (tr, te) in enumerate(cv.split(np.zeros(len(y)), y, g)):
            out.append({"seed": int(seed), "fold": k, "train": tr, "test": te})
    return out


def few_positive_train(train: np.ndarray, labels, n_positive: int, seed: int) -> np.ndarray:
    """All negatives of ``train`` plus ``n_positive`` of its positives drawn with ``seed`` (sorted indices)."""
    y = np.asarray(labels)
    pos = train[y[train] == 1]
    neg = train[y[train] == 0]
    if len(pos) < n_positive:
        raise ParameterError(f"few_positive = {n_positive} but the training fold has only {len(pos)} positives")
    rng = np.random.default_rng(seed)
    return np.sort(np.concatenate([neg, rng.choice(pos, n_positive, replace=False)]))


# --------------------------------------------------------------------------------------------- config
@dataclass
class EvalConfig:
    """Settings of :func:`evaluate`. Sizes: see ``quick()`` / ``full()``.

    folds, seeds: grouped CV (seeds are 0..seeds−1); group_by: "formula" | "family";
    gnn: run the GNN methods; gnn_seeds: how many of the seeds the GNN runs on (it is the costly part;
        baselines always run on all splits, and paired numbers on the GNN's splits are reported too);
    pretrain: also the pre-trained variant; few_positive: positives kept in the few-positive experiment
        (0 = skip it);
    hidden, n_layers, epochs, patience, batch_size, lr: GNN (encoder and fine-tuning);
    pretrain_epochs, n_synthetic, pretrain_max_atoms, pretrain_magndata: NWR-GAE pre-training corpus and length;
    forest_trees: random-forest size; embedding: write the PCA/t-SNE PNG;
    workers: processes for labelling/features/graphs; threads: torch threads.
    """

    folds: int = 5
    seeds: int = 3
    group_by: str = "formula"
    gnn: bool = True
    gnn_seeds: int = 3
    pretrain: bool = True
    few_positive: int = 14
    hidden: int = 64
    n_layers: int = 3
    epochs: int = 25
    patience: int = 6
    batch_size: int = 64
    lr: float = 1e-3
    pretrain_epochs: int = 4
    n_synthetic: int = 300
    pretrain_max_atoms: int = 60
    pretrain_magndata: bool = True
    forest_trees: int = 300
    embedding: bool = True
    workers: int | None = None
    threads: int = 1
    k0_only: bool = True
    include_disordered: bool = False
    include_compensated_ferrimagnets: bool = False

    @classmethod
    def quick(cls, **kw) -> "EvalConfig":
        """Small GNN (hidden 32, ≤ 15 epochs, 3 pre-training epochs) on the full 5 × 3 protocol: about 20 min
        on 2 CPU cores for the 569-structure corpus."""
        base = dict(gnn_seeds=3, hidden=32, epochs=15, patience=5, pretrain_epochs=3, n_synthetic=150,
                    pretrain_max_atoms=40, forest_trees=200)
        base.update(kw)
        return cls(**base)

    @classmethod
    def full(cls, **kw) -> "EvalConfig":
        """The full protocol: GNN on all 5×3 splits, larger encoder, longer pre-training (hours on CPU)."""
        base = dict(gnn_seeds=3, hidden=128, epochs=80, patience=15, pretrain_epochs=20, n_synthetic=2000,
                    pretrain_max_atoms=80, forest_trees=500)
        base.update(kw)
        return cls(**base)

    def validate(self) -> None:
        if self.folds < 2:
            raise ParameterError(f"folds = {self.folds} must be >= 2")
        if self.seeds < 1:
            raise ParameterError(f"seeds = {self.seeds} must be >= 1")
        if not (0 <= self.gnn_seeds <= self.seeds):
            raise ParameterError(f"gnn_seeds = {self.gnn_seeds} must be in [0, seeds = {self.seeds}]")
        if self.group_by not in ("formula", "family"):
            raise ParameterError(f"group_by = {self.group_by!r} must be 'formula' or 'family'")
        if self.few_positive < 0:
            raise ParameterError(f"few_positive = {self.few_positive} must be >= 0")
        for name in ("hidden", "epochs", "batch_size", "forest_trees"):
            if getattr(self, name) < 1:
                raise ParameterError(f"{name} = {getattr(self, name)} must be >= 1")


# --------------------------------------------------------------------------------------------- methods
@dataclass
class EvalContext:
    """What methods may use: the corpus, the feature table, lazily built graphs and pre-trained encoder."""

    corpus: Any
    features: Any
    config: EvalConfig
    cache_dir: Path | None = None
    graphs: list | None = None
    encoder: Any = None
    pretrain_info: dict = field(default_factory=dict)
    last_models: dict = field(default_factory=dict)

    @property
    def labels(self) -> np.ndarray:
        return self.corpus.labels

    @property
    def prior(self) -> np.ndarray:
        return self.features.column("prior_subgroup")


@dataclass
class Method:
    """A scorer evaluated on every split: ``fit_predict(ctx, train_idx, test_idx, seed) -> scores``.

    ``kind`` is ``"baseline"`` or ``"gnn"``; ``trained`` False for scores that need no training (they are
    still computed on the test fold only).
    """

    name: str
    kind: str
    fit_predict: Callable[[EvalContext, np.ndarray, np.ndarray, int], np.ndarray]
    trained: bool = True
    description: str = ""


def _column_method(column: str):
    def fp(ctx, train, test, seed):
        return np.nan_to_num(ctx.features.column(column)[test], nan=0.0)
    return fp


def _forest_method(include_priors: bool):
    def fp(ctx, train, test, seed):
        from altermag.discovery.baselines import ForestBaseline

        f = ForestBaseline(include_priors=include_priors, n_estimators=ctx.config.forest_trees, seed=seed)
        f.fit(ctx.features, train, ctx.labels[train])
        return f.predict_proba(ctx.features, test)
    return fp


BASELINE_METHODS = [
    Method("paper_rules", "baseline", _column_method("paper_rules_score"), trained=False,
           description="the paper's screening rules as a score (candidate 1, excluded ½, negative 0)"),
    Method("symmetry_prior", "baseline", _column_method("prior_subgroup"), trained=False,
           description="fraction of compensated k=0 index-2 orders that are altermagnetic"),
    Method("enumeration_prior", "baseline", _column_method("prior_enumeration"), trained=False,
           description="fraction of enumerated compensated k=0 configurations that are altermagnetic"),
    Method("forest", "baseline", _forest_method(False), description="random forest, simple features"),
    Method("forest_prior", "baseline", _forest_method(True),
           description="random forest, simple features + symmetry priors"),
]


def _ensure_graphs(ctx: EvalContext):
    if ctx.graphs is None:
        from altermag.discovery.graphs import GraphConfig, build_graphs

        gdir = None if ctx.cache_dir is None else ctx.cache_dir / "graphs"
        ctx.graphs = build_graphs(ctx.corpus.structures, GraphConfig(), cache_dir=gdir,
                                  workers=ctx.config.workers, progress_bar=True, errors="return")
        bad = [i for i, g in enumerate(ctx.graphs) if isinstance(g, BaseException)]
        if bad:
            raise AltermagError(f"graph construction failed for {len(bad)} structures, e.g. "
                                f"{ctx.corpus.files[bad[0]]}: {ctx.graphs[bad[0]]}")
    return ctx.graphs


def _encoder_key(ctx: EvalContext) -> str:
    """Cache key of the pre-trained encoder: every setting that changes it, and the excluded (labelled) files."""
    import hashlib
    import json

    from altermag.discovery.graphs import GraphConfig

    cfg = ctx.config
    d = {k: getattr(cfg, k) for k in ("hidden", "n_layers", "pretrain_epochs", "batch_size", "lr", "n_synthetic",
                                      "pretrain_max_atoms", "pretrain_magndata", "threads")}
    d.update(folder=ctx.corpus.options.get("folder"), exclude=sorted(ctx.corpus.hashes or ctx.corpus.files),
             graph=GraphConfig().as_dict(), version=1)
    return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _ensure_encoder(ctx: EvalContext):
    """Pre-train once per evaluation (label-free, on structures outside the labelled corpus); cached on disk
    in ``<cache_dir>/encoders/<key>.pt`` so repeated evaluations with the same settings reuse it."""
    if ctx.encoder is None:
        from altermag.core.io import load_json, save_json
        from altermag.discovery.datasets import pretraining_corpus
        from altermag.discovery.graphs import GraphConfig, build_graphs
        from altermag.discovery.nwr_gae import PretrainConfig, load_encoder, pretrain, save_encoder

        cfg = ctx.config
        cached = None
        if ctx.cache_dir is not None:
            cached = ctx.cache_dir / "encoders" / f"{_encoder_key(ctx)}.pt"
            if cached.exists() and cached.with_suffix(".json").exists():
                ctx.encoder = load_encoder(cached)
                ctx.pretrain_info = dict(load_json(cached.with_suffix(".json"))["data"], cached=str(cached))
                _log.info("pre-trained encoder loaded from %s", cached)
                return ctx.encoder
        t0 = time.perf_counter()
        folder = ctx.corpus.options.get("folder") if cfg.pretrain_magndata else None
        structures = pretraining_corpus(folder, n_synthetic=cfg.n_synthetic, seed=0,
                                        include_magndata=cfg.pretrain_magndata, exclude=ctx.corpus,
                                        max_atoms=cfg.pretrain_max_atoms, workers=cfg.workers)
        gdir = None if ctx.cache_dir is None else ctx.cache_dir / "graphs"
        graphs = []
        for g in build_graphs(structures, GraphConfig(), cache_dir=gdir,
                              workers=cfg.workers, progress_bar=True, errors="return"):
            if not isinstance(g, BaseException):
                graphs.append(g)
        pc = PretrainConfig(hidden=cfg.hidden, n_layers=cfg.n_layers, epochs=cfg.pretrain_epochs,
                            batch_size=cfg.batch_size, lr=cfg.lr, seed=0, threads=cfg.threads)
        _log.info("pre-training on %d graphs", len(graphs))
        ctx.encoder, history = pretrain(graphs, pc)
        n_syn = sum(bool(s.info.get("synthetic")) for s in structures)
        ctx.pretrain_info = {"n_graphs": len(graphs), "n_magndata": len(structures) - n_syn, "n_synthetic": n_syn,
                             "epochs": cfg.pretrain_epochs, "seconds": round(time.perf_counter() - t0, 1),
                             "history": history}
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            save_encoder(ctx.encoder, cached, extra={"pretrain": pc.as_dict()})
            save_json(cached.with_suffix(".json"), ctx.pretrain_info, inputs={"pretrain": pc.as_dict()})
    return ctx.encoder


def _gnn_method(pretrained: bool, with_prior: bool = True):
    def fp(ctx, train, test, seed):
        from altermag.discovery.classifier import TrainConfig, train_classifier

        graphs = _ensure_graphs(ctx)
        enc = _ensure_encoder(ctx) if pretrained else None
        cfg = ctx.config
        tc = TrainConfig(hidden=cfg.hidden, n_layers=cfg.n_layers, epochs=cfg.epochs, patience=cfg.patience,
                         batch_size=cfg.batch_size, lr=cfg.lr, seed=seed, threads=cfg.threads)
        gf = ctx.prior[:, None] if with_prior else None
        groups = ctx.corpus.split_keys(cfg.group_by)
        clf = train_classifier([graphs[i] for i in train], ctx.labels[train], tc, encoder=enc,
                               graph_features=None if gf is None else gf[train], groups=groups[train])
        ctx.last_models["gnn_pretrained" if pretrained else "gnn_scratch"] = clf
        return clf.predict_proba([graphs[i] for i in test], graph_features=None if gf is None else gf[test])
    return fp


GNN_METHODS = [
    Method("gnn_scratch", "gnn", _gnn_method(False),
           description="CGCNN classifier from random initialisation, symmetry prior as graph feature"),
    Method("gnn_pretrained", "gnn", _gnn_method(True),
           description="CGCNN classifier from the NWR-GAE pre-trained encoder, symmetry prior as graph feature"),
]


def gnn_available() -> str | None:
    """None if the GNN modules import, else the reason."""
    try:
        from altermag.discovery import classifier, graphs, nwr_gae  # noqa: F401
    except Exception as exc:  # ImportError, or a half-written module
        return f"{type(exc).__name__}: {exc}"
    return None


# --------------------------------------------------------------------------------------------- driver
def _run(methods: list[Method], ctx: EvalContext, splits: list[dict], train_of=None, progress_desc="evaluate"):
    """Per-split metric rows for every method; ``train_of(split)`` may shrink the training set."""
    from altermag.core.progress import progress

    rows: dict[str, list[dict]] = {m.name: [] for m in methods}
    seconds: dict[str, float] = {m.name: 0.0 for m in methods}
    y = ctx.labels
    for sp in progress(splits, desc=progress_desc):
        train = sp["train"] if train_of is None else train_of(sp)
        for m in methods:
            if m.kind == "gnn" and sp["seed"] >= ctx.config.gnn_seeds:
                continue
            t0 = time.perf_counter()
            s = m.fit_predict(ctx, train, sp["test"], sp["seed"])
            seconds[m.name] += time.perf_counter() - t0
            row = metrics(y[sp["test"]], s)
            _log.info("%s seed %d fold %d %s: ROC-AUC %.3f PR-AUC %.3f (%.1f s)", progress_desc, sp["seed"],
                      sp["fold"], m.name, row["roc_auc"], row["pr_auc"], time.perf_counter() - t0)
            row.update(seed=sp["seed"], fold=sp["fold"], n_train=int(len(train)),
                       n_train_positive=int(y[train].sum()))
            rows[m.name].append(row)
    return rows, seconds


def _summaries(methods, rows, seconds, gnn_splits) -> dict:
    out = {}
    for m in methods:
        r = rows[m.name]
        if not r:
            continue
        d = aggregate(r)
        d["description"] = m.description
        d["seconds"] = round(seconds[m.name], 2)
        paired = [x for x in r if (x["seed"], x["fold"]) in gnn_splits]
        if gnn_splits and len(paired) != len(r):
            d["on_gnn_splits"] = aggregate(paired)
        out[m.name] = d
    return out


def evaluate(corpus=None, folds: int = 5, seeds: int = 3, *, config: EvalConfig | None = None, out_dir=None,
             cache_dir=None, methods: list[Method] | None = None, progress: bool = True) -> dict:
    """Grouped-CV evaluation of the GNN and the baselines (module docstring); returns the result dict.

    corpus : a :class:`~altermag.discovery.datasets.LabelledCorpus`, a folder of magCIF files, or None (the
        default MAGNDATA folder).
    folds, seeds : override ``config.folds``/``config.seeds`` (``config`` defaults to :meth:`EvalConfig.quick`).
    out_dir : write ``evaluation.json`` (with inputs), ``evaluation.md`` and ``embedding.png`` there.
    cache_dir : label/feature/graph caches (default :func:`~altermag.discovery.datasets.default_cache_dir`).
    methods : extra :class:`Method` objects evaluated next to the built-in ones.

    Result keys: ``gnn`` (the pre-trained GNN's metrics, or its status if it did not run), ``gnn_variants``,
    ``baselines`` {name: metrics}, ``few_positive`` {name: metrics}, ``corpus`` (summary), ``splits``,
    ``pretraining``, ``config``, ``per_split`` (every fold's numbers), ``timings``.
    """
    from altermag.discovery.baselines import compute_features
    from altermag.discovery.datasets import LabelledCorpus, default_cache_dir, labelled_corpus

    cfg = config or EvalConfig.quick()
    cfg = EvalConfig(**{**asdict(cfg), "folds": folds, "seeds": seeds})
    if seeds >= 1:
        cfg.gnn_seeds = min(cfg.gnn_seeds, seeds)  # "all seeds" whatever their number
    cfg.validate()
    t_start = time.perf_counter()
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    if isinstance(corpus, LabelledCorpus):
        data = corpus
    else:
        data = labelled_corpus(corpus, k0_only=cfg.k0_only, include_disordered=cfg.include_disordered,
                               include_compensated_ferrimagnets=cfg.include_compensated_ferrimagnets,
                               cache_dir=cache_dir, workers=cfg.workers, progress=progress)
    if len(data) == 0:
        raise AltermagError("the labelled corpus is empty")
    features = compute_features(data.structures, cache_dir=cache_dir, workers=cfg.workers, progress=progress)
    if features.errors:
        keep = np.array([i for i in range(len(data)) if i not in features.errors])
        data = data.subset(keep)
        features.X = features.X[keep]
        features.errors = {}
    t_prep = time.perf_counter() - t_start
    ctx = EvalContext(corpus=data, features=features, config=cfg, cache_dir=cache_dir)
    splits = grouped_splits(data.labels, data.split_keys(cfg.group_by), cfg.folds, range(cfg.seeds))
    base = list(BASELINE_METHODS) + [m for m in (methods or []) if m.kind != "gnn"]
    gnn_status = None
    gnn_methods: list[Method] = []
    if cfg.gnn and cfg.gnn_seeds > 0:
        gnn_status = gnn_available()
        if gnn_status is None:
            gnn_methods = [GNN_METHODS[0]] + ([GNN_METHODS[1]] if cfg.pretrain else [])
        gnn_methods += [m for m in (methods or []) if m.kind == "gnn"]
    all_methods = base + gnn_methods
    gnn_splits = {(s["seed"], s["fold"]) for s in splits if s["seed"] < cfg.gnn_seeds} if gnn_methods else set()
    t0 = time.perf_counter()
    rows, secs = _run(all_methods, ctx, splits)
    t_full = time.perf_counter() - t0
    result: dict[str, Any] = {}
    summ = _summaries(all_methods, rows, secs, gnn_splits)
    result["baselines"] = {m.name: summ[m.name] for m in base}
    variants = {m.name: summ[m.name] for m in gnn_methods if m.name in summ}
    if "gnn_pretrained" in variants:
        result["gnn"] = dict(variants["gnn_pretrained"], variant="gnn_pretrained")
    elif variants:
        name = next(iter(variants))
        result["gnn"] = dict(variants[name], variant=name)
    else:
        why = "skipped (gnn disabled)" if not cfg.gnn or cfg.gnn_seeds == 0 else f"unavailable: {gnn_status}"
        result["gnn"] = {"status": why, "roc_auc": None, "pr_auc": None, "r_precision": None}
    result["gnn_variants"] = variants
    per_split = {"full": rows}
    t_few = 0.0
    if cfg.few_positive:
        y = data.labels

        def train_of(sp):
            return few_positive_train(sp["train"], y, cfg.few_positive, 1000 + 97 * sp["seed"] + sp["fold"])

        few_methods = [m for m in all_methods if m.trained or m.kind == "baseline"]
        t0 = time.perf_counter()
        frows, fsecs = _run(few_methods, ctx, splits, train_of=train_of, progress_desc="few-positive")
        t_few = time.perf_counter() - t0
        fs = _summaries(few_methods, frows, fsecs, gnn_splits)
        result["few_positive"] = {"n_positive": cfg.few_positive, **fs}
        per_split["few_positive"] = frows
    else:
        result["few_positive"] = {"status": "skipped (few_positive = 0)"}
    result["pretraining_effect"] = {"full": paired_difference(rows, "gnn_pretrained", "gnn_scratch")}
    if "few_positive" in per_split:
        result["pretraining_effect"]["few_positive"] = paired_difference(per_split["few_positive"], "gnn_pretrained",
                                                                         "gnn_scratch")
    result["gnn_vs_baselines"] = {}
    for part, rr in per_split.items():
        for a in ("gnn_scratch", "gnn_pretrained"):
            for b in ("symmetry_prior", "forest_prior"):
                pd = paired_difference(rr, a, b)
                if pd:
                    result["gnn_vs_baselines"][f"{part}: {a} - {b}"] = pd
    result["corpus"] = data.summary()
    result["splits"] = {"folds": cfg.folds, "seeds": cfg.seeds, "group_by": cfg.group_by,
                        "gnn_seeds": cfg.gnn_seeds if gnn_methods else 0,
                        "max_formula_overlap": _max_overlap(splits, data.groups)}
    result["pretraining"] = {k: v for k, v in ctx.pretrain_info.items() if k != "history"}
    if ctx.pretrain_info.get("history"):
        h = ctx.pretrain_info["history"]
        result["pretraining"]["loss_first_last"] = [h[0].get("loss"), h[-1].get("loss")]
        result["pretraining"]["w2_first_last"] = [h[0].get("w2"), h[-1].get("w2")]
    result["config"] = asdict(cfg)
    result["per_split"] = per_split
    result["timings"] = {"prepare_s": round(t_prep, 1), "full_s": round(t_full, 1), "few_positive_s": round(t_few, 1),
                         "total_s": round(time.perf_counter() - t_start, 1)}
    if out_dir is not None:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        if cfg.embedding:
            try:
                result["embedding_png"] = str(plot_embeddings(ctx, out_dir / "embedding.png"))
            except Exception as exc:  # a plotting failure must not lose the numbers
                result["embedding_png"] = f"failed: {type(exc).__name__}: {exc}"
        from altermag.core.io import save_json

        save_json(out_dir / "evaluation.json", result, inputs={"config": asdict(cfg), "corpus": data.options})
        (out_dir / "evaluation.md").write_text(markdown_report(result), encoding="utf-8")
    return result


def paired_difference(rows: dict, a: str, b: str) -> dict | None:
    """Per-split differences a − b of each metric on the splits both ran: mean, std, and how often a > b."""
    if a not in rows or b not in rows or not rows[a] or not rows[b]:
        return None
    rb = {(r["seed"], r["fold"]): r for r in rows[b]}
    pairs = [(r, rb[(r["seed"], r["fold"])]) for r in rows[a] if (r["seed"], r["fold"]) in rb]
    out: dict[str, Any] = {"n_splits": len(pairs), "compare": f"{a} - {b}"}
    for key in ("roc_auc", "pr_auc", "r_precision"):
        d = np.array([x[key] - y[key] for x, y in pairs])
        out[f"delta_{key}"] = float(d.mean())
        out[f"delta_{key}_std"] = float(d.std())
        out[f"{key}_wins"] = int((d > 0).sum())
    return out


def _max_overlap(splits, groups) -> int:
    """Largest number of reduced formulas shared by a split's train and test (0 by construction)."""
    g = np.asarray(groups)
    return max((len(set(g[s["train"]]) & set(g[s["test"]])) for s in splits), default=0)


# --------------------------------------------------------------------------------------------- plots
def plot_embeddings(ctx: EvalContext, path) -> Path:
    """PCA and t-SNE (sklearn) of structure embeddings coloured by label: the pre-trained encoder's and the
    last fine-tuned GNN's pooled embeddings when available, else the standardised baseline features."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    spaces: list[tuple[str, np.ndarray]] = []
    if ctx.encoder is not None and ctx.graphs is not None:
        import torch

        from altermag.discovery.graphs import collate

        with torch.no_grad():
            emb = np.concatenate([ctx.encoder.embed_graphs(collate(ctx.graphs[s:s + 128])).numpy()
                                  for s in range(0, len(ctx.graphs), 128)])
        spaces.append(("NWR-GAE encoder (no labels)", emb))
    for name in ("gnn_pretrained", "gnn_scratch"):
        if name in ctx.last_models and ctx.graphs is not None:
            spaces.append((f"fine-tuned {name}", ctx.last_models[name].embed(ctx.graphs)))
            break
    if not spaces:
        X = ctx.features.matrix(include_priors=True)
        spaces.append(("baseline features", X))
    y = ctx.labels
    fig, axes = plt.subplots(len(spaces), 2, figsize=(10, 4.5 * len(spaces)), squeeze=False)
    for row, (title, X) in enumerate(spaces):
        X = np.asarray(X, float)
        X = (X - X.mean(0)) / (X.std(0) + 1e-9)
        pca = PCA(n_components=2, random_state=0).fit_transform(X)
        # exact gradients: for the corpus sizes here (< 2000 points) faster and thread-free, unlike Barnes-Hut
        tsne = TSNE(n_components=2, random_state=0, init="pca", method="exact" if len(X) <= 2000 else "barnes_hut",
                    perplexity=min(30.0, max(2.0, (len(X) - 1) / 4))).fit_transform(X)
        for col, (Z, kind) in enumerate(((pca, "PCA"), (tsne, "t-SNE"))):
            ax = axes[row, col]
            for lab, colour, name in ((0, "tab:blue", "not altermagnet"), (1, "tab:red", "altermagnet")):
                m = y == lab
                ax.scatter(Z[m, 0], Z[m, 1], s=8, c=colour, alpha=0.6, label=f"{name} ({m.sum()})")
            ax.set_title(f"{title}: {kind}")
            ax.set_xlabel(f"{kind} 1 (arb. units)")
            ax.set_ylabel(f"{kind} 2 (arb. units)")
            ax.legend(fontsize=8)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------------------------- tables
def _fmt(d: dict, key: str) -> str:
    v = d.get(key)
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "–"
    s = d.get(f"{key}_std")
    return f"{v:.3f} ± {s:.3f}" if s is not None and np.isfinite(s) else f"{v:.3f}"


def markdown_report(result: dict) -> str:
    """Markdown tables of a result of :func:`evaluate`: held-out metrics and the few-positive ablation."""
    c = result.get("corpus", {})
    sp = result.get("splits", {})
    lines = [f"Corpus: {c.get('n')} structures, {c.get('n_positive')} altermagnets, "
             f"{c.get('n_formula_groups')} reduced formulas. Splits: StratifiedGroupKFold by {sp.get('group_by')}, "
             f"{sp.get('folds')} folds × {sp.get('seeds')} seeds (GNN: {sp.get('gnn_seeds')} seed(s)); "
             "mean ± std over held-out folds.", ""]

    def table(title, block, skip=("n_positive", "status")):
        out = [f"### {title}", "", "| model | splits | ROC-AUC | PR-AUC | R-precision | same splits as GNN: ROC-AUC |",
               "|---|---|---|---|---|---|"]
        for name, d in block.items():
            if name in skip or not isinstance(d, dict):
                continue
            paired = d.get("on_gnn_splits")
            out.append(f"| {name} | {d.get('n_splits')} | {_fmt(d, 'roc_auc')} | {_fmt(d, 'pr_auc')} | "
                       f"{_fmt(d, 'r_precision')} | {_fmt(paired, 'roc_auc') if paired else '(same)'} |")
        return out + [""]

    full = dict(result.get("baselines", {}))
    full.update(result.get("gnn_variants", {}))
    lines += table("Held-out metrics (all training positives)", full)
    if not result.get("gnn_variants"):
        lines += [f"GNN: {result.get('gnn', {}).get('status')}", ""]
    fp = result.get("few_positive", {})
    if "status" in fp:
        lines += [f"Few-positive experiment: {fp['status']}", ""]
    else:
        lines += table(f"Few-positive ({fp.get('n_positive')} random positives per training fold, all negatives)", fp)
    eff = result.get("pretraining_effect") or {}
    for where, d in eff.items():
        if d:
            lines += [f"Pre-training effect ({where}, paired over {d['n_splits']} splits, {d['compare']}): "
                      f"ΔROC-AUC {d['delta_roc_auc']:+.3f} ± {d['delta_roc_auc_std']:.3f} "
                      f"(better on {d['roc_auc_wins']}/{d['n_splits']}), ΔPR-AUC {d['delta_pr_auc']:+.3f} ± "
                      f"{d['delta_pr_auc_std']:.3f} (better on {d['pr_auc_wins']}/{d['n_splits']}).", ""]
    vs = result.get("gnn_vs_baselines") or {}
    if vs:
        lines += ["### GNN minus baseline, paired over the same splits", "",
                  "| setting: comparison | splits | ΔROC-AUC | GNN better | ΔPR-AUC | GNN better |", "|---|---|---|---|---|---|"]
        for name, d in vs.items():
            lines.append(f"| {name} | {d['n_splits']} | {d['delta_roc_auc']:+.3f} ± {d['delta_roc_auc_std']:.3f} | "
                         f"{d['roc_auc_wins']} | {d['delta_pr_auc']:+.3f} ± {d['delta_pr_auc_std']:.3f} | {d['pr_auc_wins']} |")
        lines.append("")
    pt = result.get("pretraining") or {}
    if pt:
        lines += [f"Pre-training: {pt.get('n_graphs')} graphs ({pt.get('n_magndata')} unlabelled MAGNDATA, "
                  f"{pt.get('n_synthetic')} PyXtal), {pt.get('epochs')} epochs, {pt.get('seconds')} s; "
                  f"loss first→last epoch {pt.get('loss_first_last')}.", ""]
    t = result.get("timings", {})
    lines += [f"Timings: prepare {t.get('prepare_s')} s, full {t.get('full_s')} s, few-positive "
              f"{t.get('few_positive_s')} s, total {t.get('total_s')} s.", ""]
    return "\n".join(lines)
