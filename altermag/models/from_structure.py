"""From a crystal structure to its two-sublattice minimal model (the bridge from discovery to models).

:func:`model_from_structure` finds the magnetic atoms (sites carrying a moment; if the file has no
moments, the atoms of magnetic elements, :func:`altermag.structures.magnetic_elements`), their
crystallographic orbit in the paramagnetic space group (spglib, moments ignored), and its Wyckoff
letter in the standard setting. If that orbit is a catalogue orbit (two inversion-centre sites per
primitive cell) the symmetry-generated model of :func:`altermag.models.generator.generate_model` is
returned in the standard setting, with the lattice parameters of spglib's idealised conventional cell;
otherwise a
:class:`ParameterError` says which condition fails.

``ModelTerms.info['structure']`` records: the space group and Wyckoff letter found, the magnetic
species, the input atoms on sublattice 1 and 2 (matched to r₁, r₂ of the model), spglib's
transformation (x_std = P x + p) and the rotation Q taking input Cartesian vectors to the model frame
(r_model = r_input · Q), the Néel vector n̂ of sublattice 1 in the model frame and whether the moments
form the compensated two-sublattice pattern the model assumes.
"""

from __future__ import annotations

import numpy as np

from altermag.core.errors import ParameterError, StructureError
from altermag.models.catalogue import catalogue, centrosymmetric_groups, find_orbits, space_group_data
from altermag.models.generator import generate_model, lattice_parameters
from altermag.models.terms import ModelTerms


def _types(species) -> np.ndarray:
    lookup: dict[str, int] = {}
    return np.array([lookup.setdefault(s, len(lookup) + 1) for s in species])


def _magnetic_sites(s, magnetic, moment_tol: float) -> tuple[np.ndarray, str]:
    mom = np.linalg.norm(np.asarray(s.moments, float), axis=1)
    if getattr(s, "has_moments", True) and mom.max(initial=0.0) > 0:
        return np.flatnonzero(mom > moment_tol * mom.max()), "moments"
    from altermag.structures import magnetic_elements

    elems = magnetic_elements(magnetic)
    idx = np.array([i for i, sp in enumerate(s.species) if sp in elems], dtype=int)
    return idx, "elements"


def _why_not(sg: int, letter: str, mult_primitive: int, inversion: bool) -> str:
    reasons = []
    if sg not in centrosymmetric_groups():
        reasons.append(f"space group {sg} is not centrosymmetric")
    if mult_primitive != 2:
        reasons.append(f"the orbit has {mult_primitive} site(s) per primitive cell, not 2")
    if not inversion:
        reasons.append("its sites are not inversion centres")
    if not reasons:
        reasons.append("the orbit is not a catalogue orbit")
    return "; ".join(reasons)


