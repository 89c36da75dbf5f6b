"""Corpora for the discovery classifier: labelled MAGNDATA, unlabelled pre-training, local folders.

Labelled corpus (:func:`labelled_corpus`)
    Every structure file of a MAGNDATA folder (default: ``$ALTERMAG_MAGNDATA``, else the development
    setup's ``../shared/data/magndata``) is read with :func:`altermag.structures.read_structure` and its
    **experimental** magnetic order is classified with :func:`altermag.symmetry.analyze`. The task is
    "structure with moments removed → is its experimental order altermagnetic":

    * label 1: verdict ``altermagnet``;
    * label 0: ``antiferromagnet`` (PT or translation) and ``ferromagnet`` (ferro- and ferrimagnets, any
      non-zero net moment);
    * left out (counted in :attr:`LabelledCorpus.skipped`): ``noncollinear`` and ``nonmagnetic`` orders
      (the collinear spin-group classification does not apply), unreadable files, by default
      ``compensated-ferrimagnet`` orders (s-wave split: an ambiguous label; ``include_compensated_ferrimagnets``
      keeps them as 0) and files with mixed-occupancy sites (``include_disordered``), and — with
      ``k0_only=True`` (default) — MAGNDATA entries whose propagation vector is not zero (file names
      ``1.x``/``1.0.x``/``2.x``/``3.x``; ``revised_0.x`` counts as k=0). Files not named like MAGNDATA
      entries are kept whatever their k.

    On the 2186 files of the development set this gives 569 entries, 182 altermagnets (32 %), the corpus
    size of spec ``discovery.md`` §5 (565/182).

    The structure handed on is ``structure.without_moments()`` (the classifier never sees the moments).
    Labels are cached in ``<cache_dir>/labels.json`` keyed by the SHA-256 of the file content and the
    tolerances, so a changed file is re-labelled and an unchanged one is not.

Split groups
    ``groups`` = reduced formula (pymatgen) — the same compound never sits in train and test;
    ``families`` = the sorted element set ("Fe-O"), a coarser key that also keeps doped variants and
    polymorph families (Fe2O3/Fe3O4) together. :mod:`altermag.discovery.evaluation` can split by either.

Unlabelled corpus (:func:`pretraining_corpus`)
    MAGNDATA structures (moments removed; by default the ones *not* in the labelled corpus, so that
    pre-training never sees a held-out structure) plus synthetic symmetric crystals with one magnetic
    element made by PyXtal (:func:`synthetic_crystals`, seeded, failures skipped).

Local folders (:func:`read_folder`) and the paper's three sets from any corpus (:func:`paper_sets`).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from altermag.core.errors import AltermagError, ParameterError
from altermag.structures.magnetic import MagneticStructure, elements_of

__all__ = [
    "LABEL_VERDICTS", "LabelledCorpus", "default_cache_dir", "default_magndata_folder", "composition_family",
    "file_hash", "structure_hash", "labelled_corpus", "label_file", "magndata_k", "pretraining_corpus",
    "synthetic_crystals", "read_folder", "paper_sets", "structure_files",
]

#: verdict → label; verdicts not listed here are left out of the labelled corpus
LABEL_VERDICTS = {"altermagnet": 1, "antiferromagnet": 0, "ferromagnet": 0, "compensated-ferrimagnet": 0}

_MAGNDATA_NAME = re.compile(r"^(?:revised_)?(\d+)\.(\d+)(?:\.\d+)*_")
_LABEL_CACHE_VERSION = 2


# ----------------------------------------------------------------------------------------- locations
def default_magndata_folder() -> Path:
    """The MAGNDATA folder: ``$ALTERMAG_MAGNDATA`` if set, else ``../shared/data/magndata`` next to the
    repository (development setup). Raises :class:`AltermagError` saying how to provide one."""
    env = os.environ.get("ALTERMAG_MAGNDATA")
    if env:  # an explicit setting is never silently replaced by another folder
        if not Path(env).is_dir():
            raise AltermagError(f"ALTERMAG_MAGNDATA={env}: not a folder")
        return Path(env)
    repo = Path(__file__).resolve().parents[2]
    candidates = [repo.parent / "shared" / "data" / "magndata"]
    for c in candidates:
        if c.is_dir():
            return c
    raise AltermagError(
        "no MAGNDATA folder found (looked at: " + ", ".join(str(c) for c in candidates) + "); pass the folder "
        "of .mcif files explicitly (--corpus FOLDER) or set ALTERMAG_MAGNDATA")


def default_cache_dir() -> Path:
    """``$ALTERMAG_CACHE/discovery`` or ``~/.cache/altermag/discovery``."""
    base = os.environ.get("ALTERMAG_CACHE")
    return (Path(base) if base else Path.home() / ".cache" / "altermag") / "discovery"


def structure_files(folder, recursive: bool = False) -> list[Path]:
    """Structure files of a folder (magCIF/CIF/POSCAR/JSON by name), sorted."""
    from altermag.symmetry.screening import structure_files as _flat

    folder = Path(folder)
    if not folder.is_dir():
        raise AltermagError(f"{folder}: not a folder")
    if not recursive:
        return _flat(folder)
    out: list[Path] = []
    for sub in sorted({p.parent for p in folder.rglob("*") if p.is_file()}):
        out += _flat(sub)
    return sorted(out)


# ----------------------------------------------------------------------------------------- keys
def file_hash(path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def structure_hash(structure: MagneticStructure, decimals: int = 5) -> str:
    """Content hash of a structure (lattice, fractional coordinates wrapped to [0,1), species, moments),
    rounded to ``decimals``; identical crystals in the same cell and atom order share it
    (:func:`altermag.discovery.graphs.content_hash`)."""
    from altermag.discovery.graphs import content_hash

    return content_hash(structure.lattice, structure.frac_coords, structure.species, structure.moments,
                        decimals=decimals)


def composition_family(formula_or_structure) -> tuple[str, str]:
    """(reduced formula, element-set family) of a formula string or structure, e.g. ``("Fe2O3", "Fe-O")``."""
    from pymatgen.core import Composition

    if isinstance(formula_or_structure, MagneticStructure):
        formula = formula_or_structure.formula
    else:
        formula = str(formula_or_structure)
    try:
        comp = Composition(formula)
    except Exception as exc:  # pymatgen raises several types for bad formulas
        raise AltermagError(f"not a chemical formula: {formula!r} ({exc})") from exc
    from altermag.structures.elements import ELEMENTS_SET

    bad = sorted(str(el) for el in comp.elements if str(el) not in ELEMENTS_SET)
    if bad or not comp.elements:
        raise AltermagError(f"not a chemical formula: {formula!r} (unknown elements: {', '.join(bad) or 'none given'})")
    return comp.reduced_formula, "-".join(sorted(el.symbol for el in comp.elements))


def magndata_k(name: str) -> int | None:
    """MAGNDATA class from a file name: 0 (k=0), 1 (commensurate k≠0), 2 (incommensurate), 3 (multi-k);
    None for names that are not MAGNDATA labels."""
    m = _MAGNDATA_NAME.match(Path(name).name)
    return int(m.group(1)) if m else None


# ----------------------------------------------------------------------------------------- labelling
def label_file(path, *, symprec: float = 1e-2, moment_tol: float = 0.05, collinear_tol: float = 0.1) -> dict:
    """Read one file and classify its experimental order. Returns a JSON-able record
    (``verdict``, ``detail``, ``wave``, ``formula``, ``label`` or None) or ``{"error": ...}`` for bad input."""
    from altermag.structures.io import read_structure
    from altermag.symmetry.spingroup import analyze

    try:
        s = read_structure(path)
        if not s.has_moments:
            return {"error": "no moments in the file: the experimental order is unknown"}
        r = analyze(s, symprec=symprec, moment_tol=moment_tol, collinear_tol=collinear_tol, with_form_factor=False)
    except AltermagError as exc:
        return {"error": str(exc)}
    disordered = any(len(elements_of(sp)) > 1 or any(ch.isdigit() for ch in sp) for sp in s.species)
    return {"verdict": r.verdict, "detail": r.detail, "space_group": r.space_group, "formula": s.formula,
            "disordered": disordered, "label": LABEL_VERDICTS.get(r.verdict)}


def _label_job(args) -> tuple[str, dict]:
    path, opts = args
    return path, label_file(path, **opts)


def _read_job(path: str):
    """Read one file; returns the structure with moments removed or an error string."""
    s = _read_any_job(path)
    return f"error: {s}" if isinstance(s, str) else s.without_moments()


@dataclass
class LabelledCorpus:
    """Structures (moments removed) with 0/1 labels and split keys. Index with :meth:`subset`.

    ``labels``: 1 = the experimental order is altermagnetic. ``groups``: reduced formula; ``families``:
    element set. ``verdicts``/``details``: the spin-group verdicts behind the labels. ``skipped``: file →
    reason for every file left out. ``hashes``: SHA-256 of each file (cache keys for graphs/features).
    """

    structures: list[MagneticStructure]
    labels: np.ndarray
    files: list[str]
    groups: list[str]
    families: list[str]
    verdicts: list[str]
    details: list[str | None] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.structures)

    @property
    def n_positive(self) -> int:
        return int(self.labels.sum())

    def split_keys(self, by: str = "formula") -> np.ndarray:
        """Group keys for grouped cross-validation: ``"formula"`` (reduced formula) or ``"family"``."""
        if by == "formula":
            return np.asarray(self.groups)
        if by == "family":
            return np.asarray(self.families)
        raise ParameterError(f"group_by must be 'formula' or 'family', got {by!r}")

    def subset(self, idx) -> "LabelledCorpus":
        idx = np.asarray(idx, dtype=int)
        pick = lambda xs: [xs[i] for i in idx] if xs else []  # noqa: E731
        return LabelledCorpus([self.structures[i] for i in idx], self.labels[idx], pick(self.files),
                              pick(self.groups), pick(self.families), pick(self.verdicts), pick(self.details),
                              pick(self.hashes), dict(self.skipped), dict(self.options))

    def summary(self) -> dict:
        """Counts: entries, positives, verdicts, groups, conflicting formula groups, skipped reasons."""
        verdicts: dict[str, int] = {}
        for v, d in zip(self.verdicts, self.details or [None] * len(self)):
            key = v if not d else f"{v} ({d})"
            verdicts[key] = verdicts.get(key, 0) + 1
        by_group: dict[str, set] = {}
        for g, y in zip(self.groups, self.labels):
            by_group.setdefault(g, set()).add(int(y))
        reasons: dict[str, int] = {}
        for why in self.skipped.values():
            key = why.split(":")[0]
            reasons[key] = reasons.get(key, 0) + 1
        return {"n": len(self), "n_positive": self.n_positive,
                "positive_fraction": round(self.n_positive / max(len(self), 1), 4),
                "n_formula_groups": len(by_group), "n_families": len(set(self.families)),
                "formula_groups_with_both_labels": sorted(g for g, ys in by_group.items() if len(ys) > 1),
                "verdicts": verdicts, "n_skipped": len(self.skipped), "skipped_reasons": reasons,
                "options": self.options}


def _load_cache(path: Path) -> dict:
    from altermag.core.io import load_json

    if not path.exists():
        return {}
    try:
        data = load_json(path).get("data", {})
    except (AltermagError, AttributeError):
        return {}
    if data.get("version") != _LABEL_CACHE_VERSION:
        return {}
    return data.get("labels", {})


def labelled_corpus(folder=None, *, k0_only: bool = True, include_disordered: bool = False,
                    include_compensated_ferrimagnets: bool = False, symprec: float = 1e-2, moment_tol: float = 0.05,
                    collinear_tol: float = 0.1, cache_dir=None, use_cache: bool = True,
                    workers: int | None = None, progress: bool = True, limit: int | None = None,
                    recursive: bool = False) -> LabelledCorpus:
    """Build the labelled corpus from a folder of magCIF files (see the module docstring).

    folder : MAGNDATA-like folder (default :func:`default_magndata_folder`).
    k0_only : keep only k=0 MAGNDATA entries (files named ``0.x_*``); other names are always kept.
    include_disordered : keep files with mixed-occupancy sites (default False: their crystal graph and
        magnetic-site count are ill defined).
    include_compensated_ferrimagnets : keep ``compensated-ferrimagnet`` orders as negatives (default False:
        s-wave spin-split, neither altermagnet nor spin-degenerate, an ambiguous label).
    symprec (Å), moment_tol, collinear_tol (relative) : tolerances of :func:`altermag.symmetry.analyze`.
    cache_dir : where ``labels.json`` lives (default :func:`default_cache_dir`); ``use_cache=False`` ignores it.
    workers : processes for labelling (``altermag.core.executor.get_executor``); 1 = serial.
    limit : take only the first ``limit`` files (sorted by name) — for quick runs and tests.
    """
    from altermag.core.executor import get_executor
    from altermag.core.io import save_json

    folder = Path(folder) if folder is not None else default_magndata_folder()
    files = structure_files(folder, recursive=recursive)
    if not files:
        raise AltermagError(f"{folder}: no structure files (.mcif/.cif/POSCAR/.json) in this folder")
    if limit is not None:
        if limit < 1:
            raise ParameterError(f"limit must be >= 1, got {limit}")
        files = files[:limit]
    opts = {"symprec": symprec, "moment_tol": moment_tol, "collinear_tol": collinear_tol}
    skipped: dict[str, str] = {}
    chosen = []
    for f in files:
        k = magndata_k(f.name)
        if k0_only and k is not None and k != 0:
            skipped[str(f)] = f"k≠0: MAGNDATA class {k}.x (only k=0 orders are labelled)"
        else:
            chosen.append(f)
    cache_path = Path(cache_dir or default_cache_dir()) / "labels.json"
    cache = _load_cache(cache_path) if use_cache else {}
    tol_key = f"{symprec:g}/{moment_tol:g}/{collinear_tol:g}"
    hashes = {str(f): file_hash(f) for f in chosen}
    records: dict[str, dict] = {}
    todo = []
    for f in chosen:
        key = f"{hashes[str(f)]}|{tol_key}"
        if key in cache:
            records[str(f)] = cache[key]
        else:
            todo.append(str(f))
    if todo:
        with get_executor(workers=workers) as ex:
            for i, res in ex.imap_unordered(_label_job, [(p, opts) for p in todo], progress=progress, desc="label"):
                if isinstance(res, BaseException):  # a bug, not bad input: record it, go on
                    records[todo[i]] = {"error": f"internal error {type(res).__name__}: {res}"}
                else:
                    records[res[0]] = res[1]
        if use_cache:
            for p in todo:
                if not str(records[p].get("error", "")).startswith("internal error"):
                    cache[f"{hashes[p]}|{tol_key}"] = records[p]
            save_json(cache_path, {"version": _LABEL_CACHE_VERSION, "labels": cache},
                      inputs={"what": "altermag.discovery labelled-corpus label cache", "key": "sha256|tolerances"})
    keep = []
    for f in chosen:
        r = records[str(f)]
        if "error" in r:
            skipped[str(f)] = f"unreadable: {r['error']}"
        elif r.get("label") is None:
            skipped[str(f)] = f"{r['verdict']}: no collinear label"
        elif r["verdict"] == "compensated-ferrimagnet" and not include_compensated_ferrimagnets:
            skipped[str(f)] = "compensated-ferrimagnet: ambiguous label (s-wave splitting), left out"
        elif r.get("disordered") and not include_disordered:
            skipped[str(f)] = "disordered: mixed-occupancy sites, left out"
        else:
            keep.append(str(f))
    structures: list[MagneticStructure] = []
    final = []
    with get_executor_for(keep, workers) as ex:
        loaded = ex.map(_read_job, keep, progress=progress and len(keep) >= 64, desc="read")
    for p, s in zip(keep, loaded):
        if isinstance(s, str):  # pragma: no cover - labelled files were readable a moment ago
            skipped[p] = f"unreadable: {s}"
            continue
        structures.append(s)
        final.append(p)
    groups, families = [], []
    for p in final:
        g, fam = composition_family(records[p]["formula"])
        groups.append(g)
        families.append(fam)
    return LabelledCorpus(
        structures=structures, labels=np.array([records[p]["label"] for p in final], dtype=int), files=final,
        groups=groups, families=families, verdicts=[records[p]["verdict"] for p in final],
        details=[records[p].get("detail") for p in final], hashes=[hashes[p] for p in final], skipped=skipped,
        options={"folder": str(folder), "k0_only": k0_only, "include_disordered": include_disordered,
                 "include_compensated_ferrimagnets": include_compensated_ferrimagnets, "limit": limit, **opts})


# ----------------------------------------------------------------------------------------- local folders
def read_folder(folder, *, remove_moments: bool = False, workers: int | None = None, progress: bool = True,
                recursive: bool = False) -> tuple[list[MagneticStructure], dict[str, str]]:
    """Read every structure file of a local folder (CIF, magCIF, POSCAR, JSON).

    Returns ``(structures, errors)``: structures in file order (``source`` = path), and file → message for
    files that could not be read (bad input never stops the batch). ``remove_moments`` drops the moments.
    """
    files = [str(f) for f in structure_files(folder, recursive=recursive)]
    if not files:
        raise AltermagError(f"{folder}: no structure files (.mcif/.cif/.vasp/POSCAR/.json) in this folder")
    with get_executor_for(files, workers) as ex:
        results = ex.map(_read_any_job, files, progress=progress, desc="read")
    structures, errors = [], {}
    for p, s in zip(files, results):
        if isinstance(s, str):
            errors[p] = s
        else:
            structures.append(s.without_moments() if remove_moments else s)
    return structures, errors


def _read_any_job(path: str):
    from altermag.structures.io import read_structure

    try:
        return read_structure(path)
    except AltermagError as exc:
        return str(exc)


# ----------------------------------------------------------------------------------------- paper's sets
def _screen_job(args):
    structure, opts = args
    from altermag.symmetry.screening import screen_structure

    try:
        return screen_structure(structure.without_moments(), **opts)
    except AltermagError as exc:
        return {"file": structure.source, "error": str(exc)}


def paper_sets(structures, *, magnetic: str | None = "3d4f", symprec: float = 1e-2, workers: int | None = None,
               progress: bool = True) -> dict:
    """The paper's three sets (pre-training, fine-tuning negatives, candidates) from any corpus.

    ``structures``: a list of :class:`MagneticStructure`, a :class:`LabelledCorpus` or a folder. Moments are
    ignored (the rules look at the crystal only; the type-IV rule needs moments and is therefore skipped).
    Returns ``{"sets": {name: [index, ...]}, "table": paper_table rows, "records": [...]}`` where indices
    refer to the input order.
    """
    from altermag.symmetry.screening import paper_table

    if isinstance(structures, LabelledCorpus):
        structures = structures.structures
    elif isinstance(structures, (str, Path)):
        structures, _ = read_folder(structures, progress=progress)
    structures = list(structures)
    opts = {"magnetic": magnetic, "symprec": symprec}
    with get_executor_for(structures, workers) as ex:
        records = ex.map(_screen_job, [(s, opts) for s in structures], progress=progress, desc="screen")
    sets: dict[str, list[int]] = {"pretraining": [], "negatives": [], "candidates": []}
    for i, r in enumerate(records):
        if "rules" not in r:
            continue
        kind = r["rules"]["set"]
        if kind != "excluded":
            sets["pretraining"].append(i)
        if kind == "negative":
            sets["negatives"].append(i)
        elif kind == "candidate":
            sets["candidates"].append(i)
    return {"sets": sets, "table": paper_table(records), "records": records}


# ----------------------------------------------------------------------------------------- synthetic
#: anions / non-magnetic partners used by :func:`synthetic_crystals`
SYNTHETIC_ANIONS = ("O", "F", "S", "Se", "Te", "N", "Cl", "As", "Sb", "P", "Si", "Ge")
SYNTHETIC_CATIONS = ("Li", "Na", "K", "Ca", "Sr", "Ba", "La", "Y", "Ga", "Al", "Zn", "Mg")


def _one_synthetic(args):
    seed, magnetic, max_atoms, sg_range = args
    from pyxtal import pyxtal

    rng = np.random.default_rng(seed)
    mag = list(magnetic)
    species = [str(rng.choice(mag)), str(rng.choice(SYNTHETIC_ANIONS))]
    if rng.random() < 0.4:
        species.insert(0, str(rng.choice(SYNTHETIC_CATIONS)))
    sg = int(rng.integers(sg_range[0], sg_range[1] + 1))
    counts = [int(rng.integers(1, 5)) for _ in species]
    c = pyxtal()
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            c.from_random(3, sg, species, counts, random_state=int(rng.integers(1 << 31)))
        if not c.valid:
            return None
        pmg = c.to_pymatgen()
    except Exception:  # pyxtal raises many kinds of errors for incompatible compositions: skip those
        return None
    if len(pmg) > max_atoms:
        return None
    s = MagneticStructure.from_pymatgen(pmg, source=f"pyxtal:sg{sg}:seed{seed}")
    s.info.update({"synthetic": True, "space_group": sg, "generator": "pyxtal"})
    return s.without_moments()


def synthetic_crystals(n: int, *, seed: int = 0, magnetic="3d4f", max_atoms: int = 40,
                       space_groups: tuple[int, int] = (3, 230), max_tries: int | None = None,
                       workers: int | None = 1, progress: bool = True) -> list[MagneticStructure]:
    """``n`` random symmetric crystals containing exactly one magnetic element, made by PyXtal.

    Each try draws (from ``seed``) a magnetic element of the ``magnetic`` set, an anion, optionally a
    non-magnetic cation, a space group in ``space_groups`` (inclusive; default 3–230, i.e. no P1/P-1) and
    1–4 formula units per species; compositions PyXtal cannot place and cells above ``max_atoms`` atoms are
    skipped. Deterministic for a given ``seed`` (tries are seeded ``seed * 1_000_003 + i``). Raises
    :class:`AltermagError` if fewer than ``n`` succeed within ``max_tries`` (default ``20 n``).
    """
    from altermag.core.executor import get_executor
    from altermag.structures.elements import magnetic_elements

    if n < 0:
        raise ParameterError(f"n must be >= 0, got {n}")
    lo, hi = space_groups
    if not (1 <= lo <= hi <= 230):
        raise ParameterError(f"space_groups must satisfy 1 <= lo <= hi <= 230, got {space_groups}")
    mag = sorted(magnetic_elements(magnetic))
    max_tries = 20 * n if max_tries is None else max_tries
    out: list[MagneticStructure] = []
    tried = 0
    batch = max(8, n)
    with get_executor(workers=workers) as ex:
        while len(out) < n and tried < max_tries:
            jobs = [(seed * 1_000_003 + tried + i, mag, max_atoms, (lo, hi)) for i in range(min(batch, max_tries - tried))]
            tried += len(jobs)
            for s in ex.map(_one_synthetic, jobs, progress=progress, desc="pyxtal"):
                if s is not None and len(out) < n:
                    out.append(s)
    if len(out) < n:
        raise AltermagError(f"PyXtal produced only {len(out)} of {n} crystals in {max_tries} tries; "
                            "raise max_tries or max_atoms")
    return out


def pretraining_corpus(folder=None, *, n_synthetic: int = 500, seed: int = 0, include_magndata: bool = True,
                       exclude: LabelledCorpus | list[str] | None = None, max_atoms: int = 80,
                       magnetic="3d4f", workers: int | None = None, progress: bool = True,
                       limit: int | None = None) -> list[MagneticStructure]:
    """Unlabelled structures for self-supervised pre-training (moments removed).

    MAGNDATA structures of ``folder`` (all classes, k≠0 included; skipped if ``include_magndata`` is False or
    no folder exists and ``folder`` is None) minus the files in ``exclude`` (a :class:`LabelledCorpus` or
    file list — pass the evaluation's labelled corpus so that no held-out structure is pre-trained on),
    restricted to cells of at most ``max_atoms`` atoms, plus ``n_synthetic`` PyXtal crystals (seeded).
    """
    out: list[MagneticStructure] = []
    if include_magndata:
        try:
            folder = Path(folder) if folder is not None else default_magndata_folder()
        except AltermagError:
            folder = None
        if folder is not None:
            skip = set(exclude.files if isinstance(exclude, LabelledCorpus) else (exclude or []))
            files = [str(f) for f in structure_files(folder) if str(f) not in skip]
            if limit is not None:
                files = files[:limit]
            with get_executor_for(files, workers) as ex:
                loaded = ex.map(_read_job, files, progress=progress, desc="read")
            out += [s for s in loaded if not isinstance(s, str) and len(s) <= max_atoms]
    if n_synthetic:
        out += synthetic_crystals(n_synthetic, seed=seed, magnetic=magnetic, max_atoms=min(max_atoms, 40),
                                  workers=workers, progress=progress)
    return out


def get_executor_for(items, workers, min_items: int = 64):
    """Serial for fewer than ``min_items`` jobs (process start-up costs more than it saves), else
    :func:`altermag.core.executor.get_executor` with ``workers``: the one executor rule of this package."""
    from altermag.core.executor import get_executor

    return get_executor(workers=1 if len(items) < min_items else workers)


def elements_in(structure: MagneticStructure) -> set[str]:
    return {el for sp in structure.species for el in elements_of(sp)}
