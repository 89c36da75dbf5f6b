"""``altermag discover evaluate``: the held-out evaluation by one command (registered by ``discovery/cli.py``).

    altermag discover evaluate                       # small GNN, 5 folds x 3 seeds, default MAGNDATA folder
    altermag discover evaluate --full --out runs/eval
    altermag discover evaluate --no-gnn --json       # baselines only, machine-readable

``--json`` prints ``{"gnn": {...}, "baselines": {NAME: {...}}, "few_positive": {...}, ...}`` (per-split rows
are left out of the printed JSON; they are in ``<out>/evaluation.json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def evaluate_command(
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="folder of magCIF files (default: MAGNDATA folder)"),
    folds: int = typer.Option(5, "--folds", help="grouped CV folds (>= 2)"),
    seeds: int = typer.Option(3, "--seeds", help="CV repetitions with different shuffles (>= 1)"),
    gnn_seeds: Optional[int] = typer.Option(None, "--gnn-seeds", help="seeds the GNN runs on (default: all; it is the costly part)"),
    group_by: str = typer.Option("formula", "--group-by", help="split groups: formula | family (element set)"),
    few_positive: int = typer.Option(14, "--few-positive", help="positives kept per training fold in the ablation (0 = skip)"),
    full: bool = typer.Option(False, "--full", help="full-size GNN settings (hours on a CPU)"),
    quick: bool = typer.Option(False, "--quick", help="smallest settings: 3 folds x 1 seed, tiny GNN (smoke test)"),
    gnn: bool = typer.Option(True, "--gnn/--no-gnn", help="evaluate the GNN (needs torch)"),
    pretrain: bool = typer.Option(True, "--pretrain/--no-pretrain", help="also the NWR-GAE pre-trained GNN"),
    epochs: Optional[int] = typer.Option(None, "--epochs", help="GNN fine-tuning epochs"),
    hidden: Optional[int] = typer.Option(None, "--hidden", help="GNN hidden width"),
    patience: Optional[int] = typer.Option(None, "--patience", help="GNN early-stopping patience (epochs)"),
    pretrain_epochs: Optional[int] = typer.Option(None, "--pretrain-epochs", help="NWR-GAE pre-training epochs"),
    n_synthetic: Optional[int] = typer.Option(None, "--n-synthetic", help="PyXtal crystals in the pre-training corpus"),
    workers: Optional[int] = typer.Option(None, "--workers", help="processes for labelling/features/graphs"),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="label/feature/graph cache folder"),
    out: Optional[Path] = typer.Option(None, "--out", help="write evaluation.json, evaluation.md, embedding.png here"),
    json_out: bool = typer.Option(False, "--json", help="print the result as JSON"),
):
    """Grouped-CV evaluation of the GNN and the baselines on the labelled MAGNDATA corpus."""
    import sys

    from altermag.core.errors import AltermagError
    from altermag.core.io import dumps

    try:
        from altermag.discovery.evaluation import EvalConfig, evaluate, markdown_report

        if full and quick:
            raise AltermagError("--full and --quick exclude each other")
        over = {k: v for k, v in dict(group_by=group_by, few_positive=few_positive, gnn=gnn, pretrain=pretrain,
                                         epochs=epochs, hidden=hidden, n_synthetic=n_synthetic, workers=workers,
                                         patience=patience, pretrain_epochs=pretrain_epochs,
                                         gnn_seeds=gnn_seeds).items() if v is not None}
        if full:
            cfg = EvalConfig.full(**over)
        elif quick:
            cfg = EvalConfig.quick(**{"hidden": 16, "epochs": 5, "pretrain_epochs": 1, "n_synthetic": 40,
                                      "forest_trees": 100, **over})
            folds, seeds = min(folds, 3), min(seeds, 1)
            cfg.gnn_seeds = min(cfg.gnn_seeds, seeds)
        else:
            cfg = EvalConfig.quick(**over)
        if "gnn_seeds" not in over and not quick:
            cfg.gnn_seeds = seeds
        cfg.gnn_seeds = min(cfg.gnn_seeds, seeds)
        result = evaluate(corpus, folds, seeds, config=cfg, out_dir=out, cache_dir=cache_dir,
                          progress=not json_out)
    except AltermagError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if json_out:
        printed = {k: v for k, v in result.items() if k != "per_split"}
        sys.stdout.write(dumps(printed, strict=True) + "\n")
    else:
        typer.echo(markdown_report(result))
        if out is not None:
            typer.echo(f"results written to {out}/evaluation.json, evaluation.md")
