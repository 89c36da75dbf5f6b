"""Symmetry-generated four-band models: ε₀(k), t_x(k), t_z(k) and λ(k) shell by shell (spec §4.1).

For a catalogue orbit (space group, Wyckoff) with sites r₁, r₂ = r₁ + d and characters χ(R) = ±1
(+1: the operation keeps site 1, −1: it exchanges the sites):

1. **Bonds.** Intra-sublattice bonds are the crystal's translations v ∈ L (lattice plus centring
   vectors); inter-sublattice bonds are v ∈ d + L. Both sets are grouped into *shells* of equal
   Cartesian length and processed nearest first (shell 1 = nearest; v = 0 is skipped: a constant ε₀ is
   the chemical potential).
2. **Scalar projections.** f(k) = Σ_R w(R) cos(k·Rv) over all operations R: w = 1 gives ε₀ (intra
   bonds) and t_x (inter bonds), w = χ(R) gives t_z (intra bonds).
3. **Vector projection.** λ(k) = Σ_R χ(R) A(R) ê_j cos(k·Rv), A(R) = det(R_c) R_c (axial vector), inter
   bonds, j = x, y, z.
4. **Independent terms.** Within a shell every bond (and for λ every spin direction) is used as a seed;
   projected seeds are kept when linearly independent of those already kept (Gram–Schmidt rank test),
   so a shell contributes as many free parameters as the dimension of its invariant subspace. Functions
   of different shells are independent automatically (distinct Fourier components).
5. **How far.** For each of ε₀, t_x, t_z the first ``shells`` non-empty shells are kept; for λ, the
   first ``shells`` non-empty shells of *each* spin direction ê_j (so a component that first appears at
   a long bond, e.g. λ_z of SG 136, is not lost), with every independent vector harmonic of those shells.

Each kept function is normalised so that its expansion in products of cos/sin of the (fractional)
momenta has largest coefficient 1 and a positive first term; e.g. the 8 nearest inter-sublattice bonds
of SG 136 give exactly cos(kx/2) cos(ky/2) cos(kz/2). The free coefficient (eV) is named per channel in
generation order: ``eps0_1, eps0_2, …``, ``tx_1, …``, ``tz_1, …``, ``lambda_1, …``.

Momenta in labels are the paper's: kx ≡ 2π k_frac,x (k·a) etc. for all cells; hexagonal/trigonal labels
use k1 = k·a₁, k2 = k·a₂, k3 = −k1 − k2, kz = k·c. Nothing is looked up: the lowest-order forms of the
spec (``lowest_order_terms_27_entries.txt``) are reproduced and checked in ``tests/models``.
"""

from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np

from altermag.core.errors import ParameterError
from altermag.models.catalogue import (
    cartesian_rotations,
    get_entry,
    get_orbit,
    lattice_from_parameters,
    lattice_system,
    representative_lattice,
    space_group_data,
    vec_str,
)
from altermag.models.terms import Harmonic, ModelTerms

_SCALE = 12  # fractional coordinates × 12 are integers for all bonds (halves, thirds, quarters, sixths)
_TOL = 1e-8


# ----------------------------------------------------------------------------------------------------
# lattice handling
# ----------------------------------------------------------------------------------------------------

def lattice_parameters(matrix: np.ndarray) -> tuple[float, ...]:
    """(a, b, c, α, β, γ) of a lattice given as rows."""
    M = np.asarray(matrix, float)
    a, b, c = np.linalg.norm(M, axis=1)
    al = np.degrees(np.arccos(M[1] @ M[2] / (b * c)))
    be = np.degrees(np.arccos(M[0] @ M[2] / (a * c)))
    ga = np.degrees(np.arccos(M[0] @ M[1] / (a * b)))
    return float(a), float(b), float(c), float(al), float(be), float(ga)


