"""Spin-group verdicts, classes and form factors: literature values, invariances, independent checks."""

import numpy as np
import pytest
import spglib

from altermag.structures import MagneticStructure, read_structure
from altermag.symmetry import analyze, crystal_symmetry
from altermag.symmetry.operations import species_types
from altermag.symmetry.spingroup import Tolerances, collinear_signs, flip_classes
from altermag.testing import assert_classification_invariant, assert_form_factor_parity
from tests.conftest import fixture_file

# Literature classes (Šmejkal, Sinova, Jungwirth, PRX 12, 031042/040501 (2022); spec discovery.md §1)
ALTERMAGNETS = {
    "0.607_": ("RuO2", "d"), "0.15_": ("MnF2", "d"), "0.36_": ("NiF2", "d"), "0.178_": ("CoF2", "d"),
    "0.1_": ("LaMnO3", "d"), "0.800_": ("MnTe", "g"), "0.528_": ("CrSb", "g"), "0.65_": ("Fe2O3", "g"),
}
CONVENTIONAL = {"1.6_": "translation", "1.31_": "translation", "0.110_": "inversion", "0.222_": "inversion",
                "0.639_": "inversion"}


@pytest.mark.parametrize("prefix", sorted(ALTERMAGNETS))
def test_known_altermagnets(prefix):
    name, wave = ALTERMAGNETS[prefix]
    r = analyze(read_structure(fixture_file(prefix)))
    assert r.formula.startswith(name[:2])
    assert r.verdict == "altermagnet"
    assert r.wave == wave
    assert r.formfactor.degree == {"d": 2, "g": 4, "i": 6}[wave]


@pytest.mark.parametrize("prefix", sorted(CONVENTIONAL))
def test_known_conventional_antiferromagnets(prefix):
    r = analyze(read_structure(fixture_file(prefix)))
    assert r.verdict == "antiferromagnet"
    assert r.detail == CONVENTIONAL[prefix]
    assert r.wave is None and r.form_factor is None


def test_spec_form_factors():
    """The spec's check values: RuO2 ∝ kx ky; MnTe ∝ ky kz (3kx² − ky²) with x ∥ a."""
    assert analyze(read_structure(fixture_file("0.607_"))).form_factor == "kx*ky"
    mnte = analyze(read_structure(fixture_file("0.800_")))
    assert mnte.form_factor == "ky*kz*(3*kx^2 - ky^2)"
    assert (mnte.laue_group, mnte.nonflip_laue_group) == ("6/mmm", "-3m")
    assert mnte.spin_laue_group == "²6/²m¹m²m"  # 6-fold and m_z exchange the sublattices; -3m keeps them


def test_spin_laue_group_notation():
    """RuO2 is ²4/¹m²m¹m (Šmejkal, Sinova, Jungwirth, PRX 12, 031042 (2022)); superscripts match f(k)."""
    r = analyze(read_structure(fixture_file("0.607_")))
    assert r.spin_laue_group == "²4/¹m²m¹m"
    lamno3 = analyze(read_structure(fixture_file("0.1_")))
    # kx*ky is odd under m_x and m_y, even under m_z
    assert lamno3.form_factor == "kx*ky" and lamno3.spin_laue_group == "²m²m¹m"


def a15_structure(afm=True) -> MagneticStructure:
    """SG 223 (Pm-3n, A15 type): magnetic atoms on 2a, non-magnetic on 6c; the minimal-models i-wave case."""
    mag = [[0, 0, 0], [0.5, 0.5, 0.5]]
    other = [[0.25, 0, 0.5], [0.75, 0, 0.5], [0.5, 0.25, 0], [0.5, 0.75, 0], [0, 0.5, 0.25], [0, 0.5, 0.75]]
    moments = np.zeros((8, 3))
    moments[0, 2], moments[1, 2] = 1.0, (-1.0 if afm else 1.0)
    return MagneticStructure(np.eye(3) * 4.7, mag + other, ("Mn", "Mn") + ("Si",) * 6, moments)


def test_cubic_sg223_is_i_wave():
    r = analyze(a15_structure())
    assert r.space_group == 223
    assert r.verdict == "altermagnet" and r.wave == "i"
    assert (r.laue_group, r.nonflip_laue_group) == ("m-3m", "m-3")
    assert r.spin_laue_group == "¹m¹-3²m"
    # (kx²−ky²)(ky²−kz²)(kz²−kx²) up to sign
    k = np.random.default_rng(1).normal(size=(20, 3))
    ref = (k[:, 0]**2 - k[:, 1]**2) * (k[:, 1]**2 - k[:, 2]**2) * (k[:, 2]**2 - k[:, 0]**2)
    val = r.formfactor(k)
    ratio = val / ref
    assert np.allclose(ratio, ratio[0]) and abs(ratio[0]) > 0


def test_spin_laue_group_of_a_tetragonal_subgroup_of_a_cubic_crystal():
    """A15 Cr3Si type with moments on the 6c chains: the magnetic group's 4-fold lies along x, not z.

    The symbol names its axes; each superscript matches the parity of f = ky² − kz²: odd under the 4-fold
    about x and under m⊥[011] (which swaps ky and −kz), even under m⊥x and m⊥z.
    """
    chains = [[0.25, 0, 0.5], [0.75, 0, 0.5], [0.5, 0.25, 0], [0.5, 0.75, 0], [0, 0.5, 0.25], [0, 0.5, 0.75]]
    m = np.zeros((8, 3))
    m[:6, 2] = [1, -1, -1, -1, 1, 1]
    s = MagneticStructure(np.eye(3) * 4.7, chains + [[0, 0, 0], [0.5, 0.5, 0.5]], ("Cr",) * 6 + ("Si", "Si"), m)
    r = analyze(s)
    assert r.space_group == 223 and r.wave == "d"
    assert r.form_factor == "(ky - kz)*(ky + kz)"
    assert r.spin_laue_group == "²4/¹m¹m²m (4∥[100], [001], [011])"
    assert_form_factor_parity(s)


