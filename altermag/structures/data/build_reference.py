"""Generate the built (non-MAGNDATA) entries of the bundled reference data set.

Run from the repository root::

    python altermag/structures/data/build_reference.py            # (re)write the files
    python altermag/structures/data/build_reference.py --check    # verify the files are up to date

Every entry below carries the published numbers it is built from, each with a citation comment:
lattice parameters, space group (as explicit symmetry operations of the setting used by the source, or
the ITA standard setting through spglib), Wyckoff positions and free parameters, and the magnetic order
(moment direction and size, sign of the moment on every site of the magnetic orbit). The orbits are
expanded with the space-group operations; every generated magnetic site must match exactly one site of
the explicitly listed sign pattern, so a typo cannot silently produce a different order.

Numbers that could not be checked against an accessible copy of the publication are marked
``APPROX`` in the comments and listed in ``approximations`` (they end up in ``reference.yaml`` as
``approximate: true`` notes). None of them affects the nonrelativistic spin group, which depends only on
the space group, the occupied Wyckoff orbits and the sign pattern.

Output: magCIF files in the P1 setting (identity operation ``x,y,z,+1``, every atom of the cell listed,
moments as ``_atom_site_moment.crystalaxis_x/y/z`` in μB along the unit vectors of a, b, c), readable by
:func:`altermag.structures.read_structure`.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "reference"

# --------------------------------------------------------------------------------------- settings
# Explicit operation lists (setting of the cited source). A list of "x,y,z" strings; centring
# translations are given separately.

# MAGNDATA 1.219 (CuF2) parent setting: P 1 21/c 1, unique axis b, a = 3.294 (magnetic cell 2a), origin at -1.
P21C_OPS = ["x,y,z", "-x,y+1/2,-z+1/2", "-x,-y,-z", "x,-y+1/2,z+1/2"]

# MAGNDATA 1.23 (La2CuO4, Freltoft et al. 1987): the eight operations listed in the file (all with +1),
# parent space group C m c e (No. 64, standard setting), centring (1/2,1/2,0).
CMCE_OPS_123 = ["x,y,z", "-x,-y+1/2,z+1/2", "x+1/2,-y+1/2,-z", "-x+1/2,y,-z+1/2",
                "-x,-y,-z", "x,y+1/2,-z+1/2", "-x+1/2,y+1/2,z", "x+1/2,-y,z+1/2"]
C_CENTRING = [(0.0, 0.0, 0.0), (0.5, 0.5, 0.0)]

# MAGNDATA 1.305 (Mn5Si3, Brown & Forsyth 1995): the eight operations listed in the file (all with +1),
# effective space group of the atomic positions Cmcm in the setting Ccmm used there, centring (1/2,1/2,0).
CCMM_OPS_1305 = ["x,y,z", "-x+1/2,y+1/2,-z", "x,-y,-z+1/2", "-x+1/2,-y+1/2,z+1/2",
                 "-x,-y,-z", "x+1/2,-y+1/2,z", "-x,y,z+1/2", "x+1/2,y+1/2,-z+1/2"]

# AMCSD 0002890 (CaTiO3, Yamanaka, Hirai & Komatsu, Am. Mineral. 87, 1183 (2002)): P b n m, operations
# as listed in the AMCSD CIF.
PBNM_OPS_CATIO3 = ["x,y,z", "x,y,1/2-z", "-x,-y,1/2+z", "1/2+x,1/2-y,1/2+z", "1/2-x,1/2+y,1/2-z",
                   "1/2-x,1/2+y,z", "1/2+x,1/2-y,-z", "-x,-y,-z"]

# AMCSD 0016407 (CsTi8O16 hollandite, Fanchon, Hodeau, Vicat & Watts, J. Solid State Chem. 92, 88
# (1991)): I 4/m, operations as listed in the AMCSD CIF (body centring included).
I4M_OPS_CSTI8O16 = ["x,y,z", "1/2+x,1/2+y,1/2+z", "y,-x,-z", "1/2+y,1/2-x,1/2-z", "-y,x,z",
                    "1/2-y,1/2+x,1/2+z", "x,y,-z", "1/2+x,1/2+y,1/2-z", "-x,-y,z", "1/2-x,1/2-y,1/2+z",
                    "-y,x,-z", "1/2-y,1/2+x,1/2-z", "y,-x,z", "1/2+y,1/2-x,1/2+z", "-x,-y,-z",
                    "1/2-x,1/2-y,1/2-z"]


@dataclass
class Site:
    label: str
    species: str
    xyz: tuple[float, float, float]
    # magnetic sites: moment of the representative along the unit vectors of a, b, c (μB) and the sign of
    # the (collinear) moment on every site of the orbit in the cell, {position: ±1}. Positions are
    # matched modulo lattice translations within 2e-3.
    moment: tuple[float, float, float] | None = None
    signs: dict[tuple[float, float, float], int] | None = None


@dataclass
class Entry:
    name: str
    file: str
    title: str
    cell: tuple[float, float, float, float, float, float]
    sites: list[Site]
    parent_space_group: tuple[int, str]
    ops: list[str] | None = None          # explicit operations of the source's setting
    centring: list[tuple[float, float, float]] = field(default_factory=lambda: [(0.0, 0.0, 0.0)])
    crystal_source: str = ""
    order_source: str = ""
    approximations: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------- entries
ENTRIES: list[Entry] = []

# ---- MnO2 (rutile, beta-MnO2 / pyrolusite) ------------------------------------------------------
ENTRIES.append(Entry(
    name="MnO2", file="built_MnO2_rutile.mcif",
    title="beta-MnO2 (rutile, P4_2/mnm) with the k=0 rutile antiferromagnetic order",
    # Lattice: Anthony, Bideaux, Bladh & Nichols, Handbook of Mineralogy, "Pyrolusite" (Mineral Data
    # Publishing, 2001-2005): P4_2/mnm (synthetic), a = 4.4041(1), c = 2.8765(1) Å, Z = 2.
    cell=(4.4041, 4.4041, 2.8765, 90.0, 90.0, 90.0),
    parent_space_group=(136, "P 42/m n m"),
    ops=None,  # ITA standard setting (spglib database)
    sites=[
        # Mn at 2a (0,0,0), (1/2,1/2,1/2).
        # Order: collinear k=0 rutile order (Mn at 2a antiparallel), as for RuO2/MnF2; used for MnO2 by
        # Noda, Ohno & Nakamura, Phys. Chem. Chem. Phys. 18, 13294 (2016) and listed in Smejkal, Sinova &
        # Jungwirth, Phys. Rev. X 12, 040501 (2022), Table III. APPROX: moment 3 μB = spin-only value of
        # Mn4+ (d3, S = 3/2), along c (as in rutile MnF2); size/direction not taken from a measurement.
        Site("Mn1", "Mn", (0.0, 0.0, 0.0), moment=(0.0, 0.0, 3.0),
             signs={(0.0, 0.0, 0.0): +1, (0.5, 0.5, 0.5): -1}),
        # O at 4f (x,x,0). APPROX: x = 0.3061, mean of the orthorhombic (Pnnm) refinement at 295 K,
        # O (0.3069(13), 0.3052(14), 0), of Sukhorukov et al., Acta Cryst. A 75, 2019,
        # doi:10.1107/S2053273319013408 (supporting CIF, data block I).
        Site("O1", "O", (0.3061, 0.3061, 0.0)),
    ],
    crystal_source="Lattice: Handbook of Mineralogy, 'Pyrolusite' (a = 4.4041, c = 2.8765 Å, synthetic); "
                   "O x: mean of Sukhorukov et al., Acta Cryst. A 75 (2019), doi:10.1107/S2053273319013408",
    order_source="k=0 rutile AFM: Noda, Ohno & Nakamura, PCCP 18, 13294 (2016); Smejkal, Sinova & Jungwirth, "
                 "PRX 12, 040501 (2022) Table III",
    approximations=[
        "O x = 0.3061 is the mean of the orthorhombic x = 0.3069, y = 0.3052 of Sukhorukov et al. (2019), "
        "not a tetragonal refinement",
        "Mn moment 3 μB (spin-only Mn4+) along c: nominal; real beta-MnO2 orders in an incommensurate "
        "(helical / spin-density-wave) structure, k = (0,0,~2/7)",
    ],
))

# ---- FeSb2 (marcasite) --------------------------------------------------------------------------
ENTRIES.append(Entry(
    name="FeSb2", file="built_FeSb2_marcasite.mcif",
    title="FeSb2 (marcasite, Pnnm) with the k=0 antiferromagnetic order of Mazin et al. (2021)",
    # APPROX (not checked against an accessible copy in this work): Holseth & Kjekshus, Acta Chem. Scand.
    # 23, 3043 (1969): Pnnm, a = 5.8328, b = 6.5376, c = 3.1973 Å.
    cell=(5.8328, 6.5376, 3.1973, 90.0, 90.0, 90.0),
    parent_space_group=(58, "P n n m"),
    ops=None,
    sites=[
        # Fe at 2a (0,0,0), (1/2,1/2,1/2). Order: Fe at 2a antiparallel (k=0), Mazin, Koepernik,
        # Johannes, Gonzalez-Hernandez & Smejkal, PNAS 118, e2108924118 (2021); Smejkal et al. PRX 12,
        # 040501 (2022) Table III ((Cr,Fe)Sb2). APPROX: moment size 1 μB and direction along c are
        # nominal (FeSb2 is nonmagnetic; the order is the one predicted for doped FeSb2).
        Site("Fe1", "Fe", (0.0, 0.0, 0.0), moment=(0.0, 0.0, 1.0),
             signs={(0.0, 0.0, 0.0): +1, (0.5, 0.5, 0.5): -1}),
        # Sb at 4g (x,y,0). APPROX (same source as the lattice): x = 0.1885, y = 0.3561.
        Site("Sb1", "Sb", (0.1885, 0.3561, 0.0)),
    ],
    crystal_source="Holseth & Kjekshus, Acta Chem. Scand. 23, 3043 (1969) (values not verified here)",
    order_source="Mazin et al., PNAS 118, e2108924118 (2021), doi:10.1073/pnas.2108924118",
    approximations=[
        "FeSb2 lattice (5.8328, 6.5376, 3.1973 Å) and Sb (0.1885, 0.3561, 0) are quoted from Holseth & "
        "Kjekshus (1969) as remembered; no accessible copy of the paper or of a database CIF was found to "
        "check them",
        "Fe moment 1 μB along c is nominal (stoichiometric FeSb2 does not order; the altermagnetic order is "
        "the one computed for (Cr,Fe)Sb2 by Mazin et al.)",
    ],
))

# ---- CaCrO3 (GdFeO3-type perovskite) --------------------------------------------------------------
ENTRIES.append(Entry(
    name="CaCrO3", file="built_CaCrO3_perovskite.mcif",
    title="CaCrO3 (Pbnm perovskite) with C-type antiferromagnetic order; crystal structure of the CaTiO3 prototype",
    # APPROX: no CaCrO3 refinement was accessible; the closest documented structure is used: CaTiO3, AMCSD
    # 0002890, Yamanaka, Hirai & Komatsu, Am. Mineral. 87, 1183 (2002): P b n m, a = 5.4043, b = 5.4224,
    # c = 7.6510 Å.
    cell=(5.4043, 5.4224, 7.6510, 90.0, 90.0, 90.0),
    parent_space_group=(62, "P b n m (non-standard setting of P n m a)"),
    ops=PBNM_OPS_CATIO3,
    sites=[
        # Ca at 4c (0.9916, 0.0123, 1/4) [CaTiO3, AMCSD 0002890]
        Site("Ca1", "Ca", (0.9916, 0.0123, 0.25)),
        # Cr on the Ti site 4b (1/2, 0, 0). Order: C-type (Komarek et al., PRL 101, 167204 (2008),
        # arXiv:0804.1071): in-plane (ab) nearest neighbours antiparallel, ferromagnetic along c
        # (pseudocubic c ∥ c of Pbnm; the only C-type order with k = 0 in this cell).
        # APPROX: moment 2 μB = spin-only value of Cr4+ (d2, S = 1), along a; direction not taken from
        # the measurement.
        Site("Cr1", "Cr", (0.5, 0.0, 0.0), moment=(2.0, 0.0, 0.0),
             signs={(0.5, 0.0, 0.0): +1, (0.5, 0.0, 0.5): +1, (0.0, 0.5, 0.0): -1, (0.0, 0.5, 0.5): -1}),
        # O1 4c (0.0586, 0.4687, 1/4), O2 8d (0.7130, 0.2880, 0.0371) [CaTiO3, AMCSD 0002890]
        Site("O1", "O", (0.0586, 0.4687, 0.25)),
        Site("O2", "O", (0.7130, 0.2880, 0.0371)),
    ],
    crystal_source="Prototype CaTiO3 (AMCSD 0002890; Yamanaka et al., Am. Mineral. 87, 1183 (2002)) with Cr on "
                   "the Ti site",
    order_source="C-type AFM: Komarek et al., PRL 101, 167204 (2008); altermagnet: Naka, Motome & Seo, "
                 "PRB 103, 125114 (2021)",
    approximations=[
        "lattice parameters and atomic coordinates are those of CaTiO3 (AMCSD 0002890), not of CaCrO3: no "
        "CaCrO3 refinement was accessible",
        "Cr moment 2 μB (spin-only Cr4+) along a is nominal",
    ],
))

# ---- KRu4O8 (hollandite) --------------------------------------------------------------------------
ENTRIES.append(Entry(
    name="KRu4O8", file="built_KRu4O8_hollandite.mcif",
    title="KRu4O8 (hollandite, I4/m) with the altermagnetic order of spin point group ^2 4/^1 m; "
          "crystal structure of the CsTi8O16 hollandite prototype",
    # APPROX: no KRu4O8 refinement was accessible; the closest documented hollandite is used: CsTi8O16,
    # AMCSD 0016407 (Fanchon et al., J. Solid State Chem. 92, 88 (1991)), I 4/m, a = 10.317, c = 2.980 Å.
    cell=(10.317, 10.317, 2.980, 90.0, 90.0, 90.0),
    parent_space_group=(87, "I 4/m"),
    ops=I4M_OPS_CSTI8O16,
    sites=[
        # K on the tunnel site 2b (0, 0, 1/2) of the prototype (Cs1, occupancy 0.55 there; full here).
        Site("K1", "K", (0.0, 0.0, 0.5)),
        # Ru on the Ti site 8h (0.3491, 0.1659, 0). Order: spin point group ^2 4/^1 m (Smejkal, Sinova &
        # Jungwirth, PRX 12, 031042 and 040501 (2022) Table III): the fourfold rotation exchanges the spin
        # sublattices, inversion / 2z / mz keep them, so (x,y,0), (-x,-y,0) up and (-y,x,0), (y,-x,0)
        # down (body-centred copies alike). APPROX: moment 1 μB along c is nominal.
        Site("Ru1", "Ru", (0.3491, 0.1659, 0.0), moment=(0.0, 0.0, 1.0),
             signs={(0.3491, 0.1659, 0.0): +1, (0.6509, 0.8341, 0.0): +1,
                    (0.8341, 0.3491, 0.0): -1, (0.1659, 0.6509, 0.0): -1,
                    (0.8491, 0.6659, 0.5): +1, (0.1509, 0.3341, 0.5): +1,
                    (0.3341, 0.8491, 0.5): -1, (0.6659, 0.1509, 0.5): -1}),
        # O1 8h (0.1583, 0.2078, 0), O2 8h (0.5383, 0.1649, 0) [CsTi8O16, AMCSD 0016407]
        Site("O1", "O", (0.1583, 0.2078, 0.0)),
        Site("O2", "O", (0.5383, 0.1649, 0.0)),
    ],
    crystal_source="Prototype CsTi8O16 hollandite (AMCSD 0016407; Fanchon et al., JSSC 92, 88 (1991)) with K on "
                   "the tunnel site and Ru on the Ti site",
    order_source="Smejkal, Sinova & Jungwirth, PRX 12, 031042 (2022); PRX 12, 040501 (2022) Table III",
    approximations=[
        "lattice parameters and atomic coordinates are those of the CsTi8O16 hollandite (AMCSD 0016407), not "
        "of KRu4O8: no KRu4O8 refinement was accessible",
        "Ru moment 1 μB along c is nominal",
    ],
))

# ---- CuF2: k=0 order on the experimental crystal structure of MAGNDATA 1.219 ----------------------
ENTRIES.append(Entry(
    name="CuF2", file="built_CuF2_k0.mcif",
    title="CuF2 (P2_1/c) with the k=0 antiferromagnetic order (Cu at 2a antiparallel)",
    # Crystal structure as given in MAGNDATA 1.219 (Fischer, Halg, Schwarzenbach & Gamsjager, J. Phys.
    # Chem. Solids 35, 1683 (1974), doi:10.1016/S0022-3697(74)80182-4; positions from ICSD 9790):
    # magnetic cell a = 6.588 = 2 x 3.294, b = 4.568, c = 5.358 Å, beta = 121.17 deg.
    cell=(3.294, 4.568, 5.358, 90.0, 121.17, 90.0),
    parent_space_group=(14, "P 1 21/c 1"),
    ops=P21C_OPS,
    sites=[
        # Cu at 2a (0,0,0), (0,1/2,1/2); moment (0.26, 0.68, 0) μB along a, b, c as in MAGNDATA 1.219
        # (there Cu1_1 and Cu1_2 of one parent cell are antiparallel; the anti-translation (1/2,0,0) of the
        # doubled cell is dropped here: k = 0, as in Smejkal et al. PRX 12, 040501 Table III).
        Site("Cu1", "Cu", (0.0, 0.0, 0.0), moment=(0.26, 0.68, 0.0),
             signs={(0.0, 0.0, 0.0): +1, (0.0, 0.5, 0.5): -1}),
        # F at 4e: MAGNDATA 1.219 F1_1 (0.1278, 0.2980, 0.2944) in the doubled cell -> x = 0.2556.
        Site("F1", "F", (0.2556, 0.2980, 0.2944)),
    ],
    crystal_source="MAGNDATA 1.219 (Fischer et al., J. Phys. Chem. Solids 35, 1683 (1974)), parent cell",
    order_source="k=0 order: Smejkal, Sinova & Jungwirth, PRX 12, 040501 (2022) Table III (P2_1/c, ^2 2/^2 m)",
))

# ---- La2CuO4: k=0 order on the crystal structure of MAGNDATA 1.23 ---------------------------------
ENTRIES.append(Entry(
    name="La2CuO4", file="built_La2CuO4_k0.mcif",
    title="La2CuO4 (Cmce = Bmab) with the k=0 antiferromagnetic order (centring an ordinary translation)",
    # Crystal structure as given in MAGNDATA 1.23 (Freltoft, ..., Vaknin et al., PRB 36, 826 (1987),
    # doi:10.1103/physrevb.36.826): a = 5.357, b = 13.148, c = 5.406 Å.
    cell=(5.357, 13.148, 5.406, 90.0, 90.0, 90.0),
    parent_space_group=(64, "C m c e"),
    ops=CMCE_OPS_123, centring=C_CENTRING,
    sites=[
        # Cu at 4a (0,0,0); moment 0.17 μB along c as in MAGNDATA 1.23. In-plane (CuO2 plane y = 0, 1/2)
        # Neel order as in the experiment; the C-centring (1/2,1/2,0), an anti-translation in the
        # experimental P_A ccn model, is an ordinary translation here (k = 0, spin point group
        # ^2m^2m^1m, Smejkal et al. PRX 12, 031042 and 040501 Table III).
        Site("Cu1", "Cu", (0.0, 0.0, 0.0), moment=(0.0, 0.0, 0.17),
             signs={(0.0, 0.0, 0.0): +1, (0.5, 0.5, 0.0): +1, (0.5, 0.0, 0.5): -1, (0.0, 0.5, 0.5): -1}),
        # La 8f (0, 0.3611, 0.0046), O1 8e (1/4, -0.0051, 1/4), O2 8f (0, 0.1830, -0.0243) [MAGNDATA 1.23]
        Site("La1", "La", (0.0, 0.3611, 0.0046)),
        Site("O1", "O", (0.25, -0.0051, 0.25)),
        Site("O2", "O", (0.0, 0.1830, -0.0243)),
    ],
    crystal_source="MAGNDATA 1.23 (Freltoft et al., PRB 36, 826 (1987))",
    order_source="k=0 order: Smejkal, Sinova & Jungwirth, PRX 12, 031042 (2022); PRX 12, 040501 (2022) Table III "
                 "(Bmab, ^2m^2m^1m)",
))

# ---- Mn5Si3: k=0 order on the crystal structure of MAGNDATA 1.305 ----------------------------------
ENTRIES.append(Entry(
    name="Mn5Si3", file="built_Mn5Si3_k0.mcif",
    title="Mn5Si3 (AFM2 crystal structure, Ccmm setting) with the k=0 collinear order (tT broken)",
    # Crystal structure as given in MAGNDATA 1.305 (Brown & Forsyth, J. Phys.: Condens. Matter 7, 7619
    # (1995), doi:10.1088/0953-8984/7/39/004): a = 6.910, b = 11.9685, c = 4.814 Å.
    cell=(6.910, 11.9685, 4.814, 90.0, 90.0, 90.0),
    parent_space_group=(63, "C c m m (setting of C m c m)"),
    ops=CCMM_OPS_1305, centring=C_CENTRING,
    sites=[
        # Mn1 (0, 0.3328, 0) and Mn2_1 (0.2392, 0, 1/4): no moment [MAGNDATA 1.305].
        Site("Mn1", "Mn", (0.0, 0.3328, 0.0)),
        Site("Mn2_1", "Mn", (0.2392, 0.0, 0.25)),
        # Mn2_2 (0.8826, 0.8820, 1/4): 1.48 μB along b [MAGNDATA 1.305]. The eight Mn2_2 sites of the
        # cell are A = (x,y,1/4), B = (x,-y,1/4), C = (-x,-y,3/4), D = (-x,y,3/4) and their C-centred
        # copies. Experimental model (P_C bcn): A+, B-, C+, D- (from the file's operations 1, 3, 5, 7,
        # all without time reversal) and every C-centred copy reversed (anti-translation; conventional
        # AFM, Reichlova et al. Fig. 1a). k=0 order used here: A+, B-, C+, D- with the centred copies
        # NOT reversed (the centring is an ordinary translation; inversion A<->C keeps the spin): the
        # d-wave order of Reichlova et al., Nat. Commun. 15, 4961 (2024), doi:10.1038/s41467-024-48493-w,
        # Fig. 1b (spin point group ^2m^2m^1m, PRX 12, 040501 Table III).
        Site("Mn2_2", "Mn", (0.8826, 0.8820, 0.25), moment=(0.0, 1.48, 0.0),
             signs={(0.8826, 0.8820, 0.25): +1, (0.8826, 0.1180, 0.25): -1,
                    (0.1174, 0.1180, 0.75): +1, (0.1174, 0.8820, 0.75): -1,
                    (0.3826, 0.3820, 0.25): +1, (0.3826, 0.6180, 0.25): -1,
                    (0.6174, 0.6180, 0.75): +1, (0.6174, 0.3820, 0.75): -1}),
        # Si1_1 (0.5991, 0, 1/4), Si1_2 (0.7002, 0.7000, 1/4) [MAGNDATA 1.305]
        Site("Si1_1", "Si", (0.5991, 0.0, 0.25)),
        Site("Si1_2", "Si", (0.7002, 0.7000, 0.25)),
    ],
    crystal_source="MAGNDATA 1.305 (Brown & Forsyth, J. Phys.: Condens. Matter 7, 7619 (1995))",
    order_source="Reichlova et al., Nat. Commun. 15, 4961 (2024), doi:10.1038/s41467-024-48493-w (arXiv:2012.15651)",
))

# ---- ferromagnets ---------------------------------------------------------------------------------
ENTRIES.append(Entry(
    name="Fe-bcc", file="built_Fe_bcc.mcif",
    title="alpha-Fe (bcc, Im-3m), ferromagnet",
    # a = 2.8665 Å at room temperature: R. W. G. Wyckoff, Crystal Structures, Vol. 1, 2nd ed.
    # (Interscience, New York, 1963).
    cell=(2.8665, 2.8665, 2.8665, 90.0, 90.0, 90.0),
    parent_space_group=(229, "I m -3 m"),
    ops=None,
    sites=[
        # Fe at 2a (0,0,0); 2.22 μB per atom (saturation, 0 K): C. Kittel, Introduction to Solid State
        # Physics, 8th ed. (Wiley, 2005), ch. 11, Table 1; along [001] (easy axes <100>).
        Site("Fe1", "Fe", (0.0, 0.0, 0.0), moment=(0.0, 0.0, 2.22),
             signs={(0.0, 0.0, 0.0): +1, (0.5, 0.5, 0.5): +1}),
    ],
    crystal_source="Wyckoff, Crystal Structures Vol. 1 (1963): a = 2.8665 Å",
    order_source="Kittel, Introduction to Solid State Physics, 8th ed., ch. 11 Table 1: 2.22 μB/atom",
))

ENTRIES.append(Entry(
    name="Co-hcp", file="built_Co_hcp.mcif",
    title="alpha-Co (hcp, P6_3/mmc), ferromagnet",
    # a = 2.507, c = 4.070 Å: R. W. G. Wyckoff, Crystal Structures, Vol. 1, 2nd ed. (1963).
    cell=(2.507, 2.507, 4.070, 90.0, 90.0, 120.0),
    parent_space_group=(194, "P 63/m m c"),
    ops=None,
    sites=[
        # Co at 2c (1/3,2/3,1/4); 1.72 μB per atom: Kittel, ISSP 8th ed., ch. 11, Table 1; along c (easy axis).
        Site("Co1", "Co", (1 / 3, 2 / 3, 0.25), moment=(0.0, 0.0, 1.72),
             signs={(1 / 3, 2 / 3, 0.25): +1, (2 / 3, 1 / 3, 0.75): +1}),
    ],
    crystal_source="Wyckoff, Crystal Structures Vol. 1 (1963): a = 2.507, c = 4.070 Å",
    order_source="Kittel, Introduction to Solid State Physics, 8th ed., ch. 11 Table 1: 1.72 μB/atom",
))


# --------------------------------------------------------------------------------------- machinery
def _operations(entry: Entry) -> tuple[np.ndarray, np.ndarray]:
    """Rotations (n,3,3) and translations (n,3) of the entry's setting, centring included."""
    if entry.ops is None:
        import spglib

        number = entry.parent_space_group[0]
        hall = next(h for h in range(1, 531) if spglib.get_spacegroup_type(h).number == number)
        sym = spglib.get_symmetry_from_database(hall)
        return np.asarray(sym["rotations"], int), np.asarray(sym["translations"], float)
    from altermag.structures.cif import parse_operation

    Rs, ts = [], []
    for c in entry.centring:
        for op in entry.ops:
            R, t, _ = parse_operation(op)
            Rs.append(R)
            ts.append(t + np.asarray(c))
    return np.array(Rs), np.array(ts)


