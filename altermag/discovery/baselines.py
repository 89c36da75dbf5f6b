"""Baselines for "is this crystal's (unknown) collinear order altermagnetic?", scored on the same folds as the GNN.

All baselines see the crystal only (moments removed). "Magnetic atoms" are sites holding an element of the
``magnetic`` set (default ``"broad"``: 3d Ti–Cu, 4d/5d Mo Ru Rh Re Os Ir, 4f Ce–Yb, 5f U Np Pu Am — spec
``discovery.md`` §5), counted in the primitive cell.

1. :func:`paper_rules_score` — the discovery paper's screening rules as a score: candidate 1, excluded
   (multi-species, P1/P-1, no magnetic element) 0.5, negative (odd count, inversion pair) 0. The rules use
   the paper's 3d/4f element set by default.
2. :func:`symmetry_prior` — over the index-2 subgroups H of the crystal space group G that contain all
   translations (kernels of the non-trivial ±1 characters χ of the point group), keep those for which some
   magnetic orbit splits into ↑/↓ (its site stabiliser lies in H, so s(g·i) = χ(g) is a consistent
   compensated k=0 order); the prior is the fraction of kept H whose flip coset G∖H has no inversion
   (i.e. the order is altermagnetic, not PT-antiferromagnetic); 0 when no H is kept. No enumeration, any
   cell size.
   :func:`enumeration_prior` — the same idea from :func:`altermag.symmetry.enumerate_configurations`:
   fraction of the symmetry-distinct compensated k=0 configurations of the primitive cell that are
   altermagnetic (0 when there is none, NaN when the cell has more than ``max_sites`` magnetic sites).
3. A random forest (:class:`ForestBaseline`) on :func:`structure_features` — space group, crystal
   system, point-group order, centrosymmetry, magnetic counts and parity, orbit (Wyckoff) multiplicities and
   site-symmetry orders of the magnetic sites, fraction of magnetic atoms on inversion centres, composition
   and lattice descriptors — with or without the two priors as extra columns.

Per-structure features are cached in ``<cache_dir>/features.json`` keyed by
:func:`altermag.discovery.datasets.structure_hash` and :data:`FEATURE_VERSION`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from altermag.core.errors import AltermagError, ParameterError
from altermag.structures.magnetic import MagneticStructure, elements_of

__all__ = ["FEATURE_VERSION", "FeatureTable", "ForestBaseline", "PRIOR_FEATURES", "compute_features",
           "enumeration_prior", "paper_rules_score", "point_group_characters", "structure_features",
           "symmetry_prior"]

#: bump when a feature's definition changes (part of the cache key)
FEATURE_VERSION = "2"
#: features derived from the spin-group priors (left out of the "simple features" forest)
PRIOR_FEATURES = ("prior_subgroup", "prior_enumeration", "prior_enumeration_missing", "n_prior_orders")
#: features derived from the paper's rules (reported, not given to the forests)
RULE_FEATURES = ("paper_rules_score",)

_CRYSTAL_SYSTEM_BOUNDS = (2, 15, 74, 142, 167, 194, 230)
_ANION_GROUPS = {
    "frac_O": {"O"}, "frac_halogen": {"F", "Cl", "Br", "I"}, "frac_chalcogen": {"S", "Se", "Te"},
    "frac_pnictogen": {"N", "P", "As", "Sb", "Bi"}, "frac_tetrel_boron": {"C", "Si", "Ge", "Sn", "B"},
    "frac_H": {"H", "D"},
}
_3D = set("Ti V Cr Mn Fe Co Ni Cu".split())
_4D5D = set("Mo Ru Rh Re Os Ir".split())
_4F = set("Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb".split())
_5F = set("U Np Pu Am".split())


def crystal_system(sg: int) -> int:
    """1 triclinic, 2 monoclinic, 3 orthorhombic, 4 tetragonal, 5 trigonal, 6 hexagonal, 7 cubic."""
    for k, hi in enumerate(_CRYSTAL_SYSTEM_BOUNDS, start=1):
        if sg <= hi:
            return k
    raise ParameterError(f"space group number must be 1..230, got {sg}")


# --------------------------------------------------------------------------------------- group theory
def _mult_table(R: np.ndarray) -> np.ndarray:
    """(n, n) table k = index of R_i R_j among the (distinct) rotations R."""
    flat = {r.tobytes(): i for i, r in enumerate(R)}
    prod = np.einsum("iab,jbc->ijac", R, R)
    n = len(R)
    table = np.empty((n, n), dtype=int)
    for i in range(n):
        for j in range(n):
            k = flat.get(prod[i, j].tobytes())
            if k is None:
                raise AltermagError("point operations do not close under multiplication (symmetry tolerance?)")
            table[i, j] = k
    return table


def point_group_characters(rotations: np.ndarray) -> np.ndarray:
    """All non-trivial one-dimensional ±1 characters of the point group formed by ``rotations``.

    ``rotations``: (n, 3, 3) integer matrices (duplicates, e.g. centring copies, are merged). Returns
    (m, n) values χ(R_k) ∈ {±1} for the input order; the kernel of each is an index-2 subgroup.
    Brute force over ±1 assignments to a generating set, each checked against the full multiplication
    table (point groups have at most 48 elements and 3 generators).
    """
    R = np.asarray(rotations, dtype=int)
    uniq, inverse = np.unique(R.reshape(len(R), -1), axis=0, return_inverse=True)
    U = uniq.reshape(-1, 3, 3)
    n = len(U)
    table = _mult_table(U)
    ident = next(i for i in range(n) if np.array_equal(U[i], np.eye(3, dtype=int)))

    def closure(gens):
        seen = {ident}
        frontier = [ident]
        while frontier:
            new = []
            for a in frontier:
                for g in gens:
                    b = table[a, g]
                    if b not in seen:
                        seen.add(b)
                        new.append(b)
            frontier = new
        return seen

    gens: list[int] = []
    span = {ident}
    for i in range(n):
        if i not in span:
            gens.append(i)
            span = closure(gens)
    chars = []
    for code in range(1, 2 ** len(gens)):
        val = {ident: 1}
        frontier = [ident]
        ok = True
        while frontier and ok:
            new = []
            for a in frontier:
                for bit, g in enumerate(gens):
                    b = table[a, g]
                    v = val[a] * (-1 if (code >> bit) & 1 else 1)
                    if b in val:
                        if val[b] != v:
                            ok = False
                            break
                    else:
                        val[b] = v
                        new.append(b)
                if not ok:
                    break
            frontier = new
        if not ok:
            continue
        chi = np.array([val[i] for i in range(n)])
        if np.all(chi[table] == chi[:, None] * chi[None, :]):
            chars.append(chi)
    if not chars:
        return np.zeros((0, len(R)), dtype=int)
    return np.unique(np.array(chars), axis=0)[:, inverse]


def _magnetic_mask(species, magnetic) -> np.ndarray:
    """Magnetic sites by element set name/list (:func:`altermag.symmetry.enumeration.magnetic_site_mask`)."""
    from altermag.structures.elements import magnetic_elements
    from altermag.symmetry.enumeration import magnetic_site_mask

    return magnetic_site_mask(species, magnetic_elements(magnetic))


def _prior_from_symmetry(sym, mask: np.ndarray) -> tuple[float, int]:
    """(prior, number of admissible index-2 orders) from a primitive cell's symmetry."""
    chars = point_group_characters(sym.rotations)
    if len(chars) == 0 or not mask.any():
        return 0.0, 0
    inv = np.all(sym.rotations == -np.eye(3, dtype=int), axis=(1, 2))
    perms = sym.permutations  # (ops, N) all atoms tracked
    mag_sites = np.nonzero(mask)[0]
    fixes = perms[:, mag_sites] == mag_sites[None, :]  # (ops, M): op fixes site
    n_ok = n_am = 0
    for chi in chars:
        # stabiliser of site i ⊂ H  ⇔  no op with χ = -1 fixes it
        splits = ~np.any(fixes & (chi[:, None] < 0), axis=0)
        if not splits.any():
            continue
        n_ok += 1
        if not np.any(inv & (chi < 0)):
            n_am += 1
    return (n_am / n_ok if n_ok else 0.0), n_ok


