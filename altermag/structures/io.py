"""One entry point to read any supported structure into a :class:`MagneticStructure`.

Supported inputs (:func:`read_structure`):

* magCIF (``.mcif``; also ``.cif`` with magnetic operations) — moments from the file;
* CIF — no moments unless ``magmoms`` is given;
* VASP POSCAR/CONTCAR (``POSCAR*``, ``CONTCAR*``, ``*.vasp``, ``*.poscar``) — moments from ``magmoms``, or from
  the ``MAGMOM`` line of an ``INCAR`` in the same folder (recorded in ``info["magmom_source"]``);
* our JSON (:meth:`MagneticStructure.as_dict`) or a pymatgen ``Structure`` JSON;
* pymatgen ``Structure`` / ASE ``Atoms`` objects and :class:`MagneticStructure` itself.

``magmoms`` may be a VASP ``MAGMOM`` string (``"2*5 2*-5 4*0"``; N numbers = collinear along z, 3N numbers =
Cartesian vectors), a path to an INCAR, a sequence of N scalars or N×3 vectors (Cartesian μB), or a dict from
site label or element to a scalar/vector applied to every site with that label/element.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from altermag.core.errors import StructureError
from altermag.structures.magnetic import MagneticStructure

_POSCAR_NAMES = re.compile(r"^(POSCAR|CONTCAR)([._-].*)?$|\.(vasp|poscar)$", re.IGNORECASE)


def read_structure(obj, magmoms=None, *, format: str | None = None) -> MagneticStructure:
    """Read a file path or convert an object into a :class:`MagneticStructure` (see module docstring).

    Raises :class:`~altermag.core.errors.StructureError` naming the file and the problem.
    """
    if isinstance(obj, MagneticStructure):
        return obj if magmoms is None else obj.with_moments(
            moments_from_spec(magmoms, obj.labels, obj.species, obj.lattice, obj.source))
    mod = type(obj).__module__
    if mod.startswith("pymatgen"):
        s = MagneticStructure.from_pymatgen(obj)
        return s if magmoms is None else read_structure(s, magmoms)
    if mod.startswith("ase"):
        s = MagneticStructure.from_ase(obj)
        return s if magmoms is None else read_structure(s, magmoms)
    if not isinstance(obj, (str, Path)):
        raise StructureError(f"cannot read a structure from a {type(obj).__name__}")
    path = Path(obj)
    if not path.exists():
        raise StructureError("file does not exist", str(path))
    if path.is_dir():
        raise StructureError("is a folder, not a structure file", str(path))
    fmt = (format or _guess_format(path)).lower()
    if fmt in ("mcif", "cif"):
        from altermag.structures.cif import read_cif

        return read_cif(path, magmoms=magmoms)
    if fmt == "poscar":
        return _read_poscar(path, magmoms)
    if fmt == "json":
        return _read_json(path, magmoms)
    raise StructureError(f"unknown structure format {fmt!r} (use mcif, cif, poscar or json)", str(path))


def _guess_format(path: Path) -> str:
    name = path.name
    suffix = path.suffix.lower()
    if suffix in (".mcif", ".cif"):
        return suffix[1:]
    if suffix == ".json":
        return "json"
    if _POSCAR_NAMES.search(name):
        return "poscar"
    head = path.read_text(errors="replace")[:4000]
    if "_cell_length_a" in head or "data_" in head:
        return "cif"
    raise StructureError("cannot tell the file format from its name or content; pass format=", str(path))


def _read_poscar(path: Path, magmoms) -> MagneticStructure:
    from ase.io import read as ase_read

    try:
        atoms = ase_read(str(path), format="vasp")
    except Exception as exc:  # ASE raises many types for a bad POSCAR
        raise StructureError(f"not a valid POSCAR: {exc}", str(path)) from None
    s = MagneticStructure.from_ase(atoms, source=str(path))
    info = dict(s.info)
    if magmoms is None:
        incar = path.parent / "INCAR"
        if incar.exists():
            magmoms = _magmom_from_incar(incar)
            if magmoms is not None:
                info["magmom_source"] = str(incar)
    s = MagneticStructure(lattice=s.lattice, frac_coords=s.frac_coords, species=s.species, moments=s.moments,
                          labels=s.labels, source=str(path), has_moments=False, info=info)
    if magmoms is None:
        return s
    return s.with_moments(moments_from_spec(magmoms, s.labels, s.species, s.lattice, str(path)))


def _read_json(path: Path, magmoms) -> MagneticStructure:
    try:
        d = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise StructureError(f"invalid JSON: {exc}", str(path)) from None
    if d.get("@class") == "MagneticStructure":
        s = MagneticStructure.from_dict(d)
    elif d.get("@class") == "Structure":
        from pymatgen.core import Structure

        s = MagneticStructure.from_pymatgen(Structure.from_dict(d), source=str(path))
    else:
        raise StructureError("JSON is neither an altermag MagneticStructure nor a pymatgen Structure", str(path))
    return read_structure(s, magmoms) if magmoms is not None else s


def _magmom_from_incar(incar: Path) -> str | None:
    for line in incar.read_text(errors="replace").splitlines():
        line = line.split("#")[0].split("!")[0]
        m = re.match(r"\s*MAGMOM\s*=\s*(.*)", line, re.IGNORECASE)
        if m:
            return m.group(1).strip()
    return None


def parse_magmom_string(text: str, source: str | None = None) -> np.ndarray:
    """Expand a VASP MAGMOM value (``"2*5 2*-5 0 0"``) into a flat float array."""
    out: list[float] = []
    for tok in text.replace(",", " ").split():
        try:
            if "*" in tok:
                n, v = tok.split("*")
                out.extend([float(v)] * int(n))
            else:
                out.append(float(tok))
        except ValueError:
            raise StructureError(f"MAGMOM entry {tok!r} is not a number or N*value", source) from None
    return np.array(out)


def moments_from_spec(spec, labels, species, lattice, source=None) -> np.ndarray:
    """Turn a user moment specification into (N, 3) Cartesian moments in μB (see module docstring)."""
    n = len(labels)
    if isinstance(spec, (str, Path)) and Path(str(spec)).name.upper().startswith("INCAR") and Path(spec).exists():
        text = _magmom_from_incar(Path(spec))
        if text is None:
            raise StructureError("INCAR has no MAGMOM line", str(spec))
        spec = text
    if isinstance(spec, str):
        spec = parse_magmom_string(spec, source)
    if isinstance(spec, dict):
        out = np.zeros((n, 3))
        for key, val in spec.items():
            v = np.asarray(val, dtype=float)
            v = v if v.shape == (3,) else np.array([0.0, 0.0, float(v)])
            mask = np.array([lab == key or sp == key for lab, sp in zip(labels, species)])
            if not mask.any():
                raise StructureError(f"moment given for {key!r}, which is neither a site label nor an element "
                                     "of the structure", source)
            out[mask] = v
        return out
    arr = np.asarray(spec, dtype=float)
    if arr.shape == (n,):
        return np.outer(arr, [0.0, 0.0, 1.0])
    if arr.shape == (3 * n,):
        return arr.reshape(n, 3)
    if arr.shape == (n, 3):
        return arr
    raise StructureError(f"{arr.size} moment values for {n} sites (need {n} collinear or {3 * n} vector "
                         "components)", source)
