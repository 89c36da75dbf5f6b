"""Element symbols and the magnetic-element sets used by screening and graphs."""

ELEMENTS = (
    "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr "
    "Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb "
    "Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr "
    "Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og D"
).split()
ELEMENTS_SET = frozenset(ELEMENTS)

#: 3d transition metals carrying moments in practice (Sc and Zn are d0/d10 and excluded).
TRANSITION_3D = frozenset("Ti V Cr Mn Fe Co Ni Cu".split())
#: 4f rare earths Ce–Yb (La and Lu are f0/f14).
RARE_EARTH_4F = frozenset("Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb".split())
#: The paper's default magnetic set: 3d transition metals and 4f rare earths.
MAGNETIC_3D_4F = TRANSITION_3D | RARE_EARTH_4F
#: The 22 elements of the discovery paper's public code (includes Zn, excludes all 4d/5d: no RuO2).
PAPER_CODE_ELEMENTS = frozenset("Ti V Cr Mn Fe Co Ni Cu Zn Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb".split())
#: A broader set: 3d, magnetic 4d/5d (Mo Ru Rh Re Os Ir), 4f and 5f (U Np Pu Am).
MAGNETIC_BROAD = MAGNETIC_3D_4F | frozenset("Mo Ru Rh Re Os Ir U Np Pu Am".split())

MAGNETIC_SETS = {"3d4f": MAGNETIC_3D_4F, "paper-code": PAPER_CODE_ELEMENTS, "broad": MAGNETIC_BROAD}


def magnetic_elements(spec: str | frozenset | set | list | tuple | None = None) -> frozenset:
    """Resolve a magnetic-element set: a name in :data:`MAGNETIC_SETS`, a comma list ``"Mn,Fe"``, or symbols."""
    if spec is None:
        return MAGNETIC_3D_4F
    if isinstance(spec, str):
        if spec in MAGNETIC_SETS:
            return MAGNETIC_SETS[spec]
        spec = [s.strip() for s in spec.split(",") if s.strip()]
    out = frozenset(spec)
    bad = sorted(out - ELEMENTS_SET)
    if bad:
        from altermag.core.errors import ParameterError

        raise ParameterError(f"not element symbols: {', '.join(bad)} (named sets: {', '.join(MAGNETIC_SETS)})")
    return out
