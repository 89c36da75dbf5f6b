"""CIF and magCIF reading into :class:`MagneticStructure`.

A small, strict reader: CIF 1.1 / 2.0 tokens (quoted strings, ``;`` text fields, CIF2 ``[...]`` lists),
data names normalised so that the DDLm (``_atom_site_moment.label``) and the older draft
(``_atom_site_moment_label``, ``_space_group_symop.magn_operation_xyz``) magCIF dictionaries read alike.

The magnetic cell is generated from the asymmetric unit with the file's magnetic operations
(``_space_group_symop_magn_operation`` × ``_space_group_symop_magn_centering``); each operation
(R, t, θ) maps a moment m to θ·det(R)·R·m (moments are axial vectors; θ = ±1 is time reversal).
Moments are given along the unit vectors of a, b, c (``crystalaxis``) in μB.

Every problem is a :class:`StructureError` naming the file and the problem; nothing is silently
repaired except what is stated here (and recorded in ``info["repairs"]``): standard uncertainties
``0.123(4)`` are dropped, typographic slips in numbers and unquoted text are tolerated, a site listed twice
with the same moment is kept once, and sites of different elements that coincide (mixed occupancy) are
merged into one site with a composite species.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import numpy as np

from altermag.core.errors import StructureError
from altermag.structures.magnetic import MagneticStructure

# --------------------------------------------------------------------------------------- tokenizer
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<triple>'''.*?'''|\"\"\".*?\"\"\")
  | (?P<squote>'[^'\n]*'(?=\s|$))
  | (?P<dquote>"[^"\n]*"(?=\s|$))
  | (?P<bare>[^\s]+)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str, source: str):
    """Yield (kind, value) with kind in {'tag', 'value', 'loop', 'data'}; values keep their text."""
    pos, n = 0, len(text)
    while pos < n:
        at_line_start = pos == 0 or text[pos - 1] == "\n"
        if at_line_start and text.startswith(";", pos):
            end = text.find("\n;", pos + 1)
            if end < 0:
                raise StructureError(f"unterminated ';' text field at character {pos}", source)
            yield "value", text[pos + 1:end].strip()
            pos = end + 2
            continue
        if text.startswith("[", pos):
            # CIF2 list: read up to the matching bracket (no nesting needed for magCIF)
            end = text.find("]", pos)
            if end < 0:
                raise StructureError(f"unterminated '[' list at character {pos}", source)
            yield "value", text[pos:end + 1]
            pos = end + 1
            continue
        m = _TOKEN.match(text, pos)
        if m is None:  # pragma: no cover - the bare group matches any non-space
            raise StructureError(f"unreadable text at character {pos}", source)
        kind = m.lastgroup
        val = m.group(kind)
        pos = m.end()
        if kind in ("ws", "comment"):
            continue
        if kind in ("squote", "dquote"):
            yield "value", val[1:-1]
        elif kind == "triple":
            yield "value", val[3:-3]
        else:
            low = val.lower()
            if low.startswith("_"):
                yield "tag", low
            elif low == "loop_":
                yield "loop", val
            elif low.startswith("data_"):
                yield "data", val
            elif low.startswith(("save_", "global_", "stop_")):
                raise StructureError(f"unsupported CIF construct {val!r}", source)
            else:
                yield "value", val


def _normalise_tag(tag: str) -> str:
    return tag.replace(".", "_")


class CifBlock(dict):
    """One data block: normalised tag → list of raw values, plus what the parser had to tolerate.

    ``repairs`` lists harmless syntax problems that were worked around (recorded, never silent);
    ``broken`` maps the tags of an unreadable loop to the reason, raised only if such a tag is needed.
    """

    def __init__(self, name: str = ""):
        super().__init__()
        self.name = name
        self.repairs: list[str] = []
        self.broken: dict[str, str] = {}

    def require(self, tag: str, source: str) -> list[str]:
        if tag in self.broken:
            raise StructureError(self.broken[tag], source)
        if tag not in self:
            raise StructureError(f"missing {tag}", source)
        return self[tag]


def parse_cif_blocks(text: str, source: str = "<string>") -> list[CifBlock]:
    """Parse CIF text into data blocks (:class:`CifBlock`).

    Single items give one-element lists; loop columns give one entry per row. Experimental files are
    often hand-edited; harmless problems are tolerated and recorded in ``block.repairs``: an unquoted
    multi-word value (continued onto the previous item), a data name without a value (read as ``?``).
    A loop whose value count is not a multiple of its column count is marked broken: reading one of its
    tags raises :class:`StructureError` with the counts.
    """
    blocks: list[CifBlock] = []
    cur: CifBlock | None = None
    toks = list(_tokens(text, source))
    i, n = 0, len(toks)
    last_item: str | None = None
    while i < n:
        kind, val = toks[i]
        if kind == "data":
            cur = CifBlock(val[5:])
            blocks.append(cur)
            last_item = None
            i += 1
            continue
        if cur is None:
            if kind == "tag":
                cur = CifBlock()
                blocks.append(cur)
            else:
                raise StructureError(f"content before the first data_ block: {val!r}", source)
        if kind == "loop":
            tags = []
            i += 1
            while i < n and toks[i][0] == "tag":
                tags.append(_normalise_tag(toks[i][1]))
                i += 1
            vals = []
            while i < n and toks[i][0] == "value":
                vals.append(toks[i][1])
                i += 1
            last_item = None
            if not tags:
                raise StructureError("loop_ without data names", source)
            if len(vals) % len(tags):
                msg = (f"loop of {tags[0]}... has {len(vals)} values for {len(tags)} columns "
                       f"(not a multiple: a missing or extra value)")
                cur.broken.update({t: msg for t in tags})
                cur.repairs.append(msg)
                continue
            for j, t in enumerate(tags):
                cur[t] = vals[j::len(tags)]
            continue
        if kind == "tag":
            tag = _normalise_tag(val)
            if i + 1 >= n or toks[i + 1][0] != "value":
                cur[tag] = ["?"]
                cur.repairs.append(f"data name {val} has no value (read as ?)")
                last_item = None
                i += 1
                continue
            cur[tag] = [toks[i + 1][1]]
            last_item = tag
            i += 2
            continue
        if last_item is not None:
            cur[last_item] = [cur[last_item][0] + " " + val]
            if not cur.repairs or not cur.repairs[-1].startswith(f"unquoted text in {last_item}"):
                cur.repairs.append(f"unquoted text in {last_item}")
            i += 1
            continue
        raise StructureError(f"value {val!r} without a data name", source)
    if not blocks:
        raise StructureError("no CIF data block found", source)
    return blocks


# --------------------------------------------------------------------------------------- values
_NUMBER = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)((?:\([0-9.]*\)?)*)([.,]?)")
_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})


def _number(text: str, what: str, source: str, repairs: list[str] | None = None) -> float:
    """A CIF number. Standard uncertainties ``(4)`` are dropped; typographic dashes, an unclosed
    uncertainty bracket or a stray trailing ``.``/``,`` are tolerated and recorded in ``repairs``."""
    raw = text.strip()
    t = raw.translate(_DASHES)
    m = _NUMBER.fullmatch(t)
    if m:
        clean = t == raw and not m.group(3) and all(g.endswith(")") for g in re.findall(r"\([0-9.]*\)?", m.group(2)))
        if not clean and repairs is not None:
            repairs.append(f"{what}: read {raw!r} as {m.group(1)}")
        return float(m.group(1))
    if re.fullmatch(r"[+-]?\d+/\d+", t):
        try:
            return float(Fraction(t))
        except ZeroDivisionError:
            pass
    raise StructureError(f"{what}: {text!r} is not a number", source)


def _missing(text: str) -> bool:
    return text in ("?", ".")


_OP_TERM = re.compile(r"([+-]?)\s*((?:\d+(?:\.\d*)?|\.\d+)(?:/\d+)?)?\s*\*?\s*([xyz]?)")
_AXIS = {"x": 0, "y": 1, "z": 2}


def parse_operation(text: str, source: str = "<op>") -> tuple[np.ndarray, np.ndarray, int]:
    """Parse ``"x+1/2,-y,z,+1"`` into (R (3×3 int), t (3,), θ = ±1). θ defaults to +1 without a 4th field."""
    parts = [p.strip().lower() for p in text.replace(" ", "").split(",")]
    if len(parts) not in (3, 4):
        raise StructureError(f"symmetry operation {text!r} does not have 3 (or 3+1) components", source)
    R = np.zeros((3, 3))
    t = np.zeros(3)
    for row, comp in enumerate(parts[:3]):
        comp = comp.replace("mx", "x").replace("my", "y").replace("mz", "z")
        pos = 0
        if not comp:
            raise StructureError(f"empty component in symmetry operation {text!r}", source)
        while pos < len(comp):
            m = _OP_TERM.match(comp, pos)
            if not m or m.end() == pos:
                raise StructureError(f"cannot parse component {comp!r} of symmetry operation {text!r}", source)
            sign = -1.0 if m.group(1) == "-" else 1.0
            coeff = float(Fraction(m.group(2))) if m.group(2) else None
            if m.group(3):
                R[row, _AXIS[m.group(3)]] += sign * (coeff if coeff is not None else 1.0)
            elif coeff is not None:
                t[row] += sign * coeff
            else:
                raise StructureError(f"dangling sign in symmetry operation {text!r}", source)
            pos = m.end()
    if not np.allclose(R, np.round(R)) or abs(abs(np.linalg.det(R)) - 1) > 1e-6:
        raise StructureError(f"symmetry operation {text!r} is not an integer unimodular map", source)
    theta = 1
    if len(parts) == 4:
        try:
            theta = int(float(parts[3]))
        except ValueError:
            raise StructureError(f"time-reversal field of {text!r} must be +1 or -1", source) from None
        if theta not in (1, -1):
            raise StructureError(f"time-reversal field of {text!r} must be +1 or -1", source)
    return np.round(R).astype(int), t, theta


# --------------------------------------------------------------------------------------- reader
_OP_TAGS = ("_space_group_symop_magn_operation_xyz", "_space_group_symop_operation_xyz",
            "_symmetry_equiv_pos_as_xyz")
_CENTERING_TAGS = ("_space_group_symop_magn_centering_xyz",)


def _lattice_from_parameters(a, b, c, alpha, beta, gamma, source) -> np.ndarray:
    al, be, ga = np.radians([alpha, beta, gamma])
    cg, sg = np.cos(ga), np.sin(ga)
    cb, ca = np.cos(be), np.cos(al)
    if sg < 1e-8:
        raise StructureError(f"cell angle gamma = {gamma} degrees gives a degenerate cell", source)
    cx = cb
    cy = (ca - cb * cg) / sg
    cz2 = 1.0 - cx * cx - cy * cy
    if cz2 <= 1e-10 or min(a, b, c) <= 0:
        raise StructureError(
            f"cell parameters a={a}, b={b}, c={c}, alpha={alpha}, beta={beta}, gamma={gamma} "
            "do not describe a 3D cell", source)
    return np.array([[a, 0.0, 0.0], [b * cg, b * sg, 0.0], [c * cx, c * cy, c * np.sqrt(cz2)]])


def _operations(block: dict, source: str):
    """All (R, t, θ) of the block: operations × centerings (θ multiplies)."""
    op_tag = next((t for t in _OP_TAGS if t in block or t in block.broken), None)
    if op_tag is None:
        return None
    ops = [parse_operation(s, source) for s in block.require(op_tag, source)]
    cent_col = block.require(_CENTERING_TAGS[0], source) if _CENTERING_TAGS[0] in block else []
    cents = [parse_operation(s, source) for s in cent_col] or [
        (np.eye(3, dtype=int), np.zeros(3), 1)]
    Rs, ts, thetas = [], [], []
    for Rc, tc, thc in cents:
        for R, t, th in ops:
            Rs.append(R @ Rc)
            ts.append(R @ tc + t)
            thetas.append(th * thc)
    return np.array(Rs), np.mod(np.array(ts), 1.0), np.array(thetas)


def _ops_from_space_group_number(block: dict, source: str):
    """Fallback when a plain CIF names only its space group: standard-setting operations from spglib."""
    import spglib

    for tag in ("_space_group_it_number", "_symmetry_int_tables_number"):
        if tag in block and not _missing(block[tag][0]):
            number = int(_number(block[tag][0], tag, source))
            for hall in range(1, 531):
                if spglib.get_spacegroup_type(hall).number == number:
                    sym = spglib.get_symmetry_from_database(hall)
                    n = len(sym["rotations"])
                    return sym["rotations"], np.mod(sym["translations"], 1.0), np.ones(n, dtype=int)
    return None


def read_cif(path, *, block: int | None = None, magmoms=None, merge_tol: float = 0.01) -> MagneticStructure:
    """Read a CIF or magCIF file (or CIF text via :func:`structure_from_cif_text`).

    Parameters
    ----------
    path : file path.
    block : index of the data block to read; by default the first block with atom sites.
    magmoms : moments for a plain CIF (see :func:`altermag.structures.io.read_structure`).
    merge_tol : Å; generated positions closer than this are the same site.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise StructureError(f"cannot read file: {exc.strerror}", str(path)) from None
    return structure_from_cif_text(text, source=str(path), block=block, magmoms=magmoms, merge_tol=merge_tol)


