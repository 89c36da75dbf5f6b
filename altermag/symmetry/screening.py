"""Screening structures for altermagnetism: the discovery paper's rules and the exact enumeration.

The paper's pipeline (seed ``003``, spec ``discovery.md`` §2), applied to one structure:

1. contains a magnetic element (3d transition metals and 4f rare earths by default);
2. exactly one magnetic species            → otherwise excluded; passing structures form the pre-training set;
3. space group P1 or P-1                   → excluded (no rotation can relate the sublattices);
4. odd number of magnetic atoms in the primitive cell → negative;
5. type-IV order (only when moments are given: a translation flips the spins) → negative;
6. centrosymmetric, exactly two magnetic atoms in the primitive cell, not on inversion centres and
   exchanged by an inversion ({T‖IT})   → negative.
Pre-training minus negatives = candidates.

Unlike the authors' code (which looked at composition strings and space-group numbers only) the rules
here use the primitive cell and the actual inversion centres. ``mode="exact"`` adds the configuration
enumeration of :mod:`altermag.symmetry.enumeration`, and the two are compared in
:func:`rules_vs_exact`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from altermag.core.errors import AltermagError
from altermag.structures.elements import magnetic_elements
from altermag.structures.magnetic import MagneticStructure, elements_of
from altermag.symmetry.enumeration import enumerate_configurations, magnetic_site_mask, primitive_symmetry

#: step name → description, in the order of the paper's table
PAPER_STEPS = (
    ("input", "structures read"),
    ("magnetic", "contain a magnetic element"),
    ("single_species", "exactly one magnetic species"),
    ("not_p1", "not P1 / P-1 (pre-training set)"),
    ("odd", "odd number of magnetic atoms in the primitive cell (negatives)"),
    ("type_iv", "type-IV order: spin sublattices related by a translation (negatives)"),
    ("inversion_pair", "two magnetic atoms exchanged by inversion, not on inversion centres (negatives)"),
    ("negatives", "negatives in total"),
    ("candidates", "candidates (pre-training minus negatives)"),
)

PAPER_COUNTS = {"input": 154718, "magnetic": 91649, "not_p1": 68116, "odd": 18546, "inversion_pair": 7045,
                "negatives": 25591, "candidates": 42525}


@dataclass
class RuleResult:
    """Which of the paper's rules a structure passes; ``set`` is excluded | negative | candidate."""

    magnetic_species: list[str]
    n_magnetic_primitive: int
    space_group: int
    centrosymmetric: bool
    odd: bool
    type_iv: bool | None
    inversion_pair: bool
    set: str
    reason: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def paper_rules(structure: MagneticStructure, *, magnetic=None, symprec: float = 1e-2,
                verdict: str | None = None, verdict_detail: str | None = None) -> RuleResult:
    """Apply the paper's screening rules to one structure (moments are used only for the type-IV rule).

    ``verdict``/``verdict_detail``: the spin-group verdict of the structure's own moments, if known
    (type-IV ⇔ antiferromagnet by translation).
    """
    elements = magnetic_elements(magnetic)
    species_elements = {el for s in structure.species for el in elements_of(s)}
    mag_species = sorted(species_elements & elements)
    prim, sym = primitive_symmetry(structure, symprec)
    mask = magnetic_site_mask(prim.species, elements)
    n_mag = int(mask.sum())
    centro = sym.is_centrosymmetric
    type_iv = None if verdict is None else (verdict == "antiferromagnet" and verdict_detail == "translation")
    inv_pair = False
    if centro and n_mag == 2:
        inv_pair = _exchanged_by_inversion(sym, np.nonzero(mask)[0])
    base = dict(magnetic_species=mag_species, n_magnetic_primitive=n_mag, space_group=sym.space_group_number,
                centrosymmetric=centro, odd=bool(n_mag % 2), type_iv=type_iv, inversion_pair=inv_pair)
    if not mag_species or n_mag == 0:
        return RuleResult(set="excluded", reason="no magnetic element", **base)
    if len(mag_species) > 1:
        return RuleResult(set="excluded", reason=f"{len(mag_species)} magnetic species", **base)
    if sym.space_group_number in (1, 2):
        return RuleResult(set="excluded", reason="space group P1/P-1", **base)
    if n_mag % 2:
        return RuleResult(set="negative", reason=f"odd number ({n_mag}) of magnetic atoms in the primitive cell",
                          **base)
    if type_iv:
        return RuleResult(set="negative", reason="type-IV order (flip translation)", **base)
    if inv_pair:
        return RuleResult(set="negative", reason="two magnetic atoms exchanged by inversion ({T||IT})", **base)
    return RuleResult(set="candidate", reason="passes all rules", **base)


