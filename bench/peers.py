"""Run the peer spin-group tools on one of OUR :class:`~altermag.structures.MagneticStructure` objects.

Every wrapper takes the same parsed structure that :func:`altermag.symmetry.analyze` sees (same atoms,
same Cartesian moments), runs one peer and maps its answer onto our verdict vocabulary
(:data:`altermag.symmetry.VERDICTS`), or returns ``verdict=None`` with a ``reason`` when the peer refuses
the input, fails, or runs past its time limit. Peers (``pip install -e .[peers]``):

* **amcheck** (Smolyanyuk, Šmejkal, Mazin; PyPI ``amcheck``) — :func:`amcheck_verdict`. amcheck answers a
  yes/no question, so its verdicts are ``"altermagnet"`` or :data:`NOT_ALTERMAGNET`. Inputs are built as
  amcheck's own CLI builds them: symmetry operations of the given cell (pure supercell translations
  included) from spglib on the cell typed by species, the crystallographic orbits, and one spin letter per
  site (``u``/``d``/``n``) from the sign of the moment projected on the common collinear axis (our
  projection, :func:`altermag.symmetry.spingroup.collinear_signs`, so both tools use identical spins).
  amcheck raises ``ValueError`` when an orbit has unequal numbers of up and down spins and
  ``RuntimeError`` when no orbit carries spins: both are recorded as "not accepted by amcheck".
* **spinspg** (Watanabe; PyPI ``spinspg``) — :func:`spinspg_verdict`. From the spin space group
  operations {U‖R|t} of the given cell: collinear spin-only group and some operation with a spin flip
  (U·n = −n, n the spin axis) and R = 1 → antiferromagnet (translation); R = −1 → antiferromagnet
  (inversion); flips only with other R → altermagnet; no flip → ferromagnet or compensated-ferrimagnet
  by the net moment along the spin axis (the one piece of arithmetic done here, with our moment
  tolerance); coplanar /
  non-coplanar spin-only group → noncollinear; nonmagnetic spin-only group → nonmagnetic.
* **findspingroup** (PyPI ``findspingroup``) — :func:`findspingroup_verdict`. Its Python API
  ``find_spin_group_basic_from_data`` takes a parsed cell, so it is called on our structure (lattice rows,
  fractional coordinates, Cartesian moments with ``input_spin_setting="cartesian"``) rather than on the file.
  Its ``conf`` (Collinear / Coplanar / Noncoplanar) and ``magnetic_phase`` ("AFM(Altermagnet)", "AFM",
  "FM", "FiM", "Compensated FiM", …) are mapped by :data:`FSG_PHASES`.

Each wrapper returns a :class:`PeerResult` (verdict, reason, the peer's raw answer, seconds). A per-call
wall-clock limit (``timeout``, seconds) is enforced with ``SIGALRM`` when called from the main thread of
the process (Unix); elsewhere it is not enforced and the result says so in ``reason`` only on failure.
"""

from __future__ import annotations

import contextlib
import io
import signal
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import spglib

from altermag.structures.magnetic import MagneticStructure, elements_of
from altermag.symmetry.operations import species_types
from altermag.symmetry.spingroup import Tolerances, collinear_signs

#: amcheck's "False": it cannot tell antiferromagnets from (compensated) ferrimagnets
NOT_ALTERMAGNET = "not-altermagnet"

#: findspingroup ``magnetic_phase_base`` → our verdict (``AFM`` is split by its altermagnet modifier)
FSG_PHASES = {
    "FM": "ferromagnet",
    "FiM": "ferromagnet",
    "FM/FiM": "ferromagnet",
    "Compensated FiM": "compensated-ferrimagnet",
    # a single SSG orbit, FM-like spin point group, zero net moment: no operation exchanges the
    # spin sublattices and nothing is left over: our compensated-ferrimagnet
    "FM-class (zero-moment undetermined)": "compensated-ferrimagnet",
}


class PeerTimeout(Exception):
    """A peer ran past its per-call time limit."""