def symmetry_prior(structure: MagneticStructure, *, magnetic="broad", symprec: float = 1e-2) -> float:
    """Fraction of the compensated k=0 index-2 orders of the crystal that are altermagnetic (module doc, 2)."""
    from altermag.symmetry.enumeration import primitive_symmetry

    prim, sym = primitive_symmetry(structure, symprec)
    return _prior_from_symmetry(sym, _magnetic_mask(prim.species, magnetic))[0]


def enumeration_prior(structure: MagneticStructure, *, magnetic="broad", symprec: float = 1e-2,
                      max_sites: int = 12) -> float:
    """Fraction of symmetry-distinct compensated k=0 configurations that are altermagnetic
    (:func:`altermag.symmetry.enumerate_configurations`); 0 if none exist, NaN above ``max_sites``."""
    from altermag.symmetry.enumeration import enumerate_configurations

    try:
        res = enumerate_configurations(structure, magnetic=magnetic, symprec=symprec, max_sites=max_sites,
                                       with_form_factor=False)
    except AltermagError as exc:
        if "max_sites" in str(exc):
            return float("nan")
        raise
    frac = res.altermagnetic_fraction
    return 0.0 if frac is None else float(frac)


def paper_rules_score(structure: MagneticStructure, *, magnetic="3d4f", symprec: float = 1e-2) -> float:
    """The paper's screening rules as a score: candidate 1, excluded 0.5, negative 0."""
    from altermag.symmetry.screening import paper_rules

    r = paper_rules(structure.without_moments(), magnetic=magnetic, symprec=symprec)
    return {"candidate": 1.0, "excluded": 0.5, "negative": 0.0}[r.set]


