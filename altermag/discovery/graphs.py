"""Crystal graphs: atoms as nodes, neighbours within a radius as edges (Gaussian-expanded distances).

A :class:`CrystalGraph` is built from the *crystal* only: magnetic moments, if present, are ignored, so the
network never sees the magnetic order it is asked to predict. Conventions:

* nodes: one per site of the given cell (the cell choice does not matter: a supercell gives every atom the
  same neighbourhood, so the multiset of per-atom node/edge features is unchanged);
* ``node_features`` (n, F) float32: element embedding, ``"cgcnn"`` (93-d one-hot bins of group, period,
  electronegativity, covalent radius, valence electrons, ionisation energy, electron affinity, block,
  molar volume, after Xie & Grossman 2018; table shipped in ``data/element_embedding.json``) or
  ``"onehot"`` (100-d one-hot of the atomic number, as the discovery paper describes). A mixed-occupancy
  site gets the occupancy-weighted mean of its elements' vectors;
* ``magnetic`` (n,) bool: the site holds an element of the configured magnetic set (default ``"broad"``:
  3d, magnetic 4d/5d, 4f, 5f; see :func:`altermag.structures.magnetic_elements`);
* edges ``edge_index`` (2, E) int64, row 0 = centre i, row 1 = neighbour j (messages flow j → i), one edge
  per periodic image of j inside the cutoff; per centre the ``max_neighbors`` nearest are kept **plus every
  neighbour tied with the last kept one** (within ``tie_tol`` Å), so the graph does not depend on the atom
  order or on how ties are broken;
* ``edge_distance`` (E,) float32 in Å, and ``edge_features`` (E, G) float32, the Gaussian expansion
  exp(-(d - μ_k)² / w²) with centres μ_k = 0, step, …, cutoff (step = ``gaussian_step`` = 0.2 Å, the
  public code's value) and width w = ``gaussian_width`` (default = step).

Plain PyTorch/NumPy (no torch_geometric): graphs are small and batching is a concatenation plus an index
offset (:func:`collate`); message passing is ``index_add_``. This keeps the dependency list at torch only
and makes the computation deterministic on CPU (needed for bit-for-bit resume).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from altermag.core.errors import ParameterError, StructureError

#: Bump when the graph construction changes: it is part of every cache key.
GRAPH_CODE_VERSION = "1"

_COMPOSITE = re.compile(r"([A-Z][a-z]?)([0-9.]*)")
_ISOTOPES = {"D": "H", "T": "H"}  # deuterium (common in neutron-diffraction files) and tritium are hydrogen


@dataclass(frozen=True)
class GraphConfig:
    """How crystal graphs are built. Lengths in Å.

    cutoff: neighbour search radius (Å); the public code used 20 Å with 12 kept neighbours, 8 Å keeps the
        12 nearest neighbours of essentially every inorganic crystal at a fraction of the cost.
    max_neighbors: number of nearest neighbours kept per atom (ties with the last one are all kept).
    n_gaussians: number of Gaussian centres; ``None`` → ``round(cutoff / gaussian_step) + 1``.
    gaussian_step: spacing of the Gaussian centres (Å).
    gaussian_width: Gaussian width w (Å); ``None`` → ``gaussian_step``.
    embedding: ``"cgcnn"`` or ``"onehot"``.
    magnetic: magnetic-element set for the ``magnetic`` flags (name or list, see ``magnetic_elements``).
    tie_tol: distance tolerance (Å) for neighbours tied with the last kept one.
    """

    cutoff: float = 8.0
    max_neighbors: int = 12
    n_gaussians: int | None = None
    gaussian_step: float = 0.2
    gaussian_width: float | None = None
    embedding: str = "cgcnn"
    magnetic: str = "broad"
    tie_tol: float = 1e-3

    def __post_init__(self):
        if not (0.5 <= self.cutoff <= 30.0):
            raise ParameterError(f"cutoff = {self.cutoff} Å is outside the allowed range [0.5, 30]")
        if not (1 <= self.max_neighbors <= 200):
            raise ParameterError(f"max_neighbors = {self.max_neighbors} is outside the allowed range [1, 200]")
        if self.embedding not in ("cgcnn", "onehot"):
            raise ParameterError(f"embedding = {self.embedding!r}; allowed: 'cgcnn', 'onehot'")
        if self.gaussian_step <= 0:
            raise ParameterError(f"gaussian_step = {self.gaussian_step} must be > 0")
        if self.n_gaussians is not None and self.n_gaussians < 1:
            raise ParameterError(f"n_gaussians = {self.n_gaussians} must be >= 1")

    @property
    def centres(self) -> np.ndarray:
        n = self.n_gaussians or int(round(self.cutoff / self.gaussian_step)) + 1
        return np.linspace(0.0, self.gaussian_step * (n - 1), n)

    @property
    def width(self) -> float:
        return float(self.gaussian_width or self.gaussian_step)

    @property
    def node_dim(self) -> int:
        return element_table(self.embedding)[1].shape[1]

    @property
    def edge_dim(self) -> int:
        return len(self.centres)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "GraphConfig":
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


@dataclass(eq=False)
class CrystalGraph:
    """One crystal as a graph (see the module docstring for the conventions)."""

    node_features: np.ndarray  # (n, F) float32
    magnetic: np.ndarray  # (n,) bool
    edge_index: np.ndarray  # (2, E) int64, [centre, neighbour]
    edge_features: np.ndarray  # (E, G) float32
    edge_distance: np.ndarray  # (E,) float32, Å
    content_hash: str = ""
    name: str = ""
    formula: str = ""
    source: str | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        return int(self.node_features.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_index.shape[1])

    def __repr__(self) -> str:
        return f"CrystalGraph({self.name or self.formula}, {self.n_nodes} nodes, {self.n_edges} edges)"

    def arrays(self) -> dict[str, np.ndarray]:
        return {"node_features": self.node_features, "magnetic": self.magnetic, "edge_index": self.edge_index,
                "edge_features": self.edge_features, "edge_distance": self.edge_distance}

    def save(self, path) -> None:
        meta = json.dumps({"content_hash": self.content_hash, "name": self.name, "formula": self.formula,
                           "source": self.source, "info": self.info})
        tmp = f"{path}.tmp{os.getpid()}.npz"
        np.savez_compressed(tmp, meta=np.array(meta), **self.arrays())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path) -> "CrystalGraph":
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            return cls(node_features=z["node_features"], magnetic=z["magnetic"], edge_index=z["edge_index"],
                       edge_features=z["edge_features"], edge_distance=z["edge_distance"], **meta)


# ---------------------------------------------------------------------------------------------- elements
@lru_cache(maxsize=None)
def element_table(embedding: str = "cgcnn") -> tuple[dict[str, int], np.ndarray]:
    """(symbol → row, table (n_elements, F) float32) for the ``"cgcnn"`` or ``"onehot"`` embedding."""
    data = json.loads((Path(__file__).parent / "data" / "element_embedding.json").read_text())
    symbols = list(data["elements"])
    index = {s: i for i, s in enumerate(symbols)}
    if embedding == "cgcnn":
        table = np.array([data["elements"][s] for s in symbols], dtype=np.float32)
    elif embedding == "onehot":
        table = np.eye(len(symbols), dtype=np.float32)
    else:
        raise ParameterError(f"embedding = {embedding!r}; allowed: 'cgcnn', 'onehot'")
    return index, table


def _site_features(species: Sequence[str], config: GraphConfig, source) -> tuple[np.ndarray, np.ndarray]:
    from altermag.structures.elements import magnetic_elements

    index, table = element_table(config.embedding)
    mag_set = magnetic_elements(config.magnetic)
    cache: dict[str, tuple[np.ndarray, bool]] = {}
    feats = np.empty((len(species), table.shape[1]), dtype=np.float32)
    mag = np.zeros(len(species), dtype=bool)
    for i, sp in enumerate(species):
        if sp not in cache:
            parts = _COMPOSITE.findall(sp)
            if not parts:
                raise StructureError(f"unknown species label {sp!r}", source)
            vec = np.zeros(table.shape[1], dtype=np.float64)
            tot = 0.0
            for el, amt in parts:
                el = _ISOTOPES.get(el, el)
                if el not in index:
                    raise StructureError(f"element {el!r} has no entry in the {config.embedding} embedding "
                                         f"(Z <= 100 supported)", source)
                w = float(amt) if amt else 1.0
                vec += w * table[index[el]]
                tot += w
            cache[sp] = ((vec / tot).astype(np.float32), any(el in mag_set for el, _ in parts))
        feats[i], mag[i] = cache[sp]
    return feats, mag


# ---------------------------------------------------------------------------------------------- neighbours
def neighbor_list(lattice: np.ndarray, frac: np.ndarray, cutoff: float, max_neighbors: int,
                  tie_tol: float = 1e-3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Periodic neighbour list: (centre, neighbour, distance Å), the ``max_neighbors`` nearest within
    ``cutoff`` per centre plus all ties with the last kept one. Vectorised over atoms and images (chunked)."""
    lattice = np.asarray(lattice, float)
    frac = np.mod(np.asarray(frac, float), 1.0)
    n = len(frac)
    vol = abs(np.linalg.det(lattice))
    # images needed along each axis: cutoff / interplanar spacing
    cross = np.stack([np.cross(lattice[1], lattice[2]), np.cross(lattice[2], lattice[0]),
                      np.cross(lattice[0], lattice[1])])
    spacing = vol / np.linalg.norm(cross, axis=1)
    nmax = np.ceil(cutoff / spacing).astype(int)
    rng = [np.arange(-m, m + 1) for m in nmax]
    images = np.array(np.meshgrid(*rng, indexing="ij")).reshape(3, -1).T.astype(float)
    cart = frac @ lattice
    img_cart = images @ lattice  # (M, 3)
    # positions of every neighbour image: (M*n, 3)
    nb = (cart[None, :, :] + img_cart[:, None, :]).reshape(-1, 3)
    nb_atom = np.tile(np.arange(n), len(images))
    centres, neigh, dists = [], [], []
    chunk = max(1, int(4e6 // max(len(nb), 1)))
    for s in range(0, n, chunk):
        c = cart[s:s + chunk]
        d = np.sqrt(np.maximum(((c[:, None, :] - nb[None, :, :]) ** 2).sum(-1), 0.0))  # (c, M*n)
        d[d < 1e-8] = np.inf  # the atom itself
        d[d > cutoff] = np.inf
        k = min(max_neighbors, d.shape[1])
        part = np.partition(d, k - 1, axis=1)[:, k - 1]  # k-th smallest distance per centre
        limit = np.minimum(part + tie_tol, cutoff)
        keep = d <= limit[:, None]
        ci, cj = np.nonzero(keep)
        centres.append(ci + s)
        neigh.append(nb_atom[cj])
        dists.append(d[ci, cj])
    ci = np.concatenate(centres)
    cj = np.concatenate(neigh)
    dd = np.concatenate(dists)
    order = np.lexsort((dd, ci))
    return ci[order], cj[order], dd[order]


def gaussian_expand(distance: np.ndarray, config: GraphConfig) -> np.ndarray:
    """Gaussian expansion exp(-(d - μ_k)²/w²) of distances in Å → (E, G) float32."""
    d = np.asarray(distance, dtype=np.float64)[:, None]
    return np.exp(-((d - config.centres[None, :]) ** 2) / config.width ** 2).astype(np.float32)


# ---------------------------------------------------------------------------------------------- building
def _as_arrays(structure) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], str, str | None, dict]:
    """(lattice, frac, species, formula, source, info) from a MagneticStructure, pymatgen Structure or ASE."""
    from altermag.structures.magnetic import MagneticStructure

    if not isinstance(structure, MagneticStructure):
        mod = type(structure).__module__
        if mod.startswith("pymatgen"):
            structure = MagneticStructure.from_pymatgen(structure)
        elif mod.startswith("ase"):
            structure = MagneticStructure.from_ase(structure)
        elif isinstance(structure, (str, os.PathLike)):
            from altermag.structures import read_structure

            structure = read_structure(structure)
        else:
            raise StructureError(f"cannot build a crystal graph from a {type(structure).__name__}")
    info = {k: v for k, v in structure.info.items() if isinstance(v, (str, int, float, bool))}
    return (structure.lattice, structure.frac_coords, structure.species, structure.formula, structure.source,
            info)