@dataclass
class PeerResult:
    """One peer's answer on one structure: ``verdict`` in our vocabulary, or None and a ``reason``."""

    tool: str
    verdict: str | None
    reason: str = ""
    raw: Any = None
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.verdict is not None


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Raise :class:`PeerTimeout` after ``seconds`` (SIGALRM; only in the main thread, else no limit)."""
    usable = (seconds is not None and seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def _handler(signum, frame):
        raise PeerTimeout(f"no answer within {seconds:g} s")

    old = signal.signal(signal.SIGALRM, _handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _spglib_cell(structure: MagneticStructure):
    return (np.asarray(structure.lattice, float), np.asarray(structure.frac_coords, float),
            species_types(structure.species))


# ------------------------------------------------------------------------------------------ amcheck
def amcheck_inputs(structure: MagneticStructure, *, symprec: float = 1e-2, moment_tol: float = 0.05,
                   collinear_tol: float = 0.1) -> dict:
    """The arguments of ``amcheck.is_altermagnet`` for ``structure`` (see the module docstring).

    Raises ``ValueError`` with a reason when the structure is nonmagnetic or noncollinear (amcheck takes
    collinear u/d/n spins only) or spglib finds no space group.
    """
    tol = Tolerances(symprec, moment_tol, collinear_tol)
    problem, s, _axis = collinear_signs(structure, tol)
    if problem is not None:
        raise ValueError(f"{problem}: amcheck takes collinear up/down/none spins only")
    ds = spglib.get_symmetry_dataset(_spglib_cell(structure), symprec=symprec)
    if ds is None:
        raise ValueError(f"spglib found no space group at symprec={symprec}")
    symops = [(np.asarray(R, int), np.asarray(t, float)) for R, t in zip(ds.rotations, ds.translations)]
    spins = ["u" if x > 0 else "d" if x < 0 else "n" for x in s]
    symbols = [elements_of(sp)[0] if elements_of(sp) else sp for sp in structure.species]
    return dict(symops=symops, positions=np.mod(np.asarray(structure.frac_coords, float), 1.0),
                equiv_atoms=np.asarray(ds.crystallographic_orbits), chemical_symbols=symbols, spins=spins)


def amcheck_verdict(structure: MagneticStructure, *, symprec: float = 1e-2, moment_tol: float = 0.05,
                    collinear_tol: float = 0.1, tol: float | None = None,
                    timeout: float | None = 60.0) -> PeerResult:
    """amcheck's answer: ``"altermagnet"`` / :data:`NOT_ALTERMAGNET`, or None when it refuses the input.

    ``tol`` is amcheck's own tolerance on fractional-coordinate differences; by default it matches our
    atom-matching tolerance, 4·symprec Å, over the shortest cell edge (at least amcheck's 1e-3).
    """
    from amcheck import is_altermagnet

    t0 = time.perf_counter()
    try:
        args = amcheck_inputs(structure, symprec=symprec, moment_tol=moment_tol, collinear_tol=collinear_tol)
    except ValueError as exc:
        return PeerResult("amcheck", None, f"not given to amcheck: {exc}", seconds=time.perf_counter() - t0)
    if tol is None:
        tol = max(1e-3, 4 * symprec / float(np.linalg.norm(structure.lattice, axis=1).min()))
    try:
        with time_limit(timeout), contextlib.redirect_stdout(io.StringIO()):
            answer = bool(is_altermagnet(args["symops"], args["positions"], args["equiv_atoms"],
                                         args["chemical_symbols"], args["spins"], tol=tol, silent=True))
    except PeerTimeout as exc:
        return PeerResult("amcheck", None, f"timeout: {exc}", seconds=time.perf_counter() - t0)
    except (ValueError, RuntimeError) as exc:
        return PeerResult("amcheck", None, f"not accepted by amcheck: {' '.join(str(exc).split())}",
                          seconds=time.perf_counter() - t0)
    return PeerResult("amcheck", "altermagnet" if answer else NOT_ALTERMAGNET, raw=answer,
                      seconds=time.perf_counter() - t0, extra={"n_ops": len(args["symops"])})


# ------------------------------------------------------------------------------------------ spinspg
def spinspg_verdict(structure: MagneticStructure, *, symprec: float = 1e-2, moment_tol: float = 0.05,
                    mag_symprec: float | None = None, timeout: float | None = 60.0) -> PeerResult:
    """Verdict from spinspg's spin space group of the given cell (see the module docstring).

    ``mag_symprec`` (μB, spinspg's absolute moment tolerance) defaults to ``moment_tol`` times the
    largest moment, our own relative moment tolerance.
    """
    from spinspg import get_spin_symmetry
    from spinspg.spin import SpinOnlyGroupType

    t0 = time.perf_counter()
    m = np.asarray(structure.moments, float)
    mmax = float(np.linalg.norm(m, axis=1).max()) if len(m) else 0.0
    if not structure.has_moments or mmax < 1e-8:
        return PeerResult("spinspg", "nonmagnetic", "no moments", seconds=time.perf_counter() - t0)
    if mag_symprec is None:
        mag_symprec = moment_tol * mmax
    lattice, pos, types = _spglib_cell(structure)
    try:
        with time_limit(timeout), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sog, R, t, U = get_spin_symmetry(lattice, pos, types, m, symprec=symprec, mag_symprec=mag_symprec)
    except PeerTimeout as exc:
        return PeerResult("spinspg", None, f"timeout: {exc}", seconds=time.perf_counter() - t0)
    except Exception as exc:  # spinspg asserts on cells it cannot reduce
        return PeerResult("spinspg", None, f"spinspg failed: {type(exc).__name__}: {exc}",
                          seconds=time.perf_counter() - t0)
    dt = time.perf_counter() - t0
    kind = sog.spin_only_group_type
    raw = {"spin_only_group": str(sog), "n_ops": int(len(R))}
    if kind == SpinOnlyGroupType.NONMAGNETIC:
        return PeerResult("spinspg", "nonmagnetic", "nonmagnetic spin-only group", raw=raw, seconds=dt)
    if kind != SpinOnlyGroupType.COLLINEAR:
        return PeerResult("spinspg", "noncollinear", f"{kind} spin-only group", raw=raw, seconds=dt)
    axis = np.asarray(sog.axis, float)
    flip = np.einsum("i,nij,j->n", axis, np.asarray(U, float), axis) < 0 if len(R) else np.zeros(0, bool)
    R = np.asarray(R, int).reshape(-1, 3, 3)
    ident = np.all(R == np.eye(3, dtype=int), axis=(1, 2))
    inv = np.all(R == -np.eye(3, dtype=int), axis=(1, 2))
    raw["n_flip"] = int(flip.sum())
    if (flip & ident).any():
        return PeerResult("spinspg", "antiferromagnet", "flip with a pure translation", raw=raw, seconds=dt,
                          extra={"detail": "translation"})
    if (flip & inv).any():
        return PeerResult("spinspg", "antiferromagnet", "flip with inversion", raw=raw, seconds=dt,
                          extra={"detail": "inversion"})
    if flip.any():
        return PeerResult("spinspg", "altermagnet", "flips only with rotations/mirrors", raw=raw, seconds=dt)
    # net moment along spinspg's collinear axis (its collinear spin-only group idealises the moments as
    # parallel to the axis; a small transverse canting sum is not a net moment of that collinear order)
    net = float(abs(m.sum(axis=0) @ axis))
    if net > moment_tol * mmax:
        return PeerResult("spinspg", "ferromagnet", f"no flip operation; net moment {net:.3g} μB", raw=raw,
                          seconds=dt)
    return PeerResult("spinspg", "compensated-ferrimagnet", "no flip operation; zero net moment", raw=raw,
                      seconds=dt)


# ------------------------------------------------------------------------------------------ findspingroup
def findspingroup_inputs(structure: MagneticStructure) -> dict:
    """Arguments of ``findspingroup.find_spin_group_basic_from_data`` for ``structure``.

    A mixed-occupancy site (composite species such as ``"Fe0.5Ga0.5"``) is given as its first element
    with occupancy 1: findspingroup types sites by (element, occupancy) and only the typing matters for
    the symmetry, which then is exactly our species typing.
    """
    elements, occ = [], []
    lookup: dict[str, str] = {}
    for sp in structure.species:
        els = elements_of(sp)
        if len(els) == 1 and sp == els[0]:
            elements.append(sp)
            occ.append(1.0)
        else:  # keep composite labels distinct: a unique fractional occupancy per label
            if sp not in lookup:
                lookup[sp] = 0.5 + 0.01 * len(lookup)
            elements.append(els[0] if els else "X")
            occ.append(lookup[sp])
    return dict(source_name=structure.source or structure.name, lattice_factors=np.asarray(structure.lattice, float),
                positions=np.mod(np.asarray(structure.frac_coords, float), 1.0), elements=elements,
                occupancies=np.asarray(occ), moments=np.asarray(structure.moments, float),
                input_spin_setting="cartesian")


def findspingroup_verdict(structure: MagneticStructure, *, space_tol: float = 0.02, mtol: float = 0.02,
                          timeout: float | None = 120.0) -> PeerResult:
    """findspingroup's magnetic phase mapped onto our verdicts (defaults: findspingroup's own tolerances)."""
    from findspingroup import find_spin_group_basic_from_data

    t0 = time.perf_counter()
    m = np.asarray(structure.moments, float)
    if not structure.has_moments or not np.any(np.linalg.norm(m, axis=1) > 1e-8):
        return PeerResult("findspingroup", None, "no moments: findspingroup needs a magnetic structure")
    args = findspingroup_inputs(structure)
    try:
        with time_limit(timeout), warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            r = find_spin_group_basic_from_data(space_tol=space_tol, mtol=mtol, **args)
    except PeerTimeout as exc:
        return PeerResult("findspingroup", None, f"timeout: {exc}", seconds=time.perf_counter() - t0)
    except Exception as exc:  # findspingroup raises many kinds on cells it cannot identify
        msg = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        return PeerResult("findspingroup", None, f"findspingroup failed: {msg}", seconds=time.perf_counter() - t0)
    dt = time.perf_counter() - t0
    return _map_fsg(r, dt)


def _map_fsg(r: dict, seconds: float) -> PeerResult:
    conf = str(r.get("conf"))
    phase = str(r.get("magnetic_phase") or r.get("phase") or "")
    base = str(r.get("magnetic_phase_base") or phase.split("(")[0].strip())
    modifier = str(r.get("magnetic_phase_modifier") or "")
    raw = {"conf": conf, "phase": phase.replace("\n", " "), "index": r.get("index"),
           "net_moment": r.get("net_moment"), "msg_bns_number": r.get("msg_bns_number")}
    if conf.lower().startswith("nonmag"):
        return PeerResult("findspingroup", "nonmagnetic", conf, raw=raw, seconds=seconds)
    if conf != "Collinear":
        return PeerResult("findspingroup", "noncollinear", conf, raw=raw, seconds=seconds)
    if base == "AFM":
        if "Altermagnet" in modifier or "Altermagnet" in phase:
            return PeerResult("findspingroup", "altermagnet", phase, raw=raw, seconds=seconds)
        return PeerResult("findspingroup", "antiferromagnet", phase, raw=raw, seconds=seconds)
    if base in FSG_PHASES:
        return PeerResult("findspingroup", FSG_PHASES[base], phase, raw=raw, seconds=seconds)
    return PeerResult("findspingroup", None, f"unmapped findspingroup phase {phase!r} (conf {conf})", raw=raw,
                      seconds=seconds)


# ------------------------------------------------------------------------------------------ comparison
def same_answer(ours: str, peer: PeerResult) -> bool | None:
    """Whether our verdict agrees with the peer's (None when the peer gave none).

    amcheck's yes/no is compared as ``ours == "altermagnet"`` ⇔ amcheck True.
    """
    if peer.verdict is None:
        return None
    if peer.tool == "amcheck":
        return (ours == "altermagnet") == (peer.verdict == "altermagnet")
    return ours == peer.verdict


PEERS = {"amcheck": amcheck_verdict, "spinspg": spinspg_verdict, "findspingroup": findspingroup_verdict}
