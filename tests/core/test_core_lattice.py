import dataclasses

import numpy as np
import pytest
import spglib

from altermag.core import Lattice, ParameterError

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:spglib")


@pytest.fixture
def triclinic():
    return Lattice.from_parameters(3.1, 4.2, 5.3, 80.0, 95.0, 103.0)


def test_from_parameters_orientation_and_round_trip(triclinic):
    m = triclinic.matrix
    assert m[0, 1] == m[0, 2] == m[1, 2] == 0.0  # a along x, b in the xy plane
    assert m[1, 1] > 0 and m[2, 2] > 0
    assert np.allclose(triclinic.parameters, (3.1, 4.2, 5.3, 80.0, 95.0, 103.0))


def test_reciprocal_vectors(triclinic):
    A, B = triclinic.matrix, triclinic.reciprocal.matrix
    assert np.allclose(A @ B.T, 2 * np.pi * np.eye(3))
    assert triclinic.reciprocal.volume == pytest.approx((2 * np.pi) ** 3 / triclinic.volume)
    assert triclinic.reciprocal.reciprocal.allclose(triclinic)


def test_volume():
    hexagonal = Lattice.from_parameters(3.0, 3.0, 5.0, 90, 90, 120)
    assert hexagonal.volume == pytest.approx(np.sqrt(3) / 2 * 9.0 * 5.0)
    left_handed = Lattice(np.diag([2.0, 3.0, -4.0]))
    assert left_handed.volume == pytest.approx(24.0)


def test_frac_cart_round_trip(triclinic):
    rng = np.random.default_rng(1)
    x = rng.random((2, 5, 3))
    r = triclinic.frac_to_cart(x)
    assert r.shape == (2, 5, 3)
    assert np.allclose(r[1, 2], x[1, 2, 0] * triclinic.matrix[0] + x[1, 2, 1] * triclinic.matrix[1] + x[1, 2, 2] * triclinic.matrix[2])
    assert np.allclose(triclinic.cart_to_frac(r), x)


def _hexagonal_operations():
    lat = Lattice.from_parameters(3.0, 3.0, 5.0, 90, 90, 120)
    # NiAs-type: a hexagonal altermagnet candidate structure (P6_3/mmc)
    positions = [[0, 0, 0], [0, 0, 0.5], [1 / 3, 2 / 3, 0.25], [2 / 3, 1 / 3, 0.75]]
    numbers = [28, 28, 33, 33]
    ds = spglib.get_symmetry_dataset((np.array(lat.matrix), positions, numbers))
    return lat, ds.rotations, ds.number


def test_cartesian_rotation_of_hexagonal_operations_is_orthogonal():
    lat, rotations, number = _hexagonal_operations()
    assert number == 194 and len(rotations) == 24
    # the fractional matrices are not orthogonal: the conversion matters
    assert not all(np.allclose(R @ R.T, np.eye(3)) for R in rotations)
    Rc = lat.cartesian_rotation(rotations)  # vectorised over the stack
    assert Rc.shape == (24, 3, 3)
    assert np.allclose(Rc @ np.swapaxes(Rc, 1, 2), np.eye(3))
    assert np.allclose(np.linalg.det(Rc), np.linalg.det(rotations))
    # R_cart applied to Cartesian positions equals R applied to fractional ones
    x = np.array([0.1, 0.2, 0.3])
    for R, Rcart in zip(rotations, Rc):
        assert np.allclose(Rcart @ lat.frac_to_cart(x), lat.frac_to_cart(R @ x))
    # a sixfold axis along z rotates by 60° about z
    sixfold = [r for r, rc in zip(rotations, Rc) if np.isclose(np.trace(rc), 2.0) and np.isclose(rc[2, 2], 1.0)]
    assert len(sixfold) == 2


def test_reciprocal_rotation():
    lat, rotations, _ = _hexagonal_operations()
    Rr = lat.reciprocal_rotation(rotations)
    assert Rr.dtype.kind == "i"
    assert np.array_equal(Rr, np.linalg.inv(rotations).transpose(0, 2, 1).round().astype(int))
    # rotating fractional k with R⁻ᵀ equals rotating Cartesian k with R_cart
    k = np.array([0.1, -0.25, 0.3])
    k_cart = k @ lat.reciprocal.matrix
    for Rk, Rc in zip(Rr, lat.cartesian_rotation(rotations)):
        assert np.allclose((Rk @ k) @ lat.reciprocal.matrix, Rc @ k_cart)
        # k·r is invariant when both are transformed
        r = lat.frac_to_cart([0.3, 0.1, 0.7])
        assert np.isclose((Rc @ k_cart) @ (Rc @ r), k_cart @ r)


def test_immutable():
    lat = Lattice(np.eye(3) * 4.0)
    with pytest.raises(ValueError):
        lat.matrix[0, 0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        lat.matrix = np.eye(3)
    source = np.eye(3)
    lat = Lattice(source)
    source[0, 0] = 9.0  # the lattice holds its own copy
    assert lat.matrix[0, 0] == 1.0


def test_bad_lattices():
    with pytest.raises(ParameterError):
        Lattice([[1, 0, 0], [2, 0, 0], [0, 0, 1]])
    with pytest.raises(ParameterError):
        Lattice(np.eye(2))
    with pytest.raises(ParameterError):
        Lattice.from_parameters(1, 1, 1, 10, 10, 170)
    with pytest.raises(ParameterError):
        Lattice.from_parameters(-1, 1, 1, 90, 90, 90)


def test_to_pymatgen():
    pytest.importorskip("pymatgen.core")
    lat = Lattice.from_parameters(3.0, 3.0, 5.0, 90, 90, 120)
    pmg = lat.to_pymatgen()
    assert np.allclose(pmg.matrix, lat.matrix)
    assert pmg.volume == pytest.approx(lat.volume)
