"""Reproduce the shipped classifier (``model.pt``) and its held-out numbers (``model.json``).

    python -m altermag.discovery.data.train_shipped_model [--folder MAGNDATA] [--out DIR] [--epochs 40]

1. Labelled corpus: :func:`altermag.discovery.datasets.labelled_corpus` on the MAGNDATA folder (collinear
   k=0 experimental orders; label 1 = the spin-group verdict of the experimental order is altermagnet;
   structures enter the graphs with moments removed).
2. Held-out estimate: 5-fold StratifiedGroupKFold grouped by reduced formula (seed 0); in every fold a
   classifier with the shipped settings is trained on 4/5 (its own grouped validation split inside, for
   early stopping and temperature scaling) and scored on the held-out 1/5: ROC-AUC, PR-AUC, R-precision
   (recall at k = number of held-out positives), Brier score.
3. The shipped model: the same settings trained on the whole corpus.
With ``--prior`` the symmetry prior (:func:`altermag.discovery.baselines.symmetry_prior`) is given to the
network as a per-graph feature (``feature_names = ("symmetry_prior",)``; ``predict`` computes it from the
file). No pre-training (the few-positive pre-training ablation is part of ``altermag discover evaluate``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

SETTINGS = dict(hidden=32, mlp_hidden=32, n_layers=3, dropout=0.5, weight_decay=1e-3, epochs=40, batch_size=32,
                lr=2e-3, patience=10, val_fraction=0.2, seed=0, threads=1)


def r_precision(y, p) -> float:
    k = int(np.sum(y))
    return float(np.sum(np.asarray(y)[np.argsort(-np.asarray(p), kind="stable")[:k]]) / max(k, 1))


def main(argv=None) -> None:
    import torch
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
    from sklearn.model_selection import StratifiedGroupKFold

    from altermag.core.io import save_json
    from altermag.discovery.classifier import TrainConfig, train_classifier
    from altermag.discovery.datasets import labelled_corpus
    from altermag.discovery.graphs import GraphConfig, build_graphs

    ap = argparse.ArgumentParser()
    ap.add_argument("--folder", default=None)
    ap.add_argument("--out", default=str(Path(__file__).parent))
    ap.add_argument("--epochs", type=int, default=SETTINGS["epochs"])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--cache", default=None, help="graph cache folder")
    ap.add_argument("--prior", action="store_true", help="give the symmetry prior to the network as a feature")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    settings = dict(SETTINGS, epochs=args.epochs)
    t0 = time.time()
    corpus = labelled_corpus(args.folder, progress=False)
    graphs = build_graphs(corpus.structures, GraphConfig(), cache_dir=args.cache, progress_bar=False)
    y = np.asarray(corpus.labels)
    groups = np.asarray(corpus.groups)
    gf = None
    if args.prior:
        from altermag.discovery.predict import structure_features

        settings["feature_names"] = ("symmetry_prior",)
        gf = structure_features(corpus.structures, settings["feature_names"])
    folds = []
    if args.folds > 1:
        splitter = StratifiedGroupKFold(n_splits=args.folds, shuffle=True, random_state=0)
        for k, (tr, te) in enumerate(splitter.split(np.zeros(len(y)), y, groups)):
            clf = train_classifier([graphs[i] for i in tr], y[tr], TrainConfig(**settings), groups=groups[tr],
                                   graph_features=None if gf is None else gf[tr])
            p = clf.predict_proba([graphs[i] for i in te], None if gf is None else gf[te])
            rec = {"fold": k, "n_test": int(len(te)), "n_test_positive": int(y[te].sum()),
                   "roc_auc": float(roc_auc_score(y[te], p)), "pr_auc": float(average_precision_score(y[te], p)),
                   "r_precision": r_precision(y[te], p), "brier": float(brier_score_loss(y[te], p)),
                   "n_above_0.9": int((p > 0.9).sum()),
                   "precision_above_0.9": float(y[te][p > 0.9].mean()) if (p > 0.9).any() else None,
                   "temperature": clf.temperature, "epochs_run": clf.info["epochs_run"]}
            folds.append(rec)
            print(rec, f"{time.time() - t0:.0f} s", flush=True)
    summary = {m: [float(np.mean([f[m] for f in folds])), float(np.std([f[m] for f in folds]))]
               for m in ("roc_auc", "pr_auc", "r_precision", "brier")} if folds else {}
    clf = train_classifier(graphs, y, TrainConfig(**settings), groups=groups, graph_features=gf)
    out = Path(args.out)
    clf.info["held_out"] = {"protocol": f"{args.folds}-fold StratifiedGroupKFold by reduced formula, seed 0",
                            "folds": folds, "mean_std": summary}
    clf.info["corpus"] = corpus.summary()
    clf.save(out / "model.pt")
    save_json(out / "model.json", {"settings": settings, "graph": GraphConfig().as_dict(),
                                   "held_out": clf.info["held_out"], "corpus": corpus.summary(),
                                   "final_model": {k: v for k, v in clf.info.items()
                                                   if k not in ("history", "held_out", "corpus")},
                                   "seconds": time.time() - t0},
              inputs={"script": "altermag.discovery.data.train_shipped_model", **vars(args)})
    print("held-out mean ± std:", summary, f"total {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
