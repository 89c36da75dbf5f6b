"""Analysis: nodal set = zeros of f(k), spin-resolved bands, DOS sum rules, Fermi contours, paths."""

import numpy as np
import pytest

from altermag.core.errors import ParameterError
from altermag.models import preset
from altermag.models.analysis import (bands, dos, fermi_contours, nodal_check, paper_path, seekpath_path,
                                      spin_resolved_bands, splitting_map)


@pytest.mark.parametrize("name,planes", [("RuO2", ["kz=0", "kz=0.5", "kx=ky", "kz=0.2"]),
                                         ("FeSb2", ["kz=0", "kx=0.3"]),
                                         ("CrSb", ["kz=0.2", "ky=0.1"]),
                                         ("SG223", ["kz=0.1", "kx=ky"]),
                                         ("SG123-2D", ["kz=0"])])
def test_nodal_set_equals_zeros_of_tz(name, planes):
    m = preset(name)
    for plane in planes:
        r = nodal_check(m, plane, 41)
        assert r["agree"], (plane, r)
        assert r["max_split_on_f_zero"] < 1e-12 and r["min_split_off_f_zero"] > 1e-9


def test_nodal_set_mask_is_the_dxy_cross():
    from altermag.models.analysis import nodal_set

    ns = nodal_set(preset("RuO2"), "kz=0", 21)  # grid −½..½ in steps of 1/20: k_x = 0, ±½ are on the grid
    kx, ky = ns["k"][..., 0], ns["k"][..., 1]
    on_lines = np.isclose(np.abs(kx) % 0.5, 0) | np.isclose(np.abs(ky) % 0.5, 0)
    assert np.array_equal(ns["mask"], on_lines)


def test_nodal_check_rejects_a_wrong_form_factor():
    m = preset("RuO2")
    wrong = lambda k: np.cos(2 * np.pi * k[..., 0]) - np.cos(2 * np.pi * k[..., 1])  # d_{x²−y²}, not B2g
    assert not nodal_check(m, "kz=0", 41, f=wrong)["agree"]
    assert not nodal_check(m.with_params(J=0.0), "kz=0", 41)["agree"]  # no order, no splitting


def test_spin_resolved_bands_and_splitting_map(rng):
    m = preset("MnF2", J=0.05)
    k = rng.uniform(-0.5, 0.5, (60, 3))
    sr = spin_resolved_bands(m, k)
    assert np.allclose(np.sort(sr.reshape(-1, 4), axis=-1), m.eigenvalues(k), atol=1e-13)
    assert np.allclose(sr[:, 0, 1] - sr[:, 1, 1], m.spin_splitting(k)[:, 1], atol=1e-13)
    with pytest.raises(ParameterError, match="not conserved"):
        spin_resolved_bands(m.with_params(lambda1=0.1, neel=(0, 0, 1)), [[0.1, 0.2, 0.3]])
    # λ ∥ n̂ keeps spin conserved: λ_z (lambda2) with n̂ = z
    sr2 = spin_resolved_bands(m.with_params(lambda2=0.1), k)
    assert np.allclose(np.sort(sr2.reshape(-1, 4), -1), m.with_params(lambda2=0.1).eigenvalues(k), atol=1e-13)
    smap = splitting_map(m, "kz=0", 21)
    assert smap["splitting"].shape == (21, 21, 2)
    # d_xy symmetry of the map: ΔE(kx, ky) = −ΔE(−kx, ky)
    assert np.allclose(smap["splitting"], -smap["splitting"][::-1], atol=1e-14)


@pytest.mark.parametrize("name", ["RuO2", "kappa-Cl"])
def test_dos_sum_rules_and_compensation(name):
    m = preset(name)
    d = dos(m, mesh=(24, 24, 24), sigma=0.03)
    assert np.trapezoid(d["dos"], d["energies"]) == pytest.approx(4.0, abs=1e-3)
    assert np.trapezoid(d["dos_up"], d["energies"]) == pytest.approx(2.0, abs=1e-3)
    # compensated altermagnet: spin-↑ and spin-↓ DOS coincide (a sublattice-exchanging rotation maps them)
    assert np.abs(d["dos_up"] - d["dos_down"]).max() < 1e-9 * d["dos"].max() + 1e-12