def content_hash(lattice, frac, species, moments=None, *, decimals: int = 6, salt: str = "") -> str:
    """SHA-256 (hex) of a crystal's content: ``salt``, lattice, fractional coordinates wrapped to [0, 1),
    species and (if given) moments, numbers rounded to ``decimals``. The one content hash of the discovery
    package: graph cache keys (:func:`structure_hash`) and feature/label keys
    (:func:`altermag.discovery.datasets.structure_hash`) are both built on it."""
    h = hashlib.sha256()
    h.update(salt.encode())
    h.update(np.round(np.asarray(lattice, float), decimals).astype(np.float64).tobytes())
    h.update(np.round(np.mod(np.asarray(frac, float), 1.0), decimals).astype(np.float64).tobytes())
    h.update("|".join(species).encode())
    if moments is not None:
        h.update(np.round(np.asarray(moments, float), decimals).astype(np.float64).tobytes())
    return h.hexdigest()


def structure_hash(lattice, frac, species, config: GraphConfig) -> str:
    """Graph cache key: structure content (rounded to 1e-6) + graph config + graph code version."""
    salt = GRAPH_CODE_VERSION + json.dumps(config.as_dict(), sort_keys=True)
    return content_hash(lattice, frac, species, decimals=6, salt=salt)[:32]