def structure_from_cif_text(text: str, source: str = "<string>", *, block: int | None = None,
                            magmoms=None, merge_tol: float = 0.01) -> MagneticStructure:
    blocks = parse_cif_blocks(text, source)
    if block is None:
        cands = [b for b in blocks if "_atom_site_fract_x" in b or "_atom_site_fract_x" in b.broken]
        if not cands and len(blocks) > 1:
            raise StructureError("no atom-site loop (_atom_site_fract_x) in any data block", source)
        blk = cands[0] if cands else blocks[0]
    else:
        try:
            blk = blocks[block]
        except IndexError:
            raise StructureError(f"data block {block} requested, file has {len(blocks)}", source) from None

    rep = blk.repairs
    # ---- cell
    params = []
    for t in ("a", "b", "c"):
        tag = f"_cell_length_{t}"
        if tag not in blk or _missing(blk[tag][0]):
            raise StructureError(f"missing cell parameter {tag}", source)
        params.append(_number(blk[tag][0], tag, source, rep))
    for t in ("alpha", "beta", "gamma"):
        tag = f"_cell_angle_{t}"
        params.append(_number(blk[tag][0], tag, source, rep) if tag in blk and not _missing(blk[tag][0])
                      else 90.0)
    lattice = _lattice_from_parameters(*params, source)

    # ---- asymmetric unit
    for tag in ("_atom_site_fract_x", "_atom_site_fract_y", "_atom_site_fract_z"):
        blk.require(tag, source)
    nat = len(blk["_atom_site_fract_x"])
    labels = blk.require("_atom_site_label", source) if "_atom_site_label" in blk else [
        f"site{i + 1}" for i in range(nat)]
    symbols = blk.require("_atom_site_type_symbol", source) if "_atom_site_type_symbol" in blk else None
    if symbols is None:
        symbols = labels
    if len(labels) != nat or len(symbols) != nat:
        raise StructureError("atom-site columns have different lengths", source)
    elements = [_element(s, lab, source) for s, lab in zip(symbols, labels)]
    xyz = np.array([[_number(blk[f"_atom_site_fract_{c}"][i], f"_atom_site_fract_{c} of {labels[i]}", source, rep)
                     for c in "xyz"] for i in range(nat)])
    occ_col = blk.require("_atom_site_occupancy", source) if "_atom_site_occupancy" in blk else ["1"] * nat
    occ = np.array([_number(o, "_atom_site_occupancy", source, rep) if not _missing(o) else 1.0 for o in occ_col])

    # ---- moments of the asymmetric unit (crystal-axis components → Cartesian)
    unit_axes = lattice / np.linalg.norm(lattice, axis=1)[:, None]
    mom_asym = np.zeros((nat, 3))
    has_moments = False
    if "_atom_site_moment_label" in blk or "_atom_site_moment_label" in blk.broken:
        blk.require("_atom_site_moment_label", source)
        cols = [f"_atom_site_moment_crystalaxis_{c}" for c in "xyz"]
        if not all(c in blk for c in cols):
            raise StructureError("moment loop without _atom_site_moment.crystalaxis_x/y/z columns", source)
        index = {lab: i for i, lab in enumerate(labels)}
        for k, lab in enumerate(blk["_atom_site_moment_label"]):
            if lab not in index:
                raise StructureError(f"moment given for unknown site label {lab!r}", source)
            comps = [blk[c][k] for c in cols]
            if any(_missing(v) for v in comps):
                raise StructureError(f"moment of {lab} has missing components", source)
            mc = np.array([_number(v, f"moment of {lab}", source, rep) for v in comps])
            mom_asym[index[lab]] = mc @ unit_axes
        has_moments = True
    elif magmoms is not None:
        has_moments = True

    # ---- symmetry expansion
    ops = _operations(blk, source)
    if ops is None:
        ops = _ops_from_space_group_number(blk, source)
    if ops is None:
        ops = (np.eye(3, dtype=int)[None], np.zeros((1, 3)), np.ones(1, dtype=int))
    Rs, ts, thetas = ops
    frac, species, labs, moments, occs = _expand(lattice, xyz, elements, labels, mom_asym, occ,
                                                 Rs, ts, thetas, merge_tol, source)
    frac, species, labs, moments = _merge_overlaps(lattice, frac, species, labs, moments, occs, merge_tol, source,
                                                   rep)

    if magmoms is not None:
        from altermag.structures.io import moments_from_spec

        moments = moments_from_spec(magmoms, labs, species, lattice, source)

    info = {"format": "mcif" if "_space_group_symop_magn_operation_xyz" in blk else "cif"}
    if rep:
        info["repairs"] = list(dict.fromkeys(rep))  # one line per distinct repair, not per generated copy
    for key, tag in (("bns_number", "_space_group_magn_number_bns"), ("bns_name", "_space_group_magn_name_bns"),
                     ("parent_space_group", "_parent_space_group_it_number"),
                     ("propagation_vector", "_parent_propagation_vector_kxkykz"),
                     ("doi", "_citation_doi"), ("formula_sum", "_chemical_formula_sum")):
        if tag in blk and not _missing(blk[tag][0]):
            info[key] = blk[tag][0] if len(blk[tag]) == 1 else blk[tag]
    return MagneticStructure(lattice=lattice, frac_coords=frac, species=tuple(species), moments=moments,
                             labels=tuple(labs), source=source, has_moments=has_moments, info=info)


