"""``altermag discover ...``: pre-train, train, predict, evaluate (thin Typer wrappers).

Each training command takes an optional YAML ``--config`` whose keys are the fields of
:class:`~altermag.discovery.nwr_gae.PretrainConfig` / :class:`~altermag.discovery.classifier.TrainConfig`
(flat, or under a ``pretrain:`` / ``train:`` section; graph settings under ``graph:``); options given on the
command line override it. Every run writes ``config.yaml``, ``history.json`` and checkpoints into ``--out``;
``--resume`` continues a killed run. Multi-process (DDP): ``torchrun --nproc_per_node 2 -m
altermag.discovery.cli train ...``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import List, Optional

import typer

from altermag.core.cliutil import emit_json, fail
from altermag.core.errors import AltermagError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Crystal-graph network: pre-train, train, predict, evaluate.")


def _is_main() -> bool:
    import os

    return int(os.environ.get("RANK", "0")) == 0


def _merge_config(cls, config: Optional[Path], section: str, overrides: dict):
    """cls built from YAML (section or flat) + non-None overrides; graph keys go under ``graph``."""
    from altermag.core.errors import ParameterError
    from altermag.discovery.graphs import GraphConfig

    data: dict = {}
    if config is not None:
        import yaml

        try:
            loaded = yaml.safe_load(Path(config).read_text()) or {}
        except FileNotFoundError:
            raise ParameterError(f"--config {config}: file not found") from None
        except yaml.YAMLError as exc:
            raise ParameterError(f"--config {config}: not valid YAML ({exc})") from None
        if not isinstance(loaded, dict):
            raise ParameterError(f"--config {config}: expected a mapping of settings")
        data = dict(loaded.get(section, loaded))
        if "graph" in loaded and "graph" not in data:
            data["graph"] = loaded["graph"]
        unknown = set(data) - set(cls.__dataclass_fields__) - {"pretrain", "train"}
        if unknown:
            raise ParameterError(f"--config {config}: unknown settings {sorted(unknown)} "
                                 f"(allowed: {sorted(cls.__dataclass_fields__)})")
        data.pop("pretrain", None), data.pop("train", None)
        _check_types(cls, data, f"--config {config}")
    g = data.get("graph") or {}
    if not isinstance(g, dict):
        raise ParameterError(f"--config {config}: 'graph' must be a mapping of GraphConfig settings, got {g!r}")
    unknown = set(g) - set(GraphConfig.__dataclass_fields__)
    if unknown:
        raise ParameterError(f"--config {config}: unknown graph settings {sorted(unknown)} "
                             f"(allowed: {sorted(GraphConfig.__dataclass_fields__)})")
    _check_types(GraphConfig, g, f"--config {config}: graph")
    data["graph"] = GraphConfig(**g).as_dict()
    data.update({k: v for k, v in overrides.items() if v is not None})
    if "milestones" in data:
        data["milestones"] = tuple(data["milestones"])
    return cls(**data)


def _check_types(cls, data: dict, where: str) -> None:
    """Each YAML value must have the type of the dataclass field's default (ints accepted for floats; ``None``
    only where the default is ``None``; lists for tuples): a wrong type is a one-line ParameterError."""
    from altermag.core.errors import ParameterError

    allowed = {bool: (bool,), int: (int,), float: (int, float), str: (str,), tuple: (list, tuple),
               dict: (dict,)}
    for key, value in data.items():
        f = cls.__dataclass_fields__.get(key)
        if f is None or key in ("graph", "pretrain", "train"):
            continue
        default = f.default if f.default_factory is dataclasses.MISSING else f.default_factory()
        if default is None or default is dataclasses.MISSING:
            ok = value is None or isinstance(value, (int, float, str, list))
        else:
            types = allowed.get(type(default), (type(default),))
            if key == "class_weight":  # "balanced" or a number
                types = (str, int, float)
            elif key == "magnetic":  # a set name or a list of elements
                types = (str, list, tuple)
            ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
        if not ok:
            raise ParameterError(f"{where}: setting {key} = {value!r} has the wrong type "
                                 f"(expected {type(default).__name__})")


@app.command()
def pretrain(
    out: Path = typer.Option(..., "--out", help="Run folder: checkpoint.pt, config.yaml, history.json, encoder.pt."),
    data: Optional[List[Path]] = typer.Option(None, "--data", help="Folder(s) of structure files (moments ignored)."),
    magndata: bool = typer.Option(False, "--magndata", help="Add the MAGNDATA folder ($ALTERMAG_MAGNDATA)."),
    synthetic: int = typer.Option(0, "--synthetic", help="Add this many PyXtal crystals with magnetic elements."),
    config: Optional[Path] = typer.Option(None, "--config", help="YAML settings (PretrainConfig fields)."),
    epochs: Optional[int] = typer.Option(None, "--epochs"),
    hidden: Optional[int] = typer.Option(None, "--hidden", help="Encoder width (paper 512)."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", help="Graphs per global batch."),
    lr: Optional[float] = typer.Option(None, "--lr"),
    q: Optional[int] = typer.Option(None, "--q", help="Sampled neighbours per node for W2 (paper 10)."),
    lambda_w2: Optional[float] = typer.Option(None, "--lambda-w2", help="Weight of the W2 term."),
    seed: Optional[int] = typer.Option(None, "--seed"),
    checkpoint_every: Optional[int] = typer.Option(None, "--checkpoint-every", help="Checkpoint every N steps."),
    device: Optional[str] = typer.Option(None, "--device", help="cpu | cuda | auto"),
    threads: Optional[int] = typer.Option(None, "--threads", help="torch threads per process."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in --out from its checkpoint."),
    cache: Optional[Path] = typer.Option(None, "--cache", help="Graph cache folder (content-hashed)."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Use only the first N structures."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Processes for reading/graphs."),
    json_out: bool = typer.Option(False, "--json", help="Print the final epoch's losses as JSON."),
):
    """Self-supervised NWR-GAE pre-training of the CGCNN encoder on unlabelled crystals."""
    try:
        from altermag.discovery.graphs import GraphConfig, build_graphs
        from altermag.discovery.nwr_gae import PretrainConfig, pretrain as run_pretrain

        cfg = _merge_config(PretrainConfig, config, "pretrain", dict(
            epochs=epochs, hidden=hidden, batch_size=batch_size, lr=lr, q=q, lambda_w2=lambda_w2, seed=seed,
            checkpoint_every=checkpoint_every, device=device, threads=threads))
        structures = _gather_structures(data or [], magndata, synthetic, cfg.seed, workers, limit)
        graphs = build_graphs(structures, GraphConfig.from_dict(cfg.graph), cache_dir=cache, workers=workers,
                              progress_bar=_is_main())
        _, history = run_pretrain(graphs, cfg, out_dir=out, resume=resume)
    except AltermagError as exc:
        fail(str(exc))
    if not _is_main():
        return
    last = history[-1] if history else {}
    if json_out:
        emit_json({"out": str(out), "n_graphs": len(graphs), "epochs": len(history), **last})
    else:
        typer.echo(f"pre-trained on {len(graphs)} graphs, {len(history)} epochs: " +
                   ", ".join(f"{k} {v:.4g}" for k, v in last.items() if isinstance(v, float)))
        typer.echo(f"encoder: {out / 'encoder.pt'}")


def _gather_structures(folders, magndata: bool, synthetic: int, seed: int, workers, limit):
    from altermag.core.errors import ParameterError

    structures = []
    for f in folders:
        from altermag.discovery.datasets import read_folder

        got, errors = read_folder(f, remove_moments=True, workers=workers, progress=_is_main())
        for path, msg in errors.items():
            typer.secho(f"{path}: skipped: {msg}", fg="yellow", err=True)
        structures += got
    if magndata or synthetic:
        from altermag.discovery.datasets import default_magndata_folder, pretraining_corpus

        folder = default_magndata_folder() if magndata else None  # --magndata without a folder is an error
        structures += pretraining_corpus(folder, n_synthetic=synthetic, seed=seed, include_magndata=magndata,
                                         workers=workers, progress=_is_main(), limit=limit)
    if limit is not None:
        structures = structures[:limit]
    if not structures:
        raise ParameterError("no structures: give --data FOLDER, --magndata or --synthetic N")
    return structures


def _read_labels_csv(path: Path):
    """CSV with columns ``file,label`` (paths relative to the CSV's folder; label 0/1; optional ``group``)."""
    import csv

    from altermag.core.errors import ParameterError
    from altermag.structures import read_structure

    try:
        rows = list(csv.DictReader(Path(path).read_text().splitlines()))
    except FileNotFoundError:
        raise ParameterError(f"--labels {path}: file not found") from None
    if not rows or "file" not in rows[0] or "label" not in rows[0]:
        raise ParameterError(f"--labels {path}: needs a header with the columns 'file' and 'label'")
    structures, labels, groups = [], [], []
    for r in rows:
        f = Path(r["file"])
        if not f.is_absolute():
            f = Path(path).parent / f
        s = read_structure(f).without_moments()
        structures.append(s)
        try:
            labels.append(int(r["label"]))
        except ValueError:
            raise ParameterError(f"--labels {path}: label {r['label']!r} of {r['file']} is not 0/1") from None
        groups.append(r.get("group") or s.formula)
    return structures, labels, groups


@app.command()
def train(
    out: Path = typer.Option(..., "--out", help="Run folder: model.pt, checkpoint.pt, config.yaml, history.json."),
    labels: Optional[Path] = typer.Option(None, "--labels", help="CSV file,label[,group] of labelled structures."),
    magndata: Optional[Path] = typer.Option(None, "--magndata", help="Labelled MAGNDATA corpus from this folder "
                                            "(labels from the symmetry engine on the experimental orders)."),
    encoder: Optional[Path] = typer.Option(None, "--encoder", help="Pre-trained encoder.pt (from 'pretrain')."),
    prior: bool = typer.Option(False, "--prior", help="Give the network the symmetry prior as a feature "
                               "('predict' then computes it from each file)."),
    config: Optional[Path] = typer.Option(None, "--config", help="YAML settings (TrainConfig fields)."),
    epochs: Optional[int] = typer.Option(None, "--epochs"),
    hidden: Optional[int] = typer.Option(None, "--hidden", help="Encoder width when not pre-trained."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size"),
    lr: Optional[float] = typer.Option(None, "--lr"),
    seed: Optional[int] = typer.Option(None, "--seed"),
    patience: Optional[int] = typer.Option(None, "--patience", help="Early-stopping patience (epochs, 0 = off)."),
    val_fraction: Optional[float] = typer.Option(None, "--val-fraction"),
    checkpoint_every: Optional[int] = typer.Option(None, "--checkpoint-every"),
    device: Optional[str] = typer.Option(None, "--device"),
    threads: Optional[int] = typer.Option(None, "--threads"),
    resume: bool = typer.Option(False, "--resume"),
    cache: Optional[Path] = typer.Option(None, "--cache", help="Graph cache folder."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Use only the first N labelled files."),
    workers: Optional[int] = typer.Option(None, "--workers"),
    json_out: bool = typer.Option(False, "--json"),
):
    """Fine-tune the calibrated altermagnet classifier on labelled structures."""
    try:
        from altermag.core.errors import ParameterError
        from altermag.discovery.classifier import TrainConfig, train_classifier
        from altermag.discovery.graphs import GraphConfig, build_graphs

        cfg = _merge_config(TrainConfig, config, "train", dict(
            epochs=epochs, hidden=hidden, batch_size=batch_size, lr=lr, seed=seed, patience=patience,
            val_fraction=val_fraction, checkpoint_every=checkpoint_every, device=device, threads=threads))
        if (labels is None) == (magndata is None):
            raise ParameterError("give exactly one of --labels CSV or --magndata FOLDER")
        if labels is not None:
            structures, y, groups = _read_labels_csv(labels)
            if limit is not None:
                structures, y, groups = structures[:limit], y[:limit], groups[:limit]
        else:
            from altermag.discovery.datasets import labelled_corpus

            corpus = labelled_corpus(magndata, workers=workers, progress=_is_main(), limit=limit)
            structures, y, groups = corpus.structures, list(corpus.labels), list(corpus.groups)
        enc = None
        if encoder is not None:
            from altermag.discovery.nwr_gae import load_encoder

            if not encoder.exists():
                raise ParameterError(f"--encoder {encoder}: file not found")
            enc = load_encoder(encoder)
        graphs = build_graphs(structures, GraphConfig.from_dict(cfg.graph), cache_dir=cache, workers=workers,
                              progress_bar=_is_main())
        gf = None
        if prior:
            from altermag.discovery.predict import structure_features

            cfg.feature_names = ("symmetry_prior",)
            gf = structure_features(structures, cfg.feature_names)
        clf = train_classifier(graphs, y, cfg, encoder=enc, groups=groups, out_dir=out, resume=resume,
                               graph_features=gf)
    except AltermagError as exc:
        fail(str(exc))
    if not _is_main():
        return
    summary = {k: v for k, v in clf.info.items() if k != "history"}
    if json_out:
        emit_json({"out": str(out), "model": str(out / "model.pt"), **summary})
    else:
        typer.echo(f"trained on {summary['n_train']} structures ({summary['n_train_positive']} positive), "
                   f"validated on {summary['n_val']}; temperature {summary['temperature']:.3g}")
        for k in ("val_roc_auc", "val_pr_auc", "val_nll_uncalibrated", "val_nll_calibrated"):
            if k in summary:
                typer.echo(f"  {k}: {summary[k]:.4g}")
        typer.echo(f"model: {out / 'model.pt'}")


@app.command()
def predict(
    files: List[Path] = typer.Argument(..., help="Structure files: magCIF, CIF, POSCAR, JSON (moments ignored)."),
    model: Optional[Path] = typer.Option(None, "--model", help="model.pt from 'train' (default: the shipped model)."),
    threshold: Optional[float] = typer.Option(None, "--threshold", help="Flag probabilities above this (0.9)."),
    json_out: bool = typer.Option(False, "--json", help="One JSON object per file: file, probability, ..."),
):
    """Calibrated probability that each crystal orders as an altermagnet."""
    try:
        from altermag.core.errors import ParameterError
        from altermag.discovery.classifier import Classifier
        from altermag.discovery.predict import load_default_model, predict_files

        if threshold is not None and not (0 < threshold < 1):
            raise ParameterError(f"--threshold {threshold} is outside (0, 1)")
        clf = Classifier.load(model) if model is not None else load_default_model()
        recs = predict_files(files, clf, threshold)
    except AltermagError as exc:
        fail(str(exc))
    failed = 0
    for rec in recs:
        if "error" in rec:
            failed += 1
        if json_out:
            emit_json(rec)
        elif "error" in rec:
            msg = rec["error"] if str(rec["error"]).startswith(str(rec["file"])) else f"{rec['file']}: {rec['error']}"
            typer.secho(f"error: {msg}", fg="red", err=True)
        else:
            flag = "  ← above threshold" if rec["above_threshold"] else ""
            typer.echo(f"{rec['file']}: {rec['formula']}  p(altermagnet) = {rec['probability']:.3f}{flag}")
    raise typer.Exit(1 if failed else 0)


from altermag.discovery.eval_cli import evaluate_command  # noqa: E402  (typer + stdlib only at import)

app.command("evaluate")(evaluate_command)


if __name__ == "__main__":  # torchrun --nproc_per_node 2 -m altermag.discovery.cli train ...
    app()