def build_graph(structure, config: GraphConfig = GraphConfig()) -> CrystalGraph:
    """Crystal graph of one structure (altermag ``MagneticStructure``, pymatgen ``Structure``, ASE ``Atoms``
    or a file path). Moments are ignored."""
    lattice, frac, species, formula, source, info = _as_arrays(structure)
    feats, mag = _site_features(species, config, source)
    ci, cj, dd = neighbor_list(lattice, frac, config.cutoff, config.max_neighbors, config.tie_tol)
    if len(ci) == 0:
        raise StructureError(f"no neighbours within the cutoff {config.cutoff} Å (isolated atoms?)", source)
    return CrystalGraph(
        node_features=feats, magnetic=mag, edge_index=np.stack([ci, cj]).astype(np.int64),
        edge_features=gaussian_expand(dd, config), edge_distance=dd.astype(np.float32),
        content_hash=structure_hash(lattice, frac, species, config), name=str(info.get("name", "") or formula),
        formula=formula, source=source, info=info)


def _build_cached(args) -> CrystalGraph:
    structure, config, cache_dir = args
    if cache_dir is None:
        return build_graph(structure, config)
    lattice, frac, species, _f, _s, _i = _as_arrays(structure)
    key = structure_hash(lattice, frac, species, config)
    path = Path(cache_dir) / f"{key}.npz"
    if path.exists():
        try:
            return CrystalGraph.load(path)
        except Exception as exc:  # a damaged cache file is rebuilt, and said so
            from altermag.core.log import get_logger

            get_logger(__name__).warning("graph cache file %s unreadable (%s: %s); rebuilding", path,
                                         type(exc).__name__, exc)
    g = build_graph(structure, config)
    g.save(path)
    return g