# --------------------------------------------------------------------------------------- features
def structure_features(structure: MagneticStructure, *, magnetic="broad", symprec: float = 1e-2,
                       max_sites: int = 12) -> dict[str, float]:
    """Simple symmetry/composition/lattice descriptors plus the priors and the paper-rule score.

    All counts refer to the primitive cell (moments ignored). Keys are stable; see module docstring.
    """
    from altermag.symmetry.enumeration import primitive_symmetry

    prim, sym = primitive_symmetry(structure, symprec)
    mask = _magnetic_mask(prim.species, magnetic)
    n = len(prim)
    M = int(mask.sum())
    sg = sym.space_group_number
    order = sym.order
    perms = sym.permutations
    inv = np.all(sym.rotations == -np.eye(3, dtype=int), axis=(1, 2))
    f: dict[str, float] = {
        "space_group": sg, "crystal_system": crystal_system(sg), "point_group_order": order,
        "centrosymmetric": float(inv.any()), "n_atoms": n, "n_magnetic": M, "magnetic_odd": float(M % 2),
        "frac_magnetic": M / n,
    }
    mag_elements = sorted({e for s, m in zip(prim.species, mask) if m for e in elements_of(s)})
    f["n_magnetic_species"] = len({s for s, m in zip(prim.species, mask) if m})
    f["n_elements"] = len({e for s in prim.species for e in elements_of(s)})
    if M:
        sites = np.nonzero(mask)[0]
        orbit_sizes = np.array([len(set(perms[:, i].tolist())) for i in sites])
        orbits = {frozenset(perms[:, i].tolist()) for i in sites}
        stab = order / orbit_sizes
        on_inv = np.array([bool(np.any(perms[inv, i] == i)) if inv.any() else False for i in sites])
        f.update(n_magnetic_orbits=len(orbits), orbit_mult_min=orbit_sizes.min(), orbit_mult_max=orbit_sizes.max(),
                 site_sym_min=stab.min(), site_sym_max=stab.max(), frac_mag_on_inversion=on_inv.mean(),
                 any_even_orbit=float(np.any(orbit_sizes % 2 == 0)))
    else:
        f.update(n_magnetic_orbits=0, orbit_mult_min=0, orbit_mult_max=0, site_sym_min=0, site_sym_max=0,
                 frac_mag_on_inversion=0.0, any_even_orbit=0.0)
    for name, group in (("frac_mag_3d", _3D), ("frac_mag_4d5d", _4D5D), ("frac_mag_4f", _4F), ("frac_mag_5f", _5F)):
        f[name] = sum(e in group for e in mag_elements) / max(len(mag_elements), 1)
    from pymatgen.core import Element

    zs = [Element(e).Z for e in mag_elements if e != "D"]
    f["mag_Z_mean"] = float(np.mean(zs)) if zs else 0.0
    all_el = [e for s in prim.species for e in elements_of(s)]
    for name, group in _ANION_GROUPS.items():
        f[name] = sum(e in group for e in all_el) / max(len(all_el), 1)
    lengths = np.sort(np.linalg.norm(prim.lattice, axis=1))
    f.update(volume_per_atom=prim.volume / n, length_ratio_min=lengths[0] / lengths[2],
             length_ratio_mid=lengths[1] / lengths[2])
    prior, n_orders = _prior_from_symmetry(sym, mask)
    f["prior_subgroup"] = prior
    f["n_prior_orders"] = n_orders
    try:
        pe = enumeration_prior(structure, magnetic=magnetic, symprec=symprec, max_sites=max_sites)
    except AltermagError:
        pe = float("nan")
    f["prior_enumeration_missing"] = float(np.isnan(pe))
    f["prior_enumeration"] = prior if np.isnan(pe) else pe  # fall back to the subgroup prior above max_sites
    try:
        f["paper_rules_score"] = paper_rules_score(structure, symprec=symprec)
    except AltermagError:
        f["paper_rules_score"] = 0.5
    return {k: float(v) for k, v in f.items()}


