"""Field locality (nearsightedness) diagnostic: exact for finite-range fields, small for a gapped s-d point."""
import numpy as np
import pytest

from altermag.core.errors import ParameterError
from altermag.dynamics import EDCalculator, HeisenbergCalculator, SDModel, SpinLattice, random_spins
from altermag.dynamics.experiments import field_locality
from altermag.dynamics.ground_states import ansatz


def test_finite_range_field_is_exactly_local():
    lat = SpinLattice("triangular", 12)
    calc = HeisenbergCalculator(lat, J1=1.0, J2=0.3)  # range √3
    res = field_locality(calc, random_spins(lat.n_sites, 3), cutoffs=(1.0, 1.8), n_probes=3)
    assert res["relative_nonlocal"]["1.8"] < 1e-13  # everything within √3 kept
    assert res["relative_nonlocal"]["1.0"] > 0.05  # second neighbours redrawn: the field changes


def test_gapped_point_is_nearsighted_and_metallic_random_is_not():
    lat_model = SDModel.default("120", L=12)
    ed = EDCalculator(lat_model)
    S = ansatz("120", lat_model.lattice) + 0.2 * np.random.default_rng(0).normal(size=(144, 3))
    S /= np.linalg.norm(S, axis=1, keepdims=True)
    gapped = field_locality(ed, S, cutoffs=(4.0,), n_probes=2)["relative_nonlocal"]["4.0"]
    assert gapped < 1e-3  # gap 6 t1: the density matrix decays within a few bonds (measured 5e-5)
    tet = EDCalculator(SDModel.default("tetrahedral", L=12))
    metallic = field_locality(tet, random_spins(144, 1), cutoffs=(4.0,), n_probes=2)["relative_nonlocal"]["4.0"]
    assert metallic > 0.05  # metallic: 22 % measured


def test_bad_input():
    lat = SpinLattice("square", 6)
    calc = HeisenbergCalculator(lat, J1=1.0)
    with pytest.raises(ParameterError, match="shape"):
        field_locality(calc, random_spins(10, 0))
    with pytest.raises(ParameterError, match="whole"):
        field_locality(calc, random_spins(36, 0), cutoffs=(20.0,))