def _element(symbol: str, label: str, source: str) -> str:
    from altermag.structures.elements import ELEMENTS

    m = re.match(r"([A-Za-z]{1,2})", symbol.strip())
    if m:
        cand = m.group(1)
        for guess in (cand[:1].upper() + cand[1:].lower(), cand[:1].upper()):
            if guess in ELEMENTS:
                return guess
    raise StructureError(f"site {label}: {symbol!r} is not a chemical element symbol", source)


def _expand(lattice, xyz, elements, labels, mom_asym, occ, Rs, ts, thetas, tol, source):
    """Apply every operation to every asymmetric-unit site; keep distinct positions per site."""
    A = lattice.T  # columns a, b, c: r_cart = A @ f
    Ainv = np.linalg.inv(A)
    Rc = np.einsum("ij,njk,kl->nil", A, Rs, Ainv)  # Cartesian rotations
    det = np.round(np.linalg.det(Rs.astype(float)))
    out_f, out_s, out_l, out_m, out_o = [], [], [], [], []
    for i in range(len(xyz)):
        pos = np.mod(np.einsum("nij,j->ni", Rs, xyz[i]) + ts, 1.0)
        mom = (thetas * det)[:, None] * np.einsum("nij,j->ni", Rc, mom_asym[i])
        keep = _unique_positions(pos, lattice, tol)
        # symmetry-equivalent copies of one position must carry one moment; tolerate refinement noise
        for rep, members in keep.items():
            spread = np.abs(mom[members] - mom[rep]).max() if len(members) > 1 else 0.0
            scale = max(np.linalg.norm(mom_asym[i]), 1e-8)
            if spread > 0.05 * scale and spread > 0.05:
                raise StructureError(
                    f"site {labels[i]}: the magnetic operations give it different moments at one position "
                    f"(spread {spread:.3g} μB): moments inconsistent with the magnetic space group", source)
            out_f.append(pos[rep])
            out_s.append(elements[i])
            out_l.append(labels[i])
            out_m.append(mom[members].mean(axis=0))
            out_o.append(occ[i])
    frac = np.mod(np.array(out_f), 1.0)
    frac[np.isclose(frac, 1.0, atol=1e-9)] = 0.0
    return frac, out_s, out_l, np.array(out_m), np.array(out_o)


