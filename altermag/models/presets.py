"""Material presets of the minimal-models paper (Table 5 and Secs. III, V) as ready :class:`TwoSublatticeModel` s.

>>> from altermag.models import preset, list_presets
>>> m = preset("RuO2")                 # Table 5 numbers, provisional column mapping, illustrative J
>>> m2 = preset("RuO2", J=0.0, lambda1=0.05)

What is certain and what is not (spec ``minimal_models.md`` §2.2, §4.2, §5.4, §8):

* **Numbers of Table 5** (RuO2, MnF2, FeSb2, κ-Cl) are CONFIRMED from the paper text.
* **Which term each column multiplies is inferred** (the header row is lost). The reading used here is the
  explicit, named configuration :data:`COLUMN_MAPS` (``"inferred-v1"``), flagged provisional. Its
  evidence: the 2D κ-Cl row is empty exactly in the k_z-dependent columns; RuO2's ε₀(A) is then exactly 0
  (van Hove point at A, as the text says).
* **Not recovered** (stripped from the paper): the exchange J, the SOC constants λ, the sign convention of μ
  (ε₀ − μ or ε₀ + μ), every number of the SG 194 (CrSb/MnTe) and SG 223 models, the SG 123 t_z coefficient.
  They are named parameters with *illustrative* defaults, listed per preset in ``model.info["provisional"]``;
  override them: ``preset("RuO2", J=0.2, lambda1=0.03, mu_convention="plus")``.
* Lattice constants (only used for Cartesian k, velocities and plots) are recalled literature values.

Functions are written with dimensionless momenta k_i ≡ 2π k_frac,i of the model cell; c_i ≡ cos(k_i/2),
s_i ≡ sin(k_i/2); hexagonal k_1, k_2 along a_1, a_2 and k_3 = −k_1 − k_2.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from altermag.core.errors import ParameterError
from altermag.models.hamiltonian import TwoSublatticeModel, harmonic_from_trig
from altermag.models.terms import ModelTerms

__all__ = ["preset", "list_presets", "preset_info", "COLUMN_MAPS", "TABLE5", "PresetSpec"]

X, Y, Z = (1, 0, 0), (0, 1, 0), (0, 0, 1)
HX, HY, HZ = (0.5, 0, 0), (0, 0.5, 0), (0, 0, 0.5)
A1, A2, A3 = (1, 0, 0), (0, 1, 0), (-1, -1, 0)  # hexagonal k_1, k_2, k_3 = -k_1 - k_2


def _c(v):
    return ("cos", v)


def _s(v):
    return ("sin", v)


# ------------------------------------------------------------------------- column → term configuration

#: Table 5 column → (parameter, channel, function, products) for each header. PROVISIONAL: inferred
#: (spec §2.2, RECONSTRUCTED-inferred); the paper's header row is lost. ``"mu"`` is the chemical potential.
COLUMN_MAPS: dict[str, dict[str, list]] = {
    "inferred-v1": {
        "tetragonal": [
            ("t1", "eps0", "cos kx + cos ky", [(1, [_c(X)]), (1, [_c(Y)])]),
            ("t2", "eps0", "cos kz", [(1, [_c(Z)])]),
            ("t3", "eps0", "cos kx cos ky", [(1, [_c(X), _c(Y)])]),
            ("t4", "eps0", "(cos kx + cos ky) cos kz", [(1, [_c(X), _c(Z)]), (1, [_c(Y), _c(Z)])]),
            ("t5", "eps0", "cos kx cos ky cos kz", [(1, [_c(X), _c(Y), _c(Z)])]),
            ("t6", "tz", "sin kx sin ky", [(1, [_s(X), _s(Y)])]),
            ("t7", "tz", "sin kx sin ky cos kz", [(1, [_s(X), _s(Y), _c(Z)])]),
            ("t8", "tx", "cos(kx/2) cos(ky/2) cos(kz/2)", [(1, [_c(HX), _c(HY), _c(HZ)])]),
            ("mu", None, "chemical potential", None),
        ],
        "orthorhombic": [
            ("t1", "eps0", "cos kx", [(1, [_c(X)])]),
            ("t2", "eps0", "cos ky", [(1, [_c(Y)])]),
            ("t3", "eps0", "cos kz", [(1, [_c(Z)])]),
            ("t4", "eps0", "cos kx cos ky", [(1, [_c(X), _c(Y)])]),
            ("t5", "eps0", "cos kx cos kz", [(1, [_c(X), _c(Z)])]),
            ("t6", "eps0", "cos ky cos kz", [(1, [_c(Y), _c(Z)])]),
            ("t7", "eps0", "cos kx cos ky cos kz", [(1, [_c(X), _c(Y), _c(Z)])]),
            ("t8", "tz", "sin kx sin ky", [(1, [_s(X), _s(Y)])]),
            ("t9", "tz", "sin kx sin ky cos kz", [(1, [_s(X), _s(Y), _c(Z)])]),
            ("t10", "tx", "cos(kx/2) cos(ky/2) cos(kz/2)", [(1, [_c(HX), _c(HY), _c(HZ)])]),
            ("mu", None, "chemical potential", None),
        ],
    }
}

#: Table 5 rows exactly as printed in the paper (eV; None = "–" / empty cell) [CONFIRMED-seed numbers]
TABLE5: dict[str, tuple[str, list]] = {
    "RuO2": ("tetragonal", [-0.05, 0.7, 0.5, -0.15, -0.4, -0.6, 0.3, 1.7, 0.25]),
    "MnF2": ("tetragonal", [0, 0.13, 0, -0.02, 0.015, 0, 0.03, 0.33, -0.01]),
    "FeSb2": ("orthorhombic", [-0.1, -0.05, -0.05, 0.06, 0.1, 0.05, -0.05, 0.05, -0.1, 0.15, -0.12]),
    "kappa-Cl": ("orthorhombic", [0.08, -0.01, None, -0.03, None, None, None, 0.05, None, 0.3, -0.1]),
}

# ------------------------------------------------------------------------------------ SOC (spec §4.2)

_SOC_136 = [  # λ_1 (s_x c_y s_z, −c_x s_y s_z, 0) + λ_2 (0, 0, (cos kx − cos ky) c_x c_y c_z)
    ("lambda1", "lx", "sin(kx/2)cos(ky/2)sin(kz/2)", [(1, [_s(HX), _c(HY), _s(HZ)])]),
    ("lambda1", "ly", "-cos(kx/2)sin(ky/2)sin(kz/2)", [(-1, [_c(HX), _s(HY), _s(HZ)])]),
    ("lambda2", "lz", "(cos kx - cos ky)cos(kx/2)cos(ky/2)cos(kz/2)",
     [(1, [_c(X), _c(HX), _c(HY), _c(HZ)]), (-1, [_c(Y), _c(HX), _c(HY), _c(HZ)])]),
]
_SOC_58 = [  # (λx s_x c_y s_z, λy c_x s_y s_z, λz c_x c_y c_z)
    ("lambda_x", "lx", "sin(kx/2)cos(ky/2)sin(kz/2)", [(1, [_s(HX), _c(HY), _s(HZ)])]),
    ("lambda_y", "ly", "cos(kx/2)sin(ky/2)sin(kz/2)", [(1, [_c(HX), _s(HY), _s(HZ)])]),
    ("lambda_z", "lz", "cos(kx/2)cos(ky/2)cos(kz/2)", [(1, [_c(HX), _c(HY), _c(HZ)])]),
]


@dataclass
class PresetSpec:
    """Everything that defines one preset (see :func:`preset`)."""

    name: str
    space_group: int
    wyckoff: str
    lattice: np.ndarray
    sites: list
    terms: list  # (parameter, channel, label, products)
    params: dict
    J: float = 0.0
    neel: tuple = (0.0, 0.0, 1.0)
    mu: float = 0.0
    dimension: int = 3
    irrep: str = ""
    wave: str = ""
    path_points: dict = field(default_factory=dict)
    path_segments: list = field(default_factory=list)
    provisional: dict = field(default_factory=dict)
    sources: list = field(default_factory=list)
    description: str = ""
    aliases: tuple = ()


_TET_PATH = ({"Γ": (0, 0, 0), "X": (0.5, 0, 0), "M": (0.5, 0.5, 0), "Z": (0, 0, 0.5), "R": (0.5, 0, 0.5),
              "A": (0.5, 0.5, 0.5)}, [["Γ", "X", "M", "Γ", "Z", "R", "A", "Z"]])
_ORTHO_PATH = ({"Γ": (0, 0, 0), "X": (0.5, 0, 0), "S": (0.5, 0.5, 0), "Y": (0, 0.5, 0), "Z": (0, 0, 0.5),
                "U": (0.5, 0, 0.5), "R": (0.5, 0.5, 0.5), "T": (0, 0.5, 0.5)},
               [["Γ", "X", "S", "Y", "Γ", "Z", "U", "R", "T", "Z"]])
_SQ_PATH = ({"Γ": (0, 0, 0), "X": (0.5, 0, 0), "M": (0.5, 0.5, 0)}, [["Γ", "X", "M", "Γ"]])
_RECT_PATH = ({"Γ": (0, 0, 0), "X": (0.5, 0, 0), "S": (0.5, 0.5, 0), "Y": (0, 0.5, 0)},
              [["Γ", "X", "S", "Y", "Γ", "S"]])
_HEX_PATH = ({"Γ": (0, 0, 0), "M": (0.5, 0, 0), "K": (1 / 3, 1 / 3, 0), "A": (0, 0, 0.5), "L": (0.5, 0, 0.5),
              "H": (1 / 3, 1 / 3, 0.5)}, [["Γ", "M", "K", "Γ", "A", "L", "H", "A"]])
_CUB_PATH = ({"Γ": (0, 0, 0), "X": (0, 0.5, 0), "M": (0.5, 0.5, 0), "R": (0.5, 0.5, 0.5)},
             [["Γ", "X", "M", "Γ", "R", "X"], ["M", "R"]])

_NOT_RECOVERED_J = "J: not recovered from the paper (Fig. 2 values stripped); illustrative default"
_NOT_RECOVERED_L = "λ: SOC constants not recovered (FPLO estimate stripped); default 0 (SOC off)"
_MU_SIGN = "μ sign convention not recovered; default reading ε₀ − μ (mu_convention='minus')"
_MAPPING = "Table 5 column → term mapping inferred (spec §2.2, COLUMN_MAPS['inferred-v1'])"


def _table5_terms(material: str, mapping: str = "inferred-v1"):
    kind, row = TABLE5[material]
    cols = COLUMN_MAPS[mapping][kind]
    terms, params, mu = [], {}, None
    for (pname, channel, label, products), value in zip(cols, row):
        if value is None:
            continue
        if pname == "mu":
            mu = float(value)
            continue
        terms.append((pname, channel, label, products))
        params[pname] = float(value)
    return terms, params, mu


def _specs() -> dict[str, PresetSpec]:
    specs: dict[str, PresetSpec] = {}
    for mat, (a, c, J, ref) in {"RuO2": (4.492, 3.106, 0.3, "a, c of RuO2 (mp-825), RECALLED"),
                                "MnF2": (4.873, 3.310, 0.1, "a, c of MnF2 (Stout & Adams), RECALLED")}.items():
        terms, params, mu = _table5_terms(mat)
        params.update(lambda1=0.0, lambda2=0.0)
        specs[mat] = PresetSpec(
            mat, 136, "2a", np.diag([a, a, c]), [(0, 0, 0), (0.5, 0.5, 0.5)], terms + _SOC_136, params, J=J,
            mu=mu, irrep="B2g", wave="d", path_points=_TET_PATH[0], path_segments=_TET_PATH[1],
            provisional={"mapping": _MAPPING, "J": _NOT_RECOVERED_J, "lambda1": _NOT_RECOVERED_L,
                         "lambda2": _NOT_RECOVERED_L + " (whether the paper kept λ_2 is not recovered)",
                         "mu": _MU_SIGN, "lattice": ref},
            sources=["Table 5 (numbers CONFIRMED)", "Eqs. (3), (5), (6)"],
            description=f"{mat}, rutile P4_2/mnm (136), Wyckoff 2a, d-wave (t_z ∝ sin kx sin ky), Table 5")
    terms, params, mu = _table5_terms("FeSb2")
    params.update(lambda_x=0.0, lambda_y=0.0, lambda_z=0.0)
    specs["FeSb2"] = PresetSpec(
        "FeSb2", 58, "2a", np.diag([5.83, 6.54, 3.20]), [(0, 0, 0), (0.5, 0.5, 0.5)], terms + _SOC_58, params,
        J=0.05, mu=mu, irrep="B1g", wave="d", path_points=_ORTHO_PATH[0], path_segments=_ORTHO_PATH[1],
        provisional={"mapping": _MAPPING, "J": _NOT_RECOVERED_J, "lambda": _NOT_RECOVERED_L,
                     "mu": _MU_SIGN + "; spec §8: the paper's finite-q story holds only for 'plus'",
                     "lattice": "a, b, c of marcasite FeSb2, RECALLED"},
        sources=["Table 5 (numbers CONFIRMED)", "Eqs. (30)-(31)"],
        description="FeSb2, marcasite Pnnm (58), Wyckoff 2a, d-wave (B1g), Table 5")
    terms, params, mu = _table5_terms("kappa-Cl")
    specs["kappa-Cl"] = PresetSpec(
        "kappa-Cl", 55, "2a", np.diag([12.98, 8.48, 10.0]), [(0, 0, 0), (0.5, 0.5, 0)], terms, params, J=0.02,
        mu=mu, dimension=2, irrep="B1g", wave="d", path_points=_RECT_PATH[0], path_segments=_RECT_PATH[1],
        provisional={"mapping": _MAPPING, "J": _NOT_RECOVERED_J, "mu": _MU_SIGN,
                     "symmetry": "checks use Pbam (55) 2a, whose lowest-order t_x, t_z are the model's; the "
                                 "real κ-Cl layer lacks inversion (no SOC term, as in the paper)",
                     "lattice": "in-plane a, c of κ-(BEDT-TTF)2Cu[N(CN)2]Cl, RECALLED; only sets Cartesian units"},
        sources=["Table 5 (numbers CONFIRMED)", "Eqs. (37)-(38)"],
        description="κ-(BEDT-TTF)2Cu[N(CN)2]Cl, 2D, sites (0,0) and (½,½), d-wave; μ at the S van Hove point",
        aliases=("kCl", "k-Cl", "κ-Cl", "kappa-cl"))

    # SG 194 (CrSb, MnTe): Eqs. (32)-(34); all numbers NOT RECOVERED → illustrative
    hex_terms = [
        ("t1", "eps0", "cos k1 + cos k2 + cos k3", [(1, [_c(A1)]), (1, [_c(A2)]), (1, [_c(A3)])]),
        ("t2", "eps0", "cos kz", [(1, [_c(Z)])]),
        ("tx0", "tx", "cos(kz/2)", [(1, [_c(HZ)])]),
        ("tx1", "tx", "cos(kz/2)(cos k1 + cos k2 + cos k3)",
         [(1, [_c(HZ), _c(A1)]), (1, [_c(HZ), _c(A2)]), (1, [_c(HZ), _c(A3)])]),
        ("tz0", "tz", "sin kz [sin(k1-k2) + sin(k2-k3) + sin(k3-k1)]",
         [(1, [_s(Z), _s((1, -1, 0))]), (1, [_s(Z), _s((1, 2, 0))]), (1, [_s(Z), _s((-2, -1, 0))])]),
        ("lambda1", "lx", "cos(kz/2)(cos k2 + cos k3 - 2 cos k1)",
         [(1, [_c(HZ), _c(A2)]), (1, [_c(HZ), _c(A3)]), (-2, [_c(HZ), _c(A1)])]),
        ("lambda1", "ly", "√3 cos(kz/2)(cos k3 - cos k2)",
         [(np.sqrt(3), [_c(HZ), _c(A3)]), (-np.sqrt(3), [_c(HZ), _c(A2)])]),
        ("lambda2", "lz", "sin(kz/2)(sin k1 + sin k2 + sin k3)",
         [(1, [_s(HZ), _s(A1)]), (1, [_s(HZ), _s(A2)]), (1, [_s(HZ), _s(A3)])]),
    ]
    hexprov = {"all": "SG 194 coefficients (Eqs. 32-34) NOT RECOVERED: every number is illustrative",
               "J": _NOT_RECOVERED_J, "lambda": _NOT_RECOVERED_L}
    for mat, (a, c, J) in {"CrSb": (4.12, 5.47, 0.6), "MnTe": (4.15, 6.71, 0.8)}.items():
        specs[mat] = PresetSpec(
            mat, 194, "2a", np.array([[a, 0, 0], [-a / 2, a * np.sqrt(3) / 2, 0], [0, 0, c]]),
            [(0, 0, 0), (0, 0, 0.5)], hex_terms,
            {"t1": -0.2, "t2": -0.1, "tx0": 0.6, "tx1": 0.05, "tz0": 0.1, "lambda1": 0.0, "lambda2": 0.0},
            J=J, mu=0.0, irrep="B1g", wave="g", path_points=_HEX_PATH[0], path_segments=_HEX_PATH[1],
            provisional={**hexprov, "lattice": f"a, c of NiAs-type {mat}, RECALLED"},
            sources=["Eqs. (32)-(34) (forms RECONSTRUCTED-verified, spec §4.2)"],
            description=f"{mat}, NiAs-type P6_3/mmc (194), Wyckoff 2a, g-wave "
                        "(t_z ∝ sin kz [sin(k1-k2)+sin(k2-k3)+sin(k3-k1)]); illustrative numbers")

    # SG 223 i-wave: Eqs. (35)-(36); numbers NOT RECOVERED
    cub = [
        ("t1", "eps0", "cos kx + cos ky + cos kz", [(1, [_c(X)]), (1, [_c(Y)]), (1, [_c(Z)])]),
        ("tx0", "tx", "cos(kx/2)cos(ky/2)cos(kz/2)", [(1, [_c(HX), _c(HY), _c(HZ)])]),
        ("tz0", "tz", "(cos kx - cos ky)(cos ky - cos kz)(cos kz - cos kx)",
         [(s, [_c(u), _c(u), _c(w)]) for s, u, w in
          ((-1, X, Y), (1, Y, X), (1, X, Z), (-1, Z, X), (-1, Y, Z), (1, Z, Y))]),
        ("lambda1", "lx", "cos(kx/2)sin(ky/2)sin(kz/2)", [(1, [_c(HX), _s(HY), _s(HZ)])]),
        ("lambda1", "ly", "sin(kx/2)cos(ky/2)sin(kz/2)", [(1, [_s(HX), _c(HY), _s(HZ)])]),
        ("lambda1", "lz", "sin(kx/2)sin(ky/2)cos(kz/2)", [(1, [_s(HX), _s(HY), _c(HZ)])]),
    ]
    specs["SG223"] = PresetSpec(
        "SG223", 223, "2a", np.diag([4.0, 4.0, 4.0]), [(0, 0, 0), (0.5, 0.5, 0.5)], cub,
        {"t1": -0.2, "tx0": 0.8, "tz0": 0.1, "lambda1": 0.0}, J=0.3, mu=0.0, irrep="A2g", wave="i",
        path_points=_CUB_PATH[0], path_segments=_CUB_PATH[1],
        provisional={"all": "SG 223 coefficients (Eqs. 35-36) NOT RECOVERED: every number is illustrative",
                     "lattice": "a = 4 Å, arbitrary"},
        sources=["Eqs. (35)-(36) (forms RECONSTRUCTED-verified, spec §4.2)"],
        description="cubic Pm-3n (223), Wyckoff 2a, i-wave t_z = (cos kx−cos ky)(cos ky−cos kz)(cos kz−cos kx)",
        aliases=("cubic-i", "Pm-3n"))

    # 2D SG 136 vs SG 123 pair (Sec. III, Eqs. 17, 18, 39; spec §5.4 and §8)
    kz0 = {"t14": -0.05 - 0.15, "t35": 0.5 - 0.4, "t2": 0.7}  # RuO2 Table 5 at k_z = 0
    eps_ruo2 = [
        ("t14", "eps0", "cos kx + cos ky  [= t1 + t4 of RuO2]", [(1, [_c(X)]), (1, [_c(Y)])]),
        ("t35", "eps0", "cos kx cos ky  [= t3 + t5 of RuO2]", [(1, [_c(X), _c(Y)])]),
        ("t2", "eps0", "1  [= t2 cos kz at kz = 0]", [(1, [])]),
    ]
    mu_m = -2 * kz0["t14"] + kz0["t35"] + kz0["t2"]  # ε₀(M): both bands meet at the M van Hove point
    eps_flat = [("A", "eps0", "cos kx + cos ky + cos kx cos ky", [(1, [_c(X)]), (1, [_c(Y)]), (1, [_c(X), _c(Y)])])]
    tx2 = [("t8", "tx", "cos(kx/2)cos(ky/2)", [(1, [_c(HX), _c(HY)])])]
    tz136 = [("t67", "tz", "sin kx sin ky  [= t6 + t7 of RuO2]", [(1, [_s(X), _s(Y)])])]
    tz123 = [("tz0", "tz", "cos kx - cos ky", [(1, [_c(X)]), (-1, [_c(Y)])])]
    soc136 = [("lambda2", "lz", "(cos kx - cos ky)cos(kx/2)cos(ky/2)",
               [(1, [_c(X), _c(HX), _c(HY)]), (-1, [_c(Y), _c(HX), _c(HY)])])]
    soc123 = [("lambda2", "lz", "sin(kx/2)sin(ky/2)", [(1, [_s(HX), _s(HY)])])]
    lat2 = np.diag([4.492, 4.492, 10.0])
    common = dict(dimension=2, path_points=_SQ_PATH[0], path_segments=_SQ_PATH[1])
    two_d_prov = {"J": _NOT_RECOVERED_J, "lambda2": _NOT_RECOVERED_L, "lattice": "a of RuO2; sets units only"}
    specs["SG136-2D"] = PresetSpec(
        "SG136-2D", 136, "2a", lat2, [(0, 0, 0), (0.5, 0.5, 0)], eps_ruo2 + tx2 + tz136 + soc136,
        {**kz0, "t8": 1.7, "t67": -0.6 + 0.3, "lambda2": 0.0}, J=0.1, mu=mu_m, irrep="B2g", wave="d", **common,
        provisional={**two_d_prov, "mapping": _MAPPING + " (RuO2 at k_z = 0)",
                     "mu": "μ = ε₀(M): the van Hove filling (spec §5.4)",
                     "warning": "with this ε₀ the paper's SG 136 vs SG 123 comparison fails (spec §8); "
                                "use SG136-2D-flat / SG123-2D-flat for it"},
        sources=["Eqs. (17), (39); spec §5.4"],
        description="2D SG 136 toy model = RuO2 model at k_z = 0; bands degenerate on the whole BZ boundary")
    specs["SG123-2D"] = PresetSpec(
        "SG123-2D", 123, "2f", lat2, [(0, 0.5, 0), (0.5, 0, 0)], eps_ruo2 + tx2 + tz123 + soc123,
        {**kz0, "t8": 1.7, "tz0": -0.15, "lambda2": 0.0}, J=0.1, mu=mu_m, irrep="B1g", wave="d", **common,
        provisional={**two_d_prov, "tz0": "SG 123 t_z coefficient not recovered; −0.15 gives the same "
                                          "max|t_z| (0.3 eV) as SG136-2D",
                     "mu": "μ = ε₀(M): van Hove filling"},
        sources=["Eq. (18); spec §5.4"],
        description="2D SG 123 comparison model, sites (0,½), (½,0); t_z ∝ cos kx − cos ky; degenerate only at M")
    flat_prov = {**two_d_prov, "eps0": "flat ε₀ at M (t1 + t4 = t3 + t5): a toolkit choice under which the "
                                       "paper's SG 136 vs SG 123 comparison holds (spec §8), not the paper's"}
    specs["SG136-2D-flat"] = PresetSpec(
        "SG136-2D-flat", 136, "2a", lat2, [(0, 0, 0), (0.5, 0.5, 0)], eps_flat + tx2 + tz136 + soc136,
        {"A": -0.2, "t8": 1.7, "t67": -0.3, "lambda2": 0.0}, J=0.1, mu=0.2, irrep="B2g", wave="d", **common,
        provisional=flat_prov, sources=["spec §8 table (2D SG 136, flat ε₀)"],
        description="2D SG 136 model with ε₀ flat at M (spec §8); μ = 0.2 at the M van Hove point")
    specs["SG123-2D-flat"] = PresetSpec(
        "SG123-2D-flat", 123, "2f", lat2, [(0, 0.5, 0), (0.5, 0, 0)], eps_flat + tx2 + tz123 + soc123,
        {"A": -0.2, "t8": 1.7, "tz0": -0.15, "lambda2": 0.0}, J=0.1, mu=0.2, irrep="B1g", wave="d", **common,
        provisional=flat_prov, sources=["spec §8 table (2D SG 123, flat ε₀)"],
        description="2D SG 123 model with ε₀ flat at M (spec §8); μ = 0.2 at the M van Hove point")
    return specs


_SPECS: dict[str, PresetSpec] | None = None


def _all() -> dict[str, PresetSpec]:
    global _SPECS
    if _SPECS is None:
        _SPECS = _specs()
    return _SPECS


def _lookup(name: str) -> PresetSpec:
    key = str(name).strip().lower()
    for spec in _all().values():
        if key == spec.name.lower() or key in (a.lower() for a in spec.aliases):
            return spec
    raise ParameterError(f"unknown preset {name!r}; available: {list_presets()}")


def list_presets() -> list[str]:
    """Names accepted by :func:`preset`."""
    return list(_all())


def preset_info(name: str) -> dict:
    """Description, sources, provisional items, path and default numbers of a preset (JSON-friendly)."""
    s = _lookup(name)
    return {"name": s.name, "description": s.description, "space_group": s.space_group, "wyckoff": s.wyckoff,
            "irrep": s.irrep, "wave": s.wave, "dimension": s.dimension, "params": dict(s.params), "J": s.J,
            "mu": s.mu, "neel": list(s.neel), "sources": list(s.sources), "provisional": dict(s.provisional),
            "path": {"points": {k: list(v) for k, v in s.path_points.items()}, "segments": s.path_segments},
            "functions": {p: f"{ch}: {lab}" for p, ch, lab, _ in s.terms}}


def preset_terms(name: str) -> ModelTerms:
    """The :class:`ModelTerms` of a preset (harmonics expanded exactly from its explicit function table)."""
    s = _lookup(name)
    harmonics = [harmonic_from_trig(ch, p, prods, shell=1, label=lab) for p, ch, lab, prods in s.terms]
    return ModelTerms(harmonics, np.asarray(s.lattice, float), np.asarray(s.sites, float), s.space_group,
                      s.wyckoff, irrep=s.irrep, wave=s.wave, operations=[], dimension=s.dimension,
                      info={"preset": s.name, "description": s.description})


def preset(name: str, *, mu_convention: str = "minus", **overrides) -> TwoSublatticeModel:
    """A ready model: ``preset("RuO2")``, ``preset("FeSb2", mu_convention="plus", J=0.1)``.

    ``overrides`` may name any coefficient of the preset, or ``J``, ``mu``, ``neel``. ``mu_convention``
    ("minus": ε₀ − μ, default; "plus": ε₀ + μ) reinterprets the tabulated μ (provisional: not recovered).
    Unknown names raise :class:`~altermag.core.errors.ParameterError` listing the allowed ones.
    """
    s = _lookup(name)
    if mu_convention not in ("minus", "plus"):
        raise ParameterError(f"mu_convention must be 'minus' or 'plus', got {mu_convention!r}")
    info = preset_info(s.name)
    info["mu_convention"] = mu_convention
    info["overrides"] = {k: (list(v) if isinstance(v, (tuple, np.ndarray)) else v) for k, v in overrides.items()}
    over = dict(overrides)
    if mu_convention == "plus":
        over["mu"] = -over.get("mu", s.mu)
    base = TwoSublatticeModel(preset_terms(s.name), dict(s.params), J=s.J, neel=s.neel, mu=s.mu, name=s.name,
                              info=info)
    return base.with_params(**over) if over else base  # unknown names: ParameterError listing the allowed ones