def _exchanged_by_inversion(sym, pair: np.ndarray) -> bool:
    """Both atoms off inversion centres and some inversion operation swaps them."""
    inv = np.all(sym.rotations == -np.eye(3, dtype=int), axis=(1, 2))
    p = sym.permutations[inv]
    a, b = int(pair[0]), int(pair[1])
    on_centre = np.any(p[:, a] == a) or np.any(p[:, b] == b)
    return bool(not on_centre and np.any(p[:, a] == b))


def screen_structure(structure: MagneticStructure, *, mode: str = "paper", magnetic=None,
                     symprec: float = 1e-2, moment_tol: float = 0.05, collinear_tol: float = 0.1,
                     max_sites: int = 16) -> dict:
    """One screening record: the verdict of the given order (if moments), the paper's rules, and in
    ``mode="exact"`` the configuration enumeration and whether it agrees with the rules."""
    from altermag.symmetry.spingroup import analyze

    if mode not in ("paper", "exact"):
        raise AltermagError(f"unknown screening mode {mode!r} (use 'paper' or 'exact')")
    magnetic = magnetic or "3d4f"  # rules and enumeration must see the same magnetic sites
    rec: dict = {"file": structure.source, "formula": structure.formula}
    verdict = detail = None
    if structure.has_moments:
        r = analyze(structure, symprec=symprec, moment_tol=moment_tol, collinear_tol=collinear_tol)
        verdict, detail = r.verdict, r.detail
        rec.update(verdict=r.verdict, wave=r.wave, form_factor=r.form_factor, spin_laue_group=r.spin_laue_group,
                   space_group=r.space_group, detail=r.detail)
    rules = paper_rules(structure, magnetic=magnetic, symprec=symprec, verdict=verdict, verdict_detail=detail)
    rec.setdefault("space_group", rules.space_group)
    rec["rules"] = rules.as_dict()
    if mode == "exact":
        try:
            ex = enumerate_configurations(structure, magnetic=magnetic, symprec=symprec, max_sites=max_sites)
            d = ex.as_dict()
            d.pop("configurations")
            rec["exact"] = d
            rec["agreement"] = rules_vs_exact(rules, ex.can_host_altermagnetism)
        except AltermagError as exc:
            rec["exact"] = {"error": str(exc)}
    return rec


def rules_vs_exact(rules: RuleResult, can_host: bool) -> str:
    """``agree`` / ``rules-false-positive`` / ``rules-false-negative`` / ``excluded``."""
    if rules.set == "excluded":
        return "excluded"
    if rules.set == "candidate":
        return "agree" if can_host else "rules-false-positive"
    return "rules-false-negative" if can_host else "agree"


def paper_table(records) -> list[dict]:
    """Per-step counts of the paper's pipeline over screening records (error records count as unread)."""
    ok = [r for r in records if "rules" in r]
    rules = [r["rules"] for r in ok]
    pre = [r for r in rules if r["set"] != "excluded"]
    counts = {
        "input": len(ok),
        "magnetic": sum(bool(r["magnetic_species"]) for r in rules),
        "single_species": sum(len(r["magnetic_species"]) == 1 for r in rules),
        "not_p1": len(pre),
        "odd": sum(r["odd"] for r in pre),
        "type_iv": sum(bool(r["type_iv"]) and not r["odd"] for r in pre),
        "inversion_pair": sum(r["inversion_pair"] and not r["odd"] and not r["type_iv"] for r in pre),
        "negatives": sum(r["set"] == "negative" for r in rules),
        "candidates": sum(r["set"] == "candidate" for r in rules),
    }
    return [{"step": k, "description": d, "count": counts[k], "paper": PAPER_COUNTS.get(k)} for k, d in PAPER_STEPS]


def output_sets(records) -> dict[str, list[str]]:
    """The paper's three sets: pre-training, fine-tuning negatives, candidates (file names)."""
    ok = [r for r in records if "rules" in r]
    return {
        "pretraining": [r["file"] for r in ok if r["rules"]["set"] != "excluded"],
        "negatives": [r["file"] for r in ok if r["rules"]["set"] == "negative"],
        "candidates": [r["file"] for r in ok if r["rules"]["set"] == "candidate"],
    }