def resolve_lattice(space_group: int, lattice=None) -> np.ndarray:
    """The model cell (rows, Å) in the standard orientation a ∥ x, b in the xy plane.

    ``lattice``: None (representative cell of the crystal system, see
    :data:`altermag.models.catalogue.REPRESENTATIVE_CELLS`), six numbers (a, b, c, α, β, γ), a dict with
    those keys (missing ones taken from the representative cell with the system's constraints), or a
    (3, 3) matrix (re-oriented to the standard orientation; lengths and angles are kept).
    Raises :class:`ParameterError` if the metric breaks the space group's point symmetry.
    """
    system = lattice_system(space_group)
    if lattice is None:
        A = representative_lattice(space_group)
    else:
        if isinstance(lattice, dict):
            from altermag.models.catalogue import REPRESENTATIVE_CELLS

            rep = dict(zip("a b c alpha beta gamma".split(), REPRESENTATIVE_CELLS[system]))
            p = {**rep, **{k: float(v) for k, v in lattice.items()}}
            if system in ("tetragonal", "hexagonal", "trigonal", "rhombohedral", "cubic") and "b" not in lattice:
                p["b"] = p["a"]
            if system == "cubic" and "c" not in lattice:
                p["c"] = p["a"]
            params = [p[k] for k in "a b c alpha beta gamma".split()]
        else:
            arr = np.asarray(lattice, float)
            if arr.shape == (6,):
                params = arr.tolist()
            elif arr.shape == (3, 3):
                params = list(lattice_parameters(arr))
            else:
                raise ParameterError(f"lattice has shape {arr.shape}; expected (3, 3) rows in Å or six "
                                     "parameters (a, b, c, alpha, beta, gamma)")
        if min(params[:3]) <= 0:
            raise ParameterError(f"lattice lengths {params[:3]} must be positive (Å)")
        A = lattice_from_parameters(*params)
    data = space_group_data(space_group)
    Rc = cartesian_rotations(data["rotations"], A)
    err = np.max(np.abs(np.einsum("nij,nkj->nik", Rc, Rc) - np.eye(3)))
    if err > 1e-6:
        raise ParameterError(f"lattice {np.round(lattice_parameters(A), 4).tolist()} (a, b, c, α, β, γ) breaks "
                             f"the point symmetry of space group {space_group} ({system}); "
                             f"deviation from orthogonality {err:.2e}")
    return A


# ----------------------------------------------------------------------------------------------------
# bond shells
# ----------------------------------------------------------------------------------------------------

def _canonical(keys: np.ndarray) -> np.ndarray:
    """Canonical sign of integer vectors (first non-zero component positive), shape (..., 3)."""
    k = np.asarray(keys)
    first = np.where(k[..., 0] != 0, k[..., 0], np.where(k[..., 1] != 0, k[..., 1], k[..., 2]))
    return np.where((first < 0)[..., None], -k, k)


def bond_shells(A: np.ndarray, offset: np.ndarray, centring: np.ndarray, radius: float,
                dimension: int = 3) -> list[tuple[float, np.ndarray]]:
    """Bond vectors v ∈ offset + L (|v| ≤ radius, v ≠ 0), one per ± pair, grouped by length.

    Returns [(length, canonical integer keys (m, 3) = v × 12)], nearest first.
    """
    A = np.asarray(A, float)
    heights = 1.0 / np.linalg.norm(np.linalg.inv(A), axis=0)  # spacing of lattice planes
    N = np.ceil(radius / heights).astype(int) + 1
    if dimension == 2:
        N[2] = 0
    grids = np.meshgrid(*[np.arange(-n, n + 1) for n in N], indexing="ij")
    n = np.stack([g.ravel() for g in grids], axis=1).astype(float)
    v = (n[None, :, :] + centring[:, None, :] + np.asarray(offset, float)).reshape(-1, 3)
    keys = np.rint(v * _SCALE).astype(np.int64)
    if dimension == 2:
        keys = keys[keys[:, 2] == 0]
    keys = keys[np.any(keys != 0, axis=1)]
    keys = np.unique(_canonical(keys), axis=0)
    lengths = np.linalg.norm((keys / _SCALE) @ A, axis=1)
    keep = lengths <= radius + 1e-9
    keys, lengths = keys[keep], lengths[keep]
    order = np.lexsort((-keys[:, 2], -keys[:, 1], -keys[:, 0], np.round(lengths, 7)))
    keys, lengths = keys[order], lengths[order]
    shells = []
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or lengths[i] - lengths[start] > 1e-6:
            shells.append((float(lengths[start]), keys[start:i]))
            start = i
    return shells