def _lattice(cell) -> np.ndarray:
    from altermag.structures.cif import _lattice_from_parameters

    return _lattice_from_parameters(*cell, source="build_reference")


def _same(p, q, tol=2e-3) -> bool:
    d = np.asarray(p, float) - np.asarray(q, float)
    d -= np.round(d)
    return bool(np.all(np.abs(d) < tol))


def expand(entry: Entry) -> list[tuple[str, str, np.ndarray, np.ndarray | None]]:
    """All atoms of the cell: (label, species, frac, moment along a,b,c or None)."""
    Rs, ts = _operations(entry)
    atoms = []
    for site in entry.sites:
        orbit: list[np.ndarray] = []
        for R, t in zip(Rs, ts):
            p = np.mod(R @ np.asarray(site.xyz, float) + t, 1.0)
            p[np.isclose(p, 1.0, atol=1e-9)] = 0.0
            if not any(_same(p, q) for q in orbit):
                orbit.append(p)
        used: set = set()
        for k, p in enumerate(orbit):
            mom = None
            if site.moment is not None:
                hits = [pos for pos in site.signs if _same(p, pos)]
                if len(hits) != 1:
                    raise SystemExit(f"{entry.name}: site {site.label} at {np.round(p, 4)} matches "
                                     f"{len(hits)} listed sign positions")
                used.add(hits[0])
                mom = site.signs[hits[0]] * np.asarray(site.moment, float)
            atoms.append((f"{site.label}_{k + 1}", site.species, p, mom))
        if site.moment is not None and used != set(site.signs):
            raise SystemExit(f"{entry.name}: listed sign positions {set(site.signs) - used} of {site.label} "
                             "are not on its orbit")
    # no two atoms at one place
    for i in range(len(atoms)):
        for j in range(i):
            if _same(atoms[i][2], atoms[j][2], 1e-3):
                raise SystemExit(f"{entry.name}: atoms {atoms[j][0]} and {atoms[i][0]} coincide")
    return atoms