def test_dos_of_flat_bands_is_four_gaussians():
    """t_x = t_z = ε₀ = 0 (all coefficients 0), J: four flat bands at ±J → exactly Gaussians of weight 2."""
    m = preset("RuO2", **{p: 0.0 for p in preset("RuO2").params}, J=0.3, mu=0.0)
    e = np.linspace(-1, 1, 2001)
    d = dos(m, energies=e, mesh=(4, 4, 4), sigma=0.05)
    ref = 2 * sum(np.exp(-0.5 * ((e - s) / 0.05) ** 2) / (np.sqrt(2 * np.pi) * 0.05) for s in (-0.3, 0.3))
    assert np.abs(d["dos"] - ref).max() < 0.01 * ref.max()


def test_bands_along_paper_path(rng):
    m = preset("RuO2")
    bs = bands(m)
    assert bs.labels == ["Γ", "X", "M", "Γ", "Z", "R", "A", "Z"]
    assert np.allclose(bs.energies, m.eigenvalues(bs.k_frac), atol=1e-9)
    assert np.allclose(np.abs(bs.spin), 1, atol=1e-6)  # no SOC: every state is a spin eigenstate
    d = bs.as_dict()
    assert len(d["bands"]) == 4 and len(d["bands"][0]) == len(bs.x)
    kp = paper_path(preset("CrSb"))
    assert kp.labels[:4] == ["Γ", "M", "K", "Γ"]


def test_seekpath_path_is_in_model_cell_fractions():
    m = preset("RuO2")
    kp = seekpath_path(m)
    assert "Γ" in kp.labels
    # the labelled points, converted to the model cell, are high-symmetry points: k and −k give the same H up
    # to a reciprocal lattice vector, i.e. 2k is integer
    labelled = kp.k_frac_input[[0, -1]]
    assert np.allclose(2 * labelled, np.round(2 * labelled), atol=1e-8)
    bs = bands(m, path="seekpath")
    assert bs.energies.shape == (len(kp.x), 4) or bs.energies.shape[1] == 4


def test_fermi_contours_lie_on_the_fermi_surface():
    m = preset("RuO2")
    fc = fermi_contours(m, energy=0.0, plane="kz=0", n=121)
    assert fc["contours"]
    for c in fc["contours"]:
        k = np.concatenate([c["points"], np.zeros((len(c["points"]), 1))], axis=1)
        E = m.eigenvalues(k)[:, c["band"]]
        assert np.abs(E).max() < 5e-3  # linear interpolation on a 121² grid
        # spin is ±1 except where the contour crosses a nodal line
        assert np.median(np.abs(c["spin_points"])) > 0.99


@pytest.mark.parametrize("prefix", ["0.607_", "0.528_", "0.800_"])
def test_wave_class_of_structure_model_equals_symmetry_engine(prefix, rng):
    """The class measured from the generated model's t_z equals the spin-group engine's for the same file."""
    fs = pytest.importorskip("altermag.models.from_structure")
    from altermag.models import TwoSublatticeModel
    from altermag.models.analysis import wave_class
    from altermag.structures import read_structure
    from altermag.symmetry import analyze
    from tests.conftest import fixture_file

    st = read_structure(fixture_file(prefix))
    terms = fs.model_from_structure(st)
    m = TwoSublatticeModel(terms, {p: rng.uniform(0.1, 0.5) for p in terms.parameters}, J=0.2)
    assert m.check_space_group() < 1e-10
    assert wave_class(m) == analyze(st).wave == terms.wave
    assert nodal_check(m.with_params(**{p: 0.0 for p in terms.parameters if p.startswith("lambda")}),
                       "kz=0.2", 31)["agree"]


def test_default_path_of_centred_and_monoclinic_entries_is_seekpath():
    """Primitive-lattice labels (X, M, Z, ...) are wrong for I/C/F/R or monoclinic cells: seekpath is used."""
    from altermag.models import model_from_spec

    m = model_from_spec("87:4c")  # I4/m: body-centred tetragonal zone (points N, P)
    kp = paper_path(m, density=20)
    assert kp.labels == seekpath_path(m, reference_distance=1 / 20).labels
    assert {"N", "P"} <= set(kp.labels)
    # a primitive tetragonal entry keeps the labelled Γ-X-M-Γ-Z-R-A-Z path
    assert paper_path(model_from_spec("136:2a"), density=20).labels == ["Γ", "X", "M", "Γ", "Z", "R", "A", "Z"]