def test_ferromagnet_and_nonmagnetic():
    assert analyze(a15_structure(afm=False)).verdict == "ferromagnet"
    s = a15_structure().without_moments()
    r = analyze(s)
    assert r.verdict == "nonmagnetic" and "no moments" in r.reason


def test_noncollinear_and_canting_tolerance():
    s = read_structure(fixture_file("0.607_"))
    m = s.moments.copy()
    mmax = np.abs(m).max()
    magnetic = np.linalg.norm(m, axis=1) > 0
    canted = m + np.outer(magnetic, [0.04 * mmax, 0, 0])  # weak-ferromagnetic canting, as from SOC
    # a small canting (SOC) keeps the verdict; a strict collinearity tolerance rejects it
    assert analyze(s.with_moments(canted)).verdict == "altermagnet"
    assert analyze(s.with_moments(canted), collinear_tol=0.01).verdict == "noncollinear"
    spiral = m.copy()
    spiral[np.abs(m[:, 2]) > 0] = [[mmax, 0, 0], [0, mmax, 0]]
    assert analyze(s.with_moments(spiral)).verdict == "noncollinear"


def test_compensated_ferrimagnet():
    """Two inequivalent sites (different Wyckoff orbits) with opposite equal moments: no flip operation."""
    lat = np.diag([3.0, 3.0, 5.0])
    s = MagneticStructure(lat, [[0, 0, 0], [0.5, 0.5, 0.3], [0.5, 0.5, 0.7]], ("Fe", "Fe", "O"),
                          [[0, 0, 2], [0, 0, -2], [0, 0, 0]])
    r = analyze(s)
    assert r.verdict == "compensated-ferrimagnet"


def _altermagnet_fixtures():
    return [fixture_file(p) for p in sorted(ALTERMAGNETS)]


@pytest.mark.parametrize("path", _altermagnet_fixtures(), ids=lambda p: p.name)
def test_form_factor_parity_under_every_operation(path):
    """f(Rk) = −f(k) for every flip operation, +f(k) for every non-flip one (standard frame)."""
    assert_form_factor_parity(read_structure(path))
    assert_form_factor_parity(a15_structure())


def test_parity_assertion_can_fail():
    """The helper is not vacuous: a wrong form factor (d-wave kx*ky for MnTe) violates it."""
    s = read_structure(fixture_file("0.800_"))
    r = analyze(s)
    from altermag.symmetry.formfactor import FormFactor

    wrong = FormFactor(2, "d", ((1, 1, 0),), np.array([[1.0]]), ("kx*ky",))
    import altermag.testing as T

    orig = T.analyze
    try:
        T.analyze = lambda *a, **k: type(r)(**{**r.__dict__, "formfactor": wrong})
        with pytest.raises(AssertionError, match="f\\(Rk\\)"):
            assert_form_factor_parity(s)
    finally:
        T.analyze = orig


def test_flip_classes_agree_with_spglib_magnetic_symmetry():
    """Independent check: spglib's magnetic space group of the scalar (collinear) pattern."""
    for prefix in list(ALTERMAGNETS) + list(CONVENTIONAL):
        s = read_structure(fixture_file(prefix))
        tol = Tolerances()
        _, signs, _ = collinear_signs(s, tol)
        sym = crystal_symmetry(s, tol.symprec)
        chi = flip_classes(sym, signs, tol.moment_tol * np.abs(signs).max())
        ours = {(R.tobytes(), tuple(np.round(np.mod(t, 1), 4) % 1), int(c))
                for R, t, c in zip(sym.rotations, sym.translations, chi) if c}
        mag = spglib.get_magnetic_symmetry((s.lattice, s.frac_coords, species_types(s.species), signs),
                                           symprec=tol.symprec, mag_symprec=0.05 * np.abs(signs).max())
        theirs = {(np.asarray(R, int).tobytes(), tuple(np.round(np.mod(t, 1), 4) % 1), -1 if tr else 1)
                  for R, t, tr in zip(mag["rotations"], mag["translations"], mag["time_reversals"])}
        assert ours == theirs, prefix


# ------------------------------------------------------------------------------------------ invariances
def _all_fixtures():
    return [fixture_file(p) for p in sorted(ALTERMAGNETS) + sorted(CONVENTIONAL)]


@pytest.mark.parametrize("path", _all_fixtures(), ids=lambda p: p.name)
def test_invariant_under_flip_shift_supercell_rotation_and_primitive_cell(path):
    assert_classification_invariant(read_structure(path))


def test_i_wave_case_invariant():
    assert_classification_invariant(a15_structure())


def test_tolerances_are_validated():
    s = read_structure(fixture_file("0.607_"))
    from altermag.core.errors import ParameterError

    with pytest.raises(ParameterError, match="moment_tol"):
        analyze(s, moment_tol=-1)
    with pytest.raises(ParameterError, match="symprec"):
        analyze(s, symprec=0)


def test_result_json_record_is_stable():
    d = analyze(read_structure(fixture_file("0.607_"))).as_dict()
    for key in ("file", "verdict", "wave", "spin_laue_group", "form_factor", "space_group", "flip_operations"):
        assert key in d
    assert d["space_group"] == 136 and d["wave"] == "d"
    ops = {op["point_operation"] for op in d["flip_operations"]}
    assert "4+[001]" in ops and "m[100]" in ops
