"""Materials Project loader: magnetic materials with their DFT moments, as :class:`MagneticStructure` objects.

Uses the official client ``mp_api.client.MPRester`` (optional dependency: ``pip install mp-api``) with the
user's API key (argument, or the ``MP_API_KEY`` environment variable). Network access happens only here,
only when called. Queries go to the ``materials.summary`` endpoint; moments come from the ``magmom`` site
property of the returned structure, or — when the structure carries none — from the ``materials.magnetism``
endpoint (``magmoms``, one scalar per site in μB, collinear; stored along z).

>>> from altermag.discovery.materials_project import load_materials_project
>>> mats = load_materials_project(elements=["Mn"], orderings=("AFM",), max_results=200)   # needs a key
>>> save_structures(mats, "mp_Mn_AFM")          # JSON files readable offline by read_structure

Conventions: ``source`` = ``"mp:<material_id>"``; ``info`` holds ``material_id``, ``formula``, ``ordering``
(MP's label: FM, AFM, FiM, NM, Unknown), ``total_magnetization`` (μB per cell), ``types_of_magnetic_species``,
``space_group`` and ``symbol``. MP's orderings come from collinear DFT initialisations and are *not*
experimental orders: use them as candidates or for pre-training, not as ground-truth labels.

The client is injectable (``client=``) so the parsing is tested against recorded responses without network.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from altermag.core.errors import AltermagError, ParameterError, StructureError
from altermag.structures.magnetic import MagneticStructure

__all__ = ["MP_FIELDS", "ORDERINGS", "doc_to_structure", "get_client", "load_materials_project", "save_structures"]

#: summary-endpoint fields requested (what :func:`doc_to_structure` reads)
MP_FIELDS = ["material_id", "formula_pretty", "structure", "ordering", "total_magnetization", "is_magnetic",
             "num_magnetic_sites", "types_of_magnetic_species", "symmetry"]
#: MP's magnetic-ordering labels (pymatgen ``Ordering`` values)
ORDERINGS = ("FM", "AFM", "FiM", "NM", "Unknown")


def _api_key(api_key: str | None) -> str:
    key = api_key or os.environ.get("MP_API_KEY")
    if not key:
        raise AltermagError("no Materials Project API key: pass api_key=... (--mp-key) or set MP_API_KEY "
                            "(get one at https://next-gen.materialsproject.org/api)")
    return key


def get_client(api_key: str | None = None):
    """An ``mp_api.client.MPRester`` for ``api_key`` (or ``MP_API_KEY``); clear error if mp-api is missing."""
    try:
        from mp_api.client import MPRester
    except ImportError as exc:
        raise AltermagError("the Materials Project loader needs the optional package mp-api: "
                            "pip install mp-api") from exc
    return MPRester(_api_key(api_key))


def _get(doc: Any, name: str, default=None):
    if isinstance(doc, dict):
        return doc.get(name, default)
    return getattr(doc, name, default)


def _plain(value):
    """Enum/MPID/str → str."""
    if value is None:
        return None
    value = getattr(value, "value", value)
    return str(value)


def _as_pymatgen(structure, mid):
    from pymatgen.core import Structure

    if structure is None:
        raise StructureError("the response has no structure (request the 'structure' field)", f"mp:{mid}")
    if isinstance(structure, dict):
        try:
            return Structure.from_dict(structure)
        except Exception as exc:  # pymatgen raises KeyError/ValueError/TypeError for malformed dicts
            raise StructureError(f"malformed structure in the response ({type(exc).__name__}: {exc})",
                                 f"mp:{mid}") from exc
    if hasattr(structure, "lattice") and hasattr(structure, "sites"):
        return structure
    raise StructureError(f"structure of type {type(structure).__name__} is not a pymatgen Structure or dict",
                         f"mp:{mid}")


def doc_to_structure(doc, magmoms=None) -> MagneticStructure:
    """One summary document (emmet ``SummaryDoc`` or its dict) → :class:`MagneticStructure` with moments.

    ``magmoms``: per-site moments (μB, scalars along z or 3-vectors) overriding / supplying the structure's
    ``magmom`` site property. Raises :class:`StructureError` naming the material for malformed documents.
    """
    mid = _plain(_get(doc, "material_id"))
    if not mid:
        raise StructureError("document without material_id")
    pmg = _as_pymatgen(_get(doc, "structure"), mid)
    s = MagneticStructure.from_pymatgen(pmg, source=f"mp:{mid}")
    if magmoms is not None:
        m = np.asarray([getattr(x, "moment", x) for x in magmoms], dtype=float)
        if m.ndim == 1:
            m = np.outer(m, [0.0, 0.0, 1.0])
        if m.shape != (len(s), 3):
            raise StructureError(f"{len(m)} moments for {len(s)} sites", f"mp:{mid}")
        s = s.with_moments(m)
    sym = _get(doc, "symmetry") or {}
    info = {
        "material_id": mid,
        "formula": _get(doc, "formula_pretty") or s.formula,
        "ordering": _plain(_get(doc, "ordering")),
        "total_magnetization": _get(doc, "total_magnetization"),
        "types_of_magnetic_species": [str(_plain(x)) for x in (_get(doc, "types_of_magnetic_species") or [])],
        "space_group": _get(sym, "number"),
        "symbol": _get(sym, "symbol"),
        "database": "Materials Project",
    }
    s.info.update(info)
    return s


def _search(endpoint, **kwargs):
    try:
        return list(endpoint.search(**kwargs))
    except AltermagError:
        raise
    except Exception as exc:  # network, authentication, API errors of the client
        raise AltermagError(f"Materials Project query failed ({type(exc).__name__}: {exc})") from exc


def _ordering_arg(name: str):
    if name not in ORDERINGS:
        raise ParameterError(f"ordering {name!r} is not one of {', '.join(ORDERINGS)}")
    try:
        from pymatgen.analysis.magnetism import Ordering

        return Ordering(name)
    except Exception:  # pragma: no cover - old pymatgen without Ordering
        return name


def load_materials_project(api_key: str | None = None, *, material_ids: Iterable[str] | None = None,
                           elements: Iterable[str] | None = None, orderings: Iterable[str] = ("AFM", "FiM", "FM"),
                           num_magnetic_sites: tuple[int, int] | None = None, max_results: int | None = None,
                           chunk_size: int = 1000, client=None, errors: str = "raise") -> list[MagneticStructure]:
    """Query magnetic materials from the Materials Project (see module docstring).

    material_ids : fetch these (orderings are then not used as a filter);
    elements : materials containing all of these elements; orderings : MP magnetic orderings to fetch;
    num_magnetic_sites : (min, max) filter; max_results : stop after this many documents per ordering
        (``num_chunks`` is set accordingly); client : an object with ``materials.summary.search`` (default:
        ``MPRester(api_key)``); errors : ``"raise"`` or ``"skip"`` malformed documents (skipped ones are
        counted in the returned list's absence and logged).
    """
    if errors not in ("raise", "skip"):
        raise ParameterError(f"errors must be 'raise' or 'skip', got {errors!r}")
    if max_results is not None and max_results < 1:
        raise ParameterError(f"max_results must be >= 1, got {max_results}")
    if chunk_size < 1:
        raise ParameterError(f"chunk_size must be >= 1, got {chunk_size}")
    own = client is None
    if own:
        client = get_client(api_key)
    try:
        summary = client.materials.summary
        base: dict[str, Any] = {"fields": list(MP_FIELDS)}
        if elements:
            base["elements"] = list(elements)
        if num_magnetic_sites:
            base["num_magnetic_sites"] = tuple(num_magnetic_sites)
        if max_results is not None:
            base["chunk_size"] = min(chunk_size, max_results)
            base["num_chunks"] = -(-max_results // base["chunk_size"])
        else:
            base["chunk_size"] = chunk_size
        docs: list = []
        if material_ids:
            docs = _search(summary, material_ids=list(material_ids), **base)
        else:
            for o in orderings:
                got = _search(summary, magnetic_ordering=_ordering_arg(o), **base)
                docs += got[:max_results] if max_results else got
        need = [_plain(_get(d, "material_id")) for d in docs if not _has_magmom(_get(d, "structure"))]
        extra: dict[str, list] = {}
        if need:
            for d in _search(client.materials.magnetism, material_ids=need, fields=["material_id", "magmoms"]):
                extra[_plain(_get(d, "material_id"))] = _get(d, "magmoms")
        out = []
        for d in docs:
            mid = _plain(_get(d, "material_id"))
            try:
                out.append(doc_to_structure(d, magmoms=extra.get(mid)))
            except StructureError:
                if errors == "raise":
                    raise
        return out
    finally:
        if own and hasattr(client, "__exit__"):
            client.__exit__(None, None, None)


def _has_magmom(structure) -> bool:
    if structure is None:
        return False
    if isinstance(structure, dict):
        sites = structure.get("sites") or []
        return bool(sites) and all("magmom" in (s.get("properties") or {}) for s in sites)
    props = getattr(structure, "site_properties", {}) or {}
    return "magmom" in props


def save_structures(structures: Iterable[MagneticStructure], folder) -> list[Path]:
    """Write each structure as ``<folder>/<material_id or index>.json`` (readable offline by
    :func:`altermag.structures.read_structure`, so a downloaded corpus can be reused without network)."""
    from altermag.core.io import dumps

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, s in enumerate(structures):
        name = str(s.info.get("material_id") or f"structure_{i:06d}").replace("/", "_")
        p = folder / f"{name}.json"
        p.write_text(dumps(s.as_dict()), encoding="utf-8")
        paths.append(p)
    return paths