def build_graphs(structures: Iterable, config: GraphConfig = GraphConfig(), cache_dir=None,
                 workers: int | None = None, progress_bar: bool = True, errors: str = "raise") -> list[CrystalGraph]:
    """Graphs of many structures, optionally in parallel (``workers`` > 1: local processes through
    :func:`altermag.core.executor.get_executor`) and cached in ``cache_dir`` under a content hash of
    structure + config + code version (a changed structure or setting never reuses a stale file).
    A structure that fails raises its :class:`StructureError` (``errors="raise"``) or leaves the
    :class:`StructureError` in its place in the returned list (``errors="return"``)."""
    if errors not in ("raise", "return"):
        raise ParameterError(f"errors = {errors!r}; allowed: 'raise', 'return'")
    from altermag.core.progress import progress

    structures = list(structures)
    if cache_dir is not None:
        cache_dir = Path(cache_dir).expanduser()
        cache_dir.mkdir(parents=True, exist_ok=True)
    items = [(s, config, None if cache_dir is None else str(cache_dir)) for s in structures]
    disable = None if progress_bar else True
    if workers is None or workers <= 1 or len(items) < 16:
        out_serial: list = []
        for it in progress(items, total=len(items), desc="crystal graphs", disable=disable):
            try:
                out_serial.append(_build_cached(it))
            except StructureError as exc:
                if errors == "raise":
                    raise
                out_serial.append(exc)
        return out_serial
    from altermag.core.executor import get_executor

    out: list[CrystalGraph | None] = [None] * len(items)
    with get_executor(workers=workers) as ex:
        for i, res in ex.imap_unordered(_build_cached, items, progress=progress_bar, desc="crystal graphs"):
            if isinstance(res, BaseException):
                if not isinstance(res, StructureError):
                    res = StructureError(f"graph construction failed: {res}", getattr(structures[i], "source", None))
                if errors == "raise":
                    raise res
            out[i] = res
    return out  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------- batching