def _feature_job(args):
    structure, opts = args
    try:
        return structure_features(structure, **opts)
    except AltermagError as exc:
        return f"error: {exc}"


@dataclass
class FeatureTable:
    """Feature matrix ``X`` (n, F) with column ``names``; rows that failed are NaN (listed in ``errors``)."""

    names: list[str]
    X: np.ndarray
    errors: dict[int, str] = field(default_factory=dict)

    def column(self, name: str) -> np.ndarray:
        return self.X[:, self.names.index(name)]

    def matrix(self, include_priors: bool) -> np.ndarray:
        """Forest input: simple features, plus the prior columns if ``include_priors`` (rule score never)."""
        drop = set(RULE_FEATURES) | (set() if include_priors else set(PRIOR_FEATURES))
        cols = [i for i, nm in enumerate(self.names) if nm not in drop]
        return np.nan_to_num(self.X[:, cols], nan=-1.0)


def compute_features(structures, *, hashes=None, cache_dir=None, use_cache: bool = True, magnetic="broad",
                     symprec: float = 1e-2, max_sites: int = 12, workers: int | None = None,
                     progress: bool = True) -> FeatureTable:
    """Features of many structures (parallel, cached by structure content hash; see module docstring)."""
    from altermag.core.io import load_json, save_json
    from altermag.discovery.datasets import default_cache_dir, get_executor_for, structure_hash

    structures = list(structures)
    opts = {"magnetic": magnetic, "symprec": symprec, "max_sites": max_sites}
    tag = f"v{FEATURE_VERSION}|{magnetic}|{symprec:g}|{max_sites}"
    keys = [f"{structure_hash(s.without_moments())}|{tag}" for s in structures]
    cache_path = Path(cache_dir or default_cache_dir()) / "features.json"
    cache: dict = {}
    if use_cache and cache_path.exists():
        try:
            cache = load_json(cache_path)["data"]
        except (AltermagError, KeyError, TypeError):
            cache = {}
    todo = [i for i, k in enumerate(keys) if k not in cache]
    results: dict[int, object] = {i: cache[keys[i]] for i in range(len(keys)) if keys[i] in cache}
    if todo:
        with get_executor_for(todo, workers, min_items=32) as ex:
            for j, res in ex.imap_unordered(_feature_job, [(structures[i], opts) for i in todo],
                                            progress=progress, desc="features"):
                if isinstance(res, BaseException):
                    res = f"error: internal {type(res).__name__}: {res}"
                results[todo[j]] = res
                if use_cache and isinstance(res, dict):
                    cache[keys[todo[j]]] = res
        if use_cache:
            save_json(cache_path, cache, inputs={"what": "altermag.discovery baseline features", "key": "structure_hash|"
                                                 "version|magnetic|symprec|max_sites"}, indent=None)
    names: list[str] = []
    for r in results.values():
        if isinstance(r, dict):
            names = list(r)
            break
    X = np.full((len(structures), len(names)), np.nan)
    errors = {}
    for i in range(len(structures)):
        r = results[i]
        if isinstance(r, dict):
            X[i] = [r.get(nm, np.nan) for nm in names]
        else:
            errors[i] = str(r)
    return FeatureTable(names, X, errors)


# --------------------------------------------------------------------------------------- forest
class ForestBaseline:
    """Random forest on :meth:`FeatureTable.matrix` (balanced class weights), probabilities of class 1."""

    def __init__(self, include_priors: bool = False, n_estimators: int = 300, seed: int = 0,
                 min_samples_leaf: int = 1):
        self.include_priors = include_priors
        self.n_estimators = n_estimators
        self.seed = seed
        self.min_samples_leaf = min_samples_leaf
        self.model = None

    def fit(self, table: FeatureTable, idx, y) -> "ForestBaseline":
        from sklearn.ensemble import RandomForestClassifier

        y = np.asarray(y, dtype=int)
        if len(np.unique(y)) < 2:
            raise AltermagError("the training set needs both classes (some positives and some negatives)")
        self.model = RandomForestClassifier(n_estimators=self.n_estimators, class_weight="balanced",
                                            min_samples_leaf=self.min_samples_leaf, random_state=self.seed,
                                            n_jobs=1)
        self.model.fit(table.matrix(self.include_priors)[np.asarray(idx)], y)
        return self

    def predict_proba(self, table: FeatureTable, idx) -> np.ndarray:
        if self.model is None:
            raise AltermagError("ForestBaseline.predict_proba called before fit")
        return self.model.predict_proba(table.matrix(self.include_priors)[np.asarray(idx)])[:, 1]