# ------------------------------------------------------------------------------------------ batch driver
STRUCTURE_SUFFIXES = (".mcif", ".cif", ".vasp", ".poscar", ".json")


def structure_files(folder) -> list:
    """Structure files in a folder (by suffix, or POSCAR/CONTCAR names), sorted; other files are ignored."""
    from pathlib import Path

    out = []
    for p in sorted(Path(folder).iterdir()):
        if p.is_file() and (p.suffix.lower() in STRUCTURE_SUFFIXES or p.name.upper().startswith(("POSCAR", "CONTCAR"))):
            out.append(p)
    return out


def _screen_job(args) -> dict:
    """Top-level (picklable) job: read one file and screen it; bad input becomes an error record."""
    path, options = args
    from altermag.structures.io import read_structure

    try:
        return screen_structure(read_structure(path), **options)
    except AltermagError as exc:
        return {"file": str(path), "error": str(exc)}


def screen_folder(folder, out, *, mode: str = "paper", magnetic=None, symprec: float = 1e-2,
                  moment_tol: float = 0.05, collinear_tol: float = 0.1, max_sites: int = 16,
                  workers: int | None = None, scheduler: str | None = None, resume: bool = False,
                  progress: bool = True) -> dict:
    """Screen every structure file in ``folder``, appending one JSON record per file to ``out`` (JSONL).

    The output is append-only and fsync'ed per record; with ``resume=True`` files already in ``out`` are
    skipped, so a killed run loses nothing and duplicates nothing. Returns the summary (also written
    next to ``out`` as ``<out>.summary.json`` with the three output sets in ``<out>.sets.json``).
    Runs on local processes (``workers``) or on a Dask cluster (``scheduler`` address, or "local").
    """
    from pathlib import Path

    from altermag.core.executor import get_executor
    from altermag.core.io import JsonlWriter, read_jsonl, save_json

    if mode not in ("paper", "exact"):
        raise AltermagError(f"unknown screening mode {mode!r} (use 'paper' or 'exact')")
    magnetic_elements(magnetic)  # validate before starting workers
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise AltermagError(f"{folder}: not a folder")
    files = structure_files(folder)
    done: dict[str, dict] = {}
    if out.exists():
        if not resume:
            raise AltermagError(f"{out} exists: pass --resume to continue it, or choose another --out")
        done = {r["file"]: r for r in read_jsonl(out)}
    todo = [f for f in files if str(f) not in done]
    options = dict(mode=mode, magnetic=magnetic, symprec=symprec, moment_tol=moment_tol,
                   collinear_tol=collinear_tol, max_sites=max_sites)
    records = list(done.values())
    n_internal = 0
    with JsonlWriter(out) as writer, get_executor(workers=workers, scheduler=scheduler) as ex:
        jobs = [(str(f), options) for f in todo]
        for idx, rec in ex.imap_unordered(_screen_job, jobs, progress=progress, desc="screen"):
            if isinstance(rec, BaseException):  # a bug, not bad input: record it and go on
                n_internal += 1
                rec = {"file": jobs[idx][0], "error": f"internal error {type(rec).__name__}: {rec}",
                       "internal": True}
            writer.write(rec)
            records.append(rec)
    summary = summarize(records)
    summary.update(folder=str(folder), mode=mode, n_files=len(files), n_resumed=len(done),
                   n_internal_errors=n_internal)
    save_json(out.with_name(out.name + ".summary.json"), summary, inputs={"folder": str(folder), **options})
    save_json(out.with_name(out.name + ".sets.json"), output_sets(records), inputs={"folder": str(folder), **options})
    return summary


def summarize(records) -> dict:
    """Verdict counts, the paper's per-step table, rule/exact disagreements and the error list."""
    verdicts: dict[str, int] = {}
    waves: dict[str, int] = {}
    for r in records:
        if "verdict" in r:
            verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
            if r.get("wave"):
                waves[r["wave"]] = waves.get(r["wave"], 0) + 1
    disagreements = [{"file": r["file"], "agreement": r["agreement"], "rules": r["rules"]["reason"],
                      "exact_counts": r["exact"].get("counts")}
                     for r in records if r.get("agreement", "agree") not in ("agree", "excluded")]
    return {
        "n_records": len(records),
        "n_errors": sum("error" in r for r in records),
        "verdicts": verdicts,
        "waves": waves,
        "paper_table": paper_table(records),
        "rules_vs_exact": disagreements,
        "errors": [{"file": r["file"], "error": r["error"]} for r in records if "error" in r],
    }