@dataclass
class GraphBatch:
    """Several graphs concatenated (torch tensors). ``batch[i]`` = graph of node i; ``node_offset[g]`` =
    first node of graph g; edge indices are global."""

    x: Any
    magnetic: Any
    edge_index: Any
    edge_attr: Any
    batch: Any
    n_graphs: int
    node_offset: Any
    graph_features: Any = None


def collate(graphs: Sequence[CrystalGraph], graph_features=None, *, edge_attr: Sequence[np.ndarray] | None = None,
            device=None) -> GraphBatch:
    """Concatenate graphs into one :class:`GraphBatch` (edge features replaced by ``edge_attr`` when given,
    e.g. from augmented distances)."""
    import torch

    n = np.array([g.n_nodes for g in graphs], dtype=np.int64)
    offs = np.concatenate([[0], np.cumsum(n)])
    x = np.concatenate([g.node_features for g in graphs])
    mag = np.concatenate([g.magnetic for g in graphs])
    ei = np.concatenate([g.edge_index + offs[k] for k, g in enumerate(graphs)], axis=1)
    ea = np.concatenate(list(edge_attr) if edge_attr is not None else [g.edge_features for g in graphs])
    b = np.repeat(np.arange(len(graphs)), n)
    gf = None
    if graph_features is not None:
        gf = torch.as_tensor(np.asarray(graph_features, dtype=np.float32), device=device)
    return GraphBatch(x=torch.as_tensor(x, device=device), magnetic=torch.as_tensor(mag, device=device),
                      edge_index=torch.as_tensor(ei, device=device), edge_attr=torch.as_tensor(ea, device=device),
                      batch=torch.as_tensor(b, device=device), n_graphs=len(graphs),
                      node_offset=torch.as_tensor(offs, device=device), graph_features=gf)