def model_from_structure(structure, shells: int = 2, symprec: float = 1e-2, *, magnetic="broad",
                         site: int | str | None = None, moment_tol: float = 0.05,
                         lattice: str = "structure") -> ModelTerms:
    """The generated minimal model of a structure whose magnetic atoms form one two-sublattice orbit.

    Parameters
    ----------
    structure : :class:`~altermag.structures.MagneticStructure`, a path (magCIF, CIF, POSCAR, JSON) or a
        pymatgen / ASE object
    shells : neighbour shells per channel (see :func:`generate_model`)
    symprec : spglib distance tolerance (Å) for the paramagnetic space group
    magnetic : magnetic-element set used only when the structure has no moments (default "broad": 3d,
        magnetic 4d/5d such as Ru, 4f, 5f; see :data:`altermag.structures.elements.MAGNETIC_SETS`)
    site : choose the magnetic orbit when there are several: an atom index of the input, or a Wyckoff
        letter of the standard setting ("2a" / "a")
    moment_tol : relative threshold: a site is magnetic if |m| > moment_tol · max|m|
    lattice : "structure" (the structure's symmetrised lattice parameters) or "representative" (the
        catalogue's cell)
    """
    import spglib

    from altermag.structures import read_structure

    s = read_structure(structure)
    if lattice not in ("structure", "representative"):
        raise ParameterError(f"lattice={lattice!r}; expected 'structure' or 'representative'")
    if not 0 < float(moment_tol) < 1:
        raise ParameterError(f"moment_tol={moment_tol} must be in (0, 1)")
    mag_idx, how = _magnetic_sites(s, magnetic, float(moment_tol))
    if len(mag_idx) == 0:
        raise ParameterError("no magnetic atoms: the structure has no moments and no atom of the magnetic-element "
                             f"set {magnetic!r}; pass magnetic='Mn,Fe' or give moments")
    cell = (s.lattice, s.frac_coords, _types(s.species))
    ds = spglib.get_symmetry_dataset(cell, symprec=symprec)
    if ds is None:
        raise StructureError(f"spglib found no space group (symprec={symprec} Å)", s.source)
    sg = int(ds.number)
    equiv = np.asarray(ds.equivalent_atoms)
    orbits = {}
    for i in mag_idx:
        orbits.setdefault(int(equiv[i]), []).append(int(i))
    if site is not None:
        if isinstance(site, (int, np.integer)):
            if not 0 <= int(site) < len(s.species):
                raise ParameterError(f"site={site} is not an atom index (0..{len(s.species) - 1})")
            chosen = [int(equiv[int(site)])]
            orbits = {chosen[0]: [int(i) for i in np.flatnonzero(equiv == chosen[0])]}
        else:
            letter = str(site).strip().lower().lstrip("0123456789")
            orbits = {k: v for k, v in orbits.items() if ds.wyckoffs[k] == letter}
            if not orbits:
                raise ParameterError(f"site={site!r}: no magnetic orbit with Wyckoff letter {letter!r} "
                                     f"(magnetic letters: {sorted({ds.wyckoffs[i] for i in mag_idx})})")
    if len(orbits) > 1:
        desc = ", ".join(f"{s.species[k]} {ds.wyckoffs[k]} (atoms {v})" for k, v in orbits.items())
        raise ParameterError(f"the magnetic atoms form {len(orbits)} crystallographic orbits in space group {sg} "
                             f"({desc}); a two-sublattice model needs one — choose it with site=")
    rep, atoms = next(iter(orbits.items()))
    letter = str(ds.wyckoffs[rep])
    data = space_group_data(sg)
    mult = next((m for let, m, _, _ in data["wyckoffs"] if let == letter), None)
    cands = {o.letter: o for o in find_orbits(sg)}
    if letter not in cands:
        R_in, t_in = np.asarray(ds.rotations), np.asarray(ds.translations)
        x0 = np.asarray(s.frac_coords)[rep]
        inv_ops = np.all(R_in == -np.eye(3, dtype=int), axis=(1, 2))
        dev = (-x0 + t_in[inv_ops]) - x0
        inv = bool(np.any(np.all(np.abs(dev - np.rint(dev)) < 1e-3, axis=1)))
        n_orbit = int(np.sum(equiv == rep))
        ratio = abs(np.linalg.det(np.asarray(ds.primitive_lattice))) / abs(np.linalg.det(s.lattice))
        why = _why_not(sg, letter, int(round(n_orbit * ratio)), inv)
        valid = ", ".join(e.label for e in catalogue())
        raise ParameterError(f"no two-sublattice model applies: the magnetic {s.species[rep]} atoms occupy Wyckoff "
                             f"{mult}{letter} (site symmetry {ds.site_symmetry_symbols[rep]}) of space group {sg} "
                             f"({ds.international}): {why}. Catalogue entries: {valid}")
    orbit = cands[letter]

    # spglib's idealised conventional cell (symmetrised metric) and the rotation into the model frame:
    # r_std = r_input · R_stdᵀ (spglib's std_rotation_matrix), r_model = r_std · Q2
    P = np.asarray(ds.transformation_matrix, float)
    p = np.asarray(ds.origin_shift, float)
    A_std = np.asarray(ds.std_lattice, float)
    params = lattice_parameters(A_std)
    mt = generate_model(sg, orbit.wyckoff, shells, lattice=None if lattice == "representative" else params)
    Q2 = _polar_rotation(np.linalg.solve(A_std, _oriented(A_std)))
    Q = np.asarray(ds.std_rotation_matrix, float).T @ Q2

    # which input atoms sit on r1 and on r2 (modulo lattice and centring)
    C = data["centring"]
    x_std = (np.asarray(s.frac_coords)[atoms] @ P.T + p) % 1.0
    sub = []
    for x in x_std:
        lab = 0
        for k, r in enumerate((orbit.r1, orbit.r2), start=1):
            diff = (x - np.asarray(r))[None, :] - C
            if np.any(np.all(np.abs(diff - np.rint(diff)) < max(symprec, 1e-6) * 2 / min(params[:3]), axis=1)):
                lab = k
        sub.append(lab)
    sub = np.array(sub)
    info = {"source": s.source, "space_group": sg, "symbol": str(ds.international), "wyckoff": orbit.wyckoff,
            "site_symmetry": orbit.site_symmetry, "magnetic_species": sorted({s.species[i] for i in atoms}),
            "magnetic_from": how, "atoms": atoms, "sublattice_1": [a for a, k in zip(atoms, sub) if k == 1],
            "sublattice_2": [a for a, k in zip(atoms, sub) if k == 2],
            "transformation_matrix": P.tolist(), "origin_shift": p.tolist(), "rotation_to_model": Q.tolist(),
            "lattice_parameters": list(params), "symprec": symprec}
    if np.any(sub == 0):
        info["warning"] = ("some magnetic atoms could not be matched to r1/r2 of the standard setting "
                           "(origin differs by a normaliser operation); sublattice lists are incomplete")
    mom = np.asarray(s.moments, float)[atoms] @ Q
    if how == "moments" and np.all(sub > 0):
        m1, m2 = mom[sub == 1].mean(axis=0), mom[sub == 2].mean(axis=0)
        scale = max(np.linalg.norm(m1), np.linalg.norm(m2))
        uniform = (np.max(np.linalg.norm(mom[sub == 1] - m1, axis=1)) < moment_tol * scale and
                   np.max(np.linalg.norm(mom[sub == 2] - m2, axis=1)) < moment_tol * scale)
        if uniform and np.linalg.norm(m1 + m2) < moment_tol * scale:
            info["order"] = "neel"
            info["neel"] = (np.round(m1 / np.linalg.norm(m1), 12) + 0.0).tolist()
            info["moment"] = float(np.linalg.norm(m1))
        elif uniform and np.linalg.norm(m1 - m2) < moment_tol * scale:
            info["order"] = "ferromagnetic"
        else:
            info["order"] = "other"
            info["warning"] = ("the moments are not the compensated two-sublattice (Néel) pattern the model's "
                               "J τz n̂·σ term describes (e.g. a magnetic supercell or non-collinear order)")
    mt.info["structure"] = info
    return mt


def _oriented(A: np.ndarray) -> np.ndarray:
    from altermag.models.catalogue import lattice_from_parameters

    return lattice_from_parameters(*lattice_parameters(A))


def _polar_rotation(M: np.ndarray) -> np.ndarray:
    U, _, Vt = np.linalg.svd(M)
    return U @ Vt
