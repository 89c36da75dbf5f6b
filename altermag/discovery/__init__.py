"""Discovery ML: crystal graphs, a NWR-GAE pre-trained CGCNN encoder, a calibrated few-positive classifier.

>>> from altermag.discovery import build_graphs, GraphConfig, pretrain, PretrainConfig
>>> from altermag.discovery import train_classifier, TrainConfig, rank, load_default_model
>>> clf = load_default_model()                      # small model shipped with the package
>>> p = clf.predict_proba(build_graphs([structure], clf.graph_config))

Heavy modules (torch) are imported lazily: ``import altermag.discovery`` stays cheap.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "GraphConfig": "graphs", "CrystalGraph": "graphs", "build_graph": "graphs", "build_graphs": "graphs",
    "collate": "graphs",
    "CGCNNEncoder": "encoder", "EncoderConfig": "encoder",
    "PretrainConfig": "nwr_gae", "pretrain": "nwr_gae", "load_encoder": "nwr_gae", "hungarian_w2": "nwr_gae",
    "TrainConfig": "classifier", "Classifier": "classifier", "train_classifier": "classifier", "rank": "classifier",
    "iterative_discovery": "classifier", "symmetry_oracle": "classifier",
    "predict_files": "predict", "load_default_model": "predict", "default_model_path": "predict",
    "labelled_corpus": "datasets", "LabelledCorpus": "datasets", "pretraining_corpus": "datasets",
    "read_folder": "datasets", "paper_sets": "datasets", "synthetic_crystals": "datasets",
    "symmetry_prior": "baselines", "enumeration_prior": "baselines", "paper_rules_score": "baselines",
    "ForestBaseline": "baselines", "evaluate": "evaluation", "EvalConfig": "evaluation",
    "load_materials_project": "materials_project",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"altermag.discovery.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'altermag.discovery' has no attribute {name!r}")
