"""Observables on exactly known states: structure factor, chirality, topological charge, domains, fits."""

import numpy as np

from altermag.dynamics import observables as ob
from altermag.dynamics.ground_states import ansatz
from altermag.dynamics.lattice import SpinLattice
from altermag.dynamics.models import random_spins

CHI_TETRA = 4 / (3 * np.sqrt(3))  # S1·(S2×S3) of three tetrahedron vertices


def test_structure_factor_sum_rule_and_translation_invariance():
    lat = SpinLattice("triangular", 9, 6)
    S = random_spins(lat.n_sites, 0)
    _, Sq = ob.structure_factor(lat, S)
    assert np.isclose(Sq.sum(), lat.n_sites)
    p = lat.translation_permutation(2, 1)
    S2 = np.empty_like(S)
    S2[p] = S
    assert np.allclose(ob.structure_factor(lat, S2)[1], Sq)


def test_order_parameters_of_ideal_states():
    lat = SpinLattice("triangular", 12)
    op120 = ob.order_parameters(lat, ansatz("120", lat))
    assert np.isclose(op120["m_K"], 1) and np.isclose(op120["chi_mean"], 0)
    opt = ob.order_parameters(lat, ansatz("tetrahedral", lat))
    assert np.isclose(opt["m_M"], 1) and np.isclose(opt["M_balance"], 1)
    assert np.isclose(abs(opt["chi_mean"]), CHI_TETRA)
    assert np.isclose(ob.order_parameters(lat, ansatz("FM", lat))["m_FM"], 1)
    assert np.isclose(ob.order_parameters(lat, ansatz("stripe", lat))["M_balance"], 0)
    sq = SpinLattice("square", 6)
    neel = np.zeros((36, 3))
    neel[:, 2] = (-1.0) ** (sq.coords.sum(1))
    assert np.isclose(ob.order_parameters(sq, neel)["m_Neel"], 1)
    assert np.isclose(ob.nn_correlation(sq, neel)[1], -1)
    assert np.allclose(ob.local_nn_correlation(sq, neel), -1)


def test_chirality_signs_and_topological_charge_of_tetrahedral_state():
    lat = SpinLattice("triangular", 6)
    S = ansatz("tetrahedral", lat)
    chi = ob.chirality(lat, S)
    assert np.allclose(np.abs(chi), CHI_TETRA)
    assert np.allclose(chi, chi[0])  # uniform chirality: a single chiral domain
    # time reversal S → −S flips every chirality; a global rotation does not change it
    assert np.allclose(ob.chirality(lat, -S), -chi)
    from scipy.spatial.transform import Rotation

    R = Rotation.random(random_state=1).as_matrix()
    assert np.allclose(ob.chirality(lat, S @ R.T), chi)
    # 8 triangles of a 4-site magnetic cell wrap the sphere twice: |Q| = N/2
    assert np.isclose(abs(ob.topological_charge(lat, S)), lat.n_sites / 2)
    # canted 120° (umbrella): up and down triangles have opposite chirality, Q = 0
    umb = ansatz("120", lat) * np.sqrt(1 - 0.3 ** 2) + np.array([0, 0, 0.3])
    chi_u = ob.chirality(lat, umb)
    N = lat.n_sites
    assert np.allclose(chi_u[:N], -chi_u[N:]) and np.all(np.abs(chi_u) > 0.1)
    assert np.isclose(ob.topological_charge(lat, umb), 0, atol=1e-12)
    assert np.isclose(ob.topological_charge(lat, ansatz("FM", lat)), 0)


def test_chiral_domains_periodic_two_domains():
    lat = SpinLattice("triangular", 12)
    S = ansatz("tetrahedral", lat).copy()
    x = lat.coords[:, 0]
    right = (x >= 3) & (x < 9)  # one domain in the middle, the other wraps around the x boundary
    S[right] *= -1
    labels, sizes = ob.chiral_domains(lat, S)
    # two domains (the outer one is merged across the periodic x boundary), each about half the lattice
    assert len(sizes) == 2 and sizes.sum() == 144 and sizes.min() >= 48
    d = ob.domain_size(lat, S)
    assert np.isclose(d["L_area"], np.sqrt(np.sum(sizes ** 2) / 144))
    single = ob.domain_size(lat, ansatz("tetrahedral", lat))
    assert single["L_area"] > d["L_area"] and single["L_wall"] > d["L_wall"]


def test_fit_power_law_recovers_exponent():
    t = np.linspace(1, 1000, 400)
    rng = np.random.default_rng(0)
    L = 0.7 * t ** 0.8 * np.exp(0.01 * rng.normal(size=t.size))
    f = ob.fit_power_law(t, L)
    assert abs(f["n"] - 0.8) < 3 * f["n_err"] + 1e-3 and abs(f["A"] - 0.7) < 0.05


def test_correlation_function_of_ferromagnet():
    lat = SpinLattice("square", 5)
    C = ob.correlation_function(lat, np.tile([0.0, 0.0, 1.0], (25, 1)))
    assert np.allclose(C, 1.0)