def _fmt(x: float) -> str:
    return f"{x:.6f}"


def render(entry: Entry) -> str:
    atoms = expand(entry)
    a, b, c, al, be, ga = entry.cell
    counts: dict[str, int] = {}
    for _, sp, _, _ in atoms:
        counts[sp] = counts.get(sp, 0) + 1
    lines = [
        "# Generated by altermag/structures/data/build_reference.py -- do not edit by hand.",
        f"# {entry.name}: {entry.title}",
        f"# Crystal structure: {entry.crystal_source}",
        f"# Magnetic order:    {entry.order_source}",
    ]
    for note in entry.approximations:
        lines.append(f"# APPROXIMATE: {note}")
    lines += [
        "# P1 setting: identity operation only, every atom of the cell listed; moments in μB along the unit",
        "# vectors of a, b, c (crystalaxis).",
        "",
        f"data_{entry.name.replace('-', '_')}",
        "_audit_creation_method  'altermag build_reference.py'",
        "_chemical_formula_sum  '" + " ".join(f"{el}{n}" for el, n in counts.items()) + "'",
        f"_parent_space_group.name_H-M_alt  '{entry.parent_space_group[1]}'",
        f"_parent_space_group.IT_number  {entry.parent_space_group[0]}",
        "_parent_propagation_vector.kxkykz  '[0 0 0]'",
        f"_cell_length_a  {a:.5f}",
        f"_cell_length_b  {b:.5f}",
        f"_cell_length_c  {c:.5f}",
        f"_cell_angle_alpha  {al:.3f}",
        f"_cell_angle_beta  {be:.3f}",
        f"_cell_angle_gamma  {ga:.3f}",
        "",
        "loop_",
        "_space_group_symop_magn_operation.id",
        "_space_group_symop_magn_operation.xyz",
        "1 x,y,z,+1",
        "",
        "loop_",
        "_atom_site_label",
        "_atom_site_type_symbol",
        "_atom_site_fract_x",
        "_atom_site_fract_y",
        "_atom_site_fract_z",
        "_atom_site_occupancy",
    ]
    for lab, sp, p, _ in atoms:
        lines.append(f"{lab} {sp} {_fmt(p[0])} {_fmt(p[1])} {_fmt(p[2])} 1")
    lines += ["", "loop_", "_atom_site_moment.label", "_atom_site_moment.crystalaxis_x",
              "_atom_site_moment.crystalaxis_y", "_atom_site_moment.crystalaxis_z"]
    for lab, _, _, m in atoms:
        if m is not None:
            lines.append(f"{lab} {m[0]:.4f} {m[1]:.4f} {m[2]:.4f}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only verify that the files are up to date")
    args = ap.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    stale = []
    for entry in ENTRIES:
        text = render(entry)
        path = OUT / entry.file
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(entry.file)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(HERE.parent.parent.parent)}")
    if stale:
        print("out of date (run build_reference.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
