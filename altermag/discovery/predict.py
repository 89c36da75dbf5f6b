"""Predictions on structure files with a trained (or the shipped) classifier.

The shipped model (``altermag/discovery/data/model.pt``, its training record in ``model.json``) is a small
CGCNN classifier (hidden 32, the symmetry prior as an extra input) trained on the labelled MAGNDATA corpus; see docs/discovery_ml.md for how it
was trained and its held-out numbers. It sees only the crystal (moments removed): the probability is "the
magnetic ground state of this crystal is altermagnetic", learned from experimental orders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from altermag.core.errors import AltermagError

_DATA = Path(__file__).parent / "data"


def _symmetry_prior(structure) -> float:
    from altermag.discovery.baselines import symmetry_prior

    return symmetry_prior(structure)


#: per-structure features a classifier may have been trained with (``TrainConfig.feature_names``)
STRUCTURE_FEATURES = {
    "symmetry_prior": _symmetry_prior,  # fraction of compensated k=0 index-2 orders that are altermagnetic
}


def structure_features(structures: Sequence, names: Sequence[str]):
    """(n, len(names)) float32 array of the named :data:`STRUCTURE_FEATURES`, or None for no names."""
    import numpy as np

    from altermag.core.errors import ParameterError

    if not names:
        return None
    unknown = [n for n in names if n not in STRUCTURE_FEATURES]
    if unknown:
        raise ParameterError(f"unknown structure features {unknown}; known: {sorted(STRUCTURE_FEATURES)}")
    return np.array([[STRUCTURE_FEATURES[n](s) for n in names] for s in structures], dtype=np.float32)


def default_model_path() -> Path:
    """Path of the classifier shipped with the package."""
    return _DATA / "model.pt"


def load_default_model():
    """The shipped :class:`~altermag.discovery.classifier.Classifier`."""
    from altermag.discovery.classifier import Classifier

    path = default_model_path()
    if not path.exists():
        raise AltermagError(f"the shipped model {path} is missing from this installation")
    return Classifier.load(path)


def predict_structures(structures: Sequence, classifier=None, names: Sequence[str] | None = None,
                       threshold: float | None = None, graph_features=None) -> list[dict]:
    """Records ``{name, formula, n_atoms, probability, above_threshold, threshold}`` for in-memory structures
    (altermag MagneticStructure / pymatgen Structure); moments, if any, are ignored."""
    from altermag.discovery.graphs import build_graphs

    clf = classifier or load_default_model()
    thr = clf.config.threshold if threshold is None else float(threshold)
    graphs = build_graphs(structures, clf.graph_config, progress_bar=False)
    if graph_features is None and clf.config.feature_names:
        graph_features = structure_features(structures, clf.config.feature_names)
    p = clf.predict_proba(graphs, graph_features)
    names = list(names) if names is not None else [g.name for g in graphs]
    return [{"name": n, "formula": g.formula, "n_atoms": g.n_nodes, "probability": float(pi),
             "above_threshold": bool(pi > thr), "threshold": thr} for n, g, pi in zip(names, graphs, p)]


def predict_files(files: Sequence, classifier=None, threshold: float | None = None) -> list[dict]:
    """One record per file, in order: ``{file, formula, n_atoms, probability, above_threshold, threshold}``,
    or ``{file, error}`` for a file that cannot be read. Files are read with
    :func:`altermag.structures.read_structure` (magCIF, CIF, POSCAR, JSON)."""
    from altermag.structures import read_structure

    clf = classifier or load_default_model()
    recs: list[dict] = [{} for _ in files]
    good, structs = [], []
    for k, f in enumerate(files):
        try:
            structs.append(read_structure(f))
            good.append(k)
        except AltermagError as exc:
            recs[k] = {"file": str(f), "error": str(exc)}
    if structs:
        from altermag.discovery.graphs import build_graph

        graphs, ok, feats = [], [], []
        names = tuple(clf.config.feature_names)
        for k, s in zip(good, structs):
            try:
                g = build_graph(s, clf.graph_config)
                f = structure_features([s], names) if names else None
            except AltermagError as exc:
                recs[k] = {"file": str(files[k]), "error": str(exc)}
                continue
            graphs.append(g)
            ok.append(k)
            if f is not None:
                feats.append(f[0])
        thr = clf.config.threshold if threshold is None else float(threshold)
        import numpy as np

        gf = np.array(feats, dtype=np.float32) if names and feats else None
        p = clf.predict_proba(graphs, gf) if graphs else []
        for k, g, pi in zip(ok, graphs, p):
            recs[k] = {"file": str(files[k]), "formula": g.formula, "n_atoms": g.n_nodes,
                       "probability": float(pi), "above_threshold": bool(pi > thr), "threshold": thr}
            if names:
                recs[k]["features"] = dict(zip(names, map(float, gf[ok.index(k)])))
    return recs