def _images(R: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Index of the canonical image of every bond under every rotation: (n_ops, m)."""
    img = _canonical(np.einsum("nij,mj->nmi", R, keys))
    lookup = {tuple(k): i for i, k in enumerate(keys.tolist())}
    flat = [lookup.get(tuple(k), -1) for k in img.reshape(-1, 3).tolist()]
    out = np.array(flat, dtype=int).reshape(img.shape[:2])
    if np.any(out < 0):
        raise ParameterError("bond shell not closed under the space group: the lattice breaks its symmetry")
    return out


def _projector_scalar(img: np.ndarray, w: np.ndarray) -> np.ndarray:
    """P[u, s] = (1/n) Σ_R w(R) [R v_s ≡ ±v_u]  (m, m)."""
    n, m = img.shape
    P = np.zeros((m, m))
    np.add.at(P, (img, np.broadcast_to(np.arange(m), (n, m))), np.broadcast_to(w[:, None], (n, m)))
    return P / n


def _projector_vector(img: np.ndarray, chi: np.ndarray, Ax: np.ndarray) -> np.ndarray:
    """P[(i, u), (j, s)] = (1/n) Σ_R χ(R) A(R)_ij [R v_s ≡ ±v_u]  (3m, 3m), index = comp·m + bond."""
    n, m = img.shape
    P = np.zeros((3, m, 3, m))
    i_idx = np.arange(3)[None, None, :, None]
    j_idx = np.arange(3)[None, None, None, :]
    rows_u = img[:, :, None, None]
    seeds = np.arange(m)[None, :, None, None]
    vals = (chi[:, None, None] * Ax)[:, None, :, :]  # (n, 1, 3, 3)
    shape = (n, m, 3, 3)
    np.add.at(P, (np.broadcast_to(i_idx, shape), np.broadcast_to(rows_u, shape), np.broadcast_to(j_idx, shape),
                  np.broadcast_to(seeds, shape)), np.broadcast_to(vals, shape))
    return P.reshape(3 * m, 3 * m) / n


def _independent_columns(P: np.ndarray, order=None) -> list[int]:
    """Greedy choice of columns of P (in ``order``) that are linearly independent (non-zero ones only)."""
    cols = range(P.shape[1]) if order is None else order
    Q = np.zeros((P.shape[0], 0))
    chosen = []
    for c in cols:
        p = P[:, c]
        nrm = np.linalg.norm(p)
        if nrm < 1e-9:
            continue
        r = p - Q @ (Q.T @ p)
        if np.linalg.norm(r) > 1e-7 * max(nrm, 1.0):
            chosen.append(c)
            Q = np.column_stack([Q, r / np.linalg.norm(r)])
    return chosen


# ----------------------------------------------------------------------------------------------------
# product-form expansion, normalisation and labels
# ----------------------------------------------------------------------------------------------------

def _trig_terms(keys: np.ndarray, coef: np.ndarray, hexagonal: bool) -> dict:
    """Expand Σ c cos(Σ_i k_i v_i) into products of cos/sin per coordinate.

    Orthogonal-type cells: coordinates (x, y, z), factor = (f, |n|) with f ∈ {c, s}, n = 12 v_i.
    Hexagonal cells: coordinates (in-plane phase (v1, v2), z) so that labels read cos(k1) + cos(k2) + cos(k3).
    Returns {term: coefficient}.
    """
    terms: dict = {}
    for key, c in zip(keys.tolist(), coef.tolist()):
        if abs(c) < 1e-12:
            continue
        if hexagonal:
            p, sgn = _hex_phase(key[0], key[1])
            comps = [(p, sgn), ((0, abs(key[2])), 1 if key[2] >= 0 else -1)]
        else:
            comps = [((abs(x),), 1 if x >= 0 else -1) for x in key]
        # cos(Σ a_i) = Σ over even subsets S of sin-factors: (−1)^{|S|/2} Π_{i∈S} sin a_i Π_{i∉S} cos a_i
        nc = len(comps)
        for mask in range(1 << nc):
            nsin = bin(mask).count("1")
            if nsin % 2:
                continue
            val = c * (-1) ** (nsin // 2)
            term = []
            zero = False
            for i, (mag, sgn) in enumerate(comps):
                if mask >> i & 1:
                    if all(x == 0 for x in mag):
                        zero = True
                        break
                    val *= sgn
                    term.append(("s", mag))
                else:
                    term.append(("c", mag))
            if zero:
                continue
            t = tuple(term)
            terms[t] = terms.get(t, 0.0) + val
    return {t: v for t, v in terms.items() if abs(v) > 1e-10}


def _hex_phase(a: int, b: int):
    """Shortest way to write a k1 + b k2 with k3 = −k1 − k2, as (n1, n2, n3) with first non-zero > 0."""
    best = None
    for t in {0, a, b}:
        cand = (a - t, b - t, -t)
        cost = (sum(abs(x) for x in cand), sum(x != 0 for x in cand))
        if best is None or cost < best[0]:
            best = (cost, cand)
    cand = best[1]
    first = next((x for x in cand if x != 0), 0)
    sgn = -1 if first < 0 else 1
    return tuple(sgn * x for x in cand), sgn


def _num(x: float) -> str:
    """Readable coefficient: small rationals, multiples of √3, else 4 significant digits."""
    for base, name in ((1.0, ""), (np.sqrt(3), "√3"), (1 / np.sqrt(3), "/√3")):
        q = Fraction(x / base).limit_denominator(12)
        if abs(float(q) * base - x) < 1e-7:
            if name == "/√3":
                return f"{q}/√3" if q != 1 else "1/√3"
            if name == "√3":
                num = "" if q.numerator == 1 else str(q.numerator)
                return f"{num}√3" if q.denominator == 1 else f"{num}√3/{q.denominator}"
            return str(q)
    return f"{x:.4g}"


def _angle(n12: int, var: str) -> str:
    q = Fraction(n12, _SCALE)
    if q == 1:
        return var
    if q.denominator == 1:
        return f"{q.numerator}{var}"
    num = "" if q.numerator == 1 else str(q.numerator)
    return f"{num}{var}/{q.denominator}"


def _factor_str(f: str, mag, coord: int, hexagonal: bool) -> str | None:
    if hexagonal and coord == 0:
        if all(x == 0 for x in mag):
            return None
        parts = []
        for x, name in zip(mag, ("k1", "k2", "k3")):
            if x == 0:
                continue
            s = _angle(abs(x), name)
            parts.append(("+" if x > 0 else "−") + s)
        arg = "".join(parts).lstrip("+")
        return f"{'cos' if f == 'c' else 'sin'}({arg})"
    n = mag[-1] if hexagonal else mag[0]
    if n == 0:
        return None
    var = ("kx", "ky", "kz")[coord] if not hexagonal else "kz"
    return f"{'cos' if f == 'c' else 'sin'}({_angle(n, var)})"


def _term_str(term, hexagonal: bool) -> str:
    fac = [_factor_str(f, mag, i, hexagonal) for i, (f, mag) in enumerate(term)]
    fac = [x for x in fac if x]
    return " ".join(fac) if fac else "1"


def _term_order(term):
    """Sort key: terms with a factor in the first coordinate first, cos before sin, short angles first."""
    out = []
    for f, mag in term:
        nz = [i for i, x in enumerate(mag) if x != 0]
        out.append((0 if nz else 1, nz[0] if nz else 0, f, tuple(abs(x) for x in mag)))
    return tuple(out)


def _label(terms: dict, hexagonal: bool) -> str:
    """Readable sum of product terms; a factor common to all terms is pulled out."""
    if not terms:
        return "0"
    items = sorted(terms.items(), key=lambda kv: (-abs(kv[1]), _term_order(kv[0])))
    ncoord = len(items[0][0])
    common = [i for i in range(ncoord) if len({t[i] for t, _ in items}) == 1 and len(items) > 1
              and any(x != 0 for x in items[0][0][i][1])]
    rest = {}
    for t, v in items:
        key = tuple(x if i not in common else ("c", (0,) * len(x[1])) for i, x in enumerate(t))
        rest[key] = rest.get(key, 0.0) + v
    s = ""
    for t, v in rest.items():
        body = _term_str(t, hexagonal)
        mag = _num(abs(v))
        coeff = "" if mag == "1" else (mag + " " if body != "1" else mag)
        piece = coeff + (body if body != "1" or not coeff else "")
        piece = piece.strip() or "1"
        s += (" − " if v < 0 else " + ") + piece if s else ("−" if v < 0 else "") + piece
    if common:
        cfac = _term_str(tuple(items[0][0][i] if i in common else ("c", (0,) * len(items[0][0][i][1]))
                               for i in range(ncoord)), hexagonal)
        s = f"({s}) {cfac}" if len(rest) > 1 else f"{s} {cfac}"
    return s


# ----------------------------------------------------------------------------------------------------
# the generator
# ----------------------------------------------------------------------------------------------------

def _factored_label(keys: np.ndarray, coef: np.ndarray) -> tuple[str, float] | None:
    """Factorised label of a long integer-bond harmonic on an orthogonal-axis cell, e.g. the SG 223 t_z
    (cos kx − cos ky)(cos kx − cos kz)(cos ky − cos kz); None if not applicable.

    cos(n k) = T_n(cos k) and sin(n k) = sin k · U_{n−1}(cos k) turn the harmonic into a polynomial in
    cos k_i and sin k_i, which sympy factors; the result is checked numerically before it is used.
    Returns (label of the factorised polynomial without its numerical prefactor, the prefactor).
    """
    if np.any(keys % _SCALE):
        return None
    terms = _trig_terms(keys, coef, False)
    if len(terms) < 4:
        return None
    import sympy as sp

    X = sp.symbols("X0:3")
    S = sp.symbols("S0:3")
    expr = 0
    for term, v in terms.items():
        f = sp.nsimplify(round(v, 9), [sp.sqrt(3)], tolerance=1e-9)
        for i, (kind, (n12,)) in enumerate(term):
            n = n12 // _SCALE
            if kind == "c":
                f *= sp.chebyshevt(n, X[i]) if n else 1
            else:
                f *= S[i] * sp.chebyshevu(n - 1, X[i])
        expr += f
    fac = sp.factor(sp.expand(expr))
    # numerical check against the harmonic
    rng = np.random.default_rng(0)
    k = rng.uniform(-np.pi, np.pi, (6, 3))
    fn = sp.lambdify(X + S, fac, "numpy")
    val = fn(*np.cos(k).T, *np.sin(k).T)
    ref = np.cos(k @ (keys / _SCALE).T) @ coef
    if not np.allclose(val, ref, atol=1e-9):
        return None
    const, rest = fac.as_coeff_Mul()
    txt = sp.sstr(rest)
    for i, ax in enumerate("xyz"):
        txt = txt.replace(f"X{i}", f"cos(k{ax})").replace(f"S{i}", f"sin(k{ax})")
    txt = txt.replace("**", "^").replace("*", " ").replace(" - ", " − ").replace("-", "−")
    return txt, float(const)


def _finish(components: list[np.ndarray], keys: np.ndarray, hexagonal: bool, factor: bool = False):
    """Normalise a (vector of) coefficient arrays; returns (scale-fixed components, labels)."""
    expansions = [_trig_terms(keys, c, hexagonal) for c in components]
    allv = [v for e in expansions for v in e.values()]
    if not allv:
        return None
    first = next(sorted(e.items(), key=lambda kv: (-abs(kv[1]), _term_order(kv[0])))[0][1]
                 for e in expansions if e)
    scale = np.sign(first) / max(abs(v) for v in allv)
    comps = [c * scale for c in components]
    labels = [_label({t: v * scale for t, v in e.items()}, hexagonal) if e else "0" for e in expansions]
    if factor and not hexagonal and len(comps) == 1:
        fl = _factored_label(keys, comps[0])
        if fl is not None:  # rescale so that the harmonic is exactly the factorised product
            labels, comps = [fl[0]], [comps[0] / fl[1]]
    return comps, labels


def _vectors_weights(keys: np.ndarray, coef: np.ndarray):
    nz = np.abs(coef) > 1e-12
    return keys[nz] / _SCALE, coef[nz]


def generate_model(space_group, wyckoff: str | None = None, shells: int = 2, *, lattice=None,
                   dimension: int = 3) -> ModelTerms:
    """Symmetry-adapted two-sublattice model of one catalogue orbit (spec §4.1).

    Parameters
    ----------
    space_group : int (or "136:2a")
    wyckoff : Wyckoff position of the magnetic atoms, e.g. "2a" (a row label selects its first position)
    shells : number of non-empty neighbour shells kept per channel (≥ 1; see module docstring)
    lattice : None (representative cell), (a, b, c, α, β, γ), a dict of those, or a (3, 3) matrix in Å
    dimension : 3, or 2 for a layer model (only bonds with v_z = 0; needs d_z = 0)

    Returns
    -------
    ModelTerms with harmonics for channels eps0, tx, tz, lx, ly, lz; ``operations`` are the space
    group's conventional general-position operations (centring included); ``info`` holds the catalogue
    data (point group, site symmetry, form factor, r₁, r₂, d, lattice parameters) and the bond shells.
    """
    if isinstance(space_group, str) and ":" in space_group and wyckoff is None:
        space_group, wyckoff = space_group.split(":", 1)
    if wyckoff is None:
        raise ParameterError("wyckoff is required (e.g. '2a')")
    try:
        shells = int(shells)
    except (TypeError, ValueError):
        raise ParameterError(f"shells={shells!r} must be an integer ≥ 1") from None
    if shells < 1 or shells > 12:
        raise ParameterError(f"shells={shells} out of range (allowed: 1..12)")
    if dimension not in (2, 3):
        raise ParameterError(f"dimension={dimension!r} must be 2 or 3")
    entry = get_entry(space_group, wyckoff)
    orbit = get_orbit(space_group, wyckoff)
    sg = entry.space_group
    A = resolve_lattice(sg, lattice)
    key = (sg, orbit.letter, shells, tuple(np.round(A, 12).ravel()), dimension)
    terms = _generate_cached(key)
    return ModelTerms.from_dict(terms)  # fresh object each call (ModelTerms is mutable)


@functools.lru_cache(maxsize=256)
def _generate_cached(key) -> dict:
    sg, letter, shells, Aflat, dimension = key
    A = np.array(Aflat).reshape(3, 3)
    entry = get_entry(sg, letter)
    orbit = entry.orbit(letter)
    data = space_group_data(sg)
    R, T, C = data["rotations"], data["translations"], data["centring"]
    chi = np.asarray(orbit.chi, float)
    d = np.asarray(orbit.d, float)
    if dimension == 2:
        if abs(d[2]) > 1e-9:
            raise ParameterError(f"dimension=2 needs the two sites in one layer, but d = {vec_str(d)} for "
                                 f"{sg}:{orbit.wyckoff}")
        C = C[np.abs(C[:, 2]) < 1e-9]
    Rc = cartesian_rotations(R, A)
    Ax = np.linalg.det(Rc)[:, None, None] * Rc
    hexagonal = lattice_system(sg) in ("hexagonal", "trigonal", "rhombohedral")
    _orthogonal_axes = lattice_system(sg) in ("orthorhombic", "tetragonal", "cubic")
    n_ops = len(R)

    harmonics: list[Harmonic] = []
    counters = {"eps0": 0, "tx": 0, "tz": 0, "lambda": 0}
    shell_info: dict[str, list] = {"eps0": [], "tx": [], "tz": [], "lambda": []}

    def run_scalar(channel, offset, weights):
        found = 0
        radius = 2.5 * max(np.linalg.norm(A, axis=1))
        done_upto = -1.0
        for _attempt in range(5):
            sh_list = bond_shells(A, offset, C, radius, dimension)
            for idx, (length, keys) in enumerate(sh_list, start=1):
                if length <= done_upto + 1e-9:
                    continue
                if length > radius * 0.999 and _attempt < 4:
                    break  # shell may be incomplete at the cutoff: enlarge
                img = _images(R, keys)
                P = _projector_scalar(img, weights)
                cols = _independent_columns(P)
                done_upto = length
                if not cols:
                    continue
                found += 1
                for c in cols:
                    fin = _finish([P[:, c]], keys, hexagonal, factor=(channel == "tz" and dimension == 3
                                                                     and _orthogonal_axes))
                    if fin is None:
                        continue
                    (vec,), (lab,) = fin
                    counters[channel] += 1
                    v, w = _vectors_weights(keys, vec)
                    harmonics.append(Harmonic(channel, v, w, f"{channel}_{counters[channel]}", idx, lab))
                shell_info[channel].append({"shell": idx, "length": length, "independent": len(cols),
                                            "seed": vec_str(keys[cols[0]] / _SCALE)})
                if found >= shells:
                    return
            radius *= 1.6
        if found == 0:
            raise ParameterError(f"no {channel} harmonic found for {sg}:{orbit.wyckoff} within |v| ≤ {radius:.2f} Å")

    run_scalar("eps0", np.zeros(3), np.ones(n_ops))
    run_scalar("tx", d, np.ones(n_ops))
    run_scalar("tz", np.zeros(3), chi)

    # λ: per spin direction j, the first `shells` non-empty shells; all independent vectors of those shells
    found = np.zeros(3, int)
    radius = 2.5 * max(np.linalg.norm(A, axis=1))
    done_upto = -1.0
    for _attempt in range(5):
        sh_list = bond_shells(A, d, C, radius, dimension)
        for idx, (length, keys) in enumerate(sh_list, start=1):
            if length <= done_upto + 1e-9:
                continue
            if length > radius * 0.999 and _attempt < 4:
                break
            done_upto = length
            m = len(keys)
            img = _images(R, keys)
            P = _projector_vector(img, chi, Ax)
            nonzero_dirs = [j for j in range(3) if np.linalg.norm(P[:, j * m:(j + 1) * m]) > 1e-9]
            wanted = [j for j in nonzero_dirs if found[j] < shells]
            if not wanted:
                continue
            for j in nonzero_dirs:
                found[j] += 1
            cols = _independent_columns(P)
            for c in cols:
                comps = [P[i * m:(i + 1) * m, c] for i in range(3)]
                fin = _finish(comps, keys, hexagonal)
                if fin is None:
                    continue
                comps, labs = fin
                counters["lambda"] += 1
                name = f"lambda_{counters['lambda']}"
                for ch, comp, lab in zip(("lx", "ly", "lz"), comps, labs):
                    if np.max(np.abs(comp)) > 1e-12:
                        v, w = _vectors_weights(keys, comp)
                        harmonics.append(Harmonic(ch, v, w, name, idx, lab))
            shell_info["lambda"].append({"shell": idx, "length": length, "independent": len(cols),
                                         "directions": ["xyz"[j] for j in nonzero_dirs]})
            if np.all(found >= shells):
                break
        if np.all(found >= shells) or _attempt == 4:
            break
        radius *= 1.6

    ops = [(R[i].astype(float), T[i]) for i in range(n_ops)]
    info = {
        "symbol": entry.symbol, "point_group": entry.point_group, "point_group_hm": entry.point_group_hm,
        "crystal_system": entry.crystal_system, "row": entry.wyckoff, "site_symmetry": orbit.site_symmetry,
        "form_factor": orbit.form_factor, "r1": vec_str(orbit.r1), "r2": vec_str(orbit.r2), "d": vec_str(orbit.d),
        "lattice_parameters": list(lattice_parameters(A)), "shells": shells, "bond_shells": shell_info,
        "chi": list(orbit.chi), "generator": "altermag.models.generator (symmetry projection, spec §4.1)",
        "conventions": "k_frac in reciprocal fractions of the conventional cell; labels use kx = 2π k_frac,x "
                       "(hexagonal: k1 = k·a1, k2 = k·a2, k3 = −k1−k2); energies in eV; constant ε₀ = −μ "
                       "is not generated",
    }
    if not entry.in_paper:
        info["note"] = entry.notes
    mt = ModelTerms(harmonics, A, np.array([orbit.r1, orbit.r2]), sg, orbit.wyckoff, orbit.irrep, orbit.wave,
                    ops, dimension, info)
    return mt.as_dict()


def _channel_summary(mt: ModelTerms, channel: str) -> list[dict]:
    hs = mt.channel(channel)
    if not hs:
        return []
    first = min(h.shell for h in hs)
    return [{"parameter": h.parameter, "shell": h.shell, "function": h.label} for h in hs if h.shell == first]


def lowest_order(space_group, wyckoff: str | None = None, *, lattice=None) -> dict:
    """First non-zero shell of each channel: {'eps0', 'tx', 'tz': [...], 'lambda': [...], ...}.

    λ entries are vectors ``(λx, λy, λz)`` with their parameter names: the independent terms of the first
    non-empty shell of each spin direction ê_j that have a non-zero j component. JSON-friendly.
    """
    mt = generate_model(space_group, wyckoff, shells=1, lattice=lattice)
    first = {}  # spin direction → its first non-empty λ shell
    for sh in mt.info["bond_shells"]["lambda"]:
        for j in sh["directions"]:
            first.setdefault(j, sh["shell"])
    keep = set()
    for h in mt.harmonics:
        if h.channel in ("lx", "ly", "lz") and first.get(h.channel[1]) == h.shell:
            keep.add(h.parameter)
    lam: dict[str, dict] = {}
    for h in mt.harmonics:
        if h.channel in ("lx", "ly", "lz") and h.parameter in keep:
            e = lam.setdefault(h.parameter, {"parameter": h.parameter, "shell": h.shell,
                                             "function": {"lx": "0", "ly": "0", "lz": "0"}})
            e["function"][h.channel] = h.label
    lam_list = [{**e, "function": "(" + ", ".join(e["function"][c] for c in ("lx", "ly", "lz")) + ")"}
                for e in lam.values()]
    return {"space_group": mt.space_group, "wyckoff": mt.wyckoff, "irrep": mt.irrep, "wave": mt.wave,
            "d": mt.info["d"], "eps0": _channel_summary(mt, "eps0"), "tx": _channel_summary(mt, "tx"),
            "tz": _channel_summary(mt, "tz"), "lambda": lam_list}