def _unique_positions(pos: np.ndarray, lattice: np.ndarray, tol: float) -> dict[int, list[int]]:
    """Group positions (fractional, mod 1) closer than tol Å; returns representative → members."""
    d = pos[:, None, :] - pos[None, :, :]
    d -= np.round(d)
    dist = np.linalg.norm(d @ lattice, axis=-1)
    close = dist < tol
    groups: dict[int, list[int]] = {}
    assigned = np.full(len(pos), -1)
    for k in range(len(pos)):
        if assigned[k] >= 0:
            continue
        members = np.nonzero(close[k] & (assigned < 0))[0]
        assigned[members] = k
        groups[k] = members.tolist()
    return groups


def _merge_overlaps(lattice, frac, species, labels, moments, occs, tol, source, repairs):
    """Sites of different labels at one position.

    * the same element with the same moment: a redundant listing of one atom (e.g. a site already
      generated by the file's own operations) — kept once, recorded in ``repairs``;
    * different elements with total occupancy ≤ 1: mixed occupancy — one site with a composite species;
    * anything else (same element with different moments, or total occupancy > 1): an error.
    """
    groups = _unique_positions(frac, lattice, tol)
    if len(groups) == len(frac):
        return frac, species, labels, moments
    scale = max(float(np.linalg.norm(moments, axis=1).max()), 1e-8)
    f2, s2, l2, m2 = [], [], [], []
    for rep, members in groups.items():
        f2.append(frac[rep])
        names = ", ".join(dict.fromkeys(labels[k] for k in members))
        if len(members) == 1:
            s2.append(species[rep])
            m2.append(moments[rep])
        elif len({species[k] for k in members}) == 1:
            if np.abs(moments[members] - moments[rep]).max() > 0.05 * scale:
                raise StructureError(f"sites {names} coincide (closer than {tol} Å) with different moments: "
                                     "duplicated atoms", source)
            repairs.append(f"sites {names} coincide with the same moment: kept once")
            s2.append(species[rep])
            m2.append(moments[rep])
        else:
            total = float(sum(occs[k] for k in members))
            if total > 1.05:
                raise StructureError(f"sites {names} coincide (closer than {tol} Å) with total occupancy "
                                     f"{total:g} > 1: duplicated atoms", source)
            parts: dict[str, float] = {}
            for k in members:
                parts[species[k]] = parts.get(species[k], 0.0) + occs[k]
            s2.append("".join(f"{el}{amt:g}" for el, amt in sorted(parts.items())))
            m2.append(moments[members].sum(axis=0))
        l2.append("/".join(dict.fromkeys(labels[k] for k in members)))
    return np.array(f2), s2, l2, np.array(m2)
